"""The events map: boundaries, zones and lines, and points (or grid cells) by topic.

Boundaries travel as GeoJSON feature dicts inside the Vega-Lite spec (a
GeoDataFrame given to Altair draws an empty map inside Streamlit), simplified and
oriented clockwise so polygons do not fill the world. No tiles, no token: it draws
offline. Each feature also carries its ``iso3``, ``name`` and ``events`` at the top
level so selections and colours can use plain field names.
"""

from __future__ import annotations

import copy
import json
from functools import lru_cache

import altair as alt
import pandas as pd
import shapely

from dashboard.aggregate import GRID
from dashboard.charts import to_spec, topic_scale, with_labels

AREA_SELECTION = "area_pick"
EVENT_SELECTION = "event_pick"  # a point: its event_id
SHAPE_SELECTION = "shape_pick"  # a zone or line: its event_id
CELL_SELECTION = "cell_pick"  # a grid cell: its centre's latitude and longitude
BOUNDARY_TOLERANCE = 0.02  # degrees (~2 km): keeps the bundled outlines under ~60 kB


def boundary_features(boundaries: object, tolerance: float = BOUNDARY_TOLERANCE,
                      counts: pd.DataFrame | None = None) -> list[dict]:
    """GeoJSON features of a boundaries GeoDataFrame (iso3, name, geometry).

    With ``counts`` (columns iso3, events) each feature carries its event count
    (0 when absent) for the shaded mode.
    """
    frame = boundaries.copy()  # type: ignore[attr-defined]
    simple = shapely.simplify(frame.geometry.to_numpy(), tolerance, preserve_topology=True)
    # a user's boundaries file may carry 15-digit coordinates; the grid is finer than the
    # simplification, so the outline keeps its shape and the spec its size
    frame["geometry"] = shapely.orient_polygons(shapely.set_precision(simple, GRID),
                                                exterior_cw=True)
    events = {} if counts is None else dict(zip(counts["iso3"], counts["events"], strict=True))
    features = json.loads(frame[["iso3", "name", "geometry"]].to_json(drop_id=True))["features"]
    for feature in features:
        props = feature["properties"]
        feature["iso3"] = str(props.get("iso3") or "")
        feature["name"] = str(props.get("name") or feature["iso3"])
        feature["events"] = int(events.get(feature["iso3"], 0))
    return features


def _outline(data: alt.Data, selectable: bool) -> alt.Chart:
    base = alt.Chart(data).mark_geoshape(
        fill="#eef1f5", stroke="#8a96a3", strokeWidth=0.6
    ).encode(tooltip=[alt.Tooltip("name:N", title="Country")])
    if selectable:
        base = base.add_params(alt.selection_point(name=AREA_SELECTION, fields=["iso3"]))
    return base


def event_map(
    boundaries: list[dict],
    points: pd.DataFrame,
    binned: bool,
    shapes: list[dict],
    topics: pd.DataFrame,
    height: int = 520,
) -> dict:
    """Boundaries, then zones/lines, then points coloured by topic (or binned cells),
    as a Vega-Lite spec for ``st.vega_lite_chart``.

    Altair builds the spec around named, empty datasets (once per kind of map, cached)
    and the data is attached afterwards: Altair walks and copies every coordinate of
    inline GeoJSON, which cost half a second per re-run. The GeoJSON lists stay in the
    spec (Vega-Lite reads them as they are); the points frame is sent as Arrow by
    Streamlit. Clicking a country selects it (parameter ``area_pick`` over ``iso3``); clicking
    an event, zone or cell selects that (see ``pick_selections``).
    """
    datasets: dict[str, object] = {"boundaries": boundaries}
    scale_keys = list(points["topic"].unique()) if len(points) else []
    if shapes:
        shape_frame = pd.DataFrame([s["properties"] for s in shapes])
        labels = with_labels(shape_frame, topics)["topic_label"].tolist()
        # fields at the top level (where the encodings read them), not twice
        datasets["shapes"] = [{"type": "Feature", "geometry": s["geometry"],
                               "topic_label": label, **s["properties"]}
                              for s, label in zip(shapes, labels, strict=True)]
        scale_keys += list(shape_frame["topic"].unique())
    if len(points):
        datasets["points"] = with_labels(points, topics)
    taxonomy = tuple(zip(topics["key"], topics["label"], topics["colour"], strict=True))
    spec = copy.deepcopy(_map_template(taxonomy, tuple(dict.fromkeys(scale_keys)), binned,
                                       bool(shapes), bool(len(points)), height))
    spec["datasets"] = datasets
    return spec


