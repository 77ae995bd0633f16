"""Validated datasets kept on disk, keyed by the content of the files they came from.

Validating a million events takes seconds; reading them back takes a fifth of one. The
dashboard keeps what ``load_dataset`` produced (events, articles and the load reports
with every rejected row) under a key made of the SHA-256 of the input files, the
taxonomy and category mapping the validation used, the package's own code and this
module's format version. A changed byte in any of them is a new key, so a stale result
cannot be served; a damaged or unreadable entry is treated as absent and rebuilt. The
frames are Arrow IPC files, uncompressed, each column in one piece, and memory-mapped on
the way back: nothing is parsed, joined, decompressed or copied, and the frame's columns
point into the page cache (Parquet took four times as long here; LZ4 took a third of the
disk, but decompressing into fresh memory cost more than all the rest of the read, see
docs/benchmark.md). Beside a dataset the app keeps what it derives from it once
(``save_extra``: the article links and the filter choices, half a second at 1M events),
so a re-opened file is drawn without that wait, and it remembers each launch file's
SHA-256 by path and ``file_identity``.

Every file of an entry is listed with its checksum (``_checksum``: SHA-256 of its pieces'
SHA-256) in a manifest written with it (``checksums.json`` for the dataset,
``<name>.checksums.json`` for each extra), and each is read (the frames: mapped) once,
checked, and parsed from those same bytes: a flipped bit on the disk would otherwise
change an event's summary without a word. An entry that does not match is logged,
removed and reported absent, so the caller validates the file again. The store never
changes a file in place (each is written under another name and renamed), so a mapped
file keeps the bytes that were checked while a server uses it, even once it is removed
(a file cut short in place by another program meanwhile would stop that server). The
app pins (``pin``) the launch data's entry, so the files visitors check do not push it
out.

Where: ``$DASHBOARD_CACHE_DIR``, else ``~/.cache/border-dashboard``. Set it to an empty
string to switch the cache off.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np
import pandas as pd
import pyarrow as pa

from dashboard.dataset import Dataset, LoadReport
from dashboard.taxonomy import DATA_DIR

FORMAT_VERSION = "4"
MAX_ENTRIES = 6  # datasets kept besides the pinned ones; the oldest stored go first
MAX_PINNED = 3  # pinned datasets; pinning one more unpins the one pinned longest ago
_LOG = logging.getLogger(__name__)
_SUMS = "checksums.json"  # the dataset's manifest: each of its files' SHA-256, written last
_PIN = "pinned"  # an empty file in a pinned entry; its modification time says when


# The writer of ``save(..., background=True)``: one thread, so an entry's later writes
# (extras, its pin) run after the entry itself, in the order asked for. Its thread is not a
# daemon: a process that stops meanwhile finishes the write first.
_writer: ThreadPoolExecutor | None = None
_pending: dict[str, Future[object]] = {}  # key -> its last write not yet done
_pending_lock = threading.Lock()


def _lower_priority() -> None:
    """The writer thread yields to the page runs (Linux: a thread has its own nice value)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # not Linux, or not allowed: it only runs sooner
        pass


def _later(key: str, work: Callable[[], object]) -> None:
    """Run ``work`` on the writer thread after everything asked before it."""
    global _writer
    with _pending_lock:
        if _writer is None:
            _writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dashboard-store",
                                         initializer=_lower_priority)
        future = _writer.submit(work)
        _pending[key] = future

    def done(finished: Future[object]) -> None:
        with _pending_lock:
            if _pending.get(key) is finished:
                del _pending[key]
        failed = None if finished.cancelled() else finished.exception()
        if failed is not None:  # the entry is validated again next time: say why
            _LOG.warning("could not write %s to the store: %s", key, failed)

    future.add_done_callback(done)


def _queued(key: str) -> bool:
    with _pending_lock:
        return key in _pending


def _wait(key: str) -> None:
    """Wait until what was asked to be written for ``key`` is on disk."""
    with _pending_lock:
        future = _pending.get(key)
    if future is not None:
        future.result()


def flush() -> None:
    """Wait until every write asked for in the background is done."""
    with _pending_lock:
        futures = list(_pending.values())
    for future in futures:
        future.result()


class _Mismatch(ValueError):
    """A stored file whose bytes are not the ones its manifest lists."""


