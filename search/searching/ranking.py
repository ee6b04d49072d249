"""Ordering the matches of a search: by score (``search.searching.scoring``) or by date.

Every match is ordered, not only a top-N, so ties are broken exactly (newest first, then
docnum) and collapsing can keep each story's best-ranked copy without a second pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from search.searching.snapshot import NO_DATE, Snapshot

#: Sort this many times the documents a page needs (collapsing drops copies), at least.
CANDIDATE_FACTOR = 4
MIN_CANDIDATES = 64


@dataclass(frozen=True)
class Ranked:
    docnum: int
    score: float | None


#: Order this share of the index or more by filtering the snapshot's whole date order
#: (one pass) instead of sorting the documents (n log n): the browse page orders them all.
PRESORTED_SHARE = 1 / 16


def best_first(values: np.ndarray, size: int) -> np.ndarray:
    """Where the ``size`` largest of ``values`` are, largest first: one partition of all,
    then a (stable) sort of those few only."""
    size = min(size, values.size)
    rows = np.argpartition(-values, size - 1)[:size]
    return rows[np.argsort(-values[rows], kind="stable")]


def date_order(snap: Snapshot, docs: np.ndarray, newest: bool) -> np.ndarray:
    """``docs`` newest (or oldest) first; undated documents last; docnum breaks ties."""
    if docs.size >= snap.ndocs * PRESORTED_SHARE:
        everything = snap.date_order(newest)
        wanted = np.zeros(snap.ndocs, dtype=bool)
        wanted[docs] = True
        return everything[wanted[everything]]
    when = snap.published[docs]
    undated = when == NO_DATE
    key = np.where(undated, np.iinfo(np.int64).max, -when if newest else when)
    return docs[np.lexsort((docs, key))]


def first_per_story(snap: Snapshot, ordered: np.ndarray) -> np.ndarray:
    """Keep the first document of each story, in order."""
    _, first = np.unique(snap.story_codes[ordered], return_index=True)
    return ordered[np.sort(first)]


def first_stories(snap: Snapshot, ordered: np.ndarray, stop: int) -> np.ndarray:
    """The first ``stop`` documents of distinct stories, in order: ``first_per_story`` of a
    prefix, grown until it holds enough (the first of a story in a prefix is its first)."""
    size = max(stop * CANDIDATE_FACTOR, MIN_CANDIDATES)
    while True:
        kept = first_per_story(snap, ordered[:size])
        if kept.size >= stop or size >= ordered.size:
            return kept[:stop]
        size *= CANDIDATE_FACTOR


def by_date(
    snap: Snapshot, final: np.ndarray, newest: bool, collapse: bool, stop: int
) -> list[Ranked]:
    ordered = date_order(snap, np.flatnonzero(final), newest)
    if collapse:
        ordered = first_stories(snap, ordered, stop)
    return [Ranked(int(d), None) for d in ordered[:stop]]


def by_score(
    snap: Snapshot, final: np.ndarray, scores: np.ndarray | None, collapse: bool, stop: int
) -> list[Ranked]:
    """Highest score first, ties newest first, then by docnum.

    Only the documents scoring at least the ``k``-th best score are sorted (all of them:
    ties included), with ``k`` grown until the page is full, so the order is exact.
    """
    if scores is None:
        return by_date(snap, final, newest=True, collapse=collapse, stop=stop)
    docs = np.flatnonzero(final)
    values = scores[docs]
    keep = max(stop * CANDIDATE_FACTOR, MIN_CANDIDATES)
    while True:
        if keep < docs.size:
            threshold = np.partition(values, docs.size - keep)[docs.size - keep]
            chosen = values >= threshold
            candidates, candidate_scores = docs[chosen], values[chosen]
        else:
            candidates, candidate_scores = docs, values
        when = snap.published[candidates]
        recency = np.where(when == NO_DATE, np.iinfo(np.int64).max, -when)
        ordered = candidates[np.lexsort((candidates, recency, -candidate_scores))]
        if collapse:
            ordered = first_per_story(snap, ordered)
        if ordered.size >= stop or candidates.size == docs.size:
            break
        keep *= CANDIDATE_FACTOR
    return [Ranked(int(d), float(scores[d])) for d in ordered[:stop]]
