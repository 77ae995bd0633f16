"""AppTest: what a visitor can reach on the Data page, and what a link can put on a page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import check_file, metrics, page, shown

FIXTURE = Path(__file__).with_name("fixtures") / "events.csv"


def _data_page(app, monkeypatch, **environ: str):
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    at = app.run()
    at.switch_page(page("data")).run()
    assert not at.exception
    return at


def _keys(elements) -> set[str]:
    return {element.key for element in elements}


@pytest.mark.parametrize(("environ", "path_field", "uploads"), [
    ({}, False, True),  # no folder offered: no path field at all
    ({"DASHBOARD_DATA_DIR": str(FIXTURE.parent)}, True, True),
    ({"DASHBOARD_DATA_DIR": str(FIXTURE.parent), "DASHBOARD_PUBLIC": "1"}, False, True),
    ({"DASHBOARD_PUBLIC": "1", "DASHBOARD_NO_UPLOADS": "1"}, False, False),
])
def test_the_data_page_offers_what_the_operator_allows(app, monkeypatch, environ, path_field,
                                                       uploads):
    at = _data_page(app, monkeypatch, **environ)
    assert ("data_path" in _keys(at.text_input)) is path_field
    assert ("labels_path" in _keys(at.text_input)) is path_field
    assert ("upload" in _keys(at.get("file_uploader"))) is uploads
    if not path_field and not uploads:
        assert any("no way to bring other data" in i.value for i in at.info)


def test_a_path_outside_the_offered_folders_shows_nothing_of_the_file(app, monkeypatch,
                                                                      tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("hidden_column,other\nHIDDEN-CONTENT,1\n")
    at = _data_page(app, monkeypatch, DASHBOARD_DATA_DIR=str(FIXTURE.parent))
    for typed in [str(secret), f"../../{secret.relative_to('/')}", "/etc/passwd"]:
        at.text_input(key="data_path").input(typed).run()
        assert not at.exception
        assert at.button(key="check_file").disabled
        shown = " ".join(e.value for e in at.error)
        assert "offers" in shown
        assert "HIDDEN" not in shown and "hidden" not in shown and "bash" not in shown
        assert "data_candidate" not in at.session_state
        assert not at.dataframe or "mapping_preview" not in _keys(at.dataframe)


def test_an_offered_file_is_checked(app, monkeypatch):
    at = _data_page(app, monkeypatch, DASHBOARD_DATA_DIR=str(FIXTURE.parent))
    check_file(at, "events.csv")
    assert not at.exception
    _, name, dataset = at.session_state["data_candidate"]
    assert (name, len(dataset.events)) == ("events.csv", 5)


@pytest.mark.parametrize(("query", "readable", "markup"), [
    ({"[Session expired](https://evil.example/login)": "1"},
     "'[Session expired](https://evil.example/login)'", r"(?<!\\)\]\(|https?://|(?<!\\)\["),
    ({"actor": "[" * 5000 + "]" * 5000}, "nested too deeply", r"(\\\[){100}"),
    ({"topic": "<img src=x onerror=alert(1)>"}, "'<img src=x onerror=alert(1)>'", r"(?<!\\)<img"),
    ({"q": "x", "to": "see www.evil.example or mail a@evil.example"}, "www.evil.example",
     r"www\\\.|@evil"),
])
def test_a_link_cannot_put_markup_into_a_notice(app, monkeypatch, query, readable, markup):
    """The notice reads as the link's text, and its Markdown source holds no live markup
    (escaped brackets and tags, addresses broken by a word joiner)."""
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    for key, value in query.items():
        app.query_params[key] = value
    at = app.run()
    assert not at.exception
    assert readable in shown(at.warning)
    assert not re.search(markup, " ".join(w.value for w in at.warning))
    assert metrics(at)["Events"] == "5"


def test_the_launch_data_is_pinned_in_the_store(app, monkeypatch, tmp_path):
    """Files visitors check on the Data page go into the same store; the launch file's
    entry is pinned so that they can never push it out."""
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    assert not app.run().exception
    from dashboard import store

    store.flush()  # the entry and its pin are written after the page
    assert [p.parent.name for p in (tmp_path / "store").glob("*/pinned")] != []
