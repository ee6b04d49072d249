"""How newsindex grows with the archive: rebuild, add, search and memory at N articles.

For each N (default 100k, 300k, 1M) on a synthetic archive (``bench/make_corpus.py``):

- ``rebuild``: ``newsindex rebuild`` of the N articles: wall time, docs/s, peak resident
  memory summed over all its processes (and the largest one), index size on disk;
- ``search``: in a separate serving process (``NewsIndex``, as the web worker holds it), 200
  title queries with the default facets and story collapse: p50/p95, and the match-all
  browse page; the worker's resident memory after them;
- ``add``: ``newsindex add`` of the next 10,000 articles of the same archive (about 5% are
  copies of archive articles, so story detection has to look at all N): time and peak memory,
  while a prober process searches a running ``newsindex serve`` over HTTP without pause:
  searches answered, failed, their p95, and how long after the command ended the added
  articles were found.

Results are saved per N in ``bench/out/scale/LABEL/N.json``; the growth table (100k to 1M per
figure, against N's own growth) is printed from every saved result, so the sizes can be run
one at a time. Corpora and indexes live in a temporary folder (``--work``), reused by later
runs with the same N and seed.

    python bench/scale.py --sizes 100000               # one size
    python bench/scale.py                              # 100k, 300k, 1M
    python bench/scale.py --report                     # the tables from saved results
    python bench/scale.py --add-again 1000000          # the add again, on the index left
    python bench/scale.py --search-only INDEX [--baseline-tree DIR [--baseline-index INDEX2]]
        [--cold]

``--search-only`` measures the search part against an existing index (never written to):
the queries of ``--queries-file`` (default: the last run's, ``WORK/queries.json``) in a fresh
serving process, twice: the first pass finds the process's caches empty and reads from disk
whatever the page cache does not hold; the second pass repeats the same queries warm. With
``--baseline-tree`` (a checkout of another commit, e.g. ``git archive main | tar -x -C DIR``)
the same worker runs that tree's library first, on the same index, for a side-by-side ratio
(or on ``--baseline-index``, an index that tree built, when the change is in what is written).
``--cold`` first evicts each searched index from the page cache, so that the first pass reads
from disk as a worker does after a reboot, whatever ran before it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import process_memory
from make_corpus import write_corpus
from process_memory import PeakMemory, resident_bytes

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "out" / "scale"
WORK = Path(tempfile.gettempdir()) / "newsindex-scale"
SIZES = (100_000, 300_000, 1_000_000)
ADD_COUNT = 10_000
QUERIES = 200
BROWSE_RUNS = 20
WARMUP = 5
_TITLE_WORD = re.compile(r"[A-Za-z]{3,}")
#: Seconds the prober waits for the added articles to show before giving up.
VISIBLE_TIMEOUT = 60.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def folder_bytes(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())


def posting_layout(index: Path) -> dict:
    """How many segments the rebuild wrote, and into how many merged posting pieces their
    arrays went (``search.indexing.merged_postings``): a query word is looked up once per
    piece or segment outside one."""
    segments = pieces = covered = 0
    for generation in index.glob("gen-*"):
        segments += sum(1 for _ in generation.glob("MAIN_*.pall"))
        listing = generation / "merged-postings.json"
        if listing.exists():
            listed = json.loads(listing.read_text())["pieces"]
            pieces += len(listed)
            covered += sum(len(piece["segments"]) for piece in listed)
    return {"segments": segments, "pieces": pieces, "lookups": pieces + segments - covered}


def corpus(count: int, seed: int, start: int = 0) -> Path:
    """The archive slice, written once into the work folder and reused."""
    folder = WORK / "corpora"
    path = folder / f"synthetic-n{count}-s{seed}-from{start}.jsonl.gz"
    if not path.exists():
        print(f"  writing corpus {path.name} ...", flush=True)
        write_corpus(count, seed, start, folder)
    return path


def title_queries(path: Path, count: int, seed: int) -> list[str]:
    """One- or two-word queries from the titles of the archive's first articles, seeded."""
    from whoosh.analysis.analyzers import STOP_WORDS

    titles = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            if number >= 20_000:
                break
            titles.append(json.loads(line)["title"])
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        words = [w.lower() for w in _TITLE_WORD.findall(rng.choice(titles))]
        words = [w for w in words if w not in STOP_WORDS]
        if words:
            size = min(len(words), rng.choice((1, 2)))
            start = rng.randrange(len(words) - size + 1)
            queries.append(" ".join(words[start : start + size]))
    return queries


