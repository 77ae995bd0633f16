"""The Overview's time frame: which events are in force in a frame, and playback steps."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from dashboard.eventindex import EventIndex
from dashboard.timeframe import Frame, add_months, steps

D = dt.date

# event_id, date_min, date_max, end_date: a day event, a month-precision report, a zone
# closed for a fortnight, a zone still in force, an undated event
EVENTS = [
    ("day", "2022-02-24", "2022-02-24", None),
    ("month", "2022-03-01", "2022-03-31", None),
    ("zone", "2021-08-20", "2021-09-02", "2021-09-02"),
    ("ongoing", "2023-06-01", "2023-06-01", "ongoing"),
    ("undated", None, None, None),
]


@pytest.fixture(scope="module")
def index() -> EventIndex:
    frame = pd.DataFrame(EVENTS, columns=["event_id", "date_min", "date_max", "end_date"])
    for column in ("date_min", "date_max"):
        frame[column] = pd.to_datetime(frame[column])
    frame["end_date"] = frame["end_date"].astype("str")
    return EventIndex(frame)


def reference(at: dt.date | None, window: str) -> list[str]:
    """A plain reading of the rule, one event at a time."""
    if at is None:
        return [e[0] for e in EVENTS]
    first = {"day": at, "week": at - dt.timedelta(days=6),
             "month": add_months(at, -1) + dt.timedelta(days=1), "all": D(1, 1, 1)}[window]
    kept = []
    for event_id, start, end, end_date in EVENTS:
        if start is None:
            continue
        last = D.max if end_date == "ongoing" else D.fromisoformat(end)
        if D.fromisoformat(start) <= at and last >= first:
            kept.append(event_id)
    return kept


@pytest.mark.parametrize(("at", "window", "expected"), [
    (None, "month", ["day", "month", "zone", "ongoing", "undated"]),
    (D(2022, 2, 24), "day", ["day"]),
    (D(2022, 2, 23), "day", []),
    (D(2022, 3, 2), "week", ["day", "month"]),  # 24 Feb to 2 Mar
    (D(2022, 3, 3), "week", ["month"]),
    (D(2022, 3, 2), "month", ["day", "month"]),
    (D(2022, 3, 24), "month", ["month"]),  # 25 Feb to 24 Mar: the day event is out
    (D(2021, 9, 1), "day", ["zone"]),  # a zone in force on every day of its span
    (D(2021, 9, 3), "day", []),  # and on none after its end_date
    (D(2021, 8, 19), "week", []),  # nor before it started
    (D(2030, 1, 1), "day", ["ongoing"]),  # still in force
    (D(2023, 5, 31), "day", []),
    (D(2022, 3, 1), "all", ["day", "month", "zone"]),
    (D(2030, 1, 1), "all", ["day", "month", "zone", "ongoing"]),
])
def test_the_frame_keeps_the_events_in_force(index, at, window, expected):
    kept = list(np.asarray(index.events["event_id"])[Frame(at, window).mask(index)])
    assert kept == expected == reference(at, window)


@pytest.mark.parametrize(("query", "frame", "notices"), [
    ({}, Frame(), 0),
    ({"at": "2022-02-24"}, Frame(D(2022, 2, 24)), 0),
    ({"at": ["2022-02-24"], "window": "WEEK"}, Frame(D(2022, 2, 24), "week"), 0),
    ({"at": "24.02.2022", "window": "year"}, Frame(), 2),
    ({"at": "2022-02-24T10:00"}, Frame(), 1),
    ({"at": "", "window": "all", "country": "POL"}, Frame(None, "all"), 0),
])
def test_frames_from_the_url(query, frame, notices):
    parsed, said = Frame.from_query(query)
    assert (parsed, len(said)) == (frame, notices)
    assert Frame.from_query(parsed.to_query())[0] == (parsed if parsed.at else Frame())


def test_a_bad_window_cannot_be_built():
    with pytest.raises(ValueError, match="window 'year'"):
        Frame(D(2022, 1, 1), "year")


@pytest.mark.parametrize(("first", "last", "window", "expected"), [
    (D(2022, 1, 30), D(2022, 2, 2), "day",
     [D(2022, 1, 30), D(2022, 1, 31), D(2022, 2, 1), D(2022, 2, 2)]),
    (D(2022, 1, 1), D(2022, 1, 20), "week", [D(2022, 1, 7), D(2022, 1, 14), D(2022, 1, 20)]),
    (D(2022, 1, 31), D(2022, 4, 15), "month",
     [D(2022, 2, 27), D(2022, 3, 30), D(2022, 4, 15)]),  # one month after each start
    (D(2022, 1, 1), D(2022, 3, 31), "all", [D(2022, 1, 31), D(2022, 2, 28), D(2022, 3, 31)]),
    (D(2022, 1, 1), D(2022, 1, 1), "month", [D(2022, 1, 1)]),
    (D(2022, 2, 1), D(2022, 1, 1), "day", []),
])
def test_playback_steps(first, last, window, expected):
    assert steps(first, last, window) == expected


def test_playback_steps_are_bounded():
    assert len(steps(D(1, 1, 1), D(9999, 12, 31), "day")) == 5_000


@pytest.mark.parametrize(("date", "months", "expected"), [
    (D(2022, 1, 31), 1, D(2022, 2, 28)),
    (D(2024, 3, 31), -1, D(2024, 2, 29)),
    (D(2022, 12, 15), 1, D(2023, 1, 15)),
    (D(2023, 1, 15), -13, D(2021, 12, 15)),
])
def test_add_months(date, months, expected):
    assert add_months(date, months) == expected
