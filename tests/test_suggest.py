""" "Did you mean": words compared as typed, ranked by closeness then frequency, never a
correction of a word the index holds, and only for a query that does poorly."""

from __future__ import annotations

import pytest
from corpus_loaders import allsides_mentioning, corpora_present

from search import NewsIndex
from search.searching.suggest import closeness, edit_distance, one_edit_away, shared_letters

#: Names from AllSides and the misspellings people type for them.
NAMES = ["starmer", "starr", "menendez", "netanyahu", "zelensky", "kavanaugh"]


def test_closeness_is_edits_then_letters_shared():
    assert edit_distance("starmr", "starmer") == edit_distance("starmr", "starr") == 1
    assert shared_letters("starmr", "starmer") > shared_letters("starmr", "starr")
    assert closeness("starmr", "starmer") < closeness("starmr", "starr")
    assert closeness("presdent", "president") < closeness("presdent", "present")
    assert closeness("cocao", "cocoa") < closeness("cocao", "coca")
    assert closeness("bakry", "bakery") < closeness("bakry", "bare")


def test_one_edit_away_reaches_each_kind_of_typo():
    variants = set(one_edit_away("presdent"))
    assert {"president", "present", "presdnet", "presdentx"} <= variants
    assert "presdent" not in variants


@pytest.fixture(scope="module")
def allsides_names(tmp_path_factory):
    """AllSides articles that name Starmer, Starr, Menendez, Netanyahu, Zelensky, Kavanaugh."""
    if not corpora_present():
        pytest.skip("corpus missing: ../shared/corpora/allsides")
    path = tmp_path_factory.mktemp("names")
    NewsIndex(path).rebuild(allsides_mentioning(NAMES, per_word=80), workers=2)
    with NewsIndex.open(path) as news:
        yield news


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("starmr", "starmer"),  # as close as "starr" (in 80 articles to 11): closeness first
        ("Starmr", "Starmer"),
        ("presdent", "president"),  # not "present": compared as typed, not as stems
        ("menendz", "menendez"),
        ("netanyahoo", "netanyahu"),
        ("kavanaugth", "kavanaugh"),
        ("zelensy", "zelensky"),
        ("presdent menendz", "president menendez"),
    ],
)
def test_misspelled_names_from_allsides(allsides_names, typed, meant):
    assert allsides_names.search(typed, facets=[]).suggestion == meant


#: ``kavanagh`` is in AllSides as written (another Kavanagh), not a misspelling to correct.
@pytest.mark.parametrize("word", ["starr", "starmer", "present", "kavanagh"])
def test_a_word_the_index_holds_is_never_corrected(allsides_names, word):
    result = allsides_names.search(f"{word} zzyzx", facets=[])
    assert all(hit.near for hit in result.hits) and result.suggestion is None


def test_a_very_long_word_is_answered_without_a_suggestion(allsides_names):
    """Its one-edit variants grow with its length: a 2,000-letter word took a minute to look
    up (and held a server worker), so words past ``LONGEST_CORRECTED`` are not corrected."""
    assert allsides_names.search("netanyahoooooooooooooooooo", facets=[]).suggestion is None
    result = allsides_names.search("x" * 2000, facets=[])
    assert result.total == 0 and result.suggestion is None
    assert allsides_names.search("netanyahoo", facets=[]).suggestion == "netanyahu"
