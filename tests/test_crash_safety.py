"""``kill -9`` of ``add`` and ``delete`` at random moments, many times over one index.

Each round starts a write in a child process (forked from this one, so a round costs the
write and not Python's start-up), kills it with SIGKILL after a random delay within the
write's usual duration, and then checks what a user would: the index opens, every article
committed before the kill is found and counted once, the killed write took effect wholly or
not at all, and the next write succeeds at once (no stale lock). The delays are drawn from a
seeded generator: a failure names its seed and round.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import time
from pathlib import Path

import pytest
from test_indexer import newsindex
from workload import article_id, batch_word, count_batch, write_batch

from search import NewsIndex
from search.indexing.store import IndexStore

pytestmark = pytest.mark.reliability

ROUNDS = 30
BATCH = 24
SEED = int(os.environ.get("NEWSINDEX_CRASH_SEED", "20261205"))


def _write(index: Path, op: str, batch: int, path: Path | None) -> None:
    """The child: one write through the library's door, then a clean exit."""
    with NewsIndex.open(index, {"workers": 1}) as news:
        if op == "delete":
            news.delete([article_id(batch, n) for n in range(BATCH)])
        else:
            news.add([str(path)])


def _start(index: Path, op: str, batch: int, path: Path | None) -> multiprocessing.Process:
    process = multiprocessing.get_context("fork").Process(
        target=_write, args=(index, op, batch, path)
    )
    process.start()
    return process


def _timed_write(index: Path, op: str, batch: int, path: Path | None) -> float:
    """Run a write to completion in a child; its duration (the range kills are drawn from)."""
    started = time.perf_counter()
    process = _start(index, op, batch, path)
    process.join(60)
    assert process.exitcode == 0, f"{op} of batch {batch} failed (exit {process.exitcode})"
    return time.perf_counter() - started


def _counts(index: Path, batches: list[int]) -> tuple[dict[int, int], int]:
    """Articles found per batch, and the documents the index says it holds."""
    with NewsIndex.open(index) as news:
        return {b: count_batch(news, b) for b in batches}, news.stats().documents


def test_kill_9_of_add_and_delete_loses_nothing_committed(tmp_path):
    rng = random.Random(SEED)
    index = tmp_path / "index"
    sources = tmp_path / "sources"
    sources.mkdir()
    with NewsIndex.open(index, {"workers": 1}) as news:
        news.rebuild([str(write_batch(sources, 0, BATCH))])
    expected = {0: BATCH}  # batch -> articles committed (BATCH or 0)
    duration = {"add": _timed_write(index, "add", 1, write_batch(sources, 1, BATCH))}
    expected[1] = BATCH
    duration["delete"] = _timed_write(index, "delete", 1, None)
    expected[1] = 0
    next_batch = 2
    outcomes = {"applied": 0, "not applied": 0}

    for round_number in range(ROUNDS):
        where = f"seed {SEED}, round {round_number}"
        present = [b for b, n in expected.items() if n]
        choice = rng.random()
        if choice < 0.2 and len(present) > 1:
            op, batch, path = "delete", rng.choice(present), None
        elif choice < 0.35:
            # An upsert: the same ids with other text; never two copies of one id.
            op, batch = "add", rng.choice(present)
            path = write_batch(sources, batch, BATCH, version=round_number + 1)
        else:
            op, batch = "add", next_batch
            path = write_batch(sources, batch, BATCH)
            next_batch += 1
        process = _start(index, op, batch, path)
        time.sleep(rng.uniform(0, duration[op]))
        if process.is_alive():
            os.kill(process.pid, signal.SIGKILL)
        process.join(30)

        counts, documents = _counts(index, list(expected) + [batch])
        after_op = 0 if op == "delete" else BATCH
        assert counts[batch] in (expected.get(batch, 0), after_op), (
            f"{where}: {op} of batch {batch} half-applied: {counts[batch]} of {BATCH} found"
        )
        applied = counts[batch] == after_op != expected.get(batch, 0)
        outcomes["applied" if applied else "not applied"] += 1
        expected[batch] = counts[batch]
        assert counts == expected, f"{where}: committed articles lost after killing {op}"
        assert documents == sum(expected.values()), f"{where}: index counts {documents}"

        # The next command succeeds at once: no stale lock, nothing to clean by hand.
        with IndexStore(index).write_lock():
            pass
        _timed_write(index, "add", next_batch, write_batch(sources, next_batch, BATCH))
        expected[next_batch] = BATCH
        next_batch += 1

    # The rounds must have killed writes in flight, not only before they began or after.
    assert outcomes["not applied"] >= 3, outcomes
    # The command line reads the index the kills left: every committed batch, once.
    last = max(b for b, n in expected.items() if n)
    found = newsindex("search", batch_word(last), "--index", str(index), "--all-copies", "--json")
    assert json.loads(found.stdout)["total_copies"] == BATCH


def test_the_next_write_clears_a_killed_writers_manifest_draft(tmp_path):
    index = tmp_path / "index"
    with NewsIndex.open(index, {"workers": 1}) as news:
        news.rebuild([str(write_batch(tmp_path, 0, 3))])
        draft = index / ".manifest.json.4242.tmp"  # as a writer killed before its rename
        draft.write_text('{"generation": "gen-half', "utf-8")
        news.delete([article_id(0, 0)])
        assert not draft.exists()
        assert count_batch(news, 0) == 2
