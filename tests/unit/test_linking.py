"""Linking one event across datasets: a table of pairs that are the same event and of near
misses (a day, a few km or a kind apart), groups counted once, the linked ids, and the
bucket join checked against comparing every pair on generated events."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest

from dashboard import linking, schema
from dashboard.validate import validate_events

LAT, LON = 48.0, 37.8  # near Donetsk
KM_NORTH = 180 / (math.pi * linking.EARTH_RADIUS_KM)  # degrees of latitude per km


def north(km: float) -> str:
    return repr(LAT + km * KM_NORTH)


def frame(rows: list[dict[str, str | None]]) -> pd.DataFrame:
    base: dict[str, str | None] = {column: None for column in schema.EVENT_COLUMNS}
    base.update(topic="armed_clash", verification="reported", latitude=str(LAT),
                longitude=str(LON), event_date="2018-04-02", geo_precision="exact",
                country="UKR", admin1="Donetsk", source_dataset="acled")
    raw = pd.DataFrame([{**base, **row} for row in rows], dtype="str")
    events, rejected = validate_events(raw, "pairs.csv")
    assert rejected.empty, rejected
    return events


# (what, first event, second event, linked?): each second event comes from "ucdp" unless said
PAIRS = [
    ("same place and day", {}, {}, True),
    ("9.9 km apart, exact", {}, {"latitude": north(9.9)}, True),
    ("10.1 km apart, exact", {}, {"latitude": north(10.1)}, False),
    ("70 km apart, exact", {}, {"latitude": north(70)}, False),
    ("70 km apart, near", {"geo_precision": "near"},
     {"latitude": north(70), "geo_precision": "near"}, False),
    ("3 days apart, day precision", {}, {"event_date": "2018-04-05"}, False),
    ("1 day apart, day precision", {}, {"event_date": "2018-04-03"}, False),
    ("3 days apart, one week-precise", {}, {"event_date": "2018-04-05",
                                            "date_precision": "week"}, True),
    ("month precision overlapping the day", {}, {"event_date": "2018-04"}, True),
    ("month precision, the month before", {}, {"event_date": "2018-03"}, False),
    ("both month precision, same month", {"event_date": "2018-04"},
     {"event_date": "2018-04"}, True),
    ("year precision", {}, {"event_date": "2018"}, False),
    ("a protest beside a clash", {"topic": "protest"}, {}, False),
    ("a shelling (strike) and a state-based clash", {"topic": "strike"}, {}, True),
    ("a protest and a riot", {"topic": "protest"}, {"topic": "riot"}, True),
    ("a strike and violence against civilians", {"topic": "strike"},
     {"topic": "violence_against_civilians"}, True),
    ("other and a clash", {"topic": "other"}, {}, False),
    ("same dataset, same place and day", {}, {"source_dataset": "acled"}, False),
    ("admin precision, same unit, 60 km", {},
     {"geo_precision": "admin", "admin1": "Donetsk oblast", "latitude": north(60)}, True),
    ("admin precision, same unit in another spelling", {"admin1": "Kyiv City"},
     {"geo_precision": "admin", "admin1": "Kiev Special Republican city"}, True),
    ("admin precision, another unit", {},
     {"geo_precision": "admin", "admin1": "Luhansk oblast", "latitude": north(60)}, False),
    ("admin precision, same unit name 300 km away", {},
     {"geo_precision": "admin", "admin1": "Donetsk oblast", "latitude": north(300)}, False),
    ("admin precision, another country", {},
     {"geo_precision": "admin", "admin1": "Donetsk oblast", "country": "RUS"}, False),
    ("admin precision with a month date", {},
     {"geo_precision": "admin", "admin1": "Donetsk oblast", "event_date": "2018-04"}, False),
    ("admin precision, no unit named", {},
     {"geo_precision": "admin", "admin1": None}, False),
    ("country precision", {}, {"geo_precision": "country"}, False),
    ("undated", {}, {"event_date": None}, False),
    ("unlocated", {}, {"latitude": None, "longitude": None, "geo_precision": None}, False),
    ("a zone in force for months", {},
     {"event_date": "2018-01-01", "end_date": "2018-06-30"}, False),
]


@pytest.mark.parametrize(("first", "second", "expected"),
                         [case[1:] for case in PAIRS], ids=[case[0] for case in PAIRS])
def test_pairs_and_near_misses(first: dict[str, str], second: dict[str, str],
                               expected: bool) -> None:
    events = frame([{"event_id": "a", **first},
                    {"event_id": "b", "source_dataset": "ucdp", **second}])
    links = linking.find_links(events)
    assert (links.pairs == 1) is expected
    if expected:
        assert (links.first.tolist(), links.second.tolist()) == ([0], [1])
        assert list(links.partners(0)) == [1] and list(links.partners(1)) == [0]


def test_an_event_without_a_dataset_is_not_linked() -> None:
    events = frame([{"event_id": "a"}, {"event_id": "b", "source_dataset": "ucdp"}])
    events.loc[1, "source_dataset"] = pd.NA  # validation names the file; a frame may not
    assert linking.find_links(events).pairs == 0


def test_the_earlier_dataset_comes_first_whatever_the_row_order() -> None:
    events = frame([{"event_id": "u1", "source_dataset": "ucdp"},
                    {"event_id": "a1"}, {"event_id": "u2", "source_dataset": "ucdp"}])
    links = linking.find_links(events)
    assert list(links.dataset_rank) == [0, 1, 0]
    assert sorted(zip(links.first.tolist(), links.second.tolist(), strict=True)) == \
        [(0, 1), (2, 1)]


def _group(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Events (id, dataset, day of April 2018; "03w": the 3rd, week-precise), one place."""
    return frame([{"event_id": i, "source_dataset": d, "event_date": f"2018-04-{day[:2]}",
                   "date_precision": "week" if day.endswith("w") else "day"}
                  for i, d, day in rows])


