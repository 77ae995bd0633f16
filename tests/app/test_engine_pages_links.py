"""The duckdb engine's pages link events across datasets as the memory engine's do.

A generated Parquet file of three crowded datasets (``tests/crowded_events.py``), the app
launched on it with each engine: the Data page's "N events linked across datasets (M
links)" line, the sidebar's "Count each event once" toggle, the Overview, Events and
Articles pages with ``once=1`` and an event's "Also in" must be the memory engine's."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import shown
from crowded_events import crowded
from test_engine_pages import _pages, _run

ROWS = 1_200


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crowded") / "crowded.parquet"
    pq.write_table(crowded(ROWS, seed=9), path)
    return path


QUERIES = [{"once": "1"}, {"once": "1", "country": "UKR", "from": "2018-04-06"},
           {"once": "1", "dataset": "acled,viina", "at": "2018-04-15", "window": "week"}]


@pytest.mark.parametrize("query", QUERIES, ids=str)
def test_once_pages_show_what_memory_shows(lake, monkeypatch, query) -> None:  # type: ignore[no-untyped-def]
    memory = _pages("memory", query, monkeypatch, lake)
    duckdb = _pages("duckdb", query, monkeypatch, lake)
    for got, want in zip(duckdb, memory, strict=True):
        assert got == want
    assert not memory[0]["warning"] or "once" not in str(memory[0]["warning"])
    everything = _pages("memory", {k: v for k, v in query.items() if k != "once"},
                        monkeypatch, lake)
    assert everything[0]["metrics"]["Events"] != memory[0]["metrics"]["Events"]


def test_data_page_toggle_and_also_in(lake, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    said = {}
    for engine in ("memory", "duckdb"):
        at = _run(engine, {}, None, monkeypatch, lake)
        assert "once" in [w.key for w in at.toggle]
        captions = shown(_run(engine, {}, "data", monkeypatch, lake).caption)
        said[engine] = re.findall(r"[\d,]+ events? linked across datasets \([\d,]+ links?\)",
                                  captions)
    assert len(said["memory"]) == 1 and said["duckdb"] == said["memory"]
    tables = {}
    for engine in ("memory", "duckdb"):
        tables[engine] = _run(engine, {}, "events", monkeypatch, lake).dataframe[0].value
    assert tables["duckdb"].astype(str).to_dict("list") == tables["memory"].astype(str).to_dict(
        "list")
    also = tables["memory"]["Also in"].fillna("").astype(str)
    linked = tables["memory"]["Event"][also.str.len() > 0].astype(str)
    assert len(linked) > 5
    pages = [shown(_run(engine, {"event": linked.iloc[0]}, "events", monkeypatch,
                        lake).markdown) for engine in ("memory", "duckdb")]
    assert "Also in" in pages[0] and pages[1] == pages[0]
