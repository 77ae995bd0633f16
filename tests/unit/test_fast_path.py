"""Correctness at scale: the code-based masks and counts equal plain pandas on 100k events.

The dashboard filters and counts through ``EventIndex`` (integer codes, day numbers,
bincounts); these references do the same the obvious way, on a synthetic file from
``bench/generate.py``. No timings here: speed is the benchmark's business.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bench import generate
from dashboard import aggregate, schema
from dashboard.dataset import load_dataset
from dashboard.eventindex import EventIndex
from dashboard.filters import ArticleLinks, Filters

ROWS = 100_000


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    generate.write_files(ROWS, ["parquet"], out, seed=7)
    dataset = load_dataset(generate.event_path(out, ROWS, "parquet"),
                           articles=generate.articles_path(out, ROWS, "parquet"))
    events = dataset.events
    assert len(events) == ROWS
    return events, dataset.articles, EventIndex.build(events), ArticleLinks.build(
        events, dataset.articles)


def _items(value: object) -> set[str]:
    return set(schema.split_list(value)) if isinstance(value, str) else set()


def reference_mask(events: pd.DataFrame, filters: Filters) -> np.ndarray:
    """The filter written plainly, row by row where that is clearest."""
    keep = pd.Series(True, index=events.index)
    if filters.countries:
        wanted = set(filters.countries)
        keep &= events["country"].isin(wanted) | events["countries_involved"].map(
            lambda v: bool(_items(v) & wanted))
    if filters.topics:
        keep &= events["topic"].isin(filters.topics)
    if filters.verifications:
        keep &= events["verification"].isin(filters.verifications)
    if filters.actors:
        keep &= events["actors"].map(lambda v: bool(_items(v) & set(filters.actors)))
    undated = events["date_min"].isna()
    dated = ~undated
    if filters.date_from:
        ends = events["date_max"].fillna(events["date_min"])
        dated &= ends >= pd.Timestamp(filters.date_from)
    if filters.date_to:
        dated &= events["date_min"] <= pd.Timestamp(filters.date_to)
    if filters.date_from or filters.date_to or not filters.include_undated:
        keep &= dated | (undated & filters.include_undated)
    return keep.fillna(False).to_numpy(dtype=bool)


FILTERS = [
    Filters(),
    Filters(countries=("POL",)),
    Filters(countries=("LTU", "BLR"), topics=("strike", "legal")),
    Filters(topics=("border_zone",), verifications=("claimed", "disputed")),
    Filters(date_from=dt.date(2022, 1, 1), date_to=dt.date(2022, 12, 31)),
    Filters(date_from=dt.date(2024, 3, 1), include_undated=False),
    Filters(date_to=dt.date(2021, 6, 30), countries=("UKR",)),
    Filters(actors=("Synthetic Actor 017",), include_undated=False),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.slug())
def test_fast_mask_equals_the_plain_reference(data, filters):
    events, articles, index, links = data
    fast = filters.mask(events, articles, links=links, index=index)
    expected = reference_mask(events, filters)
    assert fast.sum() > 0 or not expected.any()
    np.testing.assert_array_equal(fast, expected)
    # and without a prebuilt index (the command line's path)
    np.testing.assert_array_equal(filters.mask(events, articles), expected)


@pytest.mark.parametrize("filters", FILTERS[:5], ids=lambda f: f.slug())
def test_counts_under_a_mask_equal_groupby_on_the_filtered_rows(data, filters):
    events, articles, index, links = data
    mask = filters.mask(events, articles, links=links, index=index)
    rows = events[mask]

    mix = aggregate.verification_mix(index, mask=mask).set_index("verification")["events"]
    assert mix[mix > 0].to_dict() == rows["verification"].value_counts().to_dict()

    by_country = aggregate.by_country(index, mask=mask).set_index("iso3")["events"].to_dict()
    assert by_country == rows["country"].value_counts().to_dict()

    countries = set(rows["country"].dropna())
    for value in rows["countries_involved"].dropna():
        countries |= _items(value)
    numbers = aggregate.headline(index, mask=mask)
    assert numbers.events == len(rows) and numbers.countries == len(countries)
    assert numbers.first == rows["date_min"].min().date()
    assert numbers.last == rows["date_max"].max().date()

    for unit in ("week", "month"):
        # every dated event counts once in all; a day-precision one in its first day's
        # period (the others are spread over their days: test_aggregate checks that)
        total = aggregate.timeline(index, unit, mask=mask)["events"].sum()
        assert total == pytest.approx(rows["date_min"].notna().sum())
        on_a_day = (events["date_precision"] == "day").to_numpy(dtype=bool, na_value=False)
        bins = aggregate.timeline(index, unit, mask=mask & on_a_day)
        dated = rows[rows["date_min"].notna() & (rows["date_precision"] == "day").fillna(False)]
        periods = (dated["date_min"].dt.to_period("W-SUN").dt.start_time if unit == "week"
                   else dated["date_min"].dt.to_period("M").dt.start_time)
        expected = dated.groupby([periods.to_numpy(), dated["topic"].to_numpy()]).size()
        got = bins.set_index(["period", "topic"])["events"]
        assert got.sum() == len(dated)
        assert {(pd.Timestamp(p), t): n for (p, t), n in got.items()} == {
            (pd.Timestamp(p), t): n for (p, t), n in expected.items()}

    pairs = aggregate.by_country_topic(index, top=1000, mask=mask)
    expected_pairs = rows.groupby(["country", "topic"]).size()
    assert {(c, t): n for c, t, n in pairs.itertuples(index=False)} == expected_pairs.to_dict()

    cells, binned = aggregate.map_points(index, mask=mask)
    located = (rows["latitude"].notna() & rows["longitude"].notna()
               & (rows["geo_precision"] != "country").fillna(True))  # no place, not drawn
    assert len(cells) <= aggregate.MAP_POINT_LIMIT
    if binned:
        assert cells["events"].sum() == located.sum()
    else:
        assert sorted(cells["event_id"]) == sorted(rows.loc[located, "event_id"])


@pytest.mark.parametrize("filters", FILTERS[:5], ids=lambda f: f.slug())
def test_map_shapes_are_the_oldest_zones_and_lines_of_the_selection(data, filters):
    events, articles, index, links = data
    mask = filters.mask(events, articles, links=links, index=index)
    shaped = events[mask & events["geometry_wkt"].notna().to_numpy()]
    expected = shaped.sort_values("date_min", na_position="last", kind="stable")
    features, total = aggregate.map_shapes(index, limit=50, mask=mask)
    assert total == len(shaped) > 50
    assert [f["properties"]["event_id"] for f in features] == list(expected["event_id"][:50])


def test_actor_options_count_every_listed_actor(data):
    from collections import Counter

    events = data[0]
    counts = Counter(item for value in events["actors"].dropna()
                     for item in schema.split_list(value))
    expected = sorted(counts, key=lambda item: (-counts[item], item))
    assert aggregate.list_options(events["actors"]) == expected


def test_oldest_first_orders_like_a_stable_sort(data):
    events, articles, index, links = data
    mask = Filters(countries=("POL",)).mask(events, articles, links=links, index=index)
    expected = np.flatnonzero(mask)[
        events[mask]["date_min"].reset_index(drop=True)
        .sort_values(na_position="last", kind="stable").index.to_numpy()]
    np.testing.assert_array_equal(aggregate.oldest_first(index, mask=mask), expected)
