"""The Spark session the spark engine runs on: a Spark Connect server, or local mode.

``SPARK_REMOTE`` (the standard PySpark variable, e.g. ``sc://host:15002``) names a Spark
Connect server, whose cluster then reads the data; without it a local session starts in
this process's JVM. The local session is small and never leaves the machine: two worker
threads (``DASHBOARD_SPARK_MASTER`` overrides ``local[2]``), few shuffle partitions, no web
UI, the driver bound to 127.0.0.1, and no packages configured, so neither Ivy nor Maven
is ever asked for a jar. Both kinds get the same SQL settings: UTC (dates are read as the
readers read them, with no shift) and ANSI mode off (a bad cast is NULL, as the row rules
expect, not an error).
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING, Any

from dashboard.i18n import N_, Sayable
from dashboard.readers import LoadError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOCAL_MASTER = "local[2]"
LOCAL_CONFIG: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.host": "127.0.0.1",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.sql.shuffle.partitions": "4",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "1g",
    # the data's own order is kept by _metadata (file, row); no adaptive re-planning of
    # the small joins is needed, and a broadcast of the short lookup tables is
    "spark.sql.adaptive.enabled": "false",
    # the row rules are one wide projection: compiling it to Java took longer than the
    # interpreted evaluation of a machine-sized dataset costs (docs/benchmark.md)
    "spark.sql.codegen.wholeStage": "false",
}
SQL_CONFIG: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.ansi.enabled": "false",
    "spark.sql.caseSensitive": "false",
}


def remote() -> str | None:
    """The Spark Connect address when ``SPARK_REMOTE`` is set."""
    return os.environ.get("SPARK_REMOTE") or None


def get_session(config: dict[str, str] | None = None) -> SparkSession:
    """The one session of this process (created on first use). LoadError when PySpark
    is not installed, or when the JVM (local mode) or the server (Connect) cannot start."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise LoadError("spark", Sayable(N_("PySpark is not installed: pip install -e "
                                            "\".[spark]\" (and a Java 17+ runtime for local "
                                            "mode)"))) from None
    # PySpark 4 warns about pandas 3 on every start; the engine hands data over as Arrow
    warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas")
    builder: Any = SparkSession.builder
    address = remote()
    try:
        if address:
            session = builder.remote(address).getOrCreate()
        else:
            builder = builder.master(os.environ.get("DASHBOARD_SPARK_MASTER", LOCAL_MASTER))
            builder = builder.appName("border-security-dashboard")
            for key, value in {**LOCAL_CONFIG, **(config or {})}.items():
                builder = builder.config(key, value)
            session = builder.getOrCreate()
            session.sparkContext.setLogLevel("ERROR")
    except Exception as err:  # a missing java or an unreachable server: several types
        first = str(err).strip().split("\n")[0][:200]
        message = (Sayable(N_("could not start a Spark session on {address} ({error})"),
                           address=address, error=first) if address else
                   Sayable(N_("could not start a Spark session on local mode (is a Java 17+ "
                              "runtime installed?) ({error})"), error=first))
        raise LoadError("spark", message) from None
    for key, value in SQL_CONFIG.items():
        session.conf.set(key, value)
    return session
