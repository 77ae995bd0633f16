"""What ``validate --engine duckdb|spark`` prints of a table's report, one form for both."""

from __future__ import annotations

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
        for line in report["first_rejected"]:
            print(f"    row {line['row']}, {line['column']}: {line['reason']}")
