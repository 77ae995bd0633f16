"""The duckdb backend's slices give the answers the whole table gives.

A filter's fields other than its dates are evaluated once into a temporary table (a
slice) that its questions then read with only the date conditions left. Two backends on
the same validated copy, one slicing and one made to ask the whole table
(``slice_rows = -1``), must agree on every Overview question, for filters with and
without dates and frames; filters of dates only, no filter, and a filter selecting more
rows than a slice may hold must not slice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd
import pyarrow.parquet as pq
import pytest

from bench import generate
from dashboard.engines.duckdb_backend import (
    KEPT_SLICES,
    DuckDBBackend,
    open_validated,
    split_dates,
)
from dashboard.filters import Filters
from dashboard.timeframe import Frame

FILTERS = [
    Filters(countries=("UKR",)),
    Filters(countries=("POL",), date_from=dt.date(2022, 1, 1)),
    Filters(countries=("LTU", "LVA"), date_to=dt.date(2023, 6, 30), include_undated=False),
    Filters(topics=("strike", "camp"), date_from=dt.date(2023, 1, 1),
            date_to=dt.date(2023, 12, 31)),
    Filters(verifications=("confirmed",), text="kharkiv"),
    Filters(precise=True, bbox=(20.0, 48.0, 32.0, 56.0)),
    Filters(countries=("ZZZ",)),
]
FRAMES = [None, Frame(dt.date(2023, 6, 30), "month"), Frame(dt.date(2022, 1, 1), "all")]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[DuckDBBackend, DuckDBBackend]:
    data, _ = generate.generate(4_000, seed=11)
    folder = tmp_path_factory.mktemp("slices")
    pq.write_table(data.events, folder / "events.parquet", row_group_size=1_500)
    pq.write_table(data.articles, folder / "events_articles.parquet")
    sliced = open_validated(str(folder / "events.parquet"),
                            articles=str(folder / "events_articles.parquet"),
                            cache_dir=folder / "cache")
    whole = DuckDBBackend(sliced.target, label=sliced.label, files=sliced.files,
                          article_files=sliced.article_files)
    whole.slice_rows = -1
    return sliced, whole


def _answers(backend: DuckDBBackend, filters: Filters, frame: Frame | None) -> list:
    shapes, shaped = backend.map_shapes(filters, frame)
    points, gridded = backend.map_points(filters, frame)
    return [backend.count(filters, frame), backend.headline(filters, frame),
            backend.unplaced(filters, frame), backend.country_level(filters, frame),
            backend.by_country_topic(filters, frame), backend.verification_mix(filters, frame),
            backend.map_extent(filters), [f["properties"] for f in shapes], shaped,
            points, gridded, backend.heat_cells(filters, frame),
            *backend.timeline(filters), backend.monthly_sources(filters),
            backend.day_span(filters)]


def _same(left: list, right: list) -> None:
    for got, want in zip(left, right, strict=True):
        if isinstance(want, pd.DataFrame):
            pd.testing.assert_frame_equal(got.reset_index(drop=True),
                                          want.reset_index(drop=True))
        else:
            assert got == want


@pytest.mark.parametrize("frame", FRAMES, ids=str)
@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: str(f.to_query()))
def test_a_slice_answers_as_the_whole_table(pair, filters, frame) -> None:  # type: ignore[no-untyped-def]
    sliced, whole = pair
    assert sliced.scope(filters, frame).table.startswith("_slice_")
    assert whole.scope(filters, frame).table == "validated.events"
    _same(_answers(sliced, filters, frame), _answers(whole, filters, frame))


@pytest.mark.parametrize("filters", [
    Filters(), Filters(date_from=dt.date(2022, 1, 1)),
    Filters(date_to=dt.date(2023, 1, 1), include_undated=False)], ids=lambda f: str(f.to_query()))
def test_dates_alone_ask_the_whole_table(pair, filters) -> None:  # type: ignore[no-untyped-def]
    sliced, _ = pair
    assert sliced.scope(filters).table == "validated.events"


def test_a_filter_over_the_limit_asks_the_whole_table(pair) -> None:  # type: ignore[no-untyped-def]
    sliced, whole = pair
    filters = Filters(countries=("UKR",), date_from=dt.date(2023, 1, 1))
    broad = DuckDBBackend(sliced.target, label=sliced.label, files=sliced.files,
                          article_files=sliced.article_files)
    broad.slice_rows = sliced.count(Filters(countries=("UKR",))) - 1
    assert broad.scope(filters).table == "validated.events"
    broad.slice_rows = broad.slice_rows + 1
    assert broad.scope(Filters(countries=("POL",))).table.startswith("_slice_")
    _same(_answers(broad, filters, None), _answers(whole, filters, None))


def test_countries_bound_a_slice_and_a_count_decides_past_it(pair) -> None:  # type: ignore[no-untyped-def]
    """A filter with countries is bounded by the countries' rows (counted once per
    (country, list)); past the bound its own count decides, so a narrow filter of a
    broad country still slices."""
    sliced, whole = pair
    narrow = Filters(countries=("UKR",), topics=("strike",))
    broad = DuckDBBackend(sliced.target, label=sliced.label, files=sliced.files,
                          article_files=sliced.article_files)
    assert broad._country_rows(("UKR",)) == sliced.count(Filters(countries=("UKR",)))
    broad.slice_rows = sliced.count(narrow)
    assert broad._country_rows(("UKR",)) > broad.slice_rows
    assert broad.scope(narrow).table.startswith("_slice_")
    broad.slice_rows -= 1
    assert broad.scope(replace(narrow, topics=("strike", "camp"))).table == "validated.events"
    _same(_answers(broad, narrow, None), _answers(whole, narrow, None))


@pytest.mark.parametrize("filters", FILTERS[:3], ids=lambda f: str(f.to_query()))
def test_split_dates_keeps_every_field_once(filters) -> None:
    rest, dates = split_dates(filters)
    assert rest.date_from is rest.date_to is None and rest.include_undated
    assert (dates.date_from, dates.date_to, dates.include_undated) == (
        filters.date_from, filters.date_to, filters.include_undated)
    assert rest.countries == filters.countries and dates.countries == ()


def test_dropped_slices_are_made_again(pair) -> None:  # type: ignore[no-untyped-def]
    sliced, whole = pair
    first = Filters(countries=("BLR",), date_from=dt.date(2022, 6, 1))
    before = _answers(sliced, first, None)
    for n in range(KEPT_SLICES + 1):
        sliced.count(Filters(topics=("strike",), actors=(f"nobody {n}",)))
    assert len(sliced._slices) == KEPT_SLICES and split_dates(first)[0] not in sliced._slices
    fresh = Filters(countries=("BLR",), date_from=dt.date(2022, 6, 2))
    _same(_answers(sliced, fresh, None), _answers(whole, fresh, None))
    _same(before, _answers(whole, first, None))
