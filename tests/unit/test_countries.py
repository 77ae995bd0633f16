"""Country names and codes a file may write, read as ISO3 (the importers' ``iso3_from_any``)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.countries import iso3_from_any

NAMES = [
    ("POL", "POL"), ("pl", "POL"), ("616", "POL"),            # codes: alpha-3, alpha-2, numeric
    ("Poland", "POL"), ("Russia (Soviet Union)", "RUS"),      # English, UCDP's forms
    ("Polska", "POL"), ("Białoruś", "BLR"), ("Mołdawia", "MDA"),   # Polish
    ("Україна", "UKR"), ("Білорусь", "BLR"), ("Росія", "RUS"),      # Ukrainian
    ("Lietuva", "LTU"), ("Baltarusija", "BLR"),                    # Lithuanian
    ("Беларусь", "BLR"), ("Польша", "POL"),                        # Belarusian, Russian
    ("польща", "POL"), ("LIETUVA", "LTU"),                         # any case
    ("Narnia", None), ("", None), ("x" * 200, None),
]


@pytest.mark.parametrize(("written", "expected"), NAMES)
def test_iso3_from_any(written, expected):
    found = iso3_from_any(pd.Series([written], dtype="str")).iloc[0]
    assert (None if pd.isna(found) else found) == expected
