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
import time
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.writing import IndexWriter

from search.article import Article
from search.errors import RebuildRefused
from search.indexing.latent import LEARN_ARTICLES, LatentSpace, learning_text
from search.indexing.merged_postings import segments_of, write_pieces
from search.indexing.parallel import ParallelBuilder, SerialBuilder, default_workers
from search.indexing.schema import SCHEMA_VERSION, article_to_document, build_schema
from search.indexing.store import IndexStore, Manifest, default_index_path, utc_now
from search.indexing.whoosh_internals import remove_uncommitted_files
from search.settings import Settings
from search.sources import RawRecord, Skipped, SourceWarning
from search.sources.records import noting_headline_only

#: Memory for Whoosh's posting pool before it spills a run to disk; one big pool means
#: one segment at commit, which is what search wants.
WRITER_LIMIT_MB = 512
#: A rebuild that skipped more records than it indexed may not swap in fewer articles than
#: this share of the live index's (nor may any rebuild swap in none) unless told to.
SHRINK_LIMIT = 0.5
#: Segments stay as separate files: Whoosh reads a compound segment file through a
#: ``BytesIO`` copy of the whole file, so every searcher held every segment in memory
#: (3 GB for 100,000 articles); separate files are read where needed.
COMPOUND_SEGMENTS = False

#: Called with the number of articles just indexed. A callable that also has
#: ``stage(text)`` is told what a run does after its last article (writing segments).
ProgressCallback = Callable[[int], None]
T = TypeVar("T")


def _stage(progress: ProgressCallback | None, text: str) -> None:
    """Say what the run is doing besides reading articles, if anyone listens."""
    stage = getattr(progress, "stage", None)
    if stage is not None:
        stage(text)


@dataclass
class IndexReport:
    """What one indexing run did, for the CLI summary and the JSON of ``--json``."""

    indexed: int = 0
    updated: int = 0
    deleted: int = 0
    duplicates: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    not_found: list[str] = field(default_factory=list)  # ids a delete did not find
    seconds: float = 0.0
    documents: int = 0
    stories: int = 0
    #: ``{field: column}`` of the field map entries (``--map``) whose column no record had
    unmatched_map: dict[str, str] = field(default_factory=dict)
    #: Files read, but as headlines only (no record held a body)
    warnings: list[SourceWarning] = field(default_factory=list)

    @property
    def docs_per_second(self) -> float:
        """Articles written (new and updated) per second of the run."""
        written = self.indexed + self.updated
        return written / self.seconds if self.seconds > 0 else 0.0

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
            "not_found": self.not_found,
            "seconds": round(self.seconds, 3),
            "docs_per_second": round(self.docs_per_second, 1),
            "documents": self.documents,
            "stories": self.stories,
            "unmatched_map": self.unmatched_map,
            "warnings": [
                {"source_file": w.source_file, "warning": w.warning} for w in self.warnings
            ],
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


def _noting_unmatched_map(
    items: Iterable[T], unmatched: Callable[[], dict[str, str]], report: IndexReport
) -> Iterator[T]:
    """``items``; once they are all read, the field map's columns that none had go into
    ``report`` (``unmatched``: the mapper's ``unmatched``), for the run to name."""
    yield from items
    report.unmatched_map = unmatched()


def _records_read(
    sources: Sequence[str],
    report: IndexReport,
    format: str | None,
    field_map: Mapping[str, str] | None,
) -> Iterator[RawRecord | Skipped]:
    """Reader output for ``sources``, its unmatched field map noted in ``report`` at the end.
    Bad paths raise ``BadSource`` here, before anything is read."""
    from search.sources import read_sources

    records = read_sources(sources, format=format, field_map=field_map)
    report.warnings = records.warnings  # filled as the files are read
    return _noting_unmatched_map(records, records.unmatched_map, report)


def read_articles(
    sources: Sequence[str],
    report: IndexReport,
    *,
    format: str | None = None,
    field_map: Mapping[str, str] | None = None,
) -> Iterator[Article]:
    """Articles from source paths. Bad paths raise ``BadSource`` at once."""
    return extracted_articles(_records_read(sources, report, format, field_map), report)


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
    items = noting_headline_only(source_name, items, report.warnings)
    return extracted_articles(_noting_unmatched_map(items, mapper.unmatched, report), report)


