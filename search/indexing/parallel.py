"""Building one index with several processes, one Whoosh segment each.

Analysis and posting encoding are pure Python, so one process uses one core. For a rebuild
the parent reads, extracts and assigns stories (work that must see every article in order),
and hands finished documents in batches to ``workers`` child processes; each child writes its
own segment with a ``BulkWriter``; the parent then publishes all segments in one table of
contents. Whoosh's ``MpWriter`` works the same way; this one reuses ``BulkWriter`` in the
children and reports a child's failure instead of hanging.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
import traceback
from collections.abc import Iterable, Iterator
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from search.article import Article
from search.errors import IndexingFailed
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
#: Documents per segment before a child starts another (bounds a child's memory).
SEGMENT_DOCS = 60_000


def default_workers() -> int:
    """One child per core, at most 4 (the parent needs a share too); 1 on a single core."""
    cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def _ignore_interrupts() -> None:
    """Children leave Ctrl-C to the parent, which stops them and removes the new generation."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _index_worker(directory: str, jobs: Any, results: Any) -> None:
    """Child: add documents from ``jobs`` into segments; send back the segments (or an error)."""
    _ignore_interrupts()
    try:
        ix = whoosh_index.open_dir(directory)
        writer = BulkWriter(ix, _lk=False)
        segments = []
        while True:
            batch = jobs.get()
            if batch is None:
                break
            for doc in batch:
                writer.add_document(**doc)
            if writer.doc_count() >= SEGMENT_DOCS:
                segments.append(finish_segment(writer))
                writer = BulkWriter(ix, _lk=False)
        if writer.doc_count():
            segments.append(finish_segment(writer))
        else:
            discard_segment(writer)
        results.put(("ok", segments))
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


class ParallelBuilder:
    """Feed documents with ``add()``; ``commit()`` publishes every child's segments at once."""

    def __init__(self, ix: whoosh_index.Index, directory: str, workers: int) -> None:
        self._ix = ix
        self._writer = SegmentWriter(ix)  # holds Whoosh's lock and writes the final TOC
        ctx = multiprocessing.get_context("fork")
        self._jobs = ctx.Queue(QUEUE_BATCHES_PER_WORKER * workers)
        self._results = ctx.Queue()
        self._batch: list[dict] = []
        self._procs = [
            ctx.Process(
                target=_index_worker, args=(directory, self._jobs, self._results), daemon=True
            )
            for _ in range(workers)
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

    def _check_children(self) -> None:
        dead = [p for p in self._procs if not p.is_alive()]
        if dead:
            try:
                status, detail = self._results.get_nowait()
            except queue.Empty:
                status, detail = "error", f"index worker exited with code {dead[0].exitcode}"
            _raise_failure(status, detail)

    def commit(self) -> None:
        if self._batch:
            self._send()
        for _ in self._procs:
            self._jobs.put(None)
        segments = []
        for _ in self._procs:
            status, detail = self._wait_result()
            _raise_failure(status, detail)
            segments.extend(detail)
        for proc in self._procs:
            proc.join()
        commit_segments(self._writer, segments)

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

    def cancel(self) -> None:
        # Batches still buffered for dead children must not hold this process at exit.
        self._jobs.cancel_join_thread()
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self._procs:
            proc.join(timeout=5)
        self._writer.cancel()

    def __enter__(self) -> ParallelBuilder:
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


def extract_in_parallel(
    items: Iterable[RawRecord | Skipped], workers: int
) -> Iterator[tuple[Article | Skipped, Any]]:
    """(Article or Skipped, story signature) for each record, in input order.

    Extraction and signing run in ``workers`` child processes; the caller assigns stories,
    which must see the articles one by one in order.
    """
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(workers, initializer=_ignore_interrupts)
    finished = False
    try:
        for batch in pool.imap(_extract_batch, _batches(items, EXTRACT_BATCH)):
            yield from batch
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
