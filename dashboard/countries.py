"""Country code normalisation to ISO 3166-1 alpha-3 for every imported format.

Each importer meets a different code system: ACLED gives ISO numeric codes and
English names, UCDP GED gives Gleditsch–Ward (GW) numbers, GDELT gives FIPS 10-4
codes, user files give anything. All functions take a pandas Series and convert
its *distinct* values only, so a 2M-row column costs a few hundred look-ups.

Sources, in order of preference:

* ISO alpha-2/alpha-3/numeric and names: ``pycountry`` and ``country_converter``.
* Gleditsch–Ward: ``country_converter``'s ``GWcode`` column, plus ``_GW_EXTRA`` for
  the GW codes UCDP uses that country_converter does not carry or codes differently
  (taken from the published GW list, Gleditsch & Ward 1999, "ksgmdw.txt").
* FIPS 10-4: no maintained Python library carries it (pycountry and
  country_converter do not), so ``_FIPS_TO_ISO3`` below is the published FIPS 10-4
  country list (as used by GDELT's ``*_CountryCode`` fields, cf. the CIA World
  Factbook appendix D) restricted to codes that have an ISO 3166 alpha-3 code.
"""

from __future__ import annotations

import logging
from functools import lru_cache

import country_converter as coco
import pandas as pd
import pycountry

# GW codes absent from country_converter or coded differently there; UCDP GED's
# country_id uses these (e.g. 678 "Yemen (North Yemen)", 345 "Serbia (Yugoslavia)").
_GW_EXTRA: dict[int, str] = {
    345: "SRB",  # Yugoslavia / Serbia (UCDP: "Serbia (Yugoslavia)")
    347: "XKX",  # Kosovo
    678: "YEM",  # Yemen (Arab Republic of Yemen; unified Yemen since 1990)
    816: "VNM",  # Vietnam (Democratic Republic of Vietnam)
    265: "DEU",  # German Democratic Republic, now part of Germany
}

# FIPS 10-4 → ISO 3166-1 alpha-3 (see module docstring for the source).
_FIPS_PAIRS = """
AF AFG AL ALB AG DZA AQ ASM AN AND AO AGO AV AIA AY ATA AC ATG AR ARG AM ARM AA ABW
AS AUS AU AUT AJ AZE BF BHS BA BHR BG BGD BB BRB BO BLR BE BEL BH BLZ BN BEN BD BMU
BT BTN BL BOL BK BIH BC BWA BV BVT BR BRA IO IOT VI VGB BX BRN BU BGR UV BFA BM MMR
BY BDI CV CPV CB KHM CM CMR CA CAN CJ CYM CT CAF CD TCD CI CHL CH CHN KT CXR CK CCK
CO COL CN COM CG COD CF COG CW COK CS CRI IV CIV HR HRV CU CUB UC CUW CY CYP EZ CZE
DA DNK DJ DJI DO DMA DR DOM EC ECU EG EGY ES SLV EK GNQ ER ERI EN EST WZ SWZ ET ETH
FK FLK FO FRO FJ FJI FI FIN FR FRA FG GUF FP PYF FS ATF GB GAB GA GMB GZ PSE GG GEO
GM DEU GH GHA GI GIB GR GRC GL GRL GJ GRD GP GLP GQ GUM GT GTM GK GGY GV GIN PU GNB
GY GUY HA HTI HM HMD VT VAT HO HND HK HKG HU HUN IC ISL IN IND ID IDN IR IRN IZ IRQ
EI IRL IM IMN IS ISR IT ITA JM JAM JA JPN JE JEY JO JOR KZ KAZ KE KEN KR KIR KN PRK
KS KOR KV XKX KU KWT KG KGZ LA LAO LG LVA LE LBN LT LSO LI LBR LY LBY LS LIE LH LTU
LU LUX MC MAC MK MKD MA MDG MI MWI MY MYS MV MDV ML MLI MT MLT RM MHL MB MTQ MR MRT
MP MUS MF MYT MX MEX FM FSM MD MDA MN MCO MG MNG MJ MNE MH MSR MO MAR MZ MOZ WA NAM
NR NRU NP NPL NL NLD NC NCL NZ NZL NU NIC NG NER NI NGA NE NIU NF NFK CQ MNP NO NOR
MU OMN PK PAK PS PLW PM PAN PP PNG PA PRY PE PER RP PHL PC PCN PL POL PO PRT RQ PRI
QA QAT RE REU RO ROU RS RUS RW RWA TB BLM SH SHN SC KNA ST LCA RN MAF SB SPM VC VCT
WS WSM SM SMR TP STP SA SAU SG SEN RI SRB SE SYC SL SLE SN SGP NN SXM LO SVK SI SVN
BP SLB SO SOM SF ZAF SX SGS OD SSD SP ESP CE LKA SU SDN NS SUR SV SJM SW SWE SZ CHE
SY SYR TW TWN TI TJK TZ TZA TH THA TT TLS TO TGO TL TKL TN TON TD TTO TS TUN TU TUR
TX TKM TK TCA TV TUV UG UGA UP UKR AE ARE UK GBR US USA UY URY UZ UZB NH VUT VE VEN
VM VNM VQ VIR WF WLF WE PSE WI ESH YM YEM ZA ZMB ZI ZWE
"""


def _pairs(text: str) -> dict[str, str]:
    tokens = text.split()
    return dict(zip(tokens[0::2], tokens[1::2], strict=True))


_FIPS_TO_ISO3: dict[str, str] = _pairs(_FIPS_PAIRS)


