"""Browser measurements: a real ``streamlit run`` server driven by Playwright in Debian's chromium.

Bytes per re-run are the sizes of the websocket frames the browser *receives* from the server
between a filter change and the moment the page is idle again (script not running, no frame
for ``QUIET_S``). Static assets (JavaScript, CSS) come over HTTP once per page and are not
counted: they do not grow with the data and are cached by the browser.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD_APP = ROOT / "dashboard" / "app.py"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
QUIET_S = 1.0

# Text typed into each multiselect's search box, tried in order until an option matches: the
# real app may label options "Lithuania (LTU)" or "LTU", topics "Strikes" or "strike".
TYPED_CHOICES = {"country": ["LTU", "Lithuania"], "topic": ["Strike", "strike"]}
DATE_START_YEAR = "2023"


@dataclass
class Server:
    """A running server, its output file and a memory sampler."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    launched: float  # time.monotonic() just before the process started
    rss_samples: list[int] = field(default_factory=list)

    def sample_rss(self) -> int:
        """Resident memory of the server and its children now, in bytes; kept for the peak."""
        try:
            proc = psutil.Process(self.process.pid)
            rss = proc.memory_info().rss + sum(
                c.memory_info().rss for c in proc.children(recursive=True))
        except psutil.Error:
            return 0
        self.rss_samples.append(rss)
        return rss


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def server_command(app: Path, data: Path, port: int, engine: str = "memory") -> list[str]:
    """How a server of ``app`` on ``data`` starts: the dashboard as ``scripts/run.sh --
    --data DATA --engine ENGINE`` starts it (``python -m dashboard.launch``: the launch
    data is made ready while Streamlit starts), any other app by ``streamlit run``."""
    dashboard = app.resolve() == DASHBOARD_APP
    start = ([sys.executable, "-m", "dashboard.launch"] if dashboard
             else [sys.executable, "-m", "streamlit", "run", str(app)])
    options = ["--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1",
               "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
    app_options = ["--", "--data", str(data), "--engine", engine] if dashboard else []
    return [*start, *options, *app_options]


@contextmanager
def serve(app: Path, data: Path, startup_s: float = 60,
          engine: str = "memory") -> Iterator[Server]:
    """A server of ``app`` (``server_command``) with ``DASHBOARD_DATA=data`` too (the
    baseline reads only that); output kept in a temporary file."""
    port = _free_port()
    log_path = Path(tempfile.mkstemp(prefix="bench-server-", suffix=".log")[1])
    command = server_command(app, data, port, engine)
    env = {**os.environ, "DASHBOARD_DATA": str(data)}
    launched = time.monotonic()
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log,
                                   stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log_path, launched)
    try:
        deadline = time.monotonic() + startup_s
        while not _healthy(server.url):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log_path.unlink(missing_ok=True)


@contextmanager
def browser_page() -> Iterator[Any]:
    """A fresh chromium page (Debian's chromium, no sandbox)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(ACTION_TIMEOUT_MS)
            yield page
        finally:
            browser.close()


class FrameCounter:
    """Counts bytes of websocket frames received by a page."""

    def __init__(self, page: Any) -> None:
        self.bytes = 0
        self.frames = 0
        self.last = time.monotonic()
        page.on("websocket", self._attach)

    def _attach(self, ws: Any) -> None:
        ws.on("framereceived", self._received)

    def _received(self, payload: bytes | str) -> None:
        self.bytes += len(payload if isinstance(payload, bytes) else payload.encode("utf-8"))
        self.frames += 1
        self.last = time.monotonic()

    def reset(self) -> None:
        self.bytes, self.frames = 0, 0


def wait_idle(page: Any, counter: FrameCounter, server: Server, timeout_s: float) -> None:
    """Wait until the script is not running and no frame has arrived for ``QUIET_S``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        server.sample_rss()
        page.wait_for_timeout(100)
        idle = page.locator(IDLE).count() > 0 and page.locator(
            "[data-testid='stSkeleton']").count() == 0
        if idle and time.monotonic() - counter.last >= QUIET_S:
            return
    raise TimeoutError(f"page not idle after {timeout_s:.0f} s")


ACTION_TIMEOUT_MS = 300_000  # the baseline's page at 1M+ points takes minutes to respond


