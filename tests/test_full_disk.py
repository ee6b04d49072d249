"""Writes that the disk refuses: full, read-only, too large a file, not ours.

A write into such a place fails with one ``Error:`` line that says what the disk said and
what to do; the index keeps answering searches (a reader opened before the failure and a
new one alike) and holds exactly what it held; the space a failed write took is given back;
once the disk is fixed the same command succeeds. The full and read-only disks are small
tmpfs mounts (root only: where mounting is not allowed those tests skip and say so, and
the file-size limit and permission tests, which run anywhere, stand in for them).
"""

from __future__ import annotations

import errno
import json
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_indexer import ROOT, newsindex
from workload import count_batch, write_batch

from search import NewsIndex

pytestmark = pytest.mark.reliability

SMALL = 40
#: An add several times the free space left, so that it fails part-way through.
LARGE = 600


@pytest.fixture(scope="module")
def sources(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sources")
    write_batch(folder, 0, SMALL)
    write_batch(folder, 1, LARGE)
    write_batch(folder, 2, SMALL)
    return folder


@pytest.fixture
def small_disk(tmp_path):
    """An 8 MB tmpfs, unmounted afterwards; skips where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}): run as root")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` until it refuses, then give back ``leave`` bytes."""
    filler = disk / "filler"
    chunk = b"\0" * (1 << 16)
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(chunk)
                fh.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def used(disk: Path) -> int:
    return shutil.disk_usage(disk).used


def refusal(done: subprocess.CompletedProcess, index: Path, says: str) -> str:
    """The one ``Error:`` line of a write the disk refused."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"Error: cannot write the index at {index}: {says}"), line
    assert "the index still answers searches" in line
    return line


def answers(index: Path) -> dict:
    """What a reader sees: the stored count, and each batch found by search."""
    with NewsIndex.open(index) as news:
        return {
            "documents": news.stats().documents,
            "found": [count_batch(news, batch) for batch in range(3)],
        }


def test_a_full_disk_refuses_add_and_rebuild_in_one_line_and_search_goes_on(small_disk, sources):
    index = small_disk / "index"
    newsindex("rebuild", str(sources / "batch-0.jsonl"), "--index", str(index), "--silent")
    before = answers(index)
    assert before == {"documents": SMALL, "found": [SMALL, 0, 0]}
    filler = fill(small_disk, leave=256 * 1024)
    full = used(small_disk)
    with NewsIndex.open(index) as server:  # a reader open all along, as a server is
        first_page = server.search("council").to_dict()["hits"]
        add = ("add", str(sources / "batch-1.jsonl"), "--index", str(index))
        refusal(newsindex(*add, check=False), index, "no space left on device")
        for workers in ("1", "2"):
            rebuild = ("rebuild", str(sources / "batch-1.jsonl"), "--index", str(index))
            done = newsindex(*rebuild, "-j", workers, check=False)
            refusal(done, index, "no space left on device")
        assert server.search("council").to_dict()["hits"] == first_page
        assert answers(index) == before
        # Each failed write gave its space back (a half-written segment or generation).
        assert used(small_disk) <= full + 64 * 1024
        filler.unlink()
        newsindex(*add, "--silent")
        assert count_batch(server, 1) == LARGE
    assert answers(index) == {"documents": SMALL + LARGE, "found": [SMALL, LARGE, 0]}


def test_a_read_only_disk_refuses_writes_in_one_line_and_search_goes_on(small_disk, sources):
    index = small_disk / "index"
    newsindex("rebuild", str(sources / "batch-0.jsonl"), "--index", str(index), "--silent")
    before = answers(index)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        add = ("add", str(sources / "batch-2.jsonl"), "--index", str(index))
        refusal(newsindex(*add, check=False), index, "read-only file system")
        rebuild = ("rebuild", str(sources / "batch-2.jsonl"), "--index", str(index))
        refusal(newsindex(*rebuild, check=False), index, "read-only file system")
        delete = newsindex("delete", "rel-0-0", "--index", str(index), check=False)
        refusal(delete, index, "read-only file system")
        searched = newsindex("search", "council", "--index", str(index), "--json")
        assert json.loads(searched.stdout)["total"] > 0
        assert answers(index) == before
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    newsindex(*add, "--silent")
    assert answers(index)["found"] == [SMALL, 0, SMALL]


def test_a_file_size_limit_refuses_an_add_in_one_line(tmp_path, sources):
    """``ulimit -f`` (RLIMIT_FSIZE): a disk that fills at one file's size, for anyone."""
    index = tmp_path / "index"
    newsindex("rebuild", str(sources / "batch-0.jsonl"), "--index", str(index), "--silent")
    before = answers(index)
    files_before = sorted(p.name for p in index.rglob("*"))

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))

    add = ("add", str(sources / "batch-1.jsonl"), "--index", str(index))
    done = newsindex(*add, check=False, preexec_fn=limit_file_size)
    refusal(done, index, "file too large")
    assert answers(index) == before
    assert sorted(p.name for p in index.rglob("*")) == files_before  # nothing half-written
    newsindex(*add, "--silent")
    assert answers(index)["found"] == [SMALL, LARGE, 0]


def without_root_powers() -> list[str]:
    """A command prefix that takes root's power to write anywhere (CAP_DAC_OVERRIDE) away,
    so that file permissions apply to this test's writer as they do to any other user."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("root ignores file permissions and setpriv is missing to drop that")
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--"]


def chmod_tree(top: Path, folders: int, files: int) -> None:
    for path in (top, *top.rglob("*")):
        path.chmod(folders if path.is_dir() else files)


def test_an_index_the_user_may_not_write_refuses_in_one_line(tmp_path, sources):
    index = tmp_path / "index"
    newsindex("rebuild", str(sources / "batch-0.jsonl"), "--index", str(index), "--silent")
    before = answers(index)
    add = ("add", str(sources / "batch-2.jsonl"), "--index", str(index))
    command = [*without_root_powers(), sys.executable, "-m", "search.cli"]
    chmod_tree(index, 0o555, 0o444)
    try:
        done = subprocess.run([*command, *add], cwd=ROOT, capture_output=True, text=True)
        line = refusal(done, index, "permission denied")
        assert "run as the index's owner or fix its permissions" in line
        searched = subprocess.run(
            [*command, "search", "council", "--index", str(index), "--json"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        assert json.loads(searched.stdout)["total"] > 0
    finally:
        chmod_tree(index, 0o755, 0o644)
    assert answers(index) == before
    newsindex(*add, "--silent")
    assert answers(index)["found"] == [SMALL, 0, SMALL]
