"""How many events and articles one download in the app may hold; the command that exports more.

A download button builds its whole file in the server's memory (``export.build_download``,
on every engine): several times the file's size while it is made, so an unfiltered click
on a large dataset would take the memory every visitor shares (docs/benchmark.md has the
figures). The operator sets the most events a download in the app may hold
(``DASHBOARD_MAX_DOWNLOAD_EVENTS``); past it, and past the rows an Excel sheet holds, the
button is offered disabled with the reason and the ``python -m dashboard export`` command
that writes the same selection on the command line (which the duckdb engine streams). The
builder checks again when it runs, so no request for a button the page did not offer makes
the file.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from dashboard.export import BUNDLE, EMBEDS_ARTICLES, EXCEL_MAX_ROWS
from dashboard.i18n import ENGLISH, Translator

LIMIT_VARIABLE = "DASHBOARD_MAX_DOWNLOAD_EVENTS"
DEFAULT_MAX_DOWNLOAD_EVENTS = 250_000  # why: docs/benchmark.md, "Downloads in the app"
OVER_LIMIT = "limit"  # more events than the server's limit
OVER_ARTICLES = "articles"  # more articles in the file than the server's limit
OVER_EXCEL = "excel"  # more events than an Excel sheet's rows
OVER_EXCEL_ARTICLES = "excel articles"  # more embedded articles than an Excel sheet's rows


class Refused(NamedTuple):
    """What the page says of one reason: the count its notice names (``events`` or
    ``articles``) and the kind whose command line export it offers (None: another format)."""

    counted: str
    command: str | None


#: every reason ``refusal`` gives, in the order the page says them
REFUSALS: dict[str, Refused] = {
    OVER_LIMIT: Refused("events", "events"),
    OVER_ARTICLES: Refused("articles", "articles"),
    OVER_EXCEL: Refused("events", None),
    OVER_EXCEL_ARTICLES: Refused("articles", None),
}


class DownloadRefused(ValueError):
    """A download was asked of more events than it may hold (``refusal`` says why)."""


def max_download_events(environ: Mapping[str, str] | None = None) -> int:
    """The operator's ``DASHBOARD_MAX_DOWNLOAD_EVENTS`` (a whole number, 0 = no download
    in the app), else ``DEFAULT_MAX_DOWNLOAD_EVENTS``; an unreadable value is the default,
    never "no limit"."""
    env = os.environ if environ is None else environ
    text = (env.get(LIMIT_VARIABLE) or "").strip().replace("_", "")
    return int(text) if text.isdigit() else DEFAULT_MAX_DOWNLOAD_EVENTS


def refusal(kind: str, fmt: str, events: int, articles: int, limit: int) -> str | None:
    """Why a download is not built: ``OVER_LIMIT`` (an events download of more than
    ``limit`` events), ``OVER_ARTICLES`` (more than ``limit`` articles in the file: the
    Articles CSV's rows, or those a GeoJSON, Excel file or bundle embeds; an events CSV or
    Parquet file names its articles' ids only), ``OVER_EXCEL`` / ``OVER_EXCEL_ARTICLES``
    (``xlsx``: an events or articles sheet of more rows than Excel holds; the events sheet
    is said when both are), or None when it may be built. ``kind`` is ``events`` or
    ``articles``; ``articles`` counts the articles the selected events cite."""
    embedded = articles if kind == "articles" or fmt in EMBEDS_ARTICLES else 0
    if kind == "events" and events > limit:
        return OVER_LIMIT
    if embedded > limit:
        return OVER_ARTICLES
    if fmt == "xlsx" and kind == "events" and events > EXCEL_MAX_ROWS:
        return OVER_EXCEL
    if fmt == "xlsx" and embedded > EXCEL_MAX_ROWS:
        return OVER_EXCEL_ARTICLES
    return None


def check(kind: str, fmt: str, events: int, articles: int, limit: int) -> None:
    """Raise ``DownloadRefused`` when ``refusal`` refuses the download."""
    reason = refusal(kind, fmt, events, articles, limit)
    if reason == OVER_LIMIT:
        raise DownloadRefused(f"a download holds at most {limit:,} events here and this one "
                              f"would hold {events:,}: use python -m dashboard export")
    if reason == OVER_ARTICLES:
        raise DownloadRefused(f"a download holds at most {limit:,} articles here and this one "
                              f"would hold {articles:,}: use python -m dashboard export")
    if reason in (OVER_EXCEL, OVER_EXCEL_ARTICLES):
        sheet, rows = ("events", events) if reason == OVER_EXCEL else ("articles", articles)
        raise DownloadRefused(f"Excel holds at most {EXCEL_MAX_ROWS:,} rows in a sheet and "
                              f"this download's {sheet} sheet would hold {rows:,}")


def refusal_notice(reason: str, count: int, limit: int, t: Translator = ENGLISH) -> str:
    """What a disabled download's notice says (in ``t``'s language): why, and what to do."""
    if reason == OVER_LIMIT:
        return t.ngettext(
            "Downloads here hold at most {limit} event, and this filter selects {count}: "
            "narrow the filter, or export the same selection on the command line (the "
            "output's extension chooses the format: .csv, .geojson, .xlsx, .parquet).",
            "Downloads here hold at most {limit} events, and this filter selects {count}: "
            "narrow the filter, or export the same selection on the command line (the "
            "output's extension chooses the format: .csv, .geojson, .xlsx, .parquet).",
            limit).format(limit=t.number(limit), count=t.number(count))
    if reason == OVER_ARTICLES:
        return t.ngettext(
            "Downloads here hold at most {limit} article, and the events of this filter "
            "cite {count}: narrow the filter, or export the same selection on the command "
            "line.",
            "Downloads here hold at most {limit} articles, and the events of this filter "
            "cite {count}: narrow the filter, or export the same selection on the command "
            "line.",
            limit).format(limit=t.number(limit), count=t.number(count))
    if reason == OVER_EXCEL_ARTICLES:
        return t.ngettext(
            "Excel holds at most {rows} rows in a sheet, and the articles sheet would hold "
            "the {count} article the events of this filter cite: download the events as CSV "
            "or Parquet and the articles as CSV, or narrow the filter.",
            "Excel holds at most {rows} rows in a sheet, and the articles sheet would hold "
            "the {count} articles the events of this filter cite: download the events as CSV "
            "or Parquet and the articles as CSV, or narrow the filter.",
            count).format(rows=t.number(EXCEL_MAX_ROWS), count=t.number(count))
    return t.ngettext(
        "Excel holds at most {rows} rows in a sheet, and the events sheet would hold the "
        "{count} event this filter selects: download CSV or Parquet, or narrow the filter.",
        "Excel holds at most {rows} rows in a sheet, and the events sheet would hold the "
        "{count} events this filter selects: download CSV or Parquet, or narrow the filter.",
        count).format(rows=t.number(EXCEL_MAX_ROWS), count=t.number(count))


def export_command(query: str, kind: str, fmt: str, output: str, *, engine: str = "memory",
                   data: str | None = None, table: str | None = None,
                   added: Sequence[str] = (), boundaries: str | None = None) -> str:
    """The ``python -m dashboard export`` command line writing the download of ``query``
    (the filter's URL query) to ``output``: ``kind`` ``events`` or ``articles``, ``fmt`` a
    format or ``BUNDLE``; ``engine``, ``data`` (as the server was given it, or None for
    the bundled data), ``table`` and ``added`` files as the data in use was opened;
    ``boundaries``: the file whose units the query's ``area=`` names, when not the bundled
    outlines. Every part is quoted for a POSIX shell, so any query is one argument."""
    words = ["python", "-m", "dashboard", "export"]
    if engine != "memory":
        words += ["--engine", engine]
    if data is not None:
        words += ["--data", data]
    if table is not None:
        words += ["--table", table]
    for name in added:
        words += ["--add", name]
    if boundaries is not None:
        words += ["--boundaries", boundaries]
    if query:
        words += ["--query", query]
    if fmt == BUNDLE:
        words.append("--bundle")
    elif kind == "articles":
        words.append("--articles")
    words += ["-o", output]
    return shlex.join(words)
