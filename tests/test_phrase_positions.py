"""Phrases over the position files written beside each segment find what the blocks find.

A rebuild or an ``add`` writes, for each frequent word of a text field, its positions as
flat arrays (``search.indexing.postings``); phrases and proximity read those instead of
decoding Whoosh's posting blocks. An index without them (built before, or a segment Whoosh's
own writer merged) decodes the blocks as before. Here the same phrases run on an index and on
a copy with the position files removed, after a rebuild, an ``add`` and a delete: the same
articles, in the same order.
"""

from __future__ import annotations

import itertools
import shutil
from itertools import islice
from pathlib import Path

import numpy as np
import pytest
from corpus_loaders import allsides_articles, corpora_present

from search import NewsIndex
from search.indexing.indexer import add_articles, delete, rebuild_from_articles
from search.indexing.postings import (
    ARRAY_EXTENSIONS,
    EVERY_TERM_MARKER,
    POSITION_EXTENSIONS,
    PostingArrays,
)
from search.searching.scoring import term_store

#: Common words side by side, rarer pairs, three words, a pair reversed, a repeated word.
PHRASES = [
    '"white house"',
    '"president trump"',
    '"donald trump"',
    '"united states"',
    '"supreme court"',
    '"health care"',
    '"trump administration"',
    '"president donald trump"',
    '"the president of the united states said"',
    '"house white"',
    '"trump trump"',
    'title:"white house"',
    '"white house"~3',
]
BUILT = 300
ADDED = 80


def phrase_hits(index: Path) -> dict[str, list[str]]:
    """Every match of each phrase, in ranked order (no story collapsing)."""
    with NewsIndex.open(index) as news:
        return {phrase: [a.id for a in news.export(phrase)] for phrase in PHRASES}


def without_position_files(index: Path, copy: Path) -> Path:
    """A copy of ``index`` as an index written before position files existed."""
    shutil.copytree(index, copy)
    removed = [f for ext in POSITION_EXTENSIONS for f in copy.rglob(f"*{ext}")]
    assert removed
    for found in removed:
        found.unlink()
    return copy


def segments_with_positions(index: Path) -> int:
    """How many of the live segments can give the positions of a frequent word."""
    with NewsIndex.open(index) as news, news._engine._using() as snap:
        return sum(
            arrays is not None and arrays.has_positions("body", b"trump")
            for arrays in snap.leaf_postings
        )


@pytest.fixture(scope="module")
def articles():
    if not corpora_present():
        pytest.skip("corpus missing: ../shared/corpora/allsides")
    return list(islice(allsides_articles(), BUILT + ADDED))


