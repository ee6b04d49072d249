"""Matching and BM25F scoring of a whole query in numpy, over one snapshot.

Whoosh's matchers walk postings one document at a time in Python, which costs more than
everything else in a faceted search (every match must be found to count facets). Here each
term's postings are read once per searcher, a block at a time, into arrays (``docnums``,
``weights``) and cached; a query tree is then evaluated bottom-up as boolean masks over
docnums with a score array alongside:

- words typed side by side (``parser.TypedWords``) need ``words_needed`` of them (all of
  one or two), and documents holding every word rank above those missing one; the engine
  asks again for near matches (``common``: without the words common in the archive, when
  a rarer word was typed beside them; ``missing``: with one more word allowed missing, when
  fewer than ``Ranking.few_matches`` documents match);
- ``And``/``Or``/``Not``/``AndNot``/``AndMaybe``/``Require`` are mask algebra; an ``And``
  evaluates its rarest part first and reads the others only in the postings blocks that can
  hold one of its documents so far (a block's last docnum is in its header);
- a text term scores BM25 in its field (Whoosh's formula) with that field's weight and
  length normalisation (``Ranking``); a bare word is the OR of its term over the text fields,
  so its score is the sum over fields: Whoosh's BM25F;
- ``published`` ranges compare the snapshot's date array;
- wildcards and fuzzy terms expand to their index terms;
- a phrase takes the documents of its words' intersection, then reads their positions (a
  word's from the position files beside its segment: array slices; in a segment written
  without them, decoded from the blocks, all in one go) and intersects
  ``docnum, start`` keys;
- anything else falls back to Whoosh's own ``docs_for_query`` (correct, just slower).
"""

from __future__ import annotations

import time
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound

from search.errors import QueryTooSlow
from search.indexing.postings import PostingArrays, members, term_key
from search.indexing.schema import TITLE_BOOST
from search.indexing.whoosh_internals import (
    block_arrays,
    block_last_id,
    block_values,
    decode_positions,
    expanded_terms,
    is_blockwise,
    leaf_lengths,
    next_block,
    read_postings,
)
from search.searching.parser import DATE_FIELD, TEXT_FIELDS, TypedWords, plain_word
from search.searching.snapshot import NO_DATE, Snapshot

#: Term arrays kept per searcher (a query repeats a few terms; a page of queries, many),
#: at most this many, and at most this many bytes: a common word of a million articles is
#: 16 MB of arrays, so a count alone would let the cache grow to gigabytes.
TERM_CACHE_SIZE = 4096
TERM_CACHE_BYTES = 256 << 20
#: Document frequencies kept per searcher (a plain dict, emptied when full).
FREQUENCY_CACHE_SIZE = 200_000
#: Read only the needed blocks of a term this many times more frequent than the candidates.
PARTIAL_READ_RATIO = 4
#: Word occurrences whose positions are kept decoded per searcher (16 bytes each).
POSITIONS_CACHE_SIZE = 2_000_000
#: A wildcard expanding to more terms than this matches every one of them, unscored.
MAX_EXPANSION = 512
#: A document missing a typed word scores at most this share of the lowest full match.
PARTIAL_MATCH_SHARE = 0.99
#: Units of work (expanded terms, phrase candidates, documents) between two looks at the clock.
CHECK_EVERY = 64

Scored = tuple[np.ndarray, np.ndarray | None]  # (mask, scores or None when nothing scores)


@dataclass(frozen=True)
class FieldScoring:
    """How one text field counts: a word's occurrences weigh ``weight`` each, and ``b`` is
    how much a longer than average field dilutes them (0: not at all, 1: fully)."""

    weight: float
    b: float


