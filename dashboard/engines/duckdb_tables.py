"""Canonical events (and articles) that stay on disk, checked by the memory engine's rules.

``open_source`` points a DuckDB connection at a Parquet file, a folder of them or a glob,
or a table of a ``.duckdb`` database, and defines views over it without reading it:

- ``raw_events``: every row as the readers would hand it over (each cell text: lists
  joined ``A; B``, dates ISO, numbers as text), with its file and 1-based row;
- ``prepared_events``: the values ``validate._prepare_events`` makes (trimmed ids and
  codes, lower/upper case, partial dates, ``date_min``/``date_max`` at their precision,
  the ``ongoing`` end), the partial dates worked out once per distinct triple of date
  texts (``_date_spans``) and the codes once per distinct combination (``_code_values``);
- ``_checked_events``: the accepted rows' columns and ``_rejected`` (a rule is broken);
  ``_rejected_events`` keeps the rejected rows' file and row, and ``_flagged_events``
  holds those rows alone with one flag per rule of ``validate.py``;
- ``event_problems``: one line per failed rule (file, table, row, column, value, reason,
  the reason texts of the memory engine);
- ``events``: the accepted rows, in file order (``_key``), which filters and exports read.

The same for articles (``articles``): the articles file given, else the files of a
folder or glob that hold articles (``lake.lake_files``). ``find_rejected`` evaluates the
rules once to define ``events``, ``articles`` and the problem views; the validated copy
(``duckdb_backend.validate_to``) finds the rejected rows in the pass that writes it instead.
Lookups the rules need (topics, ISO codes) are
temporary tables filled through bound parameters; a WKT problem is found by shapely over
the distinct shapes (DuckDB's spatial extension would be downloaded at run time), so
neither a file's text nor a user's value is ever spliced into SQL.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from dashboard import validate
from dashboard.engines.lake import Articles, lake_files
from dashboard.i18n import N_, Sayable
from dashboard.readers import LoadError
from dashboard.schema import (
    ARTICLE_COLUMNS,
    DATE_PRECISIONS,
    EVENT_COLUMNS,
    GEO_PRECISIONS,
    ONGOING,
    VERIFICATION_LEVELS,
)

#: Python's ``str.strip`` whitespace (RE2's ``\s`` is ASCII only).
_SPACE = (r"[\s\x{0085}\x{00A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}"
          r"\x{3000}\x{000B}\x{001C}-\x{001F}]")
#: What DuckDB may use before it spills to its temporary folder; the export's batches and
#: Python's own arrays come on top (docs/engines.md).
MEMORY_LIMIT = "1GB"


def arrow_batches(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any],
                  rows: int) -> pa.RecordBatchReader:
    """A query's result as Arrow record batches, streamed (a relation's
    ``to_arrow_reader`` in DuckDB 2, ``fetch_record_batch`` before)."""
    relation = con.sql(sql, params=params or None)
    method = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    return method(rows)


def arrow_table(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pa.Table:
    """A query's whole result as one Arrow table."""
    relation = con.sql(sql, params=params or None)
    method = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return method()


def lit(text: str) -> str:
    """One of *our* constants as an SQL string literal (never a user's or a file's value)."""
    return "'" + text.replace("'", "''") + "'"


