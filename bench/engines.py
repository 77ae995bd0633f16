"""Export time and peak memory of the duckdb engine on big Parquet files, the memory engine
beside it where it fits.

Files are generated in chunks of ``--chunk`` events (``bench/generate.py``, a seed per
chunk, ids renumbered so they stay unique), written as row groups of one Parquet file, so
the whole set is never in memory. Each export runs in its own process; its peak RSS is
what ``os.wait4`` reports for that child::

    python bench/engines.py --sizes 10000000,20000000 --memory-sizes 1000000
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402  (the path above)

QUERIES = {
    "country+topic": "country=POL&topic=border_zone",
    "text": "q=kharkiv&verification=confirmed",
    "dates+box": "from=2023-01-01&to=2023-06-30&bbox=20,48,32,56&undated=0",
}


def _renumbered(table: pa.Table, first: int, articles_first: int) -> pa.Table:
    """A chunk's ids moved past the earlier chunks' (events and cited articles)."""
    number = pc.add(pc.cast(pc.utf8_slice_codeunits(table["event_id"], 4), pa.int64()), first)
    ids = pc.binary_join_element_wise("SYN-", pc.utf8_lpad(pc.cast(number, pa.string()), 9, "0"),
                                      "")
    table = table.set_column(table.column_names.index("event_id"), "event_id", ids)
    cited = table["article_ids"].combine_chunks()
    numbers = pc.add(pc.cast(pc.utf8_slice_codeunits(cited.values, 3), pa.int64()), articles_first)
    values = pc.binary_join_element_wise("SA-", pc.utf8_lpad(pc.cast(numbers, pa.string()), 9, "0"),
                                         "")
    lists = pa.ListArray.from_arrays(cited.offsets, values)
    return table.set_column(table.column_names.index("article_ids"), "article_ids", lists)


def write_lake(rows: int, chunk: int, out: Path) -> Path:
    """``synthetic_<rows>.parquet`` written chunk by chunk (articles left out: the three
    queries do not read them)."""
    path = out / f"engines_{rows}.parquet"
    if path.exists() and pq.ParquetFile(path).metadata.num_rows == rows:
        return path
    writer: pq.ParquetWriter | None = None
    done = 0
    while done < rows:
        size = min(chunk, rows - done)
        data, _ = generate(size, seed=1000 + done // chunk)
        table = _renumbered(data.events, done, int(done * 0.6))
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=1 << 20)
        done += size
    assert writer is not None
    writer.close()
    return path


def run_export(engine: str, data: Path, query: str, out: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one ``python -m dashboard export`` in a child process."""
    target = out / f"engines_out_{engine}.csv"
    command = [sys.executable, "-m", "dashboard", "export", "--engine", engine, "--data",
               str(data), "--query", query, "-o", str(target), "--exported",
               "2025-01-01T00:00:00Z"]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)  # this child's own peak, not the largest yet
    seconds = time.perf_counter() - start
    if status != 0:
        raise RuntimeError(f"{' '.join(command)} failed")
    peak = usage.ru_maxrss
    return seconds, peak / 1024


def main(argv: list[str] | None = None) -> int:
    """Generate, export each query on each engine, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000000,20000000")
    parser.add_argument("--memory-sizes", default="1000000")
    parser.add_argument("--chunk", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    plan = [("memory", int(s)) for s in args.memory_sizes.split(",") if s] + \
           [("duckdb", int(s)) for s in args.memory_sizes.split(",") if s] + \
           [("duckdb", int(s)) for s in args.sizes.split(",") if s]
    print("| engine | events | query | export s | peak RSS MB | rows out |")
    print("|---|---:|---|---:|---:|---:|")
    for engine, rows in plan:
        data = write_lake(rows, args.chunk, args.out)
        for name, query in QUERIES.items():
            seconds, peak = run_export(engine, data, query, args.out)
            written = sum(1 for _ in (args.out / f"engines_out_{engine}.csv").open("rb")) - 1
            print(f"| {engine} | {rows:,} | {name} | {seconds:.1f} | {peak:,.0f} | {written:,} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