@dataclass(frozen=True)
class Ranking:
    """Every parameter of relevance ranking, in one place (``bench/relevance.py`` measures
    each against turning it off). The defaults are tuned on the AllSides tune half only."""

    #: How fast a word's repeats stop adding (BM25's ``k1``).
    k1: float = 1.2
    #: Per text field: a word in the headline weighs ``TITLE_BOOST`` body words; the byline
    #: (dateline, agency, publisher, authors) finds stories but does not rank them, as a
    #: publisher's or a place's name says little about what a story is about.
    fields: tuple[tuple[str, FieldScoring], ...] = (
        ("title", FieldScoring(TITLE_BOOST, 0.75)),
        ("byline", FieldScoring(0.0, 0.75)),
        ("body", FieldScoring(1.0, 0.75)),
    )
    #: Typed words need ``words_needed`` of them (Solr's ``mm``), else all of them.
    soft_words: bool = True
    #: When fewer than this many documents hold enough of the typed words (``soft_words``),
    #: one more word may be missing: a short list goes on with near matches, below the rest.
    #: 0 turns it off.
    few_matches: int = 10
    #: A typed word in at least this share of the archive's bodies, typed beside a rarer
    #: word, only ranks: the rarer words decide what matches, and a document lacking the
    #: common one competes on score with those holding it (Lucene's ``CommonTermsQuery``).
    #: ``hog prices`` lists the stories on hogs, those on hog prices likelier first, as
    #: "prices" is in a sixth of a commodity wire. 0 turns it off.
    common_share: float = 0.02
    #: Whether documents lacking only common words are near matches instead, listed below
    #: every document holding them (main before 2026-12-07, evening).
    common_near: bool = False
    #: Of the best ``rescore_window`` documents, those with the query words side by side rise
    #: by up to this share (``rescoring``); 0 turns proximity off.
    proximity: float = 0.3
    rescore_window: int = 100
    #: Briefs, flashes and headline-less items weigh this share of their score.
    short_item_factor: float = 0.7
    #: Pseudo-relevance feedback (RM3): the best ``feedback_docs`` documents lend their
    #: ``feedback_terms`` most telling words, weighing ``feedback_weight`` beside the query;
    #: 0 documents turns it off.
    feedback_docs: int = 10
    feedback_terms: int = 10
    feedback_weight: float = 0.1
    #: Subject (``indexing.latent``): the best ``latent_window`` matches are ranked again by
    #: ``latent_weight`` of their closeness to the query and to the best
    #: ``latent_feedback_docs`` in the archive's latent space, the rest of their score
    #: relative to the best; 0 turns it off.
    latent_weight: float = 0.8
    latent_window: int = 1000
    latent_feedback_docs: int = 10

    def scoring_of(self, name: str) -> FieldScoring:
        return dict(self.fields)[name]


DEFAULT_RANKING = Ranking()


@dataclass(frozen=True)
class _Term:
    """A term of a field as Whoosh looks it up (``text``) and as the posting arrays do
    (UTF-8 ``encoded`` and its hashed ``key``), encoded and hashed once."""

    field: str
    text: str
    encoded: bytes
    key: int

    @classmethod
    def of(cls, field: str, text: str) -> _Term:
        encoded = text.encode("utf-8")
        return cls(field, text, encoded, term_key(field, encoded))