def ident(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


_MACROS = {
    # the regular expressions only where an end is a space: they cost a second per
    # column of a million rows, the two character codes a tenth of that
    "space_code": "x BETWEEN 9 AND 13 OR x BETWEEN 28 AND 32 OR x BETWEEN 8192 AND 8202 "
                  "OR x IN (133, 160, 5760, 8232, 8233, 8239, 8287, 12288)",
    "strip": "CASE WHEN NOT space_code(ord(left(x, 1))) AND NOT space_code(ord(right(x, 1))) "
             f"THEN x ELSE regexp_replace(x, '^{_SPACE}+|{_SPACE}+$', '', 'g') END",
    "blank_null": "CASE WHEN NOT space_code(ord(left(x, 1))) THEN x "
                  f"WHEN regexp_full_match(x, '{_SPACE}*') THEN NULL ELSE x END",
    "token": "nullif(strip(x), '')",
    "list_items": "list_filter(list_transform(string_split(x, ';'), lambda s: strip(s)), "
                  "lambda s: s <> '')",
    "join_list": "nullif(array_to_string(list_filter(list_items(x), "
                 "lambda s, i: list_position(list_items(x), s) = i), '; '), '')",
    "quoted": "'''' || left(coalesce(x, ''), 80) || ''''",
    "day_text": r"regexp_replace(x, '^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?"
                r"(?:Z|[+-]\d{2}:?\d{2})?$', '\1')",
    "date_shape": r"CASE WHEN regexp_full_match(x, '\d{4}(?:-\d{2}(?:-\d{2})?)?') THEN "
                  "CASE length(x) WHEN 10 THEN 'day' WHEN 7 THEN 'month' "
                  "WHEN 4 THEN 'year' END END",
    "first_day": "CASE date_shape(x) WHEN 'day' THEN try_strptime(x, '%Y-%m-%d')::DATE "
                 "WHEN 'month' THEN try_strptime(x || '-01', '%Y-%m-%d')::DATE "
                 "WHEN 'year' THEN try_strptime(x || '-01-01', '%Y-%m-%d')::DATE END",
    "in_years": "CASE WHEN year(x) BETWEEN 1678 AND 2261 THEN x END",
    "rank": "CASE x WHEN 'day' THEN 0 WHEN 'week' THEN 1 WHEN 'month' THEN 2 "
            "WHEN 'year' THEN 3 END",
}
_CANONICAL_LIST = r"[^;\s](?:[^;]*[^;\s])?(?:; [^;\s](?:[^;]*[^;\s])?)*"


def _install_macros(con: duckdb.DuckDBPyConnection) -> None:
    for name, body in _MACROS.items():  # in order: later macros use earlier ones
        con.execute(f"CREATE OR REPLACE TEMP MACRO {name}(x) AS {body}")
    con.execute("CREATE OR REPLACE TEMP MACRO period_end(d, p) AS CASE p "
                "WHEN 'week' THEN d + 3 WHEN 'month' THEN last_day(d) "
                "WHEN 'year' THEN make_date(year(d), 12, 31) ELSE d END")
    con.execute("CREATE OR REPLACE TEMP MACRO period_start(d, p) AS CASE p "
                "WHEN 'week' THEN d - 3 WHEN 'month' THEN date_trunc('month', d)::DATE "
                "WHEN 'year' THEN date_trunc('year', d)::DATE ELSE d END")


def _text_of(name: str, kind: str) -> str:
    """A source column as the readers' text (``readers._text_of``), blank as NULL."""
    column = ident(name)
    if kind == "VARCHAR":
        text = column
    elif kind.endswith("[]"):
        text = f"array_to_string(list_transform({column}, lambda v: v::VARCHAR), '; ')"
    elif kind == "DATE":
        text = f"strftime({column}, '%Y-%m-%d')"
    elif kind.startswith("TIMESTAMP"):
        if kind == "TIMESTAMP WITH TIME ZONE":  # in UTC, as the readers drop the zone
            column = f"({column} AT TIME ZONE 'UTC')"
        text = (f"CASE WHEN {column}::TIME = TIME '00:00:00' THEN strftime({column}::DATE, "
                f"'%Y-%m-%d') ELSE strftime({column}, '%Y-%m-%dT%H:%M:%S') END")
    elif kind in ("DOUBLE", "FLOAT", "REAL"):  # Arrow's cast writes 123.0 as "123"
        text = (f"CASE WHEN isfinite({column}) AND {column} = trunc({column}) AND "
                f"abs({column}) < 1e15 THEN ({column}::BIGINT)::VARCHAR "
                f"ELSE {column}::VARCHAR END")
    elif kind == "BOOLEAN":
        text = f"CASE WHEN {column} THEN 'true' WHEN NOT {column} THEN 'false' END"
    else:
        text = f"{column}::VARCHAR"
    return f"nullif({text}, '')"


@dataclass
class Source:
    """An open DuckDB connection whose views (module docstring) describe one dataset."""

    con: duckdb.DuckDBPyConnection
    label: str  # the data's name in reports and citations (its file, folder or glob)
    files: list[Path]  # the Parquet files (or the database file) read
    has_articles: bool = False
    articles_label: str = ""
    article_files: list[Path] = field(default_factory=list)
    #: the table of the codes of ``events._involved`` (``code``, ``countries``: each
    #: distinct involved list once), when the events carry them (a validated copy)
    involved_lists: str | None = None
    #: the order of the rows as the files hold them: ``_path, _row`` over the files' views;
    #: a validated copy (``duckdb_backend``) orders its events by ``_seq`` and lists each
    #: accepted article (ids unique) by its id
    event_order: str = "_path, _row"
    article_order: str = "_path, _row"
    #: the table of the events' links across datasets (``duckdb_links``: ``_seq`` pairs),
    #: in a validated copy, where ``once=1`` is served; None over the files' views
    event_links: str | None = None
    #: the events report's lines on the articles files found among the data's
    #: (``lake.Lake.notes``): read as the articles, or left out for the ones given
    notes: list[str] = field(default_factory=list)

    def scalar(self, sql: str, params: Iterable[Any] = ()) -> Any:
        """The first value of a query's first row."""
        rows = self.con.execute(sql, list(params)).fetchall()  # fetched to the end: DuckDB 2
        return rows[0][0] if rows else None                      # refuses a pending result


def open_source(data: str, *, table: str | None = None, articles: str | None = None,
                topics: Iterable[str] | None = None, temp_dir: str | None = None,
                rejected: bool = True) -> Source:
    """Views over ``data`` (Parquet file/folder/glob, or a ``.duckdb`` file with ``table``)
    and its articles: ``articles`` (Parquet or CSV) if given, else the articles files among
    a folder's or glob's (``lake.Lake``). Raises LoadError naming the file.
    ``rejected=False`` leaves the rejected rows to be found by the caller (the validated
    copy finds them in the pass that writes it): ``events``, ``articles`` and their
    problem views are then not defined (``find_rejected`` defines them)."""
    # Spilled data goes to the system's temporary folder, not to ``.tmp`` in whatever
    # folder the command runs in (DuckDB's default).
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT,
                                 "temp_directory": temp_dir or str(Path(tempfile.gettempdir())
                                                                   / "dashboard-duckdb")})
    _install_macros(con)
    _lookups(con, topics)
    lake = None
    try:
        if str(data).endswith(".duckdb") or table is not None:
            files = [Path(data)]
            _database_view(con, data, table or "events")
        else:
            lake = lake_files(data)
            files = lake.events
            con.read_parquet([str(f) for f in files], filename=True, file_row_number=True,
                             union_by_name=True).create_view("_source_events")
            con.execute("CREATE TEMP VIEW _keyed_events AS SELECT *, file_row_number + 1 AS _row, "
                        "filename AS _path FROM _source_events")
    except duckdb.Error as err:
        raise LoadError(str(data), Sayable(N_("could not be read by DuckDB ({error})"),
                                           error=_first_line(err))) from None
    source = Source(con, Path(data).name or str(data), files)
    if lake is not None:
        chosen = lake.articles(articles)
        source.notes = lake.notes(source.label, chosen)
    else:
        chosen = None if articles is None else Articles.given(articles)
    with read_errors(str(data)):
        numbers = _raw_view(con, "_keyed_events", "raw_events", EVENT_COLUMNS, data)
        _prepare_events(source, numbers)
        if chosen is not None:
            _open_articles(source, chosen)
        if rejected:
            find_rejected(source)
    return source


