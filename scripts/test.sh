#!/usr/bin/env bash
# Set up (once) and run the whole test suite: ruff, mypy, unit, app and browser (e2e) tests.
#
#   bash scripts/test.sh               # everything
#   bash scripts/test.sh -k export -x  # extra arguments go to pytest
#
# The browser tests use Debian's chromium (installed with apt-get when missing; no
# browser is ever downloaded by Playwright). A browser that cannot start fails the run.
# The spark engine's tests (-m spark) run Spark in local mode: the `spark` extra
# (PySpark) and Debian's openjdk-17-jre-headless are installed for them.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/run.sh
source "$ROOT/scripts/run.sh"

ensure_chromium() {
    [[ -x /usr/bin/chromium ]] && return 0
    echo "Debian's chromium is missing; installing it with apt-get (needed by the browser tests)..." >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
        || die "cannot install chromium: run as root (or with sudo): apt-get install chromium"
    [[ -x /usr/bin/chromium ]] || die "apt-get finished but /usr/bin/chromium is still missing."
}

ensure_venv test,spark
ensure_java
ensure_chromium
cd "$ROOT"

echo "== ruff check ." >&2
"$VENV/bin/ruff" check . || die "ruff found problems (see above)."

echo "== mypy (configured in pyproject.toml)" >&2
"$VENV/bin/mypy" || die "mypy found type errors (see above)."

echo "== pytest" >&2
status=0
"$VENV/bin/python" -m pytest "$@" || status=$?
if [[ "$status" == 5 ]]; then
    echo "error: pytest collected no tests." >&2
fi
exit "$status"
