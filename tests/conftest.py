"""Suite-wide pytest hooks.

CI must prove every test ran: with the environment variable ``CI`` set (``.ci/run`` sets
``CI=true``), a skipped test is reported as a failure that names the skip reason.

``scripts/test.sh`` runs the suite on two pytest-xdist workers (``-n 2 --dist loadgroup``);
the tests that share something costly to start are kept on one worker (``_shared_by``).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


# CI draws the same examples on every run (a red build is the code's, not the draw's) and
# keeps no example database; elsewhere each run draws new ones.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if _in_ci():
    settings.load_profile("ci")


def _shared_by(nodeid: str) -> str | None:
    """What costly thing the test ``nodeid`` shares with others: the browser tests' server
    and chromium (one of each, and one page drawing at a time, as without xdist), or the
    local Spark session (a JVM, one a process: two would double its start and its memory).
    Told from the node id alone, as xdist's controller only has that: the browser tests
    are under tests/e2e, and the spark tests' modules are named for it
    (``pytest_runtest_setup`` holds them to it)."""
    module = nodeid.split("::", 1)[0]
    if module.startswith("tests/e2e/"):
        return "browser"
    if "spark" in module.rsplit("/", 1)[-1]:
        return "spark"
    return None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadgroup`` keeps each ``_shared_by`` group on one worker, in its order;
    every other test goes to whichever worker is free. (pytest-xdist 3.8's own loadgroup
    reads ``xdist_group`` marks through node ids, which pytest 9.2 no longer lets it change:
    its groups are silently ignored, pytest-xdist issue 1386.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class SharedScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _shared_by(nodeid) or super()._split_scope(nodeid)

    return SharedScheduling(config, log)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """A spark test outside a module named for it would start a second JVM on the other
    worker: it fails, so the grouping by name cannot silently go stale."""
    if item.get_closest_marker("spark") and _shared_by(item.nodeid) != "spark":
        pytest.fail(f"{item.nodeid} is marked spark but its module's name lacks 'spark' "
                    "(tests/conftest.py: _shared_by)", pytrace=False)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Turn skips into failures in CI; expected failures (xfail) are left alone."""
    outcome = yield
    report = outcome.get_result()
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        _fail_skip(report, "skipped tests")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> object:
    """In CI, a module skipped whole while it is collected (a module-level
    ``importorskip``: PySpark missing) fails too; the test reports above never see it."""
    outcome = yield
    report = outcome.get_result()
    if _in_ci() and report.skipped:
        _fail_skip(report, f"skipped modules ({collector.nodeid})")


def _fail_skip(report: pytest.TestReport | pytest.CollectReport, what: str) -> None:
    """Turn a skip ``report`` into a failure that names its reason."""
    reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
    report.outcome = "failed"
    report.longrepr = f"{what} fail in CI (CI={os.environ['CI']}): {reason}"


@pytest.fixture(autouse=True, scope="session")
def _private_dataset_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Validated datasets go to a folder of this run, not the user's ~/.cache (servers
    started by the browser tests inherit the variable)."""
    os.environ["DASHBOARD_CACHE_DIR"] = str(tmp_path_factory.mktemp("dataset-store"))
