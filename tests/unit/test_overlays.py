"""Overlay files: any vector format read to GeoJSON features with names and dates."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from dashboard.overlays import MAX_OVERLAY_BYTES, OverlayError, read_overlay

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "overlays"


def _summary(overlay) -> list[tuple[str, str, str, str]]:
    return [(f["properties"]["name"], f["properties"]["start"], f["properties"]["end"],
             f["geometry"]["type"]) for f in overlay.features]


@pytest.mark.parametrize(("name", "expected", "warned"), [
    ("buffer_zones.geojson", [("Fixture buffer strip", "2024-06-13", "2024-09-30", "Polygon"),
                              ("Fixture patrol route", "2025-01-01", "ongoing", "LineString")],
     0),
    ("control_areas.kml", [("Fixture area north", "2022-03-01", "2022-11-11", "Polygon"),
                           ("Fixture front line", "", "", "LineString")], 1),  # a pin dropped
])
def test_files_and_uploads_read_alike(name, expected, warned):
    path = FIXTURES / name
    from_path = read_overlay(path)
    from_bytes = read_overlay(path.read_bytes(), name)
    assert _summary(from_path) == _summary(from_bytes) == expected
    assert from_path.name == name and len(from_path.warnings) == warned
    assert all(f["properties"]["overlay"] == name for f in from_path.features)


@pytest.mark.parametrize(("first", "last", "names"), [
    (None, None, ["Fixture buffer strip", "Fixture patrol route"]),
    (dt.date(2024, 7, 1), dt.date(2024, 7, 1), ["Fixture buffer strip"]),
    (dt.date(2024, 10, 1), dt.date(2024, 12, 31), []),
    (None, dt.date(2024, 6, 12), []),  # everything up to a day before it began
    (dt.date(2030, 1, 1), dt.date(2030, 1, 31), ["Fixture patrol route"]),  # ongoing
])
def test_a_dated_feature_is_drawn_only_while_in_force(first, last, names):
    overlay = read_overlay(FIXTURES / "buffer_zones.geojson")
    assert [f["properties"]["name"] for f in overlay.in_force(first, last)] == names


def test_a_zipped_shapefile_in_another_crs_comes_back_in_degrees(tmp_path):
    square = shapely.Polygon([(0, 0), (20_000, 0), (20_000, 20_000), (0, 20_000)])
    frame = gpd.GeoDataFrame({"Name": ["Metric square"]}, geometry=[square], crs="EPSG:2180")
    frame.to_file(tmp_path / "zone.shp")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        for part in tmp_path.glob("zone.*"):
            zipped.write(part, part.name)
    overlay = read_overlay(archive.getvalue(), "zone.zip")
    ring = overlay.features[0]["geometry"]["coordinates"][0]
    assert overlay.features[0]["properties"]["name"] == "Metric square"
    assert all(12.3 < lon < 12.7 and 47.6 < lat < 47.9 for lon, lat in ring)  # CS92's origin


def test_a_detailed_file_is_simplified_until_it_is_light(tmp_path, monkeypatch):
    circle = shapely.Point(24, 52).buffer(1.0, quad_segs=20_000)  # 80,000 vertices
    path = tmp_path / "detailed.geojson"
    gpd.GeoDataFrame({"name": ["Circle"]}, geometry=[circle], crs="EPSG:4326").to_file(path)
    overlay = read_overlay(path)
    assert len(overlay.features[0]["geometry"]["coordinates"][0]) < 200
    assert len(json.dumps(overlay.features)) <= MAX_OVERLAY_BYTES and not overlay.warnings
    monkeypatch.setattr("dashboard.overlays.MAX_OVERLAY_BYTES", 600)
    coarser = read_overlay(path)
    assert len(json.dumps(coarser.features, separators=(",", ":"))) <= 600
    assert any("simplified to about" in warning for warning in coarser.warnings)


@pytest.mark.parametrize(("data", "reason"), [
    (b"", "the file is empty"),
    (b"not a map at all\x00\x01", "cannot be read as an overlay"),
    (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},'
     b' "geometry": {"type": "Point", "coordinates": [21, 52]}}]}', "no areas or lines"),
])
def test_a_bad_file_is_one_clear_error_naming_it(data, reason):
    with pytest.raises(OverlayError) as caught:
        read_overlay(data, "upload.geojson")
    assert "upload.geojson" in str(caught.value) and reason in str(caught.value)


def _collection(*geometries: dict, when: str = "") -> bytes:
    features = [{"type": "Feature", "properties": {"name": f"f{i}", "start": when},
                 "geometry": geometry} for i, geometry in enumerate(geometries)]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


POINT = {"type": "Point", "coordinates": [21, 52]}
SQUARE = {"type": "Polygon", "coordinates": [[[21, 52], [22, 52], [22, 53], [21, 52]]]}


@pytest.mark.parametrize(("data", "english", "ukrainian"), [
    (b"", "the file is empty", "upload.geojson: файл порожній"),
    (b"not a map at all\x00\x01", "it is not in a format GDAL recognises",
     "upload.geojson: не читається як файл накладання (GeoJSON, GeoPackage, shapefile у "
     "zip-архіві чи KML): він не у форматі, який розпізнає GDAL"),
    (_collection(POINT), "the file holds no areas or lines",
     "upload.geojson: файл не містить жодної території чи лінії"),
])
def test_a_bad_file_is_said_in_the_pages_language(data, english, ukrainian):
    from dashboard.i18n import translator

    with pytest.raises(OverlayError) as caught:
        read_overlay(data, "upload.geojson")
    assert english in str(caught.value)
    assert caught.value.said(translator("uk")) == ukrainian


def test_an_overlays_warnings_are_said_in_the_pages_language():
    from dashboard.i18n import said, translator

    overlay = read_overlay(_collection(POINT, SQUARE, when="soon"), "upload.geojson")
    assert overlay.warnings == [
        "upload.geojson: 1 feature(s) without an area or a line are not drawn",
        "upload.geojson: 2 value(s) of 'start' are not dates (YYYY-MM-DD); those features "
        "are drawn at every date"]
    assert [said(warning, translator("pl")) for warning in overlay.warnings] == [
        "upload.geojson: obiekty bez obszaru lub linii nie są rysowane: 1",
        "upload.geojson: wartości 'start', które nie są datami (YYYY-MM-DD): 2; te obiekty "
        "są rysowane przy każdej dacie"]
