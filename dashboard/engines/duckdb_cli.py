"""``validate`` and ``export`` with ``--engine duckdb``: the same rules, query and files as
the memory engine's commands in ``dashboard.cli``, on data that stays on disk."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from dashboard.dataset import FIRST_SEEN_AT, FIRST_SEEN_EARLIER
from dashboard.engines import cli_report, duckdb_query
from dashboard.engines.cli_report import SHOWN
from dashboard.engines.duckdb_tables import Source, arrow_batches, lit, open_source, read_errors

_GENERAL = ("regexp_replace(CASE WHEN coalesce(value, '') <> '' THEN replace(reason, "
            "'''' || left(value, 80) || '''', '''…''') ELSE reason END, "
            f"{lit(FIRST_SEEN_AT)}, {lit(FIRST_SEEN_EARLIER)})")


def _companion(data: str) -> str | None:
    """``x_articles.parquet`` beside a single ``x.parquet``, as ``load_dataset`` finds it."""
    path = Path(data)
    if not path.is_file():
        return None
    from dashboard.dataset import companion_articles

    found = companion_articles(path)
    return None if found is None else str(found)


def _open(data: str, table: str | None, articles: str | None) -> Source:
    return open_source(data, table=table, articles=articles or _companion(data))


def table_report(source: Source, table: str, problems: str | None = None,
                 accepted: int | None = None,
                 warnings: list[str] | None = None) -> dict[str, Any]:
    """Rows read, accepted and rejected of one table, its reasons, first rejected lines and
    warnings (the shape of ``cli._report_dict``); ``problems`` names a table of its problem
    lines, ``accepted`` and ``warnings`` give them when the caller has them already."""
    noun = "events" if table == "events" else "articles"
    read = int(source.scalar(f"SELECT count(*) FROM raw_{noun}"))
    if accepted is None:
        accepted = int(source.scalar(f"SELECT count(*) FROM {noun}"))
    problems = problems or f"{noun[:-1] if noun == 'articles' else 'event'}_problems"
    reasons = source.con.execute(
        f"SELECT \"column\", {_GENERAL} AS reason, count(*) AS n FROM {problems} "
        "GROUP BY ALL ORDER BY n DESC, \"column\", reason").fetchall()
    first = source.con.execute(
        f"SELECT file, row, \"column\", reason FROM {problems} ORDER BY _key, \"column\" "
        f"LIMIT {SHOWN}").fetchall()
    return {"file": source.label if table == "events" else source.articles_label,
            "table": noun, "format": "canonical", "engine": "duckdb", "read": read,
            "accepted": accepted, "merged": 0, "rejected": read - accepted,
            "reasons": [{"column": c, "reason": r, "count": int(n)} for c, r, n in reasons],
            "first_rejected": [{"file": f, "row": int(r), "column": c, "reason": why}
                               for f, r, c, why in first],
            "warnings": [] if table != "events" else warnings if warnings is not None
            else event_warnings(source, "events", "articles" if source.has_articles else None)}


#: the columns ``open_source`` adds to the files' own (file and row)
_ADDED = {"filename", "file_row_number", "_row", "_path"}


def event_warnings(source: Source, events: str, articles: str | None) -> list[str]:
    """The memory engine's warnings of a canonical events file (``importers.canonical``,
    ``dataset.load_dataset``): the columns no rule reads, so that a misspelled one is named
    rather than silently left empty, and the ids the accepted ``events`` cite that the
    ``articles`` (None: no articles) lack; after the open's own lines on the articles
    files found among the data's (``Source.notes``)."""
    from dashboard.dataset import missing_articles_warning
    from dashboard.importers.canonical import ignored_columns, ignored_warning

    warnings = list(source.notes)
    names = [str(row[0]) for row in
             source.con.execute("DESCRIBE SELECT * FROM _keyed_events").fetchall()]
    ignored = ignored_columns(name for name in names if name not in _ADDED)
    if ignored:
        warnings.append(ignored_warning(source.label, ignored))
    known = f"SELECT article_id FROM {articles}" if articles else \
        "SELECT NULL::VARCHAR WHERE false"
    missing = [row[0] for row in source.con.execute(
        f"SELECT DISTINCT unnest(string_split(article_ids, '; ')) AS id FROM {events} "
        f"WHERE article_ids IS NOT NULL EXCEPT {known} ORDER BY id").fetchall() if row[0]]
    if missing:
        warnings.append(missing_articles_warning(source.label, missing))
    return warnings


#: the temporary tables ``validate`` holds each table's problem lines in
HELD_PROBLEMS = {"events": "_held_event_problems", "articles": "_held_article_problems"}


