"""Readers: every supported layout read as strings; unreadable files refused with one message."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from dashboard.readers import LoadError, read_raw, read_tables

CSV_TEXT = 'event_id,summary,latitude\ne1,"Гродно, Białystok\nline two",52.1\ne2,,\n'


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_delimiter_is_sniffed(delimiter):
    text = CSV_TEXT.replace(",", delimiter).replace(f"Гродно{delimiter} ", "Гродно, ")
    raw = read_raw(text.encode("utf-8"), "events.csv")
    assert list(raw.columns) == ["event_id", "summary", "latitude"]
    assert raw["summary"].iloc[0] == "Гродно, Białystok\nline two"
    assert pd.isna(raw["summary"].iloc[1])
    assert raw["latitude"].iloc[0] == "52.1"


def test_utf8_bom_is_dropped():
    raw = read_raw(b"\xef\xbb\xbf" + CSV_TEXT.encode("utf-8"), "events.csv")
    assert raw.columns[0] == "event_id"
    assert raw.attrs["warnings"] == []


def test_cp1251_is_decoded_and_reported():
    text = "event_id,location\ne1,Пограничная зона возле Гродно и Бреста\ne2,Минская область\n"
    raw = read_raw(text.encode("cp1251"), "events.csv")
    assert raw["location"].iloc[1] == "Минская область"
    assert any("cp1251" in w for w in raw.attrs["warnings"])


def test_lookalike_code_pages_are_told_apart():
    polish = ("event_id,location\ne1,Strefa buforowa przy granicy: Białowieża i Gdańsk\n"
              "e2,Województwo podlaskie – źródło: straż graniczna\n")
    raw = read_raw(polish.encode("cp1250"), "pl.csv")
    assert raw["location"].iloc[1] == "Województwo podlaskie – źródło: straż graniczna"
    assert any("decoded as cp1250" in w for w in raw.attrs["warnings"])
    note = "Sèvres: le préfet a été informé à l'aube près de la frontière à Besançon"
    western = f"event_id,location\ne1,“Border zone” — near the crossing\ne2,{note}\n"
    raw = read_raw(western.encode("cp1252"), "w.csv")  # cp1250 would read "Sčvres"
    assert raw["location"].tolist() == ["“Border zone” — near the crossing", note]
    assert any("decoded as cp1252" in w for w in raw.attrs["warnings"])
    line = "Klaipėda ir Panevėžys: pasienio tarnyba sulaikė migrantus prie sienos"
    lithuanian = "event_id,location\n" + "".join(f"e{i},{line}\n" for i in range(20))
    raw = read_raw(lithuanian.encode("cp1257"), "lt.csv")  # cp1254 ties with cp1257 here
    assert set(raw["location"]) == {line}
    assert any("decoded as cp1257" in w for w in raw.attrs["warnings"])


def test_latin1_is_decoded_and_reported():
    raw = read_raw("event_id,location\ne1,Café Zürich résumé\n".encode("latin-1"), "e.csv")
    assert raw["location"].iloc[0] == "Café Zürich résumé"
    assert raw.attrs["warnings"] and "not UTF-8" in raw.attrs["warnings"][0]


def test_ragged_row_is_flagged_not_dropped():
    raw = read_raw(b"a,b\n1,2\n3,4,5\n6\n", "r.csv")
    assert len(raw) == 3
    assert raw.attrs["row_errors"] == {1: [("", None, "row has 3 fields but the header has 2")]}
    assert pd.isna(raw["b"].iloc[2])


def test_headerless_read_names_columns_by_position():
    raw = read_raw(b"1\t20240105\tx\n2\t20240106\ty\n", "gdelt.txt", header=False)
    assert list(raw.columns) == [0, 1, 2]
    assert raw.iloc[1, 1] == "20240106"


def test_neutralised_cells_come_back():
    raw = read_raw(b"a\n'=SUM(A1)\n'-5 km\n''=x\n'plain\n", "n.csv")
    assert raw["a"].tolist() == ["=SUM(A1)", "-5 km", "'=x", "'plain"]


def test_xlsx_cells_as_text_and_articles_sheet():
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.title = "events"
    sheet.append(["event_id", "event_date", "latitude", "fatalities"])
    sheet.append(["e1", dt.datetime(2024, 3, 5), 52.25, 3.0])
    sheet.append([None, None, None, None])
    sheet.append(["e2", "2024-03", None, None])
    articles = book.create_sheet("articles")
    articles.append(["article_id", "title"])
    articles.append(["a1", "Заголовок"])
    buffer = io.BytesIO()
    book.save(buffer)
    tables = read_tables(buffer.getvalue(), "events.xlsx")
    events = tables["events"]
    assert events.iloc[0].tolist() == ["e1", "2024-03-05", "52.25", "3"]
    assert events["event_id"].tolist() == ["e1", "e2"]
    assert events.attrs["source_rows"].tolist() == [1, 3]
    assert tables["articles"]["title"].tolist() == ["Заголовок"]


def _with_cell_xml(workbook: bytes, part: str, cell: str, xml: str) -> bytes:
    """The workbook with one cell's XML replaced (openpyxl cannot write an error value)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for name in source.namelist():
            content = source.read(name)
            if name == part:
                content, count = re.subn(rf'<c r="{cell}"[^>]*?(/>|>.*?</c>)'.encode(),
                                         xml.encode(), content)
                assert count == 1
            target.writestr(name, content)
    return buffer.getvalue()