@lru_cache(maxsize=64)
def _map_template(taxonomy: tuple[tuple[str, str, str], ...], scale_keys: tuple[str, ...],
                  binned: bool, with_shapes: bool, with_points: bool, height: int) -> dict:
    """The map's spec without data: layers, encodings, scales and the selection."""
    topics = pd.DataFrame(list(taxonomy), columns=["key", "label", "colour"])
    keys = list(scale_keys)
    layers: list[alt.Chart] = [_outline(alt.Data(name="boundaries"), selectable=True)]
    if with_shapes:
        layers.append(
            alt.Chart(alt.Data(name="shapes")).mark_geoshape(
                filled=True, fillOpacity=0.25, strokeWidth=2, cursor="pointer"
            ).add_params(alt.selection_point(name=SHAPE_SELECTION, fields=["event_id"])).encode(
                color=alt.Color("topic_label:N", title="Topic", scale=topic_scale(topics, keys)),
                stroke=alt.Stroke("topic_label:N", scale=topic_scale(topics, keys), legend=None),
                tooltip=_shape_tooltip(),
            )
        )
    if with_points:
        colour = alt.Color("topic_label:N", title="Topic", scale=topic_scale(topics, keys),
                           legend=alt.Legend(orient="bottom", columns=3, labelLimit=200))
        mark = alt.Chart(alt.Data(name="points")).mark_circle(
            opacity=0.75, stroke="#ffffff", strokeWidth=0.5, cursor="pointer")
        if binned:
            mark = mark.add_params(alt.selection_point(name=CELL_SELECTION,
                                                       fields=["latitude", "longitude"]))
            layers.append(mark.encode(
                longitude="longitude:Q", latitude="latitude:Q", color=colour,
                size=alt.Size("events:Q", title="Events per cell",
                              scale=alt.Scale(type="sqrt", range=[15, 600])),
                tooltip=[
                    alt.Tooltip("events:Q", title="Events in this cell", format=","),
                    alt.Tooltip("topic_label:N", title="Most frequent topic"),
                    alt.Tooltip("topics:Q", title="Topics in this cell"),
                    alt.Tooltip("latitude:Q", title="Cell centre latitude", format=".2f"),
                    alt.Tooltip("longitude:Q", title="Cell centre longitude", format=".2f"),
                ],
            ))
        else:
            mark = mark.add_params(alt.selection_point(name=EVENT_SELECTION, fields=["event_id"]))
            layers.append(mark.encode(
                longitude="longitude:Q", latitude="latitude:Q", color=colour,
                size=alt.value(70),
                tooltip=[
                    alt.Tooltip("date:N", title="Date"),
                    alt.Tooltip("topic_label:N", title="Topic"),
                    alt.Tooltip("location:N", title="Location"),
                    alt.Tooltip("summary:N", title="Summary"),
                    alt.Tooltip("verification:N", title="Verification"),
                    alt.Tooltip("event_id:N", title="Event"),
                ],
            ))
    chart = (
        alt.layer(*layers)
        .project(type="mercator")
        .properties(height=height, title="Events on the map")
        .resolve_scale(color="shared")
    )
    return to_spec(chart)


def pick_selections(binned: bool, with_shapes: bool, with_points: bool) -> list[str]:
    """The selection parameters of an ``event_map`` with these layers (for
    ``st.vega_lite_chart(selection_mode=...)``)."""
    names = [AREA_SELECTION]
    if with_points:
        names.append(CELL_SELECTION if binned else EVENT_SELECTION)
    if with_shapes:
        names.append(SHAPE_SELECTION)
    return names


def _shape_tooltip() -> list[alt.Tooltip]:
    return [
        alt.Tooltip("date:N", title="Date"),
        alt.Tooltip("topic_label:N", title="Topic"),
        alt.Tooltip("location:N", title="Location"),
        alt.Tooltip("summary:N", title="Summary"),
        alt.Tooltip("verification:N", title="Verification"),
    ]


def choropleth_map(areas: list[dict], height: int = 520, unit: str = "Country") -> dict:
    """Areas shaded by event count (from ``boundary_features(..., counts=...)``), as a
    Vega-Lite spec with the areas attached after Altair (see ``event_map``); clicking
    an area selects it (``area_pick`` over ``iso3``)."""
    chart = (
        alt.Chart(alt.Data(name="areas"), title=f"Events per {unit.lower()}")
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.6)
        .encode(
            color=alt.Color("events:Q", title="Events",
                            scale=alt.Scale(scheme="blues", type="symlog")),
            tooltip=[alt.Tooltip("name:N", title=unit),
                     alt.Tooltip("events:Q", title="Events", format=",")],
        )
        .add_params(alt.selection_point(name=AREA_SELECTION, fields=["iso3"]))
        .project(type="mercator")
        .properties(height=height)
    )
    return to_spec(chart, {"areas": areas})

