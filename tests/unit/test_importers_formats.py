"""ACLED, UCDP GED, VIINA and GDELT converters on small fixtures in each format's own layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard import readers
from dashboard.importers import acled, gdelt, ucdp, viina
from dashboard.validate import validate_events

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _raw(name: str, **kwargs) -> pd.DataFrame:
    return readers.read_raw(FIXTURES / name, **kwargs)


def _event(imported, event_id: str) -> dict:
    events = imported.events
    return events[events["event_id"] == event_id].iloc[0].to_dict()


def _nothing_lost(imported) -> None:
    rejected_rows = imported.rejected["row"].nunique() if len(imported.rejected) else 0
    assert len(imported.events) + len(imported.merged) + rejected_rows == imported.rows_read


# -- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("acled_dyadic.csv", "acled"),
        ("acled_monadic.csv", "acled"),
        ("ucdp_ged_cp1252.csv", "ucdp"),
        ("ucdp_ged_trimmed.csv", "ucdp"),
        ("viina_event_info.csv", "viina"),
        ("gdelt_v1_mixed.tsv", "gdelt"),
        ("gdelt_v2.tsv", "gdelt"),
    ],
)
def test_each_format_is_detected_by_its_own_importer_only(fixture, expected):
    # GDELT has no header: its first row repeats values, which a header may not
    raw = _raw(fixture, header=not fixture.startswith("gdelt"))
    found = [m.NAME for m in (acled, ucdp, viina, gdelt) if m.detect(raw, fixture)]
    assert found == [expected]


def test_gdelt_is_detected_when_read_without_header_too():
    assert gdelt.detect(gdelt.read(FIXTURES / "gdelt_v1_mixed.tsv"), "x.tsv")
    assert not gdelt.detect(_raw("acled_dyadic.csv", header=False), "x.csv")


# -- ACLED -------------------------------------------------------------------------------------


def test_acled_maps_every_field():
    imported = acled.convert(_raw("acled_dyadic.csv"), "acled_dyadic.csv")
    strike = _event(imported, "acled:UKR100001")
    assert strike["event_date"] == "2024-08-05"
    assert strike["date_precision"] == "day"
    assert strike["topic"] == "strike"
    assert strike["sub_type"] == "Air/drone strike"
    assert strike["source_category"] == "Explosions/Remote violence | Air/drone strike"
    assert strike["country"] == "UKR"
    assert strike["admin1"] == "Volyn"
    assert strike["location"] == "Ковель"
    assert (strike["latitude"], strike["longitude"]) == ("51.2167", "24.7167")
    assert strike["geo_precision"] == "near"
    assert strike["actors"] == "Military Forces of Russia (2000-); Civilians (Ukraine)"
    assert strike["summary"].startswith(
        "On 5 August 2024, Russian forces struck Kovel with drones,"
    )
    assert "\nNo casualties were reported." in strike["summary"]
    assert strike["fatalities"] == "0"
    assert strike["verification"] == "reported"
    assert strike["source_dataset"] == "acled"
    assert strike["article_ids"] == "acled:UKR100001#1; acled:UKR100001#2"

    protest = _event(imported, "acled:POL200002")
    assert protest["event_date"] == "2024-08-06"
    assert protest["date_precision"] == "week"
    assert protest["location"] == "Białystok"
    assert protest["country"] == "POL"
    assert protest["actors"] == "Protesters (Poland); Farmers (Poland); Labour Group (Poland)"
    assert protest["topic"] == "protest"

    camp = _event(imported, "acled:BLR300003")
    assert camp["date_precision"] == "month"
    assert camp["topic"] == "camp"
    assert camp["country"] == "BLR"
    assert pd.isna(camp["latitude"]) and pd.isna(camp["longitude"])
    assert camp["geo_precision"] == "admin"
    assert pd.isna(camp["fatalities"])


def test_acled_unmapped_category_goes_to_other_and_stays_visible():
    imported = acled.convert(_raw("acled_dyadic.csv"), "acled_dyadic.csv")
    riot = _event(imported, "acled:LTU400004")
    assert riot["topic"] == "other"
    assert riot["source_category"] == "Riots | Unknown sub type"


def test_acled_articles_are_outlets_without_invented_urls_or_titles():
    imported = acled.convert(_raw("acled_dyadic.csv"), "acled_dyadic.csv")
    articles = imported.articles.set_index("article_id")
    assert articles.loc["acled:UKR100001#1", "outlet"] == "Suspilne"
    assert articles.loc["acled:UKR100001#2", "outlet"] == "Ukrainska Pravda"
    assert articles["url"].isna().all()
    assert articles["title"].isna().all()
    assert len(articles) == 5  # the rejected row (no id) brings none


def test_acled_row_without_id_is_rejected_and_counted():
    imported = acled.convert(_raw("acled_dyadic.csv"), "acled_dyadic.csv")
    assert imported.rows_read == 5
    assert imported.rejected["row"].tolist() == [4]
    assert "event_id_cnty" in imported.rejected["reason"].iloc[0]
    _nothing_lost(imported)


@pytest.mark.parametrize(
    ("fixture", "importer", "rejected_row"),
    [("acled_dyadic.csv", acled, 4), ("viina_event_info.csv", viina, 3)],
)
def test_kept_events_keep_their_file_rows_and_their_own_articles(fixture, importer,
                                                                   rejected_row):
    # a row the importer rejects must not shift the later rows' numbers or articles
    imported = importer.convert(_raw(fixture), fixture)
    events = imported.events
    assert events.attrs["source_rows"].tolist() == [
        row for row in range(1, imported.rows_read + 1) if row != rejected_row
    ]
    for event_id, article_ids in zip(events["event_id"], events["article_ids"], strict=True):
        # every kept row of these fixtures names its source
        assert {a.rsplit("#", 1)[0] for a in article_ids.split("; ")} == {event_id}


def test_acled_monadic_rows_are_merged_into_one_event_with_both_actors():
    imported = acled.convert(_raw("acled_monadic.csv"), "acled_monadic.csv")
    assert imported.events["event_id"].tolist() == ["acled:BLR500001", "acled:BLR500002"]
    attack = _event(imported, "acled:BLR500001")
    assert attack["actors"] == (
        "Police Forces of Belarus (1994-); Civilians (Belarus); Journalists (Belarus)"
    )
    assert attack["event_date"] == "2024-08-05"
    assert attack["topic"] == "violence_against_civilians"
    assert _event(imported, "acled:BLR500002")["event_date"] == "2020-05-09"
    assert imported.merged.to_dict("records") == [{"row": 2, "event_id": "acled:BLR500001"}]
    assert imported.merged_kind == "actor"
    assert imported.rejected.empty and imported.warnings == []
    _nothing_lost(imported)


# -- UCDP --------------------------------------------------------------------------------------


def test_ucdp_cp1252_file_with_mixed_dates():
    imported = ucdp.convert(_raw("ucdp_ged_cp1252.csv"), "ucdp_ged_cp1252.csv")
    shelling = _event(imported, "ucdp:900001")
    assert shelling["event_date"] == "2014-08-29"
    assert pd.isna(shelling["end_date"])
    assert shelling["date_precision"] == "day"
    assert shelling["geo_precision"] == "exact"
    assert pd.isna(shelling["geometry_wkt"])
    assert shelling["country"] == "UKR"
    assert shelling["actors"] == "Government of Ukraine; DPR"
    assert shelling["fatalities"] == "3"
    assert shelling["topic"] == "armed_clash"
    assert shelling["verification"] == "reported"
    assert shelling["admin1"] == "Donetsk oblast"
    assert shelling["location"] == "Donetsk town"
    assert shelling["source_category"] == "1 state-based conflict | Ukraine: Donetsk"

    unclear = _event(imported, "ucdp:900002")
    assert unclear["event_date"] == "2015-05-02"
    assert unclear["end_date"] == "2015-05-28"
    assert unclear["date_precision"] == "month"
    assert unclear["geo_precision"] == "country"
    assert unclear["geometry_wkt"] == "LINESTRING (37.0 48.0, 38.0 48.5)"
    assert unclear["verification"] == "disputed"
    assert unclear["topic"] == "violence_against_civilians"

    other_side = _event(imported, "ucdp:900003")
    assert other_side["country"] == "RUS"
    assert other_side["date_precision"] == "week"
    assert other_side["end_date"] == "2022-05-04"
    _nothing_lost(imported)


def test_ucdp_articles_split_when_counts_line_up_else_one_combined():
    imported = ucdp.convert(_raw("ucdp_ged_cp1252.csv"), "ucdp_ged_cp1252.csv")
    articles = imported.articles.set_index("article_id")
    assert articles.loc["ucdp:900001#1", ["title", "outlet", "published"]].tolist() == [
        "Shelling in Donetsk",
        "Reuters News",
        "2014-08-29",
    ]
    assert articles.loc["ucdp:900001#2", "title"] == "Donetsk hit — ‘heavy’ fire"
    assert articles.loc["ucdp:900001#2", "published"] == "2014-08-30"
    combined = articles.loc["ucdp:900002#1"]
    assert combined["title"] == "Attack; on a bus"
    assert combined["outlet"] == "Interfax: Ukrainian General Newswire"
    assert combined["published"] == "2015-02-05"
    assert "ucdp:900002#2" not in articles.index
    assert pd.isna(_event(imported, "ucdp:900003")["article_ids"])


# A GED row's source cells, by kind: items that line up (two articles), a headline holding
# ";" that does not line up with one office (one combined article), no source at all (none).
GED_SOURCES = {
    "aligned": ("Test headline A;Test headline B", "Test office A;Test office B",
                "01/02/2020;02/02/2020", 2),
    "unaligned": ("Test headline; with a semicolon", "Test office", "01/02/2020", 1),
    "none": (None, None, None, 0),
}


def _ged_rows(kinds: list[str]) -> pd.DataFrame:
    """A clean GED export of one row per kind, in the full download layout."""
    header = _raw("ucdp_ged_cp1252.csv").columns
    rows = []
    for number, kind in enumerate(kinds, start=1):
        headline, office, published, _ = GED_SOURCES[kind]
        rows.append({"id": str(910000 + number), "relid": f"TST-2020-{number}",
                     "type_of_violence": "1", "conflict_name": "Test conflict",
                     "dyad_name": "Test side A - Test side B", "side_a": "Test side A",
                     "side_b": "Test side B", "source_headline": headline,
                     "source_office": office, "source_date": published, "where_prec": "1",
                     "latitude": "50.0", "longitude": "30.0", "country": "Ukraine",
                     "country_id": "369", "date_prec": "1", "date_start": "2020-02-01",
                     "date_end": "2020-02-01", "best": "1"})
    return pd.DataFrame(rows, columns=header, dtype="str")


@pytest.mark.parametrize(
    "kinds",
    [
        [],
        ["aligned"],
        ["unaligned"],
        ["none"],
        ["aligned"] * 3,
        ["unaligned"] * 3,
        ["none"] * 3,
        ["aligned", "none", "unaligned"],
        ["aligned"] * 8,
        ["none"] * 8,
        ["aligned", "aligned", "none", "aligned", "none", "none", "aligned", "none"],
    ],
)
def test_small_clean_ged_exports_convert_whatever_their_sources(kinds):
    imported = ucdp.convert(_ged_rows(kinds), "ged.csv")
    cited = imported.events["article_ids"].map(
        lambda ids: 0 if pd.isna(ids) else len(ids.split("; "))).tolist()
    assert cited == [GED_SOURCES[kind][3] for kind in kinds]
    assert len(imported.articles) == sum(cited)
    assert imported.rejected.empty
    _nothing_lost(imported)
    events, rejected = validate_events(imported.events, "ged.csv")
    assert (len(events), len(rejected)) == (len(kinds), 0)


def test_explode_articles_with_no_item_at_all():
    from dashboard.importers import _convert as cv

    ids = pd.Series(["a", "b"], dtype="str")
    articles, article_ids = cv.explode_articles(ids, {"outlet": pd.Series([None, " "],
                                                                          dtype="str")})
    assert articles.empty and list(articles.columns)[0] == "article_id"
    assert article_ids.isna().all()


GED_KEYS = ["id", "type_of_violence", "side_a", "side_b", "dyad_name", "date_start", "best"]


@pytest.mark.parametrize(
    ("dropped", "detected"),
    [
        ([], True),
        (["dyad_name"], True),
        (["side_a", "side_b"], True),
        (["side_b"], True),  # the dyad still names both sides
        (["date_start"], False),
        (["type_of_violence"], False),
        (["best"], False),
        (["side_b", "dyad_name"], False),
    ],
)
def test_ged_is_recognised_from_its_key_columns(dropped, detected):
    raw = pd.DataFrame(columns=[c for c in GED_KEYS if c not in dropped], dtype="str")
    assert ucdp.detect(raw, "ged.csv") is detected


@pytest.mark.parametrize(
    ("dates", "event_date", "end_date"),
    [
        ({"date_start": "2023-03-14", "date_end": "2023-03-20"}, "2023-03-14", "2023-03-20"),
        ({"date_start": "2023-03-14"}, "2023-03-14", None),
        ({"date_end": "2023-03-20"}, "2023-03-20", None),
    ],
)
def test_ged_dates_from_whichever_date_column_the_export_kept(dates, event_date, end_date):
    raw = pd.DataFrame([{"id": "1", "type_of_violence": "1", "dyad_name": "A - B", "best": "0",
                         **dates}], dtype="str")
    event = ucdp.convert(raw, "ged.csv").events.iloc[0]
    assert event["event_date"] == event_date
    assert (None if pd.isna(event["end_date"]) else event["end_date"]) == end_date


def test_ged_without_an_id_column_rejects_its_rows_saying_so():
    raw = pd.DataFrame([{"type_of_violence": "1", "dyad_name": "A - B", "best": "0",
                         "date_start": "2023-03-14"}], dtype="str")
    imported = ucdp.convert(raw, "ged.csv")
    assert imported.rejected["reason"].tolist() == ["no UCDP event id (the file has no id column)"]
    _nothing_lost(imported)


def test_ucdp_trimmed_export_of_21_columns_converts_without_sources():
    imported = ucdp.convert(_raw("ucdp_ged_trimmed.csv"), "ucdp_ged_trimmed.csv")
    fields = ["event_id", "event_date", "topic", "sub_type", "country", "admin1", "actors",
              "summary", "fatalities", "source_category"]
    got = imported.events[fields].astype(object).where(imported.events[fields].notna(), None)
    assert got.to_dict("records") == [
        dict(zip(fields, values, strict=True)) for values in [
            ("ucdp:990001", "2023-03-14", "armed_clash", "state-based conflict", "UKR",
             "Test oblast", "Test government; Test rebels",
             "Test government - Test rebels. Test village", "4",
             "1 state-based conflict | Test conflict"),
            ("ucdp:990002", "2023-03-15", "violence_against_civilians", "one-sided violence",
             "UKR", "Test oblast", "Test rebels; Civilians",
             "Test rebels - civilians. Test town", "2", "3 one-sided violence | Test conflict"),
            ("ucdp:990003", "2023-04-01", "armed_clash", "non-state conflict", "RUS", None,
             "Test militia A; Test militia B", "Test militia A - Test militia B", "0",
             "2 non-state conflict | Test conflict"),
        ]
    ]
    assert imported.events["end_date"].isna().all()
    assert imported.events["article_ids"].isna().all() and imported.articles.empty
    _nothing_lost(imported)


# -- VIINA -------------------------------------------------------------------------------------


def test_viina_with_labels_maps_topic_actors_and_keeps_probabilities():
    imported = viina.load_viina(FIXTURES / "viina_event_info.csv", FIXTURES / "viina_labels.csv")
    kovel = _event(imported, "viina:2024080500001")
    assert kovel["event_date"] == "2024-08-05"
    assert kovel["topic"] == "strike"
    assert kovel["sub_type"] == "t_airstrike"
    assert "t_airstrike=0.97" in kovel["source_category"]
    assert "t_civcas=0.60" in kovel["source_category"]
    assert "t_firefight" not in kovel["source_category"]
    assert kovel["actors"] == "Russian or Russian-aligned forces"
    assert kovel["geo_precision"] == "near"
    assert kovel["country"] == "UKR"
    assert kovel["location"] == "Kovel"
    assert kovel["summary"] == "Росіяни атакували Ковель дронами, пошкоджено школу"
    assert kovel["source_dataset"] == "viina (ODbL 1.0)"
    fight = _event(imported, "viina:2024080500002")
    assert fight["topic"] == "armed_clash"
    assert fight["geo_precision"] == "admin"
    assert (
        fight["actors"]
        == "Russian or Russian-aligned forces; Ukrainian or Ukrainian-aligned forces"
    )
    articles = imported.articles.set_index("article_id")
    assert articles.loc["viina:2024080500001#1", "url"].startswith("https://www.pravda.com.ua/")
    assert articles.loc["viina:2024080500001#1", "outlet"] == "pravdaua"
    assert articles.loc["viina:2024080500001#1", "language"] == "uk"
    assert articles.loc["viina:2024080500001#1", "published"] == "2024-08-05"
    assert any("ODbL" in warning for warning in imported.warnings)
    _nothing_lost(imported)


def test_viina_without_labels_is_other_and_rejects_rows_without_id():
    imported = viina.convert(_raw("viina_event_info.csv"), "viina_event_info.csv")
    assert imported.events["topic"].tolist() == ["other", "other"]
    assert imported.rejected["row"].tolist() == [3]
    _nothing_lost(imported)


# -- GDELT -------------------------------------------------------------------------------------


def test_gdelt_mixed_57_and_58_field_rows():
    imported = gdelt.convert(gdelt.read(FIXTURES / "gdelt_v1_mixed.tsv"), "gdelt_v1_mixed.tsv")
    assert imported.rows_read == 4
    strike = _event(imported, "gdelt:1180000001")
    assert strike["event_date"] == "2024-08-05"
    assert strike["topic"] == "armed_clash"
    assert strike["country"] == "UKR"
    assert strike["geo_precision"] == "near"
    assert strike["location"] == "Kovel, Volyns'ka Oblast', Ukraine"
    assert strike["actors"] == "RUSSIA; UKRAINE"
    assert strike["source_category"].startswith("CAMEO 190 (root 19) | QuadClass 4")
    protest = _event(imported, "gdelt:1180000002")
    assert protest["topic"] == "protest"
    assert protest["country"] == "POL"
    assert protest["geo_precision"] == "country"
    assert pd.isna(protest["article_ids"])
    yielded = _event(imported, "gdelt:1180000003")
    assert yielded["country"] == "LTU"
    assert yielded["geo_precision"] == "admin"
    unlocated = _event(imported, "gdelt:1180000004")
    assert pd.isna(unlocated["geo_precision"]) and pd.isna(unlocated["latitude"])
    articles = imported.articles.set_index("article_id")
    assert articles.loc["gdelt:1180000001#1", "outlet"] == "example-news.ua"
    assert articles.loc["gdelt:1180000001#1", "url"] == "https://www.example-news.ua/kovel-strike"
    assert articles.loc["gdelt:1180000003#1", "outlet"] == "BBC Monitoring"
    assert pd.isna(articles.loc["gdelt:1180000003#1", "url"])
    _nothing_lost(imported)


@pytest.mark.parametrize(("text", "width"), [
    ("1\n", 1),  # a one-column table read as GDELT (the user chose the format)
    ("event_id,topic\na-1,strike\n".replace(",", "\t"), 2),
    ("\t".join(str(i) for i in range(60)) + "\n", 60),  # between 1.0's 58 and 2.0's 61
])
def test_gdelt_refuses_every_row_of_a_table_of_another_width(text, width):
    raw = gdelt.read(text.encode(), "chosen.tsv")
    imported = gdelt.convert(raw, "chosen.tsv")
    assert imported.events.empty and imported.rows_read == len(raw)
    reasons = set(imported.rejected["reason"])
    assert reasons == {f"not a GDELT event row (fields: {width}; GDELT 1.0 has 57 or 58, "
                       "GDELT 2.0 has 61)"}
    assert sorted(imported.rejected["row"]) == list(range(1, len(raw) + 1))
    _nothing_lost(imported)


def test_gdelt_2_layout():
    imported = gdelt.convert(gdelt.read(FIXTURES / "gdelt_v2.tsv"), "gdelt_v2.tsv")
    event = _event(imported, "gdelt:1190000001")
    assert event["country"] == "BLR"
    assert (event["latitude"], event["longitude"]) == ("53.6884", "23.8258")
    assert event["topic"] == "armed_clash"
    assert imported.articles["url"].tolist() == [
        "https://news.example.by/a",
        "https://news.example.pl/b",
    ]
    assert _event(imported, "gdelt:1190000002")["country"] == "POL"


# -- through the registry ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "expected", "events"),
    [
        ("acled_dyadic.csv", "acled", 4),
        ("ucdp_ged_cp1252.csv", "ucdp", 3),
        ("ucdp_ged_trimmed.csv", "ucdp", 3),
        ("viina_event_info.csv", "viina", 2),
        ("gdelt_v1_mixed.tsv", "gdelt", 4),
        ("gdelt_v2.tsv", "gdelt", 2),
    ],
)
def test_import_file_detects_and_converts(fixture, expected, events):
    from dashboard.importers import import_file

    imported = import_file(FIXTURES / fixture)
    assert imported.format == expected
    assert len(imported.events) == events
    _nothing_lost(imported)


def _api_records(fixture: str) -> list[dict]:
    """A fixture's rows as an API gives them: numbers as JSON numbers, blanks as null."""
    import json

    frame = pd.read_csv(FIXTURES / fixture, encoding="cp1252" if "cp1252" in fixture else None)
    return json.loads(frame.to_json(orient="records"))


