"""One filter for every page, the URL and the command line.

A ``Filters`` value is parsed from URL query parameters (``from_query``), written back
to them (``to_query``), applied to an events frame (``mask``, ``apply``), described to the
user as a sentence (``describe``) and named for files (``slug``). Each of these loops over
the registry of fields (``dashboard/filterfields.py``, ``Filters.FIELDS``), so the parser,
the writer, the row tests, the words and the docs cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import filterfields, schema
from dashboard.eventindex import EventIndex
from dashboard.filterfields import FilterField, Rows, Speech, quoted
from dashboard.i18n import ENGLISH, N_, Sayable, Translator
from dashboard.linking import EventLinks
from dashboard.rowmatch import list_contains_any

#: Longest URL value read (characters); a longer one is refused with a notice, so a
#: crafted link cannot make every visitor's run parse megabytes.
MAX_VALUE_CHARS = 20_000

#: The registry of filter fields, by the name the README's key table is held to.
QUERY_KEYS: tuple[FilterField, ...] = filterfields.FIELDS

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
            raise ValueError(Sayable(N_("{value} is not a valid JSON list"),
                                   value=quoted(text))) from None
        except RecursionError:  # [[[[…]]]] nested past Python's stack
            raise ValueError(Sayable(N_("{value} is nested too deeply"),
                                   value=quoted(text))) from None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise ValueError(Sayable(N_("{value} must be a JSON list of strings"),
                                   value=quoted(text)))
        return items
    return text.split(",")


def _join_items(items: Sequence[str]) -> str:
    """Comma-join unless an item holds a comma or looks like JSON; then a JSON array."""
    if any("," in item or item.startswith("[") for item in items):
        return json.dumps(list(items), ensure_ascii=False)
    return ",".join(items)


def _events_citing(events: pd.Series, article_ids: pd.Series) -> np.ndarray:
    """Rows of events whose ``article_ids`` list cites one of ``article_ids``."""
    wanted = article_ids.dropna().unique()
    if len(wanted) == 0:
        return np.zeros(len(events), dtype=bool)
    return list_contains_any(events, [str(a) for a in wanted])


def _ignored(key: str, err: ValueError) -> Sayable:
    """The notice for a value the parser refused (its reason kept sayable in any
    language when the parser gave ``Sayable``)."""
    reason = err.args[0] if err.args and isinstance(err.args[0], Sayable) else str(err)
    return Sayable(N_("Filter {key}: {error}; ignored."), key=repr(key), error=reason)


# --------------------------------------------------------------------------- the filter

_SLUG_MAX = 100


@dataclass(frozen=True)
class Filters:
    """The one filter: what the sidebar shows, the URL holds and exports use.

    Tuples keep it hashable, so it doubles as a cache key. Values are trimmed and
    de-duplicated on construction (order kept), so equal filters compare equal. Every
    attribute is one entry of ``FIELDS``, which every method loops over.
    """

    FIELDS: ClassVar[tuple[FilterField, ...]] = filterfields.FIELDS

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
        for spec in self.FIELDS:
            object.__setattr__(self, spec.field, spec.normalise(getattr(self, spec.field)))

    # ---------------------------------------------------------------- URL

    @classmethod
    def from_query(
        cls, params: Mapping[str, str | Sequence[str]]
    ) -> tuple[Filters, list[str]]:
        """Parse URL query parameters; unknown keys and bad values become notices."""
        by_key = {spec.key: spec for spec in cls.FIELDS}
        notices: list[str] = []
        values: dict[str, Any] = {}  # field -> value, of the type its parser gives
        for raw_key, raw_value in params.items():
            key = str(raw_key).strip().lower()
            if key in VIEW_KEYS:
                continue
            spec = by_key.get(key)
            if spec is None:
                notices.append(Sayable(N_("Unknown filter {key} ignored."), key=quoted(raw_key)))
                continue
            texts = [t for t in _raw_values(raw_value) if t.strip()]
            if any(len(t) > MAX_VALUE_CHARS for t in texts):
                notices.append(Sayable(N_("Filter {key}: a value of more than {limit} characters; "
                                        "ignored."), key=repr(spec.key),
                                     limit=f"{MAX_VALUE_CHARS:,}"))
                texts = [t for t in texts if len(t) <= MAX_VALUE_CHARS]
            if spec.multi:
                parsed: list[object] = []
                for text in texts:
                    try:
                        items = _split_items(text)
                    except ValueError as err:
                        notices.append(_ignored(spec.key, err))
                        continue
                    for item in items:
                        if not item.strip():
                            continue
                        try:
                            parsed.append(spec.parse(item))
                        except ValueError as err:
                            notices.append(_ignored(spec.key, err))
                values[spec.field] = tuple(parsed)
                continue
            if not texts:
                continue
            if len(texts) > 1:
                notices.append(Sayable(N_("Filter {key} given {count} times; the first is used."),
                                     key=repr(spec.key), count=len(texts)))
            try:
                values[spec.field] = spec.parse(texts[0])
            except ValueError as err:
                notices.append(_ignored(spec.key, err))
        for rule in filterfields.ACROSS_FIELDS:
            notices += rule(values)
        return cls(**values), notices

    def to_query(self) -> dict[str, str]:
        """Query parameters for this filter, defaults left out (a short, shareable URL)."""
        query: dict[str, str] = {}
        for spec in self.FIELDS:
            value = getattr(self, spec.field)
            if value == spec.default:
                continue
            query[spec.key] = _join_items(value) if spec.multi else spec.format(value)
        return query

    @property
    def is_default(self) -> bool:
        """True when nothing is filtered."""
        return all(getattr(self, spec.field) == spec.default for spec in self.FIELDS)

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
        """Boolean row mask of ``events`` that pass this filter: every field's test.

        ``links`` (an ``ArticleLinks`` over these events and articles) makes the
        outlet and title searches array lookups instead of string matching; ``index``
        (an ``EventIndex`` of these events, kept between calls) makes the country,
        topic, verification and date tests lookups in integer codes. ``areas`` (a
        boundaries GeoDataFrame: ``name``, ``geometry``) is needed by the area filter.
        ``event_links`` (``linking.find_links`` of these events, kept between calls) serves
        ``once``; without it the links are found here.
        """
        index = index if index is not None else EventIndex(events)

        def citing(article_mask: np.ndarray) -> np.ndarray:
            if links is not None:
                return links.citing(article_mask)
            assert articles is not None  # a field asks for citations only with articles
            return _events_citing(events["article_ids"], articles.loc[article_mask, "article_id"])

        rows = Rows(events, index, articles, areas, citing, event_links)
        keep = np.ones(len(events), dtype=bool)
        chosen = [(spec, getattr(self, spec.field)) for spec in self.FIELDS
                  if getattr(self, spec.field) != spec.default]
        for spec, value in chosen:
            if spec.matches is not None:
                keep &= spec.matches(value, rows)
        for spec, value in chosen:  # last: these choose among the rows the rest keeps
            if spec.among is not None:
                keep = spec.among(value, keep, rows)
        return keep

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
        speech = Speech(self, topic_labels or {}, t)
        said = (spec.words(getattr(self, spec.field), speech)
                for spec in sorted(self.FIELDS, key=lambda spec: spec.sentence_rank))
        parts = [clause for clause in said if clause]
        if not parts:
            return t.gettext("All events")
        return t.gettext("Events {conditions}").format(conditions=", ".join(parts))

    def slug(self) -> str:
        """A short, file-name-safe name for this filter ("all" when unfiltered)."""
        named = (spec.slug(getattr(self, spec.field), self)
                 for spec in sorted(self.FIELDS, key=lambda spec: spec.slug_rank))
        slug = "_".join(part for part in named if part) or "all"
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
        return cited_articles(events, articles)[0]

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


def cited_articles(events: pd.DataFrame,
                   articles: pd.DataFrame) -> tuple[ArticleLinks, list[str]]:
    """The citations of ``events`` indexed into the rows of ``articles``, and the ids cited
    that name no article (sorted, each once; a load warns of them).

    Both from one split of ``article_ids`` and one hash lookup: the load's check of the
    cited ids and the first page's links split the same million lists."""
    lists = pc.split_pattern(schema.arrow_text(events["article_ids"]), ";")
    flat = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    event_rows = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    # index_in finds the first row of a repeated id, so duplicates cannot mislead it
    found = pc.index_in(flat, value_set=schema.arrow_text(articles["article_id"]))
    missing = pc.unique(pc.filter(flat, pc.is_null(found)))
    article_rows = found.fill_null(-1).to_numpy(zero_copy_only=False)
    known = article_rows >= 0
    links = ArticleLinks(event_rows[known], article_rows[known].astype(np.int64), len(events),
                         len(articles))
    return links, sorted(m for m in missing.to_pylist() if m)


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


