"""Launch options and which server files a visitor may open."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.serving import (
    DEFAULT_SESSION_MB,
    PathRefused,
    ServerOptions,
    dataset_bytes,
    over_session_cap,
    resolve_offered,
    server_options,
)

REFUSED = "opens files only inside the data folders it offers"


@pytest.fixture
def tree(tmp_path: Path) -> dict[str, Path]:
    """An offered folder with a file, a sub-folder and links, and a secret outside it."""
    offered = tmp_path / "offered"
    (offered / "sub").mkdir(parents=True)
    (offered / "events.csv").write_text("event_id\n")
    (offered / "sub" / "more.csv").write_text("event_id\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("password\n")
    os.symlink(secret, offered / "link_out.csv")
    os.symlink(offered / "events.csv", offered / "link_in.csv")
    os.symlink(tmp_path, offered / "dir_out")
    return {"offered": offered, "secret": secret, "root": tmp_path}


@pytest.mark.parametrize(("typed", "expected"), [
    ("events.csv", "events.csv"),
    (" sub/more.csv ", "sub/more.csv"),
    ("sub/../events.csv", "events.csv"),
    ("link_in.csv", "events.csv"),  # a link that stays inside resolves to its target
    ("{offered}/sub/more.csv", "sub/more.csv"),  # absolute, inside
])
def test_offered_paths_resolve_inside_the_folder(tree, typed, expected):
    typed = typed.format(offered=tree["offered"])
    assert resolve_offered(typed, [tree["offered"]]) == tree["offered"] / expected


@pytest.mark.parametrize("typed", [
    "../secret.txt",
    "sub/../../secret.txt",
    "{secret}",  # absolute, outside
    "/etc/passwd",
    "link_out.csv",  # a link inside that points outside
    "dir_out/secret.txt",  # through a linked folder
    "{root}/nothing-here.txt",  # a missing file outside reads like an existing one
    "",
    "events.csv\x00.png",
])
def test_paths_outside_the_folders_are_refused_alike(tree, typed):
    typed = typed.format(secret=tree["secret"], root=tree["root"])
    with pytest.raises(PathRefused) as refused:
        resolve_offered(typed, [tree["offered"]])
    assert REFUSED in str(refused.value)
    assert "password" not in str(refused.value) and "secret" not in str(refused.value)


def test_a_missing_file_inside_is_named_and_no_folder_refuses_everything(tree):
    with pytest.raises(PathRefused, match="no file at gone.csv"):
        resolve_offered("gone.csv", [tree["offered"]])
    with pytest.raises(PathRefused, match=REFUSED):
        resolve_offered("events.csv", [])


def test_relative_paths_try_each_folder_in_turn(tree, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "only_here.csv").write_text("x\n")
    roots = [tree["offered"], other]
    assert resolve_offered("only_here.csv", roots) == other / "only_here.csv"
    assert resolve_offered("events.csv", roots) == tree["offered"] / "events.csv"


@pytest.mark.parametrize(("argv", "environ", "expected"), [
    ([], {}, ServerOptions()),
    (["--data", "a.csv", "--boundaries", "b.geojson"], {},
     ServerOptions(data="a.csv", boundaries="b.geojson")),
    ([], {"DASHBOARD_DATA": "e.csv", "DASHBOARD_PUBLIC": "1", "DASHBOARD_NO_UPLOADS": "yes",
          "DASHBOARD_SESSION_MB": "64"},
     ServerOptions(data="e.csv", public=True, uploads=False, session_mb=64)),
    (["--public", "--no-uploads", "--session-mb", "10"], {"DASHBOARD_PUBLIC": "0"},
     ServerOptions(public=True, uploads=False, session_mb=10)),
    ([], {"DASHBOARD_SESSION_MB": "lots"}, ServerOptions(session_mb=DEFAULT_SESSION_MB)),
    (["--", "--unknown", "x"], {}, ServerOptions()),
    (["--overlay", "zones.geojson", "--overlay", "lines.kml"], {"DASHBOARD_OVERLAY": "x.gpkg"},
     ServerOptions(overlays=("zones.geojson", "lines.kml"))),
    ([], {"DASHBOARD_OVERLAY": "zones.geojson:areas.gpkg:"},
     ServerOptions(overlays=("zones.geojson", "areas.gpkg"))),
])
def test_server_options(argv, environ, expected):
    assert server_options(argv, environ) == expected


def test_data_dirs_from_flags_or_the_environment(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    from_env = server_options([], {"DASHBOARD_DATA_DIR": f"{first}:{second}:"})
    assert from_env.data_dirs == (first.resolve(), second.resolve())
    flags = server_options(["--data-dir", str(second), "--data-dir", str(first)],
                           {"DASHBOARD_DATA_DIR": "/elsewhere"})
    assert flags.data_dirs == (second.resolve(), first.resolve())


@pytest.mark.parametrize(("options", "path_field"), [
    (ServerOptions(), False),
    (ServerOptions(data_dirs=(Path("/srv/data"),)), True),
    (ServerOptions(data_dirs=(Path("/srv/data"),), public=True), False),
])
def test_path_field_only_with_offered_folders_and_never_when_public(options, path_field):
    assert options.path_field is path_field


def test_dataset_bytes_counts_text_buffers():
    small = pd.DataFrame({"summary": pd.Series(["x"] * 10, dtype="str")})
    large = pd.DataFrame({"summary": pd.Series(["x" * 1000] * 10, dtype="str")})
    assert dataset_bytes([large]) - dataset_bytes([small]) >= 9_990
    assert dataset_bytes([small, large]) == dataset_bytes([small]) + dataset_bytes([large])


@pytest.mark.parametrize(("options", "refused"), [
    (ServerOptions(session_mb=1), False),  # not public: no cap
    (ServerOptions(public=True, session_mb=1), True),
    (ServerOptions(public=True, session_mb=64), False),
])
def test_a_public_session_holds_at_most_its_cap(options, refused):
    frame = pd.DataFrame({"summary": pd.Series(["x" * 1000] * 2000, dtype="str")})  # ~2 MB
    message = over_session_cap([frame], options)
    assert (message is not None) is refused
    if refused:
        assert "may hold 1 MB" in message


@pytest.mark.parametrize(("argv", "environ", "engine", "table"), [
    ([], {}, "memory", None),
    (["--engine", "duckdb"], {}, "duckdb", None),
    (["--engine", "DuckDB", "--table", "events"], {}, "duckdb", "events"),
    ([], {"DASHBOARD_ENGINE": "duckdb", "DASHBOARD_TABLE": "t"}, "duckdb", "t"),
    (["--engine", "memory"], {"DASHBOARD_ENGINE": "duckdb"}, "memory", None),
    (["--engine", "spark"], {}, "spark", None),
])
def test_the_engine_comes_from_the_options_or_the_environment(argv, environ, engine, table):
    options = server_options(argv, environ)
    assert (options.engine, options.table) == (engine, table)


def test_an_unknown_engine_is_refused_with_the_choices():
    from dashboard.engines.opening import open_backend

    with pytest.raises(ValueError, match="choose memory, duckdb, spark"):
        open_backend("oracle", "lake.parquet")


@pytest.mark.parametrize(("missing", "says", "not_says"), [
    ("pyspark", "PySpark, which is not installed: install it with pip", "no app backend"),
    ("dashboard.engines.spark_backend", "no app backend for the spark engine", "pip install"),
])
def test_a_missing_spark_part_is_named_with_the_hint_that_helps(monkeypatch, missing, says,
                                                                 not_says):
    # None in sys.modules is Python's own "this module cannot be imported"
    from dashboard.engines.opening import open_backend

    if missing != "pyspark" and importlib.util.find_spec("pyspark") is None:
        pytest.skip("PySpark is not installed here")
    monkeypatch.delitem(sys.modules, "dashboard.engines.spark_backend", raising=False)
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(ValueError) as raised:
        open_backend("spark", "lake.parquet")
    assert says in str(raised.value)
    assert not_says not in str(raised.value)
