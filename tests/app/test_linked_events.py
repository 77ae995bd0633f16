"""AppTest: events of two datasets that are probably the same, on the launch data of
``fixtures/linked_events.csv`` (five made-up events: ACLED-like F1 and F2 beside the
UCDP-like week of fighting 9001; a protest F3 and a far event 9002 link to nothing).
The sidebar's "Count each event once" counts the group {F1, F2, 9001} as ACLED's two."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from conftest import check_file, metrics, page, shown
from streamlit.testing.v1 import AppTest

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


def test_the_event_page_says_where_else_the_event_is(linked_app):
    linked_app.query_params["event"] = "ucdp:9001"
    at = linked_app.switch_page(page("events")).run()
    assert not at.exception
    assert ("Also in: Armed Conflict Location & Event Data (ACLED) (ids "
            "[acled:F1](events?event=acled%3AF1), [acled:F2](events?event=acled%3AF2))"
            ) in shown(at.markdown).replace("**", "")
    linked_app.query_params["event"] = "acled:F2"
    at = linked_app.run()
    assert ("Also in: UCDP Georeferenced Event Dataset (GED) (id "
            "[ucdp:9001](events?event=ucdp%3A9001))") in shown(at.markdown).replace("**", "")
    linked_app.query_params["event"] = "acled:F3"  # the protest: linked to nothing
    at = linked_app.run()
    assert "Also in" not in shown(at.markdown)


def test_the_events_table_has_an_also_in_column(linked_app):
    at = linked_app.switch_page(page("events")).run()
    assert not at.exception
    table = at.dataframe[0].value
    also = dict(zip(table["Event"], table["Also in"], strict=True))
    assert also["ucdp:9001"] == ("Armed Conflict Location & Event Data (ACLED) "
                                 "(ids acled:F1, acled:F2)")
    assert also["acled:F1"] == "UCDP Georeferenced Event Dataset (GED) (id ucdp:9001)"
    assert pd.isna(also["acled:F3"])
    pages = dict(zip(table["Event"], table["Linked event"], strict=True))
    assert pages["acled:F2"] == "events?event=ucdp%3A9001"


def test_adding_a_file_on_the_data_page_links_its_events(app, monkeypatch, tmp_path):
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    for name in ("acled", "ucdp"):
        rows = [line for line in lines[1:] if line.startswith(f"{name}:")]
        (tmp_path / f"{name}.csv").write_text("\n".join([lines[0], *rows]) + "\n",
                                              encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_DATA", str(tmp_path / "acled.csv"))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    at = app.run()
    at.switch_page(page("data")).run()
    assert "linked across datasets" not in shown(at.caption)  # one dataset: nothing to link
    check_file(at, "ucdp.csv")
    at.button(key="add_data").click().run()
    assert not at.exception
    assert "3 events linked across datasets (2 links)" in shown(at.caption)
    at.switch_page(page("overview")).run()
    assert metrics(at)["Events"] == "5"
    at.toggle(key="once").set_value(True).run()
    assert metrics(at)["Events"] == "4"


def test_a_second_server_reads_the_links_from_the_store(linked_app, monkeypatch):
    linked_app.query_params["once"] = "1"
    assert metrics(linked_app.run())["Events"] == "4"
    st.cache_resource.clear()  # a new server: only the store on disk is left

    def refuse(events):
        raise AssertionError("the links were found again instead of read from the store")

    monkeypatch.setattr("dashboard.ui.data.find_links", refuse)
    again = AppTest.from_file(linked_app._script_path, default_timeout=60)
    again.query_params["once"] = "1"
    again.run()
    assert not again.exception
    assert metrics(again)["Events"] == "4"
