"""Articles: the sources behind the filtered events, newest first, paged."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard.filters import articles_for, newest_first
from dashboard.ui import data as ui_data
from dashboard.ui.page import heading, pager, safe_url

PAGE_SIZE = 50

ctx = heading("Articles")
data, filters = ctx.data, ctx.filters
index = ui_data.links(data)
selected = ui_data.mask(data, filters)


@st.cache_resource(show_spinner=False, max_entries=2)
def _order(key: str, _articles: pd.DataFrame):
    return newest_first(_articles)


with st.container(key="articles"):
    cited = index.cited(selected)
    order = _order(data.key, data.articles)
    rows = order[cited[order]]
    st.caption(f"{len(rows):,} articles report the {int(selected.sum()):,} filtered events.")
    if len(rows) == 0:
        st.info("No articles: no matching event cites a source in the articles table.")
    else:
        start, stop = pager(len(rows), PAGE_SIZE, "articles_page")
        listed = articles_for(data.events, data.articles, links=index, event_mask=selected,
                              rows=rows[start:stop])
        labels = ui_data.topic_labels()
        table = pd.DataFrame({
            "Published": listed["published"].fillna("date unknown"),
            "Title": listed["title"],
            "Outlet": listed["outlet"].fillna("outlet unknown"),
            "Topics": listed["topics"].map(
                lambda v: "; ".join(labels.get(t, t) for t in str(v).split("; "))
                if isinstance(v, str) else ""),
            "Countries": listed["countries"],
            "Verification of those events": listed["verification"],
            "Events": listed["event_ids"],
            "Link": listed["url"].map(safe_url),
        })
        st.dataframe(
            table, hide_index=True, width="stretch", key="articles_table",
            column_config={"Link": st.column_config.LinkColumn("Link", display_text="open")},
        )
        st.caption("Only http(s) links are shown; other addresses are left out.")
