"""Data: bring a file, read its validation report, then replace or add to the data."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from dashboard import linking
from dashboard.boundaries import BORDER_MARGIN_KM
from dashboard.dataset import Dataset, LoadReport, combine, load_dataset
from dashboard.i18n import N_, Sayable, message_of, said
from dashboard.importers.mapping import (
    COLUMN_FIELDS,
    TOPIC_VALUES_SHOWN,
    ColumnMapping,
    frequent_values,
    mapping_from_dict,
    mapping_json,
    named_topic,
    suggest_mapping,
)
from dashboard.readers import FormatNotRecognised, LoadError, read_raw
from dashboard.reasons import said_reason, said_warning
from dashboard.serving import PathRefused, over_session_cap, resolve_offered
from dashboard.ui import data as ui_data
from dashboard.ui.language import _, current, ngettext
from dashboard.ui.page import heading
from dashboard.ui.text import escape_md

CANDIDATE = "data_candidate"  # (key, label, Dataset) checked but not yet used
MAPPING = "data_mapping"  # ColumnMapping being edited for an unrecognised file

t = current()
ctx = heading(_("Data"))
data = ctx.data
options = ui_data.launch_options()


def _server_file(field: str) -> Path | None:
    """The offered server file typed into ``field``, or None (nothing typed, or refused
    with a message that says nothing about the server's other files)."""
    typed = (st.session_state.get(field) or "").strip() if options.path_field else ""
    if not typed:
        return None
    try:
        return resolve_offered(typed, options.data_dirs)
    except PathRefused as err:
        reason = err.args[0] if err.args else str(err)
        st.error(f"{escape_md(typed[:200])}: {escape_md(said(reason, t))}.")
        return None


def _upload(key: str) -> UploadedFile | None:
    """The file uploaded with widget ``key``, unless uploads are off or it is too big (the
    widget's own limit is kept by the browser only, so it is checked here again)."""
    upload = st.session_state.get(key) if options.uploads else None
    if upload is None:
        return None
    limit_mb = ui_data.upload_limit_mb(options)
    if upload.size > limit_mb * 2**20:
        st.error(_("{file} is larger than the {limit} MB this server accepts in one upload.")
                 .format(file=escape_md(upload.name), limit=t.number(limit_mb)))
        return None
    return upload


def _source() -> tuple[object, str, str] | None:
    """(source, name, content key) of the uploaded file or the typed path, or None."""
    upload = _upload("upload")
    if upload is not None:
        content = upload.getvalue()
        return content, upload.name, hashlib.sha256(content).hexdigest()
    file = _server_file("data_path")
    if file is None:
        return None
    return str(file), file.name, ui_data.file_sha256(str(file))


def _labels() -> tuple[object, str] | None:
    """(source, content key) of the VIINA labels upload or typed path, or None.

    A typed path with no offered file behind it is a LoadError: checking the events
    without the labels the user asked for would quietly make every topic "other".
    """
    upload = _upload("labels_upload")
    if upload is not None:
        return upload, hashlib.sha256(upload.getvalue()).hexdigest()
    typed = (st.session_state.get("labels_path") or "").strip() if options.path_field else ""
    if not typed:
        return None
    try:
        file = resolve_offered(typed, options.data_dirs)
    except PathRefused as err:
        raise LoadError(Path(typed).name[:200], Sayable(N_("no labels file: {reason}"),
                                                        reason=message_of(err))) from None
    return str(file), ui_data.file_sha256(str(file))


def _within_session_cap(*datasets: Dataset) -> bool:
    """Whether this session may hold ``datasets`` (a public server caps it); says why not."""
    refusal = over_session_cap([f for d in datasets for f in (d.events, d.articles)], options)
    if refusal:
        st.error(_("This file cannot be used: {reason}. The data in use has not changed.")
                 .format(reason=said(refusal, t)))
    return refusal is None


def _check(source: object, name: str, key: str, mapping: ColumnMapping | None) -> None:
    articles_upload = _upload("articles_upload")
    articles = articles_upload.getvalue() if articles_upload is not None else None
    shown = escape_md(name)
    try:
        labels = _labels()
        with st.spinner(_("Reading {file}…").format(file=shown)):
            bar = st.progress(0.0, text=_("Importing {file}").format(file=shown))

            def show_progress(share: float) -> None:
                bar.progress(min(max(share, 0.0), 1.0),
                             text=_("Importing {file}: {percent}%").format(
                                 file=shown, percent=t.number(round(share * 100))))

            def load() -> Dataset:
                return load_dataset(
                    source, name, articles=articles,
                    mapping=asdict(mapping) if mapping is not None else None,
                    labels=labels[0] if labels else None,
                    progress=show_progress,
                )

            # A file on disk read as it is (no mapping, labels or separate articles) is the
            # same dataset a launch with --data gives: the store may have it already.
            if isinstance(source, str) and mapping is None and not labels and not articles:
                dataset = ui_data.stored_or_loaded(source, key, load)
            else:
                dataset = load()
            bar.empty()
        if not _within_session_cap(dataset):
            st.session_state.pop(CANDIDATE, None)
            return
    except LoadError as err:
        st.session_state.pop(CANDIDATE, None)
        st.error(_("This file cannot be used: {reason}. The data in use has not changed.")
                 .format(reason=escape_md(err.said(t))))
        if isinstance(err, FormatNotRecognised) and mapping is None:
            st.session_state[MAPPING] = _suggest(source, name)
        return
    mapping_key = hashlib.sha256(json.dumps(asdict(mapping) if mapping else {},
                                            sort_keys=True).encode()).hexdigest()[:12]
    labels_key = f":labels-{labels[1][:12]}" if labels else ""
    st.session_state[CANDIDATE] = (f"{key}:{mapping_key}{labels_key}", name, dataset)


def _suggest(source: object, name: str) -> ColumnMapping | None:
    try:
        return suggest_mapping(read_raw(source, name))
    except LoadError:
        return None


def _reason_counts(report: LoadReport) -> pd.DataFrame:
    """The report's reason counts, reasons and headings in the session's language (the
    rejected-rows download keeps the English reasons: it is data for tools)."""
    counts = report.reason_counts()
    counts["reason"] = [said_reason(reason, t) for reason in counts["reason"]]
    return counts.rename(columns={"column": _("column"), "reason": _("reason"),
                                  "count": _("count")})


def _report(dataset: Dataset) -> None:
    with st.container(key="validation_report"):
        st.subheader(_("Validation report"))
        for number, report in enumerate(dataset.reports):
            st.text(report.summary(t))
            counts: list[tuple[str, int, str | None]] = [
                (_("Rows read"), report.rows_read, None), (_("Accepted"), report.accepted, None)]
            if report.merged:  # folded into another row's event: neither accepted nor rejected
                counts.append((_("Merged"), report.merged,
                               _("{merged}, not rejected").format(merged=report.merged_text(t))))
            counts.append((_("Rejected"), report.rejected_rows, None))
            for col, (label, count, note) in zip(st.columns(len(counts)), counts, strict=True):
                col.metric(label, t.number(count), help=note)
            if not report.rejected.empty:
                st.dataframe(_reason_counts(report), hide_index=True, width="stretch",
                             key=f"reasons_{number}")
                st.download_button(
                    _("Download the rejected rows of {file}").format(
                        file=escape_md(report.file)),
                    data=report.rejected_csv,
                    file_name=f"rejected_{Path(report.file).stem}_{report.table}.csv",
                    mime="text/csv", on_click="ignore", key=f"download_rejects_{number}",
                )
            for warning in report.warnings:  # they repeat file names and cells
                st.warning(escape_md(said_warning(warning, t)))


def _topic_values_step(raw: pd.DataFrame, column: str | None,
                       mapping: ColumnMapping | None) -> dict[str, str]:
    """A topic for each frequent value of the topic column, preset with the mapping's own
    (a saved one's) or the guess; returns the mapping's ``topic_values``."""
    kept = dict(mapping.topic_values) if mapping else {}
    if column is None:
        return kept
    every = frequent_values(raw[column], limit=None)
    frequent = every.head(TOPIC_VALUES_SHOWN)
    if frequent.empty:
        return kept
    default = mapping.default_topic if mapping else "other"
    labels = ui_data.topic_labels()
    keys = list(labels)
    st.caption(_("Topic of each value of {column}, the most frequent first").format(
        column=escape_md(column)))
    grid = st.columns(3)
    for number, (value, rows) in enumerate(frequent.items()):
        preset = kept.get(str(value)) or named_topic(str(value)) or default
        widget = "map_topic_" + hashlib.sha256(f"{column}\x00{value}".encode()).hexdigest()[:12]
        kept[str(value)] = grid[number % 3].selectbox(
            f"{escape_md(str(value)[:80])} · {t.number(int(rows))}", keys, key=widget,
            index=keys.index(preset) if preset in keys else keys.index("other"),
            format_func=lambda topic: labels.get(topic, topic))
    if len(every) > len(frequent):
        st.caption(_("Values after the first {count}, the least frequent, take the topic "
                     "“{topic}” unless a saved mapping's topic_values name them.").format(
                         count=t.number(len(frequent)), topic=labels.get(default, default)))
    return kept


def _mapping_step(source: object, name: str, key: str) -> None:
    mapping: ColumnMapping | None = st.session_state.get(MAPPING)
    with st.container(key="column_mapping"):
        st.subheader(_("Map the columns"))
        st.write(_("The columns were not recognised. Say which column holds each field."))
        saved = st.file_uploader(_("Load a saved mapping (JSON)"), type=["json"],
                                 key="mapping_upload")
        if saved is not None:
            try:
                mapping = mapping_from_dict(json.loads(saved.getvalue().decode("utf-8-sig")))
            except (ValueError, UnicodeDecodeError) as err:
                st.error(_("{file}: not a usable mapping ({reason}).").format(
                    file=escape_md(saved.name), reason=escape_md(said(message_of(err), t))))
        try:
            raw = read_raw(source, name)
        except LoadError as err:
            st.error(escape_md(err.said(t)))
            return
        st.caption(_("First rows of the file"))
        st.dataframe(raw.head(5), hide_index=True, width="stretch", key="mapping_preview")
        columns = [str(c) for c in raw.columns]
        chosen: dict[str, str | None] = {}
        grid = st.columns(3)
        not_in_file = _("— not in the file —")
        for number, target in enumerate(COLUMN_FIELDS):
            current = getattr(mapping, target, None) if mapping else None
            choices = [None, *columns]
            chosen[target] = grid[number % 3].selectbox(
                _("Column for {field}").format(field=target), choices, key=f"map_{target}",
                index=choices.index(current) if current in choices else 0,
                format_func=lambda c: not_in_file if c is None else c,
            )
        topic_values = _topic_values_step(raw, chosen.get("topic"), mapping)
        placed = st.checkbox(
            _("Where a row has no country, take it from its coordinates"),
            value=bool(mapping and mapping.country_from_coordinates),
            key="map_country_from_coordinates",
            help=_("The country whose outline the point lies in, unless another country's "
                   "outline is within {margin} km (the outlines are simplified); the load "
                   "report says how many were filled.").format(
                       margin=t.number(BORDER_MARGIN_KM)))
        base = asdict(mapping) if mapping else {}
        edited = mapping_from_dict({**base, **chosen, "country_from_coordinates": placed,
                                    "topic_values": topic_values})
        st.session_state[MAPPING] = edited
        st.download_button(_("Save this mapping (JSON)"),
                           data=mapping_json(edited),
                           file_name=f"mapping_{Path(name).stem}.json", mime="application/json",
                           on_click="ignore", key="download_mapping")
        if st.button(_("Check the file with this mapping"), key="check_mapped"):
            _check(source, name, key, edited)


with st.container(key="data_source"):
    sizes = [len(data.events), len(data.articles)] if data.served is None else [
        sum(r.accepted for r in data.dataset.reports if r.table == table)
        for table in ("events", "articles")]  # an engine's: what it accepted, in place
    st.write(_("In use: **{data}** — events: {events}, articles: {articles}.").format(
        data=escape_md(ui_data.shown_label(data)), events=t.number(sizes[0]),
        articles=t.number(sizes[1])))
    # what the data in use links across its datasets (docs/linking.md), on every engine
    if len(ui_data.options(data).datasets) > 1:
        linked, pairs = ui_data.backend(data).link_counts()
        st.caption(escape_md(linking.said(linked, pairs, current())),
                   help=_("Events of different datasets that are probably the same: the same "
                          "days, a place as close as its precision allows and a compatible "
                          "kind. “Count each event once” in the sidebar counts them once."))
    upload_mb = ui_data.upload_limit_mb(options)
    if options.uploads:
        st.file_uploader(_("Upload an events file (CSV, Excel, JSON, GeoJSON, Parquet, also "
                           "zipped; ACLED, UCDP GED, VIINA, GDELT or the canonical columns)"),
                         key="upload", max_upload_size=upload_mb)
    if options.path_field:
        folders = ", ".join(escape_md(root.name or str(root)) for root in options.data_dirs)
        st.text_input(_("…or the path of a file in the server's data folders ({folders})")
                      .format(folders=folders), key="data_path",
                      help=_("Relative to one of the folders this server offers (started "
                             "with --data-dir); no other server file can be opened."))
    if not options.uploads and not options.path_field:
        st.info(_("This server offers no way to bring other data: it was started with "
                  "uploads off and no data folders."))
    if options.uploads:
        st.file_uploader(_("Articles file (optional)"), key="articles_upload",
                         max_upload_size=upload_mb)
    if options.uploads or options.path_field:
        with st.expander(_("VIINA labels file (optional)")):
            st.caption(_("VIINA publishes each year's labels (event_labels_latest_YYYY) apart "
                         "from its event reports; without them every VIINA report's topic is "
                         "“other”."))
            if options.uploads:
                st.file_uploader(_("Upload a VIINA labels file"), key="labels_upload",
                                 max_upload_size=upload_mb)
            if options.path_field:
                st.text_input(_("…or its path in the server's data folders"),
                              key="labels_path")
    if options.public:
        st.caption(_("On this public server, data you bring stays in your session only: "
                     "other visitors never see it and it is not kept on the server."))
    found = _source()
    if st.button(_("Check the file"), key="check_file", disabled=found is None) and found:
        st.session_state.pop(MAPPING, None)
        _check(*found, None)
    if found and st.session_state.get(MAPPING) is not None:
        _mapping_step(*found)

if options.uploads:
    with st.expander(_("Overlay file (areas or lines drawn under the events on the map)")):
        st.file_uploader(_("GeoJSON, GeoPackage, zipped shapefile or KML of control areas, "
                           "buffer zones, routes…"), key="overlay_upload",
                         type=["geojson", "json", "gpkg", "zip", "kml"],
                         max_upload_size=ui_data.upload_limit_mb(options))
        overlay_file = _upload("overlay_upload")
        if overlay_file is not None and st.button(_("Add to the map"), key="add_overlay"):
            from dashboard.overlays import OverlayError

            try:
                added = ui_data.add_overlay(overlay_file.getvalue(), overlay_file.name)
                st.success(ngettext(
                    "{name}: {count} area or line is drawn on the Overview's map (it changes "
                    "no count).",
                    "{name}: {count} areas and lines are drawn on the Overview's map (they "
                    "change no count).", len(added.features)).format(
                        name=escape_md(added.name), count=t.number(len(added.features))))
                for warning in added.warnings:
                    st.warning(escape_md(said(warning, t)))
            except OverlayError as err:
                st.error(escape_md(err.said(t)))
        if st.session_state.get(ui_data.OVERLAY_STATE) and st.button(
                _("Remove the overlays added here"), key="remove_overlays"):
            ui_data.remove_overlays()

candidate = st.session_state.get(CANDIDATE)
if candidate is not None:
    key, label, dataset = candidate
    _report(dataset)
    if dataset.events.empty:
        st.error(_("No event in this file was accepted, so it cannot be used."))
    else:
        left, right = st.columns(2)
        if left.button(_("Replace the data in use with this file"), key="replace_data") \
                and _within_session_cap(dataset):
            ui_data.install(key, dataset, label)
            st.session_state.pop(CANDIDATE, None)
            st.rerun()
        # adding needs the data in use loaded: an engine's stays where it is
        if right.button(_("Add this file to the data in use"), key="add_data",
                        disabled=data.served is not None) \
                and _within_session_cap(data.dataset, dataset):
            merged = combine(data.dataset, dataset)
            ui_data.install(f"{data.key}+{key}", merged, f"{data.label} + {label}")
            st.session_state.pop(CANDIDATE, None)
            st.rerun()

if ui_data.DATASET_STATE in st.session_state:
    if st.button(_("Go back to the data the dashboard started with"), key="restore_data"):
        ui_data.restore_launch_data()
        st.rerun()

with st.expander(_("Load report of the data in use")):
    for report in data.dataset.reports:
        st.text(report.summary(t))
        for warning in report.warnings:  # e.g. which files of a folder were its articles
            st.warning(escape_md(said_warning(warning, t)))
    rejected = sum(r.rejected_rows for r in data.dataset.reports)
    if rejected:
        st.caption(ngettext("{count} row was rejected when this data was loaded.",
                            "{count} rows were rejected when this data was loaded.",
                            rejected).format(count=t.number(rejected)))
    st.dataframe(pd.DataFrame({_("table"): [_("events"), _("articles")],
                               _("rows"): sizes}),
                 hide_index=True, key="data_sizes")