@pytest.mark.parametrize(
    ("fixture", "envelope", "expected", "events"),
    [
        ("acled_dyadic.csv", lambda r: {"status": 200, "success": True, "count": len(r),
                                        "messages": [], "data": r}, "acled", 4),
        ("ucdp_ged_cp1252.csv", lambda r: {"TotalCount": len(r), "TotalPages": 1,
                                           "NextPageUrl": "", "Result": r}, "ucdp", 3),
        ("acled_dyadic.csv", lambda r: {"meta": {"page": 1}, "notes": [], "rows": r}, "acled", 4),
    ],
)
def test_api_responses_are_read_from_their_records_member(fixture, envelope, expected, events):
    import json

    from dashboard.importers import import_file

    document = json.dumps(envelope(_api_records(fixture))).encode()
    imported = import_file(document, "response.json")
    assert imported.format == expected
    assert len(imported.events) == events
    _nothing_lost(imported)


@pytest.mark.parametrize(("fixture", "expected", "events"),
                         [("gdelt_v1_mixed.tsv", "gdelt", 4), ("ucdp_ged_cp1252.csv", "ucdp", 3)])
def test_zipped_exports_are_detected_and_converted(fixture, expected, events):
    """GDELT and UCDP publish zipped CSV; GDELT's headerless reader gets the inner file."""
    import io
    import zipfile

    from dashboard.importers import import_file

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(fixture.upper(), (FIXTURES / fixture).read_bytes())
    imported = import_file(buffer.getvalue(), f"{fixture}.zip")
    assert imported.format == expected
    assert len(imported.events) == events
    _nothing_lost(imported)


