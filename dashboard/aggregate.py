"""Server-side aggregation: everything a chart or map needs, in rows that do not grow
with the number of events (bins, counts, a bounded grid of map cells).

The functions take an events frame in the in-memory convention, or its
``EventIndex`` plus a row ``mask`` (what the app passes: the counts are bincounts of
integer codes under the mask, with no copy of the rows), and return small frames;
nothing here imports streamlit or altair.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import schema
from dashboard.eventindex import EPOCH_MONDAY_SHIFT, Codes, EventIndex, day_date
from dashboard.filters import Filters
from dashboard.rowmatch import distinct

if TYPE_CHECKING:  # imported where a choropleth needs it: most pages never do
    import geopandas as gpd

# --------------------------------------------------------------------------- headline


@dataclass(frozen=True)
class Headline:
    """The headline numbers of one set of events."""

    events: int
    articles: int
    countries: int
    first: dt.date | None
    last: dt.date | None

    @property
    def days(self) -> int:
        """Days from the first to the last possible day (inclusive); 0 when undated."""
        if self.first is None or self.last is None:
            return 0
        return (self.last - self.first).days + 1


Events = pd.DataFrame | EventIndex  # a frame, or its index when counting under a mask


def _index(events: Events) -> EventIndex:
    return events if isinstance(events, EventIndex) else EventIndex(events)


def count_countries(events: Events, mask: np.ndarray | None = None) -> int:
    """Distinct countries named as an event's country or among the countries involved."""
    index = _index(events)
    rows = index.rows(mask)
    names = set(index.country.labels[index.country.counts(rows) > 0])
    codes, sets = index.involved
    chosen = codes if rows is None else codes[rows]
    used = np.bincount(chosen[chosen >= 0], minlength=len(sets))
    for position in np.flatnonzero(used):
        names.update(sets[position])
    return len(names)


def cited_articles(events: pd.DataFrame) -> int:
    """Distinct article ids cited by ``events`` (use ``ArticleLinks.cited`` at scale)."""
    uniques, codes = distinct(events["article_ids"])
    used = np.zeros(len(uniques) + 1, dtype=bool)
    used[codes] = True
    ids: set[str] = set()
    for value in np.asarray(uniques.to_pylist(), dtype=object)[used[:-1]]:
        ids.update(schema.split_list(value))
    return len(ids)


def headline(events: Events, articles: int | None = None,
             mask: np.ndarray | None = None) -> Headline:
    """Numbers for ``events`` (the rows of ``mask`` when given); ``articles`` is the count
    of their sources when known (e.g. from ``ArticleLinks.cited(mask).sum()``), else the
    distinct cited ids."""
    index = _index(events)
    rows = index.rows(mask)
    if articles is None:
        frame = index.events if rows is None else index.events[rows]
        articles = cited_articles(frame)
    span = index.day_span(rows)
    return Headline(
        events=index.count(rows),
        articles=int(articles),
        countries=count_countries(index, rows),
        first=None if span is None else day_date(span[0]),
        last=None if span is None else day_date(span[1]),
    )


def previous_period(filters: Filters, current: Headline) -> Filters | None:
    """The same filter moved back by the length of its date range.

    An open end is the last current event. None without a start date: the period before
    the first matching event holds no matching event by definition, so the comparison
    would always read "before: 0". Undated events are left out: they belong to no period.
    """
    start = filters.date_from
    end = filters.date_to or current.last
    if start is None or end is None or end < start:
        return None
    length = (end - start).days + 1
    return replace(filters, date_from=start - dt.timedelta(days=length),
                   date_to=start - dt.timedelta(days=1), include_undated=False)


def unplaced(events: Events, mask: np.ndarray | None = None) -> tuple[int, int]:
    """How many selected events are undated, and how many have no coordinates."""
    index = _index(events)
    rows = index.rows(mask)
    return (index.count(index.both(rows, ~index.dated)),
            index.count(index.both(rows, ~index.located)))


def oldest_first(events: Events, mask: np.ndarray | None = None) -> np.ndarray:
    """Row positions of the selected events by first possible day, undated last."""
    index = _index(events)
    positions = index.positions(index.rows(mask))
    undated = ~index.dated[positions]
    return positions[np.lexsort((index.day_min[positions], undated))]


# --------------------------------------------------------------------------- time


