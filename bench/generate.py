"""Generate SYNTHETIC event and article files in the canonical schema, at any row count.

The files exist only to measure the dashboard at scale. Every row says so: ``source_dataset`` is
``synthetic``, summaries start with "Synthetic event", article titles with "Synthetic report",
outlets are "Synthetic Wire N" and URLs live under ``https://example.invalid/``. The places are
real city centres (so maps look like maps), the events are not.

Everything is built column-wise with numpy and pyarrow, so two million rows take seconds::

    python bench/generate.py --rows 1000000 --formats csv,parquet --out bench/out/
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.schema import (  # noqa: E402  (the path above makes the package importable)
    ARTICLE_COLUMNS,
    DATE_PRECISIONS,
    EVENT_COLUMNS,
    GEO_PRECISIONS,
    LIST_COLUMNS,
    LIST_SEPARATOR,
    VERIFICATION_LEVELS,
)

SOURCE_DATASET = "synthetic"
DEFAULT_TOPICS = [
    "border_zone",
    "troop_movement",
    "camp",
    "strike",
    "legal",
    "statement",
    "armed_clash",
    "protest",
    "other",
]
FORMATS = ["csv", "parquet", "xlsx", "json", "geojson"]
XLSX_MAX_ROWS = 100_000
FIRST_DAY = np.datetime64("2021-01-01")
DAYS = 5 * 365 + 1  # 2021-01-01 .. 2025-12-31
README_TEXT = (
    "# Synthetic benchmark files\n\n"
    "Every file in this folder is SYNTHETIC, written by `bench/generate.py` to measure the "
    "dashboard's speed. None of it is reporting: the events, actors, articles, outlets and "
    "links are made up (links point to the reserved domain example.invalid).\n"
)

# ISO3 -> (relative weight, [(city, latitude, longitude), ...]); real city centres so the
# synthetic points cluster where a map reader expects them.
COUNTRIES: dict[str, tuple[float, list[tuple[str, float, float]]]] = {
    "UKR": (30, [("Kyiv", 50.45, 30.52), ("Kharkiv", 49.99, 36.23), ("Odesa", 46.48, 30.72),
                 ("Lviv", 49.84, 24.03), ("Dnipro", 48.46, 35.05)]),
    "RUS": (12, [("Belgorod", 50.60, 36.59), ("Kursk", 51.73, 36.19), ("Bryansk", 53.24, 34.36),
                 ("Kaliningrad", 54.71, 20.51), ("Moscow", 55.76, 37.62)]),
    "POL": (8, [("Warsaw", 52.23, 21.01), ("Bialystok", 53.13, 23.16), ("Rzeszow", 50.04, 22.00),
                ("Lublin", 51.25, 22.57)]),
    "BLR": (8, [("Minsk", 53.90, 27.56), ("Brest", 52.10, 23.69), ("Grodno", 53.68, 23.83),
                ("Gomel", 52.44, 30.98)]),
    "LTU": (5, [("Vilnius", 54.69, 25.28), ("Kaunas", 54.90, 23.90), ("Klaipeda", 55.70, 21.14)]),
    "LVA": (3, [("Riga", 56.95, 24.11), ("Daugavpils", 55.87, 26.54)]),
    "EST": (2, [("Tallinn", 59.44, 24.75), ("Narva", 59.38, 28.19)]),
    "MDA": (2, [("Chisinau", 47.01, 28.86), ("Balti", 47.76, 27.93)]),
    "ROU": (2, [("Bucharest", 44.43, 26.10), ("Iasi", 47.16, 27.59)]),
    "HUN": (1, [("Budapest", 47.50, 19.04)]),
    "SVK": (1, [("Bratislava", 48.15, 17.11), ("Kosice", 48.72, 21.26)]),
    "CZE": (1, [("Prague", 50.08, 14.44)]),
    "DEU": (2, [("Berlin", 52.52, 13.40), ("Munich", 48.14, 11.58)]),
    "FIN": (2, [("Helsinki", 60.17, 24.94), ("Lappeenranta", 61.06, 28.19)]),
    "SWE": (1, [("Stockholm", 59.33, 18.07)]),
    "NOR": (1, [("Oslo", 59.91, 10.75), ("Kirkenes", 69.73, 30.05)]),
    "DNK": (1, [("Copenhagen", 55.68, 12.57)]),
    "GEO": (2, [("Tbilisi", 41.72, 44.79)]),
    "ARM": (1, [("Yerevan", 40.18, 44.51)]),
    "AZE": (1, [("Baku", 40.41, 49.87)]),
    "TUR": (2, [("Ankara", 39.93, 32.86), ("Istanbul", 41.01, 28.98)]),
    "BGR": (1, [("Sofia", 42.70, 23.32), ("Varna", 43.21, 27.91)]),
    "SRB": (1, [("Belgrade", 44.79, 20.45)]),
    "AUT": (1, [("Vienna", 48.21, 16.37)]),
    "FRA": (1, [("Paris", 48.86, 2.35)]),
    "GBR": (1, [("London", 51.51, -0.13)]),
    "KAZ": (1, [("Astana", 51.17, 71.45), ("Almaty", 43.24, 76.89)]),
    "SYR": (2, [("Damascus", 33.51, 36.29), ("Aleppo", 36.20, 37.13)]),
    "ISR": (1, [("Jerusalem", 31.77, 35.21)]),
    "GRC": (1, [("Athens", 37.98, 23.73)]),
}

# Shares in schema order, then "" (undated / unlocated).
DATE_PRECISION_SHARES = dict(zip([*DATE_PRECISIONS, ""], [0.72, 0.10, 0.09, 0.04, 0.05],
                                 strict=True))
GEO_PRECISION_SHARES = dict(zip([*GEO_PRECISIONS, ""], [0.45, 0.30, 0.15, 0.06, 0.04],
                                strict=True))
GEO_SPREAD = {"exact": 0.04, "near": 0.12, "admin": 0.35, "country": 0.9}
VERIFICATION_SHARES = [0.25, 0.35, 0.15, 0.15, 0.10]
LANGUAGES = ["en", "uk", "pl", "lt", "ru", "be", "de"]
N_ACTORS = 400
N_OUTLETS = 40
SUB_TYPES = 6  # synthetic sub-types per topic


@dataclass(frozen=True)
class Generated:
    """One synthetic dataset as Arrow tables; list columns are Arrow lists of strings."""

    events: pa.Table
    articles: pa.Table


def topic_keys(root: Path = ROOT) -> list[str]:
    """Topic keys from ``data/topics.csv`` when the taxonomy exists, else the issue's defaults."""
    path = root / "data" / "topics.csv"
    if path.exists():
        with path.open(encoding="utf-8-sig", newline="") as handle:
            keys = [row["key"].strip() for row in csv.DictReader(handle) if row.get("key")]
        if keys:
            return keys
    return list(DEFAULT_TOPICS)


