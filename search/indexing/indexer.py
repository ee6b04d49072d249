"""Writing the index: rebuild beside the live one and swap, upsert, delete.

``rebuild`` streams records from ``search.sources``, extracts each into an ``Article``,
gives it a story id (``search.indexing.syndication``), and writes it into a new generation directory
(``search.indexing.store``); only a complete generation is published. ``add`` and ``delete`` change
the live generation in place under the same write lock. The writer is Whoosh's own, used as
a context manager so that any error cancels it.
"""

from __future__ import annotations

import contextlib
import itertools
import shutil
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from search.article import Article
from search.indexing.parallel import ParallelBuilder, default_workers
from search.indexing.schema import SCHEMA_VERSION, article_to_document, build_schema
from search.indexing.store import IndexStore, Manifest, default_index_path, utc_now
from search.indexing.whoosh_internals import BulkWriter
from search.settings import Settings
from search.sources import RawRecord, Skipped

#: Memory for Whoosh's posting pool before it spills a run to disk; one big pool means
#: one segment at commit, which is what search wants.
WRITER_LIMIT_MB = 512
STORY_STATE = "stories.npz"

ProgressCallback = Callable[[int], None]
T = TypeVar("T")


@dataclass
class IndexReport:
    """What one indexing run did, for the CLI summary and the JSON of ``--json``."""

    indexed: int = 0
    updated: int = 0
    deleted: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    seconds: float = 0.0
    documents: int = 0
    stories: int = 0

    @property
    def docs_per_second(self) -> float:
        return self.indexed / self.seconds if self.seconds > 0 else 0.0

    def skipped_by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for skip in self.skipped:
            counts[skip.reason] = counts.get(skip.reason, 0) + 1
        return counts

    def to_dict(self) -> dict:
        return {
            "indexed": self.indexed,
            "updated": self.updated,
            "deleted": self.deleted,
            "duplicates": self.duplicates,
            "skipped": [{"source_file": s.source_file, "reason": s.reason} for s in self.skipped],
            "seconds": round(self.seconds, 3),
            "docs_per_second": round(self.docs_per_second, 1),
            "documents": self.documents,
            "stories": self.stories,
        }


def extracted_articles(
    items: Iterable[RawRecord | Skipped], report: IndexReport
) -> Iterator[Article]:
    """Articles from reader output; unreadable files and empty stories land in ``report``."""
    from search.extract import extract_or_skip

    for item in map(extract_or_skip, items):
        if isinstance(item, Skipped):
            report.skipped.append(item)
        else:
            yield item


def read_articles(
    sources: Sequence[str],
    report: IndexReport,
    *,
    format: str | None = None,
    field_map: Mapping[str, str] | None = None,
) -> Iterator[Article]:
    """Articles from source paths. Bad paths raise ``BadSource`` on the first ``next()``."""
    from search.sources import read_sources

    return extracted_articles(read_sources(sources, format=format, field_map=field_map), report)


def records_to_articles(
    records: Iterable[Any],
    report: IndexReport,
    *,
    source_name: str = "record",
    field_map: Mapping[str, str] | None = None,
) -> Iterator[Article]:
    """Articles from export-style objects (an API's JSON body), read as a JSON export's rows
    are: common field names mapped, wire copy cleaned, ids derived. A value that is not an
    object, or holds no text, is skipped with its reason as ``source_name[n]``."""
    from search.sources.fieldmap import FieldMapper

    mapper = FieldMapper(field_map)
    items = (
        RawRecord(f"{source_name}[{n}]", "fields", fields=mapper.map(record))
        if isinstance(record, Mapping)
        else Skipped(f"{source_name}[{n}]", "not an object with article fields")
        for n, record in enumerate(records)
    )
    return extracted_articles(items, report)


def _primed(items: Iterator[T]) -> Iterator[T]:
    """Pull the first item now, so that a bad source fails before anything is written."""
    try:
        first = next(items)
    except StopIteration:
        return iter(())
    return itertools.chain((first,), items)


def _new_writer(ix: whoosh_index.Index) -> IndexWriter:
    return ix.writer(limitmb=WRITER_LIMIT_MB)


