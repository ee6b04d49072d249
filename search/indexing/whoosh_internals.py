"""Every use of whoosh3's private attributes, in one module, checked by one contract test.

newsindex goes under Whoosh's public API in a few measured places: writing a fresh segment
without the posting pool (``BulkWriter``), finishing child segments of a parallel rebuild,
decoding a term's postings a block at a time into numpy arrays, reading a segment's field
lengths and columns in one go, and expanding a wildcard's terms. whoosh3 is released often;
``tests/test_whoosh_contract.py`` asserts that each attribute named in ``CONTRACT`` still
exists and that each fast path gives what the public API gives, so an upgrade that changes
them fails loudly there instead of quietly mis-ranking searches.
"""

from __future__ import annotations

import pickle
from array import array
from itertools import chain
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, _lenfield
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

#: The private names used here, by the class that must have them (the contract test's list).
CONTRACT: dict[type, tuple[str, ...]] = {
    SegmentWriter: (
        "_check_state",
        "_doc_boost",
        "_check_fields",
        "_field_boost",
        "_flush_segment",
        "_finalize_segment",
        "_close_segment",
        "_commit_toc",
        "_finish",
        "perdocwriter",
        "fieldwriter",
        "docnum",
    ),
    whoosh3.W3PostingsWriter: (
        "_blocklimit",
        "_write_block",
        "_new_block",
        "_ids",
        "_weights",
        "_values",
        "_maxweight",
        "_minlength",
        "_maxlength",
    ),
    whoosh3.W3LeafMatcher: (
        "_data",
        "_read_data",
        "_blocklength",
        "_byteids",
        "_next_block",
        "_i",
        "_maxid",
    ),
    whoosh3.W3PerDocReader: ("_cached_reader",),
    wq.MultiTerm: ("_btexts",),
}


# -- writing ----------------------------------------------------------------------------------


class BulkWriter(SegmentWriter):
    """``SegmentWriter`` whose postings skip the sorting pool (fresh segments only).

    Whoosh's writer sends every posting through a general pool: a tuple per posting, a size
    estimate, an external sort at commit, then a loop that re-reads each document's field
    length from a column. In a fresh segment documents arrive in docnum order, so each
    term's postings are already sorted: this writer keeps them grouped by term, remembers
    the field lengths it computed, and hands each term's list to the codec in one pass. The
    files are ordinary Whoosh segments; ``tests/test_analysis.py`` checks that searches over
    a ``BulkWriter`` index and a ``SegmentWriter`` index agree. Rebuilds use it; ``add`` and
    ``delete`` use Whoosh's own writer.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        # Posting blocks stay uncompressed: zlib was 6% of a rebuild, and searches then
        # skip the inflate step; the Whoosh files grow by about 70% (Reuters: 46 -> 78 MB).
        kwargs.setdefault("codec", W3Codec(compression=0))
        super().__init__(ix, **kwargs)
        #: fieldname -> term bytes -> list of (docnum, weight, value bytes, length)
        self._terms: dict[str, dict[bytes, list[tuple[int, float, bytes, int]]]] = {}

    def add_document(self, **fields: Any) -> None:
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        docboost = self._doc_boost(fields)
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        for fieldname in fieldnames:
            value = fields.get(fieldname)
            if value is None:
                continue
            field = schema[fieldname]
            length = 0
            if field.indexed:
                fieldboost = self._field_boost(fields, fieldname, docboost)
                items = list(field.index(value))
                if field.scorable:
                    length = sum(freq for _, freq, _, _ in items)
                # What the codec will read back for this document's length.
                stored_length = byte_to_length(length_to_byte(length)) if length else 0
                terms = self._terms.get(fieldname)
                if terms is None:
                    terms = self._terms[fieldname] = {}
                for tbytes, _freq, weight, vbytes in items:
                    posting = (docnum, weight * fieldboost, vbytes, stored_length)
                    postings = terms.get(tbytes)
                    if postings is None:
                        terms[tbytes] = [posting]
                    else:
                        postings.append(posting)
            customval = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
            column = field.column_type
            if column and customval is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        schema = self.schema
        for fieldname in sorted(self._terms):
            terms = self._terms[fieldname]
            fieldwriter.start_field(fieldname, schema[fieldname])
            for tbytes in sorted(terms):
                fieldwriter.start_term(tbytes)
                write_postings(fieldwriter._postwriter, terms[tbytes])
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()
        self._terms.clear()


def write_postings(postwriter: Any, postings: list[tuple[int, float, bytes, int]]) -> None:
    """Fill the codec's posting blocks a block at a time instead of a posting at a time.

    Sets exactly what ``W3PostingsWriter.add_posting`` would have accumulated for each block
    (ids, weights, non-empty values, min/max length, max weight), then lets the codec write
    the block; the last block is left for ``finish_term`` (which may inline it).
    """
    limit = postwriter._blocklimit
    for start in range(0, len(postings), limit):
        if start:
            postwriter._write_block()
        ids, weights, values, lengths = zip(*postings[start : start + limit], strict=True)
        postwriter._new_block()
        postwriter._ids = array("I", ids)
        postwriter._weights = array("f", weights)
        postwriter._values = [v for v in values if v]
        postwriter._maxweight = max(max(weights), 0)
        known = [n for n in lengths if n]
        if known:
            postwriter._minlength = min(known)
            postwriter._maxlength = max(known)


def finish_segment(writer: SegmentWriter) -> Any:
    """Write a child writer's segment files and return its segment, without a TOC commit."""
    return writer._finalize_segment()


