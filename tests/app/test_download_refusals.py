"""AppTest: a filter selecting more events than a download may hold gets disabled buttons,
a notice in the page's language and the command line export of the same selection."""

from __future__ import annotations

import shlex
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from conftest import check_bundled, page, shown

from bench import generate
from dashboard import cli, download_limits

FIXTURE = Path(__file__).with_name("fixtures") / "events.csv"  # 5 events


@pytest.fixture
def limited_app(app, monkeypatch):
    """The app on the 5-event fixture, served with a limit of 3 events per download."""
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    monkeypatch.setenv(download_limits.LIMIT_VARIABLE, "3")
    return app


def disabled(at) -> dict[str, bool]:
    return {button.proto.label: button.proto.disabled for button in at.get("download_button")}


def test_over_the_limit_every_download_is_disabled_with_the_command(limited_app):
    limited_app.query_params["topic"] = "border_zone,strike,legal"
    limited_app.query_params["q"] = "fixture"  # every event's summary
    at = limited_app.run()
    assert not at.exception
    # the five events downloads; the three articles they cite are offered
    assert [label for label, off in disabled(at).items() if not off] == ["Articles CSV"]
    notice = shown(at.info)
    assert "Downloads here hold at most 3 events, and this filter selects 5" in notice
    commands = [c.value for c in at.code]
    assert commands == ["python -m dashboard export --data events.csv --query "
                        "'topic=border_zone,strike,legal&q=fixture' "
                        "-o events_border_zone-strike-legal_q-fixture.csv"]


def test_few_events_citing_too_many_articles_disable_what_holds_the_articles(limited_app,
                                                                             monkeypatch):
    monkeypatch.setenv(download_limits.LIMIT_VARIABLE, "2")
    limited_app.query_params["country"] = "LTU"  # 2 events citing 3 articles
    at = limited_app.run()
    assert not at.exception
    assert [label for label, off in disabled(at).items() if not off] == [
        "Events CSV", "Events Parquet"]  # they name the articles' ids only
    notice = shown(at.info)
    assert "Downloads here hold at most 2 articles, and the events of this filter cite 3" in notice
    assert "Downloads here hold at most 2 events" not in notice
    assert [c.value for c in at.code] == [
        "python -m dashboard export --data events.csv --query country=LTU --articles "
        "-o articles_LTU.csv"]


def test_a_narrower_filter_offers_every_download(limited_app):
    limited_app.query_params["country"] = "BLR"  # 3 events: at the limit
    at = limited_app.run()
    assert not at.exception
    assert len(disabled(at)) == 6 and not any(disabled(at).values())
    assert "Downloads here hold" not in shown(at.info)
    assert not at.code


def test_the_notice_is_in_the_pages_language(limited_app):
    limited_app.query_params["lang"] = "uk"
    at = limited_app.run()
    assert not at.exception
    assert sum(disabled(at).values()) == 5  # the events downloads
    notice = shown(at.info)
    assert "Завантаження тут містять щонайбільше 3 події, а цей фільтр вибирає 5" in notice
    assert "Downloads here" not in notice
    assert at.code[0].value.startswith("python -m dashboard export --data events.csv ")


def test_without_a_limit_set_every_download_is_offered(app, monkeypatch):
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    monkeypatch.delenv(download_limits.LIMIT_VARIABLE, raising=False)
    at = app.run()
    assert not at.exception
    assert len(disabled(at)) == 6 and not any(disabled(at).values())
    assert not at.code


@pytest.mark.parametrize(("rows", "query", "said"), [
    # Excel's real 1,048,575 rows, made small here: the fixture's 5 events are "more"
    (4, {}, "Excel holds at most 4 rows in a sheet, and the events sheet would hold the 5 "
            "events this filter selects"),
    # one event (t-3) citing two articles: its articles sheet is the one too long
    (1, {"q": "closure"}, "Excel holds at most 1 rows in a sheet, and the articles sheet "
                          "would hold the 2 articles the events of this filter cite"),
])
def test_more_rows_than_excel_holds_disables_only_excel(app, monkeypatch, rows, query, said):
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    monkeypatch.setattr(download_limits, "EXCEL_MAX_ROWS", rows)
    for key, value in query.items():
        app.query_params[key] = value
    at = app.run()
    assert not at.exception
    assert [label for label, off in disabled(at).items() if off] == ["Events Excel"]
    assert said in shown(at.info)
    assert not at.code


def test_on_the_duckdb_engine_the_command_runs_where_the_data_is(app, monkeypatch, tmp_path):
    # the shown command names the data by its file name only (as the About page does)
    # and, run beside that file, writes the selection the disabled button would have held
    events, _ = generate.generate(300, seed=5)
    lake = tmp_path / "lake"
    lake.mkdir()
    pq.write_table(events.events, lake / "events.parquet")
    pq.write_table(events.articles, lake / "events_articles.parquet")
    monkeypatch.setenv("DASHBOARD_DATA", str(lake / "events.parquet"))
    monkeypatch.setenv("DASHBOARD_ENGINE", "duckdb")
    monkeypatch.setenv(download_limits.LIMIT_VARIABLE, "10")
    app.query_params["country"] = "POL"
    at = app.run()
    assert not at.exception
    assert all(disabled(at).values())
    command = at.code[0].value
    assert command == ("python -m dashboard export --engine duckdb --data events.parquet "
                       "--query country=POL -o events_POL.csv")
    assert str(tmp_path) not in command
    monkeypatch.chdir(lake)
    assert cli.main(shlex.split(command)[3:]) == 0
    written = (lake / "events_POL.csv").read_text(encoding="utf-8-sig").splitlines()
    selected = int(shown(at.info).split("this filter selects ")[1].split(":")[0])
    assert selected > 10 and len(written) == selected + 1  # the header and each event


def test_data_added_on_the_data_page_is_named_in_the_command(limited_app, monkeypatch):
    at = check_bundled(limited_app, monkeypatch)
    at.button(key="add_data").click().run()
    assert not at.exception
    at.switch_page(page("events")).run()
    assert not at.exception
    assert all(disabled(at).values())
    assert at.code[0].value == ("python -m dashboard export --data events.csv --add events.csv "
                                "-o events_all.csv")


def test_an_area_filter_names_the_boundaries_in_the_command(limited_app, monkeypatch,
                                                           tmp_path):
    # the command names the operator's boundaries file as it names the data, and run
    # beside copies of both it writes the three events of the area
    areas = FIXTURE.with_name("areas.geojson")
    monkeypatch.setenv("DASHBOARD_BOUNDARIES", str(areas))
    monkeypatch.setenv(download_limits.LIMIT_VARIABLE, "2")
    limited_app.query_params["area"] = "XX-N"  # t-2, t-3, t-4: past the limit
    at = limited_app.run()
    assert not at.exception
    command = at.code[0].value
    args = cli.build_parser().parse_args(shlex.split(command)[3:])
    assert (args.data, args.boundaries) == ("events.csv", "areas.geojson")
    assert str(areas.parent) not in command
    for name in ("events.csv", "events_articles.csv", "areas.geojson"):
        (tmp_path / name).write_bytes(FIXTURE.with_name(name).read_bytes())
    monkeypatch.chdir(tmp_path)
    assert cli.main(shlex.split(command)[3:]) == 0
    written = (tmp_path / args.output).read_text(encoding="utf-8-sig").splitlines()
    assert sorted(line.split(",")[0].strip('"') for line in written[1:]) == ["t-2", "t-3", "t-4"]
