"""Ranking by subject: the archive's latent space (``search.indexing.latent``).

The BBC corpus files each story under its desk (business, entertainment, politics, sport,
tech): a reader searching one word wants that desk's stories, and the space, learned from
the archive with no labels, should bring more of them onto the first page than the words
alone do. The rest holds the mechanics to what the ranking relies on: every article written
(by a rebuild, an ``add``, or a merge of small segments) has its place in the space, folded
from its own words; an archive too small to learn from is ranked by its words alone.
"""

from __future__ import annotations

import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from whoosh import index as whoosh_index

from search import NewsIndex
from search.cli import cli
from search.indexing.analysis import term_counts
from search.indexing.latent import (
    LATENT_COLUMN,
    MIN_ARTICLES,
    LatentSpace,
    decode,
    learning_text,
)
from search.indexing.store import IndexStore
from search.indexing.whoosh_internals import fixed_column_array
from search.searching.scoring import DEFAULT_RANKING

BBC = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc"

#: One-word searches and the desk whose stories a reader means (None: whichever desk holds
#: most of the first page, for a word every desk uses).
QUERIES = {
    "growth": "business",
    "shares": "business",
    "profits": "business",
    "film": "entertainment",
    "award": "entertainment",
    "chart": "entertainment",
    "election": "politics",
    "minister": "politics",
    "vote": "politics",
    "mobile": "tech",
    "software": "tech",
    "network": "tech",
    "injury": "sport",
    "champion": "sport",
    "coach": "sport",
    "game": None,
    "court": None,
    "market": None,
}


@pytest.fixture(scope="module")
def bbc_index(tmp_path_factory) -> Path:
    if not BBC.is_dir():
        pytest.skip("corpus missing: ../shared/corpora/bbc")
    path = tmp_path_factory.mktemp("bbc") / "index"
    NewsIndex(path).rebuild([str(BBC)], workers=2)
    return path


def _desk(news: NewsIndex, article_id: str) -> str:
    return Path(news.get(article_id).source_file).parent.name


def _on_subject(news: NewsIndex, query: str, desk: str | None) -> int:
    desks = [_desk(news, hit.id) for hit in news.search(query, per_page=10, facets=[]).hits]
    return max(Counter(desks).values()) if desk is None else desks.count(desk)


def test_first_pages_hold_more_stories_of_the_desk_searched_for(bbc_index):
    words_only = replace(DEFAULT_RANKING, latent_weight=0.0)
    with NewsIndex.open(bbc_index) as news, NewsIndex.open(bbc_index, ranking=words_only) as old:
        found = {q: (_on_subject(news, q, d), _on_subject(old, q, d)) for q, d in QUERIES.items()}
    by_subject = sum(ours for ours, _ in found.values())
    by_words = sum(theirs for _, theirs in found.values())
    assert by_subject >= by_words + 8, found
    assert all(ours >= theirs - 1 for ours, theirs in found.values()), found
    assert found["minister"][0] == 10, found


def test_related_stories_come_more_often_from_the_same_desk(bbc_index):
    words_only = replace(DEFAULT_RANKING, latent_weight=0.0)
    same_desk = {}
    for label, ranking in (("subject", DEFAULT_RANKING), ("words", words_only)):
        with NewsIndex.open(bbc_index, ranking=ranking) as news:
            archive = news.search("", per_page=100, sort="oldest", facets=[]).hits
            same_desk[label] = sum(
                _desk(news, hit.id) == _desk(news, story.id)
                for story in archive[::2]
                for hit in news.related(story.id, limit=5)
            )
    assert same_desk["subject"] > same_desk["words"], same_desk


