"""Snippets: the best passage of a body, with the matched terms marked.

Three small parts, as in Whoosh's ``highlight`` module: a fragmenter cuts the body into
candidate passages (runs of whole sentences), a scorer rates them by the query terms they
hold, and a formatter writes the winner as HTML: everything escaped, matches in ``<mark>``.
Matching goes through the index's own analysis (stemmed, accent-folded), so ``agreed`` is
marked for the query ``agree``.

>>> make_snippet("Talks stalled. Ministers agreed on oil & gas quotas.", frozenset({"agre"}))
'Talks stalled. Ministers <mark>agreed</mark> on oil &amp; gas quotas.'
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from whoosh.support.charset import accent_map

from search.indexing.analysis import TOKEN_PATTERN, index_form

#: A snippet runs to about this many characters (a few sentences).
MAX_SNIPPET_CHARS = 300
#: At most this many sentences make one passage.
MAX_SENTENCES = 3
ELLIPSIS = "\u2026"
#: Shortest word start a candidate match is looked for by (see ``_candidates``).
CANDIDATE_PREFIX = 2

#: A sentence's end: its stop, closing quotes or brackets, then space (the stop is matched,
#: not looked behind for, so the regex engine skips ahead to candidate stops).
_SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)]*\s+")
#: Words whose full stop ends no sentence: a company's suffix ("Quillon Software Inc. (QUIL)
#: on Friday"), a title ("Dr. Jane Roe", "Gov. Ann Lee"); a single letter too, an initial
#: ("John F. Kennedy", "U.S.") or "a.m.".
_ABBREVIATIONS_TEXT = """
    inc corp co ltd plc bros mr mrs ms dr prof st jr sr gov sen rep gen lt col sgt capt adm
    rev mt ft vs
"""
_ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())
_SPACES = re.compile(r"\s+")
#: Letters accent folding changes (Latin-1 and Latin Extended); curly quotes need none.
_ACCENTED = re.compile(r"[\u00c0-\u024f]")
#: Letters that match an ASCII letter when case is ignored but lower-case to another one.
_CASE_EXCEPTIONS = re.compile("[\u0131\u017f]")

Span = tuple[int, int]


@dataclass(frozen=True)
class Passage:
    """A candidate snippet: ``text[start:end]`` and the matches inside it."""

    start: int
    end: int
    matches: tuple[Span, ...] = ()
    terms: frozenset[str] = frozenset()


def _word_start(term: str) -> str:
    # Very short stems keep only their first letter ("ei" is the stem of "eyed").
    return term[: max(CANDIDATE_PREFIX, len(term) - 2)] if len(term) > 3 else term[:1]


@lru_cache(maxsize=1024)
def _candidates(terms: frozenset[str]) -> re.Pattern:
    """Words that may analyze to one of ``terms``: those starting like one of the stems.

    A stem less its last two letters starts the word it came from (Porter rewrites only
    endings: ``countri`` for country, ``hope`` for hoping), so the regex engine finds the
    few candidates and only those go through the analyzer.
    """
    return re.compile(rf"(?<![\w.])(?=(?:{_alternatives(terms)}))\w+(?:\.?\w+)*", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _lowercase_starts(terms: frozenset[str]) -> re.Pattern | None:
    """The word starts of ``terms`` as a plain regex for lower-cased text (found much
    faster than ``_candidates``, which looks behind and ignores case at every offset);
    None unless every start is ASCII, where lower-casing is what ignoring case means."""
    alternatives = _alternatives(terms)
    return re.compile(alternatives) if alternatives.isascii() else None


def _alternatives(terms: frozenset[str]) -> str:
    starts = sorted({_word_start(t) for t in terms}, key=len, reverse=True)
    return "|".join(re.escape(start) for start in starts)


def _candidate_spans(text: str, terms: frozenset[str]) -> list[Span]:
    """The spans of ``_candidates(terms)`` in ``text``: found as word starts in the
    lower-cased text when that keeps every offset and means ignoring case, else by it."""
    starts = _lowercase_starts(terms)
    lowered = text.lower()
    exceptions = not text.isascii() and _CASE_EXCEPTIONS.search(text)
    if starts is None or len(lowered) != len(text) or exceptions:
        return [match.span() for match in _candidates(terms).finditer(text)]
    spans: list[Span] = []
    for found in starts.finditer(lowered):
        at = found.start()
        before = lowered[at - 1] if at else " "
        if before == "." or before == "_" or before.isalnum():
            continue  # inside a word (or a dotted one): not where a word starts
        spans.append(TOKEN_PATTERN.match(text, at).span())
    return spans


def _foldable(text: str) -> str | None:
    """``text`` accent-folded if that keeps every offset, else None."""
    if text.isascii() or not _ACCENTED.search(text):
        return text
    folded = text.translate(accent_map)
    return folded if len(folded) == len(text) else None


def matched_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of each word in ``text`` whose index term is in ``terms``."""
    if not terms:
        return []
    folded = _foldable(text)
    if folded is None:
        spans = [match.span() for match in TOKEN_PATTERN.finditer(text)]
    else:
        text, spans = folded, _candidate_spans(folded, terms)
    found = []
    for start, end in spans:
        term = index_form(text[start:end])
        if term in terms:
            found.append((start, end, term))
    return found


