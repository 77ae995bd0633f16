"""The Overview's map in a real browser: it zooms, follows the time frame, picks, fits a phone.

deck.gl draws on a canvas, so symbols have no elements to find: a test works out where a
place is on the screen from the map's view (Web Mercator, as deck.gl projects) and checks
pixels of screenshots. Expected rows come from the data core run in this process.
"""

from __future__ import annotations

import io
import math
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from dashboard import aggregate
from dashboard.dataset import load_bundled, load_dataset

if TYPE_CHECKING:  # the fixture's type; conftest is not imported at run time
    from conftest import AppPage

pytestmark = pytest.mark.e2e

MAP = ".st-key-map_chart"


def _canvas(page: Page):
    canvas = page.locator(f"{MAP} canvas").first
    expect(canvas).to_be_visible(timeout=30_000)
    page.locator(MAP).scroll_into_view_if_needed()  # a click lands only inside the viewport
    page.wait_for_timeout(800)  # deck.gl draws on the next animation frames
    return canvas


def _click_until(app_page: AppPage, x: float, y: float, pick: str, text: str) -> None:
    """Click (x, y) until ``pick`` shows ``text``. A click in the moment deck.gl is still
    drawing the map's first frames may pick nothing, as it would for a person; such a click
    sends the server nothing, and only then is the map clicked again. A click that sent the
    selection is never repeated, however slow the run on a busy machine: a second click on a
    picked object would unpick it. (deck.gl reports a click only once it is sure no second
    click of a double click follows.)"""
    page = app_page.page
    for _ in range(3):
        sent = app_page.messages_sent
        page.mouse.click(x, y)
        for _ in range(100):
            page.wait_for_timeout(100)
            if app_page.messages_sent > sent:
                break
        else:
            continue
        break
    expect(page.locator(pick)).to_contain_text(text, timeout=60_000)


def _shot(page: Page) -> np.ndarray:
    png = page.locator(MAP).screenshot()
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def _pixel(view: dict, box: dict, lon: float, lat: float) -> tuple[float, float]:
    """Where (lon, lat) is drawn in a map of ``box`` showing ``view`` (Web Mercator,
    a 512-pixel world at zoom 0, as deck.gl's MapView)."""
    scale = 512 * 2 ** view["zoom"]

    def x(value: float) -> float:
        return (value + 180) / 360 * scale

    def y(value: float) -> float:
        rad = math.radians(value)
        return (1 - math.log(math.tan(math.pi / 4 + rad / 2)) / math.pi) / 2 * scale

    return (box["x"] + box["width"] / 2 + x(lon) - x(view["longitude"]),
            box["y"] + box["height"] / 2 + y(lat) - y(view["latitude"]))


def _initial_view(events: pd.DataFrame) -> dict:
    """The view the Overview opens on for these (unfiltered) events, as the page makes it."""
    from dashboard import geomap
    from dashboard.eventindex import EventIndex

    index = EventIndex(events)
    rows = aggregate.mappable(index)
    lat, lon = index.latitude[rows], index.longitude[rows]
    bounds = (float(lon.min()) - 0.5, float(lat.min()) - 0.3,
              float(lon.max()) + 0.5, float(lat.max()) + 0.3)
    return geomap.fit_view(bounds, height=560)


def test_the_map_draws_offline_and_zooms_with_the_wheel(app_page: AppPage) -> None:
    outside = app_page.requests_leaving_the_machine()
    page = app_page.page
    app_page.open("/")
    canvas = _canvas(page)
    before = _shot(page)
    land = np.array([246, 246, 242])
    assert (np.abs(before - land).sum(axis=2) < 12).mean() > 0.1  # land is drawn
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -600)
    page.wait_for_timeout(1200)
    after = _shot(page)
    assert before.shape == after.shape
    assert (np.abs(before - after).sum(axis=2) > 30).mean() > 0.05  # the picture moved
    app_page.assert_no_exception()
    assert outside == []


def test_clicking_an_event_on_the_map_shows_its_reporting(app_page: AppPage) -> None:
    """A dot leads to its event and the articles behind it (ids checked against the data)."""
    page = app_page.page
    app_page.open("/")
    dataset = load_bundled()
    events = dataset.events
    dots = events[events["latitude"].notna() & events["geo_precision"].isin(["near", "exact"])
                  & events["article_ids"].notna()]
    cited = dots.iloc[0]
    box = _canvas(page).bounding_box()
    x, y = _pixel(_initial_view(events), box, cited["longitude"], cited["latitude"])
    _click_until(app_page, x, y, ".st-key-map_pick", "Picked on the map: 1 event")
    pick = page.locator(".st-key-map_pick")
    expect(pick).to_contain_text("The reporting behind it")
    tables = pick.locator("[data-testid='stDataFrame']")
    expect(tables).to_have_count(2)
    expect(tables.nth(0)).to_contain_text(cited["event_id"])
    app_page.assert_no_exception()


