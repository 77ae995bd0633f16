"""The event and article tables shown on more than one page (Events, Articles, the map's
picks): one place decides their columns. Cells are text; only http(s) links are links,
besides our own relative links to each event's page (``events?event=ID``, keeping the
filter), which Streamlit's link cells open as they open any address."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from dashboard import schema
from dashboard.eventdetail import event_link
from dashboard.ui.eventpage import dataset_ids
from dashboard.ui.language import _, current, link_query
from dashboard.ui.page import context
from dashboard.ui.text import safe_url

# the event id at the end of an event page's link, shown as the link's text
_EVENT_ID_IN_LINK = r"[?&]event=([^&#]*)$"


def _filter_query(query: Mapping[str, str] | None) -> Mapping[str, str]:
    """The filter the links keep: ``query`` if given, else this run's filter (with the
    chosen language, so an event page opened in a new tab speaks it too)."""
    return {**context().filters.to_query(), **link_query()} if query is None else query


def _sources(article_ids: pd.Series, articles: pd.DataFrame) -> pd.Series:
    """Each event's sources as "title (outlet, date)"; ids not in the table stay ids."""
    wanted = {i for v in article_ids for i in schema.split_list(v)}
    known = articles.loc[articles["article_id"].isin(wanted),
                         ["article_id", "title", "outlet", "published"]].fillna("")
    unknown_outlet, unknown_date, none = _("outlet unknown"), _("date unknown"), _(
        "no source listed")
    form = _("{title} ({outlet}, {published})")
    names = {
        article_id: form.format(title=title or article_id, outlet=outlet or unknown_outlet,
                                published=published or unknown_date)
        for article_id, title, outlet, published in known.itertuples(index=False, name=None)
    }
    return article_ids.map(lambda v: " | ".join(names.get(i, i) for i in schema.split_list(v))
                           or none)


def event_table(events: pd.DataFrame, articles: pd.DataFrame, labels: dict[str, str],
                key: str, query: Mapping[str, str] | None = None,
                linked: list[list[tuple[str, list[str]]]] | None = None) -> None:
    """Events (a page of rows) with their sources, topic labels and verification, and a
    link to each event's page keeping the filter (``query``; this run's by default).
    ``linked`` (per row, ``eventdetail.also_in``) adds "Also in" (the datasets and ids of
    the events that are probably the same) and a link to the first one's page."""
    kept = _filter_query(query)
    levels = schema.verification_names(current())
    page = _("Page")
    table = pd.DataFrame({
        _("Event"): events["event_id"],
        page: events["event_id"].map(lambda event_id: event_link(event_id, kept)),
        _("Date"): events["event_date"].fillna(_("undated")),
        _("Topic"): events["topic"].astype("str").map(lambda t: labels.get(t, t)),
        _("Country"): events["country"].astype("str"),
        _("Location"): events["location"],
        _("Summary"): events["summary"],
        _("Verification"): events["verification"].astype("str").map(
            lambda v: levels.get(v, v)),
        _("Sources"): _sources(events["article_ids"], articles),
        _("Actors"): events["actors"],
        _("Fatalities"): events["fatalities"],
    })
    config = {page: st.column_config.LinkColumn(
        page, display_text=_("open"), help=_("The event's page: its sources and the events "
                                             "near it (opens in a new tab)"))}
    if linked is not None and any(linked):
        also, same = _("Also in"), _("Linked event")
        table[also] = ["; ".join(dataset_ids(d, ids, str) for d, ids in groups) or None
                       for groups in linked]
        table[same] = [event_link(groups[0][1][0], kept) if groups else None
                       for groups in linked]
        config[same] = st.column_config.LinkColumn(
            same, display_text=_EVENT_ID_IN_LINK,
            help=_("The page of an event of another dataset that is probably the same one "
                   "(the first, if there are several)"))
    st.dataframe(table, hide_index=True, width="stretch", key=key, column_config=config)


def _first_event_link(event_ids: object, query: Mapping[str, str]) -> str | None:
    first = schema.split_list(event_ids)[:1]
    return event_link(first[0], query) if first else None


def article_table(listed: pd.DataFrame, labels: dict[str, str], key: str,
                  query: Mapping[str, str] | None = None) -> None:
    """Articles from ``filters.articles_for`` with the topics, countries and verification
    of the events they report, a link to the (first) event's page keeping the filter
    (``query``; this run's by default), and a link when the address is http(s)."""
    kept = _filter_query(query)
    levels = schema.verification_names(current())
    event_page, link = _("Event page"), _("Link")
    table = pd.DataFrame({
        _("Published"): listed["published"].fillna(_("date unknown")),
        _("Title"): listed["title"],
        _("Outlet"): listed["outlet"].fillna(_("outlet unknown")),
        _("Topics"): listed["topics"].map(
            lambda v: "; ".join(labels.get(t, t) for t in str(v).split("; "))
            if isinstance(v, str) else ""),
        _("Countries"): listed["countries"],
        _("Verification of those events"): listed["verification"].map(
            lambda v: "; ".join(levels.get(x, x) for x in str(v).split("; "))
            if isinstance(v, str) else v),
        _("Events"): listed["event_ids"],
        event_page: listed["event_ids"].map(lambda ids: _first_event_link(ids, kept)),
        link: listed["url"].map(safe_url),
    })
    st.dataframe(
        table, hide_index=True, width="stretch", key=key,
        column_config={
            event_page: st.column_config.LinkColumn(
                event_page, display_text=_EVENT_ID_IN_LINK,
                help=_("The page of the event it reports (the first, if it reports "
                       "several)")),
            link: st.column_config.LinkColumn(link, display_text=_("open")),
        },
    )
