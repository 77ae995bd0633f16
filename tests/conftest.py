"""Suite-wide pytest hooks.

CI must prove every test ran: with the environment variable ``CI`` set (``.ci/run`` sets
``CI=true``), a skipped test is reported as a failure that names the skip reason.
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


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Turn skips into failures in CI; expected failures (xfail) are left alone."""
    outcome = yield
    report = outcome.get_result()
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped tests fail in CI (CI={os.environ['CI']}): {reason}"


@pytest.fixture(autouse=True, scope="session")
def _private_dataset_store(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Validated datasets go to a folder of this run, not the user's ~/.cache (servers
    started by the browser tests inherit the variable)."""
    os.environ["DASHBOARD_CACHE_DIR"] = str(tmp_path_factory.mktemp("dataset-store"))
