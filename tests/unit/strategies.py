"""Hypothesis strategies that write files in every importer's layout.

A drawn ``FileCase`` holds the bytes of one file (plus the companion files and options
``load_dataset`` takes), the number of data rows written and whether the columns a
format is recognised by were kept. Cells are mostly plausible values of their column with
blanks, padding, quoting trouble and hostile text mixed in; rows are drawn from a few
template rows with a few cells changed each, so 50 rows of 50 columns stay cheap to draw.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from hypothesis import strategies as st

from dashboard.schema import (
    ARTICLE_COLUMNS,
    DATE_PRECISIONS,
    EVENT_COLUMNS,
    GEO_PRECISIONS,
    VERIFICATION_LEVELS,
)
from dashboard.taxonomy import topic_keys

MAX_ROWS = 50
LONG_TEXT = 100_000

# Cells that have broken importers elsewhere: formulas, quoting, control and bidi
# characters, numbers and dates at and past their limits, lists of nothing but separators.
HOSTILE: list[str] = [
    "=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1:A2)", "\t=1", "'=kept",
    "a,b", "a;b", 'say "hi"', '"', '""', "line1\nline2", "cr\ronly", "\r\n",
    "\x00", "a\x00b", "\x1b[31m", "\u202eRTL override", "\u200f", "🙂🔥👩‍👩‍👧", "\ufffd",
    " ", "   padded   ", "\u00a0", "\u3000", "\ufeff",
    "1e309", "-1e309", "nan", "NaN", "inf", "-0", "1,5", "١٢٣", "0x1F",
    "99999999999999999999999", "9007199254740993", "-1", "2.5", "Infinity", "-Infinity",
    "1.7976931348623157e308", "1e-400", "½", "²", "+5", "1_000", "-0.0",
    "0000-00-00", "31/02/2024", "2024-02-30", "2024-13-01", "9999-12-31", "0001-01-01",
    "1677-09-21", "2262-04-12", "20240230", "2024-02-29T25:00:00", "1900-02-29",
    "9999-99-99", "2024-W01", "24/12/31", "2024-01-01T00:00:00+99:99", "2024-1-1",
    "91", "-90.0001", "180.5", "-181",
    ";", ";;", " ; ", "; ;", "a;;b", "a; ;b;",
    "NULL", "None", "N/A", "#N/A", "true", "POINT (200 100)", "POLYGON ((0 0", "EMPTY",
    "POINT EMPTY", "POINT (nan nan)", "POINT (1e309 0)", "GEOMETRYCOLLECTION EMPTY",
    "javascript:alert(1)", "https://", "http://[::1", "<script>x</script>",
    "x\ud800y",  # a lone surrogate: replaced before encoding (see ``_sanitised``)
]
LONG_CELLS = st.sampled_from(["x", "é", "Ж", "🙂", "a;", '"']).map(
    lambda unit: unit * (LONG_TEXT // max(len(unit.encode("utf-8")), 1)))
BLANKS = st.sampled_from(["", " ", "  ", "\t"])

WORDS = st.sampled_from(["Kovel", "Białystok", "Hrodna", "Вільнюс", "Цяля", "Daugavpils",
                         "Suwałki", "Narva", "Brest", "Šalčininkai", "Grodno"])


def hostile_cells(long: bool = True) -> st.SearchStrategy[str]:
    """Any of the hostile cells, random text, or (rarely, if ``long``) one of ~100 KB."""
    short = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))
    return st.one_of(short, LONG_CELLS) if long else short


def noisy(good: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly ``good`` values, sometimes a blank, padded or hostile one."""
    return st.one_of(good, good, good, BLANKS, good.map(lambda v: f"  {v} "), hostile_cells())


def dates(*formats: str) -> st.SearchStrategy[str]:
    """Real days 1990-2030 written in one of ``formats``."""
    return st.builds(lambda day, fmt: day.strftime(fmt),
                     st.dates(pd.Timestamp("1990-01-01").date(),
                              pd.Timestamp("2030-12-31").date()),
                     st.sampled_from(formats))


def numbers(low: float, high: float, places: int = 4) -> st.SearchStrategy[str]:
    """Decimals in ``[low, high]`` as text."""
    return st.floats(low, high, allow_nan=False).map(lambda x: f"{x:.{places}f}")


def lists(items: st.SearchStrategy[str], sep: str = "; ") -> st.SearchStrategy[str]:
    """``A; B`` lists of 0-3 items (0 items is a blank cell)."""
    return st.lists(items, max_size=3).map(sep.join)


