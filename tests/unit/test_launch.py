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
    assert args[2:] == ["--server.address", "127.0.0.1",
                        "--server.port", "8600", "--", "--data", "x.csv"]
    assert warmed == [["--data", "x.csv"]]


@pytest.mark.parametrize(("args", "expected"), [
    ([], ["--server.address", "127.0.0.1"]),
    (["--server.address", "0.0.0.0"], ["--server.address", "0.0.0.0"]),
    (["--server.address=::"], ["--server.address=::"]),
    # an app option of the same spelling after -- is not the server's address
    (["--", "--server.address", "x"], ["--server.address", "127.0.0.1", "--",
                                        "--server.address", "x"]),
])
def test_the_server_listens_on_this_machine_only_unless_told(args, expected):
    assert launch.with_local_address(args) == expected


@pytest.mark.parametrize(("argv", "said"), [
    ([], "no server file can be opened from the browser (offer folders with --data-dir)"),
    (["--data-dir", "/srv/events"], "visitors may open files inside: /srv/events"),
    (["--data-dir", "/srv/events", "--public"], "public: uploads stay in each visitor's"),
    (["--public", "--no-uploads"], "public, uploads off"),
])
def test_the_terminal_says_what_visitors_may_do(argv, said):
    from dashboard.serving import server_options

    assert said in launch.offer_line(server_options(argv, {}))


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