@lru_cache(maxsize=1)
def _converter() -> coco.CountryConverter:
    """country_converter with its table read as plain strings.

    country_converter 1.3 reads Namibia's ISO2 code "NA" as missing under pandas 3
    and then fails; reading the bundled table ourselves with NA detection limited
    to empty cells avoids that.
    """
    data = pd.read_csv(
        coco.country_converter.COUNTRY_DATA_FILE,
        sep="\t",
        encoding="utf-8",
        dtype=str,
        keep_default_na=False,
        na_values=[""],
    )
    return coco.CountryConverter(country_data=data)


@lru_cache(maxsize=1)
def _gw_table() -> dict[int, str]:
    data = _converter().data[["GWcode", "ISO3"]].dropna()
    pairs = zip(data["GWcode"], data["ISO3"], strict=True)
    table = {int(float(code)): iso3 for code, iso3 in pairs}
    table.update(_GW_EXTRA)
    return table


def _map_unique(values: pd.Series, convert) -> pd.Series:
    """Apply ``convert`` to each distinct non-missing value and map the result back."""
    text = values.astype("str").str.strip()
    text = text.where(text != "")
    uniques = text.dropna().unique()
    table = {value: convert(value) for value in uniques}
    return text.map(table).astype("str")


def _int_or_none(value: str) -> int | None:
    try:
        return int(float(value))
    except (ValueError, OverflowError):  # "Infinity" parses as a float but is no integer
        return None


def iso3_from_numeric(values: pd.Series) -> pd.Series:
    """ISO 3166 numeric codes ("804", "112.0") → ISO3; unknown codes → NA."""

    def convert(value: str) -> str | None:
        number = _int_or_none(value)
        if number is None:
            return None
        country = pycountry.countries.get(numeric=f"{number:03d}")
        return country.alpha_3 if country else None

    return _map_unique(values, convert)


def iso3_from_gw(values: pd.Series) -> pd.Series:
    """Gleditsch–Ward numbers (UCDP ``country_id``) → ISO3; unknown codes → NA."""
    table = _gw_table()

    def convert(value: str) -> str | None:
        number = _int_or_none(value)
        return table.get(number) if number is not None else None

    return _map_unique(values, convert)


def iso3_from_fips(values: pd.Series) -> pd.Series:
    """FIPS 10-4 country codes (GDELT) → ISO3; unknown or non-country codes → NA."""
    return _map_unique(values, lambda value: _FIPS_TO_ISO3.get(value.upper()))


# Longer than any name country_converter knows (its longest official name has 52
# letters): its few hundred regular expressions took seconds on a 2 KB cell, minutes on 100 KB.
MAX_NAME_CHARS = 100


def _name_to_iso3(value: str) -> str | None:
    if len(value) > MAX_NAME_CHARS:
        return None
    code = value.upper()
    if len(code) == 3 and code.isalpha():
        country = pycountry.countries.get(alpha_3=code)
        if country:
            return country.alpha_3
        if code == "XKX":
            return "XKX"
    if len(code) == 2 and code.isalpha():
        country = pycountry.countries.get(alpha_2=code)
        return country.alpha_3 if country else None
    if value.isdecimal():  # "²" is a digit but not a number int() reads
        country = pycountry.countries.get(numeric=f"{int(value):03d}")
        return country.alpha_3 if country else None
    coco_logger = logging.getLogger("country_converter")
    previous = coco_logger.level
    coco_logger.setLevel(logging.CRITICAL)
    try:
        result = _converter().convert(value, src="regex", to="ISO3", not_found=None)
    finally:
        coco_logger.setLevel(previous)
    if isinstance(result, str) and len(result) == 3:
        return result
    try:
        return pycountry.countries.lookup(value).alpha_3
    except LookupError:
        return _local_names().get(value.strip().casefold())


@lru_cache(maxsize=1)
def _local_names() -> dict[str, str]:
    """Country names in the interface's other languages (CLDR's, through Babel: "Polska",
    "Білорусь", "Lietuva", "Беларусь"), case-folded, to ISO3: a file written in the
    region's languages names its countries so."""
    from babel import Locale  # local: only for names no English rule matched

    from dashboard.i18n import LANGUAGES

    names: dict[str, str] = {}
    for lang in LANGUAGES:
        if lang == "en":
            continue
        for alpha_2, name in Locale.parse(lang).territories.items():
            country = pycountry.countries.get(alpha_2=alpha_2) if alpha_2.isalpha() else None
            code = "XKX" if alpha_2 == "XK" else (country.alpha_3 if country else None)
            if code:
                names.setdefault(name.casefold(), code)
    return names


def iso3_from_any(values: pd.Series) -> pd.Series:
    """ISO3, ISO2, ISO numeric or an English country name → ISO3; unknown → NA.

    Names are matched with country_converter's regular expressions, which cover
    forms such as "Russia (Soviet Union)" or "DR Congo (Zaire)" as used by UCDP.
    """
    return _map_unique(values, _name_to_iso3)


def country_name(code: str, lang: str = "en") -> str:
    """An ISO3 code as a country's name in ``lang`` (the code itself when unknown).

    English keeps pycountry's names (its common name where it has one: "Moldova", not
    "Moldova, Republic of"), as the dashboard always wrote them; the other languages take
    CLDR's territory names from Babel's locale data (keyed by ISO alpha-2, Kosovo as XK),
    and the English name where CLDR has none.
    """
    country = pycountry.countries.get(alpha_3=code)
    alpha_2 = "XK" if code == "XKX" else (country.alpha_2 if country else None)
    if lang != "en" and alpha_2 is not None:
        from babel import Locale  # local: importers never need it

        local = Locale.parse(lang).territories.get(alpha_2)
        if local:
            return local
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name
