"""What an export is, said in the export itself: the facts a reader needs to cite it.

A ``Citation`` holds the filter sentence, the URL query that selects the same rows, the
dashboard version, the data version (each dataset's file names and SHA-256), the export
time and, for each source dataset the exported events come from, its licence and citation.
A file this process cannot read (one a Spark Connect server reads from its cluster's storage)
has no SHA-256; every form says so in words (``NOT_HASHED``) instead of leaving it out.
``export.build_download`` writes it into every format but CSV (GeoJSON ``metadata``,
Excel ``About`` sheet, Parquet key-value ``citation``) and, as ``README.txt`` and
``CITATION.cff``, into the citable bundle.

Licences and citations come from one registry, ``data/datasets.csv``: each row's
``name_pattern`` (a regular expression, matched case-insensitively against the whole
``source_dataset`` value) names a dataset; the first matching row wins, so a more specific
row (one release of a dataset) goes above the general one. A dataset no row names gets
``UNKNOWN_LICENCE`` and its own name as the citation, never a guess.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd

from dashboard.dataset import BUNDLED_ARTICLES, BUNDLED_EVENTS, companion_articles
from dashboard.filters import Filters
from dashboard.i18n import ENGLISH, N_, Translator
from dashboard.taxonomy import DATA_DIR

REGISTRY_PATH = DATA_DIR / "datasets.csv"
REGISTRY_COLUMNS = ["name_pattern", "title", "author", "licence", "spdx", "citation", "url"]
UNKNOWN_LICENCE = "unknown: check the publisher's terms"
BUNDLED_NAME = "the bundled dataset"  # as the app's data label says it
PACKAGE = "border-security-dashboard"
TITLE = "Border security dashboard export"
CFF_MESSAGE = ("Cite this export as below, and each source dataset under references by its "
               "own citation.")
_CHUNK = 1 << 20
#: what a citation says in place of the SHA-256 of a file only a Spark Connect server reads
#: (English in the files, as the rest of their words; the About page says it translated)
NOT_HASHED = N_("not computed: the Spark Connect server reads this file, which this "
                "machine cannot read")


@dataclass(frozen=True)
class Source:
    """One source dataset of the exported events, as the registry describes it."""

    name: str  # the events' ``source_dataset`` value
    title: str
    author: str
    licence: str
    citation: str
    url: str = ""
    spdx: str = ""  # an SPDX licence id when the licence has one (CITATION.cff needs it)

    def as_dict(self) -> dict[str, str]:
        return {"name": self.name, "title": self.title, "licence": self.licence,
                "citation": self.citation, "url": self.url}


@dataclass(frozen=True)
class DataFile:
    """A file a dataset was loaded from: its name (no folder) and content SHA-256."""

    name: str
    sha256: str | None  # None: not known here (a file only the Spark Connect server reads)

    @property
    def sha256_text(self) -> str:
        """The SHA-256, or the words saying why there is none."""
        return self.sha256 if self.sha256 is not None else NOT_HASHED


@dataclass(frozen=True)
class DataVersion:
    """One loaded dataset: its name and the files it was read from."""

    name: str
    files: tuple[DataFile, ...]

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "files": [
            {"name": f.name, "sha256": f.sha256} if f.sha256 is not None else
            {"name": f.name, "sha256": None, "sha256_missing": NOT_HASHED}
            for f in self.files]}


@dataclass(frozen=True)
class Citation:
    """What one export is (see the module docstring); ``metadata()`` is its JSON form."""

    filter: str
    query: str
    dashboard_version: str
    exported: datetime
    data_version: tuple[DataVersion, ...]
    sources: tuple[Source, ...]
    language: str = "en"  # the interface language the filter sentence is written in

    @property
    def exported_text(self) -> str:
        return exported_text(self.exported)

    def metadata(self) -> dict[str, object]:
        """The object GeoJSON's ``metadata`` and Parquet's ``citation`` hold."""
        return {
            "filter": self.filter,
            "language": self.language,
            "query": self.query,
            "exported": self.exported_text,
            "dashboard_version": self.dashboard_version,
            "data_version": [d.as_dict() for d in self.data_version],
            "sources": [s.as_dict() for s in self.sources],
        }

    def about_rows(self) -> list[list[str]]:
        """The rows of Excel's ``About`` sheet: the facts, the files, the sources."""
        rows = [["field", "value"], ["filter", self.filter], ["language", self.language],
                ["query", self.query],
                ["exported", self.exported_text],
                ["dashboard_version", self.dashboard_version],
                [], ["dataset", "file", "sha256"]]
        rows += [[d.name, f.name, f.sha256_text] for d in self.data_version for f in d.files]
        rows += [[], ["source", "title", "licence", "citation", "url"]]
        rows += [[s.name, s.title, s.licence, s.citation, s.url] for s in self.sources]
        return rows

    def readme(self, files: Sequence[tuple[str, str]]) -> str:
        """README.txt of the bundle: the same facts for a person; ``files`` are (name,
        what it holds) of the bundle's members."""
        lines = [TITLE, "=" * len(TITLE), "",
                 f"What:       {self.filter}",
                 f"Language:   {self.language} (of the line above: the dashboard's language "
                 "when exported)",
                 f"URL query:  {self.query or '(none: every event)'}",
                 "            (add it after ? to the dashboard's address to see the same "
                 "rows)",
                 f"Exported:   {self.exported_text} (UTC)",
                 f"Dashboard:  {PACKAGE} {self.dashboard_version}", "",
                 "Files", "-----"]
        width = max((len(name) for name, _ in files), default=0)
        lines += [f"{name.ljust(width)}  {what}" for name, what in files]
        lines += ["", "Data version (the files the data was loaded from)",
                  "-------------------------------------------------"]
        for dataset in self.data_version:
            lines.append(dataset.name)
            lines += [f"  {f.name}  sha256 {f.sha256_text}" for f in dataset.files]
        lines += ["", "Sources: cite each dataset the events come from",
                  "-----------------------------------------------"]
        if not self.sources:
            lines.append("(no events exported)")
        for source in self.sources:
            lines += [f"{source.name}: {source.title}", f"  Licence: {source.licence}",
                      f"  Cite as: {source.citation}"]
            if source.url:
                lines.append(f"  URL:     {source.url}")
        return "\n".join(lines) + "\n"

    def cff(self) -> str:
        """CITATION.cff (Citation File Format 1.2.0) of the bundle: the export as a
        dataset, its files as identifiers, each source dataset as a reference."""
        out = ["cff-version: 1.2.0", f"message: {_yaml(CFF_MESSAGE)}",
               f"title: {_yaml(f'{TITLE}: {self.filter}')}",
               "type: dataset",
               "authors:", f"  - name: {_yaml(f'{PACKAGE} {self.dashboard_version}')}",
               f"date-released: {_yaml(self.exported.date().isoformat())}",
               f"abstract: {_yaml(self._abstract())}"]
        files = [(d, f) for d in self.data_version for f in d.files if f.sha256 is not None]
        if files:
            out.append("identifiers:")
            for dataset, file in files:
                out += ["  - type: other", f"    value: {_yaml(f'sha256:{file.sha256}')}",
                        f"    description: {_yaml(f'{file.name} of {dataset.name}')}"]
        if self.sources:
            out.append("references:")
        for source in self.sources:
            out += ["  - type: dataset", f"    title: {_yaml(source.title)}",
                    "    authors:", f"      - name: {_yaml(source.author)}"]
            if source.spdx:
                out.append(f"    license: {_yaml(source.spdx)}")
            if source.url:
                out.append(f"    url: {_yaml(source.url)}")
            notes = f"{source.name}. Licence: {source.licence}. Cite as: {source.citation}"
            out.append(f"    notes: {_yaml(notes)}")
        return "\n".join(out) + "\n"

    def _abstract(self) -> str:
        query = f"URL query {self.query}" if self.query else "no URL query"
        unhashed = [f"{f.name} of {d.name}" for d in self.data_version for f in d.files
                    if f.sha256 is None]
        missing = (f" The SHA-256 of {', '.join(unhashed)} is {NOT_HASHED}." if unhashed
                   else "")
        return (f"Events exported from {PACKAGE} {self.dashboard_version} at "
                f"{self.exported_text} with the filter '{self.filter}' ({query}).{missing}")


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar: JSON's string escapes are YAML's too."""
    return json.dumps(text, ensure_ascii=False)


def exported_text(moment: datetime) -> str:
    """ISO 8601 in UTC to the second, ``2025-05-01T12:00:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_exported(text: str) -> datetime:
    """An export time given as ISO 8601 (``Z`` or an offset; no offset means UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--exported {text!r} is not an ISO 8601 time "
                         "(e.g. 2025-05-01T12:00:00Z)") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def now() -> datetime:
    """The export time of an export made now (to the second, UTC)."""
    return datetime.now(UTC).replace(microsecond=0)


def dashboard_version() -> str:
    """The installed package's version ("unknown" when run from an uninstalled tree)."""
    try:
        return metadata.version(PACKAGE)
    except metadata.PackageNotFoundError:
        return "unknown"