def _first_line(err: Exception, limit: int = 200) -> str:
    return str(err).strip().split("\n")[0][:limit]


@contextmanager
def read_errors(label: str) -> Iterator[None]:
    """DuckDB's errors while the views read the files as one LoadError naming the data:
    DuckDB reads lazily, so what it cannot read (a column one file of a folder holds as a
    list and another as text) surfaces in whichever query first meets it. Its first line
    names the file and the column; a longer cut than the open's, so a deep path leaves
    room for them."""
    try:
        yield
    except duckdb.Error as err:
        raise LoadError(label, Sayable(N_("could not be read by DuckDB ({error})"),
                                       error=_first_line(err, 400))) from None


def _database_view(con: duckdb.DuckDBPyConnection, path: str, table: str) -> None:
    if not Path(path).is_file():
        raise LoadError(path, Sayable(N_("no such database file")))
    con.execute(f"ATTACH {lit(str(path))} AS src (READ_ONLY)")  # the operator's own path
    known = con.execute("SELECT count(*) FROM information_schema.tables WHERE "
                        "table_catalog = 'src' AND table_name = ?", [table]).fetchall()
    if not known or not known[0][0]:
        raise LoadError(path, Sayable(N_("has no table {table} (--table names it)"),
                                      table=repr(table)))
    # the whole path, as ``Source.files`` holds it (the copy's ``_seq`` looks the row's
    # file up there; ``_file``, the name reports show, is its last part)
    con.execute(f"CREATE TEMP VIEW _keyed_events AS SELECT *, rowid + 1 AS _row, "
                f"{lit(str(Path(path)))} AS _path FROM src.main.{ident(table)}")


def _lookups(con: duckdb.DuckDBPyConnection, topics: Iterable[str] | None) -> None:
    if topics is None:
        from dashboard.taxonomy import topic_keys

        topics = topic_keys()
    keys = sorted({str(t).strip().lower() for t in topics})
    con.execute("CREATE TEMP TABLE _topics (key VARCHAR)")
    con.execute("CREATE TEMP TABLE _iso3 (code VARCHAR)")
    con.executemany("INSERT INTO _topics VALUES (?)", [[k] for k in keys])
    con.executemany("INSERT INTO _iso3 VALUES (?)", [[c] for c in sorted(validate.iso3_codes())])
    con.execute("CREATE TEMP TABLE _wkt_problems (wkt VARCHAR, problem VARCHAR)")


def _raw_view(con: duckdb.DuckDBPyConnection, keyed: str, name: str, columns: list[str],
              label: str) -> frozenset[str]:
    """Each canonical column as text (missing ones NULL), names matched ignoring case.
    Returns the number columns the file holds as numbers (``n_<column>`` beside the text)."""
    described = con.execute(f"DESCRIBE SELECT * FROM {keyed}").fetchall()
    kinds = {str(row[0]).lower(): (str(row[0]), str(row[1])) for row in described}
    if "event_id" in columns and "event_id" not in kinds:
        raise LoadError(label, Sayable(N_("has no event_id column: not canonical events "
                                          "(convert it with python -m dashboard convert "
                                          "first)")))
    selected = ["_path, _row, regexp_extract(_path, '[^/\\\\]*$') AS _file"]
    numbers = set()
    for column in columns:
        found = kinds.get(column)
        text = _text_of(*found) if found else "NULL::VARCHAR"
        selected.append(f"{text} AS {ident('r_' + column)}")
        if column in NUMBER_COLUMNS:  # a number column read as a number: no text round trip
            native = (f"{ident(found[0])}::DOUBLE" if found and _numeric(found[1])
                      else "NULL::DOUBLE")
            selected.append(f"{native} AS {ident('n_' + column)}")
            if found and _numeric(found[1]):
                numbers.add(column)
    con.execute(f"CREATE TEMP VIEW {name} AS SELECT {', '.join(selected)} FROM {keyed}")
    return frozenset(numbers)


