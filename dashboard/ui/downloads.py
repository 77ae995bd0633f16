"""Download buttons for the current filter, on every page.

The bytes are built only when a button is clicked (``data=callable``, run on
another thread with no Streamlit calls inside), so re-runs never pay for exports.
Each is the backend's ``download`` (``export.build_download``, the function ``python -m
dashboard export`` calls), so a download and an export of the same query at the same export
time are the same bytes, on every engine.

A download of more events than the server allows (``download_limits``), or an Excel file of
more rows than a sheet holds, is drawn disabled with a notice saying why and the command
line export of the same selection; the builder checks the limit again when it runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import streamlit as st

from dashboard.citation import (
    DataFile,
    DataVersion,
    files_version,
    launch_version,
    now,
    query_string,
)
from dashboard.download_limits import (
    REFUSALS,
    check,
    export_command,
    max_download_events,
    refusal,
    refusal_notice,
)
from dashboard.engines.backend import Backend
from dashboard.export import BUNDLE, EMBEDS_ARTICLES, MIME_TYPES, download_name
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
        served = data.served
        read = [*getattr(served, "files", []), *getattr(served, "article_files", [])]
        return [files_version(data.label, read, digest=_digest,
                              unread=getattr(served, "unread_files", []))]
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
    re-run never copies the filtered rows.

    It counts the selection again first, and the articles the file would hold, and raises
    ``DownloadRefused`` before fetching a row when the download may not be built
    (``download_limits.check``): a request for a button the page drew disabled builds
    nothing. Streamlit catches the exception, logs it and shows "Failed to generate file
    for download" beside the button, and no file is saved; empty bytes instead would save a
    file that looks like an empty selection."""

    def build() -> bytes:
        limit = max_download_events()
        count = source.count(filters)
        check(kind, fmt, count, 0, limit)  # the events first: no articles counted past them
        if kind == "articles" or fmt in EMBEDS_ARTICLES:
            check(kind, fmt, count, source.headline(filters).articles, limit)
        return source.download(kind, filters, fmt, versions, labels, now(), t).data

    return build


class Button(NamedTuple):
    """One download button: what it says, its widget key, the file it gives."""

    label: str
    key: str
    file_name: str
    mime: str
    build: Callable[[], bytes]
    fmt: str
    kind: str


def buttons(data: Active, filters: Filters) -> list[Button]:
    """The downloads of the session's data under ``filters``: events in four formats, the
    citable bundle and the articles (separate from drawing them, so tests can build them)."""
    source = backend(data)
    versions, labels, t = data_version(data), topic_labels(), current()
    made = [Button(t.gettext(label), f"download_{fmt}",
                   download_name("events", filters, fmt, t), MIME_TYPES[fmt],
                   download_builder("events", fmt, source, filters, versions, labels, t),
                   fmt, "events")
            for label, fmt in EVENT_FORMATS]
    made.append(Button(t.gettext("Articles CSV"), "download_articles",
                       download_name("articles", filters, "csv", t), MIME_TYPES["csv"],
                       download_builder("articles", "csv", source, filters, versions,
                                        labels, t), "csv", "articles"))
    return made


def export_command_for(data: Active, filters: Filters, kind: str, fmt: str,
                       output: str) -> str:
    """The command line export of this download (``download_limits.export_command``), the
    data named as the About page names its files: the launch data by the name it was
    given (no folder), a dataset brought on the Data page by its files' names, the
    bundled data by none."""
    query, launch = query_string(filters), launch_options()
    boundaries = (Path(launch.boundaries).name if filters.area and launch.boundaries
                  else None)  # named as the data is, without its folder
    if data.served is not None:
        return export_command(query, kind, fmt, output, engine=data.served.engine,
                              data=data.label if launch.data else None, table=launch.table,
                              boundaries=boundaries)
    parts = data.key.split("+")
    names = [r.file for r in data.dataset.reports if r.table == "events"]
    if len(names) != len(parts):
        names = [data.label] * len(parts)
    files = [None if part == "bundled" else name for part, name in zip(parts, names,
                                                                        strict=True)]
    return export_command(query, kind, fmt, output, data=files[0],
                          added=[name for name in files[1:] if name is not None],
                          boundaries=boundaries)


def download_row(data: Active, filters: Filters) -> None:
    """Six buttons: events in four formats, the citable bundle and the articles, named by
    the filter."""
    with st.container(key="downloads"):
        source = backend(data)
        t, count, cited = current(), source.count(filters), source.headline(filters).articles
        st.caption(t.ngettext("Download the {count} filtered event or its sources",
                              "Download the {count} filtered events or their sources",
                              count).format(count=t.number(count)))
        row = st.container(horizontal=True, wrap=True)  # wraps on a phone, not six rows
        limit, reasons = max_download_events(), set()
        made = buttons(data, filters)
        for button in made:
            reason = refusal(button.kind, button.fmt, count, cited, limit)
            if reason is not None:
                reasons.add(reason)
            row.download_button(button.label, data=button.build, file_name=button.file_name,
                                mime=button.mime, on_click="ignore", key=button.key,
                                width="content", disabled=reason is not None)
        for reason, (counted, kind) in REFUSALS.items():
            if reason not in reasons:
                continue
            st.info(refusal_notice(reason, cited if counted == "articles" else count, limit,
                                   t))
            if kind is not None:  # past the limit: the command that writes it as a CSV
                csv = next(b for b in made if b.kind == kind and b.fmt == "csv")
                st.code(export_command_for(data, filters, kind, "csv", csv.file_name),
                        language="bash", wrap_lines=True)
