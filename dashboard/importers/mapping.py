"""A user's column mapping: any CSV/Excel/JSON/GeoJSON/Parquet table → canonical events.

The mapping names, for each canonical field, the source column that holds it,
plus a value map from the file's categories to topic keys and a default
verification level. It is saved as small, human-editable JSON (see
docs/formats.md) and reused from the UI and ``python -m dashboard validate PATH
--mapping MAP``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard import countries, schema
from dashboard.i18n import N_, Sayable
from dashboard.importers import _convert as cv
from dashboard.importers.base import Imported

NAME = "mapped"
LABEL = N_("Other table (column mapping)")  # translated where shown
ISO_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y%m%d"]
DAY_FIRST = ["%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%d/%m/%Y %H:%M"]
MONTH_FIRST = ["%m/%d/%Y", "%m-%d-%Y", "%B %d, %Y", "%b %d, %Y", "%m/%d/%Y %H:%M"]
# A month or a year written alone ("2024-06", "June 2024", "2024"): the event is dated to
# it (date_precision month or year), as the canonical format writes it.
PARTIAL_DATES = (("month", "%Y-%m", ["%Y-%m", "%Y/%m", "%m/%Y", "%m.%Y", "%B %Y", "%b %Y"]),
                 ("year", "%Y", ["%Y"]))

# How many of a topic column's distinct values the guess and the Data page map one by one
# (the most frequent); the rest take ``default_topic`` unless a saved mapping names them.
TOPIC_VALUES_SHOWN = 40

# Canonical field → column names commonly used for it (lower case), best first.
GUESSES: dict[str, list[str]] = {
    "event_id": ["event_id", "id", "uid", "identifier", "nr", "numer", "№", "номер"],
    "date": ["event_date", "date", "day", "datetime", "timestamp", "data", "дата"],
    "end_date": ["end_date", "date_end", "until"],
    "country": ["country", "iso3", "country_code", "iso", "kraj", "страна", "країна",
                "краіна", "šalis", "valstybė"],
    "location": ["location", "place", "city", "town", "village", "miejscowość", "место",
                 "місце", "населений пункт", "месца", "vieta"],
    "admin1": ["admin1", "region", "province", "oblast", "województwo", "state"],
    "latitude": ["latitude", "lat", "y", "szerokość", "широта", "шырата", "platuma"],
    "longitude": ["longitude", "lon", "lng", "long", "x", "długość", "довгота", "долгота",
                  "даўгата", "ilguma"],
    # a GeoJSON feature's line or area (the reader writes it as WKT), or a WKT column
    "geometry_wkt": ["geometry_wkt", "wkt", "geometry", "geom", "the_geom"],
    "topic": ["topic", "category", "type", "event_type", "kategoria", "категорія",
              "категория", "катэгорыя", "kategorija", "тема"],
    "summary": ["summary", "description", "notes", "text", "details", "opis", "опис",
                "описание", "апісанне", "aprašymas"],
    "actors": ["actors", "actor", "parties", "actor1"],
    "url": ["url", "link", "source_url", "href"],
    "title": ["title", "headline"],
    "outlet": ["outlet", "source", "publisher", "media"],
    "verification": ["verification", "status", "confidence"],
    "fatalities": ["fatalities", "deaths", "killed"],
}


@dataclass
class ColumnMapping:
    """Which source column holds each canonical field (None: not in the file)."""

    event_id: str | None = None
    date: str | None = None
    end_date: str | None = None
    country: str | None = None
    location: str | None = None
    admin1: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    geometry_wkt: str | None = None
    topic: str | None = None
    topic_values: dict[str, str] = field(default_factory=dict)
    default_topic: str = "other"
    summary: str | None = None
    actors: str | None = None
    url: str | None = None
    title: str | None = None
    outlet: str | None = None
    fatalities: str | None = None
    verification: str | None = None
    default_verification: str = "reported"
    dayfirst: bool = True
    # A row with coordinates and no country gets the country whose bundled outline holds
    # it, unless another country's is within boundaries.BORDER_MARGIN_KM; the load report
    # says how many were filled and how many were left without one.
    country_from_coordinates: bool = False

    def columns(self) -> dict[str, str]:
        """Mapped fields and their source columns."""
        return {name: getattr(self, name) for name in COLUMN_FIELDS if getattr(self, name)}


# The fields that name a column of the file (the rest are settings).
SETTINGS = ("topic_values", "default_topic", "default_verification", "dayfirst",
            "country_from_coordinates")
COLUMN_FIELDS = tuple(f.name for f in fields(ColumnMapping) if f.name not in SETTINGS)


def mapping_json(mapping: ColumnMapping) -> str:
    """The mapping as indented JSON a person can edit (the Data page's "Save this mapping",
    ``python -m dashboard mapping`` and ``save_mapping`` write the same text)."""
    return json.dumps(asdict(mapping), indent=2, ensure_ascii=False) + "\n"


def save_mapping(mapping: ColumnMapping, path: str | Path) -> None:
    """Write the mapping to ``path`` as ``mapping_json`` gives it."""
    Path(path).write_text(mapping_json(mapping), "utf-8")


def load_mapping(path: str | Path) -> ColumnMapping:
    """Read a mapping file; unknown keys raise ValueError naming them."""
    data = json.loads(Path(path).read_text("utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a mapping file holds one JSON object")
    try:
        return mapping_from_dict(data)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from err


def suggest_mapping(raw: pd.DataFrame) -> ColumnMapping:
    """Guess a mapping from common column names (English and the interface's languages)."""
    by_lower = {str(name).strip().lower(): str(name) for name in raw.columns}
    chosen: dict[str, Any] = {}  # text fields only, spread into a mixed signature
    used: set[str] = set()
    for target, names in GUESSES.items():
        for name in names:
            if name in by_lower and by_lower[name] not in used:
                chosen[target] = by_lower[name]
                used.add(by_lower[name])
                break
    placed = "country" not in chosen and {"latitude", "longitude"} <= chosen.keys()
    topic_values = guess_topic_values(raw[chosen["topic"]]) if "topic" in chosen else {}
    return ColumnMapping(**chosen, country_from_coordinates=placed, topic_values=topic_values)


def unused_columns(raw: pd.DataFrame, mapping: ColumnMapping) -> list[str]:
    """The file's columns no field of ``mapping`` reads, in the file's order."""
    used = set(mapping.columns().values())
    return [str(name) for name in raw.columns if str(name) not in used]


def frequent_values(values: pd.Series, limit: int | None = TOPIC_VALUES_SHOWN) -> pd.Series:
    """The ``limit`` (None: all) most frequent distinct values of a column (stripped, blanks
    left out), with their row counts: the categories a person maps to topics one by one."""
    counts = cv.text(values).value_counts()
    return counts if limit is None else counts.head(limit)


def guess_topic_values(values: pd.Series, limit: int = TOPIC_VALUES_SHOWN) -> dict[str, str]:
    """Each frequent value that already names a topic, by its key or its label in any of
    the taxonomy's languages ("Protests", "Protesty", "strike"), mapped to that topic."""
    found = {}
    for value in frequent_values(values, limit).index:
        key = named_topic(str(value))
        if key is not None:
            found[str(value)] = key
    return found


def named_topic(value: str) -> str | None:
    """The topic ``value`` names by its key or its label in any interface language, if any."""
    return _topic_names().get(value.strip().casefold())


@lru_cache(maxsize=1)
def _topic_names() -> dict[str, str]:
    """Every spelling of a topic (its key, its label in each interface language), case-folded,
    to its key."""
    from dashboard.i18n import LANGUAGES
    from dashboard.taxonomy import topic_labels

    names: dict[str, str] = {}
    for lang in LANGUAGES:
        for key, label in topic_labels(lang=lang).items():
            names.setdefault(key.casefold(), key)
            names.setdefault(label.strip().casefold(), key)
    return names


def detect(raw: pd.DataFrame, name: str = "") -> bool:
    """Never auto-detected: a mapping is always the user's explicit choice."""
    return False


def _get(raw: pd.DataFrame, column: str | None) -> pd.Series:
    if column is None:
        return cv.text(None, raw.index)
    if column not in raw.columns:
        raise ValueError(Sayable(N_("mapped column {column} is not in the file"),
                                 column=repr(column)))
    return cv.text(raw[column])


def _topics(mapping: ColumnMapping, values: pd.Series) -> pd.Series:
    table = {str(k).strip().lower(): v for k, v in mapping.topic_values.items()}
    lowered = values.str.lower()
    return (
        lowered.map(table)
        .astype("str")
        .fillna(lowered.where(lowered.isin(table.values())))
        .fillna(mapping.default_topic)
        .astype("str")
    )


def apply_mapping(raw: pd.DataFrame, file: str, mapping: ColumnMapping) -> Imported:
    """Convert ``raw`` with ``mapping``; raises ValueError for a column not in the file."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(file).stem) or "file"
    rows = pd.Series(cv.source_rows(raw), index=raw.index).astype("str")
    ids = _get(raw, mapping.event_id).fillna(stem + "-row" + rows)
    formats = ISO_FORMATS + (
        DAY_FIRST + MONTH_FIRST if mapping.dayfirst else MONTH_FIRST + DAY_FIRST
    )
    date, precision = _dated(_get(raw, mapping.date), formats)
    topic_source = _get(raw, mapping.topic)
    country = _get(raw, mapping.country)
    iso3 = countries.iso3_from_any(country)
    unused = unused_columns(raw, mapping)
    # a column left out is named, as the canonical format names those outside its schema
    warnings = [f"{Path(file).name}: ignored columns the mapping does not use: "
                f"{', '.join(unused)}"] if unused else []
    if mapping.country_from_coordinates:
        iso3, warning = _placed(iso3, country.isna(), raw, file, mapping)
        warnings += [warning] if warning else []
    events = cv.events_frame(
        {
            "event_id": ids,
            "event_date": date,
            "date_precision": precision,
            "end_date": _dated(_get(raw, mapping.end_date), formats)[0],
            "topic": _topics(mapping, topic_source),
            "country": iso3.fillna(country).astype("str"),
            "countries_involved": iso3,
            "admin1": _get(raw, mapping.admin1),
            "location": _get(raw, mapping.location),
            "latitude": _get(raw, mapping.latitude),
            "longitude": _get(raw, mapping.longitude),
            "geometry_wkt": _get(raw, mapping.geometry_wkt),
            "actors": _get(raw, mapping.actors).map(
                lambda v: schema.join_list(v) or None, na_action="ignore"
            ),
            "summary": _get(raw, mapping.summary),
            "fatalities": cv.integer_text(_get(raw, mapping.fatalities)),
            "verification": _get(raw, mapping.verification)
            .str.lower()
            .fillna(mapping.default_verification),
            "source_dataset": pd.Series(stem, index=raw.index, dtype="str"),
            "source_category": topic_source,
        },
        raw.index,
    )
    has_source = [c for c in (mapping.url, mapping.title, mapping.outlet) if c]
    if has_source:
        articles, article_ids = cv.explode_articles(
            ids,
            {
                "title": _get(raw, mapping.title),
                "outlet": _get(raw, mapping.outlet),
                "url": _get(raw, mapping.url),
            },
            sep="\x00",
        )
        events["article_ids"] = article_ids.to_numpy()
    else:
        articles = cv.articles_frame({"article_id": cv.text(None, pd.RangeIndex(0))})
    events.attrs["source_rows"] = cv.source_rows(raw)
    return Imported(
        format=NAME,
        events=events,
        articles=articles,
        rejected=cv.empty_rejects(),
        rows_read=len(raw),
        warnings=warnings,
    )


def _dated(values: pd.Series, formats: list[str]) -> tuple[pd.Series, pd.Series]:
    """A date column as canonical text and its precision: a day in any of ``formats``,
    else a month or a year written alone (``PARTIAL_DATES``). A value none reads is kept
    as written, with no precision, for validation to reject with the value shown."""
    dates = cv.parse_dates(values, formats)
    days = dates.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    precision = pd.Series("day", index=values.index, dtype="str").where(days)
    for level, written, level_formats in PARTIAL_DATES:
        unread = dates.notna() & precision.isna()
        if not unread.any():
            break
        partial = cv.per_unique(dates[unread], _partial_reader(level_formats, written))
        read = partial.notna()
        dates[partial.index[read]] = partial[read]
        precision[partial.index[read]] = level
    return dates, precision


def _partial_reader(formats: list[str], written: str) -> Callable[[pd.Series], pd.Series]:
    """A reader of distinct values: each read with the first of ``formats`` that fits and
    written as ``written`` ("%Y-%m"), NA where none does."""
    def read(distinct: pd.Series) -> pd.Series:
        result = pd.Series(pd.NA, index=distinct.index, dtype="str")
        for fmt in formats:
            unread = result.isna()
            if not unread.any():
                break
            attempt = pd.to_datetime(distinct[unread], format=fmt, errors="coerce")
            found = attempt.notna()
            result[attempt.index[found]] = attempt[found].dt.strftime(written)
        return result
    return read


def _placed(iso3: pd.Series, no_country: pd.Series, raw: pd.DataFrame, file: str,
            mapping: ColumnMapping) -> tuple[pd.Series, str | None]:
    """``iso3`` with the rows that name no country but have coordinates given the country
    at those coordinates (``boundaries.countries_at``), and the report's line saying so. A
    country the file names, even one not known, is never replaced."""
    from dashboard.boundaries import BORDER_MARGIN_KM, countries_at  # geopandas: only here

    lat = pd.to_numeric(_get(raw, mapping.latitude), errors="coerce")
    lon = pd.to_numeric(_get(raw, mapping.longitude), errors="coerce")
    unplaced = no_country & lat.between(-90, 90) & lon.between(-180, 180)
    if not unplaced.any():
        return iso3, None
    found = pd.Series(countries_at(lon[unplaced].to_numpy(), lat[unplaced].to_numpy()),
                      index=iso3.index[unplaced], dtype="str")
    filled = int(found.notna().sum())
    warning = (f"{Path(file).name}: events with coordinates and no country: {filled:,} of "
               f"{int(unplaced.sum()):,} given the country their coordinates lie in; the rest "
               f"lie outside the bundled country outlines or within {BORDER_MARGIN_KM:g} km "
               "of another country's")
    return iso3.fillna(found), warning


def mapping_from_dict(data: dict) -> ColumnMapping:
    """A mapping from its JSON object form; unknown keys raise ValueError naming them."""
    known = {f.name for f in fields(ColumnMapping)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ValueError(Sayable(N_("unknown mapping keys {keys}"), keys=", ".join(unknown)))
    # a saved mapping is a visitor's file: a wrong type is named here, not met as a crash later
    for key, value in data.items():
        if key in COLUMN_FIELDS and not (value is None or isinstance(value, str)):
            raise ValueError(Sayable(N_("mapping key {key} must name a column or be null"),
                                     key=key))
        if key == "topic_values" and not (isinstance(value, dict) and all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items())):
            raise ValueError(Sayable(N_("mapping key {key} must be an object from values to "
                                        "topic keys"), key=key))
        if key in ("default_topic", "default_verification") and not isinstance(value, str):
            raise ValueError(Sayable(N_("mapping key {key} must be text"), key=key))
        if key in ("dayfirst", "country_from_coordinates") and not isinstance(value, bool):
            raise ValueError(Sayable(N_("mapping key {key} must be true or false"), key=key))
    return ColumnMapping(**data)


def convert(
    raw: pd.DataFrame, file: str, mapping: ColumnMapping | dict | None = None
) -> Imported:
    """Importer entry point: the given mapping (object or JSON dict), else a guessed one."""
    if isinstance(mapping, dict):
        mapping = mapping_from_dict(mapping)
    return apply_mapping(raw, file, mapping or suggest_mapping(raw))
