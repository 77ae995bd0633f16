"""Overview: a time frame to play, headline numbers, the map and the charts."""

from __future__ import annotations

import datetime as dt
import html
import time
from typing import Any, cast

import pandas as pd
import streamlit as st

from dashboard import charts, coverage, geomap
from dashboard.i18n import N_, said
from dashboard.timeframe import Frame, steps
from dashboard.ui import data as ui_data
from dashboard.ui.language import _, ngettext
from dashboard.ui.language import current as current_language
from dashboard.ui.page import heading
from dashboard.ui.state import country_names, narrow_to_country, set_view_params, view_param
from dashboard.ui.tables import article_table, event_table
from dashboard.ui.text import escape_md

PICK_ROWS = 50  # events, and articles, listed for a pick on the map
PLAY_SECONDS = 1.5  # between two frames of a playback
COVERAGE_NOTICES = 5  # coverage changes described under the timeline (all are listed above)
MAP_HEIGHT = 560
# Widget options are these English names (kept in the session); the widgets show them
# translated (format_func), so a language switch keeps the choice.
SHOW = {N_("All dates"): None, N_("Day"): "day", N_("Week"): "week", N_("Month"): "month",
        N_("Up to"): "all"}
MODES = [N_("Events"), N_("Heat map"), N_("Shade countries by event count")]
USER_AREAS_MODE = N_("Shade areas of my boundaries file by event count")

t = current_language()
ctx = heading(_("Border security events"))
data, filters = ctx.data, ctx.filters
source = ui_data.backend(data)  # every number, chart and map bin is the backend's answer
links = ui_data.links(data)
topics = ui_data.topics()


# ---------------------------------------------------------------- time frame


def _day(day: dt.date | None) -> str:
    return "" if day is None else t.date(day)


def _frame_from_url() -> None:
    """On a session's first run, the time control starts where the URL says."""
    if "frame_show" in st.session_state:
        return
    params = {key: value for key in ("at", "window") if (value := view_param(key))}
    frame, notices = Frame.from_query(params)
    for notice in notices:
        st.warning(escape_md(said(notice, t)))
    window = frame.window if frame.at is not None else None
    st.session_state["frame_show"] = next(k for k, v in SHOW.items() if v == window)
    st.session_state["frame_at"] = frame.at


def _toggle_play() -> None:
    st.session_state["frame_playing"] = not st.session_state.get("frame_playing", False)
    st.session_state["frame_stepped"] = time.monotonic()


def _ticker(frames: list[dt.date]) -> None:
    """While playing, on the fragment's timer: the next frame, then a run of the whole page
    (map and numbers). The fragment also runs inside every page run, right after a step:
    that run changes nothing (the slider is drawn already, and it is too early)."""
    if time.monotonic() - st.session_state.get("frame_stepped", 0.0) < PLAY_SECONDS * 0.8:
        return
    current = st.session_state.get("frame_at")
    later = [day for day in frames if current is None or day > current]
    if later:
        st.session_state["frame_next"] = later[0]  # the slider takes it before it is drawn
    else:
        st.session_state["frame_playing"] = False
    st.session_state["frame_stepped"] = time.monotonic()
    st.rerun(scope="app")


