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
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.aggregate import Headline, previous_period
from dashboard.eventindex import EventIndex, day_date
from dashboard.filters import ArticleLinks, Filters

# --------------------------------------------------------------------------- coverage

COVERAGE_RATIO = 3.0  # consecutive months whose sources differ by this factor or more
MIN_SOURCES = 10  # ... and where the larger month has at least this many sources
LONGEST_DATED_SPAN = 31  # days: events dated more loosely (a year) belong to no month


DENSE_CELLS = 1 << 26  # (dataset, month) × outlet flags marked in one array up to this size


@dataclass(frozen=True)
class Sources:
    """Per article row, the source it counts as: codes below ``outlets`` are outlets
    (trimmed, case ignored); an article without an outlet has a code of its own (one
    report), ``outlets`` + its row."""

    codes: np.ndarray
    outlets: int


def source_codes(articles: pd.DataFrame) -> Sources:
    """The sources of ``articles``, built once per dataset (a factorisation of the outlet
    column), like ``ArticleLinks``."""
    outlets = articles["outlet"].astype("str").str.strip().str.casefold()
    codes, labels = pd.factorize(outlets.where(outlets != ""), use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    unnamed = codes < 0
    codes[unnamed] = len(labels) + np.flatnonzero(unnamed)
    return Sources(codes, len(labels))


def _distinct_per_cell(cells: np.ndarray, codes: np.ndarray, outlets: int,
                       n_cells: int) -> np.ndarray:
    """Distinct codes per cell of (cell, code) pairs: outlets flagged in a dense
    cell × outlet array (no sort), one-article reports by ``np.unique``."""
    named = codes < outlets
    counts = np.zeros(n_cells, dtype=np.int64)
    if named.any():
        if n_cells * outlets <= DENSE_CELLS:
            seen = np.zeros(n_cells * outlets, dtype=bool)
            seen[cells[named] * outlets + codes[named]] = True
            counts += seen.reshape(n_cells, outlets).sum(axis=1)
        else:
            pairs = np.unique(cells[named] * outlets + codes[named])
            counts += np.bincount(pairs // outlets, minlength=n_cells)
    if not named.all():
        reports = codes[~named] - outlets
        width = int(reports.max()) + 1
        pairs = np.unique(cells[~named] * width + reports)
        counts += np.bincount(pairs // width, minlength=n_cells)
    return counts


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

    def describe(self) -> str:
        """The notice, in words (data-derived parts: escape before rendering as Markdown)."""
        whose = f"the {self.dataset} events" if self.dataset else "the events"
        moved = "rose" if self.rose else "fell"
        return (f"{self.month}: coverage changed. The distinct sources behind {whose} {moved} "
                f"from {self.before:,} in the month before to {self.after:,}, so a change in "
                "the counts there may be a change in reporting, not in events.")


def monthly_sources(index: EventIndex, links: ArticleLinks, sources: Sources,
                    mask: np.ndarray | None = None) -> pd.DataFrame:
    """Distinct sources behind the selected events, per source dataset and month.

    Columns ``dataset``, ``month`` ("YYYY-MM"), ``events`` and ``sources``; one row for
    every month from each dataset's first to its last month with a counted event (months
    between with none have 0 of both). An event counts in the month of its first possible
    day when its dates span at most ``LONGEST_DATED_SPAN`` days; events that cite no
    article add no source.
    """
    selected = index.dated & ((index.day_max - index.day_min) <= LONGEST_DATED_SPAN)
    if mask is not None:
        selected &= mask
    empty = pd.DataFrame({"dataset": pd.Series(dtype="str"), "month": pd.Series(dtype="str"),
                          "events": pd.Series(dtype="int64"),
                          "sources": pd.Series(dtype="int64")})
    if not selected.any():
        return empty
    datasets = index.source_dataset
    dataset = datasets.codes.astype(np.int64)
    dataset[dataset < 0] = len(datasets.labels)  # events without a source dataset
    labels = [*datasets.labels, ""]
    months = index.month[selected]
    first, span = int(months.min()), int(months.max() - months.min()) + 1
    cell = np.full(index.size, -1, dtype=np.int64)  # (dataset, month) of each selected event
    cell[selected] = dataset[selected] * span + (months - first)
    n_cells = len(labels) * span
    events = np.bincount(cell[selected], minlength=n_cells)
    cells = cell[links.event_rows]
    counted = cells >= 0
    counts = _distinct_per_cell(cells[counted], sources.codes[links.article_rows[counted]],
                                sources.outlets, n_cells)

    rows = []
    for code, name in enumerate(labels):
        present = np.flatnonzero(events[code * span:(code + 1) * span])
        if not len(present):
            continue
        for offset in range(int(present[0]), int(present[-1]) + 1):
            slot = code * span + offset
            month = np.datetime64(first + offset, "M").astype(str)
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

    def describe(self) -> str:
        """The delta shown under the number, e.g. "+40% (large increase; average 12.5)"."""
        average = f"average {self.baseline:,.1f}"
        if self.low_count:
            return f"little change (few: {average})"
        if self.percent is None:
            return f"new ({self.level}; {average})"
        return f"{self.percent:+,.0f}% ({self.level}; {average})"


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


def data_start(index: EventIndex) -> dt.date | None:
    """The first possible day of the earliest dated event in the whole dataset."""
    span = index.day_span(None)
    return None if span is None else day_date(span[0])
