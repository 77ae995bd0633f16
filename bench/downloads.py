"""Peak memory of building each download format in the app, memory and duckdb engines.

What the server spends when a visitor clicks a download button of an unfiltered view: the
backend's ``download`` (``export.build_download``) builds the whole file in memory. One
child process per engine, size and format opens the data (``bench/generate.py`` files),
resets the kernel's peak RSS counter (``/proc/self/clear_refs``) and builds the file, so
each figure is that build's own peak over the RSS it started from (in a process of its
own: memory an earlier build freed and the allocator kept would hide part of the next
build's). These figures chose the default of ``DASHBOARD_MAX_DOWNLOAD_EVENTS``::

    python bench/generate.py --rows 250000 --formats parquet
    python bench/downloads.py --sizes 250000
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMATS = ["csv", "geojson", "xlsx", "parquet", "bundle"]


def _status(field: str) -> int:
    """A ``/proc/self/status`` field in MB (``VmRSS``: now, ``VmHWM``: peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) // 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def _open(engine: str, data: Path, articles: Path, cache: Path):  # type: ignore[no-untyped-def]
    if engine == "duckdb":
        from dashboard.engines.duckdb_backend import open_validated

        return open_validated(str(data), articles=str(articles), cache_dir=cache)
    from dashboard.choices import build_options
    from dashboard.dataset import load_dataset
    from dashboard.engines.memory_backend import MemoryBackend
    from dashboard.eventindex import EventIndex
    from dashboard.filters import ArticleLinks
    from dashboard.linking import find_links
    from dashboard.taxonomy import load_topics

    dataset = load_dataset(data, articles=articles)
    links = find_links(dataset.events)
    return MemoryBackend(dataset, EventIndex.build(dataset.events),
                         ArticleLinks.build(dataset.events, dataset.articles),
                         build_options(dataset.events, dataset.articles,
                                       list(load_topics()["key"])),
                         event_links=lambda: links)


def child(engine: str, data: Path, articles: Path, cache: Path, formats: list[str]) -> None:
    """Open the data, build every format of the unfiltered view, print one JSON line each."""
    from dashboard.citation import launch_version, now
    from dashboard.filters import Filters

    source = _open(engine, data, articles, cache)
    versions = [launch_version(data)]
    for fmt in formats:
        gc.collect()
        before = _status("VmRSS")
        Path("/proc/self/clear_refs").write_text("5")  # peak RSS := RSS now
        start = time.perf_counter()
        try:
            size = len(source.download("events", Filters(), fmt, versions, {}, now()).data)
            error = None
        except Exception as err:  # noqa: BLE001  (what the app's thread would meet)
            size, error = 0, f"{type(err).__name__}: {err}"[:120]
        seconds = time.perf_counter() - start
        print(json.dumps({"engine": engine, "format": fmt, "rss_before_mb": before,
                          "peak_mb": _status("VmHWM"), "file_mb": round(size / 2**20, 1),
                          "seconds": round(seconds, 1), "error": error}), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run a child per engine and size; print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,250000")
    parser.add_argument("--engines", default="memory,duckdb")
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "ROWS"))
    args = parser.parse_args(argv)
    if args.child:
        engine, rows = args.child
        child(engine, args.out / f"synthetic_{rows}.parquet",
              args.out / f"synthetic_{rows}_articles.parquet", args.out / "downloads_cache",
              args.formats.split(","))
        return 0
    print("| engine | events | format | file MB | RSS before MB | build peak MB | extra MB "
          "| s |\n|---|---:|---|---:|---:|---:|---:|---:|")
    for rows in args.sizes.split(","):
        for engine, fmt in itertools.product(args.engines.split(","),
                                             args.formats.split(",")):
            run = subprocess.run([sys.executable, __file__, "--out", str(args.out),
                                  "--formats", fmt, "--child", engine, rows],
                                 cwd=ROOT, capture_output=True, text=True, check=True)
            for line in run.stdout.splitlines():
                r = json.loads(line)
                extra = r["peak_mb"] - r["rss_before_mb"]
                note = f" ({r['error']})" if r["error"] else ""
                print(f"| {engine} | {int(rows):,} | {r['format']}{note} | {r['file_mb']} | "
                      f"{r['rss_before_mb']} | {r['peak_mb']} | {extra} | {r['seconds']} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
