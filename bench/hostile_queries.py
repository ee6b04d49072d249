"""Pathological queries: how long each takes with the time limit and without it.

The queries of ``tests/test_hostile_queries.py`` (short wildcards, a thousand OR terms,
parentheses 1,000 deep, phrases of common words, fuzzy terms at distance 2) run against one
index through ``NewsIndex.search`` with every facet, first under ``query_time_limit_ms``
(default 1000 ms) and then with no limit (0), side by side. A refused query shows
``QueryTooSlow``; the "no limit" column is what a server would spend without the limit.

    python bench/hostile_queries.py                     # AllSides, built into bench/out/
    python bench/hostile_queries.py --index path/to/index --limit-ms 500
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_hostile_queries import pathological_queries  # noqa: E402

from search import NewsIndex  # noqa: E402
from search.errors import IndexOutdated, NewsIndexError  # noqa: E402
from search.searching.facets import FACETS  # noqa: E402

DEFAULT_INDEX = ROOT / "bench" / "out" / "allsides" / "newsindex"


def ensure_index(path: Path) -> Path:
    """The AllSides index of ``bench/search.py``, built here if that has not run yet (or
    was built by an older version of newsindex)."""
    try:
        current = (path / "manifest.json").exists() and NewsIndex.open(path).stats()
    except IndexOutdated:
        current = False
    if not current:
        from corpus_loaders import allsides_articles

        print(f"building {path} from AllSides...", flush=True)
        with NewsIndex.open(path) as news:
            news.rebuild(allsides_articles())
    return path


def timed(news: NewsIndex, query: str) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        result = news.search(query, facets=list(FACETS))
        outcome = f"{result.total:,} stories"
    except NewsIndexError as refused:
        outcome = type(refused).__name__
    return (time.perf_counter() - started) * 1000, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=DEFAULT_INDEX)
    parser.add_argument("--limit-ms", type=float, default=1000.0)
    args = parser.parse_args()
    index = ensure_index(args.index)
    limited = NewsIndex.open(index, {"query_time_limit_ms": args.limit_ms})
    unlimited = NewsIndex.open(index, {"query_time_limit_ms": 0})
    for news in (limited, unlimited):
        news.search("warm up")
    print(f"index {index} ({limited.stats().documents:,} articles)")
    print(
        f"{'query':26} {'chars':>5}  {'limit ' + format(args.limit_ms, 'g') + ' ms':>30}  "
        f"{'no limit':>30}"
    )
    worst = 0.0
    for name, query in pathological_queries().items():
        ms, outcome = timed(limited, query)
        free_ms, free_outcome = timed(unlimited, query)
        worst = max(worst, ms)
        print(
            f"{name:26} {len(query):5}  {ms:9.0f} ms {outcome:>17}  "
            f"{free_ms:9.0f} ms {free_outcome:>17}"
        )
    print(f"slowest under the limit: {worst:.0f} ms ({worst / args.limit_ms:.2f} x the limit)")


if __name__ == "__main__":
    main()
