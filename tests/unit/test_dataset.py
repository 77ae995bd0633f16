"""load_dataset / load_bundled / combine: companion articles, reports, nothing lost."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard.dataset import LoadReport, combine, companion_articles, load_bundled, load_dataset
from dashboard.filters import ArticleLinks
from dashboard.importers import detect_format, import_file
from dashboard.readers import LoadError
from dashboard.schema import ARTICLE_COLUMNS, DERIVED_COLUMNS, EVENT_COLUMNS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TOPICS = ["strike", "border_zone", "other"]
EVENTS = (
    "event_id,event_date,topic,verification,article_ids,summary\n"
    "e1,2024-01-05,strike,reported,a1,ok\n"
    "e2,2024-13-01,strike,reported,a1,bad date\n"
    "e3,2024,border_zone,alleged,a9,cites a missing article\n"
)
ARTICLES = "article_id,title,url\na1,Title,https://example.org/1\na2,Bad,ftp://x\n"


def test_companion_articles_file(tmp_path):
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "events_articles.csv").write_text(ARTICLES, encoding="utf-8")
    assert companion_articles(tmp_path / "events.csv") == tmp_path / "events_articles.csv"
    data = load_dataset(tmp_path / "events.csv", topics=TOPICS)
    events_report, articles_report = data.reports
    assert (events_report.rows_read, events_report.accepted, events_report.rejected_rows) == (
        3, 2, 1)
    assert events_report.summary() == (
        "events.csv (canonical): 3 event rows read, 2 accepted, 1 rejected. 1 warning.")
    assert "a9" in events_report.warnings[0]
    assert (articles_report.file, articles_report.accepted, articles_report.rejected_rows) == (
        "events_articles.csv", 1, 1)
    assert data.articles["article_id"].tolist() == ["a1"]
    assert list(data.events.columns) == EVENT_COLUMNS + DERIVED_COLUMNS
    assert list(data.articles.columns) == ARTICLE_COLUMNS


def test_plain_articles_file_beside_and_explicit_argument(tmp_path):
    (tmp_path / "mine.csv").write_text(EVENTS, encoding="utf-8")
    (tmp_path / "articles.csv").write_text(ARTICLES, encoding="utf-8")
    assert load_dataset(tmp_path / "mine.csv", topics=TOPICS).reports[1].file == "articles.csv"
    other = tmp_path / "other.csv"
    other.write_text("article_id,title\na9,Found\n", encoding="utf-8")
    data = load_dataset(tmp_path / "mine.csv", articles=other, topics=TOPICS)
    assert data.articles["article_id"].tolist() == ["a9"]
    assert not any("a9" in w for w in data.warnings)


def test_json_with_embedded_articles():
    document = {"events": [{"event_id": "e1", "topic": "strike", "verification": "reported",
                            "article_ids": ["a1"]}],
                "articles": [{"article_id": "a1", "title": "T"}]}
    data = load_dataset(json.dumps(document).encode(), "d.json", topics=TOPICS)
    assert data.events["article_ids"].tolist() == ["a1"]
    assert data.articles["title"].tolist() == ["T"]


def test_an_embedded_article_holding_a_nul_is_rejected_and_counted():
    document = {"events": [{"event_id": "e1", "topic": "strike", "verification": "reported",
                            "article_ids": ["a1"]}],
                "articles": [{"article_id": "a1", "title": "T"},
                             {"article_id": "a2", "title": "bad\u0000byte"}]}
    data = load_dataset(json.dumps(document).encode(), "d.json", topics=TOPICS)
    report = next(r for r in data.reports if r.table == "articles")
    assert (report.rows_read, report.accepted, report.rejected_rows) == (2, 1, 1)
    assert report.rejected[["row", "column"]].values.tolist() == [[2, "title"]]
    assert data.articles["article_id"].tolist() == ["a1"]


def test_reason_counts_and_rejected_csv():
    data = load_dataset(EVENTS.encode(), "e.csv", topics=TOPICS)
    report = data.reports[0]
    counts = report.reason_counts()
    assert counts.iloc[0].tolist() == [
        "event_date", "bad date '…' (expected YYYY-MM-DD, YYYY-MM or YYYY)", 1]
    text = report.rejected_csv().decode("utf-8-sig")
    assert text.splitlines()[0] == '"file","table","row","column","value","reason"'
    assert '"e.csv","events",2,"event_date","2024-13-01"' in text


def test_ragged_rows_are_rejected_not_lost():
    data = load_dataset(b"event_id,topic,verification\ne1,strike,reported\ne2,strike,x,extra\n",
                        "r.csv", topics=TOPICS)
    report = data.reports[0]
    assert (report.rows_read, report.accepted, report.rejected_rows) == (2, 1, 1)
    assert report.rejected["reason"].tolist() == ["row has 4 fields but the header has 3"]


def test_unrecognised_columns_is_one_load_error():
    with pytest.raises(LoadError, match="format not recognised from its columns"):
        load_dataset(b"foo,bar\n1,2\n", "odd.csv")


def test_detect_format_canonical():
    imported = import_file(EVENTS.encode(), "e.csv")
    assert imported.format == "canonical"
    assert detect_format(imported.events, "e.csv") == "canonical"
    assert imported.rows_read == 3


def test_unknown_forced_format():
    with pytest.raises(LoadError, match="unknown format 'nope'"):
        import_file(EVENTS.encode(), "e.csv", fmt="nope")


def test_combine_rejects_clashing_ids_with_a_reason():
    base = load_dataset(EVENTS.encode(), "base.csv", topics=TOPICS)
    extra_text = ("event_id,topic,verification,article_ids\n"
                  "x1,strike,reported,\ne1,strike,confirmed,\n")
    extra = load_dataset(extra_text.encode(), "extra.csv", topics=TOPICS)
    both = combine(base, extra)
    assert both.events["event_id"].tolist() == ["e1", "e3", "x1"]
    report = both.reports[-1]
    assert (report.rows_read, report.accepted, report.rejected_rows) == (2, 1, 1)
    assert report.rejected[["row", "reason"]].values.tolist() == [
        [2, "duplicate event_id 'e1' (already in the loaded data)"]]
    assert extra.reports[0].accepted == 2  # the input dataset is not modified
    assert both.events["latitude"].dtype == "float64"
    for frame in (both.events, both.articles):  # one chunk per column, as loads give them
        for name in frame.columns:
            chunked = getattr(frame[name].array, "_pa_array", None)
            assert chunked is None or chunked.num_chunks <= 1, name  # 0 when no rows


def test_bundled_data_loads_without_rejects():
    data = load_bundled()
    assert len(data.events) > 0 and len(data.articles) > 0
    assert all(r.rejected_rows == 0 for r in data.reports)
    assert all(r.accepted + r.merged + r.rejected_rows == r.rows_read for r in data.reports)
    cited = set(data.events["article_ids"].str.split("; ").explode().dropna())
    assert cited <= set(data.articles["article_id"])


def test_upload_like_object():
    class Upload:
        name = "upload.csv"

        def getvalue(self) -> bytes:
            return EVENTS.encode()

    data = load_dataset(Upload(), topics=TOPICS)
    assert data.reports[0].file == "upload.csv"
    assert isinstance(data.events, pd.DataFrame)


def test_viina_labels_give_topics_and_keep_the_licence():
    without = load_dataset(FIXTURES / "viina_event_info.csv")
    assert set(without.events["topic"].astype("str")) == {"other"}
    dataset = load_dataset(FIXTURES / "viina_event_info.csv",
                           labels=FIXTURES / "viina_event_labels.csv")
    topics = dict(zip(dataset.events["event_id"], dataset.events["topic"].astype("str"),
                      strict=True))
    assert topics == {"viina:2024080500001": "strike", "viina:2024080500002": "armed_clash"}
    assert set(dataset.events["source_dataset"].astype("str")) == {"viina (ODbL 1.0)"}
    report = dataset.reports[0]
    assert (report.rows_read, report.accepted, report.rejected_rows) == (3, 2, 1)
    assert any("gave labels for 2 of 3" in w for w in report.warnings)


def test_progress_covers_read_convert_and_validate():
    seen: list[float] = []
    load_dataset(FIXTURES / "acled_dyadic.csv", progress=seen.append)
    from dashboard.dataset import EVENTS_SHARE, IMPORT_SHARE
    from dashboard.importers import READ_SHARE

    read_end = IMPORT_SHARE * READ_SHARE
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert any(0 < s < read_end for s in seen)  # while reading
    assert any(read_end < s < IMPORT_SHARE for s in seen)  # ACLED's conversion steps
    assert EVENTS_SHARE in seen  # events validated, articles next


@pytest.mark.parametrize("kind", ["xlsx", "parquet", "json"])
def test_progress_reaches_one_for_other_file_kinds(tmp_path, kind):
    from dashboard.export import export_events

    events = load_dataset(FIXTURES / "acled_dyadic.csv").events
    path = tmp_path / f"events.{kind}"
    if kind == "json":
        path.write_text(events.astype("str").to_json(orient="records"), encoding="utf-8")
    else:
        path.write_bytes(export_events(events, kind))
    seen: list[float] = []
    dataset = load_dataset(path, progress=seen.append)
    assert len(dataset.events) == len(events)
    assert seen == sorted(seen) and seen[-1] == 1.0 and len(set(seen)) >= 3


def test_non_utf8_file_names_the_encoding_in_the_report():
    dataset = load_dataset(FIXTURES / "ucdp_ged_cp1252.csv")
    # cp1250 reads this file alike, but the name given is the Western European code page
    assert any("not UTF-8: decoded as cp1252" in w for w in dataset.reports[0].warnings)


MONADIC_HEADER = "event_id_cnty,event_date,event_type,sub_event_type,actor1,country,source\n"
MONADIC_ROW = "{id},{date},Protests,Peaceful protest,{actor},Poland,Test outlet\n"


def _monadic(*rows: tuple[str, str, str]) -> bytes:
    lines = [MONADIC_ROW.format(id=i, date=d, actor=a) for i, d, a in rows]
    return (MONADIC_HEADER + "".join(lines)).encode()


@pytest.mark.parametrize(
    ("source", "counts"),  # counts: rows read, accepted, merged, rejected
    [
        (FIXTURES / "acled_monadic.csv", (3, 2, 1, 0)),
        (_monadic(("T1", "2024-01-05", "A"), ("T1", "2024-01-05", "B"),
                  ("T1", "2024-01-05", "C"), ("T2", "2024-01-06", "A")), (4, 2, 2, 0)),
        # the event's own row is rejected: its merged rows stay merged, the reason is on it
        (_monadic(("T1", "2024-13-05", "A"), ("T1", "2024-13-05", "B"),
                  ("T2", "2024-01-06", "A")), (3, 1, 1, 1)),
        (_monadic(("", "2024-01-05", "A"), ("T2", "2024-01-06", "A"),
                  ("T2", "2024-01-06", "B")), (3, 1, 1, 1)),
        (FIXTURES / "acled_dyadic.csv", (5, 4, 0, 1)),
        (FIXTURES / "ucdp_ged_cp1252.csv", (3, 3, 0, 0)),
    ],
)
def test_merged_rows_are_counted_apart_and_the_counts_add_up(source, counts):
    report = load_dataset(source, None if isinstance(source, Path) else "monadic.csv",
                          ).reports[0]
    assert (report.rows_read, report.accepted, report.merged, report.rejected_rows) == counts
    assert report.accepted + report.merged + report.rejected_rows == report.rows_read
    assert report.ok is (report.rejected_rows == 0)
    assert "merged" not in " ".join(report.rejected["reason"])


@pytest.mark.parametrize(
    ("merged", "kind", "sentence"),
    [
        (0, "actor", "f.csv (acled): 5 event rows read, 5 accepted, 0 rejected."),
        (1, "actor", "f.csv (acled): 5 event rows read, 4 accepted, "
                     "1 actor row merged into its event, 0 rejected."),
        (1652, "actor", "f.csv (acled): 5 event rows read, 4 accepted, "
                        "1,652 actor rows merged into their events, 0 rejected."),
        (2, "", "f.csv (acled): 5 event rows read, 4 accepted, "
                "2 rows merged into their events, 0 rejected."),
    ],
)
def test_summary_says_how_many_rows_were_merged(merged, kind, sentence):
    report = LoadReport("f.csv", "acled", 5, 5 if not merged else 4, 0,
                        pd.DataFrame(), merged=merged, merged_kind=kind)
    assert report.summary() == sentence


def test_combine_keeps_the_merged_count_in_the_sum():
    base = load_dataset(FIXTURES / "acled_monadic.csv")
    again = combine(base, load_dataset(FIXTURES / "acled_monadic.csv"))
    report = next(r for r in again.reports[len(base.reports):] if r.table == "events")
    assert (report.rows_read, report.accepted, report.merged, report.rejected_rows) == (3, 0, 1, 2)


def test_an_unexpected_error_in_an_importer_becomes_a_load_error(monkeypatch, caplog):
    """The last guard: a bug in an importer or in validation is a clear message naming
    the file (exit code 2 in the CLI), the traceback only in the log."""
    from dashboard import dataset as dataset_module
    from dashboard.readers import LoadError

    def broken(raw, file, **kwargs):
        raise TypeError("an importer's bug")

    monkeypatch.setattr(dataset_module, "validate_events", broken)
    with pytest.raises(LoadError, match=r"^events\.csv: could not be read: TypeError$"):
        dataset_module.load_dataset(b"event_id,event_date\ne1,2024-01-01\n", "events.csv",
                                    fmt="canonical")
    assert "an importer's bug" in caplog.text


def test_article_rows_the_reader_cannot_read_are_rejected_and_counted():
    """A NUL byte in an articles file rejects that row only, as in an events file."""
    events = (b"event_id,event_date,country,topic,summary,verification,article_ids\n"
              b"e1,2024-01-01,POL,strike,x,reported,a1; a3\n")
    articles = b"article_id,title\na1,Fine\na2,Broken\x00cell\na3,Also fine\n"
    dataset = load_dataset(events, "e.csv", articles=articles, fmt="canonical")
    report = dataset.reports[1]
    assert (report.rows_read, report.accepted, report.rejected_rows) == (3, 2, 1)
    assert report.rejected[["table", "row", "column"]].values.tolist() == [
        ["articles", 2, "title"]]
    assert list(dataset.articles["article_id"]) == ["a1", "a3"]


EMBEDDED = json.dumps({"events": [{"event_id": "e1", "topic": "strike", "verification": "reported",
                                   "article_ids": ["a1", "a7"]}],
                       "articles": [{"article_id": "a1", "title": "Embedded"}]})
ARTICLE_SOURCES = [
    # (events file, its text, companion beside it or None, explicit articles or None,
    #  the articles report's file, accepted article ids, the ids warned of)
    ("events.csv", EVENTS, ("events_articles.csv", ARTICLES), None,
     "events_articles.csv", ["a1"], ["a9"]),
    ("events.csv", EVENTS, ("articles.csv", ARTICLES), ("other.csv", "article_id\na9\n"),
     "other.csv", ["a9"], ["a1"]),
    ("events.csv", EVENTS, None, ("other.csv", ARTICLES), "other.csv", ["a1"], ["a9"]),
    # the file's own articles win; the companion, read ahead, is dropped with its error
    ("d.json", EMBEDDED, ("d_articles.json", "not json"), None, "d.json", ["a1"], ["a7"]),
    ("events.csv", EVENTS, None, None, None, [], ["a1", "a9"]),
]


@pytest.mark.parametrize(("name", "text", "companion", "explicit", "report_file", "kept",
                          "warned"), ARTICLE_SOURCES)
def test_the_articles_come_from_the_same_file_as_before_and_the_links_with_them(
        tmp_path, name, text, companion, explicit, report_file, kept, warned):
    """The articles are read on a thread while the events are validated: the same file
    is chosen, and the load hands on the links it works out for the check of cited ids."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    if companion:
        (tmp_path / companion[0]).write_text(companion[1], encoding="utf-8")
    articles = None
    if explicit:
        articles = tmp_path / explicit[0]
        articles.write_text(explicit[1], encoding="utf-8")
    data = load_dataset(tmp_path / name, articles=articles, topics=TOPICS)
    assert data.articles["article_id"].tolist() == kept
    assert [r.file for r in data.reports if r.table == "articles"] == (
        [report_file] if report_file else [])
    warning = next((w for w in data.reports[0].warnings if "not in the articles" in w), "")
    assert warning == (f"{name}: events cite {len(warned)} article id(s) not in the articles "
                       f"table ({', '.join(warned)}); the events are kept")
    built = ArticleLinks.build(data.events, data.articles)
    assert data.links is not None
    assert data.links.event_rows.tolist() == built.event_rows.tolist()
    assert data.links.article_rows.tolist() == built.article_rows.tolist()


@pytest.mark.parametrize(("events", "articles", "message"), [
    (EVENTS, "title\nNo id\n", r"^bad\.csv: an articles file needs an 'article_id' column$"),
    ("nothing,here\n1,2\n", "title\nNo id\n", r"^events\.csv: "),  # the events' error first
])
def test_an_articles_file_read_ahead_fails_where_it_failed_before(tmp_path, events, articles,
                                                                  message):
    (tmp_path / "events.csv").write_text(events, encoding="utf-8")
    (tmp_path / "bad.csv").write_text(articles, encoding="utf-8")
    with pytest.raises(LoadError, match=message):
        load_dataset(tmp_path / "events.csv", articles=tmp_path / "bad.csv", topics=TOPICS)
