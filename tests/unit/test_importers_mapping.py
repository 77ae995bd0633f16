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


@pytest.mark.parametrize(("written", "expected"), [
    ("2022-02-24", "2022-02-24"),
    ("2022/02/24", "2022-02-24"),  # year first: never read day or month first
    ("2022-02-24T10:00:00Z", "2022-02-24"),
    ("2022-02-24T23:30:00.123+02:00", "2022-02-24"),  # the day as written, not in UTC
    ("2022-02-25T01:00:00-05:00", "2022-02-25"),
    ("2022-02-24 10:00", "2022-02-24"),
    ("2022-02-24T10:00+0200", "2022-02-24"),
    ("2022-02-30T10:00:00Z", "2022-02-30T10:00:00Z"),  # no such day: kept, to be rejected
    ("2022-02-24T10:00:00Z junk", "2022-02-24T10:00:00Z junk"),
    ("24.02.2022", "2022-02-24"),
])
def test_apply_mapping_reads_dates_and_timestamps(written, expected):
    raw = pd.DataFrame({"date": [written], "country": ["UKR"]}, dtype="str")
    mapping = mp.ColumnMapping(date="date", country="country")
    assert mp.apply_mapping(raw, "export.csv", mapping).events["event_date"].iloc[0] == expected


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