def _primed(items: Iterator[T]) -> Iterator[T]:
    """Pull the first item now, so that a bad source fails before anything is written."""
    try:
        first = next(items)
    except StopIteration:
        return iter(())
    return itertools.chain((first,), items)


def _new_writer(ix: whoosh_index.Index) -> IndexWriter:
    """Whoosh's writer for changes in place (add, delete, fuller copies)."""
    return ix.writer(limitmb=WRITER_LIMIT_MB, compound=COMPOUND_SEGMENTS)


def _load_stories(directory: Path, settings: Settings):
    """The story state of a generation (read as needed, not loaded whole)."""
    from search.indexing.syndication import LEGACY_FILE, STATE_FOLDER, StoryIndex

    legacy = directory / LEGACY_FILE
    folder = directory / STATE_FOLDER
    path = legacy if legacy.is_file() and not folder.exists() else folder
    return StoryIndex.load(path, window_days=settings.story_window_days)


def _save_stories(stories, directory: Path) -> None:
    """Commit the story state into the generation (converting a format-2 file on the way)."""
    from search.indexing.syndication import LEGACY_FILE, STATE_FOLDER

    stories.save(directory / STATE_FOLDER)
    (directory / LEGACY_FILE).unlink(missing_ok=True)


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
    writer = ParallelBuilder(ix, str(directory), workers) if workers > 1 else SerialBuilder(ix)
    words = array("I")  # word count of the copy written, by story row (one per article)
    fuller: dict[str, Article] = {}  # id -> a later, longer copy to write instead
    with writer:
        # Learned once the writers have started (forked lean), before any article is sent.
        for article, signed in _learn_latent_space(signed_articles, directory, progress):
            if isinstance(article, Skipped):
                report.skipped.append(article)
                continue
            row = stories.row_of(article.id)
            if row is not None:
                report.duplicates += 1
                _keep_fuller(fuller, article, words[row])
                continue
            words.append(article.word_count)
            article.story = _assign_story(stories, article, signed)
            writer.add(article_to_document(article))
            report.indexed += 1
            if progress:
                progress(1)
        _stage(progress, "writing the index")
    _replace_with_fuller_copies(ix, stories, fuller.values())
    _stage(progress, "merging the posting arrays")
    write_pieces(directory, segments_of(ix))
    _save_stories(stories, directory)
    report.documents = report.indexed
    report.stories = stories.story_count()
    ix.close()


def _learn_latent_space(
    signed_articles: Iterable[Signed], directory: Path, progress: ProgressCallback | None
) -> Iterator[Signed]:
    """Learn the generation's latent space from its first articles (``indexing.latent``),
    before any is written: every article's vector is folded in as it is written. The
    articles read for it go on to be indexed in their turn."""
    articles = iter(signed_articles)
    sample = list(itertools.islice(articles, LEARN_ARTICLES))
    _stage(progress, f"learning the latent space from {_articles(len(sample))}")
    space = LatentSpace.learn(
        learning_text(None if a.title_from_lead else a.title, a.body)
        for a, _ in sample
        if not isinstance(a, Skipped)
    )
    if space is not None:
        space.save(directory)
    return itertools.chain(_handed_on(sample), articles)


def _handed_on(items: list[T]) -> Iterator[T]:
    """``items`` in order, each let go of as it is handed on (not held to the end)."""
    items.reverse()
    while items:
        yield items.pop()


def _keep_fuller(fuller: dict[str, Article], article: Article, written_words: int) -> None:
    """Note ``article``, a repeat of an id written with ``written_words`` words, in
    ``fuller`` (id -> the copy to write instead) if it is the fullest copy so far."""
    kept = fuller.get(article.id)
    if article.word_count > (kept.word_count if kept else written_words):
        fuller[article.id] = article


def _replace_with_fuller_copies(ix, stories, articles: Iterable[Article]) -> None:
    """Of two records with one id (a feed's summary and the page it links), keep the fuller."""
    articles = list(articles)
    if not articles:
        return
    with SerialBuilder(ix, _new_writer(ix)) as builder:
        for article in articles:
            article.story = stories.assign(article.id, article.body, article.published)
            builder.delete(article.id)
            builder.add(article_to_document(article))


def _articles(count: int) -> str:
    return f"{count:,} article" + ("" if count == 1 else "s")


