"""Reading while cron writes: one long-lived reader under steady load, ``add`` every
moment and a ``rebuild`` among them, each a real ``newsindex`` process.

What a user of the server would check: no query fails, no answer is empty or counts a
half-written state (every count seen is one the writers committed), and an added article
is found by the first query that starts after its ``add`` returned (the reader looks at the
manifest and Whoosh's table of contents before each query; clocks are CLOCK_MONOTONIC,
shared by every process of the machine).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from test_indexer import ROOT, newsindex
from workload import batch_word, write_batch

pytestmark = pytest.mark.reliability

BATCH = 40
ADDS = 6
#: The add after which the rebuild runs (from every batch file so far: the count stays).
REBUILD_AFTER = 3

READER = """
import json, sys, time
from pathlib import Path
from search import NewsIndex
index, stop, word = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
with NewsIndex.open(index) as news:
    while not stop.exists():
        started = time.monotonic()
        try:
            every = news.search("", per_page=1, collapse=False).total_copies
            first = news.search(word, per_page=5, collapse=False)
            seen = {"every": every, "first": first.total_copies, "hits": len(first.hits)}
        except Exception as exc:  # noqa: BLE001 - every failure is what the test counts
            seen = {"error": f"{type(exc).__name__}: {exc}"}
        seen.update(started=started, ended=time.monotonic())
        print(json.dumps(seen), flush=True)
"""


def test_a_reader_under_load_never_fails_and_sees_each_add_at_once(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    index = tmp_path / "index"
    newsindex("rebuild", str(write_batch(sources, 0, BATCH)), "--index", str(index), "--silent")
    stop = tmp_path / "stop"
    log = tmp_path / "reader.jsonl"  # a file, not a pipe: a full pipe would stall the reader
    with open(log, "w") as out:
        reader = subprocess.Popen(
            [sys.executable, "-c", READER, str(index), str(stop), batch_word(0)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
        )
    while not log.read_text() and reader.poll() is None:
        time.sleep(0.05)  # the reader is answering: now start writing
    committed = [(0.0, BATCH)]  # (monotonic time the write returned, documents after it)
    try:
        for batch in range(1, ADDS + 1):
            path = write_batch(sources, batch, BATCH)
            newsindex("add", str(path), "--index", str(index), "--silent")
            committed.append((time.monotonic(), BATCH * (batch + 1)))
            if batch == REBUILD_AFTER:
                newsindex("rebuild", str(sources), "--index", str(index), "--silent")
                committed.append((time.monotonic(), BATCH * (batch + 1)))
            time.sleep(0.3)
    finally:
        stop.touch()
        _, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    seen = [json.loads(line) for line in log.read_text().splitlines()]

    errors = [s["error"] for s in seen if "error" in s]
    assert errors == []
    counts = {documents for _, documents in committed}
    assert {s["every"] for s in seen} <= counts  # never empty, never half-written
    assert all(s["first"] == BATCH and s["hits"] == 5 for s in seen)
    for returned, documents in committed:
        later = [s["every"] for s in seen if s["started"] > returned]
        assert all(count >= documents for count in later), (returned, documents)
    # The reader ran throughout: queries before the first add and after the last.
    assert seen[0]["started"] < committed[1][0] < committed[-1][0] < seen[-1]["started"]
