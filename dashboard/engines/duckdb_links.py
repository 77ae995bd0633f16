"""Events linked across datasets on the duckdb engine: the links table of a validated copy,
made once slab by slab, and the questions the pages and exports ask of it.

``linking.find_links`` links rows it holds in memory; a copy of 20M events does not fit.
``make_links`` counts the linkable rows of the copy by their first possible day, cuts those
days into slabs of about ``ROWS_PER_SLAB`` events (``linking.slab_days``), fetches the few
columns of the rows whose windows reach into each slab and keeps the links whose first
shared day lies in it (``linking.slab_pairs``). Each link lies in exactly one slab, so the
table holds what ``find_links`` finds on the whole table while this process holds one slab.
Rows are named by ``_seq`` (the copy's load order); each end carries its dataset's rank
(datasets in the order they first appear), which "count each event once" reads.

Data of fewer than two datasets has nothing to link: the table is made empty without a
look at the rows, so such a first open costs what it cost before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard import linking, schema
from dashboard.engines.duckdb_tables import arrow_table, lit

#: Linkable events a slab holds (counted by their first possible day): what bounds this
#: process's memory while the links are found (docs/benchmark.md).
ROWS_PER_SLAB = 100_000
#: The links table of a validated copy: one row per link, the earlier dataset's end first.
LINKS_TABLE = "event_links"
LINKS_COLUMNS = "first_seq BIGINT, second_seq BIGINT, first_rank INTEGER, second_rank INTEGER"
#: The columns ``linking.slab_pairs`` reads, and the row's name.
_SLAB_COLUMNS = ("_seq, source_dataset, date_min, date_max, latitude, longitude, "
                 "geo_precision, topic, country, admin1")
_EPOCH = dt.date(1970, 1, 1)
_DAY = "date_diff('day', DATE '1970-01-01', date_min)"
#: The rows that can link at all, never stricter than ``linking._linkable``: a dataset, a
#: window of fewer than ``MAX_WINDOW_DAYS`` days, a placed point.
LINKABLE = (
    "source_dataset IS NOT NULL AND date_min IS NOT NULL AND date_max IS NOT NULL AND "
    f"date_diff('day', date_min, date_max) < {linking.MAX_WINDOW_DAYS} AND "
    f"geo_precision IN ({', '.join(lit(p) for p in linking.PLACED)}) AND "
    "latitude IS NOT NULL AND longitude IS NOT NULL AND NOT isnan(latitude) AND "
    "NOT isnan(longitude)")


def _date(day: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(day))


def dataset_ranks(con: duckdb.DuckDBPyConnection, events: str) -> dict[str, int]:
    """Each ``source_dataset`` of ``events`` and its rank: the order of first appearance
    in load order (``_seq``), as ``find_links`` ranks the rows of a loaded frame."""
    rows = con.execute(f"SELECT source_dataset FROM {events} WHERE source_dataset IS NOT "
                       "NULL GROUP BY source_dataset ORDER BY min(_seq)").fetchall()
    return {str(name): rank for rank, (name,) in enumerate(rows)}


def _slab_frame(table: pa.Table) -> pd.DataFrame:
    """A slab's rows as ``linking.slab_pairs`` reads them (dates as ``datetime64``)."""
    frame = table.to_pandas(date_as_object=False)
    for name in ("latitude", "longitude"):
        frame[name] = frame[name].astype("float64")
    return frame


def make_links(con: duckdb.DuckDBPyConnection, events: str, target: str) -> int:
    """Create ``target`` (``LINKS_COLUMNS``) holding the links of ``events`` (a table with
    ``_seq``), found slab by slab (the module docstring); the links found."""
    con.execute(f"CREATE TABLE {target} ({LINKS_COLUMNS})")
    ranks = dataset_ranks(con, events)
    if len(ranks) < 2:
        return 0
    counts = con.execute(f"SELECT {_DAY} AS day, count(*) FROM {events} WHERE {LINKABLE} "
                         "GROUP BY day").fetchall()
    first_days = pd.Series({int(day): int(n) for day, n in counts}, dtype="int64")
    found = 0
    for first_day, last_day in linking.slab_days(first_days, ROWS_PER_SLAB):
        # a window reaching into the slab starts at most MAX_WINDOW_DAYS - 1 days before it
        table = arrow_table(con, f"SELECT {_SLAB_COLUMNS} FROM {events} WHERE {LINKABLE} AND "
                            "date_min BETWEEN ? AND ? AND date_max >= ?",
                            [_date(first_day - linking.MAX_WINDOW_DAYS + 1), _date(last_day),
                             _date(first_day)])
        slab = _slab_frame(table)
        rank = slab["source_dataset"].map(ranks).to_numpy(dtype=np.int64)
        first, second = linking.slab_pairs(slab, rank, first_day, last_day)
        if not len(first):
            continue
        seq = slab["_seq"].to_numpy(dtype=np.int64)
        con.register("_slab_links", pa.table({
            "first_seq": seq[first], "second_seq": seq[second],
            "first_rank": rank[first].astype(np.int32),
            "second_rank": rank[second].astype(np.int32)}))
        con.execute(f"INSERT INTO {target} SELECT * FROM _slab_links")
        con.unregister("_slab_links")
        found += len(first)
    return found


