"""Filters: URL parsing, round trips, row selection, sentences and file names."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from eventframes import event_frame

from dashboard import schema
from dashboard.filters import ArticleLinks, Filters, articles_for, cited_articles, newest_first

D = dt.date


def make_events(rows: list[dict]) -> pd.DataFrame:
    """``event_frame`` with ``topic`` as a category: the masks must work on one too."""
    frame = event_frame(rows)
    frame["topic"] = frame["topic"].astype("category")
    return frame


EVENTS = make_events(
    [
        dict(event_id="e1", country="POL", countries_involved="POL; BLR", topic="border_zone",
             actors="Border Guard; Wagner Group, PMC", verification="confirmed",
             summary="Fence damaged near Kuźnica", location="Kuźnica", article_ids="a1; a2",
             date_min="2024-01-05", date_max="2024-01-05"),
        dict(event_id="e2", country="LTU", countries_involved="LTU", topic="airspace",
             actors="Unknown", verification="reported", summary="Balloons crossed",
             location="Vilnius", article_ids="a3", date_min="2024-03-01", date_max="2024-03-31"),
        dict(event_id="e3", country="BLR", countries_involved="BLR; UKR; POL",
             topic="border_zone", actors="Wagner Group", verification="claimed",
             summary="Exercises announced", location=None, article_ids="a2",
             date_min="2023-12-20", date_max="2024-01-02"),
        dict(event_id="e4", country="UKR", countries_involved=None, topic="strike",
             actors=None, verification="alleged", summary=None, location="Lviv",
             article_ids=None, date_min=None, date_max=None),
    ]
)

ARTICLES = pd.DataFrame(
    {
        "article_id": ["a1", "a2", "a3", "a9"],
        "title": ["Fence report", "Belarus DRILLS begin", "Balloons over Vilnius", "Unrelated"],
        "outlet": ["Outlet One", "Outlet Two", "Outlet One", "Outlet Three"],
        "url": ["https://example.org/1", None, "https://example.org/3", None],
        "published": ["2024-01-06", "2024-01-01", "2024-03-02", "2024-05-01"],
        "language": ["en", "en", "lt", "en"],
        "summary": [None, None, None, None],
    },
    dtype="str",
)


def ids(frame: pd.DataFrame) -> list[str]:
    return list(frame["event_id"])


# ---------------------------------------------------------------- from_query

PARSE_CASES = [
    ({}, Filters(), []),
    ({"country": "POL,LTU"}, Filters(countries=("POL", "LTU")), []),
    ({"country": ["POL", "LTU"]}, Filters(countries=("POL", "LTU")), []),
    ({"country": ["pol", "POL"]}, Filters(countries=("POL",)), []),
    ({"country": "Poland"}, Filters(), ["country"]),
    ({"country": "POL,XX1"}, Filters(countries=("POL",)), ["country"]),
    ({"topic": "Border_Zone"}, Filters(topics=("border_zone",)), []),
    ({"topic": "border zone!"}, Filters(), ["topic"]),
    ({"actor": '["Wagner Group, PMC","X"]'}, Filters(actors=("Wagner Group, PMC", "X")), []),
    ({"actor": "[not json"}, Filters(actors=("[not json",)), []),
    ({"actor": '["broken'}, Filters(actors=('["broken',)), []),
    ({"actor": "[1, 2]"}, Filters(), ["JSON list of strings"]),
    ({"actor": "[\"a\""+"]"}, Filters(actors=("a",)), []),
    ({"verification": "confirmed,Reported"}, Filters(verifications=("confirmed", "reported")), []),
    ({"verification": "rumour"}, Filters(), ["verification"]),
    ({"outlet": "Outlet One"}, Filters(outlets=("Outlet One",)), []),
    ({"q": " drone, fence "}, Filters(text="drone, fence"), []),
    ({"q": ["a", "b"]}, Filters(text="a"), ["first is used"]),
    ({"from": "2024-01-01"}, Filters(date_from=D(2024, 1, 1)), []),
    ({"from": "2024-13-01"}, Filters(), ["YYYY-MM-DD"]),
    ({"from": "2024-02-01", "to": "2024-01-01"}, Filters(), ["after"]),
    ({"to": "2024-12-31"}, Filters(date_to=D(2024, 12, 31)), []),
    ({"undated": "0"}, Filters(include_undated=False), []),
    ({"undated": "1"}, Filters(), []),
    ({"undated": "maybe"}, Filters(), ["1 or 0"]),
    ({"colour": "red"}, Filters(), ["Unknown filter 'colour'"]),
    ({"country": ""}, Filters(), []),
    ({"country": ",,"}, Filters(), []),
    ({"COUNTRY": "POL"}, Filters(countries=("POL",)), []),
]


@pytest.mark.parametrize(("params", "expected", "notice_words"), PARSE_CASES)
def test_from_query(params, expected, notice_words):
    filters, notices = Filters.from_query(params)
    assert filters == expected
    assert len(notices) == len(notice_words)
    for notice, word in zip(notices, notice_words, strict=True):
        assert word in notice


# ---------------------------------------------------------------- round trip

ROUND_TRIP = [
    Filters(),
    Filters(countries=("POL", "LTU"), topics=("border_zone",)),
    Filters(actors=("Wagner Group, PMC", "Border Guard")),
    Filters(actors=("[bracketed]",)),
    Filters(outlets=("Outlet One",), text="drone, fence", include_undated=False),
    Filters(date_from=D(2024, 1, 1), date_to=D(2025, 12, 31), verifications=("confirmed",)),
]


@pytest.mark.parametrize("filters", ROUND_TRIP)
def test_round_trip(filters):
    assert Filters.from_query(filters.to_query()) == (filters, [])


@pytest.mark.parametrize(
    ("filters", "query"),
    [
        (Filters(), {}),
        (Filters(countries=("POL", "LTU"), date_from=D(2024, 1, 1)),
         {"country": "POL,LTU", "from": "2024-01-01"}),
        (Filters(actors=("A, B",)), {"actor": '["A, B"]'}),
        (Filters(include_undated=False), {"undated": "0"}),
    ],
)
def test_to_query(filters, query):
    assert filters.to_query() == query


def test_construction_normalises_and_hashes():
    assert Filters(countries=["POL", " POL ", ""]) == Filters(countries=("POL",))
    assert hash(Filters(topics=("a",))) == hash(Filters(topics=["a"]))


# ---------------------------------------------------------------- apply

APPLY_CASES = [
    (Filters(), ["e1", "e2", "e3", "e4"]),
    (Filters(countries=("POL",)), ["e1", "e3"]),  # e3 via countries_involved
    (Filters(countries=("UKR",)), ["e3", "e4"]),
    (Filters(countries=("LTU", "UKR")), ["e2", "e3", "e4"]),
    (Filters(countries=("BL",)), []),
    (Filters(topics=("border_zone",)), ["e1", "e3"]),
    (Filters(topics=("nothing",)), []),
    (Filters(actors=("Wagner Group",)), ["e3"]),  # exact item, not a substring of e1's
    (Filters(actors=("Wagner Group, PMC",)), ["e1"]),
    (Filters(actors=("Border Guard", "Unknown")), ["e1", "e2"]),
    (Filters(verifications=("confirmed", "alleged")), ["e1", "e4"]),
    (Filters(outlets=("Outlet One",)), ["e1", "e2"]),
    (Filters(outlets=("Outlet Three",)), []),
    (Filters(text="fence"), ["e1"]),  # summary
    (Filters(text="VILNIUS"), ["e2"]),  # location and title
    (Filters(text="drills"), ["e1", "e3"]),  # title of a2, cited by both
    (Filters(text="lviv"), ["e4"]),
    (Filters(date_from=D(2024, 1, 1)), ["e1", "e2", "e3", "e4"]),  # e3 ends 01-02; e4 undated
    (Filters(date_from=D(2024, 1, 3)), ["e1", "e2", "e4"]),
    (Filters(date_from=D(2024, 1, 3), include_undated=False), ["e1", "e2"]),
    (Filters(date_to=D(2023, 12, 31)), ["e3", "e4"]),
    (Filters(date_from=D(2024, 3, 15), date_to=D(2024, 3, 15)), ["e2", "e4"]),  # inside month
    (Filters(date_from=D(2024, 4, 1), date_to=D(2024, 4, 30)), ["e4"]),
    (Filters(include_undated=False), ["e1", "e2", "e3"]),
    (Filters(countries=("POL",), topics=("border_zone",), verifications=("claimed",)), ["e3"]),
]


@pytest.mark.parametrize(("filters", "expected"), APPLY_CASES)
def test_apply(filters, expected):
    assert ids(filters.apply(EVENTS, ARTICLES)) == expected


def test_apply_without_articles_searches_summary_and_location_only():
    assert ids(Filters(text="drills").apply(EVENTS)) == []
    assert ids(Filters(text="fence").apply(EVENTS)) == ["e1"]


def test_outlet_without_articles_is_a_clear_error():
    with pytest.raises(ValueError, match="articles"):
        Filters(outlets=("Outlet One",)).apply(EVENTS)


def test_apply_on_plain_string_columns_and_empty_frames():
    plain = EVENTS.astype({"topic": "str", "country": "category"})
    assert ids(Filters(topics=("border_zone",), countries=("POL",)).apply(plain)) == ["e1", "e3"]
    empty = EVENTS.iloc[:0]
    assert Filters(countries=("POL",), actors=("X",), text="x").apply(empty, ARTICLES).empty


def test_list_match_agrees_with_a_plain_python_reference():
    rng = np.random.default_rng(7)
    pool = ["POL", "LTU", "BLR", "UKR", "LVA"]
    lists = ["; ".join(rng.choice(pool, size=rng.integers(0, 4), replace=False)) or None
             for _ in range(500)]
    frame = make_events([dict(event_id=f"e{i}", countries_involved=v, country="XXX")
                         for i, v in enumerate(lists)])
    got = ids(Filters(countries=("LVA", "BLR")).apply(frame))
    want = [f"e{i}" for i, v in enumerate(lists)
            if v and {"LVA", "BLR"} & set(schema.split_list(v))]
    assert got == want


# ---------------------------------------------------------------- articles_for


def test_articles_for_lists_sources_newest_first_with_their_events():
    events = Filters(topics=("border_zone",)).apply(EVENTS)
    result = articles_for(events, ARTICLES)
    assert list(result["article_id"]) == ["a1", "a2"]  # 2024-01-06 before 2024-01-01
    assert list(result.columns) == [*schema.ARTICLE_COLUMNS, "topics", "countries",
                                    "verification", "event_ids"]
    second = result.iloc[1]
    assert set(schema.split_list(second["event_ids"])) == {"e1", "e3"}
    assert set(schema.split_list(second["countries"])) == {"POL", "BLR"}
    assert second["topics"] == "border_zone"
    levels = set(EVENTS.loc[EVENTS["event_id"].isin(["e1", "e3"]), "verification"])
    assert set(schema.split_list(second["verification"])) == levels


def test_articles_for_skips_unknown_ids_and_empty_input():
    events = make_events([dict(event_id="x", article_ids="a3; missing", topic="t", country="LTU")])
    assert list(articles_for(events, ARTICLES)["article_id"]) == ["a3"]
    assert articles_for(EVENTS.iloc[:0], ARTICLES).empty
    assert articles_for(EVENTS[EVENTS["event_id"] == "e4"], ARTICLES).empty


# ---------------------------------------------------------------- describe and slug

DESCRIBE_CASES = [
    (Filters(), {}, "All events"),
    (Filters(countries=("POL", "LTU"), topics=("border_zone",), date_from=D(2024, 1, 1)), {},
     "Events in Poland or Lithuania, topic Border zone, from 2024-01-01, plus undated events"),
    (Filters(topics=("border_zone", "airspace")), {"airspace": "Airspace violation"},
     "Events topics Border zone or Airspace violation"),
    (Filters(actors=("A", "B", "C"), include_undated=False),
     {}, "Events involving A, B or C, undated events left out"),
    (Filters(verifications=("confirmed",), outlets=("Outlet One",), text="drone"), {},
     "Events verification confirmed, reported by Outlet One, mentioning \u201cdrone\u201d"),
    (Filters(date_to=D(2024, 2, 1), include_undated=False), {},
     "Events until 2024-02-01, undated events left out"),
    (Filters(countries=("XKX",)), {}, "Events in XKX"),
]


@pytest.mark.parametrize(("filters", "labels", "sentence"), DESCRIBE_CASES)
def test_describe(filters, labels, sentence):
    assert filters.describe(labels) == sentence


SLUG_CASES = [
    (Filters(), "all"),
    (Filters(countries=("POL",), topics=("border_zone",), date_from=D(2024, 1, 1),
             date_to=D(2025, 12, 31)), "POL_border_zone_2024-01-01_2025-12-31"),
    (Filters(countries=("POL", "LTU")), "POL-LTU"),
    (Filters(actors=("Wagner Group, PMC",)), "Wagner-Group-PMC"),
    (Filters(text="../etc/passwd"), "q-etc-passwd"),
    (Filters(date_from=D(2024, 1, 1)), "from-2024-01-01"),
    (Filters(include_undated=False), "dated"),
    (Filters(outlets=("Kuźnica news",)), "Kuznica-news"),
]


@pytest.mark.parametrize(("filters", "slug"), SLUG_CASES)
def test_slug(filters, slug):
    assert filters.slug() == slug


def test_slug_of_non_latin_and_long_filters_is_safe_and_bounded():
    cyrillic = Filters(actors=("Вагнер",)).slug()
    assert cyrillic.startswith("x") and cyrillic.isalnum()
    assert cyrillic != Filters(actors=("Беларусь",)).slug()
    long = Filters(actors=tuple(f"Actor number {i}" for i in range(40))).slug()
    assert len(long) <= 100
    assert all(c.isalnum() or c in "-_" for c in long)


@pytest.mark.parametrize(("filters", "expected"), APPLY_CASES)
def test_apply_with_article_links_matches_plain_apply(filters, expected):
    links = ArticleLinks.build(EVENTS, ARTICLES)
    assert ids(filters.apply(EVENTS, ARTICLES, links=links)) == expected


def test_articles_for_one_page_of_a_masked_selection():
    links = ArticleLinks.build(EVENTS, ARTICLES)
    mask = Filters(countries=("BLR",)).mask(EVENTS)  # e1 (involved) and e3
    cited = links.cited(mask)
    assert list(ARTICLES["article_id"][cited]) == ["a1", "a2"]
    order = newest_first(ARTICLES)
    rows = order[cited[order]][1:]
    page = articles_for(EVENTS, ARTICLES, links=links, event_mask=mask, rows=rows)
    assert list(page["article_id"]) == ["a2"]
    assert page.loc[0, "event_ids"] == "e1; e3"
    assert page.loc[0, "countries"] == "BLR; POL"
    assert list(links.citing(ARTICLES["outlet"].eq("Outlet Two").to_numpy())) == [
        True, False, True, False]


@pytest.mark.parametrize(("date_from", "date_to", "expected"), [
    ("2024-06-01", None, ["z-open"]),  # still in force long after its start
    (None, "2024-01-31", ["z-open", "z-shut"]),
    ("2024-02-01", "2024-02-10", ["z-open"]),  # the closed zone ended on 31 January
    (None, "2023-12-31", []),
])
def test_an_ongoing_zone_matches_every_range_from_its_start(date_from, date_to, expected):
    zones = make_events([
        dict(event_id="z-open", country="POL", topic="border_zone", verification="confirmed",
             event_date="2024-01-10", end_date="ongoing", date_min="2024-01-10",
             date_max="2024-01-10"),
        dict(event_id="z-shut", country="POL", topic="border_zone", verification="confirmed",
             event_date="2024-01-10", end_date="2024-01-31", date_min="2024-01-10",
             date_max="2024-01-31"),
    ])
    filters = Filters(date_from=dt.date.fromisoformat(date_from) if date_from else None,
                      date_to=dt.date.fromisoformat(date_to) if date_to else None)
    assert list(filters.apply(zones)["event_id"]) == expected


CITATION_CASES = [
    # (each event's article_ids, the articles' ids, (event row, article row) pairs, missing)
    (["a1; a2", "a3"], ["a1", "a2", "a3"], [(0, 0), (0, 1), (1, 2)], []),
    (["a1", "a9", None], ["a1"], [(0, 0)], ["a9"]),
    ([" a2 ;a1", "a1; a2"], ["a1", "a2"], [(0, 1), (0, 0), (1, 0), (1, 1)], []),
    (["a9; a8; a9", "a8"], ["a1"], [], ["a8", "a9"]),  # each missing id once, sorted
    (["a1;;a2", " ; "], ["a1"], [(0, 0)], ["a2"]),  # an empty item is no id
    ([None, None], ["a1"], [], []),
    (["b; a", "a"], ["a", "a", "b"], [(0, 2), (0, 0), (1, 0)], []),  # a repeated id: its first row
]


@pytest.mark.parametrize(("cited", "known", "pairs", "missing"), CITATION_CASES)
def test_cited_articles_gives_the_links_and_the_ids_naming_no_article(cited, known, pairs,
                                                                      missing):
    events = pd.DataFrame({"article_ids": pd.Series(cited, dtype="str")})
    articles = pd.DataFrame({"article_id": pd.Series(known, dtype="str")})
    links, unknown = cited_articles(events, articles)
    assert list(zip(links.event_rows.tolist(), links.article_rows.tolist(),
                    strict=True)) == pairs
    assert (links.n_events, links.n_articles) == (len(cited), len(known))
    assert unknown == missing
    built = ArticleLinks.build(events, articles)
    assert built.event_rows.tolist() == links.event_rows.tolist()
    assert built.article_rows.tolist() == links.article_rows.tolist()
