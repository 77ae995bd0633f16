"""The duckdb engine selects, rejects and writes exactly what the memory engine does."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from bench import generate
from dashboard.cli import main
from dashboard.dataset import load_dataset
from dashboard.engines import duckdb_query
from dashboard.engines.duckdb_tables import open_source
from dashboard.export import export_events
from dashboard.filters import Filters

ROWS = 20_000


def _varied(events: pa.Table) -> pa.Table:
    """The generated events with what generate.py lacks: ongoing zones, odd case and
    spaces, countries involved in lower case, a formula-like summary."""
    n = events.num_rows
    rng = np.random.default_rng(3)
    pick = rng.random(n)
    dated = pc.is_valid(events["event_date"]).to_numpy(zero_copy_only=False)
    end = pc.if_else(pa.array((pick < 0.03) & dated), "ongoing", events["end_date"])
    end = pc.if_else(pa.array((pick >= 0.03) & (pick < 0.04) & dated), "Ongoing ", end)
    topic = pc.if_else(pa.array(pick > 0.97), pc.utf8_upper(events["topic"]), events["topic"])
    summary = pc.if_else(pa.array((pick > 0.5) & (pick < 0.51)),
                         pc.binary_join_element_wise("=", events["summary"], ""),
                         events["summary"])
    country = pc.if_else(pa.array((pick > 0.6) & (pick < 0.62)),
                         pc.binary_join_element_wise("  ", pc.utf8_lower(events["country"]), ""),
                         events["country"])
    for name, values in (("end_date", end), ("topic", topic), ("summary", summary),
                         ("country", country)):
        events = events.set_column(events.column_names.index(name), name, values)
    return events


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One synthetic Parquet file and its companion articles, written once per session."""
    data, _ = generate.generate(ROWS, seed=11)
    folder = tmp_path_factory.mktemp("lake")
    pq.write_table(_varied(data.events), folder / "events.parquet", row_group_size=7_000)
    pq.write_table(data.articles, folder / "events_articles.parquet")
    return folder / "events.parquet"


@pytest.fixture(scope="module")
def engines(lake: Path):  # type: ignore[no-untyped-def]
    memory = load_dataset(lake)
    source = open_source(str(lake), articles=str(lake.with_name("events_articles.parquet")))
    return memory, source


# Every query key, combinations, empty results, undated events, lists, ongoing zones, boxes.
QUERIES = [
    {}, {"country": ("POL",)}, {"country": ("BLR", "LTU")}, {"country": ("SYR",)},
    {"topics": ("camp",)}, {"topics": ("camp", "strike")}, {"topics": ("nosuch",)},
    {"actors": ("Synthetic Actor 007",)},
    {"actors": ("Synthetic Actor 001", "Synthetic Actor 399")},
    {"verifications": ("confirmed",)}, {"verifications": ("alleged", "disputed")},
    {"outlets": ("Synthetic Wire 3",)}, {"outlets": ("Synthetic Wire 3", "Synthetic Wire 40")},
    {"text": "warsaw"}, {"text": "KYIV"}, {"text": "report 12"}, {"text": "event 1:"},
    {"text": "a.b*c"}, {"text": "'; DROP TABLE events; --"},
    {"date_from": dt.date(2023, 1, 1)}, {"date_to": dt.date(2021, 3, 1)},
    {"date_from": dt.date(2022, 5, 1), "date_to": dt.date(2022, 5, 31)},
    {"date_from": dt.date(2022, 5, 1), "date_to": dt.date(2022, 5, 31), "include_undated": False},
    {"include_undated": False}, {"date_from": dt.date(2030, 1, 1)},
    {"date_from": dt.date(2024, 2, 29), "date_to": dt.date(2024, 2, 29)},
    {"datasets": ("synthetic",)}, {"datasets": ("other",)}, {"precise": True},
    {"bbox": (20.0, 50.0, 25.0, 55.0)}, {"bbox": (30.0, 49.0, 31.0, 51.0), "precise": True},
    {"bbox": (-10.0, -10.0, -5.0, -5.0)},
    {"countries": ("UKR",), "topics": ("border_zone",), "date_from": dt.date(2024, 1, 1)},
    {"countries": ("POL",), "text": "Warsaw", "verifications": ("reported",),
     "actors": ("Synthetic Actor 100",)},
    {"outlets": ("Synthetic Wire 7",), "text": "synthetic", "bbox": (10.0, 40.0, 40.0, 60.0)},
]


