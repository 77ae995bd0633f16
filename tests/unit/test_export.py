"""Exports: every format loads back to the same records; formula cells are neutralised."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from urllib.parse import parse_qs

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dashboard.citation import Citation, DataFile, DataVersion, make_citation
from dashboard.cli import main
from dashboard.dataset import load_bundled, load_dataset
from dashboard.export import (
    BUNDLE,
    build_download,
    export_articles,
    export_events,
    format_for,
    neutralise,
)
from dashboard.filters import Filters
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
            "source_dataset": "=evil.csv" if i == 0 else "acled",
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


@pytest.mark.parametrize("reader", ["pandas", "pyarrow"])
def test_a_parquet_export_reads_back_in_pandas_with_its_lists(reader):
    """The pandas metadata of the written table describes the list columns as lists: as
    text it made ``pandas.read_parquet`` (and ``to_pandas``) of any download fail with
    "Unsupported cast from list<element: string> to large_utf8"."""
    data = export_events(sample_events(), "parquet")
    back = (pd.read_parquet(io.BytesIO(data)) if reader == "pandas"
            else pq.read_table(io.BytesIO(data)).to_pandas())
    expected = sample_events()
    for column in ("actors", "article_ids", "countries_involved"):
        items = [list(v) if v is not None else None for v in back[column]]
        assert items == [v.split("; ") if isinstance(v, str) else [] for v in expected[column]]
    assert back["event_id"].tolist() == expected["event_id"].tolist()


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


EXPORTED = datetime(2025, 5, 1, 12, 0, 0, tzinfo=UTC)
SHA = "ab" * 32


def sample_citation() -> Citation:
    filters, _ = Filters.from_query({"country": "POL"})
    return make_citation(filters, sample_events(), exported=EXPORTED,
                         data_version=[DataVersion("s.csv", (DataFile("s.csv", SHA),))])


def test_csv_stays_a_plain_table():
    assert export_events(sample_events(), "csv", citation=sample_citation()) == \
        export_events(sample_events(), "csv")


def test_geojson_says_what_it_is_in_metadata():
    citation = sample_citation()
    document = json.loads(export_events(sample_events(), "geojson", sample_articles(), citation))
    assert list(document) == ["type", "metadata", "features", "articles"]
    assert document["metadata"] == citation.metadata()
    assert list(document["metadata"]) == ["filter", "language", "query", "exported",
                                          "dashboard_version", "data_version", "sources"]
    assert [s["name"] for s in document["metadata"]["sources"]] == ["=evil.csv", "acled"]
    assert "metadata" not in json.loads(export_events(sample_events(), "geojson"))


def _sheet_rows(book, title: str) -> list[list[object]]:
    return [[c for c in row if c is not None] for row in book[title].iter_rows(values_only=True)]


def test_excel_has_an_about_sheet_with_formulas_neutralised():
    citation = sample_citation()
    book = load_workbook(io.BytesIO(export_events(sample_events(), "xlsx", sample_articles(),
                                                  citation)))
    assert book.sheetnames == ["events", "articles", "About"]
    acled = citation.sources[1]
    assert _sheet_rows(book, "About") == [
        ["field", "value"], ["filter", "Events in Poland"], ["language", "en"],
        ["query", "country=POL"],
        ["exported", "2025-05-01T12:00:00Z"],
        ["dashboard_version", citation.dashboard_version], [],
        ["dataset", "file", "sha256"], ["s.csv", "s.csv", SHA], [],
        ["source", "title", "licence", "citation", "url"],
        ["'=evil.csv", "'=evil.csv", "unknown: check the publisher's terms", "'=evil.csv"],
        ["acled", acled.title, acled.licence, acled.citation, acled.url],
    ]


@pytest.mark.parametrize("citation", [sample_citation(), None])
def test_excel_is_dated_by_the_export_not_the_clock(citation):
    data = export_events(sample_events(), "xlsx", sample_articles(), citation)
    moment = (2025, 5, 1, 12, 0, 0) if citation else (1980, 1, 1, 0, 0, 0)
    stamp = "2025-05-01T12:00:00Z" if citation else "1980-01-01T00:00:00Z"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {entry.date_time for entry in archive.infolist()} == {moment}
        core = archive.read("docProps/core.xml").decode()
    assert core.count(stamp) == 2, core  # created and modified
    assert export_events(sample_events(), "xlsx", sample_articles(), citation) == data


@pytest.mark.parametrize("export", [
    lambda c: export_events(sample_events(), "parquet", citation=c),
    lambda c: export_articles(sample_articles(), "parquet", citation=c),
])
def test_parquet_keeps_the_citation_in_its_key_value_metadata(export):
    citation = sample_citation()
    schema = pq.read_schema(io.BytesIO(export(citation)))
    assert json.loads(schema.metadata[b"citation"]) == citation.metadata()
    assert b"citation" not in (pq.read_schema(io.BytesIO(export(None))).metadata or {})


@pytest.mark.parametrize("fmt", ["csv", "geojson", "xlsx", "parquet"])
def test_cited_exports_load_back_to_the_same_records(fmt):
    events, articles = sample_events(), sample_articles()
    back = load_dataset(export_events(events, fmt, articles, sample_citation()),
                        f"export.{fmt}", topics=TOPICS)
    pd.testing.assert_frame_equal(back.events[EVENT_COLUMNS], events[EVENT_COLUMNS])
    assert back.reports[0].rejected_rows == 0


def test_the_bundle_holds_the_data_readme_and_citation():
    citation = sample_citation()
    filters, _ = Filters.from_query({"country": "POL"})
    events, articles = sample_events(), sample_articles()
    download = build_download("events", events, articles.iloc[::-1], filters, BUNDLE, citation)
    assert (download.file_name, download.mime) == ("citable_POL.zip", "application/zip")
    with zipfile.ZipFile(io.BytesIO(download.data)) as bundle:
        assert bundle.namelist() == ["events_POL.csv", "articles_POL.csv", "README.txt",
                                     "CITATION.cff"]
        assert {entry.date_time for entry in bundle.infolist()} == {(2025, 5, 1, 12, 0, 0)}
        members = {name: bundle.read(name) for name in bundle.namelist()}
    assert members["events_POL.csv"] == export_events(events, "csv")
    assert members["articles_POL.csv"] == export_articles(articles, "csv")  # newest first
    listing = [("events_POL.csv", "the 9 filtered events (UTF-8 CSV, columns as "
                                  "docs/schema.md describes them)"),
               ("articles_POL.csv", "the 2 articles those events cite"),
               ("README.txt", "this file"),
               ("CITATION.cff", "the citation in Citation File Format 1.2.0")]
    assert members["README.txt"].decode() == citation.readme(listing)
    assert members["CITATION.cff"].decode() == citation.cff()


@pytest.mark.parametrize("kind", ["events", "articles"])
def test_embedded_articles_are_newest_first_whatever_order_they_come_in(kind):
    filters = Filters()
    document = json.loads(build_download(kind, sample_events(), sample_articles().iloc[::-1],
                                         filters, "geojson", sample_citation()).data)
    expected = ["a0", "a1"] if kind == "events" else ["a1", "a0"]  # an article list is as given
    assert [a["article_id"] for a in document["articles"]] == expected


QUERIES = ["", "country=POL&topic=border_zone"]


@pytest.mark.parametrize("query", QUERIES)
def test_every_app_download_is_the_cli_export_of_its_query(tmp_path, monkeypatch, query):
    """The app's six buttons and ``export`` give the same bytes for the same query and
    export time (with no filter every article is embedded, in an order unlike the file's)."""
    from dashboard.ui import downloads
    from dashboard.ui.data import Active

    monkeypatch.setattr(downloads, "now", lambda: EXPORTED)
    data = Active("bundled", "the bundled dataset", load_bundled())
    filters, _ = Filters.from_query(parse_qs(query))
    extra = {"download_articles": ["--articles"], "download_bundle": ["--bundle"]}
    buttons = downloads.buttons(data, filters)
    assert [b.key for b in buttons] == ["download_csv", "download_geojson", "download_xlsx",
                                        "download_parquet", "download_bundle",
                                        "download_articles"]
    for button in buttons:
        out = tmp_path / button.file_name
        assert main(["export", "--query", query, "--exported", "2025-05-01T12:00:00Z",
                     "-o", str(out), *extra.get(button.key, [])]) == 0
        assert out.read_bytes() == button.build(), button.key


@pytest.mark.parametrize(("args", "message"), [
    (["--bundle", "-o", "out.csv"], "--bundle writes a zip: name the output OUT.zip"),
    (["--bundle", "--articles", "-o", "out.zip"], "--bundle holds the events and the articles"),
    (["--exported", "soon", "-o", "out.csv"], "--exported 'soon' is not an ISO 8601 time"),
])
def test_export_refuses_what_it_cannot_write(tmp_path, capsys, args, message):
    assert main(["export", *args[:-1], str(tmp_path / args[-1])]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / args[-1]).exists()