def test_xlsx_error_cells_keep_their_text():
    book = Workbook()
    book.active.title = "notes"
    events = book.create_sheet("events")  # not the first sheet: found by name
    events.append(["event_id", "fatalities", "summary"])
    events.append(["e1", 0, "ok"])
    events.append(["e2", 0, "ok"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = _with_cell_xml(buffer.getvalue(), "xl/worksheets/sheet2.xml", "B3",
                          '<c r="B3" t="e"><f>1/0</f><v>#DIV/0!</v></c>')
    data = _with_cell_xml(data, "xl/worksheets/sheet2.xml", "C2",
                          '<c t="e" r="C2"><v>#N/A</v></c>')
    data = _with_cell_xml(data, "xl/worksheets/sheet2.xml", "A3",  # an error with no value
                          '<c r="A3" t="e"/>')
    data = _with_cell_xml(data, "xl/worksheets/sheet2.xml", "C3",  # the marker as text
                          '<c r="C3" t="inlineStr"><is><t>t="e" &lt;v&gt;x</t></is></c>')
    raw = read_raw(data, "events.xlsx")
    assert raw["fatalities"].tolist() == ["0", "#DIV/0!"]  # not the next cell's value
    assert raw["summary"].tolist() == ["#N/A", 't="e" <v>x']
    assert raw["event_id"].iloc[0] == "e1" and pd.isna(raw["event_id"].iloc[1])


@pytest.mark.parametrize("name", ["events_legacy.xls", "events_legacy.ods"])
def test_old_excel_and_opendocument_workbooks_are_read(name):
    # written by tests/fixtures/make_legacy_workbooks.py (xlwt, odfpy)
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / name
    tables = read_tables(fixture.read_bytes(), name)
    events = tables["events"]
    assert events["event_id"].tolist() == ["legacy-1", "legacy-2"]
    assert events.iloc[0][["event_date", "latitude", "fatalities"]].tolist() == [
        "2024-03-05", "50.45", "2"]
    assert events["summary"].iloc[0].startswith("Test row: Київ")
    assert events.attrs["source_rows"].tolist() == [1, 3]  # the blank row keeps its number
    assert tables["articles"]["title"].tolist() == ["Test article (made up)"]


def test_xlsx_header_is_the_first_row_that_is_not_blank():
    book = Workbook()
    sheet = book.active
    sheet["B3"], sheet["C3"] = "event_id", "summary"
    sheet["B4"], sheet["C4"] = "e1", "first"
    sheet["B6"], sheet["C6"] = "e2", "_x000D_ stays a carriage return"
    buffer = io.BytesIO()
    book.save(buffer)
    raw = read_raw(buffer.getvalue(), "lower.xlsx")
    assert raw["event_id"].tolist() == ["e1", "e2"]
    assert raw["summary"].tolist() == ["first", "\r stays a carriage return"]
    assert raw.attrs["source_rows"].tolist() == [1, 3]
    assert raw["column_1"].isna().all()  # column A is empty: kept, named, blank


def test_json_records_and_embedded_articles():
    document = {"events": [{"event_id": "e1", "actors": ["A", "B"], "latitude": 52.5,
                            "fatalities": 2}],
                "articles": [{"article_id": "a1", "url": "https://x.org/"}]}
    tables = read_tables(json.dumps(document).encode(), "d.json")
    assert tables["events"].iloc[0].tolist() == ["e1", "A; B", "52.5", "2"]
    assert tables["articles"]["url"].tolist() == ["https://x.org/"]


def test_json_lines_rows_keep_their_line_numbers():
    data = (b'{"event_id": "e1", "actors": ["A", "B"], "latitude": 52.5}\n\n'
            b'{"event_id": "e2", "fatalities": 3}\n')
    raw = read_raw(data, "events.jsonl")
    assert raw["event_id"].tolist() == ["e1", "e2"]
    assert raw["actors"].iloc[0] == "A; B" and raw["fatalities"].iloc[1] == "3"
    assert raw.attrs["source_rows"].tolist() == [1, 3]  # the blank line is not a row
    with pytest.raises(LoadError, match=r"one object per line \(row 2\)"):
        read_raw(b'{"event_id": "e1"}\n["e2"]\n', "bad.jsonl")
    with pytest.raises(LoadError, match=r"not valid JSON Lines.*\(row 2\)"):
        read_raw(b'{"event_id": "e1"}\n{"event_id": \n', "cut.jsonl")


def test_geojson_point_and_polygon():
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [23.5, 52.1]},
         "properties": {"event_id": "e1"}},
        {"type": "Feature", "geometry": {"type": "LineString",
                                         "coordinates": [[23, 52], [24, 53]]},
         "properties": {"event_id": "e2"}},
        {"type": "Feature", "geometry": None, "properties": {"event_id": "e3"}},
    ]}
    raw = read_raw(json.dumps(collection).encode(), "e.geojson")
    assert raw.loc[0, ["latitude", "longitude"]].tolist() == ["52.1", "23.5"]
    assert raw.loc[1, "geometry_wkt"] == "LINESTRING (23 52, 24 53)"
    assert raw["event_id"].tolist() == ["e1", "e2", "e3"]


