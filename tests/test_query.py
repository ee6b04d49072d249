"""The query language, checked against sets computed independently from the articles.

The independent side reads each demo article's title, byline fields and body through
``analyzed_terms`` (the analyzer, not the index) and does the set algebra in Python.
"""

from __future__ import annotations

import re

import pytest

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


#: The fields a reader sees beside the story, searched by bare words with title and body.
BYLINE = ("dateline", "agency", "publisher", "authors", "contributors")


def byline_of(article) -> str:
    return "\n".join(v for name in BYLINE for v in getattr_list(article, name))


@pytest.fixture(scope="module")
def docs(demo_articles):
    """id -> (title terms, byline terms, body terms) as sequences, from the articles."""
    return {
        a.id: tuple(list(analyzed_terms(text)) for text in (a.title, byline_of(a), a.body))
        for a in demo_articles
    }


@pytest.fixture(scope="module")
def reuters_docs(reuters_slice):
    """id -> (title terms, body terms) of Reuters records: phrases of frequent words."""
    return {
        r["id"]: (list(analyzed_terms(r["title"])), list(analyzed_terms(r["body"])))
        for r in reuters_slice
    }


def stem(word: str) -> str:
    return next(analyzed_terms(word))


def having(docs, word: str) -> set[str]:
    term = stem(word)
    return {i for i, fields in docs.items() if any(term in f for f in fields)}


def having_phrase(docs, words: list[str]) -> set[str]:
    words = [stem(w) for w in words]

    def contains(seq: list[str]) -> bool:
        n = len(words)
        return any(seq[i : i + n] == words for i in range(len(seq) - n + 1))

    return {i for i, fields in docs.items() if any(contains(f) for f in fields)}


# -- parsing --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "meant"),
    [
        ('"cocoa prices', "cocoa prices"),
        ("oil AND", "oil"),
        ("oil && prices", "oil AND prices"),  # Lucene's symbols for AND and OR
        ("oil || gold", "oil OR gold"),
        ("OR gas", "gas"),
        ("(oil OR gas", "oil OR gas"),
        ("oil)) ((", "oil"),
        ("oil^", "oil"),
        ("oil OR", "oil"),
        ("- oil", "oil"),
        ("cocoa -", "cocoa"),
        ("cocoa NOT", "cocoa"),
        ("oil title:", "oil"),
        ("title: AND cocoa", "cocoa"),
        ("cocoa published:>=", "cocoa"),
        ("(author:) cocoa", "cocoa"),
        ("title: -cocoa", "-cocoa"),
        ("title: cocoa", "title:cocoa"),
        ('headline:  "central bank"', 'title:"central bank"'),
        ("published:> 2025-11-28", "published:>2025-11-28"),
        ("agency: AP", "agency:AP"),
        ("published:[2025-11-28 TO ]", "published:>=2025-11-28"),
        ("published:[* TO 2024-03}", "published:<2024-03"),
        ("published:[2024]", "year:2024"),
        ("cocoa published:[ TO ]", "cocoa"),
        ("cocoa published:[]", "cocoa"),
        ("published:[2025-11-28 TO", "published:>=2025-11-28"),
        ("cocoa published:{2024 TO", "cocoa published:>2024"),
        ("agency:(AP OR Reuters", "agency:AP OR agency:Reuters"),
        ("oil title:(", "oil"),
        ("oil OR OR gas", "oil OR gas"),
        ("oil *", "oil"),
        ("oil ?", "oil"),
        ("*:* -oil", "-oil"),
        ("cocoa *:*", "cocoa"),
        ("*:*", ""),
        ("oil OR AND gas", "oil OR gas"),
        ("agency:(AP OR)", "agency:AP"),
        ("agency:(OR Reuters)", "agency:Reuters"),
        ("agency:(Reuters -) cocoa", "agency:Reuters cocoa"),
        ('oil agency:""', "oil"),
        ('cocoa -publisher:""', "cocoa"),
        ("oil [ TO ]", "oil"),
        ("*", ""),
    ],
)
def test_malformed_queries_are_read_as_meant(demo_news, text, meant):
    expected = all_ids(demo_news, meant)
    assert expected and all_ids(demo_news, text) == expected


