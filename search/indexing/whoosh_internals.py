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

import mmap
import os
import pickle
from array import array
from itertools import chain
from typing import Any

import numpy as np
from whoosh import columns
from whoosh import query as wq
from whoosh.codec import whoosh3
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, _lenfield
from whoosh.filedb.structfile import StructFile
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from search.indexing.heap import trim_heap
from search.indexing.latent import LATENT_COLUMN, LATENT_FIELDS, LatentSpace
from search.indexing.postings import PostingArraysWriter, PostingBuffer

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
        "_merge_segments",
        "_added",
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
    whoosh3.W3PerDocWriter: ("_has_column", "_create_column", "_get_column"),
    columns.VarBytesColumn.Reader: ("_dbfile", "_basepos", "_offsets", "_lengths"),
    columns.NumericColumn.Reader: (
        "_dbfile",
        "_basepos",
        "_count",
        "_fixedlen",
        "_typecode",
        "_default",
    ),
    columns.FixedBytesColumn.Reader: ("_dbfile", "_basepos", "_count", "_fixedlen"),
    StructFile: ("file", "is_real"),
    wq.MultiTerm: ("_btexts",),
    SegmentReader: ("_terms",),
    whoosh3.W3TermsReader: ("_postfile",),
}


# -- writing ----------------------------------------------------------------------------------

#: Postings written out between two trims of the heap while a segment is written: each
#: chunk of them becomes Python lists and bytes for the codec, freed but kept by the heap.
TRIM_EVERY_POSTINGS = 1 << 20


class BulkWriter(SegmentWriter):
    """``SegmentWriter`` whose postings skip the sorting pool (fresh segments only).

    Whoosh's writer sends every posting through a general pool: a tuple per posting, a size
    estimate, an external sort at commit, then a loop that re-reads each document's field
    length from a column. In a fresh segment documents arrive in docnum order, so each
    term's postings are already sorted: this writer keeps them grouped by term in compact
    arrays (``search.indexing.postings``), remembers the field lengths it computed, and
    hands each term's postings to the codec a block at a time. ``buffered_bytes`` tells a
    caller when to finish the segment and start another. The files are ordinary Whoosh
    segments; ``tests/test_analysis.py`` checks that searches over a ``BulkWriter`` index
    and a ``SegmentWriter`` index agree. Rebuilds use it; ``add`` and ``delete`` use
    Whoosh's own writer.
    """

    def __init__(self, ix: Any, space: LatentSpace | None = None, **kwargs: Any) -> None:
        # Posting blocks stay uncompressed: zlib was 6% of a rebuild, and searches then
        # skip the inflate step; the Whoosh files grow by about 70% (Reuters: 46 -> 78 MB).
        kwargs.setdefault("codec", W3Codec(compression=0))
        # Separate files, not one compound file: Whoosh reads a compound segment through a
        # BytesIO copy of the whole file, so each searcher would hold the index in memory.
        kwargs.setdefault("compound", False)
        super().__init__(ix, **kwargs)
        self._postings = PostingBuffer()
        #: Each document's ``latent`` vector is folded from the terms analysed here.
        self._space = space if LATENT_COLUMN in self.schema else None

    def buffered_bytes(self) -> int:
        """Roughly the memory of the postings held for this segment."""
        return self._postings.nbytes

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
                items = field.index(value)
                if not isinstance(items, list):
                    items = list(items)
                if field.scorable:
                    length = sum(freq for _, freq, _, _ in items)
                if fieldboost != 1.0:
                    items = [(t, f, w * fieldboost, v) for t, f, w, v in items]
                # What the codec will read back for this document's length.
                stored_length = byte_to_length(length_to_byte(length)) if length else 0
                self._postings.add(fieldname, docnum, items, stored_length)
            customval = fields.get(f"_stored_{fieldname}", value)
            perdocwriter.add_field(fieldname, field, customval if field.stored else None, length)
            column = field.column_type
            if column and customval is not None:
                perdocwriter.add_column_value(fieldname, column, field.to_column_value(customval))
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> None:
        if self._space is not None:
            self._write_latent_column()
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        schema = self.schema
        arrays = PostingArraysWriter(
            segment_file(self.storage, self.newsegment, ""),
            self._postings.postings,
            decode=decode_positions,
        )
        positional = {
            name
            for name, field in schema.items()
            if field.format and field.format.supports("positions")
        }
        try:
            current = None
            next_trim = written = 0
            for fieldname, text, docs, weights, values, lengths in self._postings.terms():
                written += len(docs)
                if written >= next_trim:  # the lists of written chunks leave free heap
                    trim_heap()
                    next_trim = written + TRIM_EVERY_POSTINGS
                arrays.add(
                    fieldname, text, docs, weights, values if fieldname in positional else None
                )
                if fieldname != current:
                    if current is not None:
                        fieldwriter.finish_field()
                    fieldwriter.start_field(fieldname, schema[fieldname])
                    current = fieldname
                fieldwriter.start_term(text)
                write_postings(fieldwriter._postwriter, docs, weights, values, lengths)
                fieldwriter.finish_term()
            if current is not None:
                fieldwriter.finish_field()
            fieldwriter.close()
            self._postings.clear()
            arrays.save()
        finally:
            arrays.close()

    def _write_latent_column(self) -> None:
        """Every document's ``latent`` vector, folded from the segment's postings in one
        pass (``LatentSpace.fold_segment``) and written after the last document."""
        fields = [
            self._postings.segment_terms(name, self.schema[name].format.field_boost)
            for name in LATENT_FIELDS
        ]
        vectors = self._space.fold_segment(self.docnum, [f for f in fields if f is not None])
        perdocwriter = self.perdocwriter
        if not perdocwriter._has_column(LATENT_COLUMN):
            perdocwriter._create_column(LATENT_COLUMN, self.schema[LATENT_COLUMN].column_type)
        column = perdocwriter._get_column(LATENT_COLUMN)
        for docnum, vector in enumerate(vectors):
            column.add(docnum, vector.tobytes())