def choose_bin(events: Events, mask: np.ndarray | None = None) -> str:
    """"week" for spans up to about a year, "month" beyond (readable bar counts)."""
    index = _index(events)
    days = index.day_min[index.both(index.rows(mask), index.dated)]
    if not len(days):
        return "week"
    return "week" if int(days.max() - days.min()) <= 400 else "month"


def _period_starts(periods: np.ndarray, unit: str) -> np.ndarray:
    if unit == "month":
        return periods.astype("datetime64[M]").astype("datetime64[D]")
    return (periods * 7 - EPOCH_MONDAY_SHIFT).astype("datetime64[D]")


def timeline(events: Events, unit: str | None = None,
             mask: np.ndarray | None = None) -> pd.DataFrame:
    """Dated events per (period start, topic): columns period, topic, events (float).

    A day-precision event counts in the period of its first day (an event that lasted
    several days happened, and is reported, once). An event whose date is known only to
    the week, month or year is spread evenly over the days it may have happened on, so
    a month-precision event adds a quarter to each of four weeks instead of a whole
    event to the week of the 1st. Undated events are left out (count them with
    ``unplaced``).
    """
    index = _index(events)
    rows = index.rows(mask)
    unit = unit or choose_bin(index, rows)
    dated = index.both(rows, index.dated)
    topics = index.topic
    topic_codes = topics.codes[dated]
    first_day, last_day = index.day_min[dated], index.day_max[dated]
    spread = _uncertain_day(index)[dated]
    return spread_timeline(topic_codes, topics.labels, first_day, last_day, spread,
                           np.ones(len(topic_codes)), unit)


def spread_timeline(topic_codes: np.ndarray, labels: np.ndarray, first_day: np.ndarray,
                    last_day: np.ndarray, uncertain: np.ndarray, counts: np.ndarray,
                    unit: str) -> pd.DataFrame:
    """``timeline``'s bins from dated events given as arrays: topic codes into ``labels``
    (-1: none), first and last possible day numbers, whether the date is known only to the
    week, month or year, and how many events each entry stands for (1 per row here; an
    engine passes its ``GROUP BY`` counts)."""
    if not len(topic_codes):
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[s]"),
                             "topic": pd.Series(dtype="str"),
                             "events": pd.Series(dtype="float64")})
    width = len(labels) + 1  # the last slot counts events with no topic
    slot = np.where(topic_codes >= 0, topic_codes, width - 1)
    spread = uncertain & (last_day > first_day)
    last_day = np.where(spread, last_day, first_day)
    origin = int(first_day.min())
    days = int(last_day.max()) - origin + 2
    weight = counts / (last_day - first_day + 1)
    # each event adds its weight from its first to its last possible day: a difference
    # array per topic, summed along the days
    starts = np.bincount((first_day - origin) * width + slot, weights=weight,
                         minlength=days * width)
    ends = np.bincount((last_day - origin + 1) * width + slot, weights=weight,
                       minlength=days * width)
    per_day = np.cumsum((starts - ends).reshape(days, width), axis=0)[:-1]
    day_numbers = np.arange(origin, origin + days - 1)
    if unit == "month":
        periods = day_numbers.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    else:
        periods = (day_numbers + EPOCH_MONDAY_SHIFT) // 7
    first_period = int(periods[0])
    per_period = np.zeros((int(periods[-1]) - first_period + 1, width))
    np.add.at(per_period, periods - first_period, per_day)
    per_period[np.abs(per_period) < 1e-9] = 0  # the running sum leaves crumbs like 1e-16
    period, topic_slot = np.nonzero(per_period > 0)
    names = np.append(labels, np.nan)
    result = pd.DataFrame({
        "period": _period_starts(period + first_period, unit),
        "topic": pd.array(names[topic_slot], dtype="str"),
        "events": per_period[period, topic_slot],
    })
    return result.sort_values(["period", "topic"], ignore_index=True)


_UNCERTAIN: weakref.WeakKeyDictionary[EventIndex, np.ndarray] = weakref.WeakKeyDictionary()


def _uncertain_day(index: EventIndex) -> np.ndarray:
    """Per row: is its date known only to the week, month or year (once per index)?"""
    known = _UNCERTAIN.get(index)
    if known is None:
        precision = index.events["date_precision"]
        known = precision.isin(["week", "month", "year"]).to_numpy(dtype=bool, na_value=False)
        known.setflags(write=False)
        _UNCERTAIN[index] = known
    return known


# --------------------------------------------------------------------------- counts


