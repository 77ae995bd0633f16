"""The interface's languages: catalogs in step with the code, the language a link or a
browser asks for, Babel's formats and plural rules, translated sentences."""

from __future__ import annotations

import datetime as dt
import io
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from dashboard.countries import country_name
from dashboard.filters import Filters
from dashboard.i18n import (
    DOMAIN,
    LANGUAGES,
    LOCALE_DIR,
    N_,
    Sayable,
    message_of,
    resolve_lang,
    translator,
)
from dashboard.taxonomy import load_topics

ROOT = Path(__file__).resolve().parents[2]
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]


def _extracted() -> dict[tuple[str | None, str], tuple[str, ...]]:
    """(context, msgid) -> (msgid[, msgid_plural]) of every message the code marks, by
    Babel's own extractor and the project's babel.cfg (``pybabel extract -F babel.cfg``)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[tuple[str | None, str], tuple[str, ...]] = {}
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS):
        ids = (message,) if isinstance(message, str) else tuple(message)
        found[(context, ids[0])] = ids
    return found


def _catalog(lang: str):
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        return read_po(po, locale=lang, domain=DOMAIN)


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str | None, str], tuple[str, ...]]:
    found = _extracted()
    assert len(found) > 30  # the extractor saw the package (a wrong babel.cfg finds nothing)
    return found


@pytest.mark.parametrize("lang", TRANSLATED)
def test_each_catalog_holds_exactly_the_messages_the_code_uses(lang, extracted) -> None:
    catalog = _catalog(lang)
    held = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m
            for m in catalog if m.id}
    missing = sorted(set(extracted) - set(held))
    unused = sorted(set(held) - set(extracted))
    assert not missing, f"{lang}: no entry for {missing} (run python scripts/catalogs.py)"
    assert not unused, f"{lang}: the code no longer uses {unused} (run scripts/catalogs.py)"
    assert not list(catalog.obsolete), f"{lang}: obsolete #~ entries left"
    for key, message in held.items():
        ids = extracted[key]
        assert (message.id if isinstance(message.id, str) else tuple(message.id)) == (
            ids[0] if len(ids) == 1 else ids), f"{lang}: {key!r} singular/plural differ"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(lang) -> None:
    catalog = _catalog(lang)
    for message in catalog:
        if not message.id:
            continue
        ids = (message.id,) if isinstance(message.id, str) else tuple(message.id)
        forms = (message.string,) if isinstance(message.string, str) else tuple(message.string)
        assert not message.fuzzy, f"{lang}: {ids[0]!r} is marked fuzzy"
        if len(ids) > 1:
            assert len(forms) == catalog.num_plurals, f"{lang}: {ids[0]!r} plural forms"
        assert all(forms), f"{lang}: {ids[0]!r} is not translated"
        wanted = set().union(*(_fields(i) for i in ids))
        for form in forms:
            # a plural form may leave out the count ("one topic" needs no {n}), no more
            assert _fields(form) <= wanted, f"{lang}: {form!r} has unknown placeholders"
            if len(ids) == 1:
                assert _fields(form) == wanted, f"{lang}: {form!r} drops a placeholder"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_compiled_catalogs_are_those_of_the_po_files(lang) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, _catalog(lang), use_fuzzy=False)
    committed = (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").read_bytes()
    assert committed == compiled.getvalue(), f"{lang}: .mo is stale: python scripts/catalogs.py"


@pytest.mark.parametrize(("value", "browser", "lang", "notice"), [
    ("uk", None, "uk", None),
    (" PL ", "ru-RU", "pl", None),  # the URL wins over the browser
    ("xx", "uk-UA", "en", "'xx'"),  # unknown: English, named in the notice
    ("ua", None, "en", "'ua'"),  # Ukraine's country code is not a language code
    ("<b>" * 30, None, "en", "…"),  # cut short in the notice
    (None, "be-BY", "be", None),
    ("", "lt", "lt", None),
    (None, "de-DE,pl;q=0.8,en;q=0.9", "en", None),  # English preferred over Polish
    (None, "de-DE,pl;q=0.9,en;q=0.8", "pl", None),
    (None, "fr-FR", "en", None),
    (None, None, "en", None),
    (None, "ru;q=x", "ru", None),
])
def test_the_language_from_the_link_or_the_browser(value, browser, lang, notice) -> None:
    chosen, said = resolve_lang(value, browser)
    assert chosen == lang
    if notice is None:
        assert said is None
    else:
        assert notice in said and "English" in said


@pytest.mark.parametrize(("lang", "forms"), [
    # count -> form index under each language's rule: one / few / many
    ("uk", {1: "тема", 2: "теми", 5: "теми", 11: "теми", 21: "тема", 22: "теми"}),
    ("pl", {1: "temat", 2: "tematy", 5: "tematy", 21: "tematy", 22: "tematy"}),
    ("en", {1: "topic", 2: "topics", 21: "topics"}),
])
def test_plural_forms_follow_each_languages_rule(lang, forms) -> None:
    t = translator(lang)
    for count, word in forms.items():
        assert t.ngettext("topic {topics}", "topics {topics}", count).startswith(word)


@pytest.mark.parametrize(("lang", "number", "day"), [
    ("en", "12,345.5", "2024-03-01"),
    ("uk", "12\N{NO-BREAK SPACE}345,5", "1 бер. 2024\N{NARROW NO-BREAK SPACE}р."),
    ("pl", "12\N{NO-BREAK SPACE}345,5", "1 mar 2024"),
    ("lt", "12\N{NO-BREAK SPACE}345,5", "2024-03-01"),
    ("ru", "12\N{NO-BREAK SPACE}345,5", "1 мар. 2024\N{NARROW NO-BREAK SPACE}г."),
])
def test_numbers_and_dates_as_each_locale_writes_them(lang, number, day) -> None:
    t = translator(lang)
    assert t.number(12345.5) == number
    assert t.date(dt.date(2024, 3, 1)) == day


@pytest.mark.parametrize(("code", "lang", "name"), [
    ("POL", "en", "Poland"), ("POL", "lt", "Lenkija"), ("BLR", "be", "Беларусь"),
    ("LTU", "pl", "Litwa"), ("UKR", "ru", "Украина"), ("XKX", "uk", "Косово"),
    ("MDA", "en", "Moldova"), ("ZZZ", "uk", "ZZZ"),
])
def test_country_names_come_from_the_locale_data(code, lang, name) -> None:
    assert country_name(code, lang) == name


def test_the_filter_sentence_in_ukrainian_keeps_the_data_as_given() -> None:
    filters = Filters(countries=("POL",), topics=("border_zone",), actors=("Wagner Group",),
                      verifications=("confirmed",), date_from=dt.date(2024, 3, 1),
                      date_to=dt.date(2024, 12, 31))
    labels = dict(zip(*(load_topics(lang="uk")[c] for c in ("key", "label")), strict=True))
    sentence = filters.describe(labels, translator("uk"))
    assert sentence == ("Події — країна: Польща, тема: Прикордонні зони, учасники: Wagner Group, "
                        "перевірка: підтверджено, з 1 бер. 2024\N{NARROW NO-BREAK SPACE}р. "
                        "по 31 груд. 2024\N{NARROW NO-BREAK SPACE}р., а також події без дати")
    assert filters.describe().startswith("Events in Poland, topic Border zone, involving")


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_topic_has_a_label_and_description_in_each_language(lang) -> None:
    english, local = load_topics(), load_topics(lang=lang)
    assert list(local["key"]) == list(english["key"])
    assert (local["label"] != english["label"]).all()
    assert (local["description"] != english["description"]).all()


def test_charts_speak_the_language_and_vega_writes_months_in_it() -> None:
    import pandas as pd

    from dashboard import charts

    t = translator("uk")
    topics = load_topics(lang="uk")
    bins = pd.DataFrame({"period": pd.to_datetime(["2024-01-01"]), "topic": ["strike"],
                         "events": [2]})
    spec = charts.to_spec(charts.timeline_chart(bins, topics, "month", t=t), t=t)
    assert spec["title"] == "Події за місяцями, за темами"
    assert spec["encoding"]["x"]["title"] == "Місяць"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Удари"]
    assert spec["config"]["locale"]["time"]["months"][2] == "березень"
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    mix = pd.DataFrame({"verification": ["confirmed", "disputed"], "events": [3, 1],
                        "share": [0.75, 0.25]})
    levels = charts.to_spec(charts.verification_chart(mix, translator("pl")))
    assert levels["encoding"]["y"]["sort"] == ["potwierdzone", "sporne"]
    assert "locale" not in charts.to_spec(charts.verification_chart(mix)).get("config", {})


def test_an_export_made_in_ukrainian_names_its_language_and_its_file_in_it() -> None:
    from datetime import UTC, datetime

    from dashboard.citation import make_citation
    from dashboard.dataset import load_bundled
    from dashboard.export import BUNDLE, download_name

    filters = Filters(countries=("POL",))
    events = filters.apply(load_bundled().events)
    exported = datetime(2025, 5, 1, 12, tzinfo=UTC)
    made = make_citation(filters, events, data_version=[], exported=exported,
                         t=translator("uk"))
    assert made.metadata()["language"] == "uk"
    assert made.metadata()["filter"] == "Події — країна: Польща"
    assert make_citation(filters, events, data_version=[],
                         exported=exported).metadata()["language"] == "en"
    assert download_name("events", filters, "csv", translator("uk")) == "події_POL.csv"
    assert download_name("articles", filters, "csv", translator("pl")) == "artykuły_POL.csv"
    assert download_name("events", filters, BUNDLE, translator("ru")).startswith(
        "для_цитирования_POL")
    assert download_name("events", filters, "csv") == "events_POL.csv"


@pytest.mark.parametrize(
    ("lang", "said"),
    [("en", "a cell is longer than 16,777,216 characters, the most one CSV cell may hold"),
     ("uk", "комірка довша за 16\u00a0777\u00a0216 символів — більше, ніж може вмістити одна "
            "комірка CSV"),
     ("pl", "komórka jest dłuższa niż 16\u00a0777\u00a0216 znaków, więcej, niż może pomieścić "
            "jedna komórka CSV")],
)
def test_a_whole_number_in_a_sayable_is_grouped_as_each_language_writes_it(lang, said) -> None:
    message = Sayable(N_("a cell is longer than {limit} characters, the most one CSV cell may "
                         "hold"), limit=16 * 1024 * 1024)
    assert message == "a cell is longer than 16,777,216 characters, the most one CSV cell may hold"
    assert message.said(translator(lang)) == said


@pytest.mark.parametrize(
    ("error", "kept"),
    [(ValueError(Sayable(N_("the file is empty"))), True),
     (ValueError("plain English"), False),
     (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), False)],
)
def test_an_exception_keeps_its_sayable_message(error, kept) -> None:
    message = message_of(error)
    assert message == str(error)
    assert isinstance(message, Sayable) is kept


@pytest.mark.parametrize(("content", "said"), [
    (None, "topics.csv: таксономію тем не знайдено: "),
    ("label,colour\nX,#000000\n", "topics.csv: таксономії тем потрібен стовпець 'key'"),
])
def test_a_taxonomys_load_error_is_said_in_the_pages_language(tmp_path, content, said) -> None:
    from dashboard.readers import LoadError

    path = tmp_path / "topics.csv"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(LoadError) as info:
        load_topics(path)
    assert info.value.said(translator("uk")).startswith(said)
    assert "taxonomy" in str(info.value)


@pytest.mark.parametrize(("fmt", "said"), [
    ("canonical (duckdb engine)", "e.parquet (канонічний (рушій duckdb)): "),
    ("acled", "e.parquet (acled): "),  # a format's code stays a code
])
def test_the_load_reports_format_is_said_in_the_pages_language(fmt, said) -> None:
    import pandas as pd

    from dashboard.dataset import LoadReport

    report = LoadReport("e.parquet", fmt, 1, 1, 0, pd.DataFrame())
    assert report.summary(translator("uk")).startswith(said)
    assert report.summary().startswith(f"e.parquet ({fmt}): ")
