"""About: method, sources, taxonomy, verification levels, boundaries, what is not known."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import schema
from dashboard.boundaries import boundaries_edition
from dashboard.ui import data as ui_data
from dashboard.ui.page import heading

ctx = heading("About", with_downloads=False)

with st.container(key="about"):
    st.header("Method")
    st.write(
        "Every event is a dated, located record of something reported near the borders of "
        "Belarus, Ukraine, Poland and Lithuania, tied to the articles that report it. Each "
        "carries a topic from the taxonomy below and a verification level saying how well it "
        "is established. Dates and places keep their precision: an event known only to a month "
        "spans the whole month, and the date filter keeps it if that span overlaps the range."
    )
    st.header("Sources")
    sources = ctx.data.events["source_dataset"].astype("str").value_counts()
    st.dataframe(pd.DataFrame({"Source dataset": sources.index, "Events": sources.to_numpy()}),
                 hide_index=True, key="about_sources")
    st.write(f"{len(ctx.data.articles):,} articles are listed as sources in the data in use; "
             "the Articles page lists those behind the filtered events.")
    st.header("Topics")
    topics = ui_data.topics()
    st.dataframe(
        topics.rename(columns={"key": "Key", "label": "Topic", "colour": "Colour",
                               "description": "What it covers"}),
        hide_index=True, width="stretch", key="about_topics",
        column_config={"Colour": st.column_config.TextColumn("Colour")},
    )
    st.caption("Colours: " + " · ".join(f"{row.label} {row.colour}"
                                        for row in topics.itertuples()))
    st.header("Verification levels")
    st.dataframe(pd.DataFrame({"Level": list(schema.VERIFICATION_MEANINGS),
                               "Meaning": list(schema.VERIFICATION_MEANINGS.values())}),
                 hide_index=True, width="stretch", key="about_verification")
    st.header("Boundaries")
    st.text(boundaries_edition())
    st.header("What is not known")
    undated = int(ctx.data.events["date_min"].isna().sum())
    unlocated = int(ctx.data.events["latitude"].isna().sum())
    st.write(
        f"{undated:,} events have no known date and {unlocated:,} no coordinates; they are "
        "listed but not drawn in the timeline or on the map. Fatalities are often unreported "
        "(blank, not zero). Articles without an outlet, address or date are listed as such; "
        "nothing is filled in that the sources do not say."
    )
