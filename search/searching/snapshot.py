"""One searcher and the arrays read from it once: facets, stories, dates, deletions.

A ``Snapshot`` is immutable once built; ``NewsIndex`` swaps in a new one when the index
changes on disk, so a search in progress keeps a consistent view.
"""

from __future__ import annotations

import threading
from functools import cached_property

import numpy as np

from search.indexing.whoosh_internals import column_values
from search.searching.facets import FACETS, FacetData, StoryCodes, read_facet_column

#: ``published`` of a document without a date: sorts after every real date.
NO_DATE = np.iinfo(np.int64).min


class Snapshot:
    """Arrays indexed by docnum for one searcher of the live generation."""

    def __init__(self, index, generation: str) -> None:
        self.generation = generation
        #: Whoosh readers share file handles: one search at a time per snapshot.
        self.lock = threading.RLock()
        self.closed = False
        #: Long readers (an export) that keep this snapshot open after it is retired.
        self._pins = 0
        self._retired = False
        self.searcher = index.searcher()
        reader = self.searcher.reader()
        #: Whoosh's commit number: bumps with every in-place add or delete.
        self.version = reader.generation()
        self.ndocs = reader.doc_count_all()
        self.live = self._live_mask(reader)
        self.facets: dict[str, FacetData] = {
            name: read_facet_column(reader, facet.column, self.ndocs)
            for name, facet in FACETS.items()
        }
        self.story_codes, self.story_ids = self._stories(reader)
        sizes = np.bincount(self.story_codes[self.live], minlength=len(self.story_ids))
        self.stories = StoryCodes(self.story_codes, sizes[self.story_codes] > 1)
        self.published = self._published(reader)
        #: Postings arrays and field lengths, read as queries need them (``scoring``).
        self.term_store = None
        #: "Did you mean" per typed word, filled as queries arrive (``searching.suggest``).
        self.corrections: dict[str, str | None] = {}

    def _live_mask(self, reader) -> np.ndarray:
        live = np.ones(self.ndocs, dtype=bool)
        if reader.has_deletions():
            live[:] = False
            live[np.fromiter(reader.all_doc_ids(), dtype=np.int64)] = True
        return live

    def _stories(self, reader) -> tuple[np.ndarray, list[str]]:
        """A story code per document; a document without a story is a story of its own."""
        values = column_values(reader, "story")
        codes: dict[str, int] = {}
        ids: list[str] = []
        out = np.empty(self.ndocs, dtype=np.int64)
        for docnum, value in enumerate(values):
            key = value.decode("utf-8") if isinstance(value, bytes) else value
            key = key or f"\x00doc-{docnum}"
            code = codes.setdefault(key, len(codes))
            if code == len(ids):
                ids.append(key)
            out[docnum] = code
        return out, ids

    def _published(self, reader) -> np.ndarray:
        published = np.full(self.ndocs, NO_DATE, dtype=np.int64)
        # Undated documents hold the column's default, which need not fit an int64.
        top = np.iinfo(np.int64).max
        raw = column_values(reader, "published", translate=False)
        values = np.array([v if 0 <= v <= top else NO_DATE for v in raw], dtype=np.int64)
        dated = np.zeros(self.ndocs, dtype=bool)
        dated[self.facets["year"].pair_docs] = True
        published[dated] = values[dated]
        return published

    @cached_property
    def _story_members(self) -> tuple[np.ndarray, np.ndarray]:
        """Docnums grouped by story: ``order[starts[s]:starts[s + 1]]`` are story s's."""
        order = np.argsort(self.story_codes, kind="stable")
        starts = np.searchsorted(self.story_codes[order], np.arange(len(self.story_ids) + 1))
        return order, starts

    def story_docs(self, docnum: int) -> np.ndarray:
        """Every live document of ``docnum``'s story, itself included."""
        order, starts = self._story_members
        code = self.story_codes[docnum]
        members = order[starts[code] : starts[code + 1]]
        return members[self.live[members]]

    def story_id(self, docnum: int) -> str | None:
        key = self.story_ids[self.story_codes[docnum]]
        return None if key.startswith("\x00") else key

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
