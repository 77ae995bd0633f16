"""The topic taxonomy, read from ``data/topics.csv`` so users can edit it without code.

Adding a row to that file adds a topic: validation accepts its key and charts use its
label and colour. Labels and descriptions in the interface's other languages are the
columns ``label_<lang>`` and ``description_<lang>`` (``label_uk``, ``description_pl``…);
an empty or missing one falls back to the English ``label`` / ``description``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from dashboard.i18n import N_, Sayable
from dashboard.readers import LoadError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TOPICS_PATH = DATA_DIR / "topics.csv"
TOPIC_COLUMNS = ["key", "label", "colour", "description"]
FALLBACK_COLOUR = "#BBBBBB"


def load_topics(path: str | Path | None = None, lang: str = "en") -> pd.DataFrame:
    """The taxonomy as a frame with ``key, label, colour, description`` (one row per topic),
    labels and descriptions in ``lang`` where the file has them.

    Keys are stripped and lower-cased; a missing label becomes the key, a missing colour
    a neutral grey. Raises ``LoadError`` when the file is missing or has no ``key`` column.
    """
    target = Path(path) if path is not None else TOPICS_PATH
    if not target.is_file():
        raise LoadError(target.name, Sayable(N_("topic taxonomy not found at {path}"),
                                             path=str(target)))
    return _load_cached(str(target), target.stat().st_mtime_ns, lang).copy()


def _in_language(topics: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``label`` and ``description`` replaced by their ``_<lang>`` columns where filled."""
    for column in ("label", "description"):
        local = f"{column}_{lang}"
        if lang != "en" and local in topics.columns:
            text = topics[local].str.strip()
            topics[column] = text.where(text != "", topics[column])
    return topics


@lru_cache(maxsize=16)
def _load_cached(path: str, mtime_ns: int, lang: str) -> pd.DataFrame:
    topics = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    topics.columns = [str(c).strip().lower() for c in topics.columns]
    if "key" not in topics.columns:
        raise LoadError(Path(path).name, Sayable(N_("the topic taxonomy needs a 'key' "
                                                    "column")))
    for column in TOPIC_COLUMNS:
        if column not in topics.columns:
            topics[column] = ""
    topics = _in_language(topics, lang)[TOPIC_COLUMNS].copy()
    topics["key"] = topics["key"].str.strip().str.lower()
    topics = topics[topics["key"] != ""].drop_duplicates("key").reset_index(drop=True)
    topics["label"] = topics["label"].str.strip().where(topics["label"].str.strip() != "",
                                                        topics["key"])
    topics["colour"] = topics["colour"].str.strip().where(topics["colour"].str.strip() != "",
                                                          FALLBACK_COLOUR)
    return topics


def topic_keys(path: str | Path | None = None) -> list[str]:
    """The topic keys in file order."""
    return load_topics(path)["key"].tolist()


def topic_labels(path: str | Path | None = None, lang: str = "en") -> dict[str, str]:
    """Key → label, for legends and filter descriptions."""
    topics = load_topics(path, lang)
    return dict(zip(topics["key"], topics["label"], strict=True))

