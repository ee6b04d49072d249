"""Two writers at once: the second waits for the first (up to ``write_lock_wait_s``), then
does its work; past the wait it fails at once with one line naming who holds the index.
Either way nothing is lost. Every writer is a real ``newsindex`` process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_indexer import ROOT, newsindex
from workload import article_id, batch_word, write_batch

from search import NewsIndex
from search.indexing.store import LOCK_NAME, IndexStore

pytestmark = pytest.mark.reliability

#: Big enough that a write takes seconds, so the second writer surely meets the first.
LONG = 800
SHORT = 100


def start(*args: str, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "search.cli", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def wait_until_holding(index: Path, process: subprocess.Popen) -> None:
    """Return once ``process`` holds the index's write lock (its lock file names it)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            holder = json.loads((index / LOCK_NAME).read_text("utf-8"))
            if holder["pid"] == process.pid:
                return
        except (OSError, ValueError):
            pass
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError("the first writer never took the lock")


def finish(process: subprocess.Popen) -> str:
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    return out


def counts(index: Path, batches: range) -> tuple[list[int], int]:
    with NewsIndex.open(index) as news:
        found = [
            news.search(batch_word(b), collapse=False, per_page=1).total_copies for b in batches
        ]
        return found, news.stats().documents


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sources")
    write_batch(folder, 0, SHORT)
    write_batch(folder, 1, LONG)
    write_batch(folder, 2, SHORT)
    write_batch(folder, 3, SHORT)
    return folder


@pytest.fixture(scope="module")
def base(tmp_path_factory, sources) -> Path:
    """An index of batch 0, copied by each test (a copy costs less than a rebuild)."""
    index = tmp_path_factory.mktemp("base") / "index"
    newsindex("rebuild", str(sources / "batch-0.jsonl"), "--index", str(index), "--silent")
    return index


def test_two_adds_and_a_delete_at_once_all_finish_one_after_another(tmp_path, sources, base):
    index = tmp_path / "index"
    shutil.copytree(base, index)
    first = start("add", str(sources / "batch-1.jsonl"), "--index", str(index), "--silent")
    wait_until_holding(index, first)
    second = start("add", str(sources / "batch-2.jsonl"), "--index", str(index), "--silent")
    ids = [article_id(0, n) for n in range(SHORT)]
    delete = start("delete", *ids, "--index", str(index), "--json")
    assert first.poll() is None  # the others began while the first was writing
    for process in (first, second, delete):
        finish(process)
    assert counts(index, range(3)) == ([0, LONG, SHORT], LONG + SHORT)


def test_add_during_a_rebuild_waits_and_lands_in_the_new_index(tmp_path, sources, base):
    index = tmp_path / "index"
    shutil.copytree(base, index)
    rebuild = start(
        "rebuild", str(sources / "batch-1.jsonl"), "--index", str(index), "-j", "1", "--silent"
    )
    wait_until_holding(index, rebuild)
    add = start("add", str(sources / "batch-3.jsonl"), "--index", str(index), "--silent")
    assert rebuild.poll() is None
    finish(rebuild)
    finish(add)
    # The rebuild replaced batch 0 with its own sources; the add, made after it, is kept.
    assert counts(index, range(4)) == ([0, LONG, 0, SHORT], LONG + SHORT)


@pytest.mark.parametrize("wait_s", ["0", "1"])
def test_past_its_wait_a_writer_fails_with_one_line_and_changes_nothing(
    tmp_path, sources, base, wait_s
):
    index = tmp_path / "index"
    shutil.copytree(base, index)
    env = {**os.environ, "NEWSINDEX_WRITE_LOCK_WAIT_S": wait_s}
    add = ("add", str(sources / "batch-3.jsonl"), "--index", str(index))
    # This test's own process holds the lock as a long rebuild would.
    with IndexStore(index).write_lock("rebuild"):
        refused = newsindex(*add, check=False, env=env)
    assert refused.returncode == 1
    (line,) = refused.stderr.splitlines()
    assert line.startswith(f"Error: index {index} is being written by newsindex rebuild ")
    assert f"(process {os.getpid()}, since " in line
    assert ("waited 1 s" in line) == (wait_s == "1")
    assert "try again when it finishes" in line
    assert counts(index, range(4)) == ([SHORT, 0, 0, 0], SHORT)
    # Run again once the other writer is done, the refused add goes through.
    newsindex(*add, env=env)
    assert counts(index, range(4)) == ([SHORT, 0, 0, SHORT], SHORT + SHORT)


def test_a_bad_source_fails_at_once_even_while_another_writer_holds_the_index(tmp_path, base):
    """A mistyped path in a cron `add` says so at once, not after waiting for the nightly
    rebuild to let go of the index (and then only that the index was busy)."""
    index = tmp_path / "index"
    shutil.copytree(base, index)
    env = {**os.environ, "NEWSINDEX_WRITE_LOCK_WAIT_S": "5"}
    missing = tmp_path / "no-such-feed.jsonl"
    with IndexStore(index).write_lock("rebuild"):
        refused = newsindex("add", str(missing), "--index", str(index), check=False, env=env)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [f"Error: no such file or directory: {missing}"]
    assert counts(index, range(1)) == ([SHORT], SHORT)
