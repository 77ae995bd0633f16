"""Altair charts of aggregated events, in the taxonomy's labels and colours.

Each function takes a small frame from ``dashboard.aggregate`` plus the topics
table (key, label, colour) and returns an ``alt.Chart``; pages only display them.
Titles, axes, legends and tooltips are in the language of the ``Translator`` given
(English by default); ``vega_locale`` makes Vega write months, weekdays and numbers in it.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd

from dashboard import schema
from dashboard.i18n import ENGLISH, Translator

VERIFICATION_COLOURS: dict[str, str] = {
    "confirmed": "#1b7837",
    "reported": "#5aae61",
    "claimed": "#dfc27d",
    "alleged": "#bf812d",
    "disputed": "#8c510a",
}
OTHER_COLOUR = "#BBBBBB"
COUNTRY_SELECTION = "country_pick"


def vega_locale(t: Translator) -> dict:
    """Vega's number and time locale (d3-format, d3-time-format) from Babel's CLDR data,
    so axis ticks read "березень 2024" and "12 345" in Ukrainian."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    locale = t.locale
    months = locale.months["stand-alone"]
    days = locale.days["stand-alone"]
    sunday_first = [6, 0, 1, 2, 3, 4, 5]  # CLDR counts from Monday, d3 from Sunday
    return {
        "number": {"decimal": get_decimal_symbol(t.lang), "thousands": get_group_symbol(t.lang),
                   "grouping": [3], "currency": ["", ""]},
        "time": {
            "dateTime": "%x, %X", "date": "%Y-%m-%d", "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": [days["wide"][i] for i in sunday_first],
            "shortDays": [days["abbreviated"][i] for i in sunday_first],
            "months": [months["wide"][i] for i in range(1, 13)],
            "shortMonths": [months["abbreviated"][i] for i in range(1, 13)],
        },
    }


def to_spec(chart: alt.Chart | alt.LayerChart,
            datasets: dict[str, object] | None = None, t: Translator = ENGLISH) -> dict:
    """A chart as a Vega-Lite spec for ``st.vega_lite_chart``, its data attached as it is.

    ``st.altair_chart`` validates the whole spec against the Vega-Lite schema on every
    re-run (20-80 ms per chart here); these charts are fixed code whose specs the unit
    tests validate, so the app skips that. A chart's own frame goes out as the named
    dataset ``table`` (Streamlit sends frames as Arrow); ``datasets`` adds more.
    """
    named = dict(datasets or {})
    if isinstance(chart.data, pd.DataFrame):
        named["table"] = chart.data
        chart = chart.properties(data=alt.Data(name="table"))
    spec = chart.to_dict(validate=False)
    # Altair's default theme sizes the view at 300 px; Streamlit's width applies.
    view = spec.get("config", {}).get("view", {})
    for key in ("continuousWidth", "continuousHeight"):
        view.pop(key, None)
    # Streamlit's default, "fit", squeezes the legend and axes into the chart's height:
    # a 160 px bar chart with a four-row legend had no room left for its bars. With
    # "fit-x" the width follows the page and the height is the plot's own.
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    if t.lang != ENGLISH.lang:
        spec.setdefault("config", {})["locale"] = vega_locale(t)
    spec["datasets"] = named
    return spec


def topic_scale(topics: pd.DataFrame, present: list[str] | None = None) -> alt.Scale:
    """Colour scale over topic labels in taxonomy order, each topic always its own colour.

    With ``present`` (topic keys), only those topics are in the scale, so a legend lists
    what is drawn rather than the whole taxonomy; unknown keys are grey.
    """
    wanted = None if present is None else set(present)
    labels: list[str] = []
    colours: list[str] = []
    for key, label, colour in zip(topics["key"], topics["label"], topics["colour"], strict=True):
        if wanted is None or key in wanted:
            labels.append(label)
            colours.append(colour)
    known = set(topics["key"])
    for key in present or []:
        if key not in known and key not in labels:
            labels.append(key)
            colours.append(OTHER_COLOUR)
    return alt.Scale(domain=labels, range=colours)


def with_labels(frame: pd.DataFrame, topics: pd.DataFrame) -> pd.DataFrame:
    """Add ``topic_label`` (the taxonomy label; the key itself when unknown)."""
    labels = dict(zip(topics["key"], topics["label"], strict=True))
    result = frame.copy()
    result["topic_label"] = result["topic"].map(lambda k: labels.get(k, k)).astype("str")
    return result


def _topic_colour(frame: pd.DataFrame, topics: pd.DataFrame, t: Translator) -> alt.Color:
    return alt.Color(
        "topic_label:N",
        title=t.gettext("Topic"),
        scale=topic_scale(topics, list(frame["topic"].unique())),
        legend=alt.Legend(orient="bottom", columns=3, labelLimit=200),
    )