__all__ = ["ARTICLE_LIST_COLUMNS", "QUERY_KEYS", "ArticleLinks", "FilterField", "Filters",
           "articles_for", "cited_articles", "newest_first"]


# --------------------------------------------------------------------------- resolving


def resolve_query(params: Mapping[str, str | Sequence[str]], choices: Any,
                  areas: Mapping[str, str] | None = None) -> tuple[Filters, list[str]]:
    """The filter a link (or ``export --query``) asks for, held to what the data offers.

    ``choices`` has the data's values of every field ``held_to`` names
    (``dashboard.choices.Options``); ``areas`` maps each way of naming a unit of the
    boundaries (its name, its code) to its name (None: not checked). A value the data does
    not hold is dropped with a notice and the rest of the link still applies: the sidebar
    and the command line call this one function, so a link and an export select the same
    rows and say the same notices.
    """
    filters, notices = Filters.from_query(params)
    kept: dict[str, Any] = {}
    for spec in filters.FIELDS:
        value = getattr(filters, spec.field)
        if spec.held_to is None or spec.hold is None or value == spec.default:
            continue
        offered = areas if spec.held_to == "areas" else getattr(choices, spec.held_to)
        if offered is None:
            continue
        held, notice = spec.hold(value, offered)
        if notice is not None:
            notices.append(notice)
        if held != value:
            kept[spec.field] = held
    return (replace(filters, **kept) if kept else filters), notices
