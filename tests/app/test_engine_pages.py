"""The pages served by the duckdb engine show what the memory engine shows.

One small generated Parquet file (``bench/generate.py``: synthetic events and their
articles), the app launched on it with ``DASHBOARD_ENGINE=memory`` and then ``duckdb``,
the same URL query on both: the Overview's numbers, captions and charts, the Events and
Articles pages' tables and captions, and an event's page must be the same.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import streamlit as st
from conftest import ENTRY, map_areas, metrics, page, shown
from streamlit.testing.v1 import AppTest

from bench import generate

ROWS = 3_000


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, _ = generate.generate(ROWS, seed=21)
    folder = tmp_path_factory.mktemp("lake")
    pq.write_table(data.events, folder / "events.parquet")
    pq.write_table(data.articles, folder / "events_articles.parquet")
    return folder / "events.parquet"


QUERIES = [
    {},
    {"topic": "border_zone,camp", "from": "2023-01-01", "country": "POL"},
    {"verification": "confirmed", "q": "kyiv", "undated": "0"},
    {"bbox": "20,48,32,56", "to": "2022-06-30", "precise": "1"},
    {"q": "no event says this"},
    {"country": "UKR", "at": "2023-06-30", "window": "month"},
]


def _run(engine: str, query: dict[str, str], name: str | None,
         monkeypatch: pytest.MonkeyPatch, lake: Path) -> AppTest:
    monkeypatch.setenv("DASHBOARD_DATA", str(lake))
    monkeypatch.setenv("DASHBOARD_ENGINE", engine)
    # one store for the module: the file is validated once per engine, not once per test
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(lake.parent / "store"))
    st.cache_resource.clear()
    at = AppTest.from_file(str(ENTRY), default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if name is not None:
        at.switch_page(page(name)).run()
    assert not at.exception, at.exception
    return at


def _seen(at: AppTest) -> dict[str, object]:
    """What a reader sees: numbers, captions, notices, tables' cells, the charts' data."""
    tables = [frame.value.astype(str).to_dict("list") for frame in at.dataframe]
    charts = [str(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    charts += [str(chart.proto.json) for chart in at.get("deck_gl_json_chart")]
    return {"metrics": metrics(at), "captions": shown(at.caption),
            "markdown": shown(at.markdown), "info": shown(at.info),
            "buttons": [b.label for b in at.get("download_button")],
            "warning": shown(at.warning), "tables": tables, "charts": charts}


def _pages(engine: str, query: dict[str, str], monkeypatch: pytest.MonkeyPatch,
           lake: Path) -> list[dict[str, object]]:
    """The Overview, then the Events and Articles pages, in one session."""
    at = _run(engine, query, None, monkeypatch, lake)
    seen = [_seen(at)]
    for name in ("events", "articles"):
        at.switch_page(page(name)).run()
        assert not at.exception, at.exception
        seen.append(_seen(at))
    return seen


@pytest.mark.parametrize("query", QUERIES, ids=[str(q) for q in QUERIES])
def test_duckdb_pages_show_what_memory_shows(lake, monkeypatch, query) -> None:  # type: ignore[no-untyped-def]
    memory = _pages("memory", query, monkeypatch, lake)
    duckdb = _pages("duckdb", query, monkeypatch, lake)
    for got, want in zip(duckdb, memory, strict=True):
        assert got == want
    if query == {}:
        assert memory[0]["metrics"]["Events"] == f"{ROWS:,}"
        assert memory[0]["charts"] and memory[1]["tables"] and memory[2]["tables"]


def test_event_page_and_engine_named(lake, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    at = _run("memory", {}, "events", monkeypatch, lake)
    event_id = at.dataframe[0].value["Event"].iloc[3]
    seen = [_seen(_run(engine, {"event": str(event_id)}, "events", monkeypatch, lake))
            for engine in ("memory", "duckdb")]
    assert seen[0] == seen[1]
    assert f"Event {event_id}" in str(seen[0]["markdown"]) or seen[0]["captions"]
    data_page = _run("duckdb", {}, "data", monkeypatch, lake)
    assert f"events: {ROWS:,}" in shown(data_page.markdown)


#: two units of the app tests' boundaries file: 20-28 E, 52-53.5 N and 53.5-56 N
UNITS = Path(__file__).with_name("fixtures") / "areas.geojson"


def _strictly_inside(lake: Path, south: float, north: float) -> int:
    """The events of the file whose point lies inside the box 20-28 E, ``south``-``north``
    (a border is inside neither unit)."""
    events = pq.read_table(lake, columns=["longitude", "latitude"])
    lon, lat = events["longitude"], events["latitude"]
    inside = pc.and_(pc.and_(pc.greater(lon, 20), pc.less(lon, 28)),
                     pc.and_(pc.greater(lat, south), pc.less(lat, north)))
    return int(pc.sum(pc.fill_null(inside, False)).as_py() or 0)


@pytest.mark.parametrize("query", [{}, {"area": "Fixture North"},
                                   {"topic": "border_zone,camp", "at": "2023-06-30",
                                    "window": "all"}], ids=str)
def test_duckdb_shades_the_units_of_a_boundaries_file(lake, monkeypatch, query) -> None:  # type: ignore[no-untyped-def]
    """With ``--boundaries``, the mode counting events per unit of the user's file is
    offered on the duckdb engine too, and shades the units as the memory engine does."""
    monkeypatch.setenv("DASHBOARD_BOUNDARIES", str(UNITS))
    shaded = {}
    for engine in ("memory", "duckdb"):
        at = _run(engine, query, None, monkeypatch, lake)
        modes = at.radio(key="map_mode")
        assert modes.options[-1] == "Shade areas of my boundaries file by event count"
        modes.set_value(modes.options[-1]).run()
        assert not at.exception, at.exception
        assert "Click an area to filter by it" in shown(at.caption)
        shaded[engine] = map_areas(at)
    assert shaded["duckdb"] == shaded["memory"]
    if query == {}:
        assert shaded["duckdb"] == {"Fixture North": _strictly_inside(lake, 53.5, 56),
                                    "Fixture South": _strictly_inside(lake, 52, 53.5)}
        assert 0 < shaded["duckdb"]["Fixture South"] < shaded["duckdb"]["Fixture North"]
    elif "area" in query:  # what a click on a unit sets: its events are all counted
        assert shaded["duckdb"]["Fixture North"] == _strictly_inside(lake, 53.5, 56)
    else:
        assert 0 < sum(shaded["duckdb"].values()) < _strictly_inside(lake, 52, 56)


@pytest.mark.parametrize(("lang", "words"), [
    ("en", "lake: articles.parquet read as the articles, not as events (an article_id "
           "column and no event_id column)"),
    ("uk", "lake: articles.parquet прочитано як статті, а не як події"),
])
def test_the_data_page_names_a_folders_articles_file(lake, monkeypatch, tmp_path,  # type: ignore[no-untyped-def]
                                                     lang, words) -> None:
    """A folder of events files and their articles (engines/lake.py) served by duckdb:
    the Data page reports the articles as the companion's, and says which file they are."""
    folder = tmp_path / "lake"
    folder.mkdir()
    events = pq.read_table(lake)
    pq.write_table(events.slice(0, ROWS // 2), folder / "events-2023.parquet")
    pq.write_table(events.slice(ROWS // 2), folder / "events-2024.parquet")
    articles = pq.read_table(lake.with_name("events_articles.parquet"))
    pq.write_table(articles, folder / "articles.parquet")
    at = _run("duckdb", {"lang": lang}, "data", monkeypatch, folder)
    assert words in shown(at.warning)
    summaries = [text.value for text in at.text]
    assert len(summaries) == 2 and summaries[1].startswith("articles.parquet")
    assert f"events: {ROWS:,}" in shown(at.markdown) or lang != "en"
