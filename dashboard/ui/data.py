"""Where the dashboard's data comes from, and every cache, in one place.

Caches are keyed by small values (a dataset key built from file content hashes, a
tuple of filter query items); big frames are passed as ``_events`` so Streamlit
never hashes them. ``st.cache_resource`` returns shared objects: never mutate them.
"""

from __future__ import annotations

import gc
import importlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import streamlit as st

from dashboard import coverage, store
from dashboard.choices import Options, build_options
from dashboard.dataset import Dataset, companion_articles, load_bundled, load_dataset
from dashboard.engines.backend import Backend
from dashboard.engines.memory_backend import MemoryBackend
from dashboard.engines.opening import SERVED_ENGINES, open_backend
from dashboard.eventindex import EventIndex
from dashboard.filters import ArticleLinks, Filters, newest_first
from dashboard.i18n import N_, Sayable
from dashboard.linking import EventLinks, find_links
from dashboard.readers import LoadError
from dashboard.serving import ServerOptions, server_options
from dashboard.taxonomy import load_topics
from dashboard.ui.language import current

if TYPE_CHECKING:  # read only where the map draws overlays: geopandas is slow to import
    import geopandas as gpd

    from dashboard.overlays import Overlay

BUNDLED_LABEL = N_("the bundled dataset")  # the data label, translated where shown
DATASET_STATE = "dashboard_dataset"  # session: (key, Dataset, label) once replaced or added to


def launch_options(argv: list[str] | None = None) -> ServerOptions:
    """The dashboard's options after ``streamlit run app.py --`` or from the environment
    (see ``dashboard.serving.server_options``)."""
    return server_options(argv)


