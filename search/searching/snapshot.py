"""One searcher and the arrays read from it: facets, stories, dates, deletions.

A ``Snapshot`` is immutable once built; ``NewsIndex`` swaps in a new one when the index
changes on disk, so a search in progress keeps a consistent view. What is read from the
columns is kept per segment (``SegmentCache``): segments never change, so a new snapshot
after an ``add`` reads only the segments the add wrote, not the whole archive again.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from search.errors import IndexDamaged
from search.indexing.latent import DIMENSIONS, LATENT_COLUMN, LatentSpace, decode
from search.indexing.merged_postings import pieces_over, with_pieces
from search.indexing.postings import PostingArrays
from search.indexing.whoosh_internals import (
    column_bytes,
    fixed_column_array,
    map_postings,
    numeric_column,
)
from search.searching.facets import (
    FACETS,
    FacetData,
    MatchedStories,
    SegmentFacet,
    StoryCodes,
    merge_facet,
    read_segment_facet,
)

#: ``published`` of a document without a date: sorts after every real date.
NO_DATE = np.iinfo(np.int64).min
#: Stored documents kept decoded per snapshot: a search reads its best ten for feedback,
#: then mostly the same ten as its hits (each read decompresses the whole article).
STORED_KEPT = 64
_INT64_MAX = np.iinfo(np.int64).max


@dataclass(frozen=True, eq=False)
class SegmentArrays:
    """What a searcher needs from one segment's columns, in the segment's docnums."""

    facets: dict[str, SegmentFacet]
    #: A number per story (``hash`` of its id, in this process), one per document.
    story_keys: np.ndarray
    #: Whoosh's date number, ``NO_DATE`` when undated.
    published: np.ndarray
    #: Frequent terms' postings as arrays, if the segment was written with them.
    postings: PostingArrays | None
    #: Each document's vector in the latent space, as stored (``indexing.latent``); rows
    #: end at the last document with one; None if the segment has none.
    latent: np.ndarray | None


def read_segment(leaf, folder: str) -> SegmentArrays:
    """Read one segment's facet, story and date columns; open its posting arrays."""
    count = leaf.doc_count_all()
    facets = {name: read_segment_facet(leaf, facet.column) for name, facet in FACETS.items()}
    segment = leaf.segment().segment_id()
    stories = column_bytes(leaf, "story")
    if stories is None:  # no story column: every document a story of its own
        story_keys = np.fromiter((hash((segment, d)) for d in range(count)), np.int64, count)
    else:
        data, offsets, lengths = stories
        story_keys = np.fromiter(
            (
                hash(data[start : start + size]) if size else hash((segment, docnum))
                for docnum, (start, size) in enumerate(
                    zip(offsets.tolist(), lengths.tolist(), strict=True)
                )
            ),
            dtype=np.int64,
            count=count,
        )
    # Undated documents hold the column's default, which need not fit an int64.
    raw = numeric_column(leaf, "published")
    if raw is None:
        raw = np.fromiter(leaf.column_reader("published", translate=False), np.uint64, count)
    published = np.full(count, NO_DATE, dtype=np.int64)
    dated = np.zeros(count, dtype=bool)
    dated[facets["year"].pair_docs] = True
    dated &= raw <= np.uint64(_INT64_MAX)
    published[dated] = raw[dated].astype(np.int64)
    postings = PostingArrays.open(os.path.join(folder, leaf.segment().make_filename("")))
    latent = fixed_column_array(leaf, LATENT_COLUMN)
    return SegmentArrays(facets, story_keys, published, postings, latent)


class SegmentCache:
    """``SegmentArrays`` by segment id, kept across the snapshots of one generation."""

    def __init__(self) -> None:
        self._segments: dict[str, SegmentArrays] = {}
        self._pieces: dict[str, PostingArrays | None] = {}
        self._space: tuple[LatentSpace | None] | None = None
        self._lock = threading.Lock()

    def latent_space(self, folder: str) -> LatentSpace | None:
        """The generation's latent space (``indexing.latent``), loaded once."""
        with self._lock:
            if self._space is None:
                self._space = (LatentSpace.load(folder),)
            return self._space[0]

    def pieces(self, folder: str, segments: list[tuple[str, int]]) -> list:
        """The generation's merged posting pieces still usable over ``segments``, each
        opened once (``indexing.merged_postings``)."""
        with self._lock:
            return pieces_over(folder, segments, self._open_piece)

    def _open_piece(self, prefix: str) -> PostingArrays | None:
        if prefix not in self._pieces:
            self._pieces[prefix] = PostingArrays.open(prefix)
        return self._pieces[prefix]

    def arrays(self, leaves: list, folder: str) -> list[SegmentArrays]:
        """Each leaf's arrays, read if new; segments no longer in the index are dropped."""
        with self._lock:
            found = {}
            for leaf in leaves:
                key = leaf.segment().segment_id()
                found[key] = self._segments.get(key) or read_segment(leaf, folder)
            self._segments = found
            return [found[leaf.segment().segment_id()] for leaf in leaves]