class _Checked:
    """The files a manifest lists, each read once and handed out only when its bytes
    match: what is parsed is exactly what was hashed, and the file is not read twice."""

    def __init__(self, folder: Path, manifest: str) -> None:
        self.folder = folder
        sums = json.loads((folder / manifest).read_bytes())
        if not isinstance(sums, dict):
            raise _Mismatch(f"{manifest} is not a manifest")
        self.sums: dict[str, Any] = sums

    def __contains__(self, name: str) -> bool:
        return name in self.sums

    def read(self, name: str) -> bytes:
        data = (self.folder / name).read_bytes()
        self._check(name, data)
        return data

    def mapped(self, name: str) -> pa.Buffer:
        """The file memory-mapped (read-only), once its bytes match: a frame parsed from
        it points into the page cache instead of into a copy of the file."""
        data = _mapped(self.folder / name)
        self._check(name, data)
        return data

    def _check(self, name: str, data: bytes | pa.Buffer) -> None:
        if self.sums.get(name) != _checksum(data):
            raise _Mismatch(f"{name} does not match its checksum")


PIECE_BYTES = 16 << 20  # a checksum hashes pieces of this size, on every core


def _checksum(data: bytes | pa.Buffer, *, in_parallel: bool = True) -> str:
    """SHA-256 of the SHA-256 digests of the data's ``PIECE_BYTES`` pieces, hashed on a
    thread per core when ``in_parallel`` (hashlib lets go of the GIL): checking the mapped
    events was most of a read. A save hashes on its own (writer) thread, at its lower
    priority. SHA-256: faster here than BLAKE2b (see docs/benchmark.md)."""
    view = memoryview(data)
    pieces = [view[start:start + PIECE_BYTES] for start in range(0, len(view), PIECE_BYTES)]
    digests = (_hashers().map(_piece_digest, pieces) if in_parallel and len(pieces) > 1
               else map(_piece_digest, pieces))
    return hashlib.sha256(b"".join(digests)).hexdigest()


@lru_cache(maxsize=1)
def _hashers() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1,
                              thread_name_prefix="dashboard-store-hash")


def _piece_digest(piece: memoryview) -> bytes:
    return hashlib.sha256(piece).digest()


def _mapped(path: Path) -> pa.Buffer:
    """The file's bytes memory-mapped read-only (no copy of them in the process's memory)."""
    with pa.memory_map(str(path)) as source:
        return source.read_buffer()


def integers_within(values: object, low: int, high: int) -> TypeGuard[np.ndarray]:
    """Whether a stored extra's ``values`` are one row of integers, each ``low`` ≤ value <
    ``high``: stored numbers are checked before they index anything (anything else is
    built again, not trusted)."""
    return isinstance(values, np.ndarray) and values.dtype.kind == "i" and values.ndim == 1 \
        and (values.size == 0 or (int(values.min()) >= low and int(values.max()) < high))


def cache_root() -> Path | None:
    """The cache folder, or None when caching is switched off."""
    setting = os.environ.get("DASHBOARD_CACHE_DIR")
    if setting is not None:
        return Path(setting).expanduser() if setting.strip() else None
    return Path.home() / ".cache" / "border-dashboard"


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes, read in 1 MB blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_identity(path: Path) -> tuple[int, ...]:
    """What changes whenever a file's content does, short of reading it: its size, its
    modification and status-change times, its inode and device. ``cp -p``, ``rsync -t``
    and ``touch -r`` put an edited file's modification time back; its status-change time
    cannot be set by anyone, and a file renamed over it is another inode."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev


KNOWN_DIGESTS = 64  # files whose digest is remembered by path and identity


def remembered_digest(path: Path) -> str:
    """SHA-256 of a file, remembered across servers by path and ``file_identity``.

    The same rule the app's in-memory cache follows, kept on disk: hashing the 744 MB CSV
    of 2M events took 0.6 s of every launch that then read its result from the store. A
    file changed in place or replaced has another identity, and is hashed again."""
    identity = list(file_identity(path))
    place = str(path.resolve())
    root = cache_root()
    known: dict[str, list[Any]] = {}
    if root is not None:
        try:
            known = json.loads((root / "digests.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        if not isinstance(known, dict):  # damaged: start again
            known = {}
        entry = known.get(place)
        if isinstance(entry, list) and entry[:-1] == identity:
            return str(entry[-1])
    digest = file_digest(path)
    if root is not None:
        known.pop(place, None)
        known[place] = [*identity, digest]
        kept = dict(list(known.items())[-KNOWN_DIGESTS:])
        try:
            root.mkdir(parents=True, exist_ok=True)
            _write_atomically(root / "digests.json", json.dumps(kept).encode())
        except OSError as err:
            _LOG.warning("could not remember the digest of %s: %s", path, err)
    return digest


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """SHA-256 of the package's code (the validation, and the app that derives the extras):
    a new version of it (an upgrade, a fix) must not be answered with what an older one
    stored."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def content_key(*digests: str | None) -> str:
    """The key of a load from the inputs' SHA-256 digests (None for an absent input),
    plus the files and the code validation depends on and the store's format version."""
    digest = hashlib.sha256(f"dashboard-store {FORMAT_VERSION} {_code_digest()}".encode())
    for path in (DATA_DIR / "topics.csv", DATA_DIR / "category_mapping.csv"):
        digests = (*digests, file_digest(path) if path.exists() else None)
    for item in digests:
        digest.update(b"-" if item is None else item.encode())
    return digest.hexdigest()


