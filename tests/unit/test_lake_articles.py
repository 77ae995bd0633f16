"""A folder of events files that also holds the articles (``lake/articles.parquet`` beside
``lake/events-2023.parquet``) opens on the duckdb engine as the memory engine opens the
same data given as one events file with its companion ``events_articles.parquet``: the
articles file is told apart by its schema (``engines/lake.py``), never read as events."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_engine_duckdb import _filters, _varied

from bench import generate
from dashboard.choices import build_options
from dashboard.cli import main
from dashboard.dataset import load_dataset
from dashboard.engines.duckdb_backend import open_validated
from dashboard.engines.memory_backend import MemoryBackend
from dashboard.eventindex import EventIndex
from dashboard.filters import ArticleLinks
from dashboard.readers import LoadError
from dashboard.taxonomy import topic_keys

ROWS = 2_000
#: where the articles lie in the folder: one file, or two read as one table in path order
LAYOUTS = {"one articles file": ["articles.parquet"],
           "two, one named oddly": ["articles.parquet", "zzz.parquet"]}
QUERIES = [{}, {"country": ("POL",)}, {"outlets": ("Synthetic Wire 3",)}, {"text": "kyiv"},
           {"topics": ("camp",), "date_from": dt.date(2023, 1, 1)}]


def write_lake(folder: Path, events: pa.Table, articles: pa.Table,
               names: list[str]) -> tuple[Path, Path]:
    """The same data twice: ``single/events.parquet`` with its companion articles, and
    ``lake/`` holding the events in two files and the articles in ``names``."""
    single, lake = folder / "single", folder / "lake"
    single.mkdir()
    lake.mkdir()
    pq.write_table(events, single / "events.parquet")
    pq.write_table(articles, single / "events_articles.parquet")
    half = events.num_rows // 2
    pq.write_table(events.slice(0, half), lake / "events-2023.parquet")
    pq.write_table(events.slice(half), lake / "events-2024.parquet")
    step = -(-articles.num_rows // len(names))
    for number, name in enumerate(names):
        pq.write_table(articles.slice(number * step, step), lake / name)
    return single / "events.parquet", lake


@pytest.fixture(scope="module", params=list(LAYOUTS), ids=list(LAYOUTS))
def engines(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    data, _ = generate.generate(ROWS, seed=8)
    folder = tmp_path_factory.mktemp("lake")
    single, lake = write_lake(folder, _varied(data.events), data.articles,
                              LAYOUTS[request.param])
    dataset = load_dataset(single)
    memory = MemoryBackend(dataset, EventIndex.build(dataset.events),
                           ArticleLinks.build(dataset.events, dataset.articles),
                           build_options(dataset.events, dataset.articles, topic_keys()))
    duck = open_validated(str(lake), cache_dir=folder / "cache")
    return memory, duck, single, lake, LAYOUTS[request.param]


def _same_frame(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.reset_index(drop=True),
                                  check_dtype=False, check_exact=False, rtol=1e-9)


def test_the_reports_read_the_articles_file_as_articles(engines) -> None:  # type: ignore[no-untyped-def]
    memory, duck, _, _, names = engines
    counts = [(r.table, r.rows_read, r.accepted, r.rejected_rows) for r in duck.reports()]
    assert counts == [(r.table, r.rows_read, r.accepted, r.rejected_rows)
                      for r in memory.reports()]
    events, articles = duck.reports()
    assert articles.file == ", ".join(names)
    assert events.warnings == [f"lake: {', '.join(names)} read as the articles, not as "
                               "events (an article_id column and no event_id column)"]
    assert [f.name for f in duck.article_files] == names
    assert [f.name for f in duck.files] == ["events-2023.parquet", "events-2024.parquet"]


@pytest.mark.parametrize("spec", QUERIES, ids=str)
def test_counts_and_articles_page_are_the_memory_engines(engines, spec) -> None:  # type: ignore[no-untyped-def]
    memory, duck, *_ = engines
    filters = _filters(spec)
    assert duck.headline(filters, None) == memory.headline(filters, None)
    assert duck.by_country(filters, None).equals(memory.by_country(filters, None))
    listed, total = duck.articles_page(filters, 0, 50)
    want, want_total = memory.articles_page(filters, 0, 50)
    assert total == want_total
    _same_frame(listed, want)
    assert total > 0 or spec.get("outlets") is None


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "bundle"])
def test_downloads_are_the_memory_engines_bytes(engines, fmt) -> None:  # type: ignore[no-untyped-def]
    memory, duck, *_ = engines
    filters = _filters({"outlets": ("Synthetic Wire 3",)})
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    for kind in ["events", "articles"] if fmt == "csv" else ["events"]:
        got = duck.download(kind, filters, fmt, [], {}, moment)
        assert got.data == memory.download(kind, filters, fmt, [], {}, moment).data


@pytest.mark.parametrize("extra", [[], ["--articles"]], ids=["events", "articles"])
def test_the_cli_export_of_the_folder_is_the_files(engines, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                   extra: list[str]) -> None:
    _, _, single, lake, _ = engines
    out = {}
    for engine, data in (("memory", single), ("duckdb", lake)):
        out[engine] = tmp_path / f"{engine}.csv"
        assert main(["export", "--engine", engine, "--data", str(data), "--query",
                     "outlet=Synthetic Wire 3&q=a", "-o", str(out[engine]), *extra]) == 0
    assert out["duckdb"].read_bytes() == out["memory"].read_bytes()
    assert out["memory"].read_bytes().count(b"\n") > 1


def test_validate_reports_the_articles_file(engines, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    import json

    *_, lake, names = engines
    assert main(["validate", str(lake), "--engine", "duckdb", "--json"]) == 0
    reports = json.loads(capsys.readouterr().out)["tables"]
    assert [(r["table"], r["file"], r["rejected"]) for r in reports] == [
        ("events", "lake", 0), ("articles", ", ".join(names), 0)]


def test_the_articles_given_win_and_the_found_ones_are_named(engines, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    memory, duck, single, lake, names = engines
    given = single.with_name("events_articles.parquet")
    backend = open_validated(str(lake), articles=str(given), cache_dir=tmp_path)
    assert backend.article_files == [given]
    assert backend.headline(_filters({}), None) == memory.headline(_filters({}), None)
    events = backend.reports()[0]
    assert events.warnings == [f"lake: {', '.join(names)} left out, neither events nor "
                               "articles (an article_id column and no event_id column): the "
                               "articles file given is read instead"]


def test_the_copy_is_keyed_by_the_articles_files(tmp_path: Path) -> None:
    """The validated copy's folder changes when an articles file joins the folder, read
    or left out for the articles given (its report names it), and comes back when the
    folder is as it was."""
    data, _ = generate.generate(200, seed=4)
    single, lake = write_lake(tmp_path, data.events, data.articles, ["articles.parquet"])
    given = str(single.with_name("events_articles.parquet"))
    cache = tmp_path / "cache"

    def opened(articles: str | None = None) -> tuple[Path, list[str]]:
        backend = open_validated(str(lake), articles=articles, cache_dir=cache)
        return backend.target.folder, backend.reports()[0].warnings

    before, before_given = opened(), opened(given)
    pq.write_table(data.articles.slice(0, 5), lake / "more_articles.parquet")
    after, after_given = opened(), opened(given)
    assert "more_articles.parquet" in after_given[1][0]
    (lake / "more_articles.parquet").unlink()
    assert len({before[0], before_given[0], after[0], after_given[0]}) == 4
    assert (opened(), opened(given)) == (before, before_given)


def test_a_folder_of_articles_only_is_one_clear_error(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    pq.write_table(pa.table({"article_id": ["a1"], "title": ["t"]}), tmp_path / "a.parquet")
    with pytest.raises(LoadError, match="holds only articles, no events"):
        open_validated(str(tmp_path), cache_dir=tmp_path / "cache")
    assert main(["validate", str(tmp_path), "--engine", "duckdb"]) == 2
    assert "holds only articles, no events (a.parquet:" in capsys.readouterr().err
