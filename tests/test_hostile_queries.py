"""Anything typed into the box or passed to ``NewsIndex.search``: a result or a ``UserError``.

Property-based (hypothesis): queries made of the language's own syntax in every order,
arbitrary Unicode, and arguments of every type and size. Pathological queries (wildcards on
short prefixes, a thousand OR terms, parentheses nested 1,000 deep, phrases of common
words) are answered or refused with ``QueryTooSlow`` once ``query_time_limit_ms`` has
passed: the evaluator looks at the clock as it goes (``bench/hostile_queries.py`` prints
how long each takes on all of AllSides, with and without the limit).
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_indexer import DEMO, newsindex

from search import NewsIndex
from search.errors import NewsIndexError, QueryTooSlow, UserError
from search.searching.facets import FACETS
from search.searching.parser import MAX_QUERY_CHARS, parse_query

pytestmark = pytest.mark.reliability

PROPERTIES = settings(
    max_examples=int(os.environ.get("NEWSINDEX_HYPOTHESIS_EXAMPLES", "300")),
    deadline=None,  # the machine is shared: no per-example timing
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

#: The query language's own pieces, so that examples reach past the tokenizer.
SYNTAX = [
    *("(", ")", '"', "'", "*", "?", "~", "~2", "~9", "^", "^2", "^-1", ":", "-", "+", "\\"),
    *("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "TO", "and", "or", "[", "]", "{", "}"),
    *("<", ">", ">=", "<=", "=", "/", "!", "&&", "||", "*:*", ".", ",", ";", "\t", "\n"),
    *("title:", "body:", "published:", "year:", "month:", "agency:", "dateline:", "id:"),
    *("publisher:", "authors:", "topics:", "story:", "url:", "nosuchfield:", "Title:"),
    *("published:[", "published:>", "published:<=", "year:>", "published:{", " TO "),
    *("2019", "2019-05", "2019-13", "2019-02-30", "0000", "9999", "-1", "1e9", "10000000000"),
    *("99999999999999999999", "1987-03-01T10:00:00", "now", "NaN", "inf"),
    *("oil", "prices", "tokyo", "minerals", "harbour", "ferry", "white", "house", "the"),
    *("a", "é", "日本", "🙂", "\x00", "\u200b", "\ufeff", "ß", "İ", "ﬁ", "\ud7ff", "x" * 300),
]
syntax_runs = st.lists(st.sampled_from(SYNTAX), max_size=25)
queries = st.one_of(
    st.text(max_size=120),
    syntax_runs.map(" ".join),
    syntax_runs.map("".join),
    st.builds(lambda a, b: a + b, syntax_runs.map(" ".join), st.text(max_size=30)),
)
#: Values of any JSON-ish type, as a web form or a careless caller might pass them.
anything = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.lists(st.one_of(st.text(max_size=20), st.integers()), max_size=5),
    st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
)
facet_names = st.one_of(st.sampled_from(list(FACETS)), st.text(max_size=15))
filters = st.one_of(
    anything,
    st.dictionaries(
        facet_names,
        st.one_of(st.text(max_size=30), st.lists(st.text(max_size=30), max_size=4), anything),
        max_size=4,
    ),
)
search_arguments = st.fixed_dictionaries(
    {},
    optional={
        "filters": filters,
        "facets": st.one_of(anything, st.lists(facet_names, max_size=8)),
        "sort": st.one_of(st.sampled_from(["relevance", "newest", "oldest"]), anything),
        "page": st.one_of(st.integers(min_value=-3, max_value=10**6), anything),
        "per_page": st.one_of(st.integers(min_value=-3, max_value=10**6), anything),
        "collapse": anything,
        "facet_mode": st.one_of(st.sampled_from(["stories", "copies"]), anything),
        "facet_size": st.one_of(st.integers(min_value=-3, max_value=10**6), anything),
    },
)


@pytest.fixture(scope="module")
def demo_news(tmp_path_factory):
    index = tmp_path_factory.mktemp("demo") / "index"
    newsindex("rebuild", str(DEMO), "--index", str(index), "--silent")
    with NewsIndex.open(index) as news:
        yield news


def one_line(refused: Exception) -> None:
    """A refusal is one line, quoting no more of the input than the input itself."""
    message = str(refused)
    assert message and "\n" not in message and len(message) < MAX_QUERY_CHARS + 200


def answered(result) -> dict:
    """The result as the API would send it (it must survive JSON)."""
    data = result.to_dict()
    json.dumps(data)
    return data


@PROPERTIES
@given(queries)
def test_the_parser_reads_or_refuses_anything(text):
    try:
        parsed = parse_query(text)
    except UserError as refused:
        assert refused.status == 400
        one_line(refused)
        return
    assert parsed.query is not None


@PROPERTIES
@given(query=queries)
def test_search_answers_or_refuses_any_query(demo_news, query):
    try:
        data = answered(demo_news.search(query))
    except UserError as refused:
        one_line(refused)
        return
    assert 0 <= data["total"] <= data["total_copies"]
    assert len(data["hits"]) <= data["per_page"]


@PROPERTIES
@given(query=st.one_of(st.just(""), queries), arguments=search_arguments)
def test_search_answers_or_refuses_any_arguments(demo_news, query, arguments):
    try:
        data = answered(demo_news.search(query, **arguments))
    except UserError as refused:
        one_line(refused)
        return
    assert len(data["hits"]) <= data["per_page"]


@PROPERTIES
@given(
    query=queries,
    compare=st.one_of(st.lists(queries, max_size=6), anything),
    interval=st.one_of(st.sampled_from(["auto", "month", "day"]), anything),
    chosen=filters,
)
def test_timeline_answers_or_refuses_any_arguments(demo_news, query, compare, interval, chosen):
    try:
        chart = demo_news.timeline(query, compare=compare, interval=interval, filters=chosen)
    except UserError:
        return
    json.dumps(chart.to_dict())


@PROPERTIES
@given(article_id=st.one_of(st.text(max_size=60), anything), limit=anything)
def test_an_article_page_answers_or_says_what_is_wrong(demo_news, article_id, limit):
    try:
        json.dumps(demo_news.show(article_id, related=limit).to_dict())
    except NewsIndexError as refused:
        assert refused.status in (400, 404)


def pathological_queries() -> dict[str, str]:
    """Queries that cost an engine the most, each within ``max_query_chars``."""
    words = ["white", "house", "trump", "biden", "president", "senate", "news", "said"]
    return {
        "eight short wildcards": "wh* ho* pr* st* co* re* th* in*",
        "two-letter wildcards": " ".join(f"{a}{b}*" for a in "bcdfgh" for b in "aeiou"),
        "a thousand OR terms": " OR ".join(words[i % len(words)] for i in range(1000))[:2000],
        "a thousand OR words": " OR ".join(f"w{i}" for i in range(1000))[:2000],
        "parentheses 1,000 deep": "(" * 999 + "a" + ")" * 999,
        "parentheses 500 deep": "(" * 500 + "house" + ")" * 499,
        "a common pair": '"white house"',
        "a long common phrase": '"the president of the united states said"',
        "fuzzy twice": "presdent~2 whte~2 huose~2 senat~2 electon~2",
        "three hundred NOTs": "trump " + " ".join(f"-w{i}" for i in range(300)),
        "every date": "published:[0001 TO 9999]",
    }


@pytest.mark.parametrize("name", list(pathological_queries()))
def test_pathological_queries_are_answered_or_refused(allsides_news, name):
    query = pathological_queries()[name]
    try:
        answered(allsides_news.search(query, facets=list(FACETS)))
    except QueryTooSlow:
        pass  # refused by the time limit
    except UserError as refused:
        one_line(refused)


def test_the_time_limit_stops_a_costly_query(allsides_index):
    costly = " OR ".join(f"{a}{b}*" for a in "bcdfghlmprst" for b in "aeiou")
    with (
        NewsIndex.open(allsides_index, {"query_time_limit_ms": 1}) as news,
        pytest.raises(QueryTooSlow) as refused,
    ):
        news.search(costly)
    assert refused.value.status == 400 and refused.value.code == "query_too_slow"
    assert str(refused.value).startswith("the query was stopped after 1 ms")
    with NewsIndex.open(allsides_index, {"query_time_limit_ms": 0}) as news:
        assert news.search(costly).total > 0  # without a limit it is answered
    # (Whether an ordinary query fits in 1 ms depends on the machine's load: not asserted.)


def test_the_command_line_refuses_a_slow_query_in_one_line(allsides_index):
    costly = " OR ".join(f"{a}{b}*" for a in "bcdfghlmprst" for b in "aeiou")
    env = {**os.environ, "NEWSINDEX_QUERY_TIME_LIMIT_MS": "1"}
    done = newsindex("search", costly, "--index", str(allsides_index), check=False, env=env)
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("Error: the query was stopped after 1 ms (query_time_limit_ms)")


def test_parentheses_nested_too_deep_are_refused_in_one_short_line():
    with pytest.raises(UserError) as refused:
        parse_query("(" * 999 + "a" + ")" * 999)  # 1,000 deep, within max_query_chars
    assert str(refused.value) == "cannot read the query: its parentheses nest too deep"


def test_parentheses_nested_500_deep_are_read():
    """Deep but readable: each walk of the parsed query fits in Python's stack."""
    parsed = parse_query("(" * 500 + "house" + ")" * 499)
    assert str(parsed.query) == "(title:hous OR byline:hous OR body:hous)"
