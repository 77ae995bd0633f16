"""Citations: the registry of known datasets, the facts of an export, README.txt and
CITATION.cff."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from importlib.metadata import version

import pandas as pd
import pytest
import yaml

from dashboard.citation import (
    NOT_HASHED,
    UNKNOWN_LICENCE,
    DataFile,
    DataVersion,
    Source,
    files_version,
    launch_version,
    make_citation,
    parse_exported,
    registry,
    source_for,
)
from dashboard.dataset import BUNDLED_ARTICLES, BUNDLED_EVENTS
from dashboard.filters import Filters

EXPORTED = datetime(2025, 5, 1, 12, 0, 0, tzinfo=UTC)
VERSION = version("border-security-dashboard")
SPDX_IDS = {"CC-BY-4.0", "ODbL-1.0", "MIT"}  # the ones the registry may give


@pytest.mark.parametrize(("name", "licence", "cited"), [
    ("acled", "ACLED Terms of Use", "Raleigh, Clionadh"),
    ("ACLED", "ACLED Terms of Use", "Raleigh, Clionadh"),
    ("ucdp", "not stated in UCDP's own pages", "Sundberg, Ralph and Erik Melander (2013)"),
    ("UCDP GED 22.1", "not stated in UCDP's own pages", "Sundberg, Ralph and Erik Melander"),
    ("viina (ODbL 1.0)", "ODbL 1.0", "Zhukov, Yuri (2022)"),
    ("gdelt", "Free to use with attribution to the GDELT Project", "Leetaru, Kalev"),
    ("bundled", "MIT, as the repository", "Border security dashboard, bundled data"),
    ("my_events", UNKNOWN_LICENCE, "my_events"),
    ("not acled", UNKNOWN_LICENCE, "not acled"),  # the whole name must match
])
def test_each_dataset_gets_its_licence_and_citation(name, licence, cited):
    source = source_for(name)
    assert source.name == name
    assert source.licence.startswith(licence)
    assert source.citation.startswith(cited)


def test_an_unknown_dataset_is_cited_by_its_name_and_an_unknown_licence():
    assert source_for("survey.xlsx") == Source("survey.xlsx", "survey.xlsx", "survey.xlsx",
                                               UNKNOWN_LICENCE, "survey.xlsx")


REGISTRY_HEADER = "name_pattern,title,author,licence,spdx,citation,url\n"


def test_the_first_matching_row_wins(tmp_path):
    """A release's own row goes above the dataset's general one."""
    path = tmp_path / "datasets.csv"
    path.write_text(REGISTRY_HEADER
                    + "UCDP GED 22\\.1,GED 22.1,UCDP,CC BY 4.0,CC-BY-4.0,Davies 2022,u1\n"
                    + "ucdp.*,GED,UCDP,CC BY 4.0,CC-BY-4.0,Sundberg 2013,u2\n",
                    encoding="utf-8")
    known = registry(path)
    assert [source_for(n, known).citation for n in ("UCDP GED 22.1", "UCDP GED 25.1")] == [
        "Davies 2022", "Sundberg 2013"]


@pytest.mark.parametrize(("text", "message"), [
    ("name_pattern,title,licence\n", "missing column(s) author, citation, spdx, url"),
    (REGISTRY_HEADER + "acled(,A,A,L,,C,U\n", "row 2, name_pattern"),
])
def test_a_broken_registry_names_what_is_wrong(tmp_path, text, message):
    path = tmp_path / f"broken{len(text)}.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{re.escape(path.name)}.*{re.escape(message)}"):
        registry(path)


def test_every_registry_row_is_complete():
    for entry in registry():
        assert entry.title and entry.author and entry.licence and entry.citation, entry
        assert entry.spdx in SPDX_IDS | {""}, entry


@pytest.mark.parametrize("text", [
    "2025-05-01T12:00:00Z", "2025-05-01T14:00:00+02:00", "2025-05-01T12:00:00",
    "2025-05-01T12:00:00.75Z",
])
def test_export_times_are_read_as_utc_seconds(text):
    assert parse_exported(text) == EXPORTED


def test_a_bad_export_time_is_one_clear_error():
    with pytest.raises(ValueError, match="'yesterday' is not an ISO 8601 time"):
        parse_exported("yesterday")


def _events(datasets: list[str | None]) -> pd.DataFrame:
    return pd.DataFrame({"source_dataset": pd.Series(datasets, dtype="str")})


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_the_metadata_of_an_export(tmp_path):
    (tmp_path / "acled.csv").write_bytes(b"one")
    (tmp_path / "acled_articles.csv").write_bytes(b"two")
    filters, _ = Filters.from_query({"country": "POL,LTU", "topic": "border_zone"})
    citation = make_citation(
        filters, _events(["survey", "acled", None, "acled"]),
        data_version=[launch_version(tmp_path / "acled.csv")], exported=EXPORTED,
        topic_labels={"border_zone": "Border zones"})
    acled = source_for("acled")
    assert citation.metadata() == {
        "filter": "Events in Poland or Lithuania, topic Border zones",
        "language": "en",
        "query": "country=POL,LTU&topic=border_zone",
        "exported": "2025-05-01T12:00:00Z",
        "dashboard_version": VERSION,
        "data_version": [{"name": "acled.csv", "files": [
            {"name": "acled.csv", "sha256": _sha(b"one")},
            {"name": "acled_articles.csv", "sha256": _sha(b"two")}]}],
        "sources": [
            {"name": "acled", "title": acled.title, "licence": acled.licence,
             "citation": acled.citation, "url": acled.url},
            {"name": "survey", "title": "survey", "licence": UNKNOWN_LICENCE,
             "citation": "survey", "url": ""},
        ],
    }


def test_the_bundled_data_is_named_by_its_files():
    assert launch_version(None) == DataVersion("the bundled dataset", (
        DataFile("events.csv", _sha(BUNDLED_EVENTS.read_bytes())),
        DataFile("articles.csv", _sha(BUNDLED_ARTICLES.read_bytes()))))


def _citation(tmp_path) -> object:
    (tmp_path / "events.csv").write_bytes(b"rows")
    filters, _ = Filters.from_query({"country": "POL"})
    return make_citation(filters, _events(["viina (ODbL 1.0)", "mine: \"odd\" name"]),
                         data_version=[files_version("mine", [tmp_path / "events.csv"])],
                         exported=EXPORTED)


def test_citation_cff_is_cff_1_2_0_with_a_reference_per_source(tmp_path):
    document = yaml.safe_load(_citation(tmp_path).cff())
    # what the CFF 1.2.0 schema requires, and the types it allows
    assert {"cff-version", "message", "title", "authors"} <= set(document)
    assert document["cff-version"] == "1.2.0"
    assert document["type"] == "dataset"
    assert document["date-released"] == "2025-05-01"
    assert document["title"] == "Border security dashboard export: Events in Poland"
    assert all(set(a) == {"name"} and a["name"] for a in document["authors"])
    assert document["identifiers"] == [
        {"type": "other", "value": f"sha256:{_sha(b'rows')}",
         "description": "events.csv of mine"}]
    viina = source_for("viina (ODbL 1.0)")
    assert document["references"] == [
        {"type": "dataset", "title": 'mine: "odd" name',
         "authors": [{"name": 'mine: "odd" name'}],
         "notes": f'mine: "odd" name. Licence: {UNKNOWN_LICENCE}. Cite as: mine: "odd" name'},
        {"type": "dataset", "title": viina.title, "authors": [{"name": viina.author}],
         "license": "ODbL-1.0", "url": viina.url,
         "notes": f"viina (ODbL 1.0). Licence: {viina.licence}. Cite as: {viina.citation}"},
    ]


def test_readme_says_the_same_facts_for_a_person(tmp_path):
    text = _citation(tmp_path).readme([("events_POL.csv", "the 2 filtered events")])
    for line in ["What:       Events in Poland", "URL query:  country=POL",
                 "Exported:   2025-05-01T12:00:00Z (UTC)",
                 f"Dashboard:  border-security-dashboard {VERSION}",
                 "events_POL.csv  the 2 filtered events",
                 f"  events.csv  sha256 {_sha(b'rows')}",
                 "viina (ODbL 1.0): VIINA: Violent Incident Information from News Articles "
                 "on the 2022 Russian Invasion of Ukraine",
                 "  Licence: ODbL 1.0 (derived databases you share must stay under the ODbL)",
                 f"  Licence: {UNKNOWN_LICENCE}"]:
        assert line in text.splitlines(), line


def test_a_file_not_hashed_here_is_named_and_said_to_have_no_sha256(tmp_path):
    """A Spark Connect server's file this machine cannot read: every form of the citation
    names it and says in words why its SHA-256 is missing, beside the hashed ones."""
    (tmp_path / "events.parquet").write_bytes(b"rows")
    version = files_version("lake", [tmp_path / "events.parquet"], unread=["part-0.parquet"])
    assert version.files == (DataFile("events.parquet", _sha(b"rows")),
                             DataFile("part-0.parquet", None))
    citation = make_citation(Filters(), _events(["acled"]), data_version=[version],
                             exported=EXPORTED)
    assert citation.metadata()["data_version"] == [{"name": "lake", "files": [
        {"name": "events.parquet", "sha256": _sha(b"rows")},
        {"name": "part-0.parquet", "sha256": None, "sha256_missing": NOT_HASHED}]}]
    assert ["lake", "part-0.parquet", NOT_HASHED] in citation.about_rows()
    assert f"  part-0.parquet  sha256 {NOT_HASHED}" in citation.readme([]).splitlines()
    document = yaml.safe_load(citation.cff())
    assert [i["value"] for i in document["identifiers"]] == [f"sha256:{_sha(b'rows')}"]
    assert f"The SHA-256 of part-0.parquet of lake is {NOT_HASHED}." in document["abstract"]
    assert NOT_HASHED.startswith("not computed: the Spark Connect server reads this file")
