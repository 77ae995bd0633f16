"""Events: the filtered events as a paged table, each with its sources and verification."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import aggregate, schema
from dashboard.ui import data as ui_data
from dashboard.ui.page import heading, pager

PAGE_SIZE = 50

ctx = heading("Events")
data, filters = ctx.data, ctx.filters
order = aggregate.oldest_first(ui_data.index(data), mask=ui_data.mask(data, filters))


def _sources(article_ids: pd.Series, articles: pd.DataFrame) -> pd.Series:
    """Each event's sources as "title (outlet, date)"; ids not in the table stay ids."""
    wanted = {i for v in article_ids for i in schema.split_list(v)}
    known = articles[articles["article_id"].isin(wanted)]
    names = {
        row.article_id: f"{row.title or row.article_id} ({row.outlet or 'outlet unknown'}, "
                        f"{row.published or 'date unknown'})"
        for row in known.fillna("").itertuples()
    }
    return article_ids.map(lambda v: " | ".join(names.get(i, i) for i in schema.split_list(v))
                           or "no source listed")


with st.container(key="events"):
    st.caption(f"{len(order):,} events, oldest first; undated events last.")
    if not len(order):
        st.info("No events match this filter. Widen it, or press “Reset filters”.")
    else:
        start, stop = pager(len(order), PAGE_SIZE, "events_page")
        page = data.events.iloc[order[start:stop]]
        labels = ui_data.topic_labels()
        table = pd.DataFrame({
            "Event": page["event_id"],
            "Date": page["event_date"].fillna("undated"),
            "Topic": page["topic"].astype("str").map(lambda t: labels.get(t, t)),
            "Country": page["country"].astype("str"),
            "Location": page["location"],
            "Summary": page["summary"],
            "Verification": page["verification"].astype("str"),
            "Sources": _sources(page["article_ids"], data.articles),
            "Actors": page["actors"],
            "Fatalities": page["fatalities"],
        })
        st.dataframe(table, hide_index=True, width="stretch", key="events_table")
        with st.expander("What the verification levels mean"):
            for level, meaning in schema.VERIFICATION_MEANINGS.items():
                st.text(f"{level}: {meaning}")
