"""The filter's fields as data: one registry entry per field, every face of it in one place.

Each ``FilterField`` knows its URL key, how to parse and write a URL value, which rows
it keeps (``matches``, on the in-memory ``EventIndex``), how it reads in the sentence
above the results (``words``) and in a file name (``slug``), which of the data's choices
hold it (``held_to``, ``hold``) and how the sidebar offers it (``widget``). ``Filters``
(``dashboard/filters.py``), the sidebar (``dashboard/ui/state.py``) and the engines loop
over ``FIELDS``; none of them names a field, so a new filter is an attribute of
``Filters`` (its value and default), one entry here and its tests (docs/ARCHITECTURE.md).
The engines keep their own condition per key (``engines/duckdb_query.py``), since the SQL
is theirs; a test holds every field to every face and to every engine.

Words people read (labels, help, notices, the sentence's clauses) are data of the entries,
so translating them is one pass over this module.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import schema
from dashboard.eventindex import EventIndex, day_number


def quoted(text: object, limit: int = 60) -> str:
    """User input as notices repeat it: quoted, and cut short when long."""
    value = str(text)
    return repr(value if len(value) <= limit else value[:limit] + "…")


# --------------------------------------------------------------------------- value parsers


def _parse_country(value: str) -> str:
    """Country codes are ISO 3166 alpha-3 (or a 3-letter user-assigned code like XKX)."""
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"country {quoted(value)} is not a three-letter ISO code such as POL")
    return code


def _parse_topic(value: str) -> str:
    key = value.strip().lower()
    if not re.fullmatch(r"[a-z0-9_]+", key):
        raise ValueError(f"topic {quoted(value)} is not a topic key such as border_zone")
    return key


def _parse_verification(value: str) -> str:
    level = value.strip().lower()
    if level not in schema.VERIFICATION_LEVELS:
        known = ", ".join(schema.VERIFICATION_LEVELS)
        raise ValueError(f"verification {quoted(value)} is not one of {known}")
    return level


def parse_free(value: str) -> str:
    """Free text (names, the search): trimmed, anything else kept."""
    return value.strip()


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{quoted(value)} is not a date in the form YYYY-MM-DD") from None


def parse_flag(value: str) -> bool:
    """``1``/``true``/``yes`` or ``0``/``false``/``no``."""
    text = value.strip().lower()
    if text in {"1", "true", "yes"}:
        return True
    if text in {"0", "false", "no"}:
        return False
    raise ValueError(f"{quoted(value)} is not 1 or 0")


def _parse_bbox(value: str) -> tuple[float, float, float, float]:
    """``west,south,east,north`` in degrees (WGS 84), west < east and south < north."""
    parts = value.split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"bbox {quoted(value)} is not four numbers "
                         "west,south,east,north") from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError(f"bbox {quoted(value)} is not a box within -180..180 east and "
                         "-90..90 north with west < east and south < north")
    return west, south, east, north


def _format_bbox(box: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:g}" for v in box)


def format_value(value: object) -> str:
    """A single value as the URL writes it (flags as 1/0, dates in ISO form)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --------------------------------------------------------------------------- normalising


def dedupe(items: Iterable[str]) -> tuple[str, ...]:
    """Items trimmed, blanks dropped, repeats dropped (first kept, order kept)."""
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def normal_items(value: str | Iterable[str]) -> tuple[str, ...]:
    """A list field's value: one string or many, as a de-duplicated tuple."""
    return dedupe((value,) if isinstance(value, str) else value)


def normal_text(value: str | None) -> str:
    """A text field's value: trimmed, ``""`` for none."""
    return (value or "").strip()


def _normal_date(value: dt.date | None) -> dt.date | None:
    return value.date() if isinstance(value, dt.datetime) else value


def _normal_box(value: Sequence[float] | None) -> tuple[float, ...] | None:
    return None if value is None else tuple(float(v) for v in value)


# --------------------------------------------------------------------------- row matching


