"""Time of ``dashboard.linking.find_links`` and of counting each event once, on two
SYNTHETIC datasets combined (``bench/generate.py``, two seeds; the second's ids and
``source_dataset`` renamed so the two are different datasets)::

    python bench/linking.py --rows 100000 --repeats 3

The generated events cluster around a few hundred city centres over five years, so many
more pairs share a day and a grid cell than in real data: a hard case for the bucket join.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import event_path, write_files  # noqa: E402  (the path above)
from dashboard.dataset import combine, load_dataset  # noqa: E402
from dashboard.linking import find_links  # noqa: E402


def combined(rows: int, out: Path) -> object:
    """Two generated datasets of ``rows`` events each, combined as ``--add`` does."""
    loaded = []
    for seed, name in ((42, "synthetic-a"), (43, "synthetic-b")):
        folder = out / name
        write_files(rows, ["parquet"], folder, seed=seed)
        dataset = load_dataset(event_path(folder, rows, "parquet"))
        dataset.events["event_id"] = name + ":" + dataset.events["event_id"]
        dataset.events["source_dataset"] = name
        loaded.append(dataset)
    return combine(loaded[0], loaded[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="events per dataset")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        dataset = combined(args.rows, Path(folder))
    events = dataset.events  # type: ignore[attr-defined]
    times, once_times = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        links = find_links(events)
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        kept = links.once(np.ones(len(events), dtype=bool))
        once_times.append(time.perf_counter() - start)
    print(f"{len(events):,} events ({args.rows:,} + {args.rows:,}): find_links median "
          f"{statistics.median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}); "
          f"{links.pairs:,} links, {int(links.linked().sum()):,} events linked; once "
          f"{statistics.median(once_times) * 1000:.0f} ms, {int(kept.sum()):,} counted")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