def time_control() -> Frame:
    """The frame chosen (slider, play/pause), written to the URL as ``at`` and ``window``."""
    _frame_from_url()
    if "frame_next" in st.session_state:  # a playback step
        st.session_state["frame_at"] = st.session_state.pop("frame_next")
    span = source.day_span(filters)
    with st.container(key="time_control"):
        row = st.container(horizontal=True, vertical_alignment="bottom", wrap=True)
        show = row.segmented_control(_("Time frame"), list(SHOW), key="frame_show",
                                     format_func=t.gettext, wrap=True,  # long labels, phones
                                     help=_("Show one day, week or month of the filtered "
                                            "range, or everything up to a date, and play it"))
        window = SHOW.get(show or "All dates")
        current = st.session_state.get("frame_at")
        if window is None:
            st.session_state["frame_playing"] = False
            set_view_params(at=None, window=None)
            return Frame()
        frames = [] if span is None else steps(span[0], span[1], window)
        if current is None and not frames:
            st.caption(_("None of the matching events has a date: nothing to play."))
            return Frame()
        if current is None:
            st.session_state["frame_at"] = frames[0]
        elif current not in frames:  # a date from a link, or from another window: kept
            frames = sorted([*frames, current])
        playing = bool(st.session_state.get("frame_playing"))
        row.button(_("Pause") if playing else _("Play"), key="frame_play", on_click=_toggle_play,
                   icon=":material/pause:" if playing else ":material/play_arrow:")
        st.select_slider(_("Frame ending on"), frames, key="frame_at",
                         format_func=t.date, label_visibility="collapsed")
        at = st.session_state["frame_at"]
        frame = Frame(at, window)
        set_view_params(**{key: frame.to_query().get(key) for key in ("at", "window")})
        st.caption(_("Showing events {frame} (frame {number} of {frames}).").format(
            frame=frame.describe(t), number=t.number(frames.index(at) + 1),
            frames=t.number(len(frames))))
        if playing:
            st.fragment(_ticker, run_every=PLAY_SECONDS)(frames)
    return frame


frame = time_control()
shown = frame if frame.at is not None else None  # the frame narrowing what is drawn


# ---------------------------------------------------------------- picks


def _pick_country(chart_key: str, layer_id: str) -> None:
    """Map-click callback: a click on a country narrows the Country filter to it."""
    state = st.session_state.get(chart_key)
    codes = [str((item.get("properties") or {}).get("iso3") or "")
             for item in geomap.picked(state, layer_id)]
    known = set(ui_data.options(data).countries)
    codes = [code for code in codes if code in known]
    if codes:
        narrow_to_country(codes)


def _pick_area(chart_key: str, layer_id: str) -> None:
    """Map-click callback on the shaded areas of the user's boundaries file: a click on
    a unit sets the Area filter to it (``area=NAME``)."""
    state = st.session_state.get(chart_key)
    names = [str((item.get("properties") or {}).get("name") or "")
             for item in geomap.picked(state, layer_id)]
    known = set(ui_data.area_names().values())
    names = [name for name in names if name in known]
    if names:
        st.session_state["area"] = names[0]


def _pick_from(chart_key: str, selection: str, field: str) -> None:
    """Chart-click callback: narrow the Country filter to the clicked countries."""
    state = st.session_state.get(chart_key) or {}
    picked = (state.get("selection") or {}).get(selection) or []
    codes = [str(item[field]) for item in picked if item.get(field)]
    known = set(ui_data.options(data).countries)
    codes = [c for c in codes if c in known]
    if codes:
        narrow_to_country(codes)


def _picked_rows(state: object) -> tuple[pd.DataFrame, int, str] | None:
    """The shown events picked on the map (an event, a zone or line, or a grid cell),
    the first ``PICK_ROWS`` oldest first, how many, and where they were picked; None when
    nothing is picked."""
    ids = [str(item["id"]) for layer in (geomap.EVENTS_ID, geomap.ADMIN_ID)
           for item in geomap.picked(state, layer) if item.get("id")]
    ids += [str((item.get("properties") or {}).get("event_id"))
            for item in geomap.picked(state, geomap.SHAPES_ID)
            if (item.get("properties") or {}).get("event_id")]
    if ids:
        return (*source.picked(filters, shown, ids=ids, limit=PICK_ROWS), "")
    for item in geomap.picked(state, geomap.CELLS_ID):
        try:
            lat, lon = float(item["lat"]), float(item["lon"])
        except (KeyError, TypeError, ValueError):
            continue
        return (*source.picked(filters, shown, cell=(lat, lon), limit=PICK_ROWS),
                _("in the grid cell centred on {latitude}, {longitude}").format(
                    latitude=f"{lat:.2f}", longitude=f"{lon:.2f}"))
    return None