#: Queries with no word left to search for: operators, punctuation, stopwords.
SYNTAX_ALONE = ["AND", "OR", "NOT", "-", "+", '""', "()", "(", '"', "[", "~", "AND OR", "- -"]
SYNTAX_ALONE += ["(*)", "?"]
#: Field values with nothing in them, field names with no value.
EMPTY_VALUES = ['agency:""', 'publisher:"  "', 'title:""', "[ TO ]", "published:[ TO ]"]
EMPTY_VALUES += ["published:[* TO *]", "year:{}"]
FIELDS_ALONE = ["title:", "published:", "year:>=", "author:", "(title:)", "title: AND", "title:("]


@pytest.mark.parametrize(
    "text", [*SYNTAX_ALONE, *EMPTY_VALUES, *FIELDS_ALONE, "the of", "-the", "NOT ()"]
)
def test_queries_of_nothing_but_syntax_list_everything(demo_news, text):
    """As an empty query does (Solr's edismax, Google), not nothing; the result says why."""
    result = demo_news.search(text)  # read leniently, not refused
    browse = demo_news.search("")
    assert result.total == browse.total > 0 and result.sort == "newest"
    assert all_ids(demo_news, text) == all_ids(demo_news, "")
    assert result.facets == browse.facets
    assert result.query == text
    assert result.notice == (
        f"nothing to search for in {text!r} (operators and the commonest words are not "
        "searched), so everything is listed"
    )
    assert browse.notice is None and demo_news.search("oil").notice is None


def test_a_query_of_nothing_but_syntax_charts_and_exports_everything(demo_news):
    assert demo_news.timeline("AND OR").series[0].total == demo_news.timeline("").series[0].total
    exported = [article.id for article in demo_news.export("- -", sort="newest")]
    assert exported == [article.id for article in demo_news.export("", sort="newest")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("published:[garbage TO 1987]", "cannot read the date 'garbage'"),
        ("published:>soon", "cannot read the date 'soon'"),
        ("published:> soon", "cannot read the date 'soon'"),  # as Lucene: published:>soon
        ("published:0000", "cannot read the date '0000'"),  # parsed, but before year 1
        ("published:[0000-01 TO 2000]", "cannot read the date '0000-01'"),
        ("published:[1987-05 TO 1987-03]", "is empty: its start is after its end"),
        ("published:{1987 TO 1988}", r"is empty: no day lies between its ends once they are"),
        ("*ing", "a wildcard needs at least 2 letters before"),
        ("o*", "a wildcard needs at least 2 letters before"),
    ],
)
def test_unreadable_dates_are_refused_with_a_clear_message(text, message):
    with pytest.raises(BadQuery, match=message):
        parse_query(text)


@pytest.mark.parametrize("text", ["year:abc", "published:abc", "date:abc"])
def test_an_unreadable_date_is_said_once(text):
    with pytest.raises(BadQuery) as caught:
        parse_query(text)
    assert str(caught.value) == (
        "cannot read the date 'abc': write dates as YYYY, YYYY-MM or YYYY-MM-DD"
    )


def test_too_long_query_is_refused():
    with pytest.raises(BadQuery, match="too long"):
        parse_query("oil " * 1000)


def test_empty_query_matches_all():
    assert parse_query("").match_all and parse_query("   ").match_all
    for everything in ("*", "*:*"):  # asked for: no notice
        assert parse_query(everything).match_all and parse_query(everything).notice is None


def test_field_names_are_case_insensitive():
    assert str(parse_query("Title:Oil").query) == str(parse_query("title:oil").query)


# -- semantics, against sets computed from the articles ---------------------------------------


def test_words_are_all_required_and_stemmed(demo_news, docs):
    expected = having(docs, "cocoa") & having(docs, "export")
    assert set(all_ids(demo_news, "cocoa AND exporters")) == expected
    assert expected


def test_a_short_list_goes_on_with_articles_holding_one_of_two_words(demo_news, docs):
    """Fewer than ten articles hold both words typed: the list goes on with those holding
    one, each marked ``near``, after every article holding both."""
    both = having(docs, "cocoa") & having(docs, "export")
    either = having(docs, "cocoa") | having(docs, "export")
    assert 0 < len(both) < 10 < len(either)
    result = demo_news.search("cocoa exporters", per_page=100, collapse=False, facets=[])
    assert result.total == len(either) and result.near_matches == len(either) - len(both)
    listed = [(hit.id in both, hit.near) for hit in result.hits]
    assert listed == [(True, False)] * len(both) + [(False, True)] * (len(either) - len(both))
    assert {hit.id for hit in result.hits} == either


