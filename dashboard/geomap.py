"""The events map as a deck.gl spec: land, overlays, zones and lines, places, events.

``st.pydeck_chart`` draws deck.gl JSON in the browser: pan and zoom with the mouse, the
wheel, touch and the keyboard, fluid at thousands of symbols (WebGL). Nothing here needs
the network: land and borders are the boundaries file's outlines (a sea rectangle under
them), place names come from ``dashboard.places``, and the spec names the no-basemap
style, so Streamlit fetches no tiles. The spec is built as plain dicts and written as
compact JSON by ``DeckSpec`` (pydeck's own writer indents it, a third more bytes); each
symbol's tooltip is one pre-written text field, shown as text, never as HTML.

Layer ids are fixed (``LAYER_IDS``): a selection comes back as
``event.selection["objects"][layer_id]``. Colours are ``[r, g, b, a]`` lists.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

import pandas as pd
import shapely

from dashboard.aggregate import GRID
from dashboard.i18n import ENGLISH, N_, Translator
from dashboard.schema import verification_names

if TYPE_CHECKING:
    import geopandas as gpd

BOUNDARY_TOLERANCE = 0.02  # degrees (~2 km): keeps the bundled outlines under ~60 kB
NO_BASEMAP = "__MAP_STYLE__"  # Streamlit's name for "no base map": no style, no tiles fetched
SEA = [221, 233, 243, 255]
LAND = [246, 246, 242, 255]
BORDER = [138, 150, 163, 255]
OTHER = [187, 187, 187]
POINT_PIXELS = 5
AREA_RADIUS_M = 20_000  # an admin-level place: a circle about the size of a district
COORDINATE_DIGITS = 4  # ~10 m: the finest place the data gives, and fewer bytes
OVERLAY_COLOURS = [[0, 114, 178], [213, 94, 0], [0, 158, 115], [204, 121, 167],
                   [86, 180, 233], [230, 159, 0]]

SEA_ID, LAND_ID, AREAS_ID, OVERLAYS_ID, SHAPES_ID = "sea", "land", "areas", "overlays", "shapes"
ADMIN_ID, EVENTS_ID, CELLS_ID, HEAT_ID, PLACES_ID = "admin", "events", "cells", "heat", "places"
LAYER_IDS = (SEA_ID, LAND_ID, AREAS_ID, OVERLAYS_ID, SHAPES_ID, ADMIN_ID, EVENTS_ID, CELLS_ID,
             HEAT_ID, PLACES_ID)
# The zoom buttons' names (translated where they are drawn) and their zoom levels.
ZOOM_LEVELS = {N_("Region"): None, N_("Country"): 6.5, N_("District"): 9.0,
               N_("Crossing"): 12.5}
MIN_ZOOM, MAX_ZOOM = 2.5, 15.0
#: A fitted view zooms no closer than this: one event, or a village's events, are shown
#: with the region around them (an admin-level circle, ``AREA_RADIUS_M``, then takes about
#: a third of the map's height), as a map's ``fitBounds`` caps its zoom; the District and
#: Crossing buttons zoom closer.
FIT_MAX_ZOOM = 7.75


@dataclass(frozen=True)
class DeckSpec:
    """What ``st.pydeck_chart`` reads of a ``pydeck.Deck``: its JSON and its tooltip."""

    spec: dict
    tooltip: dict

    def to_json(self) -> str:
        """The spec as compact JSON (no NaN: a bad coordinate is an error, not a blank map)."""
        return json.dumps(self.spec, separators=(",", ":"), allow_nan=False, ensure_ascii=False)

    @property
    def _tooltip(self) -> dict:  # the attribute Streamlit reads pydeck's tooltip from
        return self.tooltip

    def layer(self, layer_id: str) -> dict | None:
        """The layer with this id, or None when it is not drawn."""
        return next((layer for layer in self.spec["layers"] if layer["id"] == layer_id), None)


TOOLTIP = {"text": "{tip}", "style": {"fontSize": "12px", "maxWidth": "320px",
                                      "whiteSpace": "pre-wrap"}}


def rgb(colour: str) -> list[int]:
    """``#RRGGBB`` as ``[r, g, b]`` (grey for anything else)."""
    text = str(colour).strip().lstrip("#")
    if len(text) != 6:
        return list(OTHER)
    try:
        return [int(text[i:i + 2], 16) for i in (0, 2, 4)]
    except ValueError:
        return list(OTHER)


