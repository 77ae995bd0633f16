"""Canonical events (and articles) read by Spark, checked by the memory engine's rules.

The Spark twin of ``duckdb_tables``: the same stages, the same rules and the same reason
texts, written as PySpark column expressions (every constant a literal of the plan, so
neither a file's text nor a user's value is ever parsed as SQL).

- ``raw``: every row as the readers would hand it over (each cell text: lists joined
  ``A; B``, dates ISO, numbers as text), with its file and 1-based row
  (``_metadata.file_path`` and ``row_index``, so the order is the files' own);
- the prepared rows: ``validate._prepare_events``'s values (trimmed ids and codes, lower or
  upper case, partial dates, ``date_min``/``date_max`` at their precision, the ``ongoing``
  end) and one flag per rule of ``validate.py`` (``EVENT_RULES``);
- ``problems``: one line per failed rule (file, table, row, column, value, reason);
- ``events``: the accepted rows, which the filters and exports read;
- ``links``: the events linked across datasets, found once here (``spark_links``).

Opening runs two jobs over the data, one for the rejected rows (with their raw values,
for the report) and one for the accepted rows; both are kept as local checkpoints, so a
filter afterwards reads the checked rows, not the files again. Duplicate ids and the
distinct shapes (read by shapely on the driver, as DuckDB's engine does) are found first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pandas as pd

from dashboard import validate
from dashboard.engines import spark_links
from dashboard.engines.lake import Articles, Lake, lake_files
from dashboard.engines.spark_session import get_session, remote
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

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

#: The characters Python's ``str.strip`` removes (``str.isspace``): Spark's ``btrim`` with
#: them strips exactly what ``validate.clean_token`` strips.
SPACES = "".join(ch for ch in map(chr, range(0x3001)) if ch.isspace())
NUMBER_COLUMNS = ("latitude", "longitude", "fatalities")
#: The text a float parse accepts (Java's also takes ``1d``, ``0x1p3``; Python's does not).
_FLOAT_TEXT = r"(?i)^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf|infinity|nan)$"
_CANONICAL_LIST = validate._CANONICAL_LIST


def _f() -> Any:
    from pyspark.sql import functions

    return functions


# -- the expressions duckdb_tables keeps as macros --------------------------------------------


def strip(x: Column) -> Column:
    return _f().btrim(x, _f().lit(SPACES))


def blank_null(x: Column) -> Column:
    """The value unchanged, or NULL when it is empty or only spaces."""
    F = _f()
    return F.when(strip(x) == "", F.lit(None).cast("string")).otherwise(x)


def token(x: Column) -> Column:
    return _f().nullif(strip(x), _f().lit(""))


def list_items(x: Column) -> Column:
    """A stored ``A; B`` list as its items (split on ``;``, trimmed, blanks dropped)."""
    F = _f()
    return F.filter(F.transform(F.split(x, ";"), strip), lambda s: s != "")


def join_list(x: Column) -> Column:
    """``schema.join_list``: the items, first occurrences only, joined ``; ``."""
    F = _f()
    return F.nullif(F.array_join(F.array_distinct(list_items(x)), "; "), F.lit(""))


def quoted(x: Column) -> Column:
    F = _f()
    return F.concat(F.lit("'"), F.substring(F.coalesce(x, F.lit("")), 1, 80), F.lit("'"))


def day_text(x: Column) -> Column:
    return _f().regexp_replace(x, validate._TIME_SUFFIX, "$1")


def date_shape(x: Column) -> Column:
    F = _f()
    whole = x.rlike(f"^(?:{validate._DATE_SHAPE})$")
    return F.when(whole, F.when(F.length(x) == 10, "day").when(F.length(x) == 7, "month")
                  .when(F.length(x) == 4, "year"))


def first_day(x: Column) -> Column:
    F = _f()

    def parse(text: Column) -> Column:
        return F.call_function("try_to_date", text, F.lit("yyyy-MM-dd"))

    shape = date_shape(x)
    return (F.when(shape == "day", parse(x))
            .when(shape == "month", parse(F.concat(x, F.lit("-01"))))
            .when(shape == "year", parse(F.concat(x, F.lit("-01-01")))))


def in_years(x: Column) -> Column:
    """The date where pandas' nanosecond timestamps hold it (years 1678 to 2261)."""
    F = _f()
    return F.when(F.year(x).between(1678, 2261), x)


