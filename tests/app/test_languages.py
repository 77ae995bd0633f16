"""AppTest: in Ukrainian and Polish no widget on any page keeps an English label, help
text, placeholder or option of the interface's own; the language stays across pages."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from conftest import check_file, page, shown
from packed_files import gzipped, parquet_with_names, workbook, zipped

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
        # an empty placeholder is filled in by the browser with Streamlit's English words
        unfilled = [box.label for box in at.multiselect if not box.proto.placeholder]
        assert not unfilled, f"{lang} {name}: Streamlit's placeholder on {unfilled}"
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


TWO_MB = b"event_id,topic\n" + b"e1,strike\n" * (2 * 1024 * 1024 // 10)
HUGE_CELL = b"a,b\n1,2\n3," + b"x" * (17 * 1024 * 1024) + b"\n"

# (language, file, its bytes, the English the command line keeps, what the page says)
LOAD_ERRORS = [
    ("uk", "big.csv.gz", gzipped(TWO_MB), "unpacks to more than 1 MB",
     "розпаковується в понад 1 МБ — більше, ніж розпаковує цей сервер"),
    ("uk", "big.zip", zipped({"events.csv": TWO_MB}), "events.csv unpacks to more than",
     "events.csv розпаковується в понад 1 МБ"),
    ("uk", "big.xlsx", zipped({"xl/workbook.xml": TWO_MB}), "a workbook that unpacks to",
     "книга, що розпаковується в понад 1 МБ"),
    ("uk", "two.zip", zipped({"a.csv": b"x\n1\n", "b.csv": b"x\n2\n"}),
     "a zip archive needs exactly one data file",
     "у ньому має бути рівно один файл даних (знайдено 2: a.csv, b.csv)"),
    ("pl", "none.zip", zipped({"logo.png": b"\x89PNG"}), "(found 0: none)",
     "musi zawierać dokładnie jeden plik danych, by można je było odczytać (znaleziono 0: "
     "żadnego)"),
    ("uk", "long.csv", HUGE_CELL, "a cell is longer than 16,777,216 characters",
     "комірка довша за 16\u00a0777\u00a0216 символів — більше, ніж може вмістити одна "
     "комірка CSV (рядок 2)"),
    ("uk", "twice.xlsx", workbook([["event_id", "topic", "event_id"], ["e1", "strike", "e2"]]),
     "the header of sheet", "заголовок аркуша 'events' називає стовпець 'event_id' стільки "
     "разів: 2 (стовпці 1 і 3)"),
    ("pl", "twice.parquet", parquet_with_names(["event_id", "event_id"]), "the schema names",
     "schemat nazywa kolumnę 'event_id' tyle razy: 2 (kolumny 1 i 2)"),
    ("uk", "locked.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
     "not a readable workbook", "книгу, захищену паролем, спершу треба зберегти без пароля"),
    ("uk", "numbers.json", b"[1, 2]", "must be a list of objects",
     "записи мають бути списком об’єктів (по одному на рядок)"),
    ("uk", "events.json", b'{"events": [1]}', "must be a list of objects",
     "події мають бути списком об’єктів"),
    ("pl", "nul.json", b'[{"a\\u0000b": 1}]', "holds a NUL byte",
     "klucz 'a?b' (kolumna 1) zawiera bajt NUL (0x00)"),
    ("uk", "shapes.geojson", b'{"type": "FeatureCollection"}', "without a 'features' list",
     "GeoJSON FeatureCollection без списку 'features'"),
    ("uk", "cut.jsonl", b'{"a": 1}\n{"a": \n', "not valid JSON Lines",
     "некоректний JSON Lines: "),  # the parser's own words stay as given
    ("uk", "list.jsonl", b'{"a": 1}\n[1]\n', "one object per line",
     "у файлі JSON Lines має бути по одному об’єкту в кожному рядку (рядок 2)"),
    ("uk", "twice.json", b'[{"k": 1, "k": 2}]', "an object names the key",
     "об’єкт називає ключ 'k' стільки разів: 2 (ключі 1 і 2)"),
    ("uk", "deep.json", b"[" * 100_000 + b"]" * 100_000, "JSON nested too deeply",
     "JSON має надто глибоку вкладеність, щоб його прочитати"),
    ("pl", "odd.json", b'{"count": 1}', "JSON must be a list of records",
     "JSON musi być listą rekordów"),
]


def _check_typed(app, monkeypatch, folder: Path, lang: str, path: Path, **typed: str):
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    monkeypatch.setenv("DASHBOARD_DATA_DIR", str(folder))
    monkeypatch.setenv("DASHBOARD_MAX_UNPACKED_MB", "1")
    app.query_params["lang"] = lang
    at = app.run()
    at.switch_page(page("data")).run()
    check_file(at, path, **typed)
    assert not at.exception
    return at


@pytest.mark.parametrize(("lang", "name", "content", "english", "said"), LOAD_ERRORS,
                         ids=[case[1] for case in LOAD_ERRORS])
def test_each_load_error_is_said_in_the_sessions_language(app, monkeypatch, tmp_path, lang,
                                                          name, content, english, said):
    (tmp_path / name).write_bytes(content)
    at = _check_typed(app, monkeypatch, tmp_path, lang, tmp_path / name)
    errors = shown(at.error)
    assert f"{name}: " in errors
    assert said in errors
    assert english not in errors


def test_the_labels_files_errors_are_said_in_the_sessions_language(app, monkeypatch, tmp_path):
    events = tmp_path / "viina_event_info.csv"
    events.write_bytes((Path(__file__).resolve().parents[1] / "fixtures" / events.name)
                       .read_bytes())
    (tmp_path / "labels.csv").write_text("id,note\n1,x\n", encoding="utf-8")
    at = _check_typed(app, monkeypatch, tmp_path, "uk", events, labels_path="/etc/hosts")
    errors = shown(at.error)
    assert ("hosts: немає файлу міток: цей сервер відкриває файли лише в папках даних, "
            "які він пропонує") in errors
    assert "no labels file" not in errors
    at.text_input(key="labels_path").input(str(tmp_path / "labels.csv")).run()
    at.button(key="check_file").click().run()
    errors = shown(at.error)
    assert "labels.csv: не файл міток VIINA: потрібні стовпець event_id і стовпці міток" in errors
    assert "not a VIINA labels file" not in errors


def test_the_launch_files_load_error_is_said_in_the_sessions_language(app, monkeypatch,
                                                                      tmp_path):
    (tmp_path / "odd.json").write_bytes(b'{"count": 1}')
    monkeypatch.setenv("DASHBOARD_DATA", str(tmp_path / "odd.json"))
    app.query_params["lang"] = "uk"
    at = app.run()
    assert not at.exception
    errors = shown(at.error)
    assert "odd.json: JSON має бути списком записів, об’єктом зі списком 'events'" in errors
    assert "JSON must be" not in errors


def test_the_readers_row_problems_and_lists_of_codes_are_said_in_the_language(
        app, monkeypatch, tmp_path):
    """The reason counts of rows the reader could not use, and the "(expected …)" list of
    a reason: its codes stay codes, its "or" is the language's."""
    rows = ["event_id,event_date,topic,verification,geometry_wkt",
            "e1,2024-03-15,strike,reported,", "e2,2024-03-15,strike,reported,,extra",
            "e3,2024-03-15,strike,maybe,", "e4,2024-03-15,strike,reported,POINT (200 10)",
            "e5,2024-03-15,strike,reported,", "e6,2024-03-15,strike,reported,x\x00y",
            "eł7,2024-03-15,strike,reported,", "eł8,2024-03-15,strike,reported,"]
    data = "\n".join(rows).encode().replace(b"e5,", b"\xfc5,") + b"\n"
    (tmp_path / "rows.csv").write_bytes(data)
    at = _check_typed(app, monkeypatch, tmp_path, "uk", tmp_path / "rows.csv")
    reasons = set(at.dataframe[0].value["причина"])
    assert {"у рядку полів: 6, а в заголовку: 5",
            "не є коректним UTF-8 (байт 0xFC у стовпці 'event_id')",
            "байт NUL (0x00) у стовпці 'geometry_wkt'",
            "невідоме значення verification '…' (очікується confirmed, reported, claimed, "
            "alleged або disputed)",
            "неправильний geometry_wkt: координати поза межами -180..180 / -90..90 (у WKT "
            "спершу довгота, потім широта)"} <= reasons


