"""The ``duckdb`` engine's backend: the pages' questions as SQL over data left on disk.

Opening a source validates it once (``duckdb_tables``: the memory engine's rules as SQL)
and writes the accepted rows, typed, to a DuckDB database file in the store's folder, keyed
by the SHA-256 of the files read (``store.content_key``, like the memory engine's store): a
later server on the same files skips the validation and opens that file, read only. It is
DuckDB's own storage rather than Parquet because a few whole rows (the map's shapes and
points) are fetched back by ``rowid`` without decompressing their neighbours' columns. Its
rows carry ``_seq`` (file, then row: the source's order), ``_place`` (how the map draws the
place: ``aggregate.AS_POINT``, ``AS_AREA``, ``AS_COUNTRY``) and ``_uncertain`` (a date known
only to the week, month or year).

Each answer is a query with the filter's ``WHERE`` (``duckdb_query.where``, every value a
bound parameter), reduced to the shape ``aggregate.py`` gives. A filter's fields other than
its dates are evaluated once: the rows they select, in the few columns the Overview's
questions read, become a *slice* (at most ``SLICE_ROWS``), an Arrow table registered with
the connection (cheaper to fill than a temporary table: docs/benchmark.md),
that every question of that filter, of its baseline periods and of its time frames reads
with only the date conditions left, instead of each question scanning the whole table; a
filter without such fields, or selecting more rows, asks the whole table. The country
condition probes each event's code of its involved countries (``_involved``, one per
distinct list, in ``involved_lists``) rather than splitting its text. Counts are ``GROUP
BY``s, the map's grid is computed in SQL over the layout ``aggregate.grid_layout`` chooses,
the timeline's spreading runs on grouped spans (``aggregate.spread_timeline``). Headline
numbers, counts by country, topic and level, the undated and the country-level events
come from one grouped "cube" query per filter and frame, kept for the next run. Ties are
broken as the memory engine's codes break them: by first appearance in the file.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard import aggregate, schema, store
from dashboard.aggregate import AS_COUNTRY, MAP_POINT_LIMIT, Headline
from dashboard.choices import ACTOR_CHOICES, Options
from dashboard.dataset import LoadReport
from dashboard.engines import duckdb_links
from dashboard.engines.duckdb_query import BATCH_ROWS, where
from dashboard.engines.duckdb_tables import (
    MEMORY_LIMIT,
    Source,
    _install_macros,
    arrow_batches,
    arrow_table,
    ident,
    lit,
    open_source,
    read_errors,
)
from dashboard.eventdetail import (
    DISTANCE_SLACK_KM,
    KM_PER_DEGREE_LATITUDE,
    distances_km,
)
from dashboard.filters import ARTICLE_LIST_COLUMNS, Filters
from dashboard.i18n import ENGLISH, N_, Sayable, Translator
from dashboard.readers import LoadError
from dashboard.timeframe import Frame

if TYPE_CHECKING:
    import geopandas as gpd

    from dashboard.citation import DataVersion
    from dashboard.engines.backend import Bounds
    from dashboard.export import Download

#: Problem lines kept in the load report (the counts are always whole).
REPORT_LINES = 10_000
#: (filter, frame) answers kept per backend: a re-run on the same filter costs nothing.
KEPT_ANSWERS = 64
#: Rows a filter's slice may hold (about 100 bytes a row in DuckDB's memory): a filter
#: selecting more asks the whole table, as a filter of dates only does.
SLICE_ROWS = 3_000_000
#: Slices kept per backend (Arrow tables, dropped oldest first), and the bytes they may
#: hold together (outside DuckDB's ``MEMORY_LIMIT``; the newest is kept whatever its size).
KEPT_SLICES = 3
SLICE_BYTES = 400 * 2**20
#: The filter fields a slice leaves to its questions: the dates, which baseline periods and
#: time frames change while the rest of the filter stays, and ``once``, which drops events
#: by what the whole filter selects (so a slice serves a filter with and without it).
DATE_KEYS = ("from", "to", "undated", "once")
#: Tables of the events ``once=1`` drops (one per filter, registered with the connection:
#: ``_seq`` numbers, 8 bytes per dropped event) kept per backend, dropped oldest first.
KEPT_DROPPED = 16
#: A slice's columns: what the Overview's questions read (``_shaped``: has a WKT shape).
#: (the cited ``article_ids`` too when there are articles)
SLICE_COLUMNS = ("rowid AS _rowid, _seq, country, _involved, topic, verification, "
                 "date_min, date_max, end_date, _uncertain, latitude, longitude, _place, "
                 "geometry_wkt IS NOT NULL AS _shaped, source_dataset")
#: The table of the involved lists' codes (``events._involved``) in the validated file.
INVOLVED_LISTS = "involved_lists"
#: The validated copy's own columns, left out of what it hands back as events.
_INTERNAL = "_seq, _place, _uncertain, _involved"
#: The temporary table of the events counted by (country, involved list code).
COUNTRY_COUNTS = "_country_counts"
#: What ``aggregate.map_shapes`` reads of an event: only these are fetched by ``rowid``
#: (the list columns, ``actors`` and ``article_ids``, cost most of a whole row's fetch).
SHAPE_COLUMNS = ("event_id", "event_date", "end_date", "topic", "location", "summary",
                 "verification", "geometry_wkt", "date_min")
_FAR_DAY = "DATE '9999-12-31'"
_MAPPABLE = f"latitude IS NOT NULL AND longitude IS NOT NULL AND _place <> {AS_COUNTRY}"
_EVENT_FIELDS = ", ".join(ident(c) for c in schema.EVENT_COLUMNS)
_PLACE_SQL = (f"CASE geo_precision WHEN 'admin' THEN {aggregate.AS_AREA} "
              f"WHEN 'country' THEN {AS_COUNTRY} ELSE {aggregate.AS_POINT} END")


# -- the cache of validated sources -------------------------------------------------------------


@dataclass(frozen=True)
class Validated:
    """Where one validated source lies: its accepted events and articles, and its report."""

    folder: Path

    @property
    def database(self) -> Path:
        """The accepted rows: tables ``events`` and ``articles``."""
        return self.folder / "validated.duckdb"

    @property
    def report(self) -> Path:
        return self.folder / "report.json"

    @property
    def problems(self) -> Path:
        return self.folder / "problems.parquet"

    def complete(self) -> bool:
        return all(p.is_file() for p in (self.database, self.report, self.problems))


def source_key(files: list[Path], article_files: list[Path], table: str | None,
               found: Sequence[Path] = (), left_out: Sequence[Path] = ()) -> str:
    """The cache key of a source: every file's SHA-256 (remembered by path and identity),
    the table read, the rules' code and data (``store.content_key``). ``found``: the
    articles files among the data's (``lake.Lake.found``), and those of them
    ``left_out`` for the articles given, which the copy's report names (the same
    content read from the folder or given, or left out, is another report)."""
    digests = [store.remembered_digest(f) for f in files]
    digests += ["articles"] + [store.remembered_digest(f) for f in article_files]
    digests += ["found"] + [store.remembered_digest(f) for f in found]
    digests += ["left out"] + [store.remembered_digest(f) for f in left_out]
    return store.content_key("duckdb-source", table, *digests)


def validated_folder(key: str, cache_dir: Path | None = None) -> Path:
    """The folder of a validated source: ``cache_dir``, else the store's ``duckdb/<key>``,
    else (no store) a folder of the system's temporary files."""
    if cache_dir is not None:
        return cache_dir / key
    root = store.cache_root()
    if root is None:
        import tempfile

        root = Path(tempfile.gettempdir()) / "dashboard-duckdb-cache"
    return root / "duckdb" / key


