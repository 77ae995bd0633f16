"""Exports: every format loads back to the same records; formula cells are neutralised."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dashboard.dataset import load_dataset
from dashboard.export import export_articles, export_events, format_for, neutralise
from dashboard.schema import ARTICLE_COLUMNS, EVENT_COLUMNS
from dashboard.validate import validate_articles, validate_events

TOPICS = ["strike", "border_zone", "other"]
TRICKY = [
    '=HYPERLINK("http://evil.example","click"), with "quotes"',
    "-5 km north of Białowieża",
    "Гродно; line one\nline two, with comma",
    "+48 22 000",
    "@mention",
    "\tstarts with tab",
    "'=already quoted",
    "plain text",
    "carriage\rreturn and literal _x000D_ text",
]


def sample_events() -> pd.DataFrame:
    rows = []
    for i, text in enumerate(TRICKY):
        rows.append({
            "event_id": f"e{i}", "event_date": ["2024-03-15", "2024-03", "2023", None][i % 4],
            "topic": "strike", "verification": "reported", "summary": text,
            "location": text if i % 2 else None, "country": "POL",
            "countries_involved": "POL; BLR", "actors": "Straż Graniczna; Лукашенко",
            "latitude": "52.1" if i % 3 else None, "longitude": "-23.5" if i % 3 else None,
            "geometry_wkt": "LINESTRING (23 52, 24 53)" if i == 3 else None,
            "fatalities": str(i) if i % 2 else None, "article_ids": f"a{i}; a{i + 1}",
            "source_category": "=cmd|' /C calc'!A0" if i == 0 else None,
        })
    events, rejected = validate_events(pd.DataFrame(rows).astype("str"), "s.csv", topics=TOPICS)
    assert rejected.empty
    return events


def sample_articles() -> pd.DataFrame:
    raw = pd.DataFrame({"article_id": ["a0", "a1"], "title": ["=1+1", "Заголовок, „cytat”"],
                        "url": ["https://example.org/a?b=1", None],
                        "published": ["2024-03", None]}).astype("str")
    articles, _ = validate_articles(raw, "a.csv")
    return articles


@pytest.mark.parametrize("fmt", ["csv", "geojson", "xlsx", "parquet"])
def test_round_trip_every_format(fmt):
    events, articles = sample_events(), sample_articles()
    data = export_events(events, fmt, articles=articles)
    back = load_dataset(data, f"export.{fmt}", topics=TOPICS)
    pd.testing.assert_frame_equal(back.events[EVENT_COLUMNS], events[EVENT_COLUMNS])
    assert back.reports[0].rejected_rows == 0
    if fmt in ("geojson", "xlsx"):
        pd.testing.assert_frame_equal(back.articles, articles)


def test_parquet_keeps_statistics_for_dates_places_and_topics_not_free_text():
    """Readers skip row groups by min/max of a date, a country or a topic; statistics of
    summaries and ids skip nothing and cost a fifth of the write."""
    import pyarrow.parquet as pq

    data = export_events(sample_events(), "parquet")
    group = pq.ParquetFile(io.BytesIO(data)).metadata.row_group(0)
    has_statistics = {group.column(i).path_in_schema: group.column(i).is_stats_set
                      for i in range(group.num_columns)}
    for column in ("event_date", "country", "topic", "latitude", "fatalities"):
        assert has_statistics[column], column
    for column in ("event_id", "summary", "location", "actors.list.element"):
        assert not has_statistics[column], column


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_articles_round_trip(fmt, tmp_path):
    articles = sample_articles()
    path = tmp_path / f"articles.{fmt}"
    path.write_bytes(export_articles(articles, fmt))
    events_path = tmp_path / "events.csv"
    events_path.write_bytes(export_events(sample_events().iloc[:0], "csv"))
    back = load_dataset(events_path, articles=path, topics=TOPICS)
    pd.testing.assert_frame_equal(back.articles, articles)


def test_csv_cells_are_neutralised():
    text = export_events(sample_events(), "csv").decode("utf-8-sig")
    assert "\"'=HYPERLINK(" in text
    assert "\"'-5 km" in text
    assert "\"''=already quoted\"" in text
    assert ",-23.5," in text  # numbers are numbers, not neutralised text


def test_excel_cells_are_text_not_formulas():
    book = load_workbook(io.BytesIO(export_events(sample_events(), "xlsx")))
    sheet = book["events"]
    header = [c.value for c in sheet[1]]
    summary = header.index("summary") + 1
    assert sheet.cell(row=2, column=summary).value.startswith("'=HYPERLINK")
    assert sheet.cell(row=2, column=summary).data_type == "s"


def test_geojson_shapes_and_arrays():
    document = json.loads(export_events(sample_events(), "geojson", articles=sample_articles()))
    features = document["features"]
    assert features[1]["geometry"] == {"type": "Point", "coordinates": [-23.5, 52.1]}
    assert features[3]["geometry"]["type"] == "LineString"
    assert features[0]["geometry"] is None
    assert features[0]["properties"]["actors"] == ["Straż Graniczna", "Лукашенко"]
    assert [a["article_id"] for a in document["articles"]] == ["a0", "a1"]


def test_neutralise_rule():
    values = pd.Series(["=a", "'=a", "''+b", "'x", "x=y", None, "\rz"], dtype="str")
    assert neutralise(values).tolist()[:5] == ["'=a", "''=a", "'''+b", "'x", "x=y"]
    assert neutralise(values).tolist()[6] == "'\rz"


def test_format_for_names_the_problem():
    assert format_for("out/events.GeoJSON") == "geojson"
    with pytest.raises(ValueError, match=r"cannot export to '\.txt'"):
        format_for("events.txt")


def test_excel_row_limit_is_a_clear_error(monkeypatch):
    import dashboard.export as export

    monkeypatch.setattr(export, "EXCEL_MAX_ROWS", 3)
    with pytest.raises(ValueError, match="Excel holds at most 3 rows"):
        export_events(sample_events(), "xlsx")


TEXT = st.text(alphabet=st.sampled_from(list("aZ ;,\"'=+-@\t\n\rłЖ0")), max_size=15)


@settings(max_examples=15, deadline=None)
@given(summaries=st.lists(TEXT, min_size=1, max_size=6), fmt=st.sampled_from(
    ["csv", "geojson", "xlsx", "parquet"]))
def test_round_trip_property(summaries, fmt):
    raw = pd.DataFrame({"event_id": [f"e{i}" for i in range(len(summaries))],
                        "topic": "strike", "verification": "reported",
                        "summary": summaries, "location": summaries}).astype("str")
    events, _ = validate_events(raw, "p.csv", topics=TOPICS)
    back = load_dataset(export_events(events, fmt), f"p.{fmt}", topics=TOPICS)
    pd.testing.assert_frame_equal(back.events[EVENT_COLUMNS], events[EVENT_COLUMNS])


def test_article_columns_fixed():
    assert list(sample_articles().columns) == ARTICLE_COLUMNS
