"""The reasons of rejected rows, said again in the session's language.

``dashboard.validate`` writes each reason in English, vectorised, per rule (millions of
rows); the rejected-rows CSV keeps that English, it is data for tools. What a person reads
on the Data page (the reason counts) is said again here: each reason is matched against
the English templates below, which word the rules exactly as validate.py does, and the
template's translation is filled with the values the match took out. A reason no template
matches is shown as it is (English), never dropped. ``tests/unit/test_reasons.py`` checks
that every rule's reason is matched, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

import re
from functools import lru_cache

from dashboard.i18n import N_, Translator

# Most specific first: the first template that matches the whole reason wins.
TEMPLATES = (
    N_("missing required field {column}"),
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
    N_("no UCDP event id (id is empty)"),
    N_("no UCDP event id (the file has no id column)"),
)

# What each placeholder may hold: a field name, a quoted cell ('…' once generalised) or a
# bare number, anything else (a list of choices, a range, a parser's own words).
_FIELDS = {"column": r"[a-z_]+", "other": r"[a-z_]+", "value": r"'.*'|\S+", "row": r"\d+",
           "fields": r"\d+", "width": r"\d+", "byte": r"0x[0-9A-F]{2}", "name": r"'.*'|\".*\""}


@lru_cache(maxsize=1)
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    compiled = []
    for template in TEMPLATES:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_FIELDS.get(part, '.+?')})"
                        for i, part in enumerate(parts))
        compiled.append((template, re.compile(regex, re.DOTALL)))
    return tuple(compiled)


def said_choices(choices: str, t: Translator) -> str:
    """A list of codes as validate.py words it ("day, week, month or year") with the
    language's own "or"; the codes stay codes (they are what a file must hold)."""
    return t.list_or(re.split(r", | or ", choices))


def said_reason(reason: str, t: Translator) -> str:
    """``reason`` (English, from validate.py) in ``t``'s language; unchanged if unknown."""
    for template, pattern in _patterns():
        found = pattern.fullmatch(reason)
        if found:
            values = found.groupdict()
            if "choices" in values:
                values["choices"] = said_choices(values["choices"], t)
            return t.gettext(template).format(**values)
    return reason

