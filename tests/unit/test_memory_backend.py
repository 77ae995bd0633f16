"""The memory engine's backend keeps what a page run asks for twice: the count of the
articles the selected events cite (the download row's limit and the headline)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dashboard.choices import build_options
from dashboard.dataset import load_bundled
from dashboard.engines.memory_backend import CITED_COUNTS_KEPT, MemoryBackend
from dashboard.eventindex import EventIndex
from dashboard.filters import ArticleLinks, Filters
from dashboard.taxonomy import topic_keys
from dashboard.timeframe import Frame


class CountingLinks(ArticleLinks):
    """The bundled data's links, counting how often the citations are gone through."""

    walks = 0

    def cited(self, event_mask: np.ndarray | None = None) -> np.ndarray:
        type(self).walks += 1
        return super().cited(event_mask)


@pytest.fixture
def backend() -> MemoryBackend:
    dataset = load_bundled()
    built = ArticleLinks.build(dataset.events, dataset.articles)
    links = CountingLinks(built.event_rows, built.article_rows, built.n_events,
                          built.n_articles)
    CountingLinks.walks = 0
    return MemoryBackend(dataset, EventIndex.build(dataset.events), links,
                         build_options(dataset.events, dataset.articles, topic_keys()))


def _cited(source: MemoryBackend, filters: Filters, frame: Frame | None) -> int:
    """The count worked out afresh, as the headline did before it was kept."""
    return int(ArticleLinks.cited(source.links, source.mask(filters, frame)).sum())


LAST_DAY = dt.date(2025, 6, 30)

# (filters, frame asked first, frame asked second, walks for both asks)
ASKS = [
    (Filters(), None, None, 1),
    (Filters(), None, Frame(), 1),  # a frame without a day is no frame
    (Filters(countries=("POL",)), None, None, 1),
    (Filters(topics=("strike",)), None, None, 1),
    (Filters(), Frame(at=LAST_DAY, window="all"), Frame(at=LAST_DAY, window="all"), 1),
    (Filters(), None, Frame(at=LAST_DAY, window="all"), 2),
    (Filters(), Frame(at=LAST_DAY, window="all"), Frame(at=LAST_DAY, window="month"), 2),
]


@pytest.mark.parametrize(("filters", "first", "second", "walks"), ASKS)
def test_the_cited_count_is_worked_out_once_per_filter_and_frame(backend, filters, first,
                                                                 second, walks):
    counts = [backend.headline(filters, first).articles,
              backend.headline(filters, second).articles]
    assert CountingLinks.walks == walks
    assert counts == [_cited(backend, filters, first), _cited(backend, filters, second)]


def test_the_kept_counts_are_bounded_and_stay_right(backend):
    asked = [Filters(text=f"word {number}") for number in range(CITED_COUNTS_KEPT + 5)]
    for filters in asked:
        backend.headline(filters)
    assert len(backend._cited_counts) == CITED_COUNTS_KEPT
    assert backend.headline(Filters(countries=("UKR",))).articles == _cited(
        backend, Filters(countries=("UKR",)), None) > 0