COUNTS = st.integers(0, 500).map(str)
ISO3 = st.sampled_from(["POL", "UKR", "BLR", "LTU", "LVA", "EST", "RUS", "XKX"])


# -- tables and files -------------------------------------------------------------------------


@dataclass
class Table:
    """A table before it is written: header names and rows of cells (None: key left out)."""

    columns: list[str]
    rows: list[list[str | None]]


@dataclass
class FileCase:
    """One file to load and what the test may expect of it."""

    layout: str
    name: str
    data: bytes
    rows: int
    recognisable: bool
    options: dict[str, Any] = field(default_factory=dict)
    companions: list[str] = field(default_factory=list)  # names of the other files passed

    def load_options(self) -> dict[str, Any]:
        """``options`` with each companion upload fresh (a read upload is at its end)."""
        return {key: _upload(value.name, value.getvalue()) if isinstance(value, io.BytesIO)
                else value for key, value in self.options.items()}

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def __repr__(self) -> str:  # a 100 KB cell would drown hypothesis' report
        shown = self.data[:600]
        return (f"FileCase({self.layout!r}, {self.name!r}, rows={self.rows}, "
                f"recognisable={self.recognisable}, {len(self.data)} bytes: {shown!r}"
                f"{'…' if len(self.data) > 600 else ''}, options={list(self.options)})")


def _upload(name: str, data: bytes) -> io.BytesIO:
    """Bytes with a name, as a browser upload comes."""
    upload = io.BytesIO(data)
    upload.name = name  # type: ignore[attr-defined]
    return upload


def _sanitised(text: str) -> str:
    return re.sub("[\ud800-\udfff]", "\ufffd", text)