def by_country_topic(events: Events, top: int = 15,
                     mask: np.ndarray | None = None) -> pd.DataFrame:
    """Events per (country, topic) for the ``top`` countries by total (others summed).

    Columns: country, topic, events; ordered by country total, largest first.
    """
    index = _index(events)
    rows = index.rows(mask)
    country, topic = index.country, index.topic
    n_topics = len(topic.labels) + 1
    country_codes = country.codes if rows is None else country.codes[rows]
    topic_codes = topic.codes if rows is None else topic.codes[rows]
    country_codes = np.where(country_codes >= 0, country_codes, len(country.labels))
    topic_codes = np.where(topic_codes >= 0, topic_codes, n_topics - 1)
    grid = np.bincount(country_codes * n_topics + topic_codes,
                       minlength=(len(country.labels) + 1) * n_topics).reshape(-1, n_topics)
    countries = np.append(country.labels, "(none)")
    topics = np.append(topic.labels, "(none)")
    totals = grid.sum(axis=1)
    present = np.flatnonzero(totals)
    order = present[np.lexsort((countries[present], -totals[present]))]
    keep, rest = order[:top], order[top:]
    names = list(countries[keep])
    blocks = [grid[keep]]
    if len(rest):
        names.append("Other")
        blocks.append(grid[rest].sum(axis=0, keepdims=True))
    matrix = np.vstack(blocks)
    rank, topic_position = np.nonzero(matrix)
    result = pd.DataFrame({"country": pd.array(np.asarray(names, dtype=object)[rank], dtype="str"),
                           "topic": pd.array(topics[topic_position], dtype="str"),
                           "events": matrix[rank, topic_position].astype(np.int64),
                           "rank": rank})
    return result.sort_values(["rank", "topic"]).drop(columns="rank").reset_index(drop=True)


def by_country(events: Events, mask: np.ndarray | None = None) -> pd.DataFrame:
    """Events per country code (primary country): columns iso3, events."""
    index = _index(events)
    counts = index.country.counts(index.rows(mask))
    order = np.argsort(-counts, kind="stable")
    order = order[counts[order] > 0]
    return pd.DataFrame({"iso3": pd.array(index.country.labels[order], dtype="str"),
                         "events": counts[order].astype(np.int64)})


def verification_mix(events: Events, mask: np.ndarray | None = None) -> pd.DataFrame:
    """Events per verification level, strongest first: columns verification, events, share."""
    index = _index(events)
    level = index.verification
    counts = dict(zip(level.labels, level.counts(index.rows(mask)).tolist(), strict=True))
    levels = list(schema.VERIFICATION_LEVELS) + sorted(
        v for v, n in counts.items() if v not in schema.VERIFICATION_LEVELS and n)
    values = [int(counts.get(name, 0)) for name in levels]
    total = max(sum(values), 1)
    return pd.DataFrame({"verification": levels, "events": values,
                         "share": [v / total for v in values]})


def country_options(events: pd.DataFrame) -> list[str]:
    """Every country code in the data (country or involved), sorted, for the filter widget."""
    names = set(events["country"].dropna().astype(str).unique())
    uniques, _ = distinct(events["countries_involved"])
    for value in uniques.to_pylist():
        names.update(schema.split_list(value))
    return sorted(names)


def list_options(values: pd.Series, limit: int | None = None) -> list[str]:
    """Distinct items of a list field ("A; B"), most frequent first.

    Split, trimmed and counted in Arrow: half a million distinct actor lists took two
    seconds through Python's ``str.split``. Every row is split, not only the distinct
    lists: lists rarely repeat (473k distinct in 1M synthetic events), and hashing them
    first took four times as long.
    """
    lists = pc.split_pattern(schema.arrow_text(values), schema.LIST_SEPARATOR.strip())
    counted = pc.value_counts(pc.utf8_trim_whitespace(pc.list_flatten(lists)))
    items = counted.field("values")
    table = pa.table({"item": items, "n": counted.field("counts")})
    ranked = table.filter(pc.not_equal(items, "")).sort_by([("n", "descending"),
                                                              ("item", "ascending")])
    names = ranked.column("item").to_pylist()
    return names if limit is None else names[:limit]


# --------------------------------------------------------------------------- map