def test_parquet_lists_numbers_dates():
    import datetime as dt

    table = pa.table({"event_id": ["e1", "e2"], "actors": [["A", "B"], None],
                      "latitude": [52.1, None], "day": [dt.date(2024, 1, 2), None]})
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    raw = read_raw(buffer.getvalue(), "e.parquet")
    assert raw.iloc[0].tolist() == ["e1", "A; B", "52.1", "2024-01-02"]
    assert raw.iloc[1].isna().sum() == 3


def _zip_bytes(members: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (members or {"events.csv": b"event_id\ne1\n"}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_zipped_and_gzipped_files_are_read_from_inside():
    import gzip

    csv = CSV_TEXT.encode("utf-8")
    beside = {"__MACOSX/._events.csv": b"\0", "README.txt": b"what the columns mean"}
    for data, name in [(_zip_bytes({"data/events.csv": csv, **beside}), "export.zip"),
                       (gzip.compress(csv), "events.csv.gz")]:
        raw = read_raw(data, name)
        assert raw["event_id"].tolist() == ["e1", "e2"], name
        assert raw["summary"].iloc[0] == "Гродно, Białystok\nline two"
    inner_workbook = _zip_bytes({"events.ods": (Path(__file__).resolve().parents[1] / "fixtures"
                                                / "events_legacy.ods").read_bytes()})
    assert read_raw(inner_workbook, "w.zip")["event_id"].tolist() == ["legacy-1", "legacy-2"]


def _unreadable_zip(flag: int = 0, method: int = 0) -> bytes:
    """A zip of one CSV whose headers claim encryption (flag bit 1) or another compression
    method (99: AES), as archives made by other tools do: zipfile cannot read either."""
    import struct

    data = bytearray(_zip_bytes())
    local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
    struct.pack_into("<HH", data, local + 6, flag, method or 8)
    struct.pack_into("<HH", data, central + 8, flag, method or 8)
    return bytes(data)


def _damaged_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook><sheets>")
        archive.writestr("[Content_Types].xml", "not xml")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "empty"),
        (b"  \n\n", "blank.csv", "empty"),
        (b"\x80\x04\x95\x00\x00", "model.pkl", "pickle"),
        (b"\x80\x04\x95\x00\x00", "renamed.csv", "pickle"),
        (b"(lp0\nS'a'\n", "old.pickle", "pickle"),
        (_zip_bytes({"a.csv": b"x\n1\n", "b.json": b"[]"}), "two.zip", "found 2: a.csv, b.json"),
        (_zip_bytes({"notes.pdf": b"%PDF"}), "docs.zip", "exactly one data file"),
        (_zip_bytes({"inner.zip": _zip_bytes({"a.pdf": b"x"})}), "nested.zip", "found 0"),
        (b"\x1f\x8b\x08" + b"garbage" * 10, "bad.csv.gz", "gzip file that cannot be unpacked"),
        (_unreadable_zip(flag=1), "locked.zip", "password required"),
        (_unreadable_zip(method=99), "aes.zip", "compression method is not supported"),
        (bytes(range(256)) * 20, "noise.csv", "binary"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "password-protected"),
        (_damaged_workbook(), "damaged.xlsx", "not a readable workbook"),
        (b"{not json", "bad.json", "not valid JSON"),
        (b'{"hello": 1}', "obj.json", "JSON must be"),
        (b"PAR1garbage", "bad.parquet", "Parquet"),
    ],
)
def test_unreadable_files_raise_one_load_error(data, name, message):
    with pytest.raises(LoadError) as info:
        read_raw(data, name)
    assert str(info.value).startswith(f"{name}: ")
    assert message in str(info.value)


