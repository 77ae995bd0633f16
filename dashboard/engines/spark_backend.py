"""The ``spark`` engine's backend: the pages' questions as Spark plans over the checked rows.

Opening a source checks it once (``spark_tables.open_source``: the memory engine's rules
as PySpark expressions, rejected rows left out) and keeps the accepted rows in Spark
(a local checkpoint; on a Connect server, the cluster's). Each answer is one plan with
the filter's condition (``spark_query.Selection``: one condition per field, every value a
literal of the plan), grouped or limited in Spark, so only bounded results reach this
process: grouped counts, at most ``limit`` map points or grid cells, one page of events
or articles. File order (``_path``, ``_row``) plays the duckdb engine's ``_seq``. The
events linked across datasets were found when the source was opened (``spark_links``):
"Also in", ``link_counts``, the downloads' ``linked_events`` and ``once=1`` read them.

The answers are the duckdb backend's to the value (the parity tests hold all three
engines to each other): this class inherits its pandas finishing of grouped counts (the
headline, the counts by country, topic and level, the timeline, the grid and the map's
points) and replaces every query (``_cube``, ``_distinct``, ``_spans``, ``_cell_counts``,
``_points``, ...). Only the whole-slice downloads collect the selected rows, as
``export --engine spark`` does.
"""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard import aggregate, schema
from dashboard.aggregate import AS_COUNTRY, MAP_POINT_LIMIT
from dashboard.choices import ACTOR_CHOICES, Options
from dashboard.dataset import LoadReport
from dashboard.engines import spark_links
from dashboard.engines.duckdb_backend import (
    REPORT_LINES,
    DuckDBBackend,
    _day,
    _monthly,
    events_frame,
)
from dashboard.engines.duckdb_query import BATCH_ROWS
from dashboard.engines.spark_query import Selection, choices
from dashboard.engines.spark_tables import Source, list_items, open_source
from dashboard.eventdetail import DISTANCE_SLACK_KM, KM_PER_DEGREE_LATITUDE, distances_km
from dashboard.filters import ARTICLE_LIST_COLUMNS, Filters
from dashboard.i18n import ENGLISH, N_, Translator
from dashboard.timeframe import Frame

if TYPE_CHECKING:
    import geopandas as gpd

    from dashboard.citation import DataVersion
    from dashboard.export import Download

_FAR_DAY = dt.date(9999, 12, 31)
_EPOCH = dt.date(1970, 1, 1)
_FRAME_COLUMNS = [*schema.EVENT_COLUMNS, *schema.DERIVED_COLUMNS]


def _f() -> Any:
    from pyspark.sql import functions

    return functions


def _strings(table: Any, columns: list[str]) -> pd.DataFrame:
    """Arrow columns as a frame of ``str`` cells (the articles' and their list's shape)."""
    return pd.DataFrame({c: pd.Series(table.column(c).to_pylist(), dtype="str")
                         for c in columns})


def _point_batches(rows: Iterator[Any]) -> Iterator[pa.RecordBatch]:
    """Spark rows of ``longitude, latitude, events`` as record batches of ``BATCH_ROWS``."""
    while chunk := list(itertools.islice(rows, BATCH_ROWS)):
        lon, lat, events = zip(*chunk, strict=True)
        yield pa.record_batch({"longitude": pa.array(lon, pa.float64()),
                               "latitude": pa.array(lat, pa.float64()),
                               "events": pa.array(events, pa.int64())})


def open_backend(data: str, *, table: str | None = None,
                 articles: str | None = None) -> SparkBackend:
    """The backend over ``data`` (a Parquet file, folder or glob) or the catalog table
    ``table``, with its articles file if given; LoadError for what Spark cannot read."""
    from pathlib import Path

    source = open_source(data, table=table, articles=articles)
    return SparkBackend(source, label=table or Path(data).name or str(data))


