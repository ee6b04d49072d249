"""The story state's building blocks on real files: sorted runs and the append files."""

from __future__ import annotations

import numpy as np

from search.indexing.story_store import MAPPED_RECORDS, AppendFile, KeyRuns


def test_key_runs_find_every_row_of_a_key_across_runs_and_reload(tmp_path):
    """Keys repeated many times, spread over several sealed runs, the recent dict and a
    reload from disk: ``find`` gives each key's rows in order, as a plain dict of lists does."""
    rng = np.random.default_rng(7)
    runs = KeyRuns(np.uint32)
    expected: dict[int, list[int]] = {}
    for row in range(3000):
        keys = sorted({int(k) for k in rng.integers(0, 400, 4)})  # ~30 rows a key
        runs.add(keys, row)
        for key in keys:
            expected.setdefault(key, []).append(row)
        if row in (1999, 2199):  # runs too unequal to merge; the rest stays recent
            runs.seal()
    assert len(runs.runs) >= 2
    wanted = [*range(0, 420, 3), 10**9]
    truth = [expected.get(key, []) for key in wanted]
    assert [list(rows) for rows in runs.find(wanted)] == truth
    stems = runs.save(tmp_path, "bands-1")
    loaded = KeyRuns.load(tmp_path, stems, np.uint32, "bands-2")
    assert [list(rows) for rows in loaded.find(wanted)] == truth


def test_runs_written_to_disk_and_merged_there_find_what_memory_finds(tmp_path, monkeypatch):
    """With tiny memory, block and merge sizes, most pairs live in runs on disk, merged
    there a chunk at a time, with keys repeated across blocks and chunks: ``find`` gives what
    a ``KeyRuns`` kept in memory gives, before and after a save and reload, and a run merged
    away since the last commit leaves no file behind."""
    from search.indexing import story_store

    for name, value in (
        ("RECENT_ENTRIES", 64),
        ("MEMORY_ENTRIES", 300),
        ("BLOCK_ENTRIES", 16),
        ("MERGE_CHUNK", 50),
    ):
        monkeypatch.setattr(story_store, name, value)
    rng = np.random.default_rng(11)
    in_memory = KeyRuns(np.uint64)
    on_disk = KeyRuns(np.uint64, folder=tmp_path, prefix="ids-1")
    wanted = [*range(0, 700, 7), 10**12]
    for row in range(6000):
        # A few hot keys (hundreds of rows each, across blocks and chunks), many rare ones.
        keys = sorted({int(k) for k in rng.integers(0, 40 if row % 3 else 700, 3)})
        in_memory.add(keys, row)
        on_disk.add(keys, row)
        if row == 3000:
            assert on_disk.find(wanted) == in_memory.find(wanted)
    # ~60 spills of ~300 pairs, merged on disk into a few runs; little left in memory
    assert 2 <= len(on_disk.disk) < 10 and sum(len(k) for k, _ in on_disk.runs) < 300
    truth = [list(rows) for rows in in_memory.find(wanted)]
    assert [list(rows) for rows in on_disk.find(wanted)] == truth
    stems = on_disk.save(tmp_path, "ids-1")
    on_disk.close()
    on_disk_files = sorted(path.name for path in tmp_path.iterdir())
    assert on_disk_files == sorted(
        f"{stem}.{part}.npy" for stem in stems for part in ("keys", "rows")
    )
    loaded = KeyRuns.load(tmp_path, stems, np.uint64, "ids-2")
    assert [list(rows) for rows in loaded.find(wanted)] == truth


def test_append_file_records_from_disk_and_memory_alike(tmp_path):
    """Fixed-size records read back the same whether committed to disk, still in memory, or
    read after the map was dropped and made again (past ``MAPPED_RECORDS`` reads)."""
    size = 16
    records = np.arange(300 * size, dtype=np.uint8).reshape(300, size)
    stored = AppendFile(tmp_path / "records.bin")
    stored.append(records[:200].tobytes())
    stored.flush()
    stored.append(records[200:].tobytes())  # a tail not yet written
    mixed = np.array([250, 3, 199, 200, 3, 299, 0])
    assert (stored.records(mixed, size) == records[mixed]).all()
    for _ in range(MAPPED_RECORDS // 100 + 1):
        every = np.arange(0, 300, 3)
        assert (stored.records(every, size) == records[every]).all()
    stored.flush()  # the file grew: the next read maps all of it
    assert (stored.records(mixed, size) == records[mixed]).all()
    stored.close()
    reopened = AppendFile(tmp_path / "records.bin", committed=300 * size)
    assert (reopened.records(np.array([299, 1]), size) == records[[299, 1]]).all()
