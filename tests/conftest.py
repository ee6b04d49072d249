"""Shared fixtures: indexes built once per test session.

The bundled demo archive (``search/demo``, in the repository) is the fixture corpus: a clean
clone runs every engine, facet, query and CLI test on it. ``demo_articles`` are its articles
as the readers and extraction make them (the independent side of each check); ``demo_index``
is the index the real ``rebuild`` builds from the same folder.

Tests that need scale read Reuters-21578 and AllSides from ``../shared/corpora`` through
``tests/corpus_loaders.py`` and skip, saying so, where those are absent.
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

DEMO = Path(__file__).resolve().parents[1] / "search" / "demo"

#: Enough Reuters for every facet and query kind (26 Feb - early Mar 1987), quick to build.
REUTERS_SLICE = 2500
#: AllSides bodies are long: a slice with many outlets, authors and topics.
ALLSIDES_SLICE = 600


def _require_corpora() -> None:
    if not corpora_present():
        pytest.skip("corpus missing: ../shared/corpora/{reuters21578,allsides}")


@pytest.fixture(scope="session")
def demo_articles() -> list:
    """The demo's articles by id as a rebuild keeps them (of two with one id, the longer)."""
    from search.indexing.indexer import IndexReport, read_articles

    report = IndexReport()
    kept: dict = {}
    for article in read_articles([str(DEMO)], report):
        if article.id not in kept or article.word_count > kept[article.id].word_count:
            kept[article.id] = article
    assert not report.skipped, report.skipped
    return list(kept.values())


@pytest.fixture(scope="session")
def demo_index(tmp_path_factory) -> Path:
    """The demo folder rebuilt by the library's own rebuild (readers, extraction, stories)."""
    from search import NewsIndex

    path = tmp_path_factory.mktemp("demo") / "index"
    report = NewsIndex(path).rebuild([str(DEMO)], workers=1)
    assert report.indexed > 0 and not report.skipped
    return path


@pytest.fixture(scope="session")
def demo_news(demo_index):
    from search import NewsIndex

    with NewsIndex.open(demo_index) as news:
        yield news


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


#: The write token and body limit of ``served_demo`` (the limit small, so tests stay light).
WRITE_TOKEN = "t0ken-for-tests"
BODY_LIMIT = 64 * 1024


@pytest.fixture(scope="session")
def served_demo(demo_index, tmp_path_factory):
    """``newsindex serve`` on a copy of the demo index, writable with ``WRITE_TOKEN`` and
    refusing bodies over ``BODY_LIMIT`` bytes; yields its base URL."""
    import shutil

    from served import serving

    index = tmp_path_factory.mktemp("served-demo") / "index"
    shutil.copytree(demo_index, index)
    settings = {"WRITE_TOKEN": WRITE_TOKEN, "MAX_CONTENT_LENGTH": str(BODY_LIMIT)}
    with serving(index, settings) as base:
        yield base
