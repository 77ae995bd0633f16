"""Validation: each rule's reason, derived date bounds, dtypes, and accepted + rejected = read."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.schema import DERIVED_COLUMNS, EVENT_COLUMNS
from dashboard.validate import rejected_row_count, validate_articles, validate_events

TOPICS = ["strike", "border_zone", "other"]
BASE = {"event_id": "e1", "event_date": "2024-03-15", "topic": "strike",
        "verification": "reported"}


def run(**overrides):
    raw = pd.DataFrame([{**BASE, **overrides}]).astype("str")
    return validate_events(raw, "t.csv", topics=TOPICS)


@pytest.mark.parametrize(
    ("overrides", "column", "reason"),
    [
        ({"event_date": "2022-13-40"}, "event_date",
         "bad date '2022-13-40' (expected YYYY-MM-DD, YYYY-MM or YYYY)"),
        ({"event_date": "2023-02-29"}, "event_date",
         "bad date '2023-02-29' (expected YYYY-MM-DD, YYYY-MM or YYYY)"),
        ({"latitude": "95", "longitude": "20"}, "latitude", "latitude 95 out of range -90..90"),
        ({"latitude": "52", "longitude": "190"}, "longitude",
         "longitude 190 out of range -180..180"),
        ({"latitude": "north", "longitude": "20"}, "latitude",
         "latitude 'north' is not a number"),
        ({"latitude": "52"}, "longitude", "latitude given without longitude"),
        ({"topic": "foo"}, "topic", "unknown topic 'foo' (see data/topics.csv)"),
        ({"topic": None}, "topic", "missing required field topic"),
        ({"verification": "maybe"}, "verification",
         "unknown verification 'maybe' (expected confirmed, reported, claimed, alleged or "
         "disputed)"),
        ({"event_id": " "}, "event_id", "missing required field event_id"),
        ({"geometry_wkt": "POLYGON((0 0, 1 1"}, "geometry_wkt",
         "bad geometry_wkt: ParseException: Expected word but encountered end of stream"),
        ({"geometry_wkt": "POINT (52 190)"}, "geometry_wkt",
         "bad geometry_wkt: coordinates outside -180..180 / -90..90 (WKT is longitude latitude)"),
        ({"country": "XYZ"}, "country",
         "unknown country code 'XYZ' (expected ISO 3166-1 alpha-3, e.g. POL)"),
        ({"countries_involved": "POL; QQQ"}, "countries_involved",
         "unknown country code in countries_involved 'POL; QQQ' (expected ISO3 codes "
         "separated by ';')"),
        ({"fatalities": "-1"}, "fatalities", "fatalities '-1' is not a whole number of 0 or more"),
        ({"fatalities": "2.5"}, "fatalities",
         "fatalities '2.5' is not a whole number of 0 or more"),
        ({"fatalities": "inf"}, "fatalities",
         "fatalities 'inf' is not a whole number of 0 or more"),
        ({"fatalities": "1e30"}, "fatalities",
         "fatalities '1e30' is larger than 9,007,199,254,740,991"),
        ({"event_date": "2024-03", "date_precision": "day"}, "date_precision",
         "date_precision 'day' is finer than event_date '2024-03' (a month)"),
        ({"date_precision": "hour"}, "date_precision",
         "unknown date_precision 'hour' (expected day, week, month or year)"),
        ({"event_date": None, "date_precision": "day"}, "date_precision",
         "date_precision 'day' given without an event_date"),
        ({"end_date": "2024-03-01"}, "end_date",
         "end_date '2024-03-01' is before event_date '2024-03-15'"),
        ({"event_date": None, "end_date": "ongoing"}, "end_date",
         "end_date 'ongoing' given without an event_date"),
        ({"end_date": "ongoingish"}, "end_date",
         "bad end_date 'ongoingish' (expected YYYY-MM-DD, YYYY-MM or YYYY)"),
        ({"geo_precision": "close"}, "geo_precision",
         "unknown geo_precision 'close' (expected exact, near, admin or country)"),
    ],
)
def test_each_rule_rejects_with_its_reason(overrides, column, reason):
    events, rejected = run(**overrides)
    assert events.empty
    assert rejected_row_count(rejected) == 1
    assert (column, reason) in set(zip(rejected["column"], rejected["reason"], strict=True))
    assert rejected["row"].tolist()[0] == 1


def test_duplicate_id_names_first_row():
    raw = pd.DataFrame([BASE, {**BASE, "event_id": "e2"}, BASE]).astype("str")
    events, rejected = validate_events(raw, "t.csv", topics=TOPICS)
    assert events["event_id"].tolist() == ["e1", "e2"]
    assert rejected[["row", "reason"]].values.tolist() == [
        [3, "duplicate event_id 'e1' (first seen at row 1)"]]


DATE_CASES = [
    # (a date cell, its first day or None, its shape or None, bad)
    ("2024-03-05", "2024-03-05", "day", False),
    ("2024-03", "2024-03-01", "month", False),
    ("2024", "2024-01-01", "year", False),
    ("2024-03-05T10:30:00Z", "2024-03-05", "day", False),
    ("2024-02-30", None, None, True),
    ("2024-13", None, None, True),
    ("24-03-05", None, None, True),
    ("1600", None, None, True),  # outside the days a datetime64[ns] holds
    ("2261-12-31", "2261-12-31", "day", False),
    (None, None, None, False),
]


@pytest.mark.parametrize(("cell", "first", "shape", "bad"), DATE_CASES)
def test_a_date_parses_alone_as_it_does_among_others(cell, first, shape, bad):
    """Each distinct date is parsed once and its result spread to every row holding it:
    a row's result is the same alone, repeated, and beside every other case."""
    from dashboard.validate import parse_partial_dates

    others = [case[0] for case in DATE_CASES]
    cells = [cell, *others, cell, *reversed(others), cell]
    index = pd.RangeIndex(100, 100 + 2 * len(cells), 2)  # a frame's index need not be 0..n
    start, shapes, flags = parse_partial_dates(pd.Series(cells, index=index, dtype="str"))
    for at in (0, len(others) + 1, len(cells) - 1):
        assert start.iloc[at] == (pd.Timestamp(first) if first else pd.NaT) or (
            first is None and pd.isna(start.iloc[at]))
        assert (None if pd.isna(shapes.iloc[at]) else shapes.iloc[at]) == shape
        assert bool(flags.iloc[at]) is bad
    assert list(start.index) == list(index) == list(shapes.index) == list(flags.index)
    assert start.dtype == "datetime64[ns]" and shapes.dtype == "str" and flags.dtype == bool


