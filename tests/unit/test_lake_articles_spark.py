"""The spark engine (local mode) reads the articles file of a folder as the articles, as
the duckdb engine does (test_lake_articles.py): on one small folder, its reports, counts,
articles page and export are the memory engine's on the same data given as one events
file with its companion. One Spark session serves the process (test_backend_spark.py);
the tests carry the ``spark`` mark."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

pytest.importorskip("pyspark", reason="the spark extra: pip install -e \".[spark]\"")

from test_engine_duckdb import _filters, _varied  # noqa: E402
from test_lake_articles import _same_frame, write_lake  # noqa: E402

from bench import generate  # noqa: E402
from dashboard.choices import build_options  # noqa: E402
from dashboard.cli import main  # noqa: E402
from dashboard.dataset import load_dataset  # noqa: E402
from dashboard.engines.memory_backend import MemoryBackend  # noqa: E402
from dashboard.engines.spark_session import get_session  # noqa: E402
from dashboard.engines.spark_tables import open_source  # noqa: E402
from dashboard.eventindex import EventIndex  # noqa: E402
from dashboard.filters import ArticleLinks  # noqa: E402
from dashboard.taxonomy import topic_keys  # noqa: E402

pytestmark = [pytest.mark.spark,
              pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]

NAMES = ["articles.parquet", "zzz.parquet"]  # two, one named oddly: one table, path order


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from dashboard.engines.spark_backend import SparkBackend

    data, _ = generate.generate(600, seed=8)
    folder = tmp_path_factory.mktemp("lake")
    single, lake = write_lake(folder, _varied(data.events), data.articles, NAMES)
    dataset = load_dataset(single)
    memory = MemoryBackend(dataset, EventIndex.build(dataset.events),
                           ArticleLinks.build(dataset.events, dataset.articles),
                           build_options(dataset.events, dataset.articles, topic_keys()))
    session = get_session({"spark.sql.warehouse.dir": str(folder / "warehouse")})
    spark = SparkBackend(open_source(str(lake), spark=session), label=lake.name)
    return memory, spark, single, lake


def test_the_folders_articles_file_is_its_articles(engines, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    memory, spark, single, lake = engines
    assert [(r.table, r.rows_read, r.accepted, r.rejected_rows) for r in spark.reports()] == [
        (r.table, r.rows_read, r.accepted, r.rejected_rows) for r in memory.reports()]
    events, articles = spark.reports()
    assert articles.file == ", ".join(NAMES)
    assert events.warnings == [f"lake: {', '.join(NAMES)} read as the articles, not as "
                               "events (an article_id column and no event_id column)"]
    assert [f.name for f in spark.article_files] == NAMES
    for spec in ({}, {"outlets": ("Synthetic Wire 3",)}, {"text": "kyiv"}):
        filters = _filters(spec)
        assert spark.headline(filters, None) == memory.headline(filters, None)
        listed, total = spark.articles_page(filters, 0, 50)
        want, want_total = memory.articles_page(filters, 0, 50)
        assert total == want_total > 0
        _same_frame(listed, want)
    out = {}
    for engine, data in (("memory", single), ("spark", lake)):
        out[engine] = tmp_path / f"{engine}.csv"
        assert main(["export", "--engine", engine, "--data", str(data), "--query",
                     "outlet=Synthetic Wire 3", "-o", str(out[engine]), "--articles"]) == 0
    assert out["spark"].read_bytes() == out["memory"].read_bytes()
    assert out["memory"].read_bytes().count(b"\n") > 1
