"""The Overview's time frame: one day, week or month ending on a date, or all up to it.

Playback steps a ``Frame`` through the filtered date range; the map and the headline
numbers show the events *in force* during the frame: an event whose days (its date at
its precision, through its ``end_date``, open-ended when "ongoing") overlap the frame's
days. So a closed border zone is drawn in every frame it was closed, and a month-precision
report in every frame of its month. The frame lives in the URL (``at=YYYY-MM-DD``,
``window=day|week|month|all``) beside the filter, so "the border on 24 February 2022" is a
link. Undated events have no place in time and are in no frame.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dashboard.eventindex import EventIndex, day_number
from dashboard.i18n import ENGLISH, N_, Sayable, Translator

#: Frame lengths; "all" is cumulative: every event from the start up to ``at``.
WINDOWS: tuple[str, ...] = ("day", "week", "month", "all")
DEFAULT_WINDOW = "month"
MAX_STEPS = 5_000  # a playback over 2,000 years of days is cut to this many frames


def add_months(date: dt.date, months: int) -> dt.date:
    """``date`` moved by whole calendar months, kept to the last day of a shorter month."""
    month_index = date.year * 12 + date.month - 1 + months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(date.day, last))


def _step(date: dt.date, window: str, count: int = 1) -> dt.date:
    if window == "day":
        return date + dt.timedelta(days=count)
    if window == "week":
        return date + dt.timedelta(days=7 * count)
    return add_months(date, count)  # "month", and the cumulative frame steps by months


@dataclass(frozen=True)
class Frame:
    """A frame of ``window`` ending on ``at`` (no ``at``: no frame, everything shown)."""

    at: dt.date | None = None
    window: str = DEFAULT_WINDOW

    def __post_init__(self) -> None:
        if self.window not in WINDOWS:
            raise ValueError(f"window {self.window!r} is not one of {', '.join(WINDOWS)}")

    @classmethod
    def from_query(cls, params: Mapping[str, str | Sequence[str]]) -> tuple[Frame, list[str]]:
        """The frame of URL parameters ``at`` and ``window``; bad values become notices
        (and are left out), every other key is ignored."""
        notices: list[str] = []

        def first(key: str) -> str | None:
            value = params.get(key)
            if value is None:
                return None
            text = value if isinstance(value, str) else (value[0] if value else "")
            return text.strip() or None

        at_text, window_text = first("at"), first("window")
        at = None
        if at_text is not None:
            try:
                at = dt.date.fromisoformat(at_text) if len(at_text) == 10 else None
                if at is None:
                    raise ValueError(at_text)
            except ValueError:
                notices.append(Sayable(N_("Time frame: 'at' {value} is not a date in the form "
                                          "YYYY-MM-DD; ignored."), value=repr(at_text[:40])))
        window = DEFAULT_WINDOW
        if window_text is not None:
            if window_text.lower() in WINDOWS:
                window = window_text.lower()
            else:
                notices.append(Sayable(N_("Time frame: 'window' {value} is not one of {windows}; "
                                          "ignored."), value=repr(window_text[:40]),
                                       windows=", ".join(WINDOWS)))
        return cls(at, window), notices

    def to_query(self) -> dict[str, str]:
        """URL parameters of this frame (nothing when there is no frame)."""
        if self.at is None:
            return {}
        query = {"at": self.at.isoformat()}
        if self.window != DEFAULT_WINDOW:
            query["window"] = self.window
        return query

    @property
    def first_day(self) -> dt.date | None:
        """The frame's first day (None: from the beginning, or no frame)."""
        if self.at is None or self.window == "all":
            return None
        return _step(self.at, self.window, -1) + dt.timedelta(days=1)

    def mask(self, index: EventIndex) -> np.ndarray:
        """Per event: is it in force on some day of the frame? (All True with no frame.)"""
        if self.at is None:
            return np.ones(index.size, dtype=bool)
        keep = index.dated & (index.day_min <= day_number(self.at))
        first = self.first_day
        if first is not None:
            keep &= index.day_end >= day_number(first)
        return keep

    def describe(self, t: Translator = ENGLISH) -> str:
        """The frame in words, for the caption under the time control."""
        if self.at is None:
            return t.gettext("all dates")
        if self.window == "all":
            return t.gettext("everything up to {last}").format(last=t.date(self.at))
        if self.window == "day" or self.first_day is None:
            return t.gettext("in force on {day}").format(day=t.date(self.at))
        return t.gettext("in force from {first} to {last}").format(
            first=t.date(self.first_day), last=t.date(self.at))


def steps(first: dt.date, last: dt.date, window: str) -> list[dt.date]:
    """The frames' end days of a playback from ``first`` to ``last``: one step of
    ``window`` apart (months for the cumulative frame), the last always ``last``."""
    if last < first:
        return []
    ends: list[dt.date] = []
    before = dt.timedelta(0) if window == "day" else dt.timedelta(days=1)
    count = 0 if window == "day" else 1
    while len(ends) < MAX_STEPS - 1:
        end = _step(first, window, count) - before
        if end >= last:
            break
        ends.append(end)
        count += 1
    ends.append(last)
    return ends
