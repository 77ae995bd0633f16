"""AppTest: every page runs, every filter changes what is shown, the URL holds the filter."""

from __future__ import annotations

import datetime as dt
import importlib
from pathlib import Path

import pytest
from conftest import BUNDLED_EVENTS, check_bundled, check_file, map_areas, metrics, page, shown
from streamlit.testing.v1 import AppTest

from dashboard.ui import data as data_module

FIXTURE = Path(__file__).with_name("fixtures") / "events.csv"
PAGES = ["overview", "articles", "events", "data", "about"]


@pytest.fixture
def fixture_app(app, monkeypatch):
    """The app opened on the small fixture file (5 events, 3 articles, 2 outlets)."""
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    return app


def events_ids(at) -> list[str]:
    return list(at.dataframe[0].value["Event"])


def test_opens_on_bundled_data_with_every_page(app):
    at = app.run()
    assert not at.exception
    assert int(metrics(at)["Events"].replace(",", "")) > 0
    for name in PAGES:
        at.switch_page(page(name)).run()
        assert not at.exception, name
        assert at.title[0].value


def test_every_filter_changes_the_numbers(fixture_app):
    at = fixture_app.run()
    assert metrics(at)["Events"] == "5"
    cases = [
        ("country", ["BLR"], "3"),  # own country t-4, involved t-1 and t-3
        ("topic", ["strike"], "2"),
        ("actor", ["Fixture Guard"], "2"),
        ("verification", ["confirmed", "alleged"], "2"),
        ("outlet", ["Fixture Outlet B"], "2"),
    ]
    for key, value, expected in cases:
        at.multiselect(key=key).set_value(value).run()
        assert not at.exception
        assert metrics(at)["Events"] == expected, key
        at.button(key="reset_filters").click().run()
        assert metrics(at)["Events"] == "5"
    at.text_input(key="q").input("DRONES").run()  # title of fa-2 (t-2, t-5) and t-2's summary
    assert metrics(at)["Events"] == "2"
    at.button(key="reset_filters").click().run()
    at.checkbox(key="undated").uncheck().run()
    assert metrics(at)["Events"] == "4"
    at.button(key="reset_filters").click().run()

    at.date_input(key="date_range").set_value((dt.date(2024, 3, 1), dt.date(2024, 6, 10))).run()
    assert metrics(at)["Events"] == "3"  # t-3, t-4 (June), t-5 undated
    assert at.query_params["from"] == "2024-03-01"


def test_filter_goes_to_the_url_and_survives_page_switches(fixture_app):
    at = fixture_app.run()
    at.multiselect(key="country").set_value(["LTU"]).run()
    assert at.query_params["country"] == "LTU"
    for name in ["articles", "events", "about", "overview"]:
        at.switch_page(page(name)).run()
        assert not at.exception
        assert at.query_params["country"] == "LTU"
        assert at.multiselect(key="country").value == ["LTU"]
    assert metrics(at)["Events"] == "2"


def test_query_params_restore_the_view(fixture_app):
    fixture_app.query_params["country"] = "LTU,POL"
    fixture_app.query_params["topic"] = "border_zone"
    fixture_app.query_params["from"] = "2024-01-01"
    at = fixture_app.run()
    assert not at.exception
    assert at.multiselect(key="country").value == ["LTU", "POL"]
    assert at.multiselect(key="topic").value == ["border_zone"]
    assert metrics(at)["Events"] == "2"
    assert "Lithuania or Poland" in at.markdown[0].value
    assert not at.warning


def test_bad_query_values_give_notices_not_exceptions(fixture_app):
    fixture_app.query_params["country"] = "Poland,XYZ"
    fixture_app.query_params["from"] = "yesterday"
    fixture_app.query_params["colour"] = "red"
    at = fixture_app.run()
    assert not at.exception
    notices = shown(at.warning)
    assert "colour" in notices and "XYZ" in notices and "YYYY-MM-DD" in notices
    assert metrics(at)["Events"] == "5"


def test_events_and_articles_pages_follow_the_filter(fixture_app):
    at = fixture_app.run()
    at.switch_page(page("events")).run()
    assert events_ids(at) == ["t-1", "t-2", "t-3", "t-4", "t-5"]
    sources = at.dataframe[0].value.set_index("Event")["Sources"]
    assert "Fixture report one (Fixture Outlet A" in sources["t-1"]
    at.multiselect(key="topic").set_value(["border_zone"]).run()
    assert events_ids(at) == ["t-1", "t-3"]
    at.switch_page(page("articles")).run()
    listed = at.dataframe[0].value
    assert list(listed["Title"]) == ["Fixture report three", "Fixture report one"]  # newest first
    assert list(listed["Link"].fillna("none")) == ["none", "https://example.org/fixture/1"]
    assert "t-1; t-3" in list(listed["Events"])


