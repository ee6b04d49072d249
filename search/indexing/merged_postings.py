"""The posting arrays of a rebuild's many segments merged into a few pieces.

A rebuild writes a new segment every ``SEGMENT_BYTES`` of postings per worker (what bounds
its memory): about one per 11,000 articles, ninety at a million. A query word is looked up
in each (a bisection of its keys, a read of its docnums, one of its weights), and so is
each word ranking feedback adds: at 300,000 articles (30 segments) those reads were half of
a first search's time, and they grow with the archive. After a rebuild, the docnums,
weights and positions of consecutive large segments are merged into pieces of up to
``PIECE_POSTINGS`` postings, each readable as one segment's arrays (``PostingArrays``): a
word then costs a lookup per piece. A term some segment has no positions for gets none in
the piece (phrases then read the segments'). The segments stay: a piece is an extra index
over them, used while every segment it covers is still there in the same order.

Segments an ``add`` may later merge away (``MERGE_MAX_DOCS`` documents or fewer) are left
out, so a piece stays valid for the life of its generation; a piece whose segments are gone
is ignored (``pieces_over``) and the segments' own arrays are read.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from search.indexing.array_files import ArrayFile, ArrayWriter
from search.indexing.parallel import MERGE_MAX_DOCS
from search.indexing.postings import (
    ARRAY_EXTENSIONS,
    EVERY_TERM_MARKER,
    POSITION_COUNTS,
    POSITION_EXTENSIONS,
    POSITION_SPANS,
    POSITION_VALUES,
    PostingArrays,
)

#: Postings per piece: its docnums (or its weights) are read whole into memory while it is
#: written, 4 bytes each (128 MB), after the index workers have finished.
PIECE_POSTINGS = 32 << 20
#: Postings gathered into their merged order at a time (bounds the gather's index arrays).
GATHER_POSTINGS = 2 << 20
#: Lists the pieces of a generation; written last, so a listed piece is complete.
PIECES_FILE = "merged-postings.json"
PIECE_PREFIX = "merged-"
#: Segments of at most this many documents are left out: an ``add`` merges such segments
#: into one (``parallel.merge_small_segments``), which would leave their piece unusable.
SMALL_SEGMENT_DOCS = MERGE_MAX_DOCS


@dataclass(frozen=True)
class Segment:
    """What a piece needs of one segment: its id, its document count, its array files'
    prefix (folder and segment file name without extension)."""

    id: str
    documents: int
    prefix: str


@dataclass(frozen=True)
class PieceLeaf:
    """Stands for a piece where a segment's reader would: its document count is all the
    posting lookups ask of one (a piece holds every term, so nothing falls back to it)."""

    documents: int

    def doc_count_all(self) -> int:
        return self.documents


def segments_of(ix: Any) -> list[Segment]:
    """The segments of a Whoosh index in docnum order."""
    folder = ix.storage.folder
    return [
        Segment(s.segment_id(), s.doc_count_all(), os.path.join(folder, s.make_filename("")))
        for s in ix._segments()
    ]


def _mergeable(segment: Segment, small_docs: int) -> bool:
    return segment.documents > small_docs and os.path.exists(segment.prefix + EVERY_TERM_MARKER)


def _postings(segment: Segment) -> int:
    spans = np.load(segment.prefix + ARRAY_EXTENSIONS[1], mmap_mode="r")
    return int(spans.reshape(-1, 2)[:, 1].sum())


def plan_pieces(
    segments: Sequence[Segment],
    limit: int = PIECE_POSTINGS,
    small_docs: int = SMALL_SEGMENT_DOCS,
) -> list[list[Segment]]:
    """Runs of two or more consecutive segments of more than ``small_docs`` documents with
    arrays of every term, each run of at most ``limit`` postings (a segment alone past it
    stays alone)."""
    pieces: list[list[Segment]] = []
    run: list[Segment] = []
    held = 0
    for segment in [*segments, None]:
        size = _postings(segment) if segment and _mergeable(segment, small_docs) else None
        if size is None or (run and held + size > limit):
            if len(run) > 1:
                pieces.append(run)
            run, held = [], 0
        if size is not None:
            run.append(segment)
            held += size
    return pieces


def write_pieces(
    folder: str | Path,
    segments: Sequence[Segment],
    limit: int = PIECE_POSTINGS,
    small_docs: int = SMALL_SEGMENT_DOCS,
) -> int:
    """Merge the posting arrays of ``segments`` (a generation's, in order) into pieces in
    ``folder`` and list them (``plan_pieces``); how many pieces were written."""
    folder = Path(folder)
    listed = []
    for number, run in enumerate(plan_pieces(segments, limit, small_docs)):
        prefix = f"{PIECE_PREFIX}{number}"
        write_piece(str(folder / prefix), run)
        listed.append({"prefix": prefix, "segments": [[s.id, s.documents] for s in run]})
    if listed:
        partial = folder / (PIECES_FILE + ".partial")
        partial.write_text(json.dumps({"pieces": listed}))
        os.replace(partial, folder / PIECES_FILE)
    return len(listed)


def write_piece(prefix: str, run: Sequence[Segment]) -> None:
    """One piece: every term of ``run`` once, its postings (and, where every segment has
    them, its positions) from each segment in order, the docnums counted from the first
    segment's first document."""
    keys = [np.load(s.prefix + ARRAY_EXTENSIONS[0]) for s in run]
    source = np.concatenate([np.full(len(k), n, dtype=np.int32) for n, k in enumerate(keys)])
    all_keys = np.concatenate(keys)
    del keys
    # Stable: a term's rows stay in segment order, so its docnums stay ascending.
    order = np.argsort(all_keys, kind="stable")
    all_keys, source = all_keys[order], source[order]
    unique, firsts = np.unique(all_keys, return_index=True)
    del all_keys
    spans = [np.load(s.prefix + ARRAY_EXTENSIONS[1]).reshape(-1, 2) for s in run]
    row_spans = np.concatenate(spans)[order]
    del spans
    counts = row_spans[:, 1]
    out_starts = np.cumsum(counts) - counts
    piece_spans = np.stack([out_starts[firsts], np.add.reduceat(counts, firsts)], axis=1)
    # Where each row's postings start among the run's, its segments' files end to end.
    doc_files = [ArrayFile(s.prefix + ARRAY_EXTENSIONS[2]) for s in run]
    in_starts = _run_starts(doc_files)[source] + row_spans[:, 0]
    del row_spans
    shifts = np.cumsum([0, *(s.documents for s in run)])[source]
    docs = _end_to_end(doc_files)
    _gather(prefix + ARRAY_EXTENSIONS[2], docs, in_starts, counts, shifts)
    del docs, shifts
    weights = _end_to_end([ArrayFile(s.prefix + ARRAY_EXTENSIONS[3]) for s in run])
    _gather(prefix + ARRAY_EXTENSIONS[3], weights, in_starts, counts)
    del weights
    if all(os.path.exists(s.prefix + ext) for s in run for ext in POSITION_EXTENSIONS):
        _write_positions(prefix, run, order, source, firsts, counts)
    np.save(prefix + ARRAY_EXTENSIONS[0], unique)
    np.save(prefix + ARRAY_EXTENSIONS[1], piece_spans)
    open(prefix + EVERY_TERM_MARKER, "wb").close()


def _write_positions(
    prefix: str,
    run: Sequence[Segment],
    order: np.ndarray,
    source: np.ndarray,
    firsts: np.ndarray,
    counts: np.ndarray,
) -> None:
    """The piece's position files (``postings.POSITION_EXTENSIONS``): a term gets them
    where every segment holding it has its positions (else phrases read the segments')."""
    spans = [np.load(s.prefix + POSITION_SPANS).reshape(-1, 2) for s in run]
    row_spans = np.concatenate(spans)[order]
    del spans
    # A term keeps its positions only if each of its rows has them.
    lacking = np.add.reduceat((row_spans[:, 0] < 0).astype(np.int64), firsts) > 0
    keep = ~np.repeat(lacking, np.diff(np.append(firsts, counts.size)))
    kept_counts = counts[keep]
    kept_source = source[keep]
    count_files = [ArrayFile(s.prefix + POSITION_COUNTS) for s in run]
    in_counts = _run_starts(count_files)[kept_source] + row_spans[keep, 0]
    per_posting = _end_to_end(count_files)
    occurrences = _gather(prefix + POSITION_COUNTS, per_posting, in_counts, kept_counts, sums=True)
    del per_posting
    value_files = [ArrayFile(s.prefix + POSITION_VALUES, headerless="<u2") for s in run]
    in_values = _run_starts(value_files)[kept_source] + row_spans[keep, 1]
    values = _end_to_end(value_files)
    _gather(prefix + POSITION_VALUES, values, in_values, occurrences, header=False)
    del values
    # Per term: where its counts and its positions start (its first row's), or none.
    counts_at = np.full(keep.size, -1, dtype=np.int64)
    values_at = np.full(keep.size, -1, dtype=np.int64)
    counts_at[keep] = np.cumsum(kept_counts) - kept_counts
    values_at[keep] = np.cumsum(occurrences) - occurrences
    position_spans = np.stack([counts_at[firsts], values_at[firsts]], axis=1)
    position_spans[lacking] = -1
    np.save(prefix + POSITION_SPANS, position_spans)  # written last, as a segment's


def _run_starts(files: Sequence[ArrayFile]) -> np.ndarray:
    """Where each file's values start among the run's, end to end (and the total last)."""
    return np.cumsum([0, *(f.length for f in files)])


def _end_to_end(files: Sequence[ArrayFile]) -> np.ndarray:
    """The files' arrays end to end in one array, read front to back into this process's
    memory (not mapped: freed after, not held as mapped file pages; not read per file and
    concatenated, which held a piece's positions twice); the files are closed after."""
    try:
        values = np.empty(sum(f.length for f in files), dtype=files[0].dtype)
        at = 0
        for f in files:
            f.read_into(values[at : at + f.length])
            at += f.length
        return values
    finally:
        for f in files:
            f.close()


def _gather(
    path: str,
    values: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    shifts: np.ndarray | None = None,
    header: bool = True,
    sums: bool = False,
) -> np.ndarray | None:
    """Write ``values[starts[i] : starts[i] + lengths[i]]`` for each row ``i`` in turn (plus
    ``shifts[i]`` each), a chunk of rows at a time, as a ``.npy`` file (``header``) or raw;
    with ``sums``, each row's sum of the values written."""
    total = int(lengths.sum())
    summed = np.zeros(lengths.size, dtype=np.int64) if sums else None
    with contextlib.ExitStack() as stack:
        if header:
            out = stack.enter_context(ArrayWriter(Path(path), values.dtype, total))
            write = out.write
        else:
            raw = stack.enter_context(open(path, "wb"))
            write = lambda chunk: raw.write(chunk.tobytes())  # noqa: E731
        for first, last in _chunks(lengths, GATHER_POSTINGS):
            n = lengths[first:last]
            rows_out = np.cumsum(n) - n
            at = np.repeat(starts[first:last] - rows_out, n) + np.arange(int(n.sum()))
            chunk = values[at]
            if shifts is not None:
                chunk += np.repeat(shifts[first:last], n).astype(values.dtype)
            if summed is not None:
                summed[first:last] = np.add.reduceat(chunk, rows_out, dtype=np.int64)
            write(chunk)
    return summed


def _chunks(counts: np.ndarray, size: int) -> list[tuple[int, int]]:
    """Consecutive row ranges of about ``size`` postings each (a row is never split)."""
    ends = np.cumsum(counts)
    bounds = [0]
    while bounds[-1] < counts.size:
        reached = int(ends[bounds[-1] - 1]) if bounds[-1] else 0
        following = int(np.searchsorted(ends, reached + size, side="right"))
        bounds.append(max(following, bounds[-1] + 1))
    return list(zip(bounds, bounds[1:], strict=False))


def pieces_over(
    folder: str,
    segments: Sequence[tuple[str, int]],
    open_arrays: Callable[[str], PostingArrays | None] = PostingArrays.open,
) -> list[tuple[int, int, PostingArrays]]:
    """The pieces of ``folder`` still usable over ``segments`` (``(id, documents)`` in docnum
    order): ``(first segment's position, segments covered, arrays)`` each. A piece whose
    segments are no longer all there, one after another, is left out."""
    listing = Path(folder) / PIECES_FILE
    try:
        pieces = json.loads(listing.read_text())["pieces"]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError):
        return []  # unreadable: the segments' own arrays answer the same, more slowly
    where = {segment_id: at for at, (segment_id, _) in enumerate(segments)}
    usable = []
    for piece in pieces:
        covered = [tuple(pair) for pair in piece["segments"]]
        first = where.get(covered[0][0]) if covered else None
        if first is None or list(segments[first : first + len(covered)]) != covered:
            continue
        arrays = open_arrays(os.path.join(folder, piece["prefix"]))
        if arrays is not None:
            usable.append((first, len(covered), arrays))
    return usable


def with_pieces(units: list[tuple[Any, Any]], pieces: list[tuple[int, int, PostingArrays]]):
    """``units`` (each segment's ``((reader, docnum offset), arrays)``, in docnum order) with
    each piece's run of segments replaced by the piece."""
    units = list(units)
    for first, covered, arrays in sorted(pieces, key=lambda piece: -piece[0]):
        (_, offset), _ = units[first]
        documents = sum(leaf.doc_count_all() for (leaf, _), _ in units[first : first + covered])
        units[first : first + covered] = [((PieceLeaf(documents), offset), arrays)]
    return units