def _choice(rng: np.random.Generator, labels: list[str], shares: list[float], n: int) -> np.ndarray:
    """Draw ``n`` labels with the given relative shares, as an object-free index array."""
    p = np.asarray(shares, dtype=float)
    return rng.choice(len(labels), size=n, p=p / p.sum())


def _take(labels: list[str], index: np.ndarray) -> pa.Array:
    """Labels by index as an Arrow string array; empty labels become nulls (missing text)."""
    dictionary = pa.array([label if label else None for label in labels], pa.string())
    return dictionary.take(pa.array(index))


def _numbered(prefix: str, numbers: np.ndarray, width: int = 0) -> pa.Array:
    """``prefix + number`` strings, zero-padded to ``width``, built without a Python loop."""
    text = pc.cast(pa.array(numbers), pa.string())
    if width:
        text = pc.utf8_lpad(text, width=width, padding="0")
    return pc.binary_join_element_wise(prefix, text, "")


def _lists(rng: np.random.Generator, n: int, low: int, high: int, pool: np.ndarray,
           prefix: str, width: int) -> pa.ListArray:
    """A list column with ``low..high`` items per row drawn from ``pool`` (numbers)."""
    counts = rng.integers(low, high + 1, size=n)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    values = _numbered(prefix, rng.choice(pool, size=int(offsets[-1])), width)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def _dates_text(days: np.ndarray) -> pa.Array:
    """ISO ``YYYY-MM-DD`` strings for day offsets from ``FIRST_DAY``."""
    return pc.cast(pa.array((FIRST_DAY + days).astype("datetime64[D]")), pa.string())


