"""One event and what surrounds it: its row, the events its sources also report, and
the events close to it in place and time, for the event page (``/events?event=ID``).

Everything works on the arrays the app already keeps per dataset (the ``EventIndex``
and ``ArticleLinks``), so opening an event costs a few vectorised passes over them,
never a copy of the events frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from dashboard import schema
from dashboard.eventindex import EventIndex
from dashboard.filters import ArticleLinks
from dashboard.i18n import ENGLISH, N_, Translator
from dashboard.linking import KM_PER_DEGREE_LATITUDE, EventLinks, distances_km

# A point placed exactly ``km`` away comes back a few nanometres further in floating
# point; a millimetre of slack keeps "within 25 km" inclusive as it reads.
DISTANCE_SLACK_KM = 1e-6

#: What a ``date_precision`` says about the date (the spans are docs/schema.md's).
DATE_PRECISION_WORDS: dict[str, str] = {
    "day": N_("known to the day"),
    "week": N_("known to within a few days (the date ± 3 days)"),
    "month": N_("known to the month"),
    "year": N_("known to the year"),
}

#: What a ``geo_precision`` says about the coordinates.
GEO_PRECISION_WORDS: dict[str, str] = {
    "exact": N_("the exact place"),
    "near": N_("near the place named"),
    "admin": N_("somewhere in the region named (the point is the region's)"),
    "country": N_("somewhere in the country (the point is the country's)"),
}

EVENT_PAGE = "events"  # the Events page's URL path, relative to the app's own address


def event_row(events: pd.DataFrame, event_id: str) -> int | None:
    """Row position of the event with this ``event_id`` (the first, should the data
    repeat one), or None when no event has it.

    One Arrow scan of the id column: a few milliseconds at a million events, so the
    page needs no id→row table kept per dataset.
    """
    if events.empty:
        return None
    found = pc.index(schema.arrow_text(events["event_id"]), str(event_id)).as_py()
    return None if found < 0 else int(found)


def co_reported(row: int, links: ArticleLinks) -> np.ndarray:
    """Row positions (ascending) of the other events that cite any article this event
    cites: what the same reporting is also evidence for. Ids naming no article in the
    articles table link nothing (``ArticleLinks`` leaves them out)."""
    own = links.article_rows[links.event_rows == row]
    if not len(own):
        return np.empty(0, dtype=np.int64)
    cited = np.zeros(links.n_articles, dtype=bool)
    cited[own] = True
    citing = links.citing(cited)
    citing[row] = False
    return np.flatnonzero(citing)


def nearby(row: int, index: EventIndex, km: float = 25, days: int = 7) -> np.ndarray:
    """Row positions of the other events within ``km`` of this one whose possible dates
    come within ``days`` of its own, nearest first (then oldest, then by row).

    Dates are windows (``day_min``..``day_max``: a month-precise event or a zone with an
    ``end_date`` spans many days), so two events are close in time when their windows,
    each widened by ``days``, overlap. An event without coordinates or without a date
    has no neighbours, and is nobody's neighbour: "near" means nothing without both.
    Both limits are inclusive.
    """
    if not (index.located[row] and index.dated[row]):
        return np.empty(0, dtype=np.int64)
    first, last = index.day_min[row], index.day_max[row]
    latitude, longitude = index.latitude[row], index.longitude[row]
    # a point further north or south than this is further away than km, wherever it is
    band = (km + DISTANCE_SLACK_KM) / KM_PER_DEGREE_LATITUDE
    candidate = (index.dated & index.located
                 & (index.day_min <= last + days) & (index.day_max >= first - days)
                 & (np.abs(index.latitude - latitude) <= band))
    candidate[row] = False
    rows = np.flatnonzero(candidate)
    distance = distances_km(latitude, longitude, index.latitude[rows], index.longitude[rows])
    close = distance <= km + DISTANCE_SLACK_KM
    rows, distance = rows[close], distance[close]
    return rows[np.lexsort((rows, index.day_min[rows], distance))]


def also_in(row: int, links: EventLinks, events: pd.DataFrame) -> list[tuple[str, list[str]]]:
    """The events of other datasets that are probably this one (``dashboard.linking``), per
    dataset in load order: ``(source_dataset, [event ids])``."""
    partners = links.partners(row)
    if not len(partners):
        return []
    by_dataset: dict[str, list[str]] = {}
    ranks = links.dataset_rank[partners]
    for partner in partners[np.argsort(ranks, kind="stable")]:
        name = str(events["source_dataset"].iloc[partner])
        by_dataset.setdefault(name, []).append(str(events["event_id"].iloc[partner]))
    return list(by_dataset.items())


def also_in_found(event_ids: list[str], found: Iterable[tuple[str, str, str]]
                  ) -> list[list[tuple[str, list[str]]]]:
    """``also_in`` of each of ``event_ids`` from an engine's rows ``(asked id, partner's
    source_dataset, partner's id)``, given per asked id in ``also_in``'s order (the
    partner's dataset in load order, then the partner's row): what ``Backend.also_in``
    answers without the links in memory."""
    by_id: dict[str, dict[str, list[str]]] = {}
    for asked, dataset, partner in found:
        by_id.setdefault(str(asked), {}).setdefault(str(dataset), []).append(str(partner))
    return [list(by_id.get(str(event_id), {}).items()) for event_id in event_ids]


def _precision(value: Any, words: dict[str, str], t: Translator) -> str:
    if pd.isna(value):
        return t.gettext("precision not given")
    known = words.get(str(value))
    return t.gettext(known) if known else t.gettext("precision {value}").format(value=value)


def date_words(event: pd.Series, t: Translator = ENGLISH) -> str:
    """The event's date as given, how precisely it is known, and the days it may fall
    on when that is more than one: "2024-03 (known to the month: 2024-03-01 to
    2024-03-31)" (the date as the data gives it; the days in ``t``'s form)."""
    if pd.isna(event["date_min"]):
        return t.gettext("undated")
    given = str(event["event_date"])
    if not pd.isna(event["end_date"]):
        given = t.gettext("{start} until {end}").format(start=given, end=event["end_date"])
    words = _precision(event["date_precision"], DATE_PRECISION_WORDS, t)
    first, last = event["date_min"].date(), event["date_max"].date()
    if first == last:
        return t.gettext("{date} ({precision})").format(date=given, precision=words)
    return t.gettext("{date} ({precision}: {first} to {last})").format(
        date=given, precision=words, first=t.date(first), last=t.date(last))


def place_words(event: pd.Series, t: Translator = ENGLISH) -> str:
    """Where: the place names given, the coordinates and what their precision means."""
    names = [str(event[c]) for c in ("location", "admin1", "country")
             if not pd.isna(event[c])]
    place = ", ".join(names) or t.gettext("place not given")
    if pd.isna(event["latitude"]) or pd.isna(event["longitude"]):
        return t.gettext("{place} (no coordinates)").format(place=place)
    words = _precision(event["geo_precision"], GEO_PRECISION_WORDS, t)
    return t.gettext("{place} ({latitude}, {longitude}: {precision})").format(
        place=place, latitude=f"{event['latitude']:.4f}", longitude=f"{event['longitude']:.4f}",
        precision=words)


def event_link(event_id: str, query: Mapping[str, str]) -> str:
    """The relative address of an event's page, keeping the filter ``query`` beside it
    (so the page, and the way back to the list, show the same filter)."""
    return f"{EVENT_PAGE}?{urlencode({**query, 'event': str(event_id)})}"


def list_link(query: Mapping[str, str]) -> str:
    """The relative address of the Events list under the filter ``query``."""
    return f"{EVENT_PAGE}?{urlencode(dict(query))}" if query else EVENT_PAGE
