"""Our own format: columns named as in ``schema.EVENT_COLUMNS`` (any order, any case)."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from dashboard.i18n import N_
from dashboard.importers.base import Imported
from dashboard.readers import column_text, is_typed
from dashboard.schema import ARTICLE_COLUMNS, EVENT_COLUMNS, LINKED_EVENTS
from dashboard.validate import TYPED_COLUMNS, empty_rejected

NAME = "canonical"
LABEL = N_("Canonical events file")  # translated where shown
_SIGNATURE = {"event_id", "event_date", "topic", "verification", "article_ids", "summary"}


def _names(raw: pd.DataFrame) -> dict[str, object]:
    return {str(c).strip().lower(): c for c in raw.columns}


def detect(raw: pd.DataFrame, name: str = "") -> bool:
    """An ``event_id`` column plus at least two other canonical signature columns."""
    names = set(_names(raw))
    return "event_id" in names and len(names & _SIGNATURE) >= 3


def canonical_table(raw: pd.DataFrame, columns: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Select ``columns`` by case-insensitive name; report the columns left out."""
    names = _names(raw)
    table = pd.DataFrame(index=raw.index)
    for column in columns:
        source = names.get(column)
        if source is None:
            table[column] = pd.Series(None, index=raw.index, dtype="str")
        elif is_typed(raw[source]):  # a Parquet file's numbers: validation reads them so
            table[column] = (raw[source] if column in TYPED_COLUMNS
                             else column_text(raw[source]))
        else:
            table[column] = raw[source].astype("str")
    ignored = [str(c) for key, c in names.items() if key not in columns]
    table = table.reset_index(drop=True)
    if "source_rows" in raw.attrs:
        table.attrs["source_rows"] = raw.attrs["source_rows"]
    return table, ignored


def ignored_columns(names: Iterable[object]) -> list[str]:
    """The columns of an events file no rule reads: not in the schema (names compared
    trimmed and lower-cased), nor our own exports' ``linked_events``, which links found
    again from the data loaded with them replace; what every engine's load warns of."""
    return [str(name) for name in names
            if str(name).strip().lower() not in (*EVENT_COLUMNS, LINKED_EVENTS)]


def ignored_warning(file: str, ignored: list[str]) -> str:
    """The load report's line naming the columns no rule reads (``reasons.WARNINGS`` holds
    it for translation), so that a misspelled column is named, not silently left empty;
    the duckdb engine's report says it too."""
    return f"{file}: ignored columns not in the schema: {', '.join(ignored)}"


def convert(raw: pd.DataFrame, file: str) -> Imported:
    """Pass canonical columns through untouched; validation does the checking."""
    events, ignored = canonical_table(raw, EVENT_COLUMNS)
    ignored = ignored_columns(ignored)
    warnings = [ignored_warning(file, ignored)] if ignored else []
    articles = pd.DataFrame({c: pd.Series(dtype="str") for c in ARTICLE_COLUMNS})
    return Imported(NAME, events, articles, empty_rejected(), len(raw), warnings)
