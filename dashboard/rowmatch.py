"""Row tests on text and ``"A; B"`` list columns, done on each column's distinct values.

List fields (``countries_involved``, ``actors``, ``article_ids``) and text columns are
matched on their distinct values first and mapped back to rows, so a million events with
a few thousand distinct lists costs one hashing pass, not a million splits. The filter's
fields (``filterfields.py``) and the aggregates use them.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import schema


def distinct(values: pd.Series) -> tuple[pa.Array, np.ndarray]:
    """Distinct strings of a column and, per row, the index of its value (-1 for missing)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        uniques = pa.array(values.cat.categories.astype(str), type=pa.large_string())
        return uniques, values.cat.codes.to_numpy()
    encoded = pc.dictionary_encode(schema.arrow_text(values))
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks() if encoded.num_chunks != 1 else encoded.chunk(0)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    return encoded.dictionary, codes


def list_contains_any(values: pd.Series, wanted: Iterable[str]) -> np.ndarray:
    """Rows whose ``"A; B"`` list holds any wanted item exactly (after trimming)."""
    wanted_set = pa.array(list(wanted), type=pa.large_string())
    if len(values) == 0 or len(wanted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    uniques, codes = distinct(values)
    lists = pc.split_pattern(uniques, ";")
    items = pc.utf8_trim_whitespace(pc.list_flatten(lists))
    parents = pc.list_parent_indices(lists).to_numpy()
    hit = pc.is_in(items, value_set=wanted_set).to_numpy(zero_copy_only=False)
    unique_hit = np.zeros(len(uniques) + 1, dtype=bool)  # last slot: missing (-1)
    unique_hit[parents[hit]] = True
    return unique_hit[codes]


def text_contains(values: pd.Series, needle: str) -> np.ndarray:
    """Case-insensitive substring match; missing text never matches."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        uniques, codes = distinct(values)
        unique_hit = np.append(text_contains(pd.Series(uniques.to_pandas(), dtype="str"), needle),
                               False)
        return unique_hit[codes]
    found = pc.match_substring(schema.arrow_text(values), needle, ignore_case=True)
    return found.fill_null(False).to_numpy(zero_copy_only=False)
