#!/usr/bin/env bash
# Set up (once) and start the dashboard on its bundled data.
#
#   bash scripts/run.sh                         # bundled data
#   bash scripts/run.sh -- --data my_events.csv # another events file
#   bash scripts/run.sh --server.port 8600      # any `streamlit run` option
#
# Works from any directory on a fresh Debian machine with Python 3.11+: creates .venv
# in the repository when missing, installs the package into it (again only when
# pyproject.toml changed), then starts the server (dashboard/launch.py: `streamlit run`
# plus loading the launch data at once) from the repository root so that
# .streamlit/config.toml applies. scripts/test.sh sources this file for ensure_venv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PYTHON="${PYTHON:-python3}"

die() {
    echo "error: $*" >&2
    exit 1
}

# Run a command as root: directly when we are root, through sudo when it is there.
as_root() {
    if [[ "$(id -u)" == "0" ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        return 1
    fi
}

check_python() {
    command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON not found; install Python 3.11 or newer (apt-get install python3)."
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || die "$("$PYTHON" --version 2>&1) is too old; Python 3.11 or newer is needed (set PYTHON=/path/to/python3.11)."
}

# Create .venv; Debian ships venv without ensurepip unless python3-venv is installed.
create_venv() {
    if "$PYTHON" -m venv "$VENV" >/dev/null 2>&1; then
        return 0
    fi
    rm -rf "$VENV"
    local pkg
    pkg="python$("$PYTHON" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')-venv"
    echo "python -m venv failed (Debian's python3-venv / $pkg is probably missing); installing it with apt-get..." >&2
    local pkgs=(python3-venv)
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq; then
        # python3-venv covers Debian's default python3; a non-default 3.x needs its own package.
        apt-cache show "$pkg" >/dev/null 2>&1 && pkgs+=("$pkg")
    else
        pkgs=()
    fi
    if [[ ${#pkgs[@]} -gt 0 ]] \
        && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}"; then
        "$PYTHON" -m venv "$VENV" || { rm -rf "$VENV"; die "python -m venv still fails after installing ${pkgs[*]}."; }
    else
        die "cannot create a virtual environment. Run as root: apt-get install python3-venv $pkg, then run this script again."
    fi
}

# ensure_venv [EXTRAS]: .venv exists and holds `pip install -e .[EXTRAS]` (comma-separated,
# e.g. test,spark) for the current pyproject.toml. A stamp file per set of extras records
# the pyproject hash it was installed from.
ensure_venv() {
    local extra="${1:-}"
    check_python
    [[ -x "$VENV/bin/python" ]] || create_venv
    local hash stamp target other
    hash="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
    stamp="$VENV/.installed-${extra:-base}"
    [[ -f "$stamp" && "$(cat "$stamp")" == "$hash" ]] && return 0
    # Any install with extras includes everything the base install needs, and the tests'
    # install (test,spark) includes the spark engine's.
    for other in "$VENV"/.installed-*; do
        [[ -f "$other" && "$(cat "$other")" == "$hash" ]] || continue
        if [[ -z "$extra" || ( "$extra" == spark && "$other" == *spark* ) ]]; then
            return 0
        fi
    done
    target="$ROOT"
    [[ -n "$extra" ]] && target="$ROOT[$extra]"
    echo "Installing the dashboard into $VENV (first run takes a minute or two)..." >&2
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$target" \
        || die "pip install failed (see above)."
    echo "$hash" >"$stamp"
}

# Make relative file arguments absolute: we change to the repository root below.
absolute_args() {
    local arg
    ARGS=()
    for arg in "$@"; do
        if [[ "$arg" == --*=* && "${arg#*=}" != /* && -e "${arg#*=}" ]]; then
            arg="${arg%%=*}=$(realpath "${arg#*=}")"
        elif [[ "$arg" != -* && "$arg" != /* && -e "$arg" ]]; then
            arg="$(realpath "$arg")"
        fi
        ARGS+=("$arg")
    done
}

# The spark engine's local mode runs Spark in a JVM: Java 17 or newer (Spark 4), from
# Debian's packages when missing (a Spark Connect server, SPARK_REMOTE, needs none here).
ensure_java() {
    command -v java >/dev/null 2>&1 && return 0
    echo "java is missing; installing Debian's openjdk-17-jre-headless with apt-get (the spark engine runs in a JVM)..." >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
        && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless \
        || die "cannot install Java: run as root (or with sudo): apt-get install openjdk-17-jre-headless"
    command -v java >/dev/null 2>&1 || die "apt-get finished but java is still missing."
}

# The spark engine chosen by --engine spark (or --engine=spark) or DASHBOARD_ENGINE=spark.
wants_spark() {
    local previous="" arg
    [[ "${DASHBOARD_ENGINE:-}" == spark ]] && return 0
    for arg in "$@"; do
        [[ "$arg" == --engine=spark || ( "$previous" == --engine && "$arg" == spark ) ]] && return 0
        previous="$arg"
    done
    return 1
}

main() {
    if wants_spark "$@"; then
        ensure_venv spark
        [[ -n "${SPARK_REMOTE:-}" ]] || ensure_java
    else
        ensure_venv ""
    fi
    absolute_args "$@"
    local var
    for var in DASHBOARD_DATA DASHBOARD_BOUNDARIES; do
        if [[ -n "${!var:-}" && "${!var}" != /* && -e "${!var}" ]]; then
            export "$var=$(realpath "${!var}")"
        fi
    done
    cd "$ROOT"
    exec "$VENV/bin/python" -m dashboard.launch "${ARGS[@]}"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
    main "$@"
fi
