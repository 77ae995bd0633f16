"""Server-side aggregation: everything a chart or map needs, in rows that do not grow
with the number of events (bins, counts, a bounded grid of map cells).

All functions take an events frame in the in-memory convention and return small
frames; nothing here imports streamlit or altair.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dashboard import schema
from dashboard.filters import Filters, _distinct, _list_contains_any

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


def count_countries(events: pd.DataFrame) -> int:
    """Distinct countries named as an event's country or among the countries involved."""
    names: set[str] = set(events["country"].dropna().astype(str).unique())
    uniques, codes = _distinct(events["countries_involved"])
    used = np.zeros(len(uniques) + 1, dtype=bool)
    used[codes] = True
    for value in np.asarray(uniques.to_pylist(), dtype=object)[used[:-1]]:
        names.update(schema.split_list(value))
    return len(names)


def cited_articles(events: pd.DataFrame) -> int:
    """Distinct article ids cited by ``events`` (use ``ArticleLinks.cited`` at scale)."""
    uniques, codes = _distinct(events["article_ids"])
    used = np.zeros(len(uniques) + 1, dtype=bool)
    used[codes] = True
    ids: set[str] = set()
    for value in np.asarray(uniques.to_pylist(), dtype=object)[used[:-1]]:
        ids.update(schema.split_list(value))
    return len(ids)


def headline(events: pd.DataFrame, articles: int | None = None) -> Headline:
    """Numbers for ``events``; ``articles`` is the count of their sources when known
    (e.g. from ``ArticleLinks.cited(mask).sum()``), else the distinct cited ids."""
    first, last = events["date_min"].min(), events["date_max"].max()
    return Headline(
        events=len(events),
        articles=cited_articles(events) if articles is None else int(articles),
        countries=count_countries(events),
        first=None if pd.isna(first) else first.date(),
        last=None if pd.isna(last) else last.date(),
    )


def previous_period(filters: Filters, current: Headline) -> Filters | None:
    """The same filter moved back by the length of its date range.

    Without a date range, the span of the current events is used. Undated events
    are left out: they belong to no period. None when there is no span.
    """
    start = filters.date_from or current.first
    end = filters.date_to or current.last
    if start is None or end is None:
        return None
    length = (end - start).days + 1
    return replace(filters, date_from=start - dt.timedelta(days=length),
                   date_to=start - dt.timedelta(days=1), include_undated=False)


# --------------------------------------------------------------------------- time


def choose_bin(events: pd.DataFrame) -> str:
    """"week" for spans up to about a year, "month" beyond (readable bar counts)."""
    first, last = events["date_min"].min(), events["date_min"].max()
    if pd.isna(first) or (last - first).days <= 400:
        return "week"
    return "month"