def _abbreviation_before(text: str, stop: int) -> bool:
    """Whether the word before the full stop at ``stop`` is one that does not end a sentence."""
    start = stop
    while start and text[start - 1].isalpha():
        start -= 1
    word = text[start:stop]
    return len(word) == 1 or word.lower() in _ABBREVIATIONS


class SentenceFragmenter:
    """Candidate passages: up to ``MAX_SENTENCES`` consecutive sentences that fit the budget."""

    def __init__(self, max_chars: int = MAX_SNIPPET_CHARS, max_sentences: int = MAX_SENTENCES):
        self.max_chars = max_chars
        self.max_sentences = max_sentences

    def sentences(self, text: str) -> list[Span]:
        spans, start = [], 0
        for match in _SENTENCE_END.finditer(text):
            if text[match.start()] == "." and _abbreviation_before(text, match.start()):
                continue
            spans.append((start, match.start() + len(match.group().rstrip())))
            start = match.end()
        if start < len(text):
            spans.append((start, len(text)))
        return spans

    def passages(self, text: str, around: list[int] | None = None) -> Iterable[Span]:
        """Runs of sentences; with ``around`` (match offsets) only runs holding one of them."""
        sentences = self.sentences(text)
        if around is None:
            firsts: Iterable[int] = range(len(sentences))
        else:
            ends = [end for _, end in sentences]
            hit = sorted({min(bisect_left(ends, offset), len(sentences) - 1) for offset in around})
            firsts = sorted(
                {f for i in hit for f in range(max(0, i - self.max_sentences + 1), i + 1)}
            )
        for first in firsts:
            start, end = sentences[first]
            yield start, end
            for _, later_end in sentences[first + 1 : first + self.max_sentences]:
                if later_end - start > self.max_chars:
                    break
                end = later_end
                yield start, end


class DensityScorer:
    """Distinct query terms first, then how many matches, then the earliest passage."""

    def score(self, start: int, inside: list[tuple[int, int, str]]) -> tuple[int, int, int]:
        """The passage from ``start`` holding the matches ``inside`` (its candidates are
        scored by their matches alone: a ``Passage`` is built for the winner only)."""
        return (len({term for *_, term in inside}), len(inside), -start)


class HtmlMarkFormatter:
    """Escaped text with ``<mark>`` around matches; a long passage is cut around them."""

    def __init__(self, max_chars: int = MAX_SNIPPET_CHARS):
        self.max_chars = max_chars

    def window(self, text: str, passage: Passage) -> Span:
        start, end = passage.start, passage.end
        if end - start <= self.max_chars:
            return start, end
        if passage.matches:
            first = passage.matches[0][0]
            start = max(start, min(first - self.max_chars // 3, end - self.max_chars))
        end = min(end, start + self.max_chars)
        return _word_boundaries(text, start, end, passage.start, passage.end)

    def format(self, text: str, passage: Passage) -> str:
        start, end = self.window(text, passage)
        pieces = [ELLIPSIS] if start > passage.start else []
        cursor = start
        for m_start, m_end in passage.matches:
            if m_start < start or m_end > end:
                continue
            pieces.append(_escaped(text[cursor:m_start]))
            pieces.append(f"<mark>{_escaped(text[m_start:m_end])}</mark>")
            cursor = m_end
        pieces.append(_escaped(text[cursor:end]))
        if end < passage.end:
            pieces.append(ELLIPSIS)
        return "".join(pieces)


def _escaped(text: str) -> str:
    """HTML-escaped, with runs of whitespace (wire copy's line breaks) as one space."""
    return html.escape(_SPACES.sub(" ", text), quote=False)


def _word_boundaries(text: str, start: int, end: int, low: int, high: int) -> Span:
    """Move a cut off the middle of words (toward the inside of the window)."""
    while low < start < end and not text[start - 1].isspace():
        start += 1
    while start < end < high and not text[end].isspace():
        end -= 1
    return start, end


def best_passage(
    text: str,
    terms: frozenset[str],
    fragmenter: SentenceFragmenter,
    scorer: DensityScorer,
) -> Passage:
    """The passage the scorer likes best; the opening when nothing matches."""
    spans = matched_spans(text, terms)
    starts = [s for s, _, _ in spans]
    ends = [e for _, e, _ in spans]

    def passage(start: int, end: int) -> Passage:
        inside = spans[bisect_left(starts, start) : bisect_right(ends, end)]
        return Passage(
            start, end, tuple((s, e) for s, e, _ in inside), frozenset(t for *_, t in inside)
        )

    chosen: Span | None = None
    if spans:
        best = None
        for start, end in fragmenter.passages(text, around=starts):
            first, last = bisect_left(starts, start), bisect_right(ends, end)
            if first == last:
                continue  # no match inside
            score = scorer.score(start, spans[first:last])
            if best is None or score > best:
                chosen, best = (start, end), score
    if chosen is None:
        chosen = next(iter(fragmenter.passages(text)), (0, len(text)))
    return passage(*chosen)


def make_snippet(body: str, terms: frozenset[str], max_chars: int = MAX_SNIPPET_CHARS) -> str:
    """The snippet HTML for one hit (``terms`` are index terms, see ``ParsedQuery``)."""
    text = (body or "").strip()
    if not text:
        return ""
    passage = best_passage(text, terms, SentenceFragmenter(max_chars), DensityScorer())
    return HtmlMarkFormatter(max_chars).format(text, passage)
