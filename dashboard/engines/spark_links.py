"""Events linked across datasets on the spark engine, found once when a source is opened.

``dashboard.linking``'s rules, applied to a table Spark holds and this process does not:
the rows that can link at all are chosen in Spark (a dataset, a date window shorter than
``linking.MAX_WINDOW_DAYS``, a placed point), cut into slabs of consecutive days
(``linking.slab_days``, about ``ROWS_PER_SLAB`` rows each) and fetched to this process
one slab at a time, a few columns each, where ``linking.slab_pairs`` finds the links whose
first shared day lies in the slab: every link in exactly one slab, so the memory held is
one slab and the links. The links go back to Spark as two small DataFrames (kept as local
checkpoints; on a Spark Connect client ``createDataFrame`` sends them to the server):
``pairs`` and ``ends`` (one row per linked event with the exports' ``linked_events``).

A table with fewer than two datasets is not linked at all: one grouped query says so.

A row is named by its ``event_id`` (unique among accepted rows: a repeated id is rejected)
and ordered by ``_seq``, its file's place among the linked rows' files and its row there,
which orders rows as the engine's file order (``_path``, ``_row``) does: load order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard import linking
from dashboard.schema import LINKED_EVENTS

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Linkable events per slab fetched to this process (counted by their first possible day;
#: a slab also holds the longer windows reaching into its days). A test sets it tiny.
ROWS_PER_SLAB = 250_000
#: A row's file number is shifted past its row number in ``_seq`` (as the duckdb copy's).
_FILE_SHIFT = 40
_EPOCH = "1970-01-01"
#: What ``linking.slab_pairs`` reads of a row, besides its dataset's rank.
_SLAB_TEXT = ("source_dataset", "geo_precision", "topic", "country", "admin1")


def _f() -> Any:
    from pyspark.sql import functions

    return functions


@dataclass(frozen=True)
class Links:
    """The links of one source: its datasets in load order (a row's rank is its dataset's
    position), the pairs (``first_id``, ``second_id``, ``first_seq``, ``second_seq``,
    ``first_rank``, ``second_rank``; the earlier dataset's event first) and the linked
    events (``event_id``, ``_seq``, ``linked_events``), both kept in Spark."""

    datasets: list[str]
    pairs: Any
    ends: Any
    events: int  # events linked to at least one other
    count: int  # links
    slabs: int  # slabs the links were found in


def datasets_in_order(events: DataFrame) -> list[str]:
    """The ``source_dataset`` values in the order they first appear (file, then row)."""
    F = _f()
    rows = (events.filter(F.col("source_dataset").isNotNull()).groupBy("source_dataset")
            .agg(F.min(F.struct("_path", "_row")).alias("_first")).orderBy("_first")
            .select("source_dataset").collect())
    return [str(r[0]) for r in rows]


def _linkable(events: DataFrame) -> DataFrame:
    """The rows that can link, never fewer than ``linking._linkable`` keeps, in the
    columns a slab needs (days as numbers since 1970-01-01)."""
    F = _f()
    c = F.col
    first = F.datediff(c("date_min"), F.lit(_EPOCH))
    last = F.datediff(c("date_max"), F.lit(_EPOCH))
    return events.filter(
        c("source_dataset").isNotNull() & c("date_min").isNotNull() & c("date_max").isNotNull()
        & (last - first < linking.MAX_WINDOW_DAYS) & c("geo_precision").isin(*linking.PLACED)
        & c("latitude").isNotNull() & c("longitude").isNotNull()
        & ~F.isnan("latitude") & ~F.isnan("longitude")
    ).select("event_id", "_path", "_row", first.alias("_first"), last.alias("_last"),
             "latitude", "longitude", *_SLAB_TEXT)


def _slab_frame(table: pa.Table) -> pd.DataFrame:
    """A fetched slab as the events frame ``linking.slab_pairs`` reads."""
    def day(name: str) -> np.ndarray:
        return table.column(name).to_numpy().astype("datetime64[D]").astype("datetime64[ns]")

    frame = pd.DataFrame({name: pd.Series(table.column(name).to_pandas(), dtype="str")
                          for name in _SLAB_TEXT})
    frame["date_min"], frame["date_max"] = day("_first"), day("_last")
    for name in ("latitude", "longitude"):
        frame[name] = table.column(name).to_numpy(zero_copy_only=False).astype("float64")
    return frame


def find(events: DataFrame, spark: SparkSession) -> Links | None:
    """The links of the accepted ``events`` (slab by slab, see the module docstring), or
    None when they hold fewer than two datasets."""
    F = _f()
    c = F.col
    datasets = datasets_in_order(events)
    if len(datasets) < 2:
        return None
    position = {name: rank for rank, name in enumerate(datasets)}
    linkable = _linkable(events).persist()
    try:
        paths = [str(r[0]) for r in linkable.select("_path").distinct().orderBy("_path")
                 .collect()]
        counted = linkable.groupBy("_first").count().toArrow()
        first_days = pd.Series(counted.column("count").to_numpy(),
                               index=counted.column("_first").to_numpy())
        slabs = linking.slab_days(first_days, ROWS_PER_SLAB)
        found: list[tuple[np.ndarray, ...]] = []
        for first_day, last_day in slabs:
            table = linkable.filter((c("_first") <= last_day) & (c("_last") >= first_day)) \
                .toArrow()
            frame = _slab_frame(table)
            rank = frame["source_dataset"].map(position).to_numpy(dtype=np.int64)
            first, second = linking.slab_pairs(frame, rank, first_day, last_day)
            if not len(first):
                continue
            files = pd.Categorical(table.column("_path").to_pandas(), categories=paths)
            seq = (files.codes.astype(np.int64) << _FILE_SHIFT) \
                + table.column("_row").to_numpy()
            ids = np.asarray(table.column("event_id").to_pylist(), dtype=object)
            found.append((seq[first], seq[second], rank[first], rank[second], ids[first],
                          ids[second]))
    finally:
        linkable.unpersist()
    return _kept(spark, datasets, found, len(slabs))


def _kept(spark: SparkSession, datasets: list[str], found: list[tuple[np.ndarray, ...]],
          slabs: int) -> Links:
    """The slabs' links as the two DataFrames of ``Links``, kept in Spark."""
    parts = [np.concatenate([part[k] for part in found]) if found else
             np.empty(0, dtype=object if k >= 4 else np.int64) for k in range(6)]
    first_seq, second_seq, first_rank, second_rank, first_id, second_id = parts
    order = np.lexsort((second_seq, first_seq))
    first_seq, second_seq = first_seq[order], second_seq[order]
    first_rank, second_rank = first_rank[order], second_rank[order]
    first_id, second_id = first_id[order], second_id[order]
    pairs = pa.table({"first_id": pa.array(first_id, pa.string()),
                      "second_id": pa.array(second_id, pa.string()),
                      "first_seq": pa.array(first_seq, pa.int64()),
                      "second_seq": pa.array(second_seq, pa.int64()),
                      "first_rank": pa.array(first_rank, pa.int64()),
                      "second_rank": pa.array(second_rank, pa.int64())})
    # the linked events, each once, in load order, with the ids of their partners as the
    # memory engine writes them (EventLinks.linked_ids over these few rows)
    seq = np.concatenate([first_seq, second_seq])
    ends, where = np.unique(seq, return_index=True)
    end_ids = np.concatenate([first_id, second_id])[where]
    end_rank = np.concatenate([first_rank, second_rank])[where]
    compact = linking.EventLinks(np.searchsorted(ends, first_seq),
                                 np.searchsorted(ends, second_seq), end_rank)
    linked = compact.linked_ids(pd.Series(end_ids, dtype="str"))
    ended = pa.table({"event_id": pa.array(end_ids, pa.string()),
                      "_seq": pa.array(ends, pa.int64()),
                      LINKED_EVENTS: pa.array(linked.tolist(), pa.string())})
    return Links(datasets, spark.createDataFrame(pairs).localCheckpoint(eager=True),
                 spark.createDataFrame(ended).localCheckpoint(eager=True),
                 events=len(ends), count=len(first_seq), slabs=slabs)


def dropped(links: Links, chosen: DataFrame, spark: SparkSession) -> DataFrame | None:
    """The ids of the events "count each event once" drops from the rows ``chosen``
    (``event_id``: what a filter selects without ``once``), as a kept DataFrame, or None
    when it drops none: the links whose two events are chosen are fetched (the chosen
    linked events found by a join with the few ``ends``) and ``linking.dropped_once``
    works out the groups on them."""
    F = _f()
    c = F.col
    hit = chosen.join(F.broadcast(links.ends.select("event_id", "_seq")), "event_id") \
        .select("_seq")
    both = (links.pairs
            .join(F.broadcast(hit.withColumnRenamed("_seq", "first_seq")), "first_seq",
                  "left_semi")
            .join(F.broadcast(hit.withColumnRenamed("_seq", "second_seq")), "second_seq",
                  "left_semi")
            .select("first_seq", "second_seq", "first_rank", "second_rank", "first_id",
                    "second_id").toArrow())
    if not both.num_rows:
        return None
    first_seq = both.column("first_seq").to_numpy()
    second_seq = both.column("second_seq").to_numpy()
    gone = linking.dropped_once(first_seq, second_seq, both.column("first_rank").to_numpy(),
                                both.column("second_rank").to_numpy())
    if not len(gone):
        return None
    seq = np.concatenate([first_seq, second_seq])
    ids = pa.concat_arrays([both.column("first_id").combine_chunks(),
                            both.column("second_id").combine_chunks()])
    ends, where = np.unique(seq, return_index=True)
    gone_ids = ids.take(pa.array(where[np.searchsorted(ends, gone)]))
    kept = spark.createDataFrame(pa.table({"event_id": gone_ids})).localCheckpoint(eager=True)
    return kept.select(c("event_id"))


def also_in(links: Links, event_ids: list[str]) -> list[list[tuple[str, list[str]]]]:
    """Per id, ``eventdetail.also_in``: the linked events of other datasets, by dataset in
    load order, each dataset's ids in load order."""
    F = _f()
    c = F.col
    wanted = sorted({str(i) for i in event_ids})
    if not wanted:
        return [[] for _ in event_ids]
    table = (links.pairs.filter(c("first_id").isin(wanted) | c("second_id").isin(wanted))
             .toArrow())
    partners: dict[str, list[tuple[int, int, str]]] = {}
    for row in table.to_pylist():
        for own, other in (("first", "second"), ("second", "first")):
            partners.setdefault(row[f"{own}_id"], []).append(
                (row[f"{other}_seq"], row[f"{other}_rank"], row[f"{other}_id"]))
    answers = []
    for event_id in event_ids:
        by_dataset: dict[str, list[str]] = {}
        # ascending by row, then a stable sort by dataset: eventdetail.also_in's order
        for _, rank, partner in sorted(sorted(partners.get(str(event_id), [])),
                                       key=lambda p: p[1]):
            by_dataset.setdefault(links.datasets[rank], []).append(partner)
        answers.append(list(by_dataset.items()))
    return answers


def with_linked(rows: DataFrame, links: Links | None) -> DataFrame:
    """``rows`` with the exports' ``linked_events`` column (NULL when none is linked)."""
    F = _f()
    if links is None:
        return rows.withColumn(LINKED_EVENTS, F.lit(None).cast("string"))
    return rows.join(links.ends.select("event_id", LINKED_EVENTS), "event_id", "left")
