"""The sidebar filter and its two-way link with the URL, in one place.

Widget values live in ``st.session_state`` under the keys in ``WIDGET_KEYS``. On a
session's first run (and whenever the URL changes under us, e.g. the Back button)
they are set from the query string; after the widgets are drawn, the URL is
rewritten from the filter on every run, which also carries the filter across
st.navigation page switches (they drop query parameters).
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from dashboard.countries import country_name
from dashboard.filters import CHOSEN_FROM_DATA, VIEW_KEYS, Filters, resolve_query
from dashboard.schema import verification_names
from dashboard.ui.data import Active, area_names, options, topic_labels
from dashboard.ui.language import _, current
from dashboard.ui.text import escape_md

# widget key -> Filters field
WIDGET_KEYS: dict[str, str] = {
    "date_range": "date_range",
    "country": "countries",
    "topic": "topics",
    "actor": "actors",
    "verification": "verifications",
    "outlet": "outlets",
    "q": "text",
    "undated": "include_undated",
    "dataset": "datasets",
    "precise": "precise",
    "area": "area",
    "once": "once",
    "_bbox": "bbox",  # no widget: set by a link, kept until the filter is reset
}
_LAST_QUERY = "_filters_last_query"
_NOTICES = "_filters_notices"
_INITIALISED = "_filters_initialised"
_KEPT = "_filters_kept"  # the last Filters, outside widget state (which a page switch drops)


def _url_params() -> dict[str, list[str]]:
    """The URL's filter keys (the page's own keys, ``VIEW_KEYS``, are not the filter's)."""
    return {key: st.query_params.get_all(key) for key in st.query_params.keys()
            if key not in VIEW_KEYS}


def _view_params() -> dict[str, str]:
    return {key: st.query_params.get(key) or "" for key in VIEW_KEYS
            if key in st.query_params}


def view_param(key: str) -> str | None:
    """The URL's value of a page key (``event``, ``at``, ``window``), or None."""
    if key not in VIEW_KEYS:
        raise KeyError(f"{key!r} is not one of the page keys {VIEW_KEYS}")
    value = st.query_params.get(key)
    return value if value else None


def set_view_params(**values: str | None) -> None:
    """Put page keys into the URL (None removes one), beside the filter."""
    for key, value in values.items():
        if key not in VIEW_KEYS:
            raise KeyError(f"{key!r} is not one of the page keys {VIEW_KEYS}")
        if value is None:
            st.query_params.pop(key, None)
        elif st.query_params.get(key) != value:
            st.query_params[key] = value


def _flat(query: dict[str, list[str]] | dict[str, str]) -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) if isinstance(v, list) else (v,) for k, v in query.items()}


def _set_widgets(filters: Filters, only: set[str] | None = None) -> None:
    """Put ``filters`` into the widget keys (all, or only the keys in ``only``)."""
    values = _widget_values(filters)
    for key, value in values.items():
        if only is None or key in only:
            st.session_state[key] = value


def _widget_values(filters: Filters) -> dict[str, object]:
    dates: tuple[dt.date, ...] = ()
    if filters.date_from and filters.date_to:
        dates = (filters.date_from, filters.date_to)
    elif filters.date_from:
        dates = (filters.date_from,)
    return {
        "date_range": dates,
        "country": list(filters.countries),
        "topic": list(filters.topics),
        "actor": list(filters.actors),
        "verification": list(filters.verifications),
        "outlet": list(filters.outlets),
        "q": filters.text,
        "undated": filters.include_undated,
        "dataset": list(filters.datasets),
        "precise": filters.precise,
        "area": filters.area or None,
        "once": filters.once,
        "_bbox": filters.bbox,
        "_date_to_only": filters.date_to if not filters.date_from else None,
    }


def _from_widgets() -> Filters:
    dates = tuple(st.session_state.get("date_range") or ())
    date_from = dates[0] if len(dates) >= 1 else None
    date_to = dates[1] if len(dates) == 2 else st.session_state.get("_date_to_only")
    if date_from is not None and date_to is not None and date_from > date_to:
        date_to = None
    return Filters(
        date_from=date_from,
        date_to=date_to,
        countries=tuple(st.session_state.get("country") or ()),
        topics=tuple(st.session_state.get("topic") or ()),
        actors=tuple(st.session_state.get("actor") or ()),
        verifications=tuple(st.session_state.get("verification") or ()),
        outlets=tuple(st.session_state.get("outlet") or ()),
        text=st.session_state.get("q") or "",
        include_undated=bool(st.session_state.get("undated", True)),
        datasets=tuple(st.session_state.get("dataset") or ()),
        precise=bool(st.session_state.get("precise", False)),
        area=st.session_state.get("area") or "",
        once=bool(st.session_state.get("once", False)),
        bbox=st.session_state.get("_bbox"),
    )


def reset_filters() -> None:
    """Button callback: every widget back to its default."""
    _set_widgets(Filters())
    st.session_state[_NOTICES] = ([], {})


def narrow_to_country(codes: list[str]) -> None:
    """Selection callback helper: set the Country filter (used by map and bar clicks)."""
    st.session_state["country"] = list(dict.fromkeys(codes))


