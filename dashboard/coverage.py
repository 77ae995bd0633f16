"""Counts that warn: when the sources behind the events change, and headline changes read
against a baseline.

A count of events rises and falls with the reporting behind it as much as with the events:
VIINA's monthly counts fell five-fold in January 2025 because its sources changed, not
because the war did. So the Overview says when the number of distinct sources behind the
filtered events jumps or drops sharply from one month to the next (``coverage_changes``),
and it reads its headline changes the way ACLED's early-warning tools do: the current
period against the average of the periods before it, with small numbers read as "little
change" rather than +300% (``change``). Thresholds and their sources: docs/coverage.md.

Everything here runs on integer arrays of the whole dataset under a row mask (the
``EventIndex`` and ``ArticleLinks`` the app already keeps), so a re-run copies no rows,
and what it returns is a handful of months, whatever the row count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from dashboard import store
from dashboard.aggregate import Headline, previous_period
from dashboard.eventindex import EventIndex, day_date
from dashboard.filters import ArticleLinks, Filters
from dashboard.i18n import ENGLISH, N_, Translator

# --------------------------------------------------------------------------- coverage

COVERAGE_RATIO = 3.0  # consecutive months whose sources differ by this factor or more
MIN_SOURCES = 10  # ... and where the larger month has at least this many sources
LONGEST_DATED_SPAN = 31  # days: events dated more loosely (a year) belong to no month



def source_codes(articles: pd.DataFrame) -> np.ndarray:
    """Per article row, the source it counts as: one code per outlet (trimmed, case
    ignored), and a code of its own for each article without an outlet (one report)."""
    # each distinct spelling folded once (pandas folds case in Python, cell by cell: a
    # seventh of a second for 600k articles naming a few hundred outlets)
    spelt, spellings = pd.factorize(articles["outlet"].astype("str"), use_na_sentinel=True)
    folded = pd.Series(spellings, dtype="str").str.strip().str.casefold()
    folded_codes, labels = pd.factorize(folded.where(folded != ""), use_na_sentinel=True)
    codes = np.append(np.asarray(folded_codes, dtype=np.int64), -1)[spelt]
    unnamed = codes < 0
    codes[unnamed] = len(labels) + np.flatnonzero(unnamed)
    return codes


@dataclass(frozen=True)
class CoverageIndex:
    """What counting sources per month needs, built once per dataset.

    Each counted event has a cell, (source dataset, month); each citation of one, a
    distinct (cell, source) pair. Under a mask, the pairs of the selected events' citations
    are flagged and counted per cell: no sort and no string work per re-run.
    """

    datasets: list[str]  # cell // months → this source dataset ("" for none)
    first_month: int  # months since 1970-01 of cell offset 0
    months: int  # months per dataset
    event_cell: np.ndarray  # per event row: its cell, -1 when it belongs to no month
    link_events: np.ndarray  # per citation of a counted event: the event row
    link_pair: np.ndarray  # ... and its (cell, source) pair
    pair_cell: np.ndarray  # per distinct pair: its cell

    ARRAYS: ClassVar[tuple[str, ...]] = ("event_cell", "link_events", "link_pair",
                                         "pair_cell")  # what to_stored keeps as arrays

    @classmethod
    def build(cls, index: EventIndex, links: ArticleLinks,
              articles: pd.DataFrame) -> CoverageIndex:
        """Cells of ``index``'s events and the distinct (cell, source) pairs of their
        citations in ``links`` over ``articles``."""
        counted = index.dated & ((index.day_max - index.day_min) <= LONGEST_DATED_SPAN)
        datasets = index.source_dataset
        labels = [*(str(label) for label in datasets.labels), ""]
        if not counted.any():
            empty = np.zeros(0, dtype=np.int64)
            return cls(labels, 0, 0, np.full(index.size, -1, dtype=np.int64), empty, empty,
                       empty)
        dataset = datasets.codes.astype(np.int64)
        dataset[dataset < 0] = len(labels) - 1  # events without a source dataset
        months = index.month[counted]
        first, span = int(months.min()), int(months.max() - months.min()) + 1
        event_cell = np.full(index.size, -1, dtype=np.int64)
        event_cell[counted] = dataset[counted] * span + (months - first)
        cells = event_cell[links.event_rows]
        cited = cells >= 0
        codes = source_codes(articles)[links.article_rows[cited]]
        width = int(codes.max(initial=-1)) + 1
        link_pair, pairs = pd.factorize(cells[cited] * width + codes)  # hashing: no sort
        return cls(labels, first, span, event_cell, links.event_rows[cited],
                   np.asarray(link_pair, dtype=np.int64),
                   np.asarray(pairs, dtype=np.int64) // max(width, 1))

    @property
    def cells(self) -> int:
        return len(self.datasets) * self.months

    def to_stored(self) -> dict[str, Any]:
        """Arrays and JSON values for ``store.save_extra`` (``from_stored`` reads them)."""
        return {"datasets": self.datasets, "first_month": self.first_month,
                "months": self.months, **{name: getattr(self, name) for name in self.ARRAYS}}

    @classmethod
    def from_stored(cls, stored: dict[str, Any], events: int) -> CoverageIndex | None:
        """The index ``to_stored`` kept, for a dataset of ``events`` rows; None when any
        part is missing, of another kind or out of range (the caller builds it again:
        stored numbers are checked, never trusted to index with)."""
        datasets, first, months = (stored.get(k) for k in ("datasets", "first_month", "months"))
        if not (isinstance(datasets, list) and all(isinstance(d, str) for d in datasets)
                and isinstance(first, int) and isinstance(months, int) and months >= 0):
            return None
        arrays: list[np.ndarray] = []
        for name in cls.ARRAYS:
            values = stored.get(name)
            if not (isinstance(values, np.ndarray) and values.dtype == np.int64):
                return None
            arrays.append(values)
        event_cell, link_events, link_pair, pair_cell = arrays
        cells = len(datasets) * months
        if not (event_cell.shape == (events,) and store.integers_within(event_cell, -1, cells)
                and len(link_pair) == len(link_events)
                and store.integers_within(link_events, 0, events)
                and store.integers_within(link_pair, 0, len(pair_cell))
                and store.integers_within(pair_cell, 0, cells)):
            return None
        return cls(datasets, first, months, event_cell, link_events, link_pair, pair_cell)


@dataclass(frozen=True)
class CoverageChange:
    """One month whose sources differ sharply from the month before."""

    month: str  # "YYYY-MM"
    before: int  # distinct sources in the month before
    after: int  # distinct sources in this month
    dataset: str | None  # the source dataset, when the events come from more than one

    @property
    def rose(self) -> bool:
        return self.after > self.before

    def describe(self, t: Translator = ENGLISH) -> str:
        """The notice, in words (data-derived parts: escape before rendering as Markdown)."""
        if self.dataset and self.rose:
            text = t.gettext("{month}: coverage changed. The distinct sources behind the "
                             "events of {dataset} rose from {before} in the month before to "
                             "{after}, so a change in the counts there may be a change in "
                             "reporting, not in events.")
        elif self.dataset:
            text = t.gettext("{month}: coverage changed. The distinct sources behind the "
                             "events of {dataset} fell from {before} in the month before to "
                             "{after}, so a change in the counts there may be a change in "
                             "reporting, not in events.")
        elif self.rose:
            text = t.gettext("{month}: coverage changed. The distinct sources behind the "
                             "events rose from {before} in the month before to {after}, so a "
                             "change in the counts there may be a change in reporting, not "
                             "in events.")
        else:
            text = t.gettext("{month}: coverage changed. The distinct sources behind the "
                             "events fell from {before} in the month before to {after}, so a "
                             "change in the counts there may be a change in reporting, not "
                             "in events.")
        return text.format(month=self.month, dataset=self.dataset, before=t.number(self.before),
                           after=t.number(self.after))


def monthly_sources(coverage: CoverageIndex, mask: np.ndarray | None = None) -> pd.DataFrame:
    """Distinct sources behind the selected events, per source dataset and month.

    Columns ``dataset``, ``month`` ("YYYY-MM"), ``events`` and ``sources``; one row for
    every month from each dataset's first to its last month with a selected counted event
    (months between with none have 0 of both). An event counts in the month of its first
    possible day when its dates span at most ``LONGEST_DATED_SPAN`` days; events that
    cite no article add no source.
    """
    empty = pd.DataFrame({"dataset": pd.Series(dtype="str"), "month": pd.Series(dtype="str"),
                          "events": pd.Series(dtype="int64"),
                          "sources": pd.Series(dtype="int64")})
    selected = coverage.event_cell >= 0
    if mask is not None:
        selected &= mask
    if not selected.any():
        return empty
    events = np.bincount(coverage.event_cell[selected], minlength=coverage.cells)
    hit = np.zeros(len(coverage.pair_cell), dtype=bool)
    hit[coverage.link_pair[selected[coverage.link_events]]] = True
    counts = np.bincount(coverage.pair_cell[hit], minlength=coverage.cells)
    span = coverage.months
    rows = []
    for code, name in enumerate(coverage.datasets):
        present = np.flatnonzero(events[code * span:(code + 1) * span])
        if not len(present):
            continue
        for offset in range(int(present[0]), int(present[-1]) + 1):
            slot = code * span + offset
            month = np.datetime64(coverage.first_month + offset, "M").astype(str)
            rows.append((name, month, int(events[slot]), int(counts[slot])))
    return pd.DataFrame(rows, columns=list(empty.columns)).astype(empty.dtypes.to_dict())



def coverage_changes(monthly: pd.DataFrame, *, ratio: float = COVERAGE_RATIO,
                     minimum: int = MIN_SOURCES) -> list[CoverageChange]:
    """Months whose sources are ``ratio`` times more or fewer than the month before's,
    where the larger of the two has at least ``minimum`` sources, oldest first.

    ``monthly`` is ``monthly_sources``: each dataset is compared with itself, so one
    dataset's change is not hidden by another's steady reporting. A month without any
    counted event says nothing about coverage, so no pair with one is compared; a month
    with events and no source is (0 counts as 1 in the ratio).
    """
    found = []
    several = monthly["dataset"].nunique() > 1
    for name, months in monthly.groupby("dataset", sort=True):
        counts, events = months["sources"].to_numpy(), months["events"].to_numpy()
        for i in range(1, len(counts)):
            if not (events[i - 1] and events[i]):
                continue
            before, after = int(counts[i - 1]), int(counts[i])
            if max(before, after) >= minimum and \
                    max(before, after) >= ratio * max(min(before, after), 1):
                found.append(CoverageChange(str(months["month"].iloc[i]), before, after,
                                            str(name) if several and name else None))
    return sorted(found, key=lambda change: (change.month, change.dataset or ""))


def coverage_months(changes: list[CoverageChange]) -> list[str]:
    """The distinct months named by ``changes``, oldest first."""
    return sorted({change.month for change in changes})


# --------------------------------------------------------------------------- headline changes

BASELINE_PERIODS = 4  # the current period is read against the average of this many before it
LARGE_CHANGE = 0.25  # more than +25% or less than -25%: a large increase or decrease
MODERATE_CHANGE = 0.10  # +10% to +25%: a moderate increase
LOW_BASELINE = 2.0  # at most this many on average before ...
LOW_CURRENT = 5  # ... and at most this many now: "little change", whatever the percentage


LEVEL_WORDS = {  # ACLED's change levels ("limited change" read as "little change")
    "large increase": N_("large increase"),
    "moderate increase": N_("moderate increase"),
    "little change": N_("little change"),
    "large decrease": N_("large decrease"),
}


@dataclass(frozen=True)
class Change:
    """A headline number against the average of the equal periods before it."""

    current: int
    baseline: float  # the average of the earlier periods
    periods: int  # how many earlier periods the average is over

    @property
    def low_count(self) -> bool:
        """Too few to read a percentage from (ACLED's guard against low baseline activity)."""
        return self.baseline <= LOW_BASELINE and self.current <= LOW_CURRENT

    @property
    def percent(self) -> float | None:
        """The change in per cent of the baseline; None when the baseline is 0."""
        if self.baseline == 0:
            return None
        return (self.current - self.baseline) / self.baseline * 100

    @property
    def level(self) -> str:
        """ACLED's change levels, in words."""
        if self.low_count:
            return "little change"
        if self.percent is None or self.percent > LARGE_CHANGE * 100:
            return "large increase"
        if self.percent > MODERATE_CHANGE * 100:
            return "moderate increase"
        if self.percent >= -LARGE_CHANGE * 100:
            return "little change"
        return "large decrease"

    def describe(self, t: Translator = ENGLISH) -> str:
        """The delta shown under the number, e.g. "+40% (large increase; average 12.5)"."""
        average = t.number(round(self.baseline, 1))
        if self.low_count:
            return t.gettext("little change (few: average {average})").format(average=average)
        level = t.gettext(LEVEL_WORDS[self.level])
        if self.percent is None:
            return t.gettext("new ({level}; average {average})").format(level=level,
                                                                        average=average)
        rounded = round(self.percent)
        percent = ("+" if rounded >= 0 else "-") + t.number(abs(rounded))
        return t.gettext("{percent}% ({level}; average {average})").format(
            percent=percent, level=level, average=average)


def change(current: int, earlier: list[int]) -> Change | None:
    """``current`` against the average of ``earlier`` (None when there is no earlier period)."""
    if not earlier:
        return None
    return Change(current, float(np.mean(earlier)), len(earlier))


def baseline_periods(filters: Filters, current: Headline, data_start: dt.date | None,
                     periods: int = BASELINE_PERIODS) -> list[Filters]:
    """Up to ``periods`` filters like ``filters`` over the equal periods just before its
    date range, nearest first (``aggregate.previous_period``, stepped back).

    Only periods that start on or after ``data_start`` (the first day of the data's dated
    events) count: before the data begins a period holds no event by definition, and its
    zero would make any number read as a large increase. None without a start date.
    """
    found: list[Filters] = []
    period = previous_period(filters, current) if data_start is not None else None
    while (period is not None and period.date_from is not None and data_start is not None
           and period.date_from >= data_start and len(found) < periods):
        found.append(period)
        period = previous_period(period, current)
    return found


def comparison_filters(filters: Filters, periods: list[Filters]) -> Filters:
    """The filter whose sources the coverage notices count: ``filters`` over whole months,
    from the month before its start (or before its earliest baseline period's) to the end
    of its last month.

    A headline change read against earlier periods is only as good as the coverage of all
    of them, and a range's first month can only be compared with the month before it; a
    range that ends mid-month would show a drop in sources that is only the cut.
    """
    start = min((day for day in (filters.date_from, *(p.date_from for p in periods)) if day),
                default=None)
    end = filters.date_to
    return replace(
        filters,
        date_from=None if start is None else _month_start(start - dt.timedelta(days=start.day)),
        date_to=None if end is None else _month_start(end.replace(day=28)
                                                      + dt.timedelta(days=4))
        - dt.timedelta(days=1))


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def periods_span(periods: list[Filters]) -> tuple[dt.date, dt.date] | None:
    """The first and last day of ``baseline_periods`` (None when there are none)."""
    first = min((p.date_from for p in periods if p.date_from), default=None)
    last = max((p.date_to for p in periods if p.date_to), default=None)
    return None if first is None or last is None else (first, last)


def data_start(index: EventIndex) -> dt.date | None:
    """The first possible day of the earliest dated event in the whole dataset."""
    span = index.day_span(None)
    return None if span is None else day_date(span[0])