def ids_of(path: Path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line)["id"] for line in lines]


# -- the measured commands ---------------------------------------------------------------------


def run_newsindex(command: list[str]) -> tuple[float, dict, PeakMemory, float]:
    """Run a ``newsindex`` command (``--json``): seconds, its summary, its peak memory and
    the CPU seconds of all its processes."""
    seconds, out, peak = process_memory.run_measured(command, ROOT)
    return seconds, json.loads(out), peak, peak.cpu


def newsindex(*args: str) -> list[str]:
    return [sys.executable, "-m", "search.cli", *args]


def measure_rebuild(source: Path, index: Path) -> dict:
    if index.exists():
        shutil.rmtree(index)
    seconds, summary, peak, cpu = run_newsindex(
        newsindex("rebuild", str(source), "--index", str(index), "--json", "--silent")
    )
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "docs_per_second": summary["indexed"] / seconds,
        "indexed": summary["indexed"],
        "stories": summary["stories"],
        "peak_summed_bytes": peak.summed_bytes,
        "peak_largest_bytes": peak.largest_bytes,
        "peak_file_bytes": peak.file_bytes,
        "peak_pss_bytes": peak.pss_bytes,
        "processes": peak.processes,
        "index_bytes": folder_bytes(index),
        **posting_layout(index),
    }


def worker(mode: str, index: Path, payload: Path, library: Path = ROOT) -> subprocess.Popen:
    """Start this script as a search process (``--latency-worker`` or ``--probe-worker``)
    that imports ``search`` from ``library`` (this tree, or a baseline checkout)."""
    return subprocess.Popen(
        [sys.executable, __file__, mode, str(index), str(payload)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(library), LIBRARY_VARIABLE: str(library)},
    )


def measure_search(index: Path, queries: list[str], library: Path = ROOT) -> dict:
    payload = WORK / "queries.json"
    payload.write_text(json.dumps(queries))
    return run_latency_worker(index, payload, library)


def run_latency_worker(index: Path, payload: Path, library: Path = ROOT) -> dict:
    proc = worker("--latency-worker", index, payload, library)
    out, _ = proc.communicate()
    if proc.returncode:
        sys.exit("search worker failed")
    return json.loads(out)


def measure_add(index: Path, source: Path, queries: list[str]) -> dict:
    """``newsindex add`` while a prober keeps asking a running ``newsindex serve`` (real
    HTTP); how its searches fared and when the added articles showed."""
    added = ids_of(source)
    stop = WORK / "probe.stop"
    stop.unlink(missing_ok=True)
    payload = WORK / "probe.json"
    payload.write_text(json.dumps({"queries": queries, "ids": added[-3:], "stop": str(stop)}))
    with serving(index) as base_url:
        prober = worker("--probe-worker", base_url, payload)
        time.sleep(5)  # the prober starts asking
        seconds, summary, peak, cpu = run_newsindex(
            newsindex("add", str(source), "--index", str(index), "--json", "--silent")
        )
        finished = time.time()
        stop.write_text(str(finished))
        out, _ = prober.communicate(timeout=VISIBLE_TIMEOUT + 120)
    probe = json.loads(out)
    visible = probe.get("visible_at")
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "indexed": summary["indexed"],
        "updated": summary["updated"],
        "docs_per_second": summary["indexed"] / seconds,
        "peak_summed_bytes": peak.summed_bytes,
        "peak_largest_bytes": peak.largest_bytes,
        "peak_file_bytes": peak.file_bytes,
        "stories_after": summary["stories"],
        "probe": {k: v for k, v in probe.items() if k != "visible_at"},
        "visible_after_seconds": None if visible is None else max(0.0, visible - finished),
    }


#: Seconds a starting ``newsindex serve`` may take to answer (it opens the index first).
SERVE_START_TIMEOUT = 600


