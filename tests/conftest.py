"""Suite-wide pytest hooks.

CI must prove every test ran: with the environment variable ``CI`` set (``.ci/run`` sets
``CI=true``), a skipped test is reported as a failure that names the skip reason.
"""

from __future__ import annotations

import os

import pytest


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """Turn skips into failures in CI; expected failures (xfail) are left alone."""
    outcome = yield
    report = outcome.get_result()
    if _in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped tests fail in CI (CI={os.environ['CI']}): {reason}"
