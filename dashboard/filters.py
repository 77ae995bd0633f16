"""One filter for every page, the URL and the command line.

A ``Filters`` value is parsed from URL query parameters (``from_query``), written back
to them (``to_query``), applied to an events frame (``apply``), described to the user
as a sentence (``describe``) and named for files (``slug``). The query keys are one
registry (``QUERY_KEYS``) so the parser, the writer and the docs cannot drift apart.

List fields (``countries_involved``, ``actors``, ``article_ids``) are matched on their
distinct values first and mapped back to rows, so a million events with a few thousand
distinct lists costs one hashing pass, not a million splits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import schema
from dashboard.countries import country_name
from dashboard.eventindex import EventIndex, day_number
from dashboard.i18n import ENGLISH, Translator
from dashboard.linking import EventLinks, find_links

#: Longest URL value read (characters); a longer one is refused with a notice, so a
#: crafted link cannot make every visitor's run parse megabytes.
MAX_VALUE_CHARS = 20_000


def _quoted(text: object, limit: int = 60) -> str:
    """User input as notices repeat it: quoted, and cut short when long."""
    value = str(text)
    return repr(value if len(value) <= limit else value[:limit] + "…")


# --------------------------------------------------------------------------- value parsers


def _parse_country(value: str) -> str:
    """Country codes are ISO 3166 alpha-3 (or a 3-letter user-assigned code like XKX)."""
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ValueError(f"country {_quoted(value)} is not a three-letter ISO code such as POL")
    return code


def _parse_topic(value: str) -> str:
    key = value.strip().lower()
    if not re.fullmatch(r"[a-z0-9_]+", key):
        raise ValueError(f"topic {_quoted(value)} is not a topic key such as border_zone")
    return key


def _parse_verification(value: str) -> str:
    level = value.strip().lower()
    if level not in schema.VERIFICATION_LEVELS:
        known = ", ".join(schema.VERIFICATION_LEVELS)
        raise ValueError(f"verification {_quoted(value)} is not one of {known}")
    return level


def _parse_free(value: str) -> str:
    return value.strip()


def _parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{_quoted(value)} is not a date in the form YYYY-MM-DD") from None


def _parse_flag(value: str) -> bool:
    text = value.strip().lower()
    if text in {"1", "true", "yes"}:
        return True
    if text in {"0", "false", "no"}:
        return False
    raise ValueError(f"{_quoted(value)} is not 1 or 0")


def _parse_bbox(value: str) -> tuple[float, float, float, float]:
    """``west,south,east,north`` in degrees (WGS 84), west < east and south < north."""
    parts = value.split(",")
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"bbox {_quoted(value)} is not four numbers "
                         "west,south,east,north") from None
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise ValueError(f"bbox {_quoted(value)} is not a box within -180..180 east and "
                         "-90..90 north with west < east and south < north")
    return west, south, east, north


def _format_bbox(box: tuple[float, float, float, float]) -> str:
    return ",".join(f"{v:g}" for v in box)


def _format_value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class QueryKey:
    """How one URL query key maps onto a ``Filters`` field."""

    key: str
    field: str
    parse: Callable[[str], object]
    multi: bool
    help: str
    format: Callable[[Any], str] = _format_value  # the value as the URL writes it


QUERY_KEYS: tuple[QueryKey, ...] = (
    QueryKey("country", "countries", _parse_country, True,
             "ISO alpha-3 codes; matches the event's country or any country involved"),
    QueryKey("topic", "topics", _parse_topic, True, "topic keys from data/topics.csv"),
    QueryKey("actor", "actors", _parse_free, True, "exact actor names"),
    QueryKey("verification", "verifications", _parse_verification, True,
             "confirmed, reported, claimed, alleged, disputed"),
    QueryKey("outlet", "outlets", _parse_free, True, "exact outlet names of the sources"),
    QueryKey("q", "text", _parse_free, False,
             "case-insensitive text in summary, location or source titles"),
    QueryKey("from", "date_from", _parse_date, False, "first day, YYYY-MM-DD"),
    QueryKey("to", "date_to", _parse_date, False, "last day, YYYY-MM-DD"),
    QueryKey("undated", "include_undated", _parse_flag, False, "1 keeps undated events, 0 drops"),
    QueryKey("dataset", "datasets", _parse_free, True,
             "source datasets, as the events' source_dataset names them"),
    QueryKey("precise", "precise", _parse_flag, False,
             "1 keeps only events placed exactly or near (geo_precision exact, near)"),
    QueryKey("bbox", "bbox", _parse_bbox, False,
             "west,south,east,north in degrees: events whose point or shape is in or "
             "crosses the box", _format_bbox),
    QueryKey("area", "area", _parse_free, False,
             "a unit of the boundaries file by name (a country of the bundled outlines, or "
             "an area of --boundaries): events whose point or shape is in it"),
    QueryKey("once", "once", _parse_flag, False,
             "1 counts each event once: of events linked across datasets (docs/linking.md), "
             "only those of the dataset reporting most of each group are kept"),
)
_BY_KEY: dict[str, QueryKey] = {spec.key: spec for spec in QUERY_KEYS}

#: URL keys that say what a page shows rather than which events: the event of the event
#: page (``event``), the Overview's time frame (``at``, ``window``) and the interface's
#: language (``lang``). They travel in the same link, so the filter's parser knows them
#: and leaves them to the page.
VIEW_KEYS: tuple[str, ...] = ("event", "at", "window", "lang")


def _raw_values(value: str | Sequence[str]) -> list[str]:
    """Query values arrive as one string or as repeated keys (a list)."""
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _split_items(text: str) -> list[str]:
    """Split ``A,B`` or a JSON array ``["A, with comma","B"]`` into items."""
    stripped = text.strip()
    if stripped.startswith("[") and stripped.endswith("]"):
        try:
            items = json.loads(stripped)
        except json.JSONDecodeError:
            raise ValueError(f"{_quoted(text)} is not a valid JSON list") from None
        except RecursionError:  # [[[[…]]]] nested past Python's stack
            raise ValueError(f"{_quoted(text)} is nested too deeply") from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValueError(f"{_quoted(text)} must be a JSON list of strings")
        return items
    return text.split(",")


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        item = item.strip()
        if item:
            seen.setdefault(item, None)
    return tuple(seen)


def _join_items(items: Sequence[str]) -> str:
    """Comma-join unless an item holds a comma or looks like JSON; then a JSON array."""
    if any("," in item or item.startswith("[") for item in items):
        return json.dumps(list(items), ensure_ascii=False)
    return ",".join(items)


# --------------------------------------------------------------------------- list matching


def _distinct(values: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """Distinct strings of a column and, per row, the index of its value (-1 for missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        uniques = pa.array(values.cat.categories.astype(str), type=pa.large_string())
        return uniques, values.cat.codes.to_numpy()
    encoded = pc.dictionary_encode(schema.arrow_text(values))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks != 1 else encoded.chunk(0)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return encoded.dictionary, codes


def _list_contains_any(values: pd.Series, wanted: Iterable[str]) -> np.ndarray:
    """Rows whose ``"A; B"`` list holds any wanted item exactly (after trimming)."""
    wanted_set = pa.array(list(wanted), type=pa.large_string())
    if len(values) == 0 or len(wanted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    uniques, codes = _distinct(values)
    lists = pc.split_pattern(uniques, ";")
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    parents = pc.list_parent_indices(lists).to_numpy()
    hit = pc.is_in(items, value_set=wanted_set).to_numpy(zero_copy_only=False)
    unique_hit = np.zeros(len(uniques) + 1, dtype=bool)  # last slot: missing (-1)
    unique_hit[parents[hit]] = True
    return unique_hit[codes]


def _text_contains(values: pd.Series, needle: str) -> np.ndarray:
    """Case-insensitive substring match; missing text never matches."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        uniques, codes = _distinct(values)
        unique_hit = np.append(_text_contains(pd.Series(uniques.to_pandas(), dtype="str"), needle),
                               False)
        return unique_hit[codes]
    found = pc.match_substring(schema.arrow_text(values), needle, ignore_case=True)
    return found.fill_null(False).to_numpy(zero_copy_only=False)


def _events_citing(events: pd.Series, article_ids: pd.Series) -> np.ndarray:
    """Rows of events whose ``article_ids`` list cites one of ``article_ids``."""
    wanted = article_ids.dropna().unique()
    if len(wanted) == 0:
        return np.zeros(len(events), dtype=bool)
    return _list_contains_any(events, [str(a) for a in wanted])


# --------------------------------------------------------------------------- the filter


def _humanise(key: str) -> str:
    text = key.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _longitude(value: float, t: Translator) -> str:
    form = t.gettext("{degrees}°E") if value >= 0 else t.gettext("{degrees}°W")
    return form.format(degrees=t.number(abs(value)))


def _latitude(value: float, t: Translator) -> str:
    form = t.gettext("{degrees}°N") if value >= 0 else t.gettext("{degrees}°S")
    return form.format(degrees=t.number(abs(value)))


def _area_shape(areas: Any, name: str) -> Any:
    """The geometry of the unit called ``name`` (case-insensitive; its code works too),
    or ValueError naming it."""
    wanted = name.casefold()
    for column in ("name", "iso3"):
        if column in areas:
            hits = areas[areas[column].astype("str").str.casefold() == wanted]
            if len(hits):
                return hits.geometry.union_all()
    raise ValueError(f"area {_quoted(name)} is not a unit of the boundaries")


_SLUG_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_SLUG_MAX = 100


def _slug_part(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    part = _SLUG_UNSAFE.sub("-", ascii_text).strip("-_")
    if not part:  # e.g. a Cyrillic name: keep it distinct with a short hash
        part = "x" + hashlib.sha256(text.encode()).hexdigest()[:8]
    return part


@dataclass(frozen=True)
class Filters:
    """The one filter: what the sidebar shows, the URL holds and exports use.

    Tuples keep it hashable, so it doubles as a cache key. Values are trimmed and
    de-duplicated on construction (order kept), so equal filters compare equal.
    """

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    countries: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    verifications: tuple[str, ...] = ()
    outlets: tuple[str, ...] = ()
    text: str = ""
    include_undated: bool = True
    datasets: tuple[str, ...] = ()
    precise: bool = False
    bbox: tuple[float, float, float, float] | None = None
    area: str = ""
    once: bool = False

    def __post_init__(self) -> None:
        for name in ("countries", "topics", "actors", "verifications", "outlets", "datasets"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            object.__setattr__(self, name, _dedupe(value))
        object.__setattr__(self, "text", (self.text or "").strip())
        object.__setattr__(self, "area", (self.area or "").strip())
        if self.bbox is not None:
            object.__setattr__(self, "bbox", tuple(float(v) for v in self.bbox))
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if isinstance(value, dt.datetime):
                object.__setattr__(self, name, value.date())

    # ---------------------------------------------------------------- URL

    @classmethod
    def from_query(
        cls, params: Mapping[str, str | Sequence[str]]
    ) -> tuple[Filters, list[str]]:
        """Parse URL query parameters; unknown keys and bad values become notices."""
        notices: list[str] = []
        values: dict[str, Any] = {}  # field -> value, of the type its parser gives
        for raw_key, raw_value in params.items():
            key = str(raw_key).strip().lower()
            if key in VIEW_KEYS:
                continue
            spec = _BY_KEY.get(key)
            if spec is None:
                notices.append(f"Unknown filter {_quoted(raw_key)} ignored.")
                continue
            texts = [t for t in _raw_values(raw_value) if t.strip()]
            if any(len(t) > MAX_VALUE_CHARS for t in texts):
                notices.append(f"Filter {spec.key!r}: a value of more than "
                               f"{MAX_VALUE_CHARS:,} characters; ignored.")
                texts = [t for t in texts if len(t) <= MAX_VALUE_CHARS]
            if spec.multi:
                parsed: list[object] = []
                for text in texts:
                    try:
                        items = _split_items(text)
                    except ValueError as err:
                        notices.append(f"Filter {spec.key!r}: {err}; ignored.")
                        continue
                    for item in items:
                        if not item.strip():
                            continue
                        try:
                            parsed.append(spec.parse(item))
                        except ValueError as err:
                            notices.append(f"Filter {spec.key!r}: {err}; ignored.")
                values[spec.field] = tuple(parsed)
                continue
            if not texts:
                continue
            if len(texts) > 1:
                notices.append(f"Filter {spec.key!r} given {len(texts)} times; the first is used.")
            try:
                values[spec.field] = spec.parse(texts[0])
            except ValueError as err:
                notices.append(f"Filter {spec.key!r}: {err}; ignored.")
        start, end = values.get("date_from"), values.get("date_to")
        if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
            notices.append(f"Date range ignored: 'from' {start} is after 'to' {end}.")
            values.pop("date_from")
            values.pop("date_to")
        return cls(**values), notices

    def to_query(self) -> dict[str, str]:
        """Query parameters for this filter, defaults left out (a short, shareable URL)."""
        query: dict[str, str] = {}
        default = Filters()
        for spec in QUERY_KEYS:
            value = getattr(self, spec.field)
            if value == getattr(default, spec.field):
                continue
            query[spec.key] = _join_items(value) if spec.multi else spec.format(value)
        return query

    @property
    def is_default(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()

    def without(self, *names: str) -> Filters:
        """This filter with some fields reset (e.g. to count the choices of one widget)."""
        defaults: dict[str, Any] = {f.name: f.default for f in fields(self) if f.name in names}
        return replace(self, **defaults)

    # ---------------------------------------------------------------- frames

    def mask(
        self,
        events: pd.DataFrame,
        articles: pd.DataFrame | None = None,
        *,
        links: ArticleLinks | None = None,
        index: EventIndex | None = None,
        areas: Any = None,
        event_links: EventLinks | None = None,
    ) -> np.ndarray:
        """Boolean row mask of ``events`` that pass this filter.

        ``links`` (an ``ArticleLinks`` over these events and articles) makes the
        outlet and title searches array lookups instead of string matching; ``index``
        (an ``EventIndex`` of these events, kept between calls) makes the country,
        topic, verification and date tests lookups in integer codes. ``areas`` (a
        boundaries GeoDataFrame: ``name``, ``geometry``) is needed by the area filter.
        ``event_links`` (``linking.find_links`` of these events, kept between calls) serves
        ``once``; without it the links are found here.
        """
        index = index if index is not None else EventIndex(events)
        keep = np.ones(len(events), dtype=bool)
        if self.countries:
            keep &= index.involving(self.countries)
        if self.topics:
            keep &= index.topic.isin(self.topics)
        if self.verifications:
            keep &= index.verification.isin(self.verifications)
        if self.actors:
            keep &= _list_contains_any(events["actors"], self.actors)
        if self.outlets:
            if articles is None:
                raise ValueError("the outlet filter needs the articles: apply(events, articles)")
            by_outlet = articles["outlet"].isin(self.outlets).to_numpy(dtype=bool, na_value=False)
            keep &= self._citing(events, articles, by_outlet, links)
        if self.text:
            found = _text_contains(events["summary"], self.text)
            found |= _text_contains(events["location"], self.text)
            if articles is not None and len(articles):
                titled = _text_contains(articles["title"], self.text)
                found |= self._citing(events, articles, titled, links)
            keep &= found
        if self.datasets:
            keep &= index.source_dataset.isin(self.datasets)
        if self.precise:
            keep &= index.geo_precision.isin(schema.PRECISE_PLACES)
        if self.bbox is not None:
            keep &= index.in_box(*self.bbox)
        if self.area:
            if areas is None:
                raise ValueError("the area filter needs the boundaries: mask(..., areas=...)")
            keep &= index.in_area(_area_shape(areas, self.area))
        keep &= self._date_mask(index)
        if self.once:  # last: a group is counted once among the events the rest selects
            keep = (event_links or find_links(events)).once(keep)
        return keep

    @staticmethod
    def _citing(events: pd.DataFrame, articles: pd.DataFrame, article_mask: np.ndarray,
                links: ArticleLinks | None) -> np.ndarray:
        if links is not None:
            return links.citing(article_mask)
        return _events_citing(events["article_ids"], articles.loc[article_mask, "article_id"])

    def _date_mask(self, index: EventIndex) -> np.ndarray:
        """Dated events whose time in force overlaps the range (an open end of the range is
        unbounded, and so is an ongoing event's), plus undated events when included."""
        undated = ~index.dated
        if self.date_from is None and self.date_to is None:
            return ~undated if not self.include_undated else np.ones(index.size, dtype=bool)
        dated = index.dated.copy()
        if self.date_from is not None:
            dated &= index.day_end >= day_number(self.date_from)  # ongoing: open-ended
        if self.date_to is not None:
            dated &= index.day_min <= day_number(self.date_to)
        return dated | (undated & self.include_undated)

    def apply(
        self,
        events: pd.DataFrame,
        articles: pd.DataFrame | None = None,
        *,
        links: ArticleLinks | None = None,
        areas: Any = None,
        event_links: EventLinks | None = None,
    ) -> pd.DataFrame:
        """The events that pass this filter (the same frame when nothing is filtered)."""
        if self.is_default:
            return events
        return events[self.mask(events, articles, links=links, areas=areas,
                                event_links=event_links)]

    # ---------------------------------------------------------------- words

    def describe(self, topic_labels: Mapping[str, str] | None = None,
                 t: Translator = ENGLISH) -> str:
        """A sentence for the top of the results, e.g. "Events in Poland, topic Border
        zones", in ``t``'s language (values the data or the user gave stay as given)."""
        labels = topic_labels or {}
        level_names = schema.verification_names(t)
        parts: list[str] = []
        if self.countries:
            names = [country_name(c, t.lang) for c in self.countries]
            parts.append(t.gettext("in {countries}").format(countries=t.list_or(names)))
        if self.topics:
            names = [labels.get(k) or _humanise(k) for k in self.topics]
            parts.append(t.ngettext("topic {topics}", "topics {topics}", len(names))
                         .format(topics=t.list_or(names)))
        if self.actors:
            parts.append(t.gettext("involving {actors}").format(
                actors=t.list_or(list(self.actors))))
        if self.verifications:
            names = [level_names.get(v, v) for v in self.verifications]
            parts.append(t.gettext("verification {levels}").format(levels=t.list_or(names)))
        if self.outlets:
            parts.append(t.gettext("reported by {outlets}").format(
                outlets=t.list_or(list(self.outlets))))
        if self.text:
            parts.append(t.gettext("mentioning \u201c{text}\u201d").format(text=self.text))
        if self.date_from and self.date_to:
            parts.append(t.gettext("from {first} to {last}").format(
                first=t.date(self.date_from), last=t.date(self.date_to)))
        elif self.date_from:
            parts.append(t.gettext("from {first}").format(first=t.date(self.date_from)))
        elif self.date_to:
            parts.append(t.gettext("until {last}").format(last=t.date(self.date_to)))
        if self.datasets:
            parts.append(t.gettext("from {datasets}").format(
                datasets=t.list_or(list(self.datasets))))
        if self.area:
            parts.append(t.gettext("in the area {area}").format(area=self.area))
        if self.bbox is not None:
            west, south, east, north = self.bbox
            parts.append(t.gettext("in the box {west} to {east}, {south} to {north}").format(
                west=_longitude(west, t), east=_longitude(east, t),
                south=_latitude(south, t), north=_latitude(north, t)))
        if self.precise:
            parts.append(t.gettext("placed exactly or near"))
        if self.once:
            parts.append(t.gettext("each event counted once across datasets"))
        if not self.include_undated:
            parts.append(t.gettext("undated events left out"))
        elif self.date_from or self.date_to:
            parts.append(t.gettext("plus undated events"))
        if not parts:
            return t.gettext("All events")
        return t.gettext("Events {conditions}").format(conditions=", ".join(parts))

    def slug(self) -> str:
        """A short, file-name-safe name for this filter ("all" when unfiltered)."""
        parts: list[str] = []
        for values in (self.countries, self.topics, self.verifications, self.actors, self.outlets,
                       self.datasets):
            if values:
                parts.append("-".join(_slug_part(v) for v in values))
        if self.text:
            parts.append("q-" + _slug_part(self.text))
        if self.date_from and self.date_to:
            parts += [self.date_from.isoformat(), self.date_to.isoformat()]
        elif self.date_from:
            parts.append("from-" + self.date_from.isoformat())
        elif self.date_to:
            parts.append("to-" + self.date_to.isoformat())
        if not self.include_undated:
            parts.append("dated")
        if self.area:
            parts.append("area-" + _slug_part(self.area))
        if self.bbox is not None:
            parts.append("bbox-" + "_".join(_slug_part(f"{v:g}".replace("-", "m"))
                                            for v in self.bbox))  # m10: 10° west or south
        if self.precise:
            parts.append("precise")
        if self.once:
            parts.append("once")
        slug = "_".join(parts) or "all"
        if len(slug) > _SLUG_MAX:
            digest = hashlib.sha256(repr(self).encode()).hexdigest()[:8]
            slug = slug[: _SLUG_MAX - 9].rstrip("_-") + "_" + digest
        return slug


# --------------------------------------------------------------------------- articles


@dataclass(frozen=True, eq=False)
class ArticleLinks:
    """Which article row each event row cites, as integer arrays.

    Built once per dataset (one split of ``article_ids`` and one hash lookup), it turns
    "articles behind these events" and "events citing these articles" into array
    indexing, so the article list and counts stay fast at millions of events.
    Ids that name no article in the frame are left out.
    """

    event_rows: np.ndarray
    article_rows: np.ndarray
    n_events: int
    n_articles: int

    @classmethod
    def build(cls, events: pd.DataFrame, articles: pd.DataFrame) -> ArticleLinks:
        """Index the citations of ``events`` into the rows of ``articles``."""
        lists = pc.split_pattern(schema.arrow_text(events["article_ids"]), ";")
        flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
        event_rows = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
        # index_in finds the first row of a repeated id, so duplicates cannot mislead it
        found = pc.index_in(flat, value_set=schema.arrow_text(articles["article_id"]))
        article_rows = found.fill_null(-1).to_numpy(zero_copy_only=False)
        known = article_rows >= 0
        return cls(event_rows[known], article_rows[known].astype(np.int64), len(events),
                   len(articles))

    def cited(self, event_mask: np.ndarray | None = None) -> np.ndarray:
        """Per article row: is it cited by a selected event?"""
        rows = self.article_rows if event_mask is None else self.article_rows[
            event_mask[self.event_rows]]
        hit = np.zeros(self.n_articles, dtype=bool)
        hit[rows] = True
        return hit

    def citing(self, article_mask: np.ndarray) -> np.ndarray:
        """Per event row: does it cite a selected article?"""
        hit = np.zeros(self.n_events, dtype=bool)
        hit[self.event_rows[article_mask[self.article_rows]]] = True
        return hit


ARTICLE_LIST_COLUMNS: list[str] = [*schema.ARTICLE_COLUMNS, "topics", "countries", "verification",
                                   "event_ids"]


def newest_first(articles: pd.DataFrame) -> np.ndarray:
    """Row positions of ``articles`` newest first (undated last, then by id)."""
    order = articles[["published", "article_id"]].assign(_row=np.arange(len(articles)))
    order = order.sort_values(["published", "article_id"], ascending=[False, True],
                              na_position="last", kind="stable")
    return order["_row"].to_numpy()


def articles_for(
    events: pd.DataFrame,
    articles: pd.DataFrame,
    *,
    links: ArticleLinks | None = None,
    event_mask: np.ndarray | None = None,
    rows: np.ndarray | None = None,
) -> pd.DataFrame:
    """The articles behind ``events``, newest first.

    Adds ``topics``, ``countries``, ``verification`` and ``event_ids`` ("A; B" lists)
    naming the events each article reports and how well each is established, so an
    article list shows what it is evidence for and whether that is confirmed or claimed.
    With a prebuilt ``links`` index over ``events`` and a row ``event_mask``, only
    the selected events count; ``rows`` (article row positions, e.g. one page of
    the list) limits the work to those articles.
    """
    if events.empty or articles.empty:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in ARTICLE_LIST_COLUMNS})
    links = links or ArticleLinks.build(events, articles)
    selected = np.ones(links.n_events, dtype=bool) if event_mask is None else event_mask
    if rows is None:
        cited = links.cited(selected)
        order = newest_first(articles)
        rows = order[cited[order]]
    rows = np.asarray(rows, dtype=np.int64)
    position = np.full(links.n_articles, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    keep = selected[links.event_rows] & (position[links.article_rows] >= 0)
    groups = position[links.article_rows[keep]]
    event_rows = links.event_rows[keep]
    result = articles.iloc[rows].reset_index(drop=True)
    result["topics"] = _group_join(groups, events["topic"], event_rows, len(rows))
    result["countries"] = _group_join(groups, events["country"], event_rows, len(rows))
    result["verification"] = _group_join(groups, events["verification"], event_rows, len(rows))
    result["event_ids"] = _group_join(groups, events["event_id"], event_rows, len(rows))
    return result[ARTICLE_LIST_COLUMNS]


def _group_join(groups: np.ndarray, column: pd.Series, event_rows: np.ndarray,
                n_groups: int) -> pd.Series:
    """Per group, the distinct values of ``column`` at ``event_rows``, sorted, joined "A; B"."""
    # factorise only the rows involved (a page of articles), not the whole column
    value_codes, uniques = pd.factorize(column.iloc[event_rows], sort=True,
                                        use_na_sentinel=True)
    valid = value_codes >= 0
    width = max(len(uniques), 1)
    pairs = np.sort(groups[valid] * width + value_codes[valid])
    if len(pairs):  # sorted de-duplication: far faster than np.unique's hashing here
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))]
    pair_groups, pair_values = pairs // width, pairs % width
    offsets = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(np.bincount(pair_groups, minlength=n_groups), out=offsets[1:])
    values = pa.array(np.asarray(uniques, dtype=object)[pair_values] if len(pair_values) else [],
                      type=pa.large_string())
    lists = pa.LargeListArray.from_arrays(pa.array(offsets), values)
    separator = pa.scalar(schema.LIST_SEPARATOR, pa.large_string())
    joined = pd.Series(pc.binary_join(lists, separator).to_pandas(), dtype="str")
    return joined.mask(joined == "")


