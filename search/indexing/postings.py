"""A segment's postings held compactly until they are written, grouped by term.

A fresh segment's documents arrive in docnum order, and its postings are written term by
term. Held as a Python tuple each (docnum, weight, encoded positions, length), a posting
costs ~150 bytes; a segment of long articles holds tens of millions of them, and the
memory of a rebuild grew with the archive. Here each field keeps flat arrays (term
number, docnum, weight, size of the encoded value) and one byte buffer of values: ~20
bytes a posting, so a segment of a given memory holds seven times more, and
``nbytes`` tells the writer when to start the next segment.

>>> buffer = PostingBuffer()
>>> buffer.add("body", 0, [(b"oil", 1, 1.0, b"\\x01"), (b"gas", 2, 2.0, b"\\x02")], 2)
>>> buffer.add("body", 1, [(b"oil", 1, 1.0, b"\\x03")], 1)
>>> [(f, t, docs, lengths) for f, t, docs, _, _, lengths in buffer.terms()]
[('body', b'gas', [0], [2]), ('body', b'oil', [0, 1], [2, 1])]
"""

from __future__ import annotations

import hashlib
import mmap
import os
from array import array
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from search.indexing.array_files import ArrayFile, ArrayWriter
from search.indexing.latent import SegmentTerms

#: Postings turned into Python lists at a time while writing (bounds the writing step).
WRITE_CHUNK = 1 << 16
#: Rough bytes per distinct term (its key in a dict and its number).
TERM_BYTES = 100

#: What one term's postings are written from: field, term, then per posting its docnum,
#: weight, encoded value and the document's field length.
TermPostings = tuple[str, bytes, list[int], list[float], list[bytes], list[int]]


class FieldPostings:
    """One field's postings in arrival (docnum) order."""

    def __init__(self) -> None:
        self.term_numbers: dict[bytes, int] = {}
        self.terms = array("I")
        self.docs = array("I")
        self.weights = array("f")
        self.value_sizes = array("I")
        self.values = bytearray()
        #: The field length of each document as the codec will read it back (0: none).
        self.lengths = array("I")

    def add(self, docnum: int, items: Sequence[tuple[bytes, Any, float, bytes]], length: int):
        numbers = self.term_numbers
        texts, _, weights, values = zip(*items, strict=True)
        self.terms.extend([numbers.setdefault(text, len(numbers)) for text in texts])
        self.docs.extend(array("I", [docnum]) * len(texts))
        self.weights.extend(weights)
        self.value_sizes.extend(map(len, values))
        self.values += b"".join(values)
        if len(self.lengths) <= docnum:
            self.lengths.extend(array("I", [0]) * (docnum + 1 - len(self.lengths)))
        self.lengths[docnum] = length

    @property
    def nbytes(self) -> int:
        arrays = (self.terms, self.docs, self.weights, self.value_sizes, self.lengths)
        held = sum(a.itemsize * len(a) for a in arrays) + len(self.values)
        return held + TERM_BYTES * len(self.term_numbers)

    def grouped(self, name: str) -> Iterator[TermPostings]:
        """Each term's postings, terms in byte order, a term's postings in docnum order."""
        texts = list(self.term_numbers)  # index = term number
        ranks = np.empty(len(texts), dtype=np.uint32)
        ranks[sorted(range(len(texts)), key=texts.__getitem__)] = np.arange(len(texts))
        keys = ranks[np.frombuffer(self.terms, dtype=np.uint32)]
        counts = np.bincount(keys, minlength=len(texts)).tolist()
        # By term, docnum order kept within one; 4 bytes a posting, not argsort's 8.
        order = np.argsort(keys, kind="stable").astype(np.uint32)
        del keys
        sizes = np.frombuffer(self.value_sizes, dtype=np.uint32)
        offset_type = np.uint32 if len(self.values) < 1 << 32 else np.uint64
        ends = np.cumsum(sizes, dtype=offset_type)
        docs = np.frombuffer(self.docs, dtype=np.uint32)
        weights = np.frombuffer(self.weights, dtype=np.float32)
        lengths = np.frombuffer(self.lengths, dtype=np.uint32)
        values = memoryview(self.values)
        by_rank = sorted(texts)
        rank = posting = 0
        while rank < len(by_rank):
            # A chunk of whole terms, turned into lists at once.
            last, size = rank, 0
            while last < len(by_rank) and (size < WRITE_CHUNK or last == rank):
                size += counts[last]
                last += 1
            rows = order[posting : posting + size]
            chunk_docs = docs[rows]
            chunk_ends = ends[rows]
            spans = zip((chunk_ends - sizes[rows]).tolist(), chunk_ends.tolist(), strict=True)
            chunk = (
                chunk_docs.tolist(),
                weights[rows].tolist(),
                [values[a:b].tobytes() for a, b in spans],
                lengths[chunk_docs].tolist(),
            )
            at = 0
            for number in range(rank, last):
                n = counts[number]
                yield (name, by_rank[number], *(part[at : at + n] for part in chunk))
                at += n
            rank, posting = last, posting + size


