"""Events: the filtered events as a paged table, each with its sources and verification;
with ``event=ID`` in the URL, that one event as page text instead (``ui/eventpage.py``)."""

from __future__ import annotations

import streamlit as st

from dashboard import schema
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
source = ui_data.backend(data)
wanted = view_param("event")
event = None if wanted is None else source.event(wanted)


def _event_list() -> None:
    """The filtered events, a page at a time, each linking to its own page."""
    total = source.count(filters)
    st.caption(ngettext("{count} event, oldest first; undated events last. “open” shows an "
                        "event's page: its sources and the events near it.",
                        "{count} events, oldest first; undated events last. “open” shows an "
                        "event's page: its sources and the events near it.",
                        total).format(count=t.number(total)))
    if not total:
        st.info(_("No events match this filter. Widen it, or press “Reset filters”."))
        return
    start, stop = pager(total, PAGE_SIZE, "events_page")
    page, _count = source.events_page(filters, start, stop - start)
    event_table(page, ui_data.sources_of(source, page), ui_data.topic_labels(),
                key="events_table", linked=source.also_in([str(i) for i in page["event_id"]]))
    with st.expander(_("What the verification levels mean")):
        names = schema.verification_names(t)
        for level, meaning in schema.verification_meanings(t).items():
            st.text(f"{names[level]}: {meaning}")


if event is not None and wanted is not None:
    with st.container(key="event_detail"):
        if not source.selects(filters, wanted):
            st.caption(_("This event is outside the current filter; the links below keep "
                         "the filter all the same."))
        kept = {**filters.to_query(), **link_query()}
        show_event(source, event, kept, ui_data.topic_labels())
        st.page_link("views/events.py", label=_("Back to the list"),
                     icon=":material/arrow_back:", query_params=kept)
else:
    if wanted is not None:
        unknown_event_notice(wanted)
    with st.container(key="events"):
        _event_list()
