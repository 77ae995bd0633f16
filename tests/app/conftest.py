"""AppTest fixtures: a fresh app per test, caches cleared, pages addressed by name."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ENTRY = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
PAGES = ENTRY.parent / "views"
BUNDLED_EVENTS = ENTRY.parents[1] / "data" / "events.csv"


@pytest.fixture(autouse=True)
def _clear_caches(monkeypatch, tmp_path):
    monkeypatch.delenv("DASHBOARD_DATA", raising=False)
    # validated launch files go to a store of the test's own, not the user's ~/.cache
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "store"))
    for name in ("DASHBOARD_BOUNDARIES", "DASHBOARD_DATA_DIR", "DASHBOARD_PUBLIC",
                 "DASHBOARD_NO_UPLOADS", "DASHBOARD_SESSION_MB", "DASHBOARD_ENGINE",
                 "DASHBOARD_TABLE"):
        monkeypatch.delenv(name, raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture
def app():
    """A not-yet-run AppTest of the dashboard (set query params, then .run())."""
    return AppTest.from_file(str(ENTRY), default_timeout=60)


def page(name: str) -> str:
    """The switch_page path of a page file, relative to the entry script."""
    return os.path.relpath(PAGES / f"{name}.py", ENTRY.parent)


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def map_areas(at: AppTest) -> dict[str, int]:
    """The shaded map's units, by name, and the events each is shaded by."""
    import json

    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    areas = next(layer for layer in spec["layers"] if layer["id"] == "areas")["data"]
    return {area["properties"]["name"]: area["properties"]["events"] for area in areas}


def shown(elements) -> str:
    """The text of notices as a reader sees it: the app escapes Markdown characters in
    what it repeats (file names, URL values) and breaks addresses with word joiners, and
    the elements hold that source."""
    return " ".join(re.sub(r"\\(.)", r"\1", element.value).replace("\u2060", "")
                    for element in elements)


def check_file(at: AppTest, path: str | Path, **typed: str) -> AppTest:
    """On the Data page: type ``path`` (and any other fields, ``labels_path=…``) and press
    "Check file", as a visitor does; the checked app is returned."""
    for key, value in typed.items():
        at.text_input(key=key).input(value)
    at.text_input(key="data_path").input(str(path)).run()
    return at.button(key="check_file").click().run()


def check_bundled(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The app run with the bundled data's folder offered, its Data page checking the
    bundled events file (``check_file``)."""
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(BUNDLED_EVENTS.parent))
    at = app.run()
    at.switch_page(page("data")).run()
    return check_file(at, BUNDLED_EVENTS)
