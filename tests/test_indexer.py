"""Indexing from the command line: rebuild and swap, upsert, delete, stats, bad files.

Every test runs the real ``newsindex`` command in a subprocess against real files.
"""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPORA = ROOT.parent / "shared" / "corpora"
SEED = CORPORA / "seed" / "srnnews-japan-britain.txt"
REUTERS = CORPORA / "reuters21578" / "reuters21578.jsonl.gz"
DEMO = ROOT / "search" / "demo"


def newsindex(*args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "search.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        **kwargs,
    )
    if check and done.returncode != 0:
        raise AssertionError(f"exit {done.returncode}: {done.stderr}")
    return done


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"corpus missing: {path}")
    return path


def search_ids(index: Path, query: str) -> list[str]:
    out = newsindex(
        "search", query, "--index", str(index), "--json", "--per-page", "100", "--all-copies"
    )
    return [hit["id"] for hit in json.loads(out.stdout)["hits"]]


def stats(index: Path) -> dict:
    return json.loads(newsindex("stats", "--index", str(index), "--json").stdout)


@pytest.fixture(scope="module")
def demo_index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("demo") / "index"
    newsindex("rebuild", str(DEMO), "--index", str(index), "--silent")
    return index


def test_extract_prints_the_seed_fields_as_json():
    out = newsindex("extract", str(need(SEED)))
    (line,) = out.stdout.splitlines()
    article = json.loads(line)
    assert article["dateline"] == "TOKYO" and article["agency"] == "AP"
    assert article["publisher"] == "srnnews.com" and article["contributors"] == ["Mayuko Ono"]
    assert article["body"].startswith("Japan and Britain agreed Saturday")
    assert article["body"].endswith(
        "“I hope to elevate Japan-British relations even higher,” Takaichi said."
    )
    assert article["source_file"].endswith("srnnews-japan-britain.txt")
    for field in ("id", "url", "title", "published", "authors", "topics", "language", "word_count"):
        assert field in article


def test_extract_reads_stdin_and_gzip(tmp_path):
    gz = tmp_path / "seed.txt.gz"
    gz.write_bytes(gzip.compress(need(SEED).read_bytes()))
    from_gz = json.loads(newsindex("extract", str(gz)).stdout)
    from_stdin = json.loads(
        newsindex("extract", "-", "--input-format", "text", input=SEED.read_text("utf-8")).stdout
    )
    assert from_gz["body"] == from_stdin["body"]
    assert from_gz["dateline"] == from_stdin["dateline"] == "TOKYO"


def test_rebuild_indexes_every_demo_format(demo_index):
    info = stats(demo_index)
    # 43 articles; the Techline launch story is both a page and a JSON Feed entry with one
    # URL, so it is one article: the fuller copy (the page) is kept, the summary counted as
    # a duplicate.
    assert info["documents"] == 42
    shown = newsindex("show", "url-2f2462b271540b087b1f", "--index", str(demo_index), "--json")
    article = json.loads(shown.stdout)["article"]
    assert article["source_file"].endswith(".html") and article["word_count"] > 150
    kinds = {path.suffix for path in DEMO.rglob("*.*")}
    assert {".txt", ".html", ".jsonl", ".csv", ".xml", ".atom", ".json", ".gz"} <= kinds
    assert info["size_bytes"] > 0 and info["built_at"]


def test_rebuild_summary_counts_skipped_files(tmp_path):
    sources = tmp_path / "in"
    sources.mkdir()
    (sources / "seed.txt").write_bytes(need(SEED).read_bytes())
    (sources / "empty.txt").write_bytes(b"")
    (sources / "binary.txt").write_bytes(b"\x00\x01\x02PNG" * 50)
    (sources / "broken.jsonl.gz").write_bytes(gzip.compress(b'{"title": "x", "body": "y"}\n')[:-12])
    (sources / "bad.json").write_text("{not json", "utf-8")
    out = newsindex("rebuild", str(sources), "--index", str(tmp_path / "ix"), "--json")
    summary = json.loads(out.stdout)
    assert summary["indexed"] >= 1
    reasons = {Path(s["source_file"]).name: s["reason"] for s in summary["skipped"]}
    assert set(reasons) >= {"empty.txt", "binary.txt", "broken.jsonl.gz", "bad.json"}
    assert "TOKYO" in newsindex("search", "minerals", "--index", str(tmp_path / "ix")).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rebuild", "/no/such/path"], "no such file or directory"),
        (["rebuild", "/no/such/*.txt"], "no files match"),
        (["stats"], "no index at"),
        (["search", "x"], "no index at"),
    ],
)
def test_user_mistakes_are_one_line(tmp_path, args, message):
    done = newsindex(*args, "--index", str(tmp_path / "none"), check=False)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0]
    assert "Traceback" not in done.stderr


def test_unknown_format_is_a_usage_error(tmp_path):
    done = newsindex(
        "rebuild", str(need(SEED)), "--format", "pdf", "--index", str(tmp_path), check=False
    )
    assert done.returncode == 2 and "Invalid value for '--format'" in done.stderr