def _floor(dates: pd.Series, unit: str) -> np.ndarray:
    days = dates.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    if unit == "month":
        return days.astype("datetime64[M]").astype("datetime64[D]")
    # 1970-01-01 was a Thursday: shift so weeks start on Monday
    as_int = days.astype(np.int64)
    return ((as_int + 3) // 7 * 7 - 3).astype("datetime64[D]")


def timeline(events: pd.DataFrame, unit: str | None = None) -> pd.DataFrame:
    """Dated events per (period start, topic): columns period, topic, events.

    Events are binned by their first possible day; undated events are left out
    (count them with ``events["date_min"].isna().sum()``).
    """
    dated = events[events["date_min"].notna()]
    unit = unit or choose_bin(events)
    if dated.empty:
        return pd.DataFrame({"period": pd.Series(dtype="datetime64[s]"),
                             "topic": pd.Series(dtype="str"), "events": pd.Series(dtype="int64")})
    frame = pd.DataFrame({"period": _floor(dated["date_min"], unit),
                          "topic": dated["topic"].astype("str").to_numpy()})
    counts = frame.groupby(["period", "topic"], dropna=False).size().rename("events")
    result = counts.reset_index()
    result["topic"] = result["topic"].astype("str")
    return result


# --------------------------------------------------------------------------- counts


def by_country_topic(events: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """Events per (country, topic) for the ``top`` countries by total (others summed).

    Columns: country, topic, events; ordered by country total, largest first.
    """
    frame = pd.DataFrame({"country": events["country"].astype("str").fillna("(none)"),
                          "topic": events["topic"].astype("str").fillna("(none)")})
    totals = frame["country"].value_counts()
    keep = set(totals.index[:top])
    if len(totals) > top:
        frame.loc[~frame["country"].isin(keep), "country"] = "Other"
    counts = frame.groupby(["country", "topic"]).size().rename("events").reset_index()
    order = counts.groupby("country")["events"].sum().sort_values(ascending=False)
    counts["rank"] = counts["country"].map({c: i for i, c in enumerate(order.index)})
    return counts.sort_values(["rank", "topic"]).drop(columns="rank").reset_index(drop=True)


def by_country(events: pd.DataFrame) -> pd.DataFrame:
    """Events per country code (primary country): columns iso3, events."""
    counts = events["country"].astype("str").value_counts()
    return pd.DataFrame({"iso3": counts.index.astype(str), "events": counts.to_numpy()})


def verification_mix(events: pd.DataFrame) -> pd.DataFrame:
    """Events per verification level, strongest first: columns verification, events, share."""
    counts = events["verification"].astype("str").value_counts()
    levels = list(schema.VERIFICATION_LEVELS) + [
        v for v in counts.index if v not in schema.VERIFICATION_LEVELS
    ]
    values = [int(counts.get(level, 0)) for level in levels]
    total = max(sum(values), 1)
    return pd.DataFrame({"verification": levels, "events": values,
                         "share": [v / total for v in values]})


def country_options(events: pd.DataFrame) -> list[str]:
    """Every country code in the data (country or involved), sorted, for the filter widget."""
    names = set(events["country"].dropna().astype(str).unique())
    uniques, _ = _distinct(events["countries_involved"])
    for value in uniques.to_pylist():
        names.update(schema.split_list(value))
    return sorted(names)


def list_options(values: pd.Series, limit: int | None = None) -> list[str]:
    """Distinct items of a list field ("A; B"), most frequent first."""
    uniques, codes = _distinct(values)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
    totals: dict[str, int] = {}
    for value, count in zip(uniques.to_pylist(), counts, strict=True):
        for item in schema.split_list(value):
            totals[item] = totals.get(item, 0) + int(count)
    ranked = sorted(totals, key=lambda item: (-totals[item], item))
    return ranked if limit is None else ranked[:limit]


def involving(events: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """Rows whose country or countries involved include one of ``codes``."""
    own = events["country"].isin(codes).to_numpy(dtype=bool, na_value=False)
    return own | _list_contains_any(events["countries_involved"], codes)


# --------------------------------------------------------------------------- map


MAP_POINT_LIMIT = 5000
SUMMARY_CHARS = 160


def _short(values: pd.Series, limit: int = SUMMARY_CHARS) -> pd.Series:
    text = values.astype("str")
    longer = text.str.len() > limit
    return text.where(~longer.fillna(False), text.str.slice(0, limit - 1) + "\u2026")


def map_points(events: pd.DataFrame, limit: int = MAP_POINT_LIMIT) -> tuple[pd.DataFrame, bool]:
    """Located events for the map, or a grid of cells when there are more than ``limit``.

    Returns ``(frame, binned)``. Points carry latitude, longitude, topic, date,
    location, summary (shortened), verification and event_id. Cells carry latitude,
    longitude (cell centre), events (count), topic (most frequent), topics (distinct
    count) and size (cell size in degrees); at most about ``limit`` cells.
    """
    located = events[events["latitude"].notna() & events["longitude"].notna()]
    if len(located) <= limit:
        points = pd.DataFrame({
            "latitude": located["latitude"].to_numpy(),
            "longitude": located["longitude"].to_numpy(),
            "topic": located["topic"].astype("str").to_numpy(),
            "date": located["event_date"].astype("str").fillna("undated").to_numpy(),
            "location": located["location"].astype("str").fillna("").to_numpy(),
            "summary": _short(located["summary"]).fillna("").to_numpy(),
            "verification": located["verification"].astype("str").to_numpy(),
            "event_id": located["event_id"].astype("str").to_numpy(),
        })
        return points, False
    return grid_cells(located, limit), True


def grid_cells(located: pd.DataFrame, limit: int = MAP_POINT_LIMIT) -> pd.DataFrame:
    """Bin located events into square cells, the cell size chosen so cells stay under
    ``limit`` for the data's extent."""
    lat = located["latitude"].to_numpy(dtype=float)
    lon = located["longitude"].to_numpy(dtype=float)
    lat_span = max(float(lat.max() - lat.min()), 0.01)
    lon_span = max(float(lon.max() - lon.min()), 0.01)
    size = max(np.sqrt(lat_span * lon_span / limit), 0.01)
    size = float(np.ceil(size * 100) / 100)
    while np.ceil(lat_span / size + 1) * np.ceil(lon_span / size + 1) > limit:
        size *= 1.25
    row = np.floor((lat - lat.min()) / size).astype(np.int64)
    col = np.floor((lon - lon.min()) / size).astype(np.int64)
    cell = row * (int(lon_span / size) + 2) + col
    topic_codes, topic_names = pd.factorize(located["topic"].astype("str"))
    n_topics = max(len(topic_names), 1)
    frame = pd.DataFrame({"cell": cell, "topic": topic_codes})
    per_topic = frame.groupby(["cell", "topic"]).size().rename("n").reset_index()
    top = per_topic.sort_values(["cell", "n", "topic"], ascending=[True, False, True])
    top = top.drop_duplicates("cell").set_index("cell")
    counts = frame.groupby("cell").size()
    kinds = per_topic.groupby("cell").size()
    cells = counts.index.to_numpy()
    result = pd.DataFrame({
        "latitude": lat.min() + (cells // (int(lon_span / size) + 2) + 0.5) * size,
        "longitude": lon.min() + (cells % (int(lon_span / size) + 2) + 0.5) * size,
        "events": counts.to_numpy(),
        "topic": np.asarray(topic_names, dtype=object)[
            np.clip(top.loc[cells, "topic"].to_numpy(), 0, n_topics - 1)],
        "topics": kinds.loc[cells].to_numpy(),
    })
    result["size"] = size
    return result


def map_shapes(events: pd.DataFrame, limit: int = 300) -> tuple[list[dict], int]:
    """Zones and lines (``geometry_wkt``) as GeoJSON features, at most ``limit``.

    Returns ``(features, total)``; when ``total`` exceeds ``limit`` the first
    ``limit`` by date are returned and the caller says so. Geometries are simplified
    so the spec stays small.
    """
    import shapely  # local: only the map needs it

    with_shape = events[events["geometry_wkt"].notna()]
    total = len(with_shape)
    chosen = with_shape.sort_values("date_min", na_position="last").head(limit)
    if chosen.empty:
        return [], total
    geoms = shapely.from_wkt(chosen["geometry_wkt"].astype(str).to_numpy(), on_invalid="ignore")
    geoms = shapely.simplify(geoms, 0.01, preserve_topology=True)
    geoms = shapely.orient_polygons(geoms, exterior_cw=True)
    features: list[dict] = []
    for geom, (_, row) in zip(geoms, chosen.iterrows(), strict=True):
        if geom is None or geom.is_empty or geom.geom_type in ("Point", "MultiPoint"):
            continue
        features.append({
            "type": "Feature",
            "geometry": shapely.geometry.mapping(geom),
            "properties": {
                "topic": _text(row["topic"]),
                "date": _text(row["event_date"]) or "undated",
                "location": _text(row["location"]),
                "summary": _text(row["summary"])[:SUMMARY_CHARS],
                "verification": _text(row["verification"]),
                "event_id": _text(row["event_id"]),
            },
        })
    return features, total


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def counts_by_area(events: pd.DataFrame, areas: object, key: str = "iso3") -> pd.DataFrame:
    """Events per area of a boundaries GeoDataFrame, by the point in polygon test.

    Used for a user's admin-1 units, where the event's own country code does not say
    which unit it falls in. Columns: ``key``, events.
    """
    import geopandas as gpd  # local: only the choropleth mode needs it

    located = events[events["latitude"].notna() & events["longitude"].notna()]
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(located["longitude"], located["latitude"]), crs="EPSG:4326")
    joined = gpd.sjoin(points, areas[[key, "geometry"]].to_crs("EPSG:4326"),
                       how="inner", predicate="within")
    counts = joined[key].astype(str).value_counts()
    return pd.DataFrame({key: counts.index.astype(str), "events": counts.to_numpy()})
