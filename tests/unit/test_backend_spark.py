"""Every backend operation gives the same answer through ``memory``, ``duckdb`` and ``spark``.

On one small generated Parquet file (``bench/generate.py``, varied as the duckdb export
tests vary it), a table of queries (every key, combinations, an empty result, undated
events, list fields) goes through what the pages ask: headline, counts, timeline, map
points and grid cells, a page of events, the article list, a pick, one event with its
neighbours, the monthly sources and the downloads' bytes. One Spark session serves the
module (a JVM start costs seconds): a local one, or with ``SPARK_REMOTE`` set the Spark
Connect client of that server (test_spark_connect.py); the tests carry the ``spark`` mark.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

pytest.importorskip("pyspark", reason="the spark extra: pip install -e \".[spark]\"")

from test_engine_duckdb import _filters, _varied  # noqa: E402

from bench import generate  # noqa: E402
from dashboard.choices import build_options  # noqa: E402
from dashboard.dataset import load_dataset  # noqa: E402
from dashboard.engines.backend import Backend  # noqa: E402
from dashboard.engines.duckdb_backend import open_validated  # noqa: E402
from dashboard.engines.memory_backend import MemoryBackend  # noqa: E402
from dashboard.engines.spark_session import get_session  # noqa: E402
from dashboard.engines.spark_tables import open_source  # noqa: E402
from dashboard.eventindex import EventIndex  # noqa: E402
from dashboard.filters import ArticleLinks, Filters  # noqa: E402
from dashboard.taxonomy import topic_keys  # noqa: E402
from dashboard.timeframe import Frame  # noqa: E402

pytestmark = [pytest.mark.spark,
              pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas")]

ROWS = 2_500
QUERIES = [
    {}, {"country": ("BLR", "LTU"), "topics": ("camp", "strike")}, {"topics": ("nosuch",)},
    {"actors": ("Synthetic Actor 007",)}, {"verifications": ("alleged", "disputed")},
    {"outlets": ("Synthetic Wire 3",)}, {"text": "KYIV"},
    {"date_from": dt.date(2022, 5, 1), "date_to": dt.date(2022, 5, 31),
     "include_undated": False},
    {"datasets": ("synthetic",)}, {"precise": True, "bbox": (20.0, 50.0, 25.0, 55.0)},
]
#: the map's and the lists' queries: the point map, the grid, and the cited articles' joins
MAP_QUERIES = [QUERIES[i] for i in (0, 1, 2, 5, 6, 9)]
FRAMES = [None, Frame(dt.date(2023, 6, 30), "month")]


@pytest.fixture(scope="module")
def engines(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """memory, duckdb and spark backends over one generated file and its articles."""
    from dashboard.engines.spark_backend import SparkBackend

    data, _ = generate.generate(ROWS, seed=5)
    folder = tmp_path_factory.mktemp("lake")
    path, articles = folder / "events.parquet", folder / "events_articles.parquet"
    pq.write_table(_varied(data.events), path, row_group_size=1_000)
    pq.write_table(data.articles, articles)
    dataset = load_dataset(path)
    memory = MemoryBackend(dataset, EventIndex.build(dataset.events),
                           ArticleLinks.build(dataset.events, dataset.articles),
                           build_options(dataset.events, dataset.articles, topic_keys()))
    duck = open_validated(str(path), articles=str(articles), cache_dir=folder / "cache")
    session = get_session({"spark.sql.warehouse.dir": str(folder / "warehouse")})
    spark = SparkBackend(open_source(str(path), articles=str(articles), spark=session),
                         label=path.name)
    return memory, duck, spark


def _same_frame(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True),
                                  check_dtype=False, check_exact=False, rtol=1e-9)


def _same(answers: list, compare=None) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Each engine's answer against the memory engine's."""
    want, *others = answers
    for got in others:
        if compare is None:
            assert got == want
        else:
            compare(got, want)


def test_the_session_is_the_kind_spark_remote_asks(engines) -> None:  # type: ignore[no-untyped-def]
    """A Spark Connect client when ``SPARK_REMOTE`` is set (test_spark_connect.py runs this
    module so), a local session otherwise."""
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    session = engines[2].spark_source.spark
    assert isinstance(session, ConnectSession) == bool(os.environ.get("SPARK_REMOTE"))


def test_all_three_are_backends_with_the_same_choices(engines) -> None:  # type: ignore[no-untyped-def]
    assert all(isinstance(b, Backend) for b in engines)
    assert engines[2].engine == "spark"
    _same([b.options() for b in engines])


