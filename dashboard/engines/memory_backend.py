"""The ``memory`` engine's backend: the index, masks and ``aggregate.py`` as they always were.

Every answer is the function of ``aggregate.py`` (or ``filters.py``, ``eventdetail.py``)
the pages called before there were backends, on the same ``EventIndex`` and the same
cached mask, so this engine costs exactly what it did: no copy of the rows per run.
The mask comes from ``mask_of`` (the app passes its cached ``ui.data.mask``); the time
frame's mask is ``Frame.mask`` on the index.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from dashboard import aggregate, coverage, eventdetail
from dashboard.aggregate import MAP_POINT_LIMIT, Headline
from dashboard.choices import Options
from dashboard.dataset import Dataset, LoadReport
from dashboard.eventindex import EventIndex, day_date
from dashboard.filters import ArticleLinks, Filters, articles_for, newest_first
from dashboard.i18n import ENGLISH, Translator
from dashboard.timeframe import Frame

if TYPE_CHECKING:
    import geopandas as gpd

    from dashboard.citation import DataVersion
    from dashboard.engines.backend import Bounds
    from dashboard.export import Download
    from dashboard.linking import EventLinks


CITED_COUNTS_KEPT = 64  # the counts of cited articles one backend keeps, newest last


class MemoryBackend:
    """Answers from a loaded ``Dataset`` with its index, article links, choices and article
    order (each built once per dataset by the caller and shared read-only; the order is
    asked for only when a list of articles is)."""

    engine = "memory"

    def __init__(self, dataset: Dataset, index: EventIndex, links: ArticleLinks,
                 options: Options, article_order: Callable[[], np.ndarray] | None = None,
                 mask_of: Callable[[Filters], np.ndarray] | None = None,
                 areas: Callable[[], object] | None = None,
                 coverage_index: Callable[[], coverage.CoverageIndex] | None = None,
                 event_links: Callable[[], EventLinks] | None = None) -> None:
        self.dataset, self.index, self.links = dataset, index, links
        self._options = options
        self._article_order = article_order
        self._mask_of = mask_of
        self._areas = areas
        self._coverage = coverage_index
        self._event_links = event_links
        self._cited_counts: dict[tuple[Filters, Frame | None], int] = {}
        self._counting = threading.Lock()

    @property
    def events_frame(self) -> pd.DataFrame:
        return self.dataset.events

    @property
    def articles_frame(self) -> pd.DataFrame:
        return self.dataset.articles

    @property
    def article_order(self) -> np.ndarray:
        if self._article_order is None:
            return newest_first(self.articles_frame)
        return self._article_order()

    def mask(self, filters: Filters, frame: Frame | None = None) -> np.ndarray:
        """The row mask of the filter, narrowed to the frame when there is one."""
        if self._mask_of is not None:
            selected = self._mask_of(filters)
        else:
            areas = self._areas() if (filters.area and self._areas is not None) else None
            linked = self._event_links() if (filters.once and self._event_links) else None
            selected = filters.mask(self.events_frame, self.articles_frame, links=self.links,
                                    index=self.index, areas=areas, event_links=linked)
        if frame is not None and frame.at is not None:
            return selected & frame.mask(self.index)
        return selected

    # -- the Protocol ------------------------------------------------------------------------

    def options(self) -> Options:
        return self._options

    def count(self, filters: Filters, frame: Frame | None = None) -> int:
        return int(np.count_nonzero(self.mask(filters, frame)))

    def headline(self, filters: Filters, frame: Frame | None = None) -> Headline:
        shown = self.mask(filters, frame)
        return aggregate.headline(self.index, self._cited_count(filters, frame, shown),
                                  mask=shown)

    def _cited_count(self, filters: Filters, frame: Frame | None, shown: np.ndarray) -> int:
        """The articles the selected events cite, once per filter and frame: a page run asks
        for the same count twice (the download row's limit, the headline), and a million
        events' citations take a tenth of a second to go through."""
        key = (filters, frame if frame is not None and frame.at is not None else None)
        with self._counting:
            if key in self._cited_counts:
                return self._cited_counts[key]
        count = int(self.links.cited(shown).sum())
        with self._counting:  # sessions share a backend
            if len(self._cited_counts) >= CITED_COUNTS_KEPT:
                self._cited_counts.pop(next(iter(self._cited_counts)))
            self._cited_counts[key] = count
        return count

    def day_span(self, filters: Filters) -> tuple[dt.date, dt.date] | None:
        span = self.index.day_span(self.index.rows(self.mask(filters)))
        return None if span is None else (day_date(span[0]), day_date(span[1]))

    def unplaced(self, filters: Filters, frame: Frame | None = None) -> tuple[int, int]:
        return aggregate.unplaced(self.index, mask=self.mask(filters, frame))

    def timeline(self, filters: Filters, unit: str | None = None) -> tuple[pd.DataFrame, str]:
        selected = self.mask(filters)
        unit = unit or aggregate.choose_bin(self.index, mask=selected)
        return aggregate.timeline(self.index, unit, mask=selected), unit

    def by_country_topic(self, filters: Filters, frame: Frame | None = None,
                         top: int = 15) -> pd.DataFrame:
        return aggregate.by_country_topic(self.index, top, mask=self.mask(filters, frame))

    def by_country(self, filters: Filters, frame: Frame | None = None) -> pd.DataFrame:
        return aggregate.by_country(self.index, mask=self.mask(filters, frame))

    def verification_mix(self, filters: Filters, frame: Frame | None = None) -> pd.DataFrame:
        return aggregate.verification_mix(self.index, mask=self.mask(filters, frame))

    def country_level(self, filters: Filters, frame: Frame | None = None) -> int:
        return aggregate.country_level(self.index, mask=self.mask(filters, frame))

    def map_points(self, filters: Filters, frame: Frame | None = None,
                   limit: int = MAP_POINT_LIMIT) -> tuple[pd.DataFrame, bool]:
        return aggregate.map_points(self.index, limit, mask=self.mask(filters, frame))

    def heat_cells(self, filters: Filters, frame: Frame | None = None) -> pd.DataFrame:
        return aggregate.grid_cells(self.index,
                                    aggregate.mappable(self.index, self.mask(filters, frame)))

    def map_extent(self, filters: Filters) -> Bounds | None:
        rows = aggregate.mappable(self.index, self.mask(filters))
        if not np.any(rows):
            return None
        lat, lon = self.index.latitude[rows], self.index.longitude[rows]
        return float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max())

    def map_shapes(self, filters: Filters, frame: Frame | None = None,
                   limit: int = 300) -> tuple[list[dict], int]:
        return aggregate.map_shapes(self.index, limit, mask=self.mask(filters, frame))

    def by_area(self, filters: Filters, frame: Frame | None,
                areas: gpd.GeoDataFrame) -> pd.DataFrame:
        rows = self.mask(filters, frame) & self.index.located
        return aggregate.counts_by_area(aggregate.point_batches(
            self.index.longitude[rows], self.index.latitude[rows]), areas)

    def picked(self, filters: Filters, frame: Frame | None, *, ids: list[str] | None = None,
               cell: tuple[float, float] | None = None,
               limit: int = 50) -> tuple[pd.DataFrame, int]:
        shown = self.mask(filters, frame)
        if ids:
            rows = aggregate.id_rows(self.index, ids, mask=shown)
        elif cell is not None:
            rows = aggregate.cell_rows(self.index, cell[0], cell[1], mask=shown)
        else:
            rows = np.empty(0, dtype=np.int64)
        return self.events_frame.iloc[rows[:limit]], len(rows)

    def events_page(self, filters: Filters, offset: int,
                    limit: int) -> tuple[pd.DataFrame, int]:
        order = aggregate.oldest_first(self.index, mask=self.mask(filters))
        return self.events_frame.iloc[order[offset:offset + limit]], len(order)

    def articles_page(self, filters: Filters, offset: int, limit: int,
                      event_ids: list[str] | None = None) -> tuple[pd.DataFrame, int]:
        selected = self.mask(filters)
        if event_ids is not None:
            selected = selected & self.events_frame["event_id"].isin(event_ids).to_numpy(
                dtype=bool, na_value=False)
        order = self.article_order
        rows = order[self.links.cited(selected)[order]]
        listed = articles_for(self.events_frame, self.articles_frame, links=self.links,
                              event_mask=selected, rows=rows[offset:offset + limit])
        return listed, len(rows)

    def articles_by_id(self, article_ids: list[str]) -> pd.DataFrame:
        articles = self.articles_frame
        return articles[articles["article_id"].isin(article_ids).to_numpy(dtype=bool)]

    def _row(self, event_id: str) -> int | None:
        return eventdetail.event_row(self.events_frame, event_id)

    def event(self, event_id: str) -> pd.Series | None:
        row = self._row(event_id)
        return None if row is None else self.events_frame.iloc[row]

    def selects(self, filters: Filters, event_id: str) -> bool:
        row = self._row(event_id)
        return row is not None and bool(self.mask(filters)[row])

    def _linked(self) -> EventLinks:
        """The events' links across datasets: the caller's kept ones, else found here."""
        from dashboard.linking import find_links

        return self._event_links() if self._event_links is not None else find_links(
            self.events_frame)

    def link_counts(self) -> tuple[int, int]:
        linked = self._linked()
        return int(linked.linked().sum()), linked.pairs

    def also_in(self, event_ids: list[str]) -> list[list[tuple[str, list[str]]]]:
        linked = self._linked()
        found: dict[str, int] = {}
        ids = self.events_frame["event_id"]
        for row in np.flatnonzero(ids.isin(event_ids).to_numpy(dtype=bool, na_value=False)):
            found.setdefault(str(ids.iloc[row]), int(row))  # the first, as event_row finds
        return [[] if event_id not in found else eventdetail.also_in(
            found[event_id], linked, self.events_frame) for event_id in event_ids]

    def co_reported(self, event_id: str, limit: int = 50) -> tuple[pd.DataFrame, int]:
        row = self._row(event_id)
        rows = np.empty(0, dtype=np.int64) if row is None else eventdetail.co_reported(
            row, self.links)
        return self.events_frame.iloc[rows[:limit]], len(rows)

    def nearby(self, event_id: str, km: float = 25, days: int = 7,
               limit: int = 50) -> tuple[pd.DataFrame, int]:
        row = self._row(event_id)
        rows = np.empty(0, dtype=np.int64) if row is None else eventdetail.nearby(
            row, self.index, km, days)
        chosen = rows[:limit]
        listed = self.events_frame.iloc[chosen].copy()
        if row is None:
            listed["distance_km"] = pd.Series(dtype="float64")
        else:
            listed["distance_km"] = eventdetail.distances_km(
                self.index.latitude[row], self.index.longitude[row],
                self.index.latitude[chosen], self.index.longitude[chosen])
        return listed, len(rows)

    def monthly_sources(self, filters: Filters) -> pd.DataFrame:
        built = self._coverage() if self._coverage is not None else coverage.CoverageIndex.build(
            self.index, self.links, self.articles_frame)
        return coverage.monthly_sources(built, self.mask(filters))

    def reports(self) -> list[LoadReport]:
        return list(self.dataset.reports)

    def download(self, kind: str, filters: Filters, fmt: str, versions: list[DataVersion],
                 topic_labels: dict[str, str], exported: dt.datetime,
                 t: Translator = ENGLISH) -> Download:
        from dashboard.citation import make_citation
        from dashboard.export import EMBEDS_ARTICLES, build_download
        from dashboard.linking import with_linked_events

        selected = self.mask(filters)
        events = with_linked_events(self.events_frame, self._linked(),
                                    None if bool(selected.all()) else np.flatnonzero(selected))
        if kind == "articles":
            articles = articles_for(self.events_frame, self.articles_frame, links=self.links,
                                    event_mask=selected)
        elif fmt in EMBEDS_ARTICLES:
            articles = self.articles_frame[self.links.cited(selected)]
        else:
            articles = self.articles_frame.iloc[np.zeros(0, dtype=np.int64)]
        citation = make_citation(filters, events, data_version=versions, exported=exported,
                                 topic_labels=topic_labels, t=t)
        return build_download(kind, events, articles, filters, fmt, citation)