NUMBER_COLUMNS = ("latitude", "longitude", "fatalities")
_NUMERIC = ("DOUBLE", "FLOAT", "REAL", "BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT",
            "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT", "DECIMAL")


def _numeric(kind: str) -> bool:
    """Whether a column's numbers are taken as they are: as ``readers._keeps_type``, not a
    float32 (its shortest text, 52.4, is what the memory engine reads, not the float64
    52.400001525878906 it widens to)."""
    return kind.startswith(_NUMERIC) and kind not in ("FLOAT", "REAL")


def _enum_sql(values: list[str]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


_HINT = validate.DATE_HINT


def _list_words(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


#: where a repeated id was first seen: its row, and its file when that is another one of a
#: folder or glob (rows are numbered within each file)
_FIRST_SEEN = ("' (first seen at row ' || _first_row || CASE WHEN _first_key.f <> _path THEN "
               "' of ' || _first_file ELSE '' END || ')'")

#: (check, reported column, flag, reason) in validate.py's words; the value a line shows is
#: the reported column's raw text.
EVENT_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("event_id_missing", "event_id", "event_id IS NULL",
     lit("missing required field event_id")),
    ("event_id_duplicate", "event_id", "_first_row IS NOT NULL AND _key > _first_key",
     f"'duplicate event_id ' || quoted(event_id) || {_FIRST_SEEN}"),
    ("event_date_bad", "event_date", "event_date IS NOT NULL AND _start IS NULL",
     f"'bad date ' || quoted(event_date) || {lit(f' ({_HINT})')}"),
    ("end_date_bad", "end_date", "_end_text IS NOT NULL AND _end_start IS NULL",
     f"'bad end_date ' || quoted(end_date) || {lit(f' ({_HINT})')}"),
    ("date_precision_unknown", "date_precision",
     f"_given IS NOT NULL AND _given NOT IN {_enum_sql(DATE_PRECISIONS)}",
     f"'unknown date_precision ' || quoted(_given) || "
     f"{lit(f' (expected {_list_words(DATE_PRECISIONS)})')}"),
    ("date_precision_finer", "date_precision",
     f"_given IN {_enum_sql(DATE_PRECISIONS)} AND _shape IS NOT NULL "
     "AND rank(_given) < rank(_shape)",
     "'date_precision ' || quoted(_given) || ' is finer than event_date ' || "
     "quoted(event_date) || ' (a ' || coalesce(_shape, '') || ')'"),
    ("date_precision_undated", "date_precision", "_given IS NOT NULL AND event_date IS NULL",
     "'date_precision ' || quoted(_given) || ' given without an event_date'"),
    ("end_date_undated", "end_date", "end_date IS NOT NULL AND event_date IS NULL",
     "'end_date ' || quoted(end_date) || ' given without an event_date'"),
    ("end_date_before", "end_date", "_end_max < _date_min",
     "'end_date ' || quoted(end_date) || ' is before event_date ' || quoted(event_date)"),
    ("topic_missing", "topic", "topic IS NULL", lit("missing required field topic")),
    ("topic_unknown", "topic", "topic IS NOT NULL AND topic NOT IN (SELECT key FROM _topics)",
     "'unknown topic ' || quoted(topic) || ' (see data/topics.csv)'"),
    ("country_unknown", "country", "country IS NOT NULL AND country NOT IN "
     "(SELECT code FROM _iso3)",
     "'unknown country code ' || quoted(country) || "
     "' (expected ISO 3166-1 alpha-3, e.g. POL)'"),
    ("countries_involved_unknown", "countries_involved",
     "_countries_unknown",
     "'unknown country code in countries_involved ' || quoted(countries_involved) || "
     + lit(" (expected ISO3 codes separated by ';')")),
    ("latitude_not_number", "latitude", "_lat_present AND _lat IS NULL",
     "'latitude ' || quoted(_lat_text) || ' is not a number'"),
    ("latitude_range", "latitude", "_lat NOT BETWEEN -90 AND 90",
     "'latitude ' || coalesce(_lat_text, '') || ' out of range -90..90'"),
    ("longitude_not_number", "longitude", "_lon_present AND _lon IS NULL",
     "'longitude ' || quoted(_lon_text) || ' is not a number'"),
    ("longitude_range", "longitude", "_lon NOT BETWEEN -180 AND 180",
     "'longitude ' || coalesce(_lon_text, '') || ' out of range -180..180'"),
    ("latitude_alone", "longitude", "_lat_present AND NOT _lon_present",
     lit("latitude given without longitude")),
    ("longitude_alone", "latitude", "_lon_present AND NOT _lat_present",
     lit("longitude given without latitude")),
    ("geo_precision_unknown", "geo_precision",
     f"geo_precision IS NOT NULL AND geo_precision NOT IN {_enum_sql(GEO_PRECISIONS)}",
     f"'unknown geo_precision ' || quoted(geo_precision) || "
     f"{lit(f' (expected {_list_words(GEO_PRECISIONS)})')}"),
    ("geometry_bad", "geometry_wkt", "_wkt_problem IS NOT NULL",
     "'bad geometry_wkt: ' || _wkt_problem"),
    ("fatalities_bad", "fatalities", "_deaths_present AND (_deaths IS NULL OR "
     "NOT isfinite(_deaths) OR _deaths < 0 OR _deaths <> floor(_deaths))",
     "'fatalities ' || quoted(_deaths_text) || ' is not a whole number of 0 or more'"),
    ("fatalities_too_large", "fatalities", f"isfinite(_deaths) AND _deaths >= 0 AND "
     f"_deaths = floor(_deaths) AND _deaths > {validate.MAX_FATALITIES}",
     f"'fatalities ' || quoted(_deaths_text) || "
     f"{lit(f' is larger than {validate.MAX_FATALITIES:,}')}"),
    ("verification_missing", "verification", "verification IS NULL",
     lit("missing required field verification")),
    ("verification_unknown", "verification",
     f"verification IS NOT NULL AND verification NOT IN {_enum_sql(VERIFICATION_LEVELS)}",
     f"'unknown verification ' || quoted(verification) || "
     f"{lit(f' (expected {_list_words(VERIFICATION_LEVELS)})')}"),
)


def _number_value(column: str, numbers: frozenset[str]) -> str:
    """``validate._number`` before its finiteness test: a decimal comma accepted; a number
    column of the file is taken as it is (its text would parse back to the same value, and
    writing a million numbers as text costs most of a second: docs/benchmark.md)."""
    if column in numbers:
        return f"n_{column}"
    text = f"token(r_{column})"
    comma = (rf"CASE WHEN contains({text}, ',') THEN regexp_replace({text}, "
             rf"'^(-?\d+),(\d+)$', '\1.\2') ELSE {text} END")
    return f"TRY_CAST({comma} AS DOUBLE)"


def _present(column: str, numbers: frozenset[str]) -> str:
    """A value is given (a number column's text is blank exactly where it is NULL)."""
    return f"(n_{column} IS NOT NULL)" if column in numbers else f"(token(r_{column}) IS NOT NULL)"


def _duplicates_sql(raw: str, column: str) -> str:
    """Each id of ``column`` given more than once, with its first row's key and row: the ids
    that repeat are found first, so the first row is looked for among their rows only (one
    aggregate of a key per id of a million took 3.7 s, counting them a fraction of it)."""
    return f"""WITH ids AS (SELECT token(r_{column}) AS {column}, _path, _row, _file FROM {raw}),
        repeated AS (SELECT {column} FROM ids WHERE {column} IS NOT NULL
                     GROUP BY {column} HAVING count(*) > 1)
        SELECT {column}, min(struct_pack(f := _path, r := _row)) AS _first_key,
               arg_min(_row, struct_pack(f := _path, r := _row)) AS _first_row,
               arg_min(_file, struct_pack(f := _path, r := _row)) AS _first_file
        FROM ids SEMI JOIN repeated USING ({column}) GROUP BY {column}"""


def _prepare_events(source: Source, numbers: frozenset[str]) -> None:
    con = source.con
    con.execute(f"CREATE TEMP TABLE _duplicates AS {_duplicates_sql('raw_events', 'event_id')}")
    _find_wkt_problems(con)
    # like validate's _country_lists: each distinct list normalised and checked once; each
    # distinct normalised list gets a code (``_involved``, NULL for none), so a validated
    # copy tests a country against a few thousand lists, not against every row's text
    con.execute("""CREATE TEMP TABLE _country_lists AS SELECT raw, countries_involved,
        len(list_filter(list_items(countries_involved),
                        lambda c: NOT list_contains(codes, c))) > 0 AS _countries_unknown,
        CASE WHEN countries_involved IS NOT NULL THEN
            (dense_rank() OVER (ORDER BY countries_involved))::INTEGER END AS _involved
        FROM (SELECT raw, join_list(upper(token(raw))) AS countries_involved
              FROM (SELECT DISTINCT r_countries_involved AS raw FROM raw_events)),
             (SELECT list(code) AS codes FROM _iso3)""")
    _date_spans(con)
    _code_values(con)
    _event_views(con, "raw_events", "", numbers)
    rejected_any = " OR ".join(f"coalesce({flag}, false)" for _, _, flag, _ in EVENT_RULES)
    con.execute(f"""CREATE TEMP VIEW _checked_events AS SELECT
        event_id, event_date, _precision AS date_precision, end_date, topic, sub_type, country,
        countries_involved, admin1, location, _lat AS latitude, _lon AS longitude,
        geo_precision, geometry_wkt, actors, summary,
        CASE WHEN _deaths <= {validate.MAX_FATALITIES} THEN TRY_CAST(_deaths AS BIGINT)
             END AS fatalities,
        verification, article_ids, source_dataset, source_category,
        _date_min AS date_min,
        CASE WHEN _end_max > _date_max THEN _end_max ELSE _date_max END AS date_max,
        _involved, _key, _file, _row, _path, {rejected_any} AS _rejected
        FROM prepared_events""")
    # the rules' flags and the problem lines are read from the rejected rows only: the same
    # views over those rows alone, so nothing is worked out again for the accepted ones
    _rejected_rows(source, "events", EVENT_COLUMNS)
    _event_views(con, "_rejected_raw_events", "_of_rejected", numbers)
    con.execute(f"CREATE TEMP VIEW _flagged_events AS SELECT *, {_flags_sql(EVENT_RULES)} "
                "FROM prepared_events_of_rejected")


def _rejected_rows(source: Source, noun: str, columns: list[str]) -> None:
    """``_rejected_<noun>`` (the rejected rows' file and row, filled by ``find_rejected``
    or by whoever evaluates ``_checked_<noun>`` first) and ``_rejected_raw_<noun>``, the
    raw view of those rows alone."""
    con = source.con
    con.execute(f"CREATE TEMP TABLE _rejected_{noun} (_path VARCHAR, _row BIGINT)")
    con.execute(f"CREATE TEMP VIEW _rejected_keyed_{noun} AS SELECT * FROM _keyed_{noun} "
                f"SEMI JOIN _rejected_{noun} USING (_path, _row)")
    _raw_view(con, f"_rejected_keyed_{noun}", f"_rejected_raw_{noun}", columns, source.label)


def _flags_sql(rules: tuple[tuple[str, str, str, str], ...]) -> str:
    return ", ".join(f"coalesce({flag}, false) AS {ident('_' + check)}"
                     for check, _, flag, _ in rules)


def find_rejected(source: Source) -> None:
    """Evaluate the rules over every row once, keep the rejected rows' file and row, and
    define the accepted rows (``events``, ``articles``: an anti-join with that short list)
    and their problem lines (``event_problems``, ``article_problems``)."""
    con = source.con
    nouns = ["events"] + (["articles"] if source.has_articles else [])
    for noun in nouns:
        con.execute(f"INSERT INTO _rejected_{noun} SELECT _path, _row FROM _checked_{noun} "
                    "WHERE _rejected")
        con.execute(f"CREATE TEMP VIEW {noun} AS SELECT * EXCLUDE (_rejected) FROM "
                    f"_checked_{noun} ANTI JOIN _rejected_{noun} USING (_path, _row)")
    con.execute(f"CREATE TEMP VIEW event_problems AS {_problems_sql('events', EVENT_RULES)}")
    if source.has_articles:
        con.execute("CREATE TEMP VIEW article_problems AS "
                    f"{_problems_sql('articles', ARTICLE_RULES)}")


def _problems_sql(table: str, rules: tuple[tuple[str, str, str, str], ...]) -> str:
    """One problem line per broken rule of each flagged row of ``table`` (``events`` or
    ``articles``: its view ``_flagged_<table>``), in the load report's columns."""
    return " UNION ALL ".join(
        f"SELECT _file AS file, {lit(table)} AS \"table\", _row AS row, {lit(column)} AS "
        f"\"column\", left(r_{column}, {validate._MAX_VALUE}) AS value, {reason} AS reason, "
        f"_key FROM _flagged_{table} WHERE {ident('_' + check)}"
        for check, column, _, reason in rules)


#: The raw texts a row's dates are worked out from, and what ``_date_spans`` makes of them.
_DATE_KEYS = (("r_event_date", "_k_date"), ("r_date_precision", "_k_precision"),
              ("r_end_date", "_k_end"))
_DATE_COLUMNS = ("event_date", "_given", "end_date", "_start", "_shape", "_end_text",
                 "_end_start", "_precision", "_date_min", "_date_max", "_end_max")


#: The code columns worked out once per distinct combination (``_code_values``): the
#: column, its raw text's name there and its normalised value.
_CODES = (("topic", "_k_topic", "lower(token(_k_topic))"),
          ("country", "_k_country", "upper(token(_k_country))"),
          ("geo_precision", "_k_geo", "lower(token(_k_geo))"),
          ("verification", "_k_verification", "lower(token(_k_verification))"))


def _code_values(con: duckdb.DuckDBPyConnection) -> None:
    """Each distinct combination of the code columns' texts trimmed and cased once: a
    million rows hold a few thousand, and reading them back through a join costs a tenth
    of trimming and casing the four columns of every row (docs/benchmark.md)."""
    keys = ", ".join(f"r_{column} AS {key}" for column, key, _ in _CODES)
    values = ", ".join(f"{sql} AS {column}" for column, _, sql in _CODES)
    con.execute(f"CREATE TEMP TABLE _code_values AS SELECT *, {values} "
                f"FROM (SELECT DISTINCT {keys} FROM raw_events)")


def _date_spans(con: duckdb.DuckDBPyConnection) -> None:
    """Each distinct (event_date, date_precision, end_date) of the file worked out once, as
    validate's ``parse_partial_dates`` does: a file of a million events has a few thousand, and the
    partial dates' expressions (a shape, a parse, a period's start and end) cost seconds
    per column of a million rows (docs/benchmark.md)."""
    keys = ", ".join(f"{raw} AS {key}" for raw, key in _DATE_KEYS)
    precisions = _enum_sql(DATE_PRECISIONS)
    con.execute(f"""CREATE TEMP TABLE _date_spans AS
        WITH given AS (SELECT _k_date, _k_precision, _k_end,
            day_text(token(_k_date)) AS event_date,
            lower(token(_k_precision)) AS _given,
            day_text(lower(token(_k_end))) AS end_date
            FROM (SELECT DISTINCT {keys} FROM raw_events)),
        dated AS (SELECT *,
            in_years(first_day(event_date)) AS _start,
            nullif(end_date, {lit(ONGOING)}) AS _end_text,
            in_years(first_day(nullif(end_date, {lit(ONGOING)}))) AS _end_start
            FROM given),
        shaped AS (SELECT *,
            CASE WHEN _start IS NOT NULL THEN date_shape(event_date) END AS _shape
            FROM dated),
        bounded AS (SELECT *,
            coalesce(_given, _shape) AS _precision,
            CASE WHEN _given IS NULL OR _given IN {precisions} THEN coalesce(_given, _shape)
                 END AS _period,
            CASE WHEN _end_start IS NOT NULL THEN date_shape(_end_text) END AS _end_shape
            FROM shaped)
        SELECT _k_date, _k_precision, _k_end, {", ".join(_DATE_COLUMNS[:8])},
            period_start(_start, _period) AS _date_min,
            period_end(_start, _period) AS _date_max,
            period_end(_end_start, _end_shape) AS _end_max
        FROM bounded""")


def _event_views(con: duckdb.DuckDBPyConnection, raw: str, suffix: str,
                 numbers: frozenset[str]) -> None:
    """``prepared_events`` (named with ``suffix``) and the views under it, over ``raw``
    (``numbers``: its number columns held as numbers, ``_raw_view``)."""
    dates = " AND ".join(f"ds.{key} IS NOT DISTINCT FROM {raw}.{column}"
                         for column, key in _DATE_KEYS)
    codes = " AND ".join(f"cv.{key} IS NOT DISTINCT FROM {raw}.r_{column}"
                         for column, key, _ in _CODES)
    con.execute(f"""CREATE TEMP VIEW _normalised_events{suffix} AS SELECT
        _path, _row, _file, struct_pack(f := _path, r := _row) AS _key,
        token(r_event_id) AS event_id,
        {", ".join(f"ds.{c}" for c in _DATE_COLUMNS)},
        {", ".join(f"cv.{column}" for column, _, _ in _CODES)},
        blank_null(r_sub_type) AS sub_type,
        ci.countries_involved, ci._countries_unknown, ci._involved,
        blank_null(r_admin1) AS admin1,
        blank_null(r_location) AS location,
        token(r_latitude) AS _lat_text, token(r_longitude) AS _lon_text,
        {_present('latitude', numbers)} AS _lat_present,
        {_present('longitude', numbers)} AS _lon_present,
        {_number_value('latitude', numbers)} AS _lat_value,
        {_number_value('longitude', numbers)} AS _lon_value,
        {_number_value('fatalities', numbers)} AS _deaths,
        {_present('fatalities', numbers)} AS _deaths_present,
        token(r_geometry_wkt) AS geometry_wkt,
        {_list_sql('r_actors')} AS actors,
        blank_null(r_summary) AS summary,
        token(r_fatalities) AS _deaths_text,
        {_list_sql('r_article_ids')} AS article_ids,
        coalesce(blank_null(r_source_dataset), _file) AS source_dataset,
        blank_null(r_source_category) AS source_category,
        {", ".join(f"r_{c}" for c in EVENT_COLUMNS)}
        FROM {raw} LEFT JOIN _country_lists ci
        ON ci.raw IS NOT DISTINCT FROM {raw}.r_countries_involved
        LEFT JOIN _date_spans ds ON {dates}
        LEFT JOIN _code_values cv ON {codes}""")
    con.execute(f"""CREATE TEMP VIEW _located_events{suffix} AS SELECT *,
        CASE WHEN isfinite(_lat_value) THEN _lat_value END AS _lat,
        CASE WHEN isfinite(_lon_value) THEN _lon_value END AS _lon
        FROM _normalised_events{suffix}""")
    con.execute(f"""CREATE TEMP VIEW prepared_events{suffix} AS SELECT b.*, d._first_key,
        d._first_row, d._first_file, w.problem AS _wkt_problem
        FROM _located_events{suffix} b LEFT JOIN _duplicates d USING (event_id)
        LEFT JOIN _wkt_problems w ON w.wkt = b.geometry_wkt""")


def _list_sql(column: str) -> str:
    """``validate.normalise_list``: canonical ``A; B`` text as it is, anything else re-joined."""
    text = f"blank_null({column})"
    return (f"CASE WHEN regexp_full_match({text}, {lit(_CANONICAL_LIST)}) THEN {text} "
            f"ELSE join_list({text}) END")


WKT_BATCH = 100_000


def _find_wkt_problems(con: duckdb.DuckDBPyConnection) -> None:
    """Distinct shapes read by shapely in batches: a problem for each one it cannot read
    or that leaves the lon/lat ranges (``validate._wkt_problems``'s words)."""
    reader = arrow_batches(con, "SELECT DISTINCT token(r_geometry_wkt) AS wkt FROM raw_events "
                                "WHERE token(r_geometry_wkt) IS NOT NULL", [], WKT_BATCH)
    found: list[pd.DataFrame] = []
    for batch in reader:
        texts = pd.Series(batch.column(0).to_pylist(), dtype="str")
        problems = validate._wkt_problems(texts)
        bad = problems.notna()
        if bad.any():
            found.append(pd.DataFrame({"wkt": texts[bad], "problem": problems[bad]}))
    for frame in found:
        con.register("_wkt_batch", frame)
        con.execute("INSERT INTO _wkt_problems SELECT wkt, problem FROM _wkt_batch")
        con.unregister("_wkt_batch")


# -- articles ----------------------------------------------------------------------------------

ARTICLE_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("article_id_missing", "article_id", "article_id IS NULL",
     lit("missing required field article_id")),
    ("article_id_duplicate", "article_id", "_first_row IS NOT NULL AND _key > _first_key",
     f"'duplicate article_id ' || quoted(article_id) || {_FIRST_SEEN}"),
    ("url_bad", "url", f"url IS NOT NULL AND NOT regexp_full_match(url, "
     f"{lit(validate._URL_RE)}, 'i')", "'url ' || quoted(url) || ' is not an http(s) address'"),
    ("published_bad", "published", "published IS NOT NULL AND _published_start IS NULL",
     f"'bad published date ' || quoted(published) || {lit(f' ({_HINT})')}"),
)


