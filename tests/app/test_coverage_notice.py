"""AppTest: the Overview warns, by month, when the sources behind the events change."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import shown

HEADER = ["event_id", "event_date", "date_precision", "end_date", "topic", "sub_type", "country",
          "countries_involved", "admin1", "location", "latitude", "longitude", "geo_precision",
          "geometry_wkt", "actors", "summary", "fatalities", "verification", "article_ids",
          "source_dataset", "source_category"]
MONTHS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]
EVENTS_PER_MONTH = 60


def write_generated(folder: Path, sources: dict[str, int]) -> Path:
    """A canonical events file and its articles: ``EVENTS_PER_MONTH`` events a month,
    each citing one article; a month's articles come from ``sources[month]`` outlets."""
    events, articles = folder / "generated.csv", folder / "generated_articles.csv"
    with events.open("w", newline="", encoding="utf-8") as event_file, \
            articles.open("w", newline="", encoding="utf-8") as article_file:
        event_rows, article_rows = csv.writer(event_file), csv.writer(article_file)
        event_rows.writerow(HEADER)
        article_rows.writerow(["article_id", "title", "outlet", "url", "published", "language",
                               "summary"])
        for month in MONTHS:
            for i in range(EVENTS_PER_MONTH):
                event_id = f"g-{month}-{i}"
                values = {"event_id": event_id, "event_date": f"{month}-{i % 28 + 1:02d}",
                          "date_precision": "day", "topic": "strike", "country": "UKR",
                          "countries_involved": "UKR", "latitude": "50.45",
                          "longitude": "30.52", "geo_precision": "near",
                          "summary": "Generated event", "verification": "reported",
                          "article_ids": f"{event_id}-a", "source_dataset": "generated"}
                event_rows.writerow([values.get(column, "") for column in HEADER])
                article_rows.writerow([f"{event_id}-a", f"Report {i}",
                                       f"Outlet {i % sources[month]}", "", "", "en", ""])
    return events


@pytest.fixture
def dropping(app, monkeypatch, tmp_path):
    """Sources fall five-fold in 2024-05 (50 outlets → 10), events stay at 60 a month."""
    sources = {month: 50 for month in MONTHS} | {"2024-05": 10, "2024-06": 10}
    monkeypatch.setenv("DASHBOARD_DATA", str(write_generated(tmp_path, sources)))
    return app


def notices(at) -> str:
    return shown(at.warning)


def test_a_drop_in_sources_is_named_by_its_month(dropping):
    at = dropping.run()
    assert not at.exception
    text = notices(at)
    assert "Coverage changed in 2024-05" in text  # next to the headline numbers
    # under the timeline
    assert ("2024-05: coverage changed. The distinct sources behind the events fell from 50 "
            "in the month before to 10") in text
    assert "2024-06" not in text  # 10 → 10: steady again


def test_the_notice_follows_the_filter(dropping):
    dropping.query_params["from"] = "2024-01-01"
    dropping.query_params["to"] = "2024-04-30"
    at = dropping.run()
    assert not at.exception
    assert "coverage" not in notices(at).lower()


def test_a_range_of_the_changed_month_alone_still_warns(dropping):
    """May alone has no month before it in the filter; the notice compares it with April,
    the month the headline's baseline reads from."""
    dropping.query_params["from"] = "2024-05-01"
    dropping.query_params["to"] = "2024-05-31"
    at = dropping.run()
    assert not at.exception
    assert "Coverage changed in 2024-05" in notices(at)


def test_steady_sources_give_no_notice(app, monkeypatch, tmp_path):
    sources = dict.fromkeys(MONTHS, 50)
    monkeypatch.setenv("DASHBOARD_DATA", str(write_generated(tmp_path, sources)))
    at = app.run()
    assert not at.exception
    assert "coverage" not in notices(at).lower()


def test_headline_deltas_read_against_the_average_before(dropping):
    dropping.query_params["from"] = "2024-06-01"
    dropping.query_params["to"] = "2024-06-30"
    at = dropping.run()
    assert not at.exception
    deltas = {m.label: m.delta for m in at.metric}
    # 60 events in June; 4 periods of 30 days before it hold 60 or so each
    assert "little change; average" in deltas["Events"]
    assert "previous 4 periods of the same length, 2024-02-02 to 2024-05-31" in " ".join(
        c.value for c in at.caption)
    # June's own sources are steady, but the May drop lies in the periods it is read against
    assert "Coverage changed in 2024-05" in notices(at)


def test_the_notice_speaks_the_chosen_language(dropping):
    dropping.query_params["lang"] = "uk"
    at = dropping.run()
    assert not at.exception
    text = notices(at)
    assert "Охоплення змінилося в такі місяці: 2024-05." in text
    assert "2024-05: охоплення змінилося. Кількість різних джерел" in text
    assert "з 50 у попередньому місяці до 10" in text