class TermStore:
    """Per-snapshot postings arrays and field lengths, read lazily and cached."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self.reader = snap.searcher.reader()
        self._terms: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached_bytes = 0
        self._lengths: dict[str, tuple[np.ndarray, float]] = {}
        self._positions: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._positions_size = 0
        self._index_boosts: dict[str, float] = {}
        self._frequencies: dict[tuple[str, str], int] = {}

    def postings(
        self, field: str, text: str, within: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(docnums, weights)`` of a term; with ``within`` (sorted docnums), at least those.

        A term much more frequent than ``within`` is read only in the blocks that can hold
        one of its documents (and not cached); anything else is read whole and cached.
        """
        key = (field, text)
        if key in self._terms:
            self._terms.move_to_end(key)
            return self._terms[key]
        if within is not None and within.size * PARTIAL_READ_RATIO < self.frequency(field, text):
            return self._read(field, text, within)
        found = self._read(field, text, None)
        self._terms[key] = found
        self._cached_bytes += found[0].nbytes + found[1].nbytes
        while len(self._terms) > 1 and (
            len(self._terms) > TERM_CACHE_SIZE or self._cached_bytes > TERM_CACHE_BYTES
        ):
            _, (docs, weights) = self._terms.popitem(last=False)
            self._cached_bytes -= docs.nbytes + weights.nbytes
        return found

    def frequency(self, field: str, text: str) -> int:
        """How many documents hold the term (looked up once per segment, then kept: a query
        asks for each of its words several times, feedback for dozens of candidates)."""
        key = (field, text)
        found = self._frequencies.get(key)
        if found is None:
            if len(self._frequencies) >= FREQUENCY_CACHE_SIZE:
                self._frequencies.clear()
            term = _Term.of(field, text)
            found = self._frequencies[key] = sum(
                _segment_count(leaf, arrays, term) for (leaf, _), arrays in self.snap.posting_units
            )
        return found

    def _leaves(self) -> Iterable[tuple[tuple[object, int], PostingArrays | None]]:
        """Each segment's ``(reader, docnum offset)`` and posting arrays (none in an empty
        index, where Whoosh's reader still lists one leaf without a segment)."""
        return zip(self.snap.leaves, self.snap.leaf_postings, strict=True)

    def _read(
        self, field: str, text: str, within: np.ndarray | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The term's postings in every segment (or merged piece of segments); with
        ``within``, only in those holding one of those docnums, and only those (the cost
        is per segment or piece)."""
        docs: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        term = _Term.of(field, text)
        for (leaf, offset), arrays in self.snap.posting_units:
            local = None
            if within is not None:
                local = _within_leaf(within, offset, leaf.doc_count_all())
                if not local.size:
                    continue
            # The term's postings as arrays (one read), else decoded block by block.
            found = arrays.get(field, term.encoded, local, term.key) if arrays is not None else None
            if found is None:
                try:
                    matcher = leaf.postings(field, text)
                except TermNotFound:
                    continue
                found = read_postings(matcher, local)
            docs.append(found[0] + offset)
            weights.append(found[1])
        if not docs:
            return np.empty(0, np.int64), np.empty(0, np.float64)
        return np.concatenate(docs), np.concatenate(weights)

    def positions(
        self,
        field: str,
        text: str,
        docs: np.ndarray,
        on_time: Callable[[], None] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(docnums, positions)``: every occurrence of ``text`` in ``field`` among ``docs``
        (sorted docnums), one row per occurrence, sorted. ``on_time()`` is called before
        each segment and each block is read (a query's deadline).

        Where every segment (or merged piece of segments) holding the term has its
        positions in position files (any word of an index written since they exist for
        every term), those are read, only for ``docs``.
        Otherwise a term whose documents ``docs`` cover a good part of is decoded whole and
        kept (``POSITIONS_CACHE_SIZE`` occurrences in all, least recently used out first);
        else only the blocks that can hold one of ``docs`` are read.
        """
        term = _Term.of(field, text)
        # Merged pieces where they hold the term's positions, else the segments themselves.
        for units in (self.snap.posting_units, list(self._leaves())):
            holding = self._holding_leaves(term, units)
            if all(
                arrays is not None and arrays.has_positions(field, term.encoded, term.key)
                for _, arrays in holding
            ):
                return self._read_positions(term, holding, docs, on_time)  # file slices
            if len(units) == len(self.snap.leaves):
                break  # no piece: those were the segments
        key = (field, text)
        cached = self._positions.get(key)
        if cached is None and docs.size * PARTIAL_READ_RATIO >= self.frequency(field, text):
            cached = self._read_positions(term, holding, None, on_time)
            if cached[0].size <= POSITIONS_CACHE_SIZE:
                self._positions[key] = cached
                self._positions_size += cached[0].size
                while self._positions_size > POSITIONS_CACHE_SIZE:
                    _, (dropped, _) = self._positions.popitem(last=False)
                    self._positions_size -= dropped.size
        if cached is None:
            return self._read_positions(term, holding, docs, on_time)
        if key in self._positions:
            self._positions.move_to_end(key)
        cached_docs, where = cached
        keep = members(cached_docs, docs)
        return cached_docs[keep], where[keep]

    @staticmethod
    def _holding_leaves(
        term: _Term, units: Iterable[tuple[tuple[object, int], PostingArrays | None]]
    ) -> list[tuple[tuple[object, int], PostingArrays | None]]:
        """The segments (or merged pieces) of ``units`` holding the term, as ``(reader,
        docnum offset)`` and posting arrays: one walk for both the choice of source and
        the reads."""
        return [(leaf, arrays) for leaf, arrays in units if _segment_count(leaf[0], arrays, term)]

    def _read_positions(
        self,
        term: _Term,
        holding: list[tuple[tuple[object, int], PostingArrays | None]],
        docs: np.ndarray | None,
        on_time: Callable[[], None] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions of the term in the documents ``docs`` (all documents if None), segment
        by segment of ``holding``: from its position files where it has them, else from
        its blocks."""
        found_docs: list[np.ndarray] = []
        found_positions: list[np.ndarray] = []
        field, text = term.field, term.text
        for (leaf, offset), arrays in holding:
            if on_time is not None:
                on_time()
            local = None if docs is None else _within_leaf(docs, offset, leaf.doc_count_all())
            if local is not None and not local.size:
                continue
            found = arrays.positions(field, term.encoded, local, term.key) if arrays else None
            if found is None:
                found = self._block_positions(leaf, field, text, local, on_time)
            found_docs.append(found[0] + offset)
            found_positions.append(found[1])
        if not found_docs:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(found_docs), np.concatenate(found_positions)

    def _block_positions(
        self,
        leaf,
        field: str,
        text: str,
        docs: np.ndarray | None,
        on_time: Callable[[], None] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions of ``text`` in one segment's documents ``docs`` (its own docnums; all
        if None) from Whoosh's posting blocks: only the blocks that can hold one of them
        are read, their rows decoded in one go."""
        matcher = leaf.postings(field, text)
        if not is_blockwise(matcher):
            lists = []
            for docnum in matcher.all_ids():
                if docs is None or _contains(docs, docnum):
                    matcher.skip_to(docnum)
                    lists.append((docnum, list(matcher.value_as("positions"))))
            return _flattened(lists)
        # A list: bisect on it per block header is several times quicker than searchsorted.
        wanted = None if docs is None else docs.tolist()
        block_ids: list[np.ndarray] = []
        encoded: list[bytes] = []
        first = 0
        while matcher.is_active():
            if wanted is not None and first > wanted[-1]:
                break  # past the last document asked for: the rest stays unread
            last = block_last_id(matcher)
            if wanted is None or bisect_right(wanted, last) > bisect_left(wanted, first):
                if on_time is not None:
                    on_time()
                ids, _ = block_arrays(matcher)
                block_ids.append(ids)
                encoded.extend(block_values(matcher))
            first = last + 1
            next_block(matcher)
        if not block_ids:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        ids = np.concatenate(block_ids)
        rows = np.arange(ids.size) if docs is None else np.flatnonzero(members(ids, docs))
        values = [encoded[row] for row in rows.tolist()]
        try:
            counts, flat = decode_positions(values)
        except ValueError:  # another posting format: Whoosh's own decoder, one by one
            decode = self.reader.schema[field].format.decoder("positions")
            return _flattened(
                [(d, decode(v)) for d, v in zip(ids[rows].tolist(), values, strict=True)]
            )
        return np.repeat(ids[rows], counts), flat

    def lengths(self, field: str) -> tuple[np.ndarray, float]:
        """Each document's length in ``field`` (as Whoosh stores it) and the average."""
        if field not in self._lengths:
            out = np.zeros(self.snap.ndocs, dtype=np.float64)
            for leaf, offset in self.reader.leaf_readers():
                lengths = leaf_lengths(leaf, field)
                out[offset : offset + lengths.size] = lengths
            average = self.snap.searcher.avg_field_length(field) or 1.0
            self._lengths[field] = (out, average)
        return self._lengths[field]

    def frequencies(
        self, field: str, text: str, within: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(docnums, occurrences)`` of a term: its postings' weights without the boost the
        schema puts in them at index time (the ranking weighs fields at query time)."""
        docs, weights = self.postings(field, text, within)
        return docs, weights / self.index_boost(field)

    def index_boost(self, field: str) -> float:
        """The boost the schema multiplies into a field's posting weights at index time."""
        if field not in self._index_boosts:
            self._index_boosts[field] = self.reader.schema[field].format.field_boost or 1.0
        return self._index_boosts[field]

    def idf(self, field: str, text: str) -> float:
        """Whoosh's idf: from the index's document frequency (whatever part was read)."""
        return log(self.snap.ndocs / (self.frequency(field, text) + 1)) + 1

    def normalised(
        self, field: str, docs: np.ndarray, counts: np.ndarray, scoring: FieldScoring
    ) -> np.ndarray:
        """``counts`` weighed and divided by the field's length relative to its average."""
        lengths, average = self.lengths(field)
        return scoring.weight * counts / ((1 - scoring.b) + scoring.b * lengths[docs] / average)

    def bm25(
        self,
        field: str,
        text: str,
        boost: float,
        ranking: Ranking,
        within: np.ndarray | None = None,
    ) -> Scored:
        """One term in one field: BM25 of its weighed frequency (``ranking``'s ``k1``, the
        field's weight and ``b``)."""
        docs, counts = self.frequencies(field, text, within)
        mask = np.zeros(self.snap.ndocs, dtype=bool)
        mask[docs] = True
        scores = np.zeros(self.snap.ndocs, dtype=np.float64)
        if docs.size:
            tf = self.normalised(field, docs, counts, ranking.scoring_of(field))
            scores[docs] = boost * self.idf(field, text) * saturate(tf, ranking.k1)
        return mask, scores

    def word_scores(self, text: str, ranking: Ranking, docs: np.ndarray) -> np.ndarray:
        """BM25F of a word over the text fields that rank (weight above 0), for each of
        ``docs`` (sorted docnums): arrays of their size, not the archive's."""
        scores = np.zeros(docs.size, dtype=np.float64)
        for field, scoring in ranking.fields:
            if not scoring.weight:
                continue
            found, weights = self.postings(field, text, docs)
            if not found.size:
                continue
            # ``docs`` looked up among the postings (sorted docnums), not the other way
            # round: a frequent word has many times more postings than ``docs`` holds.
            at = np.minimum(np.searchsorted(found, docs), found.size - 1)
            rows = np.flatnonzero(found[at] == docs)
            if rows.size:
                at = at[rows]
                counts = weights[at] / self.index_boost(field)
                tf = self.normalised(field, found[at], counts, scoring)
                scores[rows] += self.idf(field, text) * saturate(tf, ranking.k1)
        return scores


def _segment_count(leaf, arrays: PostingArrays | None, term: _Term) -> int:
    """How many of a segment's documents hold a term: from its posting arrays when they
    can tell (no term-dictionary lookup), else from Whoosh's term info."""
    found = arrays.count(term.field, term.encoded, term.key) if arrays is not None else None
    return leaf.doc_frequency(term.field, term.text) if found is None else found


def saturate(tf: np.ndarray, k1: float) -> np.ndarray:
    """BM25's saturation of a (weighed, normalised) term frequency: 0 to ``k1 + 1``."""
    return tf * (k1 + 1) / (tf + k1)


def _within_leaf(docs: np.ndarray, offset: int, count: int) -> np.ndarray:
    """The docnums of ``docs`` (sorted) in the segment at ``offset``, as its own docnums."""
    return docs[np.searchsorted(docs, offset) : np.searchsorted(docs, offset + count)] - offset


def _flattened(lists: list[tuple[int, list[int]]]) -> tuple[np.ndarray, np.ndarray]:
    """``(docnums, positions)``, one row per occurrence, from ``(docnum, positions)`` pairs."""
    counts = [len(where) for _, where in lists]
    docs = np.repeat(np.array([d for d, _ in lists], np.int64), counts)
    return docs, np.array([p for _, where in lists for p in where], np.int64)


def _contains(sorted_docs: np.ndarray, docnum: int) -> bool:
    i = int(np.searchsorted(sorted_docs, docnum))
    return i < sorted_docs.size and sorted_docs[i] == docnum


#: Positions within a document are below this (a docnum and a position share one int64 key).
_POSITION_SPAN = 1 << 32


def phrase_starts(found: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Docnums where the words stand side by side, given each word's ``(docnums, positions)``.

    Word ``i`` at position ``p`` puts the phrase's start at ``p - i``: a document holds the
    phrase where every word puts a start at the same place (one key intersection per word).
    """
    starts = None
    for i, (docs, positions) in enumerate(found):
        keys = docs * _POSITION_SPAN + (positions + len(found) - i)  # sorted: docs, then places
        starts = keys if starts is None else starts[members(starts, keys)]
    return np.unique(starts // _POSITION_SPAN) if starts is not None else np.zeros(0, np.int64)


def _in_sequence(positions: list[list[int]], slop: int) -> bool:
    """Whether the words occur in order, each within ``slop`` positions of the last."""
    current = set(positions[0])
    for following in positions[1:]:
        if slop <= 1:  # adjacent words: a set intersection
            current = {c + 1 for c in current}.intersection(following)
        else:
            current = {p for p in following if any(0 < p - c <= slop for c in current)}
        if not current:
            return False
    return True


def words_needed(count: int) -> int:
    """Of ``count`` typed words, how many a match must hold: all of one or two, all but one
    of three to five, 80% of more (Solr's ``mm`` of ``2<-1 5<80%``)."""
    if count <= 2:
        return count
    if count <= 5:
        return count - 1
    return int(count * 0.8)


def common_words(snap: Snapshot, words: list[wq.Query], ranking: Ranking) -> list[wq.Query]:
    """Of ``words`` typed side by side (``plain_word`` parts), the bare ones (not a field's
    term: ``title:prices`` is a restriction the reader typed) in the bodies of at least
    ``Ranking.common_share`` of the live articles, when some other word is rarer: else
    none, as a query of common words alone is all the reader gave to go on. A deleted
    article's words count until its segment is merged away, as in Lucene."""
    if not ranking.common_share:
        return []
    frequency = term_store(snap).frequency
    limit = ranking.common_share * snap.live_count
    common = [
        w for w in words if isinstance(w, wq.Or) and frequency("body", plain_word(w)) >= limit
    ]
    return common if len(common) < len(words) else []


def rank_below(scores: np.ndarray, first: np.ndarray, then: np.ndarray) -> None:
    """Scale the scores of ``then`` (in place) so that all rank below those of ``first``."""
    if not first.any() or not then.any():
        return
    lowest, highest = scores[first].min(), scores[then].max()
    if highest >= lowest > 0:
        scores[then] *= PARTIAL_MATCH_SHARE * lowest / highest


def _add(a: np.ndarray | None, b: np.ndarray | None) -> np.ndarray | None:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def term_store(snap: Snapshot) -> TermStore:
    """The snapshot's postings cache, made on first use."""
    if snap.term_store is None:
        snap.term_store = TermStore(snap)
    return snap.term_store


def warm(snap: Snapshot) -> Snapshot:
    """Read what every ranked query needs (field lengths) before the first one arrives."""
    for field in TEXT_FIELDS:
        term_store(snap).lengths(field)
    return snap


@dataclass(frozen=True)
class Deadline:
    """When a query must be done by; ``check()`` refuses it with ``QueryTooSlow`` after.

    The evaluator looks at the clock before each part of the query and every
    ``CHECK_EVERY`` units of work inside a part, so that no input runs much past it.
    """

    limit_ms: float
    at: float

    @classmethod
    def after(cls, limit_ms: float) -> Deadline | None:
        """A deadline ``limit_ms`` from now; ``None`` (no limit) for 0."""
        return cls(limit_ms, time.perf_counter() + limit_ms / 1000) if limit_ms > 0 else None

    def check(self) -> None:
        if time.perf_counter() > self.at:
            raise QueryTooSlow(
                f"the query was stopped after {self.limit_ms:g} ms (query_time_limit_ms): "
                "narrow it (longer wildcard prefixes, fewer OR terms, no fuzzy ~2)"
            )


def evaluate(
    snap: Snapshot,
    q: wq.Query,
    deadline: Deadline | None = None,
    ranking: Ranking = DEFAULT_RANKING,
    missing: int = 0,
    common: bool = False,
) -> Scored:
    """``(mask, scores)``: live documents of ``snap`` matching ``q``, with BM25F scores;
    ``QueryTooSlow`` if still at it after ``deadline``. ``missing``: how many more typed
    words a match may lack than ``words_needed`` allows (``Ranking.few_matches``);
    ``common``: whether it may lack the common ones too (``Ranking.common_share``)."""
    return Evaluator(snap, term_store(snap), deadline, ranking, missing, common).evaluate(q)


def has_common_words(snap: Snapshot, groups: list[list[wq.Query]], ranking: Ranking) -> bool:
    """Whether some group of typed words holds a common word beside a rarer one, so that
    ``evaluate(..., common=True)`` can find more than the query as typed."""
    return any(common_words(snap, group, ranking) for group in groups)


class Evaluator:
    """Evaluates a Whoosh query tree to ``(mask, scores)`` over a snapshot's docnums."""

    def __init__(
        self,
        snap: Snapshot,
        terms: TermStore,
        deadline: Deadline | None = None,
        ranking: Ranking = DEFAULT_RANKING,
        missing: int = 0,
        common: bool = False,
    ) -> None:
        self.snap = snap
        self.terms = terms
        self.deadline = deadline
        self.ranking = ranking
        self.missing = missing
        self.common = common and ranking.soft_words and ranking.common_share > 0

    def _on_time(self, done: int = 0) -> None:
        """Look at the clock every ``CHECK_EVERY``-th unit of work (each call when 0)."""
        if self.deadline is not None and done % CHECK_EVERY == 0:
            self.deadline.check()

    def empty(self) -> np.ndarray:
        return np.zeros(self.snap.ndocs, dtype=bool)

    def evaluate(self, q: wq.Query) -> Scored:
        mask, scores = self._eval(q)
        return mask & self.snap.live, scores

    def _eval(self, q: wq.Query, within: np.ndarray | None = None) -> Scored:
        """``(mask, scores)`` of ``q``, exact on ``within`` (sorted docnums) when given: the
        caller intersects with it anyway."""
        self._on_time()
        if isinstance(q, type(wq.NullQuery)):
            return self.empty(), None
        if isinstance(q, wq.Every):
            return self.snap.live.copy(), None
        if isinstance(q, TypedWords):
            return self._typed_words(q.subqueries, within)
        if isinstance(q, wq.And):
            return self._and(q.subqueries, within)
        if isinstance(q, wq.Or):
            return self._or(self._eval(c, within) for c in q.subqueries)
        if isinstance(q, wq.Not):
            mask, _ = self._as_typed()._eval(q.query, within)
            return self.snap.live & ~mask, None
        if isinstance(q, (wq.AndNot, wq.AndMaybe, wq.Require)):
            return self._binary(q, within)
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost, within)
        if isinstance(q, wq.NumericRange) and q.fieldname == DATE_FIELD:
            return self._date_range(q), None
        if isinstance(q, wq.Phrase):
            return self._phrase(q, within)
        if isinstance(q, wq.MultiTerm):
            return self._multi(q)
        return self._fallback(q), None

    def _binary(self, q, within: np.ndarray | None) -> Scored:
        """``a ANDNOT b``, ``a ANDMAYBE b``, ``a REQUIRE b``: b only matters where a matches."""
        a, a_scores = self._eval(q.a, within)
        evaluator = self._as_typed() if isinstance(q, wq.AndNot) else self
        b, b_scores = evaluator._eval(q.b, np.flatnonzero(a))
        if isinstance(q, wq.AndNot):
            return a & ~b, a_scores
        if isinstance(q, wq.AndMaybe):
            return a, _add(a_scores, b_scores)
        return a & b, a_scores

    def estimate(self, q: wq.Query) -> float:
        """Roughly how many documents ``q`` matches (to evaluate an ``And``'s rarest first)."""
        if isinstance(q, wq.Term):
            text = q.text.decode("utf-8") if isinstance(q.text, bytes) else str(q.text)
            return self.terms.frequency(q.fieldname, text)
        if isinstance(q, wq.Or):
            return sum(self.estimate(c) for c in q.subqueries)
        if isinstance(q, (wq.And, wq.Phrase)):
            parts = (
                q.subqueries
                if isinstance(q, wq.And)
                else [wq.Term(q.fieldname, w) for w in q.words]
            )
            return min((self.estimate(c) for c in parts), default=0)
        return float(self.snap.ndocs)

    def _and(self, subqueries, within: np.ndarray | None) -> Scored:
        """Rarest part first; each next part is read only where the ones before matched."""
        if not subqueries:
            return self.empty(), None
        mask, scores = None, None
        for part in sorted(subqueries, key=self.estimate):
            m, s = self._eval(part, within)
            mask = m if mask is None else mask & m
            scores = _add(scores, s)
            within = np.flatnonzero(mask)
        return mask, scores

    def _typed_words(self, parts, within: np.ndarray | None) -> Scored:
        """Typed words: every other part required, at least ``words_needed`` of the words;
        documents holding every word rank above those missing some (Solr's ``mm``). With
        ``common``, documents holding every rarer word rank above those missing some: the
        common words only add to the score (``Ranking.common_near`` puts them below)."""
        words = [p for p in parts if plain_word(p) is not None]
        needed = len(words)
        if self.ranking.soft_words:
            needed = max(1, self._needed(len(words)))
        common = self._common(words)
        if needed >= len(words) and not common:
            return self._and(parts, within)
        others = [p for p in parts if plain_word(p) is None]
        mask, scores = self._and(others, within) if others else (None, None)
        inner = within if mask is None else np.flatnonzero(mask)
        held = np.zeros(self.snap.ndocs, dtype=np.int16)
        enough = np.zeros(self.snap.ndocs, dtype=bool)
        rest = words
        counted, full = held, len(words)  # documents holding fewer rank below
        if common:  # the rarer words decide, the common ones only rank
            rare = [w for w in words if w not in common]
            for word in rare:
                m, s = self._eval(word, inner)
                held += m
                scores = _add(scores, s)
            enough = held >= max(1, self._needed(len(rare)))
            if not self.ranking.common_near:
                counted, full = held.copy(), len(rare)
            if needed >= len(words):  # nothing else can match: read the rest only there
                inner = np.flatnonzero(enough) if inner is None else inner[enough[inner]]
            rest = common
        for word in rest:
            m, s = self._eval(word, inner)
            held += m
            scores = _add(scores, s)
        enough |= held >= needed
        mask = enough if mask is None else mask & enough
        if scores is not None:
            rank_below(scores, mask & (counted == full), mask & (counted < full))
        return mask, scores

    def _as_typed(self) -> Evaluator:
        """This evaluator without near matches, for what a ``NOT`` excludes: near matches
        widen what a query lists, so the words it excludes must be taken as typed."""
        if not (self.missing or self.common):
            return self
        return Evaluator(self.snap, self.terms, self.deadline, self.ranking)

    def _needed(self, count: int) -> int:
        """Of ``count`` typed words, how many a match needs here (``missing`` fewer)."""
        return words_needed(count) - self.missing

    def _common(self, words: list[wq.Query]) -> list[wq.Query]:
        """The typed words that do not narrow the list, when asked for (``common``)."""
        return common_words(self.snap, words, self.ranking) if self.common else []

    def _or(self, parts: Iterable[Scored]) -> Scored:
        """Folded one part at a time: a thousand OR terms hold two arrays, not two thousand."""
        mask = self.empty()
        scores = None
        for m, s in parts:
            mask |= m
            scores = _add(scores, s)
        return mask, scores

    def _term(self, field: str, text, boost: float, within: np.ndarray | None = None) -> Scored:
        text = text.decode("utf-8") if isinstance(text, bytes) else str(text)
        if field in TEXT_FIELDS:
            return self.terms.bm25(field, text, boost, self.ranking, within)
        docs, _ = self.terms.postings(field, text, within)
        mask = self.empty()
        mask[docs] = True
        return mask, None

    def _date_range(self, q: wq.NumericRange) -> np.ndarray:
        published = self.snap.published
        mask = published != NO_DATE
        if q.start is not None:
            mask &= published > q.start if q.startexcl else published >= q.start
        if q.end is not None:
            mask &= published < q.end if q.endexcl else published <= q.end
        return mask

    def _phrase(self, q: wq.Phrase, within: np.ndarray | None) -> Scored:
        words = [wq.Term(q.fieldname, w, boost=q.boost) for w in q.words]
        mask, scores = self._and(words, within)
        if len(words) > 1 and mask.any():
            mask &= self._phrase_mask(q, np.flatnonzero(mask))
        return mask, scores

    def _phrase_mask(self, q: wq.Phrase, candidates: np.ndarray) -> np.ndarray:
        """The candidates (holding every word) where the words stand in order."""
        texts = [w.decode("utf-8") if isinstance(w, bytes) else w for w in q.words]
        found = [self.terms.positions(q.fieldname, t, candidates, self._on_time) for t in texts]
        mask = self.empty()
        if q.slop <= 1:
            mask[phrase_starts(found)] = True
            return mask
        for done, docnum in enumerate(candidates.tolist()):  # within ``slop``: per document
            self._on_time(done)
            lists = [
                positions[np.searchsorted(docs, docnum) : np.searchsorted(docs, docnum, "right")]
                for docs, positions in found
            ]
            if all(p.size for p in lists) and _in_sequence([p.tolist() for p in lists], q.slop):
                mask[docnum] = True
        return mask

    def _multi(self, q: wq.MultiTerm) -> Scored:
        """A wildcard or fuzzy term: the OR of its index terms, scored; past
        ``MAX_EXPANSION`` terms every one's documents, unscored (a union of postings arrays:
        Whoosh's own matcher over a thousand terms took seconds)."""
        expanded = []
        for done, text in enumerate(expanded_terms(q, self.terms.reader)):
            self._on_time(done)
            expanded.append(text.decode("utf-8") if isinstance(text, bytes) else text)
        if len(expanded) <= MAX_EXPANSION:
            return self._or(self._term(q.fieldname, t, q.boost) for t in expanded)
        mask = self.empty()
        for done, text in enumerate(expanded):
            self._on_time(done)
            docs, _ = self.terms.postings(q.fieldname, text)
            mask[docs] = True
        return mask, None

    def _fallback(self, q: wq.Query) -> np.ndarray:
        """Any other query, by Whoosh's own matcher (correct, slower), within the deadline."""
        mask = self.empty()
        for done, docnum in enumerate(self.snap.searcher.docs_for_query(q)):
            self._on_time(done)
            mask[docnum] = True
        return mask