def _article_values(con: duckdb.DuckDBPyConnection) -> None:
    """Each distinct (published, language) of the articles worked out once (as
    ``_date_spans`` for the events): the date's text, its first day, the language."""
    con.execute("""CREATE TEMP TABLE _article_values AS SELECT *,
        in_years(first_day(published)) AS _published_start FROM (
        SELECT _k_published, _k_language, day_text(token(_k_published)) AS published,
               token(_k_language) AS language
        FROM (SELECT DISTINCT r_published AS _k_published, r_language AS _k_language
              FROM raw_articles))""")


def _article_views(con: duckdb.DuckDBPyConnection, raw: str, suffix: str) -> None:
    """``_normalised_articles`` (named with ``suffix``) over ``raw``."""
    con.execute(f"""CREATE TEMP VIEW _normalised_articles{suffix} AS SELECT _path, _row, _file,
        struct_pack(f := _path, r := _row) AS _key,
        token(r_article_id) AS article_id, blank_null(r_title) AS title,
        blank_null(r_outlet) AS outlet, token(r_url) AS url,
        av.published, av.language, av._published_start,
        blank_null(r_summary) AS summary, {", ".join(f"r_{c}" for c in ARTICLE_COLUMNS)}
        FROM {raw} LEFT JOIN _article_values av
        ON av._k_published IS NOT DISTINCT FROM {raw}.r_published
        AND av._k_language IS NOT DISTINCT FROM {raw}.r_language""")


