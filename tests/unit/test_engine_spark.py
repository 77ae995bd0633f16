"""The spark engine (local mode) rejects, selects and writes exactly what the memory engine
does. One Spark session serves the whole module (a JVM start costs seconds); the tests
carry the ``spark`` mark (``-m spark`` selects them) and run in the default command."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

pytest.importorskip("pyspark", reason="the spark extra: pip install -e \".[spark]\"")

from test_engine_duckdb import BAD_ROWS, QUERIES, TYPED_FILES, _filters, _table_of  # noqa: E402

from dashboard.cli import main  # noqa: E402
from dashboard.dataset import load_dataset  # noqa: E402
from dashboard.engines.spark_session import LOCAL_CONFIG, get_session  # noqa: E402
from dashboard.engines.spark_tables import open_source  # noqa: E402
from dashboard.export import BUNDLE, export_events  # noqa: E402
from dashboard.filters import Filters  # noqa: E402

# PySpark 4 warns about pandas 3 on starting; the engine hands data over as Arrow only
pytestmark = [pytest.mark.spark,
              pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The local session, its catalog's tables written under a temporary folder."""
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = get_session({"spark.sql.warehouse.dir": str(warehouse)})
    yield session
    session.stop()


@pytest.fixture(scope="module")
def bad_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "bad.parquet"
    pq.write_table(pa.table(BAD_ROWS), path)
    return path


def test_local_session_stays_on_the_machine(spark) -> None:  # type: ignore[no-untyped-def]
    conf = spark.sparkContext.getConf()
    assert spark.sparkContext.master == "local[2]"
    assert conf.get("spark.ui.enabled") == "false"
    assert conf.get("spark.driver.bindAddress") == "127.0.0.1"
    assert conf.get("spark.jars.packages") is None and conf.get("spark.jars") is None
    assert spark.conf.get("spark.sql.session.timeZone") == "UTC"
    assert LOCAL_CONFIG["spark.driver.host"] == "127.0.0.1"


@pytest.fixture(scope="module")
def bad_source(spark, bad_file: Path):  # type: ignore[no-untyped-def]
    return open_source(str(bad_file), spark=spark)


def test_rejected_rows_and_reasons_match(bad_source, bad_file: Path) -> None:  # type: ignore[no-untyped-def]
    memory = load_dataset(bad_file).reports[0]
    source = bad_source
    lines = {(r["row"], r["column"], r["reason"]) for r in source.problems.collect()}
    expected = {(int(r), c, why) for r, c, why in
                memory.rejected[["row", "column", "reason"]].itertuples(index=False)}
    assert lines == expected
    accepted = source.events.count()
    rejected = source.problems.select("row").distinct().count()
    assert (source.read, accepted, rejected) == (memory.rows_read, memory.accepted,
                                                 memory.rejected_rows)
    assert accepted + rejected == source.read


def test_cli_validate_counts_and_rejects(bad_file: Path, tmp_path: Path, spark,  # type: ignore[no-untyped-def]
                                         capsys: pytest.CaptureFixture[str]) -> None:
    rejects = tmp_path / "rejects.csv"
    assert main(["validate", str(bad_file), "--engine", "spark", "--rejects", str(rejects)]) == 1
    out = capsys.readouterr().out
    memory = load_dataset(bad_file).reports[0]
    assert "spark engine" in out
    assert f"accepted: {memory.accepted:,}  rejected: {memory.rejected_rows:,}" in out
    assert main(["validate", str(bad_file), "--rejects", str(tmp_path / "m.csv")]) == 1
    assert rejects.read_bytes() == (tmp_path / "m.csv").read_bytes()


