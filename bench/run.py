"""The benchmark command: load, re-run, bytes, export and open times at several sizes.

    python bench/run.py                       # 10k, 100k, 1M, 2M; every part
    python bench/run.py --quick               # 10k only, fewer repeats (a CI-sized smoke run)
    python bench/run.py --sizes 10k,100k --parts load,rerun --json /tmp/results.json
    python bench/run.py --sizes 1M,10M --parts bytes,open --engines memory,duckdb

Synthetic files come from ``bench/generate.py`` (written to ``--out`` when missing); above
2M events, for the duckdb engine, from ``bench/engines.py``'s lake, written chunk by chunk
(``--lakes``). Each measurement of a size runs in its own process (``bench/measure.py``) so
memory and caches do not leak between sizes; browser parts start a real server per app,
engine and file. ``--engines`` chooses the dashboard's engines for the parts ``rerun``,
``bytes`` and ``open``; the baseline runs beside them where it can. A part whose app code is
missing, or an engine or baseline not run at a size, says so in the table. Figures are
medians of ``--repeats`` runs; absolute times vary between runs on a shared machine, the
ratios less so.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import generate  # noqa: E402  (the path above makes bench importable)
from bench.engines import write_lake  # noqa: E402

APP = ROOT / "dashboard" / "app.py"
BASELINE = ROOT / "bench" / "baseline_app.py"
PARTS = ["load", "rerun", "bytes", "export", "open"]
DEFAULT_SIZES = "10k,100k,1M,2M"
SMALL_FORMATS_MAX = 100_000  # xlsx, json, geojson are loaded up to this size
# AppTest serialises the baseline's full table eagerly: 1M rows peaked at 23.5 GB RSS here
# (2026-11-25), on a 24 GB machine, so the baseline's AppTest re-runs stop at 100k; above
# that the re-run comparison is the browser's (the `bytes` part times each change).
BASELINE_APPTEST_MAX = 100_000
ENGINES = ["memory", "duckdb", "spark"]
ENGINE_PARTS = ("rerun", "bytes", "open")  # the parts --engines applies to
GENERATED_MAX = 2_000_000  # bench/generate.py builds a size in memory; above it, a lake
LAKE_CHUNK = 1_000_000  # events per chunk of a lake (bench/engines.write_lake)
# Where each engine and the baseline stop here, and why (docs/benchmark.md has the figures).
ENGINE_MAX_ROWS = {
    "memory": (GENERATED_MAX, "the memory engine is measured up to 2M here (it holds about "
                              "1 GB per million events, docs/engines.md)"),
    "spark": (100_000, "the spark engine's local mode is measured at 100k, for reference "
                       "(an Overview costs seconds there at any size)"),
}
BASELINE_BROWSER_MAX = GENERATED_MAX
# The baseline server's peak RSS per million events, measured in the `bytes` part at 1M
# (docs/benchmark.md, "Engines in the browser"); it says what a larger size would need.
BASELINE_MIB_PER_MILLION = 4_292.0
STORE_VARIABLE = "DASHBOARD_CACHE_DIR"
APP_DATE_RANGE = "?from=2021-01-01&to=2025-12-31"  # the synthetic files' five years
MAP_SELECTOR = "[data-testid='stVegaLiteChart'], [data-testid='stDeckGlJsonChart']"

# The targets: (label, unit, limit by size or None).
TARGETS = {
    "rerun_s": {1_000_000: 0.250, 2_000_000: 0.500},
    "bytes_per_rerun": 1.5e6,
    "open_parquet_s": 3.0,
    "open_csv_s": 15.0,
    "peak_rss_mb_2m": 2.5e9 / 2**20,  # 2.5 GB is 2,384 MiB; RSS figures are MiB (keys say "mb")
    "export_csv_s": 6.0,
    "export_parquet_s": 1.0,
    "rerun_speedup": 10.0,
    "bytes_reduction": 20.0,
}


def parse_size(text: str) -> int:
    """``10k`` -> 10_000, ``1M`` -> 1_000_000, ``2500`` -> 2500."""
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    return int(float(number) * factor)


def size_label(rows: int) -> str:
    """The inverse of ``parse_size`` for display."""
    if rows >= 1_000_000 and rows % 1_000_000 == 0:
        return f"{rows // 1_000_000}M"
    if rows >= 1_000 and rows % 1_000 == 0:
        return f"{rows // 1_000}k"
    return str(rows)


def ensure_files(rows: int, formats: list[str], out: Path, seed: int) -> None:
    """Generate the formats of a size that are not on disk yet (same seed, same data)."""
    missing = [f for f in formats if not generate.event_path(out, rows, f).exists()]
    if missing:
        print(f"generating {size_label(rows)} rows: {', '.join(missing)}", file=sys.stderr)
        generate.write_files(rows, missing, out, seed)


def child(part: str, path: Path, *extra: str, timeout: float = 3600) -> dict[str, Any]:
    """Run one ``bench/measure.py`` part in a fresh, niced process; its JSON answer."""
    command = ["nice", "-n", "5", sys.executable, str(ROOT / "bench" / "measure.py"), part,
               str(path), *extra]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1])


def part_load(rows: int, args: argparse.Namespace) -> dict[str, Any]:
    """Load time and peak RSS per format through ``dashboard.dataset.load_dataset``."""
    results = {}
    for fmt in args.formats:
        if fmt != "csv" and fmt != "parquet" and rows > SMALL_FORMATS_MAX:
            continue
        ensure_files(rows, [fmt], args.out, args.seed)
        events = generate.event_path(args.out, rows, fmt)
        articles = generate.articles_path(args.out, rows, fmt)
        results[fmt] = child("load", events, "--articles", str(articles),
                             "--repeats", str(args.repeats))
    return results


def engine_skip(engine: str, rows: int) -> str | None:
    """Why ``engine`` is not run at ``rows`` events here, or None when it is."""
    limit = ENGINE_MAX_ROWS.get(engine)
    if limit is not None and rows > limit[0]:
        return limit[1]
    return None


def baseline_skip(rows: int) -> str | None:
    """Why the baseline is not run at ``rows`` events, or None when it is."""
    if rows <= BASELINE_BROWSER_MAX:
        return None
    need = (f" needs about {rows / 1e6 * BASELINE_MIB_PER_MILLION / 1024:,.0f} GiB "
            f"({BASELINE_MIB_PER_MILLION:,.0f} MiB per million rows at 1M)"
            if BASELINE_MIB_PER_MILLION else "")
    return (f"pandas read_csv of {size_label(rows)} rows{need}, and its page sends "
            f"every row to the browser; measured up to {size_label(BASELINE_BROWSER_MAX)}")


def browser_timeout_s(rows: int) -> float:
    """How long a page may take to load: a first open on duckdb validates every row (288 s
    at 10M on the shared machine, docs/benchmark.md), so a minute per million events, at
    least five minutes."""
    return max(300.0, 60.0 * rows / 1_000_000)


def engine_data(engine: str, rows: int, args: argparse.Namespace) -> Path:
    """The Parquet file ``engine`` serves at ``rows``: bench/generate.py's up to 2M (the
    file the memory engine and the baseline read too), a lake written chunk by chunk
    above (never all in memory; one already in ``--lakes`` with as many rows is reused)."""
    if rows > GENERATED_MAX:
        args.lakes.mkdir(parents=True, exist_ok=True)
        return write_lake(rows, LAKE_CHUNK, args.lakes)
    ensure_files(rows, ["parquet", "csv"], args.out, args.seed)
    return generate.event_path(args.out, rows, "parquet")


def part_rerun(rows: int, args: argparse.Namespace) -> dict[str, Any]:
    """Re-run time per kind of filter change, per engine and baseline, through AppTest."""
    results: dict[str, Any] = {}
    for engine in args.engines:
        skip = engine_skip(engine, rows)
        results[engine] = {"skipped": skip} if skip else child(
            "rerun", engine_data(engine, rows, args), "--app", str(APP), "--engine", engine,
            "--repeats", str(args.repeats))
    results["baseline"] = {"skipped": f"AppTest baseline only up to "
                                      f"{size_label(BASELINE_APPTEST_MAX)} (memory)"}
    if rows <= BASELINE_APPTEST_MAX:
        ensure_files(rows, ["csv"], args.out, args.seed)
        results["baseline"] = child("rerun", generate.event_path(args.out, rows, "csv"),
                                    "--app", str(BASELINE), "--repeats", str(args.repeats))
    return results


def _browser(call: Callable[..., dict[str, Any]], app: Path, data: Path,
             *extra: Any, **options: Any) -> dict[str, Any]:
    if not app.exists():
        return {"missing": f"{app.relative_to(ROOT)} is not there yet"}
    try:
        return call(app, data, *extra, **options)
    except Exception as error:  # noqa: BLE001  (a failed browser run is a row in the table)
        return {"error": f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"}


def part_bytes(rows: int, args: argparse.Namespace) -> dict[str, Any]:
    """Websocket bytes per re-run in chromium, per engine and baseline."""
    from bench import browser

    results: dict[str, Any] = {}
    for engine in args.engines:
        skip = engine_skip(engine, rows)
        results[engine] = {"skipped": skip} if skip else _browser(
            browser.rerun_bytes, APP, engine_data(engine, rows, args), query=APP_DATE_RANGE,
            engine=engine, timeout_s=browser_timeout_s(rows))
    skip = baseline_skip(rows)
    if skip is None:
        ensure_files(rows, ["csv"], args.out, args.seed)
    results["baseline"] = {"skipped": skip} if skip else _browser(
        browser.rerun_bytes, BASELINE, generate.event_path(args.out, rows, "csv"))
    return results


def part_export(rows: int, args: argparse.Namespace) -> dict[str, Any]:
    """``dashboard.export.export_events`` time per format on all events of the size."""
    ensure_files(rows, ["parquet"], args.out, args.seed)
    return child("export", generate.event_path(args.out, rows, "parquet"), "--articles",
                 str(generate.articles_path(args.out, rows, "parquet")),
                 "--repeats", str(args.repeats))


def part_open(rows: int, args: argparse.Namespace) -> dict[str, Any]:
    """Seconds to a drawn Overview from a server's launch and from opening the URL, per
    format (Parquet; CSV on the memory engine), engine and baseline.

    Each engine is opened ``repeats`` times twice, each time by a fresh server: first with
    an empty store (the memory engine validates and stores the dataset, duckdb validates
    and writes its typed copy), then again (each reads that back; spark keeps nothing
    between servers, so it is opened first only); medians. The baseline is opened once.
    """
    from bench import browser

    results: dict[str, Any] = {}
    for fmt in ("parquet", "csv"):
        entry: dict[str, Any] = {}
        for engine in args.engines:
            skip = engine_skip(engine, rows) or (
                "the duckdb and spark engines serve Parquet"
                if fmt != "parquet" and engine != "memory" else None)
            if skip:
                entry[engine] = {"skipped": skip}
                continue
            data = engine_data(engine, rows, args)
            data = data if fmt == "parquet" else generate.event_path(args.out, rows, fmt)
            first, stored = [], []
            for _ in range(args.repeats):
                shutil.rmtree(os.environ[STORE_VARIABLE], ignore_errors=True)
                first.append(_browser(browser.open_time, APP, data, MAP_SELECTOR,
                                      engine=engine, timeout_s=browser_timeout_s(rows)))
                if engine != "spark":
                    stored.append(_browser(browser.open_time, APP, data, MAP_SELECTOR,
                                           engine=engine, timeout_s=browser_timeout_s(rows)))
            entry[engine] = {"first": _median_open(first), "stored": _median_open(stored)
                             if stored else {"skipped": "spark keeps no copy between servers"}}
        skip = baseline_skip(rows)
        if skip is None:
            ensure_files(rows, [fmt], args.out, args.seed)
        entry["baseline"] = {"skipped": skip} if skip else _browser(
            browser.open_time, BASELINE, generate.event_path(args.out, rows, fmt),
            MAP_SELECTOR)
        if any("skipped" not in value for value in entry.values()):
            results[fmt] = entry
    return results


def _median_open(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median times and the highest memory peak of repeated opens (a failed one instead)."""
    failed = [run for run in runs if "seconds" not in run]
    if failed:
        return failed[0]
    return {"seconds": statistics.median(run["seconds"] for run in runs),
            "from_launch_s": statistics.median(run["from_launch_s"] for run in runs),
            "runs_s": [run["seconds"] for run in runs],
            "runs_from_launch_s": [run["from_launch_s"] for run in runs],
            "bytes": max(run["bytes"] for run in runs),
            "server_peak_rss_mb": max(run["server_peak_rss_mb"] for run in runs),
            "exceptions": sum(run["exceptions"] for run in runs)}


