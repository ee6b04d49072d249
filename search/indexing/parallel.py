"""Building one index with several processes, one Whoosh segment each.

Analysis and posting encoding are pure Python, so one process uses one core. For a rebuild
the parent reads, extracts and assigns stories (work that must see every article in order),
and hands finished documents in batches to ``workers`` child processes; each child writes its
own segment with a ``BulkWriter``; the parent then publishes all segments in one table of
contents. Whoosh's ``MpWriter`` works the same way; this one reuses ``BulkWriter`` in the
children and reports a child's failure instead of hanging.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import queue
import signal
import threading
import traceback
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import index as whoosh_index
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from search.article import Article
from search.errors import IndexingFailed
from search.indexing.heap import release_freed_memory, trim_heap
from search.indexing.latent import LatentSpace
from search.indexing.whoosh_internals import (
    BulkWriter,
    commit_segments,
    discard_segment,
    finish_segment,
)
from search.sources import RawRecord, Skipped

#: Documents per hand-off: large enough to amortise pickling, small enough to keep both busy.
BATCH_DOCS = 200
#: Batches waiting per worker before the parent blocks (bounds memory).
QUEUE_BATCHES_PER_WORKER = 4
#: Writes in place merge segments of at most this many documents (those of earlier adds),
#: once this many have gathered (see ``merge_small_segments``).
MERGE_MAX_DOCS = 5_000
MERGE_FACTOR = 10
#: Postings memory a segment may hold before it is written and the next begins: what
#: bounds an indexing process's memory, whatever the archive's size. Each segment costs a
#: search a little (one more term lookup per query term); 128 MB holds ~6 million postings,
#: about 20,000 long articles or 100,000 wire stories.
SEGMENT_BYTES = 128 << 20
#: Documents added between two trims of the heap while a segment fills (``search.indexing
#: .heap``): a thousand long articles free ~10 MB of small objects; a trim costs ~3 ms.
TRIM_EVERY_DOCS = 1_000


def default_workers() -> int:
    """One child per core, at most 4 (the parent needs a share too); 1 on a single core."""
    cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def _ignore_interrupts() -> None:
    """Children leave Ctrl-C to the parent, which stops them and removes the new generation."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class SegmentSeries:
    """Documents into consecutive ``BulkWriter`` segments, each of bounded memory.

    The segments are written but not published; ``finish`` returns them for one commit.
    ``first_budget`` ends the first segment early: workers fed at the same pace then reach
    their largest (a full segment being written out, about 2.5 times ``budget`` resident)
    at different moments, not all at once.
    """

    def __init__(
        self,
        ix: whoosh_index.Index,
        budget: int = SEGMENT_BYTES,
        first_budget: int | None = None,
    ) -> None:
        self._ix = ix
        self._budget = budget
        self._next_budget = budget if first_budget is None else first_budget
        self._space: LatentSpace | None = None
        self._writer: BulkWriter | None = None
        self.segments: list[Any] = []
        self._added = 0

    def add(self, doc: dict) -> None:
        if self._writer is None:
            # At the first document, not before: a rebuild starts its writers (so they fork
            # lean), then learns the generation's latent space, then sends them articles.
            self._space = LatentSpace.load(self._ix.storage.folder)
            self._writer = BulkWriter(self._ix, self._space, _lk=False)
        self._writer.add_document(**doc)
        self._added += 1
        if not self._added % TRIM_EVERY_DOCS:
            trim_heap()
        if self._writer.buffered_bytes() >= self._next_budget:
            self.segments.append(finish_segment(self._writer))
            self._writer = BulkWriter(self._ix, self._space, _lk=False)
            self._next_budget = self._budget
            release_freed_memory()

    def finish(self) -> list[Any]:
        if self._writer is not None and self._writer.doc_count():
            self.segments.append(finish_segment(self._writer))
        elif self._writer is not None:
            discard_segment(self._writer)
        return self.segments

    def cancel(self) -> None:
        if self._writer is not None:
            self._writer.cancel()


def staggered_budget(worker: int, workers: int) -> int:
    """The first segment's budget of worker ``worker`` (0-based) of ``workers``: spread
    over one segment, so that the workers write their segments out one after another and
    the run's summed memory holds one full segment's peak, not ``workers`` of them."""
    return SEGMENT_BYTES * (worker + 1) // workers