@pytest.mark.parametrize(("rows", "kept"), [
    # one event in each dataset: the first loaded is kept
    ([("a1", "acled", "02"), ("u1", "ucdp", "02")], ["a1"]),
    # ucdp reports two where acled reports one: the group counts two, ucdp's
    ([("a1", "acled", "02"), ("u1", "ucdp", "02"), ("u2", "ucdp", "02")], ["u1", "u2"]),
    # a chain a1-u1-a2: u1 (week-precise) meets a1 (the 2nd) and a2 (the 4th): one group
    ([("a1", "acled", "02"), ("a2", "acled", "04"), ("u1", "ucdp", "03w")], ["a1", "a2"]),
    # three datasets, one event each
    ([("a1", "acled", "02"), ("u1", "ucdp", "02"), ("v1", "viina", "02")], ["a1"]),
    # unlinked events are always kept
    ([("a1", "acled", "02"), ("u1", "ucdp", "20")], ["a1", "u1"]),
])
def test_each_group_counted_once(rows: list[tuple[str, str, str]], kept: list[str]) -> None:
    events = _group(rows)
    links = linking.find_links(events)
    once = links.once(np.ones(len(events), dtype=bool))
    assert events.loc[once, "event_id"].tolist() == kept


def test_once_counts_only_among_the_selected_events() -> None:
    events = _group([("a1", "acled", "02"), ("u1", "ucdp", "02")])
    links = linking.find_links(events)
    only_ucdp = np.array([False, True])
    assert links.once(only_ucdp).tolist() == [False, True]  # its partner is filtered out
    assert links.once(np.array([True, True])).tolist() == [True, False]


def test_linked_ids_list_every_partner_in_load_order() -> None:
    events = _group([("a1", "acled", "02"), ("u1", "ucdp", "02"), ("u2", "ucdp", "02"),
                     ("a9", "acled", "25")])
    links = linking.find_links(events)
    every = links.linked_ids(events["event_id"])
    assert every.iloc[:3].tolist() == ["u1; u2", "a1", "a1"] and pd.isna(every.iloc[3])
    picked = links.linked_ids(events["event_id"], np.array([2, 0]))
    assert picked.tolist() == ["a1", "u1; u2"]
    assert links.linked().tolist() == [True, True, True, False]