PART_FUNCTIONS: dict[str, Callable[[int, argparse.Namespace], dict[str, Any]]] = {
    "load": part_load,
    "rerun": part_rerun,
    "bytes": part_bytes,
    "export": part_export,
    "open": part_open,
}


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Every selected part at every size; the results as one JSON-ready dict."""
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "repeats": args.repeats,
        "engines": args.engines,
        "sizes": {},
    }
    for rows in args.sizes:
        by_part = results["sizes"].setdefault(str(rows), {})
        for part in args.parts:
            print(f"{size_label(rows)}: {part} ...", file=sys.stderr, flush=True)
            start = time.perf_counter()
            by_part[part] = PART_FUNCTIONS[part](rows, args)
            by_part[part]["_elapsed_s"] = time.perf_counter() - start
    return results


# ----------------------------------------------------------------------------- the table


NOTES = {"missing": "missing", "error": "error", "skipped": "not run"}  # key: label


def _note(entry: Any) -> str | None:
    """What an entry that holds no figures says instead (missing code, an error, not run)."""
    if isinstance(entry, dict):
        for key, label in NOTES.items():
            if key in entry:
                return f"{label}: {entry[key]}"
    return None


def _fmt_s(entry: Any) -> str:
    if not isinstance(entry, dict):
        return "-"
    note = _note(entry)
    if note is not None:
        return note
    value = entry.get("median_s", entry.get("seconds"))
    return "-" if value is None else f"{value * 1000:,.0f} ms" if value < 1 else f"{value:,.2f} s"


def _open_s(entry: Any, key: str) -> str:
    if isinstance(entry, dict) and key in entry:
        return _fmt_s({"seconds": entry[key]})
    return _fmt_s(entry)


def _ratio(base: Any, ours: Any, key: str) -> float | None:
    try:
        return float(base[key]) / float(ours[key])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None


def _verdict(value: float | None, limit: float | None, higher_is_better: bool = False) -> str:
    if value is None or limit is None:
        return ""
    ok = value >= limit if higher_is_better else value <= limit
    return f"  [{'meets' if ok else 'MISSES'} {limit:g}]"


def table(results: dict[str, Any]) -> str:
    """A plain-text table of the figures, the targets and the ratios to the baseline."""
    lines = []
    for size, parts in results["sizes"].items():
        rows = int(size)
        lines.append(f"== {size_label(rows)} events ==")
        for fmt, entry in parts.get("load", {}).items():
            if fmt.startswith("_"):
                continue
            extra = ""
            if isinstance(entry, dict) and "peak_rss_mb" in entry:
                limit = TARGETS["peak_rss_mb_2m"] if rows >= 2_000_000 else None
                extra = (f"  peak RSS {entry['peak_rss_mb']:,.0f} MiB"
                         f"{_verdict(entry['peak_rss_mb'], limit)}"
                         f"  accepted {entry.get('events', '?'):,}"
                         f" rejected {entry.get('rejected_rows', '?')}")
            lines.append(f"  load {fmt:<8} {_fmt_s(entry)}{extra}")
        lines += rerun_lines(rows, parts.get("rerun", {}))
        lines += bytes_lines(parts.get("bytes", {}))
        for fmt, entry in parts.get("export", {}).items():
            if fmt.startswith("_") or not isinstance(entry, dict):
                continue
            target = TARGETS.get(f"export_{fmt}_s")
            lines.append(f"  export {fmt:<7} {_fmt_s(entry)}"
                         f"{_verdict(entry.get('median_s'), target)}")
        if "missing" in parts.get("export", {}) or "error" in parts.get("export", {}):
            lines.append(f"  export {_fmt_s(parts['export'])}")
        lines += open_lines(rows, parts.get("open", {}))
    return "\n".join(lines)


KINDS = ("country", "topic", "date")


def _engines_in(part: dict[str, Any]) -> list[str]:
    """The engines a part's results hold, in the order they ran."""
    return [key for key in part if key in ENGINES]


