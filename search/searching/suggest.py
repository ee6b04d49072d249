""" "Did you mean": corrections drawn from the index's own vocabulary.

There is no separate spelling field (it cost a third of indexing time), so a query word is
checked through its index term in ``body`` (stemmed, folded, as ``search.indexing.analysis`` makes
it). A word is suspect when few documents hold its term; it is replaced only by a close term
(at most two edits, same first letter) that is far more frequent, so real rare words are
left alone. The word shown is the surface form of that term in the stored text of a document
that holds it (``starmer``, not the stem). Whoosh's ``ReaderCorrector`` ranks every candidate
at the maximum distance, so the ranking here is done by hand: fewest edits, then most
documents.
"""

from __future__ import annotations

import re
from collections import Counter

from search.indexing.analysis import TOKEN_PATTERN, index_form
from search.searching.parser import ParsedQuery

VOCABULARY_FIELD = "body"
#: A word in at most this many documents may be a misspelling.
SUSPECT_MAX_DOCS = 2
#: A correction must be in at least this many times as many documents ...
MIN_FREQUENCY_RATIO = 10
#: ... and in at least this many documents at all.
MIN_CORRECTION_DOCS = 3
MAX_EDITS = 2
#: Candidates share the first two letters: misspellings rarely start wrong, and Whoosh's
#: ``terms_within`` compares every term under the prefix (one letter: a tenth of the
#: vocabulary per word, which was most of a search's time).
SHARED_PREFIX = 2
#: A searcher's cache of corrections is emptied when it grows past this many terms.
CACHE_LIMIT = 100_000
#: Documents read to find how a corrected term is spelled in running text.
SURFACE_SAMPLE_DOCS = 5


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _frequency(reader, term: str) -> int:
    return reader.doc_frequency(VOCABULARY_FIELD, term) + reader.doc_frequency("title", term)


def correct_term(reader, term: str) -> str | None:
    """A much more frequent index term close to a rare ``term``, or None."""
    if len(term) <= SHARED_PREFIX:
        return None
    frequency = _frequency(reader, term)
    if frequency > SUSPECT_MAX_DOCS:
        return None
    needed = max(MIN_CORRECTION_DOCS, MIN_FREQUENCY_RATIO * frequency)
    best: tuple[int, int, str] | None = None
    for candidate in reader.terms_within(VOCABULARY_FIELD, term, MAX_EDITS, prefix=SHARED_PREFIX):
        if candidate == term or not candidate.isalpha():
            continue
        docs = reader.doc_frequency(VOCABULARY_FIELD, candidate)
        if docs < needed:
            continue
        key = (edit_distance(term, candidate), -docs, candidate)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def surface_word(searcher, term: str, typed: str) -> str:
    """How ``term`` is written in documents that hold it: of the forms found, the closest
    to what was ``typed`` (``starr`` rather than ``starring`` for ``starmr``), then the
    most common."""
    forms: Counter[str] = Counter()
    reader = searcher.reader()
    matcher = reader.postings(VOCABULARY_FIELD, term)
    for _ in range(SURFACE_SAMPLE_DOCS):
        if not matcher.is_active():
            break
        body = searcher.stored_fields(matcher.id()).get(VOCABULARY_FIELD, "")
        forms.update(w.lower() for w in TOKEN_PATTERN.findall(body) if index_form(w) == term)
        matcher.next()
    if not forms:
        return term
    typed = typed.lower()
    return min(forms, key=lambda form: (edit_distance(form, typed), -forms[form], form))


def _same_case(original: str, replacement: str) -> str:
    if original.isupper():
        return replacement.upper()
    if original[:1].isupper():
        return replacement.capitalize()
    return replacement


def suggest(
    searcher, parsed: ParsedQuery, cache: dict[str, str | None] | None = None
) -> str | None:
    """The query string with likely misspellings corrected, or None if nothing changed.

    ``cache`` (per searcher) remembers each typed word's correction (or None).
    """
    if parsed.match_all:
        return None
    cache = {} if cache is None else cache
    if len(cache) > CACHE_LIMIT:
        cache.clear()
    reader = searcher.reader()
    text = parsed.text
    changed = False
    for word in dict.fromkeys(parsed.words()):
        key = word.lower()
        if key not in cache:
            term = index_form(word)
            correction = correct_term(reader, term) if term else None
            cache[key] = surface_word(searcher, correction, word) if correction else None
        if cache[key]:
            pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
            text = pattern.sub(_same_case(word, cache[key]), text)
            changed = True
    return text if changed else None
