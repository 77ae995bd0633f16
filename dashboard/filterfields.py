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

Words people read (widget labels and help, the sentence's clauses) are messages of the
entries here, marked for the catalogs (``N_``, ``t.gettext``) and translated where they are
shown (docs/i18n.md).
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

from dashboard import schema
from dashboard.countries import country_name
from dashboard.eventindex import EventIndex, day_number
from dashboard.i18n import ENGLISH, N_, Sayable, Translator
from dashboard.linking import EventLinks, find_links
from dashboard.rowmatch import list_contains_any, text_contains


def quoted(text: object, limit: int = 60) -> str:
    """User input as notices repeat it: quoted, and cut short when long."""
    value = str(text)
    return repr(value if len(value) <= limit else value[:limit] + "…")


# --------------------------------------------------------------------------- value parsers


def _parse_country(value: str) -> str:
    """Country codes are ISO 3166 alpha-3 (or a 3-letter user-assigned code like XKX)."""
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(Sayable(N_("country {value} is not a three-letter ISO code such as POL"),
                               value=quoted(value)))
    return code


def _parse_topic(value: str) -> str:
    key = value.strip().lower()
    if not re.fullmatch(r"[a-z0-9_]+", key):
        raise ValueError(Sayable(N_("topic {value} is not a topic key such as border_zone"),
                               value=quoted(value)))
    return key


def _parse_verification(value: str) -> str:
    level = value.strip().lower()
    if level not in schema.VERIFICATION_LEVELS:
        known = ", ".join(schema.VERIFICATION_LEVELS)
        raise ValueError(Sayable(N_("verification {value} is not one of {known}"),
                               value=quoted(value), known=known))
    return level


def parse_free(value: str) -> str:
    """Free text (names, the search): trimmed, anything else kept."""
    return value.strip()


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(Sayable(N_("{value} is not a date in the form YYYY-MM-DD"),
                               value=quoted(value))) from None


def parse_flag(value: str) -> bool:
    """``1``/``true``/``yes`` or ``0``/``false``/``no``."""
    text = value.strip().lower()
    if text in {"1", "true", "yes"}:
        return True
    if text in {"0", "false", "no"}:
        return False
    raise ValueError(Sayable(N_("{value} is not 1 or 0"), value=quoted(value)))


def _parse_bbox(value: str) -> tuple[float, float, float, float]:
    """``west,south,east,north`` in degrees (WGS 84), west < east and south < north."""
    parts = value.split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValueError(Sayable(N_("bbox {value} is not four numbers west,south,east,north"),
                               value=quoted(value))) from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError(Sayable(N_("bbox {value} is not a box within -180..180 east and "
                                  "-90..90 north with west < east and south < north"),
                               value=quoted(value)))
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
    loaded), the boundaries (None when not given), ``citing`` (per event row: does it
    cite one of the articles a mask selects?) and the events' links across datasets."""

    events: pd.DataFrame
    index: EventIndex
    articles: pd.DataFrame | None
    areas: Any
    citing: Callable[[np.ndarray], np.ndarray]
    event_links: EventLinks | None  # ``linking.find_links`` of the events, when kept


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


def area_box(shape: Any) -> tuple[float, float, float, float]:
    """An area's bounds within the longitude and latitude ranges: the ``bbox`` whose events
    are the area's candidates on the engines that test them batch by batch."""
    import shapely

    x0, y0, x1, y1 = (float(v) for v in shapely.bounds(shape))
    return max(x0, -180.0), max(y0, -90.0), min(x1, 180.0), min(y1, 90.0)


