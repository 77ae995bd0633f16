"""Input formats: detect which one a file is in and convert it to canonical raw tables.

To add a format, write a module with ``NAME``, ``LABEL``, ``detect``, ``convert`` (and
optionally ``read``) and add one line to ``IMPORTERS``. Detection tries them in order,
so specific formats come before the generic canonical one.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from dashboard.i18n import N_, Sayable, message_of
from dashboard.importers import acled, canonical, gdelt, ucdp, viina
from dashboard.importers import mapping as mapped
from dashboard.importers.base import Imported, Importer
from dashboard.readers import (
    FormatNotRecognised,
    LoadError,
    RepeatedNameError,
    progress_stage,
    read_bytes,
    read_raw,
    read_tables,
    source_name,
    textual,
    unpacked,
)
from dashboard.schema import ARTICLE_COLUMNS
from dashboard.validate import make_rejected

IMPORTERS: list[Importer] = [
    Importer.from_module(acled),
    Importer.from_module(ucdp),
    Importer.from_module(viina),
    Importer.from_module(gdelt),
    Importer.from_module(canonical),
    Importer.from_module(mapped),  # never detected: --format mapped or --mapping
]

# Formats applied only on request (a column mapping), never detected.
MAPPED_FORMAT = "mapped"
# Share of import_file's progress spent reading; converting takes the rest (2M-row ACLED
# CSV: about 7 s reading, 16 s converting on two cores).
READ_SHARE = 0.3

__all__ = ["IMPORTERS", "Imported", "Importer", "detect_format", "get_importer", "import_file"]


def get_importer(fmt: str) -> Importer:
    """The importer registered under ``fmt`` (ValueError listing the known names)."""
    for importer in IMPORTERS:
        if importer.name == fmt:
            return importer
    known = ", ".join(i.name for i in IMPORTERS)
    raise ValueError(Sayable(N_("unknown format {format} (known: {known})"), format=repr(fmt),
                             known=known))


def format_names() -> list[str]:
    """Registered format names, for --format choices and the Data page."""
    return [i.name for i in IMPORTERS]


def detect_format(raw: pd.DataFrame, name: str = "") -> str:
    """The first registered importer that recognises ``raw``'s columns (LoadError if none)."""
    for importer in IMPORTERS:
        if importer.detect(raw, name):
            return importer.name
    columns = ", ".join(str(c) for c in list(raw.columns)[:12])
    raise FormatNotRecognised(
        name or "file",
        Sayable(N_("format not recognised from its columns ({columns}); choose a format or map "
                   "the columns (--format / --mapping)"), columns=columns),
    )


def load_mapping(mapping: Any) -> dict[str, Any]:
    """A column mapping given as a dict, JSON text or the path of a JSON file."""
    if isinstance(mapping, dict):
        return mapping
    text = mapping
    if isinstance(mapping, Path) or (isinstance(mapping, str) and not mapping.lstrip()
                                     .startswith("{")):
        path = Path(mapping)
        if not path.is_file():
            raise LoadError(path.name, Sayable(N_("mapping file not found: {path}"),
                                               path=str(path)))
        text = path.read_text(encoding="utf-8-sig")
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as err:
        raise LoadError("mapping", Sayable(N_("the column mapping is not valid JSON ({error})"),
                                           error=err.msg)) from err
    if not isinstance(loaded, dict):
        raise LoadError("mapping", Sayable(N_("the column mapping must be a JSON object")))
    return loaded


