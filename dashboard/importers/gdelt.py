"""GDELT 1.0 and 2.0 event files: tab-separated, no header row.

Follows the GDELT event codebooks. GDELT 1.0 back files have 57 fields, 1.0
daily files 58 (``SOURCEURL`` last); GDELT 2.0 has 61 (an ``ADM2Code`` in each of
the three geography blocks). Rows of 57 and 58 fields may share a file: shorter
rows simply have no URL. ``ActionGeo_Type`` 1 is a country, 2 a US state, 3 a US
city, 4 a world city, 5 a world state (ADM1); country codes are FIPS 10-4.
"""

from __future__ import annotations

import re

import pandas as pd

from dashboard import countries, readers
from dashboard.i18n import N_
from dashboard.importers import _convert as cv
from dashboard.importers.base import Imported

NAME = "gdelt"
LABEL = N_("GDELT event file (1.0 or 2.0)")  # translated where shown
_EVENT = [
    "GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate",
    *[f"Actor{n}{field}" for n in (1, 2) for field in (
        "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
        "Religion2Code", "Type1Code", "Type2Code", "Type3Code")],
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
]  # fmt: skip
_GEO_V1 = ["Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID"]
_GEO_V2 = ["Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID"]


def _layout(geo: list[str], tail: list[str]) -> list[str]:
    blocks = [f"{who}Geo_{field}" for who in ("Actor1", "Actor2", "Action") for field in geo]
    return _EVENT + blocks + tail


LAYOUTS: dict[int, list[str]] = {
    57: _layout(_GEO_V1, ["DATEADDED"]),
    58: _layout(_GEO_V1, ["DATEADDED", "SOURCEURL"]),
    61: _layout(_GEO_V2, ["DATEADDED", "SOURCEURL"]),
}
GEO_PRECISION = {"1": "country", "2": "admin", "3": "near", "4": "near", "5": "admin"}
QUAD_CLASSES = {
    "1": "verbal cooperation",
    "2": "material cooperation",
    "3": "verbal conflict",
    "4": "material conflict",
}
_ID = re.compile(r"^\d+$")
_SQLDATE = re.compile(r"^\d{8}$")


def _first_row(raw: pd.DataFrame) -> list[str]:
    """The first data row: header names when read with a header, else row 0."""
    if all(isinstance(name, int) for name in raw.columns):
        return [] if raw.empty else ["" if pd.isna(v) else str(v) for v in raw.iloc[0]]
    return [re.sub(r"\.\d+$", "", str(name)) for name in raw.columns]


def detect(raw: pd.DataFrame, name: str = "") -> bool:
    """57, 58 or 61 columns whose first row starts with an id, a YYYYMMDD date, YYYYMM, YYYY."""
    first = _first_row(raw)
    if len(first) not in LAYOUTS:
        return False
    return bool(
        _ID.match(first[0])
        and _SQLDATE.match(first[1])
        and re.match(r"^\d{6}$", first[2])
        and re.match(r"^\d{4}$", first[3])
    )


def read(source, name: str | None = None) -> pd.DataFrame:
    """GDELT files have no header row: read every line as data."""
    return readers.read_raw(source, name, header=False)


def _named(raw: pd.DataFrame) -> pd.DataFrame:
    """Name the positional columns by the widest layout that fits."""
    width = raw.shape[1]
    layout = LAYOUTS.get(width) or LAYOUTS[58 if width < 61 else 61]
    frame = raw.iloc[:, : len(layout)].copy()
    frame.columns = layout[: frame.shape[1]]
    return frame


def convert(raw: pd.DataFrame, file: str) -> Imported:
    """GDELT event rows → canonical raw events, one article per http(s) SOURCEURL."""
    rows = _named(raw)
    ids = cv.column(rows, "GLOBALEVENTID")
    event_id = "gdelt:" + ids
    root = cv.column(rows, "EventRootCode").str.zfill(2)
    topic, verification = cv.map_categories(NAME, root)
    code = cv.column(rows, "EventCode")
    quad = cv.column(rows, "QuadClass")
    goldstein = cv.column(rows, "GoldsteinScale")
    source_category = (
        "CAMEO " + code.fillna("?") + " (root " + root.fillna("?") + ")"
        + (" | QuadClass " + quad + " " + cv.lookup(quad, QUAD_CLASSES).fillna("")).fillna("")
        + (" | Goldstein " + goldstein).fillna("")
    )  # fmt: skip
    geo_type = cv.column(rows, "ActionGeo_Type")
    located = geo_type.isin(list(GEO_PRECISION))
    country = countries.iso3_from_fips(cv.column(rows, "ActionGeo_CountryCode"))
    actors = cv.join_parts([cv.column(rows, "Actor1Name"), cv.column(rows, "Actor2Name")])
    events = cv.events_frame(
        {
            "event_id": event_id,
            "event_date": cv.parse_dates(cv.column(rows, "SQLDATE"), ["%Y%m%d"]),
            "date_precision": pd.Series("day", index=rows.index, dtype="str"),
            "topic": topic,
            "sub_type": code,
            "country": country,
            "countries_involved": country,
            "location": cv.column(rows, "ActionGeo_FullName").where(located),
            "latitude": cv.column(rows, "ActionGeo_Lat").where(located),
            "longitude": cv.column(rows, "ActionGeo_Long").where(located),
            "geo_precision": cv.lookup(geo_type, GEO_PRECISION),
            "actors": actors,
            "verification": verification,
            "source_dataset": pd.Series(NAME, index=rows.index, dtype="str"),
            "source_category": source_category,
        },
        rows.index,
    )
    events["date_precision"] = events["date_precision"].where(events["event_date"].notna())
    missing = ids.isna().to_numpy(dtype=bool, copy=True)
    reason = "no GLOBALEVENTID"
    if raw.shape[1] not in LAYOUTS:  # another table read as GDELT (the user chose the format)
        missing[:] = True
        reason = (f"not a GDELT event row (fields: {raw.shape[1]}; GDELT 1.0 has 57 or 58, "
                  "GDELT 2.0 has 61)")
    rejected = cv.rejects(
        file, cv.source_rows(raw)[missing], "GLOBALEVENTID", ids[missing], reason
    )
    keep = ~missing
    source = cv.column(rows, "SOURCEURL")
    url = cv.http_urls(source)
    outlet = cv.url_domains(url).fillna(source.where(url.isna()))
    articles, article_ids = cv.explode_articles(
        event_id[keep], {"outlet": outlet[keep], "url": url[keep]}, sep="\x00"
    )
    events = cv.kept_events(events, keep, article_ids, raw)
    return Imported(
        format=NAME,
        events=events,
        articles=articles,
        rejected=rejected,
        rows_read=len(raw),
        warnings=[],
    )
