"""What every page shares: the run's data and filter, the heading, safe text helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from dashboard.filters import Filters
from dashboard.ui.data import Active, topic_labels
from dashboard.ui.downloads import download_row
from dashboard.ui.state import show_notices

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
        st.markdown(f"**{escape_md(ctx.filters.describe(topic_labels()))}** · "
                    f"data: {escape_md(ctx.data.label)}")
        show_notices()
    if with_downloads:
        download_row(ctx.data, ctx.filters)
    return ctx


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def escape_md(text: object) -> str:
    """Untrusted text made inert for st.markdown (every markdown character escaped)."""
    return _MD_SPECIAL.sub(r"\\\1", "" if text is None or text is pd.NA else str(text))


def safe_url(value: object) -> str | None:
    """The URL if it is http(s) with a host; anything else (javascript:, data:, ...) None."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def pager(total: int, size: int, key: str) -> tuple[int, int]:
    """A page number input; returns the (start, stop) rows of the chosen page."""
    pages = max(1, -(-total // size))
    current = st.session_state.get(key, 1)
    if not isinstance(current, int) or current > pages or current < 1:
        st.session_state[key] = 1
    page = st.number_input(f"Page (of {pages:,})", min_value=1, max_value=pages, step=1,
                           key=key)
    start = (int(page) - 1) * size
    return start, min(start + size, total)
