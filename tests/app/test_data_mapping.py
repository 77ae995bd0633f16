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


def test_an_unrecognised_file_is_mapped_and_read(app, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA", str(APP_FIXTURE))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(FIXTURES))
    at = app.run()
    at.switch_page(page("data")).run()
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
    monkeypatch.setenv("DASHBOARD_DATA", str(APP_FIXTURE))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(FIXTURES))
    app.query_params["lang"] = "uk"
    at = app.run()
    at.switch_page(page("data")).run()
    check_file(at, OSINT)
    box = at.checkbox(key="map_country_from_coordinates")
    assert box.label == "Якщо в рядку немає країни, визначати її за координатами"
    box.uncheck().run()
    at.button(key="check_mapped").click().run()
    assert not at.exception
    _, _, dataset = at.session_state["data_candidate"]
    assert dataset.events["country"].isna().all()
    assert not any("координатами" in w.value for w in at.warning)
