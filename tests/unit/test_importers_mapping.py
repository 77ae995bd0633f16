"""The user column mapping: guess, save/load round trip, and conversion."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.importers import mapping as mp


def _raw() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Data": ["05/08/2024", "2024-08-06", "31/12/2024"],
            "Kraj": ["Poland", "LTU", "Narnia"],
            "Miejscowość": ["Białystok", "Vilnius", None],
            "lat": ["53.13", "54.69", None],
            "lon": ["23.17", "25.28", None],
            "Kategoria": ["Protest", "Patrol", "Nowa"],
            "Opis": ["Rolnicy protestowali", "Patrol", None],
            "link": ["https://example.pl/a", None, "javascript:alert(1)"],
        },
        dtype="str",
    )


def test_suggest_mapping_guesses_common_names():
    guess = mp.suggest_mapping(_raw())
    assert guess.date == "Data"
    assert guess.country == "Kraj"
    assert guess.location == "Miejscowość"
    assert (guess.latitude, guess.longitude) == ("lat", "lon")
    assert guess.topic == "Kategoria"
    assert guess.summary == "Opis"
    assert guess.url == "link"


def test_save_and_load_round_trip(tmp_path):
    mapping = mp.suggest_mapping(_raw())
    mapping.topic_values = {"Protest": "protest", "Patrol": "border_zone"}
    path = tmp_path / "map.json"
    mp.save_mapping(mapping, path)
    assert mp.load_mapping(path) == mapping


def test_load_mapping_names_unknown_keys(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"date": "Data", "colour": "red"}', "utf-8")
    with pytest.raises(ValueError, match="colour"):
        mp.load_mapping(path)


@pytest.mark.parametrize(("dayfirst", "expected"), [(True, "2024-08-05"), (False, "2024-05-08")])
def test_apply_mapping_dates_follow_dayfirst(dayfirst, expected):
    mapping = mp.suggest_mapping(_raw())
    mapping.dayfirst = dayfirst
    events = mp.apply_mapping(_raw(), "moje.csv", mapping).events
    assert events["event_date"].iloc[0] == expected
    assert events["event_date"].iloc[1] == "2024-08-06"


@pytest.mark.parametrize(("written", "expected", "precision"), [
    ("2022-02-24", "2022-02-24", "day"),
    ("2022/02/24", "2022-02-24", "day"),  # year first: never read day or month first
    ("2022-02-24T10:00:00Z", "2022-02-24", "day"),
    ("2022-02-24T23:30:00.123+02:00", "2022-02-24", "day"),  # the day as written, not in UTC
    ("2022-02-25T01:00:00-05:00", "2022-02-25", "day"),
    ("2022-02-24 10:00", "2022-02-24", "day"),
    ("2022-02-24T10:00+0200", "2022-02-24", "day"),
    ("24.02.2022", "2022-02-24", "day"),
    ("2022-02", "2022-02", "month"),      # a month or a year alone: the event is dated to it
    ("2022/02", "2022-02", "month"),
    ("02/2022", "2022-02", "month"),
    ("02.2022", "2022-02", "month"),
    ("February 2022", "2022-02", "month"),
    ("Feb 2022", "2022-02", "month"),
    ("2022", "2022", "year"),
    ("2022-02-30T10:00:00Z", "2022-02-30T10:00:00Z", None),  # no such day: kept, rejected
    ("2022-02-24T10:00:00Z junk", "2022-02-24T10:00:00Z junk", None),
    ("2022-13", "2022-13", None),
    ("soon", "soon", None),
])
def test_apply_mapping_reads_dates_and_timestamps(written, expected, precision):
    raw = pd.DataFrame({"date": [written], "country": ["UKR"]}, dtype="str")
    mapping = mp.ColumnMapping(date="date", country="country")
    events = mp.apply_mapping(raw, "export.csv", mapping).events
    assert events["event_date"].iloc[0] == expected
    found = events["date_precision"].iloc[0]
    assert (None if pd.isna(found) else found) == precision


def test_a_month_or_a_year_alone_is_accepted():
    from dashboard.dataset import load_dataset

    csv = b"id,date,country\na,2024-06,POL\nb,2024,POL\nc,June 2024,POL\nd,soon,POL\n"
    dataset = load_dataset(csv, "own.csv", mapping={"event_id": "id", "date": "date",
                                                    "country": "country"})
    report = dataset.reports[0]
    assert (report.rows_read, report.accepted, report.rejected_rows) == (4, 3, 1)
    assert dataset.events["date_precision"].tolist() == ["month", "year", "month"]


def test_apply_mapping_fields_topics_and_articles():
    mapping = mp.suggest_mapping(_raw())
    mapping.topic_values = {"protest": "protest", "Patrol": "border_zone"}
    imported = mp.apply_mapping(_raw(), "moje.csv", mapping)
    events = imported.events
    assert events["event_id"].tolist() == ["moje-row1", "moje-row2", "moje-row3"]
    assert events["topic"].tolist() == ["protest", "border_zone", "other"]
    assert events["source_category"].tolist() == ["Protest", "Patrol", "Nowa"]
    assert events["country"].tolist() == ["POL", "LTU", "Narnia"]
    assert events["location"].iloc[0] == "Białystok"
    assert events["verification"].unique().tolist() == ["reported"]
    assert imported.articles["url"].tolist() == ["https://example.pl/a", "javascript:alert(1)"]
    assert events["article_ids"].iloc[1] is pd.NA or pd.isna(events["article_ids"].iloc[1])
    assert imported.rows_read == 3


def test_apply_mapping_names_a_missing_column():
    with pytest.raises(ValueError, match="Datum"):
        mp.apply_mapping(_raw(), "x.csv", mp.ColumnMapping(date="Datum"))


def test_mapping_is_never_auto_detected():
    assert not mp.detect(_raw(), "x.csv")


@pytest.mark.parametrize(
    ("mapping", "english", "polish"),
    [
        ({"date": "Data", "colour": "red"}, "unknown mapping keys colour",
         "nieznane klucze przypisania: colour"),
        ({"date": "Datum"}, "mapped column 'Datum' is not in the file",
         "przypisanej kolumny 'Datum' nie ma w pliku"),
        ('{"date": ', "the column mapping is not valid JSON (Expecting value)",
         "przypisanie kolumn nie jest poprawnym JSON (Expecting value)"),
        (b"[1]", "the column mapping must be a JSON object",
         "przypisanie kolumn musi być obiektem JSON"),
        (None, "mapping file not found: ", "nie znaleziono pliku przypisania: "),
    ],
)
def test_a_mappings_error_is_said_in_the_pages_language(tmp_path, mapping, english, polish):
    """A mapping given as a dict, as JSON text, as a file (bytes here: its content) or as
    a file that is not there."""
    from dashboard.i18n import translator
    from dashboard.importers import import_file
    from dashboard.readers import LoadError

    if mapping is None or isinstance(mapping, bytes):
        path = tmp_path / "map.json"
        if mapping is not None:
            path.write_bytes(mapping)
        mapping = path
    with pytest.raises(LoadError) as info:
        import_file(b"Data,Opis\n2024-08-05,x\n", "moje.csv", mapping=mapping)
    assert english in str(info.value)
    assert polish in info.value.said(translator("pl"))
    assert english not in info.value.said(translator("pl"))


# (country cell, lon, lat, country_from_coordinates, the event's country)
PLACING = [
    (None, "21.01", "52.23", True, "POL"),     # Warsaw
    (None, "21.01", "52.23", False, None),     # off: left as it is
    ("LTU", "21.01", "52.23", True, "LTU"),    # a named country is never replaced
    ("Narnia", "21.01", "52.23", True, "Narnia"),  # nor an unknown one (validation rejects it)
    (None, "23.62", "52.075", True, None),     # Terespol, ~2 km from Belarus
    (None, "19.0", "55.5", True, None),        # the Baltic Sea
    (None, "300", "95", True, None),           # outside the world: validation rejects it
    (None, None, None, True, None),            # no coordinates
]


@pytest.mark.parametrize(("country", "lon", "lat", "placed", "expected"), PLACING)
def test_country_from_coordinates(country, lon, lat, placed, expected):
    raw = pd.DataFrame({"date": ["2024-06-01"], "country": [country], "lon": [lon],
                        "lat": [lat]}, dtype="str")
    mapping = mp.ColumnMapping(date="date", country="country", latitude="lat",
                               longitude="lon", country_from_coordinates=placed)
    events = mp.apply_mapping(raw, "export.csv", mapping).events
    assert (None if pd.isna(events["country"].iloc[0]) else events["country"].iloc[0]) == expected


def test_country_from_coordinates_is_reported():
    raw = pd.DataFrame({"lon": ["21.01", "23.62", "27.56", None],
                        "lat": ["52.23", "52.075", "53.90", None]}, dtype="str")
    mapping = mp.ColumnMapping(latitude="lat", longitude="lon", country_from_coordinates=True)
    imported = mp.apply_mapping(raw, "osint.csv", mapping)
    assert imported.events["country"].fillna("-").tolist() == ["POL", "-", "BLR", "-"]
    assert imported.events["countries_involved"].fillna("-").tolist() == ["POL", "-", "BLR", "-"]
    assert imported.warnings == [
        "osint.csv: events with coordinates and no country: 2 of 3 given the country their "
        "coordinates lie in; the rest lie outside the bundled country outlines or within 5 km "
        "of another country's"]


@pytest.mark.parametrize(("columns", "placed"), [
    (["id", "lat", "lon"], True),               # coordinates, no country: on
    (["id", "lat", "lon", "country"], False),   # a country column: off
    (["id", "lat"], False),                     # half the coordinates: off
])
def test_the_guess_places_countries_only_without_a_country_column(columns, placed):
    raw = pd.DataFrame({name: ["1"] for name in columns}, dtype="str")
    assert mp.suggest_mapping(raw).country_from_coordinates is placed


MIXED_GEOJSON = """{"type": "FeatureCollection", "features": [
 {"type": "Feature", "geometry": {"type": "Point", "coordinates": [21.01, 52.23]},
  "properties": {"id": "p-1", "date": "2024-06-13", "description": "Fixture point"}},
 {"type": "Feature", "geometry": {"type": "Polygon",
  "coordinates": [[[23.0, 52.0], [24.0, 52.0], [24.0, 53.0], [23.0, 53.0], [23.0, 52.0]]]},
  "properties": {"id": "z-1", "date": "2024-06-14", "description": "Fixture closed zone"}},
 {"type": "Feature",
  "geometry": {"type": "LineString", "coordinates": [[23.0, 52.0], [24.0, 53.0]]},
  "properties": {"id": "l-1", "date": "2024-06-15", "description": "Fixture route"}}
]}"""


def test_a_guessed_mapping_keeps_lines_and_areas(tmp_path):
    """An OSINT map's GeoJSON in no known layout: its zones and routes keep their shape."""
    from dashboard.dataset import load_dataset
    from dashboard.readers import read_raw

    path = tmp_path / "osint.geojson"
    path.write_text(MIXED_GEOJSON, encoding="utf-8")
    guess = mp.suggest_mapping(read_raw(str(path), path.name))
    assert guess.geometry_wkt == "geometry_wkt"
    events = load_dataset(path, mapping=mp.mapping_json(guess)).events.set_index("event_id")
    assert events.loc["z-1", "geometry_wkt"].startswith("POLYGON ((23 52")
    assert events.loc["l-1", "geometry_wkt"] == "LINESTRING (23 52, 24 53)"
    assert pd.isna(events.loc["p-1", "geometry_wkt"])
    assert (events.loc["p-1", "longitude"], events.loc["p-1", "country"]) == (21.01, "POL")


