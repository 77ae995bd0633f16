"""Integer codes of the columns the overview counts by, built once per dataset.

With a million events, taking the filtered rows out of a 23-column frame and grouping
them costs most of a re-run. Instead each counted column is factorised once into
small integer codes, and every aggregate becomes ``np.bincount`` over the codes of the
rows a filter mask keeps: no copy of the events, no string hashing per re-run.

An ``EventIndex`` holds a reference to its events frame and computes each code array
the first time it is asked for; it is read-only afterwards and safe to share between
sessions (``st.cache_resource``).
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard import schema


def contiguous(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each Arrow-backed column in one chunk (changed in place, returned).

    A Parquet or CSV read leaves Arrow columns in several chunks, and Arrow's ``take``
    concatenates the chunks of the whole column first: picking 50 rows for a page of a
    million-row table cost about 4 ms per column instead of 0.02 ms. Columns are
    replaced one at a time, and Arrow's allocator hands each freed column back at once
    (see ``dashboard/__init__.py``): at 2M events memory grew by about 0.2 GB, not 0.6.
    """
    for name in frame.columns:
        values = frame[name].array
        chunked = getattr(values, "_pa_array", None)
        if chunked is not None and getattr(chunked, "num_chunks", 1) > 1:
            joined = pa.chunked_array([chunked.combine_chunks()])
            frame[name] = pd.Series(type(values)(joined, dtype=values.dtype), index=frame.index)
            del values, chunked, joined
    return frame


EPOCH_MONDAY_SHIFT = 3  # 1970-01-01 was a Thursday: day + 3 makes weeks start on Monday
UNDATED_DAY = np.iinfo(np.int64).min  # the day number of an undated event
OPEN_END = np.iinfo(np.int64).max  # the last day of an event still in force
EPOCH = dt.date(1970, 1, 1)  # day 0


def day_number(date: dt.date) -> int:
    """The day number ``EventIndex`` gives ``date`` (days since 1970-01-01)."""
    return (date - EPOCH).days


def day_date(day: int) -> dt.date:
    """The date of a day number (the inverse of ``day_number``)."""
    return EPOCH + dt.timedelta(days=day)


class Codes:
    """One column as integer codes into ``labels``; -1 where the value is missing."""

    def __init__(self, values: pd.Series) -> None:
        codes, labels = pd.factorize(values, use_na_sentinel=True)
        self.codes: np.ndarray = np.asarray(codes, dtype=np.int32)
        self.labels: np.ndarray = np.asarray(labels.astype("str"), dtype=object)

    def isin(self, wanted: tuple[str, ...] | list[str]) -> np.ndarray:
        """Per row: is its value one of ``wanted``?"""
        hit = np.append(np.isin(self.labels, list(wanted)), False)  # last slot: missing
        return hit[self.codes]

    def counts(self, rows: np.ndarray | None) -> np.ndarray:
        """Rows per label (missing values not counted)."""
        codes = self.codes if rows is None else self.codes[rows]
        return np.bincount(codes[codes >= 0], minlength=len(self.labels))