def _of_kind(entry: Any, kind: str) -> dict[str, Any]:
    """One kind of change's figures, or the entry itself when it is a note for all."""
    if isinstance(entry, dict) and isinstance(entry.get(kind), dict):
        return dict(entry[kind])
    return entry if isinstance(entry, dict) else {}


OPPOSITE = {"faster": "slower", "fewer": "more"}


def _times(ratio: float | None, words: str, target: float | None = None) -> str:
    """``baseline / engine`` as "N.Nx faster" (or "slower" below 1), with its verdict."""
    if not ratio:
        return ""
    said = f"{ratio:.1f}x {words}" if ratio >= 1 else f"{1 / ratio:.1f}x {OPPOSITE[words]}"
    return f"  {said}{_verdict(ratio, target, True)}"


def rerun_lines(rows: int, rerun: dict[str, Any]) -> list[str]:
    """AppTest re-run time per engine and kind of change, the baseline's beside it."""
    lines = []
    base = rerun.get("baseline", {})
    if _note(base):
        lines.append(f"  rerun baseline {_note(base)}")
    target = TARGETS["rerun_s"].get(rows)
    for engine in _engines_in(rerun):
        if _note(rerun[engine]):
            lines.append(f"  rerun {engine:<7} {_note(rerun[engine])}")
            continue
        for kind in KINDS:
            ours, theirs = _of_kind(rerun[engine], kind), _of_kind(base, kind)
            speed = _ratio(theirs, ours, "median_s")
            lines.append(f"  rerun {engine:<7} {kind:<8} {_fmt_s(ours)}"
                         f"{_verdict(ours.get('median_s'), target)}"
                         f"  baseline {'-' if _note(base) else _fmt_s(theirs)}"
                         f"{_times(speed, 'faster', TARGETS['rerun_speedup'])}")
    return lines