@pytest.mark.parametrize("spec", QUERIES, ids=[str(q) for q in QUERIES])
def test_numbers_counts_and_timeline(engines, spec) -> None:  # type: ignore[no-untyped-def]
    filters = _filters(spec)
    for frame in FRAMES:
        _same([b.headline(filters, frame) for b in engines])
        _same([b.unplaced(filters, frame) for b in engines])
        _same([b.country_level(filters, frame) for b in engines])
        _same([b.by_country_topic(filters, frame) for b in engines], _same_frame)
        _same([b.by_country(filters, frame) for b in engines], _same_frame)
        _same([b.verification_mix(filters, frame) for b in engines], _same_frame)
    _same([b.day_span(filters) for b in engines])
    for unit in (None, "month"):
        timelines = [b.timeline(filters, unit) for b in engines]
        _same([used for _, used in timelines])
        _same([bins for bins, _ in timelines], _same_frame)
    _same([b.monthly_sources(filters).sort_values(["dataset", "month"]) for b in engines],
          _same_frame)


@pytest.mark.parametrize("spec", MAP_QUERIES, ids=[str(q) for q in MAP_QUERIES])
def test_map_and_pages(engines, spec) -> None:  # type: ignore[no-untyped-def]
    filters = _filters(spec)
    _same([b.map_extent(filters) for b in engines])
    for limit in (5000, 300):
        answers = [b.map_points(filters, limit=limit) for b in engines]
        _same([binned for _, binned in answers])
        _same([points for points, _ in answers], _same_frame)
    _same([b.map_shapes(filters) for b in engines])
    for offset in (0, 60):
        pages = [b.events_page(filters, offset, 30) for b in engines]
        _same([total for _, total in pages])
        _same([page for page, _ in pages], _same_frame)
        lists = [b.articles_page(filters, offset, 30) for b in engines]
        _same([total for _, total in lists])
        _same([listed for listed, _ in lists], _same_frame)


