"""Download buttons for the current filter, on every page.

The bytes are built only when a button is clicked (``data=callable``, run on
another thread with no Streamlit calls inside), so re-runs never pay for exports.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from dashboard.filters import Filters, articles_for
from dashboard.ui.data import Active, links, mask

# label, format, file extension, MIME type
EVENT_FORMATS: list[tuple[str, str, str, str]] = [
    ("Events CSV", "csv", "csv", "text/csv"),
    ("Events GeoJSON", "geojson", "geojson", "application/geo+json"),
    ("Events Excel", "xlsx", "xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("Events Parquet", "parquet", "parquet", "application/vnd.apache.parquet"),
]


def events_builder(events: Callable[[], pd.DataFrame], fmt: str,
                   articles: Callable[[], pd.DataFrame] | None = None) -> Callable[[], bytes]:
    """A callable producing the export of ``events()`` in ``fmt`` (for a download button);
    ``articles`` gives the sources to embed (GeoJSON, Excel). Both are fetched only when
    clicked, so a re-run never copies the filtered rows."""

    def build() -> bytes:
        from dashboard.export import export_events

        return export_events(events(), fmt, articles=articles() if articles else None)

    return build


def articles_builder(data: Active, filters: Filters) -> Callable[[], bytes]:
    """A callable producing the articles CSV behind the filtered events."""
    selected = mask(data, filters)
    index = links(data)

    def build() -> bytes:
        from dashboard.export import export_articles

        listed = articles_for(data.events, data.articles, links=index, event_mask=selected)
        return export_articles(listed)

    return build


def download_row(data: Active, filters: Filters) -> None:
    """Five buttons: events in four formats and the articles, named by the filter."""
    slug = filters.slug()
    selected, index = mask(data, filters), links(data)

    def events() -> pd.DataFrame:
        return data.events if bool(selected.all()) else data.events[selected]

    def sources() -> pd.DataFrame:
        return data.articles[index.cited(selected)]

    with st.container(key="downloads"):
        st.caption(f"Download the {int(selected.sum()):,} filtered events or their sources")
        row = st.container(horizontal=True, wrap=True)  # wraps on a phone, not five rows
        for label, fmt, ext, mime in EVENT_FORMATS:
            row.download_button(
                label, data=events_builder(events, fmt, sources),
                file_name=f"events_{slug}.{ext}", mime=mime, on_click="ignore",
                key=f"download_{fmt}", width="content",
            )
        row.download_button(
            "Articles CSV", data=articles_builder(data, filters),
            file_name=f"articles_{slug}.csv", mime="text/csv", on_click="ignore",
            key="download_articles", width="content",
        )