def load(key: str) -> Dataset | None:
    """The stored dataset of ``key``, or None (absent, switched off, unreadable or not
    matching its checksums; a damaged entry is removed, so the next save replaces it).
    An entry still being written in the background is waited for."""
    _wait(key)
    root = cache_root()
    folder = None if root is None else root / key
    if folder is None or not folder.is_dir():
        return None
    try:
        files = _Checked(folder, _SUMS)
        meta = json.loads(files.read("reports.json"))
        reports = []
        for i, item in enumerate(meta["reports"]):
            rows = f"accepted_rows_{i}.npy"
            reports.append(LoadReport(
                file=item["file"], format=item["format"], rows_read=item["rows_read"],
                accepted=item["accepted"], rejected_rows=item["rejected_rows"],
                rejected=_frame(files.mapped(f"rejected_{i}.arrow")),
                warnings=list(item["warnings"]), table=item["table"],
                accepted_rows=(np.load(io.BytesIO(files.read(rows)), allow_pickle=False)
                               if rows in files else None),
                merged=item["merged"], merged_kind=item["merged_kind"],
            ))
        return Dataset(_frame(files.mapped("events.arrow")),
                       _frame(files.mapped("articles.arrow")), reports)
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as err:
        _LOG.warning("removing the stored dataset %s, damaged (its file is validated "
                     "again): %s", folder, err)
        shutil.rmtree(folder, ignore_errors=True)
        return None


def save(key: str, dataset: Dataset, *, background: bool = False) -> None:
    """Store ``dataset`` under ``key`` (written to a temporary folder, then renamed).

    ``background=True`` returns at once and writes it on the store's writer thread, at a
    lower priority: a first open draws its page without waiting for the second of writing
    (docs/benchmark.md). Until it is written, ``load`` of the key waits for it,
    ``load_extra`` finds nothing, and ``save_extra``, ``pin`` follow it on that thread."""
    if background:
        root = cache_root()  # the folder of now, whatever the environment says by then
        _later(key, lambda: _save(key, dataset, root))
        return
    _save(key, dataset, cache_root())


def _save(key: str, dataset: Dataset, root: Path | None) -> None:
    if root is None:
        return
    work = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
        _write_frame(dataset.events, work / "events.arrow")
        _write_frame(dataset.articles, work / "articles.arrow")
        reports = []
        for i, report in enumerate(dataset.reports):
            _write_frame(report.rejected, work / f"rejected_{i}.arrow")
            if report.accepted_rows is not None:
                np.save(work / f"accepted_rows_{i}.npy", np.asarray(report.accepted_rows),
                        allow_pickle=False)
            reports.append({"file": report.file, "format": report.format,
                            "rows_read": report.rows_read, "accepted": report.accepted,
                            "rejected_rows": report.rejected_rows,
                            "warnings": report.warnings, "table": report.table,
                            "merged": report.merged, "merged_kind": report.merged_kind})
        (work / "reports.json").write_text(json.dumps({"reports": reports}), encoding="utf-8")
        sums = {path.name: _checksum(_mapped(path), in_parallel=False)
                for path in sorted(work.iterdir())}
        (work / _SUMS).write_text(json.dumps(sums), encoding="utf-8")
        try:
            work.rename(root / key)
            work = None
        except OSError:  # another process stored the same key first
            pass
        _prune(root)
    except (OSError, ValueError, pa.ArrowException) as err:
        _LOG.warning("could not store the validated dataset in %s: %s", root, err)
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def load_extra(key: str, name: str) -> dict[str, Any] | None:
    """What ``save_extra`` kept beside the dataset of ``key`` under ``name``, or None
    (a damaged one is removed, so the caller derives and saves it again). While the dataset
    of ``key`` is still being written in the background its extras are not on disk yet:
    None at once, so the launch warm-up derives them meanwhile instead of waiting."""
    if _queued(key):
        return None
    root = cache_root()
    if root is None:
        return None
    folder = root / key
    manifest = folder / f"{name}.{_SUMS}"
    if not manifest.exists():
        return None
    try:
        files = _Checked(folder, manifest.name)
        with np.load(io.BytesIO(files.read(f"{name}.npz")), allow_pickle=False) as stored:
            value: dict[str, Any] = {item: stored[item] for item in stored.files}
        value.update(json.loads(files.read(f"{name}.json")))
        return value
    except (OSError, ValueError, KeyError, TypeError) as err:
        _LOG.warning("removing the stored %s of %s, damaged: %s", name, key, err)
        for path in (manifest, folder / f"{name}.npz", folder / f"{name}.json"):
            path.unlink(missing_ok=True)
        return None


