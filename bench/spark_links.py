"""The spark engine's first open of a Parquet file with and without links across datasets:
``bench/generate.py``'s SYNTHETIC events (no articles), their ``source_dataset`` kept (one
dataset: nothing to link) or rewritten at random to two values (``synthetic-a``,
``synthetic-b``: the same crowded places and days in both, so many link), opened by
``spark_tables.open_source`` in a fresh process::

    python bench/spark_links.py --rows 1000000 --datasets 2
    python bench/spark_links.py --rows 1000000 --datasets 1

It prints the session's start, the open (checking every row, and linking), the linking
alone run again on the opened source (``spark_links.find``), its slabs, links and linked
events, and this process's peak RSS (Python's: local mode's JVM is a process of its own).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from bench import generate  # noqa: E402


def lake(rows: int, datasets: int, out: Path) -> Path:
    """The events file (written once per size and number of datasets)."""
    path = out / f"spark_links_{rows}_{datasets}.parquet"
    if not path.is_file():
        out.mkdir(parents=True, exist_ok=True)
        events = generate.generate(rows, seed=42)[0].events
        if datasets == 2:
            names = np.random.default_rng(7).choice(["synthetic-a", "synthetic-b"], rows)
            events = events.set_column(events.column_names.index("source_dataset"),
                                       "source_dataset", pa.array(names.tolist()))
        pq.write_table(events, path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--datasets", type=int, choices=(1, 2), default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    path = lake(args.rows, args.datasets, args.out)

    from dashboard.engines import spark_links
    from dashboard.engines.spark_session import get_session
    from dashboard.engines.spark_tables import open_source

    start = time.perf_counter()
    spark = get_session()
    session = time.perf_counter() - start
    start = time.perf_counter()
    source = open_source(str(path), spark=spark)
    opened = time.perf_counter() - start
    start = time.perf_counter()
    again = spark_links.find(source.events, spark)
    linking = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    found = ("no links (one dataset)" if again is None else
             f"{again.slabs} slabs, {again.count:,} links, {again.events:,} events linked")
    print(f"{args.rows:,} events, {args.datasets} dataset(s): session {session:.1f} s, "
          f"open {opened:.1f} s, linking alone {linking:.1f} s ({found}); "
          f"peak RSS {peak:,.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