def topic_colours(topics: pd.DataFrame) -> dict[str, list[int]]:
    """Taxonomy key → ``[r, g, b]``; a key the taxonomy lacks is drawn grey."""
    return {key: rgb(colour) for key, colour in zip(topics["key"], topics["colour"], strict=True)}


def _labels(topics: pd.DataFrame) -> dict[str, str]:
    return dict(zip(topics["key"], topics["label"], strict=True))


def _position(lon: float, lat: float) -> list[float]:
    return [round(float(lon), COORDINATE_DIGITS), round(float(lat), COORDINATE_DIGITS)]


def _lines(*parts: str) -> str:
    return "\n".join(part for part in parts if part)


# --------------------------------------------------------------------------- outlines


def boundary_features(boundaries: gpd.GeoDataFrame, tolerance: float = BOUNDARY_TOLERANCE,
                      counts: pd.DataFrame | None = None) -> list[dict]:
    """GeoJSON features of a boundaries GeoDataFrame (iso3, name, geometry), simplified.

    Each feature's properties hold ``iso3``, ``name``, ``events`` (from ``counts``,
    columns iso3 and events; 0 when absent) and ``tip``.
    """
    frame = boundaries.copy()
    simple = shapely.simplify(frame.geometry.to_numpy(), tolerance, preserve_topology=True)
    # a user's boundaries file may carry 15-digit coordinates; the grid is finer than the
    # simplification, so the outline keeps its shape and the spec its size
    frame["geometry"] = shapely.set_precision(simple, GRID)
    events = {} if counts is None else dict(zip(counts["iso3"], counts["events"], strict=True))
    features = json.loads(frame[["iso3", "name", "geometry"]].to_json(drop_id=True))["features"]
    for feature in features:
        props = feature["properties"]
        props["iso3"] = str(props.get("iso3") or "")
        props["name"] = str(props.get("name") or props["iso3"])
        props["events"] = int(events.get(props["iso3"], 0))
        props["tip"] = props["name"]
    return features


def sea_layer() -> dict:
    """A sea-coloured rectangle under the land, so coasts read without tiles."""
    return {"@@type": "SolidPolygonLayer", "id": SEA_ID,
            "data": [{"polygon": [[-180, -85], [180, -85], [180, 85], [-180, 85]]}],
            "getPolygon": "@@=polygon", "getFillColor": SEA, "pickable": False}


def land_layer(features: list[dict]) -> dict:
    """Land and borders; a click on a country picks it (``properties.iso3``)."""
    return {"@@type": "GeoJsonLayer", "id": LAND_ID, "data": features, "filled": True,
            "stroked": True, "getFillColor": LAND, "getLineColor": BORDER,
            "lineWidthUnits": "pixels", "getLineWidth": 1, "pickable": True,
            "autoHighlight": True, "highlightColor": [0, 0, 0, 18]}


SHADES = [[239, 243, 255], [198, 219, 239], [158, 202, 225], [107, 174, 214],
          [49, 130, 189], [8, 81, 156]]


def shade(count: int, largest: int) -> list[int]:
    """The blue of an area with ``count`` events when the busiest has ``largest``
    (a log scale: a few busy areas must not leave every other one white)."""
    if count <= 0 or largest <= 0:
        return [*SHADES[0], 255]
    step = math.log1p(count) / math.log1p(largest) * (len(SHADES) - 2)
    return [*SHADES[1 + min(int(step), len(SHADES) - 2)], 255]


def area_layer(features: list[dict], unit: str = "Country", t: Translator = ENGLISH) -> dict:
    """Areas shaded by their event count (``boundary_features(..., counts=...)``);
    ``unit`` names an area in the tooltip ("Country", or "Area" for a user's file)."""
    largest = max((f["properties"]["events"] for f in features), default=0)
    shaded = []
    for feature in features:
        props = dict(feature["properties"])
        props["fill"] = shade(props["events"], largest)
        props["tip"] = t.gettext("{unit}: {name}\nEvents: {count}").format(
            unit=unit, name=props["name"], count=t.number(props["events"]))
        shaded.append({**feature, "properties": props})
    return {"@@type": "GeoJsonLayer", "id": AREAS_ID, "data": shaded, "filled": True,
            "stroked": True, "getFillColor": "@@=properties.fill", "getLineColor": [255] * 4,
            "lineWidthUnits": "pixels", "getLineWidth": 1, "pickable": True}


