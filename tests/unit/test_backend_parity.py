"""Every backend operation gives the same answer through ``memory`` and ``duckdb``.

On one generated Parquet file (``bench/generate.py``, varied as the duckdb export tests
vary it: ongoing zones, odd case and spaces), each query of the duckdb export tests'
table goes through every aggregate the pages draw: headline, timeline, counts by country
and topic, the verification mix, the map's points or grid cells, a page of events, the
article list, a map pick, an event with its co-reported and nearby events, and the
downloads' bytes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from test_engine_duckdb import QUERIES, _filters, _varied

from bench import generate
from dashboard.choices import build_options
from dashboard.dataset import load_dataset
from dashboard.engines.backend import Backend
from dashboard.engines.duckdb_backend import open_validated
from dashboard.engines.memory_backend import MemoryBackend
from dashboard.eventindex import EventIndex
from dashboard.filters import ArticleLinks, Filters
from dashboard.taxonomy import topic_keys
from dashboard.timeframe import Frame

ROWS = 12_000


def _rounded(events: pa.Table) -> pa.Table:
    """The events with their coordinates rounded to half a degree: many share a point
    (as real reports of one town do), and some lie on the fixture units' border (53.5 N)."""
    for name in ("latitude", "longitude"):
        half = pc.divide(pc.round(pc.multiply(events[name], 2.0)), 2.0)
        events = events.set_column(events.column_names.index(name), name, half)
    return events


def _backends(folder: Path, events: pa.Table,
              articles: pa.Table) -> tuple[MemoryBackend, Backend]:
    path = folder / "events.parquet"
    pq.write_table(events, path, row_group_size=5_000)
    pq.write_table(articles, folder / "events_articles.parquet")
    dataset = load_dataset(path)
    memory = MemoryBackend(dataset, EventIndex.build(dataset.events),
                           ArticleLinks.build(dataset.events, dataset.articles),
                           build_options(dataset.events, dataset.articles, topic_keys()))
    duck = open_validated(str(path), articles=str(folder / "events_articles.parquet"),
                          cache_dir=folder / "cache")
    return memory, duck


@pytest.fixture(scope="module")
def backends(tmp_path_factory: pytest.TempPathFactory) -> tuple[MemoryBackend, Backend]:
    data, _ = generate.generate(ROWS, seed=5)
    return _backends(tmp_path_factory.mktemp("lake"), _varied(data.events), data.articles)


@pytest.fixture(scope="module")
def shared_points(tmp_path_factory: pytest.TempPathFactory) -> tuple[MemoryBackend, Backend]:
    """Backends over events that share points (``_rounded``)."""
    data, _ = generate.generate(ROWS // 4, seed=6)
    return _backends(tmp_path_factory.mktemp("rounded"), _rounded(_varied(data.events)),
                     data.articles)


FRAMES = [None, Frame(dt.date(2023, 6, 30), "month"), Frame(dt.date(2022, 1, 1), "all"),
          Frame(dt.date(2024, 3, 3), "day")]


def _same_frame(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True),
                                  check_dtype=False, check_exact=False, rtol=1e-9)


def test_both_are_backends(backends) -> None:  # type: ignore[no-untyped-def]
    memory, duck = backends
    assert isinstance(memory, Backend) and isinstance(duck, Backend)
    assert memory.options() == duck.options()


@pytest.mark.parametrize("frame", FRAMES, ids=[str(f) for f in FRAMES])
@pytest.mark.parametrize("spec", QUERIES, ids=[str(q) for q in QUERIES])
def test_numbers_and_counts(backends, spec, frame) -> None:  # type: ignore[no-untyped-def]
    memory, duck = backends
    filters = _filters(spec)
    assert duck.count(filters, frame) == memory.count(filters, frame)
    assert duck.headline(filters, frame) == memory.headline(filters, frame)
    assert duck.unplaced(filters, frame) == memory.unplaced(filters, frame)
    assert duck.country_level(filters, frame) == memory.country_level(filters, frame)
    _same_frame(duck.by_country_topic(filters, frame), memory.by_country_topic(filters, frame))
    _same_frame(duck.by_country(filters, frame), memory.by_country(filters, frame))
    _same_frame(duck.verification_mix(filters, frame), memory.verification_mix(filters, frame))


