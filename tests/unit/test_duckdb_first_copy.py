"""The duckdb engine's first open writes its validated copy in one pass that also evaluates
the rules (``duckdb_backend._copy_checked``: rejected rows written, then deleted), with the
partial dates worked out per distinct triple (``duckdb_tables._date_spans``) and a file's
number columns read as numbers: the copy, counts and problem lines are the memory
engine's, whatever breaks a rule."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench import generate
from dashboard.dataset import load_dataset
from dashboard.engines.duckdb_backend import open_validated
from dashboard.engines.duckdb_tables import open_source

ROWS = 120
LINE_COLUMNS = ["file", "table", "row", "column", "value", "reason"]


def _set(table: pa.Table, column: str, rows: dict[int, object],
         kind: pa.DataType | None = None) -> pa.Table:
    """``table`` with the cells of ``column`` at ``rows`` replaced (the column retyped to
    ``kind`` if given)."""
    values = table[column].to_pylist()
    for row, value in rows.items():
        values[row] = value
    typed = kind or table.schema.field(column).type
    return table.set_column(table.column_names.index(column), column, pa.array(values, typed))


Change = Callable[[pa.Table, pa.Table], tuple[pa.Table, pa.Table]]

CASES: dict[str, Change] = {
    "nothing broken": lambda e, a: (e, a),
    "unknown topic and a missing one": lambda e, a: (
        _set(e, "topic", {3: "no_such_topic", 17: None}), a),
    "dates: bad, finer precision, end before start, undated end": lambda e, a: (
        _set(_set(_set(e, "event_date", {5: "2024-13-45", 6: "2023", 7: "2024-05-10",
                                         8: None}),
                  "date_precision", {6: "day", 8: None}),
             "end_date", {7: "2024-05-01", 8: "2024-06-01"}), a),
    "the same dates on many rows, one of them broken": lambda e, a: (
        _set(_set(e, "event_date", dict.fromkeys(range(0, 60, 2), "2022-02")
                  | {61: "2022-02-30"}),
             "date_precision", dict.fromkeys(range(0, 62, 2), "month")), a),
    "codes in odd case and spaces, unknown and missing ones": lambda e, a: (
        _set(_set(_set(_set(e, "country", dict.fromkeys(range(0, 40, 3), " pol ") | {41: "XXX"}),
                        "verification", dict.fromkeys(range(1, 50, 4), "Confirmed\u00a0")
                        | {51: "rumour", 52: None}),
                   "geo_precision", dict.fromkeys(range(2, 60, 5), "EXACT") | {61: "street"}),
             "topic", dict.fromkeys(range(0, 40, 3), " Armed_Clash")), a),
    "fatalities as floats: minus infinity, too many, a fraction": lambda e, a: (
        _set(e, "fatalities", {2: float("-inf"), 4: 1e30, 9: 2.5, 10: float("nan")},
             pa.float64()), a),
    "latitude as text with a decimal comma, out of range, not a number": lambda e, a: (
        _set(e, "latitude", {i: None if v is None else str(v) for i, v in
                             enumerate(e["latitude"].to_pylist())}
             | {1: "50,25", 2: "123", 3: "north"}, pa.string()), a),
    "a repeated event id": lambda e, a: (
        _set(e, "event_id", {30: e["event_id"][4].as_py(), 31: e["event_id"][4].as_py()}), a),
    "articles: a bad url, a repeated id, a bad date, a missing id": lambda e, a: (
        e, _set(_set(_set(a, "url", {2: "javascript:alert(1)"}),
                     "article_id", {5: a["article_id"][1].as_py(), 6: None}),
                "published", {8: "yesterday"})),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_first_copy_keeps_what_the_memory_engine_keeps(name: str, tmp_path: Path) -> None:
    data, _ = generate.generate(ROWS, seed=4)
    events, articles = CASES[name](data.events, data.articles)
    path = tmp_path / "events.parquet"
    pq.write_table(events, path)
    pq.write_table(articles, tmp_path / "events_articles.parquet")
    memory = load_dataset(path)
    duck = open_validated(str(path), articles=str(tmp_path / "events_articles.parquet"),
                          cache_dir=tmp_path / "cache")
    wanted = {report.table: report for report in memory.reports}
    for got in duck.reports():
        want = wanted[got.table]
        assert (got.rows_read, got.accepted, got.rejected_rows) == (
            want.rows_read, want.accepted, want.rejected_rows)
        assert got.accepted + got.rejected_rows == got.rows_read
        pd.testing.assert_frame_equal(got.rejected[LINE_COLUMNS].reset_index(drop=True),
                                      want.rejected[LINE_COLUMNS].reset_index(drop=True),
                                      check_dtype=False)
    with duckdb.connect(str(duck.target.database), read_only=True) as con:
        kept = [row[0] for row in con.execute("SELECT event_id FROM events ORDER BY _seq")
                .fetchall()]
        cited = sorted(row[0] for row in con.execute("SELECT article_id FROM articles")
                       .fetchall())
        columns = [row[0] for row in con.execute("DESCRIBE events").fetchall()]
    assert kept == list(memory.events["event_id"])
    assert cited == sorted(memory.articles["article_id"])
    assert not [c for c in columns if c.startswith("_rejected")]
    # the command line's views (the rules evaluated on opening) agree with the copy
    source = open_source(str(path), articles=str(tmp_path / "events_articles.parquet"))
    assert source.scalar("SELECT count(*) FROM events") == len(kept)
    assert source.scalar("SELECT count(*) FROM articles") == len(cited)


@pytest.mark.parametrize("kind", ["parquet", "duckdb table"])
def test_every_copied_row_keeps_its_place_in_the_source(kind: str, tmp_path: Path) -> None:
    """``_seq`` (file, then row) orders the copy: it is never NULL, whatever was read."""
    data, _ = generate.generate(ROWS, seed=6)
    path = tmp_path / "events.parquet"
    pq.write_table(data.events, path)
    if kind == "parquet":
        duck = open_validated(str(path), cache_dir=tmp_path / "cache")
    else:
        database = tmp_path / "lake.duckdb"
        with duckdb.connect(str(database)) as con:
            con.execute(f"CREATE TABLE events AS SELECT * FROM read_parquet('{path}')")
        duck = open_validated(str(database), table="events", cache_dir=tmp_path / "cache")
    with duckdb.connect(str(duck.target.database), read_only=True) as con:
        rows = con.execute("SELECT count(*), count(_seq), count(DISTINCT _seq) FROM events"
                           ).fetchall()[0]
        ordered = [r[0] for r in con.execute("SELECT event_id FROM events ORDER BY _seq")
                   .fetchall()]
    assert rows == (ROWS, ROWS, ROWS)
    assert ordered == data.events["event_id"].to_pylist()
