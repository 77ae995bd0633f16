"""The event page's logic: an id's row, the events its sources also report, the events
within 25 km and 7 days, and the words for dates and places; checked against a plain
pandas reference on a small generated frame."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard import eventdetail, linking, schema
from dashboard.eventindex import EventIndex
from dashboard.filters import ArticleLinks
from dashboard.validate import validate_events

LAT, LON = 54.0, 24.0  # the centre event's place
KM_NORTH = 180 / (math.pi * linking.EARTH_RADIUS_KM)  # degrees of latitude per km


def north(km: float) -> str:
    return repr(LAT + km * KM_NORTH)


def raw_events(rows: list[dict[str, str]]) -> pd.DataFrame:
    base = {column: None for column in schema.EVENT_COLUMNS}
    base.update(topic="strike", verification="reported", latitude=str(LAT), longitude=str(LON),
                event_date="2024-03-10", geo_precision="exact")
    return pd.DataFrame([{**base, **row} for row in rows], dtype="str")


# What each event is for: the centre is c; the others sit on an edge of "within 25 km and
# 7 days" of it, one step inside or outside.
RAW = raw_events([
    dict(event_id="c", article_ids="a1; a2"),
    dict(event_id="same-place", article_ids="a2"),
    dict(event_id="24.99km", latitude=north(24.99), article_ids="a3"),
    dict(event_id="25km", latitude=north(25)),
    dict(event_id="25.01km", latitude=north(25.01)),
    dict(event_id="east-20km", longitude=repr(LON + 20 / (math.cos(math.radians(LAT))
                                                          * 111.195))),
    dict(event_id="7days-after", event_date="2024-03-17"),
    dict(event_id="8days-after", event_date="2024-03-18", article_ids="a1"),
    dict(event_id="7days-before", event_date="2024-03-03"),
    dict(event_id="undated", event_date=None, article_ids="a1"),
    dict(event_id="unlocated", latitude=None, longitude=None, geo_precision=None),
    dict(event_id="month-feb", event_date="2024-02"),  # 1-29 Feb: 10 days before
    dict(event_id="month-mar", event_date="2024-03"),  # spans the centre's day
    dict(event_id="zone-until-3-mar", event_date="2024-01-01", end_date="2024-03-03",
         geometry_wkt=f"POLYGON(({LON} {LAT}, {LON + 0.1} {LAT}, {LON} {LAT + 0.1}, "
                      f"{LON} {LAT}))"),
    dict(event_id="zone-until-2-mar", event_date="2024-01-01", end_date="2024-03-02"),
    dict(event_id="far-away", latitude="50.0", longitude="30.0", article_ids="missing-id"),
    dict(event_id="week-precise", event_date="2024-03-21", date_precision="week"),  # from 18th
])
EVENTS, REJECTED = validate_events(RAW, "generated.csv")
ARTICLES = pd.DataFrame({column: pd.Series(dtype="str") for column in schema.ARTICLE_COLUMNS})
ARTICLES = pd.concat([ARTICLES, pd.DataFrame({"article_id": ["a1", "a2", "a3"],
                                              "title": ["One", "Two", "Three"]})])
INDEX = EventIndex(EVENTS)
LINKS = ArticleLinks.build(EVENTS, ARTICLES)
ROW = {event_id: row for row, event_id in enumerate(EVENTS["event_id"])}


def test_the_generated_frame_is_valid():
    assert REJECTED.empty and len(EVENTS) == len(RAW)


# ------------------------------------------------------------------ plain references


def reference_distance(a: pd.Series, b: pd.Series) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * linking.EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def reference_nearby(event_id: str, km: float = 25, days: int = 7) -> list[str]:
    me = EVENTS.set_index("event_id").loc[event_id]
    found = []
    for position, (other_id, other) in enumerate(EVENTS.set_index("event_id").iterrows()):
        if other_id == event_id or pd.isna(me.date_min) or pd.isna(other.date_min):
            continue
        if pd.isna(me.latitude) or pd.isna(other.latitude):
            continue
        gap = max((other.date_min - me.date_max).days, (me.date_min - other.date_max).days)
        distance = round(reference_distance(me, other), 6)
        if gap <= days and distance <= km:
            found.append((distance, other.date_min, position, other_id))
    return [other_id for *_, other_id in sorted(found)]


def reference_co_reported(event_id: str) -> list[str]:
    known = set(ARTICLES["article_id"])
    cited = set(schema.split_list(EVENTS.set_index("event_id").loc[event_id, "article_ids"]))
    cited &= known
    return sorted(other for other, ids in zip(EVENTS["event_id"], EVENTS["article_ids"],
                                              strict=True)
                  if other != event_id and cited & set(schema.split_list(ids)))


def ids(rows: np.ndarray) -> list[str]:
    return EVENTS["event_id"].iloc[rows].tolist()


# ------------------------------------------------------------------ nearby


def test_nearby_the_centre_keeps_exactly_the_edges_inside():
    # nearest first; at the same distance the oldest first possible day first
    assert ids(eventdetail.nearby(ROW["c"], INDEX)) == [
        "zone-until-3-mar", "month-mar", "7days-before", "same-place", "7days-after",
        "east-20km", "24.99km", "25km"]


@pytest.mark.parametrize("event_id", list(EVENTS["event_id"]))
def test_nearby_matches_the_reference_for_every_event(event_id):
    assert ids(eventdetail.nearby(ROW[event_id], INDEX)) == reference_nearby(event_id)


@pytest.mark.parametrize(("km", "days", "expected"), [
    (1, 0, ["month-mar", "same-place"]),
    (1, 8, ["zone-until-3-mar", "zone-until-2-mar", "month-mar", "7days-before", "same-place",
            "7days-after", "8days-after", "week-precise"]),
    (25.01, 0, ["month-mar", "same-place", "east-20km", "24.99km", "25km", "25.01km"]),
])
def test_nearby_limits_are_parameters(km, days, expected):
    assert ids(eventdetail.nearby(ROW["c"], INDEX, km=km, days=days)) == expected
    assert expected == reference_nearby("c", km=km, days=days)


@pytest.mark.parametrize("event_id", ["undated", "unlocated"])
def test_an_undated_or_unlocated_event_has_no_neighbours(event_id):
    assert ids(eventdetail.nearby(ROW[event_id], INDEX)) == []


def test_distances_are_haversine_kilometres():
    assert eventdetail.distances_km(LAT, LON, np.array([LAT + 25 * KM_NORTH]),
                                    np.array([LON]))[0] == pytest.approx(25, abs=1e-9)
    along_the_equator = eventdetail.distances_km(0, 0, np.array([0.0, 0.0]),
                                                 np.array([1.0, 180.0]))
    assert along_the_equator == pytest.approx([111.195, 20015.1], abs=0.1)


# ------------------------------------------------------------------ co-reported


@pytest.mark.parametrize(("event_id", "expected"), [
    ("c", ["8days-after", "same-place", "undated"]),  # a1 and a2
    ("same-place", ["c"]),
    ("24.99km", []),  # a3 is cited by nobody else
    ("far-away", []),  # its id names no article
    ("25km", []),  # cites nothing
])
def test_co_reported(event_id, expected):
    assert sorted(ids(eventdetail.co_reported(ROW[event_id], LINKS))) == expected
    assert expected == reference_co_reported(event_id)


@pytest.mark.parametrize("event_id", list(EVENTS["event_id"]))
def test_co_reported_matches_the_reference_for_every_event(event_id):
    assert sorted(ids(eventdetail.co_reported(ROW[event_id], LINKS))) == \
        reference_co_reported(event_id)


# ------------------------------------------------------------------ event_row


@pytest.mark.parametrize(("event_id", "expected"), [
    ("c", 0),
    ("week-precise", len(EVENTS) - 1),
    ("25km", 3),
    ("nope", None),
    ("", None),
    ("C", None),  # ids are compared exactly
])
def test_event_row(event_id, expected):
    assert eventdetail.event_row(EVENTS, event_id) == expected


def test_event_row_of_an_empty_frame_and_of_a_repeated_id():
    assert eventdetail.event_row(EVENTS.iloc[:0], "c") is None
    twice = pd.concat([EVENTS.iloc[[2]], EVENTS.iloc[[2]]], ignore_index=True)
    assert eventdetail.event_row(twice, "24.99km") == 0


# ------------------------------------------------------------------ words and links


@pytest.mark.parametrize(("event_id", "expected"), [
    ("c", "2024-03-10 (known to the day)"),
    ("month-feb", "2024-02 (known to the month: 2024-02-01 to 2024-02-29)"),
    ("zone-until-3-mar", "2024-01-01 until 2024-03-03 (known to the day: 2024-01-01 to "
                         "2024-03-03)"),
    ("week-precise", "2024-03-21 (known to within a few days (the date ± 3 days): "
                     "2024-03-18 to 2024-03-24)"),
    ("undated", "undated"),
])
def test_date_words(event_id, expected):
    assert eventdetail.date_words(EVENTS.iloc[ROW[event_id]]) == expected


def test_place_words():
    event = EVENTS.iloc[ROW["c"]].copy()
    assert eventdetail.place_words(event) == "place not given (54.0000, 24.0000: the exact place)"
    event["location"], event["country"], event["geo_precision"] = "Village", "LTU", "admin"
    assert eventdetail.place_words(event) == (
        "Village, LTU (54.0000, 24.0000: somewhere in the region named (the point is the "
        "region's))")
    assert eventdetail.place_words(EVENTS.iloc[ROW["unlocated"]]) == \
        "place not given (no coordinates)"


@pytest.mark.parametrize(("event_id", "query", "expected"), [
    ("t-1", {}, "events?event=t-1"),
    ("t 1&x=2", {"country": "POL,LTU"}, "events?country=POL%2CLTU&event=t+1%26x%3D2"),
    ("t-1", {"event": "old"}, "events?event=t-1"),  # the page's own key is replaced
])
def test_event_link(event_id, query, expected):
    assert eventdetail.event_link(event_id, query) == expected


@pytest.mark.parametrize(("query", "expected"), [
    ({}, "events"),
    ({"country": "POL", "q": "a b"}, "events?country=POL&q=a+b"),
])
def test_list_link(query, expected):
    assert eventdetail.list_link(query) == expected