def rebuild_in_background(index: Path) -> tuple[subprocess.Popen, dict]:
    """Index the seed, then start a Reuters rebuild of ``index`` in its own process group
    (Ctrl-C left at its default) and return once its new generation is being written."""
    newsindex("rebuild", str(need(SEED)), "--index", str(index), "--silent")
    before = stats(index)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "search.cli",
            "rebuild",
            str(need(REUTERS)),
            "--index",
            str(index),
            "--silent",
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 60
    while len(list(index.glob("gen-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    return proc, before


def test_interrupted_rebuild_leaves_the_old_index_serving(tmp_path):
    index = tmp_path / "ix"
    proc, before = rebuild_in_background(index)
    time.sleep(1.5)  # well into writing the new generation
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    after = stats(index)
    assert after["generation"] == before["generation"] and after["documents"] == 1
    assert search_ids(index, "minerals") == [
        json.loads(newsindex("extract", str(SEED)).stdout)["id"]
    ]
    # The next write clears the dead run's debris (the generation it replaces stays a while
    # for readers that were opening it).
    newsindex("rebuild", str(SEED), "--index", str(index), "--silent")
    generations = {p.name for p in index.glob("gen-*")}
    assert generations == {stats(index)["generation"], before["generation"]}


def test_ctrl_c_stops_a_rebuild_cleanly(tmp_path):
    index = tmp_path / "ix"
    proc, before = rebuild_in_background(index)
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the whole process group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip() == "Interrupted: nothing was changed."
    assert [p.name for p in index.glob("gen-*")] == [before["generation"]]
    assert stats(index)["documents"] == 1


def test_failed_rebuild_keeps_old_index(tmp_path):
    index = tmp_path / "ix"
    newsindex("rebuild", str(need(SEED)), "--index", str(index), "--silent")
    before = stats(index)
    done = newsindex("rebuild", str(SEED), "/no/such/file", "--index", str(index), check=False)
    assert done.returncode == 1
    assert stats(index)["generation"] == before["generation"]
    assert len(list(index.glob("gen-*"))) == 1


def test_add_upserts_and_delete_removes(tmp_path, demo_index):
    index = tmp_path / "ix"
    newsindex("rebuild", str(DEMO), "--index", str(index), "--silent")
    start = stats(index)["documents"]
    story = tmp_path / "story.jsonl"
    record = {
        "id": "local-1",
        "title": "Harbour bridge reopens",
        "body": "The harbour bridge reopened on Monday after repairs, the city said. " * 5,
        "date": "2026-03-02",
    }
    story.write_text(json.dumps(record) + "\n", "utf-8")
    added = json.loads(newsindex("add", str(story), "--index", str(index), "--json").stdout)
    assert (added["indexed"], added["updated"], added["documents"]) == (1, 0, start + 1)
    assert search_ids(index, "harbour bridge") == ["local-1"]

    record["title"] = "Harbour bridge reopens to traffic"
    record["body"] = "Quellmark engineers cleared the span. " * 10
    story.write_text(json.dumps(record) + "\n", "utf-8")
    again = json.loads(newsindex("add", str(story), "--index", str(index), "--json").stdout)
    assert (again["indexed"], again["updated"], again["documents"]) == (0, 1, start + 1)
    assert search_ids(index, "quellmark") == ["local-1"]
    assert search_ids(index, '"reopened on Monday after repairs"') == []

    gone = json.loads(newsindex("delete", "local-1", "--index", str(index), "--json").stdout)
    assert gone["deleted"] == 1 and gone["documents"] == start
    assert search_ids(index, "quellmark") == []
    missing = newsindex("delete", "local-1", "--index", str(index), check=False)
    assert missing.returncode == 1 and "Error: none of those ids" in missing.stderr


def test_parallel_and_serial_rebuilds_hold_the_same_documents(tmp_path):
    need(REUTERS)
    sample = tmp_path / "sample.jsonl"
    with gzip.open(REUTERS, "rt", encoding="utf-8") as fh:
        sample.write_text("".join(next(fh) for _ in range(1500)), "utf-8")
    for jobs in ("1", "2"):
        newsindex("rebuild", str(sample), "--index", str(tmp_path / jobs), "-j", jobs, "--silent")
    results = []
    for jobs in ("1", "2"):
        out = json.loads(
            newsindex(
                "search",
                "oil OR bank",
                "--index",
                str(tmp_path / jobs),
                "--json",
                "--per-page",
                "100",
                "--all-copies",
            ).stdout
        )
        results.append((out["total"], sorted(h["id"] for h in out["hits"]), out["facets"]))
    assert results[0][0] == results[1][0] > 100
    assert results[0][2] == results[1][2]
    assert stats(tmp_path / "1")["documents"] == stats(tmp_path / "2")["documents"] == 1500


def test_index_defaults_to_environment_variable(tmp_path):
    env = {**os.environ, "NEWSINDEX_INDEX": str(tmp_path / "env-ix")}
    subprocess.run(
        [sys.executable, "-m", "search.cli", "rebuild", str(need(SEED)), "--silent"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        [sys.executable, "-m", "search.cli", "stats", "--json"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert json.loads(out.stdout)["documents"] == 1


def test_add_joins_a_syndicated_copy_to_its_story(tmp_path):
    index = tmp_path / "ix"
    newsindex("rebuild", str(need(SEED)), "--index", str(index), "--silent")
    seed = SEED.read_text("utf-8")
    body = seed.split("\n___\n")[0]
    trimmed = body.rsplit("\n", 2)[0]  # the last paragraphs cut, as sites do
    copy = tmp_path / "copy.txt"
    copy.write_text(
        "Japan, Britain to deepen cyber and minerals ties\n\n"
        + trimmed
        + "\n\nBrought to you by www.kxnews.example\n",
        "utf-8",
    )
    added = json.loads(newsindex("add", str(copy), "--index", str(index), "--json").stdout)
    assert (added["indexed"], added["documents"], added["stories"]) == (1, 2, 1)
    result = json.loads(
        newsindex("search", "critical minerals", "--index", str(index), "--json").stdout
    )
    assert (result["total"], result["total_copies"]) == (1, 2)
    (hit,) = result["hits"]
    assert hit["also_ran"]["count"] == 1
    publishers = {hit["publisher"], hit["also_ran"]["outlets"][0]["publisher"]}
    assert publishers == {"srnnews.com", "kxnews.example"}
