"""AppTest of the Data page's column mapping: a file in no importer's layout gets the mapping
step, preset with the guess ``python -m dashboard mapping`` writes, and is read with it."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import check_file, page

from dashboard.importers.mapping import mapping_json, suggest_mapping
from dashboard.readers import read_raw

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OSINT = FIXTURES / "mapped_osint.geojson"
APP_FIXTURE = Path(__file__).with_name("fixtures") / "events.csv"


def _data_page(app, monkeypatch, folder: Path, lang: str | None = None):
    """The Data page, on the app's fixture data, offering the files in ``folder``."""
    monkeypatch.setenv("DASHBOARD_DATA", str(APP_FIXTURE))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    if lang:
        app.query_params["lang"] = lang
    at = app.run()
    return at.switch_page(page("data")).run()


def test_an_unrecognised_file_is_mapped_and_read(app, monkeypatch):
    at = _data_page(app, monkeypatch, FIXTURES)
    check_file(at, OSINT)
    assert not at.exception
    assert any("format not recognised" in e.value for e in at.error)
    assert "Map the columns" in [h.value for h in at.subheader]
    guess = suggest_mapping(read_raw(str(OSINT), OSINT.name))
    for field in ("event_id", "date", "latitude", "longitude", "summary", "url"):
        assert at.selectbox(key=f"map_{field}").value == getattr(guess, field)
    assert at.selectbox(key="map_country").value is None
    assert at.checkbox(key="map_country_from_coordinates").value is True  # no country column
    saved = json.loads(mapping_json(at.session_state["data_mapping"]))
    assert saved == json.loads(mapping_json(guess))
    at.button(key="check_mapped").click().run()
    assert not at.exception
    _, name, dataset = at.session_state["data_candidate"]
    assert name == OSINT.name
    assert sorted(dataset.events["event_id"]) == ["fixture-1", "fixture-2"]
    assert [r.rejected_rows for r in dataset.reports if r.table == "events"] == [1]
    countries = dataset.events.set_index("event_id")["country"]
    assert countries.fillna("-").to_dict() == {"fixture-1": "-", "fixture-2": "LTU"}
    assert any("1 of 2 given the country their coordinates lie in" in w.value
               for w in at.warning)


def test_country_from_coordinates_can_be_turned_off(app, monkeypatch):
    at = _data_page(app, monkeypatch, FIXTURES, lang="uk")
    check_file(at, OSINT)
    box = at.checkbox(key="map_country_from_coordinates")
    assert box.label == "Якщо в рядку немає країни, визначати її за координатами"
    box.uncheck().run()
    at.button(key="check_mapped").click().run()
    assert not at.exception
    _, _, dataset = at.session_state["data_candidate"]
    assert dataset.events["country"].isna().all()
    assert not any("координатами" in w.value for w in at.warning)


def _topic_widget(at, column: str, value: str):
    import hashlib

    digest = hashlib.sha256(f"{column}\x00{value}".encode()).hexdigest()[:12]
    return at.selectbox(key=f"map_topic_{digest}")


def test_each_category_of_the_file_is_given_a_topic(app, monkeypatch, tmp_path):
    """A file's own categories are mapped to topics one by one, preset where a value
    already names a topic (in any language), and read with what the user chose."""
    own = tmp_path / "own.csv"
    own.write_text("Nr,Data,Kategoria,Opis\n1,2024-08-05,Uderzenia,Fixture a\n"
                   "2,2024-08-06,Patrol,Fixture b\n3,2024-08-07,Patrol,Fixture c\n",
                   encoding="utf-8")
    at = _data_page(app, monkeypatch, tmp_path)
    check_file(at, own)
    at.selectbox(key="map_event_id").select("Nr").run()
    assert at.selectbox(key="map_topic").value == "Kategoria"
    assert _topic_widget(at, "Kategoria", "Uderzenia").value == "strike"  # Polish label
    assert _topic_widget(at, "Kategoria", "Patrol").value == "other"
    assert _topic_widget(at, "Kategoria", "Patrol").label.endswith("· 2")  # its rows
    _topic_widget(at, "Kategoria", "Patrol").select("border_zone").run()
    at.button(key="check_mapped").click().run()
    assert not at.exception
    _, _, dataset = at.session_state["data_candidate"]
    topics = dataset.events.set_index("event_id")["topic"].to_dict()
    assert topics == {"1": "strike", "2": "border_zone", "3": "border_zone"}
    assert json.loads(mapping_json(at.session_state["data_mapping"]))["topic_values"] == {
        "Uderzenia": "strike", "Patrol": "border_zone"}


def test_only_the_most_frequent_categories_are_listed(app, monkeypatch, tmp_path):
    rows = [f"{n},2024-08-05,kind-{n % 45}" for n in range(90)] + ["90,2024-08-05,kind-7"]
    own = tmp_path / "many.csv"
    own.write_text("Nr,Data,Kategoria\n" + "\n".join(rows) + "\n", encoding="utf-8")
    at = _data_page(app, monkeypatch, tmp_path)
    check_file(at, own)
    listed = [box for box in at.selectbox if box.key and box.key.startswith("map_topic_")]
    assert len(listed) == 40
    assert listed[0].label == r"kind\-7 · 3"  # the most frequent first (Markdown made inert)
    assert any("Values after the first 40, the least frequent, take the topic “Other”"
               in caption.value for caption in at.caption)
