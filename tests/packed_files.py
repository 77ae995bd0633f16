"""Small files in packed formats (zip, gzip, an Excel workbook, Parquet) built in memory, for
the reader tests and the pages' tests of what a bad upload says."""

from __future__ import annotations

import gzip
import io
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq


def zipped(members: dict[str, bytes]) -> bytes:
    """A zip archive of ``members`` (name → bytes), deflated."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def gzipped(content: bytes) -> bytes:
    return gzip.compress(content)


def workbook(rows: list[list[object]]) -> bytes:
    """An .xlsx of one sheet, ``events``, holding ``rows`` (the first is the header)."""
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "events"
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parquet_with_names(names: list[str]) -> bytes:
    """A one-row Parquet file whose columns are ``names`` (repeats allowed), each "x"."""
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_arrays([pa.array(["x"]) for _ in names], names=names), sink)
    return sink.getvalue().to_pybytes()
