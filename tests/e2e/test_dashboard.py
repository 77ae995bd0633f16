"""The dashboard in a real browser: shared links, downloads, reloads, page switches, phones.

Expected numbers come from the data core run in this process (``load_bundled`` and
``Filters``), so the page is checked against the same logic the command line uses,
never against figures copied into the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from dashboard.dataset import load_bundled
from dashboard.filters import Filters

if TYPE_CHECKING:  # the fixture's type; conftest is not imported at run time
    from conftest import AppPage


pytestmark = pytest.mark.e2e

QUERY = "country=POL&topic=border_zone"
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-overview.png"


def _filters(query: str) -> Filters:
    filters, notices = Filters.from_query(parse_qs(query))
    assert notices == []
    return filters


def _expected_count(query: str) -> int:
    dataset = load_bundled()
    return len(_filters(query).apply(dataset.events, dataset.articles))


def _metric(page: Page, label: str) -> Locator:
    """The value of the headline number called ``label``."""
    metric = page.locator("[data-testid='stMetric']").filter(
        has=page.get_by_text(label, exact=True)
    )
    return metric.locator("[data-testid='stMetricValue']")


def _chips(page: Page, key: str) -> Locator:
    """The chips (selected values) of the sidebar multiselect with widget key ``key``."""
    return page.locator(f".st-key-{key} [data-tag]")


def _url_query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def _expect_url_has(page: Page, query: str) -> None:
    """Wait until the address bar holds every key=value pair of ``query`` (in any order)."""
    for pair in query.split("&"):
        expect(page).to_have_url(re.compile(rf"[?&]{re.escape(pair)}(&|$)"))


def _assert_filtered_view(page: Page, query: str) -> None:
    """Sidebar widgets, the sentence and the numbers all show the Poland + border zone view."""
    expect(_chips(page, "country")).to_have_text(["Poland (POL)"])
    expect(_chips(page, "topic")).to_have_text(["Border zones"])
    expect(page.locator(".st-key-filter_summary")).to_contain_text("Events in Poland")
    expected = _expected_count(query)
    assert 0 < expected < len(load_bundled().events), "the query must narrow the bundled data"
    expect(_metric(page, "Events")).to_have_text(f"{expected:,}")
    expect(page.locator(".st-key-downloads")).to_contain_text(
        f"Download the {expected:,} filtered events"
    )


def _cli_export(query: str, out: Path, *extra: str) -> bytes:
    subprocess.run(
        [sys.executable, "-m", "dashboard", "export", "--query", query, "-o", str(out), *extra],
        cwd=out.parent, check=True, capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    return out.read_bytes()


def test_shared_link_opens_the_filtered_view(app_page: AppPage) -> None:
    app_page.open(f"/?{QUERY}")
    _assert_filtered_view(app_page.page, QUERY)
    app_page.assert_no_exception()


@pytest.mark.parametrize(
    ("button_key", "prefix", "cli_args"),
    [("download_csv", "events", ()), ("download_articles", "articles", ("--articles",))],
)
def test_download_equals_command_line_export(
    app_page: AppPage, tmp_path: Path, button_key: str, prefix: str, cli_args: tuple[str, ...]
) -> None:
    app_page.open(f"/?{QUERY}")
    with app_page.page.expect_download() as info:
        app_page.page.locator(f".st-key-{button_key} button").click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename == f"{prefix}_{_filters(QUERY).slug()}.csv"
    downloaded = Path(download.path()).read_bytes()
    exported = _cli_export(QUERY, tmp_path / f"cli_{prefix}.csv", *cli_args)
    assert downloaded == exported
    assert downloaded.count(b"\n") > 1, "the export holds at least one record"
    app_page.assert_no_exception()


def _expect_country_view(app_page: AppPage, code: str, name: str) -> None:
    """The URL, the Country chips and the Events number all show one country's view."""
    _expect_url_has(app_page.page, f"country={code}")
    app_page.wait()
    expect(_chips(app_page.page, "country")).to_have_text([f"{name} ({code})"])
    expected = _expected_count(f"country={code}")
    expect(_metric(app_page.page, "Events")).to_have_text(f"{expected:,}")
    app_page.assert_no_exception()


