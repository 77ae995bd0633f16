"""Events and articles as downloadable bytes: CSV, GeoJSON, Excel, Parquet, a citable zip.

``build_download`` is the one place a download is made, for the app's buttons and for
``python -m dashboard export`` alike, so both give the same bytes for the same query and
export time. Given a ``Citation`` (``dashboard.citation``), every format but CSV says what
it is: GeoJSON in a top-level ``metadata`` member, Excel in an ``About`` sheet, Parquet as
JSON under the key-value metadata key ``citation``; CSV stays a plain table. Excel files
carry the export time (or none) in their document properties and zip entries, never the
time they were written, so the same export is the same bytes.

Every export loads back (``dataset.load_dataset``) to the same records. CSV and Excel
cells that a spreadsheet would run as a formula are neutralised: a cell matching
``^'*[=+\\-@\\t\\r]`` gets one ``'`` in front; loading removes one ``'`` from cells matching
``^'+[=+\\-@\\t\\r]``, so the original text comes back exactly (see docs/schema.md).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely

from dashboard.i18n import ENGLISH, Translator
from dashboard.schema import (
    ARTICLE_COLUMNS,
    EVENT_COLUMNS,
    LINKED_EVENTS,
    LIST_COLUMNS,
    LIST_SEPARATOR,
    arrow_text,
)

if TYPE_CHECKING:  # the citation module reads the registry and the bundled file names
    from dashboard.citation import Citation
    from dashboard.filters import Filters

_TRIGGER = r"^'*[=+\-@\t\r]"
EXCEL_MAX_ROWS = 1_048_575
EXTENSIONS = {"csv": "csv", "geojson": "geojson", "xlsx": "xlsx", "parquet": "parquet"}
BUNDLE = "bundle"  # the citable zip: data files, README.txt, CITATION.cff
EMBEDS_ARTICLES = frozenset({"geojson", "xlsx", BUNDLE})  # events downloads holding articles
MIME_TYPES = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    BUNDLE: "application/zip",
}
# A zip entry's time when an export has none (the earliest a zip can hold)
_NO_TIME = datetime(1980, 1, 1, tzinfo=UTC)
_ALIASES = {"json": "geojson", "excel": "xlsx", "xls": "xlsx", "pq": "parquet", "tsv": "csv"}


def format_for(path_or_ext: str) -> str:
    """The export format named by a file name or extension (ValueError if none fits)."""
    ext = str(path_or_ext).rsplit(".", 1)[-1].lower()
    fmt = _ALIASES.get(ext, ext)
    if fmt not in EXTENSIONS:
        raise ValueError(
            f"cannot export to '.{ext}': use one of {', '.join('.' + e for e in EXTENSIONS)}"
        )
    return fmt


def file_name(stem: str, fmt: str) -> str:
    """``events_POL.csv`` from a stem and a format."""
    return f"{stem}.{EXTENSIONS[fmt]}"


def neutralise(values: pd.Series) -> pd.Series:
    """Prefix ``'`` to text cells a spreadsheet would treat as a formula (vectorised)."""
    text = values.astype("str")
    hits = pc.match_substring_regex(arrow_text(text), _TRIGGER)
    mask = hits.fill_null(False).to_numpy(zero_copy_only=False)
    if not mask.any():
        return text
    return text.mask(mask, "'" + text)


def _text_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if not (pd.api.types.is_numeric_dtype(frame[c])
                                             or pd.api.types.is_datetime64_any_dtype(frame[c]))]


def _neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = neutralise(out[column])
    return out


def _arrow(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame, preserve_index=False)


def frame_to_csv(frame: pd.DataFrame) -> bytes:
    """A frame as UTF-8 CSV (with BOM, so Excel shows Cyrillic and Polish), neutralised."""
    sink = io.BytesIO()
    sink.write(b"\xef\xbb\xbf")
    pacsv.write_csv(_arrow(_neutralised(frame)), sink,
                    pacsv.WriteOptions(include_header=True, quoting_style="needed"))
    return sink.getvalue()


def export_table(events: pd.DataFrame) -> pd.DataFrame:
    """The exported columns: ``EVENT_COLUMNS`` and ``linked_events`` (empty when the frame
    has no such column: the caller knows the links, ``linking.with_linked_events``)."""
    table = events[EVENT_COLUMNS]
    linked = events[LINKED_EVENTS] if LINKED_EVENTS in events.columns \
        else pd.Series(pd.NA, index=events.index, dtype="str")
    return table.assign(**{LINKED_EVENTS: linked.astype("str")})


