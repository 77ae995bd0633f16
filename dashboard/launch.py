"""Starting the server: ``streamlit run`` with the launch data made ready meanwhile.

``streamlit run`` runs the app's code only when the first browser connects, so importing
the app, reading the launch file and indexing it would all happen while that first
visitor waits (a second or more of imports alone, seconds more at a million events). Here
the server starts in this process exactly as ``streamlit run`` starts it, and a
background thread does that work at the same time: a browser opened at once waits only
for what is left of it, one opened later waits for nothing.

``python -m dashboard.launch [streamlit options] [-- app options]`` (what
``scripts/run.sh`` runs); the ``border-dashboard`` console script is the same with the
safe settings of ``.streamlit/config.toml`` passed as flags.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from dashboard.serving import ServerOptions

APP = Path(__file__).resolve().parent / "app.py"

# Streamlit reads .streamlit/config.toml only from the directory it starts in; the console
# script can start anywhere, so the security settings of that file are passed as flags
# (the user's own flags come after them and win).
SAFE_SETTINGS = [
    "--server.enableXsrfProtection", "true",
    "--client.showErrorDetails", "none",
    "--client.toolbarMode", "viewer",
    "--client.disableDataExport", "true",
    "--browser.gatherUsageStats", "false",
]  # fmt: skip


LOCAL_ADDRESS = "127.0.0.1"


def with_local_address(args: Sequence[str]) -> list[str]:
    """``args`` with ``--server.address 127.0.0.1`` unless the user chose an address: a
    dashboard reachable from the network is the operator's decision, not a default."""
    args = list(args)
    streamlit_args = args[:args.index("--")] if "--" in args else args
    if any(a == "--server.address" or a.startswith("--server.address=")
           for a in streamlit_args):
        return args
    return ["--server.address", LOCAL_ADDRESS, *args]


def app_arguments(args: Sequence[str]) -> list[str]:
    """The app's own options: what follows ``--`` (as ``streamlit run`` passes them on)."""
    args = list(args)
    return args[args.index("--") + 1:] if "--" in args else []


def serve(args: Sequence[str]) -> int:
    """``streamlit run dashboard/app.py ARGS`` in this process, with the warm-up started.

    Returns Streamlit's exit code when the server stops.
    """
    from streamlit.web import cli as streamlit_cli

    args = with_local_address(args)
    threading.Thread(target=_warm, args=(app_arguments(args),), name="dashboard-warm-up",
                     daemon=True).start()
    try:
        streamlit_cli.main.main(args=["run", str(APP), *args], prog_name="streamlit")
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
    return 0


def _warm(app_args: list[str]) -> None:
    started = time.monotonic()
    from dashboard.ui import data  # the app's imports, off the server's thread

    options = data.launch_options(app_args)
    print(f"  {offer_line(options)}", flush=True)
    summary = data.warm(options)
    if summary:
        print(f"  Data ready: {summary} ({time.monotonic() - started:.1f} s after start).",
              flush=True)


def offer_line(options: ServerOptions) -> str:
    """What this server lets visitors do with data, for the terminal."""
    if options.public:
        mode = "public: uploads stay in each visitor's session" if options.uploads else \
            "public, uploads off"
        return f"Serving {mode}; no server file can be opened from the browser."
    uploads = "uploads on" if options.uploads else "uploads off"
    if not options.data_dirs:
        return f"{uploads.capitalize()}; no server file can be opened from the browser " \
               "(offer folders with --data-dir)."
    folders = ", ".join(str(d) for d in options.data_dirs)
    return f"{uploads.capitalize()}; visitors may open files inside: {folders}."


def run_app(argv: Sequence[str] | None = None) -> int:
    """``border-dashboard [streamlit options] [-- app options]``: run the dashboard."""
    return serve([*SAFE_SETTINGS, *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    raise SystemExit(serve(sys.argv[1:]))