def validate(args: argparse.Namespace) -> int:
    """``validate --engine duckdb``: the report of every table, exit 1 if a row is rejected.
    Each table's problem lines (the rules over its rejected rows) are worked out once into
    a temporary table, which its reasons, first lines and ``--rejects`` all read."""
    source = _open(args.path, args.table, args.articles)
    views = {"events": "event_problems", "articles": "article_problems"}
    with read_errors(args.path):
        for table in ["events"] + (["articles"] if source.has_articles else []):
            source.con.execute(f"CREATE TEMP TABLE {HELD_PROBLEMS[table]} AS SELECT * FROM "
                               f"{views[table]}")
    return cli_report.validate(
        args, source, lambda held, table: table_report(held, table, HELD_PROBLEMS[table]),
        _write_rejects, "duckdb engine: checked in place, rejected rows left out through a view")


def _write_rejects(source: Source, path: str) -> None:
    """Every rejected line (``validate``'s held problem lines), streamed as the memory
    engine's neutralised CSV."""
    import pandas as pd

    from dashboard.export import frame_to_csv
    from dashboard.validate import REJECT_COLUMNS

    tables = [HELD_PROBLEMS["events"]] + ([HELD_PROBLEMS["articles"]] if source.has_articles
                                          else [])
    sql = " UNION ALL ".join(f"SELECT file, \"table\", row, \"column\", value, reason, _key "
                             f"FROM {t}" for t in tables)
    sql += ' ORDER BY "table" DESC, _key, "column"'
    header = None
    with Path(path).open("wb") as sink:
        for batch in arrow_batches(source.con, f"SELECT * EXCLUDE (_key) FROM ({sql})", [],
                                   duckdb_query.BATCH_ROWS):
            frame = pd.DataFrame({c: pd.Series(batch.column(c).to_pylist(),
                                               dtype="Int64" if c == "row" else "str")
                                  for c in REJECT_COLUMNS})
            data = frame_to_csv(frame)
            if header is None:
                header = data[:data.index(b"\n") + 1]
                sink.write(data)
            else:
                sink.write(memoryview(data)[len(header):])
        if header is None:
            sink.write(frame_to_csv(pd.DataFrame({c: pd.Series(dtype="str")
                                                  for c in REJECT_COLUMNS})))


def export(args: argparse.Namespace, fmt: str, exported: Any) -> int:
    """``export --engine duckdb``: the memory engine's query rules and file bytes, read from
    the validated copy the app keeps (``duckdb_backend.open_validated``: made on the first
    open of these files, by the app or here, and read back by every later one), so a second
    export of the same files checks no row again."""
    import pandas as pd

    from dashboard.citation import files_version, make_citation
    from dashboard.engines.duckdb_backend import open_validated
    from dashboard.export import held_words, selection_download
    from dashboard.filters import resolve_query
    from dashboard.taxonomy import load_topics

    if not args.data:
        raise ValueError("--engine duckdb needs --data (a Parquet file, folder or glob, or "
                         "a .duckdb file with --table)")
    validated = open_validated(args.data, table=args.table,
                               articles=args.articles_data or _companion(args.data))
    source = validated.source
    params = parse_qs(args.query or "", keep_blank_values=True)
    areas = spellings = None
    if "area" in params:
        from dashboard.boundaries import area_spellings, load_boundaries

        areas = load_boundaries(args.boundaries)
        spellings = area_spellings(areas)
    topics = load_topics()
    filters, notices = resolve_query(params, duckdb_query.choices(source), spellings)
    for notice in notices:
        print(f"notice: {notice}", file=sys.stderr)
    selection = duckdb_query.Selection(source, filters, areas)
    citation = None
    if fmt != "csv":
        names = pd.DataFrame({"source_dataset": pd.Series(selection.source_names(), dtype="str")})
        citation = make_citation(filters, names,
                                 data_version=[files_version(validated.label, [
                                     *validated.files, *validated.article_files])],
                                 exported=exported, topic_labels=dict(
                                     zip(topics["key"], topics["label"], strict=True)))
    kind = "articles" if args.articles else "events"
    with Path(args.output).open("wb") as sink:
        if kind == "events" and fmt == "csv":
            held = duckdb_query.write_csv(selection, sink), 0
        elif kind == "events" and fmt == "parquet":
            held = duckdb_query.write_parquet(selection, sink, citation), 0
        else:  # GeoJSON, Excel, the bundle and the articles hold the slice, as on memory
            events = selection.frame()
            download, articles = selection_download(kind, events, selection.articles(),
                                                    filters, fmt, citation)
            sink.write(download.data)
            held = len(events), articles
    print(f"wrote {held_words(kind, fmt, *held)} to {args.output} (duckdb engine)",
          file=sys.stderr)
    return 0
