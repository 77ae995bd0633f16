"""About: method, sources and licences, provenance of the bundled data, taxonomy,
verification levels, boundaries, what is not known."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import schema
from dashboard.boundaries import boundaries_edition
from dashboard.citation import source_for
from dashboard.filters import Filters
from dashboard.ui import data as ui_data
from dashboard.ui.downloads import data_version
from dashboard.ui.page import heading
from dashboard.ui.text import escape_md, safe_url

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
    st.header("Sources and licences")
    served = ui_data.backend(ctx.data)
    names = served.options().datasets
    counts = {name: served.count(Filters(datasets=(name,))) for name in names}
    known = [source_for(name) for name in names]
    st.write("Each dataset in use, as its publisher asks it to be cited (from "
             "`data/datasets.csv`; a dataset it does not name has an unknown licence: check "
             "the publisher's terms before reusing it). Downloads carry the same facts.")
    st.dataframe(
        pd.DataFrame({
            "Source dataset": [source.name for source in known],
            "Events": [counts.get(source.name, 0) for source in known],
            "Title": [source.title for source in known],
            "Licence": [source.licence for source in known],
            "Citation": [source.citation for source in known],
            "Link": [safe_url(source.url) for source in known],
        }),
        hide_index=True, width="stretch", key="about_sources",
        column_config={"Link": st.column_config.LinkColumn("Link")},
    )
    articles = len(ctx.data.articles) if ctx.data.served is None else sum(
        report.accepted for report in served.reports() if report.table == "articles")
    st.write(f"{articles:,} articles are listed as sources in the data in use; "
             "the Articles page lists those behind the filtered events.")
    files = [(version.name, file.name, file.sha256) for version in data_version(ctx.data)
             for file in version.files]
    if files:
        st.caption("The files read, by content hash (the data version downloads name):")
        st.dataframe(pd.DataFrame(files, columns=["Dataset", "File", "SHA-256"]),
                     hide_index=True, width="stretch", key="about_files")
    st.subheader("Provenance of the bundled data")
    bundled = source_for("bundled")
    st.write(
        "Without `--data` the dashboard opens on the data in `data/`, `events.csv` and "
        f"`articles.csv`, cited as: “{escape_md(bundled.citation)}” Each event names the "
        "row of the reporting brief it comes from; no outlet, address or publication date "
        "is known for its source records, so none is given. The nine headline titles and "
        "the seed article's standfirst are the only text quoted from the articles, word for "
        f"word, to cite them. Licence: {escape_md(bundled.licence)}. The topic taxonomy "
        "(`topics.csv`) and the dataset registry (`datasets.csv`) are the repository's own; "
        "the country outlines are described under Boundaries below."
    )
    st.write(
        "The UCDP Georeferenced Event Dataset is not bundled: UCDP's own pages say its data "
        "are free of charge but state no licence for redistributing them "
        "(`data/README.md` lists the pages checked). Load a UCDP file on the Data page or "
        "with `--data` to use it."
    )
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
    undated, unlocated = ui_data.backend(ctx.data).unplaced(Filters())
    st.write(
        f"{undated:,} events have no known date and {unlocated:,} no coordinates; they are "
        "listed but not drawn in the timeline or on the map. Fatalities are often unreported "
        "(blank, not zero). Articles without an outlet, address or date are listed as such; "
        "nothing is filled in that the sources do not say."
    )
