"""Articles: the sources behind the filtered events, newest first, paged."""

from __future__ import annotations

import streamlit as st

from dashboard.filters import articles_for
from dashboard.ui import data as ui_data
from dashboard.ui.page import heading, pager
from dashboard.ui.tables import article_table

PAGE_SIZE = 50

ctx = heading("Articles")
data, filters = ctx.data, ctx.filters
index = ui_data.links(data)
selected = ui_data.mask(data, filters)


with st.container(key="articles"):
    cited = index.cited(selected)
    order = ui_data.article_order(data)
    rows = order[cited[order]]
    st.caption(f"{len(rows):,} articles report the {int(selected.sum()):,} filtered events.")
    if len(rows) == 0:
        st.info("No articles: no matching event cites a source in the articles table.")
    else:
        start, stop = pager(len(rows), PAGE_SIZE, "articles_page")
        listed = articles_for(data.events, data.articles, links=index, event_mask=selected,
                              rows=rows[start:stop])
        article_table(listed, ui_data.topic_labels(), key="articles_table")
        st.caption("Only http(s) links are shown; other addresses are left out.")
