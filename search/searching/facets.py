"""Facets: counts of agency, publisher, dateline, topics, authors, year and month over a search.

Datasette-style: one small class per kind of facet, listed in ``FACET_CLASSES``. Each
facet's values are read once per segment from its ``facet_*`` column into two numpy arrays,
``(doc, code)`` pairs (a multi-valued facet has several pairs per document), so a count is
``np.bincount`` over the pairs whose document matches. Values are grouped by their folded
form (``facet_term``), so ``REUTERS`` and ``Reuters`` count as one, shown as the spelling
most documents use.

Multi-select (Solr's tag/exclude): a filter on a facet ORs its values; filters on different
facets AND; and each facet is counted with its own filter lifted, so its other values stay
visible and a user can widen the selection.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import ClassVar

import numpy as np

from search.errors import BadParameter
from search.indexing.schema import FACET_FIELDS, FACET_SEP, facet_term
from search.indexing.whoosh_internals import column_bytes

#: Count a facet from the matching documents' own pairs when there are this many times
#: fewer matches than pairs; otherwise test every pair (one pass, no lookups).
SPARSE_RATIO = 8


@dataclass(frozen=True, eq=False)
class FacetData:
    """One facet's values for every document of one searcher."""

    labels: list[str]  # display value per code
    keys: dict[str, int]  # folded value -> code
    pair_docs: np.ndarray  # docnum of each (doc, value) pair (int32)
    pair_codes: np.ndarray  # value code of each pair (int32)

    @property
    def size(self) -> int:
        return len(self.labels)

    @cached_property
    def alphabetical(self) -> np.ndarray:
        """Each code's rank in the casefolded alphabetical order of labels."""
        order = sorted(range(self.size), key=lambda c: self.labels[c].casefold())
        ranks = np.empty(self.size, dtype=np.int64)
        ranks[order] = np.arange(self.size)
        return ranks

    def codes_for(self, values: list[str]) -> np.ndarray:
        """Codes of the values a filter names (unknown values match nothing)."""
        found = [self.keys[key] for key in map(facet_term, values) if key in self.keys]
        return np.array(found, dtype=np.int32)

    def docs_mask(self, values: list[str], ndocs: int) -> np.ndarray:
        """Documents carrying any of ``values``: OR within one facet."""
        wanted = np.zeros(self.size + 1, dtype=bool)
        wanted[self.codes_for(values)] = True
        mask = np.zeros(ndocs, dtype=bool)
        mask[self.pair_docs[wanted[self.pair_codes]]] = True
        return mask

    def count(self, mask: np.ndarray, stories: MatchedStories | None = None) -> np.ndarray:
        """Per code: matching documents, or with ``stories`` (``mask``'s, from
        ``StoryCodes.among``) distinct stories: a document alone in its story among the
        matches counts as itself; only the copies of shared stories need deduplication."""
        if stories is None:
            return self._document_counts(mask)
        counts = self._document_counts(stories.alone)
        if stories.together.size:
            codes, story_of_pair = self._codes_of(stories.together, stories.codes, len(mask))
            keys = story_of_pair * self.size + codes
            counts += np.bincount(np.unique(keys) % self.size, minlength=self.size)
        return counts

    def _document_counts(self, mask: np.ndarray) -> np.ndarray:
        """Per code, the documents of ``mask`` carrying it."""
        by_doc = self._doc_codes(len(mask))
        if by_doc is not None:  # one value per document: a docnum-aligned array
            return np.bincount(by_doc[mask], minlength=self.size + 1)[: self.size]
        return np.bincount(self.pair_codes[self._pairs_of(mask)], minlength=self.size)

    def _codes_of(
        self, docs: np.ndarray, tags: np.ndarray, ndocs: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The codes of ``docs``' pairs (sorted docnums), and each pair's document's tag."""
        by_doc = self._doc_codes(ndocs)
        if by_doc is not None:
            codes = by_doc[docs]
            valued = codes < self.size
            return codes[valued], tags[valued]
        pairs, runs = self._pairs_of_docs(docs, ndocs)
        return self.pair_codes[pairs], np.repeat(tags, runs)

    def _doc_codes(self, ndocs: int) -> np.ndarray | None:
        """Each document's code (``size`` where it has none) when no document has two
        values, else None (a multi-valued facet is counted from its pairs)."""
        if "_single_valued" not in self.__dict__:
            docs = self.pair_docs
            self.__dict__["_single_valued"] = bool(np.all(docs[1:] > docs[:-1]))
        if not self.__dict__["_single_valued"]:
            return None
        found = self.__dict__.get("_doc_codes_array")
        if found is None or len(found) != ndocs:
            found = np.full(ndocs, self.size, dtype=np.int32)
            found[self.pair_docs] = self.pair_codes
            self.__dict__["_doc_codes_array"] = found
        return found

    def _pairs_of(self, mask: np.ndarray) -> np.ndarray:
        """Indices of the pairs whose document ``mask`` holds.

        Few matches: their pairs are looked up (pairs are in docnum order, so each
        document's are one run); many: every pair is tested.
        """
        matched = np.flatnonzero(mask)
        if matched.size * SPARSE_RATIO >= len(self.pair_docs):
            return np.flatnonzero(mask[self.pair_docs])
        return self._pairs_of_docs(matched, len(mask))[0]

    def _pairs_of_docs(self, docs: np.ndarray, ndocs: int) -> tuple[np.ndarray, np.ndarray]:
        """Indices of the pairs of ``docs`` (sorted docnums), and how many each has."""
        starts = self._doc_starts(ndocs)
        first, runs = starts[docs], starts[docs + 1] - starts[docs]
        total = int(runs.sum())
        # each run's pair indices: first + 0..run-1, for all runs at once
        base = np.repeat(first - np.cumsum(runs) + runs, runs)
        return base + np.arange(total), runs

    def _doc_starts(self, ndocs: int) -> np.ndarray:
        """Where each document's pairs begin (document d's are ``starts[d]:starts[d+1]``)."""
        found = self.__dict__.get("_starts")
        if found is None or len(found) != ndocs + 1:
            found = np.zeros(ndocs + 1, dtype=np.int32 if len(self.pair_docs) < 2**31 else np.int64)
            np.cumsum(np.bincount(self.pair_docs, minlength=ndocs), out=found[1:])
            self.__dict__["_starts"] = found
        return found


@dataclass(frozen=True)
class MatchedStories:
    """The documents of one mask by story: those alone in their story among the whole
    index (they count as themselves), and those of shared stories with their story codes."""

    alone: np.ndarray  # bool per document
    together: np.ndarray  # sorted docnums
    codes: np.ndarray  # story code of each of ``together``

    @cached_property
    def count(self) -> int:
        """Distinct stories among the mask's documents."""
        return int(np.count_nonzero(self.alone)) + int(np.unique(self.codes).size)


@dataclass(frozen=True)
class StoryCodes:
    """A story code per document, and whether that story has other copies."""

    codes: np.ndarray
    shared: np.ndarray

    def among(self, mask: np.ndarray) -> MatchedStories:
        """``mask``'s documents split by story (once per mask: every facet uses it)."""
        together = np.flatnonzero(mask & self.shared)
        return MatchedStories(mask & ~self.shared, together, self.codes[together])

    def count(self, mask: np.ndarray) -> int:
        """Distinct stories among ``mask``'s documents."""
        return self.among(mask).count


@dataclass(frozen=True, eq=False)
class SegmentFacet:
    """One facet's values in one segment, numbered in the segment's own codes.

    Segments never change, so a searcher reads each once and keeps it while the segment
    lives (``snapshot.SegmentCache``): after an ``add``, only its new segment is read.
    """

    keys: list[str]  # folded value per local code
    spellings: list[dict[str, int]]  # display spellings per local code, with their counts
    pair_docs: np.ndarray  # segment docnum of each (doc, value) pair (int32)
    pair_codes: np.ndarray  # local code of each pair (int32)


@lru_cache(maxsize=1 << 18)
def _folded(label: str) -> tuple[str, str]:
    """A facet label's folded key and its display form (labels repeat across segments)."""
    return facet_term(label), label.strip()


def read_segment_facet(leaf, column: str) -> SegmentFacet:
    """Read one segment's ``facet_*`` column (``FACET_SEP``-joined display values).

    A facet has few distinct values for many documents: documents are grouped by their
    raw value (one dict lookup each), and each distinct value is split and folded once.
    Codes and spellings come out in order of first appearance, as a document-by-document
    reading gives them.
    """
    raw = column_bytes(leaf, column)
    if raw is None:  # a segment written without this column: no values
        empty = np.empty(0, dtype=np.int32)
        return SegmentFacet(keys=[], spellings=[], pair_docs=empty, pair_codes=empty)
    data, offsets, lengths = raw
    value_of_doc, distinct = group_values(data, offsets, lengths)
    docs_with = np.bincount(value_of_doc, minlength=len(distinct)).tolist()
    folded: dict[str, int] = {}
    spellings: list[dict[str, int]] = []
    value_codes: list[list[int]] = []
    for value, docs in zip(distinct, docs_with, strict=True):
        codes = []
        for label in value.decode("utf-8").split(FACET_SEP) if value else ():
            key, shown = _folded(label)
            if not key:
                continue
            code = folded.setdefault(key, len(folded))
            if code == len(spellings):
                spellings.append({})
            counts = spellings[code]
            counts[shown] = counts.get(shown, 0) + docs
            codes.append(code)
        value_codes.append(codes)
    per_value = np.array([len(codes) for codes in value_codes], dtype=np.int64)
    flat = np.array([c for codes in value_codes for c in codes], dtype=np.int32)
    value_start = np.concatenate(([0], np.cumsum(per_value)[:-1])).astype(np.int64)
    per_doc = per_value[value_of_doc]
    pair_docs = np.repeat(np.arange(len(value_of_doc), dtype=np.int32), per_doc)
    doc_first_pair = np.concatenate(([0], np.cumsum(per_doc)[:-1])).astype(np.int64)
    rank = np.arange(len(pair_docs)) - np.repeat(doc_first_pair, per_doc)
    pair_codes = flat[np.repeat(value_start[value_of_doc], per_doc) + rank]
    return SegmentFacet(
        keys=list(folded),
        spellings=spellings,
        pair_docs=pair_docs,
        pair_codes=pair_codes.astype(np.int32),
    )


#: Values up to this long are grouped by a polynomial hash (vectorised); a longer one
#: anywhere in a segment sends it through a dict, value by value (exact, slower).
HASHED_VALUE_BYTES = 1024
_HASH_BASE = np.uint64(0x100000001B3)
_HASH_LENGTH_MIX = np.uint64(0x9E3779B97F4A7C15)


def group_values(
    data: bytes, offsets: np.ndarray, lengths: np.ndarray
) -> tuple[np.ndarray, list[bytes]]:
    """Each document's value as a number, numbered in order of first appearance, and the
    distinct values in that order.

    Documents far outnumber a facet's values, so this is done without a Python step per
    document: each value's bytes are hashed at once (a polynomial over the column's bytes,
    with prefix sums, 64-bit) and the hashes grouped with ``np.unique``. Values longer than
    ``HASHED_VALUE_BYTES`` (where such hashes can be made to collide) are grouped in a dict.

    >>> group_values(b"APReutersAP", np.array([0, 2, 9, 0]), np.array([2, 7, 2, 0]))
    (array([0, 1, 0, 2]), [b'AP', b'Reuters', b''])
    """
    if not len(offsets):
        return np.empty(0, dtype=np.int64), []
    if int(lengths.max()) > HASHED_VALUE_BYTES:
        distinct: dict[bytes, int] = {}
        spans = zip(offsets.tolist(), lengths.tolist(), strict=True)
        numbers = [distinct.setdefault(data[a : a + n], len(distinct)) for a, n in spans]
        return np.array(numbers, dtype=np.int64), list(distinct)
    values = np.frombuffer(data, dtype=np.uint8).astype(np.uint64)
    powers = np.cumprod(np.full(len(values) + 1, _HASH_BASE, dtype=np.uint64))
    powers[1:] = powers[:-1]
    powers[0] = 1  # powers[i] = base ** i, wrapping at 2**64
    prefix = np.zeros(len(values) + 1, dtype=np.uint64)
    np.cumsum(values * powers[:-1], out=prefix[1:])
    ends = offsets + lengths
    # sum over the value of byte * base ** (position - offset), i.e. divided by base ** offset:
    # comparing sums scaled by base ** offset instead needs no inverse
    scaled = (prefix[ends] - prefix[offsets]) * powers[len(values) - offsets]
    hashes = scaled ^ (lengths.astype(np.uint64) * _HASH_LENGTH_MIX)
    _, first, inverse = np.unique(hashes, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    distinct_values = [
        data[int(offsets[doc]) : int(offsets[doc] + lengths[doc])] for doc in first[order]
    ]
    return rank[inverse.reshape(-1)], distinct_values


def merge_facet(parts: list[tuple[SegmentFacet, int]]) -> FacetData:
    """One facet over every segment (``(part, docnum offset)`` in docnum order).

    Values are numbered in order of first appearance and each is shown as the spelling
    most documents use (the first seen on a tie), exactly as reading the whole index at
    once would.
    """
    keys: dict[str, int] = {}
    spellings: list[dict[str, int]] = []
    docs: list[np.ndarray] = []
    codes: list[np.ndarray] = []
    for part, offset in parts:
        mapping = np.empty(len(part.keys), dtype=np.int32)
        for local, key in enumerate(part.keys):
            code = keys.setdefault(key, len(keys))
            if code == len(spellings):
                spellings.append(dict(part.spellings[local]))
            else:
                counts = spellings[code]
                for shown, n in part.spellings[local].items():
                    counts[shown] = counts.get(shown, 0) + n
            mapping[local] = code
        docs.append(part.pair_docs + np.int32(offset))
        codes.append(mapping[part.pair_codes])
    return FacetData(
        # the most used spelling; on a tie the first seen (max keeps the first)
        labels=[max(counts.items(), key=itemgetter(1))[0] for counts in spellings],
        keys=keys,
        pair_docs=np.concatenate(docs) if docs else np.empty(0, np.int32),
        pair_codes=np.concatenate(codes) if codes else np.empty(0, np.int32),
    )


@dataclass(frozen=True)
class Facet:
    """A field a search can count and filter on."""

    type: ClassVar[str] = "column"
    name: str

    @property
    def column(self) -> str:
        return f"facet_{self.name}"

    def label(self, value: str) -> str:
        return value

    def check(self, value: str) -> None:
        """``BadParameter`` for a filter value no article could hold; any text may be an
        agency, a place or a name."""

    def order(self, data: FacetData, counts: np.ndarray, size: int) -> list[int]:
        """The first ``size`` codes with a count: most frequent first, then alphabetically."""
        present = np.flatnonzero(counts)
        ranked = present[np.lexsort((data.alphabetical[present], -counts[present]))]
        return ranked[:size].tolist()

    def top_values(
        self, data: FacetData, counts: np.ndarray, selected: list[str], size: int
    ) -> list[tuple[str, int, bool]]:
        """``(value, count, selected)`` for the ``size`` best values plus every selected one."""
        chosen = {facet_term(v) for v in selected}
        listed = self.order(data, counts, size)
        rows = [
            (data.labels[c], int(counts[c]), facet_term(data.labels[c]) in chosen) for c in listed
        ]
        shown = {facet_term(value) for value, _, _ in rows}
        for value in selected:
            if facet_term(value) in shown:
                continue
            code = data.keys.get(facet_term(value))
            label = data.labels[code] if code is not None else value
            rows.append((label, int(counts[code]) if code is not None else 0, True))
            shown.add(facet_term(value))
        return rows


class ValueFacet(Facet):
    """One value per article: agency, publisher, dateline."""

    type = "column"


class ArrayFacet(Facet):
    """Several values per article: topics, authors (an article counts once per value)."""

    type = "array"


class DateFacet(Facet):
    """Publication year or month, newest bucket first."""

    type = "date"
    #: What a value of each date facet looks like, as a pattern and as an example.
    FORMS: ClassVar[dict[str, tuple[re.Pattern, str]]] = {
        "year": (re.compile(r"\d{4}"), "a year such as 2024"),
        "month": (re.compile(r"\d{4}-(0[1-9]|1[0-2])"), "a month such as 2024-03"),
    }

    def check(self, value: str) -> None:
        """A year or month filter that no article could match (``abc``, ``2024-13``) would
        list nothing and look like an empty archive: refused."""
        pattern, example = self.FORMS[self.name]
        if not pattern.fullmatch(value):
            raise BadParameter(f"filter {self.name} takes {example}, not {value!r}")

    def order(self, data: FacetData, counts: np.ndarray, size: int) -> list[int]:
        present = np.flatnonzero(counts)
        return sorted(present.tolist(), key=lambda c: data.labels[c], reverse=True)[:size]

    def label(self, value: str) -> str:
        """``1987-03`` → ``March 1987``; a year is its own label."""
        year, _, month = value.partition("-")
        if month.isdigit() and 1 <= int(month) <= 12:
            return f"{calendar.month_name[int(month)]} {year}"
        return value


FACET_CLASSES: list[type[Facet]] = [ValueFacet, ArrayFacet, DateFacet]

#: One facet per entry of the schema's ``FACET_FIELDS``, of the class for its kind.
FACETS: dict[str, Facet] = {
    name: next(cls for cls in FACET_CLASSES if cls.type == kind)(name)
    for name, kind in FACET_FIELDS.items()
}
