"""One ``Filters`` value as one PySpark condition over a Spark source, and its export.

The Spark twin of ``duckdb_query``: ``where(filters, source)`` gives the condition over
the checked events, rule by rule as ``Filters.mask`` reads them (docs/engines.md). Every
value a user gives becomes a literal of the plan (``isin``, ``lit``), never SQL text.
Rows come out in file order (``_path``, ``_row``) as Arrow and are typed as the memory
engine's frame (``duckdb_query.events_frame``), so ``export`` writes the same bytes.
The filtered slice is collected to the driver as Arrow (the whole data never is).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pandas as pd
import pyarrow as pa

from dashboard import schema
from dashboard.engines import spark_links
from dashboard.engines.duckdb_query import BATCH_ROWS, Choices, events_frame
from dashboard.engines.spark_tables import Source, list_items
from dashboard.filterfields import area_box, area_shape, event_ids_in_area
from dashboard.filters import Filters

__all__ = ["Choices", "Selection", "choices", "data_files_version", "export_file", "where"]


def data_files_version(source: Source) -> Any:
    """The data version a citation states: every file read, by name and SHA-256 (a file
    a Connect server reads that this machine cannot, by name, its SHA-256 said unknown)."""
    from dashboard.citation import files_version

    return files_version(source.label, [*source.files, *source.article_files],
                         unread=source.unread_files)


def _f() -> Any:
    from pyspark.sql import functions

    return functions


def _literal_pattern(text: str) -> str:
    """``text`` as a Java pattern matching itself, case folded as Unicode (``(?iu)``), the
    way Arrow's ``match_substring(ignore_case=True)`` folds it in the memory engine. Every
    ASCII non-letter is escaped (always allowed in Java's syntax)."""
    return "(?iu)" + "".join("\\" + ch if ord(ch) < 128 and not ch.isalnum() else ch
                             for ch in text)


def _array(values: Any) -> Any:
    F = _f()
    return F.array(*[F.lit(str(v)) for v in values])


@dataclass(frozen=True)
class _Query:
    """What a field's condition may need besides its value: the source, and the names of
    the boolean columns ``Selection`` joined on for the area and the cited articles."""

    source: Source
    area_ids: str | None
    cited: dict[str, str]
    dropped: str | None = None


Condition = Callable[[Any, _Query], Any]


def _one_of(column: str) -> Condition:
    return lambda values, _q: _f().col(column).isin([str(v) for v in values])


def _country(codes: tuple[str, ...], _q: _Query) -> Any:
    F = _f()
    return (F.col("country").isin(list(codes))
            | F.arrays_overlap(list_items(F.col("countries_involved")), _array(codes)))


def _outlet(_outlets: tuple[str, ...], query: _Query) -> Any:
    if not query.source.has_articles:
        raise ValueError("the outlet filter needs the articles: --articles FILE")
    return _f().col(query.cited["outlet"])


def _mentioning(text: str, query: _Query) -> Any:
    F = _f()
    pattern = _literal_pattern(text)
    found = F.col("summary").rlike(pattern) | F.col("location").rlike(pattern)
    if query.source.has_articles:
        found = found | F.col(query.cited["text"])
    return found


def _area(_name: str, query: _Query) -> Any:
    if query.area_ids is None:
        raise ValueError("the area filter needs the boundaries")
    return _f().col(query.area_ids)


def _once(_on: bool, query: _Query) -> Any:
    if query.dropped is None:
        raise ValueError("count each event once needs the events it drops (Selection)")
    return ~_f().col(query.dropped)


def _from(day: Any, _q: _Query) -> Any:
    F = _f()
    return (F.col("date_min").isNull() | (F.col("end_date") == schema.ONGOING)
            | (F.col("date_max") >= F.lit(day)))


def _to(day: Any, _q: _Query) -> Any:
    F = _f()
    return F.col("date_min").isNull() | (F.col("date_min") <= F.lit(day))


# As ``duckdb_query.CONDITIONS``, field by field of ``filterfields.FIELDS``: each date end
# lets undated events through and ``undated=0`` drops them.
CONDITIONS: dict[str, Condition] = {
    "country": _country,
    "topic": _one_of("topic"),
    "actor": lambda actors, _q: _f().arrays_overlap(list_items(_f().col("actors")),
                                                    _array(actors)),
    "verification": _one_of("verification"),
    "outlet": _outlet,
    "q": _mentioning,
    "from": _from,
    "to": _to,
    "undated": lambda _included, _q: _f().col("date_min").isNotNull(),
    "dataset": _one_of("source_dataset"),
    "precise": lambda _on, _q: _f().col("geo_precision").isin(list(schema.PRECISE_PLACES)),
    "bbox": lambda box, _q: _in_box(*box),
    "area": _area,
    "once": _once,
}

def where(filters: Filters, source: Source, *, area_ids: str | None = None,
          cited: dict[str, str] | None = None, dropped: str | None = None) -> Any:
    """The condition over ``source.events`` selecting what ``filters.mask`` selects: one
    condition per field set, in the registry's order. ``area_ids``, ``cited`` and
    ``dropped`` name the boolean columns a join added (see ``Selection``)."""
    F = _f()
    values_set = [(spec, getattr(filters, spec.field)) for spec in filters.FIELDS
                  if getattr(filters, spec.field) != spec.default]
    query = _Query(source, area_ids, cited or {}, dropped)
    condition = F.lit(True)
    for spec, value in values_set:
        condition = condition & F.coalesce(CONDITIONS[spec.key](value, query), F.lit(False))
    return condition


_NUMBER = r"(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_PAIR = _NUMBER + r"\s+" + _NUMBER


def _shape_bound(group: int, aggregate: str) -> Any:
    """The min or max x (1) or y (2) of a WKT's coordinate pairs (the first two numbers
    of each), read with a pattern as the duckdb engine reads them."""
    F = _f()
    values = F.transform(F.regexp_extract_all(F.col("geometry_wkt"), F.lit(_PAIR), group),
                         lambda v: v.cast("double"))
    return F.array_min(values) if aggregate == "min" else F.array_max(values)


def _in_box(west: float, south: float, east: float, north: float) -> Any:
    """``EventIndex.in_box``: the point in the box, or the shape's extent crossing it."""
    F = _f()
    c = F.col
    point = ((c("longitude") >= west) & (c("longitude") <= east) & (c("latitude") >= south)
             & (c("latitude") <= north))
    shape = ((_shape_bound(1, "min") <= east) & (_shape_bound(1, "max") >= west)
             & (_shape_bound(2, "min") <= north) & (_shape_bound(2, "max") >= south))
    return (F.coalesce(point, F.lit(False))
            | (c("geometry_wkt").isNotNull() & F.coalesce(shape, F.lit(False))))


# -- what the data offers ------------------------------------------------------------------------


def choices(source: Source) -> Choices:
    """Distinct countries (own or involved), topics, levels, outlets and datasets."""
    F = _f()

    def column(frame: Any) -> list[str]:
        values = frame.distinct().toArrow().column(0).to_pylist()
        return sorted(str(v) for v in values if v is not None)

    events = source.events
    countries = column(events.select("country").unionAll(
        events.select(F.explode(list_items(F.col("countries_involved"))))))
    outlets = column(source.articles.select("outlet")) if source.has_articles else []
    return Choices(countries, column(events.select("topic")),
                   column(events.select("verification")), outlets,
                   column(events.select("source_dataset")))


# -- selection and export --------------------------------------------------------------------------


class Selection:
    """The events one filter selects from a source, ready to count, list or write."""

    def __init__(self, source: Source, filters: Filters, areas: Any = None) -> None:
        F = _f()
        self.source, self.filters = source, filters
        events = source.events
        cited: dict[str, str] = {}
        if filters.outlets and source.has_articles:
            events = _flag_citing(events, source, F.col("outlet").isin(list(filters.outlets)),
                                  "_by_outlet")
            cited["outlet"] = "_by_outlet"
        if filters.text and source.has_articles:
            events = _flag_citing(events, source,
                                  F.col("title").rlike(_literal_pattern(filters.text)),
                                  "_by_title")
            cited["text"] = "_by_title"
        area_ids = None
        if filters.area:
            events = _flag_area(events, source, filters, areas)
            area_ids = "_in_area"
        dropped = None
        if filters.once:
            events = _flag_dropped(events, source, filters, areas)
            dropped = "_once_dropped"
        self.frame_all = events.filter(where(filters, source, area_ids=area_ids, cited=cited,
                                             dropped=dropped))

    def rows(self, *columns: str) -> Any:
        """The selected rows' columns in file order (a Spark DataFrame)."""
        return self.frame_all.orderBy("_path", "_row").select(*columns)

    def count(self) -> int:
        return int(self.frame_all.count())

    def event_ids(self) -> list[str]:
        """The selected ids in file order (the parity tests compare them)."""
        return [str(v) for v in self.rows("event_id").toArrow().column(0).to_pylist()]

    def source_names(self) -> list[str]:
        values = self.frame_all.select("source_dataset").distinct().toArrow().column(0)
        return sorted(str(v) for v in values.to_pylist() if v is not None and str(v))

    def table(self) -> pa.Table:
        """The selected events (``EVENT_COLUMNS`` and the exports' ``linked_events``) as
        one Arrow table, in file order."""
        rows = spark_links.with_linked(self.frame_all, self.source.links)
        return (rows.orderBy("_path", "_row").select(*schema.EXPORT_EVENT_COLUMNS).toArrow()
                .combine_chunks())

    def frame(self) -> pd.DataFrame:
        """The whole slice with its ``linked_events`` (GeoJSON, Excel and the tests)."""
        return events_frame(self.table())

    def articles(self) -> pd.DataFrame:
        """The accepted articles the selected events cite (in file order), all ``str``."""
        F = _f()
        if not self.source.has_articles:
            return _no_articles()
        ids = self.frame_all.select(F.explode(list_items(F.col("article_ids")))
                                    .alias("article_id"))
        table = (self.source.articles.join(ids, "article_id", "left_semi")
                 .orderBy("_path", "_row").select(*schema.ARTICLE_COLUMNS).toArrow())
        return pd.DataFrame({c: pd.Series(table.column(c).to_pylist(), dtype="str")
                             for c in schema.ARTICLE_COLUMNS})


def _no_articles() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="str") for c in schema.ARTICLE_COLUMNS})


