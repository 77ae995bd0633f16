"""The bundled dataset says exactly what the reporting brief says, and nothing it does not.

The tables below are the spec, copied from the brief and the seed article: the nine titles
verbatim, and for every event its topic, date, precision and verification level.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import shapely

from dashboard.schema import (
    ARTICLE_COLUMNS,
    EVENT_COLUMNS,
    GEO_PRECISIONS,
    LIST_COLUMNS,
    VERIFICATION_LEVELS,
    split_list,
)

DATA = Path(__file__).resolve().parents[2] / "data"

SEED_TITLE = "Zelenskyy reveals Lukashenka’s apology for Russian invasion from Belarus in 2022"
RELATED_TITLES = [
    "Poland extends buffer zone on border with Belarus amid continued migration pressure",
    "Belarusian court sentences Ukrainian to ten years for alleged espionage",
    "Inside Kremlin’s hidden torture camp for Ukrainians in Belarus",
    "Journalists unveil torture camp in Belarus set up for Ukrainians, including children",
    "No significant Russian military threat in Belarus, Ukrainian Border Service reports",
    "Belarus moves significant military forces to Ukrainian border, cites security concerns",
    "Putin ally Lukashenko labels Ukraine “enemy”, puts Belarusian troops on alert",
    "Belarus dictator discusses possible attack on Suwalki Corridor in Lithuania",
]

# (title of the first cited article, topic, event_date, date_precision, end_date, verification)
# "" means the brief gives no value. Seed-article rows are told apart by their dates.
EXPECTED_EVENTS = [
    (SEED_TITLE, "strike", "2022-02-24", "day", "", "reported"),
    (SEED_TITLE, "statement", "2022-02-25", "day", "2022-02-26", "alleged"),
    (SEED_TITLE, "statement", "2025-01-05", "day", "", "reported"),
    (RELATED_TITLES[0], "border_zone", "", "", "", "reported"),
    (RELATED_TITLES[1], "legal", "", "", "", "reported"),
    (RELATED_TITLES[2], "camp", "", "", "", "reported"),
    (RELATED_TITLES[3], "camp", "", "", "", "reported"),
    (RELATED_TITLES[4], "troop_movement", "", "", "", "reported"),
    (RELATED_TITLES[5], "troop_movement", "2024-08", "month", "", "reported"),
    (RELATED_TITLES[6], "troop_movement", "", "", "", "reported"),
    (RELATED_TITLES[7], "statement", "", "", "", "reported"),
    ("Background: Poland reinstates a buffer zone along about 60 km of the Belarus border in "
     "Podlaskie", "border_zone", "2024-06-13", "day", "", "confirmed"),
    ("Background: Poland declares a state of emergency in the strip along the Belarus border "
     "(Podlaskie, Lubelskie)", "border_zone", "2021-09-02", "day", "", "confirmed"),
    ("Background: Zapad-2021 joint Russian–Belarusian strategic exercise",
     "troop_movement", "2021-09-10", "day", "2021-09-16", "confirmed"),
    ("Background: Migrant camp at the Bruzgi–Kuźnica border crossing, Belarusian side",
     "camp", "2021-11-08", "day", "", "reported"),
    ("Background: Union Resolve 2022: Russian forces exercise in Belarus before the invasion",
     "troop_movement", "2022-02-10", "day", "2022-02-20", "confirmed"),
    ("Background: Russian forces enter Ukraine from Belarus (Kyiv offensive)",
     "troop_movement", "2022-02-24", "day", "", "reported"),
    ("Background: Poland completes the steel barrier on the Belarus border",
     "border_zone", "2022-06-30", "day", "", "confirmed"),
    ("Background: Drone attack on a Russian A-50 aircraft at Machulishchy airfield near Minsk; "
     "damage disputed", "strike", "2023-02-26", "day", "", "claimed"),
    ("Background: Putin announces stationing of Russian tactical nuclear weapons in Belarus",
     "troop_movement", "2023-03-25", "day", "", "confirmed"),
    ("Background: Wagner Group fighters move to a camp near Tsel, Asipovichy district, Belarus",
     "camp", "2023-07", "month", "", "reported"),
    ("Background: Russian drones violate Polish airspace; several shot down",
     "strike", "2025-09-09", "day", "2025-09-10", "confirmed"),
    ("Background: Poland closes its border crossings with Belarus during Zapad-2025",
     "border_zone", "2025-09-12", "day", "", "confirmed"),
    ("Background: Zapad-2025 joint Russian–Belarusian exercise",
     "troop_movement", "2025-09-12", "day", "2025-09-16", "confirmed"),
]

DATE_FORMS = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def events() -> list[dict[str, str]]:
    return _read("events.csv")[1]


@pytest.fixture(scope="module")
def articles() -> dict[str, dict[str, str]]:
    return {row["article_id"]: row for row in _read("articles.csv")[1]}


def test_files_have_exactly_the_canonical_columns() -> None:
    assert _read("events.csv")[0] == EVENT_COLUMNS
    assert _read("articles.csv")[0] == ARTICLE_COLUMNS


def test_ids_are_unique_and_every_citation_resolves(events, articles) -> None:
    event_ids = [e["event_id"] for e in events]
    assert len(event_ids) == len(set(event_ids))
    assert len(articles) == len(_read("articles.csv")[1])  # article ids unique
    cited = set()
    for event in events:
        ids = split_list(event["article_ids"])
        assert ids, event["event_id"]
        assert set(ids) <= set(articles), event["event_id"]
        cited.update(ids)
    assert cited == set(articles), "every article record is cited by at least one event"


def test_the_nine_seed_titles_are_article_titles_verbatim(articles) -> None:
    titles = [a["title"] for a in articles.values()]
    for title in [SEED_TITLE, *RELATED_TITLES]:
        assert titles.count(title) == 1, title


def test_every_row_of_the_brief_is_one_event(events, articles) -> None:
    actual = sorted(
        (
            articles[split_list(e["article_ids"])[0]]["title"],
            e["topic"],
            e["event_date"],
            e["date_precision"],
            e["end_date"],
            e["verification"],
        )
        for e in events
    )
    assert actual == sorted(EXPECTED_EVENTS)


def test_no_invented_url_outlet_publication_date_or_figure(events, articles) -> None:
    for article in articles.values():
        assert article["url"] == "" and article["outlet"] == "" and article["published"] == ""
        assert article["language"] == "en"
    assert all(e["fatalities"] == "" for e in events)
    for name in ("events.csv", "articles.csv"):
        text = (DATA / name).read_text(encoding="utf-8")
        assert "http" not in text and "www." not in text


def test_background_records_are_labelled_and_not_dressed_as_news(events, articles) -> None:
    background = {k: a for k, a in articles.items() if a["title"].startswith("Background: ")}
    assert len(background) == 14
    for article_id, article in background.items():
        assert "widely documented public record" in article["summary"].lower()
        citing = [e for e in events if article_id in split_list(e["article_ids"])]
        assert len(citing) == 1, article_id
    # The only event citing a headline and a background record is the one the brief pairs.
    paired = [e for e in events if len(split_list(e["article_ids"])) > 1]
    assert [[articles[a]["title"] for a in split_list(e["article_ids"])] for e in paired] == [
        [RELATED_TITLES[5], "Background: Lukashenka says a large part of Belarus's army has been "
         "moved to the Ukrainian border"]
    ]


def test_dates_match_their_precision_and_undated_events_say_so(events) -> None:
    for event in events:
        date, precision = event["event_date"], event["date_precision"]
        if not date:
            assert precision == "" and event["end_date"] == ""
            assert "undated" in event["summary"].lower(), event["event_id"]
            continue
        assert re.fullmatch(DATE_FORMS[precision], date), event["event_id"]
        if event["end_date"]:
            assert re.fullmatch(DATE_FORMS["day"], event["end_date"])
            assert event["end_date"] > date


def test_coordinates_are_approximate_or_absent(events, articles) -> None:
    for event in events:
        lat, lon, precision = event["latitude"], event["longitude"], event["geo_precision"]
        if not lat:
            # No point; "country" still says how vague the place is (the map counts it).
            assert lon == "" and precision in ("", "country"), event["event_id"]
            continue
        assert 43 < float(lat) < 61 and 12 < float(lon) < 45, event["event_id"]
        # The brief's coordinates are place-level at best: never "exact".
        assert precision in GEO_PRECISIONS and precision != "exact", event["event_id"]
    # The brief gives no place for these headlines, and no point for the border north of
    # Kyiv or for "eastern Poland", so their events have no coordinates.
    unlocated = {articles[split_list(e["article_ids"])[0]]["title"] for e in events
                 if not e["latitude"]}
    assert unlocated == {*RELATED_TITLES[1:7], *VAGUE_PLACES.values()}


# Places the brief gives only vaguely: no reference point stands in for them.
VAGUE_PLACES = {
    "evt-017": "Background: Russian forces enter Ukraine from Belarus (Kyiv offensive)",
    "evt-022": "Background: Russian drones violate Polish airspace; several shot down",
}


@pytest.mark.parametrize("event_id", sorted(VAGUE_PLACES))
def test_a_vague_place_is_country_level_without_a_stand_in_point(events, articles,
                                                                 event_id) -> None:
    (event,) = [e for e in events if e["event_id"] == event_id]
    assert articles[event["article_ids"]]["title"] == VAGUE_PLACES[event_id]
    place = {k: event[k] for k in ("latitude", "longitude", "geo_precision")}
    assert place == {"latitude": "", "longitude": "", "geo_precision": "country"}
    assert "no coordinates" in event["summary"].lower()


# A reference point a summary names, and the coordinates that point has in the brief.
REFERENCE_POINTS = {"Minsk": ("53.90", "27.56"), "Kyiv": ("50.45", "30.52"),
                    "Warsaw": ("52.23", "21.01")}


def test_a_summary_names_the_point_its_event_uses(events) -> None:
    for event in events:
        summary = event["summary"]
        for name, point in REFERENCE_POINTS.items():
            if f"Placed at {name}" in summary or f"{name} reference point" in summary:
                assert (event["latitude"], event["longitude"]) == point, event["event_id"]
        if "no coordinates" in summary.lower():
            assert event["latitude"] == "", event["event_id"]


# Actors, region and countries involved of every event: only what the brief or the cited
# headline names (in their words), empty where they name none.
PARTIES = {
    "evt-001": ("", "Gomel Region", "BLR; RUS; UKR"),  # "Russian missiles": no actor named
    "evt-002": ("Alexander Lukashenka; Volodymyr Zelenskyy", "", "BLR; UKR; RUS"),
    "evt-003": ("Volodymyr Zelenskyy; Lex Fridman", "", "UKR; BLR"),
    "evt-004": ("Polish government", "Podlaskie", "POL; BLR"),
    "evt-005": ("Belarusian court", "", "BLR; UKR"),
    "evt-006": ("", "", "BLR; RUS; UKR"),
    "evt-007": ("", "", "BLR; UKR"),
    "evt-008": ("Ukrainian Border Service", "", "UKR; BLR"),
    "evt-009": ("Alexander Lukashenka; Belarusian armed forces", "", "BLR; UKR"),
    "evt-010": ("Alexander Lukashenka; Belarusian armed forces", "", "BLR; UKR"),
    "evt-011": ("", "", "BLR; LTU; POL"),  # the headline's "Belarus dictator" is not named
    "evt-012": ("Polish government", "Podlaskie", "POL; BLR"),
    "evt-013": ("Polish government", "Podlaskie and Lubelskie", "POL; BLR"),
    "evt-014": ("Russian armed forces; Belarusian armed forces", "", "BLR; RUS"),
    "evt-015": ("", "", "BLR; POL"),
    "evt-016": ("Russian armed forces", "", "BLR; RUS"),  # Russian forces exercise in Belarus
    "evt-017": ("Russian armed forces", "", "RUS; BLR; UKR"),
    "evt-018": ("Polish government", "", "POL; BLR"),
    "evt-019": ("Belarusian opposition partisans", "", "BLR; RUS"),
    "evt-020": ("Vladimir Putin", "", "RUS; BLR"),
    "evt-021": ("Wagner Group", "", "BLR"),  # the brief places a camp in Belarus, nothing more
    "evt-022": ("", "", "RUS; POL"),  # "Russian drones": no actor named
    "evt-023": ("Polish government", "", "POL; BLR"),
    "evt-024": ("Russian armed forces; Belarusian armed forces", "", "BLR; RUS"),
}


def test_actors_regions_and_countries_are_the_briefs(events) -> None:
    actual = {e["event_id"]: (e["actors"], e["admin1"], e["countries_involved"])
              for e in events}
    assert actual == PARTIES


def test_a_statement_stays_attributed_to_its_speaker(events) -> None:
    """The brief gives the August 2024 move as what Lukashenka said, not as a fact."""
    (event,) = [e for e in events if e["event_id"] == "evt-009"]
    assert "Lukashenka" in event["summary"] and " said " in event["summary"]
    assert not event["summary"].startswith("Belarus moves")


def test_suwalki_corridor_is_the_briefs_line_in_lon_lat_order(events, articles) -> None:
    (event,) = [e for e in events if e["geometry_wkt"]]
    assert articles[event["article_ids"]]["title"] == RELATED_TITLES[7]
    line = shapely.from_wkt(event["geometry_wkt"])
    assert line.geom_type == "LineString"
    assert list(line.coords) == [(22.79, 54.36), (23.51, 53.94)]
    assert set(split_list(event["countries_involved"])) == {"BLR", "LTU", "POL"}


def test_codes_lists_and_vocabularies(events) -> None:
    _, topics = _read("topics.csv")
    topic_keys = {t["key"] for t in topics}
    for event in events:
        assert event["topic"] in topic_keys
        assert event["verification"] in VERIFICATION_LEVELS
        assert event["source_dataset"] == "bundled"
        assert re.fullmatch(r"[A-Z]{3}", event["country"])
        involved = split_list(event["countries_involved"])
        assert event["country"] in involved
        assert all(re.fullmatch(r"[A-Z]{3}", code) for code in involved)
        for column in LIST_COLUMNS:
            assert "; ;" not in event[column] and not event[column].endswith(";")


def test_topic_file_has_the_required_keys_and_distinct_colours() -> None:
    columns, topics = _read("topics.csv")
    languages = ["uk", "pl", "lt", "be", "ru"]
    assert columns == ["key", "label", "colour", "description",
                       *(f"{part}_{lang}" for lang in languages
                         for part in ("label", "description"))]
    keys = [t["key"] for t in topics]
    required = {"border_zone", "troop_movement", "camp", "strike", "legal", "statement",
                "armed_clash", "protest", "other"}
    assert required <= set(keys) and len(keys) == len(set(keys))
    colours = [t["colour"].upper() for t in topics]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours)
    assert len(colours) == len(set(colours))
    assert all(t["label"] and t["description"] for t in topics)
    # every topic in every interface language (docs/i18n.md)
    assert all(t[column] for t in topics for column in columns[4:])