def _geometries(rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray,
                kind: np.ndarray) -> tuple[pa.Array, pa.Array]:
    """WKT and GeoJSON geometry text: POLYGON zones, LINESTRING lines, else null WKT.

    ``kind``: 0 point, 1 zone, 2 line. The GeoJSON text holds the same shape (points for
    ``kind`` 0, null when unlocated) so the GeoJSON writer does not parse WKT back.
    """
    size = rng.uniform(0.05, 0.4, size=len(lat))
    x0, y0 = np.round(lon - size, 4), np.round(lat - size / 2, 4)
    x1, y1 = np.round(lon + size, 4), np.round(lat + size / 2, 4)
    s = {name: pc.cast(pa.array(v), pa.string()) for name, v in
         {"x0": x0, "y0": y0, "x1": x1, "y1": y1, "x": lon, "y": lat}.items()}
    j = pc.binary_join_element_wise
    # Clockwise outer ring (as the map expects): west-south, west-north, east-north, east-south.
    polygon = j("POLYGON ((", s["x0"], " ", s["y0"], ", ", s["x0"], " ", s["y1"], ", ",
                s["x1"], " ", s["y1"], ", ", s["x1"], " ", s["y0"], ", ",
                s["x0"], " ", s["y0"], "))", "")
    line = j("LINESTRING (", s["x0"], " ", s["y0"], ", ", s["x"], " ", s["y"], ", ",
             s["x1"], " ", s["y1"], ")", "")
    gj_polygon = j('{"type":"Polygon","coordinates":[[[', s["x0"], ",", s["y0"], "],[",
                   s["x0"], ",", s["y1"], "],[", s["x1"], ",", s["y1"], "],[", s["x1"], ",",
                   s["y0"], "],[", s["x0"], ",", s["y0"], "]]]}", "")
    gj_line = j('{"type":"LineString","coordinates":[[', s["x0"], ",", s["y0"], "],[", s["x"],
                ",", s["y"], "],[", s["x1"], ",", s["y1"], "]]}", "")
    gj_point = j('{"type":"Point","coordinates":[', s["x"], ",", s["y"], "]}", "")
    is_zone, is_line = pa.array(kind == 1), pa.array(kind == 2)
    null_text = pa.nulls(len(lat), pa.string())
    wkt = pc.if_else(is_zone, polygon, pc.if_else(is_line, line, null_text))
    geojson = pc.if_else(is_zone, gj_polygon, pc.if_else(is_line, gj_line, gj_point))
    geojson = pc.if_else(pa.array(np.isnan(lat)), null_text, geojson)
    return wkt, geojson