def link_counts(con: duckdb.DuckDBPyConnection, links: str) -> tuple[int, int]:
    """(events linked across datasets, links) of a links table."""
    events, pairs = con.execute(
        f"SELECT (SELECT count(*) FROM (SELECT first_seq FROM {links} UNION SELECT second_seq "
        f"FROM {links})), (SELECT count(*) FROM {links})").fetchall()[0]
    return int(events), int(pairs)


def partners_sql(events: str, links: str) -> str:
    """The linked events of the ids given as the one parameter (a list): rows ``(asked id,
    partner's source_dataset, partner's id)`` in the order ``eventdetail.also_in`` lists
    them (per asked id: the partner's dataset rank, then load order). An id names its
    first row, as ``eventdetail.event_row`` finds it."""
    return (f"WITH asked AS (SELECT event_id AS asked, min(_seq) AS seq FROM {events} WHERE "
            "event_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY event_id), "
            f"ends AS (SELECT a.asked, l.second_seq AS partner, l.second_rank AS rank FROM asked "
            f"a JOIN {links} l ON l.first_seq = a.seq UNION ALL SELECT a.asked, l.first_seq, "
            f"l.first_rank FROM asked a JOIN {links} l ON l.second_seq = a.seq) "
            f"SELECT ends.asked, e.source_dataset, e.event_id FROM ends JOIN {events} e ON "
            "e._seq = ends.partner ORDER BY ends.asked, ends.rank, ends.partner")


def with_linked_sql(columns: str, events: str, condition: str, links: str) -> str:
    """``columns`` of the ``events`` rows meeting ``condition`` in load order, then
    ``linked_events``: the ids of every event linked to each, ``"A; B"`` in load order
    (``EventLinks.linked_ids``), NULL when none. Takes the condition's parameters twice
    (the rows are chosen, and their links named, by two scans: a selection written out is
    streamed, never held to be read again)."""
    return (f"WITH ends AS (SELECT first_seq AS _seq, second_seq AS partner FROM {links} "
            f"UNION ALL SELECT second_seq, first_seq FROM {links}) "
            f"SELECT chosen.* EXCLUDE (_seq), named.linked_events AS {schema.LINKED_EVENTS} "
            f"FROM (SELECT {columns}, _seq FROM {events} WHERE {condition}) chosen LEFT JOIN ("
            f"SELECT ends._seq, string_agg(e.event_id, {lit(schema.LIST_SEPARATOR)} ORDER BY "
            f"ends.partner) AS linked_events FROM ends SEMI JOIN (SELECT _seq FROM {events} "
            f"WHERE {condition}) USING (_seq) JOIN {events} e ON e._seq = ends.partner "
            "GROUP BY ends._seq) named USING (_seq) ORDER BY chosen._seq")


def any_links(con: duckdb.DuckDBPyConnection, links: str) -> bool:
    """Whether a links table holds a link (data of one dataset has none)."""
    return bool(con.execute(f"SELECT EXISTS (SELECT 1 FROM {links})").fetchall()[0][0])


def dropped(con: duckdb.DuckDBPyConnection, links: str, chosen: str,
            params: list[Any]) -> np.ndarray:
    """The ``_seq`` of the events "count each event once" drops from the rows ``chosen``
    (a query of their ``_seq``) selects: ``linking.dropped_once`` over the links whose two
    ends it selects, and only those (sorted)."""
    table = arrow_table(con, f"WITH chosen AS ({chosen}) SELECT first_seq, second_seq, "
                        f"first_rank, second_rank FROM {links} WHERE first_seq IN (SELECT _seq "
                        "FROM chosen) AND second_seq IN (SELECT _seq FROM chosen)", params)
    return linking.dropped_once(*(table.column(name).to_numpy() for name in (
        "first_seq", "second_seq", "first_rank", "second_rank")))


def register_dropped(con: duckdb.DuckDBPyConnection, name: str, seqs: np.ndarray) -> str:
    """``seqs`` registered with the connection as the table ``name`` (column ``_seq``),
    which ``duckdb_query.where``'s ``once`` condition leaves out."""
    con.register(name, pa.table({"_seq": pa.array(np.asarray(seqs, dtype=np.int64))}))
    return name


__all__ = ["LINKABLE", "LINKS_TABLE", "ROWS_PER_SLAB", "any_links", "dataset_ranks", "dropped",
           "link_counts", "make_links", "partners_sql", "register_dropped", "with_linked_sql"]
