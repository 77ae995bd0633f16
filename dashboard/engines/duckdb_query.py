"""One ``Filters`` value as one parameterised query over a DuckDB source, and its export.

``where(filters, source)`` gives the SQL condition and its bound parameters, rule by rule
as ``Filters.mask`` reads them (docs/engines.md lists the correspondences). Every value a
user gives is a parameter (``?``), never SQL text. ``export`` streams the selected rows in
file order: CSV through ``export.frame_to_csv`` batch by batch and Parquet through one
writer, so neither holds the slice; GeoJSON and Excel hold the filtered slice (and the
articles they embed) as the memory engine does, then use ``export.build_download``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

import pandas as pd
import pyarrow as pa

from dashboard import schema
from dashboard.engines import duckdb_links
from dashboard.engines.duckdb_tables import Source, arrow_batches, arrow_table, ident
from dashboard.filterfields import area_box, area_shape, event_ids_in_area
from dashboard.filters import Filters

#: Rows per batch fetched from DuckDB: a batch of events is about 50 MB as a frame.
BATCH_ROWS = 100_000
#: pyarrow's default row group (1Mi rows): the memory engine's single-table Parquet write
#: cuts its row groups there, so writing in these steps gives the same file.
PARQUET_ROW_GROUP = 1024 * 1024
_RE2_SPECIAL = set("\\.+*?()|[]{}^$")


def _literal_pattern(text: str) -> str:
    """``text`` as an RE2 pattern matching itself (what Arrow's ``match_substring`` does
    with ``ignore_case``), so DuckDB's RE2 folds case exactly as the memory engine."""
    return "".join("\\" + ch if ch in _RE2_SPECIAL else ch for ch in text)


def _items(column: str) -> str:
    """A stored ``A; B`` list as its items (split on ``;``, trimmed), as the filters split."""
    return f"list_items({column})"


@dataclass(frozen=True)
class _Query:
    """What a field's condition may need besides its value."""

    source: Source
    area_ids: str | None  # a table of the ids of the events in the area
    dropped: str | None  # a table of the ``_seq`` of the events once=1 drops


#: ``condition(value, query) -> (sql, params)`` of one field, by URL key: the SQL twin of
#: each ``FilterField.matches``; ``where`` asks only for values other than the default.
Condition = Callable[[Any, _Query], tuple[str, list[Any]]]


def _one_of(column: str) -> Condition:
    return lambda values, _q: (f"{column} IN (SELECT unnest(?::VARCHAR[]))", [list(values)])


def _country(codes: tuple[str, ...], query: _Query) -> tuple[str, list[Any]]:
    own = "country IN (SELECT unnest(?::VARCHAR[]))"
    lists = query.source.involved_lists
    if lists is None:  # the views over a source's files: each row's list split
        return (f"({own} OR list_has_any({_items('countries_involved')}, ?::VARCHAR[]))",
                [list(codes), list(codes)])
    # a validated copy: the lists meeting the countries are found among the distinct lists,
    # then each row is an integer probe of its list's code
    return (f"({own} OR _involved IN (SELECT code FROM {lists} WHERE "
            "list_has_any(countries, ?::VARCHAR[])))", [list(codes), list(codes)])


def _outlet(outlets: tuple[str, ...], query: _Query) -> tuple[str, list[Any]]:
    if not query.source.has_articles:
        raise ValueError("the outlet filter needs the articles: --articles FILE")
    return _citing("outlet IN (SELECT unnest(?::VARCHAR[]))"), [list(outlets)]


def _mentioning(text: str, query: _Query) -> tuple[str, list[Any]]:
    pattern = _literal_pattern(text)
    tests = ["regexp_matches(summary, ?, 'i')", "regexp_matches(location, ?, 'i')"]
    if query.source.has_articles:
        tests.append(_citing("regexp_matches(title, ?, 'i')"))
    return "coalesce(" + " OR ".join(tests) + ", false)", [pattern] * len(tests)


def _box(box: tuple[float, float, float, float], _q: _Query) -> tuple[str, list[Any]]:
    west, south, east, north = box
    return _in_box(), [west, east, south, north, east, west, north, south]


_ONCE_NEEDS_LINKS = ("once=1 (count each event once) needs the links of a validated copy "
                     "(docs/linking.md)")