@pytest.mark.parametrize(("mapped", "warning"), [
    ({"date": "Data", "country": "Kraj"},
     "moje.csv: ignored columns the mapping does not use: Miejscowość, lat, lon, Kategoria, "
     "Opis, link"),
    ({name: column for name, column in vars(mp.suggest_mapping(_raw())).items()
      if name in mp.COLUMN_FIELDS}, None),  # every column used: nothing to say
])
def test_columns_a_mapping_leaves_out_are_named(mapped, warning):
    imported = mp.apply_mapping(_raw(), "moje.csv", mp.ColumnMapping(**mapped))
    assert imported.warnings == ([warning] if warning else [])


@pytest.mark.parametrize(("values", "expected"), [
    (["strike", "Strike ", "STRIKE"],                               # keys, any case, trimmed
     {"strike": "strike", "Strike": "strike", "STRIKE": "strike"}),
    (["Protests", "Protesty", "Протести", "Удари"],               # labels in any language
     {"Protests": "protest", "Protesty": "protest", "Протести": "protest", "Удари": "strike"}),
    (["Border zones", "Strefy przygraniczne"], {"Border zones": "border_zone",
                                                "Strefy przygraniczne": "border_zone"}),
    (["Patrol", "Nowa", "", None], {}),                             # no topic's name
])
def test_guess_topic_values(values, expected):
    assert mp.guess_topic_values(pd.Series(values, dtype="str")) == expected