@contextlib.contextmanager
def serving(index: Path) -> Iterator[str]:
    """``newsindex serve`` on ``index`` (one worker, a free loopback port) as a user starts
    it; yields its base URL once it answers a search, and stops it after."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [*newsindex("serve", "--index", str(index), "--port", str(port), "--workers", "1")],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVE_START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/api/search?q=", timeout=30):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    sys.exit("newsindex serve did not start")
                time.sleep(0.5)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=30)


# -- the search processes ----------------------------------------------------------------------


#: Environment variable naming the tree whose ``search`` a worker imports.
LIBRARY_VARIABLE = "NEWSINDEX_SCALE_LIBRARY"


def _use_library() -> None:
    """Import ``search`` the package (of the tree the parent chose), not bench/search.py
    beside this script."""
    here = Path(__file__).resolve().parent
    library = os.environ.get(LIBRARY_VARIABLE, str(ROOT))
    sys.path[:] = [library] + [p for p in sys.path if Path(p or ".").resolve() != here]


def timed_pass(news, queries: list[str], refused: list[str] | None = None) -> list[float]:
    """Milliseconds of each query's search (default facets, story collapse), in order. A
    query the library stops at its time limit (``QueryTooSlow``, on a machine busy with
    other work) is noted in ``refused`` and timed like the others, not the end of the run."""
    from search.errors import QueryTooSlow

    times = []
    for query in queries:
        started = time.perf_counter()
        try:
            news.search(query)
        except QueryTooSlow:
            if refused is None:
                raise
            refused.append(query)
        times.append((time.perf_counter() - started) * 1000)
    return times


def latency_worker(index: str, payload: str) -> None:
    """Child: open the index as a serving worker would, time the queries, print JSON."""
    _use_library()
    from search import NewsIndex

    queries = json.loads(Path(payload).read_text())
    started = time.perf_counter()
    news = NewsIndex.open(index)
    news.generation  # noqa: B018 - the reader opens on the first read: open it here, timed
    open_seconds = time.perf_counter() - started
    opened_rss = resident_bytes(os.getpid())
    refused: list[str] = []
    for query in queries[:WARMUP]:
        news.search(query)
    times = timed_pass(news, queries, refused)  # first pass: all but WARMUP new to the process
    rss_after_first = resident_bytes(os.getpid())
    again = timed_pass(news, queries, refused)  # second pass: the same queries, caches warm
    browse = timed_pass(news, [""] * BROWSE_RUNS)
    print(
        json.dumps(
            {
                "open_seconds": open_seconds,
                "documents": news.stats().documents,
                "p50_ms": percentile(times, 0.5),
                "p95_ms": percentile(times, 0.95),
                "max_ms": max(times),
                "warm_p50_ms": percentile(again, 0.5),
                "warm_p95_ms": percentile(again, 0.95),
                "warm_max_ms": max(again),
                "browse_first_ms": browse[0],
                "browse_p50_ms": percentile(browse, 0.5),
                "browse_p95_ms": percentile(browse, 0.95),
                "worker_rss_open_bytes": opened_rss,
                "worker_rss_first_pass_bytes": rss_after_first,
                "worker_rss_bytes": resident_bytes(os.getpid()),
                "refused": len(refused),
            }
        )
    )


def probe_worker(base_url: str, payload: str) -> None:
    """Child: ask a running ``newsindex serve`` without pause until told to stop; note when
    the added ids show (``/api/articles/<id>`` answers 200, not 404)."""
    job = json.loads(Path(payload).read_text())
    queries, wanted, stop = job["queries"], job["ids"], Path(job["stop"])
    times: list[float] = []
    failures: list[str] = []
    empty = 0
    visible_at = None
    stop_at = None
    turn = 0
    while True:
        if stop_at is None and stop.exists():
            stop_at = time.time()
        if stop_at is not None and (visible_at is not None or time.time() - stop_at > 60):
            break
        query = queries[turn % len(queries)]
        turn += 1
        started = time.perf_counter()
        try:
            url = f"{base_url}/api/search?q={urllib.parse.quote(query)}"
            with urllib.request.urlopen(url, timeout=60) as answer:
                if not json.load(answer)["total"] and turn <= len(queries):
                    empty += 1
        except Exception as exc:  # noqa: BLE001 - every failure is a finding
            failures.append(f"{type(exc).__name__}: {exc}")
        times.append((time.perf_counter() - started) * 1000)
        if visible_at is None:
            try:
                for article_id in wanted:
                    url = f"{base_url}/api/articles/{urllib.parse.quote(article_id)}"
                    urllib.request.urlopen(url, timeout=60).close()
                visible_at = time.time()
            except urllib.error.HTTPError as err:
                if err.code != 404:
                    failures.append(f"HTTP {err.code} for an added article")
    print(
        json.dumps(
            {
                "searches": len(times),
                "failed": len(failures),
                "first_failures": failures[:3],
                "empty": empty,
                "p50_ms": percentile(times, 0.5),
                "p95_ms": percentile(times, 0.95),
                "max_ms": max(times, default=0.0),
                "visible_at": visible_at,
            }
        )
    )


# -- one size, and the report ------------------------------------------------------------------


def run_size(count: int, seed: int, add_count: int, queries_count: int, results: Path) -> dict:
    print(f"N = {count:,}", flush=True)
    source = corpus(count, seed)
    extra = corpus(add_count, seed, start=count)
    queries = title_queries(source, queries_count, seed)
    index = WORK / f"index-n{count}-s{seed}"
    print("  rebuild ...", flush=True)
    result = {"n": count, "seed": seed, "corpus_bytes": source.stat().st_size}
    result["rebuild"] = measure_rebuild(source, index)
    print("  search ...", flush=True)
    result["search"] = measure_search(index, queries)
    print("  add ...", flush=True)
    result["add"] = measure_add(index, extra, queries)
    print("  search after add ...", flush=True)
    result["search_after_add"] = measure_search(index, queries)
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{count}.json").write_text(json.dumps(result, indent=2))
    return result


#: (label, path into a result, unit, scale) for each figure of the tables.
FIGURES = [
    ("rebuild wall", ("rebuild", "seconds"), "s", 1),
    ("rebuild docs/s", ("rebuild", "docs_per_second"), "", 1),
    ("rebuild CPU (all procs)", ("rebuild", "cpu_seconds"), "s", 1),
    ("rebuild peak summed", ("rebuild", "peak_summed_bytes"), "GiB", 2**-30),
    ("rebuild peak largest", ("rebuild", "peak_largest_bytes"), "GiB", 2**-30),
    ("rebuild peak file-backed", ("rebuild", "peak_file_bytes"), "GiB", 2**-30),
    ("index size", ("rebuild", "index_bytes"), "GB", 1e-9),
    ("segments", ("rebuild", "segments"), "", 1),
    ("lookups per word", ("rebuild", "lookups"), "", 1),
    ("search p50", ("search", "p50_ms"), "ms", 1),
    ("search p95", ("search", "p95_ms"), "ms", 1),
    ("search p50 warm", ("search", "warm_p50_ms"), "ms", 1),
    ("search p95 warm", ("search", "warm_p95_ms"), "ms", 1),
    ("browse page p50", ("search", "browse_p50_ms"), "ms", 1),
    ("browse page p95", ("search", "browse_p95_ms"), "ms", 1),
    ("worker open", ("search", "open_seconds"), "s", 1),
    ("worker memory", ("search", "worker_rss_bytes"), "GiB", 2**-30),
    ("queries refused", ("search", "refused"), "", 1),
    ("add 10k wall", ("add", "seconds"), "s", 1),
    ("add 10k CPU", ("add", "cpu_seconds"), "s", 1),
    ("add peak summed", ("add", "peak_summed_bytes"), "GiB", 2**-30),
    ("add peak largest", ("add", "peak_largest_bytes"), "GiB", 2**-30),
    ("add peak file-backed", ("add", "peak_file_bytes"), "GiB", 2**-30),
    ("searches during add", ("add", "probe", "searches"), "", 1),
    ("failed during add", ("add", "probe", "failed"), "", 1),
    ("search p95 during add", ("add", "probe", "p95_ms"), "ms", 1),
    ("added found after", ("add", "visible_after_seconds"), "s", 1),
    ("search p95 after add", ("search_after_add", "p95_ms"), "ms", 1),
]
#: Figures that are constant in N when all is well (growth is judged against 1, not N).
FLAT = {
    "rebuild docs/s",
    "searches during add",
    "failed during add",
    "added found after",
    "add 10k wall",
    "add 10k CPU",
    "add peak summed",
}


def _value(result: dict, path: tuple[str, ...]) -> float | None:
    for key in path:
        if not isinstance(result, dict) or key not in result:
            return None
        result = result[key]
    return result


def report(folder: Path) -> None:
    # N.json per size; --search-only saves its own records (search-only-*.json) beside them
    results = sorted(
        (json.loads(p.read_text()) for p in folder.glob("[0-9]*.json")), key=lambda r: r["n"]
    )
    if not results:
        sys.exit(f"no results in {folder}")
    sizes = [r["n"] for r in results]
    head = f"{'figure':24}{'unit':>5}" + "".join(f"{n:>12,}" for n in sizes)
    low, high = results[0], results[-1]
    n_growth = high["n"] / low["n"]
    print(f"{os.cpu_count()} cores; growth is last / first size, N grew {n_growth:.1f}x")
    print(head + f"{'growth':>9}  note")
    for label, path, unit, scale in FIGURES:
        values = [_value(r, path) for r in results]
        cells = "".join(
            f"{'-':>12}"
            if v is None
            else f"{v * scale:>12,.2f}"
            if scale != 1 or v < 100
            else f"{v:>12,.0f}"
            for v in values
        )
        first, last = values[0], values[-1]
        growth = ""
        note = ""
        if first and last is not None and len(results) > 1:
            ratio = last / first
            growth = f"{ratio:.2f}x"
            if label not in FLAT and ratio > 1.25 * n_growth:
                note = "faster than N"
            elif label in FLAT and label != "rebuild docs/s" and last > 1.5 * first + 1:
                note = "grows"
            elif label == "rebuild docs/s" and ratio < 0.8:
                note = "slows with N"
        print(f"{label:24}{unit:>5}{cells}{growth:>9}  {note}")


#: (label, key, unit, scale) of the search-only comparison.
SEARCH_FIGURES = [
    ("documents", "documents", "", 1),
    ("open", "open_seconds", "s", 1),
    ("first pass p50", "p50_ms", "ms", 1),
    ("first pass p95", "p95_ms", "ms", 1),
    ("first pass max", "max_ms", "ms", 1),
    ("second pass p50", "warm_p50_ms", "ms", 1),
    ("second pass p95", "warm_p95_ms", "ms", 1),
    ("second pass max", "warm_max_ms", "ms", 1),
    ("browse first", "browse_first_ms", "ms", 1),
    ("browse p50", "browse_p50_ms", "ms", 1),
    ("browse p95", "browse_p95_ms", "ms", 1),
    ("RSS after open", "worker_rss_open_bytes", "GiB", 2**-30),
    ("RSS after pass 1", "worker_rss_first_pass_bytes", "GiB", 2**-30),
    ("RSS at end", "worker_rss_bytes", "GiB", 2**-30),
]


def evict_from_page_cache(index: Path) -> None:
    """Drop an index's files from the page cache (``POSIX_FADV_DONTNEED``; written pages
    are flushed first), as after a reboot or once other work has pushed them out: the
    first pass then reads from disk what a serving worker meets cold. Other files stay."""
    for path in index.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fdatasync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def search_only(
    index: Path,
    queries_file: Path,
    baseline: Path | None,
    label: str,
    baseline_index: Path | None = None,
    cold: bool = False,
) -> None:
    """The search figures of an existing index (read only), ours beside a baseline tree's
    (on ``baseline_index`` when given: an index that tree built, for a change of format);
    with ``cold``, each run starts with its index's files out of the page cache."""
    for folder in (index, baseline_index or index):
        if not (folder / "manifest.json").exists():
            sys.exit(f"no index at {folder} (no manifest.json)")
    if not queries_file.exists():
        sys.exit(f"no queries at {queries_file}: give --queries-file (a JSON list of strings)")
    runs: dict[str, dict] = {}
    for name, library, searched in (
        ("baseline", baseline, baseline_index or index),
        ("ours", ROOT, index),
    ):
        if library is None:
            continue
        print(f"  {name} ({library} on {searched}): {os.getloadavg()[0]:.1f} load ...", flush=True)
        if cold:
            evict_from_page_cache(searched)
        runs[name] = run_latency_worker(searched, queries_file, library)
    print(f"{index}  ({os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at the end)")
    print(f"{'figure':20}{'unit':>5}" + "".join(f"{name:>12}" for name in runs) + "   ratio")
    for text, key, unit, scale in SEARCH_FIGURES:
        values = [run[key] for run in runs.values()]
        cells = "".join(
            f"{v * scale:>12,.2f}" if v * scale < 1000 else f"{v:>12,.0f}" for v in values
        )
        ratio = f"{values[-1] / values[0]:8.2f}x" if len(values) == 2 and values[0] else ""
        print(f"{text:20}{unit:>5}{cells}{ratio}")
    folder = RESULTS / label
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"search-only-{index.name}.json"
    out.write_text(json.dumps({"index": str(index), **runs}, indent=2))
    print(f"saved {out}")


