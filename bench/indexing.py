"""Indexing speed: ``newsindex rebuild`` end to end beside a plain Whoosh loop, from one run.

The baseline is what issue 2 measured: one writer, ``add_document`` per article, title and
body with Whoosh's ``StemmingAnalyzer`` (title stored), then one commit. Ours is the real
command, ``newsindex rebuild FILE --index DIR``, run as a subprocess from the JSONL: reading,
extraction, story detection and indexing all included. Each is timed ``--rounds`` times,
alternating, and the best round of each is compared (the machine is shared and noisy).

    python bench/indexing.py                       # Reuters-21578
    python bench/indexing.py --corpus allsides     # 37,554 long articles
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def newsindex_rebuild(path: Path) -> tuple[float, dict, int]:
    """Ours: seconds, the JSON summary and index bytes of ``newsindex rebuild``."""
    target = tempfile.mkdtemp(prefix="bench-ours-")
    try:
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "search.cli",
                "rebuild",
                str(path),
                "--index",
                target,
                "--json",
                "--silent",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return time.perf_counter() - started, json.loads(done.stdout), folder_bytes(target)
    finally:
        shutil.rmtree(target, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=sorted(CORPUS_FILES), default="reuters")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    path, title_key, body_key = CORPUS_FILES[args.corpus]
    if not path.exists():
        sys.exit(f"corpus missing: {path}")
    plain_times, our_times = [], []
    summary: dict = {}
    docs = plain_bytes = our_bytes = 0
    for _ in range(args.rounds):
        seconds, docs, plain_bytes = plain_whoosh_loop(path, title_key, body_key)
        plain_times.append(seconds)
        seconds, summary, our_bytes = newsindex_rebuild(path)
        our_times.append(seconds)
    plain, ours = min(plain_times), min(our_times)
    print(
        f"corpus: {args.corpus} ({docs:,} records), {os.cpu_count()} cores, "
        f"best of {args.rounds} round(s)"
    )
    print(f"{'':34}{'seconds':>10}{'docs/s':>10}{'index MB':>10}")
    print(
        f"{'plain Whoosh loop (baseline)':34}{plain:>10.1f}{docs / plain:>10,.0f}"
        f"{plain_bytes / 1e6:>10.1f}"
    )
    print(
        f"{'newsindex rebuild (end to end)':34}{ours:>10.1f}{summary['indexed'] / ours:>10,.0f}"
        f"{our_bytes / 1e6:>10.1f}"
    )
    print(
        f"speed-up: {plain / ours:.2f}x   (indexed {summary['indexed']:,}, "
        f"duplicates {summary['duplicates']:,}, skipped {len(summary['skipped']):,}, "
        f"stories {summary['stories']:,})"
    )


if __name__ == "__main__":
    main()
