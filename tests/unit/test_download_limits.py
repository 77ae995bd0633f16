"""The download limit: the operator's setting, which formats a count may have, the notice,
the command line that exports the same selection, and the builder's own check."""

from __future__ import annotations

import shlex

import pytest

from dashboard import download_limits
from dashboard.choices import build_options
from dashboard.cli import build_parser
from dashboard.dataset import load_bundled, load_dataset
from dashboard.download_limits import (
    DEFAULT_MAX_DOWNLOAD_EVENTS,
    LIMIT_VARIABLE,
    OVER_ARTICLES,
    OVER_EXCEL,
    OVER_EXCEL_ARTICLES,
    OVER_LIMIT,
    DownloadRefused,
    export_command,
    max_download_events,
    refusal,
    refusal_notice,
)
from dashboard.engines.memory_backend import MemoryBackend
from dashboard.eventindex import EventIndex
from dashboard.export import BUNDLE, EXCEL_MAX_ROWS
from dashboard.filters import ArticleLinks, Filters
from dashboard.i18n import ENGLISH, translator
from dashboard.taxonomy import topic_keys
from dashboard.ui.downloads import download_builder


@pytest.mark.parametrize(("value", "expected"), [
    (None, DEFAULT_MAX_DOWNLOAD_EVENTS),
    ("", DEFAULT_MAX_DOWNLOAD_EVENTS),
    ("250000", 250_000),
    (" 7 ", 7),
    ("1_000", 1_000),
    ("0", 0),  # no download in the app at all
    ("-5", DEFAULT_MAX_DOWNLOAD_EVENTS),  # unreadable: the default, never "no limit"
    ("lots", DEFAULT_MAX_DOWNLOAD_EVENTS),
    ("1e6", DEFAULT_MAX_DOWNLOAD_EVENTS),
])
def test_the_operators_limit(value, expected):
    environ = {} if value is None else {LIMIT_VARIABLE: value}
    assert max_download_events(environ) == expected


@pytest.mark.parametrize(("kind", "fmt", "events", "articles", "limit", "expected"), [
    ("events", "csv", 5, 0, 5, None),  # at the limit: offered
    ("events", "csv", 6, 0, 5, OVER_LIMIT),
    ("events", "parquet", 6, 0, 5, OVER_LIMIT),
    ("events", BUNDLE, 1, 0, 0, OVER_LIMIT),
    ("events", BUNDLE, 0, 0, 0, None),
    ("events", "xlsx", 6, 0, 5, OVER_LIMIT),  # the server's limit is said first
    ("events", "xlsx", EXCEL_MAX_ROWS, 0, 2_000_000, None),
    ("events", "xlsx", EXCEL_MAX_ROWS + 1, 0, 2_000_000, OVER_EXCEL),
    ("events", "csv", EXCEL_MAX_ROWS + 1, 0, 2_000_000, None),
    ("events", "geojson", EXCEL_MAX_ROWS + 1, 0, 2_000_000, None),
    # the articles a file holds: the Articles CSV's rows, or those embedded
    ("events", "csv", 2, 4, 3, None),  # an events CSV names its articles' ids only
    ("events", "parquet", 2, 4, 3, None),
    ("events", "geojson", 2, 4, 3, OVER_ARTICLES),
    ("events", BUNDLE, 2, 4, 3, OVER_ARTICLES),
    ("events", "xlsx", 2, 4, 3, OVER_ARTICLES),
    ("events", "geojson", 2, 3, 3, None),
    ("events", "geojson", 9, 4, 3, OVER_LIMIT),  # both past: the events are said
    ("articles", "csv", 2, 4, 3, OVER_ARTICLES),
    ("articles", "csv", 9, 3, 3, None),  # many events citing few articles: offered
    ("events", "xlsx", 10, EXCEL_MAX_ROWS + 1, 2_000_000, OVER_EXCEL_ARTICLES),
    ("events", "xlsx", 10, EXCEL_MAX_ROWS, 2_000_000, None),
    ("events", "xlsx", EXCEL_MAX_ROWS + 1, EXCEL_MAX_ROWS + 1, 2_000_000, OVER_EXCEL),  # both
    ("articles", "xlsx", EXCEL_MAX_ROWS + 1, 10, 2_000_000, None),  # no events sheet in it
    ("articles", "xlsx", 10, EXCEL_MAX_ROWS + 1, 2_000_000, OVER_EXCEL_ARTICLES),
])
def test_which_downloads_a_selection_may_have(kind, fmt, events, articles, limit, expected):
    assert refusal(kind, fmt, events, articles, limit) == expected


