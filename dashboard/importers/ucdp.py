"""UCDP Georeferenced Event Dataset (GED) CSV files, from the download or the API.

Follows the UCDP GED codebook: ``date_prec`` 1 exact day, 2 two to six days,
3 a week, 4 a month, 5 a year; ``where_prec`` 1 exact place, 2 within ~25 km,
3 ADM2, 4 ADM1, 5 larger than ADM1, 6 country, 7 water or airspace;
``event_clarity`` 2 marks events whose details UCDP could not establish clearly;
``country_id`` is a Gleditsch–Ward number. Files that passed through Excel write
``date_start`` as ``1/22/2014 12:00:00 AM`` or ``05/02/2014 00:00`` (month first)
and ``source_date`` as ``22/01/2014`` (day first); both are read.
"""

from __future__ import annotations

import pandas as pd

from dashboard import countries
from dashboard.i18n import N_
from dashboard.importers import _convert as cv
from dashboard.importers.base import Imported

NAME = "ucdp"
LABEL = N_("UCDP GED")  # translated where shown
# GED is recognised from the few columns users keep when they trim an export: UCDP's
# violence type and best estimate, its sides (or the dyad) and a date. No other source
# has ``type_of_violence``, and UCDP's yearly datasets have no ``best`` or event dates.
KEY_COLUMNS = ["type_of_violence", "best"]
SIDE_COLUMNS = [["side_a", "side_b"], ["dyad_name"]]
DATE_COLUMNS = ["date_start", "date_end"]
EVENT_DATE_FORMATS = [
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y",
]
SOURCE_DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S"]
DATE_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
GEO_PRECISION = {
    "1": "exact",
    "2": "near",
    "3": "admin",
    "4": "admin",
    "5": "country",
    "6": "country",
    "7": "country",
}
VIOLENCE_TYPES = {"1": "state-based conflict", "2": "non-state conflict", "3": "one-sided violence"}
UNCLEAR = "2"
UNCLEAR_VERIFICATION = "disputed"


def detect(raw: pd.DataFrame, name: str = "") -> bool:
    """GED rows carry UCDP's violence type and best estimate, its sides and a date."""
    return (
        cv.has_columns(raw, KEY_COLUMNS)
        and any(cv.has_columns(raw, sides) for sides in SIDE_COLUMNS)
        and any(cv.has_columns(raw, [date]) for date in DATE_COLUMNS)
    )


_BLANK_ITEM = r"(?:^|;)\s*(?:;|$)"


def _without_blank_items(values: pd.Series) -> pd.Series:
    """``;``-lists without their blank items ("A;;B" → "A;B", ";" → NA): items are
    counted without blanks, and split in lockstep they must be the items counted."""
    blank = values.str.contains(_BLANK_ITEM, regex=True).fillna(False).astype(bool)
    if not blank.any():
        return values
    cleaned = cv.map_unique(
        values[blank], lambda value: ";".join(p for p in value.split(";") if p.strip()) or None
    )
    return values.mask(blank, cleaned)


