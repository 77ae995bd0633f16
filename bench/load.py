"""Concurrent sessions over Streamlit's websocket, no browser: change latency, errors, server RSS.

    python bench/load.py                              # 50 sessions x 10 changes, bundled data
    python bench/load.py --size 1M --sessions 20      # a synthetic 1M-event Parquet file
    python bench/load.py --data FILE --repeats 3 --json /tmp/load.json

A real server is started as the other browser parts start it (``bench/browser.serve``). Each
session speaks the browser's protocol: it connects to ``/_stcore/stream``, sends a ``BackMsg``
``rerun_script`` and reads ``ForwardMsg`` frames until the run's ``script_finished``. Its
first run opens the page; then it makes ``--changes`` filter changes, each a ``rerun_script``
with a new query string (what the dashboard does when its URL changes: every filter widget is
set from the query). A change's latency runs from sending it to its ``script_finished``.

An error is a run that shows an exception element, ends with a compile error, loses its
connection or has no ``script_finished`` within ``--timeout`` seconds; a session stops at a
lost connection or a timeout (its stream is no longer in step), so its remaining changes are
counted as not made. The server's resident memory (its process and children) is sampled
throughout; the peak is reported. The load generator shares the machine's cores with the
server, so the figures are an upper bound of what the server alone would show.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402  (third-party imports stay together, after the path set-up)
import websockets  # noqa: E402  (streamlit's own dependency)
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from bench import browser, generate  # noqa: E402
from bench.run import STORE_VARIABLE, ensure_files, parse_size, size_label  # noqa: E402
from dashboard.dataset import BUNDLED_EVENTS  # noqa: E402

STREAM_PATH = "/_stcore/stream"
SUBPROTOCOL = "streamlit"  # the browser's first entry; the XSRF token is only read for auth
RSS_INTERVAL_S = 0.2
OPEN_TIMEOUT_S = 300.0  # the warm-up run waits for the launch data (a 1M file: seconds)

# Filter changes, as URL query strings, that select rows in both the bundled data and the
# synthetic files. Session s makes changes s, s+1, ... (cycling), so concurrent sessions ask
# for different views at each step and each step differs from the one before.
CHANGES = [
    "country=POL",
    "topic=border_zone",
    "from=2022-06-01",
    "country=BLR&topic=troop_movement",
    "verification=confirmed",
    "from=2023-01-01&to=2023-12-31",
    "topic=camp,strike",
    "country=UKR,POL&undated=0",
    "q=border",
    "country=BLR&from=2022-01-01&to=2024-12-31",
]

# Statuses after which no further frames of the run come; FINISHED_EARLY_FOR_RERUN is
# followed by the run that interrupted it, a fragment's end by the rest of the page.
_FINAL_STATUSES = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


def rerun_message(query: str) -> bytes:
    """The ``BackMsg`` a browser sends to run the page with ``query`` as its URL query."""
    message = BackMsg()
    message.rerun_script.query_string = query
    return message.SerializeToString()


@dataclass
class RunWatch:
    """What one script run has sent so far: its exceptions and whether it is over."""

    exceptions: list[str] = field(default_factory=list)
    status: int | None = None

    def observe(self, frame: bytes) -> bool:
        """Take one ``ForwardMsg`` frame; True once the run has finished."""
        message = ForwardMsg()
        message.ParseFromString(frame)
        kind = message.WhichOneof("type")
        if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            element = message.delta.new_element
            if element.WhichOneof("type") == "exception":
                self.exceptions.append(element.exception.type or element.exception.message)
        elif kind == "script_finished" and message.script_finished in _FINAL_STATUSES:
            self.status = message.script_finished
        return self.status is not None

    @property
    def error(self) -> str | None:
        """Why the finished run counts as an error, or None when it ran cleanly."""
        if self.exceptions:
            return f"exception: {self.exceptions[0]}"
        if self.status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            return "compile error"
        return None


@dataclass
class SessionResult:
    """One session's clean change latencies, its errors and the changes it could not make."""

    open_s: float | None = None
    change_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    not_made: int = 0


class SessionEnded(Exception):
    """The session's stream is gone or out of step: no further run can be timed on it."""


