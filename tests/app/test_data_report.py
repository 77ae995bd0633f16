"""AppTest of the Data page's validation report: merged rows get a figure of their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import check_file, page, shown

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
APP_FIXTURE = Path(__file__).with_name("fixtures") / "events.csv"


@pytest.mark.parametrize(
    ("fixture", "figures"),
    [
        ("acled_monadic.csv", {"Rows read": "3", "Accepted": "2", "Merged": "1",
                               "Rejected": "0"}),
        ("acled_dyadic.csv", {"Rows read": "5", "Accepted": "4", "Rejected": "1"}),
    ],
)
def test_report_shows_merged_rows_apart_from_rejected(app, monkeypatch, fixture, figures):
    monkeypatch.setenv("DASHBOARD_DATA", str(APP_FIXTURE))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(FIXTURES))
    at = app.run()
    at.switch_page(page("data")).run()
    check_file(at, FIXTURES / fixture)
    assert not at.exception
    events_figures = {m.label: m.value for m in at.metric[:len(figures)]}
    assert events_figures == figures


def test_report_sentence_in_the_sessions_language(app, monkeypatch):
    """In ``lang=uk`` the load report's sentence is Ukrainian; the CLI keeps it English."""
    monkeypatch.setenv("DASHBOARD_DATA", str(APP_FIXTURE))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(FIXTURES))
    app.query_params["lang"] = "uk"
    at = app.run()
    at.switch_page(page("data")).run()
    check_file(at, FIXTURES / "acled_monadic.csv")
    assert not at.exception
    sentences = [text.value for text in at.text]
    assert ("acled_monadic.csv (acled): прочитано 3 рядки подій, прийнято 2, 1 рядок "
            "учасника об’єднано з його подією, відхилено 0.") in sentences


def test_rejection_reasons_in_the_sessions_language(app, monkeypatch, tmp_path):
    """In ``lang=uk`` the reason counts are Ukrainian; the rejected-rows CSV keeps English."""
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id,event_date,topic,verification\n"
                   "e1,2024-03-15,strike,reported\ne2,2024-13-40,strike,reported\n",
                   encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA", str(APP_FIXTURE))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    app.query_params["lang"] = "uk"
    at = app.run()
    at.switch_page(page("data")).run()
    check_file(at, bad)
    assert not at.exception
    counts = at.dataframe[0].value  # the first: the checked file's reason counts
    assert list(counts.columns) == ["стовпець", "причина", "кількість"]
    assert counts.iloc[0].tolist() == [
        "event_date", "неправильна дата '…' (очікується YYYY-MM-DD, YYYY-MM або YYYY)", 1]


@pytest.mark.parametrize(
    ("content", "ukrainian"),
    [
        (b"", "bad.csv: файл порожній"),
        (b"event_id,topic,event_id\ne1,strike,e2\n",
         "bad.csv: заголовок називає стовпець 'event_id' стільки разів: 2 (стовпці 1 і 3); "
         "перейменуйте або вилучіть усі, крім одного (стовпець 'event_id')"),
        (b"\x00\x01\x02\x03" * 64, "bad.csv: двійкові дані в непідтримуваному форматі"),
        (b'{"events": [', "bad.csv: некоректний JSON: "),  # the parser's own words stay English
    ],
)
def test_load_error_in_the_sessions_language(app, monkeypatch, tmp_path, content, ukrainian):
    """In ``lang=uk`` a file that cannot be used is refused in Ukrainian."""
    (tmp_path / "bad.csv").write_bytes(content)
    monkeypatch.setenv("DASHBOARD_DATA", str(APP_FIXTURE))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    app.query_params["lang"] = "uk"
    at = app.run()
    at.switch_page(page("data")).run()
    check_file(at, tmp_path / "bad.csv")
    assert not at.exception
    assert ukrainian in shown(at.error)