def test_missing_path_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match="no such file"):
        read_raw(tmp_path / "nope.csv")


def test_progress_callback_reaches_one():
    seen: list[float] = []
    read_raw(CSV_TEXT.encode(), "e.csv", progress=seen.append)
    assert seen and seen[-1] == 1.0 and all(0 <= s <= 1 for s in seen)


def test_one_line_is_split_on_its_most_frequent_delimiter():
    raw = read_raw(b"1180000001\t20240805\t202408\t2024\tKovel, Volyn\n", "one.tsv", header=False)
    assert raw.shape == (1, 5)
    assert raw.iloc[0, 4] == "Kovel, Volyn"


def test_utf8_check_is_chunked_without_splitting_a_letter(monkeypatch):
    from dashboard import readers

    monkeypatch.setattr(readers, "_CHECK_BYTES", 3)
    assert readers.is_utf8("a,Ł\nГродно,ż\n".encode())
    assert not readers.is_utf8("a,b\nГродно\n".encode("cp1251"))
    raw = read_raw("a,b\nŁódź,Гродно\n".encode(), "t.csv")
    assert raw.iloc[0].tolist() == ["Łódź", "Гродно"]


def test_progress_stage_maps_a_step_onto_its_share():
    from dashboard.readers import progress_stage

    seen: list[float] = []
    stage = progress_stage(seen.append, 0.5, 0.75)
    for share in (0.0, 0.5, 1.0, 2.0):
        stage(share)
    assert seen == [0.5, 0.625, 0.75, 0.75]
    assert progress_stage(None, 0.0, 1.0) is None