@pytest.fixture(scope="module")
def shared_points(engines, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """memory and spark backends over events that share points, some on the fixture
    units' border (``test_backend_parity._rounded``), in the module's session."""
    from test_backend_parity import _rounded

    from dashboard.engines.spark_backend import SparkBackend

    data, _ = generate.generate(ROWS, seed=6)
    path = tmp_path_factory.mktemp("rounded") / "events.parquet"
    pq.write_table(_rounded(_varied(data.events)), path)
    dataset = load_dataset(path)
    memory = MemoryBackend(dataset, EventIndex.build(dataset.events),
                           ArticleLinks.build(dataset.events, dataset.articles),
                           build_options(dataset.events, dataset.articles, topic_keys()))
    spark = SparkBackend(open_source(str(path), spark=engines[2].spark_source.spark),
                         label=path.name)
    return memory, spark


@pytest.mark.parametrize("boundaries", [None, TESTS.parent / "app" / "fixtures" /
                                        "areas.geojson"], ids=["countries", "fixture-units"])
def test_counts_by_area(engines, shared_points, boundaries) -> None:  # type: ignore[no-untyped-def]
    from dashboard.boundaries import load_boundaries

    areas = load_boundaries(boundaries)
    for spec in MAP_QUERIES[:3]:
        for frame in FRAMES:
            _same([b.by_area(_filters(spec), frame, areas) for b in engines], _same_frame)
    for frame in FRAMES:
        _same([b.by_area(Filters(), frame, areas) for b in shared_points], _same_frame)
    assert shared_points[0].by_area(Filters(), None, areas)["events"].sum() > 0


def test_picks_events_and_neighbours(engines) -> None:  # type: ignore[no-untyped-def]
    memory = engines[0]
    filters = Filters(countries=("POL",))
    ids = list(memory.events_page(filters, 0, 7)[0]["event_id"])
    for frame in FRAMES:
        _same([b.picked(filters, frame, ids=ids) for b in engines],
              lambda got, want: (_same_frame(got[0], want[0]), _same([want[1], got[1]])))
    cells, binned = memory.map_points(Filters(), limit=300)
    assert binned
    heat = [b.heat_cells(Filters()) for b in engines]
    _same(heat, _same_frame)
    for lat, lon in heat[0][["latitude", "longitude"]].head(3).itertuples(index=False):
        picks = [b.picked(Filters(), None, cell=(lat, lon), limit=20) for b in engines]
        assert picks[0][1] > 0
        _same([n for _, n in picks])
        _same([p for p, _ in picks], _same_frame)
    _same([b.picked(Filters(), None, cell=(0.123, 0.456))[1] for b in engines])
    lists = [b.articles_page(filters, 0, 50, event_ids=ids) for b in engines]
    assert lists[0][1] > 0
    _same([n for _, n in lists])
    _same([listed for listed, _ in lists], _same_frame)
    for event_id in [*ids[:3], "no-such-event"]:
        rows = [b.event(event_id) for b in engines]
        _same([row is None for row in rows])
        if rows[0] is not None:
            for row in rows[1:]:
                pd.testing.assert_series_equal(row, rows[0], check_dtype=False,
                                               check_names=False)
            _same([b.selects(filters, event_id) for b in engines])
            _same([b.selects(Filters(countries=("LTU",)), event_id) for b in engines])
        near = [b.nearby(event_id) for b in engines]
        _same([n for _, n in near])
        _same([frame for frame, _ in near], _same_frame)
        co = [b.co_reported(event_id) for b in engines]
        _same([n for _, n in co])
        _same([frame for frame, _ in co], _same_frame)
    wanted = list(memory.articles_page(filters, 0, 5)[0]["article_id"])
    _same([b.articles_by_id(wanted).sort_values("article_id") for b in engines], _same_frame)


@pytest.mark.parametrize("fmt", ["csv", "geojson", "xlsx", "parquet", "bundle"])
@pytest.mark.parametrize("spec", [{"country": ("POL",), "topics": ("camp",)},
                                  {"date_from": dt.date(2030, 1, 1)}], ids=str)
def test_downloads_are_the_same_bytes(engines, spec, fmt) -> None:  # type: ignore[no-untyped-def]
    filters = _filters(spec)
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    for kind in (["events", "articles"] if fmt == "csv" else ["events"]):
        files = [b.download(kind, filters, fmt, [], {}, moment) for b in engines]
        _same([(f.file_name, f.data) for f in files])


def test_the_citation_names_every_file_with_its_sha256(engines) -> None:  # type: ignore[no-untyped-def]
    """What a download's citation and the About page name: each file read, hashed here
    (on a Connect server too: the files are on this machine), as the duckdb engine does."""
    from dashboard.citation import files_version
    from dashboard.engines.spark_query import data_files_version

    _, duck, spark = engines
    want = files_version(duck.label, [*duck.files, *duck.article_files])
    exported = data_files_version(spark.spark_source)  # what export --engine spark cites
    shown = files_version(spark.label, [*spark.files, *spark.article_files],
                          unread=spark.unread_files)  # what ui/downloads.data_version cites
    assert exported == want
    assert shown == want
    assert all(file.sha256 for file in want.files) and len(want.files) == 2


def test_report_counts_add_up(engines) -> None:  # type: ignore[no-untyped-def]
    memory, duck, spark = engines
    for got, want in zip(spark.reports(), memory.reports(), strict=True):
        assert (got.rows_read, got.accepted, got.rejected_rows) == (
            want.rows_read, want.accepted, want.rejected_rows)
        assert got.accepted + got.rejected_rows == got.rows_read


def test_an_area_filter_is_tested_once_and_matches(engines) -> None:  # type: ignore[no-untyped-def]
    from dashboard.boundaries import load_boundaries

    memory, duck, spark = engines
    asked: list[int] = []

    def areas():  # type: ignore[no-untyped-def]
        asked.append(1)
        return load_boundaries()

    memory._areas = areas  # the app gives the memory engine its boundaries on building it
    duck.with_areas(areas), spark.with_areas(areas)
    filters = Filters(area="Poland")
    _same([b.headline(filters) for b in engines])
    pages = [b.events_page(filters, 0, 20) for b in engines]
    _same([total for _, total in pages])
    assert pages[0][1] > 0
    _same([page for page, _ in pages], _same_frame)
    asked.clear()
    spark.by_country(filters), spark.map_points(filters), spark.timeline(filters)
    assert asked == []  # the selection's plan is kept: the boundaries are not asked again


# -- events linked across datasets -------------------------------------------------------------

LINKED_ROWS = 500
#: linkable events per slab while the linked fixture opens: many slabs, cut through links
TINY_SLAB = 30


@pytest.fixture(scope="module")
def linked(engines, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """memory, duckdb and spark backends over ``crowded_events.crowded`` (three datasets
    crowded so that many events link), spark in the module's session, its links found in
    slabs of ``TINY_SLAB`` events (``spark_links.ROWS_PER_SLAB``); the memory links and
    the file's path beside them."""
    from crowded_events import crowded

    from dashboard.engines import spark_links
    from dashboard.engines.spark_backend import SparkBackend
    from dashboard.linking import find_links

    path = tmp_path_factory.mktemp("linked") / "events.parquet"
    pq.write_table(crowded(LINKED_ROWS, seed=3), path)
    dataset = load_dataset(path)
    links = find_links(dataset.events)
    memory = MemoryBackend(dataset, EventIndex.build(dataset.events),
                           ArticleLinks.build(dataset.events, dataset.articles),
                           build_options(dataset.events, dataset.articles, topic_keys()),
                           event_links=lambda: links)
    duck = open_validated(str(path), cache_dir=path.parent / "cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(spark_links, "ROWS_PER_SLAB", TINY_SLAB)
        source = open_source(str(path), spark=engines[2].spark_source.spark)
    return (memory, duck, SparkBackend(source, label=path.name)), links, path


def test_links_found_slab_by_slab_are_the_memory_engines(engines, linked) -> None:  # type: ignore[no-untyped-def]
    (memory, duck, spark), links, _ = linked
    found = spark.spark_source.links
    assert found.slabs > 5  # the slab path, cut through links
    assert links.pairs > 100
    ids = memory.events_frame["event_id"].to_numpy(dtype=object)
    want = sorted(zip(ids[links.first], ids[links.second], strict=True))
    got = sorted((r["first_id"], r["second_id"]) for r in found.pairs.collect())
    assert got == want
    _same([b.link_counts() for b in (memory, duck, spark)])
    assert spark.link_counts() == (int(links.linked().sum()), links.pairs)
    # one dataset: not linked at all (the module's other file)
    assert engines[2].spark_source.links is None and engines[2].link_counts() == (0, 0)


def test_also_in_for_linked_and_unlinked_ids(linked) -> None:  # type: ignore[no-untyped-def]
    backends, links, _ = linked
    memory = backends[0]
    ids = memory.events_frame["event_id"].astype(str).tolist()
    chosen = [ids[int(r)] for r in np.flatnonzero(links.linked())[:25]]
    chosen += [ids[int(r)] for r in np.flatnonzero(~links.linked())[:5]] + ["no-such-event"]
    answers = [b.also_in(chosen) for b in backends]
    assert sum(len(groups) > 1 for groups in answers[0]) > 0  # some link into two datasets
    _same(answers)


ONCE_QUERIES = [
    {}, {"date_from": dt.date(2018, 4, 5), "date_to": dt.date(2018, 4, 12)},
    {"country": ("RUS",)}, {"datasets": ("acled",)},
    {"topics": ("armed_clash", "strike"), "include_undated": False},
    {"topics": ("nosuch",)},
]


@pytest.mark.parametrize("spec", ONCE_QUERIES, ids=[str(q) for q in ONCE_QUERIES])
def test_once_counts_charts_map_and_pages(linked, spec) -> None:  # type: ignore[no-untyped-def]
    both, _, _ = linked
    memory = both[0]
    filters = _filters({**spec, "once": True})
    if not spec:
        assert memory.count(filters) < memory.count(Filters()) - 20  # once drops many
    for frame in (None, Frame(dt.date(2018, 4, 14), "week")):
        _same([b.headline(filters, frame) for b in both])
        _same([b.by_country_topic(filters, frame) for b in both], _same_frame)
        _same([b.unplaced(filters, frame) for b in both])
        answers = [b.map_points(filters, frame, limit=5000) for b in both]
        _same([points for points, _ in answers], _same_frame)
    bins = [b.timeline(filters, "week") for b in both]
    _same([frame for frame, _ in bins], _same_frame)
    pages = [b.events_page(filters, 20, 40) for b in both]
    _same([total for _, total in pages])
    _same([page for page, _ in pages], _same_frame)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "geojson"])
@pytest.mark.parametrize("once", [False, True], ids=["all", "once"])
def test_linked_downloads_are_the_same_bytes(linked, fmt, once) -> None:  # type: ignore[no-untyped-def]
    backends, _, _ = linked
    filters = Filters(topics=("armed_clash", "strike", "protest"), once=once)
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    files = [b.download("events", filters, fmt, [], {}, moment) for b in backends]
    if fmt == "csv":
        written = pd.read_csv(io.BytesIO(files[0].data), dtype="str")
        assert written["linked_events"].notna().sum() > 20
    _same([(f.file_name, f.data) for f in files])


def test_export_on_spark_writes_the_links_and_counts_once(linked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """``export --engine spark`` (its ``export_file``) against the memory engine's command."""
    from dashboard.citation import parse_exported
    from dashboard.cli import main
    from dashboard.engines import spark_query

    (_, _, spark), _, path = linked
    exported = "2025-01-01T00:00:00Z"
    for query in ("dataset=ucdp,acled", "once=1&from=2018-04-03"):
        memory_file, spark_file = tmp_path / "memory.csv", tmp_path / "spark.csv"
        assert main(["export", "--data", str(path), "--query", query, "-o", str(memory_file),
                     "--exported", exported]) == 0
        spark_query.export_file(spark.spark_source, query, "events", "csv",
                                parse_exported(exported), str(spark_file), None)
        assert spark_file.read_bytes() == memory_file.read_bytes()
