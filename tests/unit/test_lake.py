"""The Parquet files a ``--data`` names for the duckdb and spark engines (engines/lake.py):
a file that is not Parquet is refused by name, with what to do, before an engine reads it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboard.cli import main
from dashboard.engines.lake import parquet_files
from dashboard.readers import LoadError

CSV = b"event_id,event_date,country,topic,summary\ne1,2024-01-02,POL,strike,A strike\n"
XLSX = b"PK\x03\x04" + b"\x00" * 60  # a workbook is a zip


def _parquet(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"event_id": ["e1"]}), path)
    return path


@pytest.mark.parametrize(("files", "data", "refused", "words"), [
    ({"events.csv": CSV}, "events.csv", "events.csv",
     "python -m dashboard convert {tmp}/events.csv -o {tmp}/events.parquet"),
    ({"events.xlsx": XLSX}, "events.xlsx", "events.xlsx", "memory engine"),
    ({"lake/a.parquet": None, "lake/b.parquet": CSV}, "lake", "lake/b.parquet",
     "though named so"),
    ({"lake/a.parquet": None, "lake/b.parquet": b""}, "lake/*.parquet", "lake/b.parquet",
     "damaged or cut-off"),
    ({"lake/a.parquet": None, "lake/notes.csv": CSV}, "lake", None, None),  # not named
    ({"lake/notes.csv": CSV}, "lake", "lake", "no Parquet file found"),
])
def test_only_parquet_reaches_an_engine(tmp_path: Path, files: dict[str, bytes | None],
                                        data: str, refused: str | None,
                                        words: str | None) -> None:
    for name, content in files.items():
        path = tmp_path / name
        if content is None:
            _parquet(path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    if refused is None:
        assert parquet_files(str(tmp_path / data)) == [tmp_path / "lake/a.parquet"]
        return
    with pytest.raises(LoadError) as caught:
        parquet_files(str(tmp_path / data))
    assert caught.value.file == str(tmp_path / refused)
    assert words is not None and words.format(tmp=tmp_path) in str(caught.value)


@pytest.mark.parametrize("command", [
    ["validate", "{file}", "--engine", "duckdb"],
    ["export", "--engine", "duckdb", "--data", "{file}", "-o", "{out}"],
])
def test_a_csv_given_to_duckdb_says_how_to_open_it(tmp_path: Path, command: list[str],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "events.csv"
    file.write_bytes(CSV)
    args = [part.format(file=file, out=tmp_path / "out.csv") for part in command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert f"{file}: is not a Parquet file" in err and "memory engine" in err
    assert "magic bytes found" not in err and "Traceback" not in err
    assert not (tmp_path / "out.csv").exists()
