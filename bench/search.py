"""Search speed: newsindex beside SQLite FTS5 and a plain Whoosh loop, from one run.

For each corpus (Reuters-21578, AllSides) the three indexes are built once into
``bench/out/<corpus>/`` (build times are kept and printed again on later runs; ``--rebuild``
forces new builds). Then the same seeded queries, taken from titles, run interleaved on the
three engines in three modes:

- one- and two-word queries, top 10 + one facet (Reuters: dateline; AllSides: publisher);
- the same, top 10 + all five facets (agency, publisher, dateline, topics, authors);
- two-word quoted phrases (``"white house"`` first, printed alone too), top 10 + five facets.

newsindex runs a full ``NewsIndex.search`` (exact total, collapsed stories, snippets,
suggestion). FTS5 and plain Whoosh are built as ``bench/baselines.py`` says; FTS5 counts
facets with GROUP BY over the matching rowids, Whoosh with
``searcher.search(q, limit=10, groupedby=...)``.

    python bench/search.py                       # both corpora, 200 queries
    python bench/search.py --corpus reuters --queries 50
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# This file is bench/search.py: drop its own folder from the path so that ``search`` is
# the package, not this script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

import baselines  # noqa: E402
from corpus_loaders import allsides_articles, reuters_articles  # noqa: E402
from whoosh.analysis.analyzers import STOP_WORDS  # noqa: E402

from search import NewsIndex  # noqa: E402
from search.article import Article  # noqa: E402

OUT = ROOT / "bench" / "out"
ALL_FACETS = ["agency", "publisher", "dateline", "topics", "authors"]
ONE_FACET = {"reuters": "dateline", "allsides": "publisher"}
LOADERS: dict[str, Callable[[], Iterable[Article]]] = {
    "reuters": reuters_articles,
    "allsides": allsides_articles,
}
WARMUP_QUERIES = 5
WHITE_HOUSE = '"white house"'
_WORD = re.compile(r"[A-Za-z]{3,}")


# -- queries -----------------------------------------------------------------------------------


def title_queries(articles: list[Article], count: int, seed: int) -> list[str]:
    """One- or two-word queries (consecutive title words, no stop words), seeded."""
    rng = random.Random(seed)
    queries: list[str] = []
    while len(queries) < count:
        words = [w.lower() for w in _WORD.findall(rng.choice(articles).title)]
        words = [w for w in words if w not in STOP_WORDS]
        if not words:
            continue
        size = min(len(words), rng.choice((1, 2)))
        start = rng.randrange(len(words) - size + 1)
        queries.append(" ".join(words[start : start + size]))
    return queries


def phrase_queries(articles: list[Article], count: int, seed: int) -> list[str]:
    """Two-word quoted phrases (adjacent title words, neither a stop word), seeded, with
    ``"white house"`` (frequent words, a common phrase) first."""
    rng = random.Random(seed)
    queries = [WHITE_HOUSE]
    while len(queries) < count:
        words = [w.lower() for w in _WORD.findall(rng.choice(articles).title)]
        pairs = [
            (a, b)
            for a, b in itertools.pairwise(words)
            if a not in STOP_WORDS and b not in STOP_WORDS
        ]
        if pairs:
            queries.append('"{} {}"'.format(*rng.choice(pairs)))
    return queries


# -- builds ------------------------------------------------------------------------------------


def build_newsindex(articles: list[Article], path: Path) -> None:
    NewsIndex.open(path).rebuild(articles, workers=min(4, os.cpu_count() or 1))


BUILDERS = {
    "newsindex": build_newsindex,
    "fts5": baselines.build_fts5,
    "whoosh": baselines.build_whoosh,
}
TARGETS = {"newsindex": "newsindex", "fts5": "fts5.sqlite", "whoosh": "whoosh-plain"}


def ensure_builds(corpus: str, rebuild: bool) -> tuple[dict[str, float], int, list[Article] | None]:
    """Build what is missing; return build seconds per engine, document count, articles."""
    folder = OUT / corpus
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / "builds.json"
    times = json.loads(record.read_text()) if record.exists() and not rebuild else {}
    missing = [
        e for e in BUILDERS if rebuild or e not in times or not (folder / TARGETS[e]).exists()
    ]
    articles = None
    if missing or "documents" not in times:
        articles = list(LOADERS[corpus]())
        times["documents"] = len(articles)
    for engine in missing:
        target = folder / TARGETS[engine]
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        print(f"  building {engine} for {corpus} ({len(articles):,} articles)...", flush=True)
        started = time.perf_counter()
        BUILDERS[engine](articles, target)
        times[engine] = time.perf_counter() - started
        record.write_text(json.dumps(times, indent=2))
    return times, int(times["documents"]), articles


# -- the three engines -------------------------------------------------------------------------


class Ours:
    name = "newsindex"

    def __init__(self, folder: Path) -> None:
        self.news = NewsIndex.open(folder / "newsindex")

    def run(self, query: str, facets: list[str]) -> int:
        return self.news.search(query, facets=facets, per_page=10).total


class Fts5:
    name = "fts5"

    def __init__(self, folder: Path) -> None:
        self.db = sqlite3.connect(folder / "fts5.sqlite")
        self.db.execute("CREATE TEMP TABLE m(rowid INTEGER PRIMARY KEY)")

    def run(self, query: str, facets: list[str]) -> int:
        match = baselines.fts5_match(query)
        db = self.db
        top = db.execute(
            "SELECT rowid, title FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, ?, 1.0) LIMIT 10",
            (match, baselines.TITLE_BOOST),
        ).fetchall()
        db.execute("DELETE FROM temp.m")
        db.execute("INSERT INTO temp.m SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
        for facet in facets:
            if facet in ("topics", "authors"):
                sql = (
                    "SELECT value, count(*) AS c FROM multi JOIN temp.m USING (rowid) "
                    "WHERE facet = ? GROUP BY value ORDER BY c DESC LIMIT 10"
                )
                db.execute(sql, (facet,)).fetchall()
            else:
                sql = (
                    f"SELECT {facet}, count(*) AS c FROM meta JOIN temp.m USING (rowid) "
                    f"GROUP BY {facet} ORDER BY c DESC LIMIT 10"
                )
                db.execute(sql).fetchall()
        return len(top)


class PlainWhoosh:
    name = "whoosh"

    def __init__(self, folder: Path) -> None:
        from whoosh import index

        self.ix = index.open_dir(str(folder / "whoosh-plain"))
        self.searcher = self.ix.searcher()
        self.parser = baselines.whoosh_parser(self.ix.schema)

    def run(self, query: str, facets: list[str]) -> int:
        from whoosh import sorting

        grouped = {
            f: sorting.FieldFacet(f, allow_overlap=f in ("topics", "authors")) for f in facets
        }
        results = self.searcher.search(self.parser.parse(query), limit=10, groupedby=grouped)
        for f in facets:
            results.groups(f)
        return len(results.top_n)


# -- measuring ---------------------------------------------------------------------------------


def measure(engines: list, queries: list[str], facets: list[str]) -> dict[str, np.ndarray]:
    """Milliseconds per query per engine, engines interleaved query by query."""
    for engine in engines:
        for query in queries[:WARMUP_QUERIES]:
            engine.run(query, facets)
    times = {e.name: [] for e in engines}
    for query in queries:
        for engine in engines:
            started = time.perf_counter()
            engine.run(query, facets)
            times[engine.name].append((time.perf_counter() - started) * 1000)
    return {name: np.array(values) for name, values in times.items()}


def report(corpus: str, label: str, times: dict[str, np.ndarray]) -> list[str]:
    base = times["fts5"]
    b50, b95 = np.percentile(base, 50), np.percentile(base, 95)
    lines = []
    for name, values in times.items():
        p50, p95 = np.percentile(values, 50), np.percentile(values, 95)
        lines.append(
            f"{corpus:<9} {label:<22} {name:<10} {p50:8.1f} {p95:8.1f} {values.mean():8.1f}"
            f" {p50 / b50:8.2f}x {p95 / b95:8.2f}x"
        )
    return lines


def run_corpus(corpus: str, count: int, seed: int, rebuild: bool) -> list[str]:
    times, documents, articles = ensure_builds(corpus, rebuild)
    if articles is None:
        articles = list(LOADERS[corpus]())
    queries = title_queries(articles, count, seed)
    phrases = phrase_queries(articles, count, seed)
    del articles
    folder = OUT / corpus
    lines = [
        f"{corpus}: {documents:,} articles; build s: newsindex {times['newsindex']:.1f} "
        f"(with story detection), fts5 {times['fts5']:.1f}, whoosh {times['whoosh']:.1f}"
    ]
    one = ONE_FACET[corpus]
    modes = (
        (f"top10 + {one}", queries, [one]),
        ("top10 + 5 facets", queries, ALL_FACETS),
        ("phrases + 5 facets", phrases, ALL_FACETS),
    )
    for label, chosen, facets in modes:
        # Fresh engines per mode: no engine starts a mode with the previous one's caches
        # beyond what the OS keeps (newsindex caches postings per searcher).
        engines = [Ours(folder), Fts5(folder), PlainWhoosh(folder)]
        times = measure(engines, chosen, facets)
        lines += report(corpus, label, times)
        if chosen is phrases:  # the first phrase alone (warmed up with the others)
            once = {name: values[:1] for name, values in times.items()}
            lines += report(corpus, f"{WHITE_HOUSE} once", once)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["reuters", "allsides", "both"], default="both")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="Build every index again.")
    parser.add_argument("--build-only", action="store_true", help="Build, don't measure.")
    args = parser.parse_args()
    corpora = ["reuters", "allsides"] if args.corpus == "both" else [args.corpus]
    if args.build_only:
        for corpus in corpora:
            ensure_builds(corpus, args.rebuild)
        return
    header = (
        f"{'corpus':<9} {'mode':<22} {'engine':<10} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}"
        f" {'p50/fts5':>9} {'p95/fts5':>9}"
    )
    lines = []
    for corpus in corpora:
        lines += run_corpus(corpus, args.queries, args.seed, args.rebuild)
    print(f"\n{args.queries} title queries (seed {args.seed}), one run, engines interleaved")
    print(header)
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
