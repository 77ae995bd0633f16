"""Starting the server: Streamlit's own ``run`` command, with the warm-up started first."""

from __future__ import annotations

import pytest
from streamlit.web import cli as streamlit_cli

from dashboard import launch


class _Recorder:
    """Stands in for Streamlit's click command: records the arguments, exits like it."""

    def __init__(self, code: int) -> None:
        self.calls: list[list[str]] = []
        self.code = code

    def main(self, args: list[str], prog_name: str) -> None:
        self.calls.append(args)
        raise SystemExit(self.code)


@pytest.fixture
def started(monkeypatch):
    """(Streamlit's recorded command lines, the app arguments each warm-up was given)."""
    recorder = _Recorder(0)
    warmed: list[list[str]] = []
    monkeypatch.setattr(streamlit_cli, "main", recorder)
    monkeypatch.setattr(launch, "_warm", warmed.append)
    return recorder, warmed


def test_the_app_options_are_what_follows_the_double_dash():
    assert launch.app_arguments(["--server.port", "1", "--", "--data", "x.csv"]) == [
        "--data", "x.csv"]
    assert launch.app_arguments(["--server.port", "1"]) == []


def test_serve_runs_streamlit_on_the_app_and_warms_the_launch_data(started):
    recorder, warmed = started
    assert launch.serve(["--server.port", "8600", "--", "--data", "x.csv"]) == 0
    args = recorder.calls[0]
    assert args[:2] == ["run", str(launch.APP)] and launch.APP.name == "app.py"
    assert args[2:] == ["--server.port", "8600", "--", "--data", "x.csv"]
    assert warmed == [["--data", "x.csv"]]


def test_the_console_script_passes_the_safe_settings_before_the_users_flags(started):
    """Started outside the repository, Streamlit would not read .streamlit/config.toml."""
    recorder, _ = started
    launch.run_app(["--client.showErrorDetails", "full", "--", "--data", "x.csv"])
    args = recorder.calls[0]
    first = args.index("--client.showErrorDetails")
    assert args[first + 1] == "none" and args[-5:] == [
        "--client.showErrorDetails", "full", "--", "--data", "x.csv"]
    assert "--server.enableXsrfProtection" in args


def test_streamlits_exit_code_is_returned(monkeypatch):
    monkeypatch.setattr(streamlit_cli, "main", _Recorder(2))
    monkeypatch.setattr(launch, "_warm", lambda args: None)
    assert launch.serve([]) == 2
