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
from collections.abc import Iterable
from dataclasses import dataclass

from .analysis import TOKEN_PATTERN
from .analysis import _index_form as index_form

#: A snippet runs to about this many characters (a few sentences).
MAX_SNIPPET_CHARS = 300
#: At most this many sentences make one passage.
MAX_SENTENCES = 3
ELLIPSIS = "\u2026"

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)]*\s+")
_SPACES = re.compile(r"\s+")

Span = tuple[int, int]


@dataclass(frozen=True)
class Passage:
    """A candidate snippet: ``text[start:end]`` and the matches inside it."""

    start: int
    end: int
    matches: tuple[Span, ...] = ()
    terms: frozenset[str] = frozenset()


def matched_spans(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """``(start, end, term)`` of each word in ``text`` whose index term is in ``terms``."""
    if not terms:
        return []
    found = []
    for match in TOKEN_PATTERN.finditer(text):
        term = index_form(match.group())
        if term in terms:
            found.append((match.start(), match.end(), term))
    return found


class SentenceFragmenter:
    """Candidate passages: up to ``MAX_SENTENCES`` consecutive sentences that fit the budget."""

    def __init__(self, max_chars: int = MAX_SNIPPET_CHARS, max_sentences: int = MAX_SENTENCES):
        self.max_chars = max_chars
        self.max_sentences = max_sentences

    def sentences(self, text: str) -> list[Span]:
        spans, start = [], 0
        for match in _SENTENCE_END.finditer(text):
            spans.append((start, match.start() + len(match.group().rstrip())))
            start = match.end()
        if start < len(text):
            spans.append((start, len(text)))
        return spans

    def passages(self, text: str) -> Iterable[Span]:
        sentences = self.sentences(text)
        for first, (start, end) in enumerate(sentences):
            yield start, end
            for _, later_end in sentences[first + 1 : first + self.max_sentences]:
                if later_end - start > self.max_chars:
                    break
                end = later_end
                yield start, end


class DensityScorer:
    """Distinct query terms first, then how many matches, then the earliest passage."""

    def score(self, passage: Passage) -> tuple[int, int, int]:
        return (len(passage.terms), len(passage.matches), -passage.start)


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
            pieces.append(html.escape(text[cursor:m_start], quote=False))
            pieces.append(f"<mark>{html.escape(text[m_start:m_end], quote=False)}</mark>")
            cursor = m_end
        pieces.append(html.escape(text[cursor:end], quote=False))
        if end < passage.end:
            pieces.append(ELLIPSIS)
        return "".join(pieces)


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
    best: Passage | None = None
    if spans:
        for start, end in fragmenter.passages(text):
            inside = [(s, e, t) for s, e, t in spans if start <= s and e <= end]
            if not inside:
                continue
            passage = Passage(
                start, end, tuple((s, e) for s, e, _ in inside), frozenset(t for *_, t in inside)
            )
            if best is None or scorer.score(passage) > scorer.score(best):
                best = passage
    if best is None:
        start, end = next(iter(fragmenter.passages(text)), (0, len(text)))
        best = Passage(start, end, tuple((s, e) for s, e, _ in spans if s >= start and e <= end))
    return best


def make_snippet(body: str, terms: frozenset[str], max_chars: int = MAX_SNIPPET_CHARS) -> str:
    """The snippet HTML for one hit (``terms`` are index terms, see ``ParsedQuery``)."""
    text = _SPACES.sub(" ", body or "").strip()
    if not text:
        return ""
    passage = best_passage(text, terms, SentenceFragmenter(max_chars), DensityScorer())
    return HtmlMarkFormatter(max_chars).format(text, passage)
