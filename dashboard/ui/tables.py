"""The event and article tables shown on more than one page (Events, Articles, the map's
picks): one place decides their columns. Cells are text; only http(s) links are links."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import schema
from dashboard.ui.text import safe_url


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


def event_table(events: pd.DataFrame, articles: pd.DataFrame, labels: dict[str, str],
                key: str) -> None:
    """Events (a page of rows) with their sources, topic labels and verification."""
    table = pd.DataFrame({
        "Event": events["event_id"],
        "Date": events["event_date"].fillna("undated"),
        "Topic": events["topic"].astype("str").map(lambda t: labels.get(t, t)),
        "Country": events["country"].astype("str"),
        "Location": events["location"],
        "Summary": events["summary"],
        "Verification": events["verification"].astype("str"),
        "Sources": _sources(events["article_ids"], articles),
        "Actors": events["actors"],
        "Fatalities": events["fatalities"],
    })
    st.dataframe(table, hide_index=True, width="stretch", key=key)


def article_table(listed: pd.DataFrame, labels: dict[str, str], key: str) -> None:
    """Articles from ``filters.articles_for`` with the topics, countries and verification
    of the events they report, and a link when the address is http(s)."""
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
        table, hide_index=True, width="stretch", key=key,
        column_config={"Link": st.column_config.LinkColumn("Link", display_text="open")},
    )
