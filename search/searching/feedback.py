"""Pseudo-relevance feedback (RM3): the best matches lend their words to the query.

A reader typing ``kavanaugh hearing`` means the confirmation, the senators, the allegation;
stories using those words are about the subject even where they say ``hearing`` once. RM3
(Lavrenko & Croft's relevance model, interpolated with the query) takes the best
``feedback_docs`` documents as relevant, builds a word distribution from them (each
document's words weighed by its score), keeps the ``feedback_terms`` most telling (frequent
there, rare in the archive) and ranks the matches again by the query and those words
together. Only the order changes: what matches, and so every count, stays the query's own.
"""

from __future__ import annotations

from heapq import nlargest
from operator import itemgetter

import numpy as np

from search.indexing.analysis import term_counts
from search.searching.ranking import best_first
from search.searching.scoring import Ranking, term_store
from search.searching.snapshot import Snapshot

#: Candidate words (most frequent in the feedback documents) whose rarity is looked up.
CANDIDATES = 60
#: Of each feedback document, the headline and about the first 300 words are read: a
#: story says what it is about up front (and reading less is faster).
LEAD_CHARS = 2000
#: The best matches ranked again with the feedback words; those below keep their order.
RERANK_WINDOW = 1000


def feedback_terms(
    snap: Snapshot, words: list[str], top: np.ndarray, weights: np.ndarray, count: int
) -> dict[str, float]:
    """The ``count`` words most telling of the documents ``top`` (weighed by ``weights``,
    summing to 1), not counting the query's ``words``: their relevance-model probability
    times their idf, normalised to sum to 1."""
    model: dict[str, float] = {}  # a plain dict: Counter's += costs a call per new word
    for docnum, weight in zip(top.tolist(), weights.tolist(), strict=True):
        stored = snap.stored(docnum)
        terms = term_counts(f"{stored.get('title') or ''}\n{stored.get('body') or ''}"[:LEAD_CHARS])
        total = sum(terms.values())
        for term, occurrences in terms.items():
            model[term] = model.get(term, 0) + weight * occurrences / total
    for word in words:
        model.pop(word, None)
    store = term_store(snap)
    telling = {
        term: probability * store.idf("body", term)
        for term, probability in nlargest(CANDIDATES, model.items(), key=itemgetter(1))
        if store.frequency("body", term)
    }
    chosen = sorted(telling.items(), key=lambda item: -item[1])[:count]
    total = sum(weight for _, weight in chosen) or 1.0
    return {term: weight / total for term, weight in chosen}


def with_feedback(
    snap: Snapshot,
    words: list[str],
    docs: np.ndarray,
    scores: np.ndarray,
    factor: np.ndarray,
    ranking: Ranking,
) -> np.ndarray:
    """``scores`` mixed with the feedback words' BM25F: each document of ``docs`` (sorted)
    keeps ``1 - feedback_weight`` of its score per query word, and the best
    ``RERANK_WINDOW`` of them gain ``feedback_weight`` of the feedback words' scores. The
    feedback documents are the best by ``scores * factor`` (the other signals' factors)."""
    ranked = scores[docs] * factor
    rows = best_first(ranked, RERANK_WINDOW)
    best = rows[: ranking.feedback_docs]
    weights = ranked[best]
    mixed = scores.copy()
    if weights.sum() <= 0:
        return mixed
    top = docs[best]
    terms = feedback_terms(snap, words, top, weights / weights.sum(), ranking.feedback_terms)
    share = ranking.feedback_weight
    mixed[docs] = (1 - share) * scores[docs] / len(words)
    window = np.sort(docs[rows])
    store = term_store(snap)
    for term, weight in terms.items():
        mixed[window] += share * weight * store.word_scores(term, ranking, window)
    return mixed
