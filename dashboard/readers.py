"""Turn a file's bytes into raw string tables, or refuse it with one clear message.

Readers know nothing about events: they return every cell as a string (or NA) so that
format detection and validation see exactly what the file says. The format is decided
from the content first (magic bytes, JSON shape) and the extension second, so a renamed
file is still read correctly and a pickle renamed to ``.csv`` is still refused.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import logging
import os
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dashboard.i18n import N_, Sayable, Translator, said
from dashboard.schema import arrow_text

Progress = Callable[[float], None]
Source = str | Path | bytes | bytearray | IO[bytes] | Any

# A neutralised cell: one added quote before an optional run of quotes and a trigger.
# Export adds one quote to cells matching ^'*[trigger]; loading removes one from ^'+[trigger].
FORMULA_TRIGGERS = "=+-@\t\r"
_NEUTRALISED = re.compile(r"^'(?='*[=+\-@\t\r])")

DELIMITERS = ",;\t|"
CODE_EXTENSIONS = {".pkl", ".pickle", ".joblib", ".npy", ".npz", ".dill", ".pt", ".pth", ".h5"}
_SNIFF_BYTES = 256 * 1024
_HEAD_BYTES = 2 * 1024 * 1024
_MAX_HEAD_BYTES = 64 * 1024 * 1024  # the longest first line a CSV may have
_SNIFF_LINES = 50  # whole lines the delimiter (and a headerless width) is sniffed from
_SNIFFER_CHARS = 1024 * 1024  # the most of them the standard sniffer is given
_BLOCK_SIZE = 8 * 1024 * 1024
_CHECK_BYTES = 16 * 1024 * 1024
_SHEET_PROGRESS_ROWS = 5_000
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
# What a zip archive may hold for us to read it (one of these; other members are ignored).
DATA_SUFFIXES = {".csv", ".tsv", ".tab", ".txt", ".xlsx", ".xls", ".ods", ".json", ".jsonl",
                 ".ndjson", ".geojson", ".parquet"}
# A file unpacked from a .zip or .gz is held in memory whole: at most this many MB, by
# default what a 4 GB server can hold beside the table read from it.
MAX_UNPACKED_ENV = "DASHBOARD_MAX_UNPACKED_MB"
DEFAULT_MAX_UNPACKED_MB = 2048
_MB = 1024 * 1024

_log = logging.getLogger(__name__)

# Stand-ins for a CR inside a cell while a CSV is parsed: Unicode noncharacters, which are
# reserved for a program's own use (see ``_lone_returns``).
_RETURN_MARKS = [chr(point) for point in range(0xFDD0, 0xFDF0)]

# A problem the reader found in one row: (column, value as shown, reason).
# ``raw.attrs["row_errors"]`` maps a row's position to its problems; importers reject those
# rows (counted as read), so a bad row never takes its file down with it.
RowProblem = tuple[str, str | None, str]

# The longest cell a CSV may hold. Arrow reads rows that fit in one 8 MB block; a longer row
# goes through the csv module, whose own limit (128 KB by default, process-wide) is set
# here once so that every cell up to this size is read and a longer one is a LoadError.
MAX_CELL_CHARS = 16 * 1024 * 1024
csv.field_size_limit(MAX_CELL_CHARS)


class LoadError(Exception):
    """A file that cannot be read at all; ``str()`` names the file (and row/column if known)."""

    def __init__(
        self, file: str, message: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.file = file
        self.message = message
        self.row = row
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        suffix = f" ({', '.join(where)})" if where else ""
        return f"{self.file}: {self.message}{suffix}"

    def said(self, t: Translator) -> str:
        """The error in ``t``'s language for the Data page: its message is said again when
        it is ``Sayable`` (the common errors a visitor meets), else kept as English."""
        where = []
        if self.row is not None:
            where.append(t.gettext("row {row}").format(row=self.row))
        if self.column is not None:
            where.append(t.gettext("column {column}").format(column=repr(self.column)))
        suffix = f" ({', '.join(where)})" if where else ""
        return f"{self.file}: {said(self.message, t)}{suffix}"


class FormatNotRecognised(LoadError):
    """A table whose columns fit no importer: the Data page offers to map them, and the
    command line names ``python -m dashboard mapping``, which guesses a mapping to start from."""


@contextmanager
def reading(label: str) -> Iterator[None]:
    """The last guard of the public readers: whatever a parser raises that is not already a
    LoadError becomes one naming the file, so a page or the command line never shows a
    traceback; the traceback goes to the server log. MemoryError says the file is too big
    for this server; KeyboardInterrupt and SystemExit pass on untouched."""
    try:
        yield
    except LoadError:
        raise
    except MemoryError as err:
        _log.exception("reading %s ran out of memory", label)
        raise LoadError(label, Sayable(N_("too big to read in this server's memory; load a "
                                          "smaller extract or split the file"))) from err
    except Exception as err:  # the guard's purpose: no parser's exception reaches the user
        _log.exception("reading %s failed", label)
        raise LoadError(label, Sayable(N_("could not be read: {error}"),
                                       error=type(err).__name__)) from err


class RepeatedNameError(LoadError):
    """A header that names one column twice. Its own type because a headerless file read
    with a header (GDELT's, at detection) can repeat a value in its first row."""


def progress_stage(progress: Progress | None, start: float, end: float) -> Progress | None:
    """A callback that reports a step's own 0–1 share as ``start``–``end`` of the whole.

    Lets each stage of an import (read, convert, validate) report on one bar without
    knowing the others; ``None`` stays ``None`` so callers pay nothing without a bar.
    """
    if progress is None:
        return None
    span = end - start
    return lambda share: progress(start + span * min(max(share, 0.0), 1.0))


def source_name(source: Source, name: str | None = None) -> str:
    """The name used in messages: the explicit name, the path's name or the upload's name."""
    if name:
        return str(name)
    if isinstance(source, (str, Path)):
        return Path(source).name
    return str(getattr(source, "name", None) or "uploaded file")


def read_bytes(source: Source, name: str | None = None) -> bytes:
    """All bytes of a path, bytes object or binary file-like (Streamlit uploads included)."""
    label = source_name(source, name)
    with reading(label):
        return _read_bytes(source, label)


def _read_bytes(source: Source, label: str) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        return bytes(source)
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise LoadError(label, Sayable(N_("no such file: {path}"), path=str(path)))
        return path.read_bytes()
    if hasattr(source, "getvalue"):
        return bytes(source.getvalue())
    if hasattr(source, "read"):
        data = source.read()
        return data.encode("utf-8") if isinstance(data, str) else bytes(data)
    raise LoadError(label, Sayable(N_("cannot read a {kind}"), kind=type(source).__name__))


def max_unpacked_bytes() -> int:
    """The most bytes a .zip or .gz may unpack to: ``DASHBOARD_MAX_UNPACKED_MB`` (read at
    each call, so a launch option can set it) or 2048 MB."""
    setting = os.environ.get(MAX_UNPACKED_ENV, "").strip()
    if not setting:
        return DEFAULT_MAX_UNPACKED_MB * _MB
    try:
        megabytes = int(setting)
    except ValueError:
        megabytes = 0
    if megabytes <= 0:
        _log.warning("%s=%r is not a positive whole number of MB; using %d",
                     MAX_UNPACKED_ENV, setting, DEFAULT_MAX_UNPACKED_MB)
        return DEFAULT_MAX_UNPACKED_MB * _MB
    return megabytes * _MB


# What ``_too_big`` refuses: the file itself, a workbook or one member of a zip archive.
_UNPACKS_TOO_MUCH = {
    "file": N_("unpacks to more than {limit} MB, the most this server unpacks ({setting}); "
               "load a smaller extract"),
    "workbook": N_("a workbook that unpacks to more than {limit} MB, the most this server "
                   "unpacks ({setting}); load a smaller extract"),
    "member": N_("{member} unpacks to more than {limit} MB, the most this server unpacks "
                 "({setting}); load a smaller extract"),
}


def _too_big(label: str, limit: int, what: str = "file", member: str = "") -> LoadError:
    values: dict[str, object] = {"limit": limit // _MB, "setting": MAX_UNPACKED_ENV}
    if what == "member":
        values["member"] = member
    return LoadError(label, Sayable(_UNPACKS_TOO_MUCH[what], **values))


def unpacked(data: bytes, label: str) -> bytes:
    """The data file inside a zip archive or gzip file, else ``data`` as it is.

    UCDP publishes GED and GDELT its event files as zipped CSV, and exports are often
    gzipped. A zip must hold exactly one data file (documentation beside it is ignored);
    a workbook (.xlsx, .ods: zips themselves) is returned as it is. Members are unpacked
    in slices and refused as soon as they pass ``max_unpacked_bytes()``, so a small bomb
    never costs more memory than a file of the allowed size.
    """
    with reading(label):
        return _unpacked(data, label)


def _unpacked(data: bytes, label: str) -> bytes:
    limit = max_unpacked_bytes()
    if data[:2] == b"\x1f\x8b":
        return _gunzipped(data, label, limit)
    if data[:4] != b"PK\x03\x04":
        return data
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        if _workbook_kind(archive) is not None:
            # calamine unpacks the sheets itself: refuse by the sizes the archive declares
            if sum(info.file_size for info in archive.infolist()) > limit:
                raise _too_big(label, limit, "workbook")
            return data
        files = [info for info in archive.infolist() if _is_data_member(info.filename)]
        if len(files) > 1:  # a README.txt beside the data is documentation
            files = [info for info in files if not info.filename.lower().endswith(".txt")]
        if len(files) != 1:
            listed = ", ".join(info.filename for info in files[:5])
            raise LoadError(label, Sayable(
                N_("a zip archive needs exactly one data file to be read (found {count}: "
                   "{listed}); unpack it and load one file"),
                count=len(files), listed=listed or Sayable(N_("none"))))
        if files[0].file_size > limit:
            raise _too_big(label, limit, "member", files[0].filename)
        with archive.open(files[0]) as member:  # zipfile stops at the declared size
            return _capped_read(member, label, limit)
    # zipfile raises NotImplementedError for a compression method it lacks (Deflate64, AES)
    # and RuntimeError for an encrypted member: the user's answer is to unpack it themselves
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as err:
        raise LoadError(label, Sayable(N_("a zip archive that cannot be unpacked ({error})"),
                                       error=str(err))) from err


def _capped_read(stream: IO[bytes] | io.BufferedIOBase, label: str, limit: int) -> bytes:
    """All of ``stream`` in slices, refused before the buffer passes ``limit`` bytes
    (``BytesIO.getvalue`` hands over its buffer without a copy)."""
    out = io.BytesIO()
    while chunk := stream.read(_CHECK_BYTES):
        if out.tell() + len(chunk) > limit:
            raise _too_big(label, limit)
        out.write(chunk)
    return out.getvalue()


def _workbook_kind(archive: zipfile.ZipFile) -> str | None:
    """"xlsx" or "ods" when the archive is a workbook (both are zips), else None."""
    names = archive.namelist()
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "mimetype" in names:
        with archive.open("mimetype") as member:  # only its start: it may be a bomb too
            if member.read(len(_ODS_MIMETYPE)) == _ODS_MIMETYPE:
                return "ods"
    return None


def _is_data_member(name: str) -> bool:
    path = Path(name)
    hidden = any(part.startswith(".") or part == "__MACOSX" for part in path.parts)
    return not name.endswith("/") and not hidden and path.suffix.lower() in DATA_SUFFIXES


def _gunzipped(data: bytes, label: str, limit: int) -> bytes:
    import gzip
    import zlib

    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            return _capped_read(stream, label, limit)
    except (OSError, EOFError, zlib.error) as err:
        raise LoadError(label, Sayable(N_("a gzip file that cannot be unpacked ({error})"),
                                       error=str(err))) from err


def read_raw(
    source: Source,
    name: str | None = None,
    *,
    header: bool = True,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Read the main table of a file as strings (see ``read_tables``)."""
    return read_tables(source, name, header=header, progress=progress)["events"]


def read_tables(
    source: Source,
    name: str | None = None,
    *,
    header: bool = True,
    progress: Progress | None = None,
    typed: bool = False,
) -> dict[str, pd.DataFrame]:
    """Read a file into ``{"events": raw}`` plus ``"articles"`` when the file embeds them.

    JSON ``{"events": [...], "articles": [...]}``, GeoJSON with a top-level ``articles``
    member and workbooks with an ``articles`` sheet carry both tables. Warnings (such as
    the encoding chosen for a non-UTF-8 CSV) are in ``raw.attrs["warnings"]``. With
    ``header=False`` (headerless CSV/TSV such as GDELT) columns are named 0, 1, 2...
    With ``typed=True`` a Parquet file's whole-number and 64-bit float columns stay
    numbers (``is_typed``; ``textual`` gives the text the reader would have given).
    """
    label = source_name(source, name)
    data = unpacked(read_bytes(source, name), label)
    with reading(label):
        kind = sniff_kind(data, label)
        options = {"typed": True} if typed and kind == "parquet" else {}
        tables = _READERS[kind](data, label, header=header, progress=progress, **options)
    for frame in tables.values():
        frame.attrs.setdefault("warnings", [])
        frame.attrs["reader"] = kind
    if progress is not None:
        progress(1.0)
    return tables


def sniff_kind(data: bytes, label: str) -> str:
    """Decide how to read ``data``: csv, xlsx, xls, ods, json, parquet; refuse what we must not
    read."""
    suffix = Path(label).suffix.lower()
    if not data or data.isspace():  # no stripped copy of a big file
        raise LoadError(label, Sayable(N_("the file is empty")))
    if data[:1] == b"\x80" or suffix in CODE_EXTENSIONS:
        raise LoadError(
            label,
            Sayable(N_("pickle and other Python object files can run code when opened and "
                       "are never loaded; export the data as CSV, Excel, JSON, GeoJSON or "
                       "Parquet")),
        )
    if data[:4] == b"PAR1":
        return "parquet"
    if data[:4] == b"PK\x03\x04":
        try:
            kind = _workbook_kind(zipfile.ZipFile(io.BytesIO(data)))
        except zipfile.BadZipFile as err:
            raise LoadError(label, Sayable(N_("a damaged zip archive ({error})"),
                                           error=str(err))) from err
        if kind is not None:
            return kind
        raise LoadError(
            label, Sayable(N_("a zip archive that is not an Excel .xlsx or OpenDocument .ods "
                              "workbook; unpack it and load the file"))
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"  # the old Excel format's container
    head = data[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"{", b"["):
        return "json"
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "csv"  # UTF-16 text with a byte-order mark (Excel's "Unicode text")
    if looks_binary(data):
        raise LoadError(
            label,
            Sayable(N_("binary data that is not a supported format (CSV, Excel .xlsx/.xls, "
                       "OpenDocument .ods, JSON, GeoJSON, Parquet)")),
        )
    return "csv"


def looks_binary(data: bytes) -> bool:
    """Whether ``data`` (not a format known by its first bytes) is binary, not text.

    Judged on the first 256 KB: more than 1% NULs (binary records are full of them; a stray
    NUL in a cell only rejects its row, see ``_cell_problems``), or more control characters
    other than tab, line ends, form feed and ESC than text holds: 5% when the sample is not
    valid UTF-8 (compressed or random bytes hold 11%, text in a code page next to none),
    25% when it is. Binary data is hardly ever valid UTF-8, so valid UTF-8 with ANSI colour
    codes or other control characters in its cells (our own export of them too) is text.
    """
    sample = data[:_SNIFF_BYTES]
    floor = 4  # a few stray bytes do not make a short file binary
    if sample.count(b"\x00") > max(len(sample) // 100, floor):
        return True
    control = sum(sample.count(bytes([c])) for c in range(32) if c not in _TEXT_CONTROLS)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(data) <= len(sample))
    except UnicodeDecodeError:
        return control > max(len(sample) // 20, floor)
    return control > max(len(sample) // 4, floor)


_TEXT_CONTROLS = (9, 10, 12, 13, 27)  # tab, LF, form feed, CR, ESC


# -- text and CSV ---------------------------------------------------------------------------


def decode_text(data: bytes, label: str) -> tuple[str, str | None]:
    """Decode text as UTF-8 (with or without BOM) or the detected legacy encoding.

    Returns the text and a warning naming the encoding when it was not UTF-8.
    """
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16"), "read as UTF-16 text"
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    for encoding in legacy_encodings(data[:_SNIFF_BYTES]):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        return text, f"not UTF-8: decoded as {encoding}; check that the letters look right"
    return data.decode("latin-1"), "not UTF-8 and no single encoding fits: decoded as latin-1"


# Legacy encodings of this dashboard's sources, most likely first: Western and Central
# European, Cyrillic and Baltic Windows code pages, KOI8, ISO and DOS/Mac Cyrillic pages.
LEGACY_ENCODINGS = ("cp1252", "cp1250", "cp1251", "cp1257", "koi8_u", "koi8_r", "iso8859_2",
                    "iso8859_13", "iso8859_5", "cp866", "mac_cyrillic", "cp1253", "cp1254",
                    "cp1255", "cp1256", "cp1258")


def legacy_encodings(sample: bytes) -> list[str]:
    """Encodings to try on a file that is not UTF-8, best first.

    charset_normalizer ranks the candidates; among those it cannot tell apart (same chaos
    and coherence, or the same text) the more common page goes first. Left to itself it
    read French cp1252 as cp1250 ("Sèvres" as "Sčvres") and 20 lines of Lithuanian cp1257
    as Turkish cp1254.
    """
    from charset_normalizer import from_bytes

    ranked = list(from_bytes(sample, cp_isolation=list(LEGACY_ENCODINGS))) or \
        list(from_bytes(sample))
    if not ranked:
        return ["cp1252"]
    order = {name: rank for rank, name in enumerate(LEGACY_ENCODINGS)}
    best = (ranked[0].chaos, ranked[0].coherence)
    tied = {name for match in ranked if (match.chaos, match.coherence) == best
            for name in [match.encoding, *match.could_be_from_charset]}
    chosen = sorted(tied, key=lambda name: (order.get(name, len(order)), name))
    return chosen + [m.encoding for m in ranked if m.encoding not in tied] + ["cp1252"]


def is_utf8(data: bytes) -> bool:
    """True when ``data`` is valid UTF-8, checked in slices so no decoded copy is kept.

    A 1 GB export decoded in one go would hold up to 4 GB of ``str`` just to learn
    that Arrow can read the bytes as they are.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), _CHECK_BYTES):
            decoder.decode(view[start:start + _CHECK_BYTES])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(text: str, *, headerless: bool = False, newline: str = "\n") -> str:
    """The delimiter among ``, ; TAB |`` that splits the first lines most consistently.

    ``text`` holds whole lines (see ``_head``), however long. Up to about a megabyte of
    them go to the standard sniffer (it scans a sample once per character it knows);
    lines too long for that are judged by the delimiter every one of them holds as often
    (give or take one, as GDELT 1.0 mixes 57 and 58 fields). A single line gives nothing
    to compare, so its most frequent delimiter wins; read headerless, a tab wins when the
    line holds one, as GDELT (the headerless layout) is tab-separated and a long cell
    may hold many semicolons.
    """
    lines = [line for line in _split_lines(text, newline)[:50] if line.strip()]
    if not lines:
        return ","
    sample: list[str] = []
    for line in lines[:20]:
        if sample and sum(map(len, sample)) + len(line) > _SNIFFER_CHARS:
            break
        sample.append(line)
    if len(sample) > 1:
        try:
            return csv.Sniffer().sniff("\n".join(sample), delimiters=DELIMITERS).delimiter
        except csv.Error:
            pass
    elif len(lines) > 1:
        counts = {d: [line.count(d) for line in lines[:20]] for d in DELIMITERS}
        even = {d: min(c) for d, c in counts.items() if min(c) > 0 and max(c) - min(c) <= 1}
        if even:
            return max(even, key=lambda d: even[d])
    if headerless and "\t" in lines[0]:
        return "\t"
    counts_first = {d: lines[0].count(d) for d in DELIMITERS}
    return max(counts_first, key=lambda d: counts_first[d]) if max(counts_first.values()) \
        else ","


def _split_lines(text: str, newline: str) -> list[str]:
    """``text`` cut at its line ends (not at the form feeds and other separators
    ``str.splitlines`` also cuts at: a cell may hold them)."""
    lines = text.split(newline)
    return [line.removesuffix("\r") for line in lines] if newline == "\n" else lines


def _head(body: bytes, start: int, newline: str, label: str) -> str:
    """The whole lines the delimiter, header and headerless width are taken from: the
    first 2 MB, or more when they hold fewer than ``_SNIFF_LINES`` lines, up to
    ``_MAX_HEAD_BYTES``; a first line longer than that is one LoadError."""
    end = newline.encode()
    size = _HEAD_BYTES
    while True:
        chunk = body[start:start + size]
        finished = start + size >= len(body)
        if finished or chunk.count(end) >= _SNIFF_LINES or size >= _MAX_HEAD_BYTES:
            break
        size = min(size * 4, _MAX_HEAD_BYTES)
    if not finished:
        last = chunk.rfind(end)
        if last == -1:
            raise LoadError(label, Sayable(
                N_("the first line is longer than {limit} MB, more than a table's first line "
                   "is read to find its delimiter; check that the file is a table"),
                limit=_MAX_HEAD_BYTES // _MB), row=1)
        chunk = chunk[:last + 1]
    return chunk.decode("utf-8", errors="ignore")


def _lone_returns(body: bytes) -> tuple[bytes, str | None, str]:
    """``body`` with each lone CR that is cell content marked, the mark, and the line end.

    A file is CR-ended (classic Mac "CSV (Macintosh)") when its first line ends in a lone
    CR and lone CRs outnumber its LFs; in any other file a lone CR is part of a cell, but
    Arrow and the csv module would take it for a line end (splitting or refusing the row),
    so it becomes a Unicode noncharacter the file does not use, turned back after parsing.
    """
    returns = body.count(b"\r")
    if not returns:
        return body, None, "\n"
    pairs = body.count(b"\r\n")
    lone = returns - pairs
    if not lone:
        return body, None, "\n"
    first_cr, first_lf = body.find(b"\r"), body.find(b"\n")
    cr_first = first_lf == -1 or (first_cr < first_lf - 1)
    if not pairs and cr_first and lone > body.count(b"\n"):
        return body, None, "\r"
    mark = next((m for m in _RETURN_MARKS if m.encode() not in body), None)
    if mark is None:  # a file holding all 32 noncharacters: its CRs end lines
        return body, None, "\n"
    return re.sub(rb"\r(?!\n)", mark.encode(), body), mark, "\n"


def _head_records(head: str, delimiter: str, quoted: bool, label: str,
                  header: bool) -> list[list[str]]:
    """The records of the head: its first one when it is a header, else all of them."""
    rows = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter,
                      quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE)
    try:
        return [next(rows, [])] if header else list(rows)
    except csv.Error as err:
        if "field larger than field limit" not in str(err):
            raise LoadError(label, Sayable(N_("not readable as CSV ({error})"),
                                           error=str(err))) from err
        raise LoadError(label, _too_long("name" if header else "cell")) from err


# A cell past ``MAX_CELL_CHARS``: a name in the header, the header itself, or a cell.
_TOO_LONG = {
    "name": N_("the header has a name longer than {limit} characters, the most one CSV cell "
               "may hold"),
    "header": N_("the header has longer than {limit} characters, the most one CSV cell may "
                 "hold"),
    "cell": N_("a cell is longer than {limit} characters, the most one CSV cell may hold"),
}


def _too_long(where: str) -> Sayable:
    return Sayable(_TOO_LONG[where], limit=MAX_CELL_CHARS)


def _header_names(head: str, delimiter: str, label: str) -> list[str]:
    first = _head_records(head, delimiter, True, label, header=True)[0]
    names = [name.strip() or f"column_{number}" for number, name in enumerate(first, start=1)]
    return unique_names(names, label)


# A repeated name's positions listed in a message, at most (a header of 10,000 blank names
# would otherwise make a message of 10,000 numbers).
LISTED_POSITIONS = 5


def listed_positions(numbers: list[int]) -> Sayable:
    """``1, 3 and 7``; past ``LISTED_POSITIONS`` numbers (and one more: "and 1 more" says
    no less than the number), ``1, 3, 7, 9, 12 and 9,995 more``. ``Sayable``: a message
    quoting it says its "and" in the page's language."""
    if len(numbers) > LISTED_POSITIONS + 1:
        shown = ", ".join(str(n) for n in numbers[:LISTED_POSITIONS])
        return Sayable(N_("{numbers} and {more} more"), numbers=shown,
                       more=len(numbers) - LISTED_POSITIONS)
    return Sayable(N_("{numbers} and {last}"),
                   numbers=", ".join(str(n) for n in numbers[:-1]), last=numbers[-1])


# Where ``unique_names`` found a name twice: a CSV's header, a sheet's, a Parquet schema.
_REPEATED_IN = {
    "header": N_("the header names the column {name} {count} times (columns {columns}); "
                 "rename or remove all but one"),
    "sheet": N_("the header of sheet {sheet} names the column {name} {count} times (columns "
                "{columns}); rename or remove all but one"),
    "schema": N_("the schema names the column {name} {count} times (columns {columns}); "
                 "rename or remove all but one"),
}


def unique_names(names: list[str], label: str, where: str = "header",
                 sheet: str | None = None) -> list[str]:
    """``names`` when no name repeats, else a LoadError naming the first repeated one and
    its 1-based column numbers: a reader that renamed or dropped one of them would hand
    the importer whichever column happened to come first. ``where`` is a key of
    ``_REPEATED_IN`` ("sheet" names the ``sheet``)."""
    positions: dict[str, list[int]] = {}
    for number, name in enumerate(names, start=1):
        positions.setdefault(name, []).append(number)
    repeated = next((name for name, found in positions.items() if len(found) > 1), None)
    if repeated is None:
        return names
    numbers = positions[repeated]
    values: dict[str, object] = {"name": repr(repeated), "count": len(numbers),
                                 "columns": listed_positions(numbers)}
    if sheet is not None:
        values["sheet"] = repr(sheet)
    raise RepeatedNameError(label, Sayable(_REPEATED_IN[where], **values), column=repeated)


def _read_csv(
    data: bytes, label: str, *, header: bool, progress: Progress | None
) -> dict[str, pd.DataFrame]:
    """CSV and TSV text as strings. Read headerless, a tab-separated file is taken as GDELT
    writes it: without quoting, every line one row and a ``"`` just a character (with
    quoting, a cell starting with one swallowed the fields and lines up to the next)."""
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    body = data
    marker: int | None = None  # first code point of the marks of bytes that are not UTF-8
    warning = None
    if utf16 or not is_utf8(data):
        repaired = None if utf16 else utf8_repaired(data)
        if repaired is None:
            text, warning = decode_text(data, label)
            body = text.lstrip("\ufeff").encode("utf-8")
            del text
        else:
            body, marker = repaired
    body, carriage, newline = _lone_returns(body)
    start = 3 if body[:3] == b"\xef\xbb\xbf" else 0
    utf8 = pa.py_buffer(body)[start:]  # a view: no copy of a big file
    head = _head(body, start, newline, label)
    delimiter = sniff_delimiter(head, headerless=not header, newline=newline)
    quoted = header or delimiter != "\t"
    if header:
        names = _header_names(head, delimiter, label)
        if not names:
            raise LoadError(label, Sayable(N_("no header row")))
        _check_header(names, label, marker)
        if carriage is not None:
            names = [name.replace(carriage, "\r") for name in names]
    else:
        rows = _head_records(head, delimiter, quoted, label, header=False)
        names = [str(i) for i in range(max((len(r) for r in rows), default=1))]
    try:
        frame = _read_csv_arrow(utf8, names, delimiter, header, quoted, progress)
    except (pa.ArrowInvalid, pa.ArrowException):
        frame = _read_csv_python(body.decode("utf-8-sig"), label, names, delimiter, header,
                                 quoted)
    if carriage is not None:
        _restore(frame, carriage, "\r")
    if marker is not None or body.find(b"\x00") != -1:
        bad = _cell_problems(frame, marker)
        errors = frame.attrs.setdefault("row_errors", {})
        for position, problems in bad.items():
            errors.setdefault(position, []).extend(problems)
        not_utf8 = sum(any(reason.startswith("not valid UTF-8") for *_, reason in problems)
                       for problems in bad.values())
        if not_utf8:
            warning = (f"{not_utf8:,} row(s) hold bytes that are not UTF-8 and are rejected; "
                       "the rest is read as UTF-8")
    if not header:
        frame.columns = list(range(frame.shape[1]))
    frame = unneutralise(frame)
    if warning:
        frame.attrs["warnings"] = [f"{label}: {warning}"]
    return {"events": frame}


def _restore(frame: pd.DataFrame, mark: str, character: str) -> None:
    """Turn ``mark`` back into ``character`` in every cell of ``frame``."""
    for column in frame.columns:
        values = frame[column]
        if values.str.contains(mark, regex=False, na=False).any():
            frame[column] = values.str.replace(mark, character, regex=False)


_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
_SETTLED_LINES = 1_000  # lines not UTF-8 that settle it when nine in ten are
_PRIVATE_USE = range(0xE000, 0xF880, 128)  # blocks of 128 marks, one per byte 0x80-0xFF


def utf8_repaired(data: bytes) -> tuple[bytes, int] | None:
    """A mostly-UTF-8 file with each byte that is not UTF-8 marked, and the marks' first code
    point; None when the file is mostly not UTF-8 (a legacy code page).

    "Mostly" counts the lines that hold non-ASCII bytes: more of them valid UTF-8 than not.
    One pasted cp1251 row must not turn a UTF-8 file into cp1251 (every other row garbled);
    its row is rejected instead. A byte 0xXX becomes a private-use character of a block the
    file does not use, so the parser keeps rows and columns and the byte can be named.
    """
    valid, bad_lines = 0, []
    found = _HIGH_BYTE.search(data)
    while found is not None:
        start = data.rfind(b"\n", 0, found.start()) + 1
        end = data.find(b"\n", found.start())
        end = len(data) if end == -1 else end
        try:
            data[start:end].decode("utf-8")
            valid += 1
        except UnicodeDecodeError:
            bad_lines.append((start, end))
            if len(bad_lines) >= _SETTLED_LINES and len(bad_lines) > 9 * valid:
                return None  # a code page, plainly: the rest of a big file need not be seen
        found = _HIGH_BYTE.search(data, end)
    if len(bad_lines) > valid:
        return None
    base = next((b for b in _PRIVATE_USE if not _uses_block(data, b)), None)
    if base is None:
        return None
    handler = f"dashboard.readers.mark-{base:x}"

    def mark(err: UnicodeError) -> tuple[str, int]:
        assert isinstance(err, UnicodeDecodeError)
        return "".join(chr(base + byte - 0x80) for byte in err.object[err.start:err.end]), err.end

    codecs.register_error(handler, mark)
    pieces, done = [], 0
    for start, end in bad_lines:
        pieces += [data[done:start], data[start:end].decode("utf-8", handler).encode("utf-8")]
        done = end
    pieces.append(data[done:])
    return b"".join(pieces), base


def _uses_block(data: bytes, base: int) -> bool:
    """Whether ``data`` holds any of the 128 code points from ``base`` (two 64-point runs)."""
    return any(data.find(chr(point).encode("utf-8")[:2]) != -1 for point in (base, base + 64))


def _marks(base: int) -> str:
    return f"[{chr(base)}-{chr(base + 127)}]"


def _check_header(names: list[str], label: str, marker: int | None) -> None:
    for number, name in enumerate(names, start=1):
        if "\x00" in name:
            raise LoadError(label, Sayable(N_("the header holds a NUL byte (0x00) in column "
                                              "{number}"), number=number))
        if marker is not None and (found := re.search(_marks(marker), name)):
            byte = 0x80 + ord(found.group()) - marker
            raise LoadError(label, Sayable(N_("the header is not valid UTF-8 (byte {byte} in "
                                              "column {number})"),
                                           byte=f"0x{byte:02X}", number=number))


def _cell_problems(frame: pd.DataFrame, marker: int | None) -> dict[int, list[RowProblem]]:
    """Cells holding a NUL byte or a mark of a byte that is not UTF-8, by row position; the
    marks (and NULs) are replaced by U+FFFD in the frame so nothing downstream sees them."""
    patterns = ["\x00"] + ([_marks(marker)] if marker is not None else [])
    found: dict[int, list[RowProblem]] = {}
    for column in frame.columns:
        values = frame[column]
        pattern = "|".join(patterns)
        hits = values.str.contains(pattern, regex=True, na=False).to_numpy().nonzero()[0]
        if not len(hits):
            continue
        for position in hits:
            cell = str(values.iloc[position])
            mark = re.findall(pattern, cell)[0]
            if mark == "\x00":
                reason = f"a NUL byte (0x00) at column {column!r}"
            else:
                byte = 0x80 + ord(mark) - (marker or 0)
                reason = f"not valid UTF-8 (byte 0x{byte:02X} at column {column!r})"
            shown = re.sub(pattern, "\ufffd", cell)
            found.setdefault(int(position), []).append((str(column), shown, reason))
        frame[column] = values.str.replace(pattern, "\ufffd", regex=True)
    return found


def _read_csv_arrow(
    utf8: pa.Buffer, names: list[str], delimiter: str, header: bool, quoted: bool,
    progress: Progress | None,
) -> pd.DataFrame:
    buffer = pa.BufferReader(utf8)
    read_options = pacsv.ReadOptions(
        column_names=names, skip_rows=1 if header else 0, block_size=_BLOCK_SIZE
    )
    parse_options = pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=quoted, quote_char='"' if quoted else False,
        double_quote=quoted,
    )
    convert_options = pacsv.ConvertOptions(
        # large_string is what pandas' str dtype holds: no cast when converting
        column_types={n: pa.large_string() for n in names},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
    )
    if progress is None:
        table = pacsv.read_csv(buffer, read_options, parse_options, convert_options)
    else:
        reader = pacsv.open_csv(buffer, read_options, parse_options, convert_options)
        batches = []
        total = max(utf8.size, 1)
        for batch in reader:
            batches.append(batch)
            progress(min(buffer.tell() / total, 0.99))
        table = pa.Table.from_batches(batches, schema=reader.schema)
        del batches
    return table.to_pandas(self_destruct=True, split_blocks=True)


def _read_csv_python(
    text: str, label: str, names: list[str], delimiter: str, header: bool, quoted: bool
) -> pd.DataFrame:
    """Slow path for ragged rows and rows longer than Arrow's block: keep every row, note
    the ones whose field count is wrong."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter,
                      quoting=csv.QUOTE_MINIMAL if quoted else csv.QUOTE_NONE)
    width = len(names)
    cells: list[list[str | None]] = []
    errors: dict[int, list[RowProblem]] = {}
    in_header = header
    try:
        if header:
            next(rows, None)
            in_header = False
        for fields in rows:
            if not fields or all(not f.strip() for f in fields):
                continue
            if len(fields) > width and any(f.strip() for f in fields[width:]):
                errors[len(cells)] = [("", None, f"row has {len(fields)} fields but the "
                                                 f"header has {width}")]
            fields = (fields + [""] * width)[:width]
            cells.append([f if f != "" else None for f in fields])
    except csv.Error as err:
        row = None if in_header else len(cells) + 1
        if "field larger than field limit" in str(err):
            raise LoadError(label, _too_long("header" if row is None else "cell"),
                            row=row) from err
        raise LoadError(label, Sayable(N_("not readable as CSV ({error})"), error=str(err)),
                        row=row) from err
    frame = pd.DataFrame(cells, columns=names, dtype="str")
    if errors:
        frame.attrs["row_errors"] = errors
    return frame


# -- Excel -------------------------------------------------------------------------------------


def cell_text(value: object) -> str | None:
    """One cell as text: ISO dates, whole numbers without ``.0``, lists joined with ``; ``."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, np.integer)):
        return str(value)
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if np.isnan(number):
            return None
        return str(int(number)) if number.is_integer() and abs(number) <= 2**53 else repr(number)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        items = [cell_text(v) for v in value]
        return "; ".join(i for i in items if i) or None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _sheet_frame(sheet: Any, label: str, header: bool, errors: dict[int, dict[int, str]],
                 progress: Progress | None = None) -> pd.DataFrame:
    """A sheet's cells as text; blank rows are skipped but keep their data-row numbers.

    ``errors`` holds the text of error cells (``#DIV/0!``) by 0-based row, then column: the
    reader gives them as blank, and a blank must not hide a broken value from validation.
    """
    rows = iter(sheet.iter_rows())  # every row from the first; columns from the first used
    pad = [None] * (sheet.start[1] if sheet.start else 0)
    total = sheet.total_height if progress is not None else 0

    def cells_of(sheet_row: int, row: list[Any]) -> list[str | None]:
        cells = pad + [(v or None) if type(v) is str else cell_text(v) for v in row]
        for column, text in errors.get(sheet_row, {}).items():
            cells.extend([None] * (column + 1 - len(cells)))
            cells[column] = text
        return cells

    offset = 0  # sheet rows before the first data row
    names: list[str] = []
    if header:  # the first row that is not blank (a sheet may start lower down)
        for row in rows:
            offset += 1
            first = cells_of(offset - 1, row)
            if any(first):
                names = [name or f"column_{i + 1}" for i, name in enumerate(first)]
                break
    records: list[list[str | None]] = []
    source_rows: list[int] = []
    for number, row in enumerate(rows, start=1):
        if progress is not None and total and number % _SHEET_PROGRESS_ROWS == 0:
            progress(min(number / total, 0.99))
        cells = cells_of(number - 1 + offset, row)
        if not any(cells):
            continue
        records.append(cells)
        source_rows.append(number)
    width = max([len(names)] + [len(r) for r in records])
    names = names + [f"column_{i + 1}" for i in range(len(names), width)]
    if not header:
        names = [str(i) for i in range(width)]
    records = [(r + [None] * width)[:width] for r in records]
    names = unique_names(names, label, "sheet", sheet.name)
    frame = pd.DataFrame(records, columns=names, dtype="str")
    # Keep the sheet's own data-row numbers when blank rows were skipped.
    if source_rows != list(range(1, len(source_rows) + 1)):
        frame.attrs["source_rows"] = np.asarray(source_rows)
    if not header:
        frame.columns = list(range(width))
    return unneutralise(frame)


_CELL_TAG = re.compile(rb"<(?:\w+:)?c\s")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</")
_CELL_REFERENCE = re.compile(rb'\br=["\']([A-Z]{1,3})(\d+)["\']')


def _error_cells(data: bytes, sheet_names: list[str]) -> dict[str, dict[int, dict[int, str]]]:
    """Error cells (``#N/A``, ``#DIV/0!``) per sheet name, by 0-based row, then column.

    Read from the sheets' XML, only in workbooks that hold any: the fast reader gives
    them as blank cells.
    """
    archive = zipfile.ZipFile(io.BytesIO(data))
    parts = _sheet_parts(archive)
    found: dict[str, dict[int, dict[int, str]]] = {}
    for name in sheet_names:
        part = parts.get(name)
        if part is None or part not in archive.namelist():
            continue
        cells: dict[int, dict[int, str]] = {}
        for row, column, text in _sheet_error_cells(archive.read(part)):
            cells.setdefault(row, {})[column] = text
        found[name] = cells
    return found


def _sheet_error_cells(xml: bytes) -> Iterator[tuple[int, int, str]]:
    """(row, column, text) of each error cell in one sheet's XML, found by its ``t="e"``
    attribute (a scan of the whole sheet with a regular expression took a second per
    100k rows)."""
    for marker in (b't="e"', b"t='e'"):
        at = xml.find(marker)
        while at != -1:
            start, close = xml.rfind(b"<", 0, at), xml.find(b">", at)
            if close == -1:
                break
            tag = xml[start:close + 1]
            at = xml.find(marker, close)
            if not _CELL_TAG.match(tag) or b">" in tag[:-1] or tag.endswith(b"/>"):
                continue  # not a cell's own attribute, or a cell without a value
            end = _CELL_END.search(xml, close)
            value = _CELL_VALUE.search(xml, close, end.start()) if end else None
            reference = _CELL_REFERENCE.search(tag)
            if value is None or reference is None:
                continue
            column = 0
            for letter in reference.group(1):
                column = column * 26 + letter - 64
            yield (int(reference.group(2)) - 1, column - 1,
                   value.group(1).decode("utf-8", "replace"))


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the archive member holding its cells (from the workbook's relations)."""
    from xml.etree import ElementTree

    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in relations}
    parts: dict[str, str] = {}
    for element in book.iter():
        if not element.tag.endswith("}sheet"):
            continue
        relation = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
        target = targets.get(relation, "")
        if target:
            parts[element.get("name", "")] = target.lstrip("/") if target.startswith("/") \
                else f"xl/{target}"
    return parts


def _read_workbook(
    data: bytes, label: str, *, header: bool, progress: Progress | None
) -> dict[str, pd.DataFrame]:
    """Sheets ``events`` (else the first) and ``articles`` of an .xlsx, .xls or .ods workbook,
    through calamine, a compiled reader about ten times faster than openpyxl on 100k rows."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = {s.lower(): s for s in book.sheet_names}
        if not sheets:
            raise LoadError(label, Sayable(N_("a workbook with no sheets")))
        main = sheets.get("events", book.sheet_names[0])
        wanted = [main] + ([sheets["articles"]] if sheets.get("articles", main) != main else [])
        # only .xlsx keeps error cells where they can be read back (.xls and .ods: blank)
        errors = _error_cells(data, wanted) if data[:4] == b"PK\x03\x04" else {}
        tables = {"events": _sheet_frame(book.get_sheet_by_name(main), label, header,
                                         errors.get(main, {}), progress)}
        if len(wanted) > 1:
            tables["articles"] = _sheet_frame(book.get_sheet_by_name(wanted[1]), label,
                                              header, errors.get(wanted[1], {}))
    except (CalamineError, zipfile.BadZipFile, OSError) as err:
        message = (N_("not a readable workbook ({error})") if data[:4] == b"PK\x03\x04" else
                   N_("not a readable workbook ({error}); a password-protected workbook must "
                      "be saved without its password first"))
        raise LoadError(label, Sayable(message, error=str(err))) from err
    return tables


# -- JSON and GeoJSON --------------------------------------------------------------------------


# What ``records_frame`` reads: a document's records, or its events or articles member (a
# GeoJSON's features are made into records first).
_NOT_OBJECTS = {
    "records": N_("the records must be a list of objects (one per row)"),
    "events": N_("the events must be a list of objects (one per row)"),
    "articles": N_("the articles must be a list of objects (one per row)"),
}


def records_frame(records: list[Any], label: str, what: str = "records") -> pd.DataFrame:
    """A list of JSON objects as a string frame (lists joined ``A; B``, objects as JSON);
    ``what`` is a key of ``_NOT_OBJECTS``."""
    if not all(isinstance(r, dict) for r in records):
        raise LoadError(label, Sayable(_NOT_OBJECTS[what]))
    frame = pd.DataFrame.from_records(records)
    out = {}
    for number, column in enumerate(frame.columns, start=1):
        if "\x00" in str(column):
            raise LoadError(label, Sayable(N_("the key {key} (column {number}) holds a NUL "
                                              "byte (0x00)"),
                                           key=repr(str(column).replace(chr(0), "?")),
                                           number=number))
        values = frame[column]
        if values.dtype == object:
            out[str(column)] = pd.array([cell_text(v) for v in values], dtype="str")
        else:
            out[str(column)] = pd.array([cell_text(v) for v in values.tolist()], dtype="str")
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))


def _geojson_frame(collection: dict[str, Any], label: str) -> pd.DataFrame:
    import shapely.geometry

    features = collection.get("features")
    if not isinstance(features, list):
        raise LoadError(label, Sayable(N_("a GeoJSON FeatureCollection without a 'features' "
                                          "list")))
    records = []
    for feature in features:
        if not isinstance(feature, dict):
            records.append({"geometry_wkt": json.dumps(feature)})
            continue
        props = dict(feature.get("properties") or {})
        geometry = feature.get("geometry")
        if isinstance(geometry, dict) and geometry.get("type") == "Point":
            coords = geometry.get("coordinates") or []
            if len(coords) >= 2:
                props.setdefault("longitude", coords[0])
                props.setdefault("latitude", coords[1])
            else:
                props["geometry_wkt"] = json.dumps(geometry)
        elif geometry is not None:
            try:
                props.setdefault("geometry_wkt", shapely.geometry.shape(geometry).wkt)
            except Exception:  # shapely raises several types; validation rejects the text
                props["geometry_wkt"] = "GeoJSON " + json.dumps(geometry)[:200]
        records.append(props)
    return records_frame(records, label)


def _json_lines(text: str, label: str, warning: str | None) -> dict[str, pd.DataFrame]:
    """JSON Lines (one object per line, as many APIs and BigQuery export): rows keep their
    line numbers; a line that is not an object is one LoadError naming it."""
    records: list[Any] = []
    lines: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line, object_pairs_hook=_unique_keys)
        except _RepeatedKey as err:
            raise err.load_error(label, number) from err
        except json.JSONDecodeError as err:
            raise LoadError(label, Sayable(N_("not valid JSON Lines: {error}"), error=err.msg),
                            row=number) from err
        except RecursionError as err:
            raise _too_deep(label, number) from err
        if not isinstance(record, dict):
            raise LoadError(label, Sayable(N_("a JSON Lines file needs one object per line")),
                            row=number)
        records.append(record)
        lines.append(number)
    frame = nul_rows_rejected(records_frame(records, label))
    if lines != list(range(1, len(lines) + 1)):
        frame.attrs["source_rows"] = np.asarray(lines)
    if warning:
        frame.attrs["warnings"] = [f"{label}: {warning}"]
    return {"events": frame}


class _RepeatedKey(Exception):
    """A JSON object that names one key twice (``json`` keeps the last one silently)."""

    def __init__(self, key: str, positions: list[int]) -> None:
        super().__init__(key)
        self.key = key
        self.positions = positions

    def load_error(self, label: str, row: int | None) -> LoadError:
        return LoadError(label, Sayable(N_("an object names the key {key} {count} times (keys "
                                           "{keys}); rename or remove all but one"),
                                        key=repr(self.key), count=len(self.positions),
                                        keys=listed_positions(self.positions)),
                         row=row, column=self.key)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):
        keys = [key for key, _ in pairs]
        repeated = next(key for key in keys if keys.count(key) > 1)
        raise _RepeatedKey(repeated, [n for n, key in enumerate(keys, 1) if key == repeated])
    return document


def _records_member(document: dict[str, Any]) -> str | None:
    """The member of an API response that holds its records: ``data`` (ACLED's API),
    ``Result`` (UCDP's), or else the only member that is a non-empty list of objects (an
    empty ``messages: []`` beside it holds no records)."""
    lists = {key for key, value in document.items()
             if isinstance(value, list) and all(isinstance(v, dict) for v in value)}
    for key in ("data", "Result"):
        if key in lists:
            return key
    filled = [key for key in document if key in lists and document[key]]
    return filled[0] if len(filled) == 1 else None


def _read_json(
    data: bytes, label: str, *, header: bool, progress: Progress | None
) -> dict[str, pd.DataFrame]:
    """JSON documents, GeoJSON and JSON Lines; nesting deeper than Python's recursion limit
    (about a thousand levels: no export nests so) is one LoadError, not a RecursionError."""
    try:
        return _json_tables(data, label)
    except RecursionError as err:
        raise _too_deep(label, None) from err


def _too_deep(label: str, row: int | None) -> LoadError:
    return LoadError(label, Sayable(N_("JSON nested too deeply to read (more than about "
                                       "{limit} lists or objects inside each other)"),
                                    limit=sys.getrecursionlimit()), row=row)


def _json_tables(data: bytes, label: str) -> dict[str, pd.DataFrame]:
    text, warning = decode_text(data, label)
    try:
        document = json.loads(text, object_pairs_hook=_unique_keys)
    except _RepeatedKey as err:
        raise err.load_error(label, None) from err
    except json.JSONDecodeError as err:
        if err.msg != "Extra data":
            raise LoadError(label, Sayable(N_("not valid JSON: {error}"), error=err.msg),
                            row=err.lineno) from err
        return _json_lines(text, label, warning)
    tables: dict[str, pd.DataFrame]
    if isinstance(document, list):
        tables = {"events": records_frame(document, label)}
    elif isinstance(document, dict) and document.get("type") == "FeatureCollection":
        tables = {"events": _geojson_frame(document, label)}
        if isinstance(document.get("articles"), list):
            tables["articles"] = records_frame(document["articles"], label, "articles")
    elif isinstance(document, dict) and isinstance(
        document.get("events", document.get("articles")), list
    ):
        tables = {"events": records_frame(document.get("events", []), label, "events")}
        if isinstance(document.get("articles"), list):
            tables["articles"] = records_frame(document["articles"], label, "articles")
    elif isinstance(document, dict) and (member := _records_member(document)) is not None:
        tables = {"events": records_frame(document[member], label)}
    else:
        raise LoadError(
            label,
            Sayable(N_("JSON must be a list of records, an object with an 'events' list (or "
                       "one list of records, as ACLED's API puts under 'data' and UCDP's under "
                       "'Result'), or a GeoJSON FeatureCollection")),
        )
    for table in tables.values():
        nul_rows_rejected(table)
    if warning:
        tables["events"].attrs["warnings"] = [f"{label}: {warning}"]
    return tables


def _holds_nul(values: pd.Series) -> bool:
    """Whether any cell of a text column holds a NUL, from the bytes Arrow keeps the
    column's characters in (one scan of them per chunk: a substring search per cell took
    most of a second over the columns of a million rows)."""
    if values.dtype != "str":
        return bool(values.astype("str").str.contains("\x00", regex=False, na=False).any())
    text = arrow_text(values)
    for chunk in text.chunks if isinstance(text, pa.ChunkedArray) else [text]:
        data = chunk.buffers()[2]
        if data is None or len(chunk) == 0:
            continue
        width = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=width, count=chunk.offset
                                + len(chunk) + 1)
        start, end = int(offsets[chunk.offset]), int(offsets[-1])
        if end > start and not np.frombuffer(data, dtype=np.uint8, count=end - start,
                                             offset=start).all():
            return True
    return False


def nul_rows_rejected(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each row whose cells hold a NUL in ``attrs["row_errors"]`` (the NUL
    shown as U+FFFD), as CSV rows are: a NUL is no text, whatever format carried it."""
    if any(_holds_nul(frame[column]) for column in frame.columns):
        errors = frame.attrs.setdefault("row_errors", {})
        for position, problems in _cell_problems(frame, None).items():
            errors.setdefault(position, []).extend(problems)
    return frame


# -- Parquet -----------------------------------------------------------------------------------


def _arrow_text(array: pa.ChunkedArray) -> pa.ChunkedArray:
    """Any Arrow column as strings, vectorised: lists joined ``A; B``, dates as ISO.

    Large strings, because that is what pandas' ``str`` holds: no second copy on the way.
    """
    return _text_of(array).cast(pa.large_string())


def _text_of(array: pa.ChunkedArray) -> pa.ChunkedArray:
    kind = array.type
    if pa.types.is_dictionary(kind):
        return _text_of(array.cast(kind.value_type))
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return array
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        try:
            items = _without_null_items(array.cast(pa.list_(pa.string())))
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            items = pa.chunked_array(
                [pa.array([cell_text(v) for v in array.to_pylist()], pa.string())]
            )
            return items
        return pc.binary_join(items, "; ")
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            array = array.cast(pa.timestamp(kind.unit))
        as_date = array.cast(pa.date32())
        if pc.all(pc.equal(array, as_date.cast(array.type))).as_py() in (True, None):
            return as_date.cast(pa.string())
        return pc.strftime(array, format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_date(kind):
        return array.cast(pa.date32()).cast(pa.string())
    if pa.types.is_boolean(kind):
        return pc.if_else(array, "true", "false")
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return array.cast(pa.string())
    return pa.chunked_array([pa.array([cell_text(v) for v in array.to_pylist()], pa.string())])


def _without_null_items(lists: pa.ChunkedArray) -> pa.ChunkedArray:
    """Lists of text without their null items: joined with one, the whole cell would be
    null and its other items lost (the duckdb engine's ``array_to_string`` skips them)."""
    chunks = []
    for chunk in lists.chunks:
        items = chunk.flatten()
        if items.null_count == 0:
            chunks.append(chunk)
            continue
        kept = pc.is_valid(items)
        counts = np.bincount(pc.list_parent_indices(chunk).filter(kept).to_numpy(),
                             minlength=len(chunk))
        offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
        chunks.append(pa.ListArray.from_arrays(offsets, items.filter(kept),
                                               mask=chunk.is_null()))
    return pa.chunked_array(chunks, lists.type)


def is_typed(values: pd.Series) -> bool:
    """Whether a raw column is one of the numbers ``read_tables(typed=True)`` keeps (any
    other raw column is text)."""
    return isinstance(values.dtype, pd.ArrowDtype)


def typed_arrow(values: pd.Series) -> pa.ChunkedArray:
    """A typed raw column's Arrow numbers, as read (no copy)."""
    arrow: pa.ChunkedArray = values.array.__arrow_array__()
    return arrow


def _keeps_type(kind: pa.DataType) -> bool:
    """Whole numbers and 64-bit floats: their text reads back as the same float64. A
    float32's shortest text does not (0.1 is not the float32 nearest 0.1), and decimals,
    booleans, dates and lists have text of their own, so those are read as text."""
    return pa.types.is_integer(kind) or pa.types.is_float64(kind)


def column_text(values: pd.Series) -> pd.Series:
    """A typed raw column as the text the reader gives without ``typed`` (the same
    cells: ``_arrow_text``, empty as NA); a text column as it is."""
    if not is_typed(values):
        return values
    text = pd.Series(_arrow_text(typed_arrow(values)).to_pandas().array, index=values.index,
                     name=values.name)
    return text.where(text != "")


def textual(raw: pd.DataFrame) -> pd.DataFrame:
    """``raw`` with its typed columns as text (``column_text``): what an importer other
    than the canonical one is handed, as if the file had been read without ``typed``."""
    typed = [column for column in raw.columns if is_typed(raw[column])]
    if not typed:
        return raw
    attrs = raw.attrs
    raw = raw.copy(deep=False)
    for column in typed:
        raw[column] = column_text(raw[column])
    raw.attrs = attrs
    return raw


def _read_parquet(
    data: bytes, label: str, *, header: bool, progress: Progress | None, typed: bool = False
) -> dict[str, pd.DataFrame]:
    import pyarrow.parquet as pq

    try:
        # the schema first: the table reader's own message for a repeated name lists
        # Arrow's internal fields
        schema = pq.read_schema(pa.BufferReader(data))
        unique_names([str(name) for name in schema.names], label, "schema")
        # native reads, no Python file calls; a column per row group in one chunk (the
        # dataset reader of ``pq.read_table`` cut them into 128k-row chunks, which the
        # events frame then copied into one: 0.4 s at 1M)
        table = pq.ParquetFile(pa.BufferReader(data)).read()
    except (pa.ArrowException, OSError) as err:
        raise LoadError(label, Sayable(N_("not a readable Parquet file ({error})"),
                                       error=str(err))) from err
    kept = {name for name in table.column_names
            if typed and _keeps_type(table.column(name).type)}
    columns = {name: _arrow_text(table.column(name)) for name in table.column_names
               if name not in kept}
    frame = pa.table(columns).to_pandas() if columns else pd.DataFrame(
        index=pd.RangeIndex(table.num_rows if kept else 0))
    frame.columns = [str(c) for c in frame.columns]
    frame = nul_rows_rejected(blank_to_na(frame))  # numbers hold no NUL and are never blank
    if kept:
        attrs = frame.attrs
        frame = pd.DataFrame({
            name: pd.Series(pd.arrays.ArrowExtensionArray(table.column(name)),
                            index=frame.index) if name in kept else frame[name]
            for name in table.column_names})
        frame.attrs = attrs
    return {"events": frame}


def blank_to_na(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty strings become NA so that "missing" has one spelling."""
    for column in frame.columns:
        values = frame[column]
        if (values == "").any():
            frame[column] = values.where(values != "")
    return frame


def unneutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo export's formula neutralisation: drop the one quote added before a trigger."""
    for column in frame.columns:
        values = frame[column]
        starts = values.str.startswith("'")
        if starts.fillna(False).any():
            frame[column] = values.str.replace(_NEUTRALISED, "", regex=True)
    return frame


_READERS: dict[str, Callable[..., dict[str, pd.DataFrame]]] = {
    "csv": _read_csv,
    "xlsx": _read_workbook,
    "xls": _read_workbook,
    "ods": _read_workbook,
    "json": _read_json,
    "parquet": _read_parquet,
}
