"""One event as readable page text (``/events?event=ID``): its fields, what its
verification level means, its sources, the other events those sources report and the
events near it in place and time, each linking to its own page.

Every value from the data goes through ``escape_md``; a source is a link only when its
address is http(s) (``safe_url``); links between event pages are built here, relative,
and keep the filter's query.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import eventdetail, schema
from dashboard.citation import source_for
from dashboard.engines.backend import Backend
from dashboard.ui.language import _, current, ngettext
from dashboard.ui.text import escape_md, safe_url

LISTED = 50  # co-reported and nearby events listed at most (nearest / oldest first)
SUMMARY_CHARS = 140  # of a listed event's summary
NOTICE_ID_CHARS = 80  # of an unknown id repeated in the notice
# characters left as they are in a link's address: the rest (spaces, brackets, quotes,
# backslashes) are percent-encoded so they cannot end the Markdown link early
_URL_SAFE = ":/?#[]@!$&*+,;=%~-._"


def _missing(value: Any) -> bool:
    """Is a cell empty (None, NA, NaN or NaT, whichever its column uses)?"""
    return value is None or bool(pd.isna(value))


def _text(value: Any, missing: str) -> str:
    """A cell as escaped text, ``missing`` (our own words) when it is empty."""
    return missing if _missing(value) else escape_md(value)


def _cut(value: object, limit: int) -> str:
    text = str(value)
    return text if len(text) <= limit else text[:limit] + "…"


def markdown_link(text: str, url: str) -> str:
    """``[text](url)`` with ``text`` escaped and the address made unable to break out."""
    return f"[{escape_md(text)}]({quote(url, safe=_URL_SAFE)})"


def source_line(article: pd.Series | None, article_id: str) -> str:
    """One source: its title (a link when the address is http(s)), outlet and date."""
    if article is None:
        return _("{article} (not in the articles table)").format(article=escape_md(article_id))
    title = article["title"] if not _missing(article["title"]) else article_id
    url = safe_url(article["url"])
    shown = markdown_link(str(title), url) if url else escape_md(title)
    address = "" if url or _missing(article["url"]) else " " + _(
        "(its address is not http(s): not linked)")
    return _("{title} — {outlet}, {published}").format(
        title=shown, outlet=_text(article["outlet"], _("outlet unknown")),
        published=_text(article["published"], _("date unknown"))) + address


def fields_markdown(event: pd.Series, labels: Mapping[str, str]) -> str:
    """The event's fields as a Markdown list (all data escaped)."""
    topic = str(event["topic"])
    sub_type = "" if _missing(event["sub_type"]) else f" ({escape_md(event['sub_type'])})"
    t = current()
    level = str(event["verification"])
    meaning = schema.verification_meanings(t).get(
        level, _("a level this dashboard does not know"))
    level_name = schema.verification_names(t).get(level, level)
    count = event["fatalities"]
    fatalities = _("not reported") if _missing(count) else t.number(int(count))
    lines = [
        (_("Date"), escape_md(eventdetail.date_words(event, t))),
        (_("Place"), escape_md(eventdetail.place_words(event, t))),
        (_("Countries involved"), _text(event["countries_involved"], _("none listed"))),
        (_("Topic"), f"{escape_md(labels.get(topic, topic))}{sub_type}"),
        (_("Actors"), _text(event["actors"], _("none listed"))),
        (_("Verification"), f"{escape_md(level_name)} — {escape_md(meaning)}"),
        (_("Fatalities"), fatalities),
        (_("Source dataset"), _text(event["source_dataset"], _("not given"))),
        (_("Category in the source"), _text(event["source_category"], _("none given"))),
    ]
    return "\n".join(f"- **{name}:** {value}" for name, value in lines)


def dataset_ids(dataset: str, ids: list[str], show: Any = escape_md,
                show_id: Any = None) -> str:
    """"UCDP Georeferenced Event Dataset (GED) (id …)": a dataset by its title in
    data/datasets.csv (its name when it has none) and its ids, drawn by ``show`` (Markdown
    made inert; ``str`` for a table cell), each id by ``show_id`` when given."""
    return ngettext("{dataset} (id {ids})", "{dataset} (ids {ids})", len(ids)).format(
        dataset=show(source_for(dataset).title), ids=", ".join((show_id or show)(i) for i in ids))


