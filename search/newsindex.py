"""``NewsIndex``: the one door to an index, for the CLI, the web and Python callers.

>>> with NewsIndex.open("index") as news:                          # doctest: +SKIP
...     news.rebuild(["stories/"])                                 # or news.add([...])
...     result = news.search("oil prices", filters={"agency": ["Reuters"]}, sort="newest")
...     print(result.total, [hit.title for hit in result.hits])
...     print(result.to_dict())                                    # the API's JSON

Reading goes to a ``searching.engine.SearchEngine`` (one cached searcher and its arrays,
refreshed when the index changes on disk); writing to ``indexing.indexer`` (rebuild beside
the live generation and swap; add and delete in place, under the write lock). Every result
is a plain object with ``to_dict()``, which ``--json`` and the HTTP API print unchanged.
This class is the seam for another backend: the web layer talks to nothing else.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from search.article import Article
from search.errors import IndexOutdated
from search.indexing import indexer
from search.indexing.indexer import IndexReport, ProgressCallback
from search.indexing.schema import SCHEMA_VERSION
from search.indexing.store import IndexStore, default_index_path
from search.searching.engine import SearchEngine
from search.searching.results import ArticleView, Copy, Hit, IndexStats, SearchResult, Timeline
from search.searching.scoring import Ranking
from search.settings import Settings

Sources = Sequence[str | os.PathLike] | Iterable[Article] | Iterable[Mapping[str, Any]]


class NewsIndex:
    """An index directory: search it, read its articles, and write to it."""

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        settings: Settings | Mapping[str, Any] | None = None,
        ranking: Ranking | None = None,
    ) -> None:
        self.settings = Settings.load(settings)
        self.store = IndexStore(path or default_index_path())
        self._engine = SearchEngine(self.store, self.settings, ranking)

    @classmethod
    def open(
        cls,
        path: str | os.PathLike | None = None,
        settings: Settings | Mapping[str, Any] | None = None,
        ranking: Ranking | None = None,
    ) -> NewsIndex:
        """The index at ``path`` (default: ``$NEWSINDEX_INDEX``, else the project's
        ``index/``). An index not built yet can be rebuilt; reading it raises
        ``IndexNotFound`` with the command that builds one; so can an index written by
        another version of newsindex (the upgrade path), whose reads raise
        ``IndexOutdated``. ``ranking`` replaces the default ranking's parameters
        (``searching.scoring.Ranking``: an archive of another kind, or measuring one signal
        against its absence)."""
        news = cls(path, settings, ranking)
        if news.store.exists():
            # A damaged index says so here; the reader itself opens on the first read. A
            # write (add, rebuild) never reads: opened here, a million articles' reader
            # (~0.3 GiB) stayed in the writing process and in every worker it forked.
            with contextlib.suppress(IndexOutdated):
                news.store.open_live(SCHEMA_VERSION).close()
        return news

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def generation(self) -> str:
        """Names what is live; changes with every rebuild, add and delete (an ETag)."""
        return self._engine.generation

    def close(self) -> None:
        self._engine.close()

    def __enter__(self) -> NewsIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- reading ------------------------------------------------------------------------------

    def search(self, query: str = "", **options: Any) -> SearchResult:
        """One page of hits with facet counts; options as ``SearchEngine.search``:
        ``filters``, ``facets``, ``sort``, ``page``, ``per_page``, ``collapse``,
        ``facet_mode``, ``facet_size``."""
        options.setdefault("per_page", self.settings.default_per_page)
        return self._engine.search(query, **options)

    def get(self, article_id: str) -> Article:
        """The article with this id (``ArticleNotFound`` if none)."""
        return self._engine.get(article_id)

    def copies(self, article_id: str) -> list[Copy]:
        """The other copies of the article's story, with what differs."""
        return self._engine.copies(article_id)

    def related(self, article_id: str, limit: int | None = None) -> list[Hit]:
        """Stories most like this article, its own copies left out."""
        return self._engine.related(article_id, limit)

    def show(self, article_id: str, related: int | None = None) -> ArticleView:
        """The article page: the article, its story's other copies, related stories."""
        return ArticleView(
            article=self.get(article_id),
            copies=self.copies(article_id),
            related=self.related(article_id, related),
        )

    def timeline(self, query: str = "", **options: Any) -> Timeline:
        """Matching stories per month or day, for ``query`` and ``compare=[...]`` queries."""
        return self._engine.timeline(query, **options)

    def export(self, query: str = "", **options: Any) -> Iterator[Article]:
        """Every match in order, streamed (``filters``, ``sort``, ``collapse``)."""
        return self._engine.export(query, **options)

    def stats(self) -> IndexStats:
        return self._engine.stats()

    def count(self) -> int:
        """Live articles, as the last write recorded them: read from the manifest without
        opening a searcher (``stats`` reads every segment's columns, seconds at a million
        articles), so a starting server can say what it serves at once. Raises as a read
        would when there is no index, or it is outdated or damaged."""
        self.store.open_live(SCHEMA_VERSION).close()
        return self.store.read_manifest().documents

    # -- writing ------------------------------------------------------------------------------

    def rebuild(
        self,
        sources: Sources,
        *,
        format: str | None = None,
        field_map: Mapping[str, str] | None = None,
        progress: ProgressCallback | None = None,
        workers: int | None = None,
        allow_shrink: bool = False,
    ) -> IndexReport:
        """Index ``sources`` (paths, globs, ``-``; or ``Article`` objects) into a new
        generation beside the live one, and swap it in only when complete. A rebuild that
        indexed nothing, or fewer than half the articles the live index holds, raises
        ``RebuildRefused`` unless ``allow_shrink``."""
        items = _articles_or_paths(sources)
        options = {"progress": progress, "settings": self.settings, "allow_shrink": allow_shrink}
        if isinstance(items, _Records):
            report = indexer.IndexReport()
            articles = indexer.records_to_articles(items, report, field_map=field_map)
            return indexer.rebuild_from_articles(articles, self.path, report=report, **options)
        if isinstance(items, list):
            return indexer.rebuild(
                items, self.path, format=format, field_map=field_map, workers=workers, **options
            )
        return indexer.rebuild_from_articles(items, self.path, workers=workers or 1, **options)

    def add(
        self,
        sources: Sources,
        *,
        format: str | None = None,
        field_map: Mapping[str, str] | None = None,
        progress: ProgressCallback | None = None,
    ) -> IndexReport:
        """Upsert articles by id into the live index; new copies join their stories.

        ``sources`` may also be objects with article fields (dicts, as a JSON export or an
        API request holds them): they are read as a JSON export's rows are."""
        items = _articles_or_paths(sources)
        options = {"progress": progress, "settings": self.settings}
        if isinstance(items, _Records):
            return indexer.add_records(items, self.path, field_map=field_map, **options)
        if isinstance(items, list):
            return indexer.add(items, self.path, format=format, field_map=field_map, **options)
        return indexer.add_articles(items, self.path, **options)

    def delete(self, ids: str | Sequence[str]) -> IndexReport:
        """Delete articles by id (one id, or several); unknown ids are listed in the
        report's ``not_found``."""
        return indexer.delete(
            [ids] if isinstance(ids, str) else list(ids), self.path, settings=self.settings
        )


class _Records(list):
    """Export-style objects (dicts) given instead of paths or articles."""


def _articles_or_paths(sources: Sources) -> list[str] | Iterator[Article] | _Records:
    """Source paths as a list, an iterator of ``Article`` objects (peeked, not read), or
    ``_Records`` when the first item is a mapping."""
    if isinstance(sources, (str, os.PathLike)):
        return [os.fspath(sources)]
    if isinstance(sources, Mapping):
        return _Records([sources])
    items = iter(sources)
    first = next(items, None)
    if first is None:
        return []
    if isinstance(first, Article):
        return _chain_first(first, items)
    if isinstance(first, Mapping):
        return _Records([first, *items])
    return [os.fspath(first), *(os.fspath(item) for item in items)]


def _chain_first(first: Article, rest: Iterator[Article]) -> Iterator[Article]:
    yield first
    yield from rest
