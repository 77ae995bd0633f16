"""Command line: validate (text, --json, --rejects, exit codes), convert, export --query."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.dataset import load_bundled, load_dataset
from dashboard.schema import EVENT_COLUMNS

ROOT = Path(__file__).resolve().parents[2]
GOOD = "event_id,event_date,topic,verification\ne1,2024-01-05,strike,reported\n"
BAD = GOOD + "e2,2022-13-40,foo,reported\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_validate_all_accepted_exits_0(tmp_path, capsys):
    assert main(["validate", str(write(tmp_path, "good.csv", GOOD))]) == 0
    out = capsys.readouterr().out
    assert "format canonical" in out and "rows read: 1  accepted: 1  rejected: 0" in out


def test_validate_with_rejects_exits_1_and_writes_them(tmp_path, capsys):
    rejects = tmp_path / "rejects.csv"
    code = main(["validate", str(write(tmp_path, "bad.csv", BAD)), "--rejects", str(rejects)])
    assert code == 1
    out = capsys.readouterr().out
    assert "row 2, event_date: bad date '2022-13-40'" in out
    lines = pd.read_csv(rejects, encoding="utf-8-sig")
    assert set(lines["reason"]) == {
        "bad date '2022-13-40' (expected YYYY-MM-DD, YYYY-MM or YYYY)",
        "unknown topic 'foo' (see data/topics.csv)"}


def test_validate_json(tmp_path, capsys):
    main(["validate", str(write(tmp_path, "bad.csv", BAD)), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert (document["read"], document["accepted"], document["rejected"]) == (2, 1, 1)
    assert {r["column"] for r in document["reasons"]} == {"event_date", "topic"}


FIXTURES = ROOT / "tests" / "fixtures"
# an ACLED monadic export whose second row has no event id: one row merged, one rejected
MONADIC_WITH_REJECT = (FIXTURES / "acled_monadic.csv").read_text(encoding="utf-8") + (
    ",9-May-20,2020,1,Demonstrations,Protests,Peaceful protest,Protesters (Belarus),,"
    "Protesters,Protesters only,,112,Europe,Belarus,Minsk,,,Minsk,53.9,27.5,1,Test outlet,"
    "National,Test row without an id.,0,,1723576772\n")


@pytest.mark.parametrize(
    ("text", "code", "counts"),  # counts: read, accepted, merged, rejected (--json)
    [
        (GOOD, 0, (1, 1, 0, 0)),
        (BAD, 1, (2, 1, 0, 1)),
        ((FIXTURES / "acled_monadic.csv").read_text(encoding="utf-8"), 0, (3, 2, 1, 0)),
        (MONADIC_WITH_REJECT, 1, (4, 2, 1, 1)),
    ],
)
def test_validate_exit_code_counts_rejected_not_merged_rows(tmp_path, capsys, text, code,
                                                            counts):
    path = write(tmp_path, "events.csv", text)
    assert main(["validate", str(path), "--json"]) == code
    document = json.loads(capsys.readouterr().out)
    assert tuple(document[k] for k in ("read", "accepted", "merged", "rejected")) == counts
    assert main(["validate", str(path)]) == code


def test_validate_text_says_actor_rows_were_merged(capsys):
    assert main(["validate", str(FIXTURES / "acled_monadic.csv")]) == 0
    out = capsys.readouterr().out
    assert "rows read: 3  accepted: 2  merged: 1  rejected: 0" in out
    assert "1 actor row merged into its event (not rejected)" in out


def test_unreadable_file_exits_2_with_one_line(tmp_path):
    pickle = tmp_path / "data.pkl"
    pickle.write_bytes(b"\x80\x04\x95")
    result = subprocess.run([sys.executable, "-m", "dashboard", "validate", str(pickle)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr.startswith("error: data.pkl: pickle")
    assert "Traceback" not in result.stderr


def test_missing_file_exits_2(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "none.csv")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_convert_writes_accepted_events(tmp_path):
    out = tmp_path / "out.parquet"
    assert main(["convert", str(write(tmp_path, "bad.csv", BAD)), "-o", str(out)]) == 1
    back = load_dataset(out)
    assert back.events["event_id"].tolist() == ["e1"]


def test_convert_bad_extension_exits_2(tmp_path, capsys):
    assert main(["convert", str(write(tmp_path, "g.csv", GOOD)), "-o", "x.txt"]) == 2
    assert "cannot export to '.txt'" in capsys.readouterr().err


def test_export_query_filters_like_the_dashboard(tmp_path):
    from dashboard.filters import Filters

    out = tmp_path / "pol.csv"
    assert main(["export", "--query", "country=POL&topic=border_zone", "-o", str(out)]) == 0
    bundled = load_bundled()
    filters, _ = Filters.from_query({"country": "POL", "topic": "border_zone"})
    expected = filters.apply(bundled.events, bundled.articles)
    back = load_dataset(out, articles=ROOT / "data" / "articles.csv")
    assert len(expected) > 0
    pd.testing.assert_frame_equal(back.events[EVENT_COLUMNS],
                                  expected[EVENT_COLUMNS].reset_index(drop=True))


def test_export_articles_behind_events(tmp_path):
    from dashboard.filters import Filters, articles_for

    out = tmp_path / "articles.csv"
    assert main(["export", "--query", "country=POL", "--articles", "-o", str(out)]) == 0
    bundled = load_bundled()
    filters, _ = Filters.from_query({"country": "POL"})
    expected = articles_for(filters.apply(bundled.events, bundled.articles), bundled.articles)
    written = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert sorted(written["article_id"]) == sorted(expected["article_id"])


def test_validate_with_mapping_file(tmp_path, capsys):
    data = write(tmp_path, "own.csv",
                 "Nr;Datum;Ort;Breite;Länge;Text\n1;2024-05-01;Białystok;53.13;23.16;Zaun\n")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"event_id": "Nr", "date": "Datum", "location": "Ort",
                                   "latitude": "Breite", "longitude": "Länge",
                                   "summary": "Text"}), encoding="utf-8")
    assert main(["validate", str(data), "--mapping", str(mapping), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert (document["format"], document["read"], document["accepted"]) == ("mapped", 1, 1)


def test_mapping_naming_a_missing_column_exits_2(tmp_path, capsys):
    data = write(tmp_path, "own.csv", "a,b\n1,2\n")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"event_id": "nope"}), encoding="utf-8")
    assert main(["validate", str(data), "--mapping", str(mapping)]) == 2
    assert "own.csv: mapped column 'nope' is not in the file" in capsys.readouterr().err


FIXTURES = ROOT / "tests" / "fixtures"


def test_convert_with_viina_labels_keeps_their_topics(tmp_path, capsys):
    out = tmp_path / "viina.csv"
    code = main(["convert", str(FIXTURES / "viina_event_info.csv"),
                 "--labels", str(FIXTURES / "viina_event_labels.csv"), "-o", str(out)])
    assert code == 1  # the report without an event_id is rejected
    events = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert sorted(events["topic"]) == ["armed_clash", "strike"]
    assert set(events["source_dataset"]) == {"viina (ODbL 1.0)"}


def test_validate_with_labels_reports_the_join(capsys):
    main(["validate", str(FIXTURES / "viina_event_info.csv"),
          "--labels", str(FIXTURES / "viina_event_labels.csv"), "--json"])
    document = json.loads(capsys.readouterr().out)
    assert document["format"] == "viina"
    assert any("gave labels for 2 of 3" in w for w in document["warnings"])


def test_export_with_labels_filters_on_their_topics(tmp_path):
    out = tmp_path / "strikes.csv"
    code = main(["export", "--data", str(FIXTURES / "viina_event_info.csv"),
                 "--labels", str(FIXTURES / "viina_event_labels.csv"),
                 "--query", "topic=strike", "-o", str(out)])
    assert code == 0
    events = pd.read_csv(out, encoding="utf-8-sig", dtype=str)
    assert events["event_id"].tolist() == ["viina:2024080500001"]


def test_export_labels_without_data_exits_2(tmp_path, capsys):
    code = main(["export", "--labels", str(FIXTURES / "viina_event_labels.csv"),
                 "-o", str(tmp_path / "x.csv")])
    assert code == 2
    assert "--labels needs --data" in capsys.readouterr().err


def test_a_closed_pipe_stops_the_command_quietly():
    """`validate FILE | head -1` must not end with "error: Broken pipe" or a traceback."""
    process = subprocess.Popen([sys.executable, "-m", "dashboard", "validate",
                                str(FIXTURES / "acled_dyadic.csv")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # before the command has written anything (it starts slower)
    errors = process.stderr.read()
    assert process.wait() == 141
    assert errors == b""


def test_the_readme_lists_every_url_key():
    """The README's table of query keys is the registry's, no more and no less."""
    import re

    from dashboard.filters import QUERY_KEYS, VIEW_KEYS

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Sharing a view: URL query keys", 1)[1].split("\n## ", 1)[0]
    table = {key for line in section.splitlines() if line.startswith("| `")
             for key in re.findall(r"`([a-z]+)`", line.split("|")[1])}
    assert table == {spec.key for spec in QUERY_KEYS}
    for key in VIEW_KEYS:
        assert f"`{key}=" in section


@pytest.mark.parametrize(("query", "events", "notice"), [
    ("country=XXX", 24, "Country 'XXX' does not occur in the data; ignored."),
    ("country=POL&area=Poland", 6, None),  # evt-022 ("eastern Poland") has no point
    ("area=POL&precise=1", 1, None),
    ("area=Atlantis", 24, "Area 'Atlantis' is not a unit of the boundaries in use"),
    ("bbox=23,51,25,54", 7, None),
])
def test_export_resolves_a_query_as_the_dashboard_does(tmp_path, capsys, query, events, notice):
    out = tmp_path / "events.csv"
    assert main(["export", "--query", query, "-o", str(out)]) == 0
    said = capsys.readouterr().err
    assert f"wrote {events} events" in said
    assert (notice in said) if notice else "notice:" not in said


@pytest.mark.parametrize("engine", ["duckdb", "spark"])
@pytest.mark.parametrize("command", [["validate", "{file}"],
                                     ["export", "--data", "{file}", "-o", "{out}"]])
def test_add_is_refused_on_an_engine_reading_one_table(
        engine: str, command: list[str], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    file, out = tmp_path / "events.parquet", tmp_path / "out.csv"
    args = [part.format(file=file, out=out) for part in command]
    assert main([*args, "--engine", engine, "--add", str(file)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: --add needs the memory engine: the {engine} engine reads one table (give "
        "the files as one folder or glob)")
    assert not out.exists()


@pytest.mark.parametrize(("output", "extra", "companion", "written"), [
    ("acled.parquet", [], "acled_articles.parquet", True),  # read back beside it
    ("acled.csv", [], "acled_articles.csv", True),
    ("acled.geojson", [], "acled_articles.geojson", False),  # the file holds them
    ("acled.xlsx", [], "acled_articles.xlsx", False),
    ("acled.parquet", ["--articles-out", "sources.csv"], "acled_articles.parquet", False),
])
def test_convert_keeps_the_articles(tmp_path, capsys, output, extra, companion, written):
    source = ROOT / "tests" / "fixtures" / "acled_dyadic.csv"
    original = load_dataset(source)
    assert len(original.articles) > 0
    out = tmp_path / output
    args = [arg if not arg.endswith(".csv") or arg.startswith("-") else str(tmp_path / arg)
            for arg in extra]
    assert main(["convert", str(source), "-o", str(out), *args]) == 1  # a row is rejected
    assert (tmp_path / companion).exists() == written
    err = capsys.readouterr().err
    if out.suffix in (".parquet", ".csv"):  # loads back with its sources, as the engines do
        back = load_dataset(out, articles=tmp_path / "sources.csv" if extra else None)
        assert back.articles["article_id"].tolist() == original.articles["article_id"].tolist()
        assert back.articles["url"].tolist() == original.articles["url"].tolist()
        named = tmp_path / (companion if written else "sources.csv")
        assert f"wrote {len(original.articles):,} articles to {named}" in err


def test_convert_never_writes_its_companion_over_an_input(tmp_path, capsys):
    events = write(tmp_path, "x.csv", GOOD.replace("e1,", "e1,").replace(
        "verification\n", "verification,article_ids\n").replace("reported\n", "reported,a1\n"))
    articles = write(tmp_path, "x_articles.csv",
                     "article_id,url,outlet,published\na1,https://example.org/a,Example,"
                     "2024-01-05\n")
    before = articles.read_bytes()
    assert main(["convert", str(events), "-o", str(tmp_path / "x.csv")]) == 2
    assert "choose where with --articles-out" in capsys.readouterr().err
    assert articles.read_bytes() == before


def test_convert_replaces_a_stale_companion(tmp_path):
    stale = write(tmp_path, "out_articles.csv",
                  "article_id,url,outlet,published\nold,https://example.org/o,Old,2020-01-01\n")
    assert main(["convert", str(write(tmp_path, "g.csv", GOOD)), "-o",
                 str(tmp_path / "out.csv")]) == 0
    assert load_dataset(tmp_path / "out.csv").articles.empty
    assert "old" not in stale.read_text(encoding="utf-8-sig")


OSINT = FIXTURES / "mapped_osint.geojson"  # a GeoJSON in no importer's layout


def test_an_unrecognised_file_names_the_mapping_command(capsys):
    assert main(["validate", str(OSINT)]) == 2
    err = capsys.readouterr().err
    assert "format not recognised from its columns" in err
    assert f"python -m dashboard mapping {OSINT} -o MAPPING.json" in err


@pytest.mark.parametrize("to_file", [True, False])
def test_the_guessed_mapping_reads_the_file(tmp_path, capsys, to_file):
    mapping = tmp_path / "mapping.json"
    assert main(["mapping", str(OSINT), *(["-o", str(mapping)] if to_file else [])]) == 0
    out, err = capsys.readouterr()
    if not to_file:
        mapping.write_text(out, encoding="utf-8")
    else:
        assert out == ""
    assert json.loads(mapping.read_text(encoding="utf-8"))["summary"] == "description"
    assert "columns not mapped: verified" in err and "no column found for country" in err
    assert "country_from_coordinates is on" in err
    assert main(["validate", str(OSINT), "--mapping", str(mapping), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert (document["format"], document["read"], document["accepted"]) == ("mapped", 3, 2)
    events = load_dataset(OSINT, mapping=str(mapping)).events.set_index("event_id")
    assert events.loc[["fixture-1", "fixture-2"], "event_date"].tolist() == [
        "2024-06-13", "2024-06-14"]
    # Vilnius is clear of every border; fixture-1, by Brest, is 2 km from Poland
    assert events.loc[["fixture-1", "fixture-2"], "country"].fillna("-").tolist() == ["-", "LTU"]


def test_mapping_never_writes_over_its_input(tmp_path, capsys):
    data = tmp_path / "own.geojson"
    data.write_bytes(OSINT.read_bytes())
    assert main(["mapping", str(data), "-o", str(data)]) == 2
    assert "is the file read" in capsys.readouterr().err
    assert data.read_bytes() == OSINT.read_bytes()
