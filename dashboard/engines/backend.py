"""What a page asks of the data, whatever engine holds it: the query backend's interface.

The Overview, Events and Articles pages and the downloads never touch an events frame;
they ask a ``Backend`` for small results: the filter's choices, headline numbers, timeline
bins, counts, a bounded set of map points or grid cells, one page of events or articles,
one event, a download. ``memory_backend.MemoryBackend`` answers from the in-memory index
and masks (``aggregate.py``), ``duckdb_backend.DuckDBBackend`` with SQL over Parquet that
stays on disk; a Spark backend implements the same methods. Every result has the shape
the memory engine's function of the same name returns (``aggregate.py``, ``filters.py``),
so pages draw any engine's answer alike, and the parity tests compare them value by value.

Each method takes the one ``Filters`` value and, where the Overview's time control
narrows it further, an optional ``Frame`` (``timeframe.py``): the events in force in that
frame. Nothing returned grows with the number of events except what the caller bounds
(``limit``).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pandas as pd

from dashboard.aggregate import MAP_POINT_LIMIT, Headline
from dashboard.choices import Options
from dashboard.filters import Filters
from dashboard.i18n import ENGLISH, Translator
from dashboard.timeframe import Frame

if TYPE_CHECKING:
    import geopandas as gpd

    from dashboard.citation import DataVersion
    from dashboard.dataset import LoadReport
    from dashboard.export import Download

#: ``(west, south, east, north)`` in degrees, as ``map_extent`` gives it.
Bounds = tuple[float, float, float, float]


@runtime_checkable
class Backend(Protocol):
    """The queries the pages run (see the module docstring); results as ``aggregate.py``'s."""

    #: ``memory``, ``duckdb``, ``spark``: what the load report and the About page name.
    engine: str

    def options(self) -> Options:
        """The sidebar's choices and what a URL query is held to (``choices.build_options``)."""
        ...

    def count(self, filters: Filters, frame: Frame | None = None) -> int:
        """How many events the filter (and frame) selects."""
        ...

    def headline(self, filters: Filters, frame: Frame | None = None) -> Headline:
        """``aggregate.headline`` with the cited articles counted (``ArticleLinks.cited``)."""
        ...

    def day_span(self, filters: Filters) -> tuple[dt.date, dt.date] | None:
        """First and last possible day of the selected dated events (``EventIndex.day_span``)."""
        ...

    def unplaced(self, filters: Filters, frame: Frame | None = None) -> tuple[int, int]:
        """``aggregate.unplaced``: selected events undated, and without coordinates."""
        ...

    def timeline(self, filters: Filters, unit: str | None = None) -> tuple[pd.DataFrame, str]:
        """``aggregate.timeline`` (period, topic, events) and the unit used (given, else
        ``aggregate.choose_bin``'s)."""
        ...

    def by_country_topic(self, filters: Filters, frame: Frame | None = None,
                         top: int = 15) -> pd.DataFrame:
        """``aggregate.by_country_topic``: country, topic, events."""
        ...

    def by_country(self, filters: Filters, frame: Frame | None = None) -> pd.DataFrame:
        """``aggregate.by_country``: iso3, events (largest first)."""
        ...

    def verification_mix(self, filters: Filters, frame: Frame | None = None) -> pd.DataFrame:
        """``aggregate.verification_mix``: verification, events, share."""
        ...

    def country_level(self, filters: Filters, frame: Frame | None = None) -> int:
        """``aggregate.country_level``: selected events placed only at country level."""
        ...

    def map_points(self, filters: Filters, frame: Frame | None = None,
                   limit: int = MAP_POINT_LIMIT) -> tuple[pd.DataFrame, bool]:
        """``aggregate.map_points``: the mapped points, or at most about ``limit`` grid cells
        (``binned`` True)."""
        ...

    def heat_cells(self, filters: Filters, frame: Frame | None = None) -> pd.DataFrame:
        """``aggregate.grid_cells`` of every mappable selected event (the heat map)."""
        ...

    def map_extent(self, filters: Filters) -> Bounds | None:
        """(west, south, east, north) of the mappable selected events; None when none."""
        ...

    def map_shapes(self, filters: Filters, frame: Frame | None = None,
                   limit: int = 300) -> tuple[list[dict], int]:
        """``aggregate.map_shapes``: zones and lines as GeoJSON features, and their total."""
        ...

    def by_area(self, filters: Filters, frame: Frame | None,
                areas: gpd.GeoDataFrame) -> pd.DataFrame:
        """``aggregate.counts_by_area``: iso3 (a unit of ``areas``), events, largest first;
        each located event counted in the units its point lies within. The engines send
        the selected points grouped by coordinates, batch by batch, to that test."""
        ...

    def picked(self, filters: Filters, frame: Frame | None, *, ids: list[str] | None = None,
               cell: tuple[float, float] | None = None,
               limit: int = 50) -> tuple[pd.DataFrame, int]:
        """Events picked on the map, oldest first (``aggregate.id_rows`` for ``ids``,
        ``aggregate.cell_rows`` for a grid ``cell`` centre): the first ``limit`` as an
        events frame, and how many were picked."""
        ...

    def events_page(self, filters: Filters, offset: int,
                    limit: int) -> tuple[pd.DataFrame, int]:
        """One page of the selected events, oldest first, undated last
        (``aggregate.oldest_first``), as an events frame; and the total."""
        ...

    def articles_page(self, filters: Filters, offset: int, limit: int,
                      event_ids: list[str] | None = None) -> tuple[pd.DataFrame, int]:
        """One page of the articles the selected events cite, newest first, as
        ``filters.articles_for`` lists them (with ``event_ids``); and the total. With
        ``event_ids``: the articles of those events only (a pick on the map)."""
        ...

    def articles_by_id(self, article_ids: list[str]) -> pd.DataFrame:
        """The accepted articles with these ids (``schema.ARTICLE_COLUMNS``, any order): the
        sources an event table or an event's page names."""
        ...

    def event(self, event_id: str) -> pd.Series | None:
        """One event's row (an events frame's row), None when no accepted event has that id."""
        ...

    def selects(self, filters: Filters, event_id: str) -> bool:
        """Whether the filter selects the event with this id."""
        ...

    def link_counts(self) -> tuple[int, int]:
        """(events linked across datasets, links): what ``linking.said`` words on the Data
        page; (0, 0) for data of one dataset."""
        ...

    def also_in(self, event_ids: list[str]) -> list[list[tuple[str, list[str]]]]:
        """Per id, ``eventdetail.also_in``: the events of other datasets linked to it
        (``dashboard.linking``), per dataset in load order, ids in load order; an empty
        list for an id linked to none (or naming no event)."""
        ...

    def co_reported(self, event_id: str, limit: int = 50) -> tuple[pd.DataFrame, int]:
        """``eventdetail.co_reported``: other events citing any of its articles, oldest
        first (the first ``limit``), and how many."""
        ...

    def nearby(self, event_id: str, km: float = 25, days: int = 7,
               limit: int = 50) -> tuple[pd.DataFrame, int]:
        """``eventdetail.nearby``: events within ``km`` and ``days``, nearest first (the first
        ``limit``, with a ``distance_km`` column), and how many."""
        ...

    def monthly_sources(self, filters: Filters) -> pd.DataFrame:
        """``coverage.monthly_sources``: distinct sources behind the selected events per
        source dataset and month (dataset, month, events, sources)."""
        ...

    def reports(self) -> list[LoadReport]:
        """What loading read, accepted and rejected, per table (``dataset.LoadReport``)."""
        ...

    def download(self, kind: str, filters: Filters, fmt: str, versions: list[DataVersion],
                 topic_labels: dict[str, str], exported: dt.datetime,
                 t: Translator = ENGLISH) -> Download:
        """``export.build_download`` of the selected events (``kind`` ``events`` or
        ``articles``) with its citation, file name and words in ``t``'s language: the same
        bytes on every engine."""
        ...


__all__ = ["Backend", "Bounds", "Frame"]