def timeline_chart(bins: pd.DataFrame, topics: pd.DataFrame, unit: str,
                   frame_days: tuple[dt.date, dt.date] | None = None,
                   t: Translator = ENGLISH) -> alt.Chart | alt.LayerChart:
    """Stacked bars of events per week or month, coloured by topic; with ``frame_days``
    (first and last day of the Overview's time frame) a band marks the frame."""
    data = with_labels(bins, topics)
    time_unit = "yearmonth" if unit == "month" else "yearmonthdate"
    period_title = t.gettext("Month") if unit == "month" else t.gettext("Week starting")
    title = (t.gettext("Events per month, by topic") if unit == "month"
             else t.gettext("Events per week, by topic"))
    events = t.gettext("Events")
    bars = (
        alt.Chart(data, title=title)
        .mark_bar()
        .encode(
            x=alt.X(f"{time_unit}(period):T", title=period_title,
                    axis=alt.Axis(labelAngle=0, labelOverlap=True)),
            y=alt.Y("sum(events):Q", title=events, stack="zero",
                    axis=alt.Axis(tickMinStep=1)),
            color=_topic_colour(data, topics, t),
            order=alt.Order("topic_label:N"),
            tooltip=[
                alt.Tooltip(f"{time_unit}(period):T", title=period_title),
                alt.Tooltip("topic_label:N", title=t.gettext("Topic")),
                alt.Tooltip("sum(events):Q", title=events, format=",.4~f"),
            ],
        )
        .properties(height=280)
    )
    if frame_days is None:
        return bars
    first, last = frame_days
    band = alt.Chart(alt.Data(values=[{"start": first.isoformat(),
                                       "end": (last + dt.timedelta(days=1)).isoformat()}])
                     ).mark_rect(color="#444444", opacity=0.12).encode(
        x=alt.X("start:T"), x2=alt.X2("end:T"))
    # LayerChart itself: alt.layer may return a FacetChart, which only facet encodings make
    return alt.LayerChart(layer=[bars.properties(data=alt.Undefined), band], data=data).properties(
        height=280, title=title)


def country_chart(counts: pd.DataFrame, topics: pd.DataFrame,
                  names: dict[str, str] | None = None, t: Translator = ENGLISH) -> alt.Chart:
    """Horizontal stacked bars of events per country by topic; clicking a bar selects
    its country (selection parameter ``country_pick`` over field ``country``)."""
    data = with_labels(counts, topics)
    data["country_name"] = data["country"].map(lambda c: (names or {}).get(c, c)).astype("str")
    order = list(dict.fromkeys(data["country_name"]))
    pick = alt.selection_point(name=COUNTRY_SELECTION, fields=["country"], on="click")
    return (
        alt.Chart(data, title=t.gettext("Events by country and topic"))
        .mark_bar()
        .encode(
            y=alt.Y("country_name:N", title=None, sort=order, axis=alt.Axis(labelLimit=180)),
            x=alt.X("sum(events):Q", title=t.gettext("Events"), axis=alt.Axis(tickMinStep=1)),
            color=_topic_colour(data, topics, t),
            order=alt.Order("topic_label:N"),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.5)),
            # the code must survive the sum's grouping, or a click selects nothing
            detail=alt.Detail("country:N"),
            tooltip=[
                alt.Tooltip("country_name:N", title=t.gettext("Country")),
                alt.Tooltip("topic_label:N", title=t.gettext("Topic")),
                alt.Tooltip("sum(events):Q", title=t.gettext("Events"), format=","),
            ],
        )
        .add_params(pick)
        .properties(height=max(160, 24 * len(order)))
    )


def verification_chart(mix: pd.DataFrame, t: Translator = ENGLISH) -> alt.Chart:
    """Bars of events per verification level, strongest first, each level named in
    ``t``'s language (a level the schema does not know keeps its own name)."""
    names, meanings = schema.verification_names(t), schema.verification_meanings(t)
    keys = [str(level) for level in mix["verification"]]
    levels = list(dict.fromkeys(names.get(key, key) for key in keys))
    colours = [VERIFICATION_COLOURS.get(key, OTHER_COLOUR)
               for key in dict.fromkeys(keys)]
    described = mix.assign(
        level=[names.get(key, key) for key in keys],
        meaning=[meanings.get(key, "") for key in keys],
    )
    return (
        alt.Chart(described, title=t.gettext("How well reported: verification levels"))
        .mark_bar()
        .encode(
            y=alt.Y("level:N", title=None, sort=levels),
            x=alt.X("events:Q", title=t.gettext("Events"), axis=alt.Axis(tickMinStep=1)),
            color=alt.Color("level:N", scale=alt.Scale(domain=levels, range=colours),
                            legend=None),
            tooltip=[
                alt.Tooltip("level:N", title=t.gettext("Verification")),
                alt.Tooltip("events:Q", title=t.gettext("Events"), format=","),
                alt.Tooltip("share:Q", title=t.gettext("Share"), format=".0%"),
                alt.Tooltip("meaning:N", title=t.gettext("Meaning")),
            ],
        )
        .properties(height=40 * max(len(levels), 1))
    )