def test_no_match_shows_a_message(fixture_app):
    fixture_app.query_params["q"] = "nothing like this"
    at = fixture_app.run()
    assert not at.exception
    assert metrics(at)["Events"] == "0"
    assert any("No events match" in i.value for i in at.info)


def test_downloads_are_named_by_the_filter(fixture_app):
    fixture_app.query_params["country"] = "POL"
    at = fixture_app.run()
    assert at.get("download_button")
    for name in ["events", "articles"]:
        at.switch_page(page(name)).run()
        assert not at.exception
        assert len(at.get("download_button")) == 6  # four formats, the bundle, articles


def test_data_page_checks_a_file_before_using_it(fixture_app, monkeypatch):
    at = check_bundled(fixture_app, monkeypatch)
    assert not at.exception
    assert at.button(key="replace_data")
    at.button(key="add_data").click().run()
    assert not at.exception
    at.switch_page(page("overview")).run()
    assert int(metrics(at)["Events"]) > 5


def test_data_page_bad_file_keeps_the_data(fixture_app, tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(tmp_path))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\x00\x01\x02 not a table \xff\xfe")
    at = fixture_app.run()
    at.switch_page(page("data")).run()
    check_file(at, bad)
    assert not at.exception
    assert at.error
    at.switch_page(page("overview")).run()
    assert metrics(at)["Events"] == "5"


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _check_viina(app, labels: Path):
    """The Data page checking the VIINA fixture with ``labels`` given as a path."""
    at = app.run()
    at.switch_page(page("data")).run()
    check_file(at, FIXTURES / "viina_event_info.csv", labels_path=str(labels))
    assert not at.exception
    return at


def test_data_page_joins_a_viina_labels_file(fixture_app, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(FIXTURES))
    at = _check_viina(fixture_app, FIXTURES / "viina_event_labels.csv")
    _, _, dataset = at.session_state["data_candidate"]
    assert sorted(dataset.events["topic"].astype("str")) == ["armed_clash", "strike"]
    assert any("gave labels for 2 of 3" in w.value for w in at.warning)
    assert any("ODbL" in w.value for w in at.warning)
    at.button(key="replace_data").click().run()
    assert not at.exception
    at.switch_page(page("overview")).run()
    assert metrics(at)["Events"] == "2"