def rank(x: Column) -> Column:
    F = _f()
    return (F.when(x == "day", 0).when(x == "week", 1).when(x == "month", 2)
            .when(x == "year", 3))


def period_end(d: Column, p: Column) -> Column:
    F = _f()
    return (F.when(p == "week", F.date_add(d, 3)).when(p == "month", F.last_day(d))
            .when(p == "year", F.make_date(F.year(d), F.lit(12), F.lit(31))).otherwise(d))


def period_start(d: Column, p: Column) -> Column:
    F = _f()
    return (F.when(p == "week", F.date_sub(d, 3))
            .when(p == "month", F.trunc(d, "month")).when(p == "year", F.trunc(d, "year"))
            .otherwise(d))


def finite(x: Column) -> Column:
    F = _f()
    return ~F.isnan(x) & (F.abs(x) != float("inf"))


def _text_of(column: str, kind: str) -> Column:
    """A source column as the readers' text (``readers._text_of``), blank as NULL."""
    F = _f()
    value = F.col(f"`{column}`")
    if kind == "string":
        text = value
    elif kind.startswith("array"):
        text = F.array_join(F.transform(value, lambda v: v.cast("string")), "; ")
    elif kind == "date":
        text = F.date_format(value, "yyyy-MM-dd")
    elif kind.startswith("timestamp"):
        text = F.when(F.date_format(value, "HH:mm:ss.SSSSSS") == "00:00:00.000000",
                      F.date_format(value, "yyyy-MM-dd")) \
            .otherwise(F.date_format(value, "yyyy-MM-dd'T'HH:mm:ss"))
    elif kind == "boolean":
        text = F.when(value, "true").when(~value, "false")
    else:
        text = value.cast("string")
    return F.nullif(text, F.lit(""))


#: the number types taken as they are (``readers._keeps_type``); not a float32, whose
#: shortest text (52.4) is what the memory engine reads, not the float64 it widens to
_NUMERIC = ("double", "bigint", "int", "smallint", "tinyint", "decimal")


# -- the source ---------------------------------------------------------------------------------


@dataclass
class Source:
    """One dataset read by Spark: the checked events (and articles) and their problems."""

    spark: SparkSession
    label: str  # the data's name in reports and citations (its file, folder, glob or table)
    files: list[Path]  # the files read that this machine can read (hashed in citations)
    read: int = 0
    events: Any = None  # DataFrame: the accepted events (EVENT_COLUMNS, dates, _path, _row)
    problems: Any = None  # DataFrame: one line per failed rule (file, table, row, column, ...)
    has_articles: bool = False
    articles_label: str = ""
    article_files: list[Path] = field(default_factory=list)
    articles_read: int = 0
    articles: Any = None
    article_problems: Any = None
    #: the events' columns as the files (or the table) name them, for the load warnings
    columns: list[str] = field(default_factory=list)
    #: the files a Connect server read that this machine cannot (events', then articles'):
    #: named in citations, their SHA-256 said to be unknown
    unread_files: list[str] = field(default_factory=list)
    #: the events linked across datasets (``spark_links.Links``), None with fewer than two
    links: Any = None
    #: the events report's lines on the articles files found among the data's
    #: (``lake.Lake.notes``): read as the articles, or left out for the ones given
    notes: list[str] = field(default_factory=list)


def lake_paths(data: str) -> tuple[list[str], Lake | None]:
    """What Spark reads for a ``--data`` and the local files behind it: on this machine
    the events files of a file, a folder (its ``*.parquet``, any depth) or a glob, sorted
    by path as the duckdb engine reads them, told apart from the articles files among them
    (``lake.lake_files``; LoadError when none); on a Connect server the path as given,
    whose files only the server lists."""
    if remote():
        return [data], None
    lake = lake_files(data)
    return [str(f.resolve()) for f in lake.events], lake