def save_extra(key: str, name: str, value: dict[str, Any]) -> None:
    """Keep ``value`` (numpy arrays and JSON values) beside the stored dataset of ``key``.

    Nothing is written when the dataset itself is not stored; each file is written under
    a temporary name and renamed, the manifest last, which ``load_extra`` looks for. While
    the dataset is being written in the background, this follows it there."""
    if _queued(key):
        root = cache_root()
        _later(key, lambda: _save_extra(key, name, value, root))
        return
    _save_extra(key, name, value, cache_root())


def _save_extra(key: str, name: str, value: dict[str, Any], root: Path | None) -> None:
    folder = None if root is None else root / key
    if folder is None or not (folder / _SUMS).exists():
        return
    arrays = {k: v for k, v in value.items() if isinstance(v, np.ndarray)}
    fields = {k: v for k, v in value.items() if not isinstance(v, np.ndarray)}
    try:
        packed = io.BytesIO()
        np.savez(packed, allow_pickle=False, **arrays)  # load_extra refuses pickles too
        contents = {f"{name}.npz": packed.getvalue(), f"{name}.json": json.dumps(fields).encode()}
        for file, data in contents.items():
            _write_atomically(folder / file, data)
        sums = {file: _checksum(data, in_parallel=False) for file, data in contents.items()}
        _write_atomically(folder / f"{name}.{_SUMS}", json.dumps(sums).encode())
    except (OSError, ValueError, TypeError) as err:
        _LOG.warning("could not store the %s of %s: %s", name, key, err)


def _write_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` under a temporary name beside ``target``, then rename it over
    ``target``: a reader sees the old file or the new one, never part of one."""
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=target.suffix,
                                     delete=False) as handle:
        handle.write(data)
    Path(handle.name).replace(target)


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    """One Arrow IPC file, one record batch: columns come back in a single chunk."""
    # one thread: Arrow's conversion of many columns asks a thread pool, which refuses work
    # once the interpreter stops, so a server stopped during a background write lost it
    table = pa.Table.from_pandas(frame, preserve_index=False, nthreads=1).combine_chunks()
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table, max_chunksize=max(len(frame), 1))


def _frame(data: pa.Buffer) -> pd.DataFrame:
    """The frame ``_write_frame`` wrote, from its file's mapped bytes, with its pandas
    dtypes (kept in the schema)."""
    return pa.ipc.open_file(data).read_all().to_pandas()


def pin(key: str) -> bool:
    """Keep the stored dataset of ``key`` out of pruning (True when it is stored and now
    pinned): the launch data must not be pushed out by the files visitors check on the
    Data page. Pinning again marks it pinned now. Only the ``MAX_PINNED`` most recently
    pinned stay pinned, because each new version of the code gives the launch file a new
    key: the entries older versions pinned go back among the others. An entry still being
    written in the background is pinned once written (True: asked for)."""
    if _queued(key):
        root = cache_root()
        _later(key, lambda: _pin(key, root))
        return True
    return _pin(key, cache_root())


def _pin(key: str, root: Path | None) -> bool:
    if root is None or not (root / key / _SUMS).exists():
        return False
    folder = root / key
    try:
        (folder / _PIN).touch()
        _prune(root)
    except OSError as err:
        _LOG.warning("could not pin the stored dataset %s: %s", folder, err)
        return False
    return True


def _prune(root: Path) -> None:
    """Keep the ``MAX_PINNED`` most recently pinned datasets and, besides them, the
    ``MAX_ENTRIES`` most recently stored (by their manifest's time: writing an extra or a
    pin into a folder changes the folder's own)."""
    entries = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")]
    pinned = sorted((p for p in entries if (p / _PIN).exists()),
                    key=lambda p: _modified(p / _PIN), reverse=True)
    for unpinned in pinned[MAX_PINNED:]:
        (unpinned / _PIN).unlink(missing_ok=True)
    kept = set(pinned[:MAX_PINNED])
    stored = sorted((p for p in entries if p not in kept),
                    key=lambda p: _modified(p / _SUMS), reverse=True)
    for old in stored[MAX_ENTRIES:]:
        shutil.rmtree(old, ignore_errors=True)


def _modified(path: Path) -> int:
    """Modification time of ``path``; 0 (the oldest) when it is gone, damaged or removed
    by another server meanwhile."""
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0
