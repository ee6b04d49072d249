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
- the two lookups are ``KeyRuns``: sorted arrays of (key, row) plus a small dict of the
  latest rows; runs of similar size are merged (a log-structured merge), so there are few
  of them and a write touches only new ones. Past ``MEMORY_ENTRIES`` pairs the runs in
  memory are written out (``DiskRun``) and merged on disk a chunk at a time: a lookup then
  reads one block of a run with ``pread`` and keeps only every ``BLOCK_ENTRIES``-th key in
  memory, so the state's memory stays flat however large the archive (a memory map was no
  better than memory: binary searches touch every page, and touched pages count).

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
import shutil
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, repeat
from pathlib import Path
from typing import Any

import numpy as np

from search.indexing.array_files import ArrayFile, ArrayWriter

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
#: Pairs a ``KeyRuns`` with a folder keeps in sorted runs in memory before it writes them
#: out as a run on disk: 2M band pairs are 16 MB, ~65,000 articles.
MEMORY_ENTRIES = 1 << 21
#: Pairs a lookup in a run on disk reads at once (1 KB of band keys); the run's memory is
#: one key in this many. 256: a 32-key lookup took 70 us more than in memory (1024: 85).
BLOCK_ENTRIES = 256
#: Pairs read at once from each of two runs on disk being merged into one: 2^20 made the
#: merge's buffers ~40 MB, this ~10 MB.
MERGE_CHUNK = 1 << 18
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
    With a ``folder``, runs in memory past ``MEMORY_ENTRIES`` pairs are written there as one
    ``DiskRun`` (``spill``), and runs on disk of similar size merged, so memory stays bounded.

    >>> runs = KeyRuns(np.uint32)
    >>> runs.add([5, 7], 0)
    >>> runs.seal()  # row 0 now in a sorted run; row 1 in the dict
    >>> runs.add([7, 9], 1)
    >>> runs.find([5, 7, 9, 11])
    [[0], [0, 1], [1], ()]
    """

    def __init__(
        self,
        dtype: Any,
        disk: Sequence[DiskRun] = (),
        folder: Path | None = None,
        prefix: str = "run",
    ) -> None:
        self.dtype = np.dtype(dtype)
        #: Recent pairs: key -> first row, and key -> later rows for the few repeated keys.
        self._recent: dict[int, int] = {}
        self._repeated: dict[int, list[int]] = {}
        self._recent_entries = 0
        #: (keys, rows) sorted by key then row, oldest rows first, in memory.
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        #: Older runs on disk (rows before those of ``runs``), oldest first.
        self.disk: list[DiskRun] = list(disk)
        #: Where runs go on disk (None: all in memory until ``save``), and their names:
        #: ``prefix-N``; a file a commit names is never removed before the next commit.
        self.folder = folder
        self.prefix = prefix
        self._written = 0
        self._committed = {run.stem for run in self.disk}

    @property
    def entries(self) -> int:
        in_memory = sum(len(keys) for keys, _ in self.runs)
        return self._recent_entries + in_memory + sum(run.length for run in self.disk)

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
        if self.runs or self.disk:
            wanted = np.array(keys, dtype=self.dtype)
            for run in self.disk:
                for i, rows in run.find(wanted):
                    found[i] = [*found[i], *rows]
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
        """Turn the recent pairs into a sorted run, merging runs of similar size, and write
        the runs in memory out once they hold ``MEMORY_ENTRIES`` pairs (with a folder)."""
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
        self._recent.clear()
        self._repeated.clear()
        self._recent_entries = 0
        while len(self.runs) > 1 and self._mergeable(len(self.runs[-2][0]), len(self.runs[-1][0])):
            self.runs[-2:] = [_merged(*self.runs[-2:])]
        if self.folder is not None and sum(len(k) for k, _ in self.runs) >= MEMORY_ENTRIES:
            self.spill()

    @staticmethod
    def _mergeable(older: int, newer: int) -> bool:
        return older <= MERGE_RATIO * newer and older + newer <= MAX_MERGED_ENTRIES

    def spill(self) -> None:
        """Write every pair held in memory into one run on disk, then merge the runs on disk
        while the older of the last two is at most ``MERGE_RATIO`` times the newer."""
        assert self.folder is not None
        self.seal()
        if not self.runs:
            return
        while len(self.runs) > 1:
            self.runs[-2:] = [_merged(*self.runs[-2:])]
        run = self.runs.pop()
        self.disk.append(self._write([run], len(run[0])))
        del run
        while len(self.disk) > 1 and self.disk[-2].length <= MERGE_RATIO * self.disk[-1].length:
            older, newer = self.disk[-2:]
            merged = self._write(_merged_runs(older, newer), older.length + newer.length)
            self.disk[-2:] = [merged]
            for run in (older, newer):
                run.close()
                if run.stem not in self._committed:  # written since the last commit
                    run.remove()

    def _write(self, pieces: Iterable[tuple[np.ndarray, np.ndarray]], length: int) -> DiskRun:
        """A new run on disk of ``length`` pairs, written from sorted (keys, rows) pieces."""
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = f"{self.prefix}-{self._written}"
        self._written += 1
        with (
            ArrayWriter(self.folder / f"{stem}.keys.npy", self.dtype, length) as keys,
            ArrayWriter(self.folder / f"{stem}.rows.npy", np.uint32, length) as rows,
        ):
            for piece_keys, piece_rows in pieces:
                keys.write(piece_keys)
                rows.write(piece_rows)
        return DiskRun(self.folder, stem)

    def save(self, folder: Path, prefix: str) -> list[str]:
        """Write every pair into runs on disk in ``folder`` (this one's from now on), new
        files named ``prefix-N``; return every run's file stem, for the commit to name."""
        folder = Path(folder)
        if self.folder is None or folder.resolve() != self.folder.resolve():
            for run in self.disk:
                run.copy_into(folder)
                run.close()
            self.disk = [DiskRun(folder, run.stem) for run in self.disk]
            self.folder = folder
        if prefix != self.prefix:  # else runs already written under this prefix stay
            self.prefix = prefix
            self._written = 0
        self.spill()
        self._committed = {run.stem for run in self.disk}
        return [run.stem for run in self.disk]

    @classmethod
    def load(cls, folder: Path, stems: Sequence[str], dtype: Any, prefix: str) -> KeyRuns:
        """The runs a commit names; new runs will be ``prefix-N`` in the same folder."""
        return cls(dtype, [DiskRun(folder, stem) for stem in stems], folder, prefix)

    def files(self) -> list[str]:
        return [f"{run.stem}.{part}.npy" for run in self.disk for part in ("keys", "rows")]

    def close(self) -> None:
        for run in self.disk:
            run.close()


class DiskRun:
    """A sorted run of (key, row) pairs in two ``.npy`` files, read with ``pread``.

    Only every ``BLOCK_ENTRIES``-th key stays in memory (the fences); a lookup reads the
    block a key would be in, a few KB. ``pread`` goes through the page cache, which the
    kernel shares and reclaims, instead of mapping pages into this process.
    """

    def __init__(self, folder: Path, stem: str) -> None:
        self.folder = folder
        self.stem = stem
        self._keys = ArrayFile(folder / f"{stem}.keys.npy")
        self._rows = ArrayFile(folder / f"{stem}.rows.npy")
        self.length = self._keys.length
        if self._rows.length != self.length:
            raise ValueError(f"run {stem}: {self._rows.length} rows for {self.length} keys")
        self.fences = self._keys.every(BLOCK_ENTRIES)

    def find(self, wanted: np.ndarray) -> Iterator[tuple[int, list[int]]]:
        """(position in ``wanted``, rows) for each wanted key in this run."""
        if not self.length:
            return
        # The blocks a key may be in: from the last whose first key is below it to the last
        # whose first key is at most it (a key repeated past a block spans several).
        first = np.maximum(np.searchsorted(self.fences, wanted, side="left") - 1, 0)
        last = np.searchsorted(self.fences, wanted, side="right")
        # Nearly every key is in one whole block or none: one read a key, one comparison for
        # all; a key in the last, partial block or spanning blocks is looked up on its own.
        single = (last - first == 1) & (first < self.length // BLOCK_ENTRIES)
        others = np.flatnonzero((last > 0) & ~single).tolist()
        single = np.flatnonzero(single)
        if len(single):
            blocks = self._keys.blocks(first[single], BLOCK_ENTRIES)
            hits = blocks == wanted[single, np.newaxis]
            for n in np.flatnonzero(hits.any(axis=1)).tolist():
                places = np.flatnonzero(hits[n])
                start = int(first[single[n]]) * BLOCK_ENTRIES
                rows = self._rows.read(start + int(places[0]), start + int(places[-1]) + 1)
                yield int(single[n]), rows.tolist()
        for i in others:
            start = int(first[i]) * BLOCK_ENTRIES
            keys = self._keys.read(start, min(int(last[i]) * BLOCK_ENTRIES, self.length))
            lo = int(np.searchsorted(keys, wanted[i], side="left"))
            hi = int(np.searchsorted(keys, wanted[i], side="right"))
            if hi > lo:
                yield i, self._rows.read(start + lo, start + hi).tolist()

    def read(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Pairs ``start`` to ``stop`` (keys, rows)."""
        return self._keys.read(start, stop), self._rows.read(start, stop)

    def copy_into(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for part in (self._keys, self._rows):
            shutil.copyfile(part.path, folder / part.path.name)

    def close(self) -> None:
        self._keys.close()
        self._rows.close()

    def remove(self) -> None:
        for part in (self._keys, self._rows):
            part.path.unlink(missing_ok=True)


def _merged_runs(older: DiskRun, newer: DiskRun) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Two runs on disk as one, in sorted pieces, reading ``MERGE_CHUNK`` pairs of each at a
    time.

    Every row of ``newer`` follows those of ``older``, so (key, row) orders the pairs and no
    two are equal: everything up to the smaller of the two chunks' last pairs is final, and
    at least one chunk is used up each step.
    """
    i = j = 0
    while i < older.length and j < newer.length:
        old_keys, old_rows = older.read(i, min(i + MERGE_CHUNK, older.length))
        new_keys, new_rows = newer.read(j, min(j + MERGE_CHUNK, newer.length))
        bound = min((int(old_keys[-1]), int(old_rows[-1])), (int(new_keys[-1]), int(new_rows[-1])))
        old_used = _pairs_up_to(old_keys, old_rows, bound)
        new_used = _pairs_up_to(new_keys, new_rows, bound)
        yield _merged(
            (old_keys[:old_used], old_rows[:old_used]), (new_keys[:new_used], new_rows[:new_used])
        )
        i += old_used
        j += new_used
    for run, start in ((older, i), (newer, j)):
        for at in range(start, run.length, MERGE_CHUNK):
            yield run.read(at, min(at + MERGE_CHUNK, run.length))


def _pairs_up_to(keys: np.ndarray, rows: np.ndarray, bound: tuple[int, int]) -> int:
    """How many pairs of a sorted run are at most ``bound`` (key, row)."""
    key, row = bound
    lo = int(np.searchsorted(keys, key, side="left"))
    hi = int(np.searchsorted(keys, key, side="right"))
    return lo + int(np.searchsorted(rows[lo:hi], row, side="right"))


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