def _filters(spec: dict) -> Filters:  # type: ignore[type-arg]
    spec = dict(spec)
    if "country" in spec:
        spec["countries"] = spec.pop("country")
    return Filters(**spec)


@pytest.mark.parametrize("spec", QUERIES, ids=[str(q) for q in QUERIES])
def test_same_events_and_csv_bytes(engines, spec) -> None:  # type: ignore[no-untyped-def]
    memory, source = engines
    filters = _filters(spec)
    expected = filters.apply(memory.events, memory.articles)
    selection = duckdb_query.Selection(source, filters)
    assert selection.event_ids() == list(expected["event_id"])
    sink = io.BytesIO()
    duckdb_query.write_csv(selection, sink)
    assert sink.getvalue() == export_events(expected, "csv")


def test_queries_cover_ongoing_undated_and_empty(engines) -> None:  # type: ignore[no-untyped-def]
    memory, _ = engines
    counts = [len(_filters(q).apply(memory.events, memory.articles)) for q in QUERIES]
    assert 0 in counts and len(QUERIES) >= 30
    events = memory.events
    assert (events["end_date"] == "ongoing").sum() > 100
    assert events["date_min"].isna().sum() > 100


def test_area_in_python_matches(engines) -> None:  # type: ignore[no-untyped-def]
    from dashboard.boundaries import load_boundaries

    memory, source = engines
    areas = load_boundaries()
    filters = Filters(area="Poland")
    expected = filters.apply(memory.events, memory.articles, areas=areas)
    assert len(expected) > 0
    assert duckdb_query.Selection(source, filters, areas).event_ids() == list(expected["event_id"])


def test_injection_is_a_value(engines) -> None:  # type: ignore[no-untyped-def]
    _, source = engines
    hostile = Filters(text="'; DROP TABLE _iso3; --", actors=("x'); DROP VIEW events; --",))
    assert duckdb_query.Selection(source, hostile).count() == 0
    assert source.scalar("SELECT count(*) FROM events") == ROWS


BAD_ROWS = {
    "event_id": ["A1", "A1", None, "A4", "A5", "A6", "A7", "A8", "A9", "A10", "A11", "A12"],
    "event_date": ["2024-01-05", "2024-01-06", "2024-01-07", "2024-02-30", "2024-03",
                   "2024-03-01", None, "2024-05-01 10:00:00", "2024", "2024-01-01", "2024-01-01",
                   "2024-06-01"],
    "date_precision": ["day", None, None, None, "day", "WEEK", "day", None, None, None, None, None],
    "end_date": [None, None, None, None, None, None, None, None, "2023-01", "ongoing", None,
                 "soon"],
    "topic": ["camp", "camp", "camp", "camp", "camp", "nope", "camp", " Strike", "camp", None,
              "camp", "camp"],
    "country": ["POL", "POL", "POL", "POL", "POL", "POL", "XXY", "pol", "POL", "POL", "POL",
                "POL"],
    "countries_involved": ["POL; LTU", None, None, None, None, None, None, "pol;ltu;pol", None,
                           None, "POL; QQQ", None],
    "latitude": ["52.1", "91", "52", "x", None, "52", "52", "52,5", "52", "52", "52", "52"],
    "longitude": ["21", "21", None, "21", None, "21", "21", "21", "21", "21", "21", "21"],
    "geometry_wkt": [None, None, None, None, None, "POLYGON ((1 1, 2 2", None, None, None, None,
                     None, "POINT (500 1)"],
    "fatalities": ["1", "-1", None, "2.5", None, None, None, "3", None, None, None, None],
    "verification": ["confirmed", "confirmed", "rumour", "confirmed", "confirmed", "confirmed",
                     None, "Reported", "confirmed", "confirmed", "confirmed", "confirmed"],
    "summary": ["s"] * 12,
}


