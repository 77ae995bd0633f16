"""AppTest: events of two datasets that are probably the same, on the launch data of
``fixtures/linked_events.csv`` (five made-up events: ACLED-like F1 and F2 beside the
UCDP-like week of fighting 9001; a protest F3 and a far event 9002 link to nothing).
The sidebar's "Count each event once" counts the group {F1, F2, 9001} as ACLED's two."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import metrics, page, shown

FIXTURE = Path(__file__).with_name("fixtures") / "linked_events.csv"


@pytest.fixture
def linked_app(app, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    return app


def test_count_each_event_once_switch(linked_app):
    at = linked_app.run()
    assert not at.exception
    assert metrics(at)["Events"] == "5"
    at.toggle(key="once").set_value(True).run()
    assert not at.exception
    assert metrics(at)["Events"] == "4"
    assert at.query_params["once"] == "1"
    assert "each event counted once across datasets" in shown(at.markdown)
    at.toggle(key="once").set_value(False).run()
    assert metrics(at)["Events"] == "5" and "once" not in at.query_params


def test_once_from_the_link_and_on_the_events_page(linked_app):
    linked_app.query_params["once"] = "1"
    linked_app.query_params["dataset"] = "ucdp"
    at = linked_app.switch_page(page("events")).run()
    assert not at.exception
    assert at.toggle(key="once").value is True
    # with ACLED filtered out, UCDP's 9001 has no selected partner: both UCDP events count
    assert "2 events" in shown(at.caption)