def test_a_catalog_table_is_checked_too(spark, bad_file: Path, bad_source) -> None:  # type: ignore[no-untyped-def]
    spark.read.parquet(str(bad_file)).write.mode("overwrite").saveAsTable("bad_events")
    from_file = bad_source
    from_table = open_source(None, table="bad_events", spark=spark)
    assert from_table.label == "bad_events"
    assert sorted(from_table.events.select("event_id").toArrow().column(0).to_pylist()) == \
        sorted(from_file.events.select("event_id").toArrow().column(0).to_pylist())
    assert from_table.problems.count() == from_file.problems.count()


@pytest.mark.parametrize(("args", "message"), [
    (["validate", "/nonexistent/x.parquet", "--engine", "spark"], "no Parquet file found"),
    (["validate", "--engine", "spark", "--table", "no_such_table"], "could not be read by Spark"),
    (["validate"], "give the events file"),
])
def test_unreadable_sources_are_one_line(spark, args: list[str], message: str,  # type: ignore[no-untyped-def]
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# -- parity on a generated 100k-event lake -----------------------------------------------------

PARITY_ROWS = 100_000


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """bench/generate.py's events (varied as the duckdb tests vary them) and articles."""
    from test_engine_duckdb import _varied

    from bench import generate

    data, _ = generate.generate(PARITY_ROWS, seed=11)
    folder = tmp_path_factory.mktemp("lake")
    pq.write_table(_varied(data.events), folder / "events.parquet", row_group_size=30_000)
    pq.write_table(data.articles, folder / "events_articles.parquet")
    return folder / "events.parquet"


@pytest.fixture(scope="module")
def engines(lake: Path, spark):  # type: ignore[no-untyped-def]
    from dashboard.engines import duckdb_tables

    articles = str(lake.with_name("events_articles.parquet"))
    return (load_dataset(lake), duckdb_tables.open_source(str(lake), articles=articles),
            open_source(str(lake), articles=articles, spark=spark))


@pytest.mark.parametrize("spec", QUERIES, ids=[str(q) for q in QUERIES])
def test_same_events_and_csv_on_three_engines(engines, spec) -> None:  # type: ignore[no-untyped-def]
    from dashboard.engines import duckdb_query, spark_query

    memory, duck, spark_source = engines
    filters = _filters(spec)
    expected = filters.apply(memory.events, memory.articles)
    frame = spark_query.Selection(spark_source, filters).frame()
    assert list(frame["event_id"]) == list(expected["event_id"])
    assert duckdb_query.Selection(duck, filters).event_ids() == list(expected["event_id"])
    assert export_events(frame, "csv") == export_events(expected, "csv")


def test_every_row_is_counted(engines) -> None:  # type: ignore[no-untyped-def]
    memory, _, spark_source = engines
    report = memory.reports[0]
    assert spark_source.read == report.rows_read == PARITY_ROWS
    assert spark_source.events.count() == report.accepted


def test_choices_match(engines) -> None:  # type: ignore[no-untyped-def]
    from dashboard.engines import duckdb_query, spark_query

    _, duck, spark_source = engines
    assert spark_query.choices(spark_source) == duckdb_query.choices(duck)


def test_area_matches(engines) -> None:  # type: ignore[no-untyped-def]
    from dashboard.boundaries import load_boundaries
    from dashboard.engines import spark_query

    memory, _, spark_source = engines
    areas = load_boundaries()
    filters = Filters(area="Poland")
    expected = filters.apply(memory.events, memory.articles, areas=areas)
    assert len(expected) > 0
    assert spark_query.Selection(spark_source, filters, areas).event_ids() == \
        list(expected["event_id"])


def test_injection_is_a_value(engines) -> None:  # type: ignore[no-untyped-def]
    from dashboard.engines import spark_query

    memory, _, spark_source = engines
    hostile = Filters(text="'; DROP TABLE events; --", actors=("x'); DROP VIEW events; --",))
    assert spark_query.Selection(spark_source, hostile).count() == 0
    assert spark_source.events.count() == memory.reports[0].accepted


#: every download the command line writes: (kind, format, the memory CLI's extra arguments)
DOWNLOADS = [("events", "csv", []), ("events", "parquet", []), ("events", "geojson", []),
             ("events", "xlsx", []), ("articles", "csv", ["--articles"]),
             ("events", BUNDLE, ["--bundle"])]


@pytest.mark.parametrize(("kind", "fmt", "extra"), DOWNLOADS,
                         ids=[f"{k} {f}" for k, f, _ in DOWNLOADS])
def test_export_bytes_match(engines, lake: Path, tmp_path: Path, kind: str, fmt: str,  # type: ignore[no-untyped-def]
                            extra: list[str]) -> None:
    from dashboard.citation import parse_exported
    from dashboard.engines import spark_query

    _, _, spark_source = engines
    query = "country=LTU&topic=camp&q=vilnius"
    exported = "2025-01-01T00:00:00Z"
    ext = "zip" if fmt == BUNDLE else fmt
    memory_file, spark_file = tmp_path / f"memory.{ext}", tmp_path / f"spark.{ext}"
    assert main(["export", "--data", str(lake), "--query", query, "-o", str(memory_file),
                 "--exported", exported, *extra]) == 0
    events, articles = spark_query.export_file(spark_source, query, kind, fmt,
                                               parse_exported(exported), str(spark_file), None)
    assert events > 0 and (articles > 0 or kind == "events" and fmt in ("csv", "parquet"))
    assert spark_file.read_bytes() == memory_file.read_bytes()


def test_cli_export_on_spark(bad_file: Path, tmp_path: Path, spark,  # type: ignore[no-untyped-def]
                             capsys: pytest.CaptureFixture[str]) -> None:
    out, notices = {}, {}
    for engine in ("memory", "spark"):
        out[engine] = tmp_path / f"{engine}.csv"
        assert main(["export", "--engine", engine, "--data", str(bad_file), "--query",
                     "country=POL,XXX&topic=camp", "-o", str(out[engine])]) == 0
        notices[engine] = [line for line in capsys.readouterr().err.splitlines()
                           if line.startswith("notice:")]
    assert out["spark"].read_bytes() == out["memory"].read_bytes()
    assert notices["spark"] == notices["memory"] and notices["memory"]


def test_every_filter_field_has_a_condition() -> None:
    from dashboard.engines import spark_query
    from dashboard.filterfields import FIELDS

    assert {spec.key for spec in FIELDS} == set(spark_query.CONDITIONS)


def test_once_on_one_dataset_drops_nothing(engines) -> None:  # type: ignore[no-untyped-def]
    """One dataset is not linked (spark_links: no slab fetched): once=1 counts every event."""
    from dashboard.engines import spark_query

    memory, _, spark_source = engines
    filters = Filters(once=True, countries=("POL",))
    assert spark_source.links is None
    assert spark_query.Selection(spark_source, filters).event_ids() == \
        list(filters.apply(memory.events, memory.articles)["event_id"])


def test_a_folder_of_files_reads_as_the_duckdb_engine_reads_it(spark, bad_file: Path,  # type: ignore[no-untyped-def]
                                                               tmp_path: Path) -> None:
    from dashboard.engines import duckdb_tables

    table = pq.read_table(bad_file)
    folder = tmp_path / "lake"
    (folder / "deeper").mkdir(parents=True)
    pq.write_table(table.slice(0, 7), folder / "a part+1.parquet")
    pq.write_table(table, folder / "deeper" / "b.parquet")  # its ids repeat the first file's
    duck = duckdb_tables.open_source(str(folder))
    expected = duck.con.execute('SELECT file, row, "column", reason FROM event_problems '
                                'ORDER BY _key, "column"').fetchall()
    source = open_source(str(folder), spark=spark)
    lines = source.problems.orderBy("_key", "column").select("file", "row", "column",
                                                              "reason").collect()
    assert [tuple(line) for line in lines] == [tuple(e) for e in expected]
    assert any(file == "a part+1.parquet" for file, *_ in expected)
    assert source.read == duck.scalar("SELECT count(*) FROM raw_events") == 7 + len(table)


# the server's sizes by file name (``_metadata.file_size``); b.parquet and "a b.parquet"
# hold 4 bytes here
SAME = {"b.parquet": 4, "a b.parquet": 4}


@pytest.mark.parametrize(("uris", "server_sizes", "readable", "unread"), [
    (["file://{here}/b.parquet", "file://{here}/a%20b.parquet"], SAME,
     ["a b.parquet", "b.parquet"], []),
    (["file:{here}/b.parquet"], SAME, ["b.parquet"], []),
    (["file://{here}/gone.parquet"], SAME, [], ["gone.parquet"]),
    (["s3a://bucket/lake/part-0.parquet", "hdfs://nn:8020/lake/part%2B1.parquet"], SAME,
     [], ["part+1.parquet", "part-0.parquet"]),
    (["file://server{here}/b.parquet"], SAME, [], ["b.parquet"]),  # another host's file
    # the server's file at that path is not this machine's: named, never hashed
    (["file://{here}/b.parquet", "file://{here}/a%20b.parquet"],
     {"b.parquet": 4, "a b.parquet": 5_000}, ["b.parquet"], ["a b.parquet"]),
    (["file://{here}/b.parquet"], {}, [], ["b.parquet"]),  # the server named no size
])
def test_a_connect_servers_files_are_hashed_where_this_machine_reads_them(
        tmp_path: Path, uris: list[str], server_sizes: dict[str, int], readable: list[str],
        unread: list[str]) -> None:
    """``DataFrame.inputFiles()`` of a Connect server: a local path this machine reads,
    holding as many bytes as the server's file there, is hashed as local mode hashes it;
    any other file is named, its SHA-256 unknown."""
    from dashboard.engines.spark_tables import server_files

    for name in ("b.parquet", "a b.parquet"):
        (tmp_path / name).write_bytes(b"PAR1")
    sizes = {tmp_path / name: size for name, size in server_sizes.items()}
    found, named = server_files([uri.format(here=tmp_path) for uri in uris], sizes)
    assert ([f.name for f in found], named) == (readable, unread)
    assert all(f.is_file() for f in found)


SPARK_TYPED = ["float32 coordinates", "dates as Warsaw timestamps", "a list holding a null item"]


@pytest.mark.parametrize("case", SPARK_TYPED, ids=SPARK_TYPED)
def test_a_parquet_file_of_other_types_exports_as_on_memory(
        spark, case: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The duckdb engine's typed file shapes (``test_engine_duckdb.TYPED_FILES``) on Spark:
    the same CSV bytes as the memory engine's (each open costs seconds: three of them)."""
    path = tmp_path / "typed.parquet"
    pq.write_table(_table_of(**TYPED_FILES[case]), path)
    out = {}
    for engine in ("memory", "spark"):
        out[engine] = tmp_path / f"{engine}.csv"
        assert main(["export", "--engine", engine, "--data", str(path),
                     "-o", str(out[engine])]) == 0
    assert out["spark"].read_bytes() == out["memory"].read_bytes()


def test_validate_warns_as_on_memory(spark, tmp_path: Path,  # type: ignore[no-untyped-def]
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The memory engine's warnings on Spark too (``spark_cli.event_warnings``): the
    columns no rule reads, and the cited article ids the articles lack (sorted)."""
    import json

    table = _table_of().append_column("Latitdue", pa.array([1.0] * 4))
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    pq.write_table(pa.table({"article_id": ["A1", "A9"]}), tmp_path / "events_articles.parquet")
    warned = {}
    for engine in ("memory", "spark"):
        assert main(["validate", str(path), "--engine", engine, "--json"]) == 0
        warned[engine] = json.loads(capsys.readouterr().out)["warnings"]
    assert len(warned["memory"]) == 2
    assert warned["spark"] == warned["memory"]
