"""The websocket load test's pure parts: reading a run's frames, its queries, its figures."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import load
from dashboard.dataset import load_bundled
from dashboard.filters import Filters


def _finished(status: int) -> bytes:
    message = ForwardMsg()
    message.script_finished = status
    return message.SerializeToString()


def _exception(kind: str) -> bytes:
    message = ForwardMsg()
    message.delta.new_element.exception.type = kind
    message.delta.new_element.exception.message = "boom"
    return message.SerializeToString()


def _markdown(text: str) -> bytes:
    message = ForwardMsg()
    message.delta.new_element.markdown.body = text
    return message.SerializeToString()


def _session_status() -> bytes:
    message = ForwardMsg()
    message.session_status_changed.script_is_running = True
    return message.SerializeToString()


OK = ForwardMsg.FINISHED_SUCCESSFULLY
EARLY = ForwardMsg.FINISHED_EARLY_FOR_RERUN
FRAGMENT = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY
COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR


@pytest.mark.parametrize(
    ("frames", "done_after", "error"),
    [
        ([_session_status(), _markdown("x"), _finished(OK)], [False, False, True], None),
        # a run interrupted by a rerun is followed by the run that interrupted it
        ([_finished(EARLY), _markdown("x"), _finished(OK)], [False, False, True], None),
        ([_finished(FRAGMENT), _finished(OK)], [False, True], None),
        ([_exception("ValueError"), _finished(OK)], [False, True], "exception: ValueError"),
        ([_exception("KeyError"), _exception("ValueError"), _finished(OK)],
         [False, False, True], "exception: KeyError"),
        ([_finished(COMPILE_ERROR)], [True], "compile error"),
        ([_markdown("exception"), _finished(OK)], [False, True], None),
    ],
)
def test_run_watch_ends_at_the_final_script_finished(
        frames: list[bytes], done_after: list[bool], error: str | None) -> None:
    watch = load.RunWatch()
    assert [watch.observe(frame) for frame in frames] == done_after
    assert watch.error == error


@pytest.mark.parametrize("query", ["", "country=POL", "country=BLR&from=2022-01-01"])
def test_rerun_message_carries_the_query_as_a_browser_sends_it(query: str) -> None:
    message = BackMsg()
    message.ParseFromString(load.rerun_message(query))
    assert (message.WhichOneof("type"), message.rerun_script.query_string) == (
        "rerun_script", query)


@pytest.mark.parametrize(
    ("values", "fraction", "expected"),
    [
        ([], 0.5, None),
        ([3.0], 0.95, 3.0),
        ([4.0, 1.0, 3.0, 2.0], 0.5, 2.5),
        ([4.0, 1.0, 3.0, 2.0], 0.0, 1.0),
        ([4.0, 1.0, 3.0, 2.0], 1.0, 4.0),
        ([float(n) for n in range(1, 21)], 0.95, 19.05),
        ([float(n) for n in range(1, 101)], 0.5, 50.5),
    ],
)
def test_percentile_interpolates_between_ranks(
        values: list[float], fraction: float, expected: float | None) -> None:
    assert load.percentile(values, fraction) == pytest.approx(expected)


def test_every_change_is_a_valid_filter_that_selects_bundled_events() -> None:
    events = load_bundled().events
    outcomes = {}
    for query in load.CHANGES:
        filters, notices = Filters.from_query(parse_qs(query))
        outcomes[query] = (notices, 0 < len(filters.apply(events)) < len(events))
    assert outcomes == {query: ([], True) for query in load.CHANGES}


@pytest.mark.parametrize("session", [0, 3, 57])
def test_each_change_differs_from_the_one_before(session: int) -> None:
    steps = [load.change_query(session, step) for step in range(25)]
    assert all(a != b for a, b in zip(steps, steps[1:], strict=False))


def test_concurrent_sessions_ask_for_different_views_at_each_step() -> None:
    sessions = len(load.CHANGES)
    for step in range(3):
        assert len({load.change_query(s, step) for s in range(sessions)}) == sessions


@pytest.mark.parametrize(("think", "low", "high"), [(0.0, 0.0, 0.0), (10.0, 5.0, 15.0)])
def test_pauses_spread_around_the_think_time_and_repeat(
        think: float, low: float, high: float) -> None:
    pauses = load.pauses(7, 200, think)
    assert (min(pauses) >= low, max(pauses) <= high, pauses == load.pauses(7, 200, think)) == (
        True, True, True)
    assert sum(pauses) / len(pauses) == pytest.approx(think, abs=think * 0.1)
    if think:
        assert load.pauses(8, 200, think) != pauses


def test_summary_counts_errors_and_changes_not_made() -> None:
    results = [
        load.SessionResult(open_s=1.0, change_s=[0.1, 0.2, 0.3]),
        load.SessionResult(open_s=2.0, change_s=[0.4], errors=["exception: KeyError",
                                                               "no script_finished in 30 s"],
                           not_made=1),
        load.SessionResult(errors=["connect: OSError"], not_made=3),
    ]
    summary = load.summarise(results, changes=3, wall_s=2.0)
    expected = {"sessions": 3, "changes": 9, "timed": 4, "p50_s": 0.25, "max_s": 0.4,
                "open_p50_s": 1.5, "errors": 3, "not_made": 4, "runs_per_s": 3.0}
    assert {key: summary[key] for key in expected} == pytest.approx(expected)
    assert summary["error_reasons"] == {"exception: KeyError": 1,
                                        "no script_finished in 30 s": 1, "connect: OSError": 1}


def test_median_of_runs_takes_medians_and_sums_errors() -> None:
    runs = [{"sessions": 5, "changes": 50, "p50_s": p50, "p95_s": p50 * 2, "max_s": None,
             "errors": errors, "not_made": 0, "peak_rss_mb": rss}
            for p50, errors, rss in ((0.1, 0, 300.0), (0.3, 2, 310.0), (0.2, 0, 290.0))]
    merged = load.median_of(runs)
    assert {key: merged[key] for key in ("runs", "p50_s", "p95_s", "max_s", "errors",
                                         "peak_rss_mb")} == pytest.approx(
        {"runs": 3, "p50_s": 0.2, "p95_s": 0.4, "max_s": None, "errors": 2,
         "peak_rss_mb": 300.0})