def discard_segment(writer: SegmentWriter) -> None:
    """Close a writer that received no document (nothing to publish)."""
    writer._close_segment()


def commit_segments(writer: SegmentWriter, segments: list[Any]) -> None:
    """Publish ``segments`` (written by child processes) in ``writer``'s index, in one TOC."""
    writer._close_segment()
    writer._commit_toc(segments)
    writer._finish()


# -- reading ----------------------------------------------------------------------------------


def block_arrays(matcher) -> tuple[np.ndarray, np.ndarray]:
    """The current block of a Whoosh 3 leaf matcher as arrays, decoded with numpy.

    Whoosh decodes delta-coded ids with a Python generator; ``np.cumsum`` does the same.
    """
    if matcher._data is None:
        matcher._read_data()
    ids, weights = matcher._data[0], matcher._data[1]
    count = matcher._blocklength
    ids = np.asarray(ids, dtype=np.int64)
    if not matcher._byteids:
        ids = np.cumsum(ids)
    if weights is None or isinstance(weights, float):
        weights = np.full(count, 1.0 if weights is None else weights)
    else:
        weights = np.asarray(weights, dtype=np.float64)
    return ids[matcher._i :], weights[matcher._i :]


def is_blockwise(matcher) -> bool:
    names = ("_data", "_read_data", "_blocklength", "_byteids", "_next_block", "_i", "_maxid")
    return all(hasattr(matcher, name) for name in names)


def read_postings(matcher, within: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """All ``(docnum, weight)`` of a leaf matcher, a block at a time when the codec allows.

    With ``within`` (sorted docnums), blocks whose id range holds none of them are skipped
    unread (a block's last id is in its header) and only those docnums are kept.
    """
    if not is_blockwise(matcher):
        ids, weights = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        ids, weights = np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float64)
        if within is not None:
            keep = np.isin(ids, within)
            ids, weights = ids[keep], weights[keep]
        return ids, weights
    id_blocks, weight_blocks = [], []
    previous_max = -1
    while matcher.is_active():
        last = matcher._maxid
        if within is None or _any_between(within, previous_max, last):
            ids, weights = block_arrays(matcher)
            if within is not None:
                keep = np.isin(ids, within, assume_unique=True)
                ids, weights = ids[keep], weights[keep]
            id_blocks.append(ids)
            weight_blocks.append(weights)
        previous_max = last
        matcher._next_block()
    if not id_blocks:
        return np.empty(0, np.int64), np.empty(0, np.float64)
    return np.concatenate(id_blocks), np.concatenate(weight_blocks)