def upload_limit_mb(launch: ServerOptions) -> int:
    """Largest upload accepted (MB): Streamlit's ``server.maxUploadSize``, and on a public
    server at most a quarter of a session's memory cap, since parsing a file takes several
    times its size."""
    limit = int(st.get_option("server.maxUploadSize"))
    return min(limit, max(1, launch.session_mb // 4)) if launch.public else limit


def file_sha256(path: str) -> str:
    """Content hash of a file (cached by path and ``store.file_identity``: size, times,
    inode, so an edit whose modification time was put back is hashed again)."""
    return _file_sha256(str(Path(path).resolve()), store.file_identity(Path(path)))


@st.cache_resource(show_spinner=False, max_entries=16)
def _file_sha256(path: str, identity: tuple[int, ...]) -> str:
    return store.remembered_digest(Path(path))


@st.cache_resource(show_spinner=False, max_entries=2)
def _store_key(path: str, sha: str) -> str:
    """The store's key of a launch file (its content, its companion articles' content)."""
    companion = companion_articles(Path(path))
    return store.content_key(sha, None if companion is None else file_sha256(str(companion)))


@st.cache_resource(show_spinner=False, max_entries=2)  # the spinner: _loading, translated
def _initial_dataset(path: str | None, sha: str) -> Dataset:
    """The dataset the app starts on (bundled, or ``--data``); ``sha`` keys the cache.

    A file validated before (same content, by any server) is read back from the store
    on disk instead of being validated again (see ``dashboard.store``)."""
    if path is None:
        return _settled(load_bundled())
    dataset = stored_or_loaded(path, sha, lambda: load_dataset(path))
    store.pin(_store_key(path, sha))  # files visitors check must not push it out
    return dataset


def _loading(path: str | None, sha: str) -> Dataset:
    """``_initial_dataset`` under a spinner in the session's language (the cache's own
    spinner text is fixed when the function is defined, so it could only be English)."""
    with st.spinner(current().gettext("Loading the data…")):
        return _initial_dataset(path, sha)


def stored_or_loaded(path: str, sha: str, load: Callable[[], Dataset]) -> Dataset:
    """The validated dataset of a file on the server's disk: read back from the store when
    any server validated the same content before (as launch data or on the Data page), else
    ``load()`` and kept in the store for the next time."""
    key = _store_key(path, sha)
    stored = store.load(key)
    if stored is not None:
        return _settled(stored)
    dataset = _settled(load())
    store.save(key, dataset, background=True)  # the page first, the write after
    return dataset


def _settled(dataset: Dataset) -> Dataset:
    """``dataset`` once what loading freed is handed back: garbage of validation waits for
    the collector, and Arrow's pool keeps freed memory until told. (Its columns are
    single-chunk already: ``load_dataset``, ``combine`` and the store give them so.)"""
    gc.collect()
    pa.default_memory_pool().release_unused()
    return dataset


@dataclass(frozen=True)
class Active:
    """The data every page works on in this session."""

    key: str
    label: str
    dataset: Dataset
    store_key: str | None = None  # where derived data is kept on disk (launch files only)
    served: Backend | None = None  # an engine holding the events (``--engine duckdb``)

    @property
    def events(self) -> pd.DataFrame:
        return self.dataset.events

    @property
    def articles(self) -> pd.DataFrame:
        return self.dataset.articles


def active() -> Active:
    """The session's data: what the Data page installed, else the launch data.

    Raises the loader's ``LoadError`` if the launch file cannot be read; the app
    shows it as a message.
    """
    installed = st.session_state.get(DATASET_STATE)
    if installed is not None:
        key, dataset, label = installed
        return Active(key, label, dataset)
    return launch_data(launch_options().data)


def launch_data(path: str | None) -> Active:
    """The data the app starts on: the bundled dataset, or the ``--data`` file (loaded,
    or served in place by the ``--engine`` chosen)."""
    launch = launch_options()
    if launch.engine == "spark" and path is None and launch.table:  # a table of its catalog
        served = _opening(launch.engine, "", launch.table)
        return Active(f"spark:table:{launch.table}", launch.table, _placeholder(served),
                      served=served)
    if path is not None and launch.engine != "memory":
        served = _opening(launch.engine, str(path), launch.table)
        return Active(f"{launch.engine}:{path}", Path(path).name or str(path),
                      _placeholder(served), served=served)
    if path is None:
        return Active("bundled", BUNDLED_LABEL, _loading(None, "bundled"))
    if not Path(path).is_file():
        raise LoadError(Path(path).name, Sayable(N_("no such file: {path}"), path=str(path)))
    sha = file_sha256(path)
    return Active(f"file:{sha}", Path(path).name, _loading(str(path), sha),
                  _store_key(str(path), sha))


def _opening(engine: str, path: str, table: str | None) -> Backend:
    """``_served`` under a spinner in the session's language (as ``_loading``)."""
    with st.spinner(current().gettext("Opening the data…")):
        return _served(engine, path, table)


@st.cache_resource(show_spinner=False, max_entries=2)
def _served(engine: str, path: str, table: str | None) -> Backend:
    """The engine's backend over the launch data, shared by every session."""
    if engine not in SERVED_ENGINES:
        raise ValueError(Sayable(N_("unknown engine {engine}: choose {engines}"),
                                 engine=repr(engine[:40]),
                                 engines=", ".join(["memory", *SERVED_ENGINES])))
    companion = companion_articles(Path(path)) if path and Path(path).is_file() else None
    backend = open_backend(engine, path, table=table,
                           articles=None if companion is None else str(companion))
    with_areas = getattr(backend, "with_areas", None)
    return with_areas(area_boundaries) if with_areas is not None else backend


def _placeholder(served: Backend) -> Dataset:
    """What ``Active.dataset`` holds for data an engine serves: no rows (every page asks
    the backend), the engine's load reports."""
    from dashboard.schema import ARTICLE_COLUMNS, DERIVED_COLUMNS, EVENT_COLUMNS

    events = pd.DataFrame({c: pd.Series(dtype="str") for c in EVENT_COLUMNS + DERIVED_COLUMNS})
    articles = pd.DataFrame({c: pd.Series(dtype="str") for c in ARTICLE_COLUMNS})
    return Dataset(events, articles, served.reports())


def backend(data: Active) -> Backend:
    """What the pages ask their questions of: the engine serving the data, or the memory
    backend over the session's dataset (its index, links, choices and cached masks)."""
    if data.served is not None:
        return data.served
    return _memory_backend(data.key, data)


@st.cache_resource(show_spinner=False, max_entries=4)
def _memory_backend(key: str, _data: Active) -> MemoryBackend:
    """One backend per dataset, shared by its sessions and runs (it keeps the counts of
    cited articles it worked out)."""
    return MemoryBackend(_data.dataset, index(_data), links(_data), options(_data),
                         article_order=lambda: article_order(_data),
                         mask_of=lambda filters: mask(_data, filters), areas=area_boundaries,
                         coverage_index=lambda: coverage_index(_data),
                         event_links=lambda: event_links(_data))


def sources_of(source: Backend, events: pd.DataFrame) -> pd.DataFrame:
    """The accepted articles a page of ``events`` cites (what its table names as sources)."""
    from dashboard.schema import split_list

    return source.articles_by_id(sorted({i for value in events["article_ids"]
                                         for i in split_list(value)}))


def warm(launch: ServerOptions) -> str | None:
    """Fill the caches a first page run needs for the launch data, outside any session.

    ``dashboard.launch`` calls this while the server starts; a session asking for the
    same entry meanwhile waits for it instead of computing it twice. Returns a line for
    the terminal, or None when the data could not be loaded: the page's own run then
    shows the reason, as it would have without the warm-up.
    """
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").setLevel(
        logging.ERROR)  # "missing ScriptRunContext": expected here, not a problem
    # Beside the load, what does not depend on the data (most of a second of the first
    # page's work that would otherwise wait for it); beside the index, the filter choices
    # (the page needs both before it draws). Arrow does most of either outside the GIL.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="dashboard-warm") as beside:
        taxonomy = beside.submit(_warm_page)
        try:
            data = launch_data(launch.data)
            if data.served is not None:
                served = backend(data)
                served.options()
                taxonomy.result()
                return (f"{data.label} served by the {served.engine} engine, "
                        f"{served.count(Filters()):,} events")
            choices = beside.submit(options, data)
            index(data)
            links(data)
            event_links(data)
            coverage_index(data)
            choices.result()
            taxonomy.result()
        except Exception as err:  # noqa: BLE001 - the page's run reports it to the user
            logging.getLogger(__name__).info("warm-up stopped: %s", err)
            return None
    rejected = sum(report.rejected_rows for report in data.dataset.reports)
    return (f"{data.label}, {len(data.events):,} events and {len(data.articles):,} articles"
            f" ({rejected:,} rows rejected)")


# What the Overview imports on its first run besides the app's own imports (Altair alone
# takes 0.4 s), and Streamlit's emoji catalogue (the page icon is checked against it).
PAGE_MODULES = ("dashboard.charts", "dashboard.ui.page", "dashboard.ui.state",
                "dashboard.ui.tables", "streamlit.emojis")


def _warm_page() -> None:
    """For ``warm``: what the first page needs that is not the data's (the topics, the
    bundled boundaries' features and place names, the page's modules)."""
    topics()
    boundary_features()
    for name in PAGE_MODULES:
        importlib.import_module(name)
    places()


def install(key: str, dataset: Dataset, label: str) -> None:
    """Make ``dataset`` the session's data (the Data page's replace / add)."""
    st.session_state[DATASET_STATE] = (key, _settled(dataset), label)


def restore_launch_data() -> None:
    """Go back to the data the app started on."""
    st.session_state.pop(DATASET_STATE, None)


@st.cache_resource(show_spinner=False, max_entries=4)
def _links(key: str, store_key: str | None, _dataset: Dataset) -> ArticleLinks:
    events, articles = _dataset.events, _dataset.articles
    built = _dataset.links  # worked out by the load on a first open
    if built is None:
        stored = (store.load_extra(store_key, "links") if store_key else None) or {}
        event_rows, article_rows = stored.get("event_rows"), stored.get("article_rows")
        if store.integers_within(event_rows, 0, len(events)) and store.integers_within(
                article_rows, 0, len(articles)):
            return ArticleLinks(event_rows, article_rows, len(events), len(articles))
        built = ArticleLinks.build(events, articles)
    if store_key:
        store.save_extra(store_key, "links", {"event_rows": built.event_rows,
                                              "article_rows": built.article_rows})
    return built


def links(data: Active) -> ArticleLinks:
    """Which articles each event cites, as integer arrays (built once per dataset, and
    kept beside a stored launch dataset)."""
    return _links(data.key, data.store_key, data.dataset)


@st.cache_resource(show_spinner=False, max_entries=4)
def _event_links(key: str, store_key: str | None, _events: pd.DataFrame) -> EventLinks:
    stored = (store.load_extra(store_key, "event_links") if store_key else None) or {}
    first, second = stored.get("first"), stored.get("second")
    rank = stored.get("dataset_rank")
    if (store.integers_within(first, 0, len(_events))
            and store.integers_within(second, 0, len(_events))
            and len(first) == len(second) and isinstance(rank, np.ndarray)
            and rank.dtype.kind == "i" and rank.shape == (len(_events),)):
        return EventLinks(first, second, rank)
    built = find_links(_events)
    if store_key:
        store.save_extra(store_key, "event_links", {"first": built.first, "second": built.second,
                                                    "dataset_rank": built.dataset_rank})
    return built


def event_links(data: Active) -> EventLinks:
    """The session's events linked across datasets (``dashboard.linking``; found once per
    dataset, and kept beside a stored launch dataset)."""
    return _event_links(data.key, data.store_key, data.events)


def also_in(data: Active, rows: np.ndarray) -> list[list[tuple[str, list[str]]]]:
    """For each of ``rows`` (a page of a table), the linked events of other datasets, per
    dataset: ``eventdetail.also_in``."""
    from dashboard.eventdetail import also_in as linked_to

    linked = event_links(data)
    return [linked_to(int(row), linked, data.events) for row in rows]


@st.cache_resource(show_spinner=False, max_entries=2)
def _article_order(key: str, _articles: pd.DataFrame) -> np.ndarray:
    return newest_first(_articles)


def article_order(data: Active) -> np.ndarray:
    """Row positions of the session's articles, newest first (sorted once per dataset)."""
    return _article_order(data.key, data.articles)


@st.cache_resource(show_spinner=False, max_entries=32)
def _mask(key: str, query: tuple[tuple[str, str], ...], _events: pd.DataFrame,
          _articles: pd.DataFrame, _links: ArticleLinks, _index: EventIndex,
          _linked: EventLinks | None) -> np.ndarray:
    filters, _ = Filters.from_query(dict(query))
    areas = area_boundaries() if filters.area else None
    mask = filters.mask(_events, _articles, links=_links, index=_index, areas=areas,
                        event_links=_linked)
    mask.setflags(write=False)
    return mask


def mask(data: Active, filters: Filters) -> np.ndarray:
    """Row mask of the session's events for ``filters`` (cached; read-only)."""
    query = tuple(sorted(filters.to_query().items()))
    linked = event_links(data) if filters.once else None
    return _mask(data.key, query, data.events, data.articles, links(data), index(data), linked)


@st.cache_resource(show_spinner=False, max_entries=4)
def _index(key: str, _events: pd.DataFrame) -> EventIndex:
    return EventIndex.build(_events)


def index(data: Active) -> EventIndex:
    """Integer codes of the session's events for aggregates (built once per dataset)."""
    return _index(data.key, data.events)


@st.cache_resource(show_spinner=False, max_entries=4)
def _coverage_index(key: str, store_key: str | None, _index: EventIndex, _links: ArticleLinks,
                    _articles: pd.DataFrame) -> coverage.CoverageIndex:
    stored = store.load_extra(store_key, "coverage") if store_key else None
    if stored is not None:
        kept = coverage.CoverageIndex.from_stored(stored, _index.size)
        if kept is not None:
            return kept
    built = coverage.CoverageIndex.build(_index, _links, _articles)
    if store_key:
        store.save_extra(store_key, "coverage", built.to_stored())
    return built


def coverage_index(data: Active) -> coverage.CoverageIndex:
    """Cells and (cell, source) pairs for the coverage notices (built once per dataset,
    in the launch warm-up, and kept beside a stored launch dataset)."""
    return _coverage_index(data.key, data.store_key, index(data), links(data), data.articles)


@st.cache_resource(show_spinner=False, max_entries=32)
def _coverage_changes(key: str, query: tuple[tuple[str, str], ...],
                      _coverage: coverage.CoverageIndex,
                      _mask: np.ndarray) -> list[coverage.CoverageChange]:
    return coverage.coverage_changes(coverage.monthly_sources(_coverage, _mask))


def coverage_changes(data: Active, filters: Filters) -> list[coverage.CoverageChange]:
    """Months where the sources behind the filtered events change sharply (cached per
    filter, like its mask; an engine keeps its own answers)."""
    if data.served is not None:
        return coverage.coverage_changes(data.served.monthly_sources(filters))
    query = tuple(sorted(filters.to_query().items()))
    return _coverage_changes(data.key, query, coverage_index(data), mask(data, filters))


@st.cache_resource(show_spinner=False, max_entries=4)
def _options(key: str, store_key: str | None, _events: pd.DataFrame,
             _articles: pd.DataFrame) -> Options:
    stored = store.load_extra(store_key, "options") if store_key else None
    if stored is not None:
        try:
            return Options.from_json(stored)
        except (KeyError, TypeError, ValueError):  # damaged: derived again below
            pass
    built = build_options(_events, _articles, list(topics()["key"]))
    if store_key:
        store.save_extra(store_key, "options", built.to_json())
    return built


def options(data: Active) -> Options:
    """Widget choices for the session's data (computed once per dataset, and kept beside
    a stored launch dataset; an engine's from its own queries)."""
    if data.served is not None:
        return data.served.options()
    return _options(data.key, data.store_key, data.events, data.articles)


@st.cache_resource(show_spinner=False)
def _topics(lang: str) -> pd.DataFrame:
    return load_topics(lang=lang)


def topics() -> pd.DataFrame:
    """The taxonomy (key, label, colour, description), in the session's language (one
    cached frame per language: shared, never to be changed in place)."""
    return _topics(current().lang)


def shown_label(data: Active) -> str:
    """The data's label for a reader: "the bundled dataset" in the session's language,
    file names as they are (a combined label joins its parts with " + ")."""
    t = current()
    return " + ".join(t.gettext(part) if part == BUNDLED_LABEL else part
                      for part in data.label.split(" + "))


def topic_labels() -> dict[str, str]:
    frame = topics()
    return dict(zip(frame["key"], frame["label"], strict=True))


@st.cache_resource(show_spinner=False, max_entries=2)
def _boundaries(path: str | None, sha: str) -> gpd.GeoDataFrame:
    from dashboard.boundaries import load_boundaries

    return load_boundaries(path)


def boundaries(user: bool = False) -> gpd.GeoDataFrame:
    """Bundled country boundaries, or the user's file (``--boundaries``) when ``user``."""
    path = launch_options().boundaries if user else None
    if path is None:
        return _boundaries(None, "bundled")
    return _boundaries(str(path), file_sha256(path))


@st.cache_resource(show_spinner=False, max_entries=2)
def _boundary_features(path: str | None, sha: str) -> list[dict]:
    from dashboard.geomap import boundary_features

    return boundary_features(_boundaries(path, sha))


def area_boundaries() -> gpd.GeoDataFrame:
    """The boundaries the area filter names units of: the user's file (``--boundaries``)
    when given, else the bundled country outlines."""
    return boundaries(user=launch_options().boundaries is not None)


@st.cache_resource(show_spinner=False, max_entries=2)
def _area_spellings(path: str | None) -> dict[str, str]:
    from dashboard.boundaries import area_spellings

    return area_spellings(area_boundaries())


def area_names() -> dict[str, str]:
    """Each unit's name and code, mapped to its name (see ``boundaries.area_spellings``)."""
    return _area_spellings(launch_options().boundaries)


def boundary_features() -> list[dict]:
    """Bundled boundaries as simplified GeoJSON features (computed once)."""
    return _boundary_features(None, "bundled")


OVERLAY_STATE = "dashboard_overlays"  # session: overlays uploaded on the Data page


@st.cache_resource(show_spinner=False, max_entries=8)
def _overlay_file(path: str, sha: str) -> Overlay:
    from dashboard.overlays import read_overlay

    return read_overlay(path)


def overlays() -> tuple[list[Overlay], list[str]]:
    """The overlays to draw: the launch's ``--overlay`` files, then this session's uploads;
    and, for a launch file that cannot be read, why (the map draws without it)."""
    from dashboard.overlays import OverlayError

    drawn: list[Overlay] = []
    problems: list[str] = []
    for path in launch_options().overlays:
        try:
            drawn.append(_overlay_file(str(Path(path).resolve()), file_sha256(path)))
        except (OverlayError, OSError) as err:
            problems.append(err.said(current()) if isinstance(err, OverlayError) else str(err))
    drawn.extend(st.session_state.get(OVERLAY_STATE) or [])
    return drawn, problems


def add_overlay(data: bytes, name: str) -> Overlay:
    """Read an uploaded overlay and keep it in this session (raises ``OverlayError``)."""
    from dashboard.overlays import read_overlay

    overlay = read_overlay(data, name)
    kept = [o for o in st.session_state.get(OVERLAY_STATE) or [] if o.name != overlay.name]
    st.session_state[OVERLAY_STATE] = [*kept, overlay]
    return overlay


def remove_overlays() -> None:
    """Forget this session's uploaded overlays."""
    st.session_state.pop(OVERLAY_STATE, None)


@st.cache_resource(show_spinner=False, max_entries=2)
def _places(path: str | None, sha: str) -> pd.DataFrame:
    from dashboard.places import gazetteer

    outlines = _boundaries(path, sha)
    return gazetteer(list(outlines["iso3"]), tuple(outlines.total_bounds))


def places() -> pd.DataFrame:
    """Place names inside the bundled outlines (``dashboard.places``; computed once)."""
    return _places(None, "bundled")
