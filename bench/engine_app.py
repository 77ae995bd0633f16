"""The app's backends on big Parquet files: first open, later open, an Overview re-run after a
filter change, a download's bytes and time, and peak memory, per engine and size.

The lakes are ``bench/engines.py``'s (generated chunk by chunk, never all in memory). Each
(engine, size) runs in a child process (``--child``) so its peak RSS (``os.wait4``) is its
own; the child opens the backend the server would open and times, for filters it has not
seen before (each a new country), every question one Overview run asks
(``OVERVIEW`` below), then one CSV download of a filtered slice::

    python bench/engine_app.py --sizes 1000000,10000000 --memory-sizes 1000000

``--areas BOUNDARIES`` times the map's shaded areas mode instead (``Backend.by_area`` for
all events, then a new country each time), after the open, in the same child processes.

A big size can be run in steps (each its own process, the machine free between them):
generate (``--runs ''``), the first open, then a later server, keeping the lake and the
validated copy between steps::

    python bench/engine_app.py --sizes 20000000 --out /tmp/lakes --keep --runs ''
    python bench/engine_app.py --sizes 20000000 --out /tmp/lakes --keep --cache /tmp/c --runs first
    python bench/engine_app.py --sizes 20000000 --out /tmp/lakes --keep --cache /tmp/c --runs again
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.engines import write_lake  # noqa: E402  (the path above)

COUNTRIES = ["POL", "LTU", "UKR", "BLR", "LVA", "EST", "MDA", "ROU", "SVK", "HUN"]


def overview(backend: Any, filters: Any) -> None:
    """What one Overview run asks of its backend (views/overview.py), time frame off."""
    current = backend.headline(filters)
    for period in _baseline(filters, current, backend.options().first):
        backend.headline(period)
    backend.day_span(filters)
    backend.unplaced(filters)
    backend.map_extent(filters)
    backend.map_points(filters)
    backend.map_shapes(filters)
    backend.country_level(filters)
    backend.timeline(filters)
    backend.by_country_topic(filters)
    backend.verification_mix(filters)
    backend.monthly_sources(filters)
    backend.count(filters)


def _baseline(filters: Any, current: Any, first: Any) -> list[Any]:
    from dashboard import coverage

    return coverage.baseline_periods(filters, current, first)


def _memory_backend(path: str) -> Any:
    from dashboard.choices import build_options
    from dashboard.dataset import load_dataset
    from dashboard.engines.memory_backend import MemoryBackend
    from dashboard.eventindex import EventIndex
    from dashboard.filters import ArticleLinks
    from dashboard.taxonomy import topic_keys

    dataset = load_dataset(path)
    return MemoryBackend(dataset, EventIndex.build(dataset.events),
                         ArticleLinks.build(dataset.events, dataset.articles),
                         build_options(dataset.events, dataset.articles, topic_keys()))


def areas_child(backend: Any, areas_path: str, repeats: int) -> dict[str, Any]:
    """The map's "Shade areas of my boundaries file" mode alone (``Backend.by_area``): all
    events, then a new country each time, each a filter the backend has not seen."""
    from dashboard.boundaries import load_boundaries
    from dashboard.filters import Filters

    areas = load_boundaries(None if areas_path == "bundled" else areas_path)
    figures: dict[str, Any] = {"units": len(areas)}
    started = time.perf_counter()
    counts = backend.by_area(Filters(), None, areas)
    figures["by_area_all_s"] = time.perf_counter() - started
    figures["counted"] = int(counts["events"].sum())
    figures["points"] = backend.count(Filters())
    times = []
    for country in COUNTRIES[:repeats]:
        filters = Filters(countries=(country,), date_from=dt.date(2022, 1, 1))
        started = time.perf_counter()
        backend.by_area(filters, None, areas)
        times.append(time.perf_counter() - started)
    figures["by_area_country_s"] = times
    return figures


def child(engine: str, path: str, repeats: int, areas: str | None = None) -> dict[str, Any]:
    """Open, re-run and download in this process (with ``areas``: open, then only the
    shaded areas mode); the figures as a dict."""
    from dashboard.filters import Filters

    figures: dict[str, Any] = {"engine": engine, "file": path}
    started = time.perf_counter()
    if engine == "memory":
        backend = _memory_backend(path)
    else:
        from dashboard.engines.duckdb_backend import open_validated

        backend = open_validated(path)
    figures["open_s"] = time.perf_counter() - started
    if areas is not None:
        return {**figures, **areas_child(backend, areas, repeats)}
    started = time.perf_counter()
    overview(backend, Filters())
    figures["first_overview_s"] = time.perf_counter() - started
    figures["events"] = backend.count(Filters())
    reruns = []
    for country in COUNTRIES[:repeats]:
        filters = Filters(countries=(country,), date_from=dt.date(2022, 1, 1))
        started = time.perf_counter()
        overview(backend, filters)
        reruns.append(time.perf_counter() - started)
    figures["rerun_s"] = reruns
    figures["rerun_median_s"] = statistics.median(reruns)
    filters = Filters(countries=("POL",), topics=("border_zone",))
    started = time.perf_counter()
    download = backend.download("events", filters, "csv", [], {},
                                dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    figures["export_s"] = time.perf_counter() - started
    figures["export_bytes"] = len(download.data)
    return figures


def measure(engine: str, path: Path, repeats: int, cache: Path,
            areas: str | None = None) -> dict[str, Any]:
    """One child run; its figures plus its peak RSS."""
    env = {**os.environ, "DASHBOARD_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, __file__, "--child", engine, str(path),
                                "--repeats", str(repeats),
                                *(["--areas", areas] if areas is not None else [])],
                               stdout=subprocess.PIPE, env=env)
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    if status:
        raise SystemExit(f"{engine} on {path} failed ({status})")
    figures = json.loads(output.decode().strip().splitlines()[-1])
    figures["peak_rss_mb"] = usage.ru_maxrss / 1024
    figures["file_mb"] = path.stat().st_size / 2**20
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000000")
    parser.add_argument("--memory-sizes", default="1000000")
    parser.add_argument("--chunk", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--child", nargs=2, metavar=("ENGINE", "PATH"))
    parser.add_argument("--keep", action="store_true", help="keep the generated lakes")
    parser.add_argument("--cache", type=Path, default=None,
                        help="the validated copies' folder, kept (default: a temporary one)")
    parser.add_argument("--runs", default="first,again",
                        help="duckdb runs: 'first' (validates), 'again' (a later server)")
    parser.add_argument("--areas", default=None, metavar="BOUNDARIES",
                        help="time only the shaded areas mode over this boundaries file "
                             "('bundled': the bundled country outlines)")
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.repeats, args.areas)))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        started = time.perf_counter()
        lake = write_lake(size, args.chunk, args.out)
        print(f"generated {size:,} events in {time.perf_counter() - started:.0f} s", flush=True)
        cache = args.cache or Path(tempfile.mkdtemp(prefix="engine-app-cache-"))
        runs = [r for r in args.runs.split(",") if r]
        try:
            plan = [("duckdb", run) for run in runs]
            if str(size) in args.memory_sizes.split(",") and runs:
                plan.append(("memory", "first"))
            for engine, run in plan:  # "again": a second server reads the validation back
                figures = measure(engine, lake, args.repeats, cache, args.areas)
                figures["run"] = "first open" if run == "first" else "validated before"
                results.append(figures)
                print(json.dumps(figures), flush=True)
        finally:
            if args.cache is None:
                shutil.rmtree(cache, ignore_errors=True)
            if not args.keep:
                lake.unlink(missing_ok=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
