"""Events: the filtered events as a paged table, each with its sources and verification."""

from __future__ import annotations

import streamlit as st

from dashboard import aggregate, schema
from dashboard.ui import data as ui_data
from dashboard.ui.page import heading, pager
from dashboard.ui.tables import event_table

PAGE_SIZE = 50

ctx = heading("Events")
data, filters = ctx.data, ctx.filters
order = aggregate.oldest_first(ui_data.index(data), mask=ui_data.mask(data, filters))


with st.container(key="events"):
    st.caption(f"{len(order):,} events, oldest first; undated events last.")
    if not len(order):
        st.info("No events match this filter. Widen it, or press “Reset filters”.")
    else:
        start, stop = pager(len(order), PAGE_SIZE, "events_page")
        event_table(data.events.iloc[order[start:stop]], data.articles,
                    ui_data.topic_labels(), key="events_table")
        with st.expander("What the verification levels mean"):
            for level, meaning in schema.VERIFICATION_MEANINGS.items():
                st.text(f"{level}: {meaning}")
