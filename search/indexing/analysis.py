"""Text analysis: how titles and bodies become index terms.

One analyzer, ``news_analyzer()``, is used at query time; indexing goes through
``NewsText.index()``, a fast path that yields exactly the same terms and positions without
building a Whoosh ``Token`` per word (analysis is half of Whoosh's indexing time).
``tests/test_analysis.py`` holds the two to the same output on real copy.

Tickers and abbreviations stay one token, as wire readers search for them:

>>> [t.text for t in news_analyzer()("Shares of BRIK.O rose in the U.S. market")]
['share', 'brik.o', 'rose', 'u.', 'market']
>>> [t.text for t in news_analyzer()("Café société")]
['cafe', 'societ']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.analysis.analyzers import STOP_WORDS
from whoosh.fields import TEXT
from whoosh.formats import Positions
from whoosh.lang.porter import stem
from whoosh.support.charset import accent_map

#: Words, with inner dots kept: ``BRIK.O``, ``U.S``, ``3.5``.
TOKEN_PATTERN = re.compile(r"\w+(?:\.?\w+)*")
STOP_MIN_SIZE = 2
#: Stemming is the costly step; news vocabularies repeat, so cache generously.
STEM_CACHE_SIZE = 500_000
#: Raw tokens ``index_form`` remembers before it starts again: ~140 bytes each, held for
#: the whole run in every indexing process (500,000 was 70 MB a process at a million
#: articles, and its strings, spread among a segment's short-lived ones, kept freed memory
#: from going back to the system); 2^17 still holds a news vocabulary's common words.
FORMS_CACHE_SIZE = 1 << 17


def news_analyzer() -> Analyzer:
    """Tokenize on words (keeping ``BRIK.O``), lowercase, fold accents, drop stop words, stem."""
    return (
        RegexTokenizer(expression=TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOP_WORDS, minsize=STOP_MIN_SIZE)
        | StemFilter(stemfn=stem, cachesize=STEM_CACHE_SIZE)
    )


def facet_analyzer() -> Analyzer:
    """Facet values (``agency:AP``, ``publisher:"New York Times"``) match whole, any case."""
    from whoosh.analysis import IDTokenizer

    return IDTokenizer() | LowercaseFilter() | CharsetFilter(accent_map)


#: raw token -> index term ("" for a stop word); a plain dict is the fastest cache.
_FORMS: dict[str, str] = {}


def index_form(word: str) -> str:
    """The term a raw token becomes, "" for a stop word (the analyzer's filters, inlined)."""
    term = _FORMS.get(word)
    if term is None:
        text = word.lower().translate(accent_map)
        term = "" if len(text) < STOP_MIN_SIZE or text in STOP_WORDS else stem(text)
        if len(_FORMS) >= FORMS_CACHE_SIZE:
            _FORMS.clear()
        _FORMS[word] = term
    return term


def term_positions(text: str) -> dict[str, list[int]]:
    """Map each term of ``text`` to its positions, as ``news_analyzer()`` would number them."""
    positions: dict[str, list[int]] = {}
    pos = -1
    form = index_form
    for index, word in enumerate(TOKEN_PATTERN.findall(text)):
        term = form(word)
        if not term:
            continue
        # StopFilter(renumber=True): the first kept token keeps its place, the rest follow it.
        pos = index if pos < 0 else pos + 1
        found = positions.get(term)
        if found is None:
            positions[term] = [pos]
        else:
            found.append(pos)
    return positions


def analyzed_terms(text: str) -> Iterator[str]:
    """The terms of ``text`` in order (for shingling and term statistics)."""
    form = index_form
    for word in TOKEN_PATTERN.findall(text):
        term = form(word)
        if term:
            yield term


def term_counts(text: str) -> Counter[str]:
    """How often each term occurs in ``text``, in order of first occurrence (each word
    analysed once: ``index_form`` keeps what it found)."""
    words = TOKEN_PATTERN.findall(text)
    terms = list(map(_FORMS.get, words))  # index_form's cache, looked up in C
    if None in terms:
        terms = [index_form(w) if t is None else t for t, w in zip(terms, words, strict=True)]
    counts = Counter(terms)
    counts.pop("", None)  # stop words
    return counts


class NewsText(TEXT):
    """A stemmed, positional TEXT field whose ``index()`` skips the Token machinery."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("analyzer", news_analyzer())
        kwargs.setdefault("phrase", True)
        super().__init__(**kwargs)

    def index(self, value: Any, **kwargs: Any):  # type: ignore[override]
        if not isinstance(value, str) or not isinstance(self.format, Positions):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return [
            (term.encode("utf-8"), len(poslist), len(poslist) * boost, encode_positions(poslist))
            for term, poslist in term_positions(value).items()
        ]


#: A term that occurs once is the common case: its encoding depends only on its position.
_SINGLE_POSITION: dict[int, bytes] = {}


def encode_positions(poslist: list[int]) -> bytes:
    """``Positions.encode`` (delta-coded, pickled), memoised for single positions."""
    if len(poslist) == 1:
        pos = poslist[0]
        found = _SINGLE_POSITION.get(pos)
        if found is None:
            found = _SINGLE_POSITION[pos] = _POSITIONS.encode(poslist)
        return found
    return _POSITIONS.encode(poslist)


_POSITIONS = Positions()