@pytest.mark.parametrize(("reason", "count", "limit", "lang", "expected"), [
    (OVER_LIMIT, 5, 3, "en", "Downloads here hold at most 3 events, and this filter selects 5"),
    (OVER_LIMIT, 2, 1, "en", "Downloads here hold at most 1 event, and this filter selects 2"),
    (OVER_LIMIT, 2_000_000, 1_000_000, "uk",
     "Завантаження тут містять щонайбільше 1\u00a0000\u00a0000 подій, а цей фільтр вибирає "
     "2\u00a0000\u00a0000"),
    (OVER_LIMIT, 5, 3, "pl", "mieszczą tu najwyżej 3 zdarzenia, a ten filtr wybiera 5"),
    (OVER_LIMIT, 30, 21, "ru", "не более 21 события, а этот фильтр выбирает 30"),
    (OVER_ARTICLES, 4, 3, "en",
     "Downloads here hold at most 3 articles, and the events of this filter cite 4"),
    (OVER_ARTICLES, 4, 1, "uk", "щонайбільше 1 статтю, а події цього фільтра посилаються на 4"),
    (OVER_ARTICLES, 40, 3, "pl", "najwyżej 3 artykuły, a zdarzenia tego filtra cytują 40"),
    (OVER_ARTICLES, 40, 5, "ru", "не более 5 статей, а события этого фильтра ссылаются на 40"),
    (OVER_ARTICLES, 40, 2, "be", "не больш за 2 артыкулы, а падзеі гэтага фільтра спасылаюцца "
     "на 40"),
    (OVER_ARTICLES, 40, 10, "lt", "ne daugiau kaip 10 straipsnių, o šio filtro įvykiai cituoja "
     "40"),
])
def test_the_notice_says_why_in_the_language(reason, count, limit, lang, expected):
    said = refusal_notice(reason, count, limit, translator(lang))
    assert expected in said.replace("\u202f", "\u00a0")


#: the sheet too long for Excel, named in each language: (reason, count, language, words)
EXCEL_SHEETS = [
    (OVER_EXCEL, 1_500_000, "en", "Excel holds at most 1,048,575 rows in a sheet, and the "
     "events sheet would hold the 1,500,000 events this filter selects"),
    (OVER_EXCEL_ARTICLES, 1_500_000, "en", "Excel holds at most 1,048,575 rows in a sheet, "
     "and the articles sheet would hold the 1,500,000 articles the events of this filter "
     "cite: download the events as CSV or Parquet and the articles as CSV"),
    (OVER_EXCEL, 1_500_001, "pl", "arkusz zdarzeń zawierałby 1\u00a0500\u00a0001 zdarzeń"),
    (OVER_EXCEL_ARTICLES, 1_500_002, "pl", "arkusz artykułów zawierałby 1\u00a0500\u00a0002 "
     "artykuły"),
    (OVER_EXCEL, 1_500_001, "uk", "аркуш подій містив би 1\u00a0500\u00a0001 подію"),
    (OVER_EXCEL_ARTICLES, 1_500_005, "uk", "аркуш статей містив би 1\u00a0500\u00a0005 "
     "статей"),
    (OVER_EXCEL, 1_500_001, "be", "аркуш падзей змяшчаў бы 1\u00a0500\u00a0001 падзею"),
    (OVER_EXCEL_ARTICLES, 1_500_003, "be", "аркуш артыкулаў змяшчаў бы 1\u00a0500\u00a0003 "
     "артыкулы"),
    (OVER_EXCEL, 1_500_002, "ru", "лист событий содержал бы 1\u00a0500\u00a0002 события"),
    (OVER_EXCEL_ARTICLES, 1_500_001, "ru", "лист статей содержал бы 1\u00a0500\u00a0001 "
     "статью"),
    (OVER_EXCEL, 1_500_010, "lt", "įvykių lape būtų 1\u00a0500\u00a0010 šio filtro atrinktų "
     "įvykių"),
    (OVER_EXCEL_ARTICLES, 1_500_002, "lt", "straipsnių lape būtų 1\u00a0500\u00a0002 "
     "straipsniai"),
]