# --------------------------------------------------------------------------- overlays


def overlay_layer(features: list[dict], colours: dict[str, list[int]],
                  t: Translator = ENGLISH) -> dict:
    """Areas and lines of overlay files (``dashboard.overlays``), under the events, each
    file in its own colour (``colours``: overlay name → ``[r, g, b]``), dashed; the tooltip
    names the file and the feature, and the dates it is in force."""
    drawn = []
    for feature in features:
        props = dict(feature["properties"])
        colour = colours.get(props.get("overlay", ""), OVERLAY_COLOURS[0])
        props["fill"], props["line"] = [*colour, 45], [*colour, 220]
        props["tip"] = _overlay_tip(props, t)
        drawn.append({**feature, "properties": props})
    return {"@@type": "GeoJsonLayer", "id": OVERLAYS_ID, "data": drawn, "filled": True,
            "stroked": True, "getFillColor": "@@=properties.fill",
            "getLineColor": "@@=properties.line", "lineWidthUnits": "pixels",
            "getLineWidth": 2, "pickable": True,
            "extensions": [{"@@type": "PathStyleExtension", "dash": True}],
            "getDashArray": [6, 3]}


def _overlay_tip(props: dict, t: Translator) -> str:
    start, end = props.get("start", ""), props.get("end", "")
    name = f"{props.get('overlay', '')}: {props.get('name', '')}"
    if not (start or end):
        return name
    dates = (t.gettext("{start} – ongoing").format(start=start or "…") if end == "ongoing"
             else f"{start or '…'} – {end or '…'}")
    return _lines(name, t.gettext("In force: {dates}").format(dates=dates))


# --------------------------------------------------------------------------- events


def _date_span(start: str, end: str, t: Translator) -> str:
    if end == "ongoing":
        return t.gettext("{start} – ongoing").format(start=start)
    return f"{start} – {end}" if end and end != start else start


def shape_layer(shapes: list[dict], topics: pd.DataFrame, t: Translator = ENGLISH) -> dict:
    """Zones (filled polygons) and lines (corridors, routes, front lines) of the events,
    from ``aggregate.map_shapes``; the tooltip names the place and its dates."""
    colours, labels = topic_colours(topics), _labels(topics)
    levels = verification_names(t)
    drawn = []
    for shape in shapes:
        props = shape["properties"]
        colour = colours.get(props["topic"], OTHER)
        kind = (t.gettext("Line: {place}") if "LineString" in shape["geometry"]["type"]
                else t.gettext("Zone: {place}"))
        tip = _lines(kind.format(place=props["location"] or props["event_id"]),
                     t.gettext("In force: {dates}").format(
                         dates=_date_span(props["date"], props.get("end", ""), t)),
                     t.gettext("Topic: {topic}").format(
                         topic=labels.get(props["topic"], props["topic"])),
                     props["summary"], t.gettext("Verification: {level}").format(
                         level=levels.get(props["verification"], props["verification"])),
                     t.gettext("Event: {event_id}").format(event_id=props["event_id"]))
        drawn.append({"type": "Feature", "geometry": shape["geometry"],
                      "properties": {"event_id": props["event_id"], "topic": props["topic"],
                                     "fill": [*colour, 60], "line": [*colour, 230],
                                     "tip": tip}})
    return {"@@type": "GeoJsonLayer", "id": SHAPES_ID, "data": drawn, "filled": True,
            "stroked": True, "getFillColor": "@@=properties.fill",
            "getLineColor": "@@=properties.line", "lineWidthUnits": "pixels",
            "getLineWidth": 3, "pickable": True}


# The rows these layers read, as ``itertuples`` gives them: pandas' stubs cannot know a
# frame's columns (every field is "any scalar"), so each loop casts to the row it reads.
class _PointRow(Protocol):
    """A row of ``aggregate.map_points`` (unbinned)."""

    latitude: float
    longitude: float
    precision: str
    topic: str
    date: str
    location: str
    summary: str
    verification: str
    event_id: str


class _CellRow(Protocol):
    """A row of ``aggregate.grid_cells``; ``topic`` is NaN in a cell without one."""

    latitude: float
    longitude: float
    events: int
    topic: str | float
    topics: int


class _PlaceRow(Protocol):
    """A row of ``places.gazetteer``."""

    latitude: float
    longitude: float
    name: str
    rank: int
    population: int


