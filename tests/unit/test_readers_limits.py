"""Readers under hostile input: bombs, huge cells, deep nesting, odd bytes, repeated names."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from packed_files import gzipped, parquet_with_names, workbook, zipped

from dashboard.readers import LoadError, max_unpacked_bytes, read_raw

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh interpreter so that ru_maxrss (the peak) belongs to this read alone. The
# bomb is compressed in 1 MB slices: building it must not raise the peak itself.
BOMB_SCRIPT = textwrap.dedent("""
    import io, json, resource, sys, zipfile, zlib
    from dashboard.readers import LoadError, read_raw

    kind, unpacked_mb = sys.argv[1], int(sys.argv[2])
    line = b"e1,2024-01-05,border_zone,POL,confirmed,synthetic row\\n"
    block = line * (1024 * 1024 // len(line))
    if kind == "gz":
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)
        parts = [packer.compress(b"event_id,event_date,topic,country,verification,summary\\n")]
        parts += [packer.compress(block) for _ in range(unpacked_mb)]
        bomb = b"".join(parts) + packer.flush()
    else:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            with archive.open("events.csv", "w", force_zip64=True) as member:
                for _ in range(unpacked_mb):
                    member.write(block)
        bomb = buffer.getvalue()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        read_raw(bomb, "bomb." + kind)
        message = None
    except LoadError as err:
        message = str(err)
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps({"message": message, "growth_mb": growth_mb, "packed": len(bomb)}))
""")


@pytest.mark.parametrize("kind", ["gz", "zip"])
def test_a_bomb_is_refused_before_it_fills_the_memory(kind):
    cap_mb, unpacked_mb = 48, 400
    env = {"PATH": "", "PYTHONPATH": str(ROOT), "DASHBOARD_MAX_UNPACKED_MB": str(cap_mb)}
    done = subprocess.run([sys.executable, "-c", BOMB_SCRIPT, kind, str(unpacked_mb)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
                          check=True)
    result = json.loads(done.stdout)
    assert result["packed"] < 4 * 1024 * 1024  # a few MB that claim 400 MB
    assert result["message"].startswith(f"bomb.{kind}: ")
    assert f"to more than {cap_mb} MB" in result["message"]
    assert result["growth_mb"] < cap_mb + 64  # the capped buffer and a slice, not 400 MB


@pytest.mark.parametrize(
    ("setting", "expected_mb"),
    [(None, 2048), ("512", 512), (" 64 ", 64), ("0", 2048), ("lots", 2048), ("-5", 2048)],
)
def test_unpacked_cap_comes_from_the_environment(monkeypatch, setting, expected_mb):
    if setting is None:
        monkeypatch.delenv("DASHBOARD_MAX_UNPACKED_MB", raising=False)
    else:
        monkeypatch.setenv("DASHBOARD_MAX_UNPACKED_MB", setting)
    assert max_unpacked_bytes() == expected_mb * 1024 * 1024


def test_a_workbook_declaring_more_than_the_cap_is_refused(monkeypatch):
    import io

    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["event_id", "summary"])
    for number in range(2000):
        book.active.append([f"e{number}", "x" * 500])
    buffer = io.BytesIO()
    book.save(buffer)
    monkeypatch.setenv("DASHBOARD_MAX_UNPACKED_MB", "1")
    with pytest.raises(LoadError, match="a workbook that unpacks to more than 1 MB"):
        read_raw(buffer.getvalue(), "big.xlsx")
    monkeypatch.setenv("DASHBOARD_MAX_UNPACKED_MB", "16")
    assert len(read_raw(buffer.getvalue(), "big.xlsx")) == 2000



BIG = 17 * 1024 * 1024  # a cell longer than readers.MAX_CELL_CHARS
DEEP = 100_000


@pytest.mark.parametrize(
    ("data", "name", "message", "row"),
    [
        (b"a,b\n1,2\n3," + b"x" * BIG + b"\n4,5\n", "long.csv",
         "a cell is longer than 16,777,216 characters", 2),
        (b"a,b\n1,2\n3,\"" + b"x\n" * (BIG // 2) + b"\"\n", "quoted.csv",
         "a cell is longer than 16,777,216 characters", 2),
        (b"a," + b"x" * BIG + b"\n1,2\n", "header.csv", "the header has", None),
        (b"[" * DEEP + b"]" * DEEP, "deep.json", "JSON nested too deeply", None),
        (b'[{"a": ' + b"[" * 900 + b"]" * 900 + b"}]", "deep_cell.json",
         "JSON nested too deeply", None),
        (b'{"a": 1}\n{"a": ' + b"[" * DEEP + b"]" * DEEP + b"}\n", "deep.jsonl",
         "JSON nested too deeply", 2),
    ],
)
def test_huge_cells_and_deep_nesting_are_one_load_error(data, name, message, row):
    with pytest.raises(LoadError) as info:
        read_raw(data, name)
    assert str(info.value).startswith(f"{name}: ")
    assert message in str(info.value)
    assert info.value.row == row


def test_a_cell_up_to_the_limit_is_read():
    cell = "Гродно " * (10 * 1024 * 1024 // 14)  # 10 MB: longer than Arrow's block
    raw = read_raw(f"a,b\n1,2\n3,{cell}\n".encode(), "long.csv")
    assert raw["b"].tolist() == ["2", cell]


class _Failing:
    """An upload whose read fails the way a broken stream does."""

    name = "upload.csv"

    def read(self) -> bytes:
        raise OSError("connection reset")


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (ValueError("parser bug"), "could not be read: ValueError"),
        (KeyError("column"), "could not be read: KeyError"),
        (IndexError("list index out of range"), "could not be read: IndexError"),
        (MemoryError(), "too big to read in this server's memory"),
    ],
)
def test_any_reader_exception_becomes_one_load_error(monkeypatch, caplog, error, message):
    from dashboard import readers

    def broken(*args, **kwargs):
        raise error

    monkeypatch.setitem(readers._READERS, "csv", broken)
    with pytest.raises(LoadError) as info:
        read_raw(b"a,b\n1,2\n", "events.csv")
    assert str(info.value).startswith(f"events.csv: {message}")
    assert info.value.__cause__ is error
    logged = [r for r in caplog.records if r.name == "dashboard.readers"]
    assert logged and logged[-1].exc_info is not None  # the traceback is in the server log


@pytest.mark.parametrize("error", [KeyboardInterrupt(), SystemExit(3)])
def test_interrupts_pass_through_the_guard(monkeypatch, error):
    from dashboard import readers

    def interrupted(*args, **kwargs):
        raise error

    monkeypatch.setitem(readers._READERS, "csv", interrupted)
    with pytest.raises(type(error)):
        read_raw(b"a,b\n1,2\n", "events.csv")


def test_a_failing_upload_is_a_load_error():
    from dashboard.readers import read_bytes

    with pytest.raises(LoadError, match=r"^upload\.csv: could not be read: OSError$"):
        read_bytes(_Failing())


@pytest.mark.parametrize(
    ("data", "name", "message", "row"),
    [
        (b"event_id,topic,event_id\ne1,strike,e2\n", "twice.csv",
         "the header names the column 'event_id' 2 times (columns 1 and 3)", None),
        (b"topic\tevent_id\t event_id\tevent_id\nstrike\te1\te2\te3\n", "thrice.tsv",
         "the header names the column 'event_id' 3 times (columns 2, 3 and 4)", None),
        (workbook([["event_id", "topic", "event_id"], ["e1", "strike", "e2"]]), "twice.xlsx",
         "the header of sheet 'events' names the column 'event_id' 2 times (columns 1 and 3)",
         None),
        (parquet_with_names(["event_id", "event_id"]), "twice.parquet",
         "the schema names the column 'event_id' 2 times (columns 1 and 2)", None),
        (b'[{"event_id": "e1", "topic": "strike", "event_id": "e2"}]', "twice.json",
         "an object names the key 'event_id' 2 times (keys 1 and 3)", None),
        (b'{"event_id": "e1"}\n{"event_id": "e2", "event_id": "e3"}\n', "twice.jsonl",
         "an object names the key 'event_id' 2 times (keys 1 and 2)", 2),
    ],
)
def test_a_repeated_column_name_is_one_load_error(data, name, message, row):
    with pytest.raises(LoadError) as info:
        read_raw(data, name)
    assert str(info.value).startswith(f"{name}: {message}; rename or remove all but one")
    assert (info.value.row, info.value.column) == (row, "event_id")


def test_a_headerless_file_whose_first_row_repeats_a_value_is_still_imported():
    from dashboard.importers import import_file

    fixture = ROOT / "tests" / "fixtures" / "gdelt_v2.tsv"
    with pytest.raises(LoadError, match="names the column"):
        read_raw(fixture)  # read with a header, its first row repeats values
    assert import_file(fixture).format == "gdelt"


UTF8_ROWS = ["e1,Białystok,Гродно", "e2,Łódź,Брест", "e3,Gdańsk,Минск"]


def _csv(*lines: bytes) -> bytes:
    return b"\n".join([b"event_id,location,summary"] + list(lines)) + b"\n"


@pytest.mark.parametrize(
    ("data", "problems", "kept"),
    [
        # one cp1251 row in a UTF-8 file: that row is rejected, the others stay UTF-8
        (_csv(*(r.encode() for r in UTF8_ROWS[:2]), "e9,x,Минск".encode("cp1251"),
              UTF8_ROWS[2].encode()),
         {2: [("summary", "\ufffd" * 5, "not valid UTF-8 (byte 0xCC at column 'summary')")]},
         UTF8_ROWS),
        # a latin-1 cell inside a quoted, two-line value: the row is still found
        (_csv(UTF8_ROWS[0].encode(), b'e9,"Caf\xe9\nZ\xfcrich",x', *(r.encode() for r in
                                                                     UTF8_ROWS[1:])),
         {1: [("location", "Caf\ufffd\nZ\ufffdrich",
               "not valid UTF-8 (byte 0xE9 at column 'location')")]},
         UTF8_ROWS),
        # a NUL byte rejects its row, naming the column; the file is read
        (_csv(UTF8_ROWS[0].encode(), b"e9,a\x00b,x", *(r.encode() for r in UTF8_ROWS[1:])),
         {1: [("location", "a\ufffdb", "a NUL byte (0x00) at column 'location'")]},
         UTF8_ROWS),
        # both in one row: two problems, one row
        (_csv(b"e9,a\x00b,\xcc\xe8", *(r.encode() for r in UTF8_ROWS)),
         {0: [("location", "a\ufffdb", "a NUL byte (0x00) at column 'location'"),
              ("summary", "\ufffd\ufffd", "not valid UTF-8 (byte 0xCC at column 'summary')")]},
         UTF8_ROWS),
        # the file uses the first block of marks itself: another block marks the bad byte
        (_csv("e1,\uf780\uf7ff,Гродно".encode(), b"e9,\xff,x", *(r.encode() for r in
                                                               UTF8_ROWS[1:])),
         {1: [("location", "\ufffd", "not valid UTF-8 (byte 0xFF at column 'location')")]},
         ["e1,\uf780\uf7ff,Гродно", *UTF8_ROWS[1:]]),
    ],
)
def test_bad_bytes_reject_their_row_only(data, problems, kept):
    raw = read_raw(data, "mixed.csv")
    assert raw.attrs.get("row_errors") == problems
    good = raw.drop(index=list(problems))
    assert [",".join(row) for row in good.itertuples(index=False)] == kept
    assert not any("\x00" in str(v) for v in raw.to_numpy().ravel())


def test_a_file_mostly_in_a_code_page_is_still_decoded_as_one():
    rows = [f"e{i},Минская область {i},Гродно" for i in range(5)]
    data = _csv(*(r.encode("cp1251") for r in rows), "e9,Łódź,Брест".encode())
    raw = read_raw(data, "legacy.csv")
    assert raw["location"].tolist()[:5] == [f"Минская область {i}" for i in range(5)]
    assert "row_errors" not in raw.attrs
    assert any("decoded as cp1251" in w for w in raw.attrs["warnings"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"event_id,lieu\xe9\n" + "e1,Łódź\ne2,Гродно\n".encode(),
         "the header is not valid UTF-8 (byte 0xE9 in column 2)"),
        (b"event_id,lo\x00cation\ne1,x\n", "the header holds a NUL byte (0x00) in column 2"),
    ],
)
def test_bad_bytes_in_the_header_are_one_load_error(data, message):
    with pytest.raises(LoadError, match=rf"^h\.csv: {re.escape(message)}$"):
        read_raw(data, "h.csv")


def test_rejected_bad_byte_rows_are_counted_as_read():
    from dashboard.dataset import load_dataset

    head = b"event_id,event_date,topic,country,verification,summary\n"
    good = [f"e{i},2024-01-0{i},strike,POL,confirmed,Гродно {i}\n".encode() for i in range(1, 6)]
    data = (head + b"".join(good[:2]) + "e8,2024-01-08,strike,POL,confirmed,Минск\n"
            .encode("cp1251") + b"".join(good[2:]) + b"e9,2024-01-09,strike,POL,confirmed,a\x00\n")
    report = load_dataset(data, "t.csv").reports[0]
    assert (report.rows_read, report.accepted, report.rejected_rows) == (7, 5, 2)
    assert report.rejected[["row", "column"]].values.tolist() == [[3, "summary"], [7, "summary"]]
    assert report.warnings == ["t.csv: 1 row(s) hold bytes that are not UTF-8 and are "
                               "rejected; the rest is read as UTF-8"]


def test_a_big_code_page_file_is_settled_from_its_first_lines(monkeypatch):
    from dashboard import readers

    monkeypatch.setattr(readers, "_SETTLED_LINES", 3)
    rows = [f"e{i},Минская область {i},Гродно" for i in range(6)]
    # five UTF-8 lines at the end would win a count of the whole file; the first lines settle it
    data = _csv(*(r.encode("cp1251") for r in rows), *(r.encode() for r in UTF8_ROWS * 3))
    assert readers.utf8_repaired(data) is None
    monkeypatch.setattr(readers, "_SETTLED_LINES", 1_000)
    assert readers.utf8_repaired(data) is not None


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ((",".join(["x"] * 10_000) + "\n").encode(), "wide.csv",
         "the header names the column 'x' 10,000 times (columns 1, 2, 3, 4, 5 and 9,995 more)"),
        (parquet_with_names([""] * 2_000), "blank.parquet",
         "the schema names the column '' 2,000 times (columns 1, 2, 3, 4, 5 and 1,995 more)"),
        (("[{" + ", ".join(['"k": 1'] * 700) + "}]").encode(), "keys.json",
         "an object names the key 'k' 700 times (keys 1, 2, 3, 4, 5 and 695 more)"),
        (b"a,b,a,c,a,a,d,a,a\n", "six.csv",
         "the header names the column 'a' 6 times (columns 1, 3, 5, 6, 8 and 9)"),
    ],
)
def test_a_name_repeated_many_times_lists_a_few_positions(data, name, message):
    with pytest.raises(LoadError) as info:
        read_raw(data, name)
    assert str(info.value).startswith(f"{name}: {message}; rename or remove all but one")
    assert len(str(info.value)) < 200


@pytest.mark.parametrize(("header", "cap_lines"), [(True, 2), (False, 2), (True, 0)])
def test_a_first_line_past_the_cap_is_one_load_error(monkeypatch, header, cap_lines):
    from dashboard import readers

    monkeypatch.setattr(readers, "_HEAD_BYTES", 1024)
    monkeypatch.setattr(readers, "_MAX_HEAD_BYTES", 16 * 1024)
    long_line = "\t".join(["y" * 9_000, "z" * 9_000])
    data = ("\n".join([long_line] + ["1\t2"] * cap_lines) + "\n").encode()
    data += b"3\t4\n" * 10_000  # the file goes on past the cap
    with pytest.raises(LoadError, match=r"^long\.tsv: the first line is longer than 0 MB"):
        read_raw(data, "long.tsv", header=header)
    monkeypatch.setattr(readers, "_MAX_HEAD_BYTES", 64 * 1024)
    assert len(read_raw(data, "long.tsv", header=header)) == 10_000 + cap_lines + (not header)


TWO_MB = b"event_id,topic\n" + b"e1,strike\n" * (2 * 1024 * 1024 // 10)

# (file, its bytes, the English the command line keeps, its Ukrainian on the Data page)
SAID_ERRORS = [
    ("big.csv.gz", gzipped(TWO_MB), "unpacks to more than 1 MB, the most this server unpacks",
     "розпаковується в понад 1 МБ — більше, ніж розпаковує цей сервер"),
    ("big.zip", zipped({"events.csv": TWO_MB}), "events.csv unpacks to more than 1 MB",
     "events.csv розпаковується в понад 1 МБ"),
    ("big.xlsx", zipped({"xl/workbook.xml": TWO_MB}), "a workbook that unpacks to more than 1 MB",
     "книга, що розпаковується в понад 1 МБ"),
    ("two.zip", zipped({"a.csv": b"x\n1\n", "b.csv": b"x\n2\n"}),
     "a zip archive needs exactly one data file to be read (found 2: a.csv, b.csv)",
     "у ньому має бути рівно один файл даних (знайдено 2: a.csv, b.csv)"),
    ("none.zip", zipped({"logo.png": b"\x89PNG"}), "(found 0: none)", "(знайдено 0: жодного)"),
    ("long.csv", b"a,b\n1,2\n3," + b"x" * BIG + b"\n", "a cell is longer than 16,777,216",
     "комірка довша за 16\u00a0777\u00a0216 символів"),
    ("header.csv", b"a," + b"x" * BIG + b"\n1,2\n", "the header has a name longer than",
     "заголовок містить назву, довшу за"),
    ("twice.xlsx", workbook([["event_id", "topic", "event_id"], ["e1", "strike", "e2"]]),
     "the header of sheet 'events' names the column 'event_id' 2 times",
     "заголовок аркуша 'events' називає стовпець 'event_id' стільки разів: 2"),
    ("twice.parquet", parquet_with_names(["event_id", "event_id"]),
     "the schema names the column 'event_id' 2 times", "схема називає стовпець 'event_id'"),
    ("broken.xlsx", zipped({"xl/workbook.xml": b"<not xml", "[Content_Types].xml": b"<"}),
     "not a readable workbook (", "нечитабельна книга ("),
    ("locked.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
     "a password-protected workbook must be saved without its password first",
     "книгу, захищену паролем, спершу треба зберегти без пароля"),
    ("numbers.json", b"[1, 2]", "the records must be a list of objects",
     "записи мають бути списком об’єктів"),
    ("events.json", b'{"events": [1]}', "the events must be a list of objects",
     "події мають бути списком об’єктів"),
    ("articles.json", b'{"events": [], "articles": ["a"]}',
     "the articles must be a list of objects", "статті мають бути списком об’єктів"),
    ("nul.json", b'[{"a\\u0000b": 1}]', "the key 'a?b' (column 1) holds a NUL byte",
     "ключ 'a?b' (стовпець 1) містить байт NUL"),
    ("shapes.geojson", b'{"type": "FeatureCollection"}',
     "a GeoJSON FeatureCollection without a 'features' list",
     "GeoJSON FeatureCollection без списку 'features'"),
    ("cut.jsonl", b'{"a": 1}\n{"a": \n', "not valid JSON Lines: ", "некоректний JSON Lines: "),
    ("list.jsonl", b'{"a": 1}\n[1]\n', "a JSON Lines file needs one object per line",
     "у файлі JSON Lines має бути по одному об’єкту в кожному рядку"),
    ("twice.json", b'[{"k": 1, "k": 2}]', "an object names the key 'k' 2 times (keys 1 and 2)",
     "об’єкт називає ключ 'k' стільки разів: 2 (ключі 1 і 2)"),
    ("deep.json", b"[" * DEEP + b"]" * DEEP, "JSON nested too deeply to read",
     "JSON має надто глибоку вкладеність"),
    ("odd.json", b'{"count": 1}', "JSON must be a list of records",
     "JSON має бути списком записів"),
]


@pytest.mark.parametrize(("name", "data", "english", "ukrainian"), SAID_ERRORS,
                         ids=[case[0] for case in SAID_ERRORS])
def test_each_load_error_is_said_in_the_pages_language(monkeypatch, name, data, english,
                                                       ukrainian):
    monkeypatch.setenv("DASHBOARD_MAX_UNPACKED_MB", "1")
    _said_in_ukrainian(data, name, english, ukrainian)


def _said_in_ukrainian(data: bytes, name: str, english: str, ukrainian: str) -> None:
    from dashboard.i18n import translator
    from dashboard.readers import read_tables

    with pytest.raises(LoadError) as info:
        read_tables(data, name)
    assert english in str(info.value)  # the command line's English
    said = info.value.said(translator("uk"))
    assert ukrainian in said
    assert english not in said


def test_a_first_line_past_the_cap_is_said_in_the_pages_language(monkeypatch):
    from dashboard import readers

    monkeypatch.setattr(readers, "_HEAD_BYTES", 1024)
    monkeypatch.setattr(readers, "_MAX_HEAD_BYTES", 16 * 1024)
    data = ("y" * 20_000 + "\n" + "1\n" * 10_000).encode()
    _said_in_ukrainian(data, "long.csv", "the first line is longer than 0 MB",
                       "перший рядок довший за 0 МБ — більше, ніж читається з першого рядка "
                       "таблиці, щоб визначити роздільник; перевірте, чи файл є таблицею (рядок 1)")


def test_a_header_past_the_cell_limit_on_the_slow_path_is_said_in_the_pages_language(
        monkeypatch):
    import csv

    from dashboard import readers

    # the slow path's reader meets the header first; the fast path read it already
    monkeypatch.setattr(readers, "_read_csv_arrow", _arrow_refuses)
    monkeypatch.setattr(readers, "_header_names", lambda head, delimiter, label: ["a", "b"])
    limit = csv.field_size_limit(100)
    try:
        _said_in_ukrainian(b"a," + b"x" * 200 + b"\n1,2\n", "header.csv",
                           "the header has longer than", "заголовок довший за")
    finally:
        csv.field_size_limit(limit)


def _arrow_refuses(*args: object) -> None:
    import pyarrow as pa

    raise pa.ArrowInvalid("a row longer than a block")
