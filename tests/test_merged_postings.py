"""A rebuild's segments' posting arrays merged into pieces answer exactly as the segments do.

A query word costs a lookup in each segment's arrays; after a rebuild, runs of its large
segments get one merged piece (``search.indexing.merged_postings``), read instead. Here an
index of three segments (a rebuild and two adds of Reuters wires) is searched before and
after its segments are merged: the same hits, scores and facet counts, with the piece in
use; then after an ``add`` and a delete the piece is still used and still agrees; a piece
whose segments are gone, or an unreadable listing, falls back to the segments.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from corpus_loaders import corpora_present, reuters_articles

from search import NewsIndex
from search.indexing.indexer import add_articles, delete, rebuild_from_articles
from search.indexing.merged_postings import (
    PIECES_FILE,
    PieceLeaf,
    plan_pieces,
    segments_of,
    write_pieces,
)
from search.indexing.postings import PostingArrays
from search.indexing.store import IndexStore

pytestmark = pytest.mark.skipif(not corpora_present(), reason="needs ../shared/corpora")

#: Plain words (ranking feedback reads ten more each), several words, a phrase, operators,
#: a field, a wildcard, a word no wire holds.
QUERIES = [
    "oil prices",
    "coffee",
    "bank rate cut",
    "wheat export tonnes",
    "shr",
    '"interest rates"',
    "opec AND saudi NOT iran",
    '"crude oil" prices',
    "dateline:tokyo",
    "gold*",
    "zzyzxq",
]


def answers(index: Path) -> list:
    """Per query: totals, the first twenty hits with their scores, every facet's counts."""
    found = []
    with NewsIndex.open(index) as news:
        for query in QUERIES:
            result = news.search(query, per_page=20)
            facets = {
                name: [(v.value, v.count) for v in values] for name, values in result.facets.items()
            }
            hits = [(hit.id, hit.score) for hit in result.hits]
            found.append((query, result.total, result.total_copies, hits, facets))
    return found


def units(index: Path) -> list:
    """Where the live snapshot reads postings: a ``PieceLeaf`` for each piece in use."""
    with NewsIndex.open(index) as news:
        news.search("oil")
        with news._engine._using() as snap:
            return [leaf for (leaf, _), _ in snap.posting_units]


@pytest.fixture(scope="module")
def three_segments(tmp_path_factory) -> Path:
    """1,200 wires rebuilt, then 800 and 600 added: three segments, none merged."""
    articles = list(reuters_articles(2_800))
    index = tmp_path_factory.mktemp("merged") / "index"
    rebuild_from_articles(articles[:1_200], index)
    add_articles(articles[1_200:2_000], index)
    add_articles(articles[2_000:2_600], index)
    return index


def live_folder(index: Path) -> Path:
    return IndexStore(index).live_dir()


def test_merged_pieces_answer_as_the_segments_do(three_segments):
    index = three_segments
    ix = IndexStore(index).open_live()
    segments = segments_of(ix)
    assert [s.documents for s in segments] == [1_200, 800, 600]
    before = answers(index)
    assert write_pieces(live_folder(index), segments, small_docs=0) == 1
    in_use = units(index)
    assert len(in_use) == 1 and isinstance(in_use[0], PieceLeaf)
    assert in_use[0].doc_count_all() == 2_600
    assert answers(index) == before

    # The piece holds each term's postings of all three segments, docnums counted on.
    piece = PostingArrays.open(str(live_folder(index) / "merged-0"))
    parts = [PostingArrays.open(s.prefix) for s in segments]
    for field, word in [("body", b"oil"), ("title", b"coffe"), ("body", b"tonn"), ("body", b"zzz")]:
        docs, weights = piece.get(field, word)
        expected = [p.get(field, word) for p in parts]
        offsets = [0, 1_200, 2_000]
        assert docs.tolist() == [
            d + o for (ds, _), o in zip(expected, offsets, strict=True) for d in ds.tolist()
        ]
        assert weights.tolist() == [w for _, ws in expected for w in ws.tolist()]
        assert piece.count(field, word) == sum(p.count(field, word) for p in parts)
        if field == "body" and docs.size:  # positions too, read for some documents
            some = docs[::3]
            merged_docs, merged_positions = piece.positions(field, word, some)
            expected_docs, expected_positions = [], []
            for part, offset, size in zip(parts, offsets, [1_200, 800, 600], strict=True):
                local = some[(some >= offset) & (some < offset + size)] - offset
                found = part.positions(field, word, local)
                expected_docs += (found[0] + offset).tolist()
                expected_positions += found[1].tolist()
            assert merged_docs.tolist() == expected_docs
            assert merged_positions.tolist() == expected_positions


def test_a_piece_stays_in_use_after_an_add_and_a_delete(three_segments):
    index = three_segments
    if not (live_folder(index) / PIECES_FILE).exists():
        write_pieces(live_folder(index), segments_of(IndexStore(index).open_live()), small_docs=0)
    articles = list(reuters_articles(2_800))
    add_articles(articles[2_600:], index)
    assert delete([articles[5].id, articles[1_500].id], index).deleted == 2
    in_use = units(index)
    assert isinstance(in_use[0], PieceLeaf) and len(in_use) == 2  # the piece, the add
    merged = answers(index)
    listing = live_folder(index) / PIECES_FILE
    saved = listing.read_text()
    listing.write_text("{not json")  # unreadable: the segments answer
    try:
        assert not any(isinstance(leaf, PieceLeaf) for leaf in units(index))
        assert answers(index) == merged
    finally:
        listing.write_text(saved)


def test_a_piece_over_segments_no_longer_there_is_not_used(three_segments):
    index = three_segments
    folder = live_folder(index)
    if not (folder / PIECES_FILE).exists():
        write_pieces(folder, segments_of(IndexStore(index).open_live()), small_docs=0)
    listing = json.loads((folder / PIECES_FILE).read_text())
    saved = json.dumps(listing)
    listing["pieces"][0]["segments"][1][0] = "MAIN_merged0away"  # as if merged away
    (folder / PIECES_FILE).write_text(json.dumps(listing))
    try:
        assert not any(isinstance(leaf, PieceLeaf) for leaf in units(index))
    finally:
        (folder / PIECES_FILE).write_text(saved)


def test_only_runs_of_large_segments_are_merged(three_segments):
    """Segments an ``add`` may merge away (few documents) break runs and stay alone; the
    postings limit splits a long run."""
    segments = segments_of(IndexStore(three_segments).open_live())[:3]
    assert plan_pieces(segments, small_docs=700) == [segments[:2]]
    assert plan_pieces(segments, small_docs=0) == [segments]
    assert plan_pieces(segments, small_docs=1_000) == []  # one large segment: nothing to merge
    assert plan_pieces(segments, limit=1, small_docs=0) == []
