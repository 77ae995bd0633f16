"""The registry of filter fields: every field has every face, and a new filter is an entry.

``dashboard/filterfields.py`` holds one ``FilterField`` per ``Filters`` attribute; the URL
writer and parser, the row mask, the sentence, the file name and the data's choices loop
over it. The first tests hold each registered field to each face on a tiny dataset where
each field's sample value keeps some events and leaves out others; the last one adds a
throwaway field as nothing but a registry entry (and the attribute holding its value).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import geopandas as gpd
import pandas as pd
import pytest
from eventframes import event_frame
from shapely.geometry import box

from dashboard import choices
from dashboard.engines import duckdb_query
from dashboard.filterfields import FIELDS, WIDGET_KINDS, FilterField, Speech, Widget, parse_flag
from dashboard.filters import Filters, resolve_query
from dashboard.filterwidgets import from_widgets, widget_keys, widget_values

EVENTS = event_frame([
    dict(event_id="e1", country="POL", countries_involved="POL; BLR", topic="border_zone",
         actors="Wagner Group", verification="confirmed", summary="Fence cut",
         article_ids="a1", date_min="2024-01-05", date_max="2024-01-05",
         source_dataset="ACLED", geo_precision="exact", latitude=52.0, longitude=24.0,
         fatalities=2),
    dict(event_id="e2", country="LTU", countries_involved="LTU", topic="airspace",
         actors="Unknown", verification="reported", summary="Balloons", article_ids="a2",
         date_min="2023-12-01", date_max="2023-12-01", source_dataset="UCDP GED",
         geo_precision="admin", latitude=54.7, longitude=25.3, fatalities=0),
    dict(event_id="e3", country="UKR", topic="strike", verification="alleged",
         source_dataset="ACLED", geo_precision="country"),
    dict(event_id="e4", country="POL", countries_involved="POL", topic="border_zone",
         verification="reported", summary="Crossing", date_min="2024-01-05",
         date_max="2024-01-05", source_dataset="UCDP GED", geo_precision="exact",
         latitude=52.001, longitude=24.001),  # e1 as UCDP GED reports it: linked to e1
])
ARTICLES = pd.DataFrame({"article_id": ["a1", "a2"], "title": ["Report", "Sky"],
                         "outlet": ["Outlet One", "Outlet Two"], "url": [None, None],
                         "published": ["2024-01-06", "2023-12-02"], "language": ["en", "en"],
                         "summary": [None, None]}, dtype="str")
AREAS = gpd.GeoDataFrame({"name": ["Poland"], "iso3": ["POL"]},
                         geometry=[box(14.0, 49.0, 24.2, 55.0)], crs="EPSG:4326")
OPTIONS = choices.build_options(EVENTS, ARTICLES, ["border_zone", "airspace", "strike"])

#: Per URL key: a value other than the default, and the events it keeps.
SAMPLES: dict[str, tuple[object, list[str]]] = {
    "country": (("POL",), ["e1", "e4"]),
    "topic": (("border_zone",), ["e1", "e4"]),
    "actor": (("Wagner Group",), ["e1"]),
    "verification": (("confirmed",), ["e1"]),
    "outlet": (("Outlet One",), ["e1"]),
    "q": ("fence", ["e1"]),
    "from": (dt.date(2024, 1, 3), ["e1", "e3", "e4"]),  # e3 is undated, kept by default
    "to": (dt.date(2023, 12, 31), ["e2", "e3"]),
    "undated": (False, ["e1", "e2", "e4"]),
    "dataset": (("ACLED",), ["e1", "e3"]),
    "precise": (True, ["e1", "e4"]),
    "bbox": ((23.0, 51.0, 25.0, 54.0), ["e1", "e4"]),
    "area": ("Poland", ["e1", "e4"]),
    "once": (True, ["e1", "e2", "e3"]),  # e1 and e4 are one event, ACLED's loaded first
}


def test_every_filters_attribute_is_one_registry_entry():
    keys = [spec.key for spec in FIELDS]
    assert len(set(keys)) == len(keys)
    attributes = {f.name: f.default for f in dataclasses.fields(Filters)}
    assert sorted(spec.field for spec in FIELDS) == sorted(attributes)
    for spec in FIELDS:
        assert attributes[spec.field] == spec.default, spec.key
    assert set(SAMPLES) == set(keys)  # a new field brings its sample here
    # and its SQL condition: every engine serves every field
    assert set(duckdb_query.CONDITIONS) == set(keys)
    # the choices a field is held to are offered by both engines
    held = {spec.held_to for spec in FIELDS if spec.held_to not in (None, "areas")}
    for offered in (choices.Options, duckdb_query.Choices):
        assert held <= {f.name for f in dataclasses.fields(offered)}
    for rank in ("sentence_rank", "slug_rank"):
        assert len({getattr(spec, rank) for spec in FIELDS}) == len(FIELDS)


@pytest.mark.parametrize("spec", FIELDS, ids=lambda spec: spec.key)
def test_every_field_has_every_face(spec: FilterField):
    value, kept = SAMPLES[spec.key]
    filters = Filters(**{spec.field: value})
    assert getattr(filters, spec.field) == value and not filters.is_default
    # URL: written under its key alone, read back to the same filter
    query = filters.to_query()
    assert list(query) == [spec.key]
    assert Filters.from_query(query) == (filters, [])
    assert spec.help
    # rows: a strict part of the events, on the memory engine's index
    assert (spec.matches is None) != (spec.among is None)
    mask = filters.mask(EVENTS, ARTICLES, areas=AREAS)
    assert list(EVENTS["event_id"][mask]) == kept
    # words and file name
    assert spec.words(value, Speech(filters, {})) and filters.describe() != "All events"
    assert re.fullmatch(r"[A-Za-z0-9_-]+", filters.slug()) and filters.slug() != "all"
    # the sidebar offers it (a date range widget sets both ends) and reads it back
    owners = [other for other in FIELDS if other.widget is not None
              and spec.field in (other.field, *other.widget.also)]
    assert len(owners) == 1
    assert owners[0].widget is not None and owners[0].widget.kind in WIDGET_KINDS
    assert from_widgets(widget_values(filters)) == filters
    # the data's choices hold it, or a link may name any value
    if spec.held_to is not None:
        assert spec.hold is not None
        offered = {"Poland": "Poland"} if spec.held_to == "areas" else getattr(
            OPTIONS, spec.held_to)
        assert spec.hold(value, offered) == (value, None)
        dropped, notice = spec.hold(value, {} if spec.held_to == "areas" else [])
        assert dropped == spec.default and notice and "ignored" in notice


def test_the_sidebar_draws_every_kind_and_keeps_a_whole_filter():
    from dashboard.ui import state

    assert set(state._DRAW) == set(WIDGET_KINDS)
    everything = Filters(**{**{spec.field: SAMPLES[spec.key][0] for spec in FIELDS},
                            "date_to": dt.date(2024, 12, 31)})  # after the sample's first day
    assert from_widgets(widget_values(everything)) == everything
    assert from_widgets({}) == Filters()
    assert len(set(widget_keys())) == len(widget_keys())


def test_a_held_field_is_dropped_from_a_link_with_a_notice():
    params = {spec.key: spec.format(SAMPLES[spec.key][0]) if not spec.multi
              else ",".join(SAMPLES[spec.key][0])  # type: ignore[arg-type]
              for spec in FIELDS if spec.held_to is not None}
    empty = choices.build_options(EVENTS.iloc[:0], ARTICLES.iloc[:0], [])
    filters, notices = resolve_query(params, empty, {})
    assert filters.is_default
    assert len(notices) == len(params)


# ------------------------------------------------------------------ a filter added as data

DEATHS = FilterField(
    "deaths", "deaths", False, parse_flag, False, "1 keeps events with a reported death",
    bool, lambda _v, rows: rows.events["fatalities"].fillna(0).gt(0).to_numpy(dtype=bool),
    lambda v, _s: "with deaths" if v else "", 99, lambda v, _f: "deaths" if v else "", 99,
    Widget("checkbox", "deaths", 99, "With deaths only"))


@dataclasses.dataclass(frozen=True)
class WithDeaths(Filters):
    """``Filters`` plus a throwaway field: its value, default and registry entry, nothing else."""

    FIELDS = (*Filters.FIELDS, DEATHS)
    deaths: bool = False


def test_a_new_filter_is_a_registry_entry():
    filters = WithDeaths(countries=("POL",), deaths=True)
    assert filters.to_query() == {"country": "POL", "deaths": "1"}
    assert WithDeaths.from_query({"country": "POL", "deaths": "1"}) == (filters, [])
    assert filters.describe() == "Events in Poland, with deaths"
    assert filters.slug() == "POL_deaths"
    assert list(EVENTS["event_id"][WithDeaths(deaths=True).mask(EVENTS)]) == ["e1"]
    assert WithDeaths().mask(EVENTS).all()  # the default keeps every event
    assert WithDeaths().is_default and not WithDeaths(deaths=True).is_default
    assert widget_values(filters)["deaths"] is True and "deaths" in widget_keys(WithDeaths)
    assert from_widgets(widget_values(filters), WithDeaths) == filters