def test_case_and_accents_do_not_matter(demo_news):
    assert all_ids(demo_news, "COCOA") == all_ids(demo_news, "cócoa") != []
    assert all_ids(demo_news, "ARZTESTREIK") == all_ids(demo_news, "ärztestreik") != []


def test_phrase(demo_news, docs):
    expected = having_phrase(docs, ["central", "bank"])
    assert set(all_ids(demo_news, '"central bank"')) == expected
    assert expected < having(docs, "central") & having(docs, "bank")


def test_three_word_phrase_and_a_repeated_word(reuters_news, reuters_docs):
    expected = having_phrase(reuters_docs, ["crude", "oil", "prices"])
    assert set(all_ids(reuters_news, '"crude oil prices"')) == expected
    assert expected
    assert set(all_ids(reuters_news, '"pct pct"')) == having_phrase(reuters_docs, ["pct", "pct"])


def test_phrase_of_frequent_words_again_and_reversed(reuters_news, reuters_docs):
    """Frequent words' positions are kept after the first phrase: the same hits again."""
    expected = having_phrase(reuters_docs, ["mln", "dlrs"])
    assert len(expected) > 300
    assert set(all_ids(reuters_news, '"mln dlrs"')) == expected
    assert set(all_ids(reuters_news, '"mln dlrs"')) == expected
    assert set(all_ids(reuters_news, '"dlrs mln"')) == having_phrase(reuters_docs, ["dlrs", "mln"])


def test_phrase_with_slop(reuters_news, reuters_docs):
    """``"oil prices"~3``: prices after oil, at most three words on."""
    oil, prices = stem("oil"), stem("prices")

    def near(seq: list[str]) -> bool:
        return any(
            a == oil and b == prices and 0 < j - i <= 3
            for i, a in enumerate(seq)
            for j, b in enumerate(seq)
        )

    expected = {i for i, (t, b) in reuters_docs.items() if near(t) or near(b)}
    assert set(all_ids(reuters_news, '"oil prices"~3')) == expected
    assert expected > having_phrase(reuters_docs, ["oil", "prices"])


def test_or_and_not(demo_news, docs):
    assert set(all_ids(demo_news, "cocoa OR coffee")) == having(docs, "cocoa") | having(
        docs, "coffee"
    )
    expected = having(docs, "oil") - having(docs, "opec")
    assert expected and expected != having(docs, "oil")
    assert set(all_ids(demo_news, "oil -opec")) == expected
    assert set(all_ids(demo_news, "oil NOT opec")) == expected


def test_parentheses_group(demo_news, docs):
    expected = (having(docs, "cocoa") | having(docs, "coffee")) & having(docs, "harvest")
    assert set(all_ids(demo_news, "(cocoa OR coffee) harvest")) == expected
    assert expected


def test_title_field(demo_news, docs):
    expected = {i for i, (title, _, _) in docs.items() if "rain" in title}
    assert set(all_ids(demo_news, "title:rain")) == expected
    assert expected and expected < having(docs, "rain")


def test_dateline_field(demo_news, demo_articles):
    expected = {a.id for a in demo_articles if (a.dateline or "").lower() == "tokyo"}
    assert set(all_ids(demo_news, "dateline:tokyo")) == expected
    assert expected
    new_york = {a.id for a in demo_articles if a.dateline == "NEW YORK"}
    assert set(all_ids(demo_news, 'dateline:"New York"')) == new_york
    assert new_york


def test_topics_field_combined_with_words(demo_news, demo_articles, docs):
    expected = {a.id for a in demo_articles if "coffee" in a.topics} & having(docs, "brazil")
    assert set(all_ids(demo_news, "topics:coffee brazil")) == expected
    assert expected


def test_wildcard(demo_news, docs):
    expected = {i for i, f in docs.items() if any(w.startswith("econom") for w in sum(f, []))}
    assert set(all_ids(demo_news, "econom*")) == expected
    assert len(expected) > len(having(docs, "economy"))


def test_fuzzy(demo_news, docs):
    vocabulary = {w for fields in docs.values() for f in fields for w in f}
    # One edit, first letter kept (the parser's FUZZY_PREFIX).
    close = {w for w in vocabulary if w[0] == "c" and edit_distance(w, "cocoo") <= 1}
    expected = {i for i, fields in docs.items() if close & set(sum(fields, []))}
    assert having(docs, "cocoa") <= expected
    assert set(all_ids(demo_news, "cocoo~")) == expected


