"""Where story detection keeps what it knows about every article, in memory or on disk.

``syndication.StoryIndex`` needs, per indexed article (a *row*, numbered in arrival
order): its id, its MinHash signature, its shingle count, its publication day, the row its
story is named after, and whether it is still indexed; and two lookups, id -> row and LSH
band key -> rows. A million articles is half a gigabyte of signatures alone, and an
``add`` of ten articles must not read them all, so:

- small per-row numbers live in numpy arrays (~40 bytes a row), saved as one ``.npy`` each;
- ids and signatures are appended to ``ids.bin`` and ``signatures.bin`` and read back a row
  at a time (``os.pread``), only for the few candidates a new article is compared with;
  the latest rows wait in memory until a batch is written;
- the two lookups are ``KeyRuns``: sorted arrays of (key, row), searched by bisection and
  memory-mapped from disk, plus a small dict of the latest rows; runs of similar size are
  merged (a log-structured merge), so there are few of them and a write touches only new
  ones.

A folder ``stories/`` holds the state of one index generation::

    state.json            what is committed: format, row count, byte lengths, file names
    ids.bin               the ids, UTF-8, one after another (append only)
    signatures.bin        NUM_PERM uint32 values a row (append only)
    rows-N.npz            the per-row arrays as of commit N
    ids-N-K.{keys,rows}.npy   id hash -> row, one sorted run each
    bands-N-K.{keys,rows}.npy band key -> row

``commit`` appends, writes new files, then replaces ``state.json`` atomically: a crash
leaves the previous commit intact (appended bytes past its lengths are cut off next time)
and files no commit names are removed by the next one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

STATE = "state.json"
IDS = "ids.bin"
SIGNATURES = "signatures.bin"
#: Entries held in a ``KeyRuns`` dict before they become a sorted run.
RECENT_ENTRIES = 1 << 17
#: A run is merged into the one before it while that one is at most this many times larger:
#: run sizes then grow geometrically and a million rows make a dozen runs or fewer.
MERGE_RATIO = 4
#: Runs stop growing at this many pairs (32 MB): a merge needs the old and the new run in
#: memory at once, and at a million articles a single band run would be 256 MB.
MAX_MERGED_ENTRIES = 1 << 22
#: Records read through one memory map of an append file before it is dropped, which bounds
#: the file pages counted in resident memory. One: Linux maps a whole large folio of page
#: cache (up to 2 MB) or a fault-around window at each fault, not one page, so a few hundred
#: scattered reads made the whole signatures file resident: 512 bytes an article, 120 MB
#: of the parent 245,000 articles into a rebuild of a million with 16,384 here.
MAPPED_RECORDS = 1


class KeyRuns:
    """A multimap key -> rows for rows added in increasing order; rows come back ascending.

    New pairs go to a dict; every ``RECENT_ENTRIES`` they become a sorted run (a key array
    and a row array, ``dtype`` keys): 8-12 bytes a pair instead of ~150 in a dict of lists.

    >>> runs = KeyRuns(np.uint32)
    >>> runs.add([5, 7], 0)
    >>> runs.seal()  # row 0 now in a sorted run; row 1 in the dict
    >>> runs.add([7, 9], 1)
    >>> runs.find([5, 7, 9, 11])
    [[0], [0, 1], [1], ()]
    """

    def __init__(self, dtype: Any, runs: Sequence[tuple[np.ndarray, np.ndarray]] = ()) -> None:
        self.dtype = np.dtype(dtype)
        #: Recent pairs: key -> first row, and key -> later rows for the few repeated keys.
        self._recent: dict[int, int] = {}
        self._repeated: dict[int, list[int]] = {}
        self._recent_entries = 0
        #: (keys, rows) sorted by key then row, oldest rows first; loaded ones memory-mapped.
        self.runs: list[tuple[np.ndarray, np.ndarray]] = list(runs)
        #: Which runs are already on disk (their file stem), by position in ``runs``.
        self.saved: list[str | None] = [None] * len(self.runs)

    @property
    def entries(self) -> int:
        return self._recent_entries + sum(len(keys) for keys, _ in self.runs)

    def add(self, keys: Sequence[int], row: int) -> None:
        recent = self._recent
        if any(key in recent for key in keys):
            for key in keys:
                if key in recent:
                    self._repeated.setdefault(key, []).append(row)
                else:
                    recent[key] = row
        else:
            recent.update(zip(keys, repeat(row)))
        self._recent_entries += len(keys)
        if self._recent_entries >= RECENT_ENTRIES:
            self.seal()

    def find(self, keys: Sequence[int]) -> list[Sequence[int]]:
        """For each key, the rows filed under it, ascending."""
        found: list[Sequence[int]] = [()] * len(keys)
        if self.runs:
            wanted = np.array(keys, dtype=self.dtype)
            for run_keys, run_rows in self.runs:
                # Both ends of every key's range at once: two searches a run, however many
                # keys hit (one search a hit made a large state's lookups grow with it).
                starts = np.searchsorted(run_keys, wanted, side="left")
                stops = np.searchsorted(run_keys, wanted, side="right")
                for i in np.flatnonzero(stops > starts).tolist():
                    found[i] = [*found[i], *run_rows[starts[i] : stops[i]].tolist()]
        for i, row in enumerate(map(self._recent.get, keys)):
            if row is not None:
                found[i] = [*found[i], row, *self._repeated.get(keys[i], ())]
        return found

    def seal(self) -> None:
        """Turn the recent pairs into a sorted run, merging runs of similar size."""
        if not self._recent:
            return
        repeated = [(key, row) for key, rows in self._repeated.items() for row in rows]
        count = len(self._recent) + len(repeated)  # a key twice in one add() is stored once
        keys = np.fromiter(chain(self._recent, (key for key, _ in repeated)), self.dtype, count)
        rows = np.fromiter(
            chain(self._recent.values(), (row for _, row in repeated)), np.uint32, count
        )
        order = np.lexsort((rows, keys))
        self.runs.append((keys[order], rows[order]))
        self.saved.append(None)
        self._recent.clear()
        self._repeated.clear()
        self._recent_entries = 0
        while len(self.runs) > 1 and self._mergeable(len(self.runs[-2][0]), len(self.runs[-1][0])):
            self.runs[-2:] = [_merged(*self.runs[-2:])]
            self.saved[-2:] = [None]

    @staticmethod
    def _mergeable(older: int, newer: int) -> bool:
        return older <= MERGE_RATIO * newer and older + newer <= MAX_MERGED_ENTRIES

    def save(self, folder: Path, prefix: str) -> list[str]:
        """Write the runs not yet on disk as ``prefix-K``; return every run's file stem."""
        self.seal()
        for k, ((keys, rows), stem) in enumerate(zip(self.runs, self.saved, strict=True)):
            if stem is None:
                stem = f"{prefix}-{k}"
                _save_array(folder / f"{stem}.keys.npy", keys)
                _save_array(folder / f"{stem}.rows.npy", rows)
                self.saved[k] = stem
        return list(self.saved)

    @classmethod
    def load(cls, folder: Path, stems: Sequence[str], dtype: Any) -> KeyRuns:
        runs = [
            (
                np.load(folder / f"{stem}.keys.npy", mmap_mode="r"),
                np.load(folder / f"{stem}.rows.npy", mmap_mode="r"),
            )
            for stem in stems
        ]
        loaded = cls(dtype, runs)
        loaded.saved = list(stems)
        return loaded

    def files(self) -> list[str]:
        return [f"{stem}.{part}.npy" for stem in self.saved if stem for part in ("keys", "rows")]