def event_ids_in_area(shape: Any, batches: Iterable[pa.RecordBatch]) -> pa.Array:
    """The ``event_id``s of candidate rows (batches of ``event_id, longitude, latitude,
    geometry_wkt``) whose point is in ``shape`` or whose WKT shape intersects it: the test
    ``EventIndex.in_area`` makes, for the duckdb and spark engines."""
    import shapely

    shapely.prepare(shape)
    inside: list[pa.Array] = [pa.array([], pa.string())]
    for batch in batches:
        lon = batch.column(1).to_numpy(zero_copy_only=False).astype("float64")
        lat = batch.column(2).to_numpy(zero_copy_only=False).astype("float64")
        hit = np.zeros(len(lon), dtype=bool)
        located = ~(np.isnan(lon) | np.isnan(lat))
        hit[located] = shapely.intersects_xy(shape, lon[located], lat[located])
        texts = np.asarray(batch.column(3).to_pylist(), dtype=object)
        shaped = np.flatnonzero(pd.notna(texts))
        if shaped.size:
            shapes = shapely.from_wkt(texts[shaped], on_invalid="ignore")
            hit[shaped] |= shapely.intersects(shapes, shape)
        inside.append(batch.column(0).cast(pa.string()).filter(pa.array(hit)))
    return pa.concat_arrays(inside)


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


def _counted_once(_on: bool, keep: np.ndarray, rows: Rows) -> np.ndarray:
    return (rows.event_links or find_links(rows.events)).once(keep)


def _in_area(name: str, rows: Rows) -> np.ndarray:
    if rows.areas is None:
        raise ValueError("the area filter needs the boundaries: mask(..., areas=...)")
    return rows.index.in_area(area_shape(rows.areas, name))


# --------------------------------------------------------------------------- words


def _humanise(key: str) -> str:
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _longitude(value: float, t: Translator) -> str:
    form = t.gettext("{degrees}°E") if value >= 0 else t.gettext("{degrees}°W")
    return form.format(degrees=t.number(abs(value)))


def _latitude(value: float, t: Translator) -> str:
    form = t.gettext("{degrees}°N") if value >= 0 else t.gettext("{degrees}°S")
    return form.format(degrees=t.number(abs(value)))


@dataclass(frozen=True, eq=False)
class Speech:
    """What a clause of the sentence reads besides its value: the whole filter (for
    clauses that join two fields, the date range), the topics' labels and the language."""

    filters: Any
    topic_labels: Mapping[str, str]
    t: Translator = ENGLISH


#: ``words(value, speech)``: the field's clause of the sentence, ``""`` when it has
#: nothing to say. Values the data or the user gave stay as given.
Words = Callable[[Any, Speech], str]


def _countries_words(codes: tuple[str, ...], s: Speech) -> str:
    if not codes:
        return ""
    names = [country_name(c, s.t.lang) for c in codes]
    return s.t.gettext("in {countries}").format(countries=s.t.list_or(names))


def _topic_words(topics: tuple[str, ...], s: Speech) -> str:
    if not topics:
        return ""
    names = [s.topic_labels.get(k) or _humanise(k) for k in topics]
    return (s.t.ngettext("topic {topics}", "topics {topics}", len(names))
            .format(topics=s.t.list_or(names)))


def _actor_words(actors: tuple[str, ...], s: Speech) -> str:
    if not actors:
        return ""
    return s.t.gettext("involving {actors}").format(actors=s.t.list_or(list(actors)))


def _level_words(levels: tuple[str, ...], s: Speech) -> str:
    if not levels:
        return ""
    level_names = schema.verification_names(s.t)
    names = [level_names.get(v, v) for v in levels]
    return s.t.gettext("verification {levels}").format(levels=s.t.list_or(names))


def _outlet_words(outlets: tuple[str, ...], s: Speech) -> str:
    if not outlets:
        return ""
    return s.t.gettext("reported by {outlets}").format(outlets=s.t.list_or(list(outlets)))


def _text_words(text: str, s: Speech) -> str:
    return s.t.gettext("mentioning \u201c{text}\u201d").format(text=text) if text else ""


def _from_words(day: dt.date | None, s: Speech) -> str:
    if day is None:
        return ""
    last = s.filters.date_to
    if last:
        return s.t.gettext("from {first} to {last}").format(first=s.t.date(day),
                                                           last=s.t.date(last))
    return s.t.gettext("from {first}").format(first=s.t.date(day))