@pytest.mark.parametrize(("cell", "stored", "unknown"), [
    ("pol;blr", "POL; BLR", False),
    ("POL; BLR", "POL; BLR", False),
    ("pol; pol;POL", "POL", False),  # each code once
    ("XXX; pol", "XXX; POL", True),
    ("xkx", "XKX", False),  # Kosovo's user-assigned code
    (";", None, False),  # no code at all: missing, not unknown
    (None, None, False),
])
def test_a_country_list_is_stored_and_checked_the_same_alone_and_among_others(
        cell, stored, unknown):
    """Each distinct list is worked out once and spread to every row holding it."""
    from dashboard.validate import _country_lists

    cells = ["POL", cell, "pol;blr", None, cell, "XXX", cell]
    index = pd.RangeIndex(7, 14)
    lists, flags = _country_lists(pd.Series(cells, index=index, dtype="str"))
    for at in (1, 4, 6):
        assert (None if pd.isna(lists.iloc[at]) else lists.iloc[at]) == stored
        assert bool(flags.iloc[at]) is unknown
    assert lists.iloc[[0, 2, 3, 5]].fillna("-").tolist() == ["POL", "POL; BLR", "-", "XXX"]
    assert flags.iloc[[0, 2, 3, 5]].tolist() == [False, False, False, True]
    assert list(lists.index) == list(flags.index) == list(index)
    assert lists.dtype == "str" and flags.dtype == bool


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "é", "a "])),
                max_size=30))
def test_duplicates_match_a_plain_reference(values):
    """Every repeat of an id after its first, never a missing id, and the first row named."""
    from dashboard.validate import _duplicates

    ids = pd.Series(values, dtype="str")
    rows = [10 + 2 * i for i in range(len(values))]  # source rows need not be 1..n
    duplicate, first_row = _duplicates(ids, rows)
    firsts: dict[str, int] = {}
    for i, value in enumerate(values):
        if value is None:
            assert not duplicate.iloc[i]
            continue
        assert duplicate.iloc[i] == (value in firsts)
        firsts.setdefault(value, rows[i])
        if duplicate.iloc[i]:
            assert first_row.iloc[i] == firsts[value]