def test_topic_values_are_guessed_for_the_most_frequent_values_only():
    values = pd.Series(["strike"] * 3 + [f"rare-{n}" for n in range(50)] + ["Protests"] * 2,
                       dtype="str")
    assert mp.frequent_values(values, limit=2).to_dict() == {"strike": 3, "Protests": 2}
    assert mp.guess_topic_values(values, limit=1) == {"strike": "strike"}
    raw = pd.DataFrame({"Data": ["2024-08-05"] * len(values), "Kategoria": values})
    assert mp.suggest_mapping(raw).topic_values == {"strike": "strike", "Protests": "protest"}


@pytest.mark.parametrize(("columns", "expected"), [
    (["Nr", "Data", "Kraj", "Szerokość", "Długość", "Opis"],           # Polish
     {"event_id": "Nr", "date": "Data", "country": "Kraj", "latitude": "Szerokość",
      "longitude": "Długość", "summary": "Opis"}),
    (["Дата", "Країна", "Широта", "Довгота", "Опис", "Категорія"],     # Ukrainian
     {"date": "Дата", "country": "Країна", "latitude": "Широта", "longitude": "Довгота",
      "summary": "Опис", "topic": "Категорія"}),
    (["Šalis", "Platuma", "Ilguma", "Aprašymas"],                      # Lithuanian
     {"country": "Šalis", "latitude": "Platuma", "longitude": "Ilguma",
      "summary": "Aprašymas"}),
    (["№", "Дата", "Страна", "Широта", "Долгота", "Описание"],         # Russian
     {"event_id": "№", "date": "Дата", "country": "Страна", "latitude": "Широта",
      "longitude": "Долгота", "summary": "Описание"}),
])
def test_column_names_in_the_regions_languages_are_guessed(columns, expected):
    raw = pd.DataFrame({name: ["x"] for name in columns}, dtype="str")
    assert mp.suggest_mapping(raw).columns() == expected


@pytest.mark.parametrize(("saved", "named"), [
    ({"topic_values": [1, 2]}, "topic_values must be an object from values to topic keys"),
    ({"topic_values": {"a": 5}}, "topic_values must be an object from values to topic keys"),
    ({"latitude": ["la"]}, "latitude must name a column or be null"),
    ({"date": 3}, "date must name a column or be null"),
    ({"default_topic": 7}, "default_topic must be text"),
    ({"country_from_coordinates": "no"}, "country_from_coordinates must be true or false"),
    ({"dayfirst": "maybe"}, "dayfirst must be true or false"),
])
def test_a_saved_mapping_of_the_wrong_types_is_refused_with_its_key(saved, named):
    """A saved mapping comes from a visitor: a wrong type is named, never a crash later."""
    with pytest.raises(ValueError, match=f"^mapping key {named}$"):
        mp.mapping_from_dict(saved)
