"""The event page in a real browser: a shared ``/events?event=ID`` link shows the event
and its sources as page text, and the Events table's link opens it."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from dashboard.dataset import load_bundled
from dashboard.filters import Filters
from dashboard.schema import split_list

if TYPE_CHECKING:  # the fixture's type; conftest is not imported at run time
    from conftest import AppPage

HEADER_PX = ROW_PX = 35  # Streamlit's data grid: header and row heights

pytestmark = pytest.mark.e2e


def _event_with_a_source() -> tuple[str, str, str]:
    """A bundled event citing a listed article: its id, summary and the article's title."""
    dataset = load_bundled()
    titles = dict(zip(dataset.articles["article_id"], dataset.articles["title"], strict=True))
    for event in dataset.events.dropna(subset=["summary", "article_ids"]).itertuples():
        cited = [titles[i] for i in split_list(event.article_ids) if i in titles]
        if cited:
            return str(event.event_id), str(event.summary), str(cited[0])
    pytest.fail("no bundled event cites a listed article")


def test_an_event_link_shows_the_event_and_its_sources_as_text(app_page: AppPage) -> None:
    event_id, summary, title = _event_with_a_source()
    app_page.open(f"/events?event={event_id}")
    detail = app_page.page.locator(".st-key-event_detail")
    expect(detail).to_contain_text(f"Event {event_id}")
    expect(detail).to_contain_text(summary)
    expect(detail).to_contain_text(title)
    expect(detail.locator("canvas")).to_have_count(0)  # text, not a grid
    app_page.assert_no_exception()


def test_an_unknown_event_is_a_notice(app_page: AppPage) -> None:
    app_page.open("/events?event=no-such-event")
    expect(app_page.page.locator("[data-testid='stAlert']")).to_contain_text(
        "No event has the id “no-such-event”")
    expect(app_page.page.locator(".st-key-events [data-testid='stDataFrame']")).to_have_count(1)
    app_page.assert_no_exception()


def test_the_events_tables_link_opens_the_event_page_keeping_the_filter(
        app_page: AppPage) -> None:
    """The grid is a canvas: select the first row's Event cell, step right to its Page
    link, open the cell (Enter shows the link as an anchor) and follow it."""
    events = load_bundled().events
    listed = Filters(countries=("POL",)).apply(events)
    first = listed.sort_values("date_min", kind="stable", na_position="last").iloc[0]
    page = app_page.open("/events?country=POL").page
    grid = page.locator(".st-key-events [data-testid='stDataFrame']")
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 15, box["y"] + HEADER_PX + ROW_PX / 2)
    link = page.locator("a.gdg-link-area")
    # the canvas takes each key only once it has drawn the selection: retry the steps
    for _ in range(5):
        page.wait_for_timeout(400)
        page.keyboard.press("Escape")
        page.mouse.click(box["x"] + 15, box["y"] + HEADER_PX + ROW_PX / 2)
        page.wait_for_timeout(400)
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(400)
        page.keyboard.press("Enter")
        if link.count():
            break
    expect(link).to_have_attribute("href", f"events?country=POL&event={first['event_id']}")
    with page.context.expect_page() as opened:  # link cells open a new tab
        link.click()
    event_page = opened.value
    type(app_page)(event_page, app_page.server).wait()
    assert parse_qs(urlsplit(event_page.url).query) == {
        "country": ["POL"], "event": [first["event_id"]]}
    detail = event_page.locator(".st-key-event_detail")
    expect(detail).to_contain_text(f"Event {first['event_id']}")
    expect(detail).to_contain_text(str(first["summary"]))
    expect(event_page.locator("[data-testid='stException']")).to_have_count(0)