def test_rejected_rows_and_reasons_match(tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table(BAD_ROWS), path)
    memory = load_dataset(path).reports[0]
    source = open_source(str(path))
    lines = source.con.execute('SELECT row, "column", reason FROM event_problems').fetchall()
    expected = {(int(r), c, why) for r, c, why in
                memory.rejected[["row", "column", "reason"]].itertuples(index=False)}
    assert set(lines) == expected
    read = source.scalar("SELECT count(*) FROM raw_events")
    accepted = source.scalar("SELECT count(*) FROM events")
    rejected = source.scalar("SELECT count(DISTINCT row) FROM event_problems")
    assert (read, accepted, rejected) == (memory.rows_read, memory.accepted, memory.rejected_rows)
    assert accepted + rejected == read
    kept = duckdb_query.Selection(source, Filters())
    assert kept.frame().equals(load_dataset(path).events[kept.frame().columns].reset_index(
        drop=True))


#: every download the command line writes: the events in four formats, their articles, the
#: citable bundle (output extension, extra arguments)
CLI_DOWNLOADS = [("csv", []), ("parquet", []), ("geojson", []), ("xlsx", []),
                 ("csv", ["--articles"]), ("zip", ["--bundle"])]


@pytest.mark.parametrize(("ext", "extra"), CLI_DOWNLOADS, ids=[" ".join([e, *x]) for e, x in
                                                               CLI_DOWNLOADS])
def test_cli_export_bytes_match(lake: Path, tmp_path: Path, ext: str, extra: list[str],
                                capsys: pytest.CaptureFixture[str]) -> None:
    query = "country=LTU&topic=camp&q=vilnius"
    files, said = {}, {}
    for engine in ("memory", "duckdb"):
        files[engine] = tmp_path / f"{engine}.{ext}"
        code = main(["export", "--engine", engine, "--data", str(lake), "--query", query,
                     "-o", str(files[engine]), "--exported", "2025-01-01T00:00:00Z", *extra])
        assert code == 0
        said[engine] = capsys.readouterr().err.split(" to ")[0]
    assert files["duckdb"].read_bytes() == files["memory"].read_bytes()
    assert said["duckdb"] == said["memory"] and said["memory"].startswith("wrote ")
    assert parse_qs(query)