def bytes_lines(sent: dict[str, Any]) -> list[str]:
    """Bytes per re-run, change-to-last-frame seconds and server peak RSS per engine and
    kind of change, the baseline's beside them with the ratios (baseline / engine)."""
    lines = []
    base = sent.get("baseline", {})
    if _note(base):
        lines.append(f"  bytes baseline {_note(base)}")
    for engine in _engines_in(sent):
        entry = sent[engine]
        if _note(entry):
            lines.append(f"  bytes {engine:<7} {_note(entry)}")
            continue
        for kind in KINDS:
            ours, theirs = _of_kind(entry, kind), _of_kind(base, kind)
            lines.append(
                f"  bytes {engine:<7} {kind:<8} {_bytes(ours)}"
                f"{_verdict(ours.get('bytes'), TARGETS['bytes_per_rerun'])}"
                f"  baseline {'-' if _note(base) else _bytes(theirs)}"
                f"{_times(_ratio(theirs, ours, 'bytes'), 'fewer', TARGETS['bytes_reduction'])}")
            if "wall_s" in ours:
                wall = f"{theirs['wall_s']:.2f} s" if "wall_s" in theirs else "-"
                lines.append(
                    f"  browser {engine:<7} {kind:<8} {ours['wall_s']:.2f} s  baseline {wall}"
                    f"{_times(_ratio(theirs, ours, 'wall_s'), 'faster', TARGETS['rerun_speedup'])}")
        peak = entry.get("server_peak_rss_mb")
        base_peak = base.get("server_peak_rss_mb")
        if peak is not None:
            lines.append(f"  bytes {engine:<7} server peak RSS {peak:,.0f} MiB  baseline "
                         + ("-" if base_peak is None else f"{base_peak:,.0f} MiB"))
    return lines


