"""AppTest: a filter selecting more events than a download may hold gets disabled buttons,
a notice in the page's language and the command line export of the same selection."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import shown

from dashboard import download_limits

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
    assert len(disabled(at)) == 6 and all(disabled(at).values())
    notice = shown(at.info)
    assert "Downloads here hold at most 3 events, and this filter selects 5" in notice
    commands = [c.value for c in at.code]
    assert commands == ["python -m dashboard export --data events.csv --query "
                        "'topic=border_zone,strike,legal&q=fixture' "
                        "-o events_border_zone-strike-legal_q-fixture.csv"]


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
    assert all(disabled(at).values())
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


def test_more_rows_than_excel_holds_disables_only_excel(app, monkeypatch):
    # Excel's real 1,048,575 rows, made 4 here: the fixture's 5 events are "more"
    monkeypatch.setenv("DASHBOARD_DATA", str(FIXTURE))
    monkeypatch.setattr(download_limits, "EXCEL_MAX_ROWS", 4)
    at = app.run()
    assert not at.exception
    assert [label for label, off in disabled(at).items() if off] == ["Events Excel"]
    assert "Excel holds at most 4 rows, and this filter selects 5 events" in shown(at.info)
    assert not at.code