def also_in_markdown(groups: list[tuple[str, list[str]]], query: Mapping[str, str]) -> str:
    """The "Also in" line of the event page: each linked event's dataset and id, the id
    linking to that event's page (keeping the filter)."""
    def linked(event_id: str) -> str:
        return markdown_link(event_id, eventdetail.event_link(event_id, query))

    shown = "; ".join(dataset_ids(dataset, ids, show_id=linked) for dataset, ids in groups)
    return f"**{escape_md(_('Also in'))}:** {shown}"


def event_lines(events: pd.DataFrame, rows: np.ndarray, query: Mapping[str, str],
                labels: Mapping[str, str], distances: np.ndarray | None = None) -> str:
    """Listed events as Markdown bullets, each linking to its own page."""
    picked = events.iloc[rows]
    lines = []
    for position, event in enumerate(picked.itertuples(index=False)):
        link = markdown_link(str(event.event_id),
                             eventdetail.event_link(str(event.event_id), query))
        away = "" if distances is None else " · " + _("{km} km away").format(
            km=current().number(float(distances[position]), 1))
        date = _text(event.event_date, _("undated"))
        topic = escape_md(labels.get(str(event.topic), str(event.topic)))
        summary = _text(None if _missing(event.summary) else _cut(event.summary, SUMMARY_CHARS),
                        _("no summary"))
        lines.append(f"- {link}{away} · {date} · {topic} · {summary}")
    return "\n".join(lines)


def _listed(title: str, total: int, none: str) -> None:
    """A sub-heading with the count, and a caption when there is nothing or more to list."""
    t = current()
    st.subheader(f"{title} ({t.number(total)})")
    if not total:
        st.caption(none)
    elif total > LISTED:
        st.caption(_("The first {count} of {total}.").format(count=LISTED,
                                                             total=t.number(total)))


def show_event(source: Backend, event: pd.Series, query: Mapping[str, str],
               labels: Mapping[str, str]) -> None:
    """Draw ``event`` (a row ``source.event`` gave) as page text, with the events of other
    datasets that are probably the same, its sources and the related events the backend
    finds."""
    event_id = str(event["event_id"])
    st.header(_("Event {event_id}").format(event_id=escape_md(event_id)))
    st.markdown(_text(event["summary"], _("*No summary given.*")))
    st.markdown(fields_markdown(event, labels))
    groups = source.also_in([event_id])[0]
    if groups:
        with st.container(key="also_in"):
            st.markdown(also_in_markdown(groups, query))

    cited = schema.split_list(event["article_ids"])
    st.subheader(_("Sources ({count})").format(count=current().number(len(cited))))
    if cited:
        known = source.articles_by_id(cited).drop_duplicates("article_id")
        by_id = {str(a["article_id"]): a for _, a in known.iterrows()}
        st.markdown("\n".join(f"- {source_line(by_id.get(i), i)}" for i in cited))
    else:
        st.caption(_("This event lists no source."))

    shown, total = source.co_reported(event_id, LISTED)
    _listed(_("Other events these sources report"), total,
            _("Its sources report no other event."))
    if total:
        st.markdown(event_lines(shown, np.arange(len(shown)), query, labels))

    close, total = source.nearby(event_id, limit=LISTED)
    placed = not (_missing(event["latitude"]) or _missing(event["longitude"])
                  or _missing(event["date_min"]))
    _listed(_("Within 25 km and 7 days"), total,
            _("No other event within 25 km and 7 days.") if placed else
            _("No other event within 25 km and 7 days (this one has no coordinates "
              "or no date)."))
    if total:
        st.markdown(event_lines(close, np.arange(len(close)), query, labels,
                                distances=close["distance_km"].to_numpy(dtype=float)))


def unknown_event_notice(event_id: str) -> None:
    """The notice for an ``event`` value no event has."""
    st.warning(_("No event has the id “{event_id}”; it may be in another dataset. The list "
                 "of events follows.").format(event_id=escape_md(_cut(event_id, NOTICE_ID_CHARS))),
               icon=":material/warning:")