def open_lines(rows: int, opened: dict[str, Any]) -> list[str]:
    """Seconds to a drawn Overview per format and engine (first open, from the store),
    the baseline's beside them, and the servers' peak RSS."""
    lines = []
    limit = TARGETS["peak_rss_mb_2m"] if rows >= 2_000_000 else None
    for fmt, entry in opened.items():
        if fmt.startswith("_"):
            continue
        target = TARGETS.get(f"open_{fmt}_s") if rows == 1_000_000 else None
        base = entry.get("baseline", {})
        if _note(base):
            lines.append(f"  open {fmt:<8} baseline {_note(base)}")
        for engine in _engines_in(entry):
            if _note(entry[engine]):
                lines.append(f"  open {fmt:<8} {engine:<7} {_note(entry[engine])}")
                continue
            first, stored = entry[engine]["first"], entry[engine]["stored"]
            for when, key in (("URL", "seconds"), ("launch", "from_launch_s")):
                lines.append(f"  open {fmt:<8} {engine:<7} from {when:<6} first "
                             f"{_open_s(first, key)}{_verdict(first.get(key), target)}"
                             f"  stored {_open_s(stored, key)}"
                             f"{_verdict(stored.get(key), target)}"
                             f"  baseline {'-' if _note(base) else _open_s(base, key)}"
                             + _times(_ratio(base, first, key), "faster"))
            peaks = [(label, value.get("server_peak_rss_mb"))
                     for label, value in (("first", first), ("stored", stored),
                                          ("baseline", base))]
            lines.append(f"  open {fmt:<8} {engine:<7} server peak RSS " + "  ".join(
                f"{label} {peak:,.0f} MiB{_verdict(peak, limit) if label != 'baseline' else ''}"
                for label, peak in peaks if peak is not None))
    return lines


