"""Downloads in a real browser: each format and the citable bundle equal the command
line's export of the same query at the export time the download states.

The page's download is made when it is clicked, so its time is read back from the file
(GeoJSON ``metadata``, Excel ``About`` sheet, Parquet ``citation``, the bundle's
README.txt) and handed to ``export --exported``; CSV states no time.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from dashboard.filters import Filters

if TYPE_CHECKING:  # the fixture's type; conftest is not imported at run time
    from conftest import AppPage

pytestmark = pytest.mark.e2e

QUERY = "country=POL&topic=border_zone"
SLUG = Filters.from_query(parse_qs(QUERY))[0].slug()
FIXED = "2025-05-01T12:00:00Z"  # CSV states no time: any time gives the same bytes


def _about_exported(data: bytes) -> str:
    rows = load_workbook(io.BytesIO(data))["About"].iter_rows(values_only=True)
    return next(str(row[1]) for row in rows if row[0] == "exported")


def _readme(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return bundle.read("README.txt").decode("utf-8")


def _readme_exported(data: bytes) -> str:
    found = re.search(r"^Exported:\s+(\S+) \(UTC\)$", _readme(data), flags=re.MULTILINE)
    assert found, "README.txt states the export time"
    return found.group(1)


EXPORTED_IN: dict[str, tuple[list[str], Callable[[bytes], str]]] = {
    "download_csv": ([], lambda data: FIXED),
    "download_geojson": ([], lambda data: json.loads(data)["metadata"]["exported"]),
    "download_xlsx": ([], _about_exported),
    "download_parquet": ([], lambda data: json.loads(
        pq.read_schema(io.BytesIO(data)).metadata[b"citation"])["exported"]),
    "download_bundle": (["--bundle"], _readme_exported),
}


def _cli_export(query: str, out: Path, *extra: str) -> bytes:
    subprocess.run(
        [sys.executable, "-m", "dashboard", "export", "--query", query, "-o", str(out), *extra],
        cwd=out.parent, check=True, capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return out.read_bytes()


def test_every_download_equals_the_cli_export_at_its_time(app_page: AppPage,
                                                          tmp_path: Path) -> None:
    app_page.open(f"/?{QUERY}")
    for key, (extra, exported_of) in EXPORTED_IN.items():
        with app_page.page.expect_download() as info:
            app_page.page.locator(f".st-key-{key} button").click()
        download = info.value
        assert download.failure() is None, key
        downloaded = Path(download.path()).read_bytes()
        exported = _cli_export(QUERY, tmp_path / download.suggested_filename, *extra,
                               "--exported", exported_of(downloaded))
        assert downloaded == exported, key
    app_page.assert_no_exception()


def test_the_citable_bundle_says_what_it_holds(app_page: AppPage) -> None:
    app_page.open(f"/?{QUERY}")
    with app_page.page.expect_download() as info:
        app_page.page.locator(".st-key-download_bundle button").click()
    download = info.value
    assert download.suggested_filename == f"citable_{SLUG}.zip"
    data = Path(download.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert bundle.namelist() == [f"events_{SLUG}.csv", f"articles_{SLUG}.csv",
                                     "README.txt", "CITATION.cff"]
    readme = _readme(data).splitlines()
    assert "What:       Events in Poland, topic Border zones" in readme
    assert f"URL query:  {QUERY}" in readme
    assert any(line.startswith("  events.csv  sha256 ") for line in readme)
    assert "bundled: Border security dashboard: bundled reporting data" in readme
    app_page.assert_no_exception()


def test_past_the_limit_the_buttons_are_disabled_and_the_command_shown(
        app_page_on: Callable[[Path], AppPage], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASHBOARD_MAX_DOWNLOAD_EVENTS", "3")
    bundled = Path(__file__).resolve().parents[2] / "data" / "events.csv"
    app_page = app_page_on(bundled)
    page = app_page.open(f"/?{QUERY}").page  # its own server
    for key in [*EXPORTED_IN, "download_articles"]:
        expect(page.locator(f".st-key-{key} button")).to_be_disabled()
    # five events citing five articles: the events' notice and command, then the articles'
    notice = page.locator(".st-key-downloads [data-testid='stAlert']")
    expect(notice).to_contain_text(["Downloads here hold at most 3 events",
                                    "Downloads here hold at most 3 articles"])
    code = page.locator(".st-key-downloads [data-testid='stCode']")
    expect(code).to_contain_text([
        f"python -m dashboard export --data events.csv --query '{QUERY}' -o events_{SLUG}.csv",
        f"python -m dashboard export --data events.csv --query '{QUERY}' --articles "
        f"-o articles_{SLUG}.csv"])
    expect(code.locator("a")).to_have_count(0)  # text, never a link
    assert all(str(bundled.parent) not in text for text in code.all_inner_texts())
    app_page.assert_no_exception()
