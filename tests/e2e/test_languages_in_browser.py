"""The interface's languages in a real browser: ``?lang=lt`` and ``?lang=be`` give a
Lithuanian and a Belarusian sidebar and Overview, the language stays across pages, the
browser's own language is the default, and the longer words still fit a phone.

Expected words come from the catalogs through ``dashboard.i18n`` (the same translator
the app uses), numbers from the bundled data and Babel's formats, never copied figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.dataset import load_bundled
from dashboard.i18n import translator
from dashboard.taxonomy import load_topics

if TYPE_CHECKING:  # the fixture's type; conftest is not imported at run time
    from conftest import AppPage, AppServer

pytestmark = pytest.mark.e2e

# Sidebar words that must be in the language asked for (their English msgids)
SIDEBAR_WORDS = ["Filter", "Country (the event's or any involved)", "Topic",
                 "Verification level", "Include undated events", "Reset filters", "Language"]


def _metric_value(page: Page, label: str):
    metric = page.locator("[data-testid='stMetric']").filter(
        has=page.get_by_text(label, exact=True))
    return metric.locator("[data-testid='stMetricValue']")


@pytest.mark.parametrize("lang", ["lt", "be"])
def test_the_sidebar_and_the_overview_speak_the_language(app_page: AppPage, lang: str) -> None:
    t = translator(lang)
    page = app_page.open(f"/?lang={lang}").page
    sidebar = page.locator("[data-testid='stSidebar']")
    for english in SIDEBAR_WORDS:
        expect(sidebar).to_contain_text(t.gettext(english))
        assert t.gettext(english) != english
    expect(sidebar).not_to_contain_text("Reset filters")
    # the page names in the navigation
    nav = page.locator("[data-testid='stSidebarNav']")
    for name in ("Overview", "Articles", "Events", "Data", "About"):
        expect(nav).to_contain_text(t.gettext(name))
    # the Overview: heading, sentence, numbers formatted for the locale, charts' titles
    expect(page.get_by_role("heading", name=t.gettext("Border security events"))).to_be_visible()
    expect(page.locator(".st-key-filter_summary")).to_contain_text(t.gettext("All events"))
    events = len(load_bundled().events)
    expect(_metric_value(page, t.gettext("Events"))).to_have_text(t.number(events))
    expect(page.locator(".st-key-map_legend")).to_contain_text(
        load_topics(lang=lang)["label"].iloc[0])
    expect(page.locator(".st-key-charts")).to_contain_text(
        t.gettext("Each event counts in its own country. Click a bar to filter by it."))
    app_page.assert_no_exception()
    # another page keeps the language, in the words and in the URL
    nav.get_by_text(t.gettext("About"), exact=True).click()
    app_page.wait()
    expect(page.get_by_role("heading", name=t.gettext("Method"))).to_be_visible()
    assert parse_qs(urlsplit(page.url).query).get("lang") == [lang]
    app_page.assert_no_exception()


@pytest.fixture
def ukrainian_browser(browser: Browser, app_server: AppServer) -> Iterator[Page]:
    context = browser.new_context(base_url=app_server.url, locale="uk-UA")
    yield context.new_page()
    context.close()


def test_the_browsers_language_is_the_default(ukrainian_browser: Page, app_server) -> None:
    from conftest import AppPage

    page = AppPage(ukrainian_browser, app_server).open("/").page
    t = translator("uk")
    expect(page.get_by_role("heading", name=t.gettext("Border security events"))).to_be_visible()
    assert "lang" not in parse_qs(urlsplit(page.url).query)  # not imposed on shared links
    # a lang= in the link wins over the browser
    AppPage(ukrainian_browser, app_server).open("/?lang=pl")
    expect(page.get_by_role("heading", name=translator("pl").gettext(
        "Border security events"))).to_be_visible()


@pytest.mark.parametrize("lang", ["en", "be", "lt", "uk", "pl", "ru"])
def test_longer_words_fit_a_phone(phone_page: AppPage, lang: str) -> None:
    """At 390 px no button, metric or the language menu runs past the page's column or
    cuts its own words (the translations are up to half again as long as the English)."""
    page = phone_page.open(f"/?lang={lang}").page
    t = translator(lang)
    expect(page.get_by_role("heading", name=t.gettext("Border security events"))).to_be_visible()
    width = page.locator("[data-testid='stMainBlockContainer']").evaluate(  # content's edge
        "e => e.getBoundingClientRect().right - parseFloat(getComputedStyle(e).paddingRight)")
    boxes = page.locator(".st-key-downloads button, .st-key-time_control button, "
                         ".st-key-map_zoom_buttons button, [data-testid='stMetric']")
    expect(boxes.first).to_be_visible()
    count = boxes.count()
    assert count >= 10
    for i in range(count):
        element = boxes.nth(i)
        box = element.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (
            element.inner_text(), box)
        # the text fits inside its box (it wraps rather than spilling over)
        spill = element.evaluate("e => e.scrollWidth - e.clientWidth")
        assert spill <= 1, (element.inner_text(), spill)
    buttons = page.locator(".st-key-downloads button")
    rows = {round(buttons.nth(i).bounding_box()["y"]) for i in range(buttons.count())}
    assert len(rows) <= 4, rows  # they wrap into rows of several, not a column of six
    _assert_zoom_label_beside_its_buttons(page)
    # nothing (a row of controls, a chart, a table) makes the page scroll sideways
    sideways = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert sideways[0] <= sideways[1], sideways
    phone_page.assert_no_exception()


def _assert_zoom_label_beside_its_buttons(page: Page) -> None:
    """The map's "Zoom to:" label ends just before its first button, on the same line (a
    caption stretched across the row had left most of the row between them)."""
    row = page.locator(".st-key-map_zoom_buttons")
    # the words' own box (a Range over their text), not their element's, which may be stretched
    label = row.locator("[data-testid='stCaptionContainer']").evaluate(
        """e => { const text = document.createTreeWalker(e, NodeFilter.SHOW_TEXT).nextNode();
                  const range = document.createRange(); range.selectNodeContents(text);
                  const b = range.getBoundingClientRect();
                  return {x: b.x, y: b.y, width: b.width, height: b.height}; }""")
    first = row.locator("button").first.bounding_box()
    assert first is not None
    assert 0 <= first["x"] - (label["x"] + label["width"]) <= 24, (label, first)
    assert abs((label["y"] + label["height"] / 2) - (first["y"] + first["height"] / 2)) <= 4, (
        label, first)


@pytest.mark.parametrize("lang", ["en", "uk", "pl"])
def test_the_zoom_label_sits_beside_its_buttons(app_page: AppPage, lang: str) -> None:
    page = app_page.open(f"/?lang={lang}").page
    expect(page.locator(".st-key-map_zoom_buttons")).to_contain_text(
        translator(lang).gettext("Zoom to:"))
    _assert_zoom_label_beside_its_buttons(page)
    app_page.assert_no_exception()
