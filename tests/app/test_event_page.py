"""AppTest: ``/events?event=ID`` shows one event as page text with its sources and the
events around it; an unknown id is a notice above the usual list; the Events and
Articles tables link to event pages, keeping the filter."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import page, shown

from dashboard.ui.eventpage import markdown_link, source_line

FIXTURE = Path(__file__).with_name("fixtures") / "events.csv"


@pytest.fixture
def fixture_app(app, monkeypatch):
    """The app opened on the small fixture file (5 events, 3 articles)."""
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    return app


def open_events(app, **query: str):
    for key, value in query.items():
        app.query_params[key] = value
    at = app.switch_page(page("events")).run()
    assert not at.exception
    return at


def text(at) -> str:
    """The page's Markdown as a reader sees it (escapes, word joiners and bold taken out)."""
    return shown([*at.header, *at.subheader, *at.markdown, *at.caption]).replace("**", "")


def test_an_event_page_shows_the_event_its_sources_and_related_events(fixture_app):
    at = open_events(fixture_app, event="t-1", country="POL")
    page_text = text(at)
    for expected in [
        "Event t-1", "Fixture fence event",  # id and summary
        "2024-01-10 (known to the day)",
        "Fixture village A, Podlaskie, POL (53.1000, 23.6000: near the place named)",
        "Border zones (fence)", "Fixture Guard",
        "confirmed — Officially confirmed by an authority or party with direct knowledge.",
        "Fatalities: not reported", "Source dataset: fixture",
        "Sources (1)", "Fixture Outlet A, 2024-01-11",
        "Other events these sources report (1)", "Fixture closure event",
        "Within 25 km and 7 days (0)",
    ]:
        assert expected in page_text, expected
    markdown = "\n".join(m.value for m in at.markdown)
    assert "[Fixture report one](https://example.org/fixture/1)" in markdown
    # t-3 also cites fa-1; its link keeps the filter
    assert "[t\\-3](events?country=POL&event=t-3)" in markdown
    assert not at.dataframe  # the page, not the table
    assert not at.warning
    assert at.query_params["event"] == "t-1"


def test_a_source_without_an_http_address_is_text(fixture_app):
    at = open_events(fixture_app, event="t-2")
    assert "Fixture report two about drones — Fixture Outlet B, 2024-02-16" in text(at)
    assert "](" not in "\n".join(m.value for m in at.markdown if "Fixture report two" in m.value)


def test_an_undated_event_has_no_neighbours_and_says_why(fixture_app):
    at = open_events(fixture_app, event="t-5")
    assert "undated" in text(at)
    assert "this one has no coordinates or no date" in text(at)


@pytest.mark.parametrize("event_id", ["nope", "**bold** [x](javascript:alert(1)) " + "y" * 200])
def test_an_unknown_id_is_a_notice_above_the_list(fixture_app, event_id):
    at = open_events(fixture_app, event=event_id)
    notice = shown(at.warning)
    assert f"No event has the id “{event_id[:80]}" in notice
    assert event_id[80:] == "" or event_id[:81] not in notice
    assert "](" not in at.warning[0].value.replace("\\](", "")  # no live link
    assert list(at.dataframe[0].value["Event"]) == ["t-1", "t-2", "t-3", "t-4", "t-5"]


def test_the_events_table_links_each_event_page_keeping_the_filter(fixture_app):
    at = open_events(fixture_app, country="LTU")
    table = at.dataframe[0].value
    assert dict(zip(table["Event"], table["Page"], strict=True)) == {
        "t-2": "events?country=LTU&event=t-2", "t-3": "events?country=LTU&event=t-3"}


def test_the_articles_table_links_the_event_pages(fixture_app):
    for key, value in {"country": "LTU"}.items():
        fixture_app.query_params[key] = value
    at = fixture_app.switch_page(page("articles")).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert dict(zip(table["Title"], table["Event page"], strict=True)) == {
        "Fixture report three": "events?country=LTU&event=t-3",
        "Fixture report two about drones": "events?country=LTU&event=t-2",
        "Fixture report one": "events?country=LTU&event=t-3",
    }


@pytest.mark.parametrize(("title", "url", "expected"), [
    ("Plain", "https://example.org/a", "[Plain](https://example.org/a)"),
    ("A [b](c)", "https://example.org/(x) y", r"[A \[b\]\(c\)](https://example.org/%28x%29%20y)"),
    ("Ev", "events?country=POL&event=t-1", "[Ev](events?country=POL&event=t-1)"),
])
def test_markdown_links_escape_the_text_and_keep_the_address_whole(title, url, expected):
    assert markdown_link(title, url) == expected


@pytest.mark.parametrize(("url", "linked"), [
    ("https://example.org/1", True),
    ("javascript:alert(1)", False),
    ("data:text/html,x", False),
    (None, False),
])
def test_a_source_is_a_link_only_when_its_address_is_http(url, linked):
    article = pd.Series({"article_id": "a", "title": "T", "outlet": None, "url": url,
                         "published": None})
    line = source_line(article, "a")
    assert bool(re.search(r"\]\(", line)) is linked
    assert line.endswith("outlet unknown, date unknown"
                         + ("" if linked or url is None
                            else " (its address is not http(s): not linked)"))