@pytest.mark.parametrize(("values", "ordered"), [
    (["e1", "e2", "e3"], True),
    (["e3", "e2", "e1"], True),  # falling order too
    (["e1", None, "e2", None, "e3"], True),  # missing ids are never repeats
    (["e1", "e2", "e2"], False),  # a repeat next to its first
    (["e1", "e3", "e2"], False),  # no order: the hash decides
    (["e1", "e2", "e1"], False),
    (["a", "a"], False),
    (["e1"], True),
    ([None, None], True),
    ([], True),
    (["B", "a", "é"], True),  # byte order: capitals before small letters before é
])
def test_ids_in_order_are_known_to_be_distinct_without_a_hash(values, ordered):
    """Strictly rising or falling ids cannot repeat: the duplicate check stops there."""
    from dashboard.validate import _duplicates, _strictly_ordered

    ids = pd.Series(values, dtype="str")
    assert _strictly_ordered(ids) is ordered
    rows = np.arange(3, 3 + len(values))
    duplicate, first_row = _duplicates(ids, rows)
    if ordered:
        assert not duplicate.any() and first_row.tolist() == rows.tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "é", "a ", "B"]), max_size=30),
       st.booleans())
def test_duplicates_of_sorted_ids_match_a_plain_reference(values, falling):
    """Sorted ids (as a file written in id order holds them), repeats or none."""
    from dashboard.validate import _duplicates

    values = sorted(values, reverse=falling)
    duplicate, _ = _duplicates(pd.Series(values, dtype="str"), list(range(len(values))))
    assert duplicate.tolist() == [value in values[:i] for i, value in enumerate(values)]


def test_source_rows_are_reported():
    raw = pd.DataFrame([BASE, {**BASE, "event_id": "e2", "topic": "foo"}]).astype("str")
    raw.attrs["source_rows"] = [4, 9]
    _, rejected = validate_events(raw, "t.csv", topics=TOPICS)
    assert rejected["row"].tolist() == [9]


@pytest.mark.parametrize(
    ("date", "precision", "end", "date_min", "date_max", "stored"),
    [
        ("2024-03-15", None, None, "2024-03-15", "2024-03-15", "day"),
        ("2024-03-15", "week", None, "2024-03-12", "2024-03-18", "week"),
        ("2024-03-15", "month", None, "2024-03-01", "2024-03-31", "month"),
        ("2024-02", None, None, "2024-02-01", "2024-02-29", "month"),
        ("2023", None, None, "2023-01-01", "2023-12-31", "year"),
        ("2024-03-15", "year", None, "2024-01-01", "2024-12-31", "year"),
        ("2024-03-15", None, "2024-04", "2024-03-15", "2024-04-30", "day"),
        ("2024-03-15T00:00:00", None, None, "2024-03-15", "2024-03-15", "day"),
        # still in force: its own period bounds the dates, the index leaves it open-ended
        ("2024-03-15", None, "Ongoing", "2024-03-15", "2024-03-15", "day"),
        ("2024-03", None, "ongoing", "2024-03-01", "2024-03-31", "month"),
    ],
)
def test_date_bounds(date, precision, end, date_min, date_max, stored):
    events, rejected = run(event_date=date, date_precision=precision, end_date=end)
    assert rejected.empty
    row = events.iloc[0]
    assert row["date_min"] == pd.Timestamp(date_min)
    assert row["date_max"] == pd.Timestamp(date_max)
    assert row["date_precision"] == stored
    assert row["event_date"] == date[:10]
    if end is not None and end.lower() == "ongoing":
        assert row["end_date"] == "ongoing"


NUMBER_TEXT = ["1e1", "+3", ".5", "5.", "-0", "00012", "53.1234567890123456789", "1.5e-3",
               "52,5", "-7,25"]


def test_numbers_parse_alike_with_and_without_a_bad_cell():
    """A column of good numbers is parsed by Arrow, one with a bad cell by pandas: both
    must read every good cell the same way."""
    def latitudes(extra):
        values = NUMBER_TEXT + extra
        raw = pd.DataFrame([{**BASE, "event_id": f"e{i}", "latitude": v, "longitude": "20",
                             "fatalities": "2"} for i, v in enumerate(values)]).astype("str")
        events, rejected = validate_events(raw, "t.csv", topics=TOPICS)
        return events["latitude"].tolist()[:len(NUMBER_TEXT)], rejected

    arrow, none_rejected = latitudes([])
    plain, one_rejected = latitudes(["north"])
    assert none_rejected.empty and one_rejected["reason"].tolist() == [
        "latitude 'north' is not a number"]
    assert arrow == plain == [10.0, 3.0, 0.5, 5.0, 0.0, 12.0, 53.123456789012344, 0.0015,
                              52.5, -7.25]