class SparkBackend(DuckDBBackend):
    """Answers from one checked Spark source (see the module docstring). Shared by every
    session of a server; answers are kept per filter as the duckdb backend keeps them."""

    engine = "spark"

    def __init__(self, source: Source, *, label: str,
                 areas: Callable[[], Any] | None = None) -> None:
        # not the duckdb backend's: no connection; only its finishing methods are used
        F = _f()
        c = F.col
        place = (F.when(c("geo_precision") == "admin", F.lit(aggregate.AS_AREA))
                 .when(c("geo_precision") == "country", F.lit(AS_COUNTRY))
                 .otherwise(F.lit(aggregate.AS_POINT)).cast("int"))
        uncertain = F.coalesce(c("date_precision").isin("week", "month", "year"), F.lit(False))
        source.events = source.events.select("*", place.alias("_place"),
                                             uncertain.alias("_uncertain"))
        self.spark_source, self.label = source, label
        # the files read, as a citation and the About page name them (duckdb's attributes)
        self.files, self.article_files = source.files, source.article_files
        self.unread_files = source.unread_files  # a Connect server's files not readable here
        self._lock = threading.RLock()
        self._areas = areas
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()
        self._options: Options | None = None
        self._reports: list[LoadReport] | None = None
        self.topic_order = self._seen_first("topic")
        self.country_order = self._seen_first("country")
        self.level_order = self._seen_first("verification")

    # -- plumbing ----------------------------------------------------------------------------

    def _seen_first(self, column: str) -> list[str]:
        F = _f()
        rows = (self.spark_source.events.filter(F.col(column).isNotNull()).groupBy(column)
                .agg(F.min(F.struct("_path", "_row")).alias("_first")).orderBy("_first")
                .select(column).collect())
        return [str(r[0]) for r in rows]

    def selected(self, filters: Filters, frame: Frame | None = None) -> Any:
        """The rows the filter (and frame) selects, as a Spark DataFrame (lazy). The plan
        is kept per filter: an area filter's test runs once (on the driver), not per answer."""
        F = _f()
        c = F.col

        def plan() -> Any:
            areas = self._areas() if filters.area and self._areas is not None else None
            return Selection(self.spark_source, filters, areas).frame_all

        rows = self._kept(("rows", filters), plan)
        if frame is not None and frame.at is not None:
            rows = rows.filter(c("date_min").isNotNull() & (c("date_min") <= F.lit(frame.at)))
            if frame.first_day is not None:
                end = F.when(c("end_date") == schema.ONGOING, F.lit(_FAR_DAY)) \
                    .otherwise(c("date_max"))
                rows = rows.filter(end >= F.lit(frame.first_day))
        return rows

    def _ordered(self, rows: Any, limit: int, offset: int = 0) -> pd.DataFrame:
        """Oldest first, undated last, then file order: the first ``limit`` after ``offset``."""
        F = _f()
        ordered = rows.orderBy(F.col("date_min").asc_nulls_last(), "_path", "_row")
        if offset:
            ordered = ordered.offset(int(offset))
        return events_frame(ordered.limit(int(limit)).select(*_FRAME_COLUMNS).toArrow())

    def _none(self) -> pd.DataFrame:
        return self._ordered(self.spark_source.events, 0)

    def _cube(self, filters: Filters, frame: Frame | None) -> pd.DataFrame:
        """Selected events grouped by country, topic, level, dated, located and place
        kind (the duckdb backend's cube, which its inherited methods add up)."""
        def compute() -> pd.DataFrame:
            F = _f()
            c = F.col
            return self.selected(filters, frame).groupBy(
                "country", "topic", "verification", c("date_min").isNotNull().alias("dated"),
                (c("latitude").isNotNull() & c("longitude").isNotNull()).alias("located"),
                "_place").agg(F.count(F.lit(1)).alias("n"), F.min("date_min").alias("first"),
                              F.max("date_max").alias("last")).toArrow().to_pandas()
        return self._kept(("cube", filters, frame), compute)

    # -- the Protocol --------------------------------------------------------------------------

    def options(self) -> Options:
        if self._options is None:
            from dashboard.taxonomy import topic_keys

            F = _f()
            events = self.spark_source.events
            found = choices(self.spark_source)
            taxonomy = topic_keys()
            present = self.topic_order
            topics = [t for t in taxonomy if t in present] + sorted(set(present) - set(taxonomy))
            actors = (events.select(F.explode(F.split(F.col("actors"), ";")).alias("raw"))
                      .select(F.trim(F.col("raw")).alias("a")).filter(F.col("a") != "")
                      .groupBy("a").count().orderBy(F.desc("count"), "a")
                      .limit(ACTOR_CHOICES).collect())
            span = events.agg(F.min("date_min"), F.max("date_max")).collect()[0]
            levels = set(self.level_order)
            self._options = Options(
                countries=found.countries, topics=topics, actors=[str(r[0]) for r in actors],
                verifications=[v for v in schema.VERIFICATION_LEVELS if v in levels],
                outlets=found.outlets, datasets=found.datasets,
                first=_day(span[0]), last=_day(span[1]))
        return self._options

    def _distinct(self, filters: Filters, frame: Frame | None) -> tuple[int, int]:
        F = _f()
        rows = self.selected(filters, frame)
        countries = rows.select(F.col("country").alias("c")).unionAll(
            rows.select(F.explode(list_items(F.col("countries_involved"))).alias("c"))
        ).filter(F.col("c").isNotNull()).agg(F.countDistinct("c")).collect()[0][0]
        articles = 0
        if self.spark_source.has_articles:
            cited = rows.select(F.explode(list_items(F.col("article_ids"))).alias("article_id"))
            articles = self.spark_source.articles.join(cited, "article_id", "left_semi").count()
        return int(articles), int(countries)

    def _spans(self, filters: Filters) -> pd.DataFrame:
        F = _f()
        c = F.col
        epoch = F.lit(_EPOCH)
        return (self.selected(filters).filter(c("date_min").isNotNull())
                .groupBy("topic", F.datediff(c("date_min"), epoch).alias("first"),
                         F.datediff(c("date_max"), epoch).alias("last"), "_uncertain")
                .agg(F.count(F.lit(1)).alias("n")).toArrow().to_pandas())

    # -- the map -----------------------------------------------------------------------------

    def _mapped(self, filters: Filters, frame: Frame | None) -> Any:
        c = _f().col
        return self.selected(filters, frame).filter(
            c("latitude").isNotNull() & c("longitude").isNotNull() & (c("_place") != AS_COUNTRY))

    def by_area(self, filters: Filters, frame: Frame | None,
                areas: gpd.GeoDataFrame) -> pd.DataFrame:
        """The duckdb backend's grouping by point as a plan, its rows streamed to this
        process a partition at a time and tested ``BATCH_ROWS`` points at a time."""
        def compute() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
            F = _f()
            c = F.col
            west, south, east, north = aggregate.area_bounds(areas)
            grouped = (self.selected(filters, frame)
                       .filter(c("longitude").between(F.lit(west), F.lit(east))
                               & c("latitude").between(F.lit(south), F.lit(north)))
                       .groupBy("longitude", "latitude")
                       .agg(F.count(F.lit(1)).alias("events")))
            return areas, aggregate.counts_by_area(_point_batches(grouped.toLocalIterator()),
                                                   areas)
        return self._kept(("areas", filters, frame, id(areas)), compute)[1]

    def _extent(self, filters: Filters, frame: Frame | None) -> tuple[int, tuple | None]:
        def compute() -> tuple[int, tuple | None]:
            F = _f()
            n, lat0, lat1, lon0, lon1 = self._mapped(filters, frame).agg(
                F.count(F.lit(1)), F.min("latitude"), F.max("latitude"), F.min("longitude"),
                F.max("longitude")).collect()[0]
            return int(n), (None if not n else (float(lat0), float(lat1), float(lon0),
                                                float(lon1)))
        return self._kept(("extent", filters, frame), compute)

    def _cell(self, extent: tuple, limit: int) -> tuple[Any, float, int]:
        """The grid cell of each row as a column (``_cells_sql``'s number), its size and
        the grid's columns."""
        F = _f()
        lat_min, lat_max, lon_min, lon_max = extent
        size, columns = aggregate.grid_layout(lat_min, lat_max, lon_min, lon_max, limit)
        cell = (F.floor((F.col("latitude") - F.lit(lat_min)) / F.lit(size)).cast("long")
                * F.lit(columns)
                + F.floor((F.col("longitude") - F.lit(lon_min)) / F.lit(size)).cast("long"))
        return cell, size, columns

    def _cell_counts(self, filters: Filters, frame: Frame | None, extent: tuple,
                     limit: int) -> tuple[pd.DataFrame, float, int]:
        cell, size, columns = self._cell(extent, limit)
        table = (self._mapped(filters, frame).groupBy(cell.alias("cell"), "topic")
                 .agg(_f().count(_f().lit(1)).alias("n")).toArrow().to_pandas())
        return table, size, columns

    def _points(self, filters: Filters, frame: Frame | None, n: int) -> pa.Table:
        F = _f()
        c = F.col
        chars = aggregate.TOOLTIP_CHARS
        summary = F.when(F.length(c("summary")) > chars,
                         F.concat(F.substring(c("summary"), 1, chars - 1), F.lit("\u2026"))
                         ).otherwise(c("summary"))
        return self._mapped(filters, frame).orderBy("_path", "_row").select(
            "latitude", "longitude", F.coalesce(c("geo_precision"), F.lit("")).alias("precision"),
            "topic", F.coalesce(c("event_date"), F.lit("undated")).alias("date"),
            F.coalesce(c("location"), F.lit("")).alias("location"),
            F.coalesce(summary, F.lit("")).alias("summary"), "verification", "event_id"
        ).toArrow()

    def map_shapes(self, filters: Filters, frame: Frame | None = None,
                   limit: int = 300) -> tuple[list[dict], int]:
        shaped = self.selected(filters, frame).filter(_f().col("geometry_wkt").isNotNull())
        total = int(shaped.count())
        if not total:
            return [], 0
        features, _ = aggregate.map_shapes(self._ordered(shaped, limit), limit)
        return features, total

    def picked(self, filters: Filters, frame: Frame | None, *, ids: list[str] | None = None,
               cell: tuple[float, float] | None = None,
               limit: int = 50) -> tuple[pd.DataFrame, int]:
        c = _f().col
        if ids:
            rows = self.selected(filters, frame).filter(c("event_id").isin(
                [str(i) for i in ids]))
        elif cell is not None:
            n, extent = self._extent(filters, frame)
            if not n or extent is None:
                return self._none(), 0
            lat_min, _, lon_min, _ = extent
            cell_column, size, columns = self._cell(extent, MAP_POINT_LIMIT)
            row = np.floor((cell[0] - lat_min) / size)
            column = np.floor((cell[1] - lon_min) / size)
            centre = (lat_min + (row + 0.5) * size, lon_min + (column + 0.5) * size)
            if not np.allclose(centre, cell, rtol=0, atol=size * 1e-6):
                return self._none(), 0
            rows = self._mapped(filters, frame).filter(
                cell_column == int(row) * columns + int(column))
        else:
            return self._none(), 0
        return self._ordered(rows, limit), int(rows.count())

    # -- lists -------------------------------------------------------------------------------

    def events_page(self, filters: Filters, offset: int,
                    limit: int) -> tuple[pd.DataFrame, int]:
        return self._ordered(self.selected(filters), limit, offset), self.count(filters)

    def _cited(self, filters: Filters, event_ids: list[str] | None) -> Any:
        """The selected events' citations: distinct (event_id, topic, country,
        verification, article_id) rows."""
        F = _f()
        rows = self.selected(filters)
        if event_ids is not None:
            rows = rows.filter(F.col("event_id").isin([str(i) for i in event_ids]))
        return rows.select("event_id", "topic", "country", "verification",
                           F.explode(list_items(F.col("article_ids"))).alias("article_id")
                           ).distinct()

    def articles_page(self, filters: Filters, offset: int, limit: int,
                      event_ids: list[str] | None = None) -> tuple[pd.DataFrame, int]:
        from pyspark.sql import Window

        F = _f()
        c = F.col
        empty = pd.DataFrame({name: pd.Series(dtype="str") for name in ARTICLE_LIST_COLUMNS})
        if not self.spark_source.has_articles:
            return empty, 0
        cited = self._cited(filters, event_ids)
        matched = self.spark_source.articles.join(cited.select("article_id"), "article_id",
                                                  "left_semi")
        total = int(matched.count())
        if not total or offset >= total:
            return empty, total
        order = Window.orderBy(c("published").desc_nulls_last(), c("article_id"))
        page = (matched.select(*schema.ARTICLE_COLUMNS,
                               F.row_number().over(order).alias("_position"))
                .filter((c("_position") > int(offset)) & (c("_position") <= int(offset + limit))))
        joined = [F.nullif(F.array_join(F.array_sort(F.collect_set(c(name))), "; "),
                           F.lit("")).alias(out)
                  for name, out in (("topic", "topics"), ("country", "countries"),
                                    ("verification", "verification"),
                                    ("event_id", "event_ids"))]
        table = (page.join(cited, "article_id").groupBy(*schema.ARTICLE_COLUMNS, "_position")
                 .agg(*joined).orderBy("_position").select(*ARTICLE_LIST_COLUMNS).toArrow())
        listed = _strings(table, ARTICLE_LIST_COLUMNS)
        return listed, total

    def articles_by_id(self, article_ids: list[str]) -> pd.DataFrame:
        if not self.spark_source.has_articles:  # events without an articles file
            return pd.DataFrame({c: pd.Series(dtype="str") for c in schema.ARTICLE_COLUMNS})
        table = (self.spark_source.articles
                 .filter(_f().col("article_id").isin([str(i) for i in article_ids]))
                 .select(*schema.ARTICLE_COLUMNS).toArrow())
        return _strings(table, schema.ARTICLE_COLUMNS)

    def event(self, event_id: str) -> pd.Series | None:
        frame = self._ordered(self.spark_source.events.filter(
            _f().col("event_id") == str(event_id)), 1)
        return None if frame.empty else frame.iloc[0]

    def selects(self, filters: Filters, event_id: str) -> bool:
        return bool(self.selected(filters).filter(_f().col("event_id") == str(event_id))
                    .limit(1).count())

    def also_in(self, event_ids: list[str]) -> list[list[tuple[str, list[str]]]]:
        """The linked events of other datasets (the links found at open, ``spark_links``)."""
        links = self.spark_source.links
        if links is None:
            return [[] for _ in event_ids]
        return self._kept(("also_in", tuple(event_ids)),
                          lambda: spark_links.also_in(links, list(event_ids)))

    def link_counts(self) -> tuple[int, int]:
        """Events linked across datasets and links (found once, when the source was opened)."""
        links = self.spark_source.links
        return (0, 0) if links is None else (links.events, links.count)

    def _first_row(self, event_id: str) -> Any:
        """The first row (file order) with this id, or None."""
        found = (self.spark_source.events.filter(_f().col("event_id") == str(event_id))
                 .orderBy("_path", "_row").limit(1).collect())
        return found[0] if found else None

    def co_reported(self, event_id: str, limit: int = 50) -> tuple[pd.DataFrame, int]:
        F = _f()
        c = F.col
        first = self._first_row(event_id)
        own = [] if first is None or first["article_ids"] is None else [
            item.strip() for item in str(first["article_ids"]).split(";") if item.strip()]
        accepted = [str(r[0]) for r in self.spark_source.articles.filter(
            c("article_id").isin(own)).select("article_id").collect()] \
            if own and self.spark_source.has_articles else []
        if not accepted:
            return self._none(), 0
        rows = self.spark_source.events.filter(
            (c("event_id") != str(event_id))
            & F.arrays_overlap(list_items(c("article_ids")),
                               F.array(*[F.lit(a) for a in accepted])))
        table = rows.orderBy("_path", "_row").limit(int(limit)).select(*_FRAME_COLUMNS).toArrow()
        return events_frame(table), int(rows.count())

    def nearby(self, event_id: str, km: float = 25, days: int = 7,
               limit: int = 50) -> tuple[pd.DataFrame, int]:
        F = _f()
        c = F.col
        first = self._first_row(event_id)
        none = self._none().assign(distance_km=pd.Series(dtype=float))
        if first is None or first["latitude"] is None or first["longitude"] is None \
                or first["date_min"] is None:
            return none, 0
        lat, lon = float(first["latitude"]), float(first["longitude"])
        band = (km + DISTANCE_SLACK_KM) / KM_PER_DEGREE_LATITUDE
        rows = self.spark_source.events.filter(
            c("date_min").isNotNull() & c("latitude").isNotNull() & c("longitude").isNotNull()
            & (c("date_min") <= F.lit(first["date_max"] + dt.timedelta(days=days)))
            & (c("date_max") >= F.lit(first["date_min"] - dt.timedelta(days=days)))
            & (F.abs(c("latitude") - F.lit(lat)) <= F.lit(band))
            & ~((c("_path") == first["_path"]) & (c("_row") == first["_row"])))
        table = rows.select(*_FRAME_COLUMNS, "_path", "_row").toArrow()
        if not table.num_rows:
            return none, 0
        frame = events_frame(table)
        distance = distances_km(lat, lon, frame["latitude"].to_numpy(float),
                                frame["longitude"].to_numpy(float))
        frame["distance_km"] = distance
        frame["_path"] = table.column("_path").to_pylist()
        frame["_row"] = table.column("_row").to_numpy()
        frame = frame[distance <= km + DISTANCE_SLACK_KM]
        frame = frame.sort_values(["distance_km", "date_min", "_path", "_row"], kind="stable")
        return (frame.drop(columns=["_path", "_row"]).head(limit).reset_index(drop=True),
                len(frame))

    def monthly_sources(self, filters: Filters) -> pd.DataFrame:
        """Events and distinct sources per (dataset, month), grouped in Spark; an outlet is
        one source (trimmed, lower case, as the duckdb engine folds it), an article
        without one a source of its own."""
        def compute() -> pd.DataFrame:
            from dashboard.coverage import LONGEST_DATED_SPAN

            F = _f()
            c = F.col
            counted = self.selected(filters).filter(
                c("date_min").isNotNull()
                & (F.datediff(c("date_max"), c("date_min")) <= LONGEST_DATED_SPAN)).select(
                "event_id", F.coalesce(c("source_dataset"), F.lit("")).alias("dataset"),
                F.date_format(c("date_min"), "yyyy-MM").alias("month"), "article_ids")
            events = (counted.groupBy("dataset", "month").agg(F.count(F.lit(1)).alias("events"))
                      .toArrow().to_pandas())
            sources = None
            if self.spark_source.has_articles:
                outlet = F.nullif(F.trim(c("outlet")), F.lit(""))
                source_of = F.when(outlet.isNotNull(), F.concat(F.lit("o:"), F.lower(outlet))) \
                    .otherwise(F.concat(F.lit("r:"), c("article_id")))
                sources = (counted.select("dataset", "month", F.explode(list_items(
                    c("article_ids"))).alias("article_id"))
                    .join(self.spark_source.articles, "article_id")
                    .groupBy("dataset", "month")
                    .agg(F.countDistinct(source_of).alias("sources")).toArrow().to_pandas())
            return _monthly(events, sources)
        return self._kept(("monthly", filters), compute)

    def reports(self) -> list[LoadReport]:
        if self._reports is None:
            from dashboard.engines.spark_cli import rejected_lines, table_report
            from dashboard.validate import REJECT_COLUMNS

            source = self.spark_source
            tables = ["events"] + (["articles"] if source.has_articles else [])
            lines = rejected_lines(source)
            made = []
            for name in tables:
                report = table_report(source, name)
                shown = lines.filter(_f().col("table") == name).limit(REPORT_LINES).toArrow()
                problems = pd.DataFrame({c: pd.Series(shown.column(c).to_pylist(),
                                                      dtype="Int64" if c == "row" else "str")
                                         for c in REJECT_COLUMNS})
                made.append(LoadReport(
                    file=report["file"], format=N_("canonical (spark engine)"),
                    rows_read=int(report["read"]), accepted=int(report["accepted"]),
                    rejected_rows=int(report["rejected"]), rejected=problems, table=name,
                    warnings=[*report["warnings"], *(
                        [f"{report['rejected']:,} rejected rows: the first "
                         f"{len(problems):,} problem lines are listed"]
                        if len(problems) >= REPORT_LINES else [])]))
            self._reports = made
        return self._reports

    def download(self, kind: str, filters: Filters, fmt: str, versions: list[DataVersion],
                 topic_labels: dict[str, str], exported: dt.datetime,
                 t: Translator = ENGLISH) -> Download:
        """The memory engine's bytes (``export.build_download``), as ``export --engine
        spark`` writes them, ``linked_events`` included."""
        from dashboard.citation import make_citation
        from dashboard.engines.duckdb_query import events_frame as typed
        from dashboard.export import EMBEDS_ARTICLES, build_download

        F = _f()
        rows = self.selected(filters)
        events = typed(spark_links.with_linked(rows, self.spark_source.links)
                       .orderBy("_path", "_row").select(*schema.EXPORT_EVENT_COLUMNS).toArrow())
        if kind == "articles":
            articles, _ = self.articles_page(filters, 0, 2**62)
        elif fmt in EMBEDS_ARTICLES and self.spark_source.has_articles:
            cited = rows.select(F.explode(list_items(F.col("article_ids"))).alias("article_id"))
            table = (self.spark_source.articles.join(cited, "article_id", "left_semi")
                     .orderBy("_path", "_row").select(*schema.ARTICLE_COLUMNS).toArrow())
            articles = _strings(table, schema.ARTICLE_COLUMNS)
        else:
            articles = pd.DataFrame({c: pd.Series(dtype="str") for c in schema.ARTICLE_COLUMNS})
        citation = make_citation(filters, events, data_version=versions, exported=exported,
                                 topic_labels=topic_labels, t=t)
        return build_download(kind, events, articles, filters, fmt, citation)


__all__ = ["SparkBackend", "open_backend"]
