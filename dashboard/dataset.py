"""Load a file (any supported format) into a validated Dataset with a report per table.

Nothing is lost: each report counts rows read, accepted, merged into another row's event
and rejected, and keeps every rejected row with its reason so the user can download and
fix them.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard.eventindex import contiguous
from dashboard.filters import ArticleLinks, cited_articles
from dashboard.i18n import ENGLISH, N_, Sayable, Translator
from dashboard.importers import import_file
from dashboard.readers import LoadError, progress_stage, read_tables, reading, source_name
from dashboard.schema import ARTICLE_COLUMNS, DERIVED_COLUMNS, EVENT_COLUMNS
from dashboard.taxonomy import DATA_DIR
from dashboard.validate import (
    REJECT_COLUMNS,
    empty_rejected,
    make_rejected,
    prepare,
    rejected_row_count,
    validate_articles,
    validate_events,
)

BUNDLED_EVENTS = DATA_DIR / "events.csv"
BUNDLED_ARTICLES = DATA_DIR / "articles.csv"
COMPANION_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet")
# Progress shares of load_dataset: importing ends at IMPORT_SHARE, validating the events at
# EVENTS_SHARE, the articles at ARTICLES_SHARE; checking links takes the rest (timed on a
# 2M-row ACLED CSV).
IMPORT_SHARE, EVENTS_SHARE, ARTICLES_SHARE = 0.55, 0.78, 0.82


@dataclass
class LoadReport:
    """What happened to one table of one file.

    ``accepted + merged + rejected_rows == rows_read``: ``merged`` counts rows the importer
    folded into another row's event (an ACLED monadic export's further actor rows), which
    are neither events of their own nor rejected; they share their event's fate, so when
    that event's row is rejected the reason is on that row. ``merged_kind`` says what such
    a row is ("actor"), for the sentence.
    """

    file: str
    format: str
    rows_read: int
    accepted: int
    rejected_rows: int
    rejected: pd.DataFrame
    warnings: list[str] = field(default_factory=list)
    table: str = "events"
    accepted_rows: Any = None  # file row numbers of the accepted rows (numpy array), if known
    merged: int = 0
    merged_kind: str = ""

    def merged_text(self, t: Translator = ENGLISH) -> str:
        """The merged rows in words, e.g. 1,652 actor rows merged into their events ("" if none)."""
        if not self.merged:
            return ""
        n = t.number(self.merged)
        if self.merged_kind == "actor":  # the one kind an importer merges (ACLED's actor rows)
            return t.ngettext("{n} actor row merged into its event",
                              "{n} actor rows merged into their events", self.merged).format(n=n)
        return t.ngettext("{n} row merged into its event",
                          "{n} rows merged into their events", self.merged).format(n=n)

    def summary(self, t: Translator = ENGLISH) -> str:
        """One sentence for the page (in ``t``'s language) and the command line (English)."""
        rows = t.number(self.rows_read)
        if self.table == "articles":
            read = t.ngettext("{n} article row read", "{n} article rows read",
                              self.rows_read).format(n=rows)
        else:
            read = t.ngettext("{n} event row read", "{n} event rows read",
                              self.rows_read).format(n=rows)
        counts = [read, t.gettext("{n} accepted").format(n=t.number(self.accepted))]
        if self.merged:
            counts.append(self.merged_text(t))
        counts.append(t.gettext("{n} rejected").format(n=t.number(self.rejected_rows)))
        text = t.gettext("{file} ({format}): {counts}.").format(  # an engine's is marked
            file=self.file, format=t.gettext(self.format) if self.format else "",
            counts=", ".join(counts))
        if self.warnings:
            text += " " + t.ngettext("{n} warning.", "{n} warnings.", len(self.warnings)).format(
                n=t.number(len(self.warnings)))
        return text

    def reason_counts(self) -> pd.DataFrame:
        """Problems grouped by column and reason (the value itself replaced by …)."""
        if self.rejected.empty:
            return pd.DataFrame({"column": pd.Series(dtype="str"),
                                 "reason": pd.Series(dtype="str"),
                                 "count": pd.Series(dtype="int64")})
        general = [
            _generalise(str(reason), value)
            for reason, value in zip(self.rejected["reason"], self.rejected["value"], strict=True)
        ]
        frame = pd.DataFrame({"column": self.rejected["column"].fillna("").astype("str"),
                              "reason": general})
        counts = frame.value_counts().rename("count").reset_index()
        return counts.sort_values(["count", "column"], ascending=[False, True],
                                  ignore_index=True)

    def rejected_csv(self) -> bytes:
        """The rejected lines as a neutralised UTF-8 CSV (for a download)."""
        from dashboard.export import frame_to_csv

        return frame_to_csv(self.rejected[REJECT_COLUMNS])

    @property
    def ok(self) -> bool:
        """True when every row was accepted."""
        return self.rejected_rows == 0


#: Where a duplicate reason says its id was first seen ("first seen at row 3", of a folder
#: "first seen at row 3 of a.parquet"), as the reason counts say it instead: a pattern
#: Python, DuckDB (RE2) and Spark (Java) read alike, so every engine counts one kind.
FIRST_SEEN_AT = r"\(first seen at row \d+( of .*)?\)$"
FIRST_SEEN_EARLIER = "(first seen earlier)"


def _generalise(reason: str, value: object) -> str:
    if isinstance(value, str) and value:
        reason = reason.replace(f"'{value[:80]}'", "'…'")
    return re.sub(FIRST_SEEN_AT, FIRST_SEEN_EARLIER, reason)


@dataclass
class Dataset:
    """Validated events and articles plus the reports that explain how they were loaded.

    ``links`` are the events' citations of the articles when the load worked them out
    (checking the cited ids needs them; the first page needs them too), else None."""

    events: pd.DataFrame
    articles: pd.DataFrame
    reports: list[LoadReport] = field(default_factory=list)
    links: ArticleLinks | None = field(default=None, repr=False, compare=False)

    @property
    def warnings(self) -> list[str]:
        """Every report's warnings, in order."""
        return [w for r in self.reports for w in r.warnings]


def empty_events() -> pd.DataFrame:
    """An events frame with no rows and the conventional dtypes."""
    events, _ = validate_events(pd.DataFrame({c: pd.Series(dtype="str")
                                              for c in EVENT_COLUMNS}), "", topics=["other"])
    return events


def _report(file: str, fmt: str, rows_read: int, accepted: int, rejected: pd.DataFrame,
            warnings: list[str], table: str) -> LoadReport:
    return LoadReport(file, fmt, rows_read, accepted, rejected_row_count(rejected),
                      rejected.reset_index(drop=True), list(warnings), table)


def companion_articles(path: Path) -> Path | None:
    """``<stem>_articles.<ext>`` or ``articles.<ext>`` beside an events file, if present."""
    for candidate in (path.with_name(f"{path.stem}_articles{path.suffix}"),
                      path.with_name(f"articles{path.suffix}")):
        if candidate.is_file() and candidate.resolve() != path.resolve():
            return candidate
    return None


def missing_articles_warning(label: str, missing: list[str]) -> str:
    """The load report's line for cited article ids the articles lack (the first five
    named; ``reasons.WARNINGS`` holds it for translation); the duckdb engine's report says
    it too."""
    shown = ", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")
    return (f"{label}: events cite {len(missing)} article id(s) not in the articles table "
            f"({shown}); the events are kept")


