"""The on-disk store of validated datasets: same content, same result; any change, a miss."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from dashboard import store
from dashboard.dataset import load_dataset

EVENTS = """\
event_id,event_date,date_precision,topic,country,latitude,longitude,verification,\
article_ids,summary,fatalities
e1,2024-05-01,day,strike,POL,52.1,21.0,confirmed,a1,"=cmd, quoted",3
e2,2024-05,month,legal,LTU,,,claimed,a1; a2,Trial,
e3,not a date,day,strike,POL,52.1,21.0,confirmed,,bad row,
"""
ARTICLES = """article_id,title,outlet,url,published,language,summary
a1,First,Outlet A,https://example.org/a,2024-05-02,en,
a2,Second,,,2024-06,pl,
"""


EXTRA = {"rows": np.array([0, 2, 5], dtype=np.int64), "names": ["POL", "LTU"],
         "first": "2024-05-01", "last": None}


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(tmp_path / "store"))
    events = tmp_path / "events.csv"
    events.write_text(EVENTS, encoding="utf-8")
    articles = tmp_path / "events_articles.csv"
    articles.write_text(ARTICLES, encoding="utf-8")
    return events, articles


def _key(events, articles) -> str:
    return store.content_key(store.file_digest(events), store.file_digest(articles))


def test_a_stored_dataset_comes_back_equal_with_its_reports(files):
    events, articles = files
    dataset = load_dataset(events)
    key = _key(events, articles)
    assert store.load(key) is None
    store.save(key, dataset)
    again = store.load(key)
    pd.testing.assert_frame_equal(again.events, dataset.events)
    pd.testing.assert_frame_equal(again.articles, dataset.articles)
    assert [r.summary() for r in again.reports] == [r.summary() for r in dataset.reports]
    before, after = dataset.reports[0], again.reports[0]
    assert after.rejected_rows == 1 and after.accepted + after.rejected_rows == after.rows_read
    pd.testing.assert_frame_equal(after.rejected, before.rejected)
    np.testing.assert_array_equal(after.accepted_rows, before.accepted_rows)


def test_a_changed_byte_is_a_new_key(files):
    events, articles = files
    key = _key(events, articles)
    events.write_text(EVENTS.replace("Trial", "Trials"), encoding="utf-8")
    assert _key(events, articles) != key
    assert store.content_key(store.file_digest(events), None) != _key(events, articles)


def test_a_damaged_entry_is_a_miss_and_switching_off_stores_nothing(files, monkeypatch):
    events, articles = files
    key = _key(events, articles)
    store.save(key, load_dataset(events))
    (store.cache_root() / key / "events.arrow").write_bytes(b"not an Arrow file")
    assert store.load(key) is None
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", "")
    assert store.cache_root() is None
    store.save("other", load_dataset(events))
    assert store.load("other") is None


def test_the_key_follows_the_code_that_validated(files, monkeypatch):
    events, articles = files
    key = _key(events, articles)
    monkeypatch.setattr(store, "_code_digest", lambda: "another version of the code")
    assert _key(events, articles) != key


def _mapped_from(address: int) -> str | None:
    """The file mapped at ``address`` in this process (Linux's /proc/self/maps), or None."""
    for line in Path("/proc/self/maps").read_text().splitlines():
        fields = line.split(maxsplit=5)  # start-end, mode, offset, device, inode[, path]
        start, end = (int(part, 16) for part in fields[0].split("-"))
        if start <= address < end:
            return fields[5].strip() if len(fields) > 5 else None
    return None


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs Linux's /proc")
def test_a_stored_frame_points_into_its_mapped_file_instead_of_a_copy(files):
    """The events come back memory-mapped: their text is the stored file's bytes in the
    page cache, not a copy (or a decompression) of them in the process's memory."""
    events, articles = files
    dataset = load_dataset(events)
    key = _key(events, articles)
    store.save(key, dataset)
    again = store.load(key)
    chunk = again.events["summary"].array._pa_array.chunk(0)
    mapped = _mapped_from(chunk.buffers()[2].address)  # the text's bytes
    assert mapped == str(store.cache_root() / key / "events.arrow")
    pd.testing.assert_frame_equal(again.events, dataset.events)


def test_columns_come_back_in_one_chunk(files):
    """Validation leaves Arrow columns in many chunks; the store joins them once on the way
    in, so a page of rows taken from a re-opened dataset does not join them on every run."""
    events, articles = files
    dataset = load_dataset(events)
    ids = dataset.events["event_id"]
    two_chunks = pa.chunked_array([pa.array(ids.iloc[:1].tolist(), pa.large_string()),
                                   pa.array(ids.iloc[1:].tolist(), pa.large_string())])
    dataset.events["event_id"] = pd.Series(type(ids.array)(two_chunks, dtype=ids.dtype),
                                           index=ids.index)
    assert dataset.events["event_id"].array._pa_array.num_chunks == 2
    key = _key(events, articles)
    store.save(key, dataset)
    again = store.load(key)
    pd.testing.assert_frame_equal(again.events, dataset.events)
    for frame in (again.events, again.articles):
        for name in frame.columns:
            chunked = getattr(frame[name].array, "_pa_array", None)
            assert chunked is None or chunked.num_chunks == 1, name


def test_extras_are_kept_beside_a_stored_dataset_only(files):
    """What the app derives once per dataset comes back as it was stored; without a stored
    dataset, or with a damaged file, there is nothing to read back."""
    events, articles = files
    key = _key(events, articles)
    store.save_extra(key, "extra", EXTRA)
    assert store.load_extra(key, "extra") is None  # no dataset stored under the key yet
    store.save(key, load_dataset(events))
    store.save_extra(key, "extra", EXTRA)
    again = store.load_extra(key, "extra")
    np.testing.assert_array_equal(again.pop("rows"), EXTRA["rows"])
    assert again == {"names": ["POL", "LTU"], "first": "2024-05-01", "last": None}
    (store.cache_root() / key / "extra.npz").write_bytes(b"not a numpy file")
    assert store.load_extra(key, "extra") is None
    assert store.load_extra(key, "never stored") is None


def test_a_file_digest_is_remembered_until_the_file_changes(files, monkeypatch):
    """A later server takes an unchanged file's SHA-256 from the store instead of reading
    the whole file again; a file rewritten in place is hashed again."""
    events, _ = files
    hashed = []
    digest = store.file_digest
    monkeypatch.setattr(store, "file_digest", lambda path: hashed.append(path) or digest(path))
    first = store.remembered_digest(events)
    assert first == digest(events) and len(hashed) == 1
    assert store.remembered_digest(events) == first and len(hashed) == 1
    events.write_text(EVENTS.replace("Trial", "Trials"), encoding="utf-8")
    os.utime(events, ns=(1, 1))  # a new size and modification time
    changed = store.remembered_digest(events)
    assert changed == digest(events) != first and len(hashed) == 2
    (store.cache_root() / "digests.json").write_text("[1, 2]", encoding="utf-8")  # damaged
    assert store.remembered_digest(events) == changed and len(hashed) == 3
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", "")  # store off: nothing remembered
    store.remembered_digest(events)
    store.remembered_digest(events)
    assert len(hashed) == 5


def _flip(path: Path, at: bytes | int) -> None:
    """Flip the lowest bit of one byte of ``path``: the first byte of ``at`` when it is a
    byte string found in the file, else the byte at offset ``at``."""
    data = bytearray(path.read_bytes())
    offset = data.index(at) if isinstance(at, bytes) else at
    data[offset] ^= 1
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("piece_bytes", [store.PIECE_BYTES, 64], ids=["one piece", "pieces"])
@pytest.mark.parametrize(("name", "at"), [
    ("events.arrow", b"Trial"),  # an event's summary
    ("articles.arrow", b"Second"),  # an article's title
    ("rejected_0.arrow", b"not a date"),  # a rejected row's value
    ("accepted_rows_0.npy", -1),  # the top byte of the last accepted row's number
    ("reports.json", b"canonical"),  # a report's format
    ("checksums.json", -3),  # a digit of the manifest's last checksum
])
def test_a_flipped_bit_in_any_stored_file_is_a_miss_and_the_entry_is_stored_again(
        files, caplog, monkeypatch, name, at, piece_bytes):
    """Each flip still parses (Arrow keeps text as it is, numpy and JSON check nothing):
    only the checksum tells the changed data from the stored one, whichever of a file's
    pieces (hashed apart, on threads) holds the flip."""
    monkeypatch.setattr(store, "PIECE_BYTES", piece_bytes)
    events, articles = files
    dataset = load_dataset(events)
    key = _key(events, articles)
    store.save(key, dataset)
    _flip(store.cache_root() / key / name, at)
    with caplog.at_level(logging.WARNING, logger="dashboard.store"):
        assert store.load(key) is None
    assert "damaged" in caplog.text
    store.save(key, dataset)  # the damaged entry was removed: this one takes its place
    again = store.load(key)
    pd.testing.assert_frame_equal(again.events, dataset.events)
    pd.testing.assert_frame_equal(again.reports[0].rejected, dataset.reports[0].rejected)


@pytest.mark.parametrize(("name", "at"), [
    ("extra.npz", np.int64(5).tobytes()),  # the last row number, stored as it is
    ("extra.json", b"POL"),
    ("extra.checksums.json", -3),
])
def test_a_flipped_bit_in_a_stored_extra_is_a_miss_and_it_is_stored_again(files, name, at):
    events, articles = files
    key = _key(events, articles)
    store.save(key, load_dataset(events))
    store.save_extra(key, "extra", EXTRA)
    _flip(store.cache_root() / key / name, at)
    assert store.load_extra(key, "extra") is None
    assert store.load(key) is not None  # the dataset's own files are intact
    store.save_extra(key, "extra", EXTRA)
    again = store.load_extra(key, "extra")
    np.testing.assert_array_equal(again.pop("rows"), EXTRA["rows"])
    assert again == {k: v for k, v in EXTRA.items() if k != "rows"}


def _after_a_tick(path: Path) -> None:
    """Wait until file times have moved on from ``path``'s (they follow the kernel's timer,
    milliseconds apart), so that what is written now gets another status-change time."""
    probe = path.with_name("tick.probe")
    probe.write_bytes(b"")
    while probe.stat().st_ctime_ns <= path.stat().st_ctime_ns:
        probe.write_bytes(b"")
    probe.unlink()


def _rewritten_in_place(path: Path, text: str, times: tuple[int, int]) -> None:
    """An edit whose times are put back (``touch -r``): the same inode."""
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=times)