class PostingBuffer:
    """Every field's postings of one segment; ``terms()`` gives them in writing order."""

    def __init__(self) -> None:
        self._fields: dict[str, FieldPostings] = {}

    def add(
        self,
        fieldname: str,
        docnum: int,
        items: Sequence[tuple[bytes, Any, float, bytes]],
        length: int,
    ) -> None:
        """Add one document's ``(term, freq, weight, value)`` items for one field."""
        if not items:
            return
        field = self._fields.get(fieldname)
        if field is None:
            field = self._fields[fieldname] = FieldPostings()
        field.add(docnum, items, length)

    @property
    def nbytes(self) -> int:
        """Roughly the memory the held postings take."""
        return sum(field.nbytes for field in self._fields.values())

    @property
    def postings(self) -> int:
        """How many postings are held (what the segment's posting arrays will hold)."""
        return sum(len(field.docs) for field in self._fields.values())

    def terms(self) -> Iterator[TermPostings]:
        """Fields in name order, then terms in byte order: the order a segment is written."""
        for name in sorted(self._fields):
            yield from self._fields[name].grouped(name)

    def clear(self) -> None:
        self._fields.clear()

    def segment_terms(self, fieldname: str, boost: float) -> SegmentTerms | None:
        """One field's terms and postings as ``LatentSpace.fold_segment`` reads them (a
        posting's weight is its frequency times the field's ``boost``)."""
        field = self._fields.get(fieldname)
        if field is None:
            return None
        return SegmentTerms(
            list(field.term_numbers),
            np.frombuffer(field.terms, dtype=np.uint32),
            np.frombuffer(field.docs, dtype=np.uint32),
            np.frombuffer(field.weights, dtype=np.float32) / np.float32(boost),
        )


# -- posting arrays: every term's docnums and weights, readable in one step -------------------

#: Every term of a segment gets arrays, and the segment a marker saying so: a word's postings
#: are then one read, and a word the arrays lack is known absent from the segment. Through
#: Whoosh, each segment costs a word a term-dictionary lookup (a hash probe, a few reads and
#: an unpickled term info) and its postings a header read and a pickled block (~0.5 us a
#: posting): with a hundred segments at a million articles, a first-seen query paid that a
#: hundred times per word and field. Every term of a positional field also gets its positions
#: stored (what phrases and proximity read): left to Whoosh's blocks, a rare word's positions
#: cost a term-dictionary probe and a block per segment, read from disk by a first search
#: (``bench/scale.py --search-only --cold`` at 300,000 articles: first-pass p95 0.90x, max
#: 0.65x), for about 1% of the index's size.
#: File extensions beside a segment's own files (Whoosh removes them with the segment).
ARRAY_EXTENSIONS = (".pkeys.npy", ".pspans.npy", ".pdocs.npy", ".pweights.npy")
#: Present when the arrays hold every term of the segment (segments written before, with
#: frequent terms only, lack it: a term missing from their arrays is looked up in Whoosh's).
EVERY_TERM_MARKER = ".pall"


