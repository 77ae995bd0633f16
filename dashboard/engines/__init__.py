"""Where the events are filtered: in this process's memory, or by DuckDB where they lie.

``memory`` is everything else in the package (``dataset.load_dataset`` then
``Filters.mask``): about 1 GB per million events. ``duckdb`` (``duckdb_tables`` and
``duckdb_query``) reads a Parquet file, folder or glob, or a table of a ``.duckdb``
database, in place: the same row rules run as SQL over a view, the same filter becomes one
parameterised ``WHERE``, and the export streams out in batches, so the ceiling is the
disk, not the memory (docs/engines.md). ``spark`` (``spark_session``, ``spark_tables``,
``spark_query``) runs the same rules and filters as PySpark expressions, in local mode or
on the Spark Connect server ``SPARK_REMOTE`` names, for data past one machine.
"""

from __future__ import annotations

ENGINES: tuple[str, ...] = ("memory", "duckdb", "spark")

__all__ = ["ENGINES"]
