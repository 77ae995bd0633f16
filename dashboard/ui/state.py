"""The sidebar filter and its two-way link with the URL, in one place.

Widget values live in ``st.session_state`` under the keys in ``WIDGET_KEYS``. On a
session's first run (and whenever the URL changes under us, e.g. the Back button)
they are set from the query string; after the widgets are drawn, the URL is
rewritten from the filter on every run, which also carries the filter across
st.navigation page switches (they drop query parameters).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboard.choices import Options
from dashboard.countries import country_name
from dashboard.filterfields import FilterField, Widget
from dashboard.filters import VIEW_KEYS, Filters, resolve_query
from dashboard.filterwidgets import drawn, end_only_key, from_widgets, widget_keys, widget_values
from dashboard.i18n import Translator, said
from dashboard.schema import verification_names
from dashboard.ui.data import Active, area_names, options, topic_labels
from dashboard.ui.language import _, current
from dashboard.ui.text import escape_md

#: The widgets' session-state keys (the registry's ``Widget.key`` of each field).
WIDGET_KEYS: list[str] = widget_keys()
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
    for key, value in widget_values(filters).items():
        if only is None or key in only:
            st.session_state[key] = value


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
    for spec, widget in drawn():
        if widget.kind != "multiselect" or spec.held_to is None or spec.hold is None:
            continue
        current = tuple(st.session_state.get(widget.key) or ())
        held, _ = spec.hold(current, getattr(choices, spec.held_to))
        if held != current:
            st.session_state[widget.key] = list(held)


@dataclass(frozen=True)
class _Offer:
    """What the widgets offer this run: the data's choices and how to show them."""

    choices: Options
    t: Translator
    shown: dict[str, dict[str, str]]  # Widget.shows -> option -> how the option reads
    now: dict[str, Any]  # each widget's current value, also passed as its default
    earliest: dt.date | None
    latest: dt.date | None

    def chosen(self, widget: Widget) -> bool:
        """Is the widget drawn? Not when it is ``only_with_choice`` and the data offers one
        option or none, unless a value is set."""
        if not widget.only_with_choice or self.now[widget.key]:
            return True
        return widget.options is not None and len(getattr(self.choices, widget.options)) > 1


def _help(widget: Widget) -> str | None:
    return None if widget.help is None else _(widget.help)


def _caption(bar: Any, widget: Widget, value: Any, t: Translator) -> None:
    assert widget.note_values is not None
    bar.caption(_(widget.note).format(**widget.note_values(value, t)))


def _multiselect(bar: Any, spec: FilterField, widget: Widget, offer: _Offer) -> None:
    assert widget.options is not None
    offered = list(getattr(offer.choices, widget.options))
    if spec.held_to is None:  # a link may name any value: keep the selected ones offered
        offered = list(dict.fromkeys([*(st.session_state.get(widget.key) or []), *offered]))
    shown: dict[str, Any] = {}
    if widget.shows == "country":
        names = offer.shown["country"]
        shown["format_func"] = lambda c: f"{names.get(c, c)} ({c})"
    elif widget.shows is not None:
        names = offer.shown[widget.shows]
        shown["format_func"] = lambda v: names.get(v, v)
    # Streamlit's own placeholders are English; with none left to offer it disables the box
    placeholder = _("Choose options") if offered else _("No options to select")
    bar.multiselect(_(widget.label), offered, key=widget.key, default=offer.now[widget.key],
                    placeholder=placeholder, disabled=not offered, help=_help(widget), **shown)


def _date_range(bar: Any, _spec: FilterField, widget: Widget, offer: _Offer) -> None:
    bar.date_input(_(widget.label), key=widget.key, format="YYYY-MM-DD",
                   value=offer.now[widget.key] or [], min_value=offer.earliest,
                   max_value=offer.latest, help=_help(widget))
    end_only = st.session_state.get(end_only_key(widget))
    if end_only and not st.session_state.get(widget.key):
        _caption(bar, widget, end_only, offer.t)


def _text(bar: Any, _spec: FilterField, widget: Widget, offer: _Offer) -> None:
    bar.text_input(_(widget.label), key=widget.key, value=offer.now[widget.key] or "",
                   placeholder=None if widget.placeholder is None else _(widget.placeholder),
                   help=_help(widget))


def _checkbox(bar: Any, _spec: FilterField, widget: Widget, offer: _Offer) -> None:
    bar.checkbox(_(widget.label), key=widget.key, value=bool(offer.now[widget.key]),
                 help=_help(widget))


def _toggle(bar: Any, _spec: FilterField, widget: Widget, offer: _Offer) -> None:
    bar.toggle(_(widget.label), key=widget.key, value=bool(offer.now[widget.key]),
               help=_help(widget))


def _select(bar: Any, _spec: FilterField, widget: Widget, offer: _Offer) -> None:
    units = sorted(set(area_names().values()))  # the one ``select``: the boundaries' units
    current_unit = offer.now[widget.key] if offer.now[widget.key] in units else None
    bar.selectbox(_(widget.label), units, key=widget.key, index=None if current_unit is None
                  else units.index(current_unit),
                  placeholder=None if widget.placeholder is None else _(widget.placeholder),
                  help=_help(widget))


def _link_only(bar: Any, _spec: FilterField, widget: Widget, offer: _Offer) -> None:
    value = st.session_state.get(widget.key)
    if value:
        _caption(bar, widget, value, offer.t)


_DRAW: dict[str, Callable[[Any, FilterField, Widget, _Offer], None]] = {
    "multiselect": _multiselect, "date_range": _date_range, "text": _text,
    "checkbox": _checkbox, "toggle": _toggle, "select": _select, "link_only": _link_only}


def sidebar(data: Active) -> Filters:
    """Draw the filter widgets in the sidebar and return the current ``Filters``."""
    _sync_from_url(data)
    _prune_to_options(data)
    choices = options(data)
    earliest = latest = None  # None: streamlit's own bounds
    if choices.first and choices.last:
        earliest = min(choices.first, dt.date(1900, 1, 1))
        latest = max(choices.last, dt.date.today()) + dt.timedelta(days=366)
    # Each widget also gets its current value as its default: after a page switch the
    # browser re-creates the widgets and would otherwise send back their bare defaults.
    now = {key: st.session_state.get(key) for key in WIDGET_KEYS}
    t = current()
    shown = {"country": country_names(choices.countries), "topic": topic_labels(),
             "level": verification_names(t)}
    offer = _Offer(choices, t, shown, now, earliest, latest)
    bar = st.sidebar
    bar.header(_("Filter"))
    for spec, widget in drawn():
        if offer.chosen(widget):
            _DRAW[widget.kind](bar, spec, widget, offer)
    bar.button(_("Reset filters"), key="reset_filters", on_click=reset_filters)
    filters = from_widgets(st.session_state)
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
    t = current()
    for notice in notices:  # Sayable notices of the parser: said in the session's language
        st.warning(escape_md(said(notice, t)), icon=":material/warning:")


def country_names(codes: list[str]) -> dict[str, str]:
    """ISO3 code -> the country's name in the session's language (the code when unknown)."""
    lang = current().lang
    return {code: country_name(code, lang) for code in codes}
