"""The Parquet files a ``--data`` names for the duckdb and spark engines.

Both engines read Parquet only, and a CSV or Excel file handed to them otherwise fails
deep in the engine with its own words (DuckDB's "No magic bytes found at end of file",
Spark's "Unable to infer schema for Parquet"), which say nothing of what to do. So every
file is checked for Parquet's leading magic before an engine sees it, and one that is not
Parquet is refused by name, with the two ways on: the memory engine, or ``convert``.

A folder or glob may also hold the events' articles (``lake/articles.parquet`` beside
``lake/events-2024.parquet``, as a single events file keeps its companion). Read as
events, its every row would be rejected and the source would have no articles; so each
file's schema is read from its footer (never its rows) and a file with an
``article_id`` column and no ``event_id`` column is the source's articles (``lake_files``).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.i18n import N_, Sayable
from dashboard.readers import LoadError

PARQUET_MAGIC = b"PAR1"  # the first (and last) four bytes of every Parquet file


def parquet_files(data: str) -> list[Path]:
    """The Parquet files a ``--data`` names: a file, a folder (its ``*.parquet``, any depth)
    or a glob, sorted by path so rows keep one order. LoadError when none is found, or
    naming the first that is not Parquet."""
    path = Path(data)
    if path.is_dir():
        found = sorted(path.rglob("*.parquet"))
    elif path.is_file():
        found = [path]
    else:
        found = sorted(Path(p) for p in glob.glob(data, recursive=True) if Path(p).is_file())
    if not found:
        raise LoadError(data, Sayable(N_("no Parquet file found (a file, a folder or a glob "
                                         "such as 'lake/*.parquet')")))
    for file in found:
        with file.open("rb") as handle:
            if handle.read(len(PARQUET_MAGIC)) != PARQUET_MAGIC:
                raise LoadError(str(file), not_parquet(file))
    return found


def not_parquet(file: Path) -> Sayable:
    """Why a file that does not begin as Parquet files do is refused, and what to do."""
    if file.suffix.lower() == ".parquet":
        return Sayable(N_("is not a Parquet file, though named so (it does not begin with "
                          "Parquet's magic bytes): a damaged or cut-off copy, or another "
                          "format renamed"))
    return Sayable(N_("is not a Parquet file, and the duckdb and spark engines read Parquet "
                      "only: open it with the memory engine (the default), which reads CSV, "
                      "Excel, JSON and GeoJSON, or write it as Parquet first: python -m "
                      "dashboard convert {file} -o {parquet}"),
                   file=str(file), parquet=str(file.with_suffix(".parquet")))


#: the suffixes of an articles file read as delimited text rather than Parquet
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")


def holds_articles(file: Path) -> bool:
    """Whether a Parquet file holds canonical articles rather than events: an
    ``article_id`` column and no ``event_id`` column (names matched ignoring case, as the
    engines match them), told from its footer alone. A footer that cannot be read leaves
    the file to the events, whose reading names what is wrong with it."""
    try:
        names = {name.lower() for name in pq.read_schema(file).names}
    except (pa.ArrowException, OSError):
        return False
    return "article_id" in names and "event_id" not in names


@dataclass(frozen=True)
class Articles:
    """Where a source's articles are read from: an articles option as given, or the
    articles files found among the data's own (``Lake.articles``)."""

    name: str  # what a LoadError names, and what a Spark Connect server is handed
    label: str  # the articles report's file
    files: list[Path]  # the local files read: the cache key's and the citations'
    text: bool = False  # a CSV or TSV file, not Parquet

    @classmethod
    def given(cls, articles: str, *, local: bool = True) -> Articles:
        """An articles option (a CSV or TSV file, or a Parquet file, folder or glob);
        ``local=False`` lists no file (a Spark Connect server reads the path itself)."""
        path = Path(articles)
        text = path.suffix.lower() in TEXT_SUFFIXES
        if not local:
            files = []
        elif text:
            files = [path] if path.is_file() else []
        else:
            files = parquet_files(articles)
        return cls(articles, path.name or articles, files, text)


@dataclass(frozen=True)
class Lake:
    """The Parquet files of a ``--data`` told apart by schema (``holds_articles``): the
    events files and the articles files found among them, each in path order."""

    events: list[Path]
    found: list[Path]

    def articles(self, given: str | None) -> Articles | None:
        """What the articles are read from. An articles option given wins, as it wins over
        a single file's companion (``dataset.load_dataset``): the found files are then
        left out (``notes`` says so); without one, the found files are read as one table."""
        if given is not None:
            return Articles.given(given)
        if not self.found:
            return None
        shown = self.shown(self.found)
        return Articles(str(self.found[0]) if len(self.found) == 1 else shown, shown,
                        list(self.found))

    def left_out(self, articles: Articles | None) -> list[Path]:
        """The found files ``articles`` does not read: read neither as events nor as
        articles, since other articles were given."""
        used = {file.resolve() for file in articles.files} if articles else set()
        return [file for file in self.found if file.resolve() not in used]

    def notes(self, label: str, articles: Articles | None) -> list[str]:
        """The events report's lines naming the found files (``reasons.WARNINGS`` holds
        them for translation): those read as the articles, and those left out because
        other articles were given, so that no file is passed over silently."""
        left = self.left_out(articles)
        taken = [file for file in self.found if file not in left]
        notes = []
        if taken:
            notes.append(f"{label}: {self.shown(taken)} read as the articles, not as events "
                         "(an article_id column and no event_id column)")
        if left:
            notes.append(f"{label}: {self.shown(left)} left out, neither events nor "
                         "articles (an article_id column and no event_id column): the "
                         "articles file given is read instead")
        return notes

    def shown(self, files: list[Path]) -> str:
        """``files`` named from the folder all the data's files share, so two
        ``articles.parquet`` of different subfolders are told apart."""
        return _shown(files, [*self.events, *self.found])


def _shown(files: list[Path], among: list[Path]) -> str:
    root = Path(os.path.commonpath([str(file.parent) for file in among]))
    return ", ".join(file.relative_to(root).as_posix() for file in files)


def lake_files(data: str) -> Lake:
    """The events and articles files of a ``--data`` (``parquet_files``), told apart by
    schema. LoadError when every file holds articles: there are no events to serve."""
    files = parquet_files(data)
    found = [file for file in files if holds_articles(file)]
    if len(found) == len(files):
        raise LoadError(data, Sayable(N_("holds only articles, no events ({files}: an "
                                         "article_id column and no event_id column): give "
                                         "the events file, folder or glob as the data"),
                                      files=_shown(found, found)))
    articles = set(found)
    return Lake([file for file in files if file not in articles], found)
