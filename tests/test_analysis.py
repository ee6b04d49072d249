"""The fast indexing paths give exactly what Whoosh's own machinery gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index
from whoosh.formats import Positions
from whoosh.qparser import QueryParser

from search.article import Article
from search.indexing.analysis import NewsText, news_analyzer
from search.indexing.schema import article_to_document, build_schema
from search.indexing.whoosh_internals import BulkWriter

BBC = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "bbc"


@pytest.fixture(scope="module")
def texts(demo_articles) -> list[str]:
    """Real copy: the demo archive's stories, and every tenth BBC story where present."""
    found = [f"{a.title}\n{a.body}" for a in demo_articles]
    if BBC.exists():
        paths = sorted(BBC.glob("*/*.txt"))[::10]
        found += [p.read_bytes().decode("utf-8", "replace") for p in paths]
    return found


def test_fast_index_path_equals_the_analyzer(texts):
    field, analyzer = NewsText(), news_analyzer()
    for text in texts + ["The of a Minister of defence said", "Café société BRIK.O U.S."]:
        expected = sorted(
            (term.encode(), freq, weight, value)
            for term, freq, weight, value in Positions().word_values(text, analyzer)
        )
        assert sorted(field.index(text)) == expected


def _articles(texts: list[str]) -> list[Article]:
    return [
        Article(
            id=f"text-{n}",
            title=text.split("\n", 1)[0],
            body=text,
            agency="AP" if n % 3 else "",
            publisher="The Ledger",
            topics=[f"t{n % 4}"],
            published=f"2005-0{n % 9 + 1}-01",
        )
        for n, text in enumerate(texts)
    ]


@pytest.fixture(scope="module")
def two_indexes(tmp_path_factory, texts):
    """The same articles written by Whoosh's own writer and by ``BulkWriter``."""
    articles = _articles(texts)
    built = {}
    for name, make_writer in (("whoosh", lambda ix: ix.writer()), ("bulk", BulkWriter)):
        path = tmp_path_factory.mktemp(name)
        ix = index.create_in(str(path), build_schema())
        with make_writer(ix) as writer:
            for article in articles:
                writer.add_document(**article_to_document(article))
        built[name] = ix
    return built


@pytest.mark.parametrize(
    "query",
    [
        '"central bank"',
        "title:profit",
        "economists forecast",
        "agency:ap",
        "topics:t1 -body:cocoa",
        'agency:ap AND "interest rates"',
        "gover*",
    ],
)
def test_bulk_writer_index_searches_like_a_whoosh_writer_index(two_indexes, query):
    results = []
    for ix in two_indexes.values():
        with ix.searcher() as searcher:
            hits = searcher.search(QueryParser("body", ix.schema).parse(query), limit=None)
            results.append([(hit["id"], round(hit.score, 6)) for hit in hits])
    assert results[0] == results[1]
    assert results[0], f"{query!r} should match something"
