"""Untrusted text made safe to show: Markdown made inert, only http(s) links kept.

Streamlit renders Markdown in notices, captions, button labels and ``st.markdown``:
anything a visitor or a file supplies (file names, URL values, cells) passes through
``escape_md`` before it is shown there, so it stays text.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pandas as pd

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


# GitHub's autolinking finds web addresses and e-mail addresses in the text after escapes
# are resolved, so a word joiner (U+2060, invisible) goes after every ":", "@" and
# leading "www": "https://…" is no longer a link, and reads the same.
_AUTOLINK = re.compile(r"(:|@|\bwww(?=\\\.))", re.IGNORECASE)
WORD_JOINER = "\u2060"


def escape_md(text: object) -> str:
    """Untrusted text made inert for st.markdown: every Markdown character escaped and no
    address turned into a link."""
    escaped = _MD_SPECIAL.sub(r"\\\1", "" if text is None or text is pd.NA else str(text))
    return _AUTOLINK.sub(rf"\1{WORD_JOINER}", escaped)


def safe_url(value: object) -> str | None:
    """The URL if it is http(s) with a host; anything else (javascript:, data:, ...) None."""
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    return text if parts.scheme.lower() in ("http", "https") and parts.netloc else None
