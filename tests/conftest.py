"""Shared fixtures: small real-corpus indexes built once per test session.

Search tests read Reuters-21578 and AllSides through ``tests/corpus_loaders.py`` and
build their indexes with the real indexer (syndication included).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_loaders import (  # noqa: E402
    allsides_articles,
    allsides_records,
    corpora_present,
    reuters_articles,
    reuters_records,
)

#: Enough Reuters for every facet and query kind (26 Feb - early Mar 1987), quick to build.
REUTERS_SLICE = 2500
#: AllSides bodies are long: a slice with many outlets, authors and topics.
ALLSIDES_SLICE = 600


def _require_corpora() -> None:
    if not corpora_present():
        pytest.skip("corpus missing: ../shared/corpora/{reuters21578,allsides}")


@pytest.fixture(scope="session")
def reuters_slice() -> list[dict]:
    _require_corpora()
    return list(reuters_records(REUTERS_SLICE))


@pytest.fixture(scope="session")
def allsides_slice() -> list[dict]:
    _require_corpora()
    return list(allsides_records(ALLSIDES_SLICE))


@pytest.fixture(scope="session")
def reuters_index(tmp_path_factory, reuters_slice) -> Path:
    """An index of the first ``REUTERS_SLICE`` Reuters-21578 records."""
    from search.indexing.indexer import rebuild_from_articles

    path = tmp_path_factory.mktemp("reuters-index")
    rebuild_from_articles(reuters_articles(REUTERS_SLICE), path)
    return path


@pytest.fixture(scope="session")
def allsides_index(tmp_path_factory, allsides_slice) -> Path:
    """An index of the first ``ALLSIDES_SLICE`` AllSides records."""
    from search.indexing.indexer import rebuild_from_articles

    path = tmp_path_factory.mktemp("allsides-index")
    rebuild_from_articles(allsides_articles(ALLSIDES_SLICE), path)
    return path


@pytest.fixture(scope="session")
def reuters_news(reuters_index):
    from search import NewsIndex

    with NewsIndex.open(reuters_index) as news:
        yield news


@pytest.fixture(scope="session")
def allsides_news(allsides_index):
    from search import NewsIndex

    with NewsIndex.open(allsides_index) as news:
        yield news


DEMO = Path(__file__).resolve().parents[1] / "search" / "demo"


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory) -> Path:
    """An index of the bundled demo sample (in the repository: always there)."""
    from search import NewsIndex

    path = tmp_path_factory.mktemp("demo") / "index"
    report = NewsIndex(path).rebuild([str(DEMO)], workers=1)
    assert report.indexed > 20 and not report.skipped
    return path
