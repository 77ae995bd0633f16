"""Rejection reasons said again in another language: every rule's reason is recognised."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.dataset import LoadReport, combine, load_dataset
from dashboard.engines.lake import Articles, Lake
from dashboard.i18n import ENGLISH, LANGUAGES, translator
from dashboard.importers import import_file
from dashboard.readers import read_raw
from dashboard.reasons import said_choices, said_reason, said_warning
from dashboard.validate import rejected_row_count, validate_articles, validate_events

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

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
    {"geo_precision": "close"}, {"event_date": "2024", "date_precision": "month"},
    {"geometry_wkt": "POINT (200 10)"}, {}, {},
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


def _reader_reasons() -> list[str]:
    """The reader's problems with rows: too many fields, a byte that is not UTF-8, a NUL."""
    raw = read_raw(b"a,b\n\xc3\xbc,1\n\xc3\xbc,2\n\xfc,3\n3,4,5\n6,\x00x\n", "r.csv")
    return [reason for problems in raw.attrs["row_errors"].values()
            for _, _, reason in problems]


def _importer_reasons() -> list[str]:
    """The importers' own rejections: a row without the source's event id."""
    ucdp = pd.read_csv(FIXTURES / "ucdp_ged_trimmed.csv", dtype=str, keep_default_na=False)
    ucdp.loc[0, "id"] = ""
    gdelt = (FIXTURES / "gdelt_v2.tsv").read_bytes().split(b"\n")
    gdelt[1] = b"\t" + gdelt[1].split(b"\t", 1)[1]
    files = [(FIXTURES / "acled_dyadic.csv", None),
             (ucdp.to_csv(index=False).encode(), "u.csv"),
             (ucdp.drop(columns=["id"]).to_csv(index=False).encode(), "u.csv"),
             (b"\n".join(gdelt), "g.tsv")]
    return [reason for source, name in files
            for reason in import_file(source, name).rejected["reason"]]


REASONS = sorted(set(_event_reasons() + _article_reasons() + _reader_reasons()
                     + _importer_reasons()
                     + ["duplicate event_id 'e1' (already in the loaded data)"]))


def test_the_reasons_cover_the_reader_and_each_importer():
    assert len(_reader_reasons()) == 3
    assert len(set(_importer_reasons())) == 4


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
        ("unknown date_precision 'hour' (expected day, week, month or year)",
         "невідоме значення date_precision 'hour' (очікується day, week, month або year)"),
        ("unknown verification '…' (expected confirmed, reported, claimed, alleged or "
         "disputed)", "невідоме значення verification '…' (очікується confirmed, reported, "
         "claimed, alleged або disputed)"),
        ("date_precision 'day' is finer than event_date '2024-03' (a month)",
         "date_precision 'day' точніше, ніж event_date '2024-03' (дата з точністю до місяця)"),
        ("bad geometry_wkt: not valid WKT", "неправильний geometry_wkt: некоректний WKT"),
        ("bad geometry_wkt: coordinates outside -180..180 / -90..90 (WKT is longitude "
         "latitude)", "неправильний geometry_wkt: координати поза межами -180..180 / "
         "-90..90 (у WKT спершу довгота, потім широта)"),
        # the parser's own words stay as it gave them
        ("bad geometry_wkt: ParseException: Expected word but encountered end of stream",
         "неправильний geometry_wkt: ParseException: Expected word but encountered end of "
         "stream"),
        ("row has 3 fields but the header has 2", "у рядку полів: 3, а в заголовку: 2"),
        ("not valid UTF-8 (byte 0xFC at column 'a')",
         "не є коректним UTF-8 (байт 0xFC у стовпці 'a')"),
        ("a NUL byte (0x00) at column 'b'", "байт NUL (0x00) у стовпці 'b'"),
        ("no UCDP event id (id is empty)", "немає ідентифікатора події UCDP (id порожній)"),
        ("a reason no template knows", "a reason no template knows"),
    ],
)
def test_reason_in_ukrainian(reason, ukrainian):
    assert said_reason(reason, translator("uk")) == ukrainian


