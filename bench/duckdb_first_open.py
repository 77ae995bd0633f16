"""The duckdb engine's first open of a Parquet file, statement by statement: the server time
``duckdb_backend.open_validated`` takes to validate a never-seen file and write its
validated copy (into a fresh cache folder, removed after), with each SQL statement of it
timed, the slowest listed, and the report's counts::

    python bench/duckdb_first_open.py bench/out/synthetic_1000000.parquet \\
        --articles bench/out/synthetic_1000000_articles.parquet

Each statement is timed by wrapping the connections ``duckdb_tables`` opens (a result is
fetched to its end inside the timing, so lazy results are counted where they are run).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from dashboard.engines import duckdb_backend, duckdb_tables  # noqa: E402


class _Fetched:
    """A result fetched inside the timing, handed back as the caller would read it."""

    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows

    def fetchall(self) -> list[Any]:
        return self._rows


class _TimedConnection:
    """A DuckDB connection whose ``execute`` calls are timed into ``timings``."""

    def __init__(self, con: duckdb.DuckDBPyConnection, timings: list[tuple[float, str]]):
        self._con = con
        self._timings = timings

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def execute(self, sql: str, *args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        result = self._con.execute(sql, *args, **kwargs)
        try:
            result = _Fetched(result.fetchall())
        except duckdb.Error:  # a statement with no result set
            pass
        self._timings.append((time.perf_counter() - start, " ".join(str(sql).split())))
        return result


def first_open(data: str, articles: str | None) -> tuple[float, float, list[tuple[float, str]],
                                                          list[tuple[str, int, int, int]]]:
    """(wall seconds, CPU seconds, statements' timings, each report's counts)."""
    timings: list[tuple[float, str]] = []
    connect = duckdb_tables.duckdb.connect

    def timed(*args: Any, **kwargs: Any) -> Any:
        return _TimedConnection(connect(*args, **kwargs), timings)

    cache = Path(tempfile.mkdtemp(prefix="duckdb-first-open-"))
    duckdb_tables.duckdb.connect = timed  # type: ignore[assignment]
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        backend = duckdb_backend.open_validated(data, articles=articles, cache_dir=cache)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        counts = [(r.table, r.rows_read, r.accepted, r.rejected_rows) for r in backend.reports()]
    finally:
        duckdb_tables.duckdb.connect = connect  # type: ignore[assignment]
        shutil.rmtree(cache, ignore_errors=True)
    return wall, cpu, timings, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", help="a Parquet file, folder or glob")
    parser.add_argument("--articles", help="its articles (Parquet or CSV)")
    parser.add_argument("--top", type=int, default=12, help="statements listed (slowest first)")
    args = parser.parse_args(argv)
    wall, cpu, timings, counts = first_open(args.data, args.articles)
    print(f"first open: {wall:.2f} s ({cpu:.2f} CPU-s) in {len(timings)} statements")
    for seconds, sql in sorted(timings, reverse=True)[:args.top]:
        print(f"{seconds:7.2f}  {sql[:110]}")
    for table, read, accepted, rejected in counts:
        print(f"{table}: {read:,} read, {accepted:,} accepted, {rejected:,} rejected")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