def test_undated_event_has_no_bounds():
    events, _ = run(event_date=None)
    assert pd.isna(events["date_min"].iloc[0]) and pd.isna(events["date_precision"].iloc[0])


def test_normalisation_and_dtypes():
    events, rejected = run(topic=" Strike ", verification="Confirmed", country="xkx",
                           countries_involved="pol;ltu; POL", actors=" A ;B;; A",
                           latitude="52,5", longitude="23.1", fatalities="3.0", summary="  ")
    assert rejected.empty
    row = events.iloc[0]
    assert (row["topic"], row["verification"], row["country"]) == ("strike", "confirmed", "XKX")
    assert row["countries_involved"] == "POL; LTU"
    assert row["actors"] == "A; B"
    assert (row["latitude"], row["fatalities"]) == (52.5, 3)
    assert pd.isna(row["summary"])
    assert row["source_dataset"] == "t.csv"
    assert list(events.columns) == EVENT_COLUMNS + DERIVED_COLUMNS
    assert events["latitude"].dtype == "float64"
    assert events["fatalities"].dtype == "Int64"
    assert events["event_id"].dtype == "str"
    assert str(events["date_min"].dtype) == "datetime64[ns]"


def test_missing_event_id_column_rejects_every_row():
    raw = pd.DataFrame({"topic": ["strike", "strike"], "verification": ["reported"] * 2})
    events, rejected = validate_events(raw.astype("str"), "t.csv", topics=TOPICS)
    assert events.empty and rejected_row_count(rejected) == 2
    assert set(rejected["reason"]) == {"missing required field event_id"}


def test_articles_rules():
    raw = pd.DataFrame({
        "article_id": ["a1", "a2", "a1", None, "a5"],
        "url": ["https://x.org/p", "javascript:alert(1)", None, "http://y.org", None],
        "published": ["2024-03", None, None, None, "2024-13-01"],
        "title": ["T", "T", "T", "T", "Заголовок"],
    }).astype("str")
    articles, rejected = validate_articles(raw, "a.csv")
    assert articles["article_id"].tolist() == ["a1"]
    assert articles["published"].tolist() == ["2024-03"]
    assert rejected["reason"].tolist() == [
        "url 'javascript:alert(1)' is not an http(s) address",
        "duplicate article_id 'a1' (first seen at row 1)",
        "missing required field article_id",
        "bad published date '2024-13-01' (expected YYYY-MM-DD, YYYY-MM or YYYY)",
    ]


CELL = st.one_of(st.none(), st.text(max_size=12),
                 st.sampled_from(["2024-01-05", "2024-13", "strike", "reported", "95", "-5",
                                  "POL", "day", "week", "POINT (1 2)", "x; y", "''", "e1"]))
ROW = st.fixed_dictionaries({c: CELL for c in EVENT_COLUMNS})


@settings(max_examples=30, deadline=None)
@given(st.lists(ROW, max_size=25))
def test_accepted_plus_rejected_is_rows_read(rows):
    raw = pd.DataFrame(rows, columns=EVENT_COLUMNS).astype("str")
    events, rejected = validate_events(raw, "garbage.csv", topics=TOPICS)
    assert len(events) + rejected_row_count(rejected) == len(raw)
    assert rejected["reason"].notna().all()


def test_validating_never_imports_pyspark_pandas():
    """pandera would import PySpark's pandas API (seconds, a warning on pandas 3, and a patch
    of pandas' classes) whenever the spark extra is installed; validation needs none of it."""
    import subprocess
    import sys

    pytest.importorskip("pyspark")
    code = ("import sys, pandas as pd\n"
            "from dashboard.validate import validate_events\n"
            "validate_events(pd.DataFrame({'event_id': ['e1']}, dtype='str'), 'f.csv')\n"
            "print(sorted(name for name, module in sys.modules.items()\n"
            "             if name.startswith('pyspark') and module is not None))\n")
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert shown.stdout.strip() == "[]"
    assert "FutureWarning" not in shown.stderr