def _bars(chart: Locator) -> Locator:
    """The bar marks Vega draws (as SVG with ARIA labels) in ``chart``."""
    return chart.locator("[aria-roledescription='bar']")


def test_charts_draw_readable_bars_and_a_click_narrows_the_filter(app_page: AppPage) -> None:
    """Bars get real height (a fitted chart once squeezed them to nothing under its
    legend), and clicking a country's bar sets the Country filter, as the issue asks."""
    page = app_page.page
    app_page.open("/")
    charts = page.locator(".st-key-charts [data-testid='stVegaLiteChart']")
    expect(charts).to_have_count(3)  # timeline, by country, verification levels
    for i in range(3):
        charts.nth(i).scroll_into_view_if_needed()  # charts draw when they come into view
        bars = _bars(charts.nth(i))
        expect(bars.first).to_be_attached()
        heights = [bars.nth(j).bounding_box()["height"] for j in range(bars.count())]
        assert min(heights) >= 5, (i, heights)
    poland = page.locator(".st-key-country_chart [aria-roledescription='bar']"
                          "[aria-label*='Country: Poland']")
    poland.first.scroll_into_view_if_needed()
    poland.first.click()
    _expect_country_view(app_page, "POL", "Poland")


# The map's picks (a country, an event, a grid cell) are in test_map.py.


def test_filter_set_in_the_page_survives_a_reload(app_page: AppPage) -> None:
    page = app_page.page
    app_page.open("/?country=POL")
    page.locator(".st-key-topic [role='combobox']").click()
    page.get_by_role("option", name="Border zones", exact=True).click()
    page.keyboard.press("Escape")
    _expect_url_has(page, QUERY)
    app_page.wait()
    _assert_filtered_view(page, QUERY)

    page.reload()
    app_page.wait()
    _assert_filtered_view(page, QUERY)
    assert _url_query(page) == {"country": ["POL"], "topic": ["border_zone"]}
    app_page.assert_no_exception()


def test_back_button_returns_to_the_previous_filter(app_page: AppPage) -> None:
    page = app_page.page
    app_page.open("/?country=POL")
    page.locator(".st-key-topic [role='combobox']").click()
    page.get_by_role("option", name="Border zones", exact=True).click()
    page.keyboard.press("Escape")
    _expect_url_has(page, QUERY)
    app_page.wait()
    _assert_filtered_view(page, QUERY)

    page.go_back()
    expect(page).not_to_have_url(re.compile(r"topic="))
    app_page.wait()
    assert _url_query(page) == {"country": ["POL"]}
    expect(_chips(page, "topic")).to_have_count(0)
    expect(_chips(page, "country")).to_have_text(["Poland (POL)"])
    expect(_metric(page, "Events")).to_have_text(f"{_expected_count('country=POL'):,}")
    app_page.assert_no_exception()


def test_bad_query_values_give_notices_not_exceptions(app_page: AppPage) -> None:
    page = app_page.page
    app_page.open("/?country=POL&from=2024-13-45&colour=red")
    notices = page.locator(".st-key-filter_summary [data-testid='stAlert']")
    expect(notices.filter(has_text="colour")).to_have_count(1)
    expect(notices.filter(has_text="from")).to_have_count(1)
    # The good part of the link still applies.
    expect(_chips(page, "country")).to_have_text(["Poland (POL)"])
    expect(_metric(page, "Events")).to_have_text(f"{_expected_count('country=POL'):,}")
    app_page.assert_no_exception()


@pytest.mark.parametrize(("title", "path"), [("Articles", "articles"), ("Events", "events")])
def test_switching_pages_keeps_the_filter_in_the_url(
    app_page: AppPage, title: str, path: str
) -> None:
    page = app_page.page
    app_page.open(f"/?{QUERY}")
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name=title).click()
    expect(page).to_have_url(re.compile(rf"/{path}\?"))
    _expect_url_has(page, QUERY)
    app_page.wait()
    assert _url_query(page) == {"country": ["POL"], "topic": ["border_zone"]}
    expect(_chips(page, "country")).to_have_text(["Poland (POL)"])
    expect(_chips(page, "topic")).to_have_text(["Border zones"])
    app_page.assert_no_exception()


