"""newsindex: a searchable full-text news archive.

The one entry point for Python callers is ``NewsIndex``::

    from search import NewsIndex
    with NewsIndex.open("index", {"max_per_page": 50}) as news:
        news.rebuild(["stories/"])
        result = news.search("minerals", filters={"agency": ["AP"]})
        print(result.total, [hit.title for hit in result.hits])

The package reads the way data flows: ``sources`` (one reader per format) → ``extract``
(wire copy, pages, dates, publishers → ``Article``) → ``indexing`` (schema, analysis, story
detection, writers, the store of generations) → ``searching`` (snapshot, parser, scoring,
facets, ranking, snippets, suggestions, result objects) → ``newsindex.NewsIndex``, which
``cli`` and ``web`` call. ``settings`` holds the tunables; ``errors`` the error family.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["NewsIndex", "Settings", "Article", "NewsIndexError", "__version__"]

if TYPE_CHECKING:
    from search.article import Article
    from search.errors import NewsIndexError
    from search.newsindex import NewsIndex
    from search.settings import Settings

_LAZY = {
    "NewsIndex": "search.newsindex",
    "Settings": "search.settings",
    "Article": "search.article",
    "NewsIndexError": "search.errors",
}


def __getattr__(name: str) -> Any:
    """Import lazily, so ``newsindex --help`` does not pay for Whoosh and numpy."""
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(name)