_PLACE_KNOWN = {"exact": N_("exact"), "near": N_("near (within a few km)"),
                "admin": N_("admin unit only")}


def _point_tip(row: _PointRow, labels: dict[str, str], t: Translator) -> str:
    precision = t.gettext(_PLACE_KNOWN.get(row.precision, N_("not given")))
    levels = verification_names(t)
    return _lines(
        f"{row.date}  {labels.get(row.topic, row.topic)}",
        row.location, row.summary,
        t.gettext("Place known: {precision}").format(precision=precision),
        t.gettext("Verification: {level}").format(
            level=levels.get(row.verification, row.verification)),
        t.gettext("Event: {event_id}").format(event_id=row.event_id))


def point_layers(points: pd.DataFrame, topics: pd.DataFrame,
                 t: Translator = ENGLISH) -> list[dict]:
    """Events placed ``exact`` or ``near`` (or with no precision given) as dots, and
    ``admin``-level ones as translucent circles the size of a district, from
    ``aggregate.map_points`` (unbinned). Each symbol carries its ``event_id`` as ``id``."""
    colours, labels = topic_colours(topics), _labels(topics)
    dots, areas = [], []
    for row in cast(Iterator[_PointRow], points.itertuples(index=False)):
        colour = colours.get(row.topic, OTHER)
        symbol = {"p": _position(row.longitude, row.latitude), "id": row.event_id,
                  "tip": _point_tip(row, labels, t)}
        if row.precision == "admin":
            areas.append({**symbol, "f": [*colour, 50], "c": [*colour, 200]})
        else:
            dots.append({**symbol, "c": [*colour, 230]})
    layers = []
    if areas:
        layers.append({"@@type": "ScatterplotLayer", "id": ADMIN_ID, "data": areas,
                       "getPosition": "@@=p", "getFillColor": "@@=f", "getLineColor": "@@=c",
                       "stroked": True, "filled": True, "radiusUnits": "meters",
                       "getRadius": AREA_RADIUS_M, "radiusMinPixels": 4,
                       "lineWidthUnits": "pixels", "getLineWidth": 1, "pickable": True})
    if dots:
        layers.append({"@@type": "ScatterplotLayer", "id": EVENTS_ID, "data": dots,
                       "getPosition": "@@=p", "getFillColor": "@@=c",
                       "getLineColor": [255, 255, 255, 255], "stroked": True,
                       "radiusUnits": "pixels", "getRadius": POINT_PIXELS,
                       "lineWidthUnits": "pixels", "getLineWidth": 1, "pickable": True})
    return layers


def cell_layer(cells: pd.DataFrame, topics: pd.DataFrame, t: Translator = ENGLISH) -> dict:
    """Grid cells (``aggregate.grid_cells``) as circles whose area grows with the count,
    coloured by the cell's most frequent topic; ``lat``/``lon`` give the cell's centre."""
    colours, labels = topic_colours(topics), _labels(topics)
    largest = max(int(cells["events"].max()), 1) if len(cells) else 1
    size = float(cells["size"].iloc[0]) if len(cells) else 0.0
    half_cell_m = size * 111_320 / 2
    data = []
    for row in cast(Iterator[_CellRow], cells.itertuples(index=False)):
        colour = colours.get(row.topic, OTHER) if isinstance(row.topic, str) else OTHER
        topic = str(row.topic)  # "nan" when the cell's events have no topic
        tip = _lines(t.gettext("Events in this cell: {count}").format(
                         count=t.number(row.events)),
                     t.gettext("Most frequent topic: {topic}").format(
                         topic=labels.get(topic, topic)),
                     t.gettext("Topics in this cell: {count}").format(
                         count=t.number(row.topics)),
                     t.gettext("Cell centre: {latitude}, {longitude}").format(
                         latitude=f"{row.latitude:.2f}", longitude=f"{row.longitude:.2f}"))
        data.append({"p": _position(row.longitude, row.latitude), "lat": float(row.latitude),
                     "lon": float(row.longitude), "n": int(row.events), "c": [*colour, 190],
                     "r": round(half_cell_m * math.sqrt(row.events / largest), 1), "tip": tip})
    return {"@@type": "ScatterplotLayer", "id": CELLS_ID, "data": data, "getPosition": "@@=p",
            "getFillColor": "@@=c", "getRadius": "@@=r", "radiusUnits": "meters",
            "radiusMinPixels": 2, "stroked": True, "getLineColor": [255, 255, 255, 200],
            "lineWidthUnits": "pixels", "getLineWidth": 1, "pickable": True}