def _show_pick(chosen: pd.DataFrame, total: int, where: str) -> None:
    """The picked events and the articles that report them, so a dot leads to its sources."""
    heading_words = ngettext("Picked on the map: {count} event",
                             "Picked on the map: {count} events",
                             total).format(count=t.number(total))
    if where:
        heading_words += " " + where
    if total > PICK_ROWS:
        heading_words += " " + _("(the first {count} by date)").format(count=PICK_ROWS)
    st.markdown(f"**{heading_words}**")
    labels = ui_data.topic_labels()
    ids = [str(i) for i in chosen["event_id"]]
    event_table(chosen, ui_data.sources_of(source, chosen), labels, key="picked_events",
                linked=source.also_in(ids))
    listed, behind = source.articles_page(filters, 0, PICK_ROWS, event_ids=ids)
    if behind:
        words = (_("The reporting behind it") if len(chosen) == 1
                 else _("The reporting behind them"))
        if behind > PICK_ROWS:
            words += ", " + _("the newest {count} of {total}").format(
                count=PICK_ROWS, total=t.number(behind))
        st.markdown(f"**{words}**")
        article_table(listed, labels, key="picked_articles")
    else:
        st.caption(_("No article in the articles table reports this event.")
                   if len(chosen) == 1 else
                   _("No article in the articles table reports these events."))
    st.caption(_("Click an empty spot of the map to clear the pick."))


# ---------------------------------------------------------------- headline numbers
with st.container(key="headline"):
    current = source.headline(filters, shown)
    earlier = coverage.baseline_periods(filters, current, source.options().first) \
        if frame.at is None else []
    # per earlier period only what the rule reads: events and articles
    before = [(h.events, h.articles) for h in (source.headline(p) for p in earlier)]
    row = st.container(horizontal=True, wrap=True)  # two by two on a phone
    span = (f"{_day(current.first)} – {_day(current.last)}" if current.first
            else _("no dated events"))
    metrics = [
        (_("Events"), current.events, coverage.change(current.events, [b[0] for b in before])),
        (_("Articles"), current.articles,
         coverage.change(current.articles, [b[1] for b in before])),
        (_("Countries"), current.countries, None),
        (_("Date span (days)"), current.days, None),
    ]
    for label, value, moved in metrics:
        row.metric(label, t.number(value), delta_color="off",
                   delta=None if moved is None else moved.describe(t))
    first_and_last = coverage.periods_span(earlier)
    if first_and_last:
        st.caption(ngettext(
            "Events and articles compare with the average of the previous period of the same "
            "length, {start} to {end} (same filter, dated events), as ACLED's early-warning "
            "tools do: at most {low} on average before and {now} now read as little change. "
            "Date span: {span}.",
            "Events and articles compare with the average of the previous {n} periods of the "
            "same length, {start} to {end} (same filter, dated events), as ACLED's "
            "early-warning tools do: at most {low} on average before and {now} now read as "
            "little change. Date span: {span}.", len(earlier)).format(
            n=len(earlier), start=t.date(first_and_last[0]), end=t.date(first_and_last[1]),
            low=t.number(coverage.LOW_BASELINE), now=t.number(coverage.LOW_CURRENT),
            span=span))
    coverage_changes = ui_data.coverage_changes(data, coverage.comparison_filters(filters,
                                                                                  earlier))
    if coverage_changes:
        months = escape_md(", ".join(coverage.coverage_months(coverage_changes)))
        st.warning(_("Coverage changed in {months}: the sources behind these events rose or "
                     "fell sharply there, so read the counts across those months as a change "
                     "in reporting as much as in events (details under the timeline).").format(
                         months=months), icon=":material/warning:")

if not current.events:
    if frame.at is not None:
        st.info(_("No matching event is in force in this frame. Move the slider or play on."))
    else:
        st.info(_("No events match this filter. Widen it, or press “Reset filters” in the "
                  "sidebar."))
        st.stop()
