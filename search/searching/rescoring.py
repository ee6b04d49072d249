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

from search.searching.parser import TEXT_FIELDS, plain_word
from search.searching.scoring import phrase_starts, term_store
from search.searching.snapshot import Snapshot

#: Documents (best first) whose word positions are read for proximity.
RESCORE_WINDOW = 200
#: Words this close (in any order) count half as much as words side by side.
NEAR_WORDS = 3
PROXIMITY_WEIGHT = 0.3
#: A body of fewer indexed words than this is a brief or a flash.
BRIEF_WORDS = 20
SHORT_ITEM_FACTOR = 0.7


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


def rescore(snap: Snapshot, q: wq.Query, final: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """``scores`` with the signals above applied to the documents of ``final``."""
    words = list(dict.fromkeys(query_words(q)))
    docs = np.flatnonzero(final)
    if not docs.size:
        return scores
    factor = np.ones(docs.size)
    factor[short_items(snap, docs)] *= SHORT_ITEM_FACTOR
    rescored = scores.copy()
    rescored[docs] = scores[docs] * factor
    if len(words) > 1:
        window = docs[np.argsort(-rescored[docs], kind="stable")[:RESCORE_WINDOW]]
        window.sort()
        rescored[window] *= 1 + PROXIMITY_WEIGHT * proximity(snap, words, window)
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
            adjacent = np.isin(docs, phrase_starts([first, second]))
            near = np.isin(docs, _near(first, second))
            found += np.where(adjacent, 1.0, np.where(near, 0.5, 0.0))
        best = np.maximum(best, found / (len(words) - 1))
    return best


def _near(
    first: tuple[np.ndarray, np.ndarray], second: tuple[np.ndarray, np.ndarray]
) -> np.ndarray:
    """Docnums where the two words stand within ``NEAR_WORDS`` of each other, either order."""
    shifted = [  # the second word ``d`` positions after the first, d in -NEAR..NEAR
        phrase_starts([first, (second[0], second[1] - (d - 1))])
        for d in range(-NEAR_WORDS, NEAR_WORDS + 1)
        if d not in (0, 1)
    ]
    return np.unique(np.concatenate(shifted)) if shifted else np.zeros(0, np.int64)
