"""The query language, checked against sets computed independently from the source JSONL.

The independent side reads each record's title and body through ``analyzed_terms`` (the
analyzer, not the index) and does the set algebra in Python.
"""

from __future__ import annotations

import pytest
from corpus_loaders import reuters_dateline

from search.errors import BadQuery
from search.indexing.analysis import analyzed_terms
from search.searching.parser import parse_query
from search.searching.suggest import edit_distance


def all_ids(news, query: str, **options) -> list[str]:
    """Every hit of a query, page by page (collapse off: every document once)."""
    ids: list[str] = []
    page = 1
    while True:
        result = news.search(query, page=page, per_page=100, collapse=False, facets=[], **options)
        ids += [hit.id for hit in result.hits]
        if page >= result.pages:
            return ids
        page += 1


@pytest.fixture(scope="module")
def docs(reuters_slice):
    """id -> (title terms, body terms) as sequences, from the JSONL."""
    return {
        r["id"]: (list(analyzed_terms(r["title"])), list(analyzed_terms(r["body"])))
        for r in reuters_slice
    }


def stem(word: str) -> str:
    return next(analyzed_terms(word))


def having(docs, word: str) -> set[str]:
    term = stem(word)
    return {i for i, (t, b) in docs.items() if term in t or term in b}


def having_phrase(docs, words: list[str]) -> set[str]:
    words = [stem(w) for w in words]

    def contains(seq: list[str]) -> bool:
        n = len(words)
        return any(seq[i : i + n] == words for i in range(len(seq) - n + 1))

    return {i for i, (t, b) in docs.items() if contains(t) or contains(b)}


# -- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        '"unclosed phrase',
        "oil AND",
        "OR gas",
        "(oil OR gas",
        "oil)) ((",
        "-",
        "NOT",
        "a:b:c",
        "[",
        "title:",
        "oil^",
        "~",
        '""',
        "*",
    ],
)
def test_malformed_queries_are_read_leniently(reuters_news, text):
    result = reuters_news.search(text)  # must not raise
    assert result.total >= 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("published:[garbage TO 1987]", "cannot read the date 'garbage'"),
        ("published:>soon", "cannot read the date 'soon'"),
        ("published:[1987-05 TO 1987-03]", "is empty"),
        ("*ing", "a wildcard needs at least 2 letters before"),
        ("o*", "a wildcard needs at least 2 letters before"),
    ],
)
def test_unreadable_dates_are_refused_with_a_clear_message(text, message):
    with pytest.raises(BadQuery, match=message):
        parse_query(text)


def test_too_long_query_is_refused():
    with pytest.raises(BadQuery, match="too long"):
        parse_query("oil " * 1000)


def test_empty_query_matches_all():
    assert parse_query("").match_all and parse_query("   ").match_all


def test_field_names_are_case_insensitive():
    assert str(parse_query("Title:Oil").query) == str(parse_query("title:oil").query)


# -- semantics on real data -----------------------------------------------------------------


def test_words_are_all_required_and_stemmed(reuters_news, docs):
    expected = having(docs, "cocoa") & having(docs, "export")
    assert set(all_ids(reuters_news, "cocoa exporters")) == expected
    assert expected


def test_case_and_accents_do_not_matter(reuters_news):
    assert all_ids(reuters_news, "COCOA") == all_ids(reuters_news, "cócoa")


def test_phrase(reuters_news, docs):
    expected = having_phrase(docs, ["crude", "oil"])
    assert set(all_ids(reuters_news, '"crude oil"')) == expected
    assert expected < having(docs, "crude") & having(docs, "oil")


def test_three_word_phrase_and_a_repeated_word(reuters_news, docs):
    expected = having_phrase(docs, ["crude", "oil", "prices"])
    assert set(all_ids(reuters_news, '"crude oil prices"')) == expected
    assert expected
    assert set(all_ids(reuters_news, '"pct pct"')) == having_phrase(docs, ["pct", "pct"])


def test_phrase_of_frequent_words_again_and_reversed(reuters_news, docs):
    """Frequent words' positions are kept after the first phrase: the same hits again."""
    expected = having_phrase(docs, ["mln", "dlrs"])
    assert len(expected) > 300
    assert set(all_ids(reuters_news, '"mln dlrs"')) == expected
    assert set(all_ids(reuters_news, '"mln dlrs"')) == expected
    assert set(all_ids(reuters_news, '"dlrs mln"')) == having_phrase(docs, ["dlrs", "mln"])


