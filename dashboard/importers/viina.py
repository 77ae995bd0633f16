"""VIINA (Violent Incident Information from News Articles) event files, with labels.

Follows VIINA's README codebook: an ``event_info`` file holds one news report per
row (``date`` YYYYMMDD is the report's date, ``text`` its headline/description,
``url`` and ``source`` where it came from, ``GEO_PRECISION`` from "STREET" to
"ADM1"); a labels file holds, per ``event_id``, a probability (``t_x`` or
``t_x_pred``) and a 0/1 flag (``t_x_b``) for each event category and for the
initiator (``a_rus``, ``a_ukr``, ``a_civ``, ``a_other``). Older combined files
carry the labels in the event file itself; both work. VIINA is published under
the Open Database License (ODbL 1.0), so its licence travels with every row in
``source_dataset``.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dashboard import countries, readers
from dashboard.i18n import N_, Sayable
from dashboard.importers import _convert as cv
from dashboard.importers.base import Imported

NAME = "viina"
LABEL = N_("VIINA event file")  # translated where shown
SOURCE_DATASET = "viina (ODbL 1.0)"
DETECT_COLUMNS = ["event_id", "date", "geo_precision", "url", "text", "source"]
DATE_FORMATS = ["%Y%m%d", "%Y-%m-%d"]
GEO_PRECISION = [
    (r"^(street|house|address|building|exact|point)", "exact"),
    (r"^(locality|ppl|city|town|village|district|hydro|other|vegetation|metro|railway)", "near"),
    (r"^(adm|province|region|area|raion|oblast)", "admin"),
    (r"^(country|pcl)", "country"),
]
ACTOR_FLAGS = {
    "a_rus": "Russian or Russian-aligned forces",
    "a_ukr": "Ukrainian or Ukrainian-aligned forces",
    "a_civ": "Civilians",
    "a_other": "Third party",
}
LANGUAGES = {"ua": "uk", "uk": "uk", "ru": "ru", "en": "en"}
_FLAG = re.compile(r"^(t_[a-z0-9]+)_b$", re.IGNORECASE)


def detect(raw: pd.DataFrame, name: str = "") -> bool:
    """VIINA event files have report ids, YYYYMMDD dates, GEO_PRECISION and the report text."""
    return cv.has_columns(raw, DETECT_COLUMNS)


def _flags(raw: pd.DataFrame) -> dict[str, pd.Series]:
    """``{label: flag is 1}`` for every ``t_*_b`` column."""
    flags = {}
    for name in raw.columns:
        match = _FLAG.match(str(name).strip())
        if match:
            value = pd.to_numeric(raw[name], errors="coerce").fillna(0)
            flags[match.group(1).lower()] = value >= 1
    return flags


def _probability(raw: pd.DataFrame, label: str) -> pd.Series:
    return cv.column(raw, f"{label}_pred", label)


def _labels(raw: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """(mapping category, source_category text) from the label flags, column-wise.

    The category is the first flagged label in ``data/category_mapping.csv``'s
    VIINA order (most specific first); every flagged label is kept, with its
    probability, in the source_category text.
    """
    flags = _flags(raw)
    order = [label for label in cv.category_order(NAME) if label in flags]
    order += [label for label in sorted(flags) if label not in order]
    category = pd.Series(
        np.select([flags[label].to_numpy() for label in order], order, default="") if order else "",
        index=raw.index,
        dtype="str",
    )
    text = pd.Series("", index=raw.index, dtype="str")
    for label in order:
        probability = _probability(raw, label)
        item = (label + "=" + probability).fillna(label)
        text = text.where(~flags[label], text + ", " + item)
    return cv.text(category), cv.text(text.str.removeprefix(", "))


def _geo_precision(values: pd.Series) -> pd.Series:
    def convert(value: str) -> str | None:
        for pattern, precision in GEO_PRECISION:
            if re.match(pattern, value.lower()):
                return precision
        return None

    return cv.map_unique(values, convert)


def _country(raw: pd.DataFrame) -> pd.Series:
    """ISO3 from an ADM1 code that starts with an ISO alpha-2 prefix ("UA14", "UA-14")."""
    codes = cv.column(raw, "ADM1_CODE").str.extract(r"^([A-Za-z]{2})(?:[-._ ]?\d|$)")[0]
    return countries.iso3_from_any(cv.text(codes))


def _actors(raw: pd.DataFrame) -> pd.Series:
    flags = _flags_named(raw, ACTOR_FLAGS)
    parts = [pd.Series(label, index=raw.index, dtype="str").where(flag) for label, flag in flags]
    return cv.join_parts(parts) if parts else cv.text(None, raw.index)


def _flags_named(raw: pd.DataFrame, names: dict[str, str]) -> list[tuple[str, pd.Series]]:
    found = []
    for prefix, label in names.items():
        values = cv.column(raw, f"{prefix}_b")
        if values.notna().any():
            found.append((label, pd.to_numeric(values, errors="coerce").fillna(0) >= 1))
    return found


def convert(raw: pd.DataFrame, file: str) -> Imported:
    """VIINA event rows (labels included or already joined) → canonical raw events."""
    ids = cv.column(raw, "event_id")
    event_id = "viina:" + ids
    category, source_category = _labels(raw)
    topic, verification = cv.map_categories(NAME, category)
    date = cv.parse_dates(cv.column(raw, "date"), DATE_FORMATS)
    report = cv.column(raw, "text")
    events = cv.events_frame(
        {
            "event_id": event_id,
            "event_date": date,
            "date_precision": pd.Series("day", index=raw.index, dtype="str").where(date.notna()),
            "topic": topic,
            "sub_type": category,
            "country": _country(raw),
            "admin1": cv.column(raw, "ADM1_NAME"),
            "location": cv.column(raw, "asciiname").fillna(cv.column(raw, "address")),
            "latitude": cv.column(raw, "latitude"),
            "longitude": cv.column(raw, "longitude"),
            "geo_precision": _geo_precision(cv.column(raw, "GEO_PRECISION")),
            "actors": _actors(raw),
            "summary": report,
            "verification": verification,
            "source_dataset": pd.Series(SOURCE_DATASET, index=raw.index, dtype="str"),
            "source_category": source_category,
        },
        raw.index,
    )
    events["countries_involved"] = events["country"]
    missing = ids.isna().to_numpy()
    rejected = cv.rejects(
        file, cv.source_rows(raw)[missing], "event_id", ids[missing], "no VIINA event_id"
    )
    keep = ~missing
    language = cv.column(raw, "lang").str.lower()
    articles, article_ids = cv.explode_articles(
        event_id[keep],
        {
            "title": report[keep],
            "outlet": cv.column(raw, "source")[keep],
            "url": cv.http_urls(cv.column(raw, "url"))[keep],
            "published": date[keep],
            "language": language.map(LANGUAGES).fillna(language).astype("str")[keep],
        },
        sep="\x00",
    )
    events = cv.kept_events(events, keep, article_ids, raw)
    return Imported(
        format=NAME,
        events=events,
        articles=articles,
        rejected=rejected,
        rows_read=len(raw),
        warnings=[f"{file}: VIINA data are licensed under the Open Database License (ODbL 1.0)"],
    )


def join_labels(
    raw: pd.DataFrame, labels: pd.DataFrame, file: str, labels_file: str = "labels file"
) -> tuple[pd.DataFrame, str]:
    """Left-join a labels file onto event rows by ``event_id``; returns rows and a note.

    VIINA publishes labels apart from the reports (``event_labels_latest_YYYY``); its
    ``t_*``/``a_*`` columns replace any of the same name in the event file. Raises
    LoadError when ``labels`` has no ``event_id`` or no label column.
    """
    keep = [name for name in labels.columns if str(name).lower().startswith(("t_", "a_"))]
    if not cv.has_columns(labels, ["event_id"]) or not keep:
        raise readers.LoadError(
            labels_file, Sayable(N_("not a VIINA labels file: it needs event_id and t_*/a_* "
                                    "label columns"))
        )
    label_ids = cv.column(labels, "event_id")
    table = labels[keep].copy()
    table["_event_id"] = label_ids.to_numpy()
    table = table[table["_event_id"].notna()].drop_duplicates("_event_id")
    events = raw.drop(columns=[c for c in raw.columns if c in keep])
    joined = events.assign(_event_id=cv.column(raw, "event_id").to_numpy()).merge(
        table, on="_event_id", how="left"
    )
    joined = joined.drop(columns="_event_id")
    joined.index = raw.index
    joined.attrs = dict(raw.attrs)
    matched = cv.column(raw, "event_id").isin(table["_event_id"]).sum()
    return joined, f"{file}: {labels_file} gave labels for {matched} of {len(raw)} VIINA reports"


def load_viina(
    events_path: readers.Source, labels_path: readers.Source | None = None, *,
    name: str | None = None,
) -> Imported:
    """Read a VIINA event file, join its labels file when given, and convert.

    ``events_path``/``labels_path`` are anything ``readers.read_raw`` accepts
    (path, bytes, upload). Raises ``readers.LoadError`` for unreadable files.
    """
    file = readers.source_name(events_path, name)
    raw = readers.read_raw(events_path, name)
    note = None
    if labels_path is not None:
        labels_file = readers.source_name(labels_path)
        labels = readers.read_raw(labels_path, labels_file)
        raw, note = join_labels(raw, labels, file, labels_file)
    imported = convert(raw, file)
    if note:
        imported.warnings.append(note)
    return imported