def _story_count(stories) -> int:
    return len({stories.story_of(article_id) for article_id in stories})


def _load_stories(directory: Path, settings: Settings):
    from search.indexing.syndication import StoryIndex

    return StoryIndex.load(directory / STORY_STATE, window_days=settings.story_window_days)


Signed = tuple[Article | Skipped, Any]


def _assign_story(stories, article: Article, signed: Any) -> str:
    """The story id of ``article``; ``signed`` is its body's signature if already computed."""
    if signed is None:
        return stories.assign(article.id, article.body, article.published)
    return stories.assign_signed(article.id, signed, article.published)


def build_generation(
    signed_articles: Iterable[Signed],
    directory: Path,
    report: IndexReport,
    progress: ProgressCallback | None = None,
    workers: int = 1,
    settings: Settings | None = None,
) -> None:
    """Write articles into a new Whoosh index at ``directory``.

    This process assigns stories (which must see every article in order); with
    ``workers > 1`` child processes analyse and write one segment each.
    """
    ix = whoosh_index.create_in(str(directory), build_schema())
    stories = _load_stories(directory, settings or Settings())
    writer = ParallelBuilder(ix, str(directory), workers) if workers > 1 else BulkWriter(ix)
    add = writer.add if workers > 1 else (lambda doc: writer.add_document(**doc))
    words: dict[str, int] = {}  # id -> word count of the copy written
    fuller: dict[str, Article] = {}  # id -> a later, longer copy to write instead
    with writer:
        for article, signed in signed_articles:
            if isinstance(article, Skipped):
                report.skipped.append(article)
                continue
            if article.id in words:
                report.duplicates += 1
                if article.word_count > words[article.id]:
                    fuller[article.id] = article
                continue
            words[article.id] = article.word_count
            article.story = _assign_story(stories, article, signed)
            add(article_to_document(article))
            report.indexed += 1
            if progress:
                progress(1)
    _replace_with_fuller_copies(ix, stories, fuller.values())
    stories.save(directory / STORY_STATE)
    report.documents = report.indexed
    report.stories = _story_count(stories)
    ix.close()


def _replace_with_fuller_copies(ix, stories, articles: Iterable[Article]) -> None:
    """Of two records with one id (a feed's summary and the page it links), keep the fuller."""
    articles = list(articles)
    if not articles:
        return
    with ix.writer() as writer:
        for article in articles:
            article.story = stories.assign(article.id, article.body, article.published)
            writer.update_document(**article_to_document(article))


def _publish_generation(
    signed_articles: Iterator[Signed],
    index_path: str | Path | None,
    report: IndexReport,
    progress: ProgressCallback | None,
    workers: int,
    settings: Settings,
) -> IndexReport:
    """Build a complete new generation beside the live one, then swap it in.

    On any error (or Ctrl-C) the new generation is deleted and the old index keeps serving.
    """
    store = IndexStore(index_path or default_index_path())
    started = time.perf_counter()
    with store.write_lock():
        signed_articles = _primed(signed_articles)
        generation = store.new_generation()
        try:
            build_generation(signed_articles, generation, report, progress, workers, settings)
        except BaseException:
            shutil.rmtree(generation, ignore_errors=True)
            raise
        now = utc_now()
        store.publish(
            Manifest(
                generation=generation.name,
                documents=report.documents,
                stories=report.stories,
                built_at=now,
                updated_at=now,
                schema_version=SCHEMA_VERSION,
            )
        )
        store.remove_unreferenced()
    report.seconds = time.perf_counter() - started
    return report


def rebuild_from_articles(
    articles: Iterable[Article],
    index_path: str | Path | None = None,
    *,
    report: IndexReport | None = None,
    progress: ProgressCallback | None = None,
    workers: int = 1,
    settings: Settings | None = None,
) -> IndexReport:
    """Build a new index from ``Article`` objects (tests, benchmarks, Python callers)."""
    report = report or IndexReport()
    signed = ((article, None) for article in articles)
    return _publish_generation(
        signed, index_path, report, progress, workers, settings or Settings()
    )