def segment_file(storage: Any, segment: Any, extension: str) -> str:
    """The path of a file beside a segment's own (Whoosh removes it with the segment)."""
    return os.path.join(storage.folder, segment.make_filename(extension))


def write_postings(
    postwriter: Any,
    docs: list[int],
    weights: list[float],
    values: list[bytes],
    lengths: list[int],
) -> None:
    """Fill the codec's posting blocks a block at a time instead of a posting at a time.

    Sets exactly what ``W3PostingsWriter.add_posting`` would have accumulated for each block
    (ids, weights, non-empty values, min/max length, max weight), then lets the codec write
    the block; the last block is left for ``finish_term`` (which may inline it).
    """
    limit = postwriter._blocklimit
    for start in range(0, len(docs), limit):
        if start:
            postwriter._write_block()
        stop = start + limit
        block_weights = weights[start:stop]
        postwriter._new_block()
        postwriter._ids = array("I", docs[start:stop])
        postwriter._weights = array("f", block_weights)
        postwriter._values = [v for v in values[start:stop] if v]
        postwriter._maxweight = max(max(block_weights), 0)
        known = [n for n in lengths[start:stop] if n]
        if known:
            postwriter._minlength = min(known)
            postwriter._maxlength = max(known)


def finish_segment(writer: SegmentWriter) -> Any:
    """Write a child writer's segment files and return its segment, without a TOC commit."""
    return writer._finalize_segment()


def discard_segment(writer: SegmentWriter) -> None:
    """Close a writer that received no document (nothing to publish)."""
    writer._close_segment()


def commit_segments(writer: SegmentWriter, segments: list[Any], mergetype: Any) -> None:
    """Publish ``segments`` (written by other writers, maybe in child processes) beside the
    index's own, in one TOC: ``writer``'s deletions apply, ``mergetype`` (a Whoosh merge
    policy) chooses which existing segments ``writer`` merges into its own."""
    final = writer._merge_segments(mergetype, False, True)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final + list(segments))
    writer._finish()