def heat_layer(cells: pd.DataFrame) -> dict:
    """A heat map of the grid cells, weighted by their counts (the browser blurs cells the
    server counted, so it gets no more rows than the cell layer)."""
    data = [{"p": _position(row.longitude, row.latitude), "n": int(row.events)}
            for row in cast(Iterator[_CellRow], cells.itertuples(index=False))]
    return {"@@type": "HeatmapLayer", "id": HEAT_ID, "data": data, "getPosition": "@@=p",
            "getWeight": "@@=n", "radiusPixels": 35, "intensity": 1, "threshold": 0.03,
            "pickable": False}


# --------------------------------------------------------------------------- places


PLACE_SIZES = {0: 14, 1: 12, 2: 11}


def place_layer(places: pd.DataFrame) -> dict:
    """Place names (``dashboard.places.gazetteer``): a label is drawn only where it does not
    cover a more important one, so capitals show from the whole region and towns appear
    as the map zooms in and makes room for them."""
    data = [{"p": _position(row.longitude, row.latitude), "n": row.name,
             "s": PLACE_SIZES.get(int(row.rank), 11), "k": 900 - 300 * int(row.rank)
             + min(int(row.population) // 100_000, 99)}  # deck.gl keeps -1000..1000
            for row in cast(Iterator[_PlaceRow], places.itertuples(index=False))]
    return {"@@type": "TextLayer", "id": PLACES_ID, "data": data, "getPosition": "@@=p",
            "getText": "@@=n", "getSize": "@@=s", "sizeUnits": "pixels",
            "getColor": [60, 60, 60, 255], "characterSet": "auto",
            "fontFamily": "sans-serif", "fontSettings": {"sdf": True},
            "outlineWidth": 3, "outlineColor": [255, 255, 255, 230],
            "getTextAnchor": "middle", "getAlignmentBaseline": "center", "pickable": False,
            "extensions": [{"@@type": "CollisionFilterExtension"}],
            "getCollisionPriority": "@@=k", "collisionTestProps": {"sizeScale": 2}}


# --------------------------------------------------------------------------- view


def fit_view(bounds: tuple[float, float, float, float], width: int = 900,
             height: int = 560) -> dict:
    """A view state showing ``bounds`` (min lon, min lat, max lon, max lat) whole in a map
    of ``width`` x ``height`` pixels (Web Mercator, 512-pixel world at zoom 0), zoomed no
    closer than ``FIT_MAX_ZOOM``."""
    min_lon, min_lat, max_lon, max_lat = bounds

    def y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_span = max(max_lon - min_lon, 0.05) / 360
    lat_span = max(y(max_lat) - y(min_lat), 0.001) / (2 * math.pi)
    zoom = math.log2(min(width / (512 * lon_span), height / (512 * lat_span))) - 0.15
    centre = math.degrees(2 * math.atan(math.exp((y(max_lat) + y(min_lat)) / 2)) - math.pi / 2)
    return {"longitude": round((min_lon + max_lon) / 2, 4), "latitude": round(centre, 4),
            "zoom": round(min(max(zoom, MIN_ZOOM), FIT_MAX_ZOOM), 3), "minZoom": MIN_ZOOM,
            "maxZoom": MAX_ZOOM, "pitch": 0, "bearing": 0}


def deck(layers: list[dict], view: dict) -> DeckSpec:
    """The layers (bottom first) in a map the user pans and zooms, with no base map."""
    controller = {"dragRotate": False, "touchRotate": False, "keyboard": True,
                  "doubleClickZoom": True, "scrollZoom": True, "touchZoom": True}
    spec = {"initialViewState": view, "mapStyle": NO_BASEMAP,
            "views": [{"@@type": "MapView", "controller": controller}], "layers": layers}
    return DeckSpec(spec, TOOLTIP)


def picked(selection: Any, layer_id: str) -> list[dict]:
    """The objects picked on layer ``layer_id`` of a ``st.pydeck_chart`` selection state
    (empty when none, or when the state is not what Streamlit returns)."""
    try:
        objects = selection["selection"]["objects"].get(layer_id) or []
    except (KeyError, TypeError, AttributeError):
        return []
    return [item for item in objects if isinstance(item, dict)]