async def timed_run(connection: Any, query: str, timeout_s: float) -> tuple[float, str | None]:
    """Send one rerun and read frames to its end: seconds taken and an error or None.

    Raises ``SessionEnded`` (with the error as its message) on a lost connection or timeout.
    """
    watch = RunWatch()
    start = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            await connection.send(rerun_message(query))
            while not watch.observe(await connection.recv()):
                pass
    except TimeoutError:
        raise SessionEnded(f"no script_finished in {timeout_s:g} s") from None
    except websockets.ConnectionClosed as closed:
        raise SessionEnded(f"disconnected ({closed.code})") from None
    return time.perf_counter() - start, watch.error


def change_query(session: int, step: int) -> str:
    """The query of a session's ``step``-th change (0-based)."""
    return CHANGES[(session + step) % len(CHANGES)]


def pauses(session: int, changes: int, think_s: float) -> list[float]:
    """Seconds a session waits before each change: ``think_s`` on average, spread evenly
    over half to one and a half times it, so sessions do not change filters in step.
    Seeded by the session's number: a run is repeatable."""
    spread = random.Random(session)
    return [think_s * spread.uniform(0.5, 1.5) for _ in range(changes)]


async def session(url: str, number: int, changes: int, think_s: float,
                  timeout_s: float, delay_s: float = 0.0) -> SessionResult:
    """After ``delay_s``, open the page, then make ``changes`` filter changes with a
    pause of about ``think_s`` before each."""
    result = SessionResult()
    made = 0
    await asyncio.sleep(delay_s)
    try:
        async with websockets.connect(url, subprotocols=[SUBPROTOCOL], max_size=None,
                                      open_timeout=timeout_s) as connection:
            seconds, error = await timed_run(connection, "", timeout_s)
            result.open_s = seconds
            if error:
                result.errors.append(f"open: {error}")
            for step, pause in enumerate(pauses(number, changes, think_s)):
                await asyncio.sleep(pause)
                seconds, error = await timed_run(connection, change_query(number, step),
                                                 timeout_s)
                made += 1
                if error:
                    result.errors.append(error)
                else:
                    result.change_s.append(seconds)
    except SessionEnded as ended:
        result.errors.append(str(ended))
        made += 1 if result.open_s is not None else 0
    except (OSError, websockets.InvalidHandshake) as failed:
        result.errors.append(f"connect: {type(failed).__name__}")
    result.not_made = changes - made
    return result


async def _sample_rss(server: browser.Server, stop: asyncio.Event) -> None:
    while not stop.is_set():
        server.sample_rss()
        try:
            await asyncio.wait_for(stop.wait(), RSS_INTERVAL_S)
        except TimeoutError:
            pass


async def _warm_up(url: str) -> list[str]:
    return (await session(url, 0, 0, 0, OPEN_TIMEOUT_S)).errors


def warm_up(server: browser.Server) -> None:
    """One page run, so the launch data is loaded before any session is timed."""
    errors = asyncio.run(_warm_up(_stream_url(server)))
    if errors:
        raise RuntimeError(f"the warm-up page run failed: {errors[0]}; the server's log ends:\n"
                           f"{log_tail(server)}")


def log_tail(server: browser.Server, lines: int = 25) -> str:
    """The end of the server's output: an exception's traceback is there, not in the page
    (the dashboard hides error details from visitors)."""
    return "\n".join(server.log_path.read_text(errors="replace").splitlines()[-lines:])


