"""The deck.gl map spec: layers by precision, colours, tooltips as text, no base map, view."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard import geomap

TOPICS = pd.DataFrame({"key": ["strike", "legal"], "label": ["Strikes", "Legal"],
                       "colour": ["#CC6677", "#88CCEE"], "description": ["", ""]})


def points(*rows: dict) -> pd.DataFrame:
    base = {"latitude": 52.0, "longitude": 21.0, "precision": "near", "topic": "strike",
            "date": "2024-01-01", "location": "x", "summary": "s",
            "verification": "confirmed", "event_id": "a"}
    return pd.DataFrame([{**base, **row} for row in rows])


@pytest.mark.parametrize(("precisions", "layers"), [
    (["exact", "near", ""], {geomap.EVENTS_ID: 3}),
    (["admin", "near"], {geomap.ADMIN_ID: 1, geomap.EVENTS_ID: 1}),
    (["admin"], {geomap.ADMIN_ID: 1}),
])
def test_points_by_how_well_their_place_is_known(precisions, layers):
    frame = points(*[{"precision": p, "event_id": f"e{i}"} for i, p in enumerate(precisions)])
    drawn = geomap.point_layers(frame, TOPICS)
    assert {layer["id"]: len(layer["data"]) for layer in drawn} == layers
    by_id = {layer["id"]: layer for layer in drawn}
    if geomap.ADMIN_ID in by_id:  # a circle in metres, translucent
        admin = by_id[geomap.ADMIN_ID]
        assert admin["radiusUnits"] == "meters" and admin["data"][0]["f"][3] < 100
    if geomap.EVENTS_ID in by_id:
        assert by_id[geomap.EVENTS_ID]["radiusUnits"] == "pixels"


def test_symbols_carry_their_topic_colour_id_and_a_text_tooltip():
    frame = points({"location": "<b>Hrodna</b>", "topic": "legal", "event_id": "e1"},
                   {"topic": "mystery", "event_id": "e2"})
    dots = geomap.point_layers(frame, TOPICS)[0]["data"]
    assert [d["c"][:3] for d in dots] == [[0x88, 0xCC, 0xEE], geomap.OTHER]  # unknown: grey
    assert [d["id"] for d in dots] == ["e1", "e2"]
    assert dots[0]["p"] == [21.0, 52.0]
    assert "<b>Hrodna</b>" in dots[0]["tip"] and "Legal" in dots[0]["tip"]
    assert geomap.TOOLTIP["text"] == "{tip}" and "html" not in geomap.TOOLTIP  # never HTML


def test_zones_and_lines_name_their_dates():
    def shape(kind: str, coordinates: list, end: str) -> dict:
        return {"type": "Feature", "geometry": {"type": kind, "coordinates": coordinates},
                "properties": {"topic": "strike", "date": "2024-01-02", "end": end,
                               "location": "Strip", "summary": "s", "verification": "reported",
                               "event_id": "z"}}

    layer = geomap.shape_layer([
        shape("Polygon", [[[20, 50], [21, 50], [21, 51], [20, 50]]], "2024-03-01"),
        shape("LineString", [[20, 50], [21, 51]], "ongoing")], TOPICS)
    tips = [f["properties"]["tip"].splitlines()[:2] for f in layer["data"]]
    assert tips == [["Zone: Strip", "In force: 2024-01-02 – 2024-03-01"],
                    ["Line: Strip", "In force: 2024-01-02 – ongoing"]]
    assert layer["data"][0]["properties"]["fill"] == [0xCC, 0x66, 0x77, 60]


def test_cells_grow_with_their_count_and_are_found_by_their_centre():
    cells = pd.DataFrame({"latitude": [52.5, 53.5], "longitude": [21.5, 22.5],
                          "events": [100, 25], "topic": ["strike", None], "topics": [2, 1],
                          "size": [1.0, 1.0]})
    data = geomap.cell_layer(cells, TOPICS)["data"]
    assert data[0]["r"] == pytest.approx(2 * data[1]["r"])  # area ∝ count
    assert data[0]["r"] <= 111_320 / 2  # no circle leaves its cell
    assert (data[0]["lat"], data[0]["lon"], data[0]["n"]) == (52.5, 21.5, 100)
    assert data[1]["c"][:3] == geomap.OTHER
    heat = geomap.heat_layer(cells)
    assert heat["@@type"] == "HeatmapLayer" and [d["n"] for d in heat["data"]] == [100, 25]


def test_the_spec_has_no_base_map_and_compact_json():
    spec = geomap.deck([geomap.sea_layer()], geomap.fit_view((20, 50, 30, 55)))
    text = spec.to_json()
    assert json.loads(text)["mapStyle"] == geomap.NO_BASEMAP
    assert "mapProvider" not in text and "cartocdn" not in text and "\n" not in text
    assert spec._tooltip == geomap.TOOLTIP
    assert spec.layer(geomap.SEA_ID) is not None and spec.layer(geomap.EVENTS_ID) is None
    with pytest.raises(ValueError):  # a NaN is an error, not a silently empty map
        geomap.deck([{"id": "x", "data": [math.nan]}], {}).to_json()


@pytest.mark.parametrize(("bounds", "zoom"), [
    ((14.0, 49.0, 24.2, 54.9), (5.0, 6.5)),  # Poland
    ((23.5, 53.9, 23.7, 54.0), (geomap.FIT_MAX_ZOOM, geomap.FIT_MAX_ZOOM)),  # a crossing
    ((21.0, 52.0, 21.0, 52.0), (geomap.FIT_MAX_ZOOM, geomap.FIT_MAX_ZOOM)),  # one place
])
def test_the_view_fits_the_bounds(bounds, zoom):
    view = geomap.fit_view(bounds, width=900, height=560)
    assert zoom[0] <= view["zoom"] <= zoom[1]
    assert bounds[0] <= view["longitude"] <= bounds[2]
    assert bounds[1] - 0.01 <= view["latitude"] <= bounds[3] + 0.01


@pytest.mark.parametrize("latitude", [48.0, 52.0, 56.5])
def test_one_admin_level_event_leaves_the_region_around_it(latitude: float) -> None:
    """The circle of one event placed at a region's centre takes at most 40 % of the map's
    height, whatever the latitude of the border area."""
    view = geomap.fit_view((24.0, latitude, 24.0, latitude), width=900, height=560)
    metres_per_pixel = (2 * math.pi * 6_378_137 * math.cos(math.radians(latitude))
                        / (512 * 2 ** view["zoom"]))
    assert 2 * geomap.AREA_RADIUS_M / metres_per_pixel <= 0.4 * 560


def test_areas_are_shaded_by_count_and_countries_picked_by_iso3():
    square = shapely.Polygon([(20, 50), (20, 55), (25, 55), (25, 50)])
    other = shapely.Polygon([(25, 50), (25, 55), (30, 55), (30, 50)])
    areas = gpd.GeoDataFrame({"iso3": ["POL", "BLR"], "name": ["Poland", "Belarus"]},
                             geometry=[square, other], crs="EPSG:4326")
    features = geomap.boundary_features(
        areas, counts=pd.DataFrame({"iso3": ["POL"], "events": [4]}))
    assert [(f["properties"]["iso3"], f["properties"]["events"]) for f in features] == [
        ("POL", 4), ("BLR", 0)]
    shaded = geomap.area_layer(features)["data"]
    assert shaded[0]["properties"]["fill"] != shaded[1]["properties"]["fill"]
    assert shaded[0]["properties"]["tip"] == "Country: Poland\nEvents: 4"
    land = geomap.land_layer(features)
    assert land["pickable"] and land["data"][0]["properties"]["tip"] == "Poland"


@pytest.mark.parametrize(("state", "layer", "expected"), [
    ({"selection": {"objects": {"events": [{"id": "a"}]}}}, "events", [{"id": "a"}]),
    ({"selection": {"objects": {"events": [{"id": "a"}]}}}, "cells", []),
    ({"selection": {}}, "events", []),
    (None, "events", []),
    ({"selection": {"objects": {"events": ["junk", {"id": "b"}]}}}, "events", [{"id": "b"}]),
])
def test_picked_objects_of_a_layer(state, layer, expected):
    assert geomap.picked(state, layer) == expected


def test_place_names_give_way_to_more_important_ones():
    places = pd.DataFrame({"name": ["Warsaw", "Radom", "Łódź"], "latitude": [52.2, 51.4, 51.8],
                           "longitude": [21.0, 21.1, 19.5], "rank": [0, 2, 1],
                           "population": [1_700_000, 220_000, 640_000],
                           "iso3": ["POL"] * 3})
    layer = geomap.place_layer(places)
    priority = {d["n"]: d["k"] for d in layer["data"]}
    assert priority["Warsaw"] > priority["Łódź"] > priority["Radom"]
    assert all(-1000 <= k <= 1000 for k in priority.values())
    assert layer["characterSet"] == "auto"  # Ł and ó, not only ASCII
    assert layer["extensions"] == [{"@@type": "CollisionFilterExtension"}]


@pytest.mark.parametrize(("lang", "tips"), [
    ("en", ["zones.geojson: Strip\nIn force: 2024-01-02 – ongoing", "zones.geojson: Gate"]),
    ("uk", ["zones.geojson: Strip\nДіє: 2024-01-02 – досі", "zones.geojson: Gate"]),
])
def test_an_overlays_tooltip_is_written_in_the_pages_language(lang, tips):
    from dashboard.i18n import translator

    def feature(name: str, start: str, end: str) -> dict:
        return {"type": "Feature", "geometry": {"type": "LineString",
                                                "coordinates": [[20, 50], [21, 51]]},
                "properties": {"overlay": "zones.geojson", "name": name, "start": start,
                               "end": end}}

    layer = geomap.overlay_layer([feature("Strip", "2024-01-02", "ongoing"),
                                  feature("Gate", "", "")], {}, translator(lang))
    assert [f["properties"]["tip"] for f in layer["data"]] == tips
