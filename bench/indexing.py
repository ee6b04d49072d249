"""Indexing speed: ``newsindex rebuild`` end to end beside a plain Whoosh loop, from one run.

The baseline is what issue 2 measured: one writer, ``add_document`` per article, title and
body with Whoosh's ``StemmingAnalyzer`` (title stored), then one commit. Ours is the real
command, ``newsindex rebuild FILE --index DIR``, run as a subprocess from the JSONL: reading,
extraction, story detection and indexing all included. Each is timed ``--rounds`` times,
alternating, and the best round of each is compared (the machine is shared and noisy).
Both run as child processes, and the peak resident memory of each run is sampled, summed over
the run's processes (``bench/process_memory.py``), with how much of it was file-backed
("file": mapped files; the rest is the processes' own memory); the largest single process
is beside it, and the CPU seconds of all its processes (what other jobs on a shared machine
disturb least).

    python bench/indexing.py                       # Reuters-21578
    python bench/indexing.py --corpus allsides     # 37,554 long articles
    python bench/indexing.py --corpus allsides --no-baseline   # ours and its memory only
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from process_memory import PeakMemory, run_measured

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
CORPUS_FILES = {
    "reuters": (CORPORA / "reuters21578" / "reuters21578.jsonl.gz", "title", "body"),
    "allsides": (CORPORA / "allsides" / "allsides.jsonl.gz", "title", "content_original"),
}


def folder_bytes(folder: str | Path) -> int:
    return sum(f.stat().st_size for f in Path(folder).rglob("*") if f.is_file())


def plain_whoosh_loop(path: Path, title_key: str, body_key: str) -> tuple[float, int, int]:
    """The baseline: seconds, documents and index bytes for a plain Whoosh indexing loop."""
    from whoosh import index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    with gzip.open(path, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for line in lines]
    target = tempfile.mkdtemp(prefix="bench-plain-")
    try:
        started = time.perf_counter()
        schema = Schema(
            id=ID(stored=True, unique=True),
            title=TEXT(analyzer=StemmingAnalyzer(), stored=True),
            body=TEXT(analyzer=StemmingAnalyzer()),
        )
        ix = index.create_in(target, schema)
        writer = ix.writer()
        for n, record in enumerate(records):
            writer.add_document(
                id=str(record.get("id") or record.get("ID") or n),
                title=record.get(title_key) or "",
                body=record.get(body_key) or "",
            )
        writer.commit()
        return time.perf_counter() - started, len(records), folder_bytes(target)
    finally:
        shutil.rmtree(target, ignore_errors=True)


def plain_whoosh_run(corpus: str) -> tuple[float, int, int, PeakMemory]:
    """The baseline in a child process: seconds, documents, index bytes, peak memory."""
    _, out, peak = run_measured(
        [sys.executable, __file__, "--corpus", corpus, "--plain-child"], ROOT
    )
    seconds, docs, size = json.loads(out)
    return seconds, docs, size, peak


def newsindex_rebuild(path: Path) -> tuple[float, dict, int, PeakMemory]:
    """Ours: seconds, the JSON summary, index bytes and peak memory of ``newsindex rebuild``."""
    target = tempfile.mkdtemp(prefix="bench-ours-")
    try:
        command = [sys.executable, "-m", "search.cli", "rebuild", str(path)]
        command += ["--index", target, "--json", "--silent"]
        seconds, out, peak = run_measured(command, ROOT)
        return seconds, json.loads(out), folder_bytes(target), peak
    finally:
        shutil.rmtree(target, ignore_errors=True)


def _row(name: str, seconds: float, docs: int, size: int, peak: PeakMemory) -> str:
    return (
        f"{name:34}{seconds:>10.1f}{peak.cpu:>10.1f}{docs / seconds:>10,.0f}{size / 1e6:>10.1f}"
        f"{peak.summed_bytes / 2**30:>10.2f}{peak.file_bytes / 2**30:>10.2f}"
        f"{peak.largest_bytes / 2**30:>10.2f}{peak.processes:>6}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(CORPUS_FILES), default="reuters")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--no-baseline",
        action="store_true",
        help="only newsindex rebuild (its memory); the plain loop is slow on long articles",
    )
    parser.add_argument("--plain-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    path, title_key, body_key = CORPUS_FILES[args.corpus]
    if not path.exists():
        sys.exit(f"corpus missing: {path}")
    if args.plain_child:
        print(json.dumps(plain_whoosh_loop(path, title_key, body_key)))
        return
    plain_runs, our_runs = [], []
    for _ in range(args.rounds):
        if not args.no_baseline:
            plain_runs.append(plain_whoosh_run(args.corpus))
        our_runs.append(newsindex_rebuild(path))
    ours = min(our_runs, key=lambda run: run[0])
    summary = ours[1]
    plain = min(plain_runs, key=lambda run: run[0]) if plain_runs else None
    records = f" ({plain[1]:,} records)" if plain else ""
    print(
        f"corpus: {args.corpus}{records}, {os.cpu_count()} cores, "
        f"best of {args.rounds} round(s); memory: peak resident, GiB"
    )
    columns = ("seconds", "CPU s", "docs/s", "index MB", "summed", "file", "largest")
    print(f"{'':34}" + "".join(f"{c:>10}" for c in columns) + f"{'procs':>6}")
    if plain:
        print(_row("plain Whoosh loop (baseline)", plain[0], plain[1], plain[2], plain[3]))
    print(_row("newsindex rebuild (end to end)", ours[0], summary["indexed"], ours[2], ours[3]))
    speed_up = f"speed-up: {plain[0] / ours[0]:.2f}x   " if plain else ""
    print(
        f"{speed_up}(indexed {summary['indexed']:,}, "
        f"duplicates {summary['duplicates']:,}, skipped {len(summary['skipped']):,}, "
        f"stories {summary['stories']:,})"
    )


if __name__ == "__main__":
    main()
