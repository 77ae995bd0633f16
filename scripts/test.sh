#!/usr/bin/env bash
# Set up (once) and run the whole test suite: ruff, mypy, unit, app and browser (e2e) tests.
#
#   bash scripts/test.sh               # everything
#   bash scripts/test.sh -k export -x  # extra arguments go to pytest
#   bash scripts/test.sh -n 0          # one process (pytest-xdist's -n 2 is the default)
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

# Two workers (pytest-xdist): much of the suite waits on a JVM, a server or a browser.
# tests/conftest.py keeps the tests sharing a Spark session or the browser's server on one
# worker. The arguments given come after, so -n 0 (or -p no:xdist) runs in one process.
parallel=(-n 2 --dist loadgroup)
for arg in "$@"; do
    [[ "$arg" == no:xdist || "$arg" == -pno:xdist ]] && parallel=()
done
echo "== pytest ${parallel[*]} $*" >&2
status=0
"$VENV/bin/python" -m pytest "${parallel[@]}" "$@" || status=$?
if [[ "$status" == 5 ]]; then
    echo "error: pytest collected no tests." >&2
fi
exit "$status"