def test_phrase_with_slop(reuters_news, docs):
    """``"oil prices"~3``: prices after oil, at most three words on."""
    oil, prices = stem("oil"), stem("prices")

    def near(seq: list[str]) -> bool:
        return any(
            a == oil and b == prices and 0 < j - i <= 3
            for i, a in enumerate(seq)
            for j, b in enumerate(seq)
        )

    expected = {i for i, (t, b) in docs.items() if near(t) or near(b)}
    assert set(all_ids(reuters_news, '"oil prices"~3')) == expected
    assert expected > having_phrase(docs, ["oil", "prices"])


def test_or_and_not(reuters_news, docs):
    assert set(all_ids(reuters_news, "cocoa OR coffee")) == having(docs, "cocoa") | having(
        docs, "coffee"
    )
    expected = having(docs, "oil") - having(docs, "opec")
    assert set(all_ids(reuters_news, "oil -opec")) == expected
    assert set(all_ids(reuters_news, "oil NOT opec")) == expected


def test_parentheses_group(reuters_news, docs):
    expected = (having(docs, "cocoa") | having(docs, "coffee")) & having(docs, "brazil")
    assert set(all_ids(reuters_news, "(cocoa OR coffee) brazil")) == expected
    assert expected


def test_title_field(reuters_news, docs):
    expected = {i for i, (t, _) in docs.items() if "cocoa" in t}
    assert set(all_ids(reuters_news, "title:cocoa")) == expected


def test_dateline_field(reuters_news, reuters_slice):
    expected = {r["id"] for r in reuters_slice if (reuters_dateline(r) or "").lower() == "tokyo"}
    assert set(all_ids(reuters_news, "dateline:tokyo")) == expected
    assert expected
    new_york = {r["id"] for r in reuters_slice if reuters_dateline(r) == "New York"}
    assert set(all_ids(reuters_news, 'dateline:"New York"')) == new_york


def test_topics_field_combined_with_words(reuters_news, reuters_slice, docs):
    expected = {r["id"] for r in reuters_slice if "coffee" in r["topics"]} & having(docs, "brazil")
    assert set(all_ids(reuters_news, "topics:coffee brazil")) == expected


def test_wildcard(reuters_news, docs):
    expected = {i for i, (t, b) in docs.items() if any(w.startswith("cocoa") for w in t + b)}
    assert set(all_ids(reuters_news, "cocoa*")) == expected


def test_fuzzy(reuters_news, docs):
    vocabulary = {w for t, b in docs.values() for w in t + b}
    # One edit, first letter kept (the parser's FUZZY_PREFIX).
    close = {w for w in vocabulary if w[0] == "c" and edit_distance(w, "cocoo") <= 1}
    expected = {i for i, (t, b) in docs.items() if close & set(t + b)}
    assert having(docs, "cocoa") <= expected
    assert set(all_ids(reuters_news, "cocoo~")) == expected


def test_date_ranges(reuters_news, reuters_slice):
    def dated(low: str, high: str) -> set[str]:
        return {r["id"] for r in reuters_slice if low <= r["date"][:10] <= high}

    assert set(all_ids(reuters_news, "published:[1987-03-02 TO 1987-03-04]")) == dated(
        "1987-03-02", "1987-03-04"
    )
    assert set(all_ids(reuters_news, "published:>1987-03-05")) == dated("1987-03-06", "9999")
    assert set(all_ids(reuters_news, "published:>=1987-03-05")) == dated("1987-03-05", "9999")
    assert set(all_ids(reuters_news, "published:<1987-03")) == dated("0000", "1987-02-31")
    assert set(all_ids(reuters_news, "year:1987 cocoa")) == set(all_ids(reuters_news, "cocoa"))


def test_stop_words_alone_match_nothing(reuters_news):
    assert reuters_news.search("the of").total == 0


def test_quoted_facet_values_match_whole(allsides_news, allsides_slice):
    from corpus_loaders import allsides_authors, allsides_publisher

    nyt = {
        f"allsides-{r['ID']}" for r in allsides_slice if allsides_publisher(r) == "New York Times"
    }
    assert nyt
    assert set(all_ids(allsides_news, 'publisher:"New York Times"')) == nyt
    assert set(all_ids(allsides_news, 'publisher:"new york times"')) == nyt
    author = allsides_authors(allsides_slice[0])[0]
    by_author = {f"allsides-{r['ID']}" for r in allsides_slice if author in allsides_authors(r)}
    assert set(all_ids(allsides_news, f'authors:"{author}"')) == by_author
