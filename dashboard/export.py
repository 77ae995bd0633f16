"""Events and articles as downloadable bytes: CSV, GeoJSON, Excel and Parquet.

Every export loads back (``dataset.load_dataset``) to the same records. CSV and Excel
cells that a spreadsheet would run as a formula are neutralised: a cell matching
``^'*[=+\\-@\\t\\r]`` gets one ``'`` in front; loading removes one ``'`` from cells matching
``^'+[=+\\-@\\t\\r]``, so the original text comes back exactly (see docs/schema.md).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import shapely

from dashboard.schema import (
    ARTICLE_COLUMNS,
    EVENT_COLUMNS,
    LIST_COLUMNS,
    LIST_SEPARATOR,
    arrow_text,
)

_TRIGGER = r"^'*[=+\-@\t\r]"
EXCEL_MAX_ROWS = 1_048_575
EXTENSIONS = {"csv": "csv", "geojson": "geojson", "xlsx": "xlsx", "parquet": "parquet"}
MIME_TYPES = {
    "csv": "text/csv",
    "geojson": "application/geo+json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
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


def _events_table(events: pd.DataFrame) -> pd.DataFrame:
    return events[EVENT_COLUMNS]


def excel_escape(values: pd.Series) -> pd.Series:
    """OOXML escapes: CR as ``_x000D_`` (XML would turn it into LF), literal ``_xHHHH_``
    protected as ``_x005F_xHHHH_``; ``readers`` undoes both."""
    protected = values.str.replace(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", regex=True)
    return protected.str.replace("\r", "_x000D_", regex=False)


def _to_excel(sheets: dict[str, pd.DataFrame]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    for title, frame in sheets.items():
        if len(frame) > EXCEL_MAX_ROWS:
            raise ValueError(
                f"Excel holds at most {EXCEL_MAX_ROWS:,} rows and the {title} have "
                f"{len(frame):,}: export as CSV or Parquet instead")
        sheet = book.create_sheet(title)
        sheet.append(list(frame.columns))
        clean = _neutralised(frame)
        for column in _text_columns(clean):
            clean[column] = excel_escape(
                clean[column].str.replace(ILLEGAL_CHARACTERS_RE.pattern, "", regex=True))
        columns = [clean[c].astype(object).where(clean[c].notna(), None).tolist()
                   for c in clean.columns]
        for row in zip(*columns, strict=True):
            sheet.append(row)
    sink = io.BytesIO()
    book.save(sink)
    return sink.getvalue()


def _list_arrays(frame: pd.DataFrame) -> pa.Table:
    table = _arrow(frame)
    for column in LIST_COLUMNS:
        if column in frame.columns:
            position = table.schema.get_field_index(column)
            items = pc.split_pattern(table.column(column).cast(pa.string()), LIST_SEPARATOR)
            table = table.set_column(position, pa.field(column, pa.list_(pa.string())), items)
    return table


# Columns whose min/max per row group let a reader skip row groups (by date, place, topic
# or number). On free text (ids, titles, summaries, lists) statistics skip nothing and were
# a fifth of the write time of 1M events.
_STATISTICS = {"event_date", "end_date", "date_precision", "topic", "sub_type", "country",
               "latitude", "longitude", "geo_precision", "fatalities", "verification",
               "source_dataset", "source_category", "outlet", "published", "language"}


def _to_parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd",
                   write_statistics=[c for c in table.column_names if c in _STATISTICS])
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


def _to_geojson(events: pd.DataFrame, articles: pd.DataFrame | None) -> bytes:
    features = [
        {"type": "Feature", "geometry": geometry, "properties": properties}
        for geometry, properties in zip(_geometries(events), _records(events[EVENT_COLUMNS]),
                                        strict=True)
    ]
    document: dict[str, object] = {"type": "FeatureCollection", "features": features}
    if articles is not None:
        document["articles"] = _records(articles[ARTICLE_COLUMNS])
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


_EVENT_EXPORTERS: dict[str, Callable[[pd.DataFrame, pd.DataFrame | None], bytes]] = {
    "csv": lambda events, articles: frame_to_csv(_events_table(events)),
    "geojson": _to_geojson,
    "xlsx": lambda events, articles: _to_excel(
        {"events": _events_table(events)}
        | ({"articles": articles[ARTICLE_COLUMNS]} if articles is not None else {})),
    "parquet": lambda events, articles: _to_parquet(_list_arrays(_events_table(events))),
}


def export_events(events: pd.DataFrame, fmt: str, articles: pd.DataFrame | None = None) -> bytes:
    """Events (``EVENT_COLUMNS``) as bytes in ``fmt``: csv, geojson, xlsx or parquet.

    ``articles`` are embedded where the format can hold them (GeoJSON ``articles``
    member, Excel ``articles`` sheet); for CSV and Parquet export them separately.
    """
    fmt = format_for(fmt)
    return _EVENT_EXPORTERS[fmt](events, articles)


def export_articles(articles: pd.DataFrame, fmt: str = "csv") -> bytes:
    """Articles as CSV, Excel (one ``articles`` sheet) or Parquet; GeoJSON is for events."""
    fmt = format_for(fmt)
    table = articles[ARTICLE_COLUMNS]
    if fmt == "csv":
        return frame_to_csv(table)
    if fmt == "xlsx":
        return _to_excel({"articles": table})
    if fmt == "parquet":
        return _to_parquet(_arrow(table.astype("str")))
    return json.dumps({"articles": _records(table)}, ensure_ascii=False).encode("utf-8")
