"""AppTest: the About page lists each dataset in use with its title, licence, citation and
link, the files read, and the provenance of the bundled data."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pandas as pd
from conftest import page, shown

from dashboard.citation import UNKNOWN_LICENCE

FIXTURES = Path(__file__).with_name("fixtures")
DATA = Path(__file__).resolve().parents[2] / "data"


def about(at):
    at.switch_page(page("about")).run()
    assert not at.exception
    return at


def sources(at) -> list[dict]:
    frame = next(d for d in at.dataframe if "Licence" in d.value.columns).value
    return frame.to_dict("records")


def test_the_bundled_data_is_listed_with_its_licence_and_provenance(app):
    at = about(app.run())
    rows = sources(at)
    assert [(r["Source dataset"], r["Events"]) for r in rows] == [("bundled", 24)]
    assert rows[0]["Licence"].startswith("MIT")
    assert "24 events and 23 source records" in rows[0]["Citation"]
    files = next(d for d in at.dataframe if "SHA-256" in d.value.columns).value
    assert dict(zip(files["File"], files["SHA-256"], strict=True)) == {
        name: hashlib.sha256((DATA / name).read_bytes()).hexdigest()
        for name in ("events.csv", "articles.csv")}
    text = shown(at.markdown)
    assert "Provenance of the bundled data" in shown(at.subheader)
    assert "Each event names the row of the reporting brief it comes from" in text
    assert "UCDP Georeferenced Event Dataset is not bundled" in text


def test_each_dataset_in_use_gets_its_registry_row(app, monkeypatch, tmp_path):
    """A file whose events come from ACLED, UCDP and an unknown source: each named by its
    registry row (title, licence, citation, link); the unknown one says so."""
    with (FIXTURES / "events.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row, name in zip(rows, ["ACLED", "ACLED", "UCDP GED", "ucdp_ged", "fixture"],
                         strict=True):
        row["source_dataset"] = name
    target = tmp_path / "mixed.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    shutil.copy(FIXTURES / "events_articles.csv", tmp_path / "mixed_articles.csv")
    monkeypatch.setenv("DASHBOARD_DATA", str(target))
    at = about(app.run())
    listed = {r["Source dataset"]: r for r in sources(at)}
    assert {name: r["Events"] for name, r in listed.items()} == {
        "ACLED": 2, "UCDP GED": 1, "fixture": 1, "ucdp_ged": 1}
    assert listed["ACLED"]["Title"] == "Armed Conflict Location & Event Data (ACLED)"
    assert listed["ACLED"]["Link"] == "https://acleddata.com/terms-of-use/"
    assert listed["UCDP GED"]["Citation"].startswith("Sundberg, Ralph and Erik Melander (2013)")
    assert listed["ucdp_ged"]["Link"] == "https://ucdp.uu.se/downloads/"
    assert listed["fixture"]["Licence"] == UNKNOWN_LICENCE
    assert pd.isna(listed["fixture"]["Link"])  # no address is invented
