"""Vectorised building blocks shared by the ACLED, UCDP, VIINA, GDELT and mapped importers.

Everything here works on whole columns (or on a column's distinct values), never
row by row, so that a 2M-row export converts in seconds and bounded memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard import schema

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
CATEGORY_MAPPING_PATH = DATA_DIR / "category_mapping.csv"
TOPICS_PATH = DATA_DIR / "topics.csv"
REJECT_COLUMNS = ["file", "table", "row", "column", "value", "reason"]
FALLBACK_TOPIC = "other"
# A date with a time of day and maybe a UTC offset; group 1 is the date.
ISO_TIMESTAMP = (r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
                 r"(?:Z|[+-]\d{2}(?::?\d{2})?)?$")


def text(values: pd.Series | None, index: pd.Index | None = None) -> pd.Series:
    """A column as stripped ``str`` with blanks as NA (a missing column gives all NA).

    The result has no ``attrs``: a reader's ``source_rows`` array copied onto every working
    column made ``pd.concat`` of them compare arrays (ValueError: truth value ambiguous)."""
    if values is None:
        return pd.Series(pd.NA, index=index, dtype="str")
    result = values.astype("str").str.strip()
    result = result.where(result != "")
    result.attrs = {}
    return result


def column(raw: pd.DataFrame, *names: str) -> pd.Series:
    """The first of ``names`` present in ``raw`` (case-insensitive) as text, else all NA."""
    lookup = {str(name).strip().lower(): name for name in raw.columns}
    for name in names:
        if name.lower() in lookup:
            return text(raw[lookup[name.lower()]])
    return text(None, raw.index)


def has_columns(raw: pd.DataFrame, required: Iterable[str]) -> bool:
    """True when every name in ``required`` is a column of ``raw`` (case-insensitive)."""
    present = {str(name).strip().lower() for name in raw.columns}
    return all(name.lower() in present for name in required)


def source_rows(raw: pd.DataFrame) -> np.ndarray:
    """The file's own row number for each position (1 = first data row)."""
    rows = raw.attrs.get("source_rows")
    if rows is not None and len(rows) == len(raw):
        return np.asarray(rows)
    return np.arange(1, len(raw) + 1)


def kept_events(events: pd.DataFrame, keep: np.ndarray | pd.Series, article_ids: pd.Series,
                raw: pd.DataFrame) -> pd.DataFrame:
    """The events an importer keeps (``keep``: a mask over the file's rows), each with its
    ``article_ids`` and, in ``attrs["source_rows"]``, its row in the file: the load report
    names rows by the file's numbers, not the kept frame's positions."""
    mask = np.asarray(keep, dtype=bool)
    events = events.assign(article_ids=article_ids.reindex(events.index).to_numpy())
    kept = events[mask].reset_index(drop=True)
    kept.attrs["source_rows"] = source_rows(raw)[mask]
    return kept


def empty_rejects() -> pd.DataFrame:
    """A rejected-rows frame with no rows (ARCHITECTURE.md layout)."""
    return pd.DataFrame({name: pd.Series(dtype="str") for name in REJECT_COLUMNS}).astype(
        {"row": "int64"}
    )


def rejects(file: str, rows: np.ndarray, column_name: str, values: pd.Series, reason: str):
    """One rejected line per row in ``rows`` with a shared reason."""
    if len(rows) == 0:
        return empty_rejects()
    return pd.DataFrame(
        {
            "file": file,
            "table": "events",
            "row": np.asarray(rows, dtype="int64"),
            "column": column_name,
            "value": np.asarray(values.astype("str").fillna(""), dtype=object),
            "reason": reason,
        }
    ).astype({"file": "str", "table": "str", "column": "str", "value": "str", "reason": "str"})


def events_frame(columns: dict[str, pd.Series], index: pd.Index) -> pd.DataFrame:
    """A canonical raw events frame: every ``schema.EVENT_COLUMNS`` column as ``str``."""
    data = {}
    for name in schema.EVENT_COLUMNS:
        values = columns.get(name)
        data[name] = text(values, index) if values is not None else text(None, index)
    return pd.DataFrame(data, index=index).reset_index(drop=True)


def articles_frame(columns: dict[str, pd.Series]) -> pd.DataFrame:
    """A canonical raw articles frame from whichever ``ARTICLE_COLUMNS`` are given."""
    index = next(iter(columns.values())).index
    data = {}
    for name in schema.ARTICLE_COLUMNS:
        values = columns.get(name)
        data[name] = text(values, index) if values is not None else text(None, index)
    return pd.DataFrame(data, index=index).reset_index(drop=True)


