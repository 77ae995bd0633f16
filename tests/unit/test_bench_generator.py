"""The benchmark's synthetic files: canonical, accepted whole by the data core, reproducible."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import shapely

from bench import generate
from dashboard import schema

ROOT = Path(__file__).resolve().parents[2]


ROWS = 1_000
DATE_PATTERNS = {
    "day": r"\d{4}-\d{2}-\d{2}",
    "week": r"\d{4}-\d{2}-\d{2}",
    "month": r"\d{4}-\d{2}",
    "year": r"\d{4}",
}


@pytest.fixture(scope="module")
def generated() -> generate.Generated:
    data, _ = generate.generate(ROWS, seed=7)
    return data


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic")
    generate.write_files(ROWS, list(generate.WRITERS), out, seed=7)
    return out


def test_columns_are_canonical(generated: generate.Generated) -> None:
    assert generated.events.column_names == schema.EVENT_COLUMNS
    assert generated.articles.column_names == schema.ARTICLE_COLUMNS
    assert generated.events.num_rows == ROWS


def test_values_stay_in_their_domains(generated: generate.Generated) -> None:
    events = generate.flatten_lists(generated.events).to_pandas()
    assert events["event_id"].is_unique
    assert set(events["topic"]) <= set(generate.topic_keys())
    assert set(events["verification"]) == set(schema.VERIFICATION_LEVELS)
    assert set(events["date_precision"].dropna()) == set(schema.DATE_PRECISIONS)
    assert set(events["geo_precision"].dropna()) == set(schema.GEO_PRECISIONS)
    assert (events["source_dataset"] == "synthetic").all()
    assert events["country"].str.fullmatch(r"[A-Z]{3}").all()
    assert 25 <= events["country"].nunique() <= 35
    dated = events.dropna(subset=["event_date"])
    for precision, pattern in DATE_PATTERNS.items():
        rows = dated[dated["date_precision"] == precision]
        assert rows["event_date"].str.fullmatch(pattern).all(), precision
    assert events["date_precision"].isna().equals(events["event_date"].isna())
    located = events.dropna(subset=["latitude"])
    assert located["latitude"].between(-90, 90).all()
    assert located["longitude"].between(-180, 180).all()
    assert events["latitude"].isna().equals(events["longitude"].isna())
    assert 0 < events["latitude"].isna().sum() < ROWS * 0.1
    shapes = shapely.from_wkt(events["geometry_wkt"].dropna().to_numpy())
    assert shapely.is_valid(shapes).all()
    assert set(shapely.get_type_id(shapes)) == {1, 3}  # LineString and Polygon
    ended = events.dropna(subset=["end_date"])
    assert (ended["end_date"] >= ended["event_date"]).all()


def test_list_fields_and_article_links(generated: generate.Generated) -> None:
    events = generate.flatten_lists(generated.events).to_pandas()
    articles = generated.articles.to_pandas()
    for column in schema.LIST_COLUMNS:
        items = [schema.split_list(v) for v in events[column]]
        assert all(items), column
        assert schema.join_list(items[0]) == events[column].iloc[0]
    cited = {a for v in events["article_ids"] for a in schema.split_list(v)}
    assert cited <= set(articles["article_id"])
    assert articles["title"].str.startswith("Synthetic report ").all()
    assert articles["outlet"].str.fullmatch(r"Synthetic Wire \d+").all()
    assert articles["url"].str.startswith("https://example.invalid/").all()


def test_same_seed_same_data_other_seed_other_data() -> None:
    first, _ = generate.generate(500, seed=3)
    again, _ = generate.generate(500, seed=3)
    other, _ = generate.generate(500, seed=4)
    assert first.events.equals(again.events)
    assert first.articles.equals(again.articles)
    assert not first.events.equals(other.events)


def test_every_format_holds_every_row(files: Path) -> None:
    def rows(fmt: str) -> int:
        path = generate.event_path(files, ROWS, fmt)
        readers = {
            "csv": lambda: len(pd.read_csv(path)),
            "parquet": lambda: pq.read_metadata(path).num_rows,
            "xlsx": lambda: len(pd.read_excel(path, engine="calamine")),
            "json": lambda: len(json.loads(path.read_text(encoding="utf-8"))),
            "geojson": lambda: len(json.loads(path.read_text(encoding="utf-8"))["features"]),
        }
        return readers[fmt]()

    assert {fmt: rows(fmt) for fmt in generate.WRITERS} == dict.fromkeys(generate.WRITERS, ROWS)
    assert "SYNTHETIC" in (files / "README.md").read_text(encoding="utf-8")


def test_xlsx_refused_past_its_limit(tmp_path: Path) -> None:
    written = generate.write_files(generate.XLSX_MAX_ROWS + 1, ["xlsx"], tmp_path)
    assert written == []


@pytest.mark.parametrize("fmt", list(generate.WRITERS))
def test_data_core_accepts_every_row(files: Path, fmt: str) -> None:
    from dashboard.dataset import load_dataset

    dataset = load_dataset(str(generate.event_path(files, ROWS, fmt)),
                           articles=str(generate.articles_path(files, ROWS, fmt)))
    rejected = sum(report.rejected_rows for report in dataset.reports)
    assert rejected == 0, [r.rejected.head(3).to_dict("records") for r in dataset.reports]
    assert len(dataset.events) == ROWS
    assert len(dataset.articles) == int(ROWS * 0.6)


def test_run_smoke_load_and_export(tmp_path: Path) -> None:
    results = tmp_path / "results.json"
    command = [sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "2k", "--parts",
               "load,export", "--formats", "csv,parquet", "--repeats", "1", "--out",
               str(tmp_path), "--json", str(results)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True, timeout=300)
    figures = json.loads(results.read_text(encoding="utf-8"))["sizes"]["2000"]
    for fmt in ("csv", "parquet"):
        assert figures["load"][fmt]["events"] == 2_000, figures["load"][fmt]
        assert figures["load"][fmt]["rejected_rows"] == 0
    for fmt in ("csv", "parquet", "geojson", "xlsx"):
        assert figures["export"][fmt]["rows"] == 2_000, figures["export"][fmt]
        assert figures["export"][fmt]["bytes"] > 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", json.loads(
        results.read_text(encoding="utf-8"))["started"])
