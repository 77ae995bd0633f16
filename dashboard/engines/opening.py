"""Which backend serves the launch data: ``--engine`` (``DASHBOARD_ENGINE``) to an object.

``memory`` is not opened here: the app loads the file (``dataset.load_dataset``, the
store) and wraps it in ``memory_backend.MemoryBackend``. ``duckdb`` validates the source
once (``duckdb_backend.open_validated``) and queries it in place. ``spark`` is the
module ``dashboard.engines.spark_backend``, whose ``open_backend(data, *, table=None,
articles=None)`` returns a ``Backend`` (docs/engines.md); without PySpark, or in a build
without that module, a ValueError says which is missing.
"""

from __future__ import annotations

import importlib
import importlib.util

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
        return _spark_backend(data, table=table, articles=articles)
    raise ValueError(f"unknown engine {engine[:40]!r}: choose memory, "
                     f"{', '.join(SERVED_ENGINES)}")


SPARK_BACKEND_MODULE = "dashboard.engines.spark_backend"


def _spark_backend(data: str, *, table: str | None, articles: str | None) -> Backend:
    """Spark's backend, or a ValueError saying which part is missing: PySpark itself (the
    user can install it) or the app's backend module (no install helps; the CLI still
    runs on Spark), since a wrong hint sends users to reinstall what they have."""
    if importlib.util.find_spec("pyspark") is None:
        raise ValueError("the spark engine needs PySpark, which is not installed: "
                         'install it with pip install -e ".[spark]"')
    try:
        module = importlib.import_module(SPARK_BACKEND_MODULE)
    except ModuleNotFoundError as err:
        if err.name != SPARK_BACKEND_MODULE:
            raise
        raise ValueError("this build has no app backend for the spark engine (PySpark is "
                         "installed; python -m dashboard export|validate --engine spark "
                         "runs on it): serve the data with --engine duckdb or memory"
                         ) from None
    backend: Backend = module.open_backend(data, table=table, articles=articles)
    return backend