def test_clicking_a_grid_cell_lists_its_events(app_page_on, tmp_path: Path) -> None:
    """Past 5,000 mapped events the map draws grid cells; a clicked cell lists as many
    events as the server counted in it (synthetic test data, generated here)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench import generate  # the benchmark's generator of clearly synthetic files

    data = generate.write_files(8000, ["parquet"], tmp_path / "data")[0]
    events = load_dataset(data).events
    cells, binned = aggregate.map_points(events)
    assert binned
    busiest = cells.loc[cells["events"].idxmax()]
    app_page = app_page_on(data)
    page = app_page.open("/").page  # its own server, not the session's
    box = _canvas(page).bounding_box()
    x, y = _pixel(_initial_view(events), box, busiest["longitude"], busiest["latitude"])
    _click_until(app_page, x, y, ".st-key-map_pick",
                 f"Picked on the map: {int(busiest['events']):,} events in the grid cell")
    app_page.assert_no_exception()


ZONE_CSV = "\n".join([
    "event_id,event_date,date_precision,end_date,topic,country,location,geometry_wkt,summary,"
    "verification",
    'z-1,2024-06-01,day,2024-06-30,border_zone,POL,Fixture closed strip,'
    '"POLYGON ((21 51, 25 51, 25 53, 21 53, 21 51))",Fixture closure,confirmed',
    "p-1,2024-01-05,day,,strike,POL,Fixture town,,Fixture strike,reported", ""])


def _zone_share(page: Page, view: dict) -> float:
    """Share of sampled pixels inside the fixture zone that show its colour, not land."""
    box = _canvas(page).bounding_box()
    shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    hits = 0
    samples = [(lon, lat) for lon in (21.8, 22.6, 23.4, 24.2) for lat in (51.4, 52.0, 52.6)]
    for lon, lat in samples:
        x, y = _pixel(view, box, lon, lat)
        r, g, b = shot.getpixel((int(x), int(y)))
        hits += b - r > 10  # the zone's blue over the land's grey-white (b - r = -4)
    return hits / len(samples)


def test_a_zone_is_drawn_only_in_a_frame_it_is_in_force(app_page_on, tmp_path: Path) -> None:
    data = tmp_path / "zones.csv"
    data.write_text(ZONE_CSV, encoding="utf-8")
    app_page = app_page_on(data)
    page = app_page.page
    from dashboard import geomap
    from dashboard.boundaries import load_boundaries

    view = geomap.fit_view(tuple(float(v) for v in load_boundaries().total_bounds), height=560)
    app_page.open("/?at=2024-06-15&window=day")
    inside = _zone_share(page, view)
    app_page.open("/?at=2024-08-15&window=day")
    outside = _zone_share(page, view)
    assert inside >= 0.75 and outside == 0, (inside, outside)
    app_page.assert_no_exception()


def test_a_playback_step_changes_what_is_drawn(app_page: AppPage) -> None:
    page = app_page.page
    app_page.open("/?at=2022-03-01&window=month")
    caption = page.locator(".st-key-time_control [data-testid='stCaptionContainer']")
    expect(caption).to_contain_text("in force from 2022-02-02 to 2022-03-01")
    _canvas(page)
    before = _shot(page)
    page.locator(".st-key-frame_play button").click()
    expect(caption).not_to_contain_text("to 2022-03-01", timeout=20_000)
    page.locator(".st-key-frame_play button").click()  # pause
    app_page.wait()
    assert "at=2022-03-01" not in page.url
    _canvas(page)
    after = _shot(page)
    assert (np.abs(before - after).sum(axis=2) > 30).mean() > 0.001
    app_page.assert_no_exception()


def test_phone_width_map_fills_the_width(phone_page: AppPage) -> None:
    phone_page.open("/")
    page = phone_page.page
    canvas = _canvas(page)
    box = canvas.bounding_box()
    chart = page.locator(MAP).bounding_box()
    assert box["width"] >= 340 and abs(box["width"] - chart["width"]) <= 2, (box, chart)
    assert box["height"] >= 300 and abs(box["height"] - chart["height"]) <= 2, (box, chart)
    legend = page.locator(".st-key-map_legend")
    expect(legend).to_be_visible()
    phone_page.assert_no_exception()


def test_clicking_a_country_on_the_map_narrows_the_filter(app_page: AppPage) -> None:
    page = app_page.page
    app_page.open("/")
    box = _canvas(page).bounding_box()
    # a spot of Belarus clear of every event symbol and of the borders
    x, y = _pixel(_initial_view(load_bundled().events), box, 25.6, 52.45)
    _click_until(app_page, x, y, ".st-key-country", "Belarus (BLR)")
    expect(page.locator(".st-key-country [data-tag]")).to_have_text(["Belarus (BLR)"])
    expect(page).to_have_url(re.compile(r"[?&]country=BLR(&|$)"))  # set as the run ends
    app_page.assert_no_exception()