def _any_between(sorted_docs: np.ndarray, low: int, high: int) -> bool:
    """Whether some docnum is in ``(low, high]``."""
    return bool(
        np.searchsorted(sorted_docs, high, "right") > np.searchsorted(sorted_docs, low, "right")
    )


def block_values(matcher) -> list:
    """The encoded posting values (positions) of the current block, from the cursor on."""
    if matcher._data is None:
        matcher._read_data()
    return matcher._data[2][matcher._i :]


#: Whoosh's ``Positions`` value: a 4-byte count, then the deltas as a protocol-2 pickle.
_COUNT_BYTES = 4
_PICKLE_HEAD = b"\x80\x02"
_PICKLE_STOP = b"."


def decode_positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Many encoded ``Positions`` values at once: (positions per value, positions flat).

    Whoosh unpickles each value alone (a ``loads`` and a Python loop per posting, which made
    a phrase over frequent words cost 100-300 ms). Each value's pickle body is one list
    expression, so the bodies joined between a MARK and a LIST opcode are one pickle of a
    list of delta lists: one ``loads`` for all of them, then the deltas summed per value.
    """
    if not values:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    head, stop, start = _PICKLE_HEAD, _PICKLE_STOP, _COUNT_BYTES + len(_PICKLE_HEAD)
    for v in (values[0], values[-1]):  # the format is the contract test's to hold
        if v[_COUNT_BYTES:start] != head or v[-1:] != stop:
            raise ValueError("not Whoosh 3 positions values")
    lists = pickle.loads(head + b"(" + b"".join([v[start:-1] for v in values]) + b"l.")
    if len(lists) != len(values):
        raise ValueError("not Whoosh 3 positions values")
    counts = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
    deltas = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(counts.sum()))
    summed = np.cumsum(deltas)
    before = np.concatenate(([0], summed))[np.cumsum(counts) - counts]
    return counts, summed - np.repeat(before, counts)


def block_last_id(matcher) -> int:
    """The last docnum of the current block (in its header: no decoding)."""
    return matcher._maxid


def next_block(matcher) -> None:
    matcher._next_block()


def leaf_lengths(leaf, field: str) -> np.ndarray:
    """One segment's field lengths: its length column in one read when the codec allows."""
    count = leaf.doc_count_all()
    try:
        column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        table = np.array([byte_to_length(b) for b in range(256)], dtype=np.float64)
        if column is None:
            return np.zeros(count)
        return table[np.fromiter(column, dtype=np.uint8, count=count)]
    except (AttributeError, ImportError, TypeError, ValueError):
        return np.array(
            [leaf.doc_field_length(d, field) or 0 for d in range(count)], dtype=np.float64
        )


def column_values(reader, column: str, translate: bool = True) -> list:
    """Every document's value of ``column``, in docnum order, one segment at a time.

    Whoosh's multi-segment column reader leaves out segments that lack the column (an
    ``add`` of undated articles writes no ``published`` column), which would shift every
    later document's value onto the wrong docnum; a segment reader fills its own default.
    """
    values: list = []
    for leaf, offset in reader.leaf_readers():
        assert offset == len(values)
        if leaf.doc_count_all():  # an empty index's reader has no columns at all
            values.extend(leaf.column_reader(column, translate=translate))
    return values


def expanded_terms(q: wq.MultiTerm, reader) -> Any:
    """The index terms (bytes) a wildcard, prefix or fuzzy term expands to, lazily."""
    return q._btexts(reader)


def remove_uncommitted_files(ix) -> None:
    """Delete segment files the index's latest TOC does not name: what a commit that
    failed (disk full) or was interrupted left behind. Whoosh itself does this only after
    its next successful commit, which a full disk may never allow. Call under the write lock.
    """
    from whoosh.index import TOC, clean_files

    toc = TOC.read(ix.storage, ix.indexname)
    clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)
