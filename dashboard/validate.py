"""Canonical raw rows → accepted events/articles plus rejected rows with readable reasons.

The rules are one pandera ``DataFrameSchema`` per table, validated lazily so that every
failing cell of every row is reported at once. Values are first normalised and parsed
column by column (vectorised: 2M rows take seconds); parse results that a plain column
check cannot see (a real calendar date, a number, WKT, a cross-column rule) become
boolean flag columns that the schema checks like any other column. Each check's name
maps to a reason template, so the schema and the messages a person reads stay in step.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa_arrow
import pyarrow.compute as pc
import pycountry
import shapely

from dashboard.readers import column_text, is_typed, typed_arrow
from dashboard.schema import (
    ARTICLE_COLUMNS,
    DATE_PRECISIONS,
    DERIVED_COLUMNS,
    EVENT_COLUMNS,
    GEO_PRECISIONS,
    LIST_SEPARATOR,
    ONGOING,
    VERIFICATION_LEVELS,
    arrow_text,
    join_list,
)

if TYPE_CHECKING:  # pandera is imported where a schema is built: opening stored data
    import pandera.pandas as pa  # never validates, and the import took 0.2 s of it

REJECT_COLUMNS = ["file", "table", "row", "column", "value", "reason"]
DATE_HINT = "expected YYYY-MM-DD, YYYY-MM or YYYY"
EXTRA_ISO3 = {"XKX"}  # Kosovo: user-assigned code used by the EU, ACLED and UCDP
WEEK_HALF_WIDTH = pd.Timedelta(days=3)  # "week" precision: the date ± 3 days
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
_DATE_SHAPE = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_TIME_SUFFIX = r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$"
_URL_RE = r"https?://[^\s/?#]+.*"
_MAX_VALUE = 200
MAX_FATALITIES = 2**53 - 1  # the largest count a float64 parse keeps exactly

# Number columns validated as the numbers a Parquet file holds (``readers.is_typed``),
# without their text: the same values, rules and reasons as their text would give.
TYPED_COLUMNS = ("latitude", "longitude", "fatalities")
TEXT_COLUMNS = ["sub_type", "admin1", "location", "summary", "source_category", "source_dataset"]
ARTICLE_TEXT = ["title", "outlet", "language", "summary"]


@lru_cache(maxsize=1)
def iso3_codes() -> frozenset[str]:
    """Every ISO 3166-1 alpha-3 code, plus XKX for Kosovo."""
    return frozenset({c.alpha_3 for c in pycountry.countries} | EXTRA_ISO3)


def empty_rejected() -> pd.DataFrame:
    """A rejected-rows frame with no rows and the standard columns."""
    frame = pd.DataFrame({c: pd.Series(dtype="str") for c in REJECT_COLUMNS})
    frame["row"] = frame["row"].astype("Int64")
    return frame


def rejected_row_count(rejected: pd.DataFrame) -> int:
    """Distinct rejected rows: a row rejected for two reasons counts once."""
    if rejected.empty:
        return 0
    return int(rejected[["file", "table", "row"]].drop_duplicates().shape[0])


def make_rejected(
    file: str, table: str, rows: Iterable[int], column: str, values: Iterable[object],
    reasons: Iterable[str],
) -> pd.DataFrame:
    """Build rejected lines (one per problem) for rows found outside the schema."""
    rows = list(rows)
    frame = pd.DataFrame(
        {
            "file": pd.Series([file] * len(rows), dtype="str"),
            "table": pd.Series([table] * len(rows), dtype="str"),
            "row": pd.array(rows, dtype="Int64"),
            "column": pd.Series([column] * len(rows), dtype="str"),
            "value": pd.Series([None if v is None else str(v) for v in values], dtype="str"),
            "reason": pd.Series(list(reasons), dtype="str"),
        }
    )
    return frame[REJECT_COLUMNS]


# -- vectorised parsing helpers ----------------------------------------------------------------


def as_text(values: pd.Series) -> pd.Series:
    """A column as ``str`` dtype with blank (empty or whitespace-only) cells as NA
    (a column without blanks is returned as it is, not copied).

    Blanks are found in Arrow without stripping: a stripped copy of a million summaries
    cost a quarter of a second per column."""
    text = values if values.dtype == "str" else values.astype("str")
    arrow = arrow_text(text)
    blank = pc.or_(pc.utf8_is_space(arrow), pc.equal(pc.binary_length(arrow), 0))
    if not pc.any(blank).as_py():
        return text
    return text.where(~_mask(blank, text.index))


def _mask(flags: pa_arrow.ChunkedArray | pa_arrow.Array, index: pd.Index) -> pd.Series:
    """An Arrow boolean result as a plain boolean Series (missing → False)."""
    return pd.Series(flags.fill_null(False).to_numpy(zero_copy_only=False), index=index)


def regex_mask(values: pd.Series, pattern: str, ignore_case: bool = False) -> pd.Series:
    """Whole-value regex match in Arrow (RE2, vectorised); missing values give False."""
    matched = pc.match_substring_regex(arrow_text(values), f"^(?:{pattern})$",
                                       ignore_case=ignore_case)
    return _mask(matched, values.index)


def clean_token(values: pd.Series, case: str | None = None) -> pd.Series:
    """Stripped, optionally lower/upper-cased, blank → NA: for ids, codes and enums."""
    text = (values if values.dtype == "str" else values.astype("str")).str.strip()
    if case == "lower":
        text = text.str.lower()
    elif case == "upper":
        text = text.str.upper()
    empty = pc.equal(pc.binary_length(arrow_text(text)), 0)  # blank before stripping
    return text.where(~_mask(empty, text.index)) if pc.any(empty).as_py() else text


def parse_partial_dates(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """``YYYY-MM-DD`` / ``YYYY-MM`` / ``YYYY`` → (first day, shape, bad flag).

    A trailing midnight-or-any time (as Excel and Parquet exports write) is dropped.
    ``shape`` is ``day``, ``month`` or ``year`` (NA when missing or bad); ``bad`` is True
    for a present value that is not a real calendar date in that form.

    Each distinct value is parsed once and the results spread by code: a million events
    hold a few thousand dates, and the text work per row took a quarter of a second.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    start_of, shape_of = _parsed_dates(pd.Series(uniques, dtype="str"))
    # code -1 (a missing value) takes the appended NaT and the shape of none
    day_values = np.append(start_of.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    start = pd.Series(day_values[codes], index=values.index, dtype="datetime64[ns]")
    names = pa_arrow.array(["day", "month", "year", None], type=pa_arrow.large_string())
    shape = pd.Series(names.take(np.append(shape_of, 3)[codes]), index=values.index,
                      dtype="str")
    bad = values.notna() & start.isna()
    return start, shape, bad


def _parsed_dates(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The first day of each of ``values`` (distinct, none missing) and its shape (0 day,
    1 month, 2 year): NaT and 3 where it is no real calendar date in one of the forms."""
    text = normalised_dates(values)
    well_formed = regex_mask(text, _DATE_SHAPE)
    text = text.where(well_formed)
    length = text.str.len()
    padded = text
    for size, suffix in ((4, "-01-01"), (7, "-01")):
        short = length == size
        if short.any():
            padded = padded.mask(short, text[short] + suffix)
    parsed = pd.to_datetime(padded, format="%Y-%m-%d", errors="coerce")
    years = parsed.dt.year
    start = parsed.where((years >= 1678) & (years <= 2261)).astype("datetime64[ns]")
    sizes = length.to_numpy(dtype="float64", na_value=0)
    shape = np.select([sizes == 10, sizes == 7, sizes == 4], [0, 1, 2], 3)
    shape[start.isna().to_numpy()] = 3
    return start, shape


def normalised_dates(values: pd.Series) -> pd.Series:
    """The date text without a time suffix (the form kept in the events frame); a column
    with no value longer than a date is returned as it is."""
    if not pc.any(pc.greater(pc.utf8_length(arrow_text(values)), 10)).as_py():
        return values
    return values.str.replace(_TIME_SUFFIX, r"\1", regex=True)


def period_bounds(start: pd.Series, precision: pd.Series) -> tuple[pd.Series, pd.Series]:
    """First and last possible day of each date at its precision (NaT when undated).

    Each coarser precision is worked out on its own rows only: most events are dated to
    the day, and computing every bound for every row cost a third of a second at 1M."""
    days = start.to_numpy(dtype="datetime64[ns]")
    lo, hi = days.copy(), days.copy()
    week = WEEK_HALF_WIDTH.to_timedelta64()
    one_day = np.timedelta64(1, "D")
    coarser: tuple[tuple[str, Literal["M", "Y"] | None], ...] = (
        ("week", None), ("month", "M"), ("year", "Y"))
    for level, unit in coarser:
        rows = (precision == level).to_numpy(dtype=bool, na_value=False)
        if not rows.any():
            continue
        given = days[rows]
        if unit is None:
            lo[rows], hi[rows] = given - week, given + week
            continue
        first = given.astype(f"datetime64[{unit}]")
        last = (first + np.timedelta64(1, unit)).astype("datetime64[D]") - one_day
        lo[rows], hi[rows] = first.astype("datetime64[ns]"), last.astype("datetime64[ns]")
    return (
        pd.Series(lo, index=start.index, dtype="datetime64[ns]"),
        pd.Series(hi, index=start.index, dtype="datetime64[ns]"),
    )


_CANONICAL_LIST = r"[^;\s](?:[^;]*[^;\s])?(?:; [^;\s](?:[^;]*[^;\s])?)*"


def normalise_list(values: pd.Series) -> pd.Series:
    """List fields in the stored ``A; B`` form; only irregular cells go through Python."""
    text = as_text(values)
    irregular = text.notna() & ~regex_mask(text, _CANONICAL_LIST)
    if irregular.any():
        fixed = text[irregular].map(join_list).astype("str")
        text = text.mask(irregular, fixed)
        text = text.where(text != "")
    return text


def _country_lists(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Country lists in the stored form (codes upper-cased, each once; an empty list is
    missing), and whether a list names an unknown code: worked out once per distinct
    list and spread by code (one factorisation of the million cells for both)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    lists = [join_list(value.upper()) or None for value in uniques]
    # code -1 (a missing cell) takes the appended last entry: missing, not unknown
    stored = pd.array([*lists, None], dtype="str").take(codes)
    unknown = np.array([value is not None and _bad_countries(value) for value in lists]
                       + [False], dtype=bool)[codes]
    return pd.Series(stored, index=values.index), pd.Series(unknown, index=values.index)


def _bad_countries(item_list: str) -> bool:
    codes = iso3_codes()
    return any(part.strip().upper() not in codes for part in item_list.split(";") if part.strip())


def _wkt_problems(values: pd.Series) -> pd.Series:
    """NA where the WKT parses to a geometry within lon/lat bounds, else a short reason."""
    problems = pd.Series(None, index=values.index, dtype="str")
    present = values.dropna()
    if present.empty:
        return problems
    geometries = shapely.from_wkt(present.to_numpy(dtype=object), on_invalid="ignore")
    unparsed = pd.isna(geometries)
    bounds = shapely.bounds(np.where(unparsed, None, geometries))
    with np.errstate(invalid="ignore"):
        outside = ~unparsed & (
            (bounds[:, 0] < -180) | (bounds[:, 2] > 180) | (bounds[:, 1] < -90)
            | (bounds[:, 3] > 90)
        )
    messages: dict[str, str] = {}
    for text in present[unparsed].unique()[:1000]:
        try:
            shapely.from_wkt(text)
            messages[text] = "not valid WKT"
        except Exception as err:  # GEOS reports parse errors as several exception types
            messages[text] = str(err).split("\n")[0][:120]
    problems.loc[present.index[unparsed]] = [
        messages.get(t, "not valid WKT") for t in present[unparsed]
    ]
    problems.loc[present.index[outside]] = (
        "coordinates outside -180..180 / -90..90 (WKT is longitude latitude)"
    )
    return problems


# -- the rule table ----------------------------------------------------------------------------


def _quoted(values: pd.Series) -> pd.Series:
    return "'" + values.fillna("").str.slice(0, 80) + "'"


def _list_text(items: Iterable[str]) -> str:
    items = list(items)
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


def _pandera() -> Any:
    """``pandera.pandas``, imported without ``pyspark.pandas``.

    pandera imports ``pyspark.pandas`` whenever PySpark is installed (the ``spark`` extra),
    which costs seconds at the first validation and patches pandas' classes; the dashboard
    uses only ``pyspark.sql``, so the module is marked absent before pandera looks for it
    (pandera treats that as PySpark's pandas API not being installed)."""
    if "pyspark.pandas" not in sys.modules:
        sys.modules["pyspark.pandas"] = None  # type: ignore[assignment]
    import pandera.pandas

    return pandera.pandas


@dataclass(frozen=True)
class Rule:
    """One pandera check: which column it reports, and its reason from the row's values."""

    column: str
    reason: Callable[[pd.DataFrame], pd.Series]


def _flag(name: str) -> pa.Column:
    pa = _pandera()

    return pa.Column(bool, checks=pa.Check(lambda s: ~s, name=name), required=True)


def _event_rules(topics: tuple[str, ...]) -> dict[str, Rule]:
    precisions = _list_text(DATE_PRECISIONS)
    return {
        "event_id_missing": Rule("event_id", lambda f: pd.Series(
            "missing required field event_id", index=f.index)),
        "event_id_duplicate": Rule("event_id", lambda f: "duplicate event_id "
                                   + _quoted(f["event_id"]) + " (first seen at row "
                                   + f["_first_row"].astype("str") + ")"),
        "event_date_bad": Rule("event_date", lambda f: "bad date " + _quoted(f["event_date"])
                               + f" ({DATE_HINT})"),
        "end_date_bad": Rule("end_date", lambda f: "bad end_date " + _quoted(f["end_date"])
                             + f" ({DATE_HINT})"),
        "date_precision_unknown": Rule("date_precision", lambda f: "unknown date_precision "
                                       + _quoted(f["date_precision"])
                                       + f" (expected {precisions})"),
        "date_precision_finer": Rule("date_precision", lambda f: "date_precision "
                                     + _quoted(f["date_precision"]) + " is finer than event_date "
                                     + _quoted(f["event_date"]) + " (a "
                                     + f["_shape"].fillna("") + ")"),
        "date_precision_undated": Rule("date_precision", lambda f: "date_precision "
                                       + _quoted(f["date_precision"])
                                       + " given without an event_date"),
        "end_date_undated": Rule("end_date", lambda f: "end_date " + _quoted(f["end_date"])
                                 + " given without an event_date"),
        "end_date_before": Rule("end_date", lambda f: "end_date " + _quoted(f["end_date"])
                                + " is before event_date " + _quoted(f["event_date"])),
        "topic_missing": Rule("topic", lambda f: pd.Series(
            "missing required field topic", index=f.index)),
        "topic_unknown": Rule("topic", lambda f: "unknown topic " + _quoted(f["topic"])
                              + " (see data/topics.csv)"),
        "country_unknown": Rule("country", lambda f: "unknown country code "
                                + _quoted(f["country"])
                                + " (expected ISO 3166-1 alpha-3, e.g. POL)"),
        "countries_involved_unknown": Rule("countries_involved", lambda f:
                                           "unknown country code in countries_involved "
                                           + _quoted(f["countries_involved"])
                                           + " (expected ISO3 codes separated by ';')"),
        "latitude_not_number": Rule("latitude", lambda f: "latitude " + _quoted(f["latitude"])
                                    + " is not a number"),
        "latitude_range": Rule("latitude", lambda f: "latitude " + f["latitude"].fillna("")
                               + " out of range -90..90"),
        "longitude_not_number": Rule("longitude", lambda f: "longitude "
                                     + _quoted(f["longitude"]) + " is not a number"),
        "longitude_range": Rule("longitude", lambda f: "longitude " + f["longitude"].fillna("")
                                + " out of range -180..180"),
        "latitude_alone": Rule("longitude", lambda f: pd.Series(
            "latitude given without longitude", index=f.index)),
        "longitude_alone": Rule("latitude", lambda f: pd.Series(
            "longitude given without latitude", index=f.index)),
        "geo_precision_unknown": Rule("geo_precision", lambda f: "unknown geo_precision "
                                      + _quoted(f["geo_precision"])
                                      + f" (expected {_list_text(GEO_PRECISIONS)})"),
        "geometry_bad": Rule("geometry_wkt", lambda f: "bad geometry_wkt: "
                             + f["_wkt_problem"].fillna("")),
        "fatalities_bad": Rule("fatalities", lambda f: "fatalities " + _quoted(f["fatalities"])
                               + " is not a whole number of 0 or more"),
        "fatalities_too_large": Rule("fatalities", lambda f: "fatalities "
                                     + _quoted(f["fatalities"])
                                     + f" is larger than {MAX_FATALITIES:,}"),
        "verification_missing": Rule("verification", lambda f: pd.Series(
            "missing required field verification", index=f.index)),
        "verification_unknown": Rule("verification", lambda f: "unknown verification "
                                     + _quoted(f["verification"])
                                     + f" (expected {_list_text(VERIFICATION_LEVELS)})"),
    }


@lru_cache(maxsize=16)
def event_schema(topics: tuple[str, ...]) -> pa.DataFrameSchema:
    """The pandera schema for prepared event rows (see ``_prepare_events``)."""
    pa = _pandera()

    codes = sorted(iso3_codes())
    return pa.DataFrameSchema(
        {
            "event_id": pa.Column("str", nullable=False, checks=[]),
            "date_precision": pa.Column("str", nullable=True, checks=pa.Check.isin(
                DATE_PRECISIONS, name="date_precision_unknown", error="date_precision_unknown")),
            "topic": pa.Column("str", nullable=False, checks=pa.Check.isin(
                list(topics), name="topic_unknown", error="topic_unknown")),
            "country": pa.Column("str", nullable=True, checks=pa.Check.isin(
                codes, name="country_unknown", error="country_unknown")),
            "_lat": pa.Column(float, nullable=True, checks=pa.Check.in_range(
                -90, 90, name="latitude_range", error="latitude_range")),
            "_lon": pa.Column(float, nullable=True, checks=pa.Check.in_range(
                -180, 180, name="longitude_range", error="longitude_range")),
            "geo_precision": pa.Column("str", nullable=True, checks=pa.Check.isin(
                GEO_PRECISIONS, name="geo_precision_unknown", error="geo_precision_unknown")),
            "verification": pa.Column("str", nullable=False, checks=pa.Check.isin(
                VERIFICATION_LEVELS, name="verification_unknown", error="verification_unknown")),
            **{
                f"_{name}": _flag(name)
                for name in (
                    "event_id_duplicate", "event_date_bad", "end_date_bad",
                    "date_precision_finer", "date_precision_undated", "end_date_undated",
                    "end_date_before", "countries_involved_unknown", "latitude_not_number",
                    "longitude_not_number", "latitude_alone", "longitude_alone",
                    "geometry_bad", "fatalities_bad", "fatalities_too_large",
                )
            },
        },
        strict=False,
        coerce=False,
    )


# pandera names a failed nullable=False check "not_nullable"; map it per column.
_NOT_NULL = {"event_id": "event_id_missing", "topic": "topic_missing",
             "verification": "verification_missing", "article_id": "article_id_missing"}


def _failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """(index, check) pairs of every failure, pandera's lazy report boiled down.

    pandera is handed only the columns its schema checks: it copies the frame it is given,
    and copying the prepared rows' every column took a third of a second at 1M."""
    pa = _pandera()

    checked = [column for column in schema.columns if column in frame.columns]
    try:
        schema.validate(frame[checked], lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        checks = cases["check"].astype("str")
        columns = cases["column"].astype("str")
        nulls = checks == "not_nullable"
        checks = checks.mask(nulls, columns.map(_NOT_NULL))
        failures = pd.DataFrame({"index": cases["index"], "check": checks})
        failures = failures.dropna().drop_duplicates()
        return failures.astype({"index": "int64", "check": "str"})
    return pd.DataFrame({"index": pd.Series(dtype="int64"), "check": pd.Series(dtype="str")})


def _rejected_lines(
    failures: pd.DataFrame, rules: dict[str, Rule], prepared: pd.DataFrame, raw: pd.DataFrame,
    rows: np.ndarray, file: str, table: str,
) -> pd.DataFrame:
    parts = []
    for check, group in failures.groupby("check", sort=False):
        rule = rules[str(check)]
        idx = group["index"].to_numpy()
        subset = _as_text(prepared.iloc[idx])
        original = column_text(raw[rule.column].iloc[idx]) if rule.column in raw.columns \
            else None
        values = (original.astype("str") if original is not None
                  else pd.Series(None, index=subset.index, dtype="str"))
        parts.append(pd.DataFrame({
            "file": file,
            "table": table,
            "row": pd.array(rows[idx], dtype="Int64"),
            "column": rule.column,
            "value": values.str.slice(0, _MAX_VALUE).to_numpy(),
            "reason": rule.reason(subset).astype("str").to_numpy(),
        }))
    if not parts:
        return empty_rejected()
    lines = pd.concat(parts, ignore_index=True).sort_values(["row", "column"], kind="stable")
    return lines.astype({"file": "str", "table": "str", "column": "str", "value": "str",
                         "reason": "str"})[REJECT_COLUMNS].reset_index(drop=True)


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with typed number columns as the text the reader would have given: only
    the rejected rows' values are ever written out, so only they are turned into text."""
    typed = [column for column in TYPED_COLUMNS
             if column in frame.columns and is_typed(frame[column])]
    if not typed:
        return frame
    frame = frame.copy(deep=False)
    for column in typed:
        frame[column] = column_text(frame[column])
    return frame


def _source_rows(raw: pd.DataFrame) -> np.ndarray:
    rows = raw.attrs.get("source_rows")
    if rows is not None and len(rows) == len(raw):
        return np.asarray(rows, dtype="int64")
    return np.arange(1, len(raw) + 1, dtype="int64")


def _canonical_frame(raw: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(index=pd.RangeIndex(len(raw)))
    for column in columns:
        if column in raw.columns and column in TYPED_COLUMNS and is_typed(raw[column]):
            frame[column] = raw[column].reset_index(drop=True)
        elif column in raw.columns:
            frame[column] = as_text(raw[column].reset_index(drop=True))
        else:
            frame[column] = pd.Series(None, index=frame.index, dtype="str")
    return frame


def _duplicates(ids: pd.Series, rows: np.ndarray) -> tuple[pd.Series, pd.Series]:
    """(repeats an earlier id, source row of that id's first occurrence).

    Through factorised codes: ``Series.duplicated`` on Arrow strings made a Python object
    of every id first (0.25 GB more at 1.2M ids)."""
    if _strictly_ordered(ids):  # no id can repeat: not a hash of every id to find one
        return pd.Series(False, index=ids.index), pd.Series(rows, index=ids.index)
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    codes = np.asarray(codes, dtype=np.int64)
    if len(uniques) == np.count_nonzero(codes >= 0):  # no id repeats: no sort to find one
        return pd.Series(False, index=ids.index), pd.Series(rows, index=ids.index)
    values, first = np.unique(codes, return_index=True)
    repeated = np.ones(len(codes), dtype=bool)
    repeated[first] = False
    repeated &= codes >= 0
    duplicate = pd.Series(repeated, index=ids.index)
    present = values >= 0
    first_of_code = np.zeros(int(values.max()) + 1, dtype=np.int64)
    first_of_code[values[present]] = np.asarray(rows, dtype=np.int64)[first[present]]
    first_row = np.where(codes >= 0, first_of_code[np.maximum(codes, 0)], 0)
    return duplicate, pd.Series(first_row, index=ids.index)


def _strictly_ordered(ids: pd.Series) -> bool:
    """Whether the present ids only rise (or only fall) from one row to the next, as in a
    file written in id order: then no two are equal. Comparing neighbours takes a few
    milliseconds for a million ids; hashing them all (``pd.factorize``) 0.13-0.6 s."""
    present = arrow_text(ids)
    present = present.drop_null() if present.null_count else present
    if len(present) < 2:
        return True
    later, earlier = present.slice(1), present.slice(0, len(present) - 1)
    return bool(pc.all(pc.greater(later, earlier)).as_py()
                or pc.all(pc.less(later, earlier)).as_py())


def _number(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse decimals (a decimal comma is accepted); returns (float, not-a-number flag).
    A typed column's numbers are taken as they are (NaN and infinities are not numbers,
    as their text "nan" and "inf" is not)."""
    if is_typed(values):
        numbers = _to_float(values)
        bad = values.notna() & ~np.isfinite(numbers)
        return numbers.where(~bad), bad
    text = values
    if pc.any(pc.match_substring(arrow_text(values), ",")).as_py():
        text = values.str.replace(r"^(-?\d+),(\d+)$", r"\1.\2", regex=True)
    numbers = _to_float(text)
    bad = values.notna() & (numbers.isna() | ~np.isfinite(numbers.fillna(0)))
    return numbers.where(~bad), bad


def _precision_rank(precision: pd.Series) -> pd.Series:
    """0 for day up to 3 for year; NaN for missing or unknown precisions."""
    levels = list(_PRECISION_RANK)
    rank = np.select([(precision == level).to_numpy(dtype=bool, na_value=False)
                      for level in levels], [float(_PRECISION_RANK[x]) for x in levels], np.nan)
    return pd.Series(rank, index=precision.index)


def _to_float(text: pd.Series) -> pd.Series:
    """Numbers from text; unparsable cells become NaN.

    Arrow's cast parses a column of good numbers five times faster than ``to_numeric``
    and refuses the same text; a column with any bad cell takes ``to_numeric``. A typed
    column's numbers are cast (an integer past 2**53 rounds as its text's parse would)."""
    if is_typed(text):
        numbers = pc.cast(typed_arrow(text), pa_arrow.float64(), safe=False)
        return pd.Series(numbers.to_numpy(zero_copy_only=False), index=text.index,
                         dtype="float64")
    try:
        numbers = pc.cast(arrow_text(text), pa_arrow.float64())
    except (pa_arrow.ArrowInvalid, pa_arrow.ArrowNotImplementedError):
        return pd.to_numeric(text, errors="coerce").astype("float64")
    return pd.Series(numbers.to_numpy(zero_copy_only=False), index=text.index, dtype="float64")


def _prepare_events(raw: pd.DataFrame, rows: np.ndarray, file: str) -> pd.DataFrame:
    f = _canonical_frame(raw, EVENT_COLUMNS)
    f["event_id"] = clean_token(f["event_id"])
    f["event_date"] = normalised_dates(clean_token(f["event_date"]))
    f["end_date"] = normalised_dates(clean_token(f["end_date"], "lower"))  # "Ongoing" too
    ongoing = (f["end_date"] == ONGOING).to_numpy(dtype=bool, na_value=False)
    f["date_precision"] = clean_token(f["date_precision"], "lower")
    f["geo_precision"] = clean_token(f["geo_precision"], "lower")
    f["topic"] = clean_token(f["topic"], "lower")
    f["verification"] = clean_token(f["verification"], "lower")
    f["country"] = clean_token(f["country"], "upper")
    f["countries_involved"], f["_countries_involved_unknown"] = _country_lists(
        clean_token(f["countries_involved"]))
    for column in ("actors", "article_ids"):
        f[column] = normalise_list(f[column])
    for column in TYPED_COLUMNS:
        if not is_typed(f[column]):
            f[column] = clean_token(f[column])
    f["geometry_wkt"] = clean_token(f["geometry_wkt"])
    if f["source_dataset"].isna().any():
        f["source_dataset"] = f["source_dataset"].fillna(Path(file).name)

    f["_event_id_duplicate"], f["_first_row"] = _duplicates(f["event_id"], rows)
    start, shape, f["_event_date_bad"] = parse_partial_dates(f["event_date"])
    end_start, end_shape, f["_end_date_bad"] = parse_partial_dates(
        f["end_date"].mask(ongoing) if ongoing.any() else f["end_date"])
    f["_shape"] = shape
    given = f["date_precision"]
    known = given.isin(DATE_PRECISIONS)
    rank_given, rank_shape = _precision_rank(given), _precision_rank(shape)
    f["_date_precision_finer"] = (known & shape.notna() & (rank_given < rank_shape)).fillna(False)
    f["_date_precision_undated"] = given.notna() & f["event_date"].isna()
    f["_end_date_undated"] = f["end_date"].notna() & f["event_date"].isna()
    f["_precision"] = given.where(given.notna(), shape)
    f["date_min"], f["date_max"] = period_bounds(start, f["_precision"].where(known | given.isna()))
    _, end_max = period_bounds(end_start, end_shape)
    f["_end_date_before"] = (end_max < f["date_min"]).fillna(False)
    f["date_max"] = f["date_max"].where(~(end_max > f["date_max"]).fillna(False), end_max)

    f["_lat"], f["_latitude_not_number"] = _number(f["latitude"])
    f["_lon"], f["_longitude_not_number"] = _number(f["longitude"])
    f["_latitude_alone"] = f["latitude"].notna() & f["longitude"].isna()
    f["_longitude_alone"] = f["longitude"].notna() & f["latitude"].isna()
    f["_wkt_problem"] = _wkt_problems(f["geometry_wkt"])
    f["_geometry_bad"] = f["_wkt_problem"].notna()
    deaths = _to_float(f["fatalities"])
    f["_fatalities_bad"] = f["fatalities"].notna() & (
        deaths.isna() | (deaths < 0) | ~np.isfinite(deaths) | (deaths != np.floor(deaths))
    ).fillna(True)
    f["_fatalities_too_large"] = ~f["_fatalities_bad"] & (deaths > MAX_FATALITIES)
    f["_deaths"] = deaths.where(deaths <= MAX_FATALITIES)
    for column in [c for c in f.columns if c.startswith("_") and f[c].dtype != bool]:
        if column.endswith(("_bad", "_unknown", "_finer", "_undated", "_before", "_alone",
                            "_duplicate", "_not_number")):
            f[column] = f[column].fillna(False).astype(bool)
    return f


_prepared: set[tuple[str, ...] | None] = set()


def prepare(topics: Iterable[str] | None = None) -> None:
    """Import pandera and build the schemas, once per process and set of topics: the load
    of a big file does it on a thread of its own while the file is read (pandera's import
    and first validation took half a second of the main thread; reading a Parquet file
    mostly runs outside the interpreter)."""
    key = None if topics is None else tuple(topics)
    if key in _prepared:
        return
    _prepared.add(key)
    empty = pd.DataFrame({column: pd.Series(dtype="str") for column in EVENT_COLUMNS})
    validate_events(empty, "", topics=topics)
    validate_articles(pd.DataFrame({column: pd.Series(dtype="str")
                                    for column in ARTICLE_COLUMNS}), "")


def validate_events(
    raw: pd.DataFrame, file: str, *, topics: Iterable[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split canonical raw event rows into an events frame and rejected lines.

    ``topics`` are the allowed topic keys (default: ``data/topics.csv``). The events frame
    follows the in-memory conventions in docs/ARCHITECTURE.md. Invariant:
    ``len(events) + rejected_row_count(rejected) == len(raw)``.
    """
    if topics is None:
        from dashboard.taxonomy import topic_keys

        topics = topic_keys()
    keys = tuple(sorted({str(t).strip().lower() for t in topics}))
    rows = _source_rows(raw)
    prepared = _prepare_events(raw, rows, file)
    failures = _failures(event_schema(keys), prepared)
    raw_view = raw.reset_index(drop=True)
    rejected = _rejected_lines(failures, _event_rules(keys), prepared, raw_view, rows, file,
                               "events")
    good = np.ones(len(prepared), dtype=bool)
    good[failures["index"].to_numpy()] = False
    # all accepted (the common case): no boolean take, which copies every column
    return _events_frame(prepared if good.all() else prepared[good]), rejected


def _events_frame(f: pd.DataFrame) -> pd.DataFrame:
    f = f.reset_index(drop=True)
    events = f[EVENT_COLUMNS + DERIVED_COLUMNS]  # a new frame (copy-on-write)
    events["date_precision"] = f["_precision"]
    events["latitude"] = f["_lat"].astype("float64")
    events["longitude"] = f["_lon"].astype("float64")
    events["fatalities"] = f["_deaths"].astype("Float64").astype("Int64")
    for column in DERIVED_COLUMNS:
        events[column] = f[column].astype("datetime64[ns]")
    return events[EVENT_COLUMNS + DERIVED_COLUMNS]


# -- articles ----------------------------------------------------------------------------------


def _article_rules() -> dict[str, Rule]:
    return {
        "article_id_missing": Rule("article_id", lambda f: pd.Series(
            "missing required field article_id", index=f.index)),
        "article_id_duplicate": Rule("article_id", lambda f: "duplicate article_id "
                                     + _quoted(f["article_id"]) + " (first seen at row "
                                     + f["_first_row"].astype("str") + ")"),
        "url_bad": Rule("url", lambda f: "url " + _quoted(f["url"])
                        + " is not an http(s) address"),
        "published_bad": Rule("published", lambda f: "bad published date "
                              + _quoted(f["published"]) + f" ({DATE_HINT})"),
    }


@lru_cache(maxsize=1)
def article_schema() -> pa.DataFrameSchema:
    """The pandera schema for prepared article rows."""
    pa = _pandera()

    return pa.DataFrameSchema(
        {
            "article_id": pa.Column("str", nullable=False),
            **{f"_{n}": _flag(n) for n in ("article_id_duplicate", "url_bad", "published_bad")},
        },
        strict=False,
    )


def validate_articles(raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split canonical raw article rows into an articles frame (all ``str``) and rejects."""
    rows = _source_rows(raw)
    f = _canonical_frame(raw, ARTICLE_COLUMNS)
    f["article_id"] = clean_token(f["article_id"])
    f["url"] = clean_token(f["url"])
    f["published"] = normalised_dates(clean_token(f["published"]))
    f["language"] = clean_token(f["language"])
    f["_article_id_duplicate"], f["_first_row"] = _duplicates(f["article_id"], rows)
    f["_url_bad"] = f["url"].notna() & ~regex_mask(f["url"], _URL_RE, ignore_case=True)
    f["_published_bad"] = parse_partial_dates(f["published"])[2].astype(bool)
    failures = _failures(article_schema(), f)
    rejected = _rejected_lines(failures, _article_rules(), f, raw.reset_index(drop=True), rows,
                               file, "articles")
    good = np.ones(len(f), dtype=bool)
    good[failures["index"].to_numpy()] = False
    # all accepted (the common case): no boolean take, which copies every column
    kept = f[ARTICLE_COLUMNS] if good.all() else f.loc[good, ARTICLE_COLUMNS]
    return kept.reset_index(drop=True).astype("str"), rejected


def unknown_article_links(events: pd.DataFrame, articles: pd.DataFrame) -> list[str]:
    """Article ids that events cite but the articles table lacks (reported as a warning).

    Split and matched in Arrow: a Python split per row took seconds at a million events.
    """
    cited = arrow_text(events["article_ids"])
    ids = pc.utf8_trim_whitespace(pc.list_flatten(pc.split_pattern(cited,
                                                                   LIST_SEPARATOR.strip())))
    known = arrow_text(articles["article_id"])
    missing = pc.unique(pc.filter(ids, pc.invert(pc.is_in(ids, value_set=known))))
    return sorted(m for m in missing.to_pylist() if m)
