"""Overlay files: areas and lines drawn under the events (control areas, buffer zones,
exclusion strips), read from GeoJSON, GeoPackage, shapefile (zipped) or KML.

An overlay is not events: it never changes a count. Its features keep a ``name`` (from
the file's name-like column) and, where the file gives them, ``start`` and ``end`` dates
(``end`` may be ``ongoing``): a dated feature is drawn only in a time frame it is in force
in, as zones are. Geometries are reprojected to EPSG:4326 and simplified until the
overlay's GeoJSON fits ``MAX_OVERLAY_BYTES``, since it travels to the browser on every
re-run. Nothing here imports streamlit; the UI layer caches.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from dashboard.i18n import N_, Sayable
from dashboard.readers import LoadError

MAX_OVERLAY_BYTES = 300_000
FIRST_TOLERANCE = 0.002  # degrees (~200 m); doubled until the overlay fits
PRECISION = 0.0001  # degrees (~10 m)
SUFFIXES = (".geojson", ".json", ".gpkg", ".kml", ".zip", ".shp")
NAME_COLUMNS = ["name", "title", "label", "nazwa", "description", "id"]
START_COLUMNS = ["start", "start_date", "begin", "begins", "from", "valid_from", "date",
                 "timespan_begin", "event_date"]
END_COLUMNS = ["end", "end_date", "until", "to", "valid_to", "ends", "timespan_end"]
ONGOING = "ongoing"

_READ_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError,
                pyogrio.errors.FieldError, pyogrio.errors.GeometryError,
                pyogrio.errors.CRSError, OSError, ValueError, UnicodeDecodeError)


class OverlayError(LoadError, ValueError):
    """An overlay file that cannot be drawn; ``str()`` names the file and the reason."""


@dataclass(frozen=True)
class Overlay:
    """One overlay file as GeoJSON features (properties: overlay, name, start, end; the map
    writes their tooltip, in the page's language)."""

    name: str
    features: list[dict]
    warnings: list[str] = field(default_factory=list)

    def in_force(self, first: dt.date | None, last: dt.date | None) -> list[dict]:
        """The features in force at some day from ``first`` to ``last`` (either open);
        an undated feature always is."""
        return [f for f in self.features
                if _overlaps(f["properties"]["start"], f["properties"]["end"], first, last)]


def _overlaps(start: str, end: str, first: dt.date | None, last: dt.date | None) -> bool:
    if last is not None and start and dt.date.fromisoformat(start) > last:
        return False
    return not (first is not None and end and end != ONGOING
                and dt.date.fromisoformat(end) < first)


def read_overlay(source: str | Path | bytes, name: str | None = None) -> Overlay:
    """Read an overlay file (a path, or bytes with ``name``); raises ``OverlayError``."""
    label = name or Path(str(source)).name if not isinstance(source, bytes) else name or "overlay"
    frame = _read(source, label)
    return _features(frame, label)


def _read(source: str | Path | bytes, label: str) -> gpd.GeoDataFrame:
    if isinstance(source, bytes):
        if not source:
            raise OverlayError(label, Sayable(N_("the file is empty")))
        location: str | io.BytesIO = io.BytesIO(source)
    else:
        path = Path(source)
        if not path.is_file():
            raise OverlayError(label, Sayable(N_("no such file: {path}"), path=str(path)))
        if path.stat().st_size == 0:
            raise OverlayError(label, Sayable(N_("the file is empty")))
        location = f"zip://{path}" if path.suffix.lower() == ".zip" else str(path)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*non conformant file extension")
            layers = len(pyogrio.list_layers(location))
            if isinstance(location, io.BytesIO):
                location.seek(0)
            parts = []
            # by position: bytes get a new temporary name, and with it a layer name, per read
            for layer in range(layers):  # a KML keeps each folder in a layer of its own
                parts.append(gpd.read_file(location, layer=layer, engine="pyogrio"))
                if isinstance(location, io.BytesIO):
                    location.seek(0)
    except _READ_ERRORS as error:
        text: str = str(error).split("; It might help", 1)[0].strip() or type(error).__name__
        if "not recognized as being in a supported file format" in text:
            text = Sayable(N_("it is not in a format GDAL recognises"))
        raise OverlayError(label, Sayable(N_("cannot be read as an overlay (GeoJSON, "
                                             "GeoPackage, zipped shapefile or KML): {error}"),
                                          error=text)) from error
    parts = [part for part in parts if len(part)]
    if not parts:
        raise OverlayError(label, Sayable(N_("the file holds no features")))
    crs = parts[0].crs
    frames = [part.to_crs("EPSG:4326") if part.crs is not None else part for part in parts]
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    if crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise OverlayError(label, Sayable(N_("the file has no coordinate reference system "
                                                 "and is not in longitude/latitude")))
        frame = frame.set_crs("EPSG:4326")
    return frame


def _column(frame: pd.DataFrame, candidates: list[str]) -> str | None:
    by_lower = {str(column).lower(): column for column in frame.columns
                if column != frame.geometry.name}
    return next((by_lower[c] for c in candidates if c in by_lower), None)


def _dates(frame: pd.DataFrame, column: str | None, label: str,
           problems: list[str]) -> list[str]:
    """ISO dates (``ongoing`` kept), "" where the file gives none or one not read."""
    if column is None:
        return [""] * len(frame)
    values: list[str] = []
    unread = 0
    for value in frame[column].tolist():
        text = "" if value is None or pd.isna(value) else str(value).strip()
        if text.lower() == ONGOING:
            values.append(ONGOING)
            continue
        try:
            values.append(dt.date.fromisoformat(text[:10]).isoformat() if text else "")
        except ValueError:
            unread += 1
            values.append("")
    if unread:
        problems.append(Sayable(N_("{file}: {count} value(s) of {column} are not dates "
                                   "(YYYY-MM-DD); those features are drawn at every date"),
                                file=label, count=unread, column=repr(column)))
    return values


def _features(frame: gpd.GeoDataFrame, label: str) -> Overlay:
    problems: list[str] = []
    geoms = shapely.force_2d(shapely.make_valid(frame.geometry.to_numpy()))
    drawable = [g is not None and not g.is_empty and g.geom_type not in ("Point", "MultiPoint")
                for g in geoms]
    dropped = len(drawable) - sum(drawable)
    if dropped:
        problems.append(Sayable(N_("{file}: {count} feature(s) without an area or a line are "
                                   "not drawn"), file=label, count=dropped))
    if not any(drawable):
        raise OverlayError(label, Sayable(N_("the file holds no areas or lines")))
    name_column = _column(frame, NAME_COLUMNS)
    names = (frame[name_column].astype("string").fillna("").tolist() if name_column
             else [""] * len(frame))
    starts = _dates(frame, _column(frame, START_COLUMNS), label, problems)
    ends = _dates(frame, _column(frame, END_COLUMNS), label, problems)
    keep = [i for i, ok in enumerate(drawable) if ok]
    tolerance = FIRST_TOLERANCE
    while True:
        simple = shapely.set_precision(
            shapely.simplify(geoms[keep], tolerance, preserve_topology=True), PRECISION)
        features = [_feature(geom, label, names[i] or f"{label} {i + 1}", starts[i], ends[i])
                    for geom, i in zip(simple, keep, strict=True)
                    if geom is not None and not geom.is_empty]
        size = len(json.dumps(features, separators=(",", ":")))
        if size <= MAX_OVERLAY_BYTES or tolerance > 0.5:
            break
        tolerance *= 2
    if tolerance > FIRST_TOLERANCE:
        problems.append(Sayable(N_("{file}: simplified to about {km} km so the map stays "
                                   "light"), file=label, km=round(tolerance * 111, 1)))
    return Overlay(label, features, problems)


def _feature(geom: shapely.Geometry, overlay: str, name: str, start: str, end: str) -> dict:
    return {"type": "Feature", "geometry": shapely.geometry.mapping(geom),
            "properties": {"overlay": overlay, "name": name, "start": start, "end": end}}