def per_unique(values: pd.Series, convert: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """Run a column-wise ``convert`` on the distinct values only and spread the results.

    Codes, precisions, counts and dates repeat heavily in big exports, so this turns
    2M conversions into a few hundred plus one ``take``. NA stays NA.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    converted = convert(pd.Series(uniques, dtype="str")).astype("str")
    taken = converted.take(np.where(codes < 0, 0, codes)) if len(converted) else \
        pd.Series(pd.NA, index=range(len(values)), dtype="str")
    result = pd.Series(taken.to_numpy(), index=values.index, dtype="str")
    return result.where(codes >= 0)


def map_unique(values: pd.Series, convert: Callable[[str], str | None]) -> pd.Series:
    """Apply ``convert`` once per distinct value and map the results back (NA stays NA)."""
    return per_unique(values, lambda uniques: uniques.map(convert))


def lookup(values: pd.Series, table: dict[str, str]) -> pd.Series:
    """Map codes through ``table`` (keys compared as stripped text); unknown → NA."""
    return per_unique(text(values), lambda uniques: uniques.map(table))


def integer_text(values: pd.Series) -> pd.Series:
    """Whole-number text ("3", "3.0") normalised to "3"; anything else kept as is."""
    return per_unique(values, _integer_text)


def _integer_text(values: pd.Series) -> pd.Series:
    """Only numbers a float holds exactly become integers: "1e309" (infinite) or 1e23 kept
    as written, so validation rejects them with the value the file holds."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    exact = numbers.abs() < 2**53
    whole = exact & (numbers == np.floor(numbers.where(exact, 0)))
    as_int = numbers.where(whole).astype("Int64").astype("str")
    return as_int.where(whole, values).astype("str")


def parse_dates(values: pd.Series, formats: Iterable[str]) -> pd.Series:
    """Dates in any of ``formats`` → ISO ``YYYY-MM-DD``; values no format reads are kept.

    Keeping an unreadable value (rather than NA) lets validation reject the row with
    the value the user wrote. Only distinct values are parsed.
    """
    cleaned = text(values)
    unread = pd.Series(cleaned.dropna().unique(), dtype="str")
    table = dict(zip(unread, unread, strict=True))
    # Each format's days are written out at once: a day outside pandas' nanosecond range
    # (1677-09-21) parses in microseconds, and a column of both units cannot be filled.
    for fmt in formats:
        if unread.empty:
            break
        attempt = pd.to_datetime(unread, format=fmt, errors="coerce")
        read = attempt.notna()
        table.update(zip(unread[read], attempt[read].dt.strftime("%Y-%m-%d"), strict=True))
        unread = unread[~read]
    if not unread.empty:
        # An ISO 8601 timestamp (OSINT exports write "2022-02-24T23:30:00+02:00" or "...Z")
        # is the day its writer saw: the date as written, never shifted to UTC.
        stamped = unread.str.extract(ISO_TIMESTAMP, expand=False)
        attempt = pd.to_datetime(stamped, format="%Y-%m-%d", errors="coerce")
        read = attempt.notna()
        table.update(zip(unread[read], attempt[read].dt.strftime("%Y-%m-%d"), strict=True))
    return per_unique(cleaned, lambda distinct: distinct.map(table))


def join_parts(parts: list[pd.Series]) -> pd.Series:
    """Join columns that each hold "A; B" lists into one deduplicated "A; B; C" list."""
    combined = parts[0].fillna("")
    for part in parts[1:]:
        combined = combined + ";" + part.fillna("")
    return map_unique(text(combined), lambda value: schema.join_list(value) or None)


def split_count(values: pd.Series, sep: str = ";") -> pd.Series:
    """Number of non-blank items in each ``sep``-separated cell (0 for NA)."""
    items = values.fillna("").str.split(sep)
    stripped = items.explode().str.strip()
    return (stripped != "").groupby(level=0).sum().reindex(values.index, fill_value=0)


@lru_cache(maxsize=4)
def _topic_keys(path: str) -> frozenset[str]:
    file = Path(path)
    if not file.exists():
        return frozenset()
    return frozenset(pd.read_csv(file, dtype=str, keep_default_na=False)["key"].str.strip())


@lru_cache(maxsize=4)
def _mapping(path: str, mtime: float) -> pd.DataFrame:
    mapping = pd.read_csv(path, dtype=str, keep_default_na=False)
    for name in ("dataset", "category", "topic", "verification"):
        mapping[name] = mapping[name].str.strip()
    known = _topic_keys(str(TOPICS_PATH))
    if known:
        mapping.loc[~mapping["topic"].isin(known), "topic"] = FALLBACK_TOPIC
    mapping.loc[~mapping["verification"].isin(schema.VERIFICATION_LEVELS), "verification"] = ""
    return mapping


def category_mapping(path: Path | None = None) -> pd.DataFrame:
    """The editable ``data/category_mapping.csv`` (re-read when the file changes).

    Topics not in ``data/topics.csv`` become ``other`` and unknown verification
    levels are ignored, so a typo in the file degrades to a visible default.
    """
    file = Path(path or CATEGORY_MAPPING_PATH)
    return _mapping(str(file), file.stat().st_mtime).copy()


def map_categories(
    dataset: str, categories: pd.Series, default_verification: str = "reported"
) -> tuple[pd.Series, pd.Series]:
    """(topic, verification) for each category of ``dataset``; unmapped → other/default."""
    mapping = category_mapping()
    rows = mapping[mapping["dataset"] == dataset]
    keys = rows["category"].str.lower()
    topics = dict(zip(keys, rows["topic"], strict=True))
    levels = dict(zip(keys, rows["verification"].replace("", default_verification), strict=True))
    lowered = text(categories).str.lower()
    topic = lowered.map(topics).fillna(FALLBACK_TOPIC).astype("str")
    verification = lowered.map(levels).fillna(default_verification).astype("str")
    return topic, verification


def category_order(dataset: str) -> list[str]:
    """The categories of ``dataset`` in file order (VIINA uses it as a priority order)."""
    mapping = category_mapping()
    return mapping.loc[mapping["dataset"] == dataset, "category"].tolist()


def explode_articles(
    event_ids: pd.Series, fields: dict[str, pd.Series], sep: str = ";"
) -> tuple[pd.DataFrame, pd.Series]:
    """One article per ``sep``-separated item, in lockstep across ``fields``.

    ``fields`` maps article columns to per-event cells whose items line up (item k
    of each column belongs to article k). Returns the articles frame (ids
    ``<event_id>#<k>``) and each event's ``article_ids`` list. Vectorised in Arrow:
    one split per column and list offsets, no per-event Python (2M ACLED rows: ~2 s).
    """
    names = list(fields)
    cells = _missing_as_blank_items({name: fields[name] for name in names}, sep)
    lists = [pc.split_pattern(pa.array(cells[name], type=pa.large_string()), sep)
             for name in names]
    lengths = [pc.list_value_length(items).to_numpy(zero_copy_only=False) for items in lists]
    if any(not np.array_equal(lengths[0], other) for other in lengths[1:]):
        raise ValueError("article fields must have matching item counts")
    parents = pc.list_parent_indices(lists[0]).to_numpy()
    items = {name: text(pd.Series(pc.list_flatten(values), dtype="str"))
             for name, values in zip(names, lists, strict=True)}
    keep = np.zeros(len(parents), dtype=bool)
    for values in items.values():
        keep |= values.notna().to_numpy()
    parents = parents[keep]
    # parents are sorted, so an item's number is its distance from its event's first item
    number = np.arange(len(parents)) - np.searchsorted(parents, parents, side="left") + 1
    ids = np.asarray(event_ids.astype("str"), dtype=object)
    article_id = pd.Series(ids[parents], dtype="str") + "#" + pd.Series(number, dtype="str")
    articles = articles_frame(
        {"article_id": article_id, **{n: items[n][keep].reset_index(drop=True) for n in names}}
    )
    counts = np.bincount(parents, minlength=len(event_ids))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype("int64")
    # No article at all (every cell blank, or no event) leaves a column of no chunks, which
    # is a ChunkedArray that the list constructor refuses: it needs one flat array.
    flat_ids = schema.arrow_text(article_id)
    if isinstance(flat_ids, pa.ChunkedArray):
        flat_ids = flat_ids.combine_chunks()
    joined = pc.binary_join(
        pa.LargeListArray.from_arrays(pa.array(offsets), flat_ids),
        pa.scalar(schema.LIST_SEPARATOR, pa.large_string()),
    )
    article_ids = pd.Series(joined, index=event_ids.index, dtype="str")
    return articles, article_ids.where(counts > 0)


def _missing_as_blank_items(fields: dict[str, pd.Series], sep: str) -> dict[str, pd.Series]:
    """Missing cells as as many blank items as the row's longest list, so a column that is
    empty for an event (a GED row with headlines and offices but no dates) lines up."""
    counts = pd.concat([values.str.count(re.escape(sep)) + 1 for values in fields.values()],
                       axis=1)
    longest = counts.max(axis=1).fillna(1).astype("int64")
    repeats = (longest - 1).tolist()
    filled = {}
    for name, values in fields.items():
        missing = values.isna()
        blanks = pd.Series(sep, index=values.index, dtype="str").str.repeat(repeats) \
            if missing.any() else values
        filled[name] = values.where(~missing, blanks).fillna("")
    return filled


_HTTP = re.compile(r"^https?://", re.IGNORECASE)


def http_urls(values: pd.Series) -> pd.Series:
    """Keep only http(s) URLs; anything else becomes NA."""
    cleaned = text(values)
    return cleaned.where(cleaned.str.match(_HTTP).fillna(False).astype(bool))


def url_domains(urls: pd.Series) -> pd.Series:
    """The host of each http(s) URL without a leading ``www.`` (deriving, not inventing)."""
    host = urls.str.extract(r"^[a-zA-Z]+://([^/?#:]+)", expand=False)
    return text(host.str.lower().str.removeprefix("www."))
