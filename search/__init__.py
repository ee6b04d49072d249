"""newsindex: a searchable full-text news archive.

The one entry point for Python callers::

    from search import NewsIndex
    with NewsIndex.open("index") as news:
        result = news.search("minerals", filters={"agency": ["AP"]})
        print(result.total, [hit.title for hit in result.hits])

Building an index: ``search.indexer.rebuild(["stories/"], "index")`` (or ``newsindex
rebuild``); the pieces it composes live in ``sources``, ``extract``, ``schema``,
``syndication`` and ``indexer``; searching in ``engine``, ``query``, ``facets``,
``snippets`` and ``results``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["NewsIndex", "Article", "NewsIndexError", "__version__"]

if TYPE_CHECKING:
    from search.article import Article
    from search.errors import NewsIndexError
    from search.searching.engine import NewsIndex


def __getattr__(name: str) -> Any:
    """Import lazily, so ``newsindex --help`` does not pay for Whoosh and numpy."""
    if name == "NewsIndex":
        from search.searching.engine import NewsIndex

        return NewsIndex
    if name == "Article":
        from search.article import Article

        return Article
    if name == "NewsIndexError":
        from search.errors import NewsIndexError

        return NewsIndexError
    raise AttributeError(name)
