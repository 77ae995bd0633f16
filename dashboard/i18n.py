"""The interface's languages: gettext catalogs compiled by Babel, and Babel's locale data.

Every word the dashboard itself writes goes through a ``Translator``: ``gettext`` and
``ngettext`` look it up in ``dashboard/locale/<lang>/LC_MESSAGES/dashboard.mo`` (written
with ``pybabel``, see docs/i18n.md), and ``date``/``number`` format for the language's
locale with Babel's CLDR data, so plural rules, digit grouping and month names come from
a maintained source instead of code of ours. English is the source language: its
translator has no catalog and returns each message as written.

No streamlit here, and Babel is imported only when a format is asked for, so modules
that merely mark messages (``N_``) stay cheap to import. Logic modules (filters, charts,
eventdetail) take a ``Translator`` (English by default, so the CLI and tests read
English), and ``dashboard/ui/language.py`` picks the session's one.
"""

from __future__ import annotations

import datetime as dt
import gettext as gettext_module
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    from babel import Locale

DOMAIN = "dashboard"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANG = "en"

#: The languages offered, each named in itself (the language menu shows these names).
LANGUAGES: dict[str, str] = {
    "en": "English",
    "uk": "Українська",
    "pl": "Polski",
    "lt": "Lietuvių",
    "be": "Беларуская",
    "ru": "Русский",
}

MAX_SHOWN_CHARS = 40  # an unknown ``lang=`` value is repeated in the notice up to this long


def N_(message: str) -> str:  # noqa: N802  (gettext's own name for the marker)
    """Mark a message for extraction where it is defined (a module-level table); it is
    translated where it is shown, with ``Translator.gettext``."""
    return message


class Sayable(str):
    """English text that keeps its message and values, so the app can say it again in
    the reader's language (``said``); everywhere else it is the plain English ``str`` the
    command line prints and tests compare. Values may be ``Sayable`` themselves (a notice
    quoting a parser's error), and numbers, which each language writes its own way
    ("16,777,216" and "2.2" in English, "16 777 216" and "2,2" in Ukrainian). The message
    must be marked: ``Sayable(N_("…"), key=…)``."""

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, **values: object) -> Sayable:
        made = super().__new__(cls, template.format(**{
            key: f"{value:,}" if _number(value) else value for key, value in values.items()}))
        made.template, made.values = template, values
        return made

    def __getnewargs_ex__(self) -> tuple[tuple[str], dict[str, object]]:
        return (self.template,), self.values  # pickled and copied as made

    def said(self, t: Translator) -> str:
        return t.gettext(self.template).format(**{
            key: value.said(t) if isinstance(value, Sayable)
            else t.number(value) if _number(value) else value
            for key, value in self.values.items()})


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def said(text: str, t: Translator) -> str:
    """``text`` in ``t``'s language when it is ``Sayable``, else as it is."""
    return text.said(t) if isinstance(text, Sayable) else text


def message_of(err: BaseException) -> str:
    """An exception's message: the ``Sayable`` it was raised with (``str(err)`` would be a
    plain copy of its English), else ``str(err)``."""
    return err.args[0] if len(err.args) == 1 and isinstance(err.args[0], Sayable) else str(err)


@dataclass(frozen=True, eq=False)
class Translator:
    """One language's messages and formats."""

    lang: str
    catalog: gettext_module.NullTranslations

    def gettext(self, message: str) -> str:
        return self.catalog.gettext(message)

    def pgettext(self, context: str, message: str) -> str:
        """``message`` as meant in ``context`` (the same English word, another use)."""
        return self.catalog.pgettext(context, message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The form for ``count`` under the language's plural rule (Ukrainian, Russian,
        Belarusian, Polish and Lithuanian have three forms, English two)."""
        return self.catalog.ngettext(singular, plural, count)

    @property
    def locale(self) -> Locale:
        from babel import Locale

        return Locale.parse(self.lang)

    def number(self, value: float | int, decimals: int | None = None) -> str:
        """A count or measure with the locale's grouping and decimal sign
        ("12,345" in English, "12 345" in Ukrainian); with ``decimals``, exactly that
        many digits after the sign (else up to three, as needed)."""
        from babel.numbers import format_decimal

        pattern = None if decimals is None else "#,##0" + ("." + "0" * decimals if decimals
                                                            else "")
        return format_decimal(value, format=pattern, locale=self.lang)

    def date(self, day: dt.date) -> str:
        """A day as the locale writes it. English keeps ISO 8601 (2024-03-01), the form
        the URL and the exports use; the others take CLDR's medium form."""
        if self.lang == DEFAULT_LANG:
            return day.isoformat()
        from babel.dates import format_date

        return format_date(day, format="medium", locale=self.lang)

    def list_or(self, items: list[str]) -> str:
        """"A, B or C" in the language's own words."""
        if len(items) <= 1:
            return "".join(items)
        return self.gettext("{items} or {last}").format(items=", ".join(items[:-1]),
                                                         last=items[-1])


@lru_cache(maxsize=len(LANGUAGES))
def translator(lang: str = DEFAULT_LANG) -> Translator:
    """The translator of one of ``LANGUAGES`` (English for any other value)."""
    if lang not in LANGUAGES or lang == DEFAULT_LANG:
        return Translator(DEFAULT_LANG, gettext_module.NullTranslations())
    catalog = gettext_module.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang])
    return Translator(lang, catalog)


ENGLISH = translator(DEFAULT_LANG)


def _preferred(accept_language: str) -> list[str]:
    """Primary language subtags of an ``Accept-Language``-style value (or one
    ``navigator.language`` such as "uk-UA"), most wanted first."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().replace("_", "-").split("-")[0].lower()
        if primary:
            ranked.append((-quality, position, primary))
    return [primary for _, _, primary in sorted(ranked)]


def resolve_lang(value: str | None, accept_language: str | None = None) -> tuple[str, str | None]:
    """The language to show and a notice (or None).

    ``value`` is the URL's ``lang=`` (None or empty when it gives none): one of
    ``LANGUAGES`` is taken, anything else falls back to English with a notice naming it.
    Without a ``lang=``, the browser's language (``accept_language``) decides when it is
    one of ours, else English.
    """
    if value is not None and value.strip():
        wanted = value.strip().lower()
        if wanted in LANGUAGES:
            return wanted, None
        shown = value if len(value) <= MAX_SHOWN_CHARS else value[:MAX_SHOWN_CHARS] + "…"
        return DEFAULT_LANG, (f"Language {shown!r} is not offered (choose one of "
                              f"{', '.join(LANGUAGES)}); showing English.")
    for primary in _preferred(accept_language or ""):
        if primary in LANGUAGES:
            return primary, None
    return DEFAULT_LANG, None
