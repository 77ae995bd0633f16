"""Articles: the sources behind the filtered events, newest first, paged."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import schema
from dashboard.eventdetail import event_link
from dashboard.ui import data as ui_data
from dashboard.ui.eventpage import markdown_link
from dashboard.ui.language import _, current, link_query, ngettext
from dashboard.ui.page import heading, pager
from dashboard.ui.tables import article_table
from dashboard.ui.text import escape_md

PAGE_SIZE = 50

t = current()
ctx = heading(_("Articles"))
data, filters = ctx.data, ctx.filters
source = ui_data.backend(data)


def _several_events(listed: pd.DataFrame) -> None:
    """The table links an article's first event; those reporting more get every link here."""
    query = {**filters.to_query(), **link_query()}
    lines = [
        f"- {escape_md(title if isinstance(title, str) else article_id)}: "
        + ", ".join(markdown_link(event_id, event_link(event_id, query)) for event_id in ids)
        for article_id, title, ids in zip(
            listed["article_id"], listed["title"], listed["event_ids"].map(schema.split_list),
            strict=True)
        if len(ids) > 1
    ]
    if lines:
        st.markdown("**" + _("Articles on this page that report more than one event:")
                    + "**\n\n" + "\n".join(lines))


with st.container(key="articles"):
    total = source.articles_page(filters, 0, 0)[1]
    events_count = source.count(filters)
    st.caption(ngettext("{count} article reports the {events} filtered events.",
                        "{count} articles report the {events} filtered events.",
                        total).format(count=t.number(total),
                                      events=t.number(events_count)))
    if total == 0:
        st.info(_("No articles: no matching event cites a source in the articles table."))
    else:
        start, stop = pager(total, PAGE_SIZE, "articles_page")
        listed = source.articles_page(filters, start, stop - start)[0]
        article_table(listed, ui_data.topic_labels(), key="articles_table")
        _several_events(listed)
        st.caption(_("Only http(s) links are shown; other addresses are left out."))