@pytest.mark.parametrize(("reason", "count", "lang", "expected"), EXCEL_SHEETS)
def test_the_excel_notice_names_the_sheet_too_long(reason, count, lang, expected):
    said = refusal_notice(reason, count, 2_000_000, translator(lang))
    assert expected in said.replace("\u202f", "\u00a0")
    other = "articles" if reason == OVER_EXCEL else "events"
    assert f"the {other} sheet" not in refusal_notice(reason, count, 2_000_000, ENGLISH)


PARSED = build_parser()


@pytest.mark.parametrize(("query", "kind", "fmt", "where", "expected"), [
    ("", "events", "csv", {}, "python -m dashboard export -o events_all.csv"),
    ("country=POL", "events", "csv", {"engine": "duckdb", "data": "lake.parquet"},
     "python -m dashboard export --engine duckdb --data lake.parquet --query country=POL "
     "-o out.csv"),
    ("country=POL&topic=strike", "articles", "csv", {"data": "a.csv", "added": ["b.csv"]},
     "python -m dashboard export --data a.csv --add b.csv --query "
     "'country=POL&topic=strike' --articles -o out.csv"),
    ("", "events", BUNDLE, {"engine": "spark", "table": "events"},
     "python -m dashboard export --engine spark --table events --bundle -o out.csv"),
    ("area=UA-46", "events", "csv", {"data": "a.csv", "boundaries": "oblasts.geojson"},
     "python -m dashboard export --data a.csv --boundaries oblasts.geojson --query "
     "area=UA-46 -o out.csv"),
])
def test_the_command_line_of_a_download(query, kind, fmt, where, expected):
    output = "events_all.csv" if not query and fmt == "csv" and not where else "out.csv"
    assert export_command(query, kind, fmt, output, **where) == expected


@pytest.mark.parametrize("query", [
    "q=it's a test",
    "q=$(rm -rf ~)&country=POL",
    "q=`id`; echo; \"x\"",
    "q=line\nbreak",
])
def test_any_query_is_one_argument_of_the_real_command(query):
    words = shlex.split(export_command(query, "articles", "csv", "статті_x.csv",
                                       data="my events.csv", boundaries="my areas.geojson"))
    assert words[:4] == ["python", "-m", "dashboard", "export"]
    args = PARSED.parse_args(words[3:])
    assert (args.query, args.data, args.output, args.articles, args.boundaries) == (
        query, "my events.csv", "статті_x.csv", True, "my areas.geojson")


@pytest.fixture(scope="module")
def bundled_backend() -> MemoryBackend:
    dataset = load_bundled()
    return MemoryBackend(dataset, EventIndex.build(dataset.events),
                         ArticleLinks.build(dataset.events, dataset.articles),
                         build_options(dataset.events, dataset.articles, topic_keys()))


@pytest.mark.parametrize("fmt", ["csv", "geojson", "xlsx", "parquet", BUNDLE])
def test_the_builder_refuses_past_the_limit_and_builds_within(bundled_backend, monkeypatch,
                                                              fmt):
    count = bundled_backend.count(Filters())
    build = download_builder("events", fmt, bundled_backend, Filters(), [], {}, ENGLISH)
    monkeypatch.setenv(LIMIT_VARIABLE, str(count - 1))
    with pytest.raises(DownloadRefused, match=f"at most {count - 1:,} events"):
        build()
    monkeypatch.setenv(LIMIT_VARIABLE, str(count))
    assert len(build()) > 0