def term_key(field: str, text: bytes) -> int:
    """A stable 64-bit key of an indexed term (signed, to fit numpy's int64)."""
    digest = hashlib.blake2b(field.encode("utf-8") + b"\x00" + text, digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


#: Position files beside the posting arrays (optional: segments written before them have
#: none). Per array term (in key order) where its counts and positions start (-1: none, a
#: field without positions); per posting how many positions (uint16); the positions, each
#: document's first as is and the rest as the gap from the one before, raw little-endian
#: uint16 (streamed while the segment is written, so no header). Two bytes where four would
#: hold any position halve the files (AllSides: 68 MB instead of 132 MB beside 944 MB); a
#: term with a count or a gap past 65,535 (never seen in news) gets none.
POSITION_SPANS = ".xspans.npy"
POSITION_COUNTS = ".xcounts.npy"
POSITION_VALUES = ".xpositions.u16"
POSITION_EXTENSIONS = (POSITION_SPANS, POSITION_COUNTS, POSITION_VALUES)
_POSITION_DTYPE = np.dtype("<u2")
_POSITION_LIMIT = 1 << 16

#: Turns a term's encoded position values into (positions per value, positions flat).
PositionDecoder = Callable[[list[bytes]], tuple[np.ndarray, np.ndarray]]


#: Postings a ``PostingArraysWriter`` holds before it writes their docnums and weights out.
ARRAY_WRITE_POSTINGS = 1 << 20
#: Postings whose positions are decoded and written together: most terms of a segment have
#: a handful of postings, and numpy's per-call cost made one decode per term a sixth of a
#: segment's writing time.
POSITION_BATCH_POSTINGS = 1 << 16
#: A term's position span when it has none.
NO_POSITIONS = (-1, -1)


class PostingArraysWriter:
    """Collects every term's postings while a segment is written; ``save`` writes them.

    Docnums and weights go to their files as they come (``postings``, the segment's total,
    is their length), a million at a time: held to the end they were 8 bytes a posting on
    top of the buffer being written, at the moment a worker is at its largest. With
    ``decode``, every term of a positional field also gets its positions (Whoosh's pickled
    blocks cost ~0.4 ms each to decode), a batch of terms at a time, streamed the same way.
    Only the per-term rows wait for ``save``.
    """

    def __init__(self, prefix: str, postings: int, decode: PositionDecoder | None = None) -> None:
        self._prefix = prefix
        self._decode = decode
        self._keys: list[int] = []
        self._counts: list[int] = []
        self._docs = array("I")
        self._weights = array("f")
        self._docs_file = ArrayWriter(Path(prefix + ARRAY_EXTENSIONS[2]), np.uint32, postings)
        self._weights_file = ArrayWriter(Path(prefix + ARRAY_EXTENSIONS[3]), np.float32, postings)
        #: Per term: where its position counts and its positions start (-1: none).
        self._position_spans: list[tuple[int, int]] = []
        self._position_counts = array("H")
        self._positions_written = 0
        #: Terms waiting for their positions: (term row, encoded values).
        self._pending: list[tuple[int, list[bytes]]] = []
        self._pending_postings = 0
        # Open across ``add`` calls; ``close`` (which the segment writer always calls) shuts it.
        self._positions = (
            open(prefix + POSITION_VALUES, "wb")  # noqa: SIM115
            if decode is not None
            else None
        )

    def add(
        self,
        field: str,
        text: bytes,
        docs: list[int],
        weights: list[float],
        values: list[bytes] | None = None,
    ) -> None:
        """One term's postings; ``values`` its encoded positions (None: it has none)."""
        self._keys.append(term_key(field, text))
        self._counts.append(len(docs))
        self._docs.extend(docs)
        self._weights.extend(weights)
        if len(self._docs) >= ARRAY_WRITE_POSTINGS:
            self._write_postings()
        self._position_spans.append(NO_POSITIONS)
        if values is not None and self._positions is not None:
            self._pending.append((len(self._keys) - 1, values))
            self._pending_postings += len(values)
            if self._pending_postings >= POSITION_BATCH_POSTINGS:
                self._write_positions()

    def _write_postings(self) -> None:
        self._docs_file.write(np.frombuffer(self._docs, dtype=np.uint32))
        self._weights_file.write(np.frombuffer(self._weights, dtype=np.float32))
        self._docs, self._weights = array("I"), array("f")

    def _write_positions(self) -> None:
        """The waiting terms' positions, decoded and checked together; if the batch fails
        (a term past the two-byte limits, values not Whoosh 3's), term by term."""
        pending, self._pending, self._pending_postings = self._pending, [], 0
        if pending and not self._write_position_batch(pending):
            for term in pending:  # such a term goes without; the others keep theirs
                self._write_position_batch([term])

    def _write_position_batch(self, terms: list[tuple[int, list[bytes]]]) -> bool:
        if self._positions is None or self._decode is None:
            return False
        values = [value for _, term_values in terms for value in term_values]
        try:
            counts, flat = self._decode(values)
        except ValueError:  # not positions Whoosh 3 encodes: phrases decode the blocks
            return False
        if counts.size != len(values) or not counts.size or counts.min() < 1:
            return False
        gaps = np.diff(flat, prepend=0)
        firsts = np.cumsum(counts) - counts
        gaps[firsts] = flat[firsts]
        if counts.max() >= _POSITION_LIMIT or gaps.min() < 0 or gaps.max() >= _POSITION_LIMIT:
            return False
        postings = np.fromiter((len(v) for _, v in terms), dtype=np.int64, count=len(terms))
        posting_starts = np.cumsum(postings) - postings
        position_starts = firsts[posting_starts]
        counts_base, positions_base = len(self._position_counts), self._positions_written
        for (row, _), at, where in zip(
            terms, posting_starts.tolist(), position_starts.tolist(), strict=True
        ):
            self._position_spans[row] = (counts_base + at, positions_base + where)
        self._position_counts.frombytes(counts.astype(np.uint16).tobytes())
        self._positions.write(gaps.astype(_POSITION_DTYPE).tobytes())
        self._positions_written += gaps.size
        return True

    def save(self) -> None:
        """Write the arrays beside the segment (keys sorted, for bisection)."""
        prefix = self._prefix
        keys = np.array(self._keys, dtype=np.int64)
        counts = np.array(self._counts, dtype=np.int64)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])) if len(counts) else counts
        order = np.argsort(keys)
        spans = np.stack([starts[order], counts[order]], axis=1) if len(keys) else counts
        self._write_postings()
        self._write_positions()
        self._docs_file.close()
        self._weights_file.close()
        for extension, values in zip(ARRAY_EXTENSIONS[:2], (keys[order], spans), strict=True):
            np.save(prefix + extension, values)
        open(prefix + EVERY_TERM_MARKER, "wb").close()
        if self._positions is not None:
            self._positions.close()
            position_spans = np.array(self._position_spans, dtype=np.int64).reshape(-1, 2)
            np.save(prefix + POSITION_COUNTS, np.frombuffer(self._position_counts, np.uint16))
            np.save(prefix + POSITION_SPANS, position_spans[order])  # written last: complete

    def close(self) -> None:
        """Close the files (after ``save``; instead of it on an error, the partial posting
        arrays are removed)."""
        self._docs_file.close(complete=False)
        self._weights_file.close(complete=False)
        if self._positions is not None:
            self._positions.close()


