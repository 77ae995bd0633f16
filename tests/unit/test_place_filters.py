"""Filters by place: precise places only, a box, a unit of the boundaries; and one function
that holds a link to what the data offers, for the app and the command line alike."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from test_filters import make_events

from dashboard.choices import build_options
from dashboard.filters import Filters, resolve_query

EVENTS = make_events([
    dict(event_id="ged", country="UKR", topic="armed_clash", verification="reported",
         latitude=48.0, longitude=37.8, geo_precision="country", source_dataset="UCDP GED"),
    dict(event_id="point-in", country="POL", topic="strike", verification="confirmed",
         latitude=52.2, longitude=23.5, geo_precision="exact"),
    dict(event_id="point-out", country="LTU", topic="strike", verification="reported",
         latitude=54.7, longitude=25.3, geo_precision="near"),
    dict(event_id="admin", country="POL", topic="strike", verification="reported",
         latitude=52.7, longitude=23.9, geo_precision="admin"),
    dict(event_id="country", country="BLR", topic="strike", verification="claimed",
         latitude=53.9, longitude=27.6, geo_precision="country"),
    dict(event_id="zone-crossing", country="POL", topic="border_zone", verification="confirmed",
         geometry_wkt="POLYGON ((23.8 52.0, 24.2 52.0, 24.2 53.0, 23.8 53.0, 23.8 52.0))",
         geo_precision="exact"),
    dict(event_id="line-far", country="UKR", topic="troop_movement", verification="reported",
         geometry_wkt="LINESTRING (30 50, 31 51)", geo_precision="near"),
    dict(event_id="nowhere", country="POL", topic="statement", verification="reported"),
])
AREAS = gpd.GeoDataFrame(
    {"iso3": ["WEST", "EAST"], "name": ["West box", "East box"]},
    geometry=[shapely.box(22.0, 51.0, 24.0, 53.0), shapely.box(29.0, 49.0, 32.0, 52.0)],
    crs="EPSG:4326",
)


def reference(frame: pd.DataFrame, *, precise: bool = False, bbox=None, area=None) -> list[str]:
    """The same rules written out one event at a time with shapely."""
    kept = []
    for row in frame.itertuples():
        point = None if pd.isna(row.latitude) else shapely.Point(row.longitude, row.latitude)
        shape = None if pd.isna(row.geometry_wkt) else shapely.from_wkt(row.geometry_wkt)
        if precise and row.geo_precision not in ("exact", "near"):
            continue
        if bbox is not None:
            box = shapely.box(*bbox)
            if not ((point is not None and box.covers(point))
                    or (shape is not None and box.intersects(shapely.box(*shape.bounds)))):
                continue
        if area is not None:
            unit = AREAS.set_index("name").geometry[area]
            if not ((point is not None and unit.intersects(point))
                    or (shape is not None and unit.intersects(shape))):
                continue
        kept.append(row.event_id)
    return kept


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(precise=True), ["point-in", "point-out", "zone-crossing", "line-far"]),
    (Filters(bbox=(23.0, 52.0, 24.0, 53.0)), ["point-in", "admin", "zone-crossing"]),
    (Filters(bbox=(24.1, 52.5, 26.0, 55.0)), ["point-out", "zone-crossing"]),  # the zone's edge
    (Filters(bbox=(-10.0, -10.0, 0.0, 0.0)), []),
    (Filters(area="West box"), ["point-in", "admin", "zone-crossing"]),
    (Filters(area="East box"), ["line-far"]),
    (Filters(area="East box", precise=True), ["line-far"]),
    (Filters(area="West box", bbox=(23.0, 52.0, 23.6, 52.5), precise=True), ["point-in"]),
])
def test_place_filters_match_a_plain_reference(filters, expected):
    kept = list(filters.apply(EVENTS, areas=AREAS)["event_id"])
    assert kept == expected == reference(EVENTS, precise=filters.precise, bbox=filters.bbox,
                                         area=filters.area or None)


def test_the_dataset_filter_keeps_the_events_of_the_datasets_named():
    assert list(Filters(datasets=("UCDP GED",)).apply(EVENTS)["event_id"]) == ["ged"]
    assert Filters(datasets=("UCDP GED",)).describe() == "Events from UCDP GED"
    assert Filters(datasets=("UCDP GED", "seed")).slug() == "UCDP-GED-seed"


def test_the_area_filter_needs_the_boundaries_and_a_known_unit():
    with pytest.raises(ValueError, match="needs the boundaries"):
        Filters(area="West box").mask(EVENTS)
    with pytest.raises(ValueError, match="'Atlantis' is not a unit"):
        Filters(area="Atlantis").mask(EVENTS, areas=AREAS)
    by_code = Filters(area="west").apply(EVENTS, areas=AREAS)  # its code, any case
    assert list(by_code["event_id"]) == ["point-in", "admin", "zone-crossing"]


@pytest.mark.parametrize(("query", "filters", "notice"), [
    ({"precise": "1"}, Filters(precise=True), None),
    ({"bbox": "23,52,24.5,53"}, Filters(bbox=(23.0, 52.0, 24.5, 53.0)), None),
    ({"bbox": "24,52,23,53"}, Filters(), "not a box"),
    ({"bbox": "23,52,24"}, Filters(), "not four numbers"),
    ({"bbox": "23,52,24,nan"}, Filters(), "not a box"),
    ({"area": "Masovia"}, Filters(area="Masovia"), None),
])
def test_place_keys_in_the_url(query, filters, notice):
    parsed, notices = Filters.from_query(query)
    assert parsed == filters
    assert (notices[0] if notices else None) is None if notice is None else notice in notices[0]
    assert Filters.from_query(parsed.to_query())[0] == parsed


@pytest.mark.parametrize(("filters", "sentence", "slug"), [
    (Filters(precise=True), "Events placed exactly or near", "precise"),
    (Filters(bbox=(23.5, 51.25, 24.0, 53.0)),
     "Events in the box 23.5°E to 24°E, 51.25°N to 53°N", "bbox-23-5_51-25_24_53"),
    (Filters(bbox=(-10.0, -5.0, 0.0, 5.0)), "Events in the box 10°W to 0°E, 5°S to 5°N",
     "bbox-m10_m5_0_5"),
    (Filters(area="West box", countries=("POL",)), "Events in Poland, in the area West box",
     "POL_area-West-box"),
])
def test_place_filters_in_words_and_file_names(filters, sentence, slug):
    assert (filters.describe(), filters.slug()) == (sentence, slug)


SPELLINGS = {"WEST": "West box", "West box": "West box", "EAST": "East box",
             "East box": "East box"}


@pytest.mark.parametrize(("query", "expected", "notices"), [
    ({"country": "POL,XXX", "topic": "strike"}, Filters(countries=("POL",), topics=("strike",)),
     ["Country 'XXX' does not occur in the data; ignored."]),
    ({"verification": "disputed"}, Filters(), ["Verification 'disputed' does not occur"]),
    ({"area": "east BOX"}, Filters(area="East box"), []),
    ({"area": "west"}, Filters(area="West box"), []),
    ({"area": "Atlantis", "precise": "1"}, Filters(precise=True),
     ["Area 'Atlantis' is not a unit of the boundaries in use; ignored."]),
    ({"colour": "red"}, Filters(), ["Unknown filter 'colour' ignored."]),
    ({"dataset": "ACLED,UCDP GED"}, Filters(datasets=("UCDP GED",)),
     ["Dataset 'ACLED' does not occur in the data; ignored."]),
])
def test_resolve_query_holds_a_link_to_what_the_data_offers(query, expected, notices):
    choices = build_options(EVENTS, pd.DataFrame({"outlet": pd.Series([], dtype="str")}),
                            ["strike", "border_zone"])
    resolved, said = resolve_query(query, choices, SPELLINGS)
    assert resolved == expected
    assert len(said) == len(notices) and all(n in s for n, s in zip(notices, said, strict=True))


def test_shape_bounds_of_unreadable_geometry_are_empty():
    frame = make_events([dict(event_id="bad", country="POL", topic="strike",
                              verification="reported", geometry_wkt="POLYGON ((")])
    assert not Filters(bbox=(-180.0, -90.0, 180.0, 90.0)).mask(frame).any()
    assert Filters().mask(frame).all()