def generate(
    rows: int, seed: int = 42, topics: list[str] | None = None
) -> tuple[Generated, pa.Array]:
    """Build ``rows`` synthetic events (and their articles); deterministic for a seed.

    Returns the tables and, beside them, each event's GeoJSON geometry text (for the GeoJSON
    writer). About 60% as many articles as events; every referenced article exists.
    """
    if rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    rng = np.random.default_rng(seed)
    topics = topics or topic_keys()
    n = rows
    ids = np.arange(1, n + 1)

    # Dates: a day in five years, written at its precision; a few multi-day events.
    day = rng.integers(0, DAYS, size=n)
    precision_labels = list(DATE_PRECISION_SHARES)
    precision = _choice(rng, precision_labels, list(DATE_PRECISION_SHARES.values()), n)
    day_text = _dates_text(day)
    date_by_precision = {
        "day": day_text, "week": day_text,
        "month": pc.utf8_slice_codeunits(day_text, 0, 7),
        "year": pc.utf8_slice_codeunits(day_text, 0, 4),
    }
    event_date = pa.nulls(n, pa.string())
    for label, text in date_by_precision.items():
        mask = pa.array(precision == precision_labels.index(label))
        event_date = pc.if_else(mask, text, event_date)
    multi_day = (precision == precision_labels.index("day")) & (rng.random(n) < 0.05)
    end_day = np.minimum(day + rng.integers(1, 15, size=n), DAYS - 1)
    end_date = pc.if_else(pa.array(multi_day), _dates_text(end_day), pa.nulls(n, pa.string()))

    # Places: a country, a city in it, a point scattered around the city by geo precision.
    codes = list(COUNTRIES)
    country = _choice(rng, codes, [COUNTRIES[c][0] for c in codes], n)
    city_table = [(ci, city) for ci, c in enumerate(codes) for city in COUNTRIES[c][1]]
    city_start = np.cumsum([0] + [len(COUNTRIES[c][1]) for c in codes])
    city_count = np.diff(city_start)
    # First city of each country twice as likely as the others: u**1.5 skews to low indexes.
    city = city_start[country] + (rng.random(n) ** 1.5 * city_count[country]).astype(int)
    city_lat = np.array([c[1][1] for c in city_table])
    city_lon = np.array([c[1][2] for c in city_table])
    city_names = [c[1][0] for c in city_table]
    geo_labels = list(GEO_PRECISION_SHARES)
    geo = _choice(rng, geo_labels, list(GEO_PRECISION_SHARES.values()), n)
    spread = np.array([GEO_SPREAD.get(label, 0.0) for label in geo_labels])[geo]
    lat = np.round(np.clip(city_lat[city] + rng.normal(0, 1, n) * spread, -89.9, 89.9), 5)
    lon = np.round(np.clip(city_lon[city] + rng.normal(0, 1, n) * spread * 1.5, -179.9, 179.9), 5)
    unlocated = geo == geo_labels.index("")
    lat[unlocated] = np.nan
    lon[unlocated] = np.nan
    geometry_kind = np.where(unlocated, 0, _choice(rng, ["point", "zone", "line"],
                                                   [0.97, 0.02, 0.01], n))
    geometry_wkt, geometry_json = _geometries(rng, lat, lon, geometry_kind)

    # Other countries involved: the country itself plus up to two random others.
    others = rng.integers(0, len(codes), size=(n, 2))
    n_others = rng.choice(3, size=n, p=[0.6, 0.3, 0.1])
    involved_idx = np.column_stack([country, others])
    keep = np.column_stack([np.ones(n, bool), n_others >= 1, n_others >= 2])
    keep[:, 2] &= involved_idx[:, 2] != involved_idx[:, 1]
    keep[:, 1:] &= involved_idx[:, 1:] != country[:, None]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(keep.sum(axis=1), out=offsets[1:])
    involved = pa.ListArray.from_arrays(pa.array(offsets), _take(codes, involved_idx[keep]))

    topic = rng.integers(0, len(topics), size=n)
    topic_text = _take(topics, topic)
    sub_type = pc.binary_join_element_wise(
        "synthetic ", topic_text, " type ", pc.cast(pa.array(rng.integers(1, SUB_TYPES + 1, n)),
                                                    pa.string()), "")
    location = _take(city_names, city)
    admin1 = pc.binary_join_element_wise(location, " region", "")
    actors = _lists(rng, n, 1, 3, np.arange(1, N_ACTORS + 1), "Synthetic Actor ", 3)
    summary = pc.binary_join_element_wise(
        "Synthetic event ", pc.cast(pa.array(ids), pa.string()), ": ", sub_type, " near ",
        location, " (generated for benchmarking, not reporting).", "")
    lethal = np.isin(topic, [i for i, t in enumerate(topics) if t in {"strike", "armed_clash"}])
    has_fatalities = lethal & (rng.random(n) < 0.6)
    fatalities = pa.array(rng.poisson(2.0, n), pa.int64(), mask=~has_fatalities)
    verification = _take(VERIFICATION_LEVELS,
                         _choice(rng, VERIFICATION_LEVELS, VERIFICATION_SHARES, n))
    n_articles = max(1, int(rows * 0.6))
    article_ids = _lists(rng, n, 1, 3, np.arange(1, n_articles + 1), "SA-", 8)
    source_category = pc.binary_join_element_wise(
        "Synthetic category ", pc.cast(pa.array(topic + 1), pa.string()), "")

    events = pa.table({
        "event_id": _numbered("SYN-", ids, 8),
        "event_date": event_date,
        "date_precision": _take(precision_labels, precision),
        "end_date": end_date,
        "topic": topic_text,
        "sub_type": sub_type,
        "country": _take(codes, country),
        "countries_involved": involved,
        "admin1": admin1,
        "location": location,
        "latitude": pa.array(lat, pa.float64(), from_pandas=True),
        "longitude": pa.array(lon, pa.float64(), from_pandas=True),
        "geo_precision": _take(geo_labels, geo),
        "geometry_wkt": geometry_wkt,
        "actors": actors,
        "summary": summary,
        "fatalities": fatalities,
        "verification": verification,
        "article_ids": article_ids,
        "source_dataset": pa.array(np.full(n, SOURCE_DATASET)),
        "source_category": source_category,
    })
    assert events.column_names == EVENT_COLUMNS
    return Generated(events, _articles(rng, n_articles, topics)), geometry_json