def _choose(page: Any, key: str) -> tuple[str, float] | None:
    """Pick one option in the multiselect with ``key`` by typing; the text that matched and
    the moment the option was clicked (when the change reaches the app)."""
    box = page.locator(f".st-key-{key} input").first
    if box.count() == 0:
        return None
    for text in TYPED_CHOICES[key]:
        box.click()
        box.fill(text)
        option = page.locator("[role='option']").first
        try:  # a page busy drawing a million points answers slowly
            option.wait_for(state="visible", timeout=ACTION_TIMEOUT_MS)
        except Exception:  # noqa: BLE001  (playwright's TimeoutError: nothing matched)
            option = None
        if option is not None and "No results" not in option.inner_text():
            option.click()
            committed = time.monotonic()
            page.keyboard.press("Escape")
            return text, committed
        box.fill("")
    page.keyboard.press("Escape")
    return None


def _set_dates(page: Any) -> tuple[str, float] | None:
    """Move the start of the date range to 2023 by typing into its year segment; what was
    typed and when the last digit went in."""
    year = page.locator(
        "[data-testid='stDateInput'] [role='spinbutton'][data-type='year']").first
    if year.count() == 0:
        return None
    year.click()
    page.keyboard.type(DATE_START_YEAR)
    committed = time.monotonic()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    return f"start year {DATE_START_YEAR}", committed


CHANGES = {
    "country": lambda page: _choose(page, "country"),
    "topic": lambda page: _choose(page, "topic"),
    "date": _set_dates,
}


def rerun_bytes(app: Path, data: Path, timeout_s: float = 300,
                query: str = "", engine: str = "memory") -> dict[str, Any]:
    """Bytes received per re-run after each kind of filter change, plus the first page load.

    Each change starts from the freshly opened page (so each filters all the data, not
    what the change before left), and its time runs from the moment the change was made
    to the last frame of its re-run. ``query`` is added to the URL (the dashboard's date
    range starts empty, so it is opened with a range whose start year can be retyped).
    ``engine`` is the dashboard's ``--engine`` (the baseline has none).
    """
    results: dict[str, Any] = {}
    with serve(app, data, engine=engine) as server, browser_page() as page:
        counter = FrameCounter(page)
        for kind, change in CHANGES.items():
            page.goto(server.url + query, timeout=timeout_s * 1000)
            wait_idle(page, counter, server, timeout_s)
            results.setdefault("first_load_bytes", counter.bytes)
            counter.reset()
            chosen = change(page)
            if chosen is None:
                results[kind] = {"missing": f"no {kind} widget found on the page"}
                continue
            typed, committed = chosen
            wait_idle(page, counter, server, timeout_s)
            results[kind] = {"bytes": counter.bytes, "frames": counter.frames, "typed": typed,
                             "wall_s": max(counter.last - committed, 0.0)}
        results["exceptions"] = page.locator("[data-testid='stException']").count()
        results["server_peak_rss_mb"] = max(server.rss_samples, default=0) / 2**20
    return results


def open_time(app: Path, data: Path, chart: str, timeout_s: float = 300,
              engine: str = "memory") -> dict[str, Any]:
    """Seconds to an idle page with ``chart`` drawn, on a server started for it (with
    ``--engine engine``, the dashboard's): from the server's launch (``from_launch_s``) and
    from opening the URL (``seconds``), which the browser does as soon as the server
    answers its health check."""
    with serve(app, data, engine=engine) as server, browser_page() as page:
        counter = FrameCounter(page)
        start = time.monotonic()
        page.goto(server.url, timeout=timeout_s * 1000)
        deadline = start + timeout_s
        while time.monotonic() < deadline:
            server.sample_rss()
            page.wait_for_timeout(100)
            drawn = page.locator(f"{chart} canvas, {chart} svg").count() > 0
            idle = page.locator(IDLE).count() > 0
            if drawn and idle:
                break
        else:
            return {"error": f"no drawn {chart} within {timeout_s:.0f} s"}
        seconds = time.monotonic() - start
        return {"seconds": seconds, "from_launch_s": time.monotonic() - server.launched,
                "bytes": counter.bytes,
                "server_peak_rss_mb": max(server.rss_samples, default=0) / 2**20,
                "exceptions": page.locator("[data-testid='stException']").count()}