def split_malformed(raw: pd.DataFrame, file: str,
                    table: str = "events") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Take rows the reader could not split into fields (or found bad bytes in) out before
    conversion: one rejected line per (column, value, reason) the reader gave."""
    errors: dict[int, list[tuple[str, str | None, str]]] = raw.attrs.get("row_errors") or {}
    if not errors:
        return raw, make_rejected(file, table, [], "", [], [])
    rows = np.asarray(raw.attrs.get("source_rows", np.arange(1, len(raw) + 1)))
    positions = np.array(sorted(errors))
    keep = np.ones(len(raw), dtype=bool)
    keep[positions] = False
    lines = [(rows[p], *problem) for p in positions for problem in errors[p]]
    rejected = make_rejected(file, table, [line[0] for line in lines], "",
                             [line[2] for line in lines], [line[3] for line in lines])
    rejected["column"] = pd.Series([line[1] for line in lines], dtype="str")
    attrs = {k: v for k, v in raw.attrs.items() if k != "row_errors"}
    good = raw[keep].reset_index(drop=True)
    good.attrs = attrs
    good.attrs["source_rows"] = rows[keep]
    return good, rejected


def import_file(
    source: Any,
    name: str | None = None,
    *,
    fmt: str | None = None,
    mapping: Any = None,
    labels: Any = None,
    progress: Callable[[float], None] | None = None,
) -> Imported:
    """Read a file, detect (or use ``fmt``) its format and convert it to canonical raw.

    With ``mapping`` (dict, JSON text or JSON file path) the ``mapped`` importer is used
    and called as ``convert(raw, file, mapping=dict_or_None)`` (None: it guesses).
    ``labels`` is a VIINA labels file (path, bytes or upload) joined onto VIINA event
    rows by ``event_id``; for other formats it is ignored with a warning.
    Embedded articles (JSON, GeoJSON, an ``articles`` sheet) are returned when the
    importer produced none. ``progress`` gets the share done (reading, then converting).
    Raises LoadError.
    """
    label = source_name(source, name)
    data = unpacked(read_bytes(source, name), label)  # a zipped or gzipped export
    reading = progress_stage(progress, 0.0, READ_SHARE)
    if mapping is not None:
        fmt = MAPPED_FORMAT
    tables: dict[str, pd.DataFrame] = {}
    if fmt is not None:
        try:
            importer = get_importer(fmt)
        except ValueError as err:
            raise LoadError(label, message_of(err)) from err
        if importer.read is not None:
            raw = importer.read(data, label)
        else:
            tables = read_tables(data, label, progress=reading, typed=True)
            raw = tables.pop("events")
    else:
        try:
            tables = read_tables(data, label, progress=reading, typed=True)
            raw = tables.pop("events")
            importer = _detect(raw, label, data)
        except RepeatedNameError:
            # a headerless file's first row (GDELT's) may repeat a value: it is no header
            shaped = _detect_shaped(data, label)
            if shaped is None:
                raise
            importer = shaped
        if importer.read is not None:
            raw = importer.read(data, label)
    if importer.name != canonical.NAME:  # only validation reads a Parquet file's numbers
        raw = textual(raw)
    del data  # the raw table holds everything now; a big file's bytes need not stay
    warnings = list(raw.attrs.get("warnings", []))
    raw, malformed = split_malformed(raw, label)
    if labels is not None:
        raw, note = _join_labels(raw, labels, label, importer)
        warnings.append(note)
    if progress is not None:
        progress(READ_SHARE)
    options = _progress_option(importer, progress_stage(progress, READ_SHARE, 1.0))
    if importer.name == MAPPED_FORMAT:
        columns = load_mapping(mapping) if mapping is not None else None
        try:
            imported = importer.convert(raw, label, mapping=columns, **options)
        except ValueError as err:
            raise LoadError(label, message_of(err)) from err
    else:
        imported = importer.convert(raw, label, **options)
    del raw
    if not malformed.empty:
        imported.rejected = pd.concat([malformed, imported.rejected], ignore_index=True)
        imported.rows_read += int(malformed["row"].nunique())  # a row may have two problems
    if "articles" in tables and imported.articles.empty:
        embedded, imported.articles_rejected = split_malformed(tables["articles"], label,
                                                               "articles")
        imported.articles = _article_table(embedded)
    imported.warnings = warnings + list(imported.warnings)
    if progress is not None:
        progress(1.0)
    return imported


def _progress_option(importer: Importer, progress: Callable[[float], None] | None) -> dict:
    """``{"progress": ...}`` for converters that report their own steps (ACLED), else ``{}``.

    Converting is column-wise and has no natural row count to report, so only the
    converters of formats that come in millions of rows mark their steps.
    """
    if progress is None or "progress" not in inspect.signature(importer.convert).parameters:
        return {}
    return {"progress": progress}


def _join_labels(
    raw: pd.DataFrame, labels: Any, label: str, importer: Importer
) -> tuple[pd.DataFrame, str]:
    """VIINA events with their labels file joined on, or unchanged with a note why not."""
    labels_name = source_name(labels)
    if importer.name != viina.NAME:
        return raw, (f"{labels_name}: a labels file is only used with VIINA event files; "
                     f"{label} was read as {importer.label}, so it was ignored")
    return viina.join_labels(raw, read_raw(labels, labels_name), label, labels_name)


def _detect(raw: pd.DataFrame, label: str, data: bytes) -> Importer:
    for importer in IMPORTERS:
        if importer.detect(raw, label):
            return importer
    shaped = _detect_shaped(data, label)
    return shaped if shaped is not None else get_importer(detect_format(raw, label))


def _detect_shaped(data: bytes, label: str) -> Importer | None:
    """The importer whose own reader (a headerless one) gives a table it recognises."""
    for importer in IMPORTERS:
        if importer.read is None:
            continue
        try:
            shaped = importer.read(data, label)
        except LoadError:
            continue
        if importer.detect(shaped, label):
            return importer
    return None


def _article_table(raw: pd.DataFrame) -> pd.DataFrame:
    table, _ = canonical.canonical_table(raw, ARTICLE_COLUMNS)
    return table
