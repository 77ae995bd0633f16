"""The spark engine (local mode) rejects, selects and writes exactly what the memory engine
does. One Spark session serves the whole module (a JVM start costs seconds); the tests
carry the ``spark`` mark (``-m spark`` selects them) and run in the default command."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

pytest.importorskip("pyspark", reason="the spark extra: pip install -e \".[spark]\"")

from test_engine_duckdb import BAD_ROWS  # noqa: E402

from dashboard.cli import main  # noqa: E402
from dashboard.dataset import load_dataset  # noqa: E402
from dashboard.engines.spark_session import LOCAL_CONFIG, get_session  # noqa: E402
from dashboard.engines.spark_tables import open_source  # noqa: E402

pytestmark = pytest.mark.spark


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


def test_rejected_rows_and_reasons_match(spark, bad_file: Path) -> None:  # type: ignore[no-untyped-def]
    memory = load_dataset(bad_file).reports[0]
    source = open_source(str(bad_file), spark=spark)
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


def test_a_catalog_table_is_checked_too(spark, bad_file: Path) -> None:  # type: ignore[no-untyped-def]
    spark.read.parquet(str(bad_file)).write.mode("overwrite").saveAsTable("bad_events")
    from_file = open_source(str(bad_file), spark=spark)
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
