"""Events linked across datasets on the duckdb engine, to the memory engine's values.

One generated Parquet file of three ``source_dataset`` values crowded into a few km and
three weeks (every precision and kind mixed, so links of every sort form, chains too;
the datasets first appear in an order that is not alphabetical), opened by both engines:
the links' counts, "also in", "count each event once" under several filters and frames,
and the downloads' bytes (app and command line) must be the memory engine's. The links
table is made slab by slab; a tiny ``ROWS_PER_SLAB`` must still find memory's links.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from crowded_events import crowded

from dashboard import linking, schema
from dashboard.choices import build_options
from dashboard.cli import main
from dashboard.dataset import load_dataset
from dashboard.engines import duckdb_links
from dashboard.engines.duckdb_backend import DuckDBBackend, open_validated
from dashboard.engines.memory_backend import MemoryBackend
from dashboard.eventindex import EventIndex
from dashboard.filters import ArticleLinks, Filters
from dashboard.taxonomy import topic_keys
from dashboard.timeframe import Frame

ROWS = 1_500
EXPORTED = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def _same_frame(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """As the parity tests compare answers: values equal, dtypes of either engine's kind."""
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True),
                                  check_dtype=False, check_exact=False, rtol=1e-9)


def _memory(path: Path) -> MemoryBackend:
    dataset = load_dataset(path)
    links = linking.find_links(dataset.events)
    return MemoryBackend(dataset, EventIndex.build(dataset.events),
                         ArticleLinks.build(dataset.events, dataset.articles),
                         build_options(dataset.events, dataset.articles, topic_keys()),
                         event_links=lambda: links)


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("crowded") / "crowded.parquet"
    pq.write_table(crowded(ROWS, seed=4), path, row_group_size=400)
    return path


@pytest.fixture(scope="module")
def engines(lake: Path) -> tuple[MemoryBackend, DuckDBBackend]:
    return _memory(lake), open_validated(str(lake), cache_dir=lake.parent / "cache")


def _links_by_id(backend: DuckDBBackend) -> list[tuple[str, str]]:
    """The copy's links as (first id, second id) pairs, sorted."""
    rows = backend.source.con.execute(
        "SELECT f.event_id, s.event_id FROM validated.event_links l JOIN validated.events f "
        "ON f._seq = l.first_seq JOIN validated.events s ON s._seq = l.second_seq").fetchall()
    return sorted((str(a), str(b)) for a, b in rows)


def _memory_links(memory: MemoryBackend) -> list[tuple[str, str]]:
    links = memory._linked()
    ids = memory.events_frame["event_id"].astype(str).to_numpy()
    return sorted(zip(ids[links.first].tolist(), ids[links.second].tolist(), strict=True))


def test_the_copy_holds_memorys_links_and_counts(engines) -> None:  # type: ignore[no-untyped-def]
    memory, duck = engines
    assert _links_by_id(duck) == _memory_links(memory)
    assert duck.link_counts() == memory.link_counts()
    events, pairs = memory.link_counts()
    assert pairs > 300 and 0 < events < ROWS  # the crowd links many, not every event
    assert memory._linked().dataset_rank[0] == 0  # viina, first in the file, ranks first