def _copied_over_with_times(path: Path, text: str, times: tuple[int, int]) -> None:
    """``cp -p`` from a file with the same times: the same inode, written anew."""
    source = path.with_name("copied.csv")
    source.write_text(text, encoding="utf-8")
    os.utime(source, ns=times)
    shutil.copy2(source, path)


def _renamed_over_with_times(path: Path, text: str, times: tuple[int, int]) -> None:
    """``rsync -t``: a new file with the old times renamed over the old one."""
    staged = path.with_name(".staged.csv")
    staged.write_text(text, encoding="utf-8")
    os.utime(staged, ns=times)
    staged.replace(path)


def _ui_file_sha256(path: Path) -> str:
    from dashboard.ui import data as ui_data

    return ui_data.file_sha256(str(path))


@pytest.mark.parametrize("digest_of", [store.remembered_digest, _ui_file_sha256],
                         ids=["store.remembered_digest", "ui.data.file_sha256"])
@pytest.mark.parametrize("rewrite", [_rewritten_in_place, _copied_over_with_times,
                                     _renamed_over_with_times])
def test_a_file_edited_at_the_same_size_with_its_times_put_back_is_hashed_again(
        files, digest_of, rewrite):
    events, _ = files
    before = events.stat()
    first = digest_of(events)
    _after_a_tick(events)
    rewrite(events, EVENTS.replace("Trial", "Trail"), (before.st_atime_ns, before.st_mtime_ns))
    after = events.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    assert digest_of(events) == store.file_digest(events) != first