def test_a_flash_on_the_subject_still_comes_after_the_stories(bbc_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(bbc_index, index)
    flash = {"id": "flash", "title": "OIL PRICES RISE AS OPEC CUTS OUTPUT, URALS UP", "body": ""}
    with NewsIndex.open(index) as news:
        news.add([flash])
        pages = {
            query: [hit.id for hit in news.search(query, facets=[]).hits]
            for query in ("oil output cuts", "opec output", "oil prices opec")
        }
        alone = [hit.id for hit in news.search("urals", facets=[]).hits]
    for first in pages.values():  # on the first page, after five stories
        assert "flash" in first and first.index("flash") >= 5, pages
    assert alone == ["flash"]


def _vectors(index: Path) -> dict[str, np.ndarray]:
    """Every live article's stored vector, by id, read from the segment files."""
    ix = whoosh_index.open_dir(str(IndexStore(index).live_dir()))
    found = {}
    with ix.reader() as reader:
        for leaf, _ in reader.leaf_readers():
            docs = list(leaf.all_doc_ids())
            rows = fixed_column_array(leaf, LATENT_COLUMN)
            assert rows is not None, "a segment without the latent column"
            for docnum, vector in zip(docs, decode(rows[docs]), strict=True):
                found[leaf.stored_fields(docnum)["id"]] = vector
    return found


def _folded(space: LatentSpace, title: str, body: str) -> np.ndarray:
    counts = term_counts(learning_text(title, body))
    return space.fold({term.encode("utf-8"): count for term, count in counts.items()})


def test_every_article_written_has_its_place_folded_from_its_words(bbc_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(bbc_index, index)
    space_file = IndexStore(index).live_dir() / "latent.npz"
    learned = space_file.read_bytes()
    space = LatentSpace.load(space_file.parent)
    assert space is not None and len(space.vocabulary) > 10_000

    added = {
        f"added-{n}": (
            f"Striker {n} signs for the champions",
            f"The club confirmed the transfer of the striker, number {n}, before the cup "
            "tie. The coach said the squad needed goals after a run of defeats in the league.",
        )
        for n in range(12)
    }
    with NewsIndex.open(index) as news:
        for article_id, (title, body) in added.items():  # 12 adds: the small segments merge
            news.add([{"id": article_id, "title": title, "body": body}])
        segments = news.stats().segments

    assert space_file.read_bytes() == learned, "an add must fold into the rebuild's space"
    vectors = _vectors(index)
    norms = {article_id: float(np.linalg.norm(v)) for article_id, v in vectors.items()}
    assert len(norms) >= 2000 + len(added)
    assert all(abs(norm - 1) < 0.01 for norm in norms.values()), min(norms.values())
    for article_id, (title, body) in added.items():
        assert np.allclose(vectors[article_id], _folded(space, title, body), atol=0.01)
    assert segments < 12, "the adds' segments were merged, vectors and all"


def test_an_archive_too_small_to_learn_from_ranks_by_its_words(demo_index, demo_news):
    assert LatentSpace.load(IndexStore(demo_index).live_dir()) is None
    assert demo_news.search("oil").total > 0
    assert demo_news.stats().subject_words == 0
    said = CliRunner().invoke(cli, ["stats", "--index", str(demo_index)]).output
    assert "ranked:     by words alone (too few articles to learn subjects from)" in said


def test_an_archive_grown_past_the_minimum_by_add_is_told_to_rebuild(demo_index, tmp_path):
    index = tmp_path / "index"
    shutil.copytree(demo_index, index)
    with NewsIndex.open(index) as news:
        grown = news.stats().documents
        records = [
            {"id": f"grown-{n}", "title": f"Harbour report {n}", "body": f"Ferry {n} sailed late."}
            for n in range(MIN_ARTICLES - grown + 1)
        ]
        news.add(records)
        assert news.stats().documents > MIN_ARTICLES
        assert news.stats().subject_words == 0, "add folds into a space; it never learns one"
    said = CliRunner().invoke(cli, ["stats", "--index", str(index)]).output
    assert "ranked:     by words alone (`newsindex rebuild` learns its subjects)" in said


def test_stats_say_the_archive_is_ranked_by_subject(bbc_index):
    with NewsIndex.open(bbc_index) as news:
        words = news.stats().subject_words
    assert words > 10_000
    said = CliRunner().invoke(cli, ["stats", "--index", str(bbc_index)]).output
    assert f"ranked:     by words and subject ({words:,} words in its latent space)" in said


def test_the_same_articles_give_the_same_space():
    if not BBC.is_dir():
        pytest.skip("corpus missing: ../shared/corpora/bbc")
    texts = [p.read_text(encoding="latin-1") for p in sorted(BBC.glob("*/*.txt"))[:400]]
    first, second = LatentSpace.learn(texts), LatentSpace.learn(texts)
    assert first is not None and second is not None
    assert first.vocabulary == second.vocabulary
    assert np.array_equal(first.term_vectors, second.term_vectors)
