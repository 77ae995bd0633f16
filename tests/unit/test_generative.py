"""Generated files in every importer's layout: nothing escapes but a LoadError, counts add up.

Each property draws a file (``tests/unit/strategies.py``) and loads it through
``load_dataset``, the entry point the page and the command line use. A file may be
refused with one LoadError naming it; a file in a layout whose detection columns were
kept must load. A loaded file's every report satisfies
``accepted + merged + rejected_rows == rows_read``, the events follow the in-memory
conventions of docs/ARCHITECTURE.md, and the accepted events survive a CSV and a Parquet
export loaded back as our own format. The example counts keep the whole file near a
minute on two cores (CI derandomizes them: see tests/conftest.py).
"""

from __future__ import annotations

import re
import time

import numpy as np
import pandas as pd
import pytest
import strategies as gen  # tests/unit/strategies.py (pytest puts tests/unit on the path)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.dataset import Dataset, load_dataset
from dashboard.export import export_events
from dashboard.readers import LoadError
from dashboard.schema import (
    ARTICLE_COLUMNS,
    DATE_PRECISIONS,
    DERIVED_COLUMNS,
    EVENT_COLUMNS,
    GEO_PRECISIONS,
    LIST_COLUMNS,
    VERIFICATION_LEVELS,
)
from dashboard.taxonomy import topic_keys
from dashboard.validate import REJECT_COLUMNS, iso3_codes

SLOW = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]
TEXT = ["event_id", "event_date", "date_precision", "end_date", "topic", "sub_type", "country",
        "countries_involved", "admin1", "location", "geo_precision", "geometry_wkt", "actors",
        "summary", "verification", "article_ids", "source_dataset", "source_category"]
LIST_ITEMS = re.compile(r"[^;\s](?:[^;]*[^;\s])?(?:; [^;\s](?:[^;]*[^;\s])?)*")


def _is_text(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.CategoricalDtype) or values.dtype == "str"


def check_events(events: pd.DataFrame) -> None:
    """The in-memory conventions every module relies on (docs/ARCHITECTURE.md)."""
    assert list(events.columns) == EVENT_COLUMNS + DERIVED_COLUMNS
    for column in TEXT:
        values = events[column]
        assert _is_text(values), (column, values.dtype)
        present = values.dropna().astype("str")
        assert not present.str.strip().eq("").any(), f"{column} holds a blank, not NA"
    for column in ("latitude", "longitude"):
        assert events[column].dtype == "float64"
    assert events["latitude"].dropna().between(-90, 90).all()
    assert events["longitude"].dropna().between(-180, 180).all()
    assert (events["latitude"].isna() == events["longitude"].isna()).all()
    assert events["fatalities"].dtype == "Int64"
    assert (events["fatalities"].dropna() >= 0).all()
    for column in DERIVED_COLUMNS:
        assert events[column].dtype == "datetime64[ns]"
    dated = events["date_min"].notna()
    assert (dated == events["event_date"].notna()).all()
    assert (events.loc[dated, "date_min"] <= events.loc[dated, "date_max"]).all()
    for column in LIST_COLUMNS:
        for value in events[column].dropna():
            assert LIST_ITEMS.fullmatch(value), (column, value)
    ids = events["event_id"]
    assert ids.notna().all() and not ids.duplicated().any()
    assert events["topic"].astype("str").isin(topic_keys()).all()
    assert events["verification"].astype("str").isin(VERIFICATION_LEVELS).all()
    assert events["date_precision"].dropna().astype("str").isin(DATE_PRECISIONS).all()
    assert events["geo_precision"].dropna().astype("str").isin(GEO_PRECISIONS).all()
    assert events["country"].dropna().astype("str").isin(iso3_codes()).all()


def check_dataset(dataset: Dataset, case: gen.FileCase, rows: int | None = None) -> None:
    """Every report's counts add up and agree with the frames; the frames are canonical.

    ``rows`` is the number of rows the events file must have been read as (default: the
    data rows written)."""
    rows = case.rows if rows is None else rows
    events_reports = [r for r in dataset.reports if r.table == "events"]
    article_reports = [r for r in dataset.reports if r.table == "articles"]
    assert dataset.reports[0].table == "events" and len(events_reports) == 1
    for report in dataset.reports:
        assert report.accepted + report.merged + report.rejected_rows == report.rows_read, \
            report.summary()
        assert list(report.rejected.columns) == REJECT_COLUMNS
        assert report.rejected["reason"].notna().all()
        numbers = report.rejected["row"]
        assert numbers.notna().all() and (numbers >= 1).all()
    report = events_reports[0]
    assert report.file == case.name
    assert report.rows_read == rows, report.summary()
    assert len(dataset.events) == report.accepted
    accepted_rows = np.asarray(report.accepted_rows)
    assert len(accepted_rows) == report.accepted
    rejected_rows = set(report.rejected.loc[report.rejected["file"] == case.name, "row"])
    assert not rejected_rows & set(accepted_rows.tolist())
    assert rejected_rows | set(accepted_rows.tolist()) <= set(range(1, rows + 1))
    assert len(dataset.articles) == sum(r.accepted for r in article_reports)
    check_events(dataset.events)
    assert list(dataset.articles.columns) == ARTICLE_COLUMNS
    assert dataset.articles["article_id"].notna().all()
    assert not dataset.articles["article_id"].duplicated().any()


