"""About: method, sources and licences, provenance of the bundled data, taxonomy,
verification levels, boundaries, what is not known."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import schema
from dashboard.boundaries import boundaries_edition
from dashboard.citation import NOT_HASHED, source_for
from dashboard.filters import Filters
from dashboard.ui import data as ui_data
from dashboard.ui.downloads import data_version
from dashboard.ui.language import _, current, ngettext
from dashboard.ui.page import heading
from dashboard.ui.text import escape_md, safe_url

t = current()
ctx = heading(_("About"), with_downloads=False)

with st.container(key="about"):
    st.header(_("Method"))
    st.write(_(
        "Every event is a dated, located record of something reported near the borders of "
        "Belarus, Ukraine, Poland and Lithuania, tied to the articles that report it. Each "
        "carries a topic from the taxonomy below and a verification level saying how well it "
        "is established. Dates and places keep their precision: an event known only to a month "
        "spans the whole month, and the date filter keeps it if that span overlaps the range."
    ))
    st.header(_("Sources and licences"))
    served = ui_data.backend(ctx.data)
    dataset_names = served.options().datasets
    counts = {name: served.count(Filters(datasets=(name,))) for name in dataset_names}
    known = [source_for(name) for name in dataset_names]
    st.write(_("Each dataset in use, as its publisher asks it to be cited (from "
               "`data/datasets.csv`; a dataset it does not name has an unknown licence: check "
               "the publisher's terms before reusing it). Downloads carry the same facts."))
    link = _("Link")
    st.dataframe(
        pd.DataFrame({
            _("Source dataset"): [source.name for source in known],
            _("Events"): [counts.get(source.name, 0) for source in known],
            _("Title"): [source.title for source in known],
            _("Licence"): [source.licence for source in known],
            _("Citation"): [source.citation for source in known],
            link: [safe_url(source.url) for source in known],
        }),
        hide_index=True, width="stretch", key="about_sources",
        column_config={link: st.column_config.LinkColumn(link)},
    )
    articles = len(ctx.data.articles) if ctx.data.served is None else sum(
        report.accepted for report in served.reports() if report.table == "articles")
    st.write(ngettext("{count} article is listed as a source in the data in use; the "
                      "Articles page lists those behind the filtered events.",
                      "{count} articles are listed as sources in the data in use; the "
                      "Articles page lists those behind the filtered events.",
                      articles).format(count=t.number(articles)))
    files = [(version.name, file.name, file.sha256 if file.sha256 is not None else
              _(NOT_HASHED)) for version in data_version(ctx.data) for file in version.files]
    if files:
        st.caption(_("The files read, by content hash (the data version downloads name):"))
        st.dataframe(pd.DataFrame(files, columns=[_("Dataset"), _("File"), "SHA-256"]),
                     hide_index=True, width="stretch", key="about_files")
    st.subheader(_("Provenance of the bundled data"))
    bundled = source_for("bundled")
    st.write(_(
        "Without `--data` the dashboard opens on the data in `data/`, `events.csv` and "
        "`articles.csv`, cited as: “{citation}” Each event names the row of the reporting "
        "brief it comes from; no outlet, address or publication date is known for its "
        "source records, so none is given. The nine headline titles and the seed article's "
        "standfirst are the only text quoted from the articles, word for word, to cite them. "
        "Licence: {licence}. The topic taxonomy (`topics.csv`) and the dataset registry "
        "(`datasets.csv`) are the repository's own; the country outlines are described under "
        "Boundaries below.").format(citation=escape_md(bundled.citation),
                                    licence=escape_md(bundled.licence)))
    st.write(_(
        "The UCDP Georeferenced Event Dataset is not bundled: UCDP's own pages say its data "
        "are free of charge but state no licence for redistributing them "
        "(`data/README.md` lists the pages checked). Load a UCDP file on the Data page or "
        "with `--data` to use it."))
    st.header(_("Topics"))
    topics = ui_data.topics()
    colour = _("Colour")
    st.dataframe(
        topics.rename(columns={"key": _("Key"), "label": _("Topic"), "colour": colour,
                               "description": _("What it covers")}),
        hide_index=True, width="stretch", key="about_topics",
        column_config={colour: st.column_config.TextColumn(colour)},
    )
    st.caption(_("Colours: {colours}").format(colours=" · ".join(
        f"{row.label} {row.colour}" for row in topics.itertuples())))
    st.header(_("Verification levels"))
    names, meanings = schema.verification_names(t), schema.verification_meanings(t)
    st.dataframe(pd.DataFrame({_("Level"): list(names.values()),
                               _("Key in the data"): list(names),
                               _("Meaning"): [meanings[level] for level in names]}),
                 hide_index=True, width="stretch", key="about_verification")
    st.header(_("Boundaries"))
    st.text(boundaries_edition())
    st.header(_("What is not known"))
    undated, unlocated = served.unplaced(Filters())
    st.write(_(
        "Events with no known date: {undated}; with no coordinates: {unlocated}. They are "
        "listed but not drawn in the timeline or on the map. Fatalities are often unreported "
        "(blank, not zero). Articles without an outlet, address or date are listed as such; "
        "nothing is filled in that the sources do not say."
    ).format(undated=t.number(undated), unlocated=t.number(unlocated)))