@pytest.fixture(scope="module")
def stages(articles, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """The index after a rebuild, an add and a delete, each beside a copy without positions."""
    root = tmp_path_factory.mktemp("phrase-positions")
    index = root / "index"
    found = {}

    def keep(stage: str) -> None:
        kept = shutil.copytree(index, root / stage)
        found[stage] = (kept, without_position_files(index, root / f"{stage}-plain"))

    rebuild_from_articles(articles[:BUILT], index)
    keep("rebuild")
    add_articles(articles[BUILT:], index)  # a segment of its own beside the rebuild's
    keep("add")
    delete([a.id for a in articles[::7]], index)
    keep("delete")
    return found


@pytest.mark.parametrize("stage", ["rebuild", "add", "delete"])
def test_phrases_find_the_same_articles_with_and_without_position_files(stages, stage):
    index, plain = stages[stage]
    assert segments_with_positions(index) >= 1
    assert segments_with_positions(plain) == 0
    with_files, without = phrase_hits(index), phrase_hits(plain)
    assert with_files == without
    assert len(with_files['"white house"']) > 20


def test_an_add_writes_position_files_for_its_segment(stages):
    index, _ = stages["add"]
    with NewsIndex.open(index) as news, news._engine._using() as snap:
        segments = len(snap.leaf_postings)
    assert segments >= 2  # the rebuild's segment and the add's
    for extension in POSITION_EXTENSIONS:
        assert len(list(index.rglob(f"*{extension}"))) == segments


def test_deleted_articles_leave_phrase_results(stages, articles):
    index, _ = stages["delete"]
    deleted = {a.id for a in articles[::7]}
    hits = phrase_hits(index)
    assert not deleted & set(hits['"white house"'])


def test_stored_positions_equal_the_decoded_blocks(stages):
    """Each word's stored positions, frequent or in one article, in the body or a title,
    whole or for some documents, are the blocks'."""
    index, _ = stages["rebuild"]
    with NewsIndex.open(index) as news, news._engine._using() as snap:
        store = term_store(snap)
        leaf, _ = store.reader.leaf_readers()[0]
        arrays: PostingArrays = snap.leaf_postings[0]
        rare = [
            (field, text.decode())
            for field in ("body", "title")
            for text, info in itertools.islice(leaf.iter_field(field), 0, 4000, 97)
            if info.doc_frequency() <= 2
        ]
        assert len(rare) >= 10
        frequent = [("body", word) for word in ["trump", "said", "white", "hous", "presid"]]
        for field, word in frequent + rare:
            assert arrays.has_positions(field, word.encode())
            docs, positions = arrays.positions(field, word.encode())
            decoded = store._block_positions(leaf, field, word, None)
            assert docs.tolist() == decoded[0].tolist()
            assert positions.tolist() == decoded[1].tolist()
            some = np.unique(docs)[::3]
            docs, positions = arrays.positions(field, word.encode(), some)
            decoded = store._block_positions(leaf, field, word, some)
            assert docs.tolist() == decoded[0].tolist()
            assert positions.tolist() == decoded[1].tolist()


def test_reading_stored_positions_looks_at_the_clock(stages):
    """The query deadline can stop a phrase between the segments it reads."""
    index, _ = stages["add"]
    with NewsIndex.open(index) as news, news._engine._using() as snap:
        looked = []
        store = term_store(snap)
        store.positions("body", "presid", np.arange(snap.ndocs), lambda: looked.append(1))
        assert len(looked) >= len(snap.leaf_postings)


def test_positions_too_far_apart_for_two_bytes_are_left_to_the_blocks(tmp_path):
    """A gap past 65,535 words (a document longer than any news article) does not fit the
    two-byte files: that term gets no stored positions, and phrases decode its blocks."""
    from search.indexing.analysis import encode_positions
    from search.indexing.postings import PostingArraysWriter
    from search.indexing.whoosh_internals import decode_positions

    docs = list(range(128))
    near = [[d % 7, d % 7 + 3, 65_000 + d] for d in docs]
    far = [[5, 5 + 70_000]] * len(docs)
    writer = PostingArraysWriter(str(tmp_path / "segment"), 3 * len(docs), decode=decode_positions)
    for text, lists in ((b"near", near), (b"far", far)):
        values = [encode_positions(p) for p in lists]
        writer.add("body", text, docs, [float(len(p)) for p in lists], values)
    writer.add("tag", b"plain", docs, [1.0] * len(docs))  # a field without positions
    writer.save()
    writer.close()
    arrays = PostingArrays(str(tmp_path / "segment"))
    assert arrays.has_positions("body", b"near")
    assert not arrays.has_positions("body", b"far") and arrays.positions("body", b"far") is None
    assert not arrays.has_positions("tag", b"plain") and arrays.get("tag", b"plain") is not None
    found, where = arrays.positions("body", b"near")
    assert found.tolist() == [d for d in docs for _ in range(3)]
    assert where.tolist() == [p for ps in near for p in ps]
    some = np.array([3, 64, 127])
    found, where = arrays.positions("body", b"near", some)
    assert found.tolist() == [3, 3, 3, 64, 64, 64, 127, 127, 127]
    assert where.tolist() == [p for d in some.tolist() for p in near[d]]


#: Rare and frequent words, a word in no article, fields, a wildcard and a phrase.
SEARCHES = [
    "trump",
    "senate vote",
    "pipeline",
    "protest senate",
    "zzyzzx",
    "title:trump",
    "immigr*",
    '"white house" budget',
    "kavanaugh hearing allegation",
]


def searched(index: Path) -> list[tuple]:
    """Each search's totals, hits with scores, and publisher counts."""
    with NewsIndex.open(index) as news:
        found = []
        for query in SEARCHES:
            result = news.search(query, per_page=20)
            hits = [(hit.id, round(hit.score or 0, 6)) for hit in result.hits]
            publishers = [(v.value, v.count) for v in result.facets.get("publisher", [])]
            found.append((query, result.total, result.total_copies, hits, publishers))
        return found


#: The postings a term needed in a segment to get arrays before every term had them.
FREQUENT_POSTINGS = 128


def frequent_arrays_only(index: Path, copy: Path) -> Path:
    """A copy of ``index`` as written before every term got arrays: only terms with
    ``FREQUENT_POSTINGS`` postings in a segment keep theirs, and no segment says
    its arrays hold every term (so the others are looked up in Whoosh's files)."""
    shutil.copytree(index, copy)
    markers = list(copy.rglob(f"*{EVERY_TERM_MARKER}"))
    assert markers
    frequent_terms = 0
    for marker in markers:
        prefix = str(marker)[: -len(EVERY_TERM_MARKER)]
        keys, spans, docs, weights = (np.load(prefix + ext) for ext in ARRAY_EXTENSIONS)
        spans = spans.reshape(-1, 2)
        kept = np.flatnonzero(spans[:, 1] >= FREQUENT_POSTINGS)
        assert kept.size < keys.size
        frequent_terms += kept.size
        rows = np.concatenate([np.arange(s, s + n) for s, n in spans[kept]] + [[]]).astype(int)
        starts = np.cumsum(spans[kept, 1]) - spans[kept, 1]
        written = (keys[kept], np.stack([starts, spans[kept, 1]], 1), docs[rows], weights[rows])
        for ext, values in zip(ARRAY_EXTENSIONS, written, strict=True):
            np.save(prefix + ext, values)
        for ext in POSITION_EXTENSIONS:  # their rows followed the arrays' rows
            Path(prefix + ext).unlink()
        marker.unlink()
    assert frequent_terms
    return copy


def without_arrays(index: Path, copy: Path) -> Path:
    """A copy of ``index`` whose segments have no arrays, as those Whoosh's writer merges."""
    shutil.copytree(index, copy)
    for ext in (*ARRAY_EXTENSIONS, *POSITION_EXTENSIONS, EVERY_TERM_MARKER):
        for found in copy.rglob(f"*{ext}"):
            found.unlink()
    return copy


def test_searches_find_the_same_with_every_term_arrays_frequent_ones_or_none(stages, tmp_path):
    """Arrays for every term (a missing word known absent without Whoosh's term lookup)
    rank, count and facet exactly as an index written with frequent terms' arrays only and
    one with no arrays at all (Whoosh's blocks and term dictionary for every word)."""
    index, _ = stages["delete"]  # two segments (rebuild's and add's) and deletions
    frequent = frequent_arrays_only(index, tmp_path / "frequent")
    plain = without_arrays(index, tmp_path / "plain")
    expected = searched(index)
    assert expected[SEARCHES.index("zzyzzx")][1] == 0
    assert all(hits for query, _, _, hits, _ in expected if query != "zzyzzx")
    assert searched(frequent) == expected
    assert searched(plain) == expected


def test_posting_arrays_stream_to_their_files_and_an_abandoned_segment_leaves_none(tmp_path):
    """Docnums and weights are written out as terms come (a segment's writer does not hold
    them to the end); a write that fails before ``save`` removes its partial files."""
    from search.indexing import postings
    from search.indexing.postings import ARRAY_EXTENSIONS, PostingArraysWriter

    terms = [(f"t{n}".encode(), list(range(n, n + 40))) for n in range(100)]
    total = sum(len(docs) for _, docs in terms)
    saved = postings.ARRAY_WRITE_POSTINGS
    postings.ARRAY_WRITE_POSTINGS = 64  # many writes out, as in a real segment
    try:
        writer = PostingArraysWriter(str(tmp_path / "whole"), total)
        for text, docs in terms:
            writer.add("body", text, docs, [2.0] * len(docs))
        writer.save()
        writer.close()
        abandoned = PostingArraysWriter(str(tmp_path / "abandoned"), total)
        abandoned.add("body", b"t0", list(range(40)), [1.0] * 40)
        abandoned.close()
    finally:
        postings.ARRAY_WRITE_POSTINGS = saved
    arrays = PostingArrays(str(tmp_path / "whole"))
    for text, docs in terms:
        found, weights = arrays.get("body", text)
        assert found.tolist() == docs and weights.tolist() == [2.0] * len(docs)
    assert not list(tmp_path.glob("abandoned*"))
    assert all((tmp_path / f"whole{ext}").exists() for ext in ARRAY_EXTENSIONS)