def test_slabs_of_a_few_events_find_the_same_links(lake: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The slab path is what runs: with slabs of 7 events, many slabs are asked (the real
    ``slab_pairs`` runs for each) and together they find the memory engine's links."""
    monkeypatch.setattr(duckdb_links, "ROWS_PER_SLAB", 7)
    slabs: list[tuple[int, int]] = []
    real = linking.slab_pairs
    monkeypatch.setattr(linking, "slab_pairs", lambda events, rank, first, last: (
        slabs.append((first, last)), real(events, rank, first, last))[1])
    small = open_validated(str(lake), cache_dir=tmp_path / "cache")
    assert len(slabs) > 15
    assert _links_by_id(small) == _memory_links(_memory(lake))


def test_one_dataset_makes_no_links_and_looks_at_no_slab(
        lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = tmp_path / "one.parquet"
    events = pq.read_table(lake)
    column = events.column_names.index("source_dataset")
    pq.write_table(events.set_column(column, "source_dataset", pa.array(
        ["ucdp"] * events.num_rows)), one)
    monkeypatch.setattr(linking, "slab_days", lambda *_: pytest.fail("no slab to cut"))
    duck = open_validated(str(one), cache_dir=tmp_path / "cache")
    assert duck.link_counts() == (0, 0) and duck.links_table is None
    assert duck.also_in(["ucdp:1"]) == [[]]
    assert duck.count(Filters(once=True)) == ROWS


def test_also_in_for_linked_unlinked_and_unknown_ids(engines) -> None:  # type: ignore[no-untyped-def]
    memory, duck = engines
    linked = memory._linked()
    ids = memory.events_frame["event_id"].astype(str).tolist()
    many = [ids[row] for row in np.flatnonzero(linked.linked())]
    chosen = [*many[:40], *[i for i, on in zip(ids, linked.linked(), strict=True) if not on][:5],
              "no such id"]
    got, want = duck.also_in(chosen), memory.also_in(chosen)
    assert got == want
    assert any(len(found) > 1 for found in want)  # partners in two other datasets
    assert any(len(names) > 1 for found in want for _, names in found)
    assert want[-6:] == [[]] * 6


ONCE_FILTERS = [
    Filters(once=True),
    Filters(once=True, date_from=dt.date(2018, 4, 8), date_to=dt.date(2018, 4, 14)),
    Filters(once=True, countries=("UKR",)),
    Filters(once=True, datasets=("acled",)),
    Filters(once=True, datasets=("acled", "ucdp"), include_undated=False),
    Filters(once=True, topics=("strike", "armed_clash")),
    Filters(once=True, text="no event says this"),
    Filters(once=True, precise=True, date_from=dt.date(2018, 4, 10)),
]
FRAMES = [None, Frame(dt.date(2018, 4, 12), "week"), Frame(dt.date(2018, 4, 30), "all")]


@pytest.mark.parametrize("frame", FRAMES, ids=str)
@pytest.mark.parametrize("filters", ONCE_FILTERS, ids=lambda f: str(f.to_query()))
def test_once_gives_memorys_numbers(engines, filters, frame) -> None:  # type: ignore[no-untyped-def]
    memory, duck = engines
    assert duck.count(filters, frame) == memory.count(filters, frame)
    assert duck.headline(filters, frame) == memory.headline(filters, frame)
    assert duck.unplaced(filters, frame) == memory.unplaced(filters, frame)
    _same_frame(duck.by_country(filters, frame), memory.by_country(filters, frame))
    for limit in (5000, 100):
        (points, binned), (want, want_binned) = duck.map_points(filters, frame, limit=limit), \
            memory.map_points(filters, frame, limit=limit)
        assert binned == want_binned
        _same_frame(points, want)


@pytest.mark.parametrize("filters", ONCE_FILTERS, ids=lambda f: str(f.to_query()))
def test_once_gives_memorys_timeline_and_pages(engines, filters) -> None:  # type: ignore[no-untyped-def]
    memory, duck = engines
    for unit in (None, "week"):
        (bins, used), (want, want_unit) = duck.timeline(filters, unit), \
            memory.timeline(filters, unit)
        assert used == want_unit
        _same_frame(bins, want)
    page, total = duck.events_page(filters, 10, 50)
    want_page, want_total = memory.events_page(filters, 10, 50)
    assert total == want_total
    assert page["event_id"].tolist() == want_page["event_id"].tolist()
    assert duck.day_span(filters) == memory.day_span(filters)
    counted, all_counted = memory.count(filters), memory.count(replace(filters, once=False))
    if filters.text:
        assert counted == all_counted == 0
    elif len(filters.datasets) == 1:  # nothing linked among one dataset's own events
        assert counted == all_counted > 0
    else:
        assert 0 < counted < all_counted


def test_once_on_a_slice_and_on_the_whole_table_agree(engines) -> None:  # type: ignore[no-untyped-def]
    """A filter with fields besides its dates reads a slice: once drops what the whole
    filter (dates included) selects, there as on the whole table."""
    memory, duck = engines
    filters = Filters(once=True, countries=("UKR",), date_to=dt.date(2018, 4, 9))
    sliced = duck.count(filters)
    whole = open_validated(str(duck.files[0]), cache_dir=duck.target.folder.parent)
    whole.slice_rows = -1
    assert sliced == whole.count(filters) == memory.count(filters)


DOWNLOADS = ["csv", "parquet", "geojson"]


@pytest.mark.parametrize("fmt", DOWNLOADS)
@pytest.mark.parametrize("filters", [Filters(), Filters(once=True),
                                     Filters(once=True, datasets=("ucdp",))],
                         ids=lambda f: str(f.to_query()))
def test_app_downloads_are_memorys_bytes(engines, filters, fmt) -> None:  # type: ignore[no-untyped-def]
    memory, duck = engines
    args = ("events", filters, fmt, [], {}, EXPORTED)
    got, want = duck.download(*args), memory.download(*args)
    assert got.data == want.data and got.file_name == want.file_name
    if fmt == "csv":  # the column lists ids (one partner, or several "A; B")
        linked = pd.read_csv(io.BytesIO(got.data), dtype="str")[schema.LINKED_EVENTS]
        assert linked.notna().sum() > 100 and linked.str.contains("; ").any()


@pytest.mark.parametrize("ext", DOWNLOADS)
@pytest.mark.parametrize("query", ["", "once=1", "once=1&country=UKR&from=2018-04-05"])
def test_cli_exports_are_memorys_bytes(lake: Path, tmp_path: Path, ext: str, query: str,
                                       monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "store"))
    files = {}
    for engine in ("memory", "duckdb"):
        files[engine] = tmp_path / f"{engine}.{ext}"
        assert main(["export", "--engine", engine, "--data", str(lake), "--query", query,
                     "-o", str(files[engine]), "--exported", "2025-01-01T00:00:00Z"]) == 0
    said = capsys.readouterr().err
    assert "notice" not in said
    assert files["duckdb"].read_bytes() == files["memory"].read_bytes()
    if ext == "parquet":
        linked = pq.read_table(files["duckdb"], columns=[schema.LINKED_EVENTS])
        assert linked.column(0).null_count < linked.num_rows  # the column is filled
