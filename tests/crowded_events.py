"""Canonical events of three datasets crowded into a few km and three weeks, for the tests
holding an engine's links across datasets to the memory engine's: every date precision,
place precision and kind mixed, so links of every sort form, chains among them, beside
events that link to nothing (made-up ids and reports; written by ``crowded``)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from dashboard import schema

LAT, LON = 48.0, 37.8  # near Donetsk


def crowded(n: int, seed: int) -> pa.Table:
    """``n`` events of ``ucdp``, ``acled`` and ``viina`` (the first row ``viina``'s, so
    the datasets' load order is not alphabetical) over 21 days of April 2018 and about
    20 km, a few undated, known to the year, placed at the country or in Russia."""
    rng = np.random.default_rng(seed)
    datasets = rng.choice(["ucdp", "acled", "viina"], n, p=[0.45, 0.4, 0.15])
    datasets[0] = "viina"
    days = rng.integers(1, 22, n)
    kind = rng.choice(["day", "week", "month", "year", "undated"], n,
                      p=[0.7, 0.14, 0.1, 0.03, 0.03])
    dates = [None if k == "undated" else "2018" if k == "year" else
             "2018-04" if k == "month" else f"2018-04-{d:02d}" for k, d in zip(kind, days,
                                                                            strict=True)]
    precision = [k if k in ("day", "week") else None for k in kind]
    columns: dict[str, pa.Array] = {name: pa.nulls(n, pa.string())
                                    for name in schema.EVENT_COLUMNS}
    columns.update(
        event_id=pa.array([f"{d}:{i}" for i, d in enumerate(datasets)]),
        source_dataset=pa.array(datasets),
        event_date=pa.array(dates, pa.string()), date_precision=pa.array(precision, pa.string()),
        topic=pa.array(rng.choice(["armed_clash", "strike", "protest", "riot",
                                   "violence_against_civilians", "other"], n)),
        verification=pa.array(rng.choice(["reported", "confirmed"], n)),
        geo_precision=pa.array(rng.choice(["exact", "near", "admin", "country"], n,
                                          p=[0.45, 0.3, 0.15, 0.1])),
        country=pa.array(rng.choice(["UKR", "RUS"], n, p=[0.85, 0.15])),
        admin1=pa.array(rng.choice(["Donetsk", "Donetsk oblast", "Luhansk"], n)),
        location=pa.array(rng.choice(["Horlivka", "Avdiivka", "Marinka"], n)),
        summary=pa.array([f"crowded report {i}" for i in range(n)]),
        latitude=pa.array(LAT + rng.normal(0, 0.08, n)),
        longitude=pa.array(LON + rng.normal(0, 0.1, n)),
    )
    return pa.table({name: columns[name] for name in schema.EVENT_COLUMNS})