def test_a_json_object_with_two_record_lists_is_refused_not_guessed():
    import json

    document = json.dumps({"a": [{"event_id": "x"}], "b": [{"event_id": "y"}]}).encode()
    with pytest.raises(readers.LoadError, match="one list of records"):
        readers.read_tables(document, "two.json")


def test_import_file_with_a_mapping_dict():
    from dashboard.importers import import_file

    mapping = {"date": "event_date", "location": "location", "topic": "event_type"}
    imported = import_file(FIXTURES / "acled_dyadic.csv", mapping=mapping)
    assert imported.format == "mapped"
    assert imported.events["event_date"].iloc[0] == "2024-08-05"
    assert imported.events["location"].iloc[1] == "Białystok"


# -- VIINA labels file given apart, in the README's event_labels layout -------------------------


def test_import_file_joins_a_viina_labels_file_in_the_readme_layout():
    from dashboard.importers import import_file

    imported = import_file(
        FIXTURES / "viina_event_info.csv", labels=FIXTURES / "viina_event_labels.csv"
    )
    kovel = _event(imported, "viina:2024080500001")
    assert (kovel["topic"], kovel["sub_type"]) == ("strike", "t_airstrike")
    assert "t_airstrike=0.9731" in kovel["source_category"]
    assert "t_civcas=0.6021" in kovel["source_category"]
    assert "t_artillery" not in kovel["source_category"]
    assert kovel["actors"] == "Russian or Russian-aligned forces"
    assert kovel["source_dataset"] == "viina (ODbL 1.0)"
    fight = _event(imported, "viina:2024080500002")
    assert (fight["topic"], fight["sub_type"]) == ("armed_clash", "t_firefight")
    assert any("viina_event_labels.csv gave labels for 2 of 3" in w for w in imported.warnings)
    assert any("ODbL" in w for w in imported.warnings)
    _nothing_lost(imported)


