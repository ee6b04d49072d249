"""The whoosh3 internals newsindex relies on: fail loudly here on an upgrade that moves them.

``search.indexing.whoosh_internals`` is the only module that touches private attributes;
each one it names must exist, and each fast path must give what Whoosh's public API gives.
"""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import columns, fields, index, query
from whoosh.codec.whoosh3 import W3LeafMatcher

from search.indexing import whoosh_internals as internals

WORDS = [
    "harbour",
    "ferry",
    "tide",
    "storm",
    "quay",
    "pilot",
    "cargo",
    "crane",
    "dredge",
    "lighthouse",
]


def _attribute_exists(cls: type, name: str) -> bool:
    if hasattr(cls, name):
        return True
    # Attributes set in __init__ (no class default): look for the assignment in its source.
    import inspect

    source = "".join(inspect.getsource(c) for c in cls.__mro__ if c.__module__.startswith("whoosh"))
    return f"self.{name} =" in source or f"self.{name}:" in source


@pytest.mark.parametrize(
    ("cls", "name"),
    [(cls, name) for cls, names in internals.CONTRACT.items() for name in names],
    ids=lambda value: value if isinstance(value, str) else value.__name__,
)
def test_every_private_name_used_still_exists(cls, name):
    assert _attribute_exists(cls, name), f"whoosh3 no longer has {cls.__name__}.{name}"


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    """Enough documents for several posting blocks per common term, in two segments."""
    schema = fields.Schema(
        id=fields.ID(stored=True, unique=True),
        body=fields.TEXT(phrase=True),
        tag=fields.ID(sortable=True),
        when=fields.NUMERIC(sortable=True),
        code=fields.COLUMN(columns.FixedBytesColumn(4)),
    )
    path = tmp_path_factory.mktemp("contract")
    ix = index.create_in(str(path), schema)
    rng = np.random.default_rng(7)
    with internals.BulkWriter(ix) as writer:
        for n in range(700):
            words = rng.choice(WORDS, size=12)
            code = n.to_bytes(4, "little") if n < 690 else None  # the last ten: the default
            writer.add_document(
                id=f"a{n}", body=" ".join(words), tag=f"t{n % 3}", when=n, code=code
            )
    with ix.writer() as writer:  # a second segment, written by Whoosh, without the columns
        for n in range(50):
            writer.add_document(id=f"b{n}", body=" ".join(rng.choice(WORDS, size=8)))
    return ix


def test_block_reads_equal_the_public_matcher(small_index):
    with small_index.searcher() as searcher:
        reader = searcher.reader()
        for leaf, _offset in reader.leaf_readers():
            matcher = leaf.postings("body", "harbour")
            assert isinstance(matcher, W3LeafMatcher) and internals.is_blockwise(matcher)
            ids, weights = internals.read_postings(matcher)
            pairs = []
            again = leaf.postings("body", "harbour")
            while again.is_active():
                pairs.append((again.id(), again.weight()))
                again.next()
            assert ids.tolist() == [p[0] for p in pairs]
            assert weights.tolist() == pytest.approx([p[1] for p in pairs])