def check_shrink(report: IndexReport, live_documents: int) -> None:
    """Refuse a rebuild that indexed nothing, or fewer than half the articles the live index
    holds: a wrong folder, a half-mounted share or a wrong ``--format`` would otherwise
    replace the archive, exit 0, and a cron job would not notice. Shrinking the archive on
    purpose is one flag away (``allow_shrink``)."""
    skipped = len(report.skipped)
    why = ""
    if skipped:
        reason, count = max(report.skipped_by_reason().items(), key=lambda kv: kv[1])
        why = f", skipped {skipped:,} (e.g. {count:,} × {reason})"
    keep = "the live index is unchanged (--allow-shrink replaces it anyway)"
    if report.documents == 0:
        raise RebuildRefused(f"the rebuild indexed no articles{why}; {keep}")
    if report.documents < SHRINK_LIMIT * live_documents:
        raise RebuildRefused(
            f"the rebuild indexed {_articles(report.documents)} where the live index holds "
            f"{live_documents:,}{why}; {keep}"
        )


def _publish_generation(
    signed_articles: Iterator[Signed],
    index_path: str | Path | None,
    report: IndexReport,
    progress: ProgressCallback | None,
    workers: int,
    settings: Settings,
    allow_shrink: bool = False,
) -> IndexReport:
    """Build a complete new generation beside the live one, then swap it in.

    On any error (or Ctrl-C), or a refused shrink (``check_shrink``), the new generation is
    deleted and the old index keeps serving.
    """
    store = IndexStore(index_path or default_index_path())
    started = time.perf_counter()
    with store.write_lock("rebuild", settings.write_lock_wait_s):
        signed_articles = _primed(signed_articles)
        replaced = store.read_manifest().generation if store.exists() else ""
        generation = store.new_generation()
        try:
            build_generation(signed_articles, generation, report, progress, workers, settings)
            if not allow_shrink:
                check_shrink(report, store.read_manifest().documents if store.exists() else 0)
            now = utc_now()
            store.publish(
                Manifest(
                    generation=generation.name,
                    documents=report.documents,
                    stories=report.stories,
                    built_at=now,
                    updated_at=now,
                    schema_version=SCHEMA_VERSION,
                    replaced=replaced,
                )
            )
        except BaseException:
            store.discard(generation)
            raise
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
    allow_shrink: bool = False,
) -> IndexReport:
    """Build a new index from ``Article`` objects (tests, benchmarks, Python callers)."""
    report = report or IndexReport()
    signed = ((article, None) for article in articles)
    return _publish_generation(
        signed, index_path, report, progress, workers, settings or Settings(), allow_shrink
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
    allow_shrink: bool = False,
) -> IndexReport:
    """Index ``sources`` from scratch into a new generation and publish it when complete
    (unless ``check_shrink`` refuses it and ``allow_shrink`` is not set).

    With several cores, extraction and indexing each run in ``workers`` child processes
    (default: the ``workers`` setting, else one per core up to 4); this process reads,
    assigns stories and coordinates.
    """
    settings = settings or Settings()
    workers = workers or settings.workers or default_workers()
    report = IndexReport()
    signed = _signed_sources(sources, format, field_map, workers, report)
    try:
        return _publish_generation(
            signed, index_path, report, progress, workers, settings, allow_shrink
        )
    finally:
        signed.close()  # stops the extraction pool at once on an error or Ctrl-C


def _signed_sources(
    sources: Sequence[str],
    format: str | None,
    field_map: Mapping[str, str] | None,
    workers: int,
    report: IndexReport,
) -> Generator[Signed, None, None]:
    """Articles read and extracted from ``sources``: in ``workers`` child processes (signed
    there too) when more than one, else here (unsigned; the caller signs). Close it to stop
    the pool at once."""
    from search.indexing.parallel import extract_in_parallel

    items = _records_read(sources, report, format, field_map)
    if workers > 1:
        return extract_in_parallel(items, workers)
    return ((article, None) for article in extracted_articles(items, report))


