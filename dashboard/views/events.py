"""Events: the filtered events as a paged table, each with its sources and verification;
with ``event=ID`` in the URL, that one event as page text instead (``ui/eventpage.py``)."""

from __future__ import annotations

import streamlit as st

from dashboard import aggregate, eventdetail, schema
from dashboard.ui import data as ui_data
from dashboard.ui.eventpage import show_event, unknown_event_notice
from dashboard.ui.language import _, current, link_query, ngettext
from dashboard.ui.page import heading, pager
from dashboard.ui.state import view_param
from dashboard.ui.tables import event_table

PAGE_SIZE = 50

t = current()
ctx = heading(_("Events"))
data, filters = ctx.data, ctx.filters
wanted = view_param("event")
row = None if wanted is None else eventdetail.event_row(data.events, wanted)


def _event_list() -> None:
    """The filtered events, a page at a time, each linking to its own page."""
    order = aggregate.oldest_first(ui_data.index(data), mask=ui_data.mask(data, filters))
    st.caption(ngettext("{count} event, oldest first; undated events last. “open” shows an "
                        "event's page: its sources and the events near it.",
                        "{count} events, oldest first; undated events last. “open” shows an "
                        "event's page: its sources and the events near it.",
                        len(order)).format(count=t.number(len(order))))
    if not len(order):
        st.info(_("No events match this filter. Widen it, or press “Reset filters”."))
        return
    start, stop = pager(len(order), PAGE_SIZE, "events_page")
    rows = order[start:stop]
    event_table(data.events.iloc[rows], data.articles, ui_data.topic_labels(),
                key="events_table", linked=ui_data.also_in(data, rows))
    with st.expander(_("What the verification levels mean")):
        names = schema.verification_names(t)
        for level, meaning in schema.verification_meanings(t).items():
            st.text(f"{names[level]}: {meaning}")


if row is not None:
    with st.container(key="event_detail"):
        if not ui_data.mask(data, filters)[row]:
            st.caption(_("This event is outside the current filter; the links below keep "
                         "the filter all the same."))
        kept = {**filters.to_query(), **link_query()}
        show_event(data.events, data.articles, row, ui_data.index(data), ui_data.links(data),
                   kept, ui_data.topic_labels(), ui_data.event_links(data))
        st.page_link("views/events.py", label=_("Back to the list"),
                     icon=":material/arrow_back:", query_params=kept)
else:
    if wanted is not None:
        unknown_event_notice(wanted)
    with st.container(key="events"):
        _event_list()
