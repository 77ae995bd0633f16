"""What the data offers to filter by: the choices of the sidebar's widgets, and the values
a link or ``export --query`` may name.

Built once per dataset (and kept beside a stored one); ``filters.resolve_query`` holds a
URL query to them, so the app and the command line keep and drop the same values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields
from typing import Any

import pandas as pd

from dashboard import aggregate, schema

ACTOR_CHOICES = 5000  # most frequent actors offered; a URL may still name any other


@dataclass(frozen=True)
class Options:
    """Choices for the filter widgets, from the data."""

    countries: list[str]
    topics: list[str]
    actors: list[str]
    verifications: list[str]
    outlets: list[str]
    datasets: list[str]
    first: dt.date | None
    last: dt.date | None

    def to_json(self) -> dict[str, object]:
        """The choices as JSON values (dates in ISO form), to keep beside a stored dataset."""
        values = asdict(self)
        for name in ("first", "last"):
            values[name] = None if values[name] is None else values[name].isoformat()
        return values

    @classmethod
    def from_json(cls, values: dict[str, object]) -> Options:
        """The inverse of ``to_json``."""
        given: dict[str, Any] = {f.name: values[f.name] for f in fields(cls)}  # JSON values
        for name in ("first", "last"):
            given[name] = None if given[name] is None else dt.date.fromisoformat(str(given[name]))
        return cls(**given)


def build_options(events: pd.DataFrame, articles: pd.DataFrame,
                  taxonomy: list[str]) -> Options:
    """The choices of ``events`` and ``articles``: topics in the taxonomy's order (keys it
    does not know after them), verification levels strongest first, the most frequent
    actors, every outlet, and the first and last day."""
    present = set(events["topic"].dropna().astype(str).unique())
    topic_keys = [t for t in taxonomy if t in present] + sorted(present - set(taxonomy))
    levels = set(events["verification"].dropna().astype(str).unique())
    first, last = events["date_min"].min(), events["date_max"].max()
    return Options(
        countries=aggregate.country_options(events),
        topics=topic_keys,
        actors=aggregate.list_options(events["actors"], ACTOR_CHOICES),
        verifications=[v for v in schema.VERIFICATION_LEVELS if v in levels],
        outlets=sorted(articles["outlet"].dropna().astype(str).unique()),
        datasets=sorted(events["source_dataset"].dropna().astype(str).unique()),
        first=None if pd.isna(first) else first.date(),
        last=None if pd.isna(last) else last.date(),
    )
