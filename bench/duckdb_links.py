"""The duckdb engine's first open with and without links across datasets, on SYNTHETIC data:
one ``bench/generate.py`` file of ``--rows`` events (one ``source_dataset``: nothing to link)
and the same events with ``source_dataset`` rewritten to two values, row by row at random
(``synthetic-a``, ``synthetic-b``; so many more pairs link than in real data, the events
clustering around a few hundred city centres: a hard case). Each first open runs in its
own process, into a fresh cache folder; its time, the part spent finding the links
(``duckdb_links.make_links``), the links and its peak RSS (``os.wait4``) are printed, then
the time of the questions the pages ask of the links on the open copy (``ANSWERS``: each
asked twice, the second read from the backend's kept answers where it keeps them)::

    python bench/duckdb_links.py --rows 1000000 --repeats 2
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import articles_path, event_path, write_files  # noqa: E402


def two_datasets(events: Path, target: Path) -> Path:
    """``events`` with ``source_dataset`` rewritten to two values at random (seed 1), in a
    child process: Linux counts a child's peak RSS from the pages it was forked with, so
    the parent stays small (``--two`` writes it)."""
    if not target.is_file():
        subprocess.run([sys.executable, __file__, "--two", str(events), str(target)],
                       cwd=ROOT, check=True)
    return target


def _write_two(events: Path, target: Path) -> None:
    table = pq.read_table(events)
    rng = np.random.default_rng(1)
    names = np.where(rng.random(table.num_rows) < 0.5, "synthetic-a", "synthetic-b")
    column = table.column_names.index("source_dataset")
    pq.write_table(table.set_column(column, "source_dataset", pa.array(names)), target)


def _answers(backend: object) -> dict[str, float]:
    """Seconds of each of ``ANSWERS`` on an open backend, asked twice (first, then again)."""
    from dashboard.filters import Filters

    page, _ = backend.events_page(Filters(), 0, 50)  # type: ignore[attr-defined]
    ids = [str(i) for i in page["event_id"]]
    asked = {
        "link counts": lambda: backend.link_counts(),  # type: ignore[attr-defined]
        "also in, a page of 50": lambda: backend.also_in(ids),  # type: ignore[attr-defined]
        "count, once=1": lambda: backend.count(Filters(once=True)),  # type: ignore[attr-defined]
        "count, once=1&country=POL": lambda: backend.count(  # type: ignore[attr-defined]
            Filters(once=True, countries=("POL",))),
        "count, once=1&from=2023-01-01": lambda: backend.count(  # type: ignore[attr-defined]
            Filters(once=True, date_from=dt.date(2023, 1, 1))),
    }
    times = {}
    for name, ask in asked.items():
        for turn in ("first", "again"):
            start = time.perf_counter()
            ask()
            times[f"{name} ({turn})"] = time.perf_counter() - start
    return times


def first_open(events: Path, articles: Path, rows_per_slab: int | None) -> dict[str, Any]:
    """One first open into a fresh cache folder (in this process): seconds, seconds of
    ``make_links``, (events linked, links), and the seconds of the answers (``_answers``)."""
    from dashboard.engines import duckdb_backend, duckdb_links

    if rows_per_slab is not None:
        duckdb_links.ROWS_PER_SLAB = rows_per_slab
    spent: list[float] = []
    make = duckdb_links.make_links

    def timed(*args: object) -> int:
        start = time.perf_counter()
        found = make(*args)  # type: ignore[arg-type]
        spent.append(time.perf_counter() - start)
        return found

    duckdb_links.make_links = timed  # type: ignore[assignment]
    cache = Path(tempfile.mkdtemp(prefix="links-bench-"))
    try:
        start = time.perf_counter()
        backend = duckdb_backend.open_validated(str(events), articles=str(articles),
                                                cache_dir=cache)
        seconds = time.perf_counter() - start
        answers = _answers(backend)
        linked, pairs = backend.link_counts()
        backend.source.con.close()
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {"seconds": seconds, "links_seconds": sum(spent), "linked": linked, "pairs": pairs,
            "answers": answers}


def run_child(events: Path, articles: Path, rows_per_slab: int | None) -> dict[str, Any]:
    """``first_open`` in a child process, with its peak RSS (MB)."""
    slab = [] if rows_per_slab is None else ["--rows-per-slab", str(rows_per_slab)]
    child = subprocess.Popen([sys.executable, __file__, "--child", str(events), str(articles),
                              *slab], cwd=ROOT, stdout=subprocess.PIPE)
    assert child.stdout is not None
    said = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        raise RuntimeError(f"first open of {events} failed")
    return {**json.loads(said), "peak_mb": usage.ru_maxrss / 1024}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--rows-per-slab", type=int, default=None,
                        help="duckdb_links.ROWS_PER_SLAB for the opens (default: its own)")
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--two", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        events, articles = args.child
        print(json.dumps(first_open(events, articles, args.rows_per_slab)))
        return 0
    if args.two:
        _write_two(*args.two)
        return 0
    one = event_path(args.out, args.rows, "parquet")
    if args.generate:
        write_files(args.rows, ["parquet"], args.out)
        return 0
    if not one.is_file():  # generated in a child too, for the same reason
        subprocess.run([sys.executable, __file__, "--generate", "--rows", str(args.rows),
                        "--out", str(args.out)], cwd=ROOT, check=True)
    two = two_datasets(one, args.out / f"linked_{args.rows}.parquet")
    articles = articles_path(args.out, args.rows, "parquet")
    print("| data | run | first open s | of which links s | events linked | links | "
          "peak RSS MB |\n|---|---:|---:|---:|---:|---:|---:|")
    answers: dict[str, list[float]] = {}
    for run in range(1, args.repeats + 1):  # in turns, so both see the same load
        for label, path in (("one dataset", one), ("two datasets", two)):
            got = run_child(path, articles, args.rows_per_slab)
            print(f"| {label} | {run} | {got['seconds']:.1f} | {got['links_seconds']:.1f} | "
                  f"{int(got['linked']):,} | {int(got['pairs']):,} | {got['peak_mb']:,.0f} |",
                  flush=True)
            for name, seconds in got["answers"].items():
                answers.setdefault(f"{label}: {name}", []).append(seconds)
    print("\n| question | seconds (runs) |\n|---|---|")
    for name, runs in answers.items():
        print(f"| {name} | {', '.join(f'{s:.3f}' for s in runs)} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
