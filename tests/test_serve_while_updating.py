"""Serving while cron writes: ``newsindex serve`` (gunicorn, two workers) under steady query
load from another process, while ``newsindex add`` runs every second and a ``newsindex
rebuild`` of the whole archive folder runs among the adds, each a real process.

What the users of the server would check: no request fails; no answer is empty or counts a
half-written state (every total seen is one the writers committed, and a batch is found
whole or not at all); an added article is found by every request that starts after its
``add`` returned (each worker looks at the manifest and Whoosh's table of contents before
each request; clocks are CLOCK_MONOTONIC, shared by every process of the machine); and an
``add`` that comes while the rebuild runs waits for it and lands in the new index.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from served import ROOT, serving
from test_indexer import newsindex
from workload import batch_word, write_batch

pytestmark = pytest.mark.reliability

BATCH = 30
ADDS = 6
#: The rebuild starts right after this add; the next add comes while it runs.
REBUILD_AFTER = 3
#: Seconds between one add returning and the next starting ("every few seconds").
PAUSE = 1.0

#: Another process asking, over HTTP, how many articles there are in all and of one batch
#: (each in turn, newest batches included before they are added), from two threads.
LOAD = """
import itertools, json, os, sys, threading, time, urllib.request
base, stop, batches = sys.argv[1], sys.argv[2], sys.argv[3:]
lock = threading.Lock()

def ask(url):
    with urllib.request.urlopen(url, timeout=60) as answer:
        return answer.status, json.loads(answer.read())

def run(offset):
    for n in itertools.count(offset, 2):
        if os.path.exists(stop):
            return
        batch = n % len(batches)
        started = time.monotonic()
        try:
            _, every = ask(f"{base}/api/search?per_page=1&collapse=false&facet=publisher")
            _, found = ask(f"{base}/api/search?q={batches[batch]}&per_page=5&collapse=false")
            seen = {"batch": batch, "every": every["total_copies"],
                    "found": found["total_copies"], "hits": len(found["hits"])}
        except Exception as exc:  # every failure, HTTP or connection, is what the test counts
            seen = {"error": f"{type(exc).__name__}: {exc}"}
        seen.update(started=started, ended=time.monotonic())
        with lock:
            print(json.dumps(seen), flush=True)
        time.sleep(0.02)  # steady, not flooding: the writers share the machine's two cores

threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
"""


def test_serve_under_load_while_add_and_rebuild_run(tmp_path):
    archive = tmp_path / "archive"  # what cron adds from, and what the nightly rebuild reads
    archive.mkdir()
    index = tmp_path / "index"
    newsindex("rebuild", str(write_batch(archive, 0, BATCH)), "--index", str(index), "--silent")
    stop = tmp_path / "stop"
    log = tmp_path / "load.jsonl"  # a file, not a pipe: a full pipe would stall the load
    words = [batch_word(batch) for batch in range(ADDS + 1)]
    with serving(index, workers=2) as base, open(log, "w") as out:
        load = subprocess.Popen(
            [sys.executable, "-c", LOAD, base, str(stop), *words],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.PIPE,
            text=True,
        )
        while not log.read_text() and load.poll() is None:
            time.sleep(0.05)  # the load is being answered: now start writing
        committed = [(0.0, BATCH)]  # (monotonic time a write returned, articles after it)
        added: dict[int, float] = {}  # batch -> when its add returned
        rebuilding = None
        try:
            for batch in range(1, ADDS + 1):
                path = write_batch(archive, batch, BATCH)
                newsindex("add", str(path), "--index", str(index), "--silent")
                added[batch] = time.monotonic()
                committed.append((added[batch], BATCH * (batch + 1)))
                if batch == REBUILD_AFTER:
                    rebuild_started = time.monotonic()
                    rebuilding = subprocess.Popen(
                        [sys.executable, "-m", "search.cli", "rebuild", str(archive)]
                        + ["--index", str(index), "--silent"],
                        cwd=ROOT,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.PIPE,
                        text=True,
                    )
                time.sleep(PAUSE)
            _, rebuild_errors = rebuilding.communicate(timeout=600)
            time.sleep(PAUSE)  # the load sees the end state too
        finally:
            stop.touch()
            _, load_errors = load.communicate(timeout=120)
    assert rebuilding.returncode == 0, rebuild_errors
    assert load.returncode == 0, load_errors
    seen = [json.loads(line) for line in log.read_text().splitlines()]

    assert [s["error"] for s in seen if "error" in s] == []
    totals = {articles for _, articles in committed}
    assert {s["every"] for s in seen} <= totals  # never empty, never half-written
    assert {s["found"] for s in seen} <= {0, BATCH}  # a batch whole or not at all
    assert all(s["found"] == BATCH for s in seen if s["batch"] == 0)
    for returned, articles in committed:
        later = [s["every"] for s in seen if s["started"] > returned]
        assert later and min(later) >= articles, (returned, articles)
    for batch, returned in added.items():
        later = [s for s in seen if s["batch"] == batch and s["started"] > returned]
        assert later and all(s["found"] == BATCH and s["hits"] == 5 for s in later), batch
    # The load ran throughout: before the first add, during the rebuild and after it.
    assert seen[0]["started"] < committed[1][0] < committed[-1][0] < seen[-1]["started"]
    assert any(s["started"] > rebuild_started for s in seen)
    # Figures for the README (printed with -s, never asserted: the machine is shared).
    took = sorted(s["ended"] - s["started"] for s in seen)
    shown = [
        min(s["ended"] for s in seen if s["batch"] == b and s["found"]) - returned
        for b, returned in added.items()
    ]
    print(
        f"{len(seen)} pairs of requests in {seen[-1]['ended'] - seen[0]['started']:.0f} s, "
        f"none failed; a pair took {took[len(took) // 2]:.3f} s (median), "
        f"{took[-1]:.3f} s (slowest); first answer showing each add, seconds after the add "
        f"returned: {', '.join(f'{t:.2f}' for t in shown)}"
    )
