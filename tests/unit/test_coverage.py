"""Coverage notices (sources per month) and headline changes against a baseline."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from eventframes import event_frame

from dashboard import aggregate, coverage, schema
from dashboard.eventindex import EventIndex
from dashboard.filters import ArticleLinks, Filters

EVENTS_PER_MONTH = 200


def generated(months: dict[str, int | None], *, dataset: str = "generated",
              outlets: bool = True, prefix: str = "") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Events and articles, ``EVENTS_PER_MONTH`` events on the 10th of each month, event i
    citing one article of source ``i % n`` for the month's n sources (n = 0: no article;
    None: no event that month). Without ``outlets`` the articles name no outlet, and each
    of the n sources is one article cited by several events."""
    events, articles = [], []
    for month, sources in months.items():
        if sources is None:
            continue
        for i in range(EVENTS_PER_MONTH):
            event_id = f"{prefix}{month}-{i}"
            cited = None
            if sources:
                cited = f"{prefix}a-{month}-{i % sources}" if not outlets else f"{event_id}-a"
                if outlets:
                    articles.append({"article_id": cited, "outlet": f"Outlet {i % sources}"})
                elif i < sources:
                    articles.append({"article_id": cited, "outlet": None})
            events.append({"event_id": event_id, "event_date": f"{month}-10",
                           "article_ids": cited, "source_dataset": dataset})
    return frames(events, articles)


