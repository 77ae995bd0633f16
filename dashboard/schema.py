"""The canonical event and article model every page, export and importer shares.

In memory an events frame holds exactly ``EVENT_COLUMNS`` plus the two derived
columns in ``DERIVED_COLUMNS``; list fields are kept as ``"A; B; C"`` strings
(compact in Arrow-backed string columns and identical to the CSV form) and are
split only where a list is really needed.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from dashboard.i18n import N_, Translator

LIST_SEPARATOR = "; "

EVENT_COLUMNS: list[str] = [
    "event_id",
    "event_date",
    "date_precision",
    "end_date",
    "topic",
    "sub_type",
    "country",
    "countries_involved",
    "admin1",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "geometry_wkt",
    "actors",
    "summary",
    "fatalities",
    "verification",
    "article_ids",
    "source_dataset",
    "source_category",
]

ARTICLE_COLUMNS: list[str] = [
    "article_id",
    "title",
    "outlet",
    "url",
    "published",
    "language",
    "summary",
]

# What an export adds after EVENT_COLUMNS: the ids of the events of other datasets that
# are probably the same (``dashboard.linking``), "A; B". Found again when data is loaded,
# so a file's own column is ignored on import.
LINKED_EVENTS = "linked_events"
EXPORT_EVENT_COLUMNS: list[str] = [*EVENT_COLUMNS, LINKED_EVENTS]

# Fields written "A; B; C" in CSV/Excel and as arrays in JSON, GeoJSON and Parquet.
LIST_COLUMNS: list[str] = ["countries_involved", "actors", "article_ids"]

# First and last day an event may have happened (NaT when undated); derived from
# event_date, date_precision and end_date so that date filters are one comparison.
DERIVED_COLUMNS: list[str] = ["date_min", "date_max"]

DATE_PRECISIONS: list[str] = ["day", "week", "month", "year"]

# An ``end_date`` of "ongoing": the zone, closure or deployment is still in force, so it
# matches every date range from its start on.
ONGOING = "ongoing"
GEO_PRECISIONS: list[str] = ["exact", "near", "admin", "country"]
# Places known well enough to draw as points and to count in a small area (``precise=1``).
PRECISE_PLACES: list[str] = ["exact", "near"]

# Strongest first: the order used in charts and legends.
VERIFICATION_LEVELS: list[str] = ["confirmed", "reported", "claimed", "alleged", "disputed"]

VERIFICATION_MEANINGS: dict[str, str] = {
    "confirmed": N_("Officially confirmed by an authority or party with direct knowledge."),
    "reported": N_("Widely reported by independent outlets, not officially confirmed."),
    "claimed": N_("A claim of responsibility or success by a party to the event."),
    "alleged": N_("An account given by one party about another; not independently checked."),
    "disputed": N_("Contested: sources disagree on whether or how it happened."),
}

# The levels' names as the interface shows them (the data and the URL keep the keys).
_VERIFICATION_NAMES: dict[str, str] = {
    "confirmed": N_("confirmed"),
    "reported": N_("reported"),
    "claimed": N_("claimed"),
    "alleged": N_("alleged"),
    "disputed": N_("disputed"),
}


def verification_names(t: Translator) -> dict[str, str]:
    """Level key -> its name in ``t``'s language."""
    return {level: t.gettext(name) for level, name in _VERIFICATION_NAMES.items()}


def verification_meanings(t: Translator) -> dict[str, str]:
    """Level key -> what it means, in ``t``'s language."""
    return {level: t.gettext(meaning) for level, meaning in VERIFICATION_MEANINGS.items()}


def split_list(value: object) -> list[str]:
    """Split a stored list field into its items (empty or missing gives [])."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split(";") if part.strip()]


def join_list(items: object) -> str:
    """Join list items into the stored ``"A; B"`` form, dropping blanks and duplicates."""
    seen: dict[str, None] = {}
    for item in split_list(items):
        seen.setdefault(item, None)
    return LIST_SEPARATOR.join(seen)


def arrow_text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A text column as Arrow large strings, the form pandas' ``str`` columns hold, so they
    are not copied; categories are spelled out and missing cells are null. Validation,
    filters, aggregates and exports all hand text to Arrow compute through this."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("str")
    return pa.array(values, type=pa.large_string(), from_pandas=True)