def test_the_load_reports_warnings_are_said_in_the_sessions_language(app, monkeypatch,
                                                                     tmp_path):
    (tmp_path / "cp.csv").write_bytes("event_id,event_date,topic,verification,colour\n"
                                      "e1,2024-03-15,strike,reported,Гродна\n".encode("cp1251"))
    at = _check_typed(app, monkeypatch, tmp_path, "pl", tmp_path / "cp.csv")
    warnings = shown(at.warning)
    assert "cp.csv: nie UTF-8: zdekodowano jako cp1251; sprawdź, czy litery wyglądają" in warnings
    assert "cp.csv: pominięto kolumny spoza schematu: colour" in warnings
    assert "not UTF-8" not in warnings and "ignored columns" not in warnings


def test_a_launch_overlays_error_is_said_in_the_sessions_language(app, monkeypatch, tmp_path):
    (tmp_path / "empty.geojson").write_bytes(b"")
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    monkeypatch.setenv("DASHBOARD_OVERLAY", str(tmp_path / "empty.geojson"))
    app.query_params["lang"] = "uk"
    at = app.run()
    assert not at.exception
    captions = shown(at.caption)
    assert "empty.geojson: файл порожній" in captions
    assert "the file is empty" not in captions


@pytest.mark.parametrize(("engine", "data", "said", "english"), [
    ("duckdb", "missing.parquet", "не знайдено жодного файлу Parquet (файл, папка або шаблон",
     "no Parquet file found"),
    ("duckdb", "events.duckdb", "events.duckdb: немає такого файлу бази даних",
     "no such database file"),
    ("warp", "x.parquet", "невідомий рушій 'warp': виберіть memory, duckdb", "unknown engine"),
])
def test_an_engines_load_error_is_said_in_the_sessions_language(app, monkeypatch, tmp_path,
                                                                engine, data, said, english):
    monkeypatch.setenv("DASHBOARD_DATA", str(tmp_path / data))
    monkeypatch.setenv("DASHBOARD_ENGINE", engine)
    app.query_params["lang"] = "uk"
    at = app.run()
    assert not at.exception
    errors = shown(at.error)
    assert said in errors
    assert english not in errors


def test_a_missing_launch_file_is_said_in_the_sessions_language(app, monkeypatch, tmp_path):
    monkeypatch.setenv("DASHBOARD_DATA", str(tmp_path / "missing.csv"))
    app.query_params["lang"] = "pl"
    at = app.run()
    assert not at.exception
    errors = shown(at.error)
    assert f"missing.csv: nie ma takiego pliku: {tmp_path / 'missing.csv'}" in errors
    assert "No such file" not in errors and "no such file" not in errors


def test_the_time_frames_notices_are_said_in_the_sessions_language(app, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    app.query_params["lang"] = "uk"
    app.query_params["at"] = "soon"
    app.query_params["window"] = "decade"
    at = app.run()
    assert not at.exception
    notices = shown(at.warning)
    assert "Часовий кадр: 'at' 'soon' — не дата у форматі РРРР-ММ-ДД; не враховано." in notices
    assert ("Часовий кадр: 'window' 'decade' не є одним із значень day, week, month, all; "
            "не враховано.") in notices
    assert "Time frame" not in notices