@contextlib.contextmanager
def _live_update(
    index_path: str | Path | None,
    report: IndexReport,
    settings: Settings | None,
    command: str,
):
    """Change the live generation in place: lock, open, then save stories and the manifest.

    Yields ``(ix, stories)``; on success the story state and the manifest's counts are
    written and ``report`` gets the new totals and the elapsed time.
    """
    store = IndexStore(index_path or default_index_path())
    settings = settings or Settings()
    started = time.perf_counter()
    with store.write_lock(command, settings.write_lock_wait_s):
        ix = store.open_live(SCHEMA_VERSION)
        live = store.live_dir()
        stories = _load_stories(live, settings)
        try:
            yield ix, stories
        except BaseException:
            with contextlib.suppress(Exception):  # never hide why the write failed
                remove_uncommitted_files(ix)  # a failed commit's half-written segment
            raise
        _save_stories(stories, live)
        manifest = store.read_manifest()
        manifest.documents = report.documents = ix.doc_count()
        manifest.stories = report.stories = stories.story_count()
        manifest.updated_at = utc_now()
        store.publish(manifest)
        store.remove_unreferenced()
    report.seconds = time.perf_counter() - started


def _builder(ix: whoosh_index.Index, directory: Path, workers: int, writer: Any = None):
    """Where new documents go: segments written here, or by ``workers`` child processes."""
    if workers > 1:
        return ParallelBuilder(ix, str(directory), workers, writer)
    return SerialBuilder(ix, writer)


def _upsert(
    signed_articles: Iterator[Signed],
    index_path: str | Path | None,
    report: IndexReport,
    progress: ProgressCallback | None,
    settings: Settings | None,
    workers: int,
) -> IndexReport:
    """Upsert articles by id into the live generation: an id already there is deleted and
    written again; new copies join existing stories. New documents go into new segments
    (written as a rebuild writes them), published in one commit with the deletions. An id
    repeated in the input keeps its fuller copy, as in a rebuild."""
    # The first article is read (forking the extraction workers) before the index and the
    # story state are opened: the workers then do not carry those pages.
    signed_articles = _primed(signed_articles)
    with _live_update(index_path, report, settings, "add") as (ix, stories):
        live = Path(ix.storage.folder)
        words: dict[str, int] = {}  # id -> word count of the copy written, for repeated ids
        fuller: dict[str, Article] = {}  # id -> a later, longer copy to write instead
        with ix.searcher() as searcher, _builder(ix, live, workers, _new_writer(ix)) as builder:
            for article, signed in signed_articles:
                if isinstance(article, Skipped):
                    report.skipped.append(article)
                    continue
                if article.id in words:
                    report.duplicates += 1
                    _keep_fuller(fuller, article, words[article.id])
                    continue
                words[article.id] = article.word_count
                if searcher.document_number(id=article.id) is not None:
                    report.updated += 1
                    stories.remove(article.id)
                    builder.delete(article.id)
                else:
                    report.indexed += 1
                article.story = _assign_story(stories, article, signed)
                builder.add(article_to_document(article))
                if progress:
                    progress(1)
            _stage(progress, "writing the index")
        _replace_with_fuller_copies(ix, stories, fuller.values())
    return report


def add_articles(
    articles: Iterable[Article],
    index_path: str | Path | None = None,
    *,
    report: IndexReport | None = None,
    progress: ProgressCallback | None = None,
    settings: Settings | None = None,
    workers: int = 1,
) -> IndexReport:
    """Upsert ``articles`` by id into the live index; new copies join existing stories."""
    signed = ((article, None) for article in articles)
    return _upsert(signed, index_path, report or IndexReport(), progress, settings, workers)


def add(
    sources: Sequence[str],
    index_path: str | Path | None = None,
    *,
    format: str | None = None,
    field_map: Mapping[str, str] | None = None,
    progress: ProgressCallback | None = None,
    settings: Settings | None = None,
    workers: int | None = None,
) -> IndexReport:
    """Read ``sources`` and upsert their articles into the live index.

    As in a rebuild, extraction and indexing run in ``workers`` child processes (default:
    the ``workers`` setting, else one per core up to 4).
    """
    settings = settings or Settings()
    workers = workers or settings.workers or default_workers()
    report = IndexReport()
    signed = _signed_sources(sources, format, field_map, workers, report)
    try:
        return _upsert(signed, index_path, report, progress, settings, workers)
    finally:
        signed.close()  # stops the extraction pool at once on an error or Ctrl-C


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
    """Delete articles by id; unknown ids are listed in ``not_found``, not an error."""
    report = IndexReport()
    updating = _live_update(index_path, report, settings, "delete")
    with updating as (ix, stories), SerialBuilder(ix, _new_writer(ix)) as builder:
        for article_id in ids:
            if builder.delete(article_id):
                report.deleted += 1
                stories.remove(article_id)
            else:
                report.not_found.append(article_id)
    return report