MAP_POINT_LIMIT = 5000
GRID = 0.001  # degrees (~100 m): coordinates of shapes sent to the browser snap to this grid
SUMMARY_CHARS = 160
TOOLTIP_CHARS = 100  # a point's summary in its tooltip: 5,000 of them must stay under 1.5 MB
# How a place is drawn by its geo_precision: a point, a translucent area, or not at all.
AS_POINT, AS_AREA, AS_COUNTRY = 0, 1, 2
_DRAWN_AS = {"admin": AS_AREA, "country": AS_COUNTRY}  # exact, near and none: a point
_PLACEMENT: weakref.WeakKeyDictionary[EventIndex, np.ndarray] = weakref.WeakKeyDictionary()


def _short(values: pd.Series, limit: int = SUMMARY_CHARS) -> pd.Series:
    text = values.astype("str")
    longer = text.str.len() > limit
    return text.where(~longer.fillna(False), text.str.slice(0, limit - 1) + "\u2026")


def placement(events: Events) -> np.ndarray:
    """Per row, how the map draws its place (``AS_POINT``, ``AS_AREA``, ``AS_COUNTRY``), from
    ``geo_precision``; computed once per index (an index is shared and never changes)."""
    index = _index(events)
    known = _PLACEMENT.get(index)
    if known is None:
        codes = Codes(index.events["geo_precision"])
        lookup = np.array([_DRAWN_AS.get(str(label), AS_POINT) for label in codes.labels]
                          + [AS_POINT], dtype=np.int8)  # the last slot: no precision given
        known = lookup[codes.codes]
        known.setflags(write=False)
        _PLACEMENT[index] = known
    return known


def mappable(events: Events, mask: np.ndarray | None = None) -> np.ndarray:
    """Row selector of the selected events the map places: located, and known better than
    to the country (a country-level place is a capital or centroid, not where it happened)."""
    index = _index(events)
    return index.both(index.rows(mask), index.located & (placement(index) != AS_COUNTRY))


def country_level(events: Events, mask: np.ndarray | None = None) -> int:
    """How many selected events are placed only at country level (not drawn as places)."""
    index = _index(events)
    return index.count(index.both(index.rows(mask), placement(index) == AS_COUNTRY))


def map_points(events: Events, limit: int = MAP_POINT_LIMIT,
               mask: np.ndarray | None = None) -> tuple[pd.DataFrame, bool]:
    """The mapped events (see ``mappable``), or a grid of cells when there are more than
    ``limit``.

    Returns ``(frame, binned)``. Points carry latitude, longitude, precision (``exact``,
    ``near``, ``admin`` or ""), topic, date, location, summary (shortened), verification
    and event_id. Cells carry latitude, longitude (cell centre), events (count), topic
    (most frequent), topics (distinct count) and size (cell size in degrees); at most
    about ``limit`` cells.
    """
    index = _index(events)
    chosen_rows = mappable(index, mask)
    if np.count_nonzero(chosen_rows) > limit:
        return grid_cells(index, chosen_rows, limit), True
    chosen = index.events.iloc[np.flatnonzero(chosen_rows)]
    points = pd.DataFrame({
        "latitude": chosen["latitude"].to_numpy(dtype=float),
        "longitude": chosen["longitude"].to_numpy(dtype=float),
        "precision": chosen["geo_precision"].astype("str").fillna("").to_numpy(),
        "topic": chosen["topic"].astype("str").to_numpy(),
        "date": chosen["event_date"].astype("str").fillna("undated").to_numpy(),
        "location": chosen["location"].astype("str").fillna("").to_numpy(),
        "summary": _short(chosen["summary"], TOOLTIP_CHARS).fillna("").to_numpy(),
        "verification": chosen["verification"].astype("str").to_numpy(),
        "event_id": chosen["event_id"].astype("str").to_numpy(),
    })
    return points, False


@dataclass(frozen=True)
class _Grid:
    """Square cells over the located events: each event's cell number, and the layout."""

    cell: np.ndarray  # per located event
    lat_min: float
    lon_min: float
    size: float
    columns: int


def grid_layout(lat_min: float, lat_max: float, lon_min: float, lon_max: float,
                limit: int) -> tuple[float, int]:
    """Cell size (degrees) and columns of the grid over this extent: at most ``limit``
    cells. An event's cell is ``floor((lat - lat_min) / size) * columns +
    floor((lon - lon_min) / size)`` (an engine computes it in its own query)."""
    lat_span = max(lat_max - lat_min, 0.01)
    lon_span = max(lon_max - lon_min, 0.01)
    size = max(np.sqrt(lat_span * lon_span / limit), 0.01)
    size = float(np.ceil(size * 100) / 100)
    while np.ceil(lat_span / size + 1) * np.ceil(lon_span / size + 1) > limit:
        size *= 1.25
    return size, int(lon_span / size) + 2


