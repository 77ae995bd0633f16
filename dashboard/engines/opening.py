"""Which backend serves the launch data: ``--engine`` (``DASHBOARD_ENGINE``) to an object.

``memory`` is not opened here: the app loads the file (``dataset.load_dataset``, the
store) and wraps it in ``memory_backend.MemoryBackend``. ``duckdb`` validates the source
once (``duckdb_backend.open_validated``) and queries it in place. ``spark`` is the
module ``dashboard.engines.spark_backend``, whose ``open_backend(data, *, table=None,
articles=None)`` returns a ``Backend`` (docs/engines.md).
"""

from __future__ import annotations

import importlib

from dashboard.engines.backend import Backend

SERVED_ENGINES = ("duckdb", "spark")


def open_backend(engine: str, data: str, *, table: str | None = None,
                 articles: str | None = None) -> Backend:
    """The backend of ``engine`` over ``data``; ValueError for an engine this build lacks
    (the message names the choices), LoadError for data it cannot read."""
    if engine == "duckdb":
        from dashboard.engines.duckdb_backend import open_validated

        return open_validated(data, table=table, articles=articles)
    if engine == "spark":
        try:
            module = importlib.import_module("dashboard.engines.spark_backend")
        except ImportError as err:
            raise ValueError(f"the spark engine is not available here ({err.msg}): "
                             'install it with pip install -e ".[spark]"') from None
        backend: Backend = module.open_backend(data, table=table, articles=articles)
        return backend
    raise ValueError(f"unknown engine {engine[:40]!r}: choose memory, "
                     f"{', '.join(SERVED_ENGINES)}")
