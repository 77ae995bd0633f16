"""The ``linked_events`` column in every export format, loading an export back, and
``--add FILE`` on validate, convert and export (two made-up canonical files, one
ACLED-like and one UCDP-like, written by the tests)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from dashboard import linking, schema
from dashboard.cli import main
from dashboard.dataset import load_dataset
from dashboard.export import export_events

HEADER = ",".join(schema.EVENT_COLUMNS)
# three ACLED-like events: two shellings near one town (one day each), a protest in Kyiv
ACLED = [
    "acled:1,2020-05-02,day,,strike,,UKR,UKR,Donetsk,Village A,48.30,38.00,near,,,"
    "Shelling of village A,,reported,,acled,",
    "acled:2,2020-05-03,day,,armed_clash,,UKR,UKR,Donetsk,Village B,48.33,38.02,near,,,"
    "Clash near village B,,reported,,acled,",
    "acled:3,2020-05-02,day,,protest,,UKR,UKR,Kyiv City,Square,50.45,30.52,exact,,,"
    "Protest in Kyiv,,reported,,acled,",
]
# one UCDP-like week of fighting beside both shellings, and one far away
UCDP = [
    "ucdp:1,2020-05-02,week,,armed_clash,,UKR,UKR,Donetsk oblast,Town,48.31,38.01,exact,,,"
    "Week of fighting near the town,3,reported,,ucdp,",
    "ucdp:2,2020-05-20,day,,armed_clash,,UKR,UKR,Luhansk oblast,Far town,48.90,39.30,"
    "exact,,,Fighting far away,1,reported,,ucdp,",
]


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    acled, ucdp = tmp_path / "acled_like.csv", tmp_path / "ucdp_like.csv"
    acled.write_text("\n".join([HEADER, *ACLED]) + "\n", encoding="utf-8")
    ucdp.write_text("\n".join([HEADER, *UCDP]) + "\n", encoding="utf-8")
    return acled, ucdp


def _both(files: tuple[Path, Path]) -> pd.DataFrame:
    from dashboard.dataset import combine

    return combine(load_dataset(files[0]), load_dataset(files[1])).events


EXPECTED = {"acled:1": "ucdp:1", "acled:2": "ucdp:1", "acled:3": None,
            "ucdp:1": "acled:1; acled:2", "ucdp:2": None}


def _linked_column(data: bytes, fmt: str) -> dict[str, str | None]:
    if fmt == "csv":
        table = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype="str")
    elif fmt == "xlsx":
        table = pd.read_excel(io.BytesIO(data), sheet_name="events", dtype="str", engine="calamine")
    elif fmt == "parquet":
        arrow = pq.read_table(io.BytesIO(data))
        table = pd.DataFrame({c: arrow.column(c).to_pylist() for c in arrow.column_names})
    else:
        table = pd.DataFrame([f["properties"] for f in json.loads(data)["features"]])
    assert list(table.columns) == schema.EXPORT_EVENT_COLUMNS
    return {i: (None if pd.isna(v) else v)
            for i, v in zip(table["event_id"], table["linked_events"], strict=True)}


@pytest.mark.parametrize("fmt", ["csv", "geojson", "xlsx", "parquet"])
def test_every_format_carries_linked_events_and_loads_back(files, tmp_path, fmt) -> None:
    events = _both(files)
    chosen = linking.with_linked_events(events, linking.find_links(events))
    data = export_events(chosen, fmt)
    assert _linked_column(data, fmt) == EXPECTED
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(data)
    again = load_dataset(path)
    assert again.reports[0].ok and not again.warnings  # the column is ignored, silently
    assert again.events["event_id"].tolist() == events["event_id"].tolist()
    # links are found again from the data loaded
    assert linking.find_links(again.events).pairs == 2


def test_an_export_of_some_rows_names_partners_outside_them(files) -> None:
    events = _both(files)
    links = linking.find_links(events)
    ucdp_only = linking.with_linked_events(events, links, np.array([3, 4]))
    assert _linked_column(export_events(ucdp_only, "csv"), "csv") == {
        "ucdp:1": "acled:1; acled:2", "ucdp:2": None}


def test_a_frame_without_links_exports_an_empty_column(files) -> None:
    assert set(_linked_column(export_events(_both(files), "csv"), "csv").values()) == {None}


def test_validate_with_add_reports_the_links(files, capsys) -> None:
    assert main(["validate", str(files[0]), "--add", str(files[1])]) == 0
    out = capsys.readouterr().out
    assert "ucdp_like.csv: events" in out
    assert "3 events linked across datasets (2 links)" in out
    assert main(["validate", str(files[0]), "--add", str(files[1]), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["links"] == {"pairs": 2, "events": 3}


def test_convert_with_add_writes_both_and_their_links(files, tmp_path) -> None:
    out = tmp_path / "both.csv"
    assert main(["convert", str(files[0]), "--add", str(files[1]), "-o", str(out)]) == 0
    assert _linked_column(out.read_bytes(), "csv") == EXPECTED


def test_export_with_add_counts_each_event_once(files, tmp_path, capsys) -> None:
    out = tmp_path / "once.csv"
    assert main(["export", "--data", str(files[0]), "--add", str(files[1]),
                 "--query", "once=1", "-o", str(out)]) == 0
    assert _linked_column(out.read_bytes(), "csv") == {
        "acled:1": "ucdp:1", "acled:2": "ucdp:1", "acled:3": None, "ucdp:2": None}
    assert "3 events linked across datasets" in capsys.readouterr().err


def test_add_repeated_and_an_id_clash_is_rejected(files, tmp_path, capsys) -> None:
    assert main(["validate", str(files[0]), "--add", str(files[1]), "--add",
                 str(files[1])]) == 1  # the second copy's ids are loaded already
    out = capsys.readouterr().out
    assert "duplicate event_id 'ucdp:1'" in out