def test_fuzzy_edits_stop_at_two(demo_news):
    """``oil~5`` matched most of the archive; past two edits Lucene stops too."""
    assert all_ids(demo_news, "oil~5") == all_ids(demo_news, "oil~2")
    assert all_ids(demo_news, "oil~9") == all_ids(demo_news, "oil~2") != []


def test_date_ranges(demo_news, demo_articles):
    def dated(low: str, high: str) -> set[str]:
        return {a.id for a in demo_articles if a.published and low <= a.published[:10] <= high}

    assert set(all_ids(demo_news, "published:[2025-03-01 TO 2025-06-30]")) == dated(
        "2025-03-01", "2025-06-30"
    )
    assert set(all_ids(demo_news, "published:>2025-11-28")) == dated("2025-11-29", "9999")
    assert set(all_ids(demo_news, "published:>=2025-11-28")) == dated("2025-11-28", "9999")
    assert set(all_ids(demo_news, "published:<2024-03")) == dated("0000", "2024-02-31")
    assert set(all_ids(demo_news, "year:2025 cocoa")) == set(all_ids(demo_news, "cocoa")) & dated(
        "2025-01-01", "2025-12-31"
    )
    assert dated("2025-11-28", "2025-11-28")


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


# -- what a reader sees is searchable, by bare words (issue 10, item 3) ----------------------


def words_of(value: str) -> str:
    """A facet value as a phrase of plain words: ``NAIROBI, Kenya`` → ``"NAIROBI, Kenya"``."""
    return '"' + value.replace('"', " ") + '"'


def test_a_dateline_city_taken_out_of_the_body_is_found_by_its_name(demo_news, demo_articles):
    """Extraction moves ``GENEVA (AFP) -`` out of the body into the dateline."""
    moved = [
        a
        for a in demo_articles
        if a.dateline and a.dateline.split(",")[0].lower() not in f"{a.title} {a.body}".lower()
    ]
    assert len(moved) >= 3
    for article in moved:
        city = article.dateline.split(",")[0]
        assert article.id in all_ids(demo_news, words_of(city)), city


@pytest.mark.parametrize("field", ["dateline", "authors", "publisher", "agency"])
def test_field_values_are_found_by_bare_words(demo_news, demo_articles, field):
    """Whatever ``field:"value"`` finds, the value's words find too."""
    values = {v for a in demo_articles for v in getattr_list(a, field)}
    assert len(values) >= 3
    for value in values:
        by_field = set(all_ids(demo_news, f'{field}:"{value}"'))
        assert by_field, value
        assert by_field <= set(all_ids(demo_news, words_of(value))), value


def getattr_list(article, field: str) -> list[str]:
    value = getattr(article, field)
    return list(value) if isinstance(value, list) else [value] if value else []


# -- field names: unknown ones refused, obvious ones understood (issue 10, item 4) -------------


@pytest.mark.parametrize("text", ["nosuchfield:oil", "colour:red storm", "a:b:c"])
def test_an_unknown_field_is_refused_naming_the_fields(text):
    name = text.split(":")[0]
    with pytest.raises(BadQuery) as caught:
        parse_query(text)
    message = str(caught.value)
    assert message.startswith(f"unknown field '{name}': use one of title, body, ")
    assert "dateline" in message and "authors" in message and "published" in message


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ('author:"Ben Carter"', 'authors:"Ben Carter"'),
        ("byline:carter", "authors:carter"),
        ("date:2024", "published:2024"),
        ("date:[2024-01 TO 2024-06]", "published:[2024-01 TO 2024-06]"),
        ("topic:weather", "topics:weather"),
        ("headline:storm", "title:storm"),
        ("Source:Techline", "publisher:techline"),
    ],
)
def test_obvious_field_names_mean_ours(demo_news, typed, meant):
    found = all_ids(demo_news, typed)
    assert found and found == all_ids(demo_news, meant)


def test_one_word_of_a_name_finds_its_articles(demo_news, demo_articles):
    for field, word in [("authors", "carter"), ("publisher", "northfield"), ("dateline", "kenya")]:
        expected = {
            a.id
            for a in demo_articles
            if any(word in re.findall(r"\w+", v.lower()) for v in getattr_list(a, field))
        }
        assert expected, (field, word)
        assert set(all_ids(demo_news, f"{field}:{word}")) == expected


@pytest.mark.parametrize("text", ["Update: storm", "http://example.org/storm", "storm 10:30"])
def test_a_colon_that_is_not_a_field_stays_a_word(demo_news, text):
    assert demo_news.search(text) is not None  # read, not refused