def test_a_pinned_dataset_outlives_any_number_of_newer_ones(files, monkeypatch):
    """The launch data stays while visitors check other files; pinned entries do not count
    toward ``MAX_ENTRIES``."""
    events, _ = files
    dataset = load_dataset(events)
    assert store.pin("launch") is False  # nothing stored under it
    store.save("launch", dataset)
    assert store.pin("launch") is True
    for i in range(store.MAX_ENTRIES + 3):
        store.save(f"visitor-{i}", dataset)
    assert store.load("launch") is not None
    visitors = [p for p in store.cache_root().iterdir() if p.name.startswith("visitor-")]
    assert len(visitors) == store.MAX_ENTRIES
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", "")
    assert store.pin("launch") is False


def test_only_the_most_recently_pinned_stay_pinned(files):
    """Each version of the code gives the launch file a new key: what older versions pinned
    goes back among the other entries instead of piling up."""
    events, _ = files
    dataset = load_dataset(events)
    launches = ["oldest launch", *(f"launch-{i}" for i in range(store.MAX_PINNED))]
    for key in launches:
        store.save(key, dataset)
        store.pin(key)
        _after_a_tick(store.cache_root() / key)  # the next pin is later
    for i in range(store.MAX_ENTRIES + 1):
        store.save(f"visitor-{i}", dataset)
    assert [store.load(key) is not None for key in launches] == [
        False, *[True] * store.MAX_PINNED]