@pytest.mark.parametrize(("name", "key"), [
    ("Donetsk oblast", "dntsk"), ("Donetsk", "dntsk"), ("Kyiv City", "kv"),
    ("Kiev Special Republican city", "kv"), ("Lugansk", "lhnsk"), ("Luhansk oblast", "lhnsk"),
    ("Odessa", "ods"), ("Odesa", "ods"), ("Kharkov", "khrkv"), ("Kharkiv", "khrkv"),
    ("Województwo podlaskie", "pdlsk"), ("Podlaskie Voivodeship", "pdlsk"), (None, ""),
])
def test_admin_names_compare_across_spellings(name: str | None, key: str) -> None:
    assert linking.admin_key(name) == key


def _generated(n: int, seed: int) -> pd.DataFrame:
    """Events of three datasets crowded into a few km and days, every precision mixed."""
    rng = np.random.default_rng(seed)
    topics = ["armed_clash", "strike", "protest", "riot", "other"]
    rows = []
    for number in range(n):
        day = int(rng.integers(1, 9))
        rows.append({
            "event_id": f"e{number}", "source_dataset": str(rng.choice(["a", "b", "c"])),
            "event_date": str(rng.choice([f"2018-04-0{day}", "2018-04", "2018"],
                                         p=[0.8, 0.15, 0.05])),
            "date_precision": str(rng.choice(["day", "week"])),
            "topic": str(rng.choice(topics)),
            "geo_precision": str(rng.choice(["exact", "near", "admin", "country"])),
            "latitude": repr(LAT + rng.normal(0, 0.15)),
            "longitude": repr(LON + rng.normal(0, 0.2)),
            "admin1": str(rng.choice(["Donetsk", "Donetsk oblast", "Luhansk"])),
        })
    events = frame([{**row, "date_precision": None} if len(row["event_date"]) < 10 else row
                    for row in rows])
    return events


def _every_pair(events: pd.DataFrame) -> set[tuple[int, int]]:
    """The rules applied to every pair, one at a time (the reference)."""
    found = set()
    for i, j in itertools.combinations(range(len(events)), 2):
        a, b = events.iloc[i], events.iloc[j]
        if a["source_dataset"] == b["source_dataset"]:
            continue
        windows = [(e["date_max"] - e["date_min"]).days + 1 for e in (a, b)]
        if max(windows) > linking.MAX_WINDOW_DAYS:
            continue
        if a["date_min"] > b["date_max"] or b["date_min"] > a["date_max"]:
            continue
        if not linking.compatible(a["topic"], b["topic"]):
            continue
        if "country" in (a["geo_precision"], b["geo_precision"]):
            continue
        km = float(linking.distances_km(a["latitude"], a["longitude"],
                                        b["latitude"], b["longitude"]))
        if "admin" in (a["geo_precision"], b["geo_precision"]):
            if (max(windows) > linking.ADMIN_MAX_WINDOW_DAYS or km > linking.ADMIN_KM
                    or linking.admin_key(a["admin1"]) != linking.admin_key(b["admin1"])):
                continue
        elif km > linking.PRECISE_KM:
            continue
        found.add((i, j) if a["source_dataset"] < b["source_dataset"] else (j, i))
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bucket_join_finds_what_comparing_every_pair_finds(seed: int) -> None:
    events = _generated(150, seed)
    events = events.sort_values("source_dataset", kind="stable", ignore_index=True)
    links = linking.find_links(events)
    found = set(zip(links.first.tolist(), links.second.tolist(), strict=True))
    expected = _every_pair(events)
    assert len(expected) > 20  # the crowd makes links of every kind
    assert found == expected