# -- reading ----------------------------------------------------------------------------------


def map_postings(leaf) -> None:
    """Read a segment's postings file through a memory map instead of its file object.

    A matcher reads each posting block with a seek and a read, two system calls: a fifth
    of a search's time went to them. Mapped, a read copies from the page cache. Segment
    files are written once and never changed in place (a merge writes new ones), so the
    mapping stays valid; an empty or unmappable file keeps its ordinary reads.
    """
    terms = getattr(leaf, "_terms", None)
    postfile = getattr(terms, "_postfile", None)
    if not isinstance(postfile, StructFile) or not postfile.is_real:
        return
    try:
        mapped = mmap.mmap(postfile.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError):  # an empty file, or a file system without mmap
        return
    mapped_file = StructFile(mapped, name=postfile._name)
    mapped_file.is_real = False  # no fileno: array reads go through read(), not fromfile()
    terms._postfile = mapped_file
    postfile.close()  # the map keeps its own handle


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
        if type(column) is columns.NumericColumn.Reader:
            return table[_numeric_values(column, count)]
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


def column_bytes(leaf, column: str) -> tuple[bytes, np.ndarray, np.ndarray] | None:
    """A segment's variable-length column in two reads: ``(data, offsets, lengths)``, the
    value of document d being ``data[offsets[d]:offsets[d] + lengths[d]]``.

    Whoosh reads such a column one value at a time, a seek and a read each (3 million for
    the facets of 300,000 articles). None when the segment holds no such column.
    """
    reader = leaf.column_reader(column, translate=False)
    if not isinstance(reader, columns.VarBytesColumn.Reader):
        return None
    offsets = np.asarray(reader._offsets, dtype=np.int64)
    lengths = np.asarray(reader._lengths, dtype=np.int64)
    size = int(offsets[-1] + lengths[-1]) if len(offsets) else 0
    return reader._dbfile.get(reader._basepos, size), offsets, lengths


def fixed_column_array(leaf, column: str) -> np.ndarray | None:
    """A segment's fixed-length column as bytes, one row per document up to the last with
    a value (Whoosh writes no trailing defaults): a read-only memory map of its file, so a
    search touches only the rows it reads (one read for a column inside a compound file).
    None when the segment holds no such column."""
    reader = leaf.column_reader(column, translate=False)
    if not isinstance(reader, columns.FixedBytesColumn.Reader):
        return None
    shape = (reader._count, reader._fixedlen)
    dbfile = reader._dbfile
    path = getattr(getattr(dbfile, "file", None), "name", None)
    if shape[0] and dbfile.is_real and isinstance(path, str):
        return np.memmap(path, dtype=np.uint8, mode="r", offset=reader._basepos, shape=shape)
    raw = dbfile.get(reader._basepos, shape[0] * shape[1])
    return np.frombuffer(raw, dtype=np.uint8).reshape(shape)


def numeric_column(leaf, column: str) -> np.ndarray | None:
    """A segment's numeric column as an array, in one read (None if it is of another kind).

    Documents past the column's end (Whoosh does not write trailing defaults) hold the
    column's default.
    """
    reader = leaf.column_reader(column, translate=False)
    if type(reader) is not columns.NumericColumn.Reader:
        return None
    return _numeric_values(reader, leaf.doc_count_all())


def _numeric_values(reader: Any, count: int) -> np.ndarray:
    """Every value of a ``NumericColumn`` reader, in one read (its default past its end)."""
    dtype = np.dtype(reader._typecode).newbyteorder(">")  # Whoosh packs with "!"
    raw = reader._dbfile.get(reader._basepos, reader._count * reader._fixedlen)
    values = np.full(count, reader._default, dtype=dtype.newbyteorder("="))
    values[: reader._count] = np.frombuffer(raw, dtype=dtype)[:count]
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