def add_again(count: int, seed: int, add_count: int, queries_count: int, results: Path) -> dict:
    """The ``add`` (and the search after it) measured again on the index of ``count``
    articles a run left: the next ``add_count`` articles after those it holds, so a change to
    the add is measured without another rebuild. Replaces those figures of ``count``'s saved
    result."""
    index = WORK / f"index-n{count}-s{seed}"
    if not (index / "manifest.json").exists():
        sys.exit(f"no index at {index}: run --sizes {count} first")
    held = json.loads((index / "manifest.json").read_text())["documents"]
    print(f"N = {count:,}: add {add_count:,} into the {held:,} articles held", flush=True)
    queries = title_queries(corpus(count, seed), queries_count, seed)
    saved = results / f"{count}.json"
    result = json.loads(saved.read_text()) if saved.exists() else {"n": count, "seed": seed}
    result["add"] = measure_add(index, corpus(add_count, seed, start=held), queries)
    result["search_after_add"] = measure_search(index, queries)
    results.mkdir(parents=True, exist_ok=True)
    saved.write_text(json.dumps(result, indent=2))
    return result


def main() -> None:
    global WORK
    if len(sys.argv) == 4 and sys.argv[1] in ("--latency-worker", "--probe-worker"):
        (latency_worker if sys.argv[1] == "--latency-worker" else probe_worker)(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--add", type=int, default=ADD_COUNT, help="articles to add")
    parser.add_argument("--queries", type=int, default=QUERIES)
    parser.add_argument("--work", type=Path, default=WORK, help="corpora and indexes")
    parser.add_argument("--label", default="current", help="results go to bench/out/scale/LABEL")
    parser.add_argument("--report", action="store_true", help="only print saved results")
    parser.add_argument(
        "--search-only", type=Path, metavar="INDEX", help="measure search on this index alone"
    )
    parser.add_argument("--queries-file", type=Path, help="JSON list of queries (--search-only)")
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        help="a checkout whose search to measure first (--search-only)",
    )
    parser.add_argument(
        "--baseline-index",
        type=Path,
        help="the index the baseline tree searches, if not INDEX (one it built)",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="evict each searched index from the page cache first (--search-only)",
    )
    parser.add_argument(
        "--add-again",
        type=int,
        metavar="N",
        help="measure only the add (and the search after it) again, on the index of N a run left",
    )
    args = parser.parse_args()
    WORK = args.work
    if args.search_only:
        queries = args.queries_file or WORK / "queries.json"
        search_only(
            args.search_only,
            queries,
            args.baseline_tree,
            args.label,
            args.baseline_index,
            cold=args.cold,
        )
        return
    WORK.mkdir(parents=True, exist_ok=True)
    if args.add_again:
        result = add_again(args.add_again, args.seed, args.add, args.queries, RESULTS / args.label)
        print(json.dumps(result["add"], indent=2), flush=True)
    elif not args.report:
        for size in (int(s) for s in args.sizes.split(",")):
            result = run_size(size, args.seed, args.add, args.queries, RESULTS / args.label)
            print(json.dumps(result, indent=2), flush=True)
    report(RESULTS / args.label)


if __name__ == "__main__":
    main()
