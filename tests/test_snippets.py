"""Snippets: the best passage, matches marked through the analyzer, everything else escaped."""

from __future__ import annotations

import re

import pytest

from search.indexing.analysis import analyzed_terms
from search.searching.snippets import MAX_SNIPPET_CHARS, make_snippet


def terms(text: str) -> frozenset[str]:
    """Index terms of a query, as the engine passes them."""
    return frozenset(analyzed_terms(text))


def test_escapes_markup_and_ampersands_and_marks_only_matches():
    body = 'Officials said <script>alert("x")</script> & more. Oil & gas talks resumed.'
    snippet = make_snippet(body, terms("oil"))
    # the whole short body is the snippet, its markup shown as text, not run
    assert snippet == (
        'Officials said &lt;script&gt;alert("x")&lt;/script&gt; &amp; more. '
        "<mark>Oil</mark> &amp; gas talks resumed."
    )
    # No markup other than <mark>: strip the marks and nothing tag-like remains.
    assert not re.search(r"<(?!/?mark>)", snippet)


def test_stemmed_matches_are_marked():
    body = "The ministers agreed to meet. Agreement came late. Nothing else happened."
    snippet = make_snippet(body, terms("agree"))
    assert "<mark>agreed</mark>" in snippet


def test_accent_folded_matches_are_marked():
    snippet = make_snippet("Le café de la gare a fermé. Rien d'autre.", terms("cafe"))
    assert "<mark>café</mark>" in snippet


def test_picks_the_passage_with_the_most_query_terms():
    body = (
        "Markets were quiet in early trade. "
        "Dealers mentioned oil briefly. "
        + "Nothing to report here at all today. " * 10
        + "Oil prices rose as OPEC output fell, dealers said. Nothing else."
    )
    snippet = make_snippet(body, terms("oil opec"))
    assert "<mark>OPEC</mark>" in snippet and "<mark>Oil</mark>" in snippet


def test_no_body_terms_gives_the_opening():
    body = "First sentence of the story. Second sentence. " + "Filler text here. " * 40
    snippet = make_snippet(body, frozenset())
    assert snippet.startswith("First sentence of the story.")
    assert "<mark>" not in snippet


@pytest.mark.parametrize(
    "lead",
    [
        "Quillon Software Inc. (QUIL) on Friday reported a fourth-quarter loss of $100.3 million.",
        "Gov. Ann Lee and Dr. Jane Roe opened the new clinic in St. Paul on Monday morning.",
        "John F. Kennedy Airport reopened at 6 a.m. after the storm passed over the U.S. coast.",
    ],
)
def test_an_abbreviation_does_not_end_the_opening_sentence(lead):
    """A listing without words to match shows the lead whole, not "Quillon Software Inc."."""
    snippet = make_snippet(lead + " " + "Filler text here. " * 40, frozenset())
    assert snippet.startswith(lead)


def test_long_passage_is_cut_around_the_match():
    body = "word " * 400 + "needle " + "word " * 400
    snippet = make_snippet(body, terms("needle"))
    assert "<mark>needle</mark>" in snippet
    plain = re.sub(r"</?mark>", "", snippet)
    assert len(plain) <= MAX_SNIPPET_CHARS + 2  # plus the ellipses
    assert plain.startswith("\u2026") and plain.endswith("\u2026")


def test_empty_body_gives_empty_snippet():
    assert make_snippet("", terms("oil")) == ""


def test_case_and_dotted_words_match_as_the_analyzer_reads_them():
    """Matches are found in any case, at word starts only (not inside words or after a dot),
    and whole dotted words count; letters whose case rules differ (Turkish dotless i, long s)
    take the careful path and still match as the analyzer says."""
    body = "OIL and Oil and oil; Spoil is not oil-like, say OIL.Co and U.S officials"
    snippet = make_snippet(body, terms("oil u.s"))
    assert snippet == (
        "<mark>OIL</mark> and <mark>Oil</mark> and <mark>oil</mark>; Spoil is not "
        "<mark>oil</mark>-like, say OIL.Co and <mark>U.S</mark> officials"
    )
    for text in ("Ilık rüzgar, Oil rose, oil fell", "İzmir: Oil rose, oil fell", "ſo Oil, oil"):
        assert make_snippet(text, terms("oil")).count("<mark>") == 2, text