@pytest.mark.parametrize(
    ("lang", "choices", "said"),
    [
        ("en", "day, week, month or year", "day, week, month or year"),
        ("uk", "day, week, month or year", "day, week, month або year"),
        ("pl", "exact, near, admin or country", "exact, near, admin lub country"),
        ("lt", "confirmed or reported", "confirmed arba reported"),
        ("ru", "day", "day"),
    ],
)
def test_a_list_of_codes_keeps_its_codes_and_says_its_or(lang, choices, said):
    assert said_choices(choices, translator(lang)) == said


def _warnings() -> list[str]:
    """One of each warning the reader, the importers, the dataset loader and the engines'
    folders holding articles files (``lake.Lake.notes``) write."""
    found = [warning for data in ("a,b\n1,2\n".encode("utf-16"),
                                  "a\nПривіт\n".encode("cp1251"),
                                  b"a\n" + bytes(range(0x80, 0x100)) + b"\n",
                                  b"a,b\n\xc3\xbc,1\n\xc3\xbc,2\n\xfc,3\n")
             for warning in read_raw(data, "r.csv").attrs["warnings"]]
    found += import_file(b"event_id,event_date,topic,verification,colour\n"
                         b"e1,2024-01-01,strike,reported,red\n", "c.csv").warnings
    found += import_file(FIXTURES / "viina_event_info.csv",
                         labels=FIXTURES / "viina_labels.csv").warnings
    found += import_file(FIXTURES / "acled_dyadic.csv",
                         labels=FIXTURES / "viina_labels.csv").warnings
    cited = load_dataset(b"event_id,event_date,topic,verification,article_ids\n"
                         b"e1,2024-01-01,strike,reported,a9\n", "e.csv",
                         articles=b"article_id,url\na1,https://x.org\n")
    lake = Lake([Path("lake/e.parquet")], [Path("lake/articles.parquet")])
    found += lake.notes("lake", lake.articles(None))
    found += lake.notes("lake", Articles("a.csv", "a.csv", [Path("a.csv")], text=True))
    return found + combine(cited, cited).warnings


WARNINGS = sorted(set(_warnings()))


def test_the_warnings_cover_the_reader_the_importers_and_the_loader():
    assert len(WARNINGS) == 12


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
@pytest.mark.parametrize("warning", WARNINGS)
def test_every_warning_is_said_in_each_language(warning, lang):
    assert said_warning(warning, ENGLISH) == warning
    assert said_warning(warning, translator(lang)) != warning, "no template matches it"


@pytest.mark.parametrize(
    ("warning", "ukrainian"),
    [
        ("r.csv: not UTF-8: decoded as cp1251; check that the letters look right",
         "r.csv: не UTF-8: декодовано як cp1251; перевірте, чи літери виглядають правильно"),
        ("big.csv: 1,234 row(s) hold bytes that are not UTF-8 and are rejected; the rest is "
         "read as UTF-8", "big.csv: відхилено рядків із байтами не в UTF-8: 1\u00a0234; "
         "решту прочитано як UTF-8"),
        ("l.csv: a labels file is only used with VIINA event files; a.csv was read as ACLED "
         "export, so it was ignored", "l.csv: файл міток використовується лише з файлами "
         "подій VIINA; a.csv прочитано як експорт ACLED, тому його не враховано"),
        ("12,000 rejected rows: the first 10,000 problem lines are listed",  # an engine's
         "відхилено рядків: 12\u00a0000; показано перші рядки з проблемами: 10\u00a0000"),
        ("lake: 2023/articles.parquet, zzz.parquet read as the articles, not as events (an "
         "article_id column and no event_id column)", "lake: 2023/articles.parquet, "
         "zzz.parquet прочитано як статті, а не як події (є стовпець article_id і немає "
         "стовпця event_id)"),
        ("a warning no template knows", "a warning no template knows"),
    ],
)
def test_warning_in_ukrainian(warning, ukrainian):
    assert said_warning(warning, translator("uk")) == ukrainian
