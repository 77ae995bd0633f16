"""What the operator offers to visitors: launch options, server folders, public mode.

A dashboard is served to a team, so everything a browser sends is untrusted. The
operator decides at launch which server files a visitor may open (``--data-dir``,
none by default) and whether the server is public (``--public``: uploads only, kept in
the visitor's session). Logic only: ``dashboard/ui`` reads these options and draws
what they allow.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.i18n import N_, Sayable

#: Memory one public session may hold in data it uploaded (MB); ``--session-mb`` changes it.
DEFAULT_SESSION_MB = 1024


class PathRefused(ValueError):
    """A typed path that the server does not offer. Its message names no file detail."""


@dataclass(frozen=True)
class ServerOptions:
    """The dashboard's own launch options (after ``streamlit run app.py --``)."""

    data: str | None = None
    boundaries: str | None = None
    data_dirs: tuple[Path, ...] = ()
    public: bool = False
    uploads: bool = True
    session_mb: int = DEFAULT_SESSION_MB
    overlays: tuple[str, ...] = ()  # files of areas or lines drawn under the events
    engine: str = "memory"  # which query backend serves --data (docs/engines.md)
    table: str | None = None  # the table of a .duckdb database (or a Spark table name)

    @property
    def path_field(self) -> bool:
        """Whether visitors may type the path of a server file: only inside offered
        folders, and never on a public server."""
        return bool(self.data_dirs) and not self.public


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def server_options(argv: Sequence[str] | None = None,
                   environ: Mapping[str, str] | None = None) -> ServerOptions:
    """Parse ``--data``, ``--boundaries``, ``--data-dir`` (repeatable), ``--public``,
    ``--no-uploads``, ``--session-mb``, ``--overlay`` (repeatable), ``--engine``
    (``memory``, ``duckdb``, ``spark``) and ``--table``; each also read from
    its environment variable (``DASHBOARD_DATA``, ``DASHBOARD_BOUNDARIES``,
    ``DASHBOARD_DATA_DIR`` and ``DASHBOARD_OVERLAY`` with paths separated by ``:``,
    ``DASHBOARD_PUBLIC=1``, ``DASHBOARD_NO_UPLOADS=1``, ``DASHBOARD_SESSION_MB``,
    ``DASHBOARD_ENGINE``, ``DASHBOARD_TABLE``). Options
    on the command line win over the environment."""
    env = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data", default=env.get("DASHBOARD_DATA") or None)
    parser.add_argument("--boundaries", default=env.get("DASHBOARD_BOUNDARIES") or None)
    parser.add_argument("--data-dir", action="append", default=None)
    parser.add_argument("--public", action="store_true",
                        default=_flag(env.get("DASHBOARD_PUBLIC")))
    parser.add_argument("--no-uploads", action="store_true",
                        default=_flag(env.get("DASHBOARD_NO_UPLOADS")))
    parser.add_argument("--session-mb", type=int, default=None)
    parser.add_argument("--overlay", action="append", default=None)
    parser.add_argument("--engine", default=(env.get("DASHBOARD_ENGINE") or "memory"))
    parser.add_argument("--table", default=env.get("DASHBOARD_TABLE") or None)
    known, _ = parser.parse_known_args(list(sys.argv[1:] if argv is None else argv))
    dirs = known.data_dir if known.data_dir is not None else [
        part for part in (env.get("DASHBOARD_DATA_DIR") or "").split(":") if part.strip()]
    overlays = known.overlay if known.overlay is not None else [
        part for part in (env.get("DASHBOARD_OVERLAY") or "").split(":") if part.strip()]
    session_mb = known.session_mb
    if session_mb is None:
        text = (env.get("DASHBOARD_SESSION_MB") or "").strip()
        session_mb = int(text) if text.isdigit() else DEFAULT_SESSION_MB
    return ServerOptions(
        data=known.data, boundaries=known.boundaries,
        data_dirs=tuple(Path(d).expanduser().resolve() for d in dirs),
        public=known.public, uploads=not known.no_uploads, session_mb=max(1, session_mb),
        overlays=tuple(overlays), engine=str(known.engine).strip().lower(), table=known.table,
    )



def resolve_offered(typed: str, roots: Sequence[Path]) -> Path:
    """The file ``typed`` names inside one of ``roots``, or ``PathRefused``.

    A relative path is tried against each folder in turn; an absolute one must lie
    inside one. Links are resolved before the check, so neither ``..``, a symbolic link
    nor an absolute path leads out of the folders. Every refusal reads the same, whether
    or not a file exists there, so the message tells a visitor nothing about the server.
    """
    text = typed.strip()
    refused = PathRefused(Sayable(N_(
        "this server opens files only inside the data folders it offers; give a path "
        "relative to one of them")))
    roots = [root.resolve() for root in roots]
    if not text or "\x00" in text or not roots:
        raise refused
    candidate = Path(text)
    if candidate.is_absolute():
        tries = [candidate]
    else:
        tries = [root / candidate for root in roots]
    missing = False
    for attempt in tries:
        try:
            resolved = attempt.resolve(strict=False)
        except (OSError, RuntimeError):  # a loop of links, a name too long
            continue
        if not any(resolved.is_relative_to(root) for root in roots):
            continue
        if resolved.is_file():
            return resolved
        missing = True
    if missing:
        raise PathRefused(Sayable(N_("no file at {path} in the offered data folders"),
                                  path=text))
    raise refused


def dataset_bytes(frames: Sequence[pd.DataFrame]) -> int:
    """Memory held by ``frames`` (their columns' buffers), to hold a session to its cap."""
    return int(sum(frame.memory_usage(deep=True, index=True).sum() for frame in frames))


def over_session_cap(frames: Sequence[pd.DataFrame], options: ServerOptions) -> str | None:
    """Why a public session may not hold ``frames``, or None when it may (or the server
    is not public: a team's own server holds what its operator's machine can)."""
    if not options.public:
        return None
    held = dataset_bytes(frames)
    if held <= options.session_mb * 2**20:
        return None
    return Sayable(N_("this data would take {held} MB of the server's memory; a session on "
                      "this public server may hold {cap} MB"),
                   held=f"{held / 2**20:,.1f}", cap=f"{options.session_mb:,}")