class EventIndex:
    """Codes and plain arrays of one events frame (see the module docstring)."""

    def __init__(self, events: pd.DataFrame) -> None:
        self.events = events
        self.size = len(events)

    @classmethod
    def build(cls, events: pd.DataFrame) -> EventIndex:
        """An index with every array computed now (for a shared, cached index)."""
        index = cls(events)
        for name in ("topic", "country", "verification", "day_min", "day_max", "day_end",
                     "week", "month",
                     "latitude", "longitude", "located", "shaped", "shapes_by_date", "involved"):
            getattr(index, name)
        return index

    def rows(self, mask: np.ndarray | None) -> np.ndarray | None:
        """``mask`` as a boolean row selector, or None for every row."""
        if mask is None or bool(np.all(mask)):
            return None
        return np.asarray(mask, dtype=bool)

    @cached_property
    def topic(self) -> Codes:
        return Codes(self.events["topic"])

    @cached_property
    def country(self) -> Codes:
        return Codes(self.events["country"])

    @cached_property
    def verification(self) -> Codes:
        return Codes(self.events["verification"])

    @cached_property
    def source_dataset(self) -> Codes:
        return Codes(self.events["source_dataset"])

    @cached_property
    def geo_precision(self) -> Codes:
        return Codes(self.events["geo_precision"])

    @cached_property
    def shape_bounds(self) -> np.ndarray:
        """(min lon, min lat, max lon, max lat) of each row's ``geometry_wkt`` (NaN where
        it has none or it cannot be read), for box tests of zones and lines."""
        bounds = np.full((self.size, 4), np.nan)
        rows = np.flatnonzero(self.shaped)
        if rows.size:
            import shapely

            texts = self.events["geometry_wkt"].to_numpy(dtype=object)[rows]
            shapes = shapely.from_wkt(texts, on_invalid="ignore")
            bounds[rows] = shapely.bounds(shapes)
        return bounds

    def in_box(self, west: float, south: float, east: float, north: float) -> np.ndarray:
        """Per row: is its point in the box, or does its shape's extent cross it?"""
        lon, lat = self.longitude, self.latitude
        inside = (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        if self.shaped.any():
            x0, y0, x1, y1 = self.shape_bounds.T
            with np.errstate(invalid="ignore"):
                inside |= (x0 <= east) & (x1 >= west) & (y0 <= north) & (y1 >= south)
        return inside

    def in_area(self, area: object) -> np.ndarray:
        """Per row: is its point in ``area`` (a shapely geometry), or does its shape
        intersect it? Events with neither are outside."""
        import shapely

        inside = np.zeros(self.size, dtype=bool)
        located = np.flatnonzero(self.located)
        if located.size:
            inside[located] = shapely.intersects_xy(area, self.longitude[located],
                                                   self.latitude[located])
        rows = np.flatnonzero(self.shaped)
        if rows.size:
            x0, y0, x1, y1 = self.shape_bounds[rows].T
            ax0, ay0, ax1, ay1 = shapely.bounds(area)
            with np.errstate(invalid="ignore"):
                near = rows[(x0 <= ax1) & (x1 >= ax0) & (y0 <= ay1) & (y1 >= ay0)]
            if near.size:
                texts = self.events["geometry_wkt"].to_numpy(dtype=object)[near]
                shapes = shapely.from_wkt(texts, on_invalid="ignore")
                inside[near] |= shapely.intersects(shapes, area)
        return inside

    @cached_property
    def involved(self) -> tuple[np.ndarray, list[frozenset[str]]]:
        """Codes of each row's distinct ``countries_involved`` text, and each text's set."""
        codes, labels = pd.factorize(self.events["countries_involved"], use_na_sentinel=True)
        sets = [frozenset(schema.split_list(value)) for value in labels.astype("str")]
        return np.asarray(codes, dtype=np.int32), sets

    def _days(self, column: str) -> np.ndarray:
        values = self.events[column].to_numpy(dtype="datetime64[ns]")
        days = values.astype("datetime64[D]").astype(np.int64)
        days[np.isnat(values)] = UNDATED_DAY
        return days

    @cached_property
    def day_min(self) -> np.ndarray:
        """Days since 1970-01-01 of each event's first possible day (int64 min if undated)."""
        return self._days("date_min")

    @cached_property
    def day_max(self) -> np.ndarray:
        return self._days("date_max")

    @cached_property
    def dated(self) -> np.ndarray:
        return self.day_min != UNDATED_DAY

    @cached_property
    def ongoing(self) -> np.ndarray:
        """Events still in force (``end_date`` "ongoing"): open-ended in every date test."""
        return (self.events["end_date"] == schema.ONGOING).to_numpy(dtype=bool, na_value=False)

    @cached_property
    def day_end(self) -> np.ndarray:
        """The last day each dated event is in force: ``day_max``, or ``OPEN_END`` for an
        ongoing one (undated events keep ``UNDATED_DAY``)."""
        return np.where(self.ongoing & self.dated, OPEN_END, self.day_max)

    @cached_property
    def week(self) -> np.ndarray:
        """Week number of each first possible day (weeks start on Monday; 0 if undated)."""
        return np.where(self.dated, (self.day_min + EPOCH_MONDAY_SHIFT) // 7, 0)

    @cached_property
    def month(self) -> np.ndarray:
        """Months since January 1970 of each first possible day (0 if undated)."""
        days = np.where(self.dated, self.day_min, 0).astype("datetime64[D]")
        return days.astype("datetime64[M]").astype(np.int64)

    @cached_property
    def latitude(self) -> np.ndarray:
        return self.events["latitude"].to_numpy(dtype=np.float64, na_value=np.nan)

    @cached_property
    def longitude(self) -> np.ndarray:
        return self.events["longitude"].to_numpy(dtype=np.float64, na_value=np.nan)

    @cached_property
    def located(self) -> np.ndarray:
        return ~(np.isnan(self.latitude) | np.isnan(self.longitude))

    @cached_property
    def shaped(self) -> np.ndarray:
        return self.events["geometry_wkt"].notna().to_numpy(dtype=bool)

    @cached_property
    def shapes_by_date(self) -> np.ndarray:
        """Positions of the rows with a ``geometry_wkt``, oldest first, undated last."""
        positions = np.flatnonzero(self.shaped)
        return positions[np.lexsort((self.day_min[positions], ~self.dated[positions]))]

    def involving(self, countries: tuple[str, ...] | list[str]) -> np.ndarray:
        """Per row: is its country, or one of its countries involved, in ``countries``?"""
        codes, sets = self.involved
        wanted = set(countries)
        listed = np.array([bool(wanted & items) for items in sets] + [False])  # last: none
        return self.country.isin(countries) | listed[codes]

    # ----------------------------------------------------------------- helpers on a mask

    def count(self, rows: np.ndarray | None) -> int:
        return self.size if rows is None else int(np.count_nonzero(rows))

    def both(self, rows: np.ndarray | None, flags: np.ndarray) -> np.ndarray:
        """Row selector of ``rows`` that also have ``flags``."""
        return flags if rows is None else rows & flags

    def day_span(self, rows: np.ndarray | None) -> tuple[int, int] | None:
        """First possible day and last possible day of the selected dated events."""
        dated = self.both(rows, self.dated)
        if not dated.any():
            return None
        return int(self.day_min[dated].min()), int(self.day_max[dated].max())

    def positions(self, rows: np.ndarray | None, flags: np.ndarray | None = None) -> np.ndarray:
        """Row positions of the selection (optionally only rows with ``flags``)."""
        selector = rows if flags is None else self.both(rows, flags)
        if selector is None:
            return np.arange(self.size)
        return np.flatnonzero(selector)
