"""Keep the message catalogs in step with the code: what ``pybabel extract``, ``update``
and ``compile`` do, in one command and with stable files.

    python scripts/catalogs.py            # extract, merge into every .po, compile every .mo
    python scripts/catalogs.py --missing  # also list each language's untranslated messages

It is Babel's own extractor (``babel.cfg``), merge and compiler; only the headers differ
from pybabel's output: the creation and revision dates are left as they are, messages are
sorted and source locations left out, so a catalog changes only where a message did and
two branches adding messages rarely touch the same lines. A message the code no longer
uses is dropped (no obsolete ``#~`` entries: the catalog test refuses them).

Run from the repository root. docs/i18n.md says how to translate and add a language.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel import Locale
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.i18n import DEFAULT_LANG, DOMAIN, LANGUAGES, LOCALE_DIR  # noqa: E402

PROJECT = "border-security-dashboard"
TEAM = "the dashboard's translators"
HEADER_COMMENT = ("# {language} messages of the border security dashboard (docs/i18n.md).\n"
                  "# Distributed under the same licence as the dashboard (MIT).")


def template() -> Catalog:
    """Every message the package's code marks, as ``pybabel extract -F babel.cfg`` finds."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog(project=PROJECT, fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS,
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str) -> Catalog:
    """A language's catalog, or a new one with the header every catalog here carries."""
    path = po_path(lang)
    if path.exists():
        with path.open("rb") as po:
            return read_po(po, locale=lang, domain=DOMAIN)
    catalog = Catalog(locale=lang, domain=DOMAIN, project=PROJECT, fuzzy=False,
                      header_comment=HEADER_COMMENT.format(language=Locale.parse(lang).english_name),
                      last_translator=TEAM, language_team=f"{TEAM} ({lang})")
    catalog.revision_date = catalog.creation_date
    return catalog


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, no_location=True, omit_header=False, sort_output=True,
             ignore_obsolete=True, include_previous=False)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--missing", action="store_true",
                        help="list each language's untranslated messages")
    args = parser.parse_args(argv)
    pot = template()
    missing_any = False
    for lang in LANGUAGES:
        if lang == DEFAULT_LANG:
            continue
        catalog = read_catalog(lang)
        created, revised = catalog.creation_date, catalog.revision_date
        catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
        catalog.obsolete.clear()
        catalog.creation_date, catalog.revision_date = created, revised
        po_path(lang).parent.mkdir(parents=True, exist_ok=True)
        po_path(lang).write_bytes(po_bytes(catalog))
        po_path(lang).with_suffix(".mo").write_bytes(mo_bytes(catalog))
        untranslated = [m.id for m in catalog if m.id and (
            not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
        missing_any = missing_any or bool(untranslated)
        print(f"{lang}: {len(catalog)} messages, {len(untranslated)} untranslated")
        if args.missing:
            for message in untranslated:
                print(f"  {message!r}")
    return 1 if missing_any and args.missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
