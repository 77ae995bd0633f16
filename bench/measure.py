"""Measurements that run in a child process, one size at a time, so memory and caches are isolated.

``bench/run.py`` starts ``python bench/measure.py <part> ...`` and reads one JSON object from the
last line of its output. A part whose app code is not there yet answers
``{"missing": "<what>"}`` instead of failing, so the benchmark runs while the app is being built.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

EXPORT_FORMATS = ["csv", "parquet", "geojson", "xlsx"]
XLSX_EXPORT_MAX = 100_000


class Missing(Exception):
    """App code this part needs does not exist (yet)."""


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _function(module: str, name: str) -> Callable[..., Any]:
    """``module.name`` or ``Missing`` naming what is absent."""
    try:
        found = importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name and module.startswith(error.name):
            raise Missing(f"{module} is not there yet") from None
        raise
    if not hasattr(found, name):
        raise Missing(f"{module}.{name} is not there yet")
    return getattr(found, name)


def timed(call: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Run ``call`` ``repeats`` times; the seconds of each run and the last result."""
    runs, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        runs.append(time.perf_counter() - start)
    return runs, result


def load(path: str, articles: str | None, repeats: int) -> dict[str, Any]:
    """Load time through the real data core; peak RSS is of the first load alone."""
    load_dataset = _function("dashboard.dataset", "load_dataset")
    kwargs = {"articles": articles} if articles else {}
    before = peak_rss_mb()
    first, dataset = timed(lambda: load_dataset(path, **kwargs), 1)
    peak = peak_rss_mb()
    rest, again = timed(lambda: load_dataset(path, **kwargs), max(repeats - 1, 0))
    dataset = again if again is not None else dataset
    runs = first + rest
    reports = getattr(dataset, "reports", [])
    return {
        "runs_s": runs,
        "median_s": statistics.median(runs),
        "peak_rss_mb": peak,
        "baseline_rss_mb": before,
        "events": len(dataset.events),
        "articles": len(dataset.articles),
        "rows_read": sum(r.rows_read for r in reports),
        "rejected_rows": sum(r.rejected_rows for r in reports),
    }


def export(path: str, articles: str | None, repeats: int, formats: list[str]) -> dict[str, Any]:
    """Time ``export_events`` per format on every event of the file (Excel up to 100k rows),
    as ``load_dataset`` gives them (single-chunk columns, as the app holds them and as a
    filtered selection comes out of its row take)."""
    load_dataset = _function("dashboard.dataset", "load_dataset")
    export_events = _function("dashboard.export", "export_events")
    kwargs = {"articles": articles} if articles else {}
    events = load_dataset(path, **kwargs).events
    results: dict[str, Any] = {}
    for fmt in formats:
        if fmt == "xlsx" and len(events) > XLSX_EXPORT_MAX:
            results[fmt] = {"skipped": f"xlsx is measured up to {XLSX_EXPORT_MAX:,} rows"}
            continue
        runs, data = timed(lambda e=events, f=fmt: export_events(e, f), repeats)
        results[fmt] = {"runs_s": runs, "median_s": statistics.median(runs),
                        "rows": len(events), "bytes": len(data)}
    results["peak_rss_mb"] = peak_rss_mb()
    return results


# A filter change per kind: each is a list of states the driver steps through, so each timed
# re-run really changes what the page shows. Values fit the synthetic data.
COUNTRY_STEPS = [["POL"], ["POL", "LTU"], ["UKR"], ["BLR", "RUS"], []]
TOPIC_STEPS = [["strike"], ["strike", "legal"], ["border_zone"], ["camp", "protest"], []]


def _date_widget(at: Any) -> Any:
    """The page's date-range control: the first date_input, else a slider over dates."""
    if len(at.date_input):
        return at.date_input[0]
    for slider in at.slider:
        if isinstance(slider.value, tuple) and hasattr(slider.value[0], "year"):
            return slider
    raise Missing("no date range widget (date_input or date slider) on the page")