@pytest.mark.parametrize("spec", QUERIES, ids=[str(q) for q in QUERIES])
def test_timeline_span_and_map(backends, spec) -> None:  # type: ignore[no-untyped-def]
    memory, duck = backends
    filters = _filters(spec)
    assert duck.day_span(filters) == memory.day_span(filters)
    for unit in (None, "week", "month"):
        (bins, used), (expected, expected_unit) = duck.timeline(filters, unit), \
            memory.timeline(filters, unit)
        assert used == expected_unit
        _same_frame(bins, expected)
    assert duck.map_extent(filters) == memory.map_extent(filters)
    for limit in (5000, 300):
        (points, binned), (want, want_binned) = duck.map_points(filters, limit=limit), \
            memory.map_points(filters, limit=limit)
        assert binned == want_binned
        _same_frame(points, want)
    _same_frame(duck.heat_cells(filters), memory.heat_cells(filters))
    shapes, total = duck.map_shapes(filters)
    assert (shapes, total) == memory.map_shapes(filters)


#: the area filter's boundaries (the bundled countries) and the app tests' two units
AREAS = [None, Path(__file__).parents[1] / "app" / "fixtures" / "areas.geojson"]


@pytest.fixture(scope="module", params=AREAS, ids=["countries", "fixture-units"])
def areas(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    from dashboard.boundaries import load_boundaries

    return load_boundaries(request.param)


@pytest.mark.parametrize("spec", QUERIES, ids=[str(q) for q in QUERIES])
def test_counts_by_area(backends, shared_points, areas, spec) -> None:  # type: ignore[no-untyped-def]
    filters = _filters(spec)
    for memory, duck in (backends, shared_points):
        for frame in FRAMES[:2]:
            _same_frame(duck.by_area(filters, frame, areas),
                        memory.by_area(filters, frame, areas))
    if spec == {}:  # located events, some in no unit: the counts are the points'
        memory, _ = shared_points
        counts = memory.by_area(filters, None, areas)
        assert 0 < counts["events"].sum() < memory.count(filters)
        assert memory.index.latitude[memory.index.located].tolist().count(53.5) > 0


@pytest.mark.parametrize("spec", QUERIES, ids=[str(q) for q in QUERIES])
def test_pages_of_events_and_articles(backends, spec) -> None:  # type: ignore[no-untyped-def]
    memory, duck = backends
    filters = _filters(spec)
    for offset in (0, 50, 5_000):
        page, total = duck.events_page(filters, offset, 50)
        want, want_total = memory.events_page(filters, offset, 50)
        assert total == want_total
        _same_frame(page, want)
        listed, count = duck.articles_page(filters, offset, 50)
        want_listed, want_count = memory.articles_page(filters, offset, 50)
        assert count == want_count
        _same_frame(listed, want_listed)


def test_picks_events_and_neighbours(backends) -> None:  # type: ignore[no-untyped-def]
    memory, duck = backends
    filters = Filters(countries=("POL",))
    ids = list(memory.events_page(filters, 0, 7)[0]["event_id"])
    for frame in (None, FRAMES[1]):
        picked, total = duck.picked(filters, frame, ids=ids)
        want, want_total = memory.picked(filters, frame, ids=ids)
        assert total == want_total
        _same_frame(picked, want)
    cells, binned = memory.map_points(Filters())  # more than 5,000: a grid
    assert binned
    for lat, lon in cells[["latitude", "longitude"]].head(5).itertuples(index=False):
        picked, total = duck.picked(Filters(), None, cell=(lat, lon), limit=20)
        want, want_total = memory.picked(Filters(), None, cell=(lat, lon), limit=20)
        assert total == want_total > 0
        _same_frame(picked, want)
    assert duck.picked(Filters(), None, cell=(0.123, 0.456))[1] == 0
    listed, count = duck.articles_page(filters, 0, 50, event_ids=ids)
    want_listed, want_count = memory.articles_page(filters, 0, 50, event_ids=ids)
    assert count == want_count > 0
    _same_frame(listed, want_listed)
    for event_id in [*ids, "no-such-event"]:
        row, want_row = duck.event(event_id), memory.event(event_id)
        assert (row is None) == (want_row is None)
        if row is not None:
            pd.testing.assert_series_equal(row, want_row, check_dtype=False, check_names=False)
            assert duck.selects(filters, event_id) == memory.selects(filters, event_id)
            assert duck.selects(Filters(countries=("LTU",)), event_id) == memory.selects(
                Filters(countries=("LTU",)), event_id)
        near, n = duck.nearby(event_id)
        want_near, want_n = memory.nearby(event_id)
        assert n == want_n
        _same_frame(near, want_near)
        co, m = duck.co_reported(event_id)
        want_co, want_m = memory.co_reported(event_id)
        assert m == want_m
        _same_frame(co, want_co)
    wanted = list(memory.articles_page(filters, 0, 5)[0]["article_id"])
    _same_frame(duck.articles_by_id(wanted).sort_values("article_id"),
                memory.articles_by_id(wanted).sort_values("article_id"))


@pytest.mark.parametrize("fmt", ["csv", "geojson", "xlsx", "parquet", "bundle"])
@pytest.mark.parametrize("spec", [{}, {"country": ("POL",), "topics": ("camp",)},
                                  {"text": "kyiv", "verifications": ("confirmed",)},
                                  {"date_from": dt.date(2030, 1, 1)}], ids=str)
def test_downloads_are_the_same_bytes(backends, spec, fmt) -> None:  # type: ignore[no-untyped-def]
    memory, duck = backends
    filters = _filters(spec)
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    kinds = ["events", "articles"] if fmt == "csv" else ["events"]
    for kind in kinds:
        got = duck.download(kind, filters, fmt, [], {}, moment)
        want = memory.download(kind, filters, fmt, [], {}, moment)
        assert got.file_name == want.file_name
        assert got.data == want.data


def test_report_counts_add_up(backends) -> None:  # type: ignore[no-untyped-def]
    memory, duck = backends
    for got, want in zip(duck.reports(), memory.reports(), strict=True):
        assert (got.rows_read, got.accepted, got.rejected_rows) == (
            want.rows_read, want.accepted, want.rejected_rows)
        assert got.accepted + got.rejected_rows == got.rows_read


def test_validation_is_kept_by_content(backends, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, duck = backends
    again = open_validated(str(duck.files[0]), articles=str(duck.article_files[0]),
                           cache_dir=duck.target.folder.parent,
                           progress=lambda stage: pytest.fail(f"validated again: {stage}"))
    assert again.target == duck.target
    copy = tmp_path / "events.parquet"
    table = pq.read_table(duck.files[0])
    pq.write_table(table.slice(0, 100), copy)
    stages: list[str] = []
    other = open_validated(str(copy), cache_dir=duck.target.folder.parent,
                           progress=stages.append)
    assert stages == ["validating"] and other.count(Filters()) <= 100
    assert np.isfinite(other.count(Filters()))


@pytest.mark.parametrize("spec", QUERIES[:12], ids=[str(q) for q in QUERIES[:12]])
def test_monthly_sources(backends, spec) -> None:  # type: ignore[no-untyped-def]
    memory, duck = backends
    filters = _filters(spec)
    got, want = duck.monthly_sources(filters), memory.monthly_sources(filters)
    _same_frame(got.sort_values(["dataset", "month"]), want.sort_values(["dataset", "month"]))


def test_rejected_rows_are_listed_as_the_memory_engine_lists_them(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa

    data, _ = generate.generate(300, seed=9)
    events = data.events
    topic = events["topic"].to_pylist()
    topic[3], topic[17] = "no_such_topic", None
    latitude = events["latitude"].to_pylist()
    latitude[40] = 123.0
    events = events.set_column(events.column_names.index("topic"), "topic",
                               pa.array(topic, pa.string()))
    events = events.set_column(events.column_names.index("latitude"), "latitude",
                               pa.array(latitude, pa.float64()))
    path = tmp_path / "bad.parquet"
    pq.write_table(events, path)
    duck = open_validated(str(path), cache_dir=tmp_path / "cache")
    memory = load_dataset(path)
    got, want = duck.reports()[0], memory.reports[0]
    assert (got.rows_read, got.accepted, got.rejected_rows) == (300, 297, 3)
    assert (want.rows_read, want.accepted, want.rejected_rows) == (300, 297, 3)
    columns = ["file", "table", "row", "column", "value", "reason"]
    pd.testing.assert_frame_equal(got.rejected[columns].reset_index(drop=True),
                                  want.rejected[columns].reset_index(drop=True),
                                  check_dtype=False)
    assert duck.count(Filters()) == 297
