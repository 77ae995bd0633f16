"""How many events one download in the app may hold, and the command that exports more.

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

from dashboard.export import BUNDLE, EXCEL_MAX_ROWS
from dashboard.i18n import ENGLISH, Translator

LIMIT_VARIABLE = "DASHBOARD_MAX_DOWNLOAD_EVENTS"
DEFAULT_MAX_DOWNLOAD_EVENTS = 250_000  # why: docs/benchmark.md, "Downloads in the app"
OVER_LIMIT = "limit"  # more events than the server's limit
OVER_EXCEL = "excel"  # more events than an Excel sheet's rows


class DownloadRefused(ValueError):
    """A download was asked of more events than it may hold (``refusal`` says why)."""


def max_download_events(environ: Mapping[str, str] | None = None) -> int:
    """The operator's ``DASHBOARD_MAX_DOWNLOAD_EVENTS`` (a whole number, 0 = no download
    in the app), else ``DEFAULT_MAX_DOWNLOAD_EVENTS``; an unreadable value is the default,
    never "no limit"."""
    env = os.environ if environ is None else environ
    text = (env.get(LIMIT_VARIABLE) or "").strip().replace("_", "")
    return int(text) if text.isdigit() else DEFAULT_MAX_DOWNLOAD_EVENTS


def refusal(fmt: str, count: int, limit: int, articles: int = 0) -> str | None:
    """Why a download of ``count`` events in ``fmt`` is not built: ``OVER_LIMIT``,
    ``OVER_EXCEL`` (``xlsx`` only), or None when it may be. ``articles``: the articles it
    holds (the Articles CSV's rows, or those a GeoJSON, Excel file or bundle embeds), held
    to the same limit when known: the page knows only the events' count, the builder
    counts both."""
    if max(count, articles) > limit:
        return OVER_LIMIT
    if fmt == "xlsx" and max(count, articles) > EXCEL_MAX_ROWS:
        return OVER_EXCEL
    return None


def check(fmt: str, count: int, limit: int, articles: int = 0) -> None:
    """Raise ``DownloadRefused`` when ``refusal`` refuses the download."""
    reason = refusal(fmt, count, limit, articles)
    held = f"{count:,} events" + (f" and {articles:,} articles" if articles else "")
    if reason == OVER_LIMIT:
        raise DownloadRefused(f"a download holds at most {limit:,} events (or articles) "
                              f"here and this one would hold {held}: use python -m "
                              "dashboard export")
    if reason == OVER_EXCEL:
        raise DownloadRefused(f"Excel holds at most {EXCEL_MAX_ROWS:,} rows and this "
                              f"download would hold {held}")


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
    return t.ngettext("Excel holds at most {rows} rows, and this filter selects {count} "
                      "event: download CSV or Parquet, or narrow the filter.",
                      "Excel holds at most {rows} rows, and this filter selects {count} "
                      "events: download CSV or Parquet, or narrow the filter.",
                      count).format(rows=t.number(EXCEL_MAX_ROWS), count=t.number(count))


def export_command(query: str, kind: str, fmt: str, output: str, *, engine: str = "memory",
                   data: str | None = None, table: str | None = None,
                   added: Sequence[str] = ()) -> str:
    """The ``python -m dashboard export`` command line writing the download of ``query``
    (the filter's URL query) to ``output``: ``kind`` ``events`` or ``articles``, ``fmt`` a
    format or ``BUNDLE``; ``engine``, ``data`` (as the server was given it, or None for
    the bundled data), ``table`` and ``added`` files as the data in use was opened. Every
    part is quoted for a POSIX shell, so any query is one argument."""
    words = ["python", "-m", "dashboard", "export"]
    if engine != "memory":
        words += ["--engine", engine]
    if data is not None:
        words += ["--data", data]
    if table is not None:
        words += ["--table", table]
    for name in added:
        words += ["--add", name]
    if query:
        words += ["--query", query]
    if fmt == BUNDLE:
        words.append("--bundle")
    elif kind == "articles":
        words.append("--articles")
    words += ["-o", output]
    return shlex.join(words)
