"""Events that are probably the same happening, reported by different datasets.

ACLED and UCDP GED (and any two datasets loaded together) often record one shelling or one
clash each. Two events are linked when they come from different ``source_dataset`` values,
their possible dates overlap, their places are as close as their precision allows and their
kinds can be the same (docs/linking.md gives the rules, the figures and the limits):

- dates: the windows ``date_min``..``date_max`` share a day; windows longer than
  ``MAX_WINDOW_DAYS`` (year precision, long or ongoing zones) say too little to link;
- places: ``exact``/``near`` points within ``PRECISE_KM``; when either is ``admin``, the
  same country and first-level unit (``admin1`` names compared by ``admin_key``) and points
  within ``ADMIN_KM``; ``country`` places and events without coordinates are never linked;
- kinds: the same topic, or a pair in ``COMPATIBLE_TOPICS``.

Candidates come from a bucket join, never from comparing every pair: each event is put in
one bucket per possible day and grid cell (cells at least ``PRECISE_KM`` wide, so a pair
close enough shares a cell or neighbouring cells), or per day, country and unit, and only
events sharing a bucket are compared. Events of one dataset are never compared with each
other: a dataset's own records are its judgement that they are different events.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import schema
from dashboard.i18n import ENGLISH, Translator

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG): the haversine's sphere
KM_PER_DEGREE_LATITUDE = np.pi * EARTH_RADIUS_KM / 180

#: Points placed ``exact`` or ``near`` this close (km, inclusive) can be one event.
PRECISE_KM = 10.0
#: With an ``admin`` place on either side: the farthest apart the two points may be (km)
#: when their first-level units have the same name, so two units that share a name in one
#: country are not taken for one (a region's point is its centre; the largest regions of
#: Ukraine and Poland are about 300 km across).
ADMIN_KM = 250.0
#: Date windows longer than this (days) are not linked: a year-precise event overlaps
#: hundreds of others and says nothing about which one it is.
MAX_WINDOW_DAYS = 31
#: With an ``admin`` place on either side, both windows must be this short (days, a week
#: precision): a region and a month together fit dozens of events of the other dataset.
ADMIN_MAX_WINDOW_DAYS = 7
#: Topics that one dataset may code as another for the same happening (unordered pairs);
#: every topic is also compatible with itself. ACLED codes shelling as a strike
#: ("Explosions/Remote violence") where UCDP GED counts it in a state-based armed conflict
#: (``armed_clash``); ACLED's attacks on civilians are UCDP's one-sided violence, and a
#: strike on a town is either; a demonstration that turned violent is a riot to one
#: coder and a protest to another.
COMPATIBLE_TOPICS: frozenset[frozenset[str]] = frozenset({
    frozenset({"armed_clash", "strike"}),
    frozenset({"strike", "violence_against_civilians"}),
    frozenset({"protest", "riot"}),
})
PLACED = ("exact", "near", "admin")  # geo precisions that can link
# Words that say what kind of unit a name is, not which: "Donetsk oblast" is ACLED's
# "Donetsk", "Kiev Special Republican city" its "Kyiv City".
_UNIT_WORDS = re.compile(
    r"\b(oblast|oblasts|region|province|provincia|voivodeship|wojewodztwo|governorate|"
    r"county|district|raion|rayon|krai|kray|state|republic|republican|autonomous|special|"
    r"city|municipality|of|the)\b")
# a name's skeleton: consonants only (transliterations differ in their vowels: Kiev, Kyiv;
# Kharkov, Kharkiv; Odessa, Odesa), g read as h (Lugansk, Luhansk), doubled letters once
_VOWELS = re.compile(r"[aeiouy]")
_DOUBLED = re.compile(r"(.)\1+")
# entries a bucket join compares at once, so memory stays bounded in dense places
_JOIN_CHUNK = 4_000_000


def distances_km(latitude: float | np.ndarray, longitude: float | np.ndarray,
                 latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    """Great-circle distances (haversine, km) from one point to many, or pairwise."""
    lat1, lon1 = np.radians(latitude), np.radians(longitude)
    lat2, lon2 = np.radians(latitudes), np.radians(longitudes)
    half = (np.sin((lat2 - lat1) / 2) ** 2
            + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(half, 0.0, 1.0)))


def admin_key(name: object) -> str:
    """A first-level unit's name reduced so that two datasets' spellings of it compare
    equal: accents, case, unit words (oblast, region, city …) and vowels dropped, g read
    as h, doubled letters once ("" when nothing is left)."""
    if name is None or name is pd.NA or (isinstance(name, float) and np.isnan(name)):
        return ""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode()
    text = _UNIT_WORDS.sub(" ", re.sub(r"[^a-z]+", " ", text.casefold()))
    letters = re.sub(r"[^a-z]", "", text)
    skeleton = letters[:1] + _VOWELS.sub("", letters[1:])
    return _DOUBLED.sub(r"\1", skeleton.replace("g", "h"))


def compatible(topic_a: str, topic_b: str) -> bool:
    """Can events of these two topics be the same happening?"""
    return topic_a == topic_b or frozenset({topic_a, topic_b}) in COMPATIBLE_TOPICS


@dataclass(frozen=True, eq=False)
class EventLinks:
    """The links of one events frame, as row pairs: ``first[k]`` and ``second[k]`` are
    probably the same event, ``first`` from the dataset loaded earlier (the order in which
    ``source_dataset`` values first appear), ``dataset_rank`` gives each row's dataset in
    that order (-1 when it has none). Built once per dataset (``find_links``); read-only.
    """

    first: np.ndarray
    second: np.ndarray
    dataset_rank: np.ndarray

    @property
    def n_events(self) -> int:
        return len(self.dataset_rank)

    @property
    def pairs(self) -> int:
        return len(self.first)

    @cached_property
    def _adjacency(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every link in both directions, by row then partner: (offsets, partners, sources)."""
        sources = np.concatenate([self.first, self.second])
        partners = np.concatenate([self.second, self.first])
        order = np.lexsort((partners, sources))
        offsets = np.zeros(self.n_events + 1, dtype=np.int64)
        np.cumsum(np.bincount(sources, minlength=self.n_events), out=offsets[1:])
        return offsets, partners[order], sources[order]

    def partners(self, row: int) -> np.ndarray:
        """Rows linked to ``row`` (ascending)."""
        offsets, partners, _ = self._adjacency
        return partners[offsets[row]:offsets[row + 1]]

    def linked(self) -> np.ndarray:
        """Per row: is it linked to any other event?"""
        offsets = self._adjacency[0]
        return np.diff(offsets) > 0

    def linked_ids(self, event_ids: pd.Series, rows: np.ndarray | None = None) -> pd.Series:
        """For each of ``rows`` (positions; all rows by default), the ids of the events
        linked to it, ``"A; B"`` in load order, missing when there are none: the exports'
        ``linked_events`` column (ids of every linked event loaded, selected or not)."""
        rows = np.arange(self.n_events) if rows is None else np.asarray(rows, dtype=np.int64)
        offsets, partners, sources = self._adjacency
        position = np.full(self.n_events, -1, dtype=np.int64)
        position[rows] = np.arange(len(rows))
        keep = position[sources] >= 0
        groups, wanted = position[sources[keep]], partners[keep]
        order = np.lexsort((wanted, groups))
        bounds = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(np.bincount(groups, minlength=len(rows)), out=bounds[1:])
        ids = schema.arrow_text(event_ids).take(pa.array(wanted[order]))
        if isinstance(ids, pa.ChunkedArray):
            ids = ids.combine_chunks()
        lists = pa.LargeListArray.from_arrays(pa.array(bounds), ids)
        joined = pc.binary_join(lists, pa.scalar(schema.LIST_SEPARATOR, pa.large_string()))
        text = pd.Series(joined.to_pandas(), dtype="str")
        return text.mask(text == "")

    def once(self, mask: np.ndarray) -> np.ndarray:
        """``mask`` with each group of linked events counted once ("count each event once").

        The selected events and the links between them form groups (connected, so a chain
        A–B–A' is one group). A group keeps the events of the dataset that reports most of
        them (the first loaded on a tie) and drops the others': it counts as many events as
        its fullest dataset says there were, never fewer, since a dataset's own records
        are distinct events.
        """
        mask = np.asarray(mask, dtype=bool)
        both = mask[self.first] & mask[self.second]
        if not both.any():
            return mask
        first, second = self.first[both], self.second[both]
        label = _components(self.n_events, first, second)
        rows = np.unique(np.concatenate([first, second]))
        group, rank = label[rows], self.dataset_rank[rows]
        width = int(rank.max()) + 1
        keys, counts = np.unique(group.astype(np.int64) * width + rank, return_counts=True)
        key_group, key_rank = keys // width, keys % width
        order = np.lexsort((key_rank, -counts, key_group))  # per group: most, then earliest
        leads = order[np.concatenate(([True], key_group[order][1:] != key_group[order][:-1]))]
        kept_rank = np.full(self.n_events, -1, dtype=np.int64)
        kept_rank[key_group[leads]] = key_rank[leads]
        result = mask.copy()
        result[rows[rank != kept_rank[group]]] = False
        return result