_EXCEL_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _csv_text(table: Table, delimiter: str, quoting: int, newline: str) -> str:
    # under "\n" line ends the csv module leaves a lone CR in a cell unquoted
    sink = io.StringIO()
    writer = csv.writer(sink, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return _sanitised(sink.getvalue())


def _encoded(text: str, encoding: str) -> bytes:
    """``text`` in ``encoding`` when every letter fits, else in UTF-8."""
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode("utf-8")


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")


def _json_value(cell: str, typed: bool) -> Any:
    """A cell as a JSON exporter would write it: with ``typed``, numbers as numbers (1e309
    as ``Infinity``), lists as arrays and blanks as null; else the text as it is."""
    cell = _sanitised(cell)
    if not typed:
        return cell
    if not cell.strip():
        return None
    if _NUMBER.fullmatch(cell):
        return float(cell) if any(c in cell for c in ".eE") else int(cell)
    if ";" in cell and len(cell) < 200:
        return [item.strip() for item in cell.split(";")]
    return cell


def _json_records(table: Table, typed: bool) -> list[dict[str, Any]]:
    return [{name: _json_value(cell, typed) for name, cell in zip(table.columns, row,
                                                                  strict=True)
             if cell is not None} for row in table.rows]


def _xlsx(tables: dict[str, Table]) -> bytes:
    sink = io.BytesIO()
    with pd.ExcelWriter(sink, engine="openpyxl") as writer:
        for sheet, table in tables.items():
            cells = [[None if c is None else _EXCEL_ILLEGAL.sub("", _sanitised(c))[:32_000]
                      for c in row] for row in table.rows]
            frame = pd.DataFrame(cells, columns=range(len(table.columns)), dtype=object)
            frame.columns = [_sanitised(c) for c in table.columns]
            frame.to_excel(writer, sheet_name=sheet, index=False)
    return sink.getvalue()


def looks_binary(data: bytes) -> bool:
    """Whether readers.py takes this text for binary data (by design, in the first 256 KB:
    more than 1% NULs, or more control characters other than tab, line ends, form feed and
    ESC than 25% of valid UTF-8 or 5% of other text, each past 4 bytes); such a file is
    refused with one LoadError, so it is not ``recognisable``."""
    sample = data[:256 * 1024]
    if sample.count(0) > max(len(sample) // 100, 4):
        return True
    control = sum(sample.count(c) for c in range(32) if c not in (9, 10, 12, 13, 27))
    try:
        sample.decode("utf-8")
        share = 4
    except UnicodeDecodeError as err:  # a letter cut at the end of the sample is still UTF-8
        share = 4 if len(data) > len(sample) and err.reason == "unexpected end of data" else 20
    return control > max(len(sample) // share, 4)


TEXT_KINDS = ["csv", "tsv", "semicolon", "zip", "gz"]
KINDS = TEXT_KINDS + ["json", "xlsx"]
ENCODINGS = ["utf-8", "utf-8-sig", "cp1251", "cp1250", "cp1257"]


@st.composite
def written(draw: st.DrawFn, tables: dict[str, Table], stem: str,
            kinds: list[str] = KINDS) -> tuple[str, bytes, bool]:
    """(file name, bytes, readable) of ``tables["events"]`` (and an embedded ``articles``
    table where the kind holds one) in a drawn file kind, encoding, quoting and line ending;
    ``readable`` is False for text that readers.py takes for binary data (see ``looks_binary``)."""
    kind = draw(st.sampled_from(kinds))
    events = tables["events"]
    if kind == "json":
        typed = draw(st.booleans())
        if "articles" in tables:
            document: Any = {"events": _json_records(events, typed),
                             "articles": _json_records(tables["articles"], typed)}
        else:
            document = _json_records(events, typed)
        text = json.dumps(document, ensure_ascii=draw(st.booleans())).encode()
        return f"{stem}.json", text, True
    if kind == "xlsx":
        return f"{stem}.xlsx", _xlsx(tables), True
    delimiter = {"tsv": "\t", "semicolon": ";"}.get(kind, ",")
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
    newline = draw(st.sampled_from(["\r\n", "\n"]))
    data = _encoded(_csv_text(events, delimiter, quoting, newline),
                    draw(st.sampled_from(ENCODINGS)))
    inner = f"{stem}.{'tsv' if kind == 'tsv' else 'csv'}"
    if kind == "zip":
        sink = io.BytesIO()
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(inner, data)
        return f"{stem}.zip", sink.getvalue(), not looks_binary(data)
    if kind == "gz":
        return f"{inner}.gz", gzip.compress(data, mtime=0), not looks_binary(data)
    return inner, data, not looks_binary(data)


def keeps_header(name: str, rows: list[Any]) -> bool:
    """A JSON file of no records has no column names left to recognise it by."""
    return bool(rows) or not name.endswith(".json")


@st.composite
def rows_of(draw: st.DrawFn, cells: dict[str, st.SearchStrategy[str]], columns: list[str],
            ids: dict[str, Any] | None = None) -> list[list[str | None]]:
    """0-50 rows over ``columns``: each a copy of one of 1-3 drawn template rows with 0-3
    cells replaced (by a noisy value of that column, a blank or a hostile cell).

    ``ids`` maps a column to a function of the row number giving its usual value (unique
    ids), so most rows differ where a format needs them to; mutations still blank or
    repeat them.
    """
    ids = ids or {}
    cells = {**{c: hostile_cells() for c in columns}, **cells}
    templates = draw(st.lists(st.fixed_dictionaries({c: cells[c] for c in columns}),
                              min_size=1, max_size=3))
    count = draw(st.integers(0, MAX_ROWS))
    rows = []
    for number in range(count):
        row = dict(draw(st.sampled_from(templates)))
        for column, make in ids.items():
            if column in row:
                row[column] = make(number)
        if columns:
            for _ in range(draw(st.integers(0, 3))):
                column = draw(st.sampled_from(columns))
                row[column] = draw(st.one_of(noisy(cells[column]), BLANKS, hostile_cells()))
        rows.append([row[c] for c in columns])
    return rows


# Header names no layout uses (not even case-insensitively), holding hostile cells.
JUNK_COLUMNS = ["", "Unnamed: 0", '=HYPERLINK("http://x")', "\u202ereverse", "колонка",
                "extra;col", "a,b", 'quote"d']


@st.composite
def column_choice(draw: st.DrawFn, names: list[str], needed: list[str]) -> tuple[list[str], bool]:
    """(a subset of ``names`` in a drawn order, whether every name in ``needed`` is kept).

    Most draws keep what detection needs; the others drop one or more of those columns.
    Up to two columns no format knows are mixed in (``JUNK_COLUMNS``).
    """
    keep_needed = draw(st.integers(0, 4)) > 0
    optional = [n for n in names if n not in needed]
    chosen = [n for n in optional if draw(st.integers(0, 3)) > 0]
    chosen += draw(st.lists(st.sampled_from(JUNK_COLUMNS), unique=True, max_size=2))
    kept_needed = list(needed)
    if not keep_needed and needed:
        dropped = draw(st.lists(st.sampled_from(needed), min_size=1, unique=True))
        kept_needed = [n for n in needed if n not in dropped]
    order = draw(st.permutations(chosen + kept_needed))
    return list(order), keep_needed


def header_case(draw: st.DrawFn, columns: list[str]) -> list[str]:
    """The header as written: names sometimes upper-cased or padded (matched loosely)."""
    style = draw(st.sampled_from(["as is", "as is", "upper", "padded"]))
    if style == "upper":
        return [c.upper() for c in columns]
    if style == "padded":
        return [f" {c} " for c in columns]
    return columns


# -- canonical --------------------------------------------------------------------------------

CANONICAL_CELLS: dict[str, st.SearchStrategy[str]] = {
    "event_id": st.from_regex(r"ev-[0-9]{1,3}", fullmatch=True),
    "event_date": st.one_of(dates("%Y-%m-%d", "%Y-%m", "%Y", "%Y-%m-%dT%H:%M:%S",
                                  "%Y-%m-%d 00:00:00")),
    "date_precision": st.sampled_from(DATE_PRECISIONS),
    "end_date": dates("%Y-%m-%d", "%Y-%m"),
    "topic": st.sampled_from(sorted(topic_keys()) + ["Strike", " protest "]),
    "sub_type": WORDS,
    "country": ISO3,
    "countries_involved": lists(ISO3),
    "admin1": WORDS,
    "location": WORDS,
    "latitude": numbers(-90, 90),
    "longitude": numbers(-180, 180),
    "geo_precision": st.sampled_from(GEO_PRECISIONS),
    "geometry_wkt": st.sampled_from(["POINT (24.7 51.2)", "LINESTRING (37 48, 38 48.5)",
                                     "POLYGON ((20 50, 21 50, 21 51, 20 50))"]),
    "actors": lists(WORDS),
    "summary": st.text(max_size=40),
    "fatalities": COUNTS,
    "verification": st.sampled_from(VERIFICATION_LEVELS),
    "article_ids": lists(st.from_regex(r"a[0-9]", fullmatch=True)),
    "source_dataset": st.sampled_from(["mine", "acled", "notes.csv"]),
    "source_category": WORDS,
}
ARTICLE_CELLS: dict[str, st.SearchStrategy[str]] = {
    "article_id": st.from_regex(r"a[0-9]", fullmatch=True),
    "title": st.text(max_size=30),
    "outlet": WORDS,
    "url": st.sampled_from(["https://example.org/a", "http://news.example.by/1?x=1#y",
                            "ftp://example.org/x", "javascript:alert(1)", "example.org"]),
    "published": dates("%Y-%m-%d", "%Y-%m"),
    "language": st.sampled_from(["en", "pl", "uk", "ru"]),
    "summary": st.text(max_size=30),
}
CANONICAL_NEEDED = ["event_id", "event_date", "topic", "verification"]


@st.composite
def canonical_files(draw: st.DrawFn) -> FileCase:
    """Our own layout, with an articles table embedded (JSON, workbook) or beside it."""
    columns, recognisable = draw(column_choice(EVENT_COLUMNS, CANONICAL_NEEDED))
    rows = draw(rows_of(CANONICAL_CELLS, columns, {"event_id": lambda n: f"ev-{n}"}))
    events = Table(header_case(draw, columns), rows)
    article_columns, article_ids = draw(column_choice(ARTICLE_COLUMNS, ["article_id"]))
    articles = Table(article_columns, draw(rows_of(ARTICLE_CELLS, article_columns,
                                                   {"article_id": lambda n: f"a{n}"})))
    tables = {"events": events}
    options: dict[str, Any] = {}
    companions = []
    placement = draw(st.sampled_from(["none", "embedded", "file"]))
    if placement == "embedded":
        tables["articles"] = articles
    name, data, readable = draw(written(tables, "events"))
    if placement == "file":
        article_name, article_data, article_readable = draw(written({"events": articles},
                                                                    "articles"))
        readable &= article_readable and article_ids and keeps_header(article_name,
                                                                      articles.rows)
        options["articles"] = _upload(article_name, article_data)
        companions.append(article_name)
    recognisable &= readable and keeps_header(name, rows)
    return FileCase("canonical", name, data, len(rows), recognisable, options, companions)


# -- ACLED ------------------------------------------------------------------------------------

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]
ACLED_DYADIC_ONLY = ["actor2", "assoc_actor_2", "inter2"]
ACLED_NEEDED = ["event_id_cnty", "event_date", "event_type", "actor1"]
ACLED_TYPES = [("Battles", "Armed clash"), ("Explosions/Remote violence", "Air/drone strike"),
               ("Protests", "Peaceful protest"), ("Riots", "Mob violence"),
               ("Strategic developments", "Other"), ("Unknown type", "Unknown sub-type")]
_ACLED_TYPE = st.sampled_from(ACLED_TYPES)
ACLED_CELLS: dict[str, st.SearchStrategy[str]] = {
    "event_id_cnty": st.from_regex(r"(UKR|POL|BLR)[0-9]{1,4}", fullmatch=True),
    "event_date": dates("%Y-%m-%d", "%d %B %Y", "%d-%b-%y", "%d/%m/%Y"),
    "year": st.integers(1997, 2030).map(str),
    "time_precision": st.sampled_from(["1", "2", "3", "1.0", "4"]),
    "disorder_type": st.sampled_from(["Political violence", "Demonstrations"]),
    "event_type": _ACLED_TYPE.map(lambda t: t[0]),
    "sub_event_type": _ACLED_TYPE.map(lambda t: t[1]),
    "actor1": WORDS, "assoc_actor_1": lists(WORDS), "inter1": st.sampled_from(["1", "8"]),
    "actor2": WORDS, "assoc_actor_2": lists(WORDS), "inter2": st.sampled_from(["", "7"]),
    "interaction": st.sampled_from(["78", "60"]), "civilian_targeting": st.just(""),
    "iso": st.sampled_from(["804", "616", "112", "440", "0", "999"]),
    "region": st.just("Europe"),
    "country": st.sampled_from(["Ukraine", "Poland", "Belarus", "Lithuania", "Atlantis"]),
    "admin1": WORDS, "admin2": WORDS, "admin3": WORDS, "location": WORDS,
    "latitude": numbers(-90, 90), "longitude": numbers(-180, 180),
    "geo_precision": st.sampled_from(["1", "2", "3"]),
    "source": lists(WORDS, ";"), "source_scale": st.just("National"),
    "notes": st.text(max_size=40), "fatalities": COUNTS, "tags": st.just(""),
    "timestamp": st.integers(1_500_000_000, 1_800_000_000).map(str),
}


@st.composite
def acled_files(draw: st.DrawFn) -> FileCase:
    """Dyadic and monadic exports; monadic ones repeat an event id once per actor."""
    monadic = draw(st.booleans())
    names = [c for c in ACLED_COLUMNS if not (monadic and c in ACLED_DYADIC_ONLY)]
    columns, recognisable = draw(column_choice(names, ACLED_NEEDED))
    per_event = 2 if monadic else 1
    rows = draw(rows_of(ACLED_CELLS, columns,
                        {"event_id_cnty": lambda n: f"UKR{n // per_event}"}))
    name, data, readable = draw(written({"events": Table(header_case(draw, columns), rows)},
                                        "acled"))
    recognisable &= readable and keeps_header(name, rows)
    return FileCase("acled", name, data, len(rows), recognisable)


# -- UCDP GED ---------------------------------------------------------------------------------

UCDP_COLUMNS = [
    "id", "relid", "year", "active_year", "code_status", "type_of_violence",
    "conflict_dset_id", "conflict_new_id", "conflict_name", "dyad_dset_id", "dyad_new_id",
    "dyad_name", "side_a_dset_id", "side_a_new_id", "side_a", "side_b_dset_id", "side_b_new_id",
    "side_b", "number_of_sources", "source_article", "source_office", "source_date",
    "source_headline", "source_original", "where_prec", "where_coordinates",
    "where_description", "adm_1", "adm_2", "latitude", "longitude", "geom_wkt", "priogrid_gid",
    "country", "country_id", "region", "event_clarity", "date_prec", "date_start", "date_end",
    "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown", "best", "high", "low",
    "gwnoa", "gwnob",
]
UCDP_TRIMMED = [
    "id", "date_start", "type_of_violence", "conflict_name", "dyad_name", "side_a", "side_b",
    "country", "adm_1", "adm_2", "latitude", "longitude", "best", "low", "high", "deaths_a",
    "deaths_b", "deaths_civilians", "deaths_unknown", "where_description", "active_year",
]
UCDP_NEEDED = ["type_of_violence", "best", "side_a", "side_b", "dyad_name", "date_start"]
UCDP_SOURCE_COLUMNS = ["source_article", "source_office", "source_date", "source_headline"]
_UCDP_DATE = dates("%Y-%m-%d", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%Y-%m-%dT%H:%M:%S")
UCDP_CELLS: dict[str, st.SearchStrategy[str]] = {
    **{c: st.integers(0, 3000).map(str) for c in UCDP_COLUMNS},
    "id": st.integers(1, 10**6).map(str), "relid": st.just("UKR-2014-1-1-1"),
    "code_status": st.just("Clear"), "type_of_violence": st.sampled_from(["1", "2", "3", "4"]),
    "conflict_name": WORDS, "dyad_name": WORDS.map(lambda w: f"{w} - civilians"),
    "side_a": WORDS, "side_b": WORDS, "where_prec": st.sampled_from([str(n) for n in range(1, 8)]),
    "where_coordinates": WORDS, "where_description": WORDS, "adm_1": WORDS, "adm_2": WORDS,
    "latitude": numbers(-90, 90), "longitude": numbers(-180, 180),
    "geom_wkt": st.sampled_from(["POINT (37.8 48.0)", "LINESTRING (37.0 48.0, 38.0 48.5)", ""]),
    "country": st.sampled_from(["Ukraine", "Russia (Soviet Union)", "Belarus", "Nowhere"]),
    "country_id": st.sampled_from(["369", "365", "370", "2"]), "region": st.just("Europe"),
    "event_clarity": st.sampled_from(["1", "2"]),
    "date_prec": st.sampled_from(["1", "2", "4", "5"]),
    "date_start": _UCDP_DATE, "date_end": _UCDP_DATE, "source_original": WORDS,
}


@st.composite
def ucdp_sources(draw: st.DrawFn) -> dict[str, str]:
    """The four source cells: ``;``-lists of one length (aligned) or of different ones."""
    aligned = draw(st.booleans())
    count = draw(st.integers(0, 4))
    cells = {}
    for column in UCDP_SOURCE_COLUMNS:
        n = count if aligned else draw(st.integers(0, 4))
        item = {"source_date": dates("%d/%m/%Y", "%Y-%m-%d")}.get(column, WORDS)
        cells[column] = ";".join(draw(st.lists(item, min_size=n, max_size=n)))
    return cells


@st.composite
def ucdp_files(draw: st.DrawFn) -> FileCase:
    """GED exports, full (49 columns) or trimmed, sources aligned or not."""
    full = draw(st.booleans())
    names = UCDP_COLUMNS if full else UCDP_TRIMMED
    needed = [c for c in UCDP_NEEDED if c in names]
    columns, recognisable = draw(column_choice(names, needed))
    cells = dict(UCDP_CELLS)
    rows = draw(rows_of(cells, columns, {"id": lambda n: str(900_000 + n)}))
    sources = [c for c in UCDP_SOURCE_COLUMNS if c in columns]
    if sources:
        for row in rows:
            drawn = draw(ucdp_sources())
            for column in sources:
                row[columns.index(column)] = drawn[column]
    name, data, readable = draw(written({"events": Table(header_case(draw, columns), rows)},
                                        "ged"))
    recognisable &= readable and keeps_header(name, rows)
    return FileCase("ucdp", name, data, len(rows), recognisable)


# -- VIINA ------------------------------------------------------------------------------------

VIINA_COLUMNS = [
    "viina_version", "event_id", "event_id_1pd", "date", "time", "geonameid", "feature_code",
    "asciiname", "ADM1_NAME", "ADM1_CODE", "ADM2_NAME", "ADM2_CODE", "longitude", "latitude",
    "GEO_PRECISION", "GEO_API", "location", "address", "report_id", "source", "url", "text",
    "lang",
]
VIINA_NEEDED = ["event_id", "date", "GEO_PRECISION", "url", "text", "source"]
VIINA_LABELS = ["t_mil", "t_airstrike", "t_artillery", "t_firefight", "t_civcas", "t_control",
                "a_rus", "a_ukr", "a_civ", "a_other", "t_unknownlabel"]
_FLAG = st.sampled_from(["0", "1", "1.0", "0.7", "yes"])
_PROBABILITY = numbers(0, 1)
VIINA_CELLS: dict[str, st.SearchStrategy[str]] = {
    "viina_version": st.just("2"), "event_id": st.integers(10**12, 10**13).map(str),
    "event_id_1pd": st.integers(1, 99).map(str), "date": dates("%Y%m%d", "%Y-%m-%d"),
    "time": st.just("09:15"), "geonameid": st.integers(1, 10**6).map(str),
    "feature_code": st.sampled_from(["PPL", "ADM1"]), "asciiname": WORDS, "ADM1_NAME": WORDS,
    "ADM1_CODE": st.sampled_from(["UA07", "UA-14", "RU48", "XX", "U7"]), "ADM2_NAME": WORDS,
    "ADM2_CODE": st.just("UA0702"), "longitude": numbers(-180, 180),
    "latitude": numbers(-90, 90),
    "GEO_PRECISION": st.sampled_from(["locality", "ADM1", "street", "country", "sea", ""]),
    "GEO_API": st.just("osm"), "location": st.just("1"), "address": WORDS,
    "report_id": st.just("r1"), "source": st.sampled_from(["pravdaua", "ria", "unian"]),
    "url": st.sampled_from(["https://www.pravda.com.ua/news/1/", "ftp://example.org/x",
                            "http://ria.ru/a.html"]),
    "text": st.text(max_size=40), "lang": st.sampled_from(["ua", "ru", "en", "UK", "xx"]),
    **{f"{label}_b": _FLAG for label in VIINA_LABELS},
    **{label: _PROBABILITY for label in VIINA_LABELS},
    **{f"{label}_pred": _PROBABILITY for label in VIINA_LABELS},
}


@st.composite
def viina_files(draw: st.DrawFn) -> FileCase:
    """Event info files, with the label columns inside or in a labels file beside them."""
    columns, recognisable = draw(column_choice(VIINA_COLUMNS, VIINA_NEEDED))
    label_columns = [c for label in draw(st.lists(st.sampled_from(VIINA_LABELS), unique=True))
                     for c in (f"{label}_b", draw(st.sampled_from([label, f"{label}_pred"])))]
    inside = draw(st.booleans())
    rows = draw(rows_of(VIINA_CELLS, columns + (label_columns if inside else []),
                        {"event_id": lambda n: str(2024080500000 + n)}))
    header = columns + (label_columns if inside else [])
    name, data, readable = draw(written({"events": Table(header_case(draw, header), rows)},
                                        "viina"))
    options: dict[str, Any] = {}
    companions = []
    if not inside and label_columns:
        label_header = ["event_id", *label_columns]
        label_rows = draw(rows_of(VIINA_CELLS, label_header,
                                  {"event_id": lambda n: str(2024080500000 + n)}))
        labels_name, labels_data, labels_readable = draw(written(
            {"events": Table(label_header, label_rows)}, "labels", TEXT_KINDS))
        readable &= labels_readable
        options["labels"] = _upload(labels_name, labels_data)
        companions.append(labels_name)
    recognisable &= readable and keeps_header(name, rows)
    return FileCase("viina", name, data, len(rows), recognisable, options, companions)


# -- GDELT ------------------------------------------------------------------------------------


def _gdelt_cell(position: int, width: int) -> st.SearchStrategy[str]:
    """A plausible value for field ``position`` of a ``width``-field GDELT row."""
    geo = 7 if width < 61 else 8
    if position == 0:
        return st.integers(1, 10**10).map(str)
    if position == 1:
        return dates("%Y%m%d")
    if position == 2:
        return st.integers(197901, 203012).map(str)
    if position == 3:
        return st.integers(1979, 2030).map(str)
    if position in (26, 27, 28):
        return st.sampled_from(["190", "0871", "141", "010", "195", "19", "08", "01", "14"])
    if position == 29:
        return st.sampled_from(["1", "2", "3", "4", "9"])
    geo_start = 35 + 2 * geo
    if position == geo_start:
        return st.sampled_from(["0", "1", "2", "3", "4", "5"])
    if position == geo_start + 2:
        return st.sampled_from(["UP", "PL", "BO", "LH", "ZZ"])
    if position in (geo_start + geo - 3, geo_start + geo - 2):
        return numbers(-90, 90)
    if position == width - 1 and width > 57:
        return st.sampled_from(["https://www.example-news.ua/a", "BBC Monitoring",
                                "http://belta.by/news/1"])
    return st.one_of(st.just(""), WORDS, st.integers(-10, 10).map(str))


_GDELT_SAFE = re.compile(r"[\t\r\n]")


@st.composite
def gdelt_files(draw: st.DrawFn) -> FileCase:
    """Headerless GDELT 1.0 (57/58 fields, mixed) and 2.0 (61) TSVs, cells never holding a
    tab or line break (GDELT has no quoting: such a cell is a different file) but any other
    hostile text, a ``"`` opening a cell and ~100 KB cells (lines past 64 KB) among it."""
    version = draw(st.sampled_from([1, 2]))
    widths = [57, 58] if version == 1 else [61]
    count = draw(st.integers(0, MAX_ROWS))
    templates = []
    for width in widths:
        templates.append([draw(_gdelt_cell(p, width)) for p in range(width)])
    lines = []
    for number in range(count):
        row = list(draw(st.sampled_from(templates)))
        row[0] = str(1_180_000_000 + number)
        for _ in range(draw(st.integers(0, 3))):
            position = draw(st.integers(0, len(row) - 1))
            value = draw(st.one_of(_gdelt_cell(position, len(row)), BLANKS,
                                   hostile_cells(long=False)))
            row[position] = _GDELT_SAFE.sub(" ", value)
        if number == 0 and draw(st.integers(0, 3)) == 0:  # a first line past 64 KB
            row[draw(st.integers(1, len(row) - 1))] = draw(LONG_CELLS)
        lines.append("\t".join(row))
    text = _sanitised("".join(f"{line}\n" for line in lines))
    data = _encoded(text, draw(st.sampled_from(ENCODINGS)))
    first_ok = bool(lines) and not looks_binary(data) and re.match(
        r"^\d+\t\d{8}\t\d{6}\t\d{4}\t", lines[0]) is not None
    name = draw(st.sampled_from(["events.export.CSV", "gdelt.tsv", "20240805.export.csv"]))
    return FileCase("gdelt", name, data, count, first_ok)


# -- a user's table with a column mapping -----------------------------------------------------

USER_COLUMNS = ["ID", "Data", "Kraj", "Miejscowość", "Województwo", "lat", "lon", "Kategoria",
                "Opis", "Strony", "Link", "Tytuł", "Źródło", "Zabici", "Status", "Koniec",
                "Uwagi", "Столбец"]
USER_CELLS: dict[str, st.SearchStrategy[str]] = {
    "ID": st.from_regex(r"[A-Z]{2}-[0-9]{1,3}", fullmatch=True),
    "Data": dates("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%d %B %Y"),
    "Kraj": st.sampled_from(["Polska", "Poland", "POL", "PL", "Ukraina", "Lietuva", "Narnia"]),
    "Miejscowość": WORDS, "Województwo": WORDS, "lat": numbers(-90, 90),
    "lon": numbers(-180, 180),
    "Kategoria": st.sampled_from(["protest", "strike", "demonstracja", "Legal", "inne"]),
    "Opis": st.text(max_size=40), "Strony": lists(WORDS, ";"),
    "Link": st.sampled_from(["https://example.pl/1", "www.example.pl", ""]),
    "Tytuł": st.text(max_size=20), "Źródło": WORDS, "Zabici": COUNTS,
    "Status": st.sampled_from(VERIFICATION_LEVELS + ["pewne"]),
    "Koniec": dates("%d/%m/%Y", "%Y-%m-%d"), "Uwagi": st.text(max_size=20),
    "Столбец": st.text(max_size=10),
}
MAPPING_FIELDS = {"event_id": "ID", "date": "Data", "end_date": "Koniec", "country": "Kraj",
                  "location": "Miejscowość", "admin1": "Województwo", "latitude": "lat",
                  "longitude": "lon", "topic": "Kategoria", "summary": "Opis",
                  "actors": "Strony", "url": "Link", "title": "Tytuł", "outlet": "Źródło",
                  "fatalities": "Zabici", "verification": "Status"}


@st.composite
def mapped_files(draw: st.DrawFn) -> FileCase:
    """Any table with a user's mapping; a mapped column missing from the file is one
    LoadError (so such a case is not ``recognisable``)."""
    columns, _ = draw(column_choice(USER_COLUMNS, []))
    if not columns:
        columns = ["Uwagi"]
    rows = draw(rows_of(USER_CELLS, columns, {"ID": lambda n: f"PL-{n}"}))
    present = sorted(f for f, column in MAPPING_FIELDS.items() if column in columns)
    fields = draw(st.lists(st.sampled_from(present), unique=True)) if present else []
    if draw(st.integers(0, 5)) == 0:  # now and then a mapped column the file lacks
        fields.append(draw(st.sampled_from(sorted(MAPPING_FIELDS))))
    mapping: dict[str, Any] = {f: MAPPING_FIELDS[f] for f in dict.fromkeys(fields)}
    mapping["topic_values"] = draw(st.dictionaries(
        st.sampled_from(["demonstracja", "inne", "Legal", ";"]),
        st.sampled_from(["protest", "other", "legal", "not-a-topic"]), max_size=3))
    mapping["dayfirst"] = draw(st.booleans())
    name, data, readable = draw(written({"events": Table(columns, rows)}, "moje_zdarzenia"))
    recognisable = readable and keeps_header(name, rows) and all(
        column in columns for column in mapping.values() if isinstance(column, str))
    return FileCase("mapped", name, data, len(rows), recognisable, {"mapping": mapping})


LAYOUTS = {"canonical": canonical_files, "acled": acled_files, "ucdp": ucdp_files,
           "viina": viina_files, "gdelt": gdelt_files, "mapped": mapped_files}
