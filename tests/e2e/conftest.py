"""Browser tests: a real server driven by Playwright in Debian's chromium.

The server starts as ``scripts/run.sh`` starts it (``python -m dashboard.launch``), once
per session on a free port, from the repository root (so
``.streamlit/config.toml`` applies), with its output in a temporary file (a pipe can
fill up and stall it). A browser that cannot start is a failure, never a skip: the
suite exists to prove the dashboard works in one.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, expect

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "dashboard" / "app.py"
CHROMIUM = "/usr/bin/chromium"
STARTUP_TIMEOUT_S = 60
# Generous: the first run of a page loads and validates the bundled data.
RUN_TIMEOUT_MS = 60_000
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@dataclass
class AppServer:
    """A running ``streamlit run`` process and where its output goes."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


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


def start_server(log_path: Path, cwd: Path = ROOT) -> AppServer:
    """Start the server as ``scripts/run.sh`` does (``dashboard.launch``, which warms the
    launch data up while Streamlit starts) and wait until its health endpoint says ok."""
    port = _free_port()
    command = [
        sys.executable, "-m", "dashboard.launch",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        command, cwd=cwd, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
    )
    log_file.close()
    server = AppServer(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"streamlit exited with code {process.returncode} before it was healthy:\n"
                f"{server.log()}",
                pytrace=False,
            )
        if _healthy(server.url):
            return server
        time.sleep(0.25)
    stop_server(server)
    pytest.fail(
        f"streamlit was not healthy after {STARTUP_TIMEOUT_S} s:\n{server.log()}", pytrace=False
    )


def stop_server(server: AppServer) -> None:
    """Terminate the server, killing it if it does not stop within 10 s."""
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """The dashboard on its bundled data, served for the whole session."""
    if not APP.is_file():
        pytest.fail(f"{APP} does not exist: nothing to serve", pytrace=False)
    server = start_server(tmp_path_factory.mktemp("server") / "streamlit.log")
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's chromium, headless; Playwright never downloads a browser here."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) "
            "or run bash scripts/test.sh, which does",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def base_url(app_server: AppServer) -> str:
    """Relative ``page.goto`` paths resolve against the test server."""
    return app_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """Every page opens at a desktop size; downloads are kept."""
    return {
        **browser_context_args,
        "viewport": {"width": 1280, "height": 900},
        "accept_downloads": True,
    }


class AppPage:
    """A Playwright page on the test server, with the waits every test needs."""

    def __init__(self, page: Page, server: AppServer) -> None:
        self.page = page
        self.server = server
        self.messages_sent = 0  # to the server, over the websockets opened from now on
        page.on("websocket", lambda socket: socket.on("framesent", self._count_message))

    def _count_message(self, _payload: object) -> None:
        self.messages_sent += 1

    def open(self, path: str = "/") -> AppPage:
        """Open ``path`` (with its query string) on this page's own server and wait for the
        script run to end. A path is joined to ``self.server.url``, not to the session's
        ``base_url``: a page on a server of a test's own must not open the shared one."""
        self.page.goto(path if "://" in path else self.server.url + path)
        self.wait()
        return self

    def wait(self, timeout_ms: int = RUN_TIMEOUT_MS) -> None:
        """Wait until the app is connected, its script has finished and nothing is loading."""
        app = self.page.locator("[data-testid='stApp']")
        expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout_ms)
        expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout_ms)
        expect(self.page.locator("[data-testid='stSkeleton']")).to_have_count(0, timeout=timeout_ms)

    def assert_no_exception(self) -> None:
        """No element on the page shows an uncaught exception."""
        expect(self.page.locator("[data-testid='stException']")).to_have_count(0)

    def requests_leaving_the_machine(self) -> list[str]:
        """A list that fills, from now on, with every request the page sends anywhere but
        this machine (the dashboard promises to work offline)."""
        outside: list[str] = []

        def note(request: Request) -> None:
            host = urlsplit(request.url).hostname
            if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in (
                    "127.0.0.1", "localhost"):
                outside.append(request.url)

        self.page.on("request", note)
        return outside


@pytest.fixture
def app_page(page: Page, app_server: AppServer) -> AppPage:
    """A fresh browser page on the dashboard (1280 x 900)."""
    return AppPage(page, app_server)


@pytest.fixture
def phone_page(browser: Browser, app_server: AppServer) -> Iterator[AppPage]:
    """A page on the dashboard in a phone-sized (390 px wide) touch viewport."""
    context = browser.new_context(
        base_url=app_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    yield AppPage(context.new_page(), app_server)
    context.close()


@pytest.fixture
def app_page_on(page: Page, tmp_path: Path,
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], AppPage]]:
    """Open the dashboard on a data file of the test's own: ``app_page_on(path)`` starts a
    server launched with that file (and a store in the test's folder)."""
    servers: list[AppServer] = []

    def open_on(data: Path) -> AppPage:
        monkeypatch.setenv("DASHBOARD_DATA", str(data))
        monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "store"))
        servers.append(start_server(tmp_path / f"streamlit-{len(servers)}.log"))
        return AppPage(page, servers[-1])

    yield open_on
    for server in servers:
        stop_server(server)


@pytest.fixture
def fresh_app_page(page: Page, tmp_path: Path) -> Iterator[AppPage]:
    """A page on a server of its own that no browser has visited yet (first-visit behaviour)."""
    server = start_server(tmp_path / "streamlit.log")
    yield AppPage(page, server)
    stop_server(server)
