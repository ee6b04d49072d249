"""Ranking signals on top of BM25F, for a query of plain words sorted by relevance.

BM25F (``searching.scoring``) weighs each word alone. A reader typing ``border wall funding``
also means the words together, and wants the stories about the subject before the briefs
that mention it. Two signals, each a factor on a document's BM25F score, so a better match
still wins (measured one by one with ``bench/relevance.py``):

- **proximity** (Solr edismax's ``pf``): of the best ``RESCORE_WINDOW`` documents, those
  where consecutive query words stand side by side (or within ``NEAR_WORDS`` in any order)
  in the title or body rise, by ``PROXIMITY_WEIGHT`` at most;
- **briefs and flashes** (a headline and almost no body, ``LONDON COPPER INDICATION AT
  1500``) and headline-less items (their title was made from the lead, so nothing is indexed
  as a headline) weigh ``SHORT_ITEM_FACTOR`` of their score: lower, yet first when nothing
  else matches as well.

Date never enters a score; it only breaks ties (``searching.ranking``).
"""

from __future__ import annotations

import numpy as np
from whoosh import query as wq

from search.indexing.latent import fold_words, unit
from search.searching.feedback import with_feedback
from search.searching.parser import TEXT_FIELDS, plain_word
from search.searching.ranking import best_first
from search.searching.scoring import DEFAULT_RANKING, Ranking, term_store
from search.searching.snapshot import Snapshot

#: Words this close (in any order) count half as much as words side by side.
NEAR_WORDS = 3
#: A body of fewer indexed words than this is a brief or a flash.
BRIEF_WORDS = 20


def query_words(q: wq.Query) -> list[str]:
    """The words of a query's plain-word part, in order, as indexed (stemmed).

    A word is a text term or an OR of one term over the text fields (how the parser reads a
    bare word); other parts (phrases, fields, ranges, ``NOT``) add none, and a query whose
    top is not an ``AND`` of such parts (``a OR b``) has no plain words.
    """
    parts = q.subqueries if isinstance(q, wq.And) else [q]
    words = []
    for part in parts:
        word = plain_word(part)
        if word is not None:
            words.append(word)
    return words


def rescore(
    snap: Snapshot,
    q: wq.Query,
    final: np.ndarray,
    scores: np.ndarray,
    ranking: Ranking = DEFAULT_RANKING,
) -> np.ndarray:
    """``scores`` with the signals above applied to the documents of ``final``."""
    words = list(dict.fromkeys(query_words(q)))
    docs = np.flatnonzero(final)
    if not docs.size:
        return scores
    factor = np.ones(docs.size)
    factor[short_items(snap, docs)] *= ranking.short_item_factor
    rescored = scores.copy()
    if ranking.feedback_docs and words:
        rescored = with_feedback(snap, words, docs, scores, factor, ranking)
    rescored[docs] = rescored[docs] * factor
    if len(words) > 1 and ranking.proximity:
        window = np.sort(docs[best_first(rescored[docs], ranking.rescore_window)])
        rescored[window] *= 1 + ranking.proximity * proximity(snap, words, window)
    if words and ranks_by_subject(snap, ranking):
        query = fold_words(snap.latent_space, words)
        rescored = by_subject(snap, query, docs, rescored, factor, ranking)
    return rescored


def ranks_by_subject(snap: Snapshot, ranking: Ranking) -> bool:
    """Whether results are ranked again by subject: the ranking weighs it and the archive
    has a space (one of fewer than ``MIN_ARTICLES`` has none)."""
    return bool(ranking.latent_weight) and snap.latent_space is not None


def by_subject(
    snap: Snapshot,
    anchor: np.ndarray,
    docs: np.ndarray,
    scores: np.ndarray,
    factor: np.ndarray,
    ranking: Ranking,
) -> np.ndarray:
    """``scores`` with the best ``latent_window`` of ``docs`` ranked again by subject: each
    keeps ``1 - latent_weight`` of its score (relative to the best) and gains
    ``latent_weight`` of its mean cosine, in the archive's latent space, to ``anchor`` (the
    query's vector, or a story's own) and to the centroid of the best
    ``latent_feedback_docs`` (a dense pseudo-relevance feedback).
    Briefs keep their ``factor`` (a flash's few words can stand close to any subject). The
    window stays above the documents after it, whose scores do not change."""
    ranked = scores[docs]
    rows = best_first(ranked, ranking.latent_window)
    best, lowest = ranked[rows[0]], ranked[rows[-1]]
    if best <= 0:
        return scores
    window = docs[rows]
    vectors = snap.latent_vectors(window)
    centroid = unit(vectors[: ranking.latent_feedback_docs].mean(axis=0))
    closeness = (vectors @ anchor + vectors @ centroid) / 2
    weight = ranking.latent_weight
    mixed = (1 - weight) * ranked[rows] / best + weight * closeness
    rescored = scores.copy()
    rescored[window] = lowest + best * (mixed - mixed.min()) * factor[rows]
    return rescored


def short_items(snap: Snapshot, docs: np.ndarray) -> np.ndarray:
    """Which of ``docs`` are briefs (almost no body) or have no headline of their own."""
    store = term_store(snap)
    body, _ = store.lengths("body")
    title, _ = store.lengths("title")
    return (body[docs] < BRIEF_WORDS) | (title[docs] == 0)


def proximity(snap: Snapshot, words: list[str], docs: np.ndarray) -> np.ndarray:
    """Per document of ``docs`` (sorted), from 0 to 1: the share of consecutive word pairs
    standing side by side in order (1) or within ``NEAR_WORDS`` of each other (1/2), in the
    title or the body, whichever is closer."""
    store = term_store(snap)
    best = np.zeros(docs.size)
    for field in TEXT_FIELDS:
        where = [store.positions(field, word, docs) for word in words]
        found = np.zeros(docs.size)
        for first, second in zip(where, where[1:], strict=False):
            found += _pair_closeness(first, second, docs)
        best = np.maximum(best, found / (len(words) - 1))
    return best


def _pair_closeness(
    first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray], docs: np.ndarray
) -> np.ndarray:
    """Per document of ``docs``: 1 where the second word follows the first, 1/2 where it
    stands within ``NEAR_WORDS`` of it (either side), else 0. One ``searchsorted`` of the
    first word's occurrences among the second's, as (docnum, position) keys."""
    closeness = np.zeros(docs.size)
    if not first[0].size or not second[0].size:
        return closeness
    span = np.int64(1 << 32)
    keys = first[0] * span + first[1]
    others = np.sort(second[0] * span + second[1])
    at = np.searchsorted(others, keys)
    after = others[np.minimum(at, others.size - 1)] - keys
    before = keys - others[np.maximum(at - 1, 0)]
    after = np.where((at < others.size) & (after > 0), after, span)
    before = np.where((at > 0) & (before > 0), before, span)
    score = np.where(after == 1, 1.0, np.where(np.minimum(after, before) <= NEAR_WORDS, 0.5, 0.0))
    rows = np.searchsorted(docs, first[0])
    np.maximum.at(closeness, rows, score)
    return closeness