def _problem_lines(source: Source, table: str) -> str:
    """The problem lines of one table (``duckdb_tables``' ``event_problems``) as a temporary
    table: the rejected rows are read once (``_flagged_<table>`` holds them alone), then
    each rule's lines from those few rows, not from the file once per rule."""
    from dashboard.engines.duckdb_tables import ARTICLE_RULES, EVENT_RULES
    from dashboard.validate import _MAX_VALUE

    rules, flagged, lines = ((EVENT_RULES, "_flagged_events", "_event_lines")
                             if table == "events" else
                             (ARTICLE_RULES, "_flagged_articles", "_article_lines"))
    rejected = " OR ".join(ident("_" + check) for check, *_ in rules)
    source.con.execute(f"CREATE TEMP TABLE {lines}_rows AS SELECT * FROM {flagged} "
                       f"WHERE {rejected}")
    union = " UNION ALL ".join(
        f"SELECT _file AS file, {lit(table)} AS \"table\", _row AS row, {lit(column)} AS "
        f"\"column\", left(r_{column}, {_MAX_VALUE}) AS value, {reason} AS reason, _key "
        f"FROM {lines}_rows WHERE {ident('_' + check)}"
        for check, column, _, reason in rules)
    source.con.execute(f"CREATE TEMP TABLE {lines} AS {union}")
    return lines


def _copy_checked(source: Source, table: str, columns: str, params: list[Any]) -> int:
    """Write ``_checked_<table>``'s rows to ``validated.<table>`` in one pass, the rejected
    ones with their file and row; then keep those two in ``_rejected_<table>`` (for the
    problem lines), delete their rows and drop the columns: the rules and the copy's
    expressions are evaluated once per row. Returns the rows kept."""
    con = source.con
    con.execute(f"CREATE TABLE validated.{table} AS SELECT {columns}, "
                "CASE WHEN _rejected THEN _path END AS _rejected_path, "
                f"CASE WHEN _rejected THEN _row END AS _rejected_row FROM _checked_{table}",
                params)
    con.execute(f"INSERT INTO _rejected_{table} SELECT _rejected_path, _rejected_row FROM "
                f"validated.{table} WHERE _rejected_row IS NOT NULL")
    con.execute(f"DELETE FROM validated.{table} WHERE _rejected_row IS NOT NULL")
    for column in ("_rejected_path", "_rejected_row"):
        con.execute(f"ALTER TABLE validated.{table} DROP COLUMN {column}")
    return int(con.execute(f"SELECT count(*) FROM validated.{table}").fetchall()[0][0])


def validate_to(source: Source, target: Validated) -> None:
    """Write the accepted rows of a source opened with ``rejected=False``, typed, with
    their problems and report, to ``target`` (atomically: a folder of parts renamed into
    place). The rows are written as they come (``_seq`` orders them)."""
    from dashboard.engines.duckdb_cli import event_warnings, table_report

    partial = target.folder.with_name(target.folder.name + f".part-{threading.get_ident()}")
    partial.mkdir(parents=True, exist_ok=True)
    files = [str(f) for f in source.files]
    con = source.con
    con.execute(f"ATTACH {lit(str(partial / 'validated.duckdb'))} AS validated")
    accepted = {"events": _copy_checked(source, "events", f"""{_EVENT_FIELDS}, date_min,
            date_max, ((list_position(?::VARCHAR[], _path) - 1)::BIGINT << 40) + _row AS _seq,
            ({_PLACE_SQL})::TINYINT AS _place,
            coalesce(date_precision IN ('week', 'month', 'year'), false) AS _uncertain,
            _involved""", [files])}
    con.execute(f"CREATE TABLE validated.{INVOLVED_LISTS} AS SELECT DISTINCT _involved AS code, "
                "string_split(countries_involved, '; ') AS countries FROM _country_lists "
                "WHERE _involved IS NOT NULL")
    duckdb_links.make_links(con, "validated.events", f"validated.{duckdb_links.LINKS_TABLE}")
    if source.has_articles:
        accepted["articles"] = _copy_checked(source, "articles",
                                             ", ".join(schema.ARTICLE_COLUMNS), [])
    else:
        con.execute("CREATE TABLE validated.articles AS SELECT " + ", ".join(
            f"NULL::VARCHAR AS {c}" for c in schema.ARTICLE_COLUMNS) + " WHERE false")
    warned = event_warnings(source, "validated.events", "validated.articles")
    con.execute("DETACH validated")
    tables = list(accepted)
    lines = {table: _problem_lines(source, table) for table in tables}
    problems = " UNION ALL ".join(f"SELECT file, \"table\", row, \"column\", value, reason, "
                                  f"_key FROM {lines[t]}" for t in tables)
    con.execute(f"COPY (SELECT * EXCLUDE (_key) FROM ({problems}) ORDER BY \"table\" DESC, "
                f"_key, \"column\" LIMIT {REPORT_LINES}) TO "
                f"{lit(str(partial / 'problems.parquet'))} (FORMAT parquet)")
    reports = [table_report(source, table, lines[table], accepted=accepted[table],
                            warnings=warned) for table in tables]
    (partial / "report.json").write_text(json.dumps(reports), encoding="utf-8")
    try:
        partial.rename(target.folder)
    except OSError:  # another server validated the same files meanwhile: theirs is kept
        import shutil

        shutil.rmtree(partial, ignore_errors=True)


def open_validated(data: str, *, table: str | None = None, articles: str | None = None,
                   cache_dir: Path | None = None,
                   progress: Callable[[str], None] | None = None) -> DuckDBBackend:
    """The backend over ``data`` (a Parquet file, folder or glob, or a ``.duckdb`` table),
    validated on the first open of these files and read back from the cache after; its
    articles are ``articles``, else the articles files among a folder's or glob's."""
    from dashboard.engines.lake import Articles, lake_files

    found: list[Path] = []
    left_out: list[Path] = []
    if str(data).endswith(".duckdb") or table is not None:
        files = [Path(data)]
        if not files[0].is_file():
            raise LoadError(str(data), Sayable(N_("no such database file")))
        chosen = None if articles is None else Articles.given(articles)
    else:
        lake = lake_files(data)
        files, found, chosen = lake.events, lake.found, lake.articles(articles)
        left_out = lake.left_out(chosen)
    article_files = [] if chosen is None else chosen.files
    key = source_key(files, article_files, table, found, left_out)
    target = Validated(validated_folder(key, cache_dir))
    if not target.complete():
        if progress is not None:
            progress("validating")
        source = open_source(data, table=table, articles=articles, rejected=False)
        try:
            with read_errors(str(data)):
                validate_to(source, target)
        finally:
            source.con.close()
    return DuckDBBackend(target, label=Path(data).name or str(data), files=files,
                         article_files=article_files)