def _once(_on: bool, query: _Query) -> tuple[str, list[Any]]:
    if query.dropped is None:
        raise ValueError(_ONCE_NEEDS_LINKS)
    return f"_seq NOT IN (SELECT _seq FROM {ident(query.dropped)})", []


def _area(_name: str, query: _Query) -> tuple[str, list[Any]]:
    if query.area_ids is None:
        raise ValueError("the area filter needs the boundaries")
    return f"event_id IN (SELECT event_id FROM {ident(query.area_ids)})", []


# The dates as ``filterfields`` tests them: each end lets undated events through, and
# ``undated=0`` drops them; together "dated and in force in the range, plus undated events
# when included" (an ongoing event is open-ended).
CONDITIONS: dict[str, Condition] = {
    "country": _country,
    "topic": _one_of("topic"),
    "actor": lambda actors, _q: (f"list_has_any({_items('actors')}, ?::VARCHAR[])",
                                 [list(actors)]),
    "verification": _one_of("verification"),
    "outlet": _outlet,
    "q": _mentioning,
    "from": lambda day, _q: ("(date_min IS NULL OR end_date = "
                             f"'{schema.ONGOING}' OR date_max >= ?::DATE)", [day]),
    "to": lambda day, _q: ("(date_min IS NULL OR date_min <= ?::DATE)", [day]),
    "undated": lambda _included, _q: ("date_min IS NOT NULL", []),
    "dataset": _one_of("source_dataset"),
    "precise": lambda _on, _q: (
        f"geo_precision IN ({', '.join('?' for _ in schema.PRECISE_PLACES)})",
        list(schema.PRECISE_PLACES)),
    "bbox": _box,
    "area": _area,
    "once": _once,
}


def where(filters: Filters, source: Source, *, area_ids: str | None = None,
          dropped: str | None = None) -> tuple[str, list[Any]]:
    """The SQL condition over the ``events`` view selecting what ``filters.mask`` selects,
    and its parameters: one condition per field set, in the registry's order.
    ``area_ids`` names a table of the event ids in the area, ``dropped`` one of the
    ``_seq`` of the events ``once`` drops from what the rest of the filter selects (what
    ``Filters.mask`` does last; ``dropped_table`` makes it)."""
    values_set = [(spec, getattr(filters, spec.field)) for spec in filters.FIELDS
                  if getattr(filters, spec.field) != spec.default]
    query = _Query(source, area_ids, dropped)
    parts: list[str] = []
    params: list[Any] = []
    for spec, value in values_set:
        condition, values = CONDITIONS[spec.key](value, query)
        parts.append(condition)
        params += values
    return (" AND ".join(f"coalesce({p}, false)" for p in parts) or "true"), params


def _citing(article_condition: str) -> str:
    """Events whose ``article_ids`` cite an accepted article meeting the condition."""
    return ("event_id IN (SELECT c.event_id FROM (SELECT event_id, "
            f"unnest({_items('article_ids')}) AS article_id FROM events) c "
            f"SEMI JOIN (SELECT article_id FROM articles WHERE {article_condition}) a "
            "USING (article_id))")


#: ``(min x, min y, max x, max y)`` of a WKT, read with a pattern over its coordinate
#: pairs (the first two numbers of each): DuckDB's spatial extension would be downloaded.
_NUMBER = r"(-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)"
_PAIR = _NUMBER + r"\s+" + _NUMBER


def _shape_bound(group: int, aggregate: str) -> str:
    return (f"{aggregate}(list_transform(regexp_extract_all(geometry_wkt, '{_PAIR}', {group}), "
            "lambda v: v::DOUBLE))")


def _in_box() -> str:
    """``EventIndex.in_box``: the point in the box, or the shape's extent crossing it."""
    point = "(longitude >= ? AND longitude <= ? AND latitude >= ? AND latitude <= ?)"
    shape = (f"({_shape_bound(1, 'list_min')} <= ? AND {_shape_bound(1, 'list_max')} >= ? AND "
             f"{_shape_bound(2, 'list_min')} <= ? AND {_shape_bound(2, 'list_max')} >= ?)")
    return f"(coalesce({point}, false) OR (geometry_wkt IS NOT NULL AND coalesce({shape}, false)))"


# -- what the data offers ------------------------------------------------------------------------


@dataclass(frozen=True)
class Choices:
    """The values ``filters.resolve_query`` holds a query to (``choices.Options``' fields)."""

    countries: list[str]
    topics: list[str]
    verifications: list[str]
    outlets: list[str]
    datasets: list[str]


