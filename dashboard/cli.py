"""``python -m dashboard validate|convert|mapping|export`` (the server: ``dashboard.launch``).

Exit codes: 0 when no row is rejected (rows merged into another row's event, as in an
ACLED monadic export, are not rejected), 1 when some rows were rejected (the file was
still read), 2 when a file cannot be read or an argument is wrong. Errors are printed as
one line naming the file, never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np

from dashboard import linking
from dashboard.boundaries import BORDER_MARGIN_KM
from dashboard.dataset import (
    Dataset,
    LoadReport,
    combine,
    companion_articles,
    load_bundled,
    load_dataset,
)
from dashboard.engines import ENGINES
from dashboard.export import (
    BUNDLE,
    export_articles,
    export_events,
    format_for,
    frame_to_csv,
    held_words,
    selection_download,
)
from dashboard.importers.mapping import mapping_json, suggest_mapping, unused_columns
from dashboard.readers import FormatNotRecognised, LoadError, read_raw
from dashboard.validate import REJECT_COLUMNS

EXIT_OK, EXIT_REJECTS, EXIT_UNREADABLE = 0, 1, 2
EXIT_PIPE = 141  # what a shell reports for a command stopped by a closed pipe
SHOWN_REASONS = 10
# Fields a guessed mapping is told to lack: without them ids are row numbers, events are
# undated, countries blank.
KEY_FIELDS = ("event_id", "date", "country")
LABELS_HELP = ("VIINA labels file (event_labels_latest_YYYY) joined onto a VIINA event file "
               "by event_id, so its t_*/a_* labels give the topics and actors")


ADD_HELP = ("another events file (any format, detected) added to the data, repeatable: "
            "events of different datasets that are probably the same are linked "
            "(docs/linking.md)")


def _load(args: argparse.Namespace) -> Dataset:
    return _added(load_dataset(args.path, fmt=args.format, mapping=args.mapping,
                               articles=args.articles, labels=args.labels), args.add)


def _added(dataset: Dataset, paths: Sequence[str] | None) -> Dataset:
    """``dataset`` with each ``--add`` file combined in, in order (``dataset.combine``:
    an added event whose id is loaded already is rejected in that file's report)."""
    for path in paths or ():
        dataset = combine(dataset, load_dataset(path))
    return dataset


def _linked(dataset: Dataset, added: Sequence[str] | None) -> linking.EventLinks:
    """The dataset's links, and a line saying how many when files were added."""
    links = linking.find_links(dataset.events)
    if added:
        print(linking.summary(links), file=sys.stderr)
    return links


def _report_dict(report: LoadReport) -> dict[str, object]:
    counts = report.reason_counts()
    return {
        "file": report.file,
        "table": report.table,
        "format": report.format,
        "read": report.rows_read,
        "accepted": report.accepted,
        "merged": report.merged,
        "rejected": report.rejected_rows,
        "reasons": [
            {"column": c, "reason": r, "count": int(n)}
            for c, r, n in counts[["column", "reason", "count"]].itertuples(index=False)
        ],
        "warnings": list(report.warnings),
    }


def _print_report(report: LoadReport) -> None:
    print(f"{report.file}: {report.table}, format {report.format}")
    merged = f"merged: {report.merged:,}  " if report.merged else ""
    print(f"  rows read: {report.rows_read:,}  accepted: {report.accepted:,}  {merged}"
          f"rejected: {report.rejected_rows:,}")
    if report.merged:
        print(f"  {report.merged_text()} (not rejected)")
    counts = report.reason_counts()
    if not counts.empty:
        print("  reasons:")
        for column, reason, count in counts.head(SHOWN_REASONS).itertuples(index=False):
            print(f"    {count:>7,}  {column}: {reason}")
        if len(counts) > SHOWN_REASONS:
            print(f"    ... and {len(counts) - SHOWN_REASONS} more kinds (see --rejects)")
        print("  first rejected rows:")
        for row, column, reason in report.rejected[["row", "column", "reason"]].head(
                SHOWN_REASONS).itertuples(index=False):
            print(f"    row {row}, {column}: {reason}")
    for warning in report.warnings:
        print(f"  warning: {warning}")


def _one_table(args: argparse.Namespace) -> None:
    """``--add`` combines files the memory engine loads; the duckdb and spark engines read
    one table, whose files are given together."""
    if args.add and args.engine != "memory":
        raise ValueError(f"--add needs the memory engine: the {args.engine} engine reads one "
                         "table (give the files as one folder or glob)")


def cmd_validate(args: argparse.Namespace) -> int:
    """Load, print the report(s), optionally write every rejected line."""
    _one_table(args)
    if args.engine == "duckdb":
        from dashboard.engines import duckdb_cli

        return duckdb_cli.validate(args)
    if args.engine == "spark":
        from dashboard.engines import spark_cli

        return spark_cli.validate(args)
    if args.path is None:
        raise ValueError("give the events file to validate")
    dataset = _load(args)
    links = linking.find_links(dataset.events) if args.add else None
    if args.json:
        document: dict[str, object] = _report_dict(dataset.reports[0])
        document["tables"] = [_report_dict(r) for r in dataset.reports]
        if links is not None:
            document["links"] = {"pairs": links.pairs, "events": int(links.linked().sum())}
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        for report in dataset.reports:
            _print_report(report)
        if links is not None:
            print(linking.summary(links))
    if args.rejects:
        import pandas as pd

        frames = [r.rejected[REJECT_COLUMNS] for r in dataset.reports if not r.rejected.empty]
        rejected = pd.concat(frames, ignore_index=True) if frames else \
            dataset.reports[0].rejected[REJECT_COLUMNS]
        Path(args.rejects).write_bytes(frame_to_csv(rejected))
    return EXIT_OK if all(r.ok for r in dataset.reports) else EXIT_REJECTS


EMBEDS_ARTICLES = ("geojson", "xlsx")  # formats whose file holds the articles too


def cmd_convert(args: argparse.Namespace) -> int:
    """Write the accepted events in the output's format, and their articles: embedded
    (GeoJSON, Excel), at ``--articles-out``, or else beside a CSV or Parquet output as its
    companion ``OUT_articles.csv|parquet``, where the dashboard, ``validate`` and the
    duckdb and spark engines look for them: a converted file keeps its sources."""
    fmt = format_for(args.output)
    articles_out = Path(args.articles_out) if args.articles_out else None
    if articles_out is None and (companion := _companion_out(Path(args.output), fmt)):
        if companion.resolve() in _inputs(args):
            raise ValueError(f"the articles would go to {companion}, which is one of the "
                             "files read: choose where with --articles-out")
        articles_out = companion
    dataset = _load(args)
    events = linking.with_linked_events(dataset.events, _linked(dataset, args.add))
    Path(args.output).write_bytes(export_events(events, fmt, articles=dataset.articles
                                                if fmt in EMBEDS_ARTICLES else None))
    # a companion is written when there are articles, or over one of an earlier run
    written = articles_out is not None and bool(
        args.articles_out or not dataset.articles.empty or articles_out.exists())
    if articles_out is not None and written:
        articles_out.write_bytes(export_articles(dataset.articles,
                                                 format_for(str(articles_out))))
    for report in dataset.reports:
        print(report.summary(), file=sys.stderr)
    print(f"wrote {len(dataset.events):,} events to {args.output}", file=sys.stderr)
    if written:
        print(f"wrote {len(dataset.articles):,} articles to {articles_out}", file=sys.stderr)
    return EXIT_OK if all(r.ok for r in dataset.reports) else EXIT_REJECTS


def _companion_out(output: Path, fmt: str) -> Path | None:
    """Where a CSV or Parquet output's articles go when no ``--articles-out`` says: the
    companion name ``dataset.companion_articles`` finds beside it."""
    if fmt in EMBEDS_ARTICLES:
        return None
    return output.with_name(f"{output.stem}_articles{output.suffix}")


def _inputs(args: argparse.Namespace) -> set[Path]:
    """Every file a command reads, resolved: an output must not overwrite one."""
    named = [args.path, args.articles, args.labels, *(getattr(args, "add", None) or [])]
    found = {Path(p).resolve() for p in named if p}
    if args.path and Path(args.path).is_file() and args.articles is None:
        companion = companion_articles(Path(args.path))
        if companion is not None:
            found.add(companion.resolve())
    return found


def cmd_mapping(args: argparse.Namespace) -> int:
    """Write the column mapping guessed from a file's column names (the guess the Data page
    starts from), for a file no importer recognises: edited, it is ``--mapping``'s file."""
    if args.output and Path(args.output).resolve() == Path(args.path).resolve():
        raise ValueError(f"{args.output} is the file read: choose another output")
    raw = read_raw(args.path)
    guess = suggest_mapping(raw)
    if args.output:
        Path(args.output).write_text(mapping_json(guess), "utf-8")
    else:
        sys.stdout.write(mapping_json(guess))
    mapped = guess.columns()
    left = unused_columns(raw, guess)
    missing = [name for name in KEY_FIELDS if name not in mapped]
    print(f"{args.path}: {len(mapped)} fields guessed from the column names"
          + (f"; columns not mapped: {', '.join(left)}" if left else "")
          + (f"; no column found for {', '.join(missing)}" if missing else ""), file=sys.stderr)
    if guess.country_from_coordinates:
        print("with no country column, country_from_coordinates is on: a row's country is "
              "the bundled outline its coordinates lie in, unless another country's is within "
              f"{BORDER_MARGIN_KM:g} km", file=sys.stderr)
    print(f"check it (docs/formats.md), then: python -m dashboard validate {args.path} "
          f"--mapping {args.output or 'MAPPING.json'}", file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Filter exactly as the dashboard does (the same URL query) and write the result: the
    same bytes as the dashboard's download of that query at the same export time."""
    from dashboard.choices import build_options
    from dashboard.citation import launch_version, make_citation, now, parse_exported
    from dashboard.filters import resolve_query
    from dashboard.taxonomy import load_topics

    if args.bundle and args.articles:
        raise ValueError("--bundle holds the events and the articles behind them: "
                         "leave out --articles")
    if args.bundle and not str(args.output).lower().endswith(".zip"):
        raise ValueError("--bundle writes a zip: name the output OUT.zip")
    fmt = BUNDLE if args.bundle else format_for(args.output)
    exported = parse_exported(args.exported) if args.exported else now()
    _one_table(args)
    if args.engine == "duckdb":
        from dashboard.engines import duckdb_cli

        return duckdb_cli.export(args, fmt, exported)
    if args.engine == "spark":
        from dashboard.engines import spark_cli

        return spark_cli.export(args, fmt, exported)
    if args.labels and not args.data:
        raise ValueError("--labels needs --data (a VIINA event file)")
    dataset = _added(load_dataset(args.data, labels=args.labels) if args.data
                     else load_bundled(), args.add)
    links = _linked(dataset, args.add)
    params = parse_qs(args.query or "", keep_blank_values=True)
    areas = None
    if "area" in params:  # read only when asked for: the outlines take a second to load
        from dashboard.boundaries import area_spellings, load_boundaries

        areas = load_boundaries(args.boundaries)
    topics = load_topics()
    choices = build_options(dataset.events, dataset.articles, list(topics["key"]))
    filters, notices = resolve_query(params, choices,
                                     None if areas is None else area_spellings(areas))
    for notice in notices:
        print(f"notice: {notice}", file=sys.stderr)
    selected = filters.mask(dataset.events, dataset.articles, areas=areas, event_links=links)
    events = linking.with_linked_events(dataset.events, links, np.flatnonzero(selected))
    citation = make_citation(
        filters, events, data_version=[launch_version(args.data, args.labels)],
        exported=exported, topic_labels=dict(zip(topics["key"], topics["label"], strict=True)))
    kind = "articles" if args.articles else "events"
    download, articles = selection_download(kind, events, dataset.articles, filters, fmt,
                                            citation)
    Path(args.output).write_bytes(download.data)
    print(f"wrote {held_words(kind, fmt, len(events), articles)} to {args.output}",
          file=sys.stderr)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (separate so tests and docs can inspect it)."""
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def input_options(sub: argparse.ArgumentParser, *, optional: bool = False) -> None:
        sub.add_argument("path", nargs="?" if optional else None,
                         help="events file: CSV/TSV, .xlsx/.xls/.ods, JSON, GeoJSON, Parquet "
                              "(spark engine: leave it out to read --table)")
        sub.add_argument("--format", help="force a format (canonical, acled, ucdp, viina, "
                                          "gdelt, mapped) instead of detecting it")
        sub.add_argument("--mapping", help="column mapping JSON file (uses the mapped format)")
        sub.add_argument("--articles", help="articles file for canonical events")
        sub.add_argument("--labels", metavar="PATH", help=LABELS_HELP)
        sub.add_argument("--add", metavar="FILE", action="append", help=ADD_HELP)

    def engine_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--engine", choices=ENGINES, default="memory",
                         help="memory: load the file; duckdb: query a Parquet file, folder or "
                              "glob (or a .duckdb table) in place; spark: the same on Spark, "
                              "local or the Spark Connect server SPARK_REMOTE names "
                              "(docs/engines.md)")
        sub.add_argument("--table", help="duckdb engine: the table of a .duckdb database; "
                                         "spark engine: a table of the Spark catalog")

    validate = commands.add_parser("validate", help="report rows read, accepted, rejected")
    input_options(validate, optional=True)
    validate.add_argument("--json", action="store_true", help="print one JSON object")
    validate.add_argument("--rejects", metavar="OUT.csv", help="write every rejected line")
    engine_options(validate)
    validate.set_defaults(run=cmd_validate)

    convert = commands.add_parser("convert", help="write accepted events in another format")
    input_options(convert)
    convert.add_argument("-o", "--output", required=True, help="OUT.csv|geojson|xlsx|parquet")
    convert.add_argument("--articles-out", help="write the articles here (csv|xlsx|parquet); "
                         "by default a CSV or Parquet output's go beside it as "
                         "OUT_articles.csv|parquet, where the dashboard and the engines "
                         "find them")
    convert.set_defaults(run=cmd_convert)

    guess = commands.add_parser(
        "mapping", help="guess a column mapping (JSON) from a file's column names, to check "
                        "and pass to --mapping")
    guess.add_argument("path", help="the file whose columns are mapped")
    guess.add_argument("-o", "--output", help="write the mapping here (default: stdout)")
    guess.set_defaults(run=cmd_mapping)

    export = commands.add_parser("export", help="filter like the dashboard and write the result")
    export.add_argument("--data", help="events file (default: the bundled data)")
    export.add_argument("--labels", metavar="PATH", help=LABELS_HELP)
    export.add_argument("--add", metavar="FILE", action="append", help=ADD_HELP)
    export.add_argument("--query", default="",
                        help='dashboard URL query, e.g. "country=POL&topic=border_zone"')
    export.add_argument("--articles", action="store_true",
                        help="write the articles behind the filtered events instead")
    export.add_argument("--boundaries", metavar="PATH",
                        help="boundaries file whose units area= names (default: the bundled "
                             "country outlines), as the dashboard's --boundaries")
    export.add_argument("--bundle", action="store_true",
                        help="write a citable bundle (-o OUT.zip): the events and their "
                             "articles as CSV, README.txt and CITATION.cff")
    export.add_argument("--exported", metavar="TIME",
                        help="the export time the file states, ISO 8601 (default: now), "
                             "e.g. 2025-05-01T12:00:00Z: the same query and time give the "
                             "same bytes as the dashboard's download")
    export.add_argument("-o", "--output", required=True,
                        help="OUT.csv|geojson|xlsx|parquet (OUT.zip with --bundle)")
    export.add_argument("--articles-data", metavar="PATH",
                        help="duckdb engine: the articles (Parquet file/folder/glob or CSV) the "
                             "outlet and q filters read (default: X_articles.parquet beside "
                             "a single X.parquet)")
    engine_options(export)
    export.set_defaults(run=cmd_export)
    return parser


def _named(args: argparse.Namespace, file: str) -> str:
    """The path the user typed for the file an error names (errors name files by their
    base name), or that name when no argument matches."""
    typed = [getattr(args, "path", None), getattr(args, "data", None),
             *(getattr(args, "add", None) or [])]
    return next((p for p in typed if p and Path(p).name == Path(file).name), file)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as cat does
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_PIPE
    except FormatNotRecognised as err:
        print(f"error: {err}", file=sys.stderr)
        print(f"python -m dashboard mapping {_named(args, err.file)} -o MAPPING.json guesses "
              "a mapping to start from", file=sys.stderr)
    except LoadError as err:
        print(f"error: {err}", file=sys.stderr)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
    except OSError as err:
        print(f"error: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
    return EXIT_UNREADABLE