def load_case(case: gen.FileCase) -> Dataset | None:
    """The loaded dataset, or None when the file was refused with a LoadError naming it."""
    try:
        dataset = load_dataset(case.data, case.name, **case.load_options())
    except LoadError as err:
        if err.__cause__ is not None and "could not be read: " in str(err):
            raise AssertionError(f"the last guard caught {err.__cause__!r}") from err.__cause__
        named = [case.name, *case.companions]
        assert any(name in str(err) for name in named), str(err)
        assert not case.recognisable, f"a {case.layout} file was refused: {err}"
        return None
    check_dataset(dataset, case)
    return dataset


def check_round_trip(events: pd.DataFrame) -> None:
    """Exported as CSV and Parquet, the events load back as canonical with the same ids."""
    for fmt in ("csv", "parquet"):
        name = f"round_trip.{fmt}"
        exported = export_events(events, fmt)
        again = load_dataset(exported, name)
        report = again.reports[0]
        assert report.format == "canonical" or events.empty
        assert (report.rows_read, report.accepted) == (len(events), len(events)), \
            report.rejected.to_dict("records")
        assert again.events["event_id"].tolist() == events["event_id"].tolist()


@pytest.mark.parametrize(("layout", "examples"), [
    ("canonical", 50), ("acled", 40), ("ucdp", 40), ("viina", 30), ("gdelt", 25),
    ("mapped", 35),
])
def test_a_generated_file_loads_or_is_refused_and_its_counts_add_up(layout, examples):
    @settings(max_examples=examples, deadline=None, suppress_health_check=SLOW)
    @given(case=gen.LAYOUTS[layout]())
    def load_one(case: gen.FileCase) -> None:
        load_case(case)

    load_one()


@pytest.mark.parametrize(("layout", "examples"), [
    ("canonical", 10), ("acled", 6), ("ucdp", 6), ("viina", 5), ("gdelt", 4), ("mapped", 5),
])
def test_accepted_events_survive_a_csv_and_parquet_round_trip(layout, examples):
    @settings(max_examples=examples, deadline=None, suppress_health_check=SLOW)
    @given(case=gen.LAYOUTS[layout]())
    def round_trip(case: gen.FileCase) -> None:
        dataset = load_case(case)
        if dataset is not None:
            check_round_trip(dataset.events)

    round_trip()


FORMATS = ["canonical", "acled", "ucdp", "viina", "gdelt", "mapped"]


@settings(max_examples=30, deadline=None, suppress_health_check=SLOW)
@given(case=st.one_of([layout() for layout in gen.LAYOUTS.values()]),
       fmt=st.sampled_from(FORMATS))
def test_a_file_read_as_a_format_the_user_chose_loads_or_is_refused(case, fmt):
    """The Data page and --format skip detection: any format on any layout."""
    options = {k: v for k, v in case.load_options().items() if k != "mapping"}
    try:
        dataset = load_dataset(case.data, case.name, fmt=fmt, **options)
    except LoadError as err:
        assert "could not be read: " not in str(err), repr(err.__cause__)
        assert any(name in str(err) for name in [case.name, *case.companions]), str(err)
        return
    if fmt == "gdelt" and case.layout != "gdelt":
        # read headerless, a text table's header and each line of a cell's line break are
        # rows too (a JSON record is one row): none of another table's rows is an event
        report = dataset.reports[0]
        check_dataset(dataset, case, report.rows_read)
        assert report.accepted == 0 and report.rows_read >= case.rows, report.summary()
        return
    check_dataset(dataset, case)


# -- regressions the properties found (one example each) ---------------------------------------

@pytest.mark.parametrize(("data", "read", "rejected"), [
    (b"[]", 0, 0),  # no records: nothing read, nothing to refuse
    (b'[{"a": 1}]', 1, 1),  # one record of another table: refused, not a GDELT event
    (b'[{"event_id": "x", "topic": "strike"}, {"event_id": "y", "topic": "camp"}]', 2, 2),
])
def test_a_json_file_read_as_gdelt_has_no_header_row(data, read, rejected):
    dataset = load_dataset(data, "viina.json", fmt="gdelt")
    report = dataset.reports[0]
    assert (report.rows_read, report.accepted, report.rejected_rows) == (read, 0, rejected)


