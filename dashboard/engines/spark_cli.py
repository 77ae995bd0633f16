"""``validate`` and ``export`` with ``--engine spark``: the same rules, query and files as
the memory engine's commands in ``dashboard.cli``, computed by Spark (local mode, or the
Spark Connect server ``SPARK_REMOTE`` names)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from dashboard.engines import cli_report
from dashboard.engines.cli_report import SHOWN
from dashboard.engines.spark_tables import Source, open_source


def _companion(data: str | None) -> str | None:
    """``x_articles.parquet`` beside a single ``x.parquet``, as ``load_dataset`` finds it."""
    if not data or not Path(data).is_file():
        return None
    from dashboard.dataset import companion_articles

    found = companion_articles(Path(data))
    return None if found is None else str(found)


def _open(data: str | None, table: str | None, articles: str | None) -> Source:
    return open_source(data, table=table, articles=articles or _companion(data))


def _general(reason: Any, value: Any) -> Any:
    """A reason with its value and row left out, so like lines count as one kind."""
    from pyspark.sql import functions as F

    from dashboard.dataset import FIRST_SEEN_AT, FIRST_SEEN_EARLIER

    quoted = F.concat(F.lit("'"), F.substring(value, 1, 80), F.lit("'"))
    plain = F.when(F.coalesce(value, F.lit("")) != "", F.replace(reason, quoted, F.lit("'…'"))) \
        .otherwise(reason)
    return F.regexp_replace(plain, FIRST_SEEN_AT, FIRST_SEEN_EARLIER)


def table_report(source: Source, table: str) -> dict[str, Any]:
    """Rows read, accepted and rejected of one table, its reasons and first rejected lines
    (the shape of ``cli._report_dict`` and of the duckdb engine's report)."""
    from pyspark.sql import functions as F

    events = table == "events"
    read = source.read if events else source.articles_read
    accepted = (source.events if events else source.articles).count()
    problems = source.problems if events else source.article_problems
    reasons = (problems.select("column", _general(F.col("reason"), F.col("value")).alias("r"))
               .groupBy("column", "r").count()
               .orderBy(F.desc("count"), "column", "r").collect())
    first = problems.orderBy("_key", "column").select("file", "row", "column", "reason") \
        .limit(SHOWN).collect()
    return {"file": source.label if events else source.articles_label,
            "table": table, "format": "canonical", "engine": "spark", "read": read,
            "accepted": accepted, "merged": 0, "rejected": read - accepted,
            "reasons": [{"column": r["column"], "reason": r["r"], "count": int(r["count"])}
                        for r in reasons],
            "first_rejected": [{"file": r["file"], "row": int(r["row"]),
                                "column": r["column"], "reason": r["reason"]} for r in first],
            "warnings": event_warnings(source) if events else []}


def event_warnings(source: Source) -> list[str]:
    """The memory engine's warnings of a canonical events file, as the duckdb engine gives
    them (``duckdb_cli.event_warnings``): the columns no rule reads, so that a misspelled
    one is named rather than silently left empty, and the ids the accepted events cite
    that the accepted articles (none given: no articles) lack, sorted; after the open's
    own lines on the articles files found among the data's (``Source.notes``)."""
    from pyspark.sql import functions as F

    from dashboard.dataset import missing_articles_warning
    from dashboard.importers.canonical import ignored_columns, ignored_warning

    warnings = list(source.notes)
    ignored = ignored_columns(source.columns)
    if ignored:
        warnings.append(ignored_warning(source.label, ignored))
    cited = source.events.select(F.explode(F.split("article_ids", "; ")).alias("id")) \
        .filter(F.col("id") != "").distinct()
    if source.has_articles:
        cited = cited.join(source.articles.select(F.col("article_id").alias("id")), "id",
                           "left_anti")
    missing = [row["id"] for row in cited.orderBy("id").collect()]
    if missing:
        warnings.append(missing_articles_warning(source.label, missing))
    return warnings


def validate(args: argparse.Namespace) -> int:
    """``validate --engine spark``: the report of every table, exit 1 if a row is rejected."""
    return cli_report.validate(args, _open(args.path, args.table, args.articles), table_report,
                               write_rejects, "spark engine: checked where the data lies, "
                               "rejected rows left out of the events it serves")


def rejected_lines(source: Source) -> Any:
    """Every rejected line (``validate.REJECT_COLUMNS``) in the memory engine's order:
    events before articles, each by file and row, then column."""
    from pyspark.sql import functions as F

    lines = source.problems
    if source.has_articles:
        lines = lines.unionAll(source.article_problems)
    return lines.orderBy(F.desc("table"), "_key", "column").drop("_key")


def write_rejects(source: Source, path: str) -> None:
    """Every rejected line as the memory engine's neutralised CSV (held on the driver:
    the rejected lines, not the data)."""
    import pandas as pd

    from dashboard.export import frame_to_csv
    from dashboard.validate import REJECT_COLUMNS

    table = rejected_lines(source).toArrow()
    frame = pd.DataFrame({c: pd.Series(table.column(c).to_pylist(),
                                       dtype="Int64" if c == "row" else "str")
                          for c in REJECT_COLUMNS})
    Path(path).write_bytes(frame_to_csv(frame))


def export(args: argparse.Namespace, fmt: str, exported: Any) -> int:
    """``export --engine spark``: the memory engine's query rules and file bytes."""
    from dashboard.engines import spark_query
    from dashboard.export import held_words

    if not args.data and not args.table:
        raise ValueError("--engine spark needs --data (a Parquet file, folder or glob) or "
                         "--table (a table of the Spark catalog)")
    source = _open(args.data, args.table, args.articles_data)
    kind = "articles" if args.articles else "events"
    held = spark_query.export_file(source, args.query or "", kind, fmt, exported, args.output,
                                   args.boundaries)
    print(f"wrote {held_words(kind, fmt, *held)} to {args.output} (spark engine)",
          file=sys.stderr)
    return 0