def server_files(uris: Iterable[str],
                 sizes: Mapping[Path, int]) -> tuple[list[Path], list[str]]:
    """The files a Spark Connect server says it reads (``DataFrame.inputFiles()``, URIs),
    sorted: those at a local path this machine can read (the server's machine or a shared
    file system) holding as many bytes as the server's file there (``sizes``, by path),
    which it hashes as local mode does, and the names of the others (``s3a://``,
    ``hdfs://``, a path only the server has, or a file of another size at the same path),
    whose SHA-256 it cannot know. (A different file of the very same size is not told
    apart: only the server could hash its own.)"""
    readable: list[Path] = []
    unread: list[str] = []
    for uri in sorted(uris):
        parts = urlsplit(uri)
        path = _local_path(uri)
        if parts.scheme in ("", "file") and not parts.netloc and path.is_file() \
                and sizes.get(path) == path.stat().st_size:
            readable.append(path)
        else:
            unread.append(unquote(parts.path.rstrip("/").rsplit("/", 1)[-1]) or uri)
    return readable, unread


def _server_sizes(frame: DataFrame) -> dict[Path, int]:
    """The size of each file behind ``frame`` as the server sees it (``_metadata``), by
    local path (from the files' listing and footers: no column of the data is read)."""
    F = _f()
    rows = frame.select(F.col("_metadata.file_path"), F.col("_metadata.file_size")).distinct()
    return {_local_path(str(uri)): int(size) for uri, size in rows.collect()}


def _local_path(uri: str) -> Path:
    """The path part of a file URI as this machine's file system names it."""
    return Path(unquote(urlsplit(uri).path))


def _files_read(frame: DataFrame, files: list[Path]) -> tuple[list[Path], list[str]]:
    """The files behind ``frame`` (as read, before ``_keyed``) a citation names: local
    mode's own listing, or on a Connect server the files it says it reads
    (``server_files``)."""
    return server_files(frame.inputFiles(), _server_sizes(frame)) if remote() \
        else (files, [])


def _first_line(err: Exception) -> str:
    return str(err).strip().split("\n")[0][:200]


def _decoded(uri_part: Column) -> Column:
    """A path as Spark's ``_metadata`` gives it (a URI: a space is ``%20``) as the file
    system names it; a ``+`` in a URI's path is a plus, which ``url_decode`` would not keep."""
    F = _f()
    return F.url_decode(F.replace(uri_part, F.lit("+"), F.lit("%2B")))


def _keyed(frame: DataFrame) -> DataFrame:
    """The rows with their file (``_path``, ``_file``) and 1-based row in it (``_row``)."""
    F = _f()
    return frame.select("*", _decoded(F.col("_metadata.file_path")).alias("_path"),
                        _decoded(F.col("_metadata.file_name")).alias("_file"),
                        (F.col("_metadata.row_index") + 1).alias("_row"))


def _read_parquet(spark: SparkSession, paths: list[str]) -> DataFrame:
    return (spark.read.option("mergeSchema", "true").option("recursiveFileLookup", "true")
            .option("pathGlobFilter", "*.parquet").parquet(*paths))


def open_source(data: str | None, *, table: str | None = None, articles: str | None = None,
                topics: Iterable[str] | None = None,
                spark: SparkSession | None = None) -> Source:
    """The checked events of ``data`` (Parquet file/folder/glob) or of the catalog table
    ``table``, and of their articles: ``articles`` (Parquet or CSV) if given, else the
    articles files among a local folder's or glob's (``lake.Lake``). LoadError names the
    file or table that cannot be read."""
    spark = spark or get_session()
    lake = None
    try:
        if table is not None:
            label, files = table, list[Path]()
            read = spark.table(table)
            source_rows = _keyed(read)
        else:
            if not data:
                raise LoadError("spark", Sayable(N_("give a Parquet path (--data) or a table "
                                                    "(--table)")))
            paths, lake = lake_paths(data)
            files = [] if lake is None else lake.events
            label = Path(data).name or data
            read = _read_parquet(spark, paths)
            source_rows = _keyed(read)
        files, unread = _files_read(read, files)
        raw = _raw(source_rows, EVENT_COLUMNS, table or data or "")
    except LoadError:
        raise
    except Exception as err:  # Spark's AnalysisException and friends
        raise LoadError(str(table or data), Sayable(N_("could not be read by Spark ({error})"),
                                                    error=_first_line(err))) from None
    source = Source(spark, label, files, unread_files=unread, columns=list(read.columns))
    _check_events(source, raw, topics)
    source.links = spark_links.find(source.events, spark)
    if lake is not None:
        chosen = lake.articles(articles)
        source.notes = lake.notes(label, chosen)
    else:
        chosen = None if articles is None else Articles.given(articles, local=not remote())
    if chosen is not None:
        _open_articles(source, chosen)
    return source


