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
from collections import defaultdict
from collections.abc import Iterator
from functools import lru_cache
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


@lru_cache(maxsize=STEM_CACHE_SIZE)
def _index_form(word: str) -> str | None:
    """The term a raw token becomes, or None for a stop word (the analyzer's filters, inlined)."""
    text = word.lower().translate(accent_map)
    if len(text) < STOP_MIN_SIZE or text in STOP_WORDS:
        return None
    return stem(text)


def term_positions(text: str) -> dict[str, list[int]]:
    """Map each term of ``text`` to its positions, as ``news_analyzer()`` would number them."""
    positions: dict[str, list[int]] = defaultdict(list)
    pos = -1
    first = True
    form = _index_form
    for index, match in enumerate(TOKEN_PATTERN.finditer(text)):
        term = form(match.group())
        if term is None:
            continue
        # StopFilter(renumber=True): the first kept token keeps its place, the rest follow it.
        if first:
            pos = index
            first = False
        else:
            pos += 1
        positions[term].append(pos)
    return positions


def analyzed_terms(text: str) -> Iterator[str]:
    """The terms of ``text`` in order (for shingling and term statistics)."""
    form = _index_form
    for match in TOKEN_PATTERN.finditer(text):
        term = form(match.group())
        if term is not None:
            yield term


class NewsText(TEXT):
    """A stemmed, positional TEXT field whose ``index()`` skips the Token machinery."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("analyzer", news_analyzer())
        kwargs.setdefault("phrase", True)
        super().__init__(**kwargs)

    def index(self, value: Any, **kwargs: Any):  # type: ignore[override]
        if not isinstance(value, str) or not isinstance(self.format, Positions):
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        encode = self.format.encode
        for term, poslist in term_positions(value).items():
            yield term.encode("utf-8"), len(poslist), len(poslist) * boost, encode(poslist)