class PostingArrays:
    """One segment's posting arrays: ``get`` gives a term's docnums and weights, ``count``
    how many documents hold it, ``positions`` its occurrences where the segment has
    position files (every term of a text field since they are written for all).

    The key and span tables (a row per term) are memory-mapped: a lookup bisects them,
    touching a few pages of the page cache, so a hundred segments of a million articles
    cost a serving process no resident copy of them. Docnums and weights are read from their
    files for each term asked for (``os.pread``); positions through a memory map, only the
    pages of the documents asked for.
    """

    def __init__(self, prefix: str) -> None:
        self._keys = _mapped_npy(prefix + ARRAY_EXTENSIONS[0])
        self._spans = _mapped_npy(prefix + ARRAY_EXTENSIONS[1]).reshape(-1, 2)
        self._files = [ArrayFile(prefix + ext) for ext in ARRAY_EXTENSIONS[2:]]
        #: Whether every term of the segment has arrays (a term they lack is absent).
        self.every_term = os.path.exists(prefix + EVERY_TERM_MARKER)
        self._position_spans: np.ndarray | None = None
        self._position_counts: ArrayFile | None = None
        self._positions = np.zeros(0, _POSITION_DTYPE)
        if all(os.path.exists(prefix + ext) for ext in POSITION_EXTENSIONS):
            self._position_spans = _mapped_npy(prefix + POSITION_SPANS).reshape(-1, 2)
            self._position_counts = ArrayFile(prefix + POSITION_COUNTS)
            self._positions = _mapped(prefix + POSITION_VALUES)

    @classmethod
    def open(cls, prefix: str) -> PostingArrays | None:
        """The arrays written beside a segment, or None (a segment Whoosh's writer made)."""
        if not all(os.path.exists(prefix + ext) for ext in ARRAY_EXTENSIONS):
            return None
        return cls(prefix)

    def _find(self, field: str, text: bytes, key: int | None = None) -> int | None:
        """The term's row, None when it has no arrays; ``key`` is ``term_key(field, text)``
        when the caller has it (one per segment)."""
        key = term_key(field, text) if key is None else key
        at = int(np.searchsorted(self._keys, key))
        if at == len(self._keys) or self._keys[at] != key:
            return None
        return at

    def count(self, field: str, text: bytes, key: int | None = None) -> int | None:
        """How many of the segment's documents hold the term (0: none), None when the
        arrays cannot tell (a term without arrays in a segment of frequent terms only)."""
        at = self._find(field, text, key)
        if at is None:
            return 0 if self.every_term else None
        return int(self._spans[at, 1])

    def get(
        self, field: str, text: bytes, within: np.ndarray | None = None, key: int | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """``(docnums, weights)`` of a term (empty when the segment lacks it), None when the
        arrays cannot tell (``count``). With ``within``
        (sorted segment docnums), only those of them the term holds: its docnums are read
        and searched, and only the span of weights between the first and last found (a
        ranking window of a thousand documents asks for a few of a term's many thousands)."""
        at = self._find(field, text, key)
        if at is None:
            return (np.empty(0, np.int64), np.empty(0, np.float64)) if self.every_term else None
        start, count = (int(v) for v in self._spans[at])
        docs_file, weights_file = self._files
        docs = docs_file.read(start, start + count)
        if within is None:
            return docs.astype(np.int64), weights_file.read(start, start + count).astype(np.float64)
        wanted = within.astype(docs.dtype)
        rows = np.minimum(np.searchsorted(docs, wanted), count - 1)
        rows = rows[docs[rows] == wanted]
        if not rows.size:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        first = int(rows[0])
        weights = weights_file.read(start + first, start + int(rows[-1]) + 1)[rows - first]
        return docs[rows].astype(np.int64), weights.astype(np.float64)

    def has_positions(self, field: str, text: bytes, key: int | None = None) -> bool:
        """Whether ``positions`` can give this term's occurrences."""
        at = self._find(field, text, key)
        return (
            at is not None and self._position_spans is not None and self._position_spans[at, 0] >= 0
        )

    def positions(
        self, field: str, text: bytes, within: np.ndarray | None = None, key: int | None = None
    ) -> tuple[np.ndarray, np.ndarray] | None:
        """``(docnums, positions)`` of every occurrence of a term, one row each, sorted;
        only in the documents ``within`` (sorted docnums) when given. None when the segment
        has no positions of the term (a segment written before every term had them, a term
        past the two-byte limits)."""
        at = self._find(field, text, key)
        if at is None or self._position_spans is None or self._position_counts is None:
            return None
        counts_start, positions_start = (int(v) for v in self._position_spans[at])
        if counts_start < 0:
            return None
        start, count = (int(v) for v in self._spans[at])
        docs = self._files[0].read(start, start + count).astype(np.int64)
        counts = self._position_counts.read(counts_start, counts_start + count).astype(np.int64)
        ends = np.cumsum(counts)
        if within is None:
            gaps = self._positions[positions_start : positions_start + int(ends[-1])]
        else:
            rows = np.flatnonzero(members(docs, within))
            docs, counts, ends = docs[rows], counts[rows], ends[rows]
            # Each kept posting's positions: its range in the term's run, gathered at once.
            taken = np.cumsum(counts)
            shift = positions_start + ends - taken  # source index minus output index, per row
            gaps = self._positions[
                np.arange(int(taken[-1]) if taken.size else 0) + np.repeat(shift, counts)
            ]
        # Gaps summed within each document (a running sum less the one before its first).
        summed = np.cumsum(gaps, dtype=np.int64)
        firsts = np.cumsum(counts) - counts
        before = summed[firsts] - gaps[firsts]
        return np.repeat(docs, counts), summed - np.repeat(before, counts)

    def close(self) -> None:
        for f in self._files:
            f.close()
        if self._position_counts is not None:
            self._position_counts.close()


def members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``sorted_set`` (sorted, unique): one ``searchsorted``."""
    if not sorted_set.size:
        return np.zeros(values.size, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return sorted_set[at] == values


def _mapped_npy(path: str) -> np.ndarray:
    """A ``.npy`` file as a read-only array over a memory map (read whole if empty)."""
    loaded = np.load(path, mmap_mode="r")
    return np.load(path) if not loaded.size else loaded.view(np.ndarray)


def _mapped(path: str) -> np.ndarray:
    """A raw uint16 file as a read-only array over a memory map (empty if the file is)."""
    if not os.path.getsize(path):
        return np.zeros(0, _POSITION_DTYPE)
    with open(path, "rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return np.frombuffer(mapped, dtype=_POSITION_DTYPE)
