""" "Did you mean": corrections drawn from the index's own vocabulary.

A suggestion is made only when the query does poorly (it matches fewer than
``SUGGEST_BELOW_MATCHES`` articles), and only for a typed word that is in none of the searched
fields: a word the index holds is never "corrected", however rare (``opec`` is not ``open``).

There is no separate spelling field (it cost a third of indexing time): the vocabulary is the
stemmed terms of ``body`` and ``title``. Words are compared as typed, not as stems
(``presdent`` is one letter from ``president``, though its stem ``presid`` is three from
``presdent``): each candidate term is shown and measured as the surface word found for it in
the stored text of documents that hold it. Candidates are the terms of the one-edit variants of
the typed word and the terms within ``MAX_EDITS`` of its stem. They are ranked by closeness
first (fewest edits, then most letters shared, so ``starmr`` gives ``starmer`` rather than the
equally distant ``starr``) and frequency second.
"""

from __future__ import annotations

import re
import string
import time
from collections import Counter
from collections.abc import Iterator

from whoosh.support.charset import accent_map

from search.indexing.analysis import TOKEN_PATTERN, index_form
from search.searching.parser import TEXT_FIELDS, ParsedQuery

#: Fields whose terms corrections are drawn from (their stored text gives surface words).
VOCABULARY_FIELDS = ("body", "title")
#: Suggest only for a query that matches fewer articles than this.
SUGGEST_BELOW_MATCHES = 3
#: A correction must be in at least this many documents.
MIN_CORRECTION_DOCS = 2
MAX_EDITS = 2
#: Words this short or shorter may be corrected by one edit only (``opec`` is not ``open``).
SHORT_WORD = 4
#: Candidates within two edits of the stem share its first two letters: Whoosh's
#: ``terms_within`` compares every term under the prefix.
SHARED_PREFIX = 2
#: A searcher's cache of corrections is emptied when it grows past this many words.
CACHE_LIMIT = 100_000
#: Longer words get no correction: their one-edit variants grow with their length (a
#: thousand-letter word took a minute), and nobody mistypes a word this long by a letter.
LONGEST_CORRECTED = 24
#: Documents read to find how a candidate term is spelled in running text.
SURFACE_SAMPLE_DOCS = 5
_LETTERS = string.ascii_lowercase


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


def shared_letters(a: str, b: str) -> int:
    """Letters the two words have in common, counted with repeats, in any order.

    >>> shared_letters("starmr", "starmer"), shared_letters("starmr", "starr")
    (6, 5)
    """
    return sum((Counter(a) & Counter(b)).values())


def closeness(typed: str, word: str) -> tuple[int, int]:
    """A sort key, smaller is closer: edits first, then letters shared (more is closer)."""
    return edit_distance(typed, word), -shared_letters(typed, word)


def max_edits(word: str) -> int:
    return 1 if len(word) <= SHORT_WORD else MAX_EDITS


def one_edit_away(word: str) -> Iterator[str]:
    """Every string one deletion, transposition, replacement or insertion from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in splits:
        if right:
            yield left + right[1:]
            yield from (left + c + right[1:] for c in _LETTERS if c != right[0])
        if len(right) > 1:
            yield left + right[1] + right[0] + right[2:]
        yield from (left + c + right for c in _LETTERS)


def _frequency(reader, term: str) -> int:
    return max(reader.doc_frequency(field, term) for field in VOCABULARY_FIELDS)


def in_index(reader, word: str) -> bool:
    """Whether any searched field holds ``word``'s term (then it is never corrected)."""
    term = index_form(word)
    return not term or any(reader.doc_frequency(field, term) for field in TEXT_FIELDS)


def candidate_terms(reader, typed: str) -> set[str]:
    """Index terms that may be what ``typed`` meant: the terms of its one-edit variants (which
    reach ``presid`` from ``presdent``) and the terms within ``MAX_EDITS`` of its stem."""
    found = {index_form(variant) for variant in one_edit_away(typed)}
    found = {term for term in found if term and _frequency(reader, term)}
    stem = index_form(typed)
    if len(stem) > SHARED_PREFIX:
        for field in VOCABULARY_FIELDS:
            found.update(reader.terms_within(field, stem, max_edits(typed), prefix=SHARED_PREFIX))
    return {term for term in found if term.isalpha()}


def surface_word(searcher, term: str, typed: str) -> str:
    """How ``term`` is written in documents that hold it: of the forms found, the closest
    to what was ``typed`` (``starr`` rather than ``starring`` for ``starmr``), then the
    most common."""
    forms: Counter[str] = Counter()
    reader = searcher.reader()
    for field in VOCABULARY_FIELDS:
        if forms or (field, term) not in reader:
            continue
        matcher = reader.postings(field, term)
        for _ in range(SURFACE_SAMPLE_DOCS):
            if not matcher.is_active():
                break
            text = searcher.stored_fields(matcher.id()).get(field, "")
            forms.update(w.lower() for w in TOKEN_PATTERN.findall(text) if index_form(w) == term)
            matcher.next()
    if not forms:
        return term
    return min(forms, key=lambda form: (*closeness(typed, form), -forms[form], form))


def correct_word(searcher, word: str) -> str | None:
    """The closest, then most frequent, word of the index for ``word``, or None."""
    reader = searcher.reader()
    if len(word) > LONGEST_CORRECTED or in_index(reader, word):
        return None
    typed = word.lower().translate(accent_map)
    best: tuple | None = None
    for term in candidate_terms(reader, typed):
        docs = _frequency(reader, term)
        if docs < MIN_CORRECTION_DOCS:
            continue
        surface = surface_word(searcher, term, typed)
        key = (*closeness(typed, surface), -docs, surface)
        if key[0] <= max_edits(typed) and (best is None or key < best):
            best = key
    return best[-1] if best else None


def _same_case(original: str, replacement: str) -> str:
    if original.isupper():
        return replacement.upper()
    if original[:1].isupper():
        return replacement.capitalize()
    return replacement


def suggest(
    searcher,
    parsed: ParsedQuery,
    matches: int = 0,
    cache: dict[str, str | None] | None = None,
    until: float | None = None,
) -> str | None:
    """The query string with likely misspellings corrected, or None if nothing changed.

    ``matches`` is how many articles the query found: a query that does well gets no
    suggestion. ``cache`` (per searcher) remembers each typed word's correction (or None).
    Past ``until`` (``time.perf_counter()``) no further word is looked at: a suggestion is
    a courtesy, never worth holding up the answer.
    """
    if parsed.match_all or matches >= SUGGEST_BELOW_MATCHES:
        return None
    cache = {} if cache is None else cache
    if len(cache) > CACHE_LIMIT:
        cache.clear()
    text = parsed.text
    changed = False
    for word in dict.fromkeys(parsed.words()):
        key = word.lower()
        if key not in cache:
            if until is not None and time.perf_counter() > until:
                break
            cache[key] = correct_word(searcher, word)
        if cache[key]:
            pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
            text = pattern.sub(_same_case(word, cache[key]), text)
            changed = True
    return text if changed else None
