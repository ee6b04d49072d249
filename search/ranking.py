"""Ordering the matches of a search: by score (``search.scoring``) or by date.

Every match is ordered, not only a top-N, so ties are broken exactly (newest first, then
docnum) and collapsing can keep each story's best-ranked copy without a second pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .snapshot import NO_DATE, Snapshot


@dataclass(frozen=True)
class Ranked:
    docnum: int
    score: float | None


def date_order(snap: Snapshot, docs: np.ndarray, newest: bool) -> np.ndarray:
    """``docs`` newest (or oldest) first; undated documents last; docnum breaks ties."""
    when = snap.published[docs]
    undated = when == NO_DATE
    key = np.where(undated, np.iinfo(np.int64).max, -when if newest else when)
    return docs[np.lexsort((docs, key))]


def first_per_story(snap: Snapshot, ordered: np.ndarray) -> np.ndarray:
    """Keep the first document of each story, in order."""
    _, first = np.unique(snap.story_codes[ordered], return_index=True)
    return ordered[np.sort(first)]


def by_date(
    snap: Snapshot, final: np.ndarray, newest: bool, collapse: bool, stop: int
) -> list[Ranked]:
    ordered = date_order(snap, np.flatnonzero(final), newest)
    if collapse:
        ordered = first_per_story(snap, ordered)
    return [Ranked(int(d), None) for d in ordered[:stop]]


def by_score(
    snap: Snapshot, final: np.ndarray, scores: np.ndarray | None, collapse: bool, stop: int
) -> list[Ranked]:
    """Highest score first, ties newest first, then by docnum."""
    if scores is None:
        return by_date(snap, final, newest=True, collapse=collapse, stop=stop)
    docs = np.flatnonzero(final)
    when = snap.published[docs]
    recency = np.where(when == NO_DATE, np.iinfo(np.int64).max, -when)
    ordered = docs[np.lexsort((docs, recency, -scores[docs]))]
    if collapse:
        ordered = first_per_story(snap, ordered)
    return [Ranked(int(d), float(scores[d])) for d in ordered[:stop]]
