"""The benchmark command's pure parts: its options, which engine runs at which size, and
the table's lines and ratios from a results dict."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import browser, run

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("argv", "engines", "sizes"),
    [
        ([], ["memory"], [10_000, 100_000, 1_000_000, 2_000_000]),
        (["--engines", "memory,duckdb,spark"], ["memory", "duckdb", "spark"],
         [10_000, 100_000, 1_000_000, 2_000_000]),
        (["--engines", " DuckDB , ", "--sizes", "10M,20M"], ["duckdb"],
         [10_000_000, 20_000_000]),
        (["--engines", "spark", "--sizes", "100k", "--quick"], ["spark"], [10_000]),
    ],
)
def test_options(argv: list[str], engines: list[str], sizes: list[int]) -> None:
    args = run.parse_args(argv)
    assert (args.engines, args.sizes) == (engines, sizes)
    assert args.lakes == args.out


@pytest.mark.parametrize("engines", ["polars", "memory,pandas", ","])
def test_unknown_engines_are_refused(engines: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        run.parse_args(["--engines", engines])
    assert "choose from memory, duckdb, spark" in capsys.readouterr().err


def test_lakes_folder_is_taken_as_given() -> None:
    assert run.parse_args(["--lakes", "/tmp/lakes"]).lakes == Path("/tmp/lakes")


@pytest.mark.parametrize(
    ("engine", "rows", "runs"),
    [
        ("memory", 2_000_000, True),
        ("memory", 10_000_000, False),
        ("duckdb", 20_000_000, True),
        ("spark", 100_000, True),
        ("spark", 1_000_000, False),
    ],
)
def test_where_each_engine_runs(engine: str, rows: int, runs: bool) -> None:
    assert (run.engine_skip(engine, rows) is None) == runs


@pytest.mark.parametrize(
    ("rows", "per_million", "says"),
    [
        (2_000_000, 5_000.0, None),
        (10_000_000, 0.0, "pandas read_csv of 10M rows, and its page sends every row"),
        (20_000_000, 5_120.0, "pandas read_csv of 20M rows needs about 100 GiB "
                              "(5,120 MiB per million rows at 1M)"),
    ],
)
def test_baseline_says_why_it_did_not_run(rows: int, per_million: float, says: str | None,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run, "BASELINE_MIB_PER_MILLION", per_million)
    said = run.baseline_skip(rows)
    assert said is None if says is None else said is not None and said.startswith(says)


@pytest.mark.parametrize(("rows", "seconds"),
                         [(100_000, 300.0), (1_000_000, 300.0), (10_000_000, 600.0),
                          (20_000_000, 1200.0)])
def test_a_page_waits_longer_for_a_larger_first_open(rows: int, seconds: float) -> None:
    assert run.browser_timeout_s(rows) == seconds


def _sent(base_bytes: float, wall_s: float, peak: float) -> dict[str, object]:
    kinds = {kind: {"bytes": base_bytes, "wall_s": wall_s} for kind in run.KINDS}
    return {**kinds, "server_peak_rss_mb": peak}


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        # two engines beside one baseline: bytes, browser seconds, ratios and peaks
        ({"memory": _sent(0.4e6, 2.0, 1_200), "duckdb": _sent(0.5e6, 4.0, 1_500),
          "baseline": _sent(40e6, 20.0, 5_000)},
         ["  bytes memory  country  0.40 MB  [meets 1.5e+06]  baseline 40.00 MB"
          "  100.0x fewer  [meets 20]",
          "  browser memory  country  2.00 s  baseline 20.00 s  10.0x faster  [meets 10]",
          "  bytes memory  server peak RSS 1,200 MiB  baseline 5,000 MiB",
          "  bytes duckdb  date     0.50 MB  [meets 1.5e+06]  baseline 40.00 MB"
          "  80.0x fewer  [meets 20]",
          "  browser duckdb  date     4.00 s  baseline 20.00 s  5.0x faster  [MISSES 10]",
          "  bytes duckdb  server peak RSS 1,500 MiB  baseline 5,000 MiB"]),
        # a size the baseline cannot load: its reason once, no ratios
        ({"duckdb": _sent(2e6, 9.0, 1_900), "baseline": {"skipped": "pandas read_csv of 10M"}},
         ["  bytes baseline not run: pandas read_csv of 10M",
          "  bytes duckdb  topic    2.00 MB  [MISSES 1.5e+06]  baseline -",
          "  browser duckdb  topic    9.00 s  baseline -",
          "  bytes duckdb  server peak RSS 1,900 MiB  baseline -"]),
        # an engine not run, an engine whose server failed
        ({"memory": {"skipped": "the memory engine is measured up to 2M"},
          "spark": {"error": "RuntimeError: server did not start"},
          "baseline": {"skipped": "too big"}},
         ["  bytes baseline not run: too big",
          "  bytes memory  not run: the memory engine is measured up to 2M",
          "  bytes spark   error: RuntimeError: server did not start"]),
    ],
)
def test_bytes_lines(sent: dict[str, object], expected: list[str]) -> None:
    lines = run.bytes_lines(sent)
    assert [line for line in expected if line not in lines] == []
    assert not any("fewer" in line or "faster" in line for line in lines
                   if "baseline -" in line)


def _opened(seconds: float, peak: float) -> dict[str, float]:
    return {"seconds": seconds, "from_launch_s": seconds + 1.5, "server_peak_rss_mb": peak}


@pytest.mark.parametrize(
    ("rows", "opened", "expected"),
    [
        (1_000_000,
         {"parquet": {"duckdb": {"first": _opened(20.0, 1_100), "stored": _opened(2.5, 900)},
                      "baseline": _opened(40.0, 6_000)}},
         ["  open parquet  duckdb  from URL    first 20.00 s  [MISSES 3]  stored 2.50 s"
          "  [meets 3]  baseline 40.00 s  2.0x faster",
          "  open parquet  duckdb  from launch first 21.50 s  [MISSES 3]  stored 4.00 s"
          "  [MISSES 3]  baseline 41.50 s  1.9x faster",
          "  open parquet  duckdb  server peak RSS first 1,100 MiB  stored 900 MiB"
          "  baseline 6,000 MiB"]),
        (100_000,
         {"parquet": {"spark": {"first": _opened(80.0, 3_000),
                                "stored": {"skipped": "spark keeps no copy between servers"}},
                      "baseline": _opened(8.0, 700)},
          "csv": {"spark": {"skipped": "the duckdb and spark engines serve Parquet"},
                  "baseline": _opened(6.0, 650)}},
         ["  open parquet  spark   from URL    first 80.00 s  stored not run: spark keeps no "
          "copy between servers  baseline 8.00 s  10.0x slower",
          "  open csv      spark   not run: the duckdb and spark engines serve Parquet"]),
    ],
)
def test_open_lines(rows: int, opened: dict[str, object], expected: list[str]) -> None:
    lines = run.open_lines(rows, opened)
    assert [line for line in expected if line not in lines] == []


@pytest.mark.parametrize(
    ("rerun", "expected"),
    [
        ({"duckdb": {kind: {"median_s": 0.5} for kind in run.KINDS},
          "baseline": {kind: {"median_s": 1.0} for kind in run.KINDS}},
         ["  rerun duckdb  country  500 ms  [MISSES 0.25]  baseline 1.00 s  2.0x faster"
          "  [MISSES 10]"]),
        ({"memory": {kind: {"median_s": 0.15} for kind in run.KINDS},
          "baseline": {"skipped": "AppTest baseline only up to 100k (memory)"}},
         ["  rerun baseline not run: AppTest baseline only up to 100k (memory)",
          "  rerun memory  topic    150 ms  [meets 0.25]  baseline -"]),
    ],
)
def test_rerun_lines(rerun: dict[str, object], expected: list[str]) -> None:
    lines = run.rerun_lines(1_000_000, rerun)
    assert [line for line in expected if line not in lines] == []


@pytest.mark.parametrize(
    ("app", "engine", "tail"),
    [
        (browser.DASHBOARD_APP, "duckdb", ["--", "--data", "/d/x.parquet", "--engine", "duckdb"]),
        (browser.DASHBOARD_APP, "memory", ["--", "--data", "/d/x.parquet", "--engine", "memory"]),
        (ROOT / "bench" / "baseline_app.py", "duckdb", ["--server.fileWatcherType", "none"]),
    ],
)
def test_server_command(app: Path, engine: str, tail: list[str]) -> None:
    command = browser.server_command(app, Path("/d/x.parquet"), 8600, engine)
    assert command[-len(tail):] == tail
    assert ("dashboard.launch" in command) == (app == browser.DASHBOARD_APP)
    assert command[command.index("--server.port") + 1] == "8600"