async def load(url: str, sessions: int, changes: int, think_s: float, timeout_s: float,
               ramp_s: float, server: browser.Server) -> tuple[list[SessionResult], float]:
    """The sessions, started ``ramp_s / sessions`` apart, memory sampled meanwhile; their
    results and the seconds from the first start to the last end."""
    stop = asyncio.Event()
    sampler = asyncio.create_task(_sample_rss(server, stop))
    try:
        start = time.perf_counter()
        results = await asyncio.gather(*(
            session(url, number, changes, think_s, timeout_s, number * ramp_s / sessions)
            for number in range(sessions)))
        return list(results), time.perf_counter() - start
    finally:
        stop.set()
        await sampler


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """The ``fraction`` quantile (0..1), interpolated between the closest ranks as numpy's
    default does; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summarise(results: Sequence[SessionResult], changes: int, wall_s: float) -> dict[str, Any]:
    """One run's figures from its sessions (seconds; errors with their reasons); ``runs_per_s``
    counts the page runs (opens and changes) the server finished per second of the load."""
    latencies = [s for result in results for s in result.change_s]
    opens = [result.open_s for result in results if result.open_s is not None]
    reasons: dict[str, int] = {}
    for result in results:
        for error in result.errors:
            reasons[error] = reasons.get(error, 0) + 1
    return {
        "sessions": len(results),
        "changes": len(results) * changes,
        "timed": len(latencies),
        "p50_s": percentile(latencies, 0.50),
        "p95_s": percentile(latencies, 0.95),
        "max_s": max(latencies, default=None),
        "open_p50_s": percentile(opens, 0.50),
        "open_p95_s": percentile(opens, 0.95),
        "errors": sum(reasons.values()),
        "error_reasons": reasons,
        "not_made": sum(result.not_made for result in results),
        "wall_s": wall_s,
        "runs_per_s": (len(opens) + len(latencies)) / wall_s if wall_s > 0 else None,
    }


MEDIAN_KEYS = ["p50_s", "p95_s", "max_s", "open_p50_s", "open_p95_s", "runs_per_s",
               "server_cpu_ms_per_run", "client_cpu_s", "peak_rss_mb", "idle_rss_mb"]


def median_of(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The median of each figure over repeated runs; errors and changes not made are summed."""
    merged: dict[str, Any] = {"sessions": runs[0]["sessions"], "changes": runs[0]["changes"],
                              "runs": len(runs)}
    for key in MEDIAN_KEYS:
        values = [run[key] for run in runs if run.get(key) is not None]
        merged[key] = statistics.median(values) if values else None
    merged["errors"] = sum(run["errors"] for run in runs)
    merged["not_made"] = sum(run["not_made"] for run in runs)
    return merged


def server_cpu_s(server: browser.Server) -> float:
    """CPU seconds (user and system) the server and its children have used so far."""
    try:
        process = psutil.Process(server.process.pid)
        return sum(sum(p.cpu_times()[:2]) for p in [process, *process.children(recursive=True)])
    except psutil.Error:
        return float("nan")


def _stream_url(server: browser.Server) -> str:
    return server.url.replace("http://", "ws://", 1) + STREAM_PATH


def prime(data: Path) -> None:
    """Launch once, unmeasured: the file is validated and stored (``dashboard.store``), so
    every measured server reads it back, as any launch after the first does."""
    with browser.serve(browser.DASHBOARD_APP, data) as server:
        warm_up(server)


def measure(data: Path, sessions: int, changes: int, think_s: float, timeout_s: float,
            ramp_s: float) -> dict[str, Any]:
    """One run on a fresh, warmed-up server: the summary plus the server's RSS (MiB) once
    warm (``idle_rss_mb``) and at its highest while the sessions ran (``peak_rss_mb``), and
    the CPU time the server spent per page run and this load generator's own CPU time (it
    shares the cores)."""
    with browser.serve(browser.DASHBOARD_APP, data) as server:
        url = _stream_url(server)
        warm_up(server)
        idle = server.sample_rss()
        server.rss_samples.clear()
        server_before, client_before = server_cpu_s(server), time.process_time()
        results, wall_s = asyncio.run(load(url, sessions, changes, think_s, timeout_s, ramp_s,
                                           server))
        server_used, client_used = (server_cpu_s(server) - server_before,
                                    time.process_time() - client_before)
        figures = summarise(results, changes, wall_s)
        page_runs = sum((result.open_s is not None) + len(result.change_s)
                        for result in results)
        figures["server_cpu_ms_per_run"] = 1000 * server_used / max(page_runs, 1)
        figures["client_cpu_s"] = client_used
        figures["idle_rss_mb"] = idle / 2**20
        figures["peak_rss_mb"] = max(server.rss_samples, default=0) / 2**20
        figures["server_exit"] = server.process.poll()
        if figures["errors"]:
            figures["server_log_tail"] = log_tail(server)
    return figures


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:,.0f} ms"