def _sync_from_url(data: Active) -> None:
    """Load the widgets from the URL on the first run, or when the URL changed under us."""
    url = _url_params()
    last = st.session_state.get(_LAST_QUERY)
    first_run = not st.session_state.get(_INITIALISED)
    changed = last is not None and url and _flat(url) != _flat(last)
    if not first_run and not changed:
        # A page switch drops the widgets' state (new page, new widget ids) and the URL:
        # put back what the last run had, for the keys that went missing.
        missing = {key for key in WIDGET_KEYS if key not in st.session_state}
        kept = st.session_state.get(_KEPT)
        if missing and kept is not None:
            _set_widgets(kept, only=missing)
        return
    filters, notices = resolve_query(url, options(data), area_names())
    _set_widgets(filters)
    st.session_state[_NOTICES] = (notices, filters.to_query())
    st.session_state[_INITIALISED] = True


def _prune_to_options(data: Active) -> None:
    """After the data changed, drop selected values the new data does not hold."""
    choices = options(data)
    widget_of = {field: key for key, field in WIDGET_KEYS.items()}
    for field, _label in CHOSEN_FROM_DATA:
        allowed_set = set(getattr(choices, field))
        held = st.session_state.get(widget_of[field]) or []
        if any(v not in allowed_set for v in held):
            st.session_state[widget_of[field]] = [v for v in held if v in allowed_set]


def sidebar(data: Active) -> Filters:
    """Draw the filter widgets in the sidebar and return the current ``Filters``."""
    _sync_from_url(data)
    _prune_to_options(data)
    choices = options(data)
    labels = topic_labels()
    names = country_names(choices.countries)
    actors = list(dict.fromkeys([*(st.session_state.get("actor") or []), *choices.actors]))
    t = current()
    levels = verification_names(t)
    bar = st.sidebar
    bar.header(_("Filter"))
    earliest = latest = None  # None: streamlit's own bounds
    if choices.first and choices.last:
        earliest = min(choices.first, dt.date(1900, 1, 1))
        latest = max(choices.last, dt.date.today()) + dt.timedelta(days=366)
    # Each widget also gets its current value as its default: after a page switch the
    # browser re-creates the widgets and would otherwise send back their bare defaults.
    now = {key: st.session_state.get(key) for key in WIDGET_KEYS}
    bar.date_input(_("Date range (first and last day)"), key="date_range", format="YYYY-MM-DD",
                   value=now["date_range"] or [], min_value=earliest, max_value=latest)
    to_only = st.session_state.get("_date_to_only")
    if to_only and not st.session_state.get("date_range"):
        bar.caption(_("Until {last} (from the link)").format(last=t.date(to_only)))
    bar.multiselect(_("Country (the event's or any involved)"), choices.countries, key="country",
                    default=now["country"],
                    format_func=lambda c: f"{names.get(c, c)} ({c})")
    bar.multiselect(_("Topic"), choices.topics, key="topic", default=now["topic"],
                    format_func=lambda k: labels.get(k, k))
    bar.multiselect(_("Actor"), actors, key="actor", default=now["actor"])
    bar.multiselect(_("Verification level"), choices.verifications, key="verification",
                    default=now["verification"], format_func=lambda v: levels.get(v, v))
    bar.multiselect(_("Outlet of the sources"), choices.outlets, key="outlet",
                    default=now["outlet"])
    bar.text_input(_("Search titles, summaries and locations"), key="q",
                   value=now["q"] or "", placeholder=_("e.g. drone"))
    bar.checkbox(_("Include undated events"), key="undated", value=bool(now["undated"]))
    if len(choices.datasets) > 1 or now["dataset"]:
        bar.multiselect(_("Dataset"), choices.datasets, key="dataset", default=now["dataset"])
    if len(choices.datasets) > 1 or now["once"]:
        bar.toggle(_("Count each event once"), key="once", value=bool(now["once"]),
                   help=_("Events of different datasets that are probably the same (the same "
                          "day, place and kind: docs/linking.md) are counted once: each group "
                          "keeps the events of the dataset that reports most of it."))
    bar.checkbox(_("Precise places only"), key="precise", value=bool(now["precise"]),
                 help=_("Only events placed exactly or near (geo precision exact or near); "
                        "events known only to their region or country are left out."))
    units = sorted(set(area_names().values()))
    area_now = now["area"] if now["area"] in units else None
    bar.selectbox(_("Area (a unit of the map's boundaries)"), units, key="area", index=None
                  if area_now is None else units.index(area_now), placeholder=_("Any area"))
    box = st.session_state.get("_bbox")
    if box:
        bar.caption(_("Box from the link: {box} (west, south, east, north); “Reset filters” "
                      "clears it").format(box=", ".join(t.number(v) for v in box)))
    bar.button(_("Reset filters"), key="reset_filters", on_click=reset_filters)
    filters = _from_widgets()
    query = filters.to_query()
    if _flat(_url_params()) != _flat(query):
        st.query_params.from_dict({**query, **_view_params()})
    st.session_state[_LAST_QUERY] = query
    st.session_state[_KEPT] = filters
    return filters


def show_notices() -> None:
    """Notices about the URL (unknown keys, bad values) while its filter is still shown."""
    notices, query = st.session_state.get(_NOTICES) or ([], {})
    if query != st.session_state.get(_LAST_QUERY):
        return
    for notice in notices:
        st.warning(escape_md(notice), icon=":material/warning:")


def country_names(codes: list[str]) -> dict[str, str]:
    """ISO3 code -> the country's name in the session's language (the code when unknown)."""
    lang = current().lang
    return {code: country_name(code, lang) for code in codes}