def _index_worker(directory: str, jobs: Any, results: Any, first_budget: int) -> None:
    """Child: add documents from ``jobs`` into segments; send back the segments (or an error)."""
    _ignore_interrupts()
    try:
        series = SegmentSeries(whoosh_index.open_dir(directory), first_budget=first_budget)
        while True:
            batch = jobs.get()
            if batch is None:
                break
            for doc in batch:
                series.add(doc)
        results.put(("ok", series.finish()))
    except OSError as exc:  # the disk (full, read-only): raised again as such in the parent
        results.put(("oserror", (exc.errno, exc.strerror, exc.filename)))
    except BaseException as exc:  # report, never hang the parent
        results.put(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


def _raise_failure(status: str, detail: Any) -> None:
    """A child's failure, raised in the parent: a disk error as an ``OSError`` (for the
    store to word), anything else as ``IndexingFailed``."""
    if status == "oserror":
        raise OSError(*detail)
    if status == "error":
        raise IndexingFailed(f"index worker failed: {detail}")


def merge_small_segments(writer: SegmentWriter, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy for writes in place: merge the small segments of earlier adds
    once ``MERGE_FACTOR`` of them pile up; never touch a larger one.

    Whoosh's default (``MERGE_SMALL``) may pick dozens of a rebuild's segments at once
    (its "small" is relative to how many there are) and merge them in Python, an hour's
    work at a million articles; here the merged total is at most
    ``MERGE_FACTOR * MERGE_MAX_DOCS`` documents.
    """
    small = [s for s in segments if s.doc_count_all() <= MERGE_MAX_DOCS]
    if len(small) < MERGE_FACTOR:
        return segments
    for segment in small:
        writer.add_reader(SegmentReader(writer.storage, writer.schema, segment))
    return [s for s in segments if s not in small]


class _Builder:
    """Feed documents with ``add()`` (and ids to remove with ``delete()``); leaving the
    ``with`` block publishes them all in one commit, or on an error cancels everything.

    ``writer`` is Whoosh's writer for the index: it holds the lock, records deletions, and
    writes the table of contents that publishes the new segments beside the old.
    """

    def __init__(self, ix: whoosh_index.Index, writer: SegmentWriter | None = None) -> None:
        self._writer = writer or SegmentWriter(ix)

    def add(self, doc: dict) -> None:
        raise NotImplementedError

    def delete(self, article_id: str) -> int:
        """Delete the article with this id from the existing segments; how many were."""
        return self._writer.delete_by_term("id", article_id)

    def _segments(self) -> list[Any]:
        """Finish writing; the new segments."""
        raise NotImplementedError

    def _stop(self) -> None:
        """Stop writing new segments (on an error)."""

    def commit(self) -> None:
        commit_segments(self._writer, self._segments(), merge_small_segments)

    def cancel(self) -> None:
        self._stop()
        self._writer.cancel()

    def __enter__(self) -> _Builder:
        return self

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        if exc_type is not None:
            self.cancel()
            return
        try:
            self.commit()
        except BaseException:  # Ctrl-C or a child's failure while finishing
            self.cancel()
            raise


class SerialBuilder(_Builder):
    """One process: segments of bounded memory, published together at the end."""

    def __init__(self, ix: whoosh_index.Index, writer: SegmentWriter | None = None) -> None:
        super().__init__(ix, writer)
        self._series = SegmentSeries(ix)

    def add(self, doc: dict) -> None:
        self._series.add(doc)

    def _segments(self) -> list[Any]:
        return self._series.finish()

    def _stop(self) -> None:
        self._series.cancel()


class ParallelBuilder(_Builder):
    """``workers`` child processes write the segments; ``commit()`` publishes them at once."""

    def __init__(
        self,
        ix: whoosh_index.Index,
        directory: str,
        workers: int,
        writer: SegmentWriter | None = None,
    ) -> None:
        super().__init__(ix, writer)
        ctx = multiprocessing.get_context("fork")
        self._jobs = ctx.Queue(QUEUE_BATCHES_PER_WORKER * workers)
        self._results = ctx.Queue()
        self._batch: list[dict] = []
        self._sent = 0
        self._procs = [
            ctx.Process(
                target=_index_worker,
                args=(directory, self._jobs, self._results, staggered_budget(n, workers)),
                daemon=True,
            )
            for n in range(workers)
        ]
        for proc in self._procs:
            proc.start()

    def add(self, doc: dict) -> None:
        self._batch.append(doc)
        if len(self._batch) >= BATCH_DOCS:
            self._send()

    def _send(self) -> None:
        while True:
            try:
                self._jobs.put(self._batch, timeout=1.0)
                break
            except queue.Full:
                self._check_children()
        self._batch = []
        self._sent += 1
        if not self._sent % (TRIM_EVERY_DOCS // BATCH_DOCS):
            trim_heap()  # the extracted articles and pickled batches this process let go

    def _check_children(self) -> None:
        dead = [p for p in self._procs if not p.is_alive()]
        if dead:
            try:
                status, detail = self._results.get_nowait()
            except queue.Empty:
                status, detail = "error", f"index worker exited with code {dead[0].exitcode}"
            _raise_failure(status, detail)

    def _segments(self) -> list[Any]:
        if self._batch:
            self._send()
        release_freed_memory()  # this process's share of the end: the extraction is over
        # One worker finishes at a time: its last segment is written out while the others
        # only hold what they buffered, so the end of a run does not add ``workers`` flush
        # peaks together (it was the summed peak of a million-article rebuild).
        segments = []
        for _ in self._procs:
            self._jobs.put(None)
            status, detail = self._wait_result()
            _raise_failure(status, detail)
            segments.extend(detail)
        for proc in self._procs:
            proc.join()
        return segments

    def _wait_result(self) -> tuple[str, Any]:
        while True:
            try:
                return self._results.get(timeout=1.0)
            except queue.Empty:
                if all(not p.is_alive() for p in self._procs):
                    try:
                        return self._results.get(timeout=1.0)
                    except queue.Empty:
                        return "error", "index workers exited without a result"

    def _stop(self) -> None:
        # Batches still buffered for dead children must not hold this process at exit.
        self._jobs.cancel_join_thread()
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self._procs:
            proc.join(timeout=5)


#: Records per extraction task.
EXTRACT_BATCH = 100


def _batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _extract_batch(items: list[RawRecord | Skipped]) -> list[tuple[Article | Skipped, Any]]:
    """Child: extract a batch of records and sign their bodies for story detection."""
    from search.extract import extract_or_skip
    from search.indexing.syndication import sign_bodies

    extracted = [extract_or_skip(item) for item in items]
    articles = [item for item in extracted if isinstance(item, Article)]
    signatures = iter(sign_bodies([article.body for article in articles]))
    return [(item, next(signatures) if isinstance(item, Article) else None) for item in extracted]


#: Extraction batches submitted ahead of the one being consumed, per worker: enough to keep
#: the workers busy, few enough that a slow consumer (the indexing side) bounds the backlog.
#: ``Pool.imap`` has no such bound: its results pile up in the parent for the whole run.
EXTRACT_AHEAD_PER_WORKER = 2


def extract_in_parallel(
    items: Iterable[RawRecord | Skipped], workers: int
) -> Iterator[tuple[Article | Skipped, Any]]:
    """(Article or Skipped, story signature) for each record, in input order.

    Extraction and signing run in ``workers`` child processes; the caller assigns stories,
    which must see the articles one by one in order. At most
    ``EXTRACT_AHEAD_PER_WORKER * workers + 1`` batches are in flight (and one being read),
    so memory stays flat however long the run and however slow the consumer.
    """
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(workers, initializer=_ignore_interrupts)
    finished = False
    try:
        batches = _batches(items, EXTRACT_BATCH)
        pending: deque[Any] = deque()
        for batch in itertools.islice(batches, EXTRACT_AHEAD_PER_WORKER * workers + 1):
            pending.append(pool.apply_async(_extract_batch, (batch,)))
        while pending:
            head = pending.popleft()
            following = next(batches, None)
            if following is not None:
                pending.append(pool.apply_async(_extract_batch, (following,)))
            yield from head.get()
        pool.close()
        pool.join()
        finished = True
    finally:
        if not finished:
            _stop_pool(pool)


#: How long an interrupted run waits for the extraction pool to wind down.
STOP_TIMEOUT_SECONDS = 5.0


def _stop_pool(pool: Any) -> None:
    """Terminate a pool without hanging: its feeding thread can be stuck on a full pipe
    when the run stops mid-stream, and ``Pool.terminate`` joins that thread. Terminate from
    a daemon thread and wait a bounded time; the workers are daemons and die with us."""
    stopper = threading.Thread(target=pool.terminate, daemon=True)
    stopper.start()
    stopper.join(STOP_TIMEOUT_SECONDS)