undated, unlocated = source.unplaced(filters, shown)


# ---------------------------------------------------------------- map


def _set_zoom(level: str) -> None:
    """Zoom button callback: the level, and a press count (a repeated press applies again
    after the user zoomed with the wheel: the browser follows the view only when it
    changes)."""
    st.session_state["map_zoom"] = level
    st.session_state["map_zoom_presses"] = st.session_state.get("map_zoom_presses", 0) + 1


def _view() -> dict:
    """The view: the filtered events' extent (not the frame's, so playback does not jump),
    at the zoom level of the last zoom button."""
    extent = source.map_extent(filters)
    if extent is not None:
        west, south, east, north = extent
        bounds = (west - 0.5, south - 0.3, east + 0.5, north + 0.3)
    else:
        west, south, east, north = (float(v) for v in ui_data.boundaries().total_bounds)
        bounds = (west, south, east, north)
    view = geomap.fit_view(bounds, height=MAP_HEIGHT)
    preset = geomap.ZOOM_LEVELS.get(st.session_state.get("map_zoom", "Region"))
    nudge = st.session_state.get("map_zoom_presses", 0) % 2 * 1e-4
    view["zoom"] = round((view["zoom"] if preset is None else preset) + nudge, 4)
    return view


def _zoom_buttons() -> None:
    row = st.container(horizontal=True, key="map_zoom_buttons", gap="small", wrap=True,
                       vertical_alignment="center")
    # as wide as its words: a stretched caption pushed the buttons to the far edge
    row.caption(_("Zoom to:"), width="content")
    for level in geomap.ZOOM_LEVELS:
        row.button(_(level), key=f"zoom_{level.lower()}", on_click=_set_zoom, args=(level,),
                   type="tertiary")


def _swatch(colour: list[int], label: str, shape: str) -> str:
    style = {"dot": "border-radius:50%;width:10px;height:10px",
             "area": "border-radius:50%;width:14px;height:14px;opacity:.45",
             "zone": "width:14px;height:10px;opacity:.6",
             "line": "width:16px;height:3px",
             "overlay": "width:14px;height:10px;opacity:.35;outline:2px dashed"}[shape]
    rgb = f"rgb({colour[0]},{colour[1]},{colour[2]})"
    return (f"<span style='display:inline-flex;align-items:center;gap:4px;"
            f"margin-right:12px'><span style='display:inline-block;background:{rgb};"
            f"color:{rgb};{style}'></span>{html.escape(label)}</span>")


def _legend(topic_keys: list[str], symbols: list[tuple[list[int], str, str]]) -> None:
    """What is drawn, and only that: the topics present, then the kinds of symbol."""
    colours, labels = geomap.topic_colours(topics), ui_data.topic_labels()
    ordered = [k for k in topics["key"] if k in topic_keys] + sorted(
        set(topic_keys) - set(topics["key"]))
    items = [_swatch(colours.get(k, geomap.OTHER), labels.get(k, k), "dot") for k in ordered]
    items += [_swatch(colour, label, shape) for colour, label, shape in symbols]
    with st.container(key="map_legend"):
        st.markdown("<div style='line-height:1.9;font-size:0.85rem'>" + "".join(items)
                    + "</div>", unsafe_allow_html=True)