def _flag_citing(events: Any, source: Source, condition: Any, name: str) -> Any:
    """``events`` with a column ``name``: whether it cites an accepted article meeting the
    condition (a semi-join of its cited ids, as ``duckdb_query._citing``)."""
    F = _f()
    matching = source.articles.filter(F.coalesce(condition, F.lit(False))).select("article_id")
    citing = (events.select("event_id", F.explode(list_items(F.col("article_ids")))
                            .alias("article_id"))
              .join(matching, "article_id", "left_semi").select("event_id").distinct()
              .withColumn(name, F.lit(True)))
    return events.join(citing, "event_id", "left").fillna(False, subset=[name])


def _flag_dropped(events: Any, source: Source, filters: Filters, areas: Any) -> Any:
    """``events`` with ``_once_dropped``: whether "count each event once" drops it from
    what the rest of ``filters`` selects (``spark_links.dropped``, worked out on the
    driver over the links of the selected events; memory's ``once`` sees the same rows)."""
    F = _f()
    gone = None
    if source.links is not None:
        chosen = Selection(source, replace(filters, once=False), areas).frame_all
        gone = spark_links.dropped(source.links, chosen.select("event_id"), source.spark)
    if gone is None:
        return events.withColumn("_once_dropped", F.lit(False))
    return events.join(gone.withColumn("_once_dropped", F.lit(True)), "event_id", "left") \
        .fillna(False, subset=["_once_dropped"])