def rebuild(
    sources: Sequence[str],
    index_path: str | Path | None = None,
    *,
    format: str | None = None,
    field_map: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    settings: Settings | None = None,
) -> IndexReport:
    """Index ``sources`` from scratch into a new generation and publish it when complete.

    With several cores, extraction and indexing each run in ``workers`` child processes
    (default: the ``workers`` setting, else one per core up to 4); this process reads,
    assigns stories and coordinates.
    """
    from search.indexing.parallel import extract_in_parallel
    from search.sources import read_sources

    settings = settings or Settings()
    workers = workers or settings.workers or default_workers()
    report = IndexReport()
    items = read_sources(sources, format=format, field_map=field_map)
    if workers > 1:
        signed: Generator[Signed, None, None] = extract_in_parallel(items, workers)
    else:
        signed = ((article, None) for article in extracted_articles(items, report))
    try:
        return _publish_generation(signed, index_path, report, progress, workers, settings)
    finally:
        signed.close()  # stops the extraction pool at once on an error or Ctrl-C


@contextlib.contextmanager
def _live_update(index_path: str | Path | None, report: IndexReport, settings: Settings | None):
    """Change the live generation in place: lock, open, then save stories and the manifest.

    Yields ``(ix, stories)``; on success the story state and the manifest's counts are
    written and ``report`` gets the new totals and the elapsed time.
    """
    store = IndexStore(index_path or default_index_path())
    started = time.perf_counter()
    with store.write_lock():
        ix = store.open_live(SCHEMA_VERSION)
        live = store.live_dir()
        stories = _load_stories(live, settings or Settings())
        yield ix, stories
        stories.save(live / STORY_STATE)
        manifest = store.read_manifest()
        manifest.documents = report.documents = ix.doc_count()
        manifest.stories = report.stories = _story_count(stories)
        manifest.updated_at = utc_now()
        store.publish(manifest)
    report.seconds = time.perf_counter() - started


def add_articles(
    articles: Iterable[Article],
    index_path: str | Path | None = None,
    *,
    report: IndexReport | None = None,
    progress: ProgressCallback | None = None,
    settings: Settings | None = None,
) -> IndexReport:
    """Upsert ``articles`` by id into the live index; new copies join existing stories."""
    report = report or IndexReport()
    with _live_update(index_path, report, settings) as (ix, stories):
        articles = _primed(iter(articles))
        with ix.searcher() as searcher, _new_writer(ix) as writer:
            seen: set[str] = set()
            for article in articles:
                if article.id in seen:
                    report.duplicates += 1
                    continue
                seen.add(article.id)
                if searcher.document_number(id=article.id) is not None:
                    report.updated += 1
                    stories.remove(article.id)
                else:
                    report.indexed += 1
                article.story = stories.assign(article.id, article.body, article.published)
                writer.update_document(**article_to_document(article))
                if progress:
                    progress(1)
    return report


def add(
    sources: Sequence[str],
    index_path: str | Path | None = None,
    *,
    format: str | None = None,
    field_map: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    settings: Settings | None = None,
) -> IndexReport:
    """Read ``sources`` and upsert their articles into the live index."""
    report = IndexReport()
    articles = read_articles(sources, report, format=format, field_map=field_map)
    return add_articles(articles, index_path, report=report, progress=progress, settings=settings)


def add_records(
    records: Iterable[Any],
    index_path: str | Path | None = None,
    *,
    field_map: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    settings: Settings | None = None,
) -> IndexReport:
    """Upsert articles given as export-style objects (``records_to_articles``)."""
    report = IndexReport()
    articles = records_to_articles(records, report, field_map=field_map)
    return add_articles(articles, index_path, report=report, progress=progress, settings=settings)


def delete(
    ids: Sequence[str], index_path: str | Path | None = None, settings: Settings | None = None
) -> IndexReport:
    """Delete articles by id; unknown ids are reported in ``skipped``, not an error."""
    report = IndexReport()
    with _live_update(index_path, report, settings) as (ix, stories), ix.writer() as writer:
        for article_id in ids:
            if writer.delete_by_term("id", article_id):
                report.deleted += 1
                stories.remove(article_id)
            else:
                report.skipped.append(Skipped(article_id, "no article with this id"))
    return report
