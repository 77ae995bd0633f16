"""Charts and map: taxonomy labels and colours in the spec, selections, small data."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import shapely

from dashboard import charts, geomap

TOPICS = pd.DataFrame({"key": ["strike", "legal"], "label": ["Strikes", "Legal"],
                       "colour": ["#CC6677", "#88CCEE"], "description": ["", ""]})


def spec(chart) -> dict:
    return chart if isinstance(chart, dict) else chart.to_dict()


def test_timeline_uses_labels_and_colours():
    bins = pd.DataFrame({"period": pd.to_datetime(["2024-01-01", "2024-01-08"]),
                         "topic": ["strike", "mystery"], "events": [2, 1]})
    out = spec(charts.timeline_chart(bins, TOPICS, "week"))
    scale = out["encoding"]["color"]["scale"]
    # only the topics drawn are in the legend, each in its taxonomy colour; unknown grey
    assert scale["domain"] == ["Strikes", "mystery"]
    assert scale["range"] == ["#CC6677", charts.OTHER_COLOUR]
    values = next(iter(out["datasets"].values()))
    assert {v["topic_label"] for v in values} == {"Strikes", "mystery"}


def test_country_chart_selects_by_country():
    counts = pd.DataFrame({"country": ["POL", "LTU"], "topic": ["strike", "legal"],
                           "events": [3, 1]})
    out = spec(charts.country_chart(counts, TOPICS, {"POL": "Poland"}))
    assert out["params"][0]["name"] == charts.COUNTRY_SELECTION
    assert out["params"][0]["select"]["fields"] == ["country"]
    assert out["encoding"]["y"]["sort"] == ["Poland", "LTU"]


def test_verification_chart_in_level_order():
    mix = pd.DataFrame({"verification": ["confirmed", "reported"], "events": [1, 2],
                        "share": [1 / 3, 2 / 3]})
    out = spec(charts.verification_chart(mix))
    assert out["encoding"]["y"]["sort"] == ["confirmed", "reported"]


def test_map_sends_geojson_values_not_a_geodataframe():
    square = shapely.Polygon([(20, 50), (20, 55), (25, 55), (25, 50)])
    areas = gpd.GeoDataFrame({"iso3": ["POL"], "name": ["Poland"]}, geometry=[square],
                             crs="EPSG:4326")
    features = geomap.boundary_features(
        areas, counts=pd.DataFrame({"iso3": ["POL"], "events": [4]}))
    assert features[0]["iso3"] == "POL" and features[0]["events"] == 4
    points = pd.DataFrame({"latitude": [52.0], "longitude": [21.0], "topic": ["strike"],
                           "date": ["2024-01-01"], "location": ["<b>x</b>"], "summary": ["s"],
                           "verification": ["confirmed"], "event_id": ["a"]})
    out = spec(geomap.event_map(features, points, False, [], TOPICS))
    scale = next(layer for layer in out["layer"] if "color" in layer.get("encoding", {}))[
        "encoding"]["color"]["scale"]
    assert (scale["domain"], scale["range"]) == (["Strikes"], ["#CC6677"])  # not "Legal"
    assert out["datasets"]["points"]["location"].tolist() == ["<b>x</b>"]  # Arrow, by Streamlit
    out["datasets"]["points"] = out["datasets"]["points"].to_dict("records")
    text = json.dumps(out)
    assert '"type": "Feature"' in text and "geoshape" in text
    params = out.get("params") or out["layer"][0].get("params")
    assert params[0]["name"] == geomap.AREA_SELECTION
    assert params[0]["select"]["fields"] == ["iso3"]
    tooltips = {t["title"] for t in out["layer"][1]["encoding"]["tooltip"]}
    assert {"Date", "Topic", "Location", "Summary", "Verification"} <= tooltips
    shaded = spec(geomap.choropleth_map(features))
    assert shaded["encoding"]["color"]["field"] == "events"


def test_map_points_zones_and_cells_can_be_picked():
    points = pd.DataFrame({"latitude": [52.0], "longitude": [21.0], "topic": ["strike"],
                           "date": ["2024-01-01"], "location": ["x"], "summary": ["s"],
                           "verification": ["confirmed"], "event_id": ["a"]})
    zone = {"type": "Feature", "properties": {"topic": "legal", "date": "2024-01-02",
                                              "location": "z", "summary": "s",
                                              "verification": "reported", "event_id": "b"},
            "geometry": {"type": "LineString", "coordinates": [[20, 50], [21, 51]]}}

    def params(out: dict) -> dict[str, list[str]]:  # Altair lifts a layer's params to the top
        found = out.get("params", []) + [p for layer in out["layer"]
                                         for p in layer.get("params", [])]
        return {p["name"]: p["select"]["fields"] for p in found}

    out = spec(geomap.event_map([], points, False, [zone], TOPICS))
    assert params(out) == {geomap.AREA_SELECTION: ["iso3"], geomap.SHAPE_SELECTION: ["event_id"],
                           geomap.EVENT_SELECTION: ["event_id"]}
    assert sorted(geomap.pick_selections(False, True, True)) == sorted(params(out))
    cells = pd.DataFrame({"latitude": [52.5], "longitude": [21.5], "events": [7],
                          "topic": ["strike"], "topics": [1], "size": [1.0]})
    out = spec(geomap.event_map([], cells, True, [], TOPICS))
    assert params(out) == {geomap.AREA_SELECTION: ["iso3"],
                           geomap.CELL_SELECTION: ["latitude", "longitude"]}
    assert sorted(geomap.pick_selections(True, False, True)) == sorted(params(out))
