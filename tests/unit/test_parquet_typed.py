"""A canonical Parquet file's numbers are validated as numbers, with the text path's results.

``read_tables(typed=True)`` keeps a Parquet file's whole-number and float64 columns as
numbers, and validation reads latitude, longitude and fatalities from them instead of
from their text. Every case here is loaded three ways: that typed path, the text path of
the same file (``typed=False``, what every load did before) and a CSV of the cells the
text path reads. All three must give the same events, rejected lines and counts.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dashboard.importers as importers
from dashboard.dataset import Dataset, load_dataset
from dashboard.importers import import_file
from dashboard.readers import is_typed, read_raw
from dashboard.schema import EVENT_COLUMNS, LIST_COLUMNS
from dashboard.taxonomy import topic_keys

TOPIC = topic_keys()[0]
ROWS = 4
TEXT = pa.string()
LIST = pa.list_(pa.string())
TYPES: dict[str, pa.DataType] = {
    **{column: TEXT for column in EVENT_COLUMNS},
    **{column: LIST for column in LIST_COLUMNS},
    "latitude": pa.float64(), "longitude": pa.float64(), "fatalities": pa.int64(),
}
BASE: dict[str, Any] = {
    "event_date": "2024-03-01", "date_precision": "day", "end_date": None, "topic": TOPIC,
    "sub_type": "a type", "country": "POL", "countries_involved": ["POL", "LTU"],
    "admin1": None, "location": "Kovel", "latitude": 51.25, "longitude": 24.7,
    "geo_precision": "exact", "geometry_wkt": None, "actors": ["Actor A", "Actor B"],
    "summary": "a summary", "fatalities": 0, "verification": "reported",
    "article_ids": ["A1"], "source_dataset": "test", "source_category": None,
}
NAN, INF = math.nan, math.inf
WARSAW = pa.timestamp("us", tz="Europe/Warsaw")

# name -> {column: (Arrow type or None for the usual one, one value per row)}
CASES: dict[str, dict[str, tuple[pa.DataType | None, list[Any]]]] = {
    "clean rows": {},
    "bad dates": {"event_date": (None, ["2024-02-30", "2024-13", "x", "2024"])},
    "coordinates out of range or alone": {
        "latitude": (None, [91.0, -90.0001, 45.0, None]),
        "longitude": (None, [10.0, 181.5, None, 20.0])},
    "NaN and infinities": {"latitude": (None, [NAN, INF, -INF, 1.0]),
                           "longitude": (None, [1.0, 1.0, 1.0, NAN])},
    "extreme floats": {"latitude": (None, [-0.0, 1e-300, 5e-324, 89.99999999999999]),
                       "longitude": (None, [1e300, -1.7976931348623157e308, 180.0, -180.0])},
    "unknown topics": {"topic": (None, ["nope", None, f" {TOPIC.upper()} ", ""])},
    "empty ids": {"event_id": (None, ["", "  ", None, "E4"])},
    "duplicate ids": {"event_id": (None, ["E1", "E1", " E2", "E2"])},
    "whole-number ids": {"event_id": (pa.int64(), [1, 2, 2, -3])},
    "list columns": {
        "actors": (None, [[], ["A;B"], [" a ", "a", ""], None]),
        "countries_involved": (None, [["pol"], ["XXX"], [], ["POL", None]]),
        "article_ids": (None, [["A1", "A1"], [" "], ["A1; A2"], None])},
    "fatalities": {"fatalities": (None, [-1, 2**53, 2**63 - 1, None])},
    "fatalities as floats": {"fatalities": (pa.float64(), [1.5, 2.0, NAN, -0.0])},
    "fatalities unsigned": {"fatalities": (pa.uint64(), [2**64 - 1, 0, 2**53 + 1, None])},
    "fatalities as text": {"fatalities": (TEXT, ["3", " 4 ", "2.0", "x"])},
    "latitude as text": {"latitude": (TEXT, [" 51,5 ", "abc", "", None])},
    "latitude as float32": {"latitude": (pa.float32(), [0.1, 91.0, 51.3, None])},
    "latitude as int32": {"latitude": (pa.int32(), [50, 91, -5, None]),
                          "longitude": (pa.int8(), [20, -100, 127, 5])},
    "latitude as decimal": {"latitude": (pa.decimal128(9, 4), [
        decimal.Decimal("51.2500"), decimal.Decimal("90.0001"), None,
        decimal.Decimal("-1.0000")])},
    "dates as date32": {"event_date": (pa.date32(), [
        dt.date(2024, 2, 29), None, dt.date(1600, 1, 1), dt.date(2024, 1, 1)]),
        "end_date": (pa.date32(), [dt.date(2024, 3, 1), dt.date(2024, 1, 1), None,
                                   dt.date(2023, 12, 31)])},
    "timezone-aware timestamps": {"event_date": (WARSAW, [
        dt.datetime(2024, 1, 1, 0, 0, tzinfo=dt.UTC), dt.datetime(2024, 1, 1, 13, 30),
        None, dt.datetime(2023, 12, 31, 23, 0, tzinfo=dt.UTC)])},
    "a date as text with a time": {"event_date": (None, [
        "2024-01-01T10:00:00Z", "2024-01-01 00:00", "2024-01", " 2024 "])},
}


def _table(columns: dict[str, tuple[pa.DataType | None, list[Any]]],
           rows: int = ROWS) -> pa.Table:
    values: dict[str, list[Any]] = {column: [BASE.get(column)] * rows for column in TYPES}
    values["event_id"] = [f"E{i}" for i in range(1, rows + 1)]
    types = dict(TYPES)
    for column, (kind, cells) in columns.items():
        values[column] = cells
        types[column] = kind or types[column]
    return pa.table({column: pa.array(values[column], type=types[column]) for column in TYPES})


def _csv_of(parquet: Path, target: Path) -> Path:
    """The cells the text path reads from ``parquet``, as a CSV (every cell quoted)."""
    raw = read_raw(parquet)
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(raw.columns)
    for row in raw.itertuples(index=False):
        writer.writerow(["" if pd.isna(cell) else cell for cell in row])
    target.write_text(out.getvalue(), encoding="utf-8")
    return target


def _text_path(monkeypatch: pytest.MonkeyPatch, path: Path) -> Dataset:
    """``load_dataset`` as it was before the typed path: every Parquet cell read as text."""
    read_tables = importers.read_tables
    with monkeypatch.context() as patch:
        patch.setattr(importers, "read_tables",
                      lambda *args, typed=False, **options: read_tables(*args, **options))
        return load_dataset(path)


def _same(typed: Dataset, other: Dataset, *, same_file: bool) -> None:
    pd.testing.assert_frame_equal(typed.events, other.events)
    for mine, theirs in zip(typed.reports, other.reports, strict=True):
        assert (mine.rows_read, mine.accepted, mine.rejected_rows) == (
            theirs.rows_read, theirs.accepted, theirs.rejected_rows)
        drop = [] if same_file else ["file"]
        pd.testing.assert_frame_equal(mine.rejected.drop(columns=drop),
                                      theirs.rejected.drop(columns=drop))
        assert list(mine.accepted_rows) == list(theirs.accepted_rows)


def _check(table: pa.Table, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Dataset:
    parquet = folder / "events.parquet"
    pq.write_table(table, parquet)
    kind = table.schema.field("latitude").type
    assert is_typed(import_file(parquet).events["latitude"]) is (
        pa.types.is_integer(kind) or pa.types.is_float64(kind))  # the typed path is taken
    typed = load_dataset(parquet)
    _same(typed, _text_path(monkeypatch, parquet), same_file=True)
    _same(typed, load_dataset(_csv_of(parquet, folder / "events.csv")), same_file=False)
    report = typed.reports[0]
    assert report.accepted + report.rejected_rows == report.rows_read == table.num_rows
    return typed


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_typed_parquet_file_loads_as_its_text_and_its_csv_do(case, tmp_path, monkeypatch):
    _check(_table(CASES[case]), tmp_path, monkeypatch)


def test_the_cases_reject_what_the_rules_reject(tmp_path, monkeypatch):
    """The table above is not all accepted rows: each tricky case rejects what it should."""
    rejected = {case: _check(_table(columns), tmp_path, monkeypatch).reports[0].rejected_rows
                for case, columns in CASES.items()}
    assert rejected["clean rows"] == 0
    assert rejected["coordinates out of range or alone"] == 4
    assert rejected["NaN and infinities"] == 4  # NaN and inf are not numbers
    assert rejected["fatalities"] == 3  # -1, and 2**53 and 2**63 - 1 past 2**53 - 1
    assert rejected["fatalities as floats"] == 2  # 1.5 and NaN
    assert rejected["latitude as float32"] == 2  # 91, and a longitude without latitude
    assert rejected["duplicate ids"] == 2  # the second E1; E2 after " E2", trimmed


@pytest.mark.parametrize(("kind", "typed"), [
    (pa.float64(), True), (pa.int64(), True), (pa.int16(), True), (pa.uint64(), True),
    (pa.float32(), False), (pa.decimal128(9, 4), False), (TEXT, False), (pa.bool_(), False),
])
def test_a_canonical_parquet_files_numbers_reach_validation_as_numbers(kind, typed, tmp_path):
    values = {pa.bool_(): [True, None], TEXT: ["51", None]}.get(
        kind, [decimal.Decimal(51), None] if pa.types.is_decimal(kind) else [51, None])
    path = tmp_path / "events.parquet"
    pq.write_table(_table({"latitude": (kind, values)}, rows=2), path)
    events = import_file(path).events
    assert is_typed(events["latitude"]) is typed
    assert not is_typed(events["event_id"])  # only the number columns stay numbers


def test_an_importer_other_than_the_canonical_one_gets_text(tmp_path):
    """An ACLED export in Parquet: its numbers reach the importer as text, as before."""
    path = tmp_path / "acled.parquet"
    columns = {"event_id_cnty": ["POL1"], "event_date": ["2024-01-05"], "year": [2024],
               "event_type": ["Protests"], "sub_event_type": ["Peaceful protest"],
               "actor1": ["Protesters"], "country": ["Poland"], "iso": [616],
               "latitude": [52.2], "longitude": [21.0], "geo_precision": [1],
               "source": ["Outlet"], "notes": ["a note"], "fatalities": [0]}
    pq.write_table(pa.table(columns), path)
    imported = import_file(path)
    assert imported.format == "acled"
    assert imported.events["latitude"].tolist() == ["52.2"]


NUMBERS = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-200, 200).map(float))
COUNTS = st.one_of(st.none(), st.integers(-2, 5), st.integers(-2**63, 2**63 - 1))
IDS = st.one_of(st.none(), st.sampled_from(["E1", "E2", " E1", "", "E3"]))
DATES = st.one_of(st.none(), st.sampled_from(["2024-01-01", "2024-02-30", "2024", "x"]))
TOPICS = st.one_of(st.none(), st.sampled_from([TOPIC, "nope", TOPIC.upper()]))
ITEMS = st.one_of(st.none(), st.lists(st.one_of(st.none(), st.sampled_from(
    ["POL", "ltu", "XXX", "", " a ", "a;b"])), max_size=3))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(IDS, DATES, TOPICS, NUMBERS, NUMBERS, COUNTS, ITEMS),
                     min_size=1, max_size=12))
def test_generated_rows_load_the_same_typed_as_text(rows, tmp_path_factory, monkeypatch):
    ids, dates, topics, lats, lons, deaths, lists = map(list, zip(*rows, strict=True))
    table = _table({"event_id": (None, ids), "event_date": (None, dates),
                    "topic": (None, topics), "latitude": (None, lats),
                    "longitude": (None, lons), "fatalities": (None, deaths),
                    "countries_involved": (None, lists)}, rows=len(rows))
    _check(table, tmp_path_factory.mktemp("rows"), monkeypatch)