def test_a_second_cli_export_reads_the_copy_the_app_keeps(
        lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The first ``export --engine duckdb`` checks every row into the validated copy (the
    one the app opens for the same files); the second reads it back and checks none, with
    the same bytes and the same "wrote" line."""
    from dashboard.engines import duckdb_backend

    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "store"))
    validated: list[Path] = []  # the folders rows were checked into (the real function runs)
    check = duckdb_backend.validate_to
    monkeypatch.setattr(duckdb_backend, "validate_to", lambda source, target: (
        validated.append(target.folder), check(source, target))[1])
    runs = []
    for run in ("first", "second"):
        output = tmp_path / f"{run}.parquet"
        assert main(["export", "--engine", "duckdb", "--data", str(lake), "--query",
                     "country=POL&topic=camp", "-o", str(output),
                     "--exported", "2025-01-01T00:00:00Z"]) == 0
        runs.append((output.read_bytes(), capsys.readouterr().err.replace(str(output), "OUT")))
        if run == "first":
            copy = duckdb_backend.Validated(validated[0])
            written = copy.database.stat().st_mtime_ns
    assert len(validated) == 1 and copy.complete()
    assert copy.database.stat().st_mtime_ns == written
    assert runs[0] == runs[1] and runs[0][1].startswith("wrote ")
    app = duckdb_backend.open_validated(str(lake), articles=str(
        lake.with_name("events_articles.parquet")))  # as ui.data opens the launch data
    assert app.target.folder == copy.folder and len(validated) == 1


@pytest.mark.parametrize(("args", "code"), [
    (["validate", "--engine", "duckdb"], 0),
    (["validate", "--engine", "duckdb", "--json"], 0),
    (["export", "--engine", "duckdb", "--bundle", "-o", "x.zip"], 0),
    (["export", "--engine", "duckdb", "--bundle", "-o", "x.csv"], 2),  # a bundle is a zip
])
def test_cli_exit_codes(lake: Path, tmp_path: Path, args: list[str], code: int) -> None:
    if args[0] == "validate":
        args = [args[0], str(lake), *args[1:]]
    else:
        args = [*args[:-1], str(tmp_path / args[-1]), "--data", str(lake)]
    assert main(args) == code


def test_cli_validate_counts_rejects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table(BAD_ROWS), path)
    rejects = tmp_path / "rejects.csv"
    assert main(["validate", str(path), "--engine", "duckdb", "--rejects", str(rejects)]) == 1
    out = capsys.readouterr().out
    memory = load_dataset(path).reports[0]
    assert f"accepted: {memory.accepted:,}  rejected: {memory.rejected_rows:,}" in out
    assert main(["validate", str(path), "--rejects", str(tmp_path / "m.csv")]) == 1
    assert rejects.read_bytes() == (tmp_path / "m.csv").read_bytes()


def test_glob_and_duckdb_table(lake: Path, tmp_path: Path) -> None:
    import duckdb

    whole = duckdb_query.Selection(open_source(str(lake)), Filters(countries=("EST",)))
    expected = whole.event_ids()
    db = tmp_path / "db.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE events AS SELECT * FROM read_parquet(?)", [str(lake)])
    table = open_source(str(db), table="events")
    assert duckdb_query.Selection(table, Filters(countries=("EST",))).event_ids() == expected
    globbed = open_source(str(lake.parent / "events.parq*"))
    assert duckdb_query.Selection(globbed, Filters(countries=("EST",))).event_ids() == expected


_TYPED_BASE = {
    "event_id": ["E1", "E2", "E3", "E4"],
    "event_date": ["2024-03-01", "2024-03-02", None, "2023-12-31"],
    "topic": ["camp"] * 4, "country": ["POL"] * 4,
    "countries_involved": [["POL", "LTU"], ["POL"], None, ["BLR"]],
    "latitude": [52.4, 51.05, None, 53.9], "longitude": [23.9, 24.7, None, 27.56],
    "actors": [["Actor A", "Actor B"], None, ["Actor C"], []],
    "fatalities": [0, None, 3, None], "verification": ["reported"] * 4,
    "article_ids": [["A1"], ["A1", "A2"], None, ["A3"]],
}
_LIST = pa.list_(pa.string())
_TYPED_TYPES: dict[str, pa.DataType] = {
    "countries_involved": _LIST, "actors": _LIST, "article_ids": _LIST,
    "latitude": pa.float64(), "longitude": pa.float64(), "fatalities": pa.int64()}
_MIDNIGHTS = [dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 2), None, dt.datetime(2023, 12, 31)]
#: a canonical Parquet file as other writers write it: column -> (Arrow type, its values)
TYPED_FILES: dict[str, dict[str, tuple[pa.DataType, list[object]]]] = {
    "float32 coordinates": {"latitude": (pa.float32(), [52.4, 51.05, None, 53.9]),
                            "longitude": (pa.float32(), [23.9, 24.7, None, 27.56])},
    "dates as date32": {"event_date": (pa.date32(), [d and d.date() for d in _MIDNIGHTS])},
    "dates as timestamps": {"event_date": (pa.timestamp("ms"), _MIDNIGHTS)},
    "dates as UTC timestamps": {"event_date": (pa.timestamp("us", tz="UTC"), [
        d and d.replace(tzinfo=dt.UTC) for d in _MIDNIGHTS])},
    "dates as Warsaw timestamps": {"event_date": (pa.timestamp("us", tz="Europe/Warsaw"), [
        d and d.replace(tzinfo=dt.UTC) for d in _MIDNIGHTS])},
    "fatalities as int8 with nulls": {"fatalities": (pa.int8(), [0, None, 3, None])},
    "text as large_string and dictionary": {
        "topic": (pa.large_string(), ["camp"] * 4),
        "verification": (pa.dictionary(pa.int32(), pa.string()), ["reported"] * 4)},
    "lists as large lists": {"actors": (pa.large_list(pa.large_string()),
                                        [["Actor A", "Actor B"], None, ["Actor C"], []])},
    "a list holding a null item": {
        "actors": (_LIST, [["Actor A", None], None, [None], []]),
        "article_ids": (_LIST, [["A1", None], ["A1", "A2"], None, ["A3"]])},
}


@pytest.mark.parametrize("case", list(TYPED_FILES), ids=list(TYPED_FILES))
def test_a_parquet_file_of_other_types_reads_as_on_memory(
        case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What the memory engine accepts from such a file, duckdb accepts the same way: the
    same validation report and the same CSV bytes, and no list item is lost."""
    columns = {name: pa.array(values, _TYPED_TYPES.get(name, pa.string()))
               for name, values in _TYPED_BASE.items()}
    for name, (kind, values) in TYPED_FILES[case].items():
        columns[name] = pa.array(values, kind)
    path = tmp_path / "typed.parquet"
    pq.write_table(pa.table(columns), path)
    reports, written = {}, {}
    for engine in ("memory", "duckdb"):
        assert main(["validate", str(path), "--engine", engine, "--json"]) == 0
        reports[engine] = {key: value for key, value in
                           json.loads(capsys.readouterr().out).items()
                           if key in ("read", "accepted", "rejected", "reasons")}
        written[engine] = tmp_path / f"{engine}.csv"
        assert main(["export", "--engine", engine, "--data", str(path),
                     "-o", str(written[engine])]) == 0
    assert reports["duckdb"] == reports["memory"] == {
        "read": 4, "accepted": 4, "rejected": 0, "reasons": []}
    assert written["duckdb"].read_bytes() == written["memory"].read_bytes()
    events = load_dataset(path).events.set_index("event_id")
    assert events.loc["E1", "latitude"] == 52.4
    if case == "a list holding a null item":
        assert events.loc["E1", "actors"] == "Actor A"
        assert events.loc["E1", "article_ids"] == "A1"


def _table_of(**changed: tuple[pa.DataType, list[object]]) -> pa.Table:
    columns = {name: pa.array(values, _TYPED_TYPES.get(name, pa.string()))
               for name, values in _TYPED_BASE.items()}
    for name, (kind, values) in changed.items():
        columns[name] = pa.array(values, kind)
    return pa.table(columns)


@pytest.mark.parametrize("command", [["validate", "{lake}"], ["validate", "{lake}", "--json"],
                                     ["export", "--data", "{lake}", "-o", "{out}"]])
def test_a_folder_duckdb_cannot_read_together_is_one_message(
        command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Files of one folder holding a column as a list in one and as text in another: DuckDB
    cannot read them as one table, and says so in one line naming the file and the column
    (exit 2), on the command line and to the app, not with a traceback."""
    from dashboard.engines.duckdb_backend import open_validated
    from dashboard.readers import LoadError

    lake = tmp_path / "lake"
    lake.mkdir()
    pq.write_table(_table_of(), lake / "a.parquet")
    pq.write_table(_table_of(countries_involved=(pa.string(), ["POL; LTU", "POL", None, "BLR"])),
                   lake / "b.parquet")
    args = [part.format(lake=lake, out=tmp_path / "out.csv") for part in command]
    assert main([*args, "--engine", "duckdb"]) == 2
    said = capsys.readouterr().err
    assert said.startswith("error: ") and said.count("\n") == 1, said
    assert "b.parquet" in said and "countries_involved" in said and "Traceback" not in said
    with pytest.raises(LoadError, match="b.parquet"):
        open_validated(str(lake), cache_dir=tmp_path / "store")


@pytest.mark.parametrize(("data", "named"), [("{lake}", True), ("{lake}/*.parquet", True),
                                             ("{lake}/b.parquet", False)])
def test_a_rejected_line_of_a_folder_names_its_file(
        data: str, named: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``validate`` of a folder or glob: "row 2" alone does not say which file holds it, so
    each first rejected line names its file (a single file's lines need not)."""
    lake = tmp_path / "lake"
    lake.mkdir()
    pq.write_table(_table_of(), lake / "a.parquet")
    pq.write_table(_table_of(topic=(pa.string(), ["camp", "nope", "camp", "camp"]),
                             event_id=(pa.string(), ["F1", "F2", "F3", "F4"])),
                   lake / "b.parquet")
    path = data.format(lake=lake)
    assert main(["validate", path, "--engine", "duckdb"]) == 1
    line = "row 2, topic: unknown topic 'nope' (see data/topics.csv)"
    assert f"\n    {'b.parquet, ' if named else ''}{line}\n" in capsys.readouterr().out
    assert main(["validate", path, "--engine", "duckdb", "--json"]) == 1
    first = json.loads(capsys.readouterr().out)["first_rejected"]
    assert [(r["file"], r["row"]) for r in first] == [("b.parquet", 2)]


def test_a_repeated_id_names_the_file_it_was_first_seen_in(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rows are numbered within each file, so "first seen at row 2" of a folder says which
    file when it is another; the reason counts still take both as one kind."""
    lake = tmp_path / "lake"
    lake.mkdir()
    pq.write_table(_table_of(), lake / "a.parquet")
    pq.write_table(_table_of(event_id=(pa.string(), ["F1", "E2", "F1", "F4"])),
                   lake / "b.parquet")
    assert main(["validate", str(lake), "--engine", "duckdb", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert [(r["file"], r["row"], r["reason"]) for r in report["first_rejected"]] == [
        ("b.parquet", 2, "duplicate event_id 'E2' (first seen at row 2 of a.parquet)"),
        ("b.parquet", 3, "duplicate event_id 'F1' (first seen at row 1)")]
    assert [(r["reason"], r["count"]) for r in report["reasons"]] == [
        ("duplicate event_id '…' (first seen earlier)", 2)]
    from dashboard.i18n import translator
    from dashboard.reasons import said_reason

    assert said_reason(report["first_rejected"][0]["reason"], translator("pl")) == (
        "powtórzony event_id 'E2' (pierwszy raz w wierszu 2 pliku a.parquet)")


ODD_ARTICLES_CSV = (
    "article_id,title,outlet,url,published,language,summary\n"
    'A1,"A title, with a comma",Outlet A,https://example.org/a,2024-03-01,en,s\n'
    "A2,T2,,javascript:x,2024-13,pl,\n"
    "A2,a repeated id,,,,,\n"
    " ,no id,,,,,\n")


def test_articles_given_as_csv_are_checked_as_on_memory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--articles x.csv`` (the README: Parquet or CSV): the same report and rejected
    lines as the memory engine's, and ``export --articles-data x.csv`` uses them."""
    events, articles = tmp_path / "events.parquet", tmp_path / "articles.csv"
    pq.write_table(_table_of(), events)
    articles.write_text(ODD_ARTICLES_CSV, encoding="utf-8")
    said = {}
    for engine in ("memory", "duckdb"):
        assert main(["validate", str(events), "--articles", str(articles), "--engine", engine,
                     "--rejects", str(tmp_path / f"{engine}.csv"), "--json"]) == 1
        tables = json.loads(capsys.readouterr().out)["tables"]
        said[engine] = [{key: t[key] for key in ("read", "accepted", "rejected", "reasons")}
                        for t in tables]
    assert said["duckdb"] == said["memory"] and said["memory"][1]["accepted"] == 1
    assert (tmp_path / "duckdb.csv").read_bytes() == (tmp_path / "memory.csv").read_bytes()
    assert main(["export", "--engine", "duckdb", "--data", str(events), "--articles-data",
                 str(articles), "--query", "outlet=Outlet A", "--articles",
                 "-o", str(tmp_path / "out.csv")]) == 0
    assert capsys.readouterr().err.startswith("wrote 1 articles to")


@pytest.mark.parametrize("articles", [False, True], ids=["without articles", "with articles"])
def test_validate_warns_as_on_memory(articles: bool, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The memory engine's warnings: a column no rule reads (a misspelled ``Latitdue`` is
    named, not silently left empty) and the cited article ids the articles lack."""
    table = _table_of().append_column("Latitdue", pa.array([1.0] * 4)) \
        .append_column("my note", pa.array(["x"] * 4))
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    if articles:
        pq.write_table(pa.table({"article_id": ["A1", "A9"]}),
                       tmp_path / "events_articles.parquet")
    warned = {}
    for engine in ("memory", "duckdb"):
        assert main(["validate", str(path), "--engine", engine, "--json"]) == 0
        warned[engine] = json.loads(capsys.readouterr().out)["warnings"]
    assert warned["duckdb"] == warned["memory"]
    assert warned["memory"][0] == ("events.parquet: ignored columns not in the schema: "
                                   "Latitdue, my note")
    assert f"events cite {2 if articles else 3} article id(s)" in warned["memory"][1]
    assert main(["validate", str(path), "--engine", "duckdb"]) == 0  # and in words
    said = capsys.readouterr().out
    assert all(f"  warning: {warning}\n" in said for warning in warned["memory"])