def test_xlsx_progress_moves_while_rows_are_read(monkeypatch):
    from dashboard import readers

    monkeypatch.setattr(readers, "_SHEET_PROGRESS_ROWS", 2)
    book = Workbook()
    book.active.append(["event_id", "summary"])
    for number in range(10):
        book.active.append([f"e{number}", "text"])
    buffer = io.BytesIO()
    book.save(buffer)
    seen: list[float] = []
    raw = read_raw(buffer.getvalue(), "e.xlsx", progress=seen.append)
    assert len(raw) == 10
    assert len(seen) > 3 and 0 < seen[0] < seen[-2] < 1 and seen[-1] == 1.0


# -- text the readers once lost or refused ---------------------------------------------------

GDELT_V2 = (Path(__file__).resolve().parents[1] / "fixtures" / "gdelt_v2.tsv").read_bytes()


@pytest.mark.parametrize("cell", ['"RUSSIA', '"RUSSIA"', 'RUS"SIA', '"', '""', '"a""b'])
def test_a_headerless_tsv_takes_quotes_as_characters(cell):
    # GDELT has no quoting: a cell opening with '"' swallowed the fields and lines after it
    lines = [b"1\tx\ty", f"2\t{cell}\tz".encode(), b"3\tw\tv", b"4\t\"\tu"]
    raw = read_raw(b"\n".join(lines) + b"\n", "events.export.CSV", header=False)
    assert raw.values.tolist() == [["1", "x", "y"], ["2", cell, "z"], ["3", "w", "v"],
                                   ["4", '"', "u"]]


def test_a_gdelt_cell_opening_with_a_quote_keeps_every_line_a_row():
    from dashboard.importers import import_file

    first, second = GDELT_V2.rstrip(b"\n").split(b"\n")
    quoted = first.replace(b"\tRUSSIA\t", b'\t"RUSSIA\t')
    imported = import_file(b"\n".join([quoted, second, second.replace(b"1190000002",
                                                                      b"1190000003")]) + b"\n",
                           "20240809.export.CSV")
    assert imported.format == "gdelt"
    assert (imported.rows_read, len(imported.events)) == (3, 3)


@pytest.mark.parametrize(
    ("data", "columns", "rows"),
    [
        # a lone CR inside an unquoted cell (the csv module writes it so under "\n" line ends)
        (b"a,b\nx\ry,z\n1,2\n", ["a", "b"], [["x\ry", "z"], ["1", "2"]]),
        (b"a,b\n1,x\ry\n3,4\n", ["a", "b"], [["1", "x\ry"], ["3", "4"]]),
        (b"a\nx\ry\n1\n", ["a"], [["x\ry"], ["1"]]),  # one column: two rows, not three
        (b"a,b\r\n1,x\ry\r\n3,4\r\n", ["a", "b"], [["1", "x\ry"], ["3", "4"]]),
        (b'a,b\n"x\ry",z\n', ["a", "b"], [["x\ry", "z"]]),  # quoted: as before
        (b"a\rb,c\n1,2\n", ["a\rb", "c"], [["1", "2"]]),  # in the header
        # a file whose lines end in a lone CR (Excel's "CSV (Macintosh)"), even with a quoted
        # line break or a row too long: the CRs end its lines
        (b"a,b\r1,2\r3,4\r", ["a", "b"], [["1", "2"], ["3", "4"]]),
        (b'a,b\r1,"2\nz"\r3,4\r', ["a", "b"], [["1", "2\nz"], ["3", "4"]]),
        (b"a,b\r1,2\r3,4,5\r", ["a", "b"], [["1", "2"], ["3", "4"]]),
    ],
)
def test_a_lone_carriage_return_stays_in_its_cell(data, columns, rows):
    raw = read_raw(data, "cr.csv")
    assert list(raw.columns) == columns
    assert raw.values.tolist() == rows