def _date_steps(widget: Any) -> list[tuple[Any, Any]]:
    import datetime as dt

    years = [(dt.date(2022, 1, 1), dt.date(2022, 12, 31)), (dt.date(2023, 3, 1),
             dt.date(2023, 9, 30)), (dt.date(2024, 1, 1), dt.date(2025, 6, 30)),
             (dt.date(2021, 6, 1), dt.date(2021, 8, 31))]
    first = tuple(widget.value or ())  # the real app starts with no range: ()
    cast = (lambda d: dt.datetime.combine(d, dt.time())) if first and isinstance(
        first[0], dt.datetime) else (lambda d: d)
    return [(cast(a), cast(b)) for a, b in years] + [first]


def rerun(app: str, data: str, repeats: int, timeout: float,
          engine: str = "memory") -> dict[str, Any]:
    """Server time of a re-run after each kind of filter change, through ``AppTest``, the
    dashboard's data served by ``engine`` (``DASHBOARD_ENGINE``; the baseline reads none)."""
    if not Path(app).exists():
        raise Missing(f"{app} is not there yet")
    from streamlit.testing.v1 import AppTest

    os.environ["DASHBOARD_DATA"] = data
    os.environ["DASHBOARD_ENGINE"] = engine
    at = AppTest.from_file(str(Path(app).resolve()), default_timeout=timeout)
    start = time.perf_counter()
    at.run()
    first_run = time.perf_counter() - start
    if at.exception:
        return {"error": f"first run raised: {at.exception[0].message}"}
    # A second run with the cache warm: what a user sees when nothing changed.
    warm, _ = timed(at.run, 1)
    results: dict[str, Any] = {"first_run_s": first_run, "warm_run_s": warm[0]}
    kinds: dict[str, tuple[Callable[[], Any], list[Any]]] = {
        "country": (lambda: at.multiselect(key="country"), COUNTRY_STEPS),
        "topic": (lambda: at.multiselect(key="topic"), TOPIC_STEPS),
        "date": (lambda: _date_widget(at), []),
    }
    for kind, (find, steps) in kinds.items():
        try:
            widget = find()
        except (KeyError, Missing) as error:
            results[kind] = {"missing": f"{kind} widget: {error}"}
            continue
        if kind == "date":
            steps = _date_steps(widget)
        options = set(getattr(widget, "options", []) or [])
        runs = []
        for i in range(repeats):
            value = steps[i % len(steps)]
            if options and isinstance(value, list):
                value = [v for v in value if v in options] or value[:0]
            widget = find()
            widget.set_value(value)
            start = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - start)
            if at.exception:
                results[kind] = {"error": at.exception[0].message}
                break
        else:
            results[kind] = {"runs_s": runs, "median_s": statistics.median(runs)}
        find().set_value(steps[-1])
        at.run()
    results["peak_rss_mb"] = peak_rss_mb()
    return results


PARTS: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
    "load": lambda a: load(a.path, a.articles, a.repeats),
    "export": lambda a: export(a.path, a.articles, a.repeats, a.formats.split(",")),
    "rerun": lambda a: rerun(a.app, a.path, a.repeats, a.timeout, a.engine),
}


def main(argv: list[str] | None = None) -> int:
    """Run one part and print its result as JSON on the last line."""
    parser = argparse.ArgumentParser(description="one benchmark measurement (child process)")
    parser.add_argument("part", choices=list(PARTS))
    parser.add_argument("path", help="events file")
    parser.add_argument("--articles", default=None)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--formats", default=",".join(EXPORT_FORMATS))
    parser.add_argument("--app", default=str(ROOT / "dashboard" / "app.py"))
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--engine", default="memory", help="the dashboard's --engine (rerun)")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    try:
        result = PARTS[args.part](args)
    except Missing as error:
        result = {"missing": str(error)}
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