def load_dataset(
    source: Any,
    name: str | None = None,
    *,
    articles: Any = None,
    fmt: str | None = None,
    mapping: Any = None,
    labels: Any = None,
    progress: Callable[[float], None] | None = None,
    topics: list[str] | None = None,
) -> Dataset:
    """Import, validate and report one events file (and its articles). Raises LoadError.

    Articles come from, in order: the explicit ``articles`` file; the importer (ACLED
    sources, GDELT URLs, ...) or the file itself (JSON/GeoJSON ``articles`` member, an
    ``articles`` sheet); a companion file beside a path source (see ``companion_articles``).
    ``labels`` is a VIINA labels file joined onto VIINA events (see ``import_file``).
    ``progress`` gets the share of the whole load done: importing, then validating.
    Whatever an importer or a validation step raises besides a LoadError becomes one
    naming the file (the readers' last guard, ``readers.reading``), so a file never ends
    in a traceback on a page or on the command line.
    """
    with reading(source_name(source, name)):
        return _load_dataset(source, name, articles=articles, fmt=fmt, mapping=mapping,
                             labels=labels, progress=progress, topics=topics)


def _load_dataset(
    source: Any,
    name: str | None,
    *,
    articles: Any,
    fmt: str | None,
    mapping: Any,
    labels: Any,
    progress: Callable[[float], None] | None,
    topics: list[str] | None,
) -> Dataset:
    label = source_name(source, name)
    threading.Thread(target=_prepare_validation, args=(topics,), name="dashboard-validation",
                     daemon=True).start()
    ahead = _articles_ahead(source, articles)
    imported = import_file(source, name, fmt=fmt, mapping=mapping, labels=labels,
                           progress=progress_stage(progress, 0.0, IMPORT_SHARE))
    events, rejected = validate_events(imported.events, label, topics=topics)
    if progress is not None:
        progress(EVENTS_SHARE)
    rejected = pd.concat([imported.rejected, rejected], ignore_index=True) \
        if not imported.rejected.empty else rejected
    warnings = list(imported.warnings)
    reports = [_report(label, imported.format, imported.rows_read, len(events), rejected,
                       warnings, "events")]
    reports[0].accepted_rows = _accepted_rows(imported.events, rejected, label)
    reports[0].merged, reports[0].merged_kind = len(imported.merged), imported.merged_kind
    # The raw event cells are done with: at 2M events they held about 0.25 GB through the
    # articles' validation, then the highest point of the load. The accepted events are
    # made single-chunk here, not after the articles: columns passed on from a CSV read as
    # they were held about 0.5 GB more than their own size at 2M events until copied. What
    # the CSV reader's threads freed is not handed back without the explicit release.
    articles_raw, articles_label, file_format = imported.articles, label, imported.format
    malformed = imported.articles_rejected  # article rows the reader could not read
    del imported
    events = contiguous(events)
    pa.default_memory_pool().release_unused()

    companion_used = articles is None and articles_raw.empty and file_format == "canonical"
    if ahead is not None and (articles is not None or companion_used):
        articles_label, read = ahead[0], ahead[1].result()
    else:
        read = _validated_articles(articles_raw, malformed, articles_label)
    article_frame, article_rejects, articles_read, any_read = read
    if articles is not None or articles_label != label or any_read:
        reports.append(_report(articles_label, "canonical", articles_read,
                               len(article_frame), article_rejects, [], "articles"))
    if progress is not None:
        progress(ARTICLES_SHARE)
    article_frame = contiguous(article_frame)
    links, missing = cited_articles(events, article_frame)
    if missing:
        reports[0].warnings.append(missing_articles_warning(label, missing))
    if progress is not None:
        progress(1.0)
    return Dataset(events, article_frame, reports, links)


