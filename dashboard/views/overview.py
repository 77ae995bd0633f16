"""Overview: headline numbers with their change, the map and the charts."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import aggregate, charts, geomap
from dashboard.filters import articles_for
from dashboard.ui import data as ui_data
from dashboard.ui.page import heading
from dashboard.ui.state import country_names, narrow_to_country
from dashboard.ui.tables import article_table, event_table
from dashboard.ui.text import escape_md

PICK_ROWS = 50  # events, and articles, listed for a pick on the map

ctx = heading("Border security events")
data, filters = ctx.data, ctx.filters
selected = ui_data.mask(data, filters)
codes = ui_data.index(data)  # aggregates count codes under the mask: no copy of the rows
index = ui_data.links(data)
topics = ui_data.topics()


def _pick_from(chart_key: str, selection: str, field: str) -> None:
    """Chart-click callback: narrow the Country filter to the clicked countries."""
    state = st.session_state.get(chart_key) or {}
    picked = (state.get("selection") or {}).get(selection) or []
    codes = [str(item[field]) for item in picked if item.get(field)]
    known = set(ui_data.options(data).countries)
    codes = [c for c in codes if c in known]
    if codes:
        narrow_to_country(codes)


def _picked_rows(chart: object) -> tuple[np.ndarray, str] | None:
    """Rows of the filtered events picked on the map (an event, a zone, or a grid cell),
    oldest first, and where they were picked; None when nothing is picked."""
    selection = (chart or {}).get("selection") or {}  # type: ignore[attr-defined]
    ids = [str(item["event_id"])
           for name in (geomap.EVENT_SELECTION, geomap.SHAPE_SELECTION)
           for item in selection.get(name) or [] if item.get("event_id")]
    if ids:
        return aggregate.id_rows(codes, ids, mask=selected), ""
    for item in selection.get(geomap.CELL_SELECTION) or []:
        try:
            lat, lon = float(item["latitude"]), float(item["longitude"])
        except (KeyError, TypeError, ValueError):  # a click beside the cells
            continue
        return (aggregate.cell_rows(codes, lat, lon, mask=selected),
                f" in the grid cell centred on {lat:.2f}, {lon:.2f}")
    return None


def _show_pick(rows: np.ndarray, where: str) -> None:
    """The picked events and the articles that report them, so a dot leads to its sources."""
    noun = "event" if len(rows) == 1 else "events"
    first = f" (the first {PICK_ROWS} by date)" if len(rows) > PICK_ROWS else ""
    st.markdown(f"**Picked on the map: {len(rows):,} {noun}{where}{first}**")
    shown = rows[:PICK_ROWS]
    labels = ui_data.topic_labels()
    event_table(data.events.iloc[shown], data.articles, labels, key="picked_events")
    picked = np.zeros(len(data.events), dtype=bool)
    picked[shown] = True
    order = ui_data.article_order(data)
    behind = order[index.cited(picked)[order]]
    if len(behind):
        more = f", the newest {PICK_ROWS} of {len(behind):,}" if len(behind) > PICK_ROWS else ""
        st.markdown(f"**The reporting behind {'it' if len(shown) == 1 else 'them'}{more}**")
        article_table(articles_for(data.events, data.articles, links=index, event_mask=picked,
                                   rows=behind[:PICK_ROWS]), labels, key="picked_articles")
    else:
        st.caption("No article in the articles table reports "
                   f"{'this event' if len(shown) == 1 else 'these events'}.")
    st.caption("Double-click the map to clear the pick.")


# ---------------------------------------------------------------- headline numbers
with st.container(key="headline"):
    current = aggregate.headline(codes, int(index.cited(selected).sum()), mask=selected)
    earlier = aggregate.previous_period(filters, current)
    before = None
    if earlier is not None:
        earlier_mask = ui_data.mask(data, earlier)
        before = aggregate.headline(codes, int(index.cited(earlier_mask).sum()),
                                    mask=earlier_mask)
    row = st.container(horizontal=True, wrap=True)  # two by two on a phone
    span = (f"{current.first} – {current.last}" if current.first else "no dated events")
    metrics = [
        ("Events", current.events, before.events if before else None),
        ("Articles", current.articles, before.articles if before else None),
        ("Countries", current.countries, before.countries if before else None),
        ("Date span (days)", current.days, before.days if before else None),
    ]
    for label, value, old in metrics:
        row.metric(label, f"{value:,}", delta_color="off",
                   delta=None if old is None else f"{value - old:+,} (before: {old:,})")
    if earlier is not None:
        empty = " It has no matching events." if before is not None and not before.events else ""
        st.caption(f"Changes compare with the previous period of the same length, "
                   f"{earlier.date_from} to {earlier.date_to} (same filter, dated events)."
                   f"{empty} Date span: {span}.")

if not current.events:
    st.info("No events match this filter. Widen it, or press “Reset filters” in the sidebar.")
    st.stop()
undated, unlocated = aggregate.unplaced(codes, mask=selected)

# ---------------------------------------------------------------- map
with st.container(key="map"):
    user_areas = ui_data.launch_options().boundaries is not None
    modes = ["Events as points", "Shade countries by event count"]
    if user_areas:
        modes.append("Shade areas of my boundaries file by event count")
    mode = st.radio("Map mode", modes, key="map_mode", horizontal=True)
    if mode == modes[0]:
        points, binned = aggregate.map_points(codes, mask=selected)
        shapes, total_shapes = aggregate.map_shapes(codes, mask=selected)
        spec = geomap.event_map(ui_data.boundary_features(), points, binned, shapes, topics)
        chart = st.vega_lite_chart(
            spec=spec, key="map_chart", width="stretch",
            on_select=lambda: _pick_from("map_chart", geomap.AREA_SELECTION, "iso3"),
            selection_mode=geomap.pick_selections(binned, bool(shapes), bool(len(points))))
        notes = []
        if binned:
            notes.append(f"{current.events - unlocated:,} located events grouped into "
                         f"{len(points):,} grid cells of {points['size'].iloc[0]:.2f}° "
                         "(hover for counts)")
        if unlocated:
            notes.append(f"{unlocated:,} events have no coordinates and are not on the map")
        if total_shapes > len(shapes):
            notes.append(f"zones and lines: the first {len(shapes):,} of {total_shapes:,} "
                         "by date are drawn")
        pick = "a grid cell" if binned else "an event"
        st.caption(f"Click a country to filter by it, {pick} to read its reporting. "
                   + "; ".join(notes))
        picked = _picked_rows(chart)
        if picked is not None and len(picked[0]):
            with st.container(key="map_pick", border=True):
                _show_pick(*picked)
    elif mode == modes[1]:
        counts = aggregate.by_country(codes, mask=selected)
        areas = geomap.boundary_features(ui_data.boundaries(), counts=counts)
        st.vega_lite_chart(spec=geomap.choropleth_map(areas), key="map_chart",
                           on_select=lambda: _pick_from("map_chart", geomap.AREA_SELECTION,
                                                        "iso3"),
                           selection_mode=geomap.AREA_SELECTION, width="stretch")
        st.caption("Each event counts once, in its own country. Click a country to filter by it.")
    else:
        try:
            areas_frame = ui_data.boundaries(user=True)
            counts = aggregate.counts_by_area(data.events[selected], areas_frame)
            areas = geomap.boundary_features(areas_frame, counts=counts)
            st.vega_lite_chart(spec=geomap.choropleth_map(areas, unit="Area"), key="map_chart",
                               width="stretch")
            st.caption("Events are counted in the area their coordinates fall in.")
        except (ValueError, OSError) as err:
            st.error(f"Could not use the boundaries file: {escape_md(err)}")

# ---------------------------------------------------------------- charts
with st.container(key="charts"):
    unit = aggregate.choose_bin(codes, mask=selected)
    bins = aggregate.timeline(codes, unit, mask=selected)
    if bins.empty:
        st.info("None of the matching events has a date, so there is no timeline.")
    else:
        st.vega_lite_chart(spec=charts.to_spec(charts.timeline_chart(bins, topics, unit)),
                           key="timeline_chart", width="stretch")
        if undated:
            st.caption(f"{undated:,} undated events are not in the timeline.")
    left, right = st.columns([3, 2])
    with left:
        counts = aggregate.by_country_topic(codes, mask=selected)
        names = country_names(sorted(set(counts["country"])))
        st.vega_lite_chart(spec=charts.to_spec(charts.country_chart(counts, topics, names)),
                           key="country_chart",
                           on_select=lambda: _pick_from("country_chart",
                                                        charts.COUNTRY_SELECTION, "country"),
                           selection_mode=charts.COUNTRY_SELECTION, width="stretch")
        st.caption("Each event counts in its own country. Click a bar to filter by it.")
    with right:
        mix = aggregate.verification_mix(codes, mask=selected)
        st.vega_lite_chart(spec=charts.to_spec(charts.verification_chart(mix)),
                           key="verification_chart", width="stretch")