def test_a_lone_carriage_return_in_a_cell_loads_every_row():
    from dashboard.dataset import load_dataset

    data = (b"event_id,event_date,topic,country,verification,summary\n"
            b"e1,2024-01-01,strike,POL,confirmed,before\rafter\n"
            b"e2,2024-01-02,strike,POL,confirmed,plain\n")
    dataset = load_dataset(data, "cr.csv")
    report = dataset.reports[0]
    assert (report.rows_read, report.accepted) == (2, 2)
    assert dataset.events["summary"].tolist() == ["before\rafter", "plain"]


ANSI_ROWS = "".join(f"e{n},\x1b[31mred {n}\x1b[0m \x07\x08\n" for n in range(50))


@pytest.mark.parametrize(
    ("data", "cells"),
    [
        # control characters in far more than 1% of the bytes: ANSI colours, a bell, backspace
        (("event_id,summary\n" + ANSI_ROWS).encode(), 50),
        # in a code page: ANSI colours (ESC is no binary byte)
        (("event_id,summary\n" + ANSI_ROWS.replace(" \x07\x08", "")).encode("cp1251")
         + "e50,Гродно\n".encode("cp1251"), 51),
        (("event_id,summary\n" + "e1,\x01 marks a field and \x1f a unit\n" * 20).encode(), 20),
    ],
)
def test_text_with_control_characters_is_read(data, cells):
    raw = read_raw(data, "ansi.csv")
    assert len(raw) == cells
    assert raw["summary"].iloc[0] in ("\x1b[31mred 0\x1b[0m \x07\x08", "\x1b[31mred 0\x1b[0m",
                                      "\x01 marks a field and \x1f a unit")


def test_our_own_export_of_control_characters_loads_back():
    from dashboard.dataset import load_dataset
    from dashboard.export import export_events

    rows = "".join(f"e{n},2024-01-01,strike,POL,confirmed,\x1b[1m{n}\x1b[0m\x1b[K\n"
                   for n in range(30))
    events = load_dataset(("event_id,event_date,topic,country,verification,summary\n"
                           + rows).encode(), "ansi.csv").events
    again = load_dataset(export_events(events, "csv"), "round_trip.csv")
    assert again.events["summary"].tolist() == events["summary"].tolist()
    assert len(again.events) == 30


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 20,
    __import__("random").Random(7).randbytes(300_000),  # compressed or encrypted data
    b"\x00\x00\x00\x10IHDR record\x00\x01" * 1000,  # NUL-padded records, all ASCII
    b"\x01\x02\x03\x04\x05\x06\x0e\x0f" * 1000,  # control characters and nothing else
])
def test_binary_data_is_still_refused(data):
    with pytest.raises(LoadError, match=r"^blob\.csv: binary data that is not a supported"):
        read_raw(data, "blob.csv")


@pytest.mark.parametrize(
    ("lines", "width", "first"),
    [
        # a first line longer than 64 KB (the width and delimiter were sniffed from 64 KB)
        (["1\t" + "x" * 100_000 + "\t" + "a;" * 50_000, "2\ty\tz"], 3, "x" * 100_000),
        (["1\t" + "a;" * 50_000 + "\tq", "2\ty\tz", "3\tw\tv"], 3, "a;" * 50_000),
        (["1\t" + "a;" * 50_000 + "\tq"], 3, "a;" * 50_000),  # one line: the tab still wins
        (["1\t" + '"' * 100_000 + "\tq", "2\ty\tz"], 3, '"' * 100_000),
    ],
)
def test_a_headerless_file_is_sniffed_from_whole_first_lines(lines, width, first):
    raw = read_raw(("\n".join(lines) + "\n").encode(), "gdelt.tsv", header=False)
    assert raw.shape == (len(lines), width)
    assert raw.iloc[0, 1] == first


