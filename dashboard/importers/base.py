"""What every importer returns and the shape an importer has.

An importer is any object with ``name``, ``label``, ``detect(raw, name) -> bool`` and
``convert(raw, file) -> Imported``, and optionally ``read(source, name) -> raw`` for
files the generic reader cannot shape (GDELT's headerless TSV). A module that defines
``NAME``, ``LABEL``, ``detect``, ``convert`` (and ``read``) becomes one with
``Importer.from_module``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pandas as pd


def no_merged_rows() -> pd.DataFrame:
    """A merged-rows frame with no rows: ``row`` (the file's row number), ``event_id``."""
    return pd.DataFrame({"row": pd.Series(dtype="int64"), "event_id": pd.Series(dtype="str")})


@dataclass
class Imported:
    """One file converted to canonical *raw* tables (string cells), before validation.

    ``rejected`` holds rows the importer itself could not convert (same columns as the
    validator's rejects). ``merged`` holds rows folded into another row's event (an ACLED
    monadic export's second actor row), each with the ``event_id`` it joined, so a clean
    file is not reported as partly rejected; ``merged_kind`` names what such a row is
    ("actor") for the report's sentence. ``rows_read`` counts every data row of the file,
    so ``rows_read == len(events) + len(merged) + rejected rows`` before validation.
    ``articles_rejected`` holds the embedded articles' rows the reader could not read (a
    NUL, bad bytes), counted in the articles report like a separate articles file's.
    """

    format: str
    events: pd.DataFrame
    articles: pd.DataFrame
    rejected: pd.DataFrame
    rows_read: int
    warnings: list[str] = field(default_factory=list)
    merged: pd.DataFrame = field(default_factory=no_merged_rows)
    merged_kind: str = ""
    articles_rejected: pd.DataFrame | None = None


@dataclass(frozen=True)
class Importer:
    """A registered input format."""

    name: str
    label: str
    detect: Callable[[pd.DataFrame, str], bool]
    convert: Callable[..., Imported]
    read: Callable[[Any, str | None], pd.DataFrame] | None = None

    @classmethod
    def from_module(cls, module: ModuleType) -> Importer:
        """Wrap a module defining ``NAME``, ``LABEL``, ``detect``, ``convert`` (``read``)."""
        return cls(
            name=module.NAME,
            label=module.LABEL,
            detect=module.detect,
            convert=module.convert,
            read=getattr(module, "read", None),
        )