def test_data_page_labels_path_that_does_not_exist_is_an_error(fixture_app, tmp_path,
                                                              monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA_DIR", f"{FIXTURES}:{tmp_path}")
    at = _check_viina(fixture_app, tmp_path / "missing.csv")
    assert any("no labels file" in e.value and "no file at" in e.value for e in at.error)
    assert "data_candidate" not in at.session_state


def test_map_shades_countries_and_the_units_of_a_boundaries_file(fixture_app, monkeypatch):
    """The second map mode counts events per country; with --boundaries, a third mode
    counts them per unit of the user's file by where their coordinates fall."""
    monkeypatch.setenv("DASHBOARD_BOUNDARIES",
                       str(Path(__file__).with_name("fixtures") / "areas.geojson"))
    at = fixture_app.run()
    modes = at.radio(key="map_mode")
    assert len(modes.options) == 4
    modes.set_value(modes.options[2]).run()
    assert not at.exception
    countries = map_areas(at)
    assert countries["Lithuania"] == 2 and countries["Belarus"] == 1
    assert countries["Poland"] == 1 and countries["Latvia"] == 0
    at.radio(key="map_mode").set_value(modes.options[3]).run()
    assert not at.exception
    # t-1 (53.1 N) in the south; t-2, t-3, t-4 in the north; t-5 has no coordinates
    assert map_areas(at) == {"Fixture North": 3, "Fixture South": 1}
    at.multiselect(key="topic").set_value(["border_zone"]).run()
    assert map_areas(at) == {"Fixture North": 1, "Fixture South": 1}


def test_a_page_run_after_the_warm_up_finds_the_launch_data_ready(app, monkeypatch):
    """``dashboard.launch`` loads and indexes the launch file while the server starts; the
    first visitor's run must take that work from the caches, not do it again."""
    from dashboard import places
    from dashboard.coverage import CoverageIndex
    from dashboard.eventindex import EventIndex
    from dashboard.serving import ServerOptions
    from dashboard.ui import data

    calls = {"load": 0, "index": 0, "coverage": 0, "choices": 0, "places": 0}
    load, build, cells = data.load_dataset, EventIndex.build, CoverageIndex.build
    choices, gazetteer = data.build_options, places.gazetteer

    def counted_places(*args):  # made beside the load: the page's, not the data's
        calls["places"] += 1
        return gazetteer(*args)

    def counted_choices(*args):  # made beside the index
        calls["choices"] += 1
        return choices(*args)

    def counted_load(*args, **kwargs):
        calls["load"] += 1
        return load(*args, **kwargs)

    def counted_build(events):
        calls["index"] += 1
        return build(events)

    def counted_cells(*args):
        calls["coverage"] += 1
        return cells(*args)

    monkeypatch.setattr(data, "load_dataset", counted_load)
    monkeypatch.setattr(EventIndex, "build", staticmethod(counted_build))
    monkeypatch.setattr(CoverageIndex, "build", staticmethod(counted_cells))
    monkeypatch.setattr(data, "build_options", counted_choices)
    monkeypatch.setattr(places, "gazetteer", counted_places)
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", "")  # validate for real, no stored copy
    summary = data.warm(ServerOptions(data=str(FIXTURE)))
    assert summary == "events.csv, 5 events and 3 articles (0 rows rejected)"
    made = {"load": 1, "index": 1, "coverage": 1, "choices": 1, "places": 1}
    assert calls == made
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    at = app.run()
    assert not at.exception
    assert metrics(at)["Events"] == "5"
    assert calls == made


@pytest.mark.parametrize("name", data_module.PAGE_MODULES)
def test_each_module_the_warm_up_imports_for_the_page_is_there(name):
    """A module renamed away would stop the warm-up (the page then does its work)."""
    assert importlib.import_module(name)


def test_a_second_server_takes_links_and_choices_from_the_store(app, monkeypatch, tmp_path):
    """The first server to open a file keeps its article links and filter choices beside
    the stored dataset; a later server (empty caches) reads them instead of deriving them
    again, and the page shows the same choices and counts."""
    import streamlit as st

    from dashboard import aggregate
    from dashboard import dataset as dataset_module
    from dashboard.coverage import CoverageIndex
    from dashboard.filters import ArticleLinks
    from dashboard.ui import data

    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "store"))
    calls = {"links": 0, "actors": 0, "coverage": 0}
    build, cite, actors = ArticleLinks.build, dataset_module.cited_articles, \
        aggregate.list_options
    cells = CoverageIndex.build

    def counted_cells(*args):
        calls["coverage"] += 1
        return cells(*args)

    def counted_build(events, articles):
        calls["links"] += 1
        return build(events, articles)

    def counted_cite(events, articles):  # the load's links (a first open), with its check
        calls["links"] += 1
        return cite(events, articles)

    def counted_actors(*args, **kwargs):
        calls["actors"] += 1
        return actors(*args, **kwargs)

    monkeypatch.setattr(ArticleLinks, "build", staticmethod(counted_build))
    monkeypatch.setattr(dataset_module, "cited_articles", counted_cite)
    monkeypatch.setattr(aggregate, "list_options", counted_actors)
    monkeypatch.setattr(CoverageIndex, "build", staticmethod(counted_cells))
    first = data.launch_data(str(FIXTURE))
    first_links, first_options = data.links(first), data.options(first)
    first_cells = data.coverage_index(first)
    assert calls == {"links": 1, "actors": 1, "coverage": 1}
    st.cache_resource.clear()  # a new server process: nothing in memory
    again = data.launch_data(str(FIXTURE))
    assert data.options(again) == first_options
    stored_links = data.links(again)
    assert stored_links.event_rows.tolist() == first_links.event_rows.tolist()
    assert stored_links.article_rows.tolist() == first_links.article_rows.tolist()
    stored_cells = data.coverage_index(again)
    assert stored_cells.event_cell.tolist() == first_cells.event_cell.tolist()
    assert stored_cells.link_pair.tolist() == first_cells.link_pair.tolist()
    assert calls == {"links": 1, "actors": 1, "coverage": 1}
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    at = app.run()
    assert not at.exception
    shown = metrics(at)
    assert (shown["Events"], shown["Articles"]) == ("5", "3")
    assert at.multiselect(key="outlet").options == first_options.outlets
    assert calls == {"links": 1, "actors": 1, "coverage": 1}


