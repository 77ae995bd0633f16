"""Small events frames in the memory engine's convention, for the unit tests that build
their own rows: every canonical column present, text as ``str``, coordinates ``float64``,
fatalities ``Int64``, and the derived ``date_min``/``date_max`` the filters read."""

from __future__ import annotations

import pandas as pd

from dashboard import schema


def event_frame(rows: list[dict]) -> pd.DataFrame:
    """An events frame from a few rows. The derived dates come from the rows' own
    ``date_min``/``date_max`` when they give them, else from ``event_date`` (and
    ``end_date``, else the same day)."""
    frame = pd.DataFrame(rows)
    for column in schema.EVENT_COLUMNS:
        if column not in frame:
            frame[column] = pd.NA
        if column in ("latitude", "longitude"):
            frame[column] = pd.to_numeric(frame[column]).astype("float64")
        elif column == "fatalities":
            frame[column] = pd.to_numeric(frame[column]).astype("Int64")
        else:
            frame[column] = frame[column].astype("str")
    start = frame["date_min"] if "date_min" in frame else frame["event_date"].where(
        frame["event_date"] != "nan")
    frame["date_min"] = pd.to_datetime(start)
    if "date_max" in frame:
        frame["date_max"] = pd.to_datetime(frame["date_max"])
    else:
        end = frame["end_date"].where(frame["end_date"] != "nan")
        frame["date_max"] = pd.to_datetime(end).fillna(frame["date_min"])
    return frame[schema.EVENT_COLUMNS + schema.DERIVED_COLUMNS]