def test_a_background_save_returns_before_writing_and_what_follows_waits_for_it(
        files, monkeypatch):
    """A first open does not wait for the store: ``save(background=True)`` returns while
    the entry is still unwritten; its extras and pin are written after it, ``load`` of the
    key waits for it and ``load_extra`` does not (the warm-up derives the extras meanwhile)."""
    import threading

    events, articles = files
    dataset = load_dataset(events)
    key = _key(events, articles)
    release = threading.Event()
    write_frame = store._write_frame

    def held_write(frame, path):
        assert release.wait(30)
        write_frame(frame, path)

    monkeypatch.setattr(store, "_write_frame", held_write)
    store.save(key, dataset, background=True)  # returns although no file can be written
    assert not (store.cache_root() / key).exists()
    store.save_extra(key, "extra", EXTRA)  # follows the entry on the writer thread
    assert store.pin(key) is True
    assert store.load_extra(key, "extra") is None  # not on disk yet, and not waited for
    asked_in = store.cache_root()
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(asked_in.parent / "another store"))
    release.set()
    store.flush()
    assert not store.cache_root().exists()  # written where it was asked to be, not here
    monkeypatch.setenv("DASHBOARD_CACHE_DIR", str(asked_in))
    again = store.load(key)
    pd.testing.assert_frame_equal(again.events, dataset.events)
    np.testing.assert_array_equal(store.load_extra(key, "extra")["rows"], EXTRA["rows"])
    assert (store.cache_root() / key / store._PIN).exists()


def test_a_load_waits_for_the_background_write_of_its_key(files, monkeypatch):
    import threading

    events, articles = files
    dataset = load_dataset(events)
    key = _key(events, articles)
    release = threading.Event()
    write_frame = store._write_frame
    monkeypatch.setattr(store, "_write_frame",
                        lambda frame, path: (release.wait(30), write_frame(frame, path)))
    store.save(key, dataset, background=True)
    threading.Timer(0.3, release.set).start()  # the write can finish only after load began
    again = store.load(key)  # not None: it waited for the write
    pd.testing.assert_frame_equal(again.events, dataset.events)


def test_a_background_write_still_pending_when_the_process_stops_is_finished(files):
    """A server stopped right after a first open (Ctrl-C, a restart) still leaves the
    entry: the writer finishes it while the interpreter stops, when no new thread pool
    work is accepted any more."""
    import subprocess
    import sys

    events, articles = files
    rows = [f"e{n},2024-05-01,day,strike,POL,52.1,21.0,confirmed,a1,event {n}," for n in
            range(4000)]  # enough rows per column that Arrow converts them on its pool
    events.write_text(EVENTS.splitlines()[0] + "\n" + "\n".join(rows) + "\n",
                      encoding="utf-8")
    script = (
        "import sys, time\n"
        "from dashboard import store\n"
        "from dashboard.dataset import load_dataset\n"
        "dataset = load_dataset(sys.argv[1])\n"
        "store._later(sys.argv[2], lambda: time.sleep(0.5))  # still busy at the exit\n"
        "store.save(sys.argv[2], dataset, background=True)\n")
    key = _key(events, articles)
    done = subprocess.run([sys.executable, "-c", script, str(events), key],
                          capture_output=True, text=True, timeout=120, check=False,
                          env={**os.environ, "PYTHONPATH": str(Path(store.__file__).parents[1])})
    assert done.returncode == 0, done.stderr
    assert "could not write" not in done.stderr
    again = store.load(key)
    assert again is not None
    pd.testing.assert_frame_equal(again.events, load_dataset(events).events)