def _articles(rng: np.random.Generator, n: int, topics: list[str]) -> pa.Table:
    """``n`` synthetic article records, all fields text as the schema says."""
    ids = np.arange(1, n + 1)
    number = pc.cast(pa.array(ids), pa.string())
    topic = _take(topics, rng.integers(0, len(topics), size=n))
    country = _take(list(COUNTRIES), rng.integers(0, len(COUNTRIES), size=n))
    published = _dates_text(rng.integers(0, DAYS, size=n))
    # A few articles only known to the month, as partial dates are allowed.
    published = pc.if_else(pa.array(rng.random(n) < 0.05),
                           pc.utf8_slice_codeunits(published, 0, 7), published)
    table = pa.table({
        "article_id": _numbered("SA-", ids, 8),
        "title": pc.binary_join_element_wise("Synthetic report ", number, ": ", topic, " in ",
                                             country, ""),
        "outlet": _numbered("Synthetic Wire ", rng.integers(1, N_OUTLETS + 1, size=n)),
        "url": _numbered("https://example.invalid/synthetic/", ids),
        "published": published,
        "language": _take(LANGUAGES, rng.integers(0, len(LANGUAGES), size=n)),
        "summary": pc.binary_join_element_wise("Synthetic article ", number,
                                               " (generated for benchmarking, not reporting).",
                                               ""),
    })
    assert table.column_names == ARTICLE_COLUMNS
    return table


def flatten_lists(table: pa.Table) -> pa.Table:
    """Turn list columns into the ``"A; B"`` text used by CSV and Excel."""
    for name in LIST_COLUMNS:
        if name in table.column_names:
            index = table.column_names.index(name)
            joined = pc.binary_join(table[name], LIST_SEPARATOR)
            table = table.set_column(index, name, joined)
    return table


def _write_csv(data: Generated, geometry: pa.Array, path: Path) -> list[Path]:
    del geometry
    articles = path.with_name(f"{path.stem}_articles.csv")
    options = pacsv.WriteOptions(include_header=True)
    pacsv.write_csv(flatten_lists(data.events), path, options)
    pacsv.write_csv(data.articles, articles, options)
    return [path, articles]


def _write_parquet(data: Generated, geometry: pa.Array, path: Path) -> list[Path]:
    del geometry
    articles = path.with_name(f"{path.stem}_articles.parquet")
    pq.write_table(data.events, path, compression="zstd")
    pq.write_table(data.articles, articles, compression="zstd")
    return [path, articles]


def _write_xlsx(data: Generated, geometry: pa.Array, path: Path) -> list[Path]:
    del geometry
    if data.events.num_rows > XLSX_MAX_ROWS:
        raise ValueError(f"xlsx is written only up to {XLSX_MAX_ROWS:,} rows "
                         f"(Excel's limit is 1,048,576 rows and writing is slow)")
    articles = path.with_name(f"{path.stem}_articles.xlsx")
    flatten_lists(data.events).to_pandas().to_excel(path, index=False, sheet_name="events")
    data.articles.to_pandas().to_excel(articles, index=False, sheet_name="articles")
    return [path, articles]


