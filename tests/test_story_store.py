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
    loaded = KeyRuns.load(tmp_path, stems, np.uint32)
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