def file_digest(path: Path) -> str:
    """SHA-256 of a file, read in slices."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def files_version(name: str, paths: Iterable[Path | str],
                  digest: Callable[[Path], str] = file_digest,
                  unread: Iterable[str] = ()) -> DataVersion:
    """The version of a dataset read from ``paths``; ``digest`` lets the app pass its
    cached hash (the same value). ``unread`` names the files read where this process cannot
    read them (a Spark Connect server's): listed, their SHA-256 said to be unknown."""
    return DataVersion(name, (*(DataFile(Path(p).name, digest(Path(p))) for p in paths),
                              *(DataFile(n, None) for n in unread)))


def bundled_files() -> list[Path]:
    """The files ``dataset.load_bundled`` reads."""
    return [BUNDLED_EVENTS, BUNDLED_ARTICLES]


def launch_version(path: str | Path | None, labels: str | Path | None = None,
                   digest: Callable[[Path], str] = file_digest) -> DataVersion:
    """The version of the data a launch or ``export`` starts on: the bundled files, or
    ``--data`` with the companion articles ``load_dataset`` finds beside it (and VIINA
    labels); named as the app's data label names it."""
    if path is None:
        return files_version(BUNDLED_NAME, bundled_files(), digest)
    companion = companion_articles(Path(path))
    paths = [Path(path), *([companion] if companion else []), *([Path(labels)] if labels else [])]
    return files_version(Path(path).name, paths, digest)


@cache
def _registry(path: Path) -> tuple[Source, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(REGISTRY_COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
        rows = list(reader)
    for number, row in enumerate(rows, start=2):
        try:
            re.compile(row["name_pattern"])
        except re.error as err:
            raise ValueError(f"{path.name}, row {number}, name_pattern: {err}") from None
    return tuple(Source(name=row["name_pattern"], title=row["title"], author=row["author"],
                        licence=row["licence"], citation=row["citation"], url=row["url"],
                        spdx=row["spdx"]) for row in rows)


def registry(path: Path | None = None) -> tuple[Source, ...]:
    """The known datasets (``name`` holds each row's pattern), read once per path."""
    return _registry(Path(path or REGISTRY_PATH).resolve())


def source_for(name: str, known: Sequence[Source] | None = None) -> Source:
    """The registry's description of dataset ``name`` (first matching pattern), or one
    that says the licence is unknown."""
    for entry in registry() if known is None else known:
        if re.fullmatch(entry.name, name, flags=re.IGNORECASE):
            return Source(name, entry.title, entry.author, entry.licence, entry.citation,
                          entry.url, entry.spdx)
    return Source(name, name, name, UNKNOWN_LICENCE, name)


def source_names(events: pd.DataFrame) -> list[str]:
    """The distinct ``source_dataset`` values of ``events``, sorted."""
    values = events["source_dataset"].dropna().astype("str").unique()
    return sorted(str(v) for v in values if str(v))


def query_string(filters: Filters) -> str:
    """The filter as the URL query a shared link holds (commas kept readable)."""
    return urlencode(filters.to_query(), safe=",")


def make_citation(filters: Filters, events: pd.DataFrame, *,
                  data_version: Sequence[DataVersion], exported: datetime,
                  topic_labels: Mapping[str, str] | None = None,
                  known: Sequence[Source] | None = None, t: Translator = ENGLISH) -> Citation:
    """The citation of an export of ``events`` (the filtered rows) selected by ``filters``;
    the filter sentence in ``t``'s language (the app's), which ``language`` names."""
    return Citation(
        filter=filters.describe(topic_labels, t),
        language=t.lang,
        query=query_string(filters),
        dashboard_version=dashboard_version(),
        exported=exported.astimezone(UTC).replace(microsecond=0),
        data_version=tuple(data_version),
        sources=tuple(source_for(name, known) for name in source_names(events)),
    )