def test_mapped_postings_read_what_the_file_reads(small_index):
    """``map_postings`` swaps a segment's postings file for a memory map: every posting and
    position read through it is what the file gave."""

    def everything(searcher):
        found = []
        for leaf, _offset in searcher.reader().leaf_readers():
            for word in ("harbour", "ferry"):
                matcher = leaf.postings("body", word)
                while matcher.is_active():
                    found.append((matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
        return found

    with small_index.searcher() as searcher:
        read = everything(searcher)
    with small_index.searcher() as searcher:
        for leaf, _offset in searcher.reader().leaf_readers():
            internals.map_postings(leaf)
            assert not leaf._terms._postfile.is_real  # mapped, not read by system calls
        assert everything(searcher) == read and len(read) > 256


def test_block_positions_equal_the_public_ones(small_index):
    with small_index.searcher() as searcher:
        leaf = searcher.reader().leaf_readers()[0][0]
        decode = leaf.schema["body"].format.decoder("positions")
        matcher = leaf.postings("body", "ferry")
        fast = {}
        while matcher.is_active():
            ids, _ = internals.block_arrays(matcher)
            for docnum, value in zip(ids.tolist(), internals.block_values(matcher), strict=True):
                fast[docnum] = decode(value)
            assert internals.block_last_id(matcher) == ids[-1]
            internals.next_block(matcher)
        public = {}
        again = leaf.postings("body", "ferry")
        while again.is_active():
            public[again.id()] = list(again.value_as("positions"))
            again.next()
        assert fast == public and len(public) > 128  # more than one block


def test_positions_decoded_together_equal_one_by_one(small_index):
    with small_index.searcher() as searcher:
        leaf = searcher.reader().leaf_readers()[0][0]
        decode = leaf.schema["body"].format.decoder("positions")
        matcher = leaf.postings("body", "ferry")
        values = internals.block_values(matcher)
        counts, flat = internals.decode_positions(values)
        one_by_one = [decode(v) for v in values]
        assert counts.tolist() == [len(p) for p in one_by_one]
        assert flat.tolist() == [p for ps in one_by_one for p in ps]
        assert max(counts) > 1  # some value holds several positions


def test_lengths_and_columns_per_segment(small_index):
    with small_index.searcher() as searcher:
        reader = searcher.reader()
        for leaf, _offset in reader.leaf_readers():
            fast = internals.leaf_lengths(leaf, "body")
            public = [leaf.doc_field_length(d, "body") for d in range(leaf.doc_count_all())]
            assert fast.tolist() == public
        tags = internals.column_values(reader, "tag")
        assert len(tags) == reader.doc_count_all() == 750
        assert tags[:3] == ["t0", "t1", "t2"] and set(tags[700:]) == {""}


def test_expanded_terms_of_a_wildcard(small_index):
    with small_index.searcher() as searcher:
        terms = list(internals.expanded_terms(query.Wildcard("body", "l*"), searcher.reader()))
    assert terms == [b"lighthouse"]


def test_whole_column_reads_equal_the_public_reader(small_index):
    """``column_bytes``, ``numeric_column`` and ``fixed_column_array`` read a segment's
    column in one go; each value must be what Whoosh's column reader gives, and a segment
    without the column gives None (or the default) as the public reader does."""
    with small_index.searcher() as searcher:
        (bulk, _), (plain, _) = searcher.reader().leaf_readers()
        data, offsets, lengths = internals.column_bytes(bulk, "tag")
        fast = [data[o : o + n] for o, n in zip(offsets.tolist(), lengths.tolist(), strict=True)]
        assert fast == list(bulk.column_reader("tag", translate=False))
        assert internals.column_bytes(plain, "tag") is None
        when = internals.numeric_column(bulk, "when")
        assert when.tolist() == list(bulk.column_reader("when", translate=False))
        # A fixed-length column, mapped: rows up to the last value; the default after it.
        code = internals.fixed_column_array(bulk, "code")
        assert isinstance(code, np.memmap) and code.shape == (690, 4)
        public = list(bulk.column_reader("code", translate=False))
        assert [bytes(row) for row in code] + [bytes(4)] * 10 == public
        assert internals.fixed_column_array(plain, "code") is None


def test_posting_arrays_equal_the_blocks(small_index):
    """Every term of a ``BulkWriter`` segment also gets arrays (read in one step): the same
    docnums and weights as decoding Whoosh's blocks, and the same document count as its
    term info; a term the segment lacks is known absent (empty, count 0) without Whoosh.
    A segment written by Whoosh's own writer has no arrays."""
    from search.indexing.postings import PostingArrays

    folder = small_index.storage.folder
    with small_index.searcher() as searcher:
        (bulk, _), (plain, _) = searcher.reader().leaf_readers()
        arrays = PostingArrays.open(internals.segment_file(small_index.storage, bulk.segment(), ""))
        assert PostingArrays.open(f"{folder}/{plain.segment().make_filename('')}") is None
        assert arrays.every_term
        terms = [("body", word) for word in WORDS] + [("id", "a1"), ("tag", "t2")]
        for field, text in terms:
            ids, weights = internals.read_postings(bulk.postings(field, text))
            docs, array_weights = arrays.get(field, text.encode())
            assert docs.tolist() == ids.tolist() and array_weights.tolist() == weights.tolist()
            assert arrays.count(field, text.encode()) == bulk.doc_frequency(field, text)
        assert arrays.get("id", b"a1")[0].tolist() == [1]  # one posting: arrays all the same
        docs, weights = arrays.get("body", b"no-such-word")
        assert docs.size == weights.size == 0 and arrays.count("body", b"no-such-word") == 0
