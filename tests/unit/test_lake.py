"""The Parquet files a ``--data`` names for the duckdb and spark engines (engines/lake.py):
a file that is not Parquet is refused by name, with what to do, before an engine reads it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard.cli import main
from dashboard.engines.lake import holds_articles, lake_files, parquet_files
from dashboard.readers import LoadError

CSV = b"event_id,event_date,country,topic,summary\ne1,2024-01-02,POL,strike,A strike\n"
XLSX = b"PK\x03\x04" + b"\x00" * 60  # a workbook is a zip


def _parquet(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"event_id": ["e1"]}), path)
    return path


@pytest.mark.parametrize(("files", "data", "refused", "words"), [
    ({"events.csv": CSV}, "events.csv", "events.csv",
     "python -m dashboard convert {tmp}/events.csv -o {tmp}/events.parquet"),
    ({"events.xlsx": XLSX}, "events.xlsx", "events.xlsx", "memory engine"),
    ({"lake/a.parquet": None, "lake/b.parquet": CSV}, "lake", "lake/b.parquet",
     "though named so"),
    ({"lake/a.parquet": None, "lake/b.parquet": b""}, "lake/*.parquet", "lake/b.parquet",
     "damaged or cut-off"),
    ({"lake/a.parquet": None, "lake/notes.csv": CSV}, "lake", None, None),  # not named
    ({"lake/notes.csv": CSV}, "lake", "lake", "no Parquet file found"),
])
def test_only_parquet_reaches_an_engine(tmp_path: Path, files: dict[str, bytes | None],
                                        data: str, refused: str | None,
                                        words: str | None) -> None:
    for name, content in files.items():
        path = tmp_path / name
        if content is None:
            _parquet(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    if refused is None:
        assert parquet_files(str(tmp_path / data)) == [tmp_path / "lake/a.parquet"]
        return
    with pytest.raises(LoadError) as caught:
        parquet_files(str(tmp_path / data))
    assert caught.value.file == str(tmp_path / refused)
    assert words is not None and words.format(tmp=tmp_path) in str(caught.value)


@pytest.mark.parametrize("command", [
    ["validate", "{file}", "--engine", "duckdb"],
    ["export", "--engine", "duckdb", "--data", "{file}", "-o", "{out}"],
])
def test_a_csv_given_to_duckdb_says_how_to_open_it(tmp_path: Path, command: list[str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "events.csv"
    file.write_bytes(CSV)
    args = [part.format(file=file, out=tmp_path / "out.csv") for part in command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{file}: is not a Parquet file" in err and "memory engine" in err
    assert "magic bytes found" not in err and "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()


EVENTS = pa.table({"event_id": ["e1"], "event_date": ["2024-01-02"], "article_ids": ["a1"]})
ARTICLES = pa.table({"article_id": ["a1"], "url": ["https://example.org/1"]})
#: an events file that happens to hold an ``article_id`` column too
BOTH = pa.table({"event_id": ["e2"], "article_id": ["a1"]})
UPPER = pa.table({"Article_ID": ["a2"], "Title": ["t"]})


@pytest.mark.parametrize(("files", "events", "found"), [
    ({"lake/e-2023.parquet": EVENTS, "lake/e-2024.parquet": EVENTS},
     ["e-2023.parquet", "e-2024.parquet"], []),
    ({"lake/e-2023.parquet": EVENTS, "lake/e-2024.parquet": EVENTS,
      "lake/articles.parquet": ARTICLES},
     ["e-2023.parquet", "e-2024.parquet"], ["articles.parquet"]),
    ({"lake/e-2024.parquet": EVENTS, "lake/x_articles.parquet": ARTICLES,
      "lake/articles.parquet": ARTICLES},
     ["e-2024.parquet"], ["articles.parquet", "x_articles.parquet"]),  # path order
    ({"lake/e.parquet": EVENTS, "lake/zzz.parquet": ARTICLES},  # by schema, not by name
     ["e.parquet"], ["zzz.parquet"]),
    ({"lake/e.parquet": EVENTS, "lake/articles.parquet": BOTH},  # event_id: events
     ["articles.parquet", "e.parquet"], []),
    ({"lake/e.parquet": EVENTS, "lake/A.parquet": UPPER},  # names matched ignoring case
     ["e.parquet"], ["A.parquet"]),
    ({"lake/2023/e.parquet": EVENTS, "lake/2023/articles.parquet": ARTICLES,
      "lake/2024/articles.parquet": ARTICLES},
     ["2023/e.parquet"], ["2023/articles.parquet", "2024/articles.parquet"]),
])
def test_articles_files_are_told_apart_by_schema(tmp_path: Path, files: dict[str, pa.Table],
                                                 events: list[str], found: list[str]) -> None:
    for name, table in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, tmp_path / name)
    lake = lake_files(str(tmp_path / "lake"))
    assert (lake.events, lake.found) == ([tmp_path / "lake" / n for n in events],
                                         [tmp_path / "lake" / n for n in found])
    chosen = lake.articles(None)
    if not found:
        assert chosen is None and lake.notes("lake", chosen) == []
        return
    assert chosen is not None and chosen.files == lake.found
    assert chosen.label == ", ".join(found)
    assert lake.notes("lake", chosen) == [
        f"lake: {', '.join(found)} read as the articles, not as events (an article_id column "
        "and no event_id column)"]


def test_the_schema_is_read_from_the_footer_alone(tmp_path: Path) -> None:
    """An articles file whose rows are damaged is still told apart: only its footer is
    read (the rows are the engine's to read, and to report)."""
    path = tmp_path / "articles.parquet"
    pq.write_table(pa.table({"article_id": [f"a{i}" for i in range(1_000)]}), path,
                   compression="none")
    data = bytearray(path.read_bytes())
    start = data.index(b"a500")
    data[start:start + 400] = b"\xff" * 400
    path.write_bytes(bytes(data))
    with pytest.raises(OSError, match="Invalid BYTE_ARRAY"):  # the rows cannot be read
        pq.read_table(path)
    assert holds_articles(path)


def test_a_folder_of_articles_alone_is_refused_by_name(tmp_path: Path) -> None:
    for name in ("articles.parquet", "more.parquet"):
        pq.write_table(ARTICLES, tmp_path / name)
    with pytest.raises(LoadError) as caught:
        lake_files(str(tmp_path))
    assert caught.value.file == str(tmp_path)
    assert ("holds only articles, no events (articles.parquet, more.parquet: an article_id "
            "column and no event_id column)") in str(caught.value)


@pytest.mark.parametrize(("given", "notes"), [
    (None, ["read as the articles"]),
    ("lake/articles.parquet", ["read as the articles"]),  # the found file, named: no loss
    ("other.csv", ["left out, neither events nor articles"]),
])
def test_an_articles_option_wins_over_the_found_files(tmp_path: Path, given: str | None,
                                                      notes: list[str]) -> None:
    (tmp_path / "lake").mkdir()
    pq.write_table(EVENTS, tmp_path / "lake/e.parquet")
    pq.write_table(ARTICLES, tmp_path / "lake/articles.parquet")
    (tmp_path / "other.csv").write_text("article_id\na1\n", encoding="utf-8")
    lake = lake_files(str(tmp_path / "lake"))
    chosen = lake.articles(None if given is None else str(tmp_path / given))
    assert chosen is not None
    assert chosen.files == [tmp_path / (given or "lake/articles.parquet")]
    said = lake.notes("lake", chosen)
    assert len(said) == len(notes) and all(
        line.startswith("lake: articles.parquet ") and note in line
        for line, note in zip(said, notes, strict=True))