def _bytes(entry: dict[str, Any]) -> str:
    if "bytes" in entry:
        return f"{entry['bytes'] / 1e6:,.2f} MB"
    return _fmt_s(entry)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line as lists: sizes in rows, parts, formats and engines checked."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="e.g. 10k,100k,1M,2M")
    parser.add_argument("--parts", default=",".join(PARTS), help=",".join(PARTS))
    parser.add_argument("--formats", default=",".join(generate.FORMATS),
                        help="formats for the load part (xlsx/json/geojson only up to 100k)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="10k rows, 3 repeats")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--json", type=Path, default=None, help="default: <out>/results.json")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--engines", default="memory",
                        help=f"the dashboard's engines for {', '.join(ENGINE_PARTS)}: "
                             f"{','.join(ENGINES)}")
    parser.add_argument("--lakes", type=Path, default=None,
                        help="where lakes above 2M events are written or found "
                             "(bench/engines.py's engines_<rows>.parquet; default <out>)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats = "10k", min(args.repeats, 3)
    args.sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    args.parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    args.formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = [p for p in args.parts if p not in PART_FUNCTIONS]
    if unknown:
        parser.error(f"unknown part(s) {unknown}; choose from {', '.join(PARTS)}")
    args.engines = [e.strip().lower() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in args.engines if e not in ENGINES]
    if unknown or not args.engines:
        parser.error(f"unknown engine(s) {unknown}; choose from {', '.join(ENGINES)}")
    args.lakes = args.lakes or args.out
    return args


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the parts, print the table and write the JSON."""
    args = parse_args(argv)
    # the app's store of validated datasets (dashboard.store) lives with the files, emptied
    # now so no figure reads a result stored by an earlier run
    os.environ[STORE_VARIABLE] = str(args.out / "store")
    shutil.rmtree(args.out / "store", ignore_errors=True)
    results = run(args)
    print(table(results))
    target = args.json or args.out / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print(f"figures written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