def test_damaged_stored_links_choices_and_coverage_are_derived_again(app, monkeypatch,
                                                                    tmp_path):
    import numpy as np
    import streamlit as st

    from dashboard import store
    from dashboard.ui import data

    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "store"))
    first = data.launch_data(str(FIXTURE))
    expected_links, expected_options = data.links(first), data.options(first)
    expected_cells = data.coverage_index(first).event_cell.tolist()
    store.flush()  # the entry and its extras are written after the page
    folder = store.cache_root() / first.store_key
    (folder / "options.json").write_text('{"countries": 1}', encoding="utf-8")
    np.savez(folder / "links.npz", event_rows=np.array([99]), article_rows=np.array([0]))
    np.savez(folder / "coverage.npz", event_cell=np.array([7, 7, 7, 7, 7]))
    st.cache_resource.clear()
    again = data.launch_data(str(FIXTURE))
    assert data.options(again) == expected_options
    assert data.links(again).event_rows.tolist() == expected_links.event_rows.tolist()
    assert data.coverage_index(again).event_cell.tolist() == expected_cells
    stored = store.load_extra(first.store_key, "coverage")  # stored again
    assert stored is not None and stored["event_cell"].tolist() == expected_cells
    # intact on disk but not this dataset's (its cells past the last): built again
    store.save_extra(first.store_key, "coverage",
                     {**stored, "event_cell": np.full(5, 10**6, dtype=np.int64)})
    st.cache_resource.clear()
    again = data.launch_data(str(FIXTURE))
    assert data.coverage_index(again).event_cell.tolist() == expected_cells
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    at = app.run()
    assert not at.exception


def test_a_warm_up_that_cannot_load_leaves_the_message_to_the_page(app, monkeypatch, tmp_path):
    from dashboard.serving import ServerOptions
    from dashboard.ui import data

    broken = tmp_path / "broken.csv"
    broken.write_text("no,event,columns\n1,2,3\n", encoding="utf-8")
    made, load_topics = [], data.load_topics

    def counted_topics(*args, **kwargs):
        made.append(1)
        return load_topics(*args, **kwargs)

    monkeypatch.setattr(data, "load_topics", counted_topics)
    data._topics.clear()
    assert data.warm(ServerOptions(data=str(broken))) is None
    assert made == [1]  # the topics are made beside the load, whatever becomes of it
    monkeypatch.setenv("DASHBOARD_DATA", str(broken))
    at = app.run()
    assert not at.exception
    assert "broken.csv: format not recognised" in shown(at.error)


def test_headline_changes_need_a_start_date(fixture_app):
    at = fixture_app.run()
    # No date range: the period before the first event holds none, so no "before: 0".
    assert [m.delta for m in at.metric] == [""] * 4
    at.date_input(key="date_range").set_value((dt.date(2024, 3, 1), dt.date(2024, 6, 10))).run()
    # The period before starts before the data does (2024-01-10): no baseline to read from.
    assert [m.delta for m in at.metric] == [""] * 4
    at.date_input(key="date_range").set_value((dt.date(2024, 4, 1), dt.date(2024, 6, 10))).run()
    deltas = {m.label: m.delta for m in at.metric}
    # t-4 and undated t-5 against t-2, t-3: small numbers read as little change
    assert deltas["Events"] == "little change (few: average 2)"
    assert deltas["Date span (days)"] == ""
    assert "previous period of the same length, 2024-01-21 to 2024-03-31" in " ".join(
        c.value for c in at.caption)


def test_data_page_reads_a_file_checked_before_from_the_store(fixture_app, monkeypatch,
                                                              tmp_path):
    """A file on the server's disk, checked once, is read back by any later check (a new
    server, empty caches) instead of being validated again; a mapped check is not."""
    import streamlit as st

    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "store"))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(BUNDLED_EVENTS.parent))

    def check(at):
        at.switch_page(page("data")).run()
        check_file(at, BUNDLED_EVENTS)
        assert not at.exception
        return [m.value for m in at.metric]

    first = check(fixture_app.run())
    assert first[:3] == ["24", "24", "0"]  # rows read, accepted, rejected of the events
    st.cache_resource.clear()  # a new server process

    def refuse(*args, **kwargs):
        raise AssertionError("validated again")

    monkeypatch.setattr("dashboard.dataset.load_dataset", refuse)  # the page imports it
    entry = Path(__file__).resolve().parents[2] / "dashboard" / "app.py"
    assert check(AppTest.from_file(str(entry), default_timeout=60).run()) == first


def test_page_keys_stay_in_the_url_beside_the_filter(fixture_app):
    """``event``, ``at`` and ``window`` belong to the pages, not to the filter: no notice,
    and the sidebar's rewriting of the URL keeps them."""
    for key, value in {"country": "POL", "event": "t-1", "at": "2024-03-01",
                       "window": "week"}.items():
        fixture_app.query_params[key] = value
    at = fixture_app.run()
    assert not at.exception
    assert not at.warning
    at.multiselect(key="topic").set_value(["strike"]).run()
    url = {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}
    assert {k: url.get(k) for k in ("event", "at", "window", "topic")} == {
        "event": ["t-1"], "at": ["2024-03-01"], "window": ["week"], "topic": ["strike"]}