@pytest.mark.parametrize("path", ["articles", "events"])
def test_shared_link_to_a_page_works_as_a_servers_first_visit(
    fresh_app_page: AppPage, path: str
) -> None:
    """A link to a page other than Overview, opened before anyone has opened the Overview.

    Streamlit runs files of a ``pages/`` folder next to the entry script on their own until
    the first ``st.navigation`` call of the server's life; the page must not depend on that.
    """
    page = fresh_app_page.page
    fresh_app_page.open(f"/{path}?{QUERY}")
    fresh_app_page.assert_no_exception()
    expect(_chips(page, "country")).to_have_text(["Poland (POL)"])
    assert _url_query(page) == {"country": ["POL"], "topic": ["border_zone"]}


def test_overview_screenshot(app_page: AppPage, tmp_path: Path) -> None:
    """The README's picture: the Overview at 1280 x 1500 (numbers, map and timeline) on the
    bundled data.

    Written to docs/ only with UPDATE_SCREENSHOT=1, so a test run leaves the clone clean.
    """
    page = app_page.page
    page.set_viewport_size({"width": 1280, "height": 1500})
    app_page.open("/")
    expect(page.locator("[data-testid='stVegaLiteChart']").first).to_be_visible()
    expect(page.locator(".st-key-map_chart canvas").first).to_be_visible()
    page.wait_for_timeout(1500)  # deck.gl draws the map on the next animation frames
    timeline = page.locator(".st-key-charts [data-testid='stVegaLiteChart']").first
    expect(_bars(timeline).first).to_be_attached()
    expect(_metric(page, "Events")).to_have_text(f"{len(load_bundled().events):,}")
    app_page.assert_no_exception()
    shot = tmp_path / "overview.png"
    page.screenshot(path=str(shot))
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(png[16:20], "big") == 1280  # IHDR width
    assert int.from_bytes(png[20:24], "big") == 1500  # IHDR height
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        shutil.copyfile(shot, SCREENSHOT)


def test_phone_width_has_no_exception(phone_page: AppPage) -> None:
    phone_page.open(f"/?{QUERY}")
    page = phone_page.page
    expect(page.get_by_role("heading", name="Border security events")).to_be_visible()
    expect(_metric(page, "Events")).to_have_text(f"{_expected_count(QUERY):,}")
    # the six download buttons wrap into rows of several, not a column of six
    buttons = page.locator(".st-key-downloads button")
    expect(buttons).to_have_count(6)
    rows = {round(buttons.nth(i).bounding_box()["y"]) for i in range(6)}
    assert len(rows) <= 3, rows
    phone_page.assert_no_exception()


def test_server_log_has_no_config_warnings_or_tracebacks(app_page: AppPage) -> None:
    app_page.open("/")
    app_page.assert_no_exception()
    log = app_page.server.log()
    assert "is not a valid config option" not in log, log
    assert "Traceback" not in log, log


PAGES = ["", "articles", "events", "data", "about"]


def test_no_request_leaves_the_machine(app_page: AppPage):
    """Offline is a promise: every page, its fonts, icons and map, loads from the server."""
    outside = app_page.requests_leaving_the_machine()
    for name in PAGES:
        app_page.open(f"/{name}?country=POL")
        app_page.assert_no_exception()
    app_page.page.wait_for_load_state("networkidle")
    assert outside == []


def test_a_link_in_a_url_key_stays_text_in_the_notice(app_page: AppPage):
    app_page.open("/?%5BSession%20expired%5D(https://evil.example/login)=1")
    notice = app_page.page.locator("[data-testid='stAlert']").filter(has_text="Session expired")
    expect(notice).to_have_count(1)
    readable = notice.inner_text().replace("\u2060", "")  # word joiners break autolinks
    assert "'[Session expired](https://evil.example/login)'" in readable
    expect(notice.locator("a")).to_have_count(0)
