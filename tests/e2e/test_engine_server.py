"""The server launched with ``--engine duckdb`` (here ``DASHBOARD_ENGINE``) on a Parquet
file draws the Overview from the data left on disk: the same headline as a server on the
memory engine, and its charts and map."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from playwright.sync_api import expect

from bench import generate

pytestmark = pytest.mark.e2e

ROWS = 4_000


def test_the_overview_draws_on_the_duckdb_engine(app_page_on, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    data, _ = generate.generate(ROWS, seed=8)
    path = tmp_path / "lake.parquet"
    pq.write_table(data.events, path)
    pq.write_table(data.articles, tmp_path / "lake_articles.parquet")
    headlines = {}
    for engine in ("memory", "duckdb"):
        monkeypatch.setenv("DASHBOARD_ENGINE", engine)
        app = app_page_on(path).open("/?country=POL&topic=border_zone,camp")
        page = app.page
        app.assert_no_exception()
        expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
        expect(page.locator(".st-key-map_chart canvas").first).to_be_visible()
        headlines[engine] = page.locator(".st-key-headline").inner_text()
    assert headlines["duckdb"] == headlines["memory"]
    assert "Events" in headlines["memory"]
    assert "served by the duckdb engine" in app.server.log()