EVENTS_CSV = ("event_id,event_date,date_precision,topic,country,latitude,longitude,"
              "geo_precision,summary,verification,article_ids,source_dataset\n") + """\
a-1,2024-01-10,day,border_zone,POL,53.1,23.6,near,One event,confirmed,r-1; r-2; r-3,fixture
a-2,2024-01-11,day,border_zone,POL,53.2,23.7,near,Another event,confirmed,r-2; r-4,fixture
"""
ARTICLES_CSV = """article_id,title,url,outlet,published,language
r-1,First report,https://example.invalid/1,Outlet,2024-01-10,en
r-2,Second report,https://example.invalid/2,Outlet,2024-01-10,en
r-3,Third report,https://example.invalid/3,Outlet,2024-01-11,en
r-4,Fourth report,https://example.invalid/4,Outlet,2024-01-11,en
"""


@pytest.mark.parametrize(("kind", "fmt", "refused"), [
    ("articles", "csv", True),
    ("events", "geojson", True),  # embeds the four articles
    ("events", "xlsx", True),
    ("events", BUNDLE, True),
    ("events", "csv", False),  # holds the two events only
    ("events", "parquet", False),
])
def test_the_builder_counts_the_articles_it_would_hold(tmp_path, monkeypatch, kind, fmt,
                                                       refused):
    (tmp_path / "e.csv").write_text(EVENTS_CSV, encoding="utf-8")
    (tmp_path / "e_articles.csv").write_text(ARTICLES_CSV, encoding="utf-8")
    dataset = load_dataset(tmp_path / "e.csv", articles=tmp_path / "e_articles.csv")
    assert (len(dataset.events), len(dataset.articles)) == (2, 4)
    source = MemoryBackend(dataset, EventIndex.build(dataset.events),
                           ArticleLinks.build(dataset.events, dataset.articles),
                           build_options(dataset.events, dataset.articles, topic_keys()))
    monkeypatch.setenv(LIMIT_VARIABLE, "3")  # above the events, below their articles
    build = download_builder(kind, fmt, source, Filters(), [], {}, ENGLISH)
    if refused:
        with pytest.raises(DownloadRefused, match="at most 3 articles here and this one "
                                                  "would hold 4"):
            build()
    else:
        assert len(build()) > 0


def test_the_builder_refuses_more_rows_than_excel_holds(bundled_backend, monkeypatch):
    count = bundled_backend.count(Filters())
    monkeypatch.setattr(download_limits, "EXCEL_MAX_ROWS", count - 1)  # Excel's, made small
    with pytest.raises(DownloadRefused, match="Excel holds at most"):
        download_builder("events", "xlsx", bundled_backend, Filters(), [], {}, ENGLISH)()
    assert download_builder("events", "csv", bundled_backend, Filters(), [], {}, ENGLISH)()


@pytest.mark.parametrize(("rows", "said"), [
    (1, "events sheet would hold 2"),  # two events, one row
    (3, "articles sheet would hold 4"),  # two events fit, their four articles do not
    (4, None),
])
def test_the_builders_excel_refusal_names_the_sheet(tmp_path, monkeypatch, rows, said):
    (tmp_path / "e.csv").write_text(EVENTS_CSV, encoding="utf-8")
    (tmp_path / "e_articles.csv").write_text(ARTICLES_CSV, encoding="utf-8")
    dataset = load_dataset(tmp_path / "e.csv", articles=tmp_path / "e_articles.csv")
    source = MemoryBackend(dataset, EventIndex.build(dataset.events),
                           ArticleLinks.build(dataset.events, dataset.articles),
                           build_options(dataset.events, dataset.articles, topic_keys()))
    monkeypatch.setattr(download_limits, "EXCEL_MAX_ROWS", rows)  # Excel's, made small
    build = download_builder("events", "xlsx", source, Filters(), [], {}, ENGLISH)
    if said is None:
        assert len(build()) > 0
    else:
        with pytest.raises(DownloadRefused, match=f"at most {rows:,} rows in a sheet and this "
                                                  f"download's {said}"):
            build()