def _json_lines(table: pa.Table) -> list[str]:
    """One JSON object per row (lists as arrays, nulls as null), via pandas' C encoder."""
    frame = table.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
    for name in LIST_COLUMNS:
        if name in frame.columns:
            frame[name] = [list(v) for v in frame[name]]
    text = frame.to_json(orient="records", lines=True, force_ascii=False)
    return text.rstrip("\n").split("\n")


def _write_json(data: Generated, geometry: pa.Array, path: Path) -> list[Path]:
    del geometry
    articles = path.with_name(f"{path.stem}_articles.json")
    for table, target in ((data.events, path), (data.articles, articles)):
        with target.open("w", encoding="utf-8") as handle:
            handle.write("[\n" + ",\n".join(_json_lines(table)) + "\n]\n")
    return [path, articles]


def _write_geojson(data: Generated, geometry: pa.Array, path: Path) -> list[Path]:
    """A FeatureCollection: the shape in ``geometry``, every canonical field in properties."""
    articles = path.with_name(f"{path.stem}_articles.json")
    properties = _json_lines(data.events.drop_columns(["geometry_wkt"]))
    shapes = geometry.fill_null("null").to_pylist()
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"type":"FeatureCollection","features":[\n')
        handle.write(",\n".join(
            f'{{"type":"Feature","geometry":{shape},"properties":{props}}}'
            for shape, props in zip(shapes, properties, strict=True)))
        handle.write("\n]}\n")
    with articles.open("w", encoding="utf-8") as handle:
        handle.write("[\n" + ",\n".join(_json_lines(data.articles)) + "\n]\n")
    return [path, articles]


WRITERS: dict[str, Callable[[Generated, pa.Array, Path], list[Path]]] = {
    "csv": _write_csv,
    "parquet": _write_parquet,
    "xlsx": _write_xlsx,
    "json": _write_json,
    "geojson": _write_geojson,
}


def file_stem(rows: int) -> str:
    """The file name stem for a size: ``synthetic_1000000``."""
    return f"synthetic_{rows}"


def event_path(out: Path, rows: int, fmt: str) -> Path:
    """Where the events file of a size and format is (or will be) written."""
    return out / f"{file_stem(rows)}.{fmt}"


def articles_path(out: Path, rows: int, fmt: str) -> Path:
    """The companion articles file written beside an events file."""
    ext = "json" if fmt == "geojson" else fmt
    return out / f"{file_stem(rows)}_articles.{ext}"


def write_files(rows: int, formats: list[str], out: Path, seed: int = 42) -> list[Path]:
    """Generate one dataset and write it in each format; returns the paths written."""
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise ValueError(f"unknown format(s) {unknown}; choose from {', '.join(WRITERS)}")
    out.mkdir(parents=True, exist_ok=True)
    (out / "README.md").write_text(README_TEXT, encoding="utf-8")
    data, geometry = generate(rows, seed)
    written: list[Path] = []
    for fmt in formats:
        if fmt == "xlsx" and rows > XLSX_MAX_ROWS:
            print(f"skipping xlsx at {rows:,} rows (only up to {XLSX_MAX_ROWS:,})",
                  file=sys.stderr)
            continue
        written += WRITERS[fmt](data, geometry, event_path(out, rows, fmt))
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line: ``--rows``, ``--formats``, ``--out``, ``--seed``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="number of events")
    parser.add_argument("--formats", default="csv,parquet",
                        help=f"comma-separated, from {','.join(FORMATS)}")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    start = time.perf_counter()
    try:
        paths = write_files(args.rows, formats, args.out, args.seed)
    except ValueError as error:
        parser.error(str(error))
    for path in paths:
        print(f"{path}  {path.stat().st_size / 1e6:,.1f} MB")
    print(f"{args.rows:,} synthetic events in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
