"""A Whoosh segment writer for building a fresh index fast.

Whoosh's ``SegmentWriter`` sends every posting through a general pool: a tuple per posting,
a size estimate, an external sort at commit, then a loop that re-reads each document's
field length from a column. When an index is built from scratch, documents arrive in
docnum order, so each term's postings are already sorted: ``BulkWriter`` keeps them grouped
by term in memory, remembers the field lengths it computed, and hands each term's list to
the codec in one pass. The files it writes are ordinary Whoosh segments (same codec, same
format), read by any Whoosh searcher; ``tests/test_bulkwriter.py`` checks that searches
over a ``BulkWriter`` index and a ``SegmentWriter`` index agree.

Used by ``search.indexing.indexer`` for rebuilds; incremental ``add``/``delete`` use Whoosh's own
writer. A writer holds its postings in memory until ``commit()``: the indexer commits a
segment every ``SEGMENT_DOCS`` documents to bound memory.
"""

from __future__ import annotations

from array import array
from typing import Any

from whoosh.codec.whoosh3 import W3Codec
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter


class BulkWriter(SegmentWriter):
    """``SegmentWriter`` whose postings skip the sorting pool (fresh segments only)."""

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
                _write_postings(fieldwriter._postwriter, terms[tbytes])
                fieldwriter.finish_term()
            fieldwriter.finish_field()
        fieldwriter.close()
        self._terms.clear()


def _write_postings(postwriter: Any, postings: list[tuple[int, float, bytes, int]]) -> None:
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