def test_labels_file_for_another_format_is_ignored_with_a_warning():
    from dashboard.importers import import_file

    imported = import_file(
        FIXTURES / "acled_dyadic.csv", labels=FIXTURES / "viina_event_labels.csv"
    )
    assert imported.format == "acled"
    assert any("only used with VIINA" in w for w in imported.warnings)


def test_a_labels_file_without_labels_is_one_load_error():
    from dashboard.importers import import_file

    with pytest.raises(readers.LoadError, match="acled_dyadic.csv: not a VIINA labels file"):
        import_file(FIXTURES / "viina_event_info.csv", labels=FIXTURES / "acled_dyadic.csv")


def test_one_line_gdelt_file_is_gdelt_not_csv():
    from dashboard.importers import import_file

    first = (FIXTURES / "gdelt_v2.tsv").read_bytes().splitlines()[0] + b"\n"
    imported = import_file(first, "one_line.tsv")
    assert imported.format == "gdelt"
    assert imported.events["event_id"].tolist() == ["gdelt:1190000001"]


def test_explode_articles_numbers_items_per_event_and_skips_blanks():
    from dashboard.importers import _convert as cv

    ids = pd.Series(["a", "b", "c", "d"], index=[10, 11, 12, 13], dtype="str")
    outlets = pd.Series(["X; Y", None, " ; Z;", "W"], index=ids.index, dtype="str")
    articles, article_ids = cv.explode_articles(ids, {"outlet": outlets})
    assert articles["article_id"].tolist() == ["a#1", "a#2", "c#1", "d#1"]
    assert articles["outlet"].tolist() == ["X", "Y", "Z", "W"]
    assert article_ids.index.tolist() == [10, 11, 12, 13]
    assert article_ids[10] == "a#1; a#2"
    assert pd.isna(article_ids[11])
    assert article_ids[12] == "c#1"


def test_per_unique_keeps_na_and_order():
    from dashboard.importers import _convert as cv

    values = pd.Series(["1", None, "2.0", "1", "x"], index=[5, 6, 7, 8, 9], dtype="str")
    result = cv.integer_text(values)
    assert result.index.tolist() == [5, 6, 7, 8, 9]
    assert pd.isna(result[6])
    assert result[[5, 7, 8, 9]].tolist() == ["1", "2", "1", "x"]
    assert cv.lookup(values, {"1": "day"}).tolist()[3] == "day"