def _flag_area(events: Any, source: Source, filters: Filters, areas: Any) -> Any:
    """``events`` with ``_in_area``: in the area by ``EventIndex.in_area``'s test, done
    with shapely on the driver over the candidates inside the area's bounds."""
    F = _f()
    if areas is None:
        raise ValueError("the area filter needs the boundaries")
    shape = area_shape(areas, filters.area)
    candidates = (events.filter(where(Filters(bbox=area_box(shape)), source))
                  .select("event_id", "longitude", "latitude", "geometry_wkt").toArrow())
    inside = event_ids_in_area(shape, candidates.to_batches(BATCH_ROWS)).to_pylist()
    from pyspark.sql.types import StringType, StructField, StructType

    ids = source.spark.createDataFrame([(i,) for i in inside],
                                       StructType([StructField("event_id", StringType())]))
    return events.join(ids.withColumn("_in_area", F.lit(True)), "event_id", "left") \
        .fillna(False, subset=["_in_area"])


def export_file(source: Source, query: str, kind: str, fmt: str, exported: Any, output: str,
                boundaries: str | None) -> tuple[int, int]:
    """``export --engine spark``: the query resolved against the data's choices (notices on
    stderr), the file written as the memory engine writes it (``kind`` ``events`` or
    ``articles``, ``fmt`` a format or ``BUNDLE``); the events and articles it holds."""
    from dashboard.citation import make_citation
    from dashboard.export import selection_download
    from dashboard.filters import resolve_query
    from dashboard.taxonomy import load_topics

    params = parse_qs(query, keep_blank_values=True)
    areas = spellings = None
    if "area" in params:
        from dashboard.boundaries import area_spellings, load_boundaries

        areas = load_boundaries(boundaries)
        spellings = area_spellings(areas)
    topics = load_topics()
    filters, notices = resolve_query(params, choices(source), spellings)
    for notice in notices:
        print(f"notice: {notice}", file=sys.stderr)
    selection = Selection(source, filters, areas)
    citation = None
    if fmt != "csv":
        names = pd.DataFrame({"source_dataset": pd.Series(selection.source_names(), dtype="str")})
        citation = make_citation(filters, names, data_version=[data_files_version(source)],
                                 exported=exported, topic_labels=dict(
                                     zip(topics["key"], topics["label"], strict=True)))
    from dashboard.export import EMBEDS_ARTICLES

    # the slice is on the driver already: the memory engine's own writer, the same bytes
    events = selection.frame()
    cited = (selection.articles() if kind == "articles" or fmt in EMBEDS_ARTICLES
             else _no_articles())
    download, articles = selection_download(kind, events, cited, filters, fmt, citation)
    Path(output).write_bytes(download.data)
    return len(events), articles
