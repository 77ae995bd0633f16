"""Aggregation: headline numbers, previous period, bins, counts, bounded map cells."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from eventframes import event_frame

from dashboard import aggregate, schema
from dashboard.filters import Filters

EVENTS = event_frame([
    dict(event_id="a", event_date="2024-01-01", topic="strike", country="POL",
         countries_involved="POL; BLR", article_ids="x; y", verification="confirmed",
         latitude=52.0, longitude=21.0),
    dict(event_id="b", event_date="2024-01-03", topic="strike", country="LTU",
         countries_involved="LTU", article_ids="y", verification="reported"),
    dict(event_id="c", event_date="2024-01-10", topic="legal", country="LTU",
         countries_involved="LTU; UKR", article_ids=None, verification="reported",
         latitude=54.7, longitude=25.3),
    dict(event_id="d", event_date=None, topic="legal", country="BLR",
         countries_involved=None, article_ids="z", verification="disputed"),
])


def test_headline_counts_and_span():
    numbers = aggregate.headline(EVENTS)
    assert (numbers.events, numbers.articles, numbers.countries) == (4, 3, 4)
    assert (numbers.first, numbers.last, numbers.days) == (
        dt.date(2024, 1, 1), dt.date(2024, 1, 10), 10)
    assert aggregate.headline(EVENTS, articles=7).articles == 7
    assert aggregate.headline(EVENTS.iloc[:0]).days == 0


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(date_from=dt.date(2024, 1, 11), date_to=dt.date(2024, 1, 20)),
         (dt.date(2024, 1, 1), dt.date(2024, 1, 10))),
        (Filters(date_from=dt.date(2024, 1, 6), topics=("strike",)),
         (dt.date(2024, 1, 1), dt.date(2024, 1, 5))),  # open end: the last current event
    ],
)
def test_previous_period_has_the_same_length(filters, expected):
    current = aggregate.headline(EVENTS)
    earlier = aggregate.previous_period(filters, current)
    assert (earlier.date_from, earlier.date_to) == expected
    assert earlier.topics == filters.topics and earlier.include_undated is False


@pytest.mark.parametrize("filters", [Filters(), Filters(topics=("strike",)),
                                     Filters(date_to=dt.date(2024, 1, 10))])
def test_no_previous_period_without_a_start_date(filters):
    # Before the first matching event there is none to compare with: no "before: 0" deltas.
    assert aggregate.previous_period(filters, aggregate.headline(EVENTS)) is None


def test_timeline_weeks_start_on_monday_and_skip_undated():
    bins = aggregate.timeline(EVENTS, "week")
    rows = {(str(p.date()), t): n for p, t, n in bins.itertuples(index=False)}
    assert rows == {("2024-01-01", "strike"): 2, ("2024-01-08", "legal"): 1}
    months = aggregate.timeline(EVENTS, "month")
    assert months["events"].sum() == 3
    assert aggregate.choose_bin(EVENTS) == "week"


def test_counts_by_country_topic_and_verification():
    counts = aggregate.by_country_topic(EVENTS, top=1)
    assert list(counts["country"].unique()) == ["LTU", "Other"]
    assert counts["events"].sum() == 4
    mix = aggregate.verification_mix(EVENTS)
    assert list(mix["verification"]) == schema.VERIFICATION_LEVELS
    assert dict(zip(mix["verification"], mix["events"], strict=True))["reported"] == 2
    assert aggregate.country_options(EVENTS) == ["BLR", "LTU", "POL", "UKR"]


def test_map_points_then_grid_cells_bounded_and_counting_everything():
    points, binned = aggregate.map_points(EVENTS)
    assert not binned and list(points["event_id"]) == ["a", "c"]
    rng = np.random.default_rng(1)
    many = pd.concat([EVENTS.iloc[[0]]] * 3000, ignore_index=True)
    many["latitude"] = rng.uniform(45, 60, len(many))
    many["longitude"] = rng.uniform(15, 40, len(many))
    cells, binned = aggregate.map_points(many, limit=500)
    assert binned
    assert len(cells) <= 500
    assert cells["events"].sum() == 3000
    assert cells["latitude"].between(45, 60.5).all()


def test_a_clicked_cell_gives_back_exactly_its_events():
    rng = np.random.default_rng(2)
    many = pd.concat([EVENTS.iloc[[0]]] * 2000, ignore_index=True)
    many["event_id"] = [f"e{i}" for i in range(len(many))]
    many["latitude"] = rng.uniform(45, 60, len(many))
    many["longitude"] = rng.uniform(15, 40, len(many))
    mask = np.arange(len(many)) % 3 > 0  # a filter: the grid is built on what it selects
    cells, binned = aggregate.map_points(many, limit=200, mask=mask)
    assert binned
    seen = []
    for cell in cells.itertuples():
        rows = aggregate.cell_rows(many, cell.latitude, cell.longitude, mask=mask, limit=200)
        assert len(rows) == cell.events
        half = cell.size / 2 + 1e-9
        assert (abs(many["latitude"].to_numpy()[rows] - cell.latitude) <= half).all()
        assert (abs(many["longitude"].to_numpy()[rows] - cell.longitude) <= half).all()
        seen.extend(rows)
    assert sorted(seen) == list(np.flatnonzero(mask))  # every selected event in one cell
    # a centre that is no cell of this grid (the filter changed since the click): nothing
    first = cells.iloc[0]
    assert not len(aggregate.cell_rows(many, first.latitude + first.size / 3,
                                       first.longitude, mask=mask, limit=200))


def test_clicked_event_ids_give_their_selected_rows_oldest_first():
    assert list(aggregate.id_rows(EVENTS, ["c", "a", "nope"])) == [0, 2]
    mask = np.array([False, True, True, True])
    assert list(aggregate.id_rows(EVENTS, ["a", "c"], mask=mask)) == [2]  # a: filtered out


def test_list_options_most_frequent_first_then_by_name():
    values = pd.Series(["B Unit; A Unit", "A Unit", None, " C Unit ;A Unit", "B Unit; A Unit",
                        "D Unit"], dtype="str")
    # A: 4 rows, B: 2, C and D: 1 each (ties by name); blanks and missing rows ignored
    assert aggregate.list_options(values) == ["A Unit", "B Unit", "C Unit", "D Unit"]
    assert aggregate.list_options(values, limit=2) == ["A Unit", "B Unit"]
    assert aggregate.list_options(pd.Series([None], dtype="str")) == []


PLACED = event_frame([
    dict(event_id=f"p{i}", event_date="2024-01-01", topic="strike", country="POL",
         geo_precision=precision, latitude=52.0 + i / 10, longitude=21.0)
    for i, precision in enumerate(["exact", "near", "admin", "country", None])
])


def test_each_place_is_drawn_as_well_as_it_is_known():
    points, binned = aggregate.map_points(PLACED)
    assert not binned
    assert dict(zip(points["event_id"], points["precision"], strict=True)) == {
        "p0": "exact", "p1": "near", "p2": "admin", "p4": ""}  # p3: country level, not drawn
    assert aggregate.country_level(PLACED) == 1
    assert aggregate.country_level(PLACED, mask=np.array([True] * 3 + [False] * 2)) == 0
    many = pd.concat([PLACED] * 40, ignore_index=True)
    cells, binned = aggregate.map_points(many, limit=100)
    assert binned and cells["events"].sum() == 160  # the country-level rows are in no cell
    for cell in cells.itertuples():
        rows = aggregate.cell_rows(many, cell.latitude, cell.longitude, limit=100)
        assert len(rows) == cell.events


@pytest.mark.parametrize(("precision", "date", "unit", "expected"), [
    ("day", "2024-01-10", "week", {"2024-01-08": 1}),
    # 31 days from Monday 1 January: 7/31 in each of four weeks, 3/31 in the fifth
    ("month", "2024-01", "week", {"2024-01-01": 7 / 31, "2024-01-08": 7 / 31,
                                  "2024-01-15": 7 / 31, "2024-01-22": 7 / 31,
                                  "2024-01-29": 3 / 31}),
    ("month", "2024-02", "month", {"2024-02-01": 1}),
    ("year", "2023", "month", {f"2023-{m:02d}-01": days / 365 for m, days in enumerate(
        [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], start=1)}),
])
def test_an_event_known_to_the_month_is_a_span_not_a_spike(precision, date, unit, expected):
    events = event_frame([dict(event_id="m", event_date=date, date_precision=precision,
                               topic="legal")])
    period = pd.Period(date, freq={"day": "D", "month": "M", "year": "Y"}[precision])
    events["date_min"] = period.start_time.normalize()
    events["date_max"] = period.end_time.normalize()
    bins = aggregate.timeline(events, unit)
    got = {str(p.date()): n for p, n in zip(bins["period"], bins["events"], strict=True)}
    assert got == pytest.approx(expected)
    assert bins["events"].sum() == pytest.approx(1)


def test_a_day_event_that_lasted_counts_on_its_first_day():
    events = event_frame([dict(event_id="x", event_date="2024-01-10", date_precision="day",
                               topic="legal")])
    events["date_max"] = pd.Timestamp("2024-02-20")  # an end_date weeks later
    bins = aggregate.timeline(events, "week")
    assert list(zip(bins["period"].astype(str), bins["events"], strict=True)) == [
        ("2024-01-08", 1.0)]


def _units(*boxes: tuple[str, float, float, float, float]):  # type: ignore[no-untyped-def]
    import geopandas as gpd
    import shapely

    return gpd.GeoDataFrame({"iso3": [b[0] for b in boxes], "name": [b[0] for b in boxes]},
                            geometry=[shapely.box(*b[1:]) for b in boxes], crs="EPSG:4326")


@pytest.mark.parametrize(("points", "expected"), [
    # (longitude, latitude, events): inside W, inside E; weights add
    ([(1.0, 1.0, 1), (3.0, 1.0, 2), (1.5, 1.5, 4)], {"iso3": ["W", "E"], "events": [5, 2]}),
    # on the shared border (x = 2): within neither, as a spatial join's ``within``
    ([(2.0, 1.0, 7), (3.0, 1.0, 1)], {"iso3": ["E"], "events": [1]}),
    # in the overlap of W and the unit O laid over it: counted in both
    ([(0.5, 0.5, 3)], {"iso3": ["W", "O"], "events": [3, 3]}),
    # outside every unit, and a tie: the boundaries' order breaks it
    ([(9.0, 9.0, 5), (3.0, 1.0, 2), (1.0, 1.0, 2)], {"iso3": ["W", "E"], "events": [2, 2]}),
    ([], {"iso3": [], "events": []}),
], ids=["weights", "border", "overlap", "outside-and-tie", "none"])
def test_events_counted_in_the_units_their_points_lie_within(points, expected):
    import pyarrow as pa

    units = _units(("W", 0, 0, 2, 2), ("E", 2, 0, 4, 2), ("O", 0, 0, 1, 1))
    lon, lat, events = (list(column) for column in zip(*points, strict=True)) if points \
        else ([], [], [])
    half = len(lon) // 2  # two batches: the totals carry over from one to the next
    batches = [pa.record_batch({"longitude": pa.array(lon[a:b], pa.float64()),
                                "latitude": pa.array(lat[a:b], pa.float64()),
                                "events": pa.array(events[a:b], pa.int64())})
               for a, b in ((0, half), (half, len(lon)))]
    counts = aggregate.counts_by_area(batches, units)
    assert counts.to_dict("list") == expected


def test_point_batches_give_each_point_once():
    lon, lat = np.arange(5, dtype=np.float64), np.arange(5, dtype=np.float64) + 10
    batches = list(aggregate.point_batches(lon, lat, rows=2))
    assert [len(b) for b in batches] == [2, 2, 1]
    assert [v for b in batches for v in b.column("latitude").to_pylist()] == list(lat)
    assert [v for b in batches for v in b.column("events").to_pylist()] == [1] * 5