def frames(events: list[dict], articles: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    article_frame = pd.DataFrame(articles, columns=["article_id", "outlet"])
    for column in schema.ARTICLE_COLUMNS:
        if column not in article_frame:
            article_frame[column] = pd.NA
        article_frame[column] = article_frame[column].astype("str")
    return event_frame(events), article_frame[schema.ARTICLE_COLUMNS]


def built(events: pd.DataFrame, articles: pd.DataFrame) -> coverage.CoverageIndex:
    return coverage.CoverageIndex.build(EventIndex(events), ArticleLinks.build(events, articles),
                                        articles)


def changes(events: pd.DataFrame, articles: pd.DataFrame,
            mask: np.ndarray | None = None) -> list[tuple[str, int, int, str | None]]:
    monthly = coverage.monthly_sources(built(events, articles), mask)
    return [(c.month, c.before, c.after, c.dataset) for c in coverage.coverage_changes(monthly)]


@pytest.mark.parametrize(
    ("months", "outlets", "expected"),
    [
        # sources fall five-fold in May (VIINA, January 2025): the month is named
        ({"2024-01": 50, "2024-02": 50, "2024-03": 50, "2024-04": 50, "2024-05": 10},
         True, [("2024-05", 50, 10, None)]),
        ({"2024-01": 10, "2024-02": 40, "2024-03": 40}, True, [("2024-02", 10, 40, None)]),
        ({"2024-01": 30, "2024-02": 10}, True, [("2024-02", 30, 10, None)]),  # exactly ×3
        ({"2024-01": 30, "2024-02": 11}, True, []),  # ×2.7: within the normal
        ({"2024-01": 20, "2024-02": 22, "2024-03": 19, "2024-04": 21}, True, []),  # steady
        ({"2024-01": 5, "2024-02": 1, "2024-03": 5}, True, []),  # small numbers: none
        ({"2024-01": 9, "2024-02": 1}, True, []),  # the larger month under the guard
        ({"2024-01": 20, "2024-02": 0}, True, [("2024-02", 20, 0, None)]),  # events, no source
        # a month without events says nothing about coverage
        ({"2024-01": 30, "2024-02": None, "2024-03": 30}, True, []),
        # without outlets each article is one report
        ({"2024-01": 30, "2024-02": 6}, False, [("2024-02", 30, 6, None)]),
        ({"2024-01": 20, "2024-02": 20}, False, []),
    ],
)
def test_coverage_changes(months, outlets, expected):
    assert changes(*generated(months, outlets=outlets)) == expected


def test_each_dataset_is_compared_with_itself():
    steady_events, steady_articles = generated({"2024-01": 200, "2024-02": 200},
                                               dataset="steady", prefix="s-")
    dropping_events, dropping_articles = generated({"2024-01": 30, "2024-02": 6},
                                                   dataset="dropping", prefix="d-")
    events = pd.concat([steady_events, dropping_events], ignore_index=True)
    articles = pd.concat([steady_articles, dropping_articles], ignore_index=True)
    # together the month has 206 sources, not a third of 230: only per dataset it shows
    assert changes(events, articles) == [("2024-02", 30, 6, "dropping")]
    notice = coverage.coverage_changes(coverage.monthly_sources(
        built(events, articles)))[0].describe()
    assert notice.startswith("2024-02: coverage changed.")
    assert "the events of dropping fell from 30 in the month before to 6" in notice


def test_outlets_are_counted_once_whatever_their_case_and_spaces():
    events, articles = generated({"2024-01": 12, "2024-02": 12})
    february = articles["article_id"].str.startswith("2024-02")
    articles.loc[february, "outlet"] = np.where(
        np.arange(february.sum()) % 2, " outlet 0 ", "OUTLET 0")
    assert changes(events, articles) == [("2024-02", 12, 1, None)]


def test_the_mask_decides_which_events_count():
    events, articles = generated({"2024-01": 50, "2024-02": 10})
    assert changes(events, articles) == [("2024-02", 50, 10, None)]
    january_only = (events["event_date"] < "2024-02").to_numpy()
    assert changes(events, articles, january_only) == []
    assert changes(events, articles, np.zeros(len(events), dtype=bool)) == []


def test_events_dated_only_to_a_year_belong_to_no_month():
    events, articles = generated({"2024-01": 10, "2024-02": 10})
    yearly, yearly_articles = generated({"2024-01": 60}, prefix="y-")
    yearly["date_min"] = pd.Timestamp("2024-01-01")
    yearly["date_max"] = pd.Timestamp("2024-12-31")
    both = pd.concat([events, yearly], ignore_index=True)
    assert changes(both, pd.concat([articles, yearly_articles], ignore_index=True)) == []
    monthly = coverage.monthly_sources(built(both, articles))
    assert list(monthly["events"]) == [EVENTS_PER_MONTH, EVENTS_PER_MONTH]


def _two_datasets() -> tuple[pd.DataFrame, coverage.CoverageIndex]:
    events, articles = generated({"2024-01": 30, "2024-02": 6})
    other, other_articles = generated({"2024-02": 8}, dataset="other", prefix="o-")
    both = pd.concat([events, other], ignore_index=True)
    return both, built(both, pd.concat([articles, other_articles], ignore_index=True))


def test_a_stored_coverage_index_comes_back_as_it_was_built():
    events, built_index = _two_datasets()
    kept = coverage.CoverageIndex.from_stored(built_index.to_stored(), len(events))
    assert kept is not None
    assert (kept.datasets, kept.first_month, kept.months) == (
        built_index.datasets, built_index.first_month, built_index.months)
    for name in coverage.CoverageIndex.ARRAYS:
        np.testing.assert_array_equal(getattr(kept, name), getattr(built_index, name))
    assert coverage.monthly_sources(kept).equals(coverage.monthly_sources(built_index))


@pytest.mark.parametrize("damage", [
    lambda stored: stored.pop("pair_cell"),
    lambda stored: stored.update(months="2"),
    lambda stored: stored.update(datasets=[1, 2]),
    lambda stored: stored.update(event_cell=stored["event_cell"][1:]),  # another row count
    lambda stored: stored.update(event_cell=stored["event_cell"].astype(float)),
    lambda stored: stored.update(link_pair=stored["link_pair"][:-1]),
    lambda stored: stored["event_cell"].__setitem__(0, 10**6),  # past the last cell
    lambda stored: stored["link_events"].__setitem__(0, -1),
    lambda stored: stored["link_pair"].__setitem__(0, len(stored["pair_cell"])),
    lambda stored: stored["pair_cell"].__setitem__(0, -2),
], ids=["array missing", "months as text", "datasets not text", "rows", "float cells",
        "pairs and events apart", "cell past the end", "event before the first",
        "pair past the end", "pair in no cell"])
def test_a_stored_coverage_index_that_does_not_fit_is_refused(damage):
    """Whatever the store hands back is checked before it is used to index arrays: the
    caller then builds the index again."""
    events, built_index = _two_datasets()
    stored = {key: value.copy() if isinstance(value, np.ndarray) else value
              for key, value in built_index.to_stored().items()}
    damage(stored)
    assert coverage.CoverageIndex.from_stored(stored, len(events)) is None


def test_no_articles_and_no_dated_events():
    events, _ = generated({"2024-01": 0, "2024-02": 0})
    _, articles = frames([], [])
    monthly = coverage.monthly_sources(built(events, articles))
    assert list(monthly["sources"]) == [0, 0]
    assert coverage.coverage_changes(monthly) == []
    undated = events.assign(date_min=pd.NaT, date_max=pd.NaT)
    assert coverage.monthly_sources(built(undated, articles)).empty


@pytest.mark.parametrize(
    ("current", "earlier", "level", "words"),
    [
        (40, [10, 10, 10, 10], "large increase", "+300% (large increase; average 10)"),
        (12, [10, 10, 10, 10], "moderate increase", "+20% (moderate increase; average 10)"),
        (11, [10, 10, 10, 10], "little change", "+10% (little change; average 10)"),
        (8, [10, 10, 10, 10], "little change", "-20% (little change; average 10)"),
        (7, [10, 10, 10, 10], "large decrease", "-30% (large decrease; average 10)"),
        # ACLED's low-count guard: at most 2 on average before and 5 now
        (4, [1, 0, 1, 0], "little change", "little change (few: average 0.5)"),
        (5, [2, 2, 2, 2], "little change", "little change (few: average 2)"),
        (6, [1, 1, 1, 1], "large increase", "+500% (large increase; average 1)"),
        (2, [3, 3, 3, 3], "large decrease", "-33% (large decrease; average 3)"),
        (6, [0, 0, 0, 0], "large increase", "new (large increase; average 0)"),
        (1200, [1000], "moderate increase", "+20% (moderate increase; average 1,000)"),
    ],
)
def test_changes_follow_acleds_thresholds(current, earlier, level, words):
    moved = coverage.change(current, earlier)
    assert moved is not None
    assert (moved.level, moved.describe()) == (level, words)


def test_no_change_without_an_earlier_period():
    assert coverage.change(5, []) is None


@pytest.mark.parametrize(
    ("filters", "start", "expected"),
    [
        (Filters(date_from=dt.date(2024, 5, 1), date_to=dt.date(2024, 5, 30)),
         dt.date(2024, 1, 1),
         [(dt.date(2024, 4, 1), dt.date(2024, 4, 30)), (dt.date(2024, 3, 2), dt.date(2024, 3, 31)),
          (dt.date(2024, 2, 1), dt.date(2024, 3, 1)), (dt.date(2024, 1, 2), dt.date(2024, 1, 31))]),
        # periods that begin before the data are left out: their zero is no baseline
        (Filters(date_from=dt.date(2024, 5, 1), date_to=dt.date(2024, 5, 30)),
         dt.date(2024, 3, 15), [(dt.date(2024, 4, 1), dt.date(2024, 4, 30))]),
        (Filters(date_from=dt.date(2024, 5, 1), date_to=dt.date(2024, 5, 30)),
         dt.date(2024, 4, 2), []),
        (Filters(date_to=dt.date(2024, 5, 30)), dt.date(2020, 1, 1), []),  # no start date
        (Filters(date_from=dt.date(2024, 5, 1)), None, []),  # no dated event at all
    ],
)
def test_baseline_periods(filters, start, expected):
    current = aggregate.Headline(events=1, articles=0, countries=0, first=dt.date(2024, 5, 3),
                                 last=dt.date(2024, 5, 30))
    periods = coverage.baseline_periods(filters, current, start)
    assert [(p.date_from, p.date_to) for p in periods] == expected
    assert all(not p.include_undated for p in periods)


def test_an_open_end_is_the_last_current_event():
    current = aggregate.Headline(events=1, articles=0, countries=0, first=dt.date(2024, 5, 3),
                                 last=dt.date(2024, 5, 10))
    periods = coverage.baseline_periods(Filters(date_from=dt.date(2024, 5, 1)), current,
                                        dt.date(2024, 1, 1), periods=2)
    assert [(p.date_from, p.date_to) for p in periods] == [
        (dt.date(2024, 4, 21), dt.date(2024, 4, 30)), (dt.date(2024, 4, 11), dt.date(2024, 4, 20))]


def test_the_data_starts_on_its_first_dated_day():
    events, _ = generated({"2024-03": 1, "2024-01": 1})
    assert coverage.data_start(EventIndex(events)) == dt.date(2024, 1, 10)
    assert coverage.data_start(EventIndex(events.assign(date_min=pd.NaT))) is None


@pytest.mark.parametrize(
    ("dates", "earlier_start", "expected"),
    [
        # whole months, from the month before, so the range's first month is compared too
        ((dt.date(2024, 5, 1), dt.date(2024, 5, 31)), None,
         (dt.date(2024, 4, 1), dt.date(2024, 5, 31))),
        # a range ending mid-month counts its whole last month: the cut is no drop
        ((dt.date(2024, 3, 15), dt.date(2024, 12, 15)), None,
         (dt.date(2024, 2, 1), dt.date(2024, 12, 31))),
        ((dt.date(2024, 1, 1), dt.date(2024, 2, 29)), None,
         (dt.date(2023, 12, 1), dt.date(2024, 2, 29))),
        # the baseline periods are covered too
        ((dt.date(2024, 5, 1), dt.date(2024, 5, 30)), dt.date(2024, 1, 2),
         (dt.date(2023, 12, 1), dt.date(2024, 5, 31))),
        ((None, dt.date(2024, 2, 10)), None, (None, dt.date(2024, 2, 29))),
        ((dt.date(2024, 3, 31), None), None, (dt.date(2024, 2, 1), None)),
        ((None, None), None, (None, None)),
    ],
)
def test_comparison_filters(dates, earlier_start, expected):
    filters = Filters(date_from=dates[0], date_to=dates[1], topics=("strike",))
    earlier = [Filters(date_from=earlier_start, date_to=dates[0])] if earlier_start else []
    wider = coverage.comparison_filters(filters, earlier)
    assert (wider.date_from, wider.date_to) == expected
    assert wider.topics == ("strike",)


@pytest.mark.parametrize(("outlets", "codes"), [
    (["Daily", "daily ", " DAILY", "Other"], [0, 0, 0, 1]),
    ([None, "Daily", None, ""], [1, 0, 3, 4]),  # no outlet, or a blank one: a source each
    (["Straße", "STRASSE", "strasse"], [0, 0, 0]),  # case folded, not only lowered
    (["b", "a", "B", "A", "c"], [0, 1, 0, 1, 2]),  # codes in order of first appearance
    ([], []),
])
def test_each_outlet_counts_as_one_source_whatever_its_spelling(outlets, codes):
    articles = pd.DataFrame({"outlet": pd.Series(outlets, dtype="str")})
    assert coverage.source_codes(articles).tolist() == codes