@dataclass(frozen=True, eq=False)
class Rows:
    """What a field's row test reads: the events, their index, the articles (None when not
    loaded), the boundaries (None when not given) and ``citing`` (per event row: does it
    cite one of the articles a mask selects?)."""

    events: pd.DataFrame
    index: EventIndex
    articles: pd.DataFrame | None
    areas: Any
    citing: Callable[[np.ndarray], np.ndarray]


def distinct(values: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """Distinct strings of a column and, per row, the index of its value (-1 for missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        uniques = pa.array(values.cat.categories.astype(str), type=pa.large_string())
        return uniques, values.cat.codes.to_numpy()
    encoded = pc.dictionary_encode(schema.arrow_text(values))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks != 1 else encoded.chunk(0)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return encoded.dictionary, codes


def list_contains_any(values: pd.Series, wanted: Iterable[str]) -> np.ndarray:
    """Rows whose ``"A; B"`` list holds any wanted item exactly (after trimming).

    Matched on the distinct lists and mapped back to rows, so a million events with a
    few thousand distinct lists costs one hashing pass, not a million splits.
    """
    wanted_set = pa.array(list(wanted), type=pa.large_string())
    if len(values) == 0 or len(wanted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    uniques, codes = distinct(values)
    lists = pc.split_pattern(uniques, ";")
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    parents = pc.list_parent_indices(lists).to_numpy()
    hit = pc.is_in(items, value_set=wanted_set).to_numpy(zero_copy_only=False)
    unique_hit = np.zeros(len(uniques) + 1, dtype=bool)  # last slot: missing (-1)
    unique_hit[parents[hit]] = True
    return unique_hit[codes]


def text_contains(values: pd.Series, needle: str) -> np.ndarray:
    """Case-insensitive substring match; missing text never matches."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        uniques, codes = distinct(values)
        unique_hit = np.append(text_contains(pd.Series(uniques.to_pandas(), dtype="str"), needle),
                               False)
        return unique_hit[codes]
    found = pc.match_substring(schema.arrow_text(values), needle, ignore_case=True)
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def area_shape(areas: Any, name: str) -> Any:
    """The geometry of the unit called ``name`` (case-insensitive; its code works too),
    or ValueError naming it."""
    wanted = name.casefold()
    for column in ("name", "iso3"):
        if column in areas:
            hits = areas[areas[column].astype("str").str.casefold() == wanted]
            if len(hits):
                return hits.geometry.union_all()
    raise ValueError(f"area {quoted(name)} is not a unit of the boundaries")


def _by_outlet(outlets: tuple[str, ...], rows: Rows) -> np.ndarray:
    if rows.articles is None:
        raise ValueError("the outlet filter needs the articles: apply(events, articles)")
    chosen = rows.articles["outlet"].isin(outlets).to_numpy(dtype=bool, na_value=False)
    return rows.citing(chosen)


def _mentioning(text: str, rows: Rows) -> np.ndarray:
    found = text_contains(rows.events["summary"], text)
    found |= text_contains(rows.events["location"], text)
    if rows.articles is not None and len(rows.articles):
        found |= rows.citing(text_contains(rows.articles["title"], text))
    return found


# The date fields test apart and still make the one rule "dated events whose time in force
# overlaps the range (open ends unbounded, an ongoing event open-ended too), plus undated
# events when included": each date lets undated rows through, `undated=0` drops them.

def _in_force_from(day: dt.date, rows: Rows) -> np.ndarray:
    return ~rows.index.dated | (rows.index.day_end >= day_number(day))


def _in_force_until(day: dt.date, rows: Rows) -> np.ndarray:
    return ~rows.index.dated | (rows.index.day_min <= day_number(day))


def _in_area(name: str, rows: Rows) -> np.ndarray:
    if rows.areas is None:
        raise ValueError("the area filter needs the boundaries: mask(..., areas=...)")
    return rows.index.in_area(area_shape(rows.areas, name))


# --------------------------------------------------------------------------- words


def country_name(code: str) -> str:
    """The common English name of an ISO alpha-3 code (the code itself when unknown)."""
    import pycountry  # local: only the sentence and the sidebar need it

    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name


def _humanise(key: str) -> str:
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


def _degrees(value: float, positive: str, negative: str) -> str:
    return f"{abs(value):g}°{positive if value >= 0 else negative}"


#: ``words(value, filters, labels)``: the field's clause of the sentence, ``""`` when it has
#: nothing to say; ``filters`` is the whole filter, for clauses that join two fields.
Words = Callable[[Any, Any, Mapping[str, str]], str]


def _listed(prefix: str) -> Words:
    return lambda values, _f, _l: prefix + _or(list(values)) if values else ""


def _topic_words(topics: tuple[str, ...], _f: Any, labels: Mapping[str, str]) -> str:
    if not topics:
        return ""
    names = [labels.get(t) or _humanise(t) for t in topics]
    return ("topic " if len(names) == 1 else "topics ") + _or(names)


def _from_words(day: dt.date | None, filters: Any, _l: Mapping[str, str]) -> str:
    if day is None:
        return ""
    if filters.date_to:
        return f"from {day.isoformat()} to {filters.date_to.isoformat()}"
    return f"from {day.isoformat()}"


def _until_words(day: dt.date | None, filters: Any, _l: Mapping[str, str]) -> str:
    return f"until {day.isoformat()}" if day and not filters.date_from else ""


def _box_words(box: tuple[float, float, float, float] | None, _f: Any,
               _l: Mapping[str, str]) -> str:
    if box is None:
        return ""
    west, south, east, north = box
    return (f"in the box {_degrees(west, 'E', 'W')} to {_degrees(east, 'E', 'W')}, "
            f"{_degrees(south, 'N', 'S')} to {_degrees(north, 'N', 'S')}")


def _undated_words(included: bool, filters: Any, _l: Mapping[str, str]) -> str:
    if not included:
        return "undated events left out"
    return "plus undated events" if filters.date_from or filters.date_to else ""


# --------------------------------------------------------------------------- file names

_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def slug_part(text: str) -> str:
    """``text`` safe in a file name: ASCII letters, digits, ``-`` and ``_``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    part = _SLUG_UNSAFE.sub("-", ascii_text).strip("-_")
    if not part:  # e.g. a Cyrillic name: keep it distinct with a short hash
        part = "x" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return part


#: ``slug(value, filters)``: the field's part of a file name, ``""`` when it has none.
Slug = Callable[[Any, Any], str]


def _slug_items(values: tuple[str, ...], _f: Any) -> str:
    return "-".join(slug_part(v) for v in values)


def _prefixed(prefix: str) -> Slug:
    return lambda text, _f: prefix + slug_part(text) if text else ""


def _from_slug(day: dt.date | None, filters: Any) -> str:
    if day is None:
        return ""
    return day.isoformat() if filters.date_to else "from-" + day.isoformat()


def _until_slug(day: dt.date | None, filters: Any) -> str:
    if day is None:
        return ""
    return day.isoformat() if filters.date_from else "to-" + day.isoformat()


def _box_slug(box: tuple[float, ...] | None, _f: Any) -> str:
    if box is None:
        return ""
    return "bbox-" + "_".join(slug_part(f"{v:g}".replace("-", "m"))  # m10: 10° west or south
                              for v in box)


def _flag_slug(word: str) -> Slug:
    return lambda flag, _f: word if flag else ""


# --------------------------------------------------------------------------- the data's choices


def hold_items(name: str) -> Callable[[tuple[str, ...], Any], tuple[tuple[str, ...], str | None]]:
    """A list field held to the values the data holds: the kept values and a notice
    naming (up to five of) the dropped ones, or None."""
    def hold(values: tuple[str, ...], offered: Any) -> tuple[tuple[str, ...], str | None]:
        allowed = set(offered)
        missing = [v for v in values if v not in allowed]
        if not missing:
            return values, None
        shown = ", ".join(quoted(v, 40) for v in missing[:5])
        more = f" and {len(missing) - 5:,} more" if len(missing) > 5 else ""
        return (tuple(v for v in values if v in allowed),
                f"{name} {shown}{more} does not occur in the data; ignored.")
    return hold


def _hold_area(name: str, spellings: Mapping[str, str]) -> tuple[str, str | None]:
    """The area by any of its spellings (name, code; case-insensitive) as its name."""
    by_fold = {spelling.casefold(): unit for spelling, unit in spellings.items()}
    match = by_fold.get(name.casefold())
    if match is None:
        return "", f"Area {quoted(name)} is not a unit of the boundaries in use; ignored."
    return match, None


# --------------------------------------------------------------------------- the registry


#: The kinds of sidebar widget ``dashboard/ui/state.py`` draws.
WIDGET_KINDS: tuple[str, ...] = ("multiselect", "date_range", "text", "toggle", "select",
                                 "link_only")


@dataclass(frozen=True)
class Widget:
    """How the sidebar offers a field; ``dashboard/ui/state.py`` draws each ``kind``.

    Kinds: ``multiselect`` (options: the ``choices.Options`` attribute ``options``; a field
    not held to the data lists its selected values first, as a link may name any),
    ``date_range`` (also sets the fields in ``also``), ``text``, ``toggle``, ``select``
    (options: the boundaries' unit names) and ``link_only`` (no widget: a link sets it,
    ``note`` shows it, "Reset filters" clears it). ``rank`` orders the sidebar.
    """

    kind: str
    key: str  # its st.session_state key (kept out of the URL's keys by a leading "_")
    rank: int
    label: str = ""
    help: str | None = None
    placeholder: str | None = None
    note: str = ""  # a caption for a value only a link gave ({value}: ``shown(value)``)
    shown: Callable[[Any], str] = format_value
    options: str | None = None
    shows: str | None = None  # an option as "country" (name and code) or "topic" (label)
    only_with_choice: bool = False  # drawn when there is more than one option, or a value
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilterField:
    """One field of ``Filters`` and every face of it (module docstring).

    ``matches(value, rows)`` is called only for a value other than the default; ``words``
    and ``slug`` for every value (they return ``""`` for nothing to say); ``hold(value,
    offered)`` with the data's ``held_to`` choices (a ``choices.Options`` attribute, or
    ``"areas"``: the boundaries' spellings of their units) gives the kept value and a notice.
    """

    key: str  # the URL key
    field: str  # the ``Filters`` attribute
    default: Any
    parse: Callable[[str], Any]  # one URL value (one item of a list field)
    multi: bool  # a list: comma-separated or a JSON array, repeated keys joined
    help: str  # what the key means (README's table of query keys)
    normalise: Callable[[Any], Any]
    matches: Callable[[Any, Rows], np.ndarray]
    words: Words
    sentence_rank: int
    slug: Slug
    slug_rank: int
    widget: Widget | None
    format: Callable[[Any], str] = format_value  # a single value as the URL writes it
    held_to: str | None = None
    hold: Callable[[Any, Any], tuple[Any, str | None]] | None = None


FIELDS: tuple[FilterField, ...] = (
    FilterField(
        "country", "countries", (), _parse_country, True,
        "ISO alpha-3 codes; matches the event's country or any country involved",
        normal_items, lambda v, rows: rows.index.involving(v),
        lambda v, _f, _l: "in " + _or([country_name(c) for c in v]) if v else "", 0,
        _slug_items, 0,
        Widget("multiselect", "country", 1, "Country (the event's or any involved)",
               options="countries", shows="country"),
        held_to="countries", hold=hold_items("Country")),
    FilterField(
        "topic", "topics", (), _parse_topic, True, "topic keys from data/topics.csv",
        normal_items, lambda v, rows: rows.index.topic.isin(v), _topic_words, 1,
        _slug_items, 1,
        Widget("multiselect", "topic", 2, "Topic", options="topics", shows="topic"),
        held_to="topics", hold=hold_items("Topic")),
    FilterField(
        "actor", "actors", (), parse_free, True, "exact actor names",
        normal_items, lambda v, rows: list_contains_any(rows.events["actors"], v),
        _listed("involving "), 2, _slug_items, 3,
        Widget("multiselect", "actor", 3, "Actor", options="actors")),
    FilterField(
        "verification", "verifications", (), _parse_verification, True,
        "confirmed, reported, claimed, alleged, disputed",
        normal_items, lambda v, rows: rows.index.verification.isin(v),
        _listed("verification "), 3, _slug_items, 2,
        Widget("multiselect", "verification", 4, "Verification level",
               options="verifications"),
        held_to="verifications", hold=hold_items("Verification")),
    FilterField(
        "outlet", "outlets", (), parse_free, True, "exact outlet names of the sources",
        normal_items, _by_outlet, _listed("reported by "), 4, _slug_items, 4,
        Widget("multiselect", "outlet", 5, "Outlet of the sources", options="outlets"),
        held_to="outlets", hold=hold_items("Outlet")),
    FilterField(
        "q", "text", "", parse_free, False,
        "case-insensitive text in summary, location or source titles",
        normal_text, _mentioning,
        lambda v, _f, _l: f"mentioning \u201c{v}\u201d" if v else "", 5,
        _prefixed("q-"), 6,
        Widget("text", "q", 6, "Search titles, summaries and locations",
               placeholder="e.g. drone")),
    FilterField(
        "from", "date_from", None, _parse_date, False, "first day, YYYY-MM-DD",
        _normal_date, _in_force_from, _from_words, 6, _from_slug, 7,
        Widget("date_range", "date_range", 0, "Date range (first and last day)",
               note="Until {value} (from the link)", also=("date_to",))),
    FilterField(
        "to", "date_to", None, _parse_date, False, "last day, YYYY-MM-DD",
        _normal_date, _in_force_until, _until_words, 7, _until_slug, 8,
        None),  # the date range of "from" sets it
    FilterField(
        "undated", "include_undated", True, parse_flag, False,
        "1 keeps undated events, 0 drops",
        bool, lambda _v, rows: rows.index.dated.copy(), _undated_words, 12,
        lambda included, _f: "" if included else "dated", 9,
        Widget("toggle", "undated", 7, "Include undated events")),
    FilterField(
        "dataset", "datasets", (), parse_free, True,
        "source datasets, as the events' source_dataset names them",
        normal_items, lambda v, rows: rows.index.source_dataset.isin(v),
        _listed("from "), 8, _slug_items, 5,
        Widget("multiselect", "dataset", 8, "Dataset", options="datasets",
               only_with_choice=True),
        held_to="datasets", hold=hold_items("Dataset")),
    FilterField(
        "precise", "precise", False, parse_flag, False,
        "1 keeps only events placed exactly or near (geo_precision exact, near)",
        bool, lambda _v, rows: rows.index.geo_precision.isin(schema.PRECISE_PLACES),
        lambda v, _f, _l: "placed exactly or near" if v else "", 11,
        _flag_slug("precise"), 12,
        Widget("toggle", "precise", 9, "Precise places only",
               help="Only events placed exactly or near (geo precision exact or near); "
                    "events known only to their region or country are left out.")),
    FilterField(
        "bbox", "bbox", None, _parse_bbox, False,
        "west,south,east,north in degrees: events whose point or shape is in or "
        "crosses the box",
        _normal_box, lambda v, rows: rows.index.in_box(*v), _box_words, 10, _box_slug, 11,
        Widget("link_only", "_bbox", 11,
               note="Box from the link: {value} (west, south, east, north); "
                    "\u201cReset filters\u201d clears it",
               shown=lambda box: ", ".join(f"{v:g}" for v in box)),
        format=_format_bbox),
    FilterField(
        "area", "area", "", parse_free, False,
        "a unit of the boundaries file by name (a country of the bundled outlines, or "
        "an area of --boundaries): events whose point or shape is in it",
        normal_text, _in_area,
        lambda v, _f, _l: f"in the area {v}" if v else "", 9, _prefixed("area-"), 10,
        Widget("select", "area", 10, "Area (a unit of the map's boundaries)",
               placeholder="Any area", options="areas"),
        held_to="areas", hold=_hold_area),
)