def _merged(
    older: tuple[np.ndarray, np.ndarray], newer: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Two runs as one, by placing the newer's pairs among the older's (no full sort):
    a key's older rows stay first, as every row of ``newer`` follows those of ``older``."""
    (old_keys, old_rows), (new_keys, new_rows) = older, newer
    size = len(old_keys) + len(new_keys)
    places = np.searchsorted(old_keys, new_keys, side="right") + np.arange(len(new_keys))
    from_new = np.zeros(size, dtype=bool)
    from_new[places] = True
    keys = np.empty(size, dtype=old_keys.dtype)
    rows = np.empty(size, dtype=np.uint32)
    keys[places], rows[places] = new_keys, new_rows
    keys[~from_new], rows[~from_new] = old_keys, old_rows
    return keys, rows


def _save_array(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, np.ascontiguousarray(array))
        handle.flush()
        os.fsync(handle.fileno())


class AppendFile:
    """A file of committed bytes plus an in-memory tail, read back with ``pread`` (fixed-size
    records: several at once, through a memory map)."""

    def __init__(self, path: Path | None, committed: int = 0) -> None:
        self.path = path
        self.committed = committed  # bytes on disk that belong to the state
        self._fd: int | None = None
        self._map: np.ndarray | None = None
        self._mapped_reads = 0
        self._tail = bytearray()

    @property
    def size(self) -> int:
        return self.committed + len(self._tail)

    @property
    def tail_bytes(self) -> int:
        return len(self._tail)

    def append(self, data: bytes) -> None:
        self._tail += data

    def records(self, numbers: np.ndarray, size: int) -> np.ndarray:
        """Records ``numbers`` of ``size`` bytes each, as rows of a uint8 array.

        Committed records are gathered from a memory map of the file in one step (a ``pread``
        each was most of story detection's time once candidates grew with the archive);
        the few in the tail are copied from memory. The map is dropped after
        ``MAPPED_RECORDS`` records so that the pages it touched leave this process's
        resident memory (they stay in the page cache).
        """
        out = np.empty((len(numbers), size), dtype=np.uint8)
        offsets = np.asarray(numbers, dtype=np.int64) * size
        on_disk = offsets < self.committed
        if on_disk.any():
            out[on_disk] = self._mapped(size)[offsets[on_disk] // size]
            self._mapped_reads += int(np.count_nonzero(on_disk))
            if self._mapped_reads >= MAPPED_RECORDS:
                self._map = None
        if not on_disk.all():
            tail = np.frombuffer(self._tail, dtype=np.uint8).reshape(-1, size)
            out[~on_disk] = tail[(offsets[~on_disk] - self.committed) // size]
            del tail  # the bytearray may grow again only once no view holds it
        return out

    def _mapped(self, size: int) -> np.ndarray:
        """The committed bytes as rows of ``size`` (mapped again after each flush)."""
        count = self.committed // size
        if self._map is None or len(self._map) != count:
            assert self.path is not None
            self._mapped_reads = 0
            self._map = np.memmap(self.path, dtype=np.uint8, mode="r", shape=(count, size))
        return self._map

    def read(self, offset: int, length: int) -> bytes:
        if offset >= self.committed:
            start = offset - self.committed
            return bytes(self._tail[start : start + length])
        if self._fd is None:
            assert self.path is not None
            self._fd = os.open(self.path, os.O_RDONLY)
        return os.pread(self._fd, length, offset)

    def flush(self) -> None:
        """Write the tail after the committed bytes (cutting off what a crash left there)."""
        if not self._tail or self.path is None:
            return
        with open(self.path, "ab") as handle:
            if handle.tell() != self.committed:
                handle.truncate(self.committed)
                handle.seek(self.committed)
            handle.write(self._tail)
            handle.flush()
            os.fsync(handle.fileno())
        self.committed += len(self._tail)
        self._tail = bytearray()

    def close(self) -> None:
        self._map = None
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def read_state(folder: Path) -> dict:
    return json.loads((folder / STATE).read_text("utf-8"))


def write_state(folder: Path, state: dict) -> None:
    """Replace ``state.json`` atomically (write beside, fsync, rename)."""
    tmp = folder / f".{STATE}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, folder / STATE)


def remove_unnamed(folder: Path, keep: Iterable[str]) -> None:
    """Delete files of earlier commits that the current one no longer names."""
    keep = set(keep) | {STATE, IDS, SIGNATURES}
    for path in folder.iterdir():
        if path.name not in keep and not path.name.startswith(f".{STATE}"):
            path.unlink(missing_ok=True)
