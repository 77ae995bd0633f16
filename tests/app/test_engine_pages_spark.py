"""The pages served by the spark engine show what the memory engine shows: the Overview,
the Events and the Articles pages for one filtered URL query, on the small generated file
of ``test_engine_pages`` (a local Spark session; one open of the file costs seconds)."""

from __future__ import annotations

import pytest
from test_engine_pages import QUERIES, _pages, lake  # noqa: F401 (the fixture)

pytest.importorskip("pyspark", reason="the spark extra: pip install -e \".[spark]\"")

pytestmark = [pytest.mark.spark,
              pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]


def test_spark_pages_show_what_memory_shows(lake, monkeypatch) -> None:  # noqa: F811  # type: ignore[no-untyped-def]
    query = QUERIES[1]  # topics, a date and a country: grouped counts, a grid, joined lists
    memory = _pages("memory", query, monkeypatch, lake)
    spark = _pages("spark", query, monkeypatch, lake)
    for got, want in zip(spark, memory, strict=True):
        assert got == want
    assert memory[0]["charts"] and memory[1]["tables"] and memory[2]["tables"]