# -- the backend --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Where a question of one filter (and frame) looks: a table, its condition and
    parameters, the column that names a row of ``validated.events`` and the SQL saying a
    row has a shape. The whole table, or a slice holding the filter's other fields."""

    table: str
    sql: str
    params: list[Any]
    rowid: str = "rowid"
    shaped: str = "geometry_wkt IS NOT NULL"


def split_dates(filters: Filters) -> tuple[Filters, Filters]:
    """``filters`` as (its fields but the dates and ``once``, those only: ``DATE_KEYS``):
    the rows both select are the rows ``filters`` selects (``where`` ANDs one condition per
    field; ``once`` drops what the whole filter's selection drops, ``condition``'s
    ``counted``)."""
    dates = {spec.field: spec.default for spec in Filters.FIELDS if spec.key in DATE_KEYS}
    only = {name: getattr(filters, name) for name in dates}
    return replace(filters, **dates), Filters(**only)


def _connect(target: Validated) -> Source:
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT})
    con.execute(f"ATTACH {lit(str(target.database))} AS validated (READ_ONLY)")
    _install_macros(con)
    # the validated lists are canonical "A; B" (validate.normalise_list): a plain split
    # gives the items the filters' trimming split gives, at a fraction of its cost
    con.execute("CREATE OR REPLACE TEMP MACRO list_items(x) AS string_split(x, '; ')")
    con.execute("CREATE TEMP VIEW events AS SELECT * FROM validated.events")
    con.execute("CREATE TEMP VIEW articles AS SELECT * FROM validated.articles")
    has_articles = bool(con.execute("SELECT count(*) > 0 FROM articles").fetchall()[0][0])
    return Source(con, target.folder.name, [target.database], has_articles=has_articles,
                  involved_lists=f"validated.{INVOLVED_LISTS}", event_order="_seq",
                  article_order="article_id",
                  event_links=f"validated.{duckdb_links.LINKS_TABLE}")


def _day(value: Any) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    return value if isinstance(value, dt.date) else pd.Timestamp(value).date()


def events_frame(table: pa.Table) -> pd.DataFrame:
    """Rows of the validated file as the memory engine's events frame (``EVENT_COLUMNS``
    then ``date_min``/``date_max`` as ``datetime64``)."""
    from dashboard.engines.duckdb_query import events_frame as typed

    frame = typed(table)
    for name in schema.DERIVED_COLUMNS:
        frame[name] = pd.to_datetime(pd.Series(table.column(name).to_pylist(), dtype=object)
                                     ).astype("datetime64[ns]")
    return frame


def _monthly(events: pd.DataFrame, sources: pd.DataFrame | None) -> pd.DataFrame:
    """``coverage.monthly_sources``'s rows from grouped counts: every month from each
    dataset's first to its last, months between with none at 0."""
    empty = pd.DataFrame({"dataset": pd.Series(dtype="str"), "month": pd.Series(dtype="str"),
                          "events": pd.Series(dtype="int64"),
                          "sources": pd.Series(dtype="int64")})
    if events.empty:
        return empty
    found = {(str(d), str(m)): int(n) for d, m, n in events.itertuples(index=False)}
    cited = {} if sources is None else {(str(d), str(m)): int(n)
                                        for d, m, n in sources.itertuples(index=False)}
    rows = []
    for dataset in sorted({d for d, _ in found}, key=lambda d: (d == "", d)):
        months = sorted(m for d, m in found if d == dataset)
        for month in pd.period_range(months[0], months[-1], freq="M").astype(str):
            rows.append((dataset, month, found.get((dataset, month), 0),
                         cited.get((dataset, month), 0)))
    return pd.DataFrame(rows, columns=list(empty.columns)).astype(empty.dtypes.to_dict())