def choices(source: Source) -> Choices:
    """Distinct countries (own or involved), topics, levels, outlets and datasets."""
    def column(sql: str) -> list[str]:
        return sorted(str(r[0]) for r in source.con.execute(sql).fetchall() if r[0] is not None)

    countries = column("SELECT country FROM events UNION SELECT unnest(list_items("
                       "countries_involved)) FROM events")
    outlets = column("SELECT DISTINCT outlet FROM articles") if source.has_articles else []
    return Choices(countries, column("SELECT DISTINCT topic FROM events"),
                   column("SELECT DISTINCT verification FROM events"), outlets,
                   column("SELECT DISTINCT source_dataset FROM events"))


# -- selection and export --------------------------------------------------------------------------

EXPORT_COLUMNS = ", ".join(schema.EVENT_COLUMNS)


def dropped_table(source: Source, counted: Filters, area_ids: str | None = None) -> str:
    """The table (registered as ``_once_dropped``) of the ``_seq`` of the events "count each
    event once" drops from what ``counted`` (a filter without ``once``) selects; ValueError for
    a source without links (the files' views: only a validated copy has them)."""
    if source.event_links is None:
        raise ValueError(_ONCE_NEEDS_LINKS)
    condition, params = where(counted, source, area_ids=area_ids)
    seqs = duckdb_links.dropped(source.con, source.event_links,
                                f"SELECT _seq FROM events WHERE {condition}", params)
    return duckdb_links.register_dropped(source.con, "_once_dropped", seqs)


class Selection:
    """The events one filter selects from a source, ready to count, list or write; over a
    validated copy the written rows carry ``linked_events`` (``duckdb_links``)."""

    def __init__(self, source: Source, filters: Filters, areas: Any = None) -> None:
        self.source, self.filters = source, filters
        area_ids = _area_table(source, filters, areas) if filters.area else None
        dropped = dropped_table(source, replace(filters, once=False), area_ids) \
            if filters.once else None
        self.condition, self.params = where(filters, source, area_ids=area_ids,
                                            dropped=dropped)

    def sql(self, columns: str = EXPORT_COLUMNS, *, ordered: bool = True) -> str:
        order = f" ORDER BY {self.source.event_order}" if ordered else ""
        return f"SELECT {columns} FROM events WHERE {self.condition}{order}"

    def count(self) -> int:
        return int(self.source.scalar(self.sql("count(*)", ordered=False), self.params))

    def event_ids(self) -> list[str]:
        """The selected ids in file order (the parity tests compare them)."""
        rows = self.source.con.execute(self.sql("event_id"), self.params).fetchall()
        return [str(r[0]) for r in rows]

    def source_names(self) -> list[str]:
        rows = self.source.con.execute(self.sql("DISTINCT source_dataset", ordered=False),
                                       self.params).fetchall()
        return sorted(str(r[0]) for r in rows if r[0] is not None and str(r[0]))

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
        """The selected events (``EVENT_COLUMNS``, then ``linked_events`` over a copy with
        links) as frames typed as the memory engine's."""
        links = self.source.event_links
        if links is None or not duckdb_links.any_links(self.source.con, links):
            reader = arrow_batches(self.source.con, self.sql(), self.params, rows)
        else:
            reader = arrow_batches(self.source.con, duckdb_links.with_linked_sql(
                EXPORT_COLUMNS, "events", self.condition, links), self.params * 2, rows)
        for batch in reader:
            yield events_frame(batch)

    def frame(self) -> pd.DataFrame:
        """The whole slice in memory (GeoJSON, Excel and the tests)."""
        frames = list(self.batches())
        if not frames:
            return events_frame(_empty(self))
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def articles(self) -> pd.DataFrame:
        """The accepted articles the selected events cite (any order), all ``str``."""
        columns = ", ".join(schema.ARTICLE_COLUMNS)
        if not self.source.has_articles:
            return pd.DataFrame({c: pd.Series(dtype="str") for c in schema.ARTICLE_COLUMNS})
        sql = (f"SELECT {columns} FROM articles SEMI JOIN (SELECT unnest(list_items("
               f"article_ids)) AS article_id FROM events WHERE {self.condition}) USING "
               f"(article_id) ORDER BY {self.source.article_order}")
        table = arrow_table(self.source.con, sql, self.params)
        return pd.DataFrame({c: pd.Series(table.column(c).to_pylist(), dtype="str")
                             for c in schema.ARTICLE_COLUMNS})