def _grid(lat: np.ndarray, lon: np.ndarray, limit: int) -> _Grid:
    lat_min, lon_min = float(lat.min()), float(lon.min())
    size, columns = grid_layout(lat_min, float(lat.max()), lon_min, float(lon.max()), limit)
    cell = (np.floor((lat - lat_min) / size).astype(np.int64) * columns
            + np.floor((lon - lon_min) / size).astype(np.int64))
    return _Grid(cell, lat_min, lon_min, size, columns)


def grid_cells(events: Events, located: np.ndarray | None = None,
               limit: int = MAP_POINT_LIMIT) -> pd.DataFrame:
    """Bin located events (the rows of ``located``, else every ``mappable`` row) into square
    cells, the cell size chosen so cells stay under ``limit`` for the data's extent."""
    index = _index(events)
    if located is None:
        located = mappable(index)
    lat, lon = index.latitude[located], index.longitude[located]
    if not len(lat):
        return pd.DataFrame({"latitude": [], "longitude": [], "events": [], "topic": [],
                             "topics": [], "size": []})
    grid = _grid(lat, lon, limit)
    topics = index.topic
    width = len(topics.labels) + 1
    codes = topics.codes[located]
    codes = np.where(codes >= 0, codes, width - 1)
    per_topic = np.bincount(grid.cell * width + codes,
                            minlength=(int(grid.cell.max()) + 1) * width).reshape(-1, width)
    counts = per_topic.sum(axis=1)
    cells = np.flatnonzero(counts)
    per_topic = per_topic[cells]
    labels = np.append(topics.labels, np.nan)
    result = pd.DataFrame({
        "latitude": grid.lat_min + (cells // grid.columns + 0.5) * grid.size,
        "longitude": grid.lon_min + (cells % grid.columns + 0.5) * grid.size,
        "events": counts[cells].astype(np.int64),
        "topic": labels[per_topic.argmax(axis=1)],
        "topics": np.count_nonzero(per_topic, axis=1).astype(np.int64),
    })
    result["size"] = grid.size
    return result


def cell_rows(events: Events, latitude: float, longitude: float,
              mask: np.ndarray | None = None, limit: int = MAP_POINT_LIMIT) -> np.ndarray:
    """Row positions, oldest first, of the selected events in the grid cell of
    ``map_points(events, limit, mask)`` centred on (``latitude``, ``longitude``): a cell
    clicked on the map. Empty when no cell of that grid has that centre (the filter, and
    with it the grid, changed since the click)."""
    index = _index(events)
    located = mappable(index, mask)
    if not np.any(located):
        return np.empty(0, dtype=np.int64)
    grid = _grid(index.latitude[located], index.longitude[located], limit)
    row = np.floor((latitude - grid.lat_min) / grid.size)
    column = np.floor((longitude - grid.lon_min) / grid.size)
    centre = (grid.lat_min + (row + 0.5) * grid.size, grid.lon_min + (column + 0.5) * grid.size)
    if not np.allclose(centre, (latitude, longitude), rtol=0, atol=grid.size * 1e-6):
        return np.empty(0, dtype=np.int64)
    inside = np.zeros(len(located), dtype=bool)
    inside[np.flatnonzero(located)[grid.cell == int(row) * grid.columns + int(column)]] = True
    return oldest_first(index, mask=inside)


def id_rows(events: Events, ids: list[str], mask: np.ndarray | None = None) -> np.ndarray:
    """Row positions, oldest first, of the selected events with these ``event_id``s (events
    clicked on the map; one no longer selected is left out)."""
    index = _index(events)
    wanted = index.events["event_id"].isin(ids).to_numpy(dtype=bool)
    rows = index.rows(mask)
    return oldest_first(index, mask=wanted if rows is None else wanted & rows)


def map_shapes(events: Events, limit: int = 300,
               mask: np.ndarray | None = None) -> tuple[list[dict], int]:
    """Zones and lines (``geometry_wkt``) as GeoJSON features, at most ``limit``.

    Returns ``(features, total)``; when ``total`` exceeds ``limit`` the first
    ``limit`` by date are returned and the caller says so. Geometries are simplified
    so the spec stays small. Properties: topic, date, end (``end_date``, "" when none),
    location, summary, verification, event_id.
    """
    import shapely  # local: only the map needs it

    index = _index(events)
    rows = index.rows(mask)
    ordered = index.shapes_by_date
    if rows is not None:
        ordered = ordered[rows[ordered]]
    total = len(ordered)
    if not total:
        return [], 0
    chosen = index.events.iloc[ordered[:limit]]
    geoms = shapely.from_wkt(chosen["geometry_wkt"].astype(str).to_numpy(), on_invalid="ignore")
    geoms = shapely.simplify(geoms, 0.01, preserve_topology=True)
    geoms = shapely.orient_polygons(shapely.set_precision(geoms, GRID), exterior_cw=True)
    columns = {name: chosen[name].tolist() for name in
               ("topic", "event_date", "end_date", "location", "summary", "verification",
                "event_id")}
    features: list[dict] = []
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty or geom.geom_type in ("Point", "MultiPoint"):
            continue
        features.append({
            "type": "Feature",
            "geometry": shapely.geometry.mapping(geom),
            "properties": {
                "topic": _text(columns["topic"][i]),
                "date": _text(columns["event_date"][i]) or "undated",
                "end": _text(columns["end_date"][i]),
                "location": _text(columns["location"][i]),
                "summary": _text(columns["summary"][i])[:SUMMARY_CHARS],
                "verification": _text(columns["verification"][i]),
                "event_id": _text(columns["event_id"][i]),
            },
        })
    return features, total


def _text(value: str | float | None) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def counts_by_area(points: Iterable[pa.RecordBatch], areas: gpd.GeoDataFrame) -> pd.DataFrame:
    """Events per unit of a boundaries GeoDataFrame, by the point in polygon test.

    Used for a user's admin-1 units, where the event's own country code does not say
    which unit it falls in. ``points`` are batches of located events' ``longitude``,
    ``latitude`` and how many ``events`` stand at that point (1 for a row; an engine sends
    each distinct point once with its count, batch by batch, so nothing holds every row).
    An event counts in each unit its point lies within (on a border: in neither), as a
    spatial join with ``within`` counts it; a shape (``geometry_wkt``) is not read, only
    its point. Columns: ``iso3`` (the unit's code), events; largest first, ties in the
    order of the boundaries' rows.
    """
    import shapely  # local: only the choropleth mode needs it

    units = areas.to_crs("EPSG:4326")
    shapes = units.geometry.to_numpy()
    shapely.prepare(shapes)  # a prepared unit tests a point 5x faster (docs/benchmark.md)
    tree = shapely.STRtree(shapes)
    totals = np.zeros(len(units), dtype=np.int64)
    for batch in points:
        lon = batch.column("longitude").to_numpy(zero_copy_only=False).astype("float64")
        lat = batch.column("latitude").to_numpy(zero_copy_only=False).astype("float64")
        events = batch.column("events").to_numpy(zero_copy_only=False).astype("int64")
        point, unit = tree.query(shapely.points(lon, lat))  # the units' boxes holding it
        # contains: inside, not on the border (a point within the unit)
        inside = shapely.contains_xy(shapes[unit], lon[point], lat[point])
        np.add.at(totals, unit[inside], events[point[inside]])
    codes = units["iso3"].astype(str).to_numpy()
    counts = pd.Series(totals).groupby(codes, sort=False).sum()
    counts = counts[counts > 0].sort_values(ascending=False, kind="stable")
    return pd.DataFrame({"iso3": pd.array([str(code) for code in counts.index], dtype="str"),
                         "events": counts.to_numpy(dtype=np.int64)})


def area_bounds(areas: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the units in degrees: outside it no point is within
    one, so an engine need not send it to ``counts_by_area``."""
    west, south, east, north = (float(v) for v in areas.to_crs("EPSG:4326").total_bounds)
    return west, south, east, north


def point_batches(lon: np.ndarray, lat: np.ndarray,
                  rows: int = 100_000) -> Iterator[pa.RecordBatch]:
    """Located events' points (NaN-free ``lon``, ``lat``) as ``counts_by_area`` reads
    them, one event each, ``rows`` at a time."""
    for start in range(0, len(lon), rows):
        end = start + rows
        yield pa.record_batch({"longitude": lon[start:end], "latitude": lat[start:end],
                               "events": np.ones(len(lon[start:end]), dtype=np.int64)})
