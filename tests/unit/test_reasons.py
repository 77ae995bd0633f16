"""Rejection reasons said again in another language: every rule's reason is recognised."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.dataset import LoadReport
from dashboard.i18n import ENGLISH, LANGUAGES, translator
from dashboard.reasons import said_reason
from dashboard.validate import rejected_row_count, validate_articles, validate_events

TOPICS = ["strike", "other"]
BASE = {"event_id": "e1", "event_date": "2024-03-15", "topic": "strike",
        "verification": "reported"}
# One row per rule of validate.py's events (the second e1 is the duplicate).
BAD_EVENTS = [
    {"event_date": "2022-13-40"}, {"latitude": "95", "longitude": "20"},
    {"latitude": "52", "longitude": "190"}, {"latitude": "north", "longitude": "20"},
    {"latitude": "52"}, {"longitude": "20"}, {"topic": "foo"}, {"topic": None},
    {"verification": "maybe"}, {"verification": None}, {"event_id": " "},
    {"geometry_wkt": "POLYGON((0 0, 1 1"}, {"country": "XYZ"},
    {"countries_involved": "POL; QQQ"}, {"fatalities": "-1"}, {"fatalities": "1e30"},
    {"event_date": "2024-03", "date_precision": "day"}, {"date_precision": "hour"},
    {"event_date": None, "date_precision": "day"}, {"end_date": "2024-03-01"},
    {"event_date": None, "end_date": "ongoing"}, {"end_date": "ongoingish"},
    {"geo_precision": "close"}, {}, {},
]


def _event_reasons() -> list[str]:
    rows = [{**BASE, "event_id": f"e{i}", **bad} for i, bad in enumerate(BAD_EVENTS)]
    rows[-1]["event_id"] = rows[-2]["event_id"]  # a duplicate id
    _, rejected = validate_events(pd.DataFrame(rows).astype("str"), "t.csv", topics=TOPICS)
    assert rejected_row_count(rejected) == len(BAD_EVENTS) - 1  # the first of the pair passes
    report = LoadReport("t.csv", "canonical", len(rows), 1, len(rows) - 1, rejected)
    return [*rejected["reason"], *report.reason_counts()["reason"]]


def _article_reasons() -> list[str]:
    raw = pd.DataFrame({"article_id": ["a1", "a2", "a1", None, "a5"],
                        "url": ["https://x.org/p", "javascript:x", None, "http://y.org", None],
                        "published": ["2024-03", None, None, None, "2024-13-01"]}).astype("str")
    return list(validate_articles(raw, "a.csv")[1]["reason"])


REASONS = sorted(set(_event_reasons() + _article_reasons()
                     + ["duplicate event_id 'e1' (already in the loaded data)"]))


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("reason", REASONS)
def test_every_reason_is_said_in_each_language(reason, lang):
    assert said_reason(reason, ENGLISH) == reason  # English stays as validate.py wrote it
    assert said_reason(reason, translator(lang)) != reason, "no template matches this reason"


@pytest.mark.parametrize(
    ("reason", "ukrainian"),
    [
        ("bad date '2022-13-40' (expected YYYY-MM-DD, YYYY-MM or YYYY)",
         "неправильна дата '2022-13-40' (очікується YYYY-MM-DD, YYYY-MM або YYYY)"),
        ("bad end_date '…' (expected YYYY-MM-DD, YYYY-MM or YYYY)",
         "неправильне значення end_date '…' (очікується YYYY-MM-DD, YYYY-MM або YYYY)"),
        ("unknown country code in countries_involved 'POL; QQQ' (expected ISO3 codes "
         "separated by ';')",
         "невідомий код країни в countries_involved 'POL; QQQ' (очікуються коди ISO3, "
         "розділені «;»)"),
        ("latitude 95 out of range -90..90", "latitude 95 поза межами -90..90"),
        ("duplicate event_id '…' (first seen earlier)",
         "повторний event_id '…' (уже траплявся раніше)"),
        ("a reason no template knows", "a reason no template knows"),
    ],
)
def test_reason_in_ukrainian(reason, ukrainian):
    assert said_reason(reason, translator("uk")) == ukrainian