def _until_words(day: dt.date | None, s: Speech) -> str:
    if day is None or s.filters.date_from:
        return ""  # said with the first day
    return s.t.gettext("until {last}").format(last=s.t.date(day))


def _dataset_words(datasets: tuple[str, ...], s: Speech) -> str:
    if not datasets:
        return ""
    return s.t.gettext("from {datasets}").format(datasets=s.t.list_or(list(datasets)))


def _area_words(area: str, s: Speech) -> str:
    return s.t.gettext("in the area {area}").format(area=area) if area else ""


def _box_words(box: tuple[float, float, float, float] | None, s: Speech) -> str:
    if box is None:
        return ""
    west, south, east, north = box
    return s.t.gettext("in the box {west} to {east}, {south} to {north}").format(
        west=_longitude(west, s.t), east=_longitude(east, s.t),
        south=_latitude(south, s.t), north=_latitude(north, s.t))


def _precise_words(on: bool, s: Speech) -> str:
    return s.t.gettext("placed exactly or near") if on else ""


def _once_words(on: bool, s: Speech) -> str:
    return s.t.gettext("each event counted once across datasets") if on else ""


def _undated_words(included: bool, s: Speech) -> str:
    if not included:
        return s.t.gettext("undated events left out")
    if s.filters.date_from or s.filters.date_to:
        return s.t.gettext("plus undated events")
    return ""


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
    naming (up to five of) the dropped ones, or None. ``name`` is a message (``N_``)."""
    def hold(values: tuple[str, ...], offered: Any) -> tuple[tuple[str, ...], str | None]:
        allowed = set(offered)
        missing = [v for v in values if v not in allowed]
        if not missing:
            return values, None
        shown = ", ".join(quoted(v, 40) for v in missing[:5])
        if len(missing) > 5:
            notice = Sayable(N_("{field} {values} and {count} more do not occur in the data; "
                              "ignored."), field=Sayable(name), values=shown,
                           count=f"{len(missing) - 5:,}")
        else:
            notice = Sayable(N_("{field} {values} does not occur in the data; ignored."),
                           field=Sayable(name), values=shown)
        return tuple(v for v in values if v in allowed), notice
    return hold


def _hold_area(name: str, spellings: Mapping[str, str]) -> tuple[str, str | None]:
    """The area by any of its spellings (name, code; case-insensitive) as its name."""
    by_fold = {spelling.casefold(): unit for spelling, unit in spellings.items()}
    match = by_fold.get(name.casefold())
    if match is None:
        return "", Sayable(N_("Area {value} is not a unit of the boundaries in use; ignored."),
                         value=quoted(name))
    return match, None


# --------------------------------------------------------------------------- the registry


def _range_in_order(values: dict[str, Any]) -> list[str]:
    start, end = values.get("date_from"), values.get("date_to")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
        del values["date_from"], values["date_to"]
        return [Sayable(N_("Date range ignored: 'from' {start} is after 'to' {end}."),
                      start=start, end=end)]
    return []


#: Rules a link's parsed values (``Filters`` attribute -> value) must meet together; each
#: drops what breaks it and says so.
ACROSS_FIELDS: tuple[Callable[[dict[str, Any]], list[str]], ...] = (_range_in_order,)


#: The kinds of sidebar widget ``dashboard/ui/state.py`` draws.
WIDGET_KINDS: tuple[str, ...] = ("multiselect", "date_range", "text", "checkbox", "toggle",
                                 "select", "link_only")


def _last_day(day: dt.date, t: Translator) -> dict[str, str]:
    return {"last": t.date(day)}


def _box_numbers(box: tuple[float, ...], t: Translator) -> dict[str, str]:
    return {"box": ", ".join(t.number(v) for v in box)}


@dataclass(frozen=True)
class Widget:
    """How the sidebar offers a field; ``dashboard/ui/state.py`` draws each ``kind``.

    Kinds: ``multiselect`` (options: the ``choices.Options`` attribute ``options``; a field
    not held to the data lists its selected values first, as a link may name any),
    ``date_range`` (also sets the fields in ``also``), ``text``, ``checkbox``, ``toggle``
    (a switch), ``select`` (options: the boundaries' unit names) and ``link_only`` (no
    widget: a link sets it, ``note`` shows it, "Reset filters" clears it). ``rank`` orders
    the sidebar. ``label``, ``help``, ``placeholder`` and ``note`` are messages (``N_``),
    translated where they are drawn.
    """

    kind: str
    key: str  # its st.session_state key (kept out of the URL's keys by a leading "_")
    rank: int
    label: str = ""
    help: str | None = None
    placeholder: str | None = None
    note: str = ""  # a caption for a value only a link gave, formatted with ``note_values``
    note_values: Callable[[Any, Translator], dict[str, str]] | None = None
    options: str | None = None
    shows: str | None = None  # an option as "country" (name and code), "topic" or "level"
    only_with_choice: bool = False  # drawn when ``options`` offers more than one, or when set
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class FilterField:
    """One field of ``Filters`` and every face of it (module docstring).

    ``matches(value, rows)`` is a row test, called only for a value other than the default;
    a field that chooses among the rows the others keep (``once``) has ``among(value, keep,
    rows)`` instead, applied after every row test. ``words`` and ``slug`` are called for
    every value (they return ``""`` for nothing to say); ``hold(value, offered)`` with the
    data's ``held_to`` choices (a ``choices.Options`` attribute, or ``"areas"``: the
    boundaries' spellings of their units) gives the kept value and a notice.
    """

    key: str  # the URL key
    field: str  # the ``Filters`` attribute
    default: Any
    parse: Callable[[str], Any]  # one URL value (one item of a list field)
    multi: bool  # a list: comma-separated or a JSON array, repeated keys joined
    help: str  # what the key means (README's table of query keys)
    normalise: Callable[[Any], Any]
    matches: Callable[[Any, Rows], np.ndarray] | None
    words: Words
    sentence_rank: int
    slug: Slug
    slug_rank: int
    widget: Widget | None
    format: Callable[[Any], str] = format_value  # a single value as the URL writes it
    held_to: str | None = None
    hold: Callable[[Any, Any], tuple[Any, str | None]] | None = None
    among: Callable[[Any, np.ndarray, Rows], np.ndarray] | None = None


FIELDS: tuple[FilterField, ...] = (
    FilterField(
        "country", "countries", (), _parse_country, True,
        "ISO alpha-3 codes; matches the event's country or any country involved",
        normal_items, lambda v, rows: rows.index.involving(v), _countries_words, 0,
        _slug_items, 0,
        Widget("multiselect", "country", 1, N_("Country (the event's or any involved)"),
               options="countries", shows="country"),
        held_to="countries", hold=hold_items(N_("Country"))),
    FilterField(
        "topic", "topics", (), _parse_topic, True, "topic keys from data/topics.csv",
        normal_items, lambda v, rows: rows.index.topic.isin(v), _topic_words, 1,
        _slug_items, 1,
        Widget("multiselect", "topic", 2, N_("Topic"), options="topics", shows="topic"),
        held_to="topics", hold=hold_items(N_("Topic"))),
    FilterField(
        "actor", "actors", (), parse_free, True, "exact actor names",
        normal_items, lambda v, rows: list_contains_any(rows.events["actors"], v),
        _actor_words, 2, _slug_items, 3,
        Widget("multiselect", "actor", 3, N_("Actor"), options="actors")),
    FilterField(
        "verification", "verifications", (), _parse_verification, True,
        "confirmed, reported, claimed, alleged, disputed",
        normal_items, lambda v, rows: rows.index.verification.isin(v), _level_words, 3,
        _slug_items, 2,
        Widget("multiselect", "verification", 4, N_("Verification level"),
               options="verifications", shows="level"),
        held_to="verifications", hold=hold_items(N_("Verification"))),
    FilterField(
        "outlet", "outlets", (), parse_free, True, "exact outlet names of the sources",
        normal_items, _by_outlet, _outlet_words, 4, _slug_items, 4,
        Widget("multiselect", "outlet", 5, N_("Outlet of the sources"), options="outlets"),
        held_to="outlets", hold=hold_items(N_("Outlet"))),
    FilterField(
        "q", "text", "", parse_free, False,
        "case-insensitive text in summary, location or source titles",
        normal_text, _mentioning, _text_words, 5, _prefixed("q-"), 6,
        Widget("text", "q", 6, N_("Search titles, summaries and locations"),
               placeholder=N_("e.g. drone"))),
    FilterField(
        "from", "date_from", None, _parse_date, False, "first day, YYYY-MM-DD",
        _normal_date, _in_force_from, _from_words, 6, _from_slug, 7,
        Widget("date_range", "date_range", 0, N_("Date range (first and last day)"),
               note=N_("Until {last} (from the link)"), note_values=_last_day,
               also=("date_to",))),
    FilterField(
        "to", "date_to", None, _parse_date, False, "last day, YYYY-MM-DD",
        _normal_date, _in_force_until, _until_words, 7, _until_slug, 8,
        None),  # the date range of "from" sets it
    FilterField(
        "undated", "include_undated", True, parse_flag, False,
        "1 keeps undated events, 0 drops",
        bool, lambda _v, rows: rows.index.dated.copy(), _undated_words, 13,
        lambda included, _f: "" if included else "dated", 9,
        Widget("checkbox", "undated", 7, N_("Include undated events"))),
    FilterField(
        "dataset", "datasets", (), parse_free, True,
        "source datasets, as the events' source_dataset names them",
        normal_items, lambda v, rows: rows.index.source_dataset.isin(v), _dataset_words, 8,
        _slug_items, 5,
        Widget("multiselect", "dataset", 8, N_("Dataset"), options="datasets",
               only_with_choice=True),
        held_to="datasets", hold=hold_items(N_("Dataset"))),
    FilterField(
        "precise", "precise", False, parse_flag, False,
        "1 keeps only events placed exactly or near (geo_precision exact, near)",
        bool, lambda _v, rows: rows.index.geo_precision.isin(schema.PRECISE_PLACES),
        _precise_words, 11, _flag_slug("precise"), 12,
        Widget("checkbox", "precise", 10, N_("Precise places only"),
               help=N_("Only events placed exactly or near (geo precision exact or near); "
                       "events known only to their region or country are left out."))),
    FilterField(
        "bbox", "bbox", None, _parse_bbox, False,
        "west,south,east,north in degrees: events whose point or shape is in or "
        "crosses the box",
        _normal_box, lambda v, rows: rows.index.in_box(*v), _box_words, 10, _box_slug, 11,
        Widget("link_only", "_bbox", 12,
               note=N_("Box from the link: {box} (west, south, east, north); \u201cReset "
                       "filters\u201d clears it"), note_values=_box_numbers),
        format=_format_bbox),
    FilterField(
        "area", "area", "", parse_free, False,
        "a unit of the boundaries file by name (a country of the bundled outlines, or "
        "an area of --boundaries): events whose point or shape is in it",
        normal_text, _in_area, _area_words, 9, _prefixed("area-"), 10,
        Widget("select", "area", 11, N_("Area (a unit of the map's boundaries)"),
               placeholder=N_("Any area"), options="areas"),
        held_to="areas", hold=_hold_area),
    FilterField(
        "once", "once", False, parse_flag, False,
        "1 counts each event once: of events linked across datasets (docs/linking.md), "
        "only those of the dataset reporting most of each group are kept",
        bool, None, _once_words, 12, _flag_slug("once"), 13,
        Widget("toggle", "once", 9, N_("Count each event once"), options="datasets",
               only_with_choice=True,
               help=N_("Events of different datasets that are probably the same (the same "
                       "day, place and kind: docs/linking.md) are counted once: each group "
                       "keeps the events of the dataset that reports most of it.")),
        among=_counted_once),
)