_Articles = tuple[pd.DataFrame, pd.DataFrame, int, bool]  # accepted, rejected, read, any rows


def _articles_ahead(source: Any, articles: Any) -> tuple[str, Future[_Articles]] | None:
    """The articles file (the one given, else a path source's companion) read and validated
    on a thread of its own while the events are, with its label; None when there is none.

    Reading a Parquet file and most of the validation run in Arrow, outside the GIL, so
    the two tables share the machine's cores. A companion is read before it is known to
    be wanted (an importer's own articles or a non-canonical file keep it unused): it is
    then dropped, its errors with it."""
    if articles is not None:
        label, path = source_name(articles), articles
    elif isinstance(source, (str, Path)):
        path = companion_articles(Path(source))
        if path is None:
            return None
        label = path.name
    else:
        return None
    result: Future[_Articles] = Future()

    def read() -> None:
        try:
            raw, malformed = _read_articles(path, label)
            result.set_result(_validated_articles(raw, malformed, label))
        except BaseException as err:  # noqa: BLE001 - raised again where the load waits
            result.set_exception(err)

    threading.Thread(target=read, name="dashboard-articles", daemon=True).start()
    return label, result


def _validated_articles(raw: pd.DataFrame, malformed: pd.DataFrame | None,
                        label: str) -> _Articles:
    """Raw article rows validated, the rows their reader could not read among the rejects:
    (accepted, rejected lines, rows read, whether the file had any readable row)."""
    frame, rejects = validate_articles(raw, label)
    rows_read = len(raw)
    if malformed is not None and not malformed.empty:
        rejects = pd.concat([malformed, rejects], ignore_index=True)
        rows_read += malformed["row"].nunique()
    return frame, rejects, rows_read, not raw.empty


def _prepare_validation(topics: list[str] | None) -> None:
    """``validate.prepare`` while the file is read; a failure here is the validation's own
    to report, on the loading thread, so it is only logged."""
    try:
        prepare(topics)
    except Exception:  # noqa: BLE001 - validate_events raises it again where it is shown
        logging.getLogger(__name__).debug("preparing the validation failed", exc_info=True)