def _components(size: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Per row, the smallest row of its connected group (label propagation with pointer
    jumping: a few passes over the links, however long the chains)."""
    label = np.arange(size, dtype=np.int64)
    while True:
        low = np.minimum(label[first], label[second])
        np.minimum.at(label, label[first], low)
        np.minimum.at(label, label[second], low)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label[first], label[second]):
            return label


# --------------------------------------------------------------------------- finding links


@dataclass
class _Rows:
    """The columns linking reads, for the rows that can link at all."""

    row: np.ndarray
    rank: np.ndarray
    day_min: np.ndarray
    day_max: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    admin: np.ndarray  # geo precision is admin
    topic: np.ndarray
    country: np.ndarray
    unit: np.ndarray  # code of admin_key(admin1); -1 when none

    def take(self, positions: np.ndarray) -> _Rows:
        return _Rows(**{name: getattr(self, name)[positions]
                        for name in self.__dataclass_fields__})


def _codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    codes, labels = pd.factorize(values, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.int64), np.asarray(labels.astype("str"), dtype=object)


def _days(values: pd.Series) -> np.ndarray:
    dates = values.to_numpy(dtype="datetime64[ns]")
    days = dates.astype("datetime64[D]").astype(np.int64)
    days[np.isnat(dates)] = np.iinfo(np.int64).min
    return days


def _linkable(events: pd.DataFrame, rank: np.ndarray) -> tuple[_Rows, np.ndarray]:
    """The rows that can link (a dataset, a short date window, a placed point) and the
    topic compatibility matrix of their topic codes."""
    day_min, day_max = _days(events["date_min"]), _days(events["date_max"])
    latitude = events["latitude"].to_numpy(dtype="float64")
    longitude = events["longitude"].to_numpy(dtype="float64")
    precision = events["geo_precision"].astype("str")
    dated = (day_min != np.iinfo(np.int64).min) & (day_max != np.iinfo(np.int64).min)
    with np.errstate(over="ignore"):
        short = dated & (day_max - day_min < MAX_WINDOW_DAYS)
    placed = precision.isin(PLACED).to_numpy(dtype=bool, na_value=False)
    keep = np.flatnonzero((rank >= 0) & short & placed
                          & ~np.isnan(latitude) & ~np.isnan(longitude))
    topic, topic_labels = _codes(events["topic"])
    country, _ = _codes(events["country"])
    names, name_labels = _codes(events["admin1"])
    unit_keys = pd.Series([admin_key(n) for n in name_labels], dtype="str")
    unit_codes, _ = _codes(unit_keys.mask(unit_keys == ""))
    unit = np.where(names >= 0, np.append(unit_codes, -1)[names], -1)
    matrix = np.array([[compatible(a, b) for b in topic_labels] for a in topic_labels],
                      dtype=bool).reshape(len(topic_labels), len(topic_labels))
    rows = _Rows(row=keep, rank=rank[keep], day_min=day_min[keep], day_max=day_max[keep],
                 latitude=latitude[keep], longitude=longitude[keep],
                 admin=(precision.to_numpy(dtype=object)[keep] == "admin"),
                 topic=topic[keep], country=country[keep], unit=unit[keep])
    return rows, matrix


def _by_day(days_min: np.ndarray, days_max: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One entry per possible day of each row: (row position, day)."""
    spans = (days_max - days_min + 1).astype(np.int64)
    positions = np.repeat(np.arange(len(spans)), spans)
    starts = np.repeat(np.cumsum(spans) - spans, spans)
    days = days_min[positions] + (np.arange(int(spans.sum())) - starts)
    return positions, days


def _sorted(keys: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    return keys[order], values[order]


def _join(left_keys: np.ndarray, left: np.ndarray, right_keys: np.ndarray,
          right: np.ndarray) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs (left value, right value) of entries with equal keys, a chunk at a time. Both
    sides come sorted by key (``_sorted``): the search then walks memory in order, and only
    the distinct right keys are searched (at 200,000 events this took a third of the time
    of searching every right key for unsorted left keys)."""
    if not len(left_keys) or not len(right_keys):
        return
    first = np.flatnonzero(np.concatenate(([True], right_keys[1:] != right_keys[:-1])))
    distinct = right_keys[first]
    sizes = np.diff(np.append(first, len(right_keys)))
    found = np.minimum(np.searchsorted(distinct, left_keys), len(distinct) - 1)
    hit = np.flatnonzero(distinct[found] == left_keys)
    if not hit.size:
        return
    low, count = first[found[hit]], sizes[found[hit]]
    total = np.cumsum(count)
    start = 0
    while start < hit.size:
        done = total[start - 1] if start else 0
        stop = max(int(np.searchsorted(total, done + _JOIN_CHUNK, "right")), start + 1)
        counts = count[start:stop]
        offsets = np.repeat(low[start:stop] - (np.cumsum(counts) - counts), counts)
        yield (np.repeat(left[hit[start:stop]], counts),
               right[np.arange(int(counts.sum())) + offsets])
        start = stop


def _precise_pairs(a: _Rows, b: _Rows) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs of positions in ``a`` and ``b`` (both exact/near) sharing a day and a grid cell
    or neighbouring cells; cells are at least ``PRECISE_KM`` wide at every latitude held."""
    if not len(a.row) or not len(b.row):
        return
    cell = PRECISE_KM / KM_PER_DEGREE_LATITUDE
    widest = min(max(float(np.abs(a.latitude).max()), float(np.abs(b.latitude).max())), 89.0)
    lon_cell = cell / np.cos(np.radians(widest))
    day0 = min(int(a.day_min.min()), int(b.day_min.min()))
    ny, nx = int(np.ceil(180 / cell)) + 3, int(np.ceil(360 / lon_cell)) + 3

    def keys(rows: _Rows) -> tuple[np.ndarray, np.ndarray]:
        positions, days = _by_day(rows.day_min, rows.day_max)
        y = np.floor((rows.latitude[positions] + 90) / cell).astype(np.int64) + 1
        x = np.floor((rows.longitude[positions] + 180) / lon_cell).astype(np.int64) + 1
        return positions, ((days - day0) * nx + x) * ny + y

    left_keys, left = _sorted(*keys(a)[::-1])
    right_keys, right = _sorted(*keys(b)[::-1])
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):  # the shifted keys stay sorted
            yield from _join(left_keys + dx * ny + dy, left, right_keys, right)


def _in_unit(rows: _Rows) -> np.ndarray:
    """Rows that can link by their unit: a country, a named unit, a window of a week."""
    return ((rows.unit >= 0) & (rows.country >= 0)
            & (rows.day_max - rows.day_min < ADMIN_MAX_WINDOW_DAYS))


def _unit_pairs(a: _Rows, b: _Rows) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs of positions in ``a`` and ``b`` sharing a day, a country and a named unit."""
    a_kept = np.flatnonzero(_in_unit(a))
    b_kept = np.flatnonzero(_in_unit(b))
    if not a_kept.size or not b_kept.size:
        return
    day0 = int(min(a.day_min[a_kept].min(), b.day_min[b_kept].min()))
    units = int(max(a.unit.max(), b.unit.max())) + 1
    countries = int(max(a.country.max(), b.country.max())) + 1

    def keys(rows: _Rows, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        positions, days = _by_day(rows.day_min[kept], rows.day_max[kept])
        positions = kept[positions]
        return positions, ((days - day0) * countries + rows.country[positions]) * units \
            + rows.unit[positions]

    left_keys, left = _sorted(*keys(a, a_kept)[::-1])
    right_keys, right = _sorted(*keys(b, b_kept)[::-1])
    yield from _join(left_keys, left, right_keys, right)


def find_links(events: pd.DataFrame, rank: np.ndarray | None = None) -> EventLinks:
    """Link the events of ``events`` that are probably the same (see the module docstring).
    Only pairs from different ``source_dataset`` values are compared. ``rank`` gives each
    row's dataset in load order (-1 for none) when the frame is a slab of a larger table
    whose datasets first appear elsewhere (``slab_pairs``); by default, the order in which
    the frame's own ``source_dataset`` values first appear."""
    datasets = _codes(events["source_dataset"])[0] if rank is None else np.asarray(
        rank, dtype=np.int64)
    if not len(datasets) or len(np.unique(datasets[datasets >= 0])) < 2:
        empty = np.empty(0, dtype=np.int64)  # one dataset: nothing to compare
        return EventLinks(empty, empty.copy(), datasets)
    rows, topics_match = _linkable(events, datasets)
    found_first: list[np.ndarray] = []
    found_second: list[np.ndarray] = []
    for earlier in np.unique(rows.rank).tolist():
        a = rows.take(np.flatnonzero(rows.rank == earlier))
        b = rows.take(np.flatnonzero(rows.rank > earlier))
        if not len(a.row) or not len(b.row):
            continue
        precise_a, precise_b = a.take(np.flatnonzero(~a.admin)), b.take(np.flatnonzero(~b.admin))
        for i, j in _precise_pairs(precise_a, precise_b):
            close = distances_km(precise_a.latitude[i], precise_a.longitude[i],
                                 precise_b.latitude[j], precise_b.longitude[j]) <= PRECISE_KM
            close &= topics_match[precise_a.topic[i], precise_b.topic[j]]
            found_first.append(precise_a.row[i[close]])
            found_second.append(precise_b.row[j[close]])
        for left, right in ((a.take(np.flatnonzero(a.admin)), b),
                            (a.take(np.flatnonzero(~a.admin)), b.take(np.flatnonzero(b.admin)))):
            for i, j in _unit_pairs(left, right):
                close = distances_km(left.latitude[i], left.longitude[i],
                                     right.latitude[j], right.longitude[j]) <= ADMIN_KM
                close &= topics_match[left.topic[i], right.topic[j]]
                found_first.append(left.row[i[close]])
                found_second.append(right.row[j[close]])
    first = np.concatenate(found_first) if found_first else np.empty(0, dtype=np.int64)
    second = np.concatenate(found_second) if found_second else np.empty(0, dtype=np.int64)
    pairs = np.unique(first.astype(np.int64) * max(len(events), 1) + second)
    first, second = pairs // max(len(events), 1), pairs % max(len(events), 1)
    return EventLinks(first.astype(np.int64), second.astype(np.int64), datasets)


# ----------------------------------------------------- links of a table too big to hold


def slab_days(first_days: pd.Series, rows_per_slab: int) -> list[tuple[int, int]]:
    """Consecutive day ranges ``(first, last)`` (day numbers since 1970-01-01, inclusive)
    covering every day of ``first_days`` (linkable events counted by their first possible
    day, indexed by day number), each holding about ``rows_per_slab`` such events: the slabs
    in which an engine finds the links of a table it does not hold (``slab_pairs``). A day
    holding more than ``rows_per_slab`` events is a slab of its own: a slab is never cut
    inside a day."""
    counts = first_days[first_days > 0].sort_index()
    if counts.empty:
        return []
    days = counts.index.to_numpy(dtype=np.int64)
    total = np.cumsum(counts.to_numpy(dtype=np.int64))
    slabs: list[tuple[int, int]] = []
    start, done = 0, 0
    while start < len(days):
        stop = max(int(np.searchsorted(total, done + rows_per_slab, "right")), start + 1)
        slabs.append((int(days[start]), int(days[stop - 1])))
        done, start = int(total[stop - 1]), stop
    return slabs


def slab_pairs(events: pd.DataFrame, rank: np.ndarray, first_day: int,
               last_day: int) -> tuple[np.ndarray, np.ndarray]:
    """The links of ``events`` (the rows whose date windows reach into the days
    ``first_day``..``last_day``, ``rank`` their datasets' load order in the whole table)
    whose first shared day, the later of the two first days, lies in those days: row
    positions ``(first, second)``, ``first`` of the earlier dataset. A link's two events
    both reach into its first shared day, so each link of a table is found in exactly one
    of the slabs of ``slab_days``, and the slabs together find what ``find_links`` finds
    on the whole table (``tests/unit/test_linking.py``)."""
    links = find_links(events, rank)
    if not links.pairs:
        return links.first, links.second
    start = _days(events["date_min"])
    shared = np.maximum(start[links.first], start[links.second])
    inside = (shared >= first_day) & (shared <= last_day)
    return links.first[inside], links.second[inside]


def dropped_once(first: np.ndarray, second: np.ndarray, first_rank: np.ndarray,
                 second_rank: np.ndarray) -> np.ndarray:
    """The events "count each event once" drops, given only the links whose two events the
    filter selects (row numbers of any kind, e.g. an engine's sequence numbers, with each
    end's dataset rank): what ``EventLinks.once`` drops on the whole table, worked out on
    the few rows these links touch (sorted)."""
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    rows = np.unique(np.concatenate([first, second]))
    if not len(rows):
        return rows
    rank = np.empty(len(rows), dtype=np.int64)
    rank[np.searchsorted(rows, first)] = first_rank
    rank[np.searchsorted(rows, second)] = second_rank
    links = EventLinks(np.searchsorted(rows, first), np.searchsorted(rows, second), rank)
    return rows[~links.once(np.ones(len(rows), dtype=bool))]


def with_linked_events(events: pd.DataFrame, links: EventLinks,
                       rows: np.ndarray | None = None) -> pd.DataFrame:
    """The events at ``rows`` (positions; all by default) with the exports'
    ``linked_events`` column: the ids of every loaded event linked to each."""
    chosen = events if rows is None else events.iloc[rows]
    ids = links.linked_ids(events["event_id"], rows)
    ids.index = chosen.index
    return chosen.assign(**{schema.LINKED_EVENTS: ids})


def summary(links: EventLinks, t: Translator = ENGLISH) -> str:
    """The links in words, for load reports: "23 events linked across datasets (14 links)"."""
    return said(int(links.linked().sum()), links.pairs, t)


def said(events: int, pairs: int, t: Translator = ENGLISH) -> str:
    """``events`` linked by ``pairs`` links, in words (``summary``; an engine that counts
    its links in a query says them so)."""
    return t.ngettext("{events} event linked across datasets ({links})",
                      "{events} events linked across datasets ({links})", events).format(
        events=t.number(events),
        links=t.ngettext("{n} link", "{n} links", pairs).format(n=t.number(pairs)))