def test_a_header_longer_than_a_megabyte_is_read_whole():
    names = [f"{n:04d}" + " long name" * 60 for n in range(2_000)]  # 1.2 MB: cut at 1 MB
    raw = read_raw((";".join(names) + "\n" + ";".join("x" * len(names)) + "\n").encode(),
                   "wide.csv")
    assert list(raw.columns) == names


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b'[{"event_id": "e1", "summary": "a\\u0000b"}, {"event_id": "e2", "summary": "ok"}]',
         "nul.json"),
        (b'{"event_id": "e1", "summary": "a\\u0000b"}\n{"event_id": "e2", "summary": "ok"}\n',
         "nul.jsonl"),
        (b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": null, '
         b'"properties": {"event_id": "e1", "summary": "a\\u0000b"}}, {"type": "Feature", '
         b'"geometry": null, "properties": {"event_id": "e2", "summary": "ok"}}]}',
         "nul.geojson"),
        (b"event_id,summary\ne1,a\x00b\ne2,ok\n", "nul.csv"),
    ],
)
def test_a_nul_in_a_cell_rejects_its_row_in_every_format(data, name):
    raw = read_raw(data, name)
    assert raw.attrs["row_errors"] == {0: [("summary", "a\ufffdb",
                                            "a NUL byte (0x00) at column 'summary'")]}
    assert raw["summary"].tolist() == ["a\ufffdb", "ok"]


def test_a_nul_in_a_parquet_cell_rejects_its_row():
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"event_id": ["e1", "e2"], "summary": ["a\x00b", "ok"]}), sink)
    raw = read_raw(sink.getvalue().to_pybytes(), "nul.parquet")
    assert raw.attrs["row_errors"] == {0: [("summary", "a\ufffdb",
                                            "a NUL byte (0x00) at column 'summary'")]}


@pytest.mark.parametrize(("cells", "rows", "holds"), [
    (["ab", "c\x00d", None], slice(None), True),
    (["ab", "c\x00d", None], slice(0, 1), False),  # the NUL's bytes lie past the slice
    (["c\x00d", "ab", "e"], slice(1, None), False),  # and before it
    (["ab", "cd", "e\x00"], slice(1, None), True),
    (["\x00"], slice(None), True),
    ([None, None], slice(None), False),
    ([], slice(None), False),
])
def test_a_nul_is_found_in_a_columns_own_cells_only(cells, rows, holds):
    from dashboard.readers import _holds_nul

    column = pd.Series(cells, dtype="str").iloc[rows]
    assert _holds_nul(column) is holds
    assert _holds_nul(column.astype(object)) is holds  # not Arrow text: searched per cell


def test_a_rejected_nul_row_of_json_lines_is_counted_with_its_line():
    from dashboard.dataset import load_dataset

    good = '{"event_id": "e%d", "event_date": "2024-01-01", "topic": "strike", ' \
           '"country": "POL", "verification": "confirmed"}\n'
    data = (good % 1 + "\n" + good.replace('"confirmed"', '"confirmed", "summary": "\\u0000"')
            % 2 + good % 3).encode()
    report = load_dataset(data, "nul.jsonl").reports[0]
    assert (report.rows_read, report.accepted, report.rejected_rows) == (3, 2, 1)
    assert report.rejected[["row", "column"]].values.tolist() == [[3, "summary"]]


def test_a_json_key_holding_a_nul_is_one_load_error():
    with pytest.raises(LoadError, match=r"^k\.json: the key 'a\?' \(column 2\) holds a NUL"):
        read_raw(b'[{"event_id": "e1", "a\\u0000": "x"}]', "k.json")
