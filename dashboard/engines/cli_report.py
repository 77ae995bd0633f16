"""``validate --engine duckdb|spark``: one command and one printed report for both engines."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

SHOWN = 10  # kinds of reason and first rejected rows a report lists


def print_report(report: dict[str, Any], how: str) -> None:
    """A table's report as the engines' ``validate`` prints it; ``how`` says how the engine
    checked it (in place, through a view; on Spark where the data lies)."""
    print(f"{report['file']}: {report['table']}, format {report['format']} ({how})")
    print(f"  rows read: {report['read']:,}  accepted: {report['accepted']:,}  "
          f"rejected: {report['rejected']:,}")
    if report["reasons"]:
        print("  reasons:")
        for reason in report["reasons"][:SHOWN]:
            print(f"    {reason['count']:>7,}  {reason['column']}: {reason['reason']}")
        if len(report["reasons"]) > SHOWN:
            print(f"    ... and {len(report['reasons']) - SHOWN} more kinds (see --rejects)")
        print("  first rejected rows:")
        files = {line["file"] for line in report["first_rejected"]}
        for line in report["first_rejected"]:
            # a folder's or a glob's rows are numbered within each file: name it
            where = f"{line['file']}, " if files != {report["file"]} else ""
            print(f"    {where}row {line['row']}, {line['column']}: {line['reason']}")
    for warning in report["warnings"]:
        print(f"  warning: {warning}")


def validate(args: argparse.Namespace, source: Any, table_report: Callable[[Any, str], dict],
             write_rejects: Callable[[Any, str], None], how: str) -> int:
    """The report of every table of an opened ``source`` (JSON with ``--json``), the rejected
    lines to ``--rejects``; exit 1 if a row is rejected."""
    reports = [table_report(source, "events")]
    if source.has_articles:
        reports.append(table_report(source, "articles"))
    if args.json:
        print(json.dumps({**reports[0], "tables": reports}, ensure_ascii=False, indent=2))
    else:
        for report in reports:
            print_report(report, how)
    if args.rejects:
        write_rejects(source, args.rejects)
    return 0 if all(r["rejected"] == 0 for r in reports) else 1
