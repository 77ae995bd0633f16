"""Download buttons for the current filter, on every page.

The bytes are built only when a button is clicked (``data=callable``, run on
another thread with no Streamlit calls inside), so re-runs never pay for exports.
Each is the backend's ``download`` (``export.build_download``, the function ``python -m
dashboard export`` calls), so a download and an export of the same query at the same export
time are the same bytes, on every engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

import streamlit as st

from dashboard.citation import DataFile, DataVersion, files_version, launch_version, now
from dashboard.engines.backend import Backend
from dashboard.export import BUNDLE, MIME_TYPES, download_name
from dashboard.filters import Filters
from dashboard.i18n import N_, Translator
from dashboard.ui.data import Active, backend, file_sha256, launch_options, topic_labels
from dashboard.ui.language import current

# label (translated where drawn), format
EVENT_FORMATS: list[tuple[str, str]] = [
    (N_("Events CSV"), "csv"),
    (N_("Events GeoJSON"), "geojson"),
    (N_("Events Excel"), "xlsx"),
    (N_("Events Parquet"), "parquet"),
    (N_("Citable bundle (zip)"), BUNDLE),
]
_SHA256 = re.compile(r"[0-9a-f]{64}")


def _digest(path: object) -> str:
    return file_sha256(str(path))


def data_version(data: Active) -> list[DataVersion]:
    """The files behind the session's data, with their SHA-256 (hashes cached by file).

    The launch data is named by its files, as ``export`` names them. A file brought on
    the Data page is known by its key (``<sha256>:…``) and its events report's file name;
    data added to other data has one key part and one events report per load, in order.
    """
    if data.served is not None:  # an engine's files (a folder or glob: each file read)
        read = [*getattr(data.served, "files", []), *getattr(data.served, "article_files", [])]
        return [files_version(data.label, read, digest=_digest)]
    parts = data.key.split("+")
    names = [r.file for r in data.dataset.reports if r.table == "events"]
    if len(names) != len(parts):  # not a key this function knows: name the whole
        names = [data.label] * len(parts)
    versions = []
    for part, name in zip(parts, names, strict=True):
        if part == "bundled":
            versions.append(launch_version(None, digest=_digest))
        elif part.startswith("file:"):
            versions.append(launch_version(launch_options().data, digest=_digest))
        else:
            sha = part.split(":", 1)[0]
            files = (DataFile(name, sha),) if _SHA256.fullmatch(sha) else ()
            versions.append(DataVersion(name, files))
    return versions


def download_builder(kind: str, fmt: str, source: Backend, filters: Filters,
                     versions: list[DataVersion], labels: dict[str, str],
                     t: Translator) -> Callable[[], bytes]:
    """A callable producing the download (for a button): the citation is made when it is
    clicked, so it states that moment; the rows are fetched then too, by the backend, so a
    re-run never copies the filtered rows."""

    def build() -> bytes:
        return source.download(kind, filters, fmt, versions, labels, now(), t).data

    return build


class Button(NamedTuple):
    """One download button: what it says, its widget key, the file it gives."""

    label: str
    key: str
    file_name: str
    mime: str
    build: Callable[[], bytes]


def buttons(data: Active, filters: Filters) -> list[Button]:
    """The downloads of the session's data under ``filters``: events in four formats, the
    citable bundle and the articles (separate from drawing them, so tests can build them)."""
    source = backend(data)
    versions, labels, t = data_version(data), topic_labels(), current()
    made = [Button(t.gettext(label), f"download_{fmt}",
                   download_name("events", filters, fmt, t), MIME_TYPES[fmt],
                   download_builder("events", fmt, source, filters, versions, labels, t))
            for label, fmt in EVENT_FORMATS]
    made.append(Button(t.gettext("Articles CSV"), "download_articles",
                       download_name("articles", filters, "csv", t), MIME_TYPES["csv"],
                       download_builder("articles", "csv", source, filters, versions,
                                        labels, t)))
    return made


def download_row(data: Active, filters: Filters) -> None:
    """Six buttons: events in four formats, the citable bundle and the articles, named by
    the filter."""
    with st.container(key="downloads"):
        t, count = current(), backend(data).count(filters)
        st.caption(t.ngettext("Download the {count} filtered event or its sources",
                              "Download the {count} filtered events or their sources",
                              count).format(count=t.number(count)))
        row = st.container(horizontal=True, wrap=True)  # wraps on a phone, not six rows
        for button in buttons(data, filters):
            row.download_button(button.label, data=button.build, file_name=button.file_name,
                                mime=button.mime, on_click="ignore", key=button.key,
                                width="content")