def _open_articles(source: Source, articles: Articles) -> None:
    con = source.con
    try:
        if articles.text:
            path = articles.name
            con.read_csv(path, all_varchar=True, header=True).create_view("_source_articles")
            # a view cannot hold a bound parameter: the operator's own path, as a literal
            con.execute("CREATE TEMP VIEW _keyed_articles AS SELECT *, row_number() OVER () "
                        f"AS _row, {lit(path)} AS _path FROM _source_articles")
        else:
            con.read_parquet([str(f) for f in articles.files], filename=True,
                             file_row_number=True,
                             union_by_name=True).create_view("_source_articles")
            con.execute("CREATE TEMP VIEW _keyed_articles AS SELECT *, file_row_number + 1 "
                        "AS _row, filename AS _path FROM _source_articles")
        described = {str(r[0]).lower() for r in
                     con.execute("DESCRIBE SELECT * FROM _keyed_articles").fetchall()}
    except duckdb.Error as err:
        raise LoadError(articles.name, Sayable(N_("could not be read by DuckDB ({error})"),
                                               error=_first_line(err))) from None
    if "article_id" not in described:
        raise LoadError(articles.name,
                        Sayable(N_("an articles file needs an 'article_id' column")))
    _raw_view(con, "_keyed_articles", "raw_articles", ARTICLE_COLUMNS, articles.name)
    con.execute("CREATE TEMP TABLE _article_duplicates AS "
                f"{_duplicates_sql('raw_articles', 'article_id')}")
    _article_values(con)
    _article_views(con, "raw_articles", "")
    rejected_any = " OR ".join(f"coalesce({flag}, false)" for _, _, flag, _ in ARTICLE_RULES)
    con.execute(f"""CREATE TEMP VIEW _checked_articles AS SELECT
        {", ".join(ARTICLE_COLUMNS)}, _key, _path, _row, {rejected_any} AS _rejected
        FROM _normalised_articles LEFT JOIN _article_duplicates d USING (article_id)""")
    _rejected_rows(source, "articles", ARTICLE_COLUMNS)
    _article_views(con, "_rejected_raw_articles", "_of_rejected")
    con.execute(f"""CREATE TEMP VIEW _flagged_articles AS SELECT *, {_flags_sql(ARTICLE_RULES)}
        FROM _normalised_articles_of_rejected
        LEFT JOIN _article_duplicates d USING (article_id)""")
    source.has_articles = True
    source.articles_label = articles.label
    source.article_files = articles.files
