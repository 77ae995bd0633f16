"""AppTest: in Ukrainian and Polish no widget on any page keeps an English label, help
text, placeholder or option of the interface's own; the language stays across pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import page, shown

from dashboard.i18n import DOMAIN, LANGUAGES, LOCALE_DIR

PAGES = ["overview", "articles", "events", "data", "about"]
FIXTURE = Path(__file__).with_name("fixtures") / "events.csv"
WIDGETS = ["button", "checkbox", "toggle", "date_input", "multiselect", "number_input",
           "radio", "select_slider", "selectbox", "slider", "text_area", "text_input",
           "button_group", "metric", "download_button", "file_uploader"]
# Widgets whose options are the interface's words (the rest offer data values).
WORDED_OPTIONS = {"radio", "button_group"}


def _english_patterns(lang: str) -> list[tuple[str, re.Pattern[str]]]:
    """Each English message that the language translates differently, as a pattern a
    label made from it (placeholders filled in) would match."""
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as po:
        catalog = read_po(po, locale=lang)
    patterns = []
    for message in catalog:
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        for english in ids:
            if not english or english in forms or not re.search(r"[A-Za-z]{3}", english):
                continue
            parts = re.split(r"\{[a-z_]*\}", english)
            regex = ".+".join(re.escape(part) for part in parts)
            patterns.append((english, re.compile(regex, re.DOTALL)))
    return patterns


def _texts(at) -> list[tuple[str, str]]:
    """(widget kind, text) for every label, help, placeholder and worded option shown."""
    found: list[tuple[str, str]] = []
    for kind in WIDGETS:
        for element in at.get(kind):
            proto = element.proto
            for field in ("label", "help", "placeholder"):
                text = getattr(proto, field, "")
                if text:
                    found.append((kind, text))
            if kind in WORDED_OPTIONS:
                found += [(kind, str(option)) for option in getattr(element, "options", [])]
    return found


@pytest.mark.parametrize("lang", ["uk", "pl"])
def test_no_english_widget_text_on_any_page(app, monkeypatch, lang) -> None:
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    patterns = _english_patterns(lang)
    app.query_params["lang"] = lang
    at = app.run()
    seen = 0
    for name in PAGES:
        if name != "overview":
            at.switch_page(page(name)).run()
        assert not at.exception, name
        texts = _texts(at)
        seen += len(texts)
        leaks = [(kind, text, english) for kind, text in texts
                 for english, pattern in patterns if pattern.fullmatch(text)]
        assert not leaks, f"{lang} {name}: English left in {leaks}"
        # the language menu names every language in itself, whatever the language shown
        menu = at.selectbox(key="lang_choice")
        assert menu.value == lang and list(menu.options) == list(LANGUAGES.values())
        assert at.query_params["lang"] == lang, name  # kept across page switches
    assert seen > 40  # the walk saw the widgets (a wrong kind list finds none)


def test_english_is_what_the_patterns_catch(app, monkeypatch) -> None:
    """The check above can fail: in English, the same walk finds the messages."""
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    patterns = _english_patterns("uk")
    at = app.run()
    texts = _texts(at)
    assert sum(1 for _, text in texts for _, p in patterns if p.fullmatch(text)) > 10


def test_an_unknown_language_is_named_and_english_shown(app) -> None:
    app.query_params["lang"] = "xx"
    at = app.run()
    assert "Language 'xx' is not offered" in shown(at.warning)
    assert at.selectbox(key="lang_choice").value == "en"
    assert at.title[0].value == "Border security events"


def test_the_menu_switches_the_language_and_writes_it_into_the_url(app) -> None:
    at = app.run()
    assert at.title[0].value == "Border security events"
    at.selectbox(key="lang_choice").set_value("lt").run()
    assert at.title[0].value == "Pasienio saugumo įvykiai"
    assert at.query_params["lang"] == "lt"
    at.switch_page(page("about")).run()
    assert at.query_params["lang"] == "lt"
    assert at.title[0].value == "Apie projektą"


def test_topic_labels_follow_each_sessions_language(app) -> None:
    """The taxonomy is cached once per language, not once for whoever came first."""
    at = app.run()  # English first: the English labels are cached
    at.selectbox(key="lang_choice").set_value("lt").run()
    at.switch_page(page("about")).run()
    cells = " ".join(" ".join(map(str, frame.value.to_numpy().ravel())) for frame in at.dataframe)
    assert "Pasienio zonos" in cells and "Border zones" not in cells


def test_notices_about_the_link_are_in_the_language(app) -> None:
    app.query_params["lang"] = "uk"
    app.query_params["country"] = "XXX"
    app.query_params["undated"] = "maybe"
    at = app.run()
    notices = shown(at.warning)
    assert "Країна: 'XXX' немає в даних; не враховано." in notices
    assert "Фільтр 'undated': 'maybe' — не 1 і не 0; не враховано." in notices