class DuckDBBackend:
    """Answers from one validated source (see the module docstring). Shared by every
    session of a server: one connection, one query at a time (a lock)."""

    engine = "duckdb"
    #: rows a slice may hold (``SLICE_ROWS``; a test sets -1 to ask the whole table)
    slice_rows = SLICE_ROWS
    #: the table of the links across datasets, when the data links any events (None: the
    #: questions about links answer "none" without a query; a subclass with links of its
    #: own, spark, answers them itself)
    links_table: str | None = None

    def __init__(self, target: Validated, *, label: str, files: list[Path],
                 article_files: list[Path], areas: Callable[[], Any] | None = None) -> None:
        self.target, self.label = target, label
        self.files, self.article_files = files, article_files
        self.source = _connect(target)
        self._lock = threading.RLock()
        self._areas = areas
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()
        self._slices: OrderedDict[Filters, str | None] = OrderedDict()
        self._held: dict[str, int] = {}  # each slice's bytes in Arrow, by its name
        self._country_counts = False  # COUNTRY_COUNTS made yet
        self._dropped: OrderedDict[Filters, str] = OrderedDict()
        self._made = 0
        links = self.source.event_links
        if links is not None and duckdb_links.any_links(self.source.con, links):
            self.links_table = links
        self._options: Options | None = None
        self.topic_order = self._first_seen("topic")
        self.country_order = self._first_seen("country")
        self.level_order = self._first_seen("verification")

    def with_areas(self, areas: Callable[[], Any]) -> DuckDBBackend:
        """Give the area filter its boundaries (the app's, loaded when first asked)."""
        self._areas = areas
        return self

    # -- plumbing ----------------------------------------------------------------------------

    def _rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        with self._lock:
            return self.source.con.execute(sql, params or []).fetchall()

    def _table(self, sql: str, params: list[Any] | None = None) -> pa.Table:
        with self._lock:
            return arrow_table(self.source.con, sql, params or [])

    def _first_seen(self, column: str) -> list[str]:
        rows = self._rows(f"SELECT {column} FROM events WHERE {column} IS NOT NULL "
                          f"GROUP BY {column} ORDER BY min(_seq)")
        return [str(r[0]) for r in rows]

    def _kept(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
            value = compute()
            self._answers[key] = value
            while len(self._answers) > KEPT_ANSWERS:
                self._answers.popitem(last=False)
            return value

    def condition(self, filters: Filters, frame: Frame | None = None, *,
                  counted: Filters | None = None) -> tuple[str, list[Any]]:
        """The ``WHERE`` of the filter (and frame) over the validated events, and its
        parameters. ``once`` leaves out what it drops from the selection of ``counted``
        (the whole filter ``filters`` is a part of, on a slice), else of ``filters``, both
        without the frame: the memory engine's mask counts once, then narrows to the frame."""
        area_ids = None
        if filters.area:
            from dashboard.engines.duckdb_query import _area_table

            if self._areas is None:
                raise ValueError("the area filter needs the boundaries")
            with self._lock:
                area_ids = _area_table(self.source, filters, self._areas())
        dropped = self._dropped_table(counted or filters) if filters.once else None
        sql, params = where(filters, self.source, area_ids=area_ids, dropped=dropped)
        if frame is not None and frame.at is not None:
            sql += " AND date_min IS NOT NULL AND date_min <= ?::DATE"
            params = [*params, frame.at]
            if frame.first_day is not None:
                sql += (f" AND (CASE WHEN end_date = {lit(schema.ONGOING)} THEN {_FAR_DAY} "
                        "ELSE date_max END) >= ?::DATE")
                params.append(frame.first_day)
        return sql, params

    def _slice(self, rest: Filters) -> str | None:
        """The name of the slice of the rows ``rest`` (a filter without dates) selects, in
        ``SLICE_COLUMNS``; None for no filter or more than ``slice_rows`` rows."""
        with self._lock:
            if rest in self._slices:
                self._slices.move_to_end(rest)
                return self._slices[rest]
            name = None
            if rest != Filters():
                sql, params = self.condition(rest)
                self._made += 1
                name = f"_slice_{self._made}"
                con = self.source.con
                columns = SLICE_COLUMNS + (", article_ids" if self.source.has_articles else "")
                # counted first: a filter too wide for a slice costs no copy of its rows; a
                # filter with countries is bounded by their rows, read from the small table
                # of counts per (country, list), and counted by a scan only past the bound
                bound = self._country_rows(rest.countries) if rest.countries else None
                rows = bound if bound is not None and bound <= self.slice_rows else (
                    con.execute(f"SELECT count(*) FROM validated.events WHERE {sql}",
                                params).fetchall()[0][0])
                if rows > self.slice_rows:
                    name = None
                else:
                    held = arrow_table(con, f"SELECT {columns} FROM validated.events WHERE "
                                       f"{sql}", params)
                    con.register(name, held)
                    self._held[name] = held.nbytes
            self._slices[rest] = name
            while len(self._slices) > KEPT_SLICES or (
                    len(self._slices) > 1 and sum(self._held.values()) > SLICE_BYTES):
                _, dropped = self._slices.popitem(last=False)
                if dropped is not None:
                    self.source.con.unregister(dropped)
                    del self._held[dropped]
            return name

    def _country_rows(self, countries: tuple[str, ...]) -> int:
        """The events whose country or involved list meets ``countries``, summed from the
        events counted by (country, list code) once, on the first filter with countries."""
        con = self.source.con
        if not self._country_counts:
            con.execute(f"CREATE TEMP TABLE {COUNTRY_COUNTS} AS SELECT country, _involved, "
                        "count(*) AS n FROM validated.events GROUP BY ALL")
            self._country_counts = True
        sql, params = where(Filters(countries=countries), self.source)
        return int(con.execute(f"SELECT coalesce(sum(n), 0) FROM {COUNTRY_COUNTS} WHERE {sql}",
                               params).fetchall()[0][0])

    def scope(self, filters: Filters, frame: Frame | None = None) -> Scope:
        """Where the questions of ``filters`` (and ``frame``) look: its slice with the date
        conditions, else the whole table with the whole condition."""
        rest, dates = split_dates(filters)
        sliced = self._slice(rest)
        if sliced is None:
            return Scope("validated.events", *self.condition(filters, frame))
        return Scope(sliced, *self.condition(dates, frame, counted=filters), rowid="_rowid",
                     shaped="_shaped")

    def _dropped_table(self, filters: Filters) -> str:
        """The name of the table of the ``_seq`` of the events ``once`` drops from what
        ``filters`` without it selects (``duckdb_links.dropped``), worked out once per filter
        (on its slice when it has one) and kept, ``KEPT_DROPPED`` of them."""
        counted = replace(filters, once=False)
        with self._lock:
            if counted in self._dropped:
                self._dropped.move_to_end(counted)
                return self._dropped[counted]
            seqs = np.empty(0, dtype=np.int64)
            if self.links_table is not None:
                scope = self.scope(counted)
                seqs = duckdb_links.dropped(self.source.con, self.links_table,
                                            f"SELECT _seq FROM {scope.table} WHERE {scope.sql}",
                                            scope.params)
            self._made += 1
            name = duckdb_links.register_dropped(self.source.con, f"_dropped_{self._made}", seqs)
            self._dropped[counted] = name
            while len(self._dropped) > KEPT_DROPPED:
                self.source.con.unregister(self._dropped.popitem(last=False)[1])
            return name

    def _whole_rows(self, scope: Scope, columns: str, where: str, order: str,
                    limit: int) -> pa.Table:
        """``columns`` of the first ``limit`` rows of ``scope`` meeting ``where`` in
        ``order``: the rows are chosen in the scope, then fetched by ``rowid``."""
        rowids = [r[0] for r in self._rows(
            f"SELECT {scope.rowid} FROM {scope.table} WHERE ({scope.sql}) AND {where} "
            f"ORDER BY {order} LIMIT {int(limit)}", scope.params)]
        return self._table(f"SELECT {columns} FROM validated.events WHERE rowid IN (SELECT "
                           f"unnest(?::BIGINT[])) ORDER BY {order}", [rowids])

    def _cube(self, filters: Filters, frame: Frame | None) -> pd.DataFrame:
        """Selected events grouped by country, topic, level, dated, located and place
        kind: what the headline, the counts and the map's notes add up."""
        def compute() -> pd.DataFrame:
            scope = self.scope(filters, frame)
            table = self._table(
                "SELECT country, topic, verification, date_min IS NOT NULL AS dated, "
                "(latitude IS NOT NULL AND longitude IS NOT NULL) AS located, _place, "
                "count(*) AS n, min(date_min) AS first, max(date_max) AS last "
                f"FROM {scope.table} WHERE {scope.sql} GROUP BY ALL", scope.params)
            return table.to_pandas()
        return self._kept(("cube", filters, frame), compute)

    # -- the Protocol --------------------------------------------------------------------------

    def options(self) -> Options:
        if self._options is None:
            from dashboard.taxonomy import topic_keys

            taxonomy = topic_keys()
            present = self.topic_order
            topics = [t for t in taxonomy if t in present] + sorted(set(present) - set(taxonomy))
            countries = sorted({str(r[0]) for r in self._rows(
                "SELECT country FROM events UNION SELECT unnest(countries) FROM "
                f"validated.{INVOLVED_LISTS} SEMI JOIN (SELECT DISTINCT _involved AS code "
                "FROM events) USING (code)") if r[0] is not None})
            actors = [str(r[0]) for r in self._rows(
                "SELECT a, count(*) AS n FROM (SELECT unnest(string_split(actors, ';')) AS raw "
                "FROM events) , LATERAL (SELECT trim(raw) AS a) WHERE a <> '' GROUP BY a "
                f"ORDER BY n DESC, a LIMIT {ACTOR_CHOICES}")]
            levels = set(self.level_order)
            span = self._rows("SELECT min(date_min), max(date_max) FROM events")[0]
            self._options = Options(
                countries=countries, topics=topics, actors=actors,
                verifications=[v for v in schema.VERIFICATION_LEVELS if v in levels],
                outlets=sorted(str(r[0]) for r in self._rows(
                    "SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL")),
                datasets=sorted(str(r[0]) for r in self._rows(
                    "SELECT DISTINCT source_dataset FROM events WHERE source_dataset IS NOT NULL")),
                first=_day(span[0]), last=_day(span[1]))
        return self._options

    def count(self, filters: Filters, frame: Frame | None = None) -> int:
        return int(self._cube(filters, frame)["n"].sum())

    def headline(self, filters: Filters, frame: Frame | None = None) -> Headline:
        cube = self._cube(filters, frame)
        articles, countries = self._kept(("distinct", filters, frame),
                                         lambda: self._distinct(filters, frame))
        dated = cube[cube["dated"]]
        return Headline(events=int(cube["n"].sum()), articles=articles, countries=countries,
                        first=_day(dated["first"].min()) if len(dated) else None,
                        last=_day(dated["last"].max()) if len(dated) else None)

    def _distinct(self, filters: Filters, frame: Frame | None) -> tuple[int, int]:
        """The articles the selected events cite and the countries they name (the event's
        own and those involved), each counted once: the headline's two numbers no cube
        adds up."""
        scope = self.scope(filters, frame)
        table, sql, params = scope.table, scope.sql, scope.params
        countries = self._rows(
            f"SELECT count(DISTINCT c) FROM (SELECT country AS c FROM {table} WHERE {sql} "
            f"UNION ALL SELECT unnest(countries) FROM validated.{INVOLVED_LISTS} SEMI JOIN "
            f"(SELECT DISTINCT _involved AS code FROM {table} WHERE {sql}) USING (code)) "
            "WHERE c IS NOT NULL", [*params, *params])[0][0]
        articles = self._rows(
            "SELECT count(*) FROM articles SEMI JOIN (SELECT unnest(list_items("
            f"article_ids)) AS article_id FROM {table} WHERE {sql}) USING (article_id)",
            params)[0][0] if self.source.has_articles else 0
        return int(articles), int(countries)

    def day_span(self, filters: Filters) -> tuple[dt.date, dt.date] | None:
        dated = self._cube(filters, None)
        dated = dated[dated["dated"]]
        if not len(dated):
            return None
        first, last = _day(dated["first"].min()), _day(dated["last"].max())
        assert first is not None and last is not None
        return first, last

    def unplaced(self, filters: Filters, frame: Frame | None = None) -> tuple[int, int]:
        cube = self._cube(filters, frame)
        return int(cube.loc[~cube["dated"], "n"].sum()), int(cube.loc[~cube["located"], "n"].sum())

    def timeline(self, filters: Filters, unit: str | None = None) -> tuple[pd.DataFrame, str]:
        def compute() -> tuple[pd.DataFrame, str]:
            table = self._spans(filters)
            first = table["first"].to_numpy(dtype=np.int64)
            chosen = unit or ("week" if not len(first) or int(first.max() - first.min()) <= 400
                              else "month")
            labels = np.asarray(self.topic_order, dtype=object)
            position = {name: i for i, name in enumerate(self.topic_order)}
            codes = np.array([position.get(t, -1) if isinstance(t, str) else -1
                              for t in table["topic"]], dtype=np.int64)
            bins = aggregate.spread_timeline(
                codes, labels, first, table["last"].to_numpy(dtype=np.int64),
                table["_uncertain"].to_numpy(dtype=bool),
                table["n"].to_numpy(dtype=np.float64), chosen)
            return bins, chosen
        return self._kept(("timeline", filters, unit), compute)

    def _spans(self, filters: Filters) -> pd.DataFrame:
        """The selected dated events grouped by topic, first and last day (days since
        1970) and whether the date is uncertain, with their count ``n``: what the timeline
        spreads over its bins."""
        scope = self.scope(filters)
        return self._table(
            "SELECT topic, date_diff('day', DATE '1970-01-01', date_min) AS first, "
            "date_diff('day', DATE '1970-01-01', date_max) AS last, _uncertain, "
            f"count(*) AS n FROM {scope.table} WHERE ({scope.sql}) AND date_min IS NOT NULL "
            "GROUP BY ALL", scope.params).to_pandas()

    def by_country_topic(self, filters: Filters, frame: Frame | None = None,
                         top: int = 15) -> pd.DataFrame:
        cube = self._cube(filters, frame)
        grid = cube.assign(country=cube["country"].fillna("(none)"),
                           topic=cube["topic"].fillna("(none)")).groupby(
            ["country", "topic"], as_index=False)["n"].sum()
        totals = grid.groupby("country")["n"].sum()
        ranked = sorted(totals.index, key=lambda c: (-int(totals[c]), c))
        keep, rest = ranked[:top], ranked[top:]
        rows = grid[grid["country"].isin(keep)].copy()
        rows["rank"] = rows["country"].map({c: i for i, c in enumerate(keep)})
        if rest:
            other = grid[grid["country"].isin(rest)].groupby("topic", as_index=False)["n"].sum()
            other["country"], other["rank"] = "Other", len(keep)
            rows = pd.concat([rows, other], ignore_index=True)
        rows = rows[rows["n"] > 0].sort_values(["rank", "topic"])
        return pd.DataFrame({"country": pd.array(rows["country"].astype(object), dtype="str"),
                             "topic": pd.array(rows["topic"].astype(object), dtype="str"),
                             "events": rows["n"].to_numpy(dtype=np.int64)})

    def by_country(self, filters: Filters, frame: Frame | None = None) -> pd.DataFrame:
        cube = self._cube(filters, frame)
        counts = cube.dropna(subset=["country"]).groupby("country")["n"].sum()
        names = [c for c in self.country_order if c in counts.index and counts[c] > 0]
        names.sort(key=lambda c: -int(counts[c]))  # stable: first seen breaks ties
        return pd.DataFrame({"iso3": pd.array(names, dtype="str"),
                             "events": np.array([int(counts[c]) for c in names],
                                                dtype=np.int64)})

    def verification_mix(self, filters: Filters, frame: Frame | None = None) -> pd.DataFrame:
        cube = self._cube(filters, frame)
        counts = cube.dropna(subset=["verification"]).groupby("verification")["n"].sum()
        levels = list(schema.VERIFICATION_LEVELS) + sorted(
            v for v in counts.index if v not in schema.VERIFICATION_LEVELS and counts[v])
        values = [int(counts.get(name, 0)) for name in levels]
        total = max(sum(values), 1)
        return pd.DataFrame({"verification": levels, "events": values,
                             "share": [v / total for v in values]})

    def country_level(self, filters: Filters, frame: Frame | None = None) -> int:
        cube = self._cube(filters, frame)
        return int(cube.loc[cube["_place"] == AS_COUNTRY, "n"].sum())

    # -- the map -----------------------------------------------------------------------------

    def _mappable(self, filters: Filters, frame: Frame | None) -> Scope:
        scope = self.scope(filters, frame)
        return replace(scope, sql=f"({scope.sql}) AND {_MAPPABLE}")

    def _extent(self, filters: Filters, frame: Frame | None) -> tuple[int, tuple | None]:
        def compute() -> tuple[int, tuple | None]:
            scope = self._mappable(filters, frame)
            n, lat0, lat1, lon0, lon1 = self._rows(
                "SELECT count(*), min(latitude), max(latitude), min(longitude), "
                f"max(longitude) FROM {scope.table} WHERE {scope.sql}", scope.params)[0]
            return int(n), (None if not n else (float(lat0), float(lat1), float(lon0),
                                                float(lon1)))
        return self._kept(("extent", filters, frame), compute)

    def _cells_sql(self, extent: tuple, limit: int) -> tuple[str, float, int]:
        lat_min, lat_max, lon_min, lon_max = extent
        size, columns = aggregate.grid_layout(lat_min, lat_max, lon_min, lon_max, limit)
        cell = (f"(floor((latitude - {lat_min!r}) / {size!r})::BIGINT * {columns} + "
                f"floor((longitude - {lon_min!r}) / {size!r})::BIGINT)")
        return cell, size, columns

    def _grid(self, filters: Filters, frame: Frame | None, limit: int) -> pd.DataFrame:
        n, extent = self._extent(filters, frame)
        if not n or extent is None:
            return pd.DataFrame({"latitude": [], "longitude": [], "events": [], "topic": [],
                                 "topics": [], "size": []})
        lat_min, _, lon_min, _ = extent
        table, size, columns = self._cell_counts(filters, frame, extent, limit)
        order = {name: i for i, name in enumerate(self.topic_order)}
        table["code"] = [order.get(t, len(order)) if isinstance(t, str) else len(order)
                         for t in table["topic"]]
        table = table.sort_values(["cell", "n", "code"], ascending=[True, False, True])
        first = table.drop_duplicates("cell")
        totals = table.groupby("cell")["n"].sum()
        kinds = table.groupby("cell")["n"].size()
        cells = first["cell"].to_numpy(dtype=np.int64)
        result = pd.DataFrame({
            "latitude": lat_min + (cells // columns + 0.5) * size,
            "longitude": lon_min + (cells % columns + 0.5) * size,
            "events": totals.loc[cells].to_numpy(dtype=np.int64),
            "topic": first["topic"].to_numpy(dtype=object),
            "topics": kinds.loc[cells].to_numpy(dtype=np.int64),
        })
        result["size"] = size
        return result.reset_index(drop=True)

    def _cell_counts(self, filters: Filters, frame: Frame | None, extent: tuple,
                     limit: int) -> tuple[pd.DataFrame, float, int]:
        """The mappable selected events counted by grid cell (``_cells_sql``'s number) and
        topic (``cell``, ``topic``, ``n``), with the cells' size and the grid's columns."""
        cell, size, columns = self._cells_sql(extent, limit)
        scope = self._mappable(filters, frame)
        table = self._table(f"SELECT {cell} AS cell, topic, count(*) AS n FROM {scope.table} "
                            f"WHERE {scope.sql} GROUP BY ALL", scope.params).to_pandas()
        return table, size, columns

    def map_points(self, filters: Filters, frame: Frame | None = None,
                   limit: int = MAP_POINT_LIMIT) -> tuple[pd.DataFrame, bool]:
        n, _ = self._extent(filters, frame)
        if n > limit:
            return self._kept(("grid", filters, frame, limit),
                              lambda: self._grid(filters, frame, limit)), True
        points = self._points(filters, frame, n).to_pandas()
        for name in ("precision", "topic", "date", "location", "summary", "verification",
                     "event_id"):
            points[name] = points[name].astype(object)
        points["latitude"] = points["latitude"].astype(float)
        points["longitude"] = points["longitude"].astype(float)
        return points, False

    def _points(self, filters: Filters, frame: Frame | None, n: int) -> pa.Table:
        """The ``n`` mappable selected events in the file's order, in the columns a point
        and its tooltip show (the summary cut to ``aggregate.TOOLTIP_CHARS``)."""
        return self._whole_rows(
            self._mappable(filters, frame),
            "latitude, longitude, coalesce(geo_precision, '') AS precision, topic, "
            "coalesce(event_date, 'undated') AS date, coalesce(location, '') AS location, "
            "coalesce(CASE WHEN length(summary) > " + str(aggregate.TOOLTIP_CHARS) +
            " THEN left(summary, " + str(aggregate.TOOLTIP_CHARS - 1) + ") || '\u2026' "
            "ELSE summary END, '') AS summary, verification, event_id", "true", "_seq", n)

    def heat_cells(self, filters: Filters, frame: Frame | None = None) -> pd.DataFrame:
        return self._kept(("grid", filters, frame, MAP_POINT_LIMIT),
                          lambda: self._grid(filters, frame, MAP_POINT_LIMIT))

    def map_extent(self, filters: Filters) -> Bounds | None:
        _, extent = self._extent(filters, None)
        if extent is None:
            return None
        lat_min, lat_max, lon_min, lon_max = extent
        return lon_min, lat_min, lon_max, lat_max

    def map_shapes(self, filters: Filters, frame: Frame | None = None,
                   limit: int = 300) -> tuple[list[dict], int]:
        scope = self.scope(filters, frame)
        total = int(self._rows(f"SELECT count(*) FROM {scope.table} WHERE ({scope.sql}) AND "
                               f"{scope.shaped}", scope.params)[0][0])
        if not total:
            return [], 0
        table = self._whole_rows(scope, ", ".join(SHAPE_COLUMNS), scope.shaped,
                                 "date_min IS NULL, date_min, _seq", limit)
        shapes = pd.DataFrame({name: pd.Series(table.column(name).cast(pa.large_string())
                                               .to_pandas(), dtype="str")
                               for name in SHAPE_COLUMNS if name != "date_min"})
        shapes["date_min"] = pd.to_datetime(pd.Series(table.column("date_min").to_pylist(),
                                                      dtype=object)).astype("datetime64[ns]")
        features, _ = aggregate.map_shapes(shapes, limit)
        return features, total

    def by_area(self, filters: Filters, frame: Frame | None,
                areas: gpd.GeoDataFrame) -> pd.DataFrame:
        """The selected located events inside the units' bounds, grouped by their point
        (places repeat), streamed in Arrow batches to ``aggregate.counts_by_area``."""
        def compute() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
            scope = self.scope(filters, frame)
            west, south, east, north = aggregate.area_bounds(areas)
            reader = arrow_batches(
                self.source.con, "SELECT longitude, latitude, count(*) AS events FROM "
                f"{scope.table} WHERE ({scope.sql}) AND longitude BETWEEN ? AND ? AND "
                "latitude BETWEEN ? AND ? GROUP BY longitude, latitude",
                [*scope.params, west, east, south, north], BATCH_ROWS)
            # the boundaries are kept with the answer: their id stays theirs while kept
            return areas, aggregate.counts_by_area(reader, areas)
        return self._kept(("areas", filters, frame, id(areas)), compute)[1]

    def _ordered_frame(self, sql: str, params: list[Any], limit: int,
                       offset: int = 0) -> pd.DataFrame:
        table = self._table(f"SELECT * EXCLUDE ({_INTERNAL}) FROM events WHERE "
                            f"{sql} ORDER BY date_min IS NULL, date_min, _seq "
                            f"LIMIT {int(limit)} OFFSET {int(offset)}", params)
        return events_frame(table)

    def picked(self, filters: Filters, frame: Frame | None, *, ids: list[str] | None = None,
               cell: tuple[float, float] | None = None,
               limit: int = 50) -> tuple[pd.DataFrame, int]:
        if ids:
            sql, params = self.condition(filters, frame)
            sql, params = f"({sql}) AND event_id IN (SELECT unnest(?::VARCHAR[]))", [
                *params, list(ids)]
        elif cell is not None:
            n, extent = self._extent(filters, frame)
            if not n or extent is None:
                return self._ordered_frame("false", [], 0), 0
            lat_min, _, lon_min, _ = extent
            cell_sql, size, columns = self._cells_sql(extent, MAP_POINT_LIMIT)
            row = np.floor((cell[0] - lat_min) / size)
            column = np.floor((cell[1] - lon_min) / size)
            centre = (lat_min + (row + 0.5) * size, lon_min + (column + 0.5) * size)
            if not np.allclose(centre, cell, rtol=0, atol=size * 1e-6):
                return self._ordered_frame("false", [], 0), 0
            sql, params = self.condition(filters, frame)
            sql, params = f"({sql}) AND {_MAPPABLE} AND {cell_sql} = ?", [
                *params, int(row) * columns + int(column)]
        else:
            return self._ordered_frame("false", [], 0), 0
        total = int(self._rows(f"SELECT count(*) FROM events WHERE {sql}", params)[0][0])
        return self._ordered_frame(sql, params, limit), total

    # -- lists -------------------------------------------------------------------------------

    def events_page(self, filters: Filters, offset: int,
                    limit: int) -> tuple[pd.DataFrame, int]:
        sql, params = self.condition(filters)
        return self._ordered_frame(sql, params, limit, offset), self.count(filters)

    def _cited(self, filters: Filters, event_ids: list[str] | None) -> tuple[str, list[Any]]:
        """The selected events (and their citations) as SQL: event_id, article_id pairs."""
        sql, params = self.condition(filters)
        if event_ids is not None:
            sql, params = f"({sql}) AND event_id IN (SELECT unnest(?::VARCHAR[]))", [
                *params, list(event_ids)]
        return (f"SELECT DISTINCT event_id, topic, country, verification, "
                f"unnest(list_items(article_ids)) AS article_id FROM events WHERE {sql}"), params

    def articles_page(self, filters: Filters, offset: int, limit: int,
                      event_ids: list[str] | None = None) -> tuple[pd.DataFrame, int]:
        empty = pd.DataFrame({c: pd.Series(dtype="str") for c in ARTICLE_LIST_COLUMNS})
        if not self.source.has_articles:
            return empty, 0
        cited, params = self._cited(filters, event_ids)
        order = "published DESC NULLS LAST, article_id"
        total = int(self._rows(f"SELECT count(*) FROM articles SEMI JOIN ({cited}) c USING "
                               "(article_id)", params)[0][0])
        columns = ", ".join(f"a.{c}" for c in schema.ARTICLE_COLUMNS)
        joined = ", ".join(
            f"nullif(array_to_string(list_sort(list_distinct(list(c.{name}))), '; '), '') "
            f"AS {out}" for name, out in (("topic", "topics"), ("country", "countries"),
                                          ("verification", "verification"),
                                          ("event_id", "event_ids")))
        table = self._table(
            f"WITH page AS (SELECT {', '.join(schema.ARTICLE_COLUMNS)}, _position FROM ("
            f"SELECT *, row_number() OVER (ORDER BY {order}) AS _position FROM articles "
            f"SEMI JOIN ({cited}) c USING (article_id)) ORDER BY _position "
            f"LIMIT {int(limit)} OFFSET {int(offset)}) "
            f"SELECT {columns}, {joined} FROM page a JOIN ({cited}) c USING (article_id) "
            f"GROUP BY {columns}, a._position ORDER BY a._position", [*params, *params])
        if not table.num_rows:
            return empty, total
        listed = pd.DataFrame({c: pd.Series(table.column(c).to_pylist(), dtype="str")
                               for c in ARTICLE_LIST_COLUMNS})
        return listed, total

    def articles_by_id(self, article_ids: list[str]) -> pd.DataFrame:
        table = self._table(f"SELECT {', '.join(schema.ARTICLE_COLUMNS)} FROM articles WHERE "
                            "article_id IN (SELECT unnest(?::VARCHAR[]))", [list(article_ids)])
        return pd.DataFrame({c: pd.Series(table.column(c).to_pylist(), dtype="str")
                             for c in schema.ARTICLE_COLUMNS})

    def event(self, event_id: str) -> pd.Series | None:
        frame = self._ordered_frame("event_id = ?", [str(event_id)], 1)
        return None if frame.empty else frame.iloc[0]

    def selects(self, filters: Filters, event_id: str) -> bool:
        sql, params = self.condition(filters)
        return bool(self._rows(f"SELECT count(*) > 0 FROM events WHERE ({sql}) AND "
                               "event_id = ?", [*params, str(event_id)])[0][0])

    def link_counts(self) -> tuple[int, int]:
        if self.links_table is None:
            return 0, 0
        links = self.links_table
        return self._kept(("link counts",), lambda: duckdb_links.link_counts(
            self.source.con, links))

    def also_in(self, event_ids: list[str]) -> list[list[tuple[str, list[str]]]]:
        from dashboard.eventdetail import also_in_found

        if self.links_table is None or not event_ids:
            return [[] for _ in event_ids]
        found = self._rows(duckdb_links.partners_sql("validated.events", self.links_table),
                           [[str(i) for i in event_ids]])
        return also_in_found(event_ids, found)

    def co_reported(self, event_id: str, limit: int = 50) -> tuple[pd.DataFrame, int]:
        cited = ("event_id <> ? AND list_has_any(list_items(article_ids), (SELECT "
                 "list(a.article_id) FROM articles a WHERE list_contains((SELECT "
                 "list_items(article_ids) FROM events WHERE event_id = ? ORDER BY _seq "
                 "LIMIT 1), a.article_id)))")
        params: list[Any] = [str(event_id), str(event_id)]
        total = int(self._rows(f"SELECT count(*) FROM events WHERE {cited}", params)[0][0])
        table = self._table(f"SELECT * EXCLUDE ({_INTERNAL}) FROM events WHERE "
                            f"{cited} ORDER BY _seq LIMIT {int(limit)}", params)
        return events_frame(table), total

    def nearby(self, event_id: str, km: float = 25, days: int = 7,
               limit: int = 50) -> tuple[pd.DataFrame, int]:
        found = self._rows("SELECT latitude, longitude, date_min, date_max, _seq FROM events "
                           "WHERE event_id = ? ORDER BY _seq LIMIT 1", [str(event_id)])
        none = self._ordered_frame("false", [], 0).assign(distance_km=pd.Series(dtype=float))
        if not found or found[0][0] is None or found[0][1] is None or found[0][2] is None:
            return none, 0
        lat, lon, first, last, seq = found[0]
        band = (km + DISTANCE_SLACK_KM) / KM_PER_DEGREE_LATITUDE
        table = self._table(
            "SELECT * EXCLUDE (_place, _uncertain, _involved) FROM events WHERE "
            "date_min IS NOT NULL AND latitude IS NOT NULL AND longitude IS NOT NULL AND "
            "date_min <= ?::DATE AND date_max >= ?::DATE AND abs(latitude - ?) <= ? AND _seq <> ?",
            [last + dt.timedelta(days=days), first - dt.timedelta(days=days), lat, band, seq])
        if not table.num_rows:
            return none, 0
        frame = events_frame(table)
        distance = distances_km(lat, lon, frame["latitude"].to_numpy(float),
                                frame["longitude"].to_numpy(float))
        frame["distance_km"] = distance
        frame["_seq"] = table.column("_seq").to_numpy()
        frame = frame[distance <= km + DISTANCE_SLACK_KM]
        frame = frame.sort_values(["distance_km", "date_min", "_seq"], kind="stable")
        return frame.drop(columns="_seq").head(limit).reset_index(drop=True), len(frame)

    def monthly_sources(self, filters: Filters) -> pd.DataFrame:
        """Events and distinct sources per (dataset, month) in SQL; an outlet is one source
        (trimmed, lower case: Python's ``casefold`` also folds a few letters such as ß
        that ``lower`` keeps), an article without one is a source of its own."""
        def compute() -> pd.DataFrame:
            from dashboard.coverage import LONGEST_DATED_SPAN

            scope = self.scope(filters)
            params = scope.params
            cited = ", article_ids" if self.source.has_articles else ""
            counted = (f"SELECT coalesce(source_dataset, '') AS dataset, "
                       f"strftime(date_min, '%Y-%m') AS month{cited} FROM {scope.table} WHERE "
                       f"({scope.sql}) AND date_min IS NOT NULL AND "
                       f"date_diff('day', date_min, date_max) <= {LONGEST_DATED_SPAN}")
            events = self._table(f"SELECT dataset, month, count(*) AS events FROM ({counted}) "
                                 "GROUP BY ALL", params).to_pandas()
            sources = self._table(
                "SELECT dataset, month, count(DISTINCT CASE WHEN nullif(strip(a.outlet), '') "
                "IS NOT NULL THEN 'o:' || lower(strip(a.outlet)) ELSE 'r:' || a.article_id "
                "END) AS sources FROM (SELECT dataset, month, unnest(list_items(article_ids)) "
                f"AS article_id FROM ({counted})) c JOIN articles a USING (article_id) "
                "GROUP BY ALL", params).to_pandas() if self.source.has_articles else None
            return _monthly(events, sources)
        return self._kept(("monthly", filters), compute)

    def reports(self) -> list[LoadReport]:
        saved = json.loads(self.target.report.read_text(encoding="utf-8"))
        problems = pd.read_parquet(self.target.problems)
        made = []
        for report in saved:
            lines = problems[problems["table"] == report["table"]].reset_index(drop=True)
            made.append(LoadReport(
                file=report["file"], format=N_("canonical (duckdb engine)"),
                rows_read=int(report["read"]), accepted=int(report["accepted"]),
                rejected_rows=int(report["rejected"]), rejected=lines,
                table=report["table"],
                warnings=[*report.get("warnings", []), *(
                    [f"{report['rejected']:,} rejected rows: the first {len(lines):,} "
                     "problem lines are listed"] if len(lines) >= REPORT_LINES else [])]))
        return made

    def download(self, kind: str, filters: Filters, fmt: str, versions: list[DataVersion],
                 topic_labels: dict[str, str], exported: dt.datetime,
                 t: Translator = ENGLISH) -> Download:
        """The memory engine's bytes, ``linked_events`` as in ``export --engine duckdb``."""
        from dashboard.citation import make_citation
        from dashboard.engines.duckdb_query import EXPORT_COLUMNS
        from dashboard.engines.duckdb_query import events_frame as typed
        from dashboard.export import EMBEDS_ARTICLES, build_download

        sql, params = self.condition(filters)
        if self.links_table is None:
            events = typed(self._table(f"SELECT {EXPORT_COLUMNS} FROM events WHERE {sql} "
                                       "ORDER BY _seq", params))
        else:
            events = typed(self._table(duckdb_links.with_linked_sql(
                EXPORT_COLUMNS, "validated.events", sql, self.links_table), params * 2))
        if kind == "articles":
            articles, _ = self.articles_page(filters, 0, 2**62)
        elif fmt in EMBEDS_ARTICLES and self.source.has_articles:
            table = self._table(f"SELECT {', '.join(schema.ARTICLE_COLUMNS)} FROM articles "
                                "SEMI JOIN (SELECT unnest(list_items(article_ids)) AS article_id "
                                f"FROM events WHERE {sql}) USING (article_id)", params)
            articles = pd.DataFrame({c: pd.Series(table.column(c).to_pylist(), dtype="str")
                                     for c in schema.ARTICLE_COLUMNS})
        else:
            articles = pd.DataFrame({c: pd.Series(dtype="str") for c in schema.ARTICLE_COLUMNS})
        citation = make_citation(filters, events, data_version=versions, exported=exported,
                                 topic_labels=topic_labels, t=t)
        return build_download(kind, events, articles, filters, fmt, citation)


__all__ = ["DuckDBBackend", "Validated", "open_validated"]
