"""The duckdb engine's validated copy tests a country through codes of the involved lists.

Validation gives each distinct (normalised) ``countries_involved`` list a code, kept in the
copy's ``involved_lists`` table, and each event the code of its list (``_involved``); the
country filter then finds the lists meeting the chosen countries among those few rows
and probes each event's integer code, instead of splitting every event's text. The answers
must be the memory engine's: an event's own country, or any country it involves, with
lists written in odd case, spacing and repeats meaning the same list.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bench import generate
from dashboard.dataset import load_dataset
from dashboard.engines.duckdb_backend import DuckDBBackend, open_validated
from dashboard.engines.duckdb_query import where
from dashboard.engines.duckdb_tables import open_source
from dashboard.filters import Filters

#: (country, countries_involved as the file gives it) of each event, in file order.
ROWS = [
    ("POL", None),
    ("UKR", "POL"),
    ("UKR", "ltu ; pol"),
    ("BLR", "LTU; POL"),     # the same list as the row before, once normalised
    ("UKR", "LVA;LVA"),      # a repeat: the list LVA
    ("MDA", None),
    ("ROU", "UKR; MDA"),
    ("LTU", ""),             # blank: no list
    ("EST", "  "),
]


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data, _ = generate.generate(len(ROWS), seed=1)
    events = data.events
    for name, values in (("country", [c for c, _ in ROWS]),
                         ("countries_involved", [i for _, i in ROWS])):
        events = events.set_column(events.column_names.index(name), name,
                                   pa.array(values, pa.string()))
    path = tmp_path_factory.mktemp("codes") / "events.parquet"
    pq.write_table(events, path)
    return path


@pytest.fixture(scope="module")
def backend(lake: Path) -> DuckDBBackend:
    return open_validated(str(lake), cache_dir=lake.parent / "cache")


def _ids(lake: Path, rows: list[int]) -> list[str]:
    ids = pq.read_table(lake, columns=["event_id"]).column(0).to_pylist()
    return [ids[i] for i in rows]


@pytest.mark.parametrize(("countries", "rows"), [
    (("POL",), [0, 1, 2, 3]),
    (("LTU",), [2, 3, 7]),
    (("LVA",), [4]),
    (("MDA",), [5, 6]),
    (("UKR",), [1, 2, 4, 6]),
    (("EST",), [8]),
    (("POL", "LVA"), [0, 1, 2, 3, 4]),
    (("ROU", "MDA"), [5, 6]),
    (("SYR",), []),
])
def test_country_selects_own_or_involved(lake: Path, backend: DuckDBBackend,
                                         countries: tuple[str, ...], rows: list[int]) -> None:
    filters = Filters(countries=countries)
    page, total = backend.events_page(filters, 0, 100)
    assert sorted(page["event_id"]) == _ids(lake, rows)  # the page is in date order
    assert total == len(rows) == backend.count(filters) == backend._country_rows(countries)
    memory = load_dataset(lake).events
    assert list(memory.loc[filters.mask(memory), "event_id"]) == _ids(lake, rows)


@pytest.mark.parametrize(("countries", "named"), [
    (("POL",), 4),   # POL, UKR, BLR (own) and LTU (involved)
    (("LVA",), 2),   # UKR (own), LVA (involved)
    (("MDA",), 3),   # MDA, ROU (own), UKR (involved)
    (("SYR",), 0),
])
def test_headline_counts_own_and_involved_countries(backend: DuckDBBackend,
                                                    countries: tuple[str, ...],
                                                    named: int) -> None:
    assert backend.headline(Filters(countries=countries)).countries == named


def test_each_distinct_list_has_one_code(backend: DuckDBBackend) -> None:
    con = backend.source.con
    lists = sorted(tuple(r[0]) for r in con.execute(
        "SELECT countries FROM validated.involved_lists").fetchall())
    assert lists == [("LTU", "POL"), ("LVA",), ("POL",), ("UKR", "MDA")]
    assert con.execute("SELECT count(DISTINCT code) = count(*) FROM "
                       "validated.involved_lists").fetchall()[0][0]
    pairs = con.execute("SELECT e.countries_involved, array_to_string(l.countries, '; ') "
                        "FROM validated.events e LEFT JOIN validated.involved_lists l "
                        "ON l.code = e._involved ORDER BY e._seq").fetchall()
    assert pairs == [(None, None), ("POL", "POL"), ("LTU; POL", "LTU; POL"),
                     ("LTU; POL", "LTU; POL"), ("LVA", "LVA"), (None, None),
                     ("UKR; MDA", "UKR; MDA"), (None, None), (None, None)]


def test_options_offer_own_and_involved_countries(backend: DuckDBBackend) -> None:
    assert backend.options().countries == ["BLR", "EST", "LTU", "LVA", "MDA", "POL", "ROU",
                                           "UKR"]


def test_validated_copy_probes_codes_and_files_split_text(lake: Path,
                                                          backend: DuckDBBackend) -> None:
    """The speed of the feature: over the validated copy no event's text is split."""
    filters = Filters(countries=("POL", "LTU"))
    sql, params = where(filters, backend.source)
    assert "_involved IN" in sql and "string_split" not in sql and "list_items" not in sql
    assert ["POL", "LTU"] in params  # the countries are bound, never in the SQL text
    source = open_source(str(lake))
    try:
        text_sql, _ = where(filters, source)
        assert "list_items(countries_involved)" in text_sql
        assert source.con.execute(f"SELECT count(*) FROM events WHERE {text_sql}",
                                  params).fetchall()[0][0] == 5
    finally:
        source.con.close()