def _accepted_rows(raw: pd.DataFrame, rejected: pd.DataFrame, label: str) -> Any:
    rows = raw.attrs.get("source_rows")
    rows = np.asarray(rows) if rows is not None and len(rows) == len(raw) \
        else np.arange(1, len(raw) + 1)
    mine = rejected[(rejected["file"] == label) & (rejected["table"] == "events")]["row"]
    return rows[~np.isin(rows, mine.dropna().astype("int64").to_numpy())]


def _read_articles(source: Any, label: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An articles file as canonical raw rows, and the rows its reader could not read
    (rejected lines, so that they are counted and listed like any other reject)."""
    from dashboard.importers import split_malformed
    from dashboard.importers.canonical import canonical_table

    tables = read_tables(source, label)
    raw = tables.get("articles", tables["events"])
    names = {str(c).strip().lower() for c in raw.columns}
    if "article_id" not in names:
        raise LoadError(label, Sayable(N_("an articles file needs an 'article_id' column")))
    raw, malformed = split_malformed(raw, label, "articles")
    table, _ = canonical_table(raw, ARTICLE_COLUMNS)
    return table, malformed


def load_bundled() -> Dataset:
    """The dataset shipped in ``data/`` (events.csv with articles.csv)."""
    return load_dataset(BUNDLED_EVENTS, articles=BUNDLED_ARTICLES)


def combine(base: Dataset, extra: Dataset) -> Dataset:
    """Append ``extra`` to ``base``. Extra events whose id exists already are rejected.
    Columns come out in one chunk each, as ``load_dataset`` gives them.

    The rejection is recorded in the extra's events report (accepted and rejected counts
    updated), so nothing disappears silently; extra articles with a known id are skipped
    (the base's record wins) and counted in a warning.
    """
    known = base.events["event_id"]
    clash = extra.events["event_id"].isin(known)
    reports = [_copy_report(r) for r in extra.reports]
    if clash.any() and reports:
        report = next((r for r in reports if r.table == "events"), reports[0])
        ids = extra.events.loc[clash, "event_id"]
        lines = make_rejected(report.file, "events", _row_numbers(report, clash),
                              "event_id", ids,
                              [f"duplicate event_id '{i}' (already in the loaded data)"
                               for i in ids])
        report.rejected = pd.concat([report.rejected, lines], ignore_index=True)
        report.accepted -= int(clash.sum())
        if report.accepted_rows is not None and len(report.accepted_rows) == len(clash):
            report.accepted_rows = report.accepted_rows[~clash.to_numpy()]
        report.rejected_rows = report.rows_read - report.accepted - report.merged
    events = pd.concat([base.events, extra.events[~clash]], ignore_index=True)
    events = _restore_dtypes(events)
    new_articles = extra.articles[~extra.articles["article_id"].isin(base.articles["article_id"])]
    skipped = len(extra.articles) - len(new_articles)
    if skipped and reports:
        reports[-1].warnings.append(
            f"{skipped} article(s) already loaded were kept from the data loaded first")
    articles = pd.concat([base.articles, new_articles], ignore_index=True).astype("str")
    return Dataset(contiguous(events), contiguous(articles[ARTICLE_COLUMNS]),
                   list(base.reports) + reports)


def _row_numbers(report: LoadReport, mask: pd.Series) -> list[int]:
    """The file rows of the masked events (the report keeps the accepted rows' numbers)."""
    rows = report.accepted_rows
    if rows is None or len(rows) != len(mask):
        rows = range(1, len(mask) + 1)
    return [int(r) for r, m in zip(rows, mask, strict=True) if m]


def _copy_report(report: LoadReport) -> LoadReport:
    return dataclasses.replace(report, rejected=report.rejected.copy(),
                               warnings=list(report.warnings))


def _restore_dtypes(events: pd.DataFrame) -> pd.DataFrame:
    template = empty_events()
    for column in EVENT_COLUMNS + DERIVED_COLUMNS:
        if events[column].dtype != template[column].dtype:
            events[column] = events[column].astype(template[column].dtype)
    return events


__all__ = [
    "Dataset", "LoadReport", "combine", "companion_articles", "empty_events", "load_bundled",
    "load_dataset", "empty_rejected",
]