class Snapshot:
    """Arrays indexed by docnum for one searcher of the live generation."""

    def __init__(self, index, generation: str, cache: SegmentCache | None = None) -> None:
        self.generation = generation
        #: Whoosh readers share file handles: one search at a time per snapshot.
        self.lock = threading.RLock()
        self.closed = False
        #: Long readers (an export) that keep this snapshot open after it is retired.
        self._pins = 0
        self._retired = False
        self.searcher = index.searcher()
        reader = self.searcher.reader()
        for leaf, _ in reader.leaf_readers():
            map_postings(leaf)
        #: Whoosh's commit number: bumps with every in-place add or delete.
        self.version = reader.generation()
        self.ndocs = reader.doc_count_all()
        self.live = self._live_mask(reader)
        self.live_count = int(np.count_nonzero(self.live))
        # An empty index has one leaf without a segment (Whoosh's EmptyReader): no documents.
        leaves = [(leaf, at) for leaf, at in reader.leaf_readers() if leaf.segment() is not None]
        #: Each segment's ``(reader, docnum offset)``, in the order of ``leaf_postings``.
        self.leaves = leaves
        folder = index.storage.folder
        #: The index folder (the generation's parent), named when its files are damaged.
        self.index_path = os.path.dirname(folder)
        cache = cache or SegmentCache()
        parts = cache.arrays([leaf for leaf, _ in leaves], folder)
        #: Each leaf's posting arrays (None where Whoosh's writer made the segment).
        self.leaf_postings = [part.postings for part in parts]
        segments = [(leaf.segment().segment_id(), leaf.doc_count_all()) for leaf, _ in leaves]
        #: Where a term's docnums and weights are read, as ``((reader, docnum offset),
        #: arrays)``: each segment's arrays, a run of a rebuild's segments replaced by
        #: their merged piece (``indexing.merged_postings``).
        self.posting_units = with_pieces(
            list(zip(leaves, self.leaf_postings, strict=True)), cache.pieces(folder, segments)
        )
        offsets = [offset for _, offset in leaves]
        placed = list(zip(parts, offsets, strict=True))
        self.facets: dict[str, FacetData] = {
            name: merge_facet([(part.facets[name], at) for part, at in placed]) for name in FACETS
        }
        self.story_codes, self.story_count = self._stories(parts)
        sizes = np.bincount(self.story_codes[self.live], minlength=self.story_count)
        self.stories = StoryCodes(self.story_codes, sizes[self.story_codes] > 1)
        self.published = _concatenated([part.published for part in parts], np.int64)
        #: The generation's latent space, None if it has none (``indexing.latent``).
        self.latent_space = cache.latent_space(folder)
        self._latent_rows = [part.latent for part in parts]
        #: Postings arrays and field lengths, read as queries need them (``scoring``).
        self.term_store = None
        #: "Did you mean" per typed word, filled as queries arrive (``searching.suggest``).
        self.corrections: dict[str, str | None] = {}
        self._stored: OrderedDict[int, dict[str, Any]] = OrderedDict()
        self._archive_counts: dict[tuple[str, bool], np.ndarray] = {}

    def _live_mask(self, reader) -> np.ndarray:
        live = np.ones(self.ndocs, dtype=bool)
        if reader.has_deletions():
            live[:] = False
            live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        return live

    @staticmethod
    def _stories(parts: list[SegmentArrays]) -> tuple[np.ndarray, int]:
        """A story code per document (0..count-1), and the count of stories."""
        keys = _concatenated([part.story_keys for part in parts], np.int64)
        unique, codes = np.unique(keys, return_inverse=True)
        return codes.astype(np.int64).reshape(-1), len(unique)

    @cached_property
    def _story_members(self) -> tuple[np.ndarray, np.ndarray]:
        """Docnums grouped by story: ``order[starts[s]:starts[s + 1]]`` are story s's."""
        order = np.argsort(self.story_codes, kind="stable")
        starts = np.searchsorted(self.story_codes[order], np.arange(self.story_count + 1))
        return order, starts

    @cached_property
    def _date_orders(self) -> dict[bool, np.ndarray]:
        return {}

    def date_order(self, newest: bool) -> np.ndarray:
        """Every docnum, newest (or oldest) first, undated last, docnum breaking ties;
        sorted once per snapshot, when first asked for."""
        orders = self._date_orders
        if newest not in orders:
            docs = np.arange(self.ndocs)
            undated = self.published == NO_DATE
            key = np.where(undated, _INT64_MAX, -self.published if newest else self.published)
            orders[newest] = docs[np.lexsort((docs, key))]
        return orders[newest]

    @cached_property
    def archive_stories(self) -> MatchedStories:
        """Every live document by story (the browse page's matches), split once."""
        return self.stories.among(self.live)

    def archive_counts(self, name: str, by_story: bool) -> np.ndarray:
        """A facet's counts over every live document (the browse page's), by story or by
        copy: counted once per snapshot, as the archive only changes with a new snapshot.
        Read only: every browse shares the array."""
        key = (name, by_story)
        found = self._archive_counts.get(key)
        if found is None:
            stories = self.archive_stories if by_story else None
            found = self.facets[name].count(self.live, stories)
            found.flags.writeable = False
            self._archive_counts[key] = found
        return found

    def story_docs(self, docnum: int) -> np.ndarray:
        """Every live document of ``docnum``'s story, itself included."""
        order, starts = self._story_members
        code = self.story_codes[docnum]
        members = order[starts[code] : starts[code + 1]]
        return members[self.live[members]]

    def stored(self, docnum: int) -> dict[str, Any]:
        """A document's stored fields, the last ``STORED_KEPT`` kept (caller holds ``lock``;
        the dict is shared: read it, do not change it)."""
        found = self._stored.get(docnum)
        if found is None:
            try:
                found = self._stored[docnum] = self.searcher.stored_fields(docnum)
            except (TypeError, OSError, EOFError, ValueError) as exc:
                # Whoosh's reader of a segment whose stored column is gone or cut short
                raise IndexDamaged(
                    f"the index at {self.index_path} is damaged (stored articles: "
                    f"{type(exc).__name__}: {exc}): rebuild it with `newsindex rebuild`"
                ) from exc
            if len(self._stored) > STORED_KEPT:
                self._stored.popitem(last=False)
        else:
            self._stored.move_to_end(docnum)
        return found

    def latent_vectors(self, docs: np.ndarray) -> np.ndarray:
        """The latent vectors of ``docs``, one row each (zeros where a segment holds none),
        read from the segments' memory-mapped columns."""
        vectors = np.zeros((docs.size, DIMENSIONS), dtype=np.float32)
        starts = np.array([at for _, at in self.leaves], dtype=np.int64)
        which = np.searchsorted(starts, docs, side="right") - 1
        for leaf in np.unique(which).tolist():
            rows = self._latent_rows[leaf]
            if rows is None:
                continue
            (found,) = np.nonzero(which == leaf)
            local = docs[found] - self.leaves[leaf][1]
            stored = local < rows.shape[0]
            vectors[found[stored]] = decode(rows[local[stored]])
        return vectors

    def story_id(self, docnum: int) -> str | None:
        return self.searcher.stored_fields(docnum).get("story") or None

    def count_stories(self, mask: np.ndarray) -> int:
        return self.stories.count(mask)

    def pin(self) -> None:
        """Keep this snapshot open past its retirement until ``unpin`` (caller holds lock)."""
        self._pins += 1

    def unpin(self) -> None:
        with self.lock:
            self._pins -= 1
            if self._retired and not self._pins:
                self._close()

    def close(self) -> None:
        """Close the searcher once no call holds this snapshot and no export pins it."""
        with self.lock:
            self._retired = True
            if not self._pins:
                self._close()

    def _close(self) -> None:
        self.closed = True
        self.searcher.close()


def _concatenated(arrays: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0, dtype=dtype)