def _articles(event_id: pd.Series, raw: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """One article per ``;``-separated headline/office/date when the counts agree.

    When they do not (a headline that itself holds ``;``), the event gets one
    combined article with the whole cells, so no source text is dropped.
    """
    headline, office, published = (
        _without_blank_items(cv.column(raw, name))
        for name in ("source_headline", "source_office", "source_date")
    )
    counts = [cv.split_count(values) for values in (headline, office, published)]
    present = [values.notna() for values in (headline, office, published)]
    n_items = pd.concat([c.where(p) for c, p in zip(counts, present, strict=True)], axis=1).max(
        axis=1
    )
    aligned = pd.Series(True, index=raw.index)
    for count, has in zip(counts, present, strict=True):
        aligned &= ~has | (count == n_items)
    split_articles, split_ids = cv.explode_articles(
        event_id[aligned],
        {"title": headline[aligned], "outlet": office[aligned], "published": published[aligned]},
    )
    combined = ~aligned
    one_date = published.where(~published.fillna("").str.contains(";"))
    whole_articles, whole_ids = cv.explode_articles(
        event_id[combined],
        {"title": headline[combined], "outlet": office[combined], "published": one_date[combined]},
        sep="\x00",
    )
    articles = pd.concat([split_articles, whole_articles], ignore_index=True)
    articles["published"] = cv.parse_dates(articles["published"], SOURCE_DATE_FORMATS)
    ids = pd.concat([split_ids, whole_ids]).reindex(raw.index)
    return articles, ids


def convert(raw: pd.DataFrame, file: str) -> Imported:
    """GED rows → canonical raw events with their source articles."""
    ids = cv.integer_text(cv.column(raw, "id"))
    event_id = "ucdp:" + ids
    violence = cv.integer_text(cv.column(raw, "type_of_violence"))
    topic, verification = cv.map_categories(NAME, violence)
    unclear = cv.integer_text(cv.column(raw, "event_clarity")) == UNCLEAR
    verification = verification.mask(unclear.fillna(False), UNCLEAR_VERIFICATION)
    # A trimmed export may keep only one of the two dates: the one kept dates the event.
    start = cv.parse_dates(cv.column(raw, *DATE_COLUMNS), EVENT_DATE_FORMATS)
    end = cv.parse_dates(cv.column(raw, "date_end"), EVENT_DATE_FORMATS)
    country = countries.iso3_from_gw(cv.column(raw, "country_id"))
    country = country.fillna(countries.iso3_from_any(cv.column(raw, "country"))).astype("str")
    geometry = cv.column(raw, "geom_wkt")
    violence_label = cv.lookup(violence, VIOLENCE_TYPES)
    conflict = cv.column(raw, "conflict_name")
    summary = cv.column(raw, "dyad_name").str.cat(
        cv.column(raw, "where_description"), sep=". ", na_rep=""
    )
    events = cv.events_frame(
        {
            "event_id": event_id,
            "event_date": start,
            "date_precision": cv.lookup(
                cv.integer_text(cv.column(raw, "date_prec")), DATE_PRECISION
            ),
            "end_date": end.where((end != start).fillna(True)),
            "topic": topic,
            "sub_type": violence_label,
            "country": country,
            "countries_involved": country,
            "admin1": cv.column(raw, "adm_1"),
            "location": cv.column(raw, "where_coordinates"),
            "latitude": cv.column(raw, "latitude"),
            "longitude": cv.column(raw, "longitude"),
            "geo_precision": cv.lookup(
                cv.integer_text(cv.column(raw, "where_prec")), GEO_PRECISION
            ),
            "geometry_wkt": geometry.where(~geometry.str.upper().str.startswith("POINT")),
            "actors": cv.join_parts([cv.column(raw, "side_a"), cv.column(raw, "side_b")]),
            "summary": summary.str.strip(". "),
            "fatalities": cv.integer_text(cv.column(raw, "best")),
            "verification": verification,
            "source_dataset": pd.Series(NAME, index=raw.index, dtype="str"),
            "source_category": (violence + " " + violence_label.fillna(""))
            .str.strip()
            .str.cat(conflict, sep=" | ", na_rep="")
            .str.removesuffix(" | "),
        },
        raw.index,
    )
    missing = ids.isna().to_numpy()
    why = "id is empty" if cv.has_columns(raw, ["id"]) else "the file has no id column"
    rejected = cv.rejects(
        file, cv.source_rows(raw)[missing], "id", ids[missing], f"no UCDP event id ({why})"
    )
    keep = ~missing
    articles, article_ids = _articles(event_id[keep], raw[keep])
    events = cv.kept_events(events, keep, article_ids, raw)
    return Imported(
        format=NAME,
        events=events,
        articles=articles,
        rejected=rejected,
        rows_read=len(raw),
        warnings=[],
    )
