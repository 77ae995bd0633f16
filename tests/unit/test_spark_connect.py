"""The spark engine through Spark Connect, as a cluster serves it (``SPARK_REMOTE``).

The parity tests of test_backend_spark.py (memory, duckdb and spark: the same numbers,
pages, picks and download bytes for a table of queries) run again in a new process whose
session is a Spark Connect client: ``SPARK_REMOTE=local`` makes PySpark start a Connect
server on this machine (its jar ships with PySpark) and talk to it over gRPC, as it talks
to a cluster's ``sc://host:15002``. A new process, because a process holds one kind of
session: the other spark tests' local one would be reused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pyspark", reason="the spark extra: pip install -e \".[spark]\"")

pytestmark = pytest.mark.spark
ROOT = Path(__file__).resolve().parents[2]
PARITY = Path(__file__).with_name("test_backend_spark.py")
#: what a Connect run repeats: what local mode cannot prove. The session is a Connect
#: client; one query's numbers (country and topics: every grouped count, the timeline) and
#: its map and pages come back through gRPC as Arrow; one download's bytes (the bundle:
#: events and articles CSV, README, CFF); the citation's files (the server's
#: ``inputFiles``); the counts per unit once (its rows streamed with ``toLocalIterator``).
#: The links found at open (their pairs sent to the server by ``createDataFrame``), "Also
#: in", and a download counting each event once (the dropped ids sent so too).
#: The other queries, picks and reports run the same plans as in local mode.
CHOSEN = ("session_is_the_kind or citation_names or "
          "((numbers_counts or map_and_pages) and BLR and camp) or "
          "(downloads and POL and bundle) or (counts_by_area and countries) or "
          "links_found or also_in or (linked_downloads and once and csv)")


def test_the_parity_tests_pass_through_spark_connect(tmp_path: Path) -> None:
    pytest.importorskip("grpc", reason="PySpark's connect extra: pip install -e \".[spark]\"")
    env = {**os.environ, "SPARK_REMOTE": "local"}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "spark",
         "-k", CHOSEN, "--basetemp", str(tmp_path / "run"), str(PARITY)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False)
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in summary and "skipped" not in summary and "deselected" in summary
