"""The reasons of rejected rows and the warnings of a load report, said again in the
session's language.

``dashboard.validate`` writes each reason in English, vectorised, per rule (millions of
rows); the rejected-rows CSV keeps that English, it is data for tools. What a person reads
on the Data page (the reason counts) is said again here: each reason is matched against
the English templates below, which word the rules exactly as validate.py does, and the
template's translation is filled with the values the match took out. A reason no template
matches is shown as it is (English), never dropped. ``tests/unit/test_reasons.py`` checks
that every rule's reason is matched, so the two cannot drift apart unnoticed.

A load report's warnings are plain English text too (the dataset store keeps them as
text), so they are said again the same way, from ``WARNINGS``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from dashboard.i18n import N_, Translator

# Most specific first: the first template that matches the whole reason wins.
TEMPLATES = (
    N_("missing required field {column}"),
    N_("duplicate {column} {value} (first seen at row {row} of {file})"),  # a folder's
    N_("duplicate {column} {value} (first seen at row {row})"),
    N_("duplicate {column} {value} (first seen earlier)"),
    N_("duplicate {column} {value} (already in the loaded data)"),
    N_("bad date {value} (expected YYYY-MM-DD, YYYY-MM or YYYY)"),
    N_("bad published date {value} (expected YYYY-MM-DD, YYYY-MM or YYYY)"),
    N_("bad {column} {value} (expected YYYY-MM-DD, YYYY-MM or YYYY)"),
    N_("unknown topic {value} (see data/topics.csv)"),
    N_("unknown country code in countries_involved {value} (expected ISO3 codes separated "
       "by ';')"),
    N_("unknown country code {value} (expected ISO 3166-1 alpha-3, e.g. POL)"),
    N_("unknown {column} {value} (expected {choices})"),
    N_("{column} {value} is finer than event_date {date} (a month)"),
    N_("{column} {value} is finer than event_date {date} (a year)"),
    N_("{column} {value} given without an event_date"),
    N_("{column} {value} is before event_date {date}"),
    N_("{column} {value} is not a number"),
    N_("{column} {value} out of range {range}"),
    N_("{column} given without {other}"),
    N_("bad geometry_wkt: not valid WKT"),
    N_("bad geometry_wkt: coordinates outside -180..180 / -90..90 (WKT is longitude latitude)"),
    N_("bad geometry_wkt: {problem}"),  # the parser's own words, as it gave them
    N_("{column} {value} is not a whole number of 0 or more"),
    N_("{column} {value} is larger than {limit}"),
    N_("url {value} is not an http(s) address"),
    # the reader's problems with a row (readers.py), and the importers' own rejections
    N_("row has {fields} fields but the header has {width}"),
    N_("a NUL byte (0x00) at column {name}"),
    N_("not valid UTF-8 (byte {byte} at column {name})"),
    N_("no ACLED event id (event_id_cnty and data_id are empty)"),
    N_("no GLOBALEVENTID"),
    N_("not a GDELT event row (fields: {fields}; GDELT 1.0 has 57 or 58, GDELT 2.0 has 61)"),
    N_("no UCDP event id (id is empty)"),
    N_("no UCDP event id (the file has no id column)"),
)

# The warnings the reader, the importers and the dataset loader write into a load report.
WARNINGS = (
    N_("{file}: read as UTF-16 text"),
    N_("{file}: not UTF-8: decoded as {encoding}; check that the letters look right"),
    N_("{file}: not UTF-8 and no single encoding fits: decoded as latin-1"),
    N_("{file}: {count} row(s) hold bytes that are not UTF-8 and are rejected; the rest is "
       "read as UTF-8"),
    N_("{file}: ignored columns not in the schema: {columns}"),
    N_("{file}: ignored columns the mapping does not use: {columns}"),
    N_("{file}: VIINA data are licensed under the Open Database License (ODbL 1.0)"),
    N_("{file}: {labels} gave labels for {matched} of {total} VIINA reports"),
    N_("{labels}: a labels file is only used with VIINA event files; {file} was read as "
       "{format}, so it was ignored"),
    N_("{file}: events cite {count} article id(s) not in the articles table ({ids}); the "
       "events are kept"),
    N_("{count} article(s) already loaded were kept from the data loaded first"),
    # a column mapping's country_from_coordinates (importers/mapping.py)
    N_("{file}: events with coordinates and no country: {count} of {total} given the country "
       "their coordinates lie in; the rest lie outside the bundled country outlines or within "
       "{margin} km of another country's"),
    N_("{count} rejected rows: the first {total} problem lines are listed"),  # an engine's
    # an engine's folder or glob holding articles files (engines/lake.py)
    N_("{file}: {articles} read as the articles, not as events (an article_id column and "
       "no event_id column)"),
    N_("{file}: {articles} left out, neither events nor articles (an article_id column and "
       "no event_id column): the articles file given is read instead"),
)

# Placeholders that hold a count, written with English grouping ("1,234"): said again in
# the language's own.
_COUNTS = ("count", "matched", "total")

# What each placeholder may hold: a field name, a quoted cell ('…' once generalised) or a
# bare number, anything else (a list of choices, a range, a parser's own words).
_FIELDS = {"column": r"[a-z_]+", "other": r"[a-z_]+", "value": r"'.*'|\S+", "row": r"\d+",
           "fields": r"\d+", "width": r"\d+", "byte": r"0x[0-9A-F]{2}", "name": r"'.*'|\".*\"",
           **{count: r"\d[\d,]*" for count in _COUNTS}}


@lru_cache(maxsize=2)
def _patterns(templates: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    compiled = []
    for template in templates:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_FIELDS.get(part, '.+?')})"
                        for i, part in enumerate(parts))
        compiled.append((template, re.compile(regex, re.DOTALL)))
    return tuple(compiled)


def said_choices(choices: str, t: Translator) -> str:
    """A list of codes as validate.py words it ("day, week, month or year") with the
    language's own "or"; the codes stay codes (they are what a file must hold)."""
    return t.list_or(re.split(r", | or ", choices))


def _said_again(text: str, templates: tuple[str, ...], t: Translator) -> str:
    for template, pattern in _patterns(templates):
        found = pattern.fullmatch(text)
        if found:
            values = found.groupdict()
            if "choices" in values:
                values["choices"] = said_choices(values["choices"], t)
            for count in _COUNTS:
                if count in values:
                    values[count] = t.number(int(values[count].replace(",", "")))
            if "format" in values:  # an importer's LABEL, a marked message
                values["format"] = t.gettext(values["format"])
            return t.gettext(template).format(**values)
    return text


def said_reason(reason: str, t: Translator) -> str:
    """``reason`` (English, from validate.py) in ``t``'s language; unchanged if unknown."""
    return _said_again(reason, TEMPLATES, t)


def said_warning(warning: str, t: Translator) -> str:
    """A load report's ``warning`` (English) in ``t``'s language; unchanged if unknown."""
    return _said_again(warning, WARNINGS, t)