def event_map(mode: str) -> None:
    """Events (or cells, or heat), zones and lines, overlays, place names, on land."""
    points, binned = source.map_points(filters, shown)
    shapes, total_shapes = source.map_shapes(filters, shown)
    overlays, overlay_problems = ui_data.overlays()
    layers = [geomap.sea_layer(), geomap.land_layer(ui_data.boundary_features())]
    symbols: list[tuple[list[int], str, str]] = []
    in_force = [f for overlay in overlays for f in overlay.in_force(frame.first_day, frame.at)]
    if in_force:
        colours = {overlay.name: geomap.OVERLAY_COLOURS[i % len(geomap.OVERLAY_COLOURS)]
                   for i, overlay in enumerate(overlays)}
        layers.append(geomap.overlay_layer(in_force, colours, t))
        drawn = {f["properties"]["overlay"] for f in in_force}
        symbols += [(colours[name], name, "overlay") for name in colours if name in drawn]
    topic_keys: list[str] = []
    if shapes:
        layers.append(geomap.shape_layer(shapes, topics, t))
        topic_keys += [s["properties"]["topic"] for s in shapes]
        kinds = {"line" if "LineString" in s["geometry"]["type"] else "zone" for s in shapes}
        symbols += [([90, 90, 90], _("Zone (area in force)"), "zone")] if "zone" in kinds else []
        symbols += [([90, 90, 90], _("Line (route, corridor, front)"), "line")] if "line" in kinds \
            else []
    heat = mode == MODES[1]
    if heat:
        cells = source.heat_cells(filters, shown)
        if len(cells):
            layers.append(geomap.heat_layer(cells))
    elif binned:
        layers.append(geomap.cell_layer(points, topics, t))
        topic_keys += [t for t in points["topic"].dropna().unique()]
        symbols.append(([90, 90, 90], _("Grid cell: area grows with its events"), "dot"))
    elif len(points):
        layers += geomap.point_layers(points, topics, t)
        topic_keys += list(points["topic"].unique())
        if (points["precision"] == "admin").any():
            symbols.append(([90, 90, 90], _("Place known to its admin unit only"), "area"))
    layers.append(geomap.place_layer(ui_data.places()))
    if not heat:
        _legend(list(dict.fromkeys(topic_keys)), symbols)
    _zoom_buttons()
    spec = geomap.deck(layers, _view())
    state = st.pydeck_chart(cast(Any, spec), key="map_chart", width="stretch",
                            height=MAP_HEIGHT, selection_mode="single-object",
                            on_select=lambda: _pick_country("map_chart", geomap.LAND_ID))
    notes = []
    country_only = source.country_level(filters, shown)
    if country_only:
        notes.append(ngettext("{count} event placed only at country level is not drawn",
                              "{count} events placed only at country level are not drawn",
                              country_only).format(count=t.number(country_only)))
    if binned and not heat:
        notes.append(ngettext("{count} mapped events grouped into {cells} grid cell of {size}°",
                              "{count} mapped events grouped into {cells} grid cells of {size}°",
                              len(points)).format(count=t.number(int(points["events"].sum())),
                                                  cells=t.number(len(points)),
                                                  size=t.number(round(points["size"].iloc[0],
                                                                      2))))
    if unlocated:
        notes.append(ngettext("{count} event has no coordinates",
                              "{count} events have no coordinates",
                              unlocated).format(count=t.number(unlocated)))
    if total_shapes > len(shapes):
        notes.append(_("zones and lines: the first {count} of {total} by date are drawn")
                     .format(count=t.number(len(shapes)), total=t.number(total_shapes)))
    notes += [escape_md(problem) for problem in overlay_problems]
    pick = _("a heat map is not clickable") if heat else (
        _("click a grid cell to list its events") if binned else
        _("click an event to read its reporting"))
    st.caption(_("Drag to pan, scroll or pinch to zoom (or +/− keys); click a country to "
                 "filter by it; {pick}.").format(pick=pick) + " " + "; ".join(notes)
               + ("." if notes else ""))
    if heat:
        return
    picked = _picked_rows(state)
    if picked is not None and picked[1]:
        with st.container(key="map_pick", border=True):
            _show_pick(*picked)


