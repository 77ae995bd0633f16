"""What every page shares: the run's data and filter, the heading, the pager."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from dashboard.filters import Filters
from dashboard.ui.data import Active, shown_label, topic_labels
from dashboard.ui.downloads import download_row
from dashboard.ui.language import _, current, show_notice
from dashboard.ui.state import show_notices
from dashboard.ui.text import escape_md

_CONTEXT = "_page_context"


@dataclass(frozen=True)
class Context:
    """The data and filter of this run, set by app.py before the page runs."""

    data: Active
    filters: Filters


def set_context(data: Active, filters: Filters) -> None:
    st.session_state[_CONTEXT] = Context(data, filters)


def context() -> Context:
    """This run's data and filter (app.py sets them before running the page)."""
    return st.session_state[_CONTEXT]


def heading(title: str, with_downloads: bool = True) -> Context:
    """Page title, the filter sentence, URL notices and the download row."""
    ctx = context()
    st.title(title)
    with st.container(key="filter_summary"):
        sentence = ctx.filters.describe(topic_labels(), current())
        st.markdown(_("**{filter}** · data: {data}").format(filter=escape_md(sentence),
                                                            data=escape_md(shown_label(ctx.data))))
        show_notice()
        show_notices()
    if with_downloads:
        download_row(ctx.data, ctx.filters)
    return ctx


def pager(total: int, size: int, key: str) -> tuple[int, int]:
    """A page number input; returns the (start, stop) rows of the chosen page."""
    pages = max(1, -(-total // size))
    chosen = st.session_state.get(key, 1)
    if not isinstance(chosen, int) or chosen > pages or chosen < 1:
        st.session_state[key] = 1
    page = st.number_input(_("Page (of {pages})").format(pages=current().number(pages)),
                           min_value=1, max_value=pages, step=1, key=key)
    start = (int(page) - 1) * size
    return start, min(start + size, total)
