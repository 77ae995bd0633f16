"""The pages served by the spark engine show what the memory engine shows: the Overview,
the Events and the Articles pages for one filtered URL query, on the small generated file
of ``test_engine_pages`` (a local Spark session; one open of the file costs seconds)."""

from __future__ import annotations

import pytest
from conftest import ENTRY, metrics, shown
from test_engine_pages import QUERIES, ROWS, _pages, lake  # noqa: F401 (the fixture)

pytest.importorskip("pyspark", reason="the spark extra: pip install -e \".[spark]\"")

pytestmark = [pytest.mark.spark,
              pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]


@pytest.fixture(scope="module", autouse=True)
def spark(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The local session the app then finds, its catalog's tables under a temporary
    folder (not the working directory's ``spark-warehouse``)."""
    from dashboard.engines.spark_session import get_session

    return get_session({"spark.sql.warehouse.dir": str(tmp_path_factory.mktemp("warehouse"))})


def test_spark_pages_show_what_memory_shows(lake, monkeypatch) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    query = QUERIES[1]  # topics, a date and a country: grouped counts, a grid, joined lists
    memory = _pages("memory", query, monkeypatch, lake)
    spark = _pages("spark", query, monkeypatch, lake)
    for got, want in zip(spark, memory, strict=True):
        assert got == want
    assert memory[0]["charts"] and memory[1]["tables"] and memory[2]["tables"]


def test_a_table_of_the_spark_catalog_is_served_without_a_file(lake, spark, monkeypatch) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    spark.read.parquet(str(lake)).write.mode("overwrite").saveAsTable("lake_events")
    monkeypatch.delenv("DASHBOARD_DATA", raising=False)
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(lake.parent / "store"))
    monkeypatch.setenv("DASHBOARD_ENGINE", "spark")
    monkeypatch.setenv("DASHBOARD_TABLE", "lake_events")
    st.cache_resource.clear()
    at = AppTest.from_file(str(ENTRY), default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    assert metrics(at)["Events"] == f"{ROWS:,}"  # the table's events, not the bundled data


def test_spark_links_pages_as_memory_does(tmp_path_factory, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """On three crowded datasets (``tests/crowded_events.py``): the Overview, Events (its
    "Also in" column) and Articles pages with ``once=1``, and the Data page's "N events
    linked across datasets (M links)" line, as the memory engine shows them."""
    import re

    import pyarrow.parquet as pq
    from crowded_events import crowded
    from test_engine_pages import _run

    path = tmp_path_factory.mktemp("crowded") / "crowded.parquet"
    pq.write_table(crowded(600, seed=9), path)
    query = {"once": "1", "country": "UKR", "from": "2018-04-06"}
    memory = _pages("memory", query, monkeypatch, path)
    spark = _pages("spark", query, monkeypatch, path)
    for got, want in zip(spark, memory, strict=True):
        assert got == want
    assert any("Also in" in table for table in memory[1]["tables"])
    said = [re.findall(r"[\d,]+ events? linked across datasets \([\d,]+ links?\)",
                       shown(_run(engine, {}, "data", monkeypatch, path).caption))
            for engine in ("memory", "spark")]
    assert len(said[0]) == 1 and said[1] == said[0]