ACLED_HEADER = "event_id_cnty,event_date,event_type,sub_event_type,actor1,country,fatalities"


def _acled(*rows: str) -> bytes:
    return "\n".join([ACLED_HEADER, *rows, ""]).encode()


@pytest.mark.parametrize(("rows", "rejected"), [
    # fatalities past what a float holds exactly: Int64 refused them (OverflowError, TypeError)
    (["UKR1,2024-08-05,Battles,Armed clash,A,Ukraine,1e309",
      "UKR2,2024-08-05,Battles,Armed clash,A,Ukraine,99999999999999999999999",
      "UKR3,2024-08-05,Battles,Armed clash,A,Ukraine,3.0"],
     {(1, "fatalities"), (2, "fatalities")}),
    # a day before pandas' nanosecond range beside ordinary ones (OutOfBoundsDatetime)
    (["UKR1,1677-09-21,Battles,Armed clash,A,Ukraine,0",
      "UKR2,5 August 2024,Battles,Armed clash,A,Ukraine,0"],
     {(1, "event_date")}),
])
def test_acled_cells_past_numeric_and_date_limits_reject_their_row(rows, rejected):
    dataset = load_dataset(_acled(*rows), "limits.csv")
    report = dataset.reports[0]
    assert set(zip(report.rejected["row"], report.rejected["column"], strict=True)) == rejected
    assert report.accepted == len(rows) - len(rejected)


@pytest.mark.parametrize("country", [
    "²",  # a digit int() cannot read: ValueError from the ISO-numeric branch
    "Ukraine " * 12_500,  # 100 KB: country_converter's regexes took over two minutes
])
def test_a_country_cell_no_country_has_loads_without_a_code(country):
    started = time.perf_counter()
    dataset = load_dataset(_acled(f'UKR1,2024-08-05,Battles,Armed clash,A,"{country}",0'),
                           "countries.csv")
    assert time.perf_counter() - started < 10
    assert dataset.reports[0].accepted == 1 and dataset.events["country"].isna().all()


GED_HEADER = "id,type_of_violence,best,side_a,side_b,date_start,source_headline,source_office," \
             "source_date"


@pytest.mark.parametrize(("sources", "articles"), [
    # headlines and offices line up, the date cell is empty: one split was 1 item long
    ('"A;B","X;Y",', [("ucdp:1#1", "A", "X", None), ("ucdp:1#2", "B", "Y", None)]),
    # blank items are not counted, so they must not be split into articles either
    ('"A;;B","X;Y;","01/01/2020;02/01/2020"',
     [("ucdp:1#1", "A", "X", "2020-01-01"), ("ucdp:1#2", "B", "Y", "2020-01-02")]),
    ('";",,', []),
])
def test_ged_source_lists_with_gaps_give_one_article_per_item(sources, articles):
    data = f"{GED_HEADER}\n1,1,3,a,b,2020-01-01,{sources}\n".encode()
    dataset = load_dataset(data, "ged.csv")
    found = dataset.articles[["article_id", "title", "outlet", "published"]]
    assert [tuple(None if pd.isna(v) else v for v in row) for row in found.values] == articles
    assert dataset.reports[0].accepted == 1


def test_a_ged_file_with_a_malformed_row_keeps_the_other_rows():
    # the reader's row numbers travel in raw.attrs; combining GED's source columns compared
    # those arrays and raised ValueError (truth value of an array is ambiguous)
    rows = [f"{n},1,3,a{chr(0) if n == 2 else ''},b,2020-01-01,A,X," for n in range(1, 5)]
    dataset = load_dataset("\n".join([GED_HEADER, *rows, ""]).encode(), "ged.csv")
    report = dataset.reports[0]
    assert (report.accepted, report.rejected_rows) == (3, 1)
    assert report.rejected["row"].tolist() == [2]


@pytest.mark.parametrize("code", ["Infinity", "-inf", "1e309", "nan"])
def test_a_ged_country_id_that_is_no_integer_leaves_the_country_to_its_name(code):
    # int(float("Infinity")) raised OverflowError out of the Gleditsch-Ward lookup
    data = ("id,type_of_violence,best,side_a,side_b,date_start,country_id,country\n"
            f"1,1,3,a,b,2020-01-01,{code},Ukraine\n").encode()
    assert load_dataset(data, "ged.csv").events["country"].tolist() == ["UKR"]
