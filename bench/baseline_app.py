"""The comparison point: the dashboard as a competent user would first write it, plainly.

It reads the file with pandas (cached on the path), filters with pandas, and hands the
filtered rows to ``st.map``, an Altair timeline and ``st.dataframe``: every point goes to the
browser, as Streamlit makes easy. Widget keys match the real app (``country``, ``topic``,
a "Date range" date input) so the benchmark drives both the same way.

    DASHBOARD_DATA=bench/out/synthetic_100000.csv streamlit run bench/baseline_app.py
"""

import os

import altair as alt
import pandas as pd
import streamlit as st

DATA = os.environ.get("DASHBOARD_DATA", "bench/out/synthetic_10000.csv")

st.set_page_config(page_title="Events (plain baseline)", layout="wide")


@st.cache_data
def load(path: str) -> pd.DataFrame:
    """Read the events file once per path; parse the first day of each event's date."""
    if path.endswith(".parquet"):
        events = pd.read_parquet(path)
    else:
        events = pd.read_csv(path)
    events["date"] = pd.to_datetime(events["event_date"], format="mixed", errors="coerce")
    return events


events = load(DATA)
st.title("Events (plain baseline)")

with st.sidebar:
    countries = st.multiselect("Country", sorted(events["country"].dropna().unique()),
                               key="country")
    topics = st.multiselect("Topic", sorted(events["topic"].dropna().unique()), key="topic")
    first, last = events["date"].min().date(), events["date"].max().date()
    dates = st.date_input("Date range", (first, last), min_value=first, max_value=last,
                          key="dates")

filtered = events
if countries:
    filtered = filtered[filtered["country"].isin(countries)]
if topics:
    filtered = filtered[filtered["topic"].isin(topics)]
if isinstance(dates, tuple) and len(dates) == 2:
    start, end = pd.Timestamp(dates[0]), pd.Timestamp(dates[1])
    filtered = filtered[(filtered["date"] >= start) & (filtered["date"] <= end)]

st.metric("Events", f"{len(filtered):,}")
st.map(filtered.dropna(subset=["latitude", "longitude"]), latitude="latitude",
       longitude="longitude")
timeline = (
    alt.Chart(filtered[["date", "topic"]])
    .mark_bar()
    .encode(x=alt.X("yearmonth(date):T", title="Month"), y=alt.Y("count():Q", title="Events"),
            color=alt.Color("topic:N", title="Topic"))
)
st.altair_chart(timeline, width="stretch")
st.dataframe(filtered, hide_index=True)