def excel_escape(values: pd.Series) -> pd.Series:
    """OOXML escapes: CR as ``_x000D_`` (XML would turn it into LF), literal ``_xHHHH_``
    protected as ``_x005F_xHHHH_``; ``readers`` undoes both."""
    protected = values.str.replace(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", regex=True)
    return protected.str.replace("\r", "_x000D_", regex=False)


def _excel_cells(frame: pd.DataFrame) -> pd.DataFrame:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    clean = _neutralised(frame)
    for column in _text_columns(clean):
        clean[column] = excel_escape(
            clean[column].str.replace(ILLEGAL_CHARACTERS_RE.pattern, "", regex=True))
    return clean


class _TimedZip(zipfile.ZipFile):
    """A zip whose every entry carries one given time, not the clock's or a temporary
    file's (openpyxl writes its parts with ``writestr`` and write-only sheets with
    ``write``)."""

    def __init__(self, sink: io.BytesIO, moment: datetime) -> None:
        super().__init__(sink, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self.moment = moment

    def _entry(self, name: str) -> zipfile.ZipInfo:
        return _zip_entry(name, self.moment)

    def writestr(self, zinfo_or_arcname: str | zipfile.ZipInfo, data: Any,
                 compress_type: int | None = None, compresslevel: int | None = None) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._entry(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: object, arcname: object = None,
              compress_type: int | None = None, compresslevel: int | None = None) -> None:
        import shutil

        with open(str(filename), "rb") as source, \
                self.open(self._entry(str(arcname or filename)), "w") as target:
            shutil.copyfileobj(source, target, _COPY_CHUNK)


_COPY_CHUNK = 1 << 20


def _zip_entry(name: str, moment: datetime) -> zipfile.ZipInfo:
    entry = zipfile.ZipInfo(name, date_time=moment.astimezone(UTC).timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16
    return entry


def _to_excel(sheets: dict[str, pd.DataFrame], citation: Citation | None = None) -> bytes:
    """The sheets (and an ``About`` sheet of ``citation``) as .xlsx bytes, dated by the
    citation's export time (else 1980-01-01), so the same export is the same bytes."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook(write_only=True)
    for title, frame in sheets.items():
        if len(frame) > EXCEL_MAX_ROWS:
            raise ValueError(
                f"Excel holds at most {EXCEL_MAX_ROWS:,} rows and the {title} have "
                f"{len(frame):,}: export as CSV or Parquet instead")
        sheet = book.create_sheet(title)
        sheet.append(list(frame.columns))
        clean = _excel_cells(frame)
        columns = [clean[c].astype(object).where(clean[c].notna(), None).tolist()
                   for c in clean.columns]
        for row in zip(*columns, strict=True):
            sheet.append(row)
    if citation is not None:
        about = book.create_sheet("About")
        for facts in citation.about_rows():
            about.append(_excel_cells(pd.DataFrame({"cell": pd.Series(facts, dtype="str")}))
                         ["cell"].tolist())
    moment = citation.exported if citation is not None else _NO_TIME
    # openpyxl keeps naive UTC times; its save() would set "modified" to the clock
    book.properties.created = book.properties.modified = \
        moment.astimezone(UTC).replace(tzinfo=None)
    sink = io.BytesIO()
    ExcelWriter(book, _TimedZip(sink, moment)).save()
    return sink.getvalue()


def parquet_table(frame: pd.DataFrame) -> pa.Table:
    """``frame`` as the Arrow table a Parquet export writes: list fields as lists of text
    (the duckdb engine writes its batches through this too, for the same bytes)."""
    table = _arrow(frame)
    lists = [column for column in LIST_COLUMNS if column in frame.columns]
    for column in lists:
        position = table.schema.get_field_index(column)
        items = pc.split_pattern(table.column(column).cast(pa.string()), LIST_SEPARATOR)
        table = table.set_column(position, pa.field(column, pa.list_(pa.string())), items)
    return table.replace_schema_metadata(_pandas_lists(table.schema.metadata, lists))


def _pandas_lists(metadata: dict[bytes, bytes] | None,
                  lists: list[str]) -> dict[bytes, bytes] | None:
    """The pandas metadata with the list columns described as lists, as pandas writes a
    column of lists: described as the text they were, ``pandas.read_parquet`` of the file
    failed (it casts each column to the dtype the metadata names)."""
    if not metadata or b"pandas" not in metadata:
        return metadata
    described = json.loads(metadata[b"pandas"])
    for column in described.get("columns", []):
        if column.get("name") in lists:
            column.update(pandas_type="list[unicode]", numpy_type="object")
    return {**metadata, b"pandas": json.dumps(described).encode("utf-8")}


# Columns whose min/max per row group let a reader skip row groups (by date, place, topic
# or number). On free text (ids, titles, summaries, lists) statistics skip nothing and were
# a fifth of the write time of 1M events.
PARQUET_STATISTICS = {"event_date", "end_date", "date_precision", "topic", "sub_type",
                      "country", "latitude", "longitude", "geo_precision", "fatalities",
                      "verification", "source_dataset", "source_category", "outlet",
                      "published", "language"}


def _to_parquet(table: pa.Table, citation: Citation | None = None) -> bytes:
    if citation is not None:
        table = table.replace_schema_metadata({
            **(table.schema.metadata or {}),
            b"citation": json.dumps(citation.metadata(), ensure_ascii=False).encode("utf-8")})
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd",
                   write_statistics=[c for c in table.column_names if c in PARQUET_STATISTICS])
    return sink.getvalue()


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    columns = {c: [_json_value(v) for v in frame[c].astype(object).tolist()]
               for c in frame.columns}
    for column in LIST_COLUMNS:
        if column in columns:
            columns[column] = [v.split(LIST_SEPARATOR) if isinstance(v, str) else []
                               for v in columns[column]]
    names = list(columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns.values(), strict=True)]


def _geometries(events: pd.DataFrame) -> list[object]:
    wkt = events["geometry_wkt"]
    shapes = shapely.from_wkt(wkt.astype(object).where(wkt.notna(), None).to_numpy(),
                              on_invalid="ignore")
    lat = events["latitude"].to_numpy(dtype="float64")
    lon = events["longitude"].to_numpy(dtype="float64")
    geometries: list[object] = []
    for shape, y, x in zip(shapes, lat, lon, strict=True):
        if shape is not None:
            geometries.append(json.loads(shapely.to_geojson(shape)))
        elif not (np.isnan(y) or np.isnan(x)):
            geometries.append({"type": "Point", "coordinates": [float(x), float(y)]})
        else:
            geometries.append(None)
    return geometries


def _to_geojson(events: pd.DataFrame, articles: pd.DataFrame | None,
                citation: Citation | None = None) -> bytes:
    features = [
        {"type": "Feature", "geometry": geometry, "properties": properties}
        for geometry, properties in zip(_geometries(events), _records(export_table(events)),
                                        strict=True)
    ]
    document: dict[str, object] = {"type": "FeatureCollection"}
    if citation is not None:
        document["metadata"] = citation.metadata()
    document["features"] = features
    if articles is not None:
        document["articles"] = _records(articles[ARTICLE_COLUMNS])
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


Exporter = Callable[[pd.DataFrame, "pd.DataFrame | None", "Citation | None"], bytes]
_EVENT_EXPORTERS: dict[str, Exporter] = {
    "csv": lambda events, articles, citation: frame_to_csv(export_table(events)),
    "geojson": _to_geojson,
    "xlsx": lambda events, articles, citation: _to_excel(
        {"events": export_table(events)}
        | ({"articles": articles[ARTICLE_COLUMNS]} if articles is not None else {}), citation),
    "parquet": lambda events, articles, citation: _to_parquet(
        parquet_table(export_table(events)), citation),
}


def export_events(events: pd.DataFrame, fmt: str, articles: pd.DataFrame | None = None,
                  citation: Citation | None = None) -> bytes:
    """Events (``EVENT_COLUMNS`` and ``linked_events``) as bytes in ``fmt``: csv, geojson,
    xlsx or parquet.

    ``articles`` are embedded where the format can hold them (GeoJSON ``articles``
    member, Excel ``articles`` sheet); for CSV and Parquet export them separately.
    ``citation`` says what the export is, in every format but CSV.
    """
    fmt = format_for(fmt)
    return _EVENT_EXPORTERS[fmt](events, articles, citation)


def export_articles(articles: pd.DataFrame, fmt: str = "csv",
                    citation: Citation | None = None) -> bytes:
    """Articles as CSV, Excel (one ``articles`` sheet) or Parquet; GeoJSON is for events
    (asked for, it gives a JSON ``{"metadata": ..., "articles": [...]}``)."""
    fmt = format_for(fmt)
    table = articles[ARTICLE_COLUMNS]
    if fmt == "csv":
        return frame_to_csv(table)
    if fmt == "xlsx":
        return _to_excel({"articles": table}, citation)
    if fmt == "parquet":
        return _to_parquet(_arrow(table.astype("str")), citation)
    document: dict[str, object] = {} if citation is None else {"metadata": citation.metadata()}
    document["articles"] = _records(table)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


class Download(NamedTuple):
    """A file to hand to a person: its name, its bytes and their MIME type."""

    file_name: str
    data: bytes
    mime: str


def build_download(kind: str, events: pd.DataFrame, articles: pd.DataFrame, filters: Filters,
                   fmt: str, citation: Citation | None) -> Download:
    """The download of the filtered ``events`` (``kind="events"``) or of the articles
    behind them (``kind="articles"``), named by ``filters``, in ``fmt`` or ``BUNDLE``.

    ``articles``: for ``events``, the articles the events cite, in any order: they are
    embedded (GeoJSON, Excel, the bundle) newest first, as the Articles page lists them;
    for ``articles``, the article list itself (``filters.articles_for``, newest first).
    """
    name = download_name(kind, filters, fmt)
    if fmt == BUNDLE:
        return Download(name, _bundle(events, _newest_first(articles), filters.slug(),
                                      citation), MIME_TYPES[BUNDLE])
    fmt = format_for(fmt)
    if kind == "articles":
        data = export_articles(articles, fmt, citation)
    elif kind == "events":
        embedded = _newest_first(articles) if fmt in EMBEDS_ARTICLES else None
        data = export_events(events, fmt, embedded, citation)
    else:
        raise ValueError(f"a download holds events or articles, not {kind!r}")
    return Download(name, data, MIME_TYPES[fmt])


def selection_download(kind: str, events: pd.DataFrame, articles: pd.DataFrame,
                       filters: Filters, fmt: str,
                       citation: Citation | None) -> tuple[Download, int]:
    """The command line's download of a selection held as frames, on every engine, and
    the number of articles it holds: ``events`` the selected events, ``articles`` the
    dataset's articles or only those the events cite, in the files' order (the list,
    ``filters.articles_for``, is the same either way), made only for a download holding it."""
    from dashboard.filters import articles_for

    listed = (articles_for(events, articles) if kind == "articles" or fmt in EMBEDS_ARTICLES
              else articles.iloc[:0])
    return build_download(kind, events, listed, filters, fmt, citation), len(listed)


def held_words(kind: str, fmt: str, events: int, articles: int) -> str:
    """What a written download holds, as the command line reports it."""
    if fmt == BUNDLE:
        return f"{events:,} events and {articles:,} articles (a citable bundle)"
    return f"{articles:,} articles" if kind == "articles" else f"{events:,} events"


def _file_word(kind: str, t: Translator) -> str:
    """The first word of a download's name, in ``t``'s language, with no spaces."""
    if kind == BUNDLE:
        word = t.pgettext("file name", "citable")
    elif kind == "articles":
        word = t.pgettext("file name", "articles")
    else:
        word = t.pgettext("file name", "events")
    return "_".join(word.split())


def download_name(kind: str, filters: Filters, fmt: str, t: Translator = ENGLISH) -> str:
    """``events_POL.csv``, ``articles_POL.csv``, ``citable_POL.zip``: the file name of a
    download (the app's button needs it before the bytes are built); the first word in
    ``t``'s language (``події_POL.csv``), the filter's part as ``slug`` writes it."""
    stem = _file_word(BUNDLE if fmt == BUNDLE else kind, t)
    if fmt == BUNDLE:
        return f"{stem}_{filters.slug()}.zip"
    return file_name(f"{stem}_{filters.slug()}", format_for(fmt))


def _newest_first(articles: pd.DataFrame) -> pd.DataFrame:
    from dashboard.filters import newest_first

    return articles.iloc[newest_first(articles)].reset_index(drop=True)


def _bundle(events: pd.DataFrame, articles: pd.DataFrame, slug: str,
            citation: Citation | None) -> bytes:
    """The citable zip: the events and their articles as CSV, README.txt, CITATION.cff."""
    if citation is None:
        raise ValueError("a citable bundle needs its citation")
    members = {
        f"events_{slug}.csv": (export_events(events, "csv"),
                               f"the {len(events):,} filtered events (UTF-8 CSV, columns "
                               "as docs/schema.md describes them)"),
        f"articles_{slug}.csv": (export_articles(articles, "csv"),
                                 f"the {len(articles):,} articles those events cite"),
    }
    listing = [(name, what) for name, (_, what) in members.items()]
    listing += [("README.txt", "this file"),
                ("CITATION.cff", "the citation in Citation File Format 1.2.0")]
    texts = {"README.txt": citation.readme(listing), "CITATION.cff": citation.cff()}
    sink = io.BytesIO()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, (data, _) in members.items():
            bundle.writestr(_zip_entry(name, citation.exported), data)
        for name, text in texts.items():
            bundle.writestr(_zip_entry(name, citation.exported), text.encode("utf-8"))
    return sink.getvalue()
