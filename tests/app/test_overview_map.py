"""The Overview's map, time frame and overlays through AppTest (the deck.gl spec it sends)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import ENTRY, metrics, page
from streamlit.testing.v1 import AppTest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
OVERLAYS = Path(__file__).resolve().parents[1] / "fixtures" / "overlays"


def _layers(at) -> dict[str, list]:
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    return {layer["id"]: layer["data"] for layer in spec["layers"]}


def _caption(at, text: str) -> str:
    return next(c.value for c in at.caption if text in c.value)


def test_the_bundled_map_draws_places_by_precision_and_counts_country_level(app):
    at = app.run()
    assert not at.exception
    layers = _layers(at)
    assert {"sea", "land", "shapes", "admin", "events", "places"} <= set(layers)
    # bundled data: 5 near (points), 7 admin (circles), 6 country-level (not drawn)
    assert (len(layers["events"]), len(layers["admin"])) == (5, 7)
    assert "6 events placed only at country level are not drawn" in _caption(at, "Drag to pan")
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    assert spec["mapStyle"] == "__MAP_STYLE__"  # no base map: nothing fetched


@pytest.mark.parametrize(("query", "events", "frame"), [
    ({"at": "2022-02-28", "window": "week"}, "3", "in force from 2022-02-22 to 2022-02-28"),
    ({"at": "2022-02-28", "window": "all"}, "7", "everything up to 2022-02-28"),
    ({"at": "2022-02-24", "window": "day"}, "2", "in force on 2022-02-24"),
])
def test_the_frame_in_the_url_sets_the_numbers_and_the_map(app, query, events, frame):
    for key, value in query.items():
        app.query_params[key] = value
    at = app.run()
    assert not at.exception
    assert metrics(at)["Events"] == events
    assert frame in _caption(at, "Showing events")
    drawn = {item["id"] for item in _layers(at).get("events", []) + _layers(at).get("admin", [])}
    assert len(drawn) <= int(events)


def test_a_playback_step_moves_the_frame_and_the_url(app):
    app.query_params["at"] = "2022-02-01"
    app.query_params["window"] = "month"
    at = app.run()
    before = _caption(at, "Showing events")
    at.button(key="frame_play").click().run()
    assert at.session_state["frame_playing"] and at.button(key="frame_play").label == "Pause"
    assert not at.exception
    at.session_state["frame_stepped"] = 0.0  # as if the player's interval had passed
    at.run()  # the fragment, run inside the page run here, takes the step and reruns
    assert not at.exception
    assert _caption(at, "Showing events") != before
    stepped = at.session_state["frame_at"]
    assert stepped > dt.date(2022, 2, 1)
    assert at.query_params["at"] in (stepped.isoformat(), [stepped.isoformat()])


def test_heat_mode_and_shaded_mode_send_no_points(app):
    at = app.run()
    at.radio(key="map_mode").set_value("Heat map").run()
    assert not at.exception
    layers = _layers(at)
    assert "heat" in layers and "events" not in layers
    assert sum(cell["n"] for cell in layers["heat"]) == 12  # near + admin, not country-level
    at.radio(key="map_mode").set_value("Shade countries by event count").run()
    areas = {a["properties"]["iso3"]: a["properties"]["events"] for a in _layers(at)["areas"]}
    assert areas["BLR"] > 0 and "events" not in _layers(at)


def test_an_overlay_from_the_launch_is_drawn_and_changes_no_count(app, monkeypatch):
    plain = metrics(app.run())
    monkeypatch.setenv("DASHBOARD_OVERLAY", str(OVERLAYS / "buffer_zones.geojson"))
    at = AppTest.from_file(str(ENTRY), default_timeout=60).run()
    assert not at.exception and metrics(at) == plain
    drawn = [f["properties"]["name"] for f in _layers(at)["overlays"]]
    assert drawn == ["Fixture buffer strip", "Fixture patrol route"]
    framed = AppTest.from_file(str(ENTRY), default_timeout=60)
    framed.query_params["at"] = "2024-07-01"
    framed.query_params["window"] = "day"
    framed.run()
    drawn = [f["properties"]["name"] for f in _layers(framed)["overlays"]]
    assert drawn == ["Fixture buffer strip"]  # the route begins in 2025


def test_an_overlay_uploaded_on_the_data_page_reaches_the_map(app):
    at = app.run()
    at.switch_page(page("data")).run()
    # AppTest cannot drive a file uploader: keep it the way the Data page's button does
    from dashboard.overlays import read_overlay
    from dashboard.ui import data as ui_data

    at.session_state[ui_data.OVERLAY_STATE] = [read_overlay(OVERLAYS / "control_areas.kml")]
    at.switch_page(page("overview")).run()
    assert not at.exception
    names = {f["properties"]["name"] for f in _layers(at)["overlays"]}
    assert names == {"Fixture area north", "Fixture front line"}