def test_the_once_filter_key() -> None:
    from dashboard.filters import Filters

    filters, notices = Filters.from_query({"once": "1"})
    assert filters == Filters(once=True) and not notices
    assert filters.to_query() == {"once": "1"}
    assert filters.describe() == "Events each event counted once across datasets"
    assert filters.slug() == "once"
    events = _group([("a1", "acled", "02"), ("u1", "ucdp", "02"), ("u9", "ucdp", "20")])
    assert filters.apply(events)["event_id"].tolist() == ["a1", "u9"]
    links = linking.find_links(events)
    assert filters.mask(events, event_links=links).tolist() == [True, False, True]
    ucdp_once = Filters(once=True, datasets=("ucdp",))
    assert ucdp_once.apply(events, event_links=links)["event_id"].tolist() == ["u1", "u9"]
    assert Filters().apply(events) is events


def _spread(n: int, seed: int) -> pd.DataFrame:
    """``_generated`` spread over three weeks, so slabs of a few days cut through links."""
    events = _generated(n, seed)
    shift = pd.to_timedelta(np.random.default_rng(seed).integers(0, 21, n), unit="D")
    return events.assign(date_min=events["date_min"] + shift, date_max=events["date_max"] + shift)


def _day_numbers(values: pd.Series) -> np.ndarray:
    return values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


@pytest.mark.parametrize(("seed", "rows_per_slab"), [(1, 1), (2, 7), (3, 40), (4, 10**6)])
def test_slabs_find_what_the_whole_table_finds(seed: int, rows_per_slab: int) -> None:
    events = _spread(300, seed)
    whole = linking.find_links(events)
    rank = linking._codes(events["source_dataset"])[0]
    start, end = _day_numbers(events["date_min"]), _day_numbers(events["date_max"])
    dated = ~np.isnat(events["date_min"].to_numpy(dtype="datetime64[ns]"))
    first_days = pd.Series(start[dated]).value_counts()
    slabs = linking.slab_days(first_days, rows_per_slab)
    assert len(slabs) > 1 or rows_per_slab == 10**6
    found: list[tuple[int, int]] = []
    for first_day, last_day in slabs:
        rows = np.flatnonzero(dated & (start <= last_day) & (end >= first_day))
        first, second = linking.slab_pairs(events.iloc[rows].reset_index(drop=True),
                                           rank[rows], first_day, last_day)
        found += list(zip(rows[first].tolist(), rows[second].tolist(), strict=True))
    assert whole.pairs > 20
    assert sorted(found) == sorted(zip(whole.first.tolist(), whole.second.tolist(), strict=True))


@pytest.mark.parametrize(("first_days", "rows_per_slab", "slabs"), [
    ({}, 5, []),
    ({10: 3, 11: 3, 12: 3}, 5, [(10, 10), (11, 11), (12, 12)]),
    ({10: 3, 11: 2, 12: 3}, 5, [(10, 11), (12, 12)]),
    ({10: 9, 20: 1}, 5, [(10, 10), (20, 20)]),  # a crowded day is a slab of its own
    ({12: 1, 10: 1}, 5, [(10, 12)]),
])
def test_slab_days(first_days: dict[int, int], rows_per_slab: int,
                   slabs: list[tuple[int, int]]) -> None:
    counts = pd.Series(first_days, dtype="int64")
    assert linking.slab_days(counts, rows_per_slab) == slabs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dropped_once_on_the_selected_links_alone_is_what_once_drops(seed: int) -> None:
    events = _spread(300, seed)
    links = linking.find_links(events)
    selected = np.random.default_rng(seed).random(len(events)) < 0.7
    both = selected[links.first] & selected[links.second]
    first, second = links.first[both] * 3 + 5, links.second[both] * 3 + 5  # any row numbers
    dropped = linking.dropped_once(first, second, links.dataset_rank[links.first[both]],
                                   links.dataset_rank[links.second[both]])
    expected = np.flatnonzero(selected & ~links.once(selected)) * 3 + 5
    assert len(expected) > 5
    assert dropped.tolist() == expected.tolist()


def test_said_counts_as_summary_words_them() -> None:
    events = _spread(300, 1)
    links = linking.find_links(events)
    assert linking.said(int(links.linked().sum()), links.pairs) == linking.summary(links)
    assert linking.said(1, 1) == "1 event linked across datasets (1 link)"