def events_frame(batch: pa.RecordBatch | pa.Table) -> pd.DataFrame:
    """A batch as the memory engine's events frame holds it (text ``str``, coordinates
    ``float64`` with NaN, ``fatalities`` ``Int64``), so ``export`` writes the same bytes."""
    columns: dict[str, pd.Series] = {}
    for name in schema.EVENT_COLUMNS:
        values = batch.column(name)
        if name in ("latitude", "longitude"):
            columns[name] = pd.Series(values.to_numpy(zero_copy_only=False), dtype="float64")
        elif name == "fatalities":
            columns[name] = pd.Series(values.to_pandas(types_mapper={
                pa.int64(): pd.Int64Dtype()}.get), dtype="Int64")
        else:
            columns[name] = pd.Series(values.cast(pa.large_string()).to_pandas(), dtype="str")
    if schema.LINKED_EVENTS in batch.schema.names:  # a copy's export (``duckdb_links``)
        columns[schema.LINKED_EVENTS] = pd.Series(batch.column(schema.LINKED_EVENTS).cast(
            pa.large_string()).to_pandas(), dtype="str")
    return pd.DataFrame(columns)


def _area_table(source: Source, filters: Filters, areas: Any) -> str:
    """The ids of events in the area (``EventIndex.in_area``), tested with shapely in
    batches over the candidates inside the area's bounds, kept in a temporary table."""
    if areas is None:
        raise ValueError("the area filter needs the boundaries")
    shape = area_shape(areas, filters.area)
    condition, params = where(Filters(bbox=area_box(shape)), source)
    reader = arrow_batches(
        source.con, f"SELECT event_id, longitude, latitude, geometry_wkt FROM events WHERE "
        f"{condition}", params, BATCH_ROWS)
    ids = pa.table({"event_id": event_ids_in_area(shape, reader)})
    source.con.register("_area_ids", ids)
    return "_area_ids"


def write_csv(selection: Selection, sink: BinaryIO) -> int:
    """The selected events as the memory engine's CSV, written batch by batch."""
    from dashboard.export import export_table, frame_to_csv

    # the header as export_table writes it whether the batches carry linked_events or not
    header = frame_to_csv(export_table(events_frame(_empty(selection))))
    sink.write(header)
    written = 0
    for frame in selection.batches():
        data = frame_to_csv(export_table(frame))
        sink.write(memoryview(data)[len(header):])
        written += len(frame)
    return written


def _empty(selection: Selection) -> pa.Table:
    return arrow_table(selection.source.con, selection.sql() + " LIMIT 0", selection.params)


def write_parquet(selection: Selection, sink: BinaryIO, citation: Any = None) -> int:
    """The selected events as the memory engine's Parquet (list columns as lists, the
    citation in the key-value metadata), one row group per ``PARQUET_ROW_GROUP`` rows."""
    import json

    import pyarrow.parquet as pq

    from dashboard import export

    writer: pq.ParquetWriter | None = None
    pending: list[pa.Table] = []
    held = written = 0

    def flush(tables: list[pa.Table]) -> None:
        nonlocal writer
        table = pa.concat_tables(tables)
        if writer is None:
            meta = dict(table.schema.metadata or {})
            if citation is not None:
                meta[b"citation"] = json.dumps(citation.metadata(),
                                               ensure_ascii=False).encode("utf-8")
            writer = pq.ParquetWriter(sink, table.schema.with_metadata(meta), compression="zstd",
                                      write_statistics=[c for c in table.column_names
                                                        if c in export.PARQUET_STATISTICS])
        writer.write_table(table.replace_schema_metadata(writer.schema.metadata),
                           row_group_size=PARQUET_ROW_GROUP)

    for frame in selection.batches():
        pending.append(export.parquet_table(export.export_table(frame)))
        held += len(frame)
        written += len(frame)
        while held >= PARQUET_ROW_GROUP:
            table = pa.concat_tables(pending)
            flush([table.slice(0, PARQUET_ROW_GROUP)])
            rest = table.slice(PARQUET_ROW_GROUP)
            pending, held = ([rest] if len(rest) else []), len(rest)
    if pending or writer is None:
        flush(pending or [export.parquet_table(export.export_table(
            events_frame(_empty(selection))))])
    assert writer is not None
    writer.close()
    return written
