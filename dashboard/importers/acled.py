"""ACLED exports (CSV or Excel, dyadic or monadic, 2019-era to current layouts).

Follows ACLED's codebook: ``time_precision`` 1/2/3 is the day / within a week /
only the month; ``geo_precision`` 1/2/3 is the place itself / a nearby or
part-of place / a larger region. ``source`` lists outlet names (never URLs), so
each becomes one article record with the outlet and no URL or title.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from dashboard import countries, schema
from dashboard.i18n import N_
from dashboard.importers import _convert as cv
from dashboard.importers.base import Imported, no_merged_rows

NAME = "acled"
LABEL = N_("ACLED export")  # translated where shown
DETECT_COLUMNS = ["event_id_cnty", "event_date", "event_type", "actor1"]
DATE_FORMATS = [
    "%Y-%m-%d",
    "%d %B %Y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
]
TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
GEO_PRECISION = {"1": "exact", "2": "near", "3": "admin"}


def detect(raw: pd.DataFrame, name: str = "") -> bool:
    """ACLED files always carry ``event_id_cnty`` with the event type and first actor."""
    return cv.has_columns(raw, DETECT_COLUMNS)


def _country(raw: pd.DataFrame) -> pd.Series:
    """ISO3 from numeric ``iso``, else a valid ``iso3`` code, else the ``country`` name.

    Numeric codes come first because the 2020 API's ``iso3`` column holds some
    non-ISO codes (e.g. "ROM" for Romania).
    """
    numeric = countries.iso3_from_numeric(cv.column(raw, "iso"))
    iso3 = countries.iso3_from_any(cv.column(raw, "iso3"))
    by_name = countries.iso3_from_any(cv.column(raw, "country"))
    return numeric.fillna(iso3).fillna(by_name).astype("str")


def _merge_monadic(
    raw: pd.DataFrame, ids: pd.Series, actors: pd.Series
) -> tuple[pd.Series, pd.DataFrame]:
    """Monadic exports repeat an event once per actor: keep the first row, pool the actors.

    ``actors`` is updated in place. Returns the mask of rows kept and the folded-in rows
    with the event each joined, so every row of the file is accounted for without being
    called rejected.
    """
    duplicate = ids.duplicated(keep="first") & ids.notna()
    if not duplicate.any():
        return ~duplicate, no_merged_rows()
    repeated = ids.isin(ids[duplicate])
    pooled = (
        actors[repeated]
        .fillna("")
        .groupby(ids[repeated], sort=False)
        .agg(";".join)
        .map(lambda value: schema.join_list(value) or None)
    )
    actors.loc[repeated] = ids[repeated].map(pooled).astype("str")
    merged = pd.DataFrame(
        {
            "row": np.asarray(cv.source_rows(raw)[duplicate.to_numpy()], dtype="int64"),
            "event_id": ("acled:" + ids[duplicate]).to_numpy(),
        }
    ).astype({"event_id": "str"})
    return ~duplicate, merged


def convert(
    raw: pd.DataFrame, file: str, *, progress: Callable[[float], None] | None = None
) -> Imported:
    """ACLED rows → canonical raw events and one article per cited source.

    ``progress`` (optional) hears the share done after each step, for a 2M-row export's bar.
    """
    step = progress or (lambda share: None)
    data_id = cv.column(raw, "data_id")
    ids = cv.column(raw, "event_id_cnty").fillna("data_id-" + data_id)
    event_id = "acled:" + ids
    event_type = cv.column(raw, "event_type")
    sub_event_type = cv.column(raw, "sub_event_type")
    topic, verification = cv.map_categories(NAME, event_type + "|" + sub_event_type.fillna(""))
    actors = cv.join_parts(
        [
            cv.column(raw, "actor1"),
            cv.column(raw, "assoc_actor_1"),
            cv.column(raw, "actor2"),
            cv.column(raw, "assoc_actor_2"),
        ]
    )
    step(0.25)
    rejected = cv.rejects(
        file,
        cv.source_rows(raw)[ids.isna().to_numpy()],
        "event_id_cnty",
        ids[ids.isna()],
        "no ACLED event id (event_id_cnty and data_id are empty)",
    )
    keep = ids.notna()
    merged = no_merged_rows()
    if not cv.has_columns(raw, ["actor2"]):
        kept, merged = _merge_monadic(raw, ids, actors)
        keep &= kept
    country = _country(raw)
    step(0.35)
    events = cv.events_frame(
        {
            "event_id": event_id,
            "event_date": cv.parse_dates(cv.column(raw, "event_date"), DATE_FORMATS),
            "date_precision": cv.lookup(
                cv.integer_text(cv.column(raw, "time_precision")), TIME_PRECISION
            ),
            "topic": topic,
            "sub_type": sub_event_type,
            "country": country,
            "countries_involved": country,
            "admin1": cv.column(raw, "admin1"),
            "location": cv.column(raw, "location"),
            "latitude": cv.column(raw, "latitude"),
            "longitude": cv.column(raw, "longitude"),
            "geo_precision": cv.lookup(
                cv.integer_text(cv.column(raw, "geo_precision")), GEO_PRECISION
            ),
            "actors": actors,
            "summary": cv.column(raw, "notes"),
            "fatalities": cv.integer_text(cv.column(raw, "fatalities")),
            "verification": verification,
            "source_dataset": pd.Series(NAME, index=raw.index, dtype="str"),
            "source_category": event_type.str.cat(
                sub_event_type, sep=" | ", na_rep=""
            ).str.removesuffix(" | "),
        },
        raw.index,
    )
    step(0.7)
    kept_ids = event_id[keep]
    outlets = cv.column(raw, "source")[keep]
    articles, article_ids = cv.explode_articles(kept_ids, {"outlet": outlets})
    events = cv.kept_events(events, keep, article_ids, raw)
    step(1.0)
    return Imported(
        format=NAME,
        events=events,
        articles=articles,
        rejected=rejected,
        rows_read=len(raw),
        merged=merged,
        merged_kind="actor",
    )