def _seconds(milliseconds: float | None) -> float | None:
    return None if milliseconds is None else milliseconds / 1000


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def table(rows: Sequence[dict[str, Any]]) -> str:
    """A plain-text table: one line per run, the medians last."""
    header = (f"{'run':<7}{'sessions':>9}{'changes':>9}{'p50':>10}{'p95':>10}{'max':>10}"
              f"{'open p95':>10}{'runs/s':>8}{'CPU/run':>9}{'errors':>8}{'not made':>10}"
              f"{'peak RSS':>12}")
    lines = [header]
    for row in rows:
        rss = "-" if row.get("peak_rss_mb") is None else f"{row['peak_rss_mb']:,.0f} MiB"
        lines.append(f"{row['label']:<7}{row['sessions']:>9}{row['changes']:>9}"
                     f"{_ms(row['p50_s']):>10}{_ms(row['p95_s']):>10}{_ms(row['max_s']):>10}"
                     f"{_ms(row['open_p95_s']):>10}{_rate(row['runs_per_s']):>8}"
                     f"{_ms(_seconds(row.get('server_cpu_ms_per_run'))):>9}"
                     f"{row['errors']:>8}{row['not_made']:>10}"
                     f"{rss:>12}")
    return "\n".join(lines)


def data_file(args: argparse.Namespace) -> Path:
    """The events file to serve: ``--data``, a generated ``--size``, or the bundled data."""
    if args.data:
        return Path(args.data).resolve()
    if args.size:
        rows = parse_size(args.size)
        ensure_files(rows, ["parquet"], args.out, args.seed)
        return generate.event_path(args.out, rows, "parquet")
    return BUNDLED_EVENTS  # its articles.csv beside it is found as the companion file


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the load ``--repeats`` times, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--changes", type=int, default=10, help="filter changes per session")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", default=None, help="events file (default: the bundled data)")
    source.add_argument("--size", default=None,
                        help="synthetic canonical Parquet of this many events, e.g. 1M")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a session waits before each change (default 0: "
                             "each change as soon as the last one is drawn)")
    parser.add_argument("--ramp", type=float, default=0.0,
                        help="seconds over which the sessions start (default 0: all at once)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="seconds a run may take before it counts as an error")
    parser.add_argument("--repeats", type=int, default=1, help="runs, each on a fresh server")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out",
                        help="where --size files are generated and, unless DASHBOARD_CACHE_DIR "
                             "is set, validated files stored (both kept for later runs)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here too")
    args = parser.parse_args(argv)
    if args.sessions < 1 or args.changes < 0 or args.repeats < 1:
        parser.error("--sessions and --repeats must be at least 1, --changes at least 0")
    os.environ.setdefault(STORE_VARIABLE, str(args.out / "store"))
    data = data_file(args)
    prime(data)
    label = size_label(parse_size(args.size)) if args.size and not args.data else data.name
    runs = []
    for number in range(args.repeats):
        print(f"{label}: run {number + 1} of {args.repeats} ...", file=sys.stderr, flush=True)
        runs.append(measure(data, args.sessions, args.changes, args.think, args.timeout,
                            args.ramp))
    rows = [{"label": f"#{i + 1}", **run} for i, run in enumerate(runs)]
    median = median_of(runs)
    if len(runs) > 1:
        rows.append({"label": "median", **median})
    print(f"{label}, think {args.think:g} s, ramp {args.ramp:g} s, timeout {args.timeout:g} s")
    print(table(rows))
    for run in runs:
        for reason, count in run["error_reasons"].items():
            print(f"  error x{count}: {reason}")
    logged = [run["server_log_tail"] for run in runs if run.get("server_log_tail")]
    if logged:
        print("the server's log of the first run with errors ends:\n" + logged[0])
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"data": str(data), "options": {
            "sessions": args.sessions, "changes": args.changes, "think_s": args.think,
            "ramp_s": args.ramp, "timeout_s": args.timeout}, "runs": runs, "median": median,
            "started": time.strftime("%Y-%m-%d %H:%M:%S")}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