def _raw(keyed: DataFrame, columns: list[str], label: str) -> DataFrame:
    """Each canonical column as text (missing ones NULL), names matched ignoring case, and
    the number columns also as numbers where the file holds numbers (``n_``)."""
    F = _f()
    kinds = {f.name.lower(): (f.name, f.dataType.simpleString()) for f in keyed.schema.fields
             if not f.name.startswith("_")}
    if columns[0] not in kinds:
        message = (N_("has no event_id column: not canonical events (convert it with python "
                      "-m dashboard convert first)") if columns[0] == "event_id" else
                   N_("has no article_id column: not canonical articles (convert it with "
                      "python -m dashboard convert first)"))
        raise LoadError(label, Sayable(message))
    selected = [F.col("_path"), F.col("_row"), F.col("_file")]
    for column in columns:
        found = kinds.get(column)
        text = _text_of(*found) if found else F.lit(None).cast("string")
        selected.append(text.alias("r_" + column))
        if column in NUMBER_COLUMNS:
            native = (F.col(f"`{found[0]}`").cast("double")
                      if found and found[1].startswith(_NUMERIC) else F.lit(None).cast("double"))
            selected.append(native.alias("n_" + column))
    return keyed.select(*selected)


def _list_words(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


_HINT = validate.DATE_HINT
Rule = tuple[str, str, Callable[[Any], Any], Callable[[Any], Any]]


def _event_rules(topics: list[str], iso3: list[str]) -> tuple[Rule, ...]:
    """(check, reported column, flag, reason) in validate.py's words, as duckdb_tables'
    ``EVENT_RULES``; flag and reason take ``F.col`` and give a column."""
    F = _f()
    lit = F.lit

    def cat(*parts: Any) -> Any:
        return F.concat(*[lit(p) if isinstance(p, str) else p for p in parts])

    return (
        ("event_id_missing", "event_id", lambda c: c("event_id").isNull(),
         lambda c: lit("missing required field event_id")),
        ("event_id_duplicate", "event_id",
         lambda c: c("_first_row").isNotNull() & (c("_key") > c("_first_key")),
         lambda c: cat("duplicate event_id ", quoted(c("event_id")), first_seen(c))),
        ("event_date_bad", "event_date",
         lambda c: c("event_date").isNotNull() & c("_start").isNull(),
         lambda c: cat("bad date ", quoted(c("event_date")), f" ({_HINT})")),
        ("end_date_bad", "end_date",
         lambda c: c("_end_text").isNotNull() & c("_end_start").isNull(),
         lambda c: cat("bad end_date ", quoted(c("end_date")), f" ({_HINT})")),
        ("date_precision_unknown", "date_precision",
         lambda c: c("_given").isNotNull() & ~c("_given").isin(DATE_PRECISIONS),
         lambda c: cat("unknown date_precision ", quoted(c("_given")),
                       f" (expected {_list_words(DATE_PRECISIONS)})")),
        ("date_precision_finer", "date_precision",
         lambda c: c("_given").isin(DATE_PRECISIONS) & c("_shape").isNotNull()
         & (rank(c("_given")) < rank(c("_shape"))),
         lambda c: cat("date_precision ", quoted(c("_given")), " is finer than event_date ",
                       quoted(c("event_date")), " (a ", F.coalesce(c("_shape"), lit("")), ")")),
        ("date_precision_undated", "date_precision",
         lambda c: c("_given").isNotNull() & c("event_date").isNull(),
         lambda c: cat("date_precision ", quoted(c("_given")), " given without an event_date")),
        ("end_date_undated", "end_date",
         lambda c: c("end_date").isNotNull() & c("event_date").isNull(),
         lambda c: cat("end_date ", quoted(c("end_date")), " given without an event_date")),
        ("end_date_before", "end_date", lambda c: c("_end_max") < c("_date_min"),
         lambda c: cat("end_date ", quoted(c("end_date")), " is before event_date ",
                       quoted(c("event_date")))),
        ("topic_missing", "topic", lambda c: c("topic").isNull(),
         lambda c: lit("missing required field topic")),
        ("topic_unknown", "topic", lambda c: c("topic").isNotNull() & ~c("topic").isin(topics),
         lambda c: cat("unknown topic ", quoted(c("topic")), " (see data/topics.csv)")),
        ("country_unknown", "country",
         lambda c: c("country").isNotNull() & ~c("country").isin(iso3),
         lambda c: cat("unknown country code ", quoted(c("country")),
                       " (expected ISO 3166-1 alpha-3, e.g. POL)")),
        ("countries_involved_unknown", "countries_involved",
         lambda c: F.exists(list_items(c("countries_involved")), lambda v: ~v.isin(iso3)),
         lambda c: cat("unknown country code in countries_involved ",
                       quoted(c("countries_involved")),
                       " (expected ISO3 codes separated by ';')")),
        ("latitude_not_number", "latitude", lambda c: c("_lat_present") & c("_lat").isNull(),
         lambda c: cat("latitude ", quoted(c("_lat_text")), " is not a number")),
        ("latitude_range", "latitude", lambda c: ~c("_lat").between(-90, 90),
         lambda c: cat("latitude ", F.coalesce(c("_lat_text"), lit("")),
                       " out of range -90..90")),
        ("longitude_not_number", "longitude", lambda c: c("_lon_present") & c("_lon").isNull(),
         lambda c: cat("longitude ", quoted(c("_lon_text")), " is not a number")),
        ("longitude_range", "longitude", lambda c: ~c("_lon").between(-180, 180),
         lambda c: cat("longitude ", F.coalesce(c("_lon_text"), lit("")),
                       " out of range -180..180")),
        ("latitude_alone", "longitude", lambda c: c("_lat_present") & ~c("_lon_present"),
         lambda c: lit("latitude given without longitude")),
        ("longitude_alone", "latitude", lambda c: c("_lon_present") & ~c("_lat_present"),
         lambda c: lit("longitude given without latitude")),
        ("geo_precision_unknown", "geo_precision",
         lambda c: c("geo_precision").isNotNull() & ~c("geo_precision").isin(GEO_PRECISIONS),
         lambda c: cat("unknown geo_precision ", quoted(c("geo_precision")),
                       f" (expected {_list_words(GEO_PRECISIONS)})")),
        ("geometry_bad", "geometry_wkt", lambda c: c("_wkt_problem").isNotNull(),
         lambda c: cat("bad geometry_wkt: ", c("_wkt_problem"))),
        ("fatalities_bad", "fatalities",
         lambda c: c("_deaths_present") & (c("_deaths").isNull() | ~finite(c("_deaths"))
                                           | (c("_deaths") < 0) | (c("_deaths") % 1 != 0)),
         lambda c: cat("fatalities ", quoted(c("_deaths_text")),
                       " is not a whole number of 0 or more")),
        ("fatalities_too_large", "fatalities",
         lambda c: finite(c("_deaths")) & (c("_deaths") >= 0) & (c("_deaths") % 1 == 0)
         & (c("_deaths") > float(validate.MAX_FATALITIES)),
         lambda c: cat("fatalities ", quoted(c("_deaths_text")),
                       f" is larger than {validate.MAX_FATALITIES:,}")),
        ("verification_missing", "verification", lambda c: c("verification").isNull(),
         lambda c: lit("missing required field verification")),
        ("verification_unknown", "verification",
         lambda c: c("verification").isNotNull() & ~c("verification").isin(VERIFICATION_LEVELS),
         lambda c: cat("unknown verification ", quoted(c("verification")),
                       f" (expected {_list_words(VERIFICATION_LEVELS)})")),
    )


def _number_value(column: str) -> Column:
    """``validate._number`` before its finiteness test: a decimal comma accepted; a number
    column of the file is taken as it is."""
    F = _f()
    text = token(F.col("r_" + column))
    fixed = F.when(text.contains(","), F.regexp_replace(text, r"^(-?\d+),(\d+)$", "$1.$2")) \
        .otherwise(text)
    parsed = F.when(fixed.rlike(_FLOAT_TEXT), fixed.cast("double"))
    return F.when(F.col("n_" + column).isNotNull(), F.col("n_" + column)).otherwise(parsed)


def _present(column: str) -> Column:
    F = _f()
    return F.col("n_" + column).isNotNull() | token(F.col("r_" + column)).isNotNull()


def _list_value(column: str) -> Column:
    """``validate.normalise_list``: canonical ``A; B`` text as it is, anything else re-joined."""
    F = _f()
    text = blank_null(F.col(column))
    return F.when(text.rlike(f"^(?:{_CANONICAL_LIST})$"), text).otherwise(join_list(text))


def _topic_keys(topics: Iterable[str] | None) -> list[str]:
    if topics is None:
        from dashboard.taxonomy import topic_keys

        topics = topic_keys()
    return sorted({str(t).strip().lower() for t in topics})


def _check_events(source: Source, raw: DataFrame, topics: Iterable[str] | None) -> None:
    F = _f()
    c = F.col
    spark = source.spark
    ids = raw.select(token(c("r_event_id")).alias("event_id"), c("_path"), c("_row"), c("_file"))
    duplicates = _duplicates(ids, "event_id")
    wkt = _wkt_problems(spark, raw.select(token(c("r_geometry_wkt")).alias("wkt")))
    iso3 = sorted(validate.iso3_codes())
    normalised = raw.select(
        "_path", "_row", "_file", F.struct(c("_path"), c("_row")).alias("_key"),
        token(c("r_event_id")).alias("event_id"),
        day_text(token(c("r_event_date"))).alias("event_date"),
        F.lower(token(c("r_date_precision"))).alias("_given"),
        day_text(F.lower(token(c("r_end_date")))).alias("end_date"),
        F.lower(token(c("r_topic"))).alias("topic"),
        blank_null(c("r_sub_type")).alias("sub_type"),
        F.upper(token(c("r_country"))).alias("country"),
        join_list(F.upper(token(c("r_countries_involved")))).alias("countries_involved"),
        blank_null(c("r_admin1")).alias("admin1"),
        blank_null(c("r_location")).alias("location"),
        token(c("r_latitude")).alias("_lat_text"), token(c("r_longitude")).alias("_lon_text"),
        _present("latitude").alias("_lat_present"), _present("longitude").alias("_lon_present"),
        _number_value("latitude").alias("_lat_value"),
        _number_value("longitude").alias("_lon_value"),
        _number_value("fatalities").alias("_deaths"),
        _present("fatalities").alias("_deaths_present"),
        F.lower(token(c("r_geo_precision"))).alias("geo_precision"),
        token(c("r_geometry_wkt")).alias("geometry_wkt"),
        _list_value("r_actors").alias("actors"),
        blank_null(c("r_summary")).alias("summary"),
        token(c("r_fatalities")).alias("_deaths_text"),
        F.lower(token(c("r_verification"))).alias("verification"),
        _list_value("r_article_ids").alias("article_ids"),
        F.coalesce(blank_null(c("r_source_dataset")), c("_file")).alias("source_dataset"),
        blank_null(c("r_source_category")).alias("source_category"),
        *[c("r_" + name) for name in EVENT_COLUMNS])
    start = in_years(first_day(c("event_date")))
    end_text = F.nullif(c("end_date"), F.lit(ONGOING))
    dated = normalised.select(
        "*", start.alias("_start"),
        F.when(start.isNotNull(), date_shape(c("event_date"))).alias("_shape"),
        end_text.alias("_end_text"), in_years(first_day(end_text)).alias("_end_start"),
        F.when(finite(c("_lat_value")), c("_lat_value")).alias("_lat"),
        F.when(finite(c("_lon_value")), c("_lon_value")).alias("_lon"))
    level = F.when(c("_given").isNull() | c("_given").isin(DATE_PRECISIONS),
                   F.coalesce(c("_given"), c("_shape")))
    bounded = dated.select(
        "*", F.coalesce(c("_given"), c("_shape")).alias("_precision"),
        period_start(c("_start"), level).alias("_date_min"),
        period_end(c("_start"), level).alias("_date_max"),
        period_end(c("_end_start"), F.when(c("_end_start").isNotNull(),
                                           date_shape(c("_end_text")))).alias("_end_max"))
    prepared = (bounded.join(F.broadcast(duplicates), "event_id", "left")
                .join(F.broadcast(wkt), bounded["geometry_wkt"] == wkt["wkt"], "left")
                .drop("wkt").withColumnRenamed("problem", "_wkt_problem"))
    rules = _event_rules(_topic_keys(topics), iso3)
    flagged = prepared.select("*", *[F.coalesce(flag(c), F.lit(False)).alias("_" + check)
                                     for check, _, flag, _ in rules])
    rejected_any = F.lit(False)
    for check, *_ in rules:
        rejected_any = rejected_any | c("_" + check)
    # kept while the two parts are taken from it: a filter over the unkept rows would be
    # pushed down through every stage, each column spelt out in it, past what the
    # optimiser can hold
    flagged = flagged.withColumn("_rejected", rejected_any).persist()
    rejected = flagged.filter(c("_rejected")).localCheckpoint(eager=True)
    accepted = flagged.filter(~c("_rejected")).select(
        "event_id", "event_date", c("_precision").alias("date_precision"), "end_date", "topic",
        "sub_type", "country", "countries_involved", "admin1", "location",
        c("_lat").alias("latitude"), c("_lon").alias("longitude"), "geo_precision",
        "geometry_wkt", "actors", "summary",
        F.when(c("_deaths") <= float(validate.MAX_FATALITIES),
               c("_deaths").cast("long")).alias("fatalities"),
        "verification", "article_ids", "source_dataset", "source_category",
        c("_date_min").alias("date_min"),
        F.when(c("_end_max") > c("_date_max"), c("_end_max")).otherwise(c("_date_max"))
        .alias("date_max"), "_key", "_file", "_row", "_path")
    source.events = accepted.localCheckpoint(eager=True)
    source.read = flagged.count()
    flagged.unpersist()
    source.problems = _problem_lines(rejected, rules, "events")


def _problem_lines(rejected: DataFrame, rules: Iterable[Rule], table: str) -> DataFrame:
    """One line per failed rule of the rejected rows (``validate.REJECT_COLUMNS`` and the
    row's ``_key``, by which lines are ordered): each row's failed rules as an array,
    exploded (one projection, where a union of a query per rule took seconds to plan)."""
    F = _f()
    c = F.col
    lines = F.array(*[F.struct(c("_" + check).alias("failed"), F.lit(column).alias("column"),
                               F.substring(c("r_" + column), 1, validate._MAX_VALUE)
                               .alias("value"), reason(c).alias("reason"))
                      for check, column, _, reason in rules])
    return (rejected.select("_file", "_row", "_key", F.explode(F.filter(lines, lambda x:
                                                                        x["failed"]))
                            .alias("line"))
            .select(c("_file").alias("file"), F.lit(table).alias("table"), c("_row").alias("row"),
                    c("line.column").alias("column"), c("line.value").alias("value"),
                    c("line.reason").alias("reason"), c("_key")))


def first_seen(c: Callable[[str], Any]) -> Any:
    """Where a repeated id was first seen: its row, and its file when that is another one
    of a folder or glob (rows are numbered within each file), as ``duckdb_tables`` says."""
    F = _f()
    elsewhere = F.when(c("_first_key._path") != c("_path"),
                       F.concat(F.lit(" of "), c("_first_file"))).otherwise(F.lit(""))
    return F.concat(F.lit(" (first seen at row "), c("_first_row").cast("string"), elsewhere,
                    F.lit(")"))


def _duplicates(ids: DataFrame, name: str) -> DataFrame:
    """Each repeated id with the key and row of its first occurrence (small: kept)."""
    F = _f()
    c = F.col
    return (ids.filter(c(name).isNotNull())
            .groupBy(name).agg(F.min(F.struct(c("_path"), c("_row"), c("_file"))).alias("_first"),
                               F.count(F.lit(1)).alias("_n"))
            .filter(c("_n") > 1)
            .select(name, F.struct(c("_first._path").alias("_path"),
                                   c("_first._row").alias("_row")).alias("_first_key"),
                    c("_first._row").alias("_first_row"), c("_first._file").alias("_first_file"))
            .localCheckpoint(eager=True))


WKT_BATCH = 100_000


def _wkt_problems(spark: SparkSession, shapes: DataFrame) -> DataFrame:
    """Distinct shapes read by shapely on the driver (``validate._wkt_problems``' words):
    a problem for each one it cannot read or that leaves the lon/lat ranges."""
    from pyspark.sql.types import StringType, StructField, StructType

    distinct = shapes.filter(shapes["wkt"].isNotNull()).distinct().toArrow()
    found: list[tuple[str, str]] = []
    for batch in distinct.to_batches(WKT_BATCH):
        texts = pd.Series(batch.column(0).to_pylist(), dtype="str")
        problems = validate._wkt_problems(texts)
        bad = problems.notna()
        found += list(zip(texts[bad], problems[bad], strict=True))
    schema = StructType([StructField("wkt", StringType()), StructField("problem", StringType())])
    return spark.createDataFrame(found, schema)


# -- articles ----------------------------------------------------------------------------------


def _article_rules() -> tuple[Rule, ...]:
    F = _f()

    def cat(*parts: Any) -> Any:
        return F.concat(*[F.lit(p) if isinstance(p, str) else p for p in parts])

    return (
        ("article_id_missing", "article_id", lambda c: c("article_id").isNull(),
         lambda c: F.lit("missing required field article_id")),
        ("article_id_duplicate", "article_id",
         lambda c: c("_first_row").isNotNull() & (c("_key") > c("_first_key")),
         lambda c: cat("duplicate article_id ", quoted(c("article_id")), first_seen(c))),
        ("url_bad", "url", lambda c: c("url").isNotNull()
         & ~c("url").rlike(f"(?i)^(?:{validate._URL_RE})$"),
         lambda c: cat("url ", quoted(c("url")), " is not an http(s) address")),
        ("published_bad", "published", lambda c: c("published").isNotNull()
         & in_years(first_day(c("published"))).isNull(),
         lambda c: cat("bad published date ", quoted(c("published")), f" ({_HINT})")),
    )


def _open_articles(source: Source, articles: Articles) -> None:
    F = _f()
    c = F.col
    spark = source.spark
    # this machine's files, or on a Connect server the path as given, which it lists
    paths = [str(f.resolve()) for f in articles.files] or [articles.name]
    try:
        if articles.text:
            # one partition per file (multiLine), so the increasing id follows the file
            tsv = Path(articles.name).suffix.lower() == ".tsv"
            frame = (spark.read.option("header", "true").option("multiLine", "true")
                     .option("escape", '"').option("sep", "\t" if tsv else ",")
                     .csv(paths[0]))
            keyed = frame.select(
                "*", _decoded(F.col("_metadata.file_path")).alias("_path"),
                _decoded(F.col("_metadata.file_name")).alias("_file"),
                F.row_number().over(_window_by_id()).alias("_row")).localCheckpoint()
            files, unread = _files_read(frame, articles.files)
        else:
            read = _read_parquet(spark, paths)
            keyed = _keyed(read)
            files, unread = _files_read(read, articles.files)
        raw = _raw(keyed, ARTICLE_COLUMNS, articles.name)
    except LoadError:
        raise
    except Exception as err:
        raise LoadError(articles.name, Sayable(N_("could not be read by Spark ({error})"),
                                               error=_first_line(err))) from None
    ids = raw.select(token(c("r_article_id")).alias("article_id"), c("_path"), c("_row"),
                     c("_file"))
    duplicates = _duplicates(ids, "article_id")
    normalised = raw.select(
        "_path", "_row", "_file", F.struct(c("_path"), c("_row")).alias("_key"),
        token(c("r_article_id")).alias("article_id"), blank_null(c("r_title")).alias("title"),
        blank_null(c("r_outlet")).alias("outlet"), token(c("r_url")).alias("url"),
        day_text(token(c("r_published"))).alias("published"),
        token(c("r_language")).alias("language"), blank_null(c("r_summary")).alias("summary"),
        *[c("r_" + name) for name in ARTICLE_COLUMNS])
    prepared = normalised.join(F.broadcast(duplicates), "article_id", "left")
    rules = _article_rules()
    flagged = prepared.select("*", *[F.coalesce(flag(c), F.lit(False)).alias("_" + check)
                                     for check, _, flag, _ in rules])
    rejected_any = F.lit(False)
    for check, *_ in rules:
        rejected_any = rejected_any | c("_" + check)
    flagged = flagged.withColumn("_rejected", rejected_any).persist()
    rejected = flagged.filter(c("_rejected")).localCheckpoint(eager=True)
    source.articles = (flagged.filter(~c("_rejected"))
                       .select(*ARTICLE_COLUMNS, "_key", "_path", "_row")
                       .localCheckpoint(eager=True))
    source.articles_read = flagged.count()
    flagged.unpersist()
    source.article_problems = _problem_lines(rejected, rules, "articles")
    source.has_articles = True
    source.articles_label = articles.label
    source.article_files = files
    source.unread_files += unread


def _window_by_id() -> Any:
    from pyspark.sql import Window

    return Window.orderBy(_f().monotonically_increasing_id())
