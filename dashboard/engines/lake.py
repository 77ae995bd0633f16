"""The Parquet files a ``--data`` names for the duckdb and spark engines.

Both engines read Parquet only, and a CSV or Excel file handed to them otherwise fails
deep in the engine with its own words (DuckDB's "No magic bytes found at end of file",
Spark's "Unable to infer schema for Parquet"), which say nothing of what to do. So every
file is checked for Parquet's leading magic before an engine sees it, and one that is not
Parquet is refused by name, with the two ways on: the memory engine, or ``convert``.
"""

from __future__ import annotations

import glob
from pathlib import Path

from dashboard.i18n import N_, Sayable
from dashboard.readers import LoadError

PARQUET_MAGIC = b"PAR1"  # the first (and last) four bytes of every Parquet file


def parquet_files(data: str) -> list[Path]:
    """The Parquet files a ``--data`` names: a file, a folder (its ``*.parquet``, any depth)
    or a glob, sorted by path so rows keep one order. LoadError when none is found, or
    naming the first that is not Parquet."""
    path = Path(data)
    if path.is_dir():
        found = sorted(path.rglob("*.parquet"))
    elif path.is_file():
        found = [path]
    else:
        found = sorted(Path(p) for p in glob.glob(data, recursive=True) if Path(p).is_file())
    if not found:
        raise LoadError(data, Sayable(N_("no Parquet file found (a file, a folder or a glob "
                                         "such as 'lake/*.parquet')")))
    for file in found:
        with file.open("rb") as handle:
            if handle.read(len(PARQUET_MAGIC)) != PARQUET_MAGIC:
                raise LoadError(str(file), not_parquet(file))
    return found


def not_parquet(file: Path) -> Sayable:
    """Why a file that does not begin as Parquet files do is refused, and what to do."""
    if file.suffix.lower() == ".parquet":
        return Sayable(N_("is not a Parquet file, though named so (it does not begin with "
                          "Parquet's magic bytes): a damaged or cut-off copy, or another "
                          "format renamed"))
    return Sayable(N_("is not a Parquet file, and the duckdb and spark engines read Parquet "
                      "only: open it with the memory engine (the default), which reads CSV, "
                      "Excel, JSON and GeoJSON, or write it as Parquet first: python -m "
                      "dashboard convert {file} -o {parquet}"),
                   file=str(file), parquet=str(file.with_suffix(".parquet")))