def shaded_map(user_areas: bool) -> None:
    """Countries (or the areas of the user's boundaries file) shaded by their events."""
    if user_areas:
        try:
            areas_frame = ui_data.boundaries(user=True)
            counts = source.by_area(filters, shown, areas_frame)
            areas = geomap.boundary_features(areas_frame, counts=counts)
        except (ValueError, OSError) as err:
            st.error(_("Could not use the boundaries file: {error}").format(
                error=escape_md(err)))
            return
        layer = geomap.area_layer(areas, unit=_("Area"), t=t)
    else:
        counts = source.by_country(filters, shown)
        areas = geomap.boundary_features(ui_data.boundaries(), counts=counts)
        layer = geomap.area_layer(areas, unit=_("Country"), t=t)
    spec = geomap.deck([geomap.sea_layer(), layer, geomap.place_layer(ui_data.places())],
                       _view())
    st.pydeck_chart(cast(Any, spec), key="map_chart", width="stretch", height=MAP_HEIGHT,
                    selection_mode="single-object",
                    on_select=(lambda: _pick_area("map_chart", geomap.AREAS_ID)) if user_areas
                    else (lambda: _pick_country("map_chart", geomap.AREAS_ID)))
    if user_areas:
        st.caption(_("Events are counted in the area their coordinates fall in. Click an "
                     "area to filter by it."))
    else:
        country_only = source.country_level(filters, shown)
        st.caption(_("Each event counts once, in its own country (including {count} placed "
                     "only at country level). Darker: more events. Click a country to filter "
                     "by it.").format(count=t.number(country_only)))


with st.container(key="map"):
    user_areas = ui_data.launch_options().boundaries is not None
    modes = MODES + ([USER_AREAS_MODE] if user_areas else [])
    mode = st.radio(_("Map mode"), modes, key="map_mode", horizontal=True, format_func=t.gettext)
    if mode in MODES[:2]:
        event_map(mode)
    else:
        shaded_map(mode == USER_AREAS_MODE)

# ---------------------------------------------------------------- charts
with st.container(key="charts"):
    bins, unit = source.timeline(filters)
    if bins.empty:
        st.info(_("None of the matching events has a date, so there is no timeline."))
    else:
        days = source.day_span(filters)  # None: no dated event
        window = None if frame.at is None or days is None else (
            frame.first_day or days[0], frame.at)
        st.vega_lite_chart(spec=charts.to_spec(charts.timeline_chart(bins, topics, unit,
                                                                     window, t), t=t),
                           key="timeline_chart", width="stretch")
        notes = [_("Events dated only to a week, month or year are spread over its days.")]
        if undated:
            notes.append(ngettext("{count} undated event is not in the timeline.",
                                  "{count} undated events are not in the timeline.",
                                  undated).format(count=t.number(undated)))
        if window is not None:
            notes.append(_("The shaded band is the time frame."))
        st.caption(" ".join(notes))
        for notice in coverage_changes[:COVERAGE_NOTICES]:
            st.warning(escape_md(notice.describe(t)), icon=":material/warning:")
        if len(coverage_changes) > COVERAGE_NOTICES:
            more = len(coverage_changes) - COVERAGE_NOTICES
            st.caption(ngettext("… and {n} more month whose coverage changed (see the months "
                                "listed above the map).",
                                "… and {n} more months whose coverage changed (see the months "
                                "listed above the map).", more).format(n=t.number(more)))
    left, right = st.columns([3, 2])
    with left:
        counts = source.by_country_topic(filters, shown)
        names = country_names(sorted(set(counts["country"])))
        st.vega_lite_chart(spec=charts.to_spec(charts.country_chart(counts, topics, names, t),
                                               t=t),
                           key="country_chart",
                           on_select=lambda: _pick_from("country_chart",
                                                        charts.COUNTRY_SELECTION, "country"),
                           selection_mode=charts.COUNTRY_SELECTION, width="stretch")
        st.caption(_("Each event counts in its own country. Click a bar to filter by it."))
    with right:
        mix = source.verification_mix(filters, shown)
        st.vega_lite_chart(spec=charts.to_spec(charts.verification_chart(mix, t), t=t),
                           key="verification_chart", width="stretch")