__all__ = ["ARTICLE_LIST_COLUMNS", "QUERY_KEYS", "ArticleLinks", "Filters", "QueryKey",
           "articles_for", "newest_first"]


# --------------------------------------------------------------------------- resolving

#: The multi-value fields whose values must occur in the data, with their names in notices.
CHOSEN_FROM_DATA: tuple[tuple[str, str], ...] = (
    ("countries", "Country"), ("topics", "Topic"), ("verifications", "Verification"),
    ("outlets", "Outlet"), ("datasets", "Dataset"))


def resolve_query(params: Mapping[str, str | Sequence[str]], choices: Any,
                  areas: Mapping[str, str] | None = None) -> tuple[Filters, list[str]]:
    """The filter a link (or ``export --query``) asks for, held to what the data offers.

    ``choices`` has the data's ``countries``, ``topics``, ``verifications``, ``outlets``
    and ``datasets`` (``dashboard.choices.Options``); ``areas`` maps each way of naming a unit
    of the boundaries (its name, its code) to its name. A value the data does not hold is
    dropped with a notice and the rest of the link still applies: the sidebar and the
    command line call this one function, so a link and an export select the same rows and
    say the same notices.
    """
    filters, notices = Filters.from_query(params)
    kept: dict[str, Any] = {}
    for field_name, label in CHOSEN_FROM_DATA:
        values = getattr(filters, field_name)
        allowed = set(getattr(choices, field_name))
        missing = [v for v in values if v not in allowed]
        if missing:
            shown = ", ".join(_quoted(v, 40) for v in missing[:5])
            more = f" and {len(missing) - 5:,} more" if len(missing) > 5 else ""
            notices.append(f"{label} {shown}{more} does not occur in the data; ignored.")
            kept[field_name] = tuple(v for v in values if v in allowed)
    if filters.area and areas is not None:
        by_fold = {spelling.casefold(): name for spelling, name in areas.items()}
        match = by_fold.get(filters.area.casefold())
        if match is None:
            notices.append(f"Area {_quoted(filters.area)} is not a unit of the boundaries in "
                           "use; ignored.")
        kept["area"] = match or ""
    return (replace(filters, **kept) if kept else filters), notices
