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
def bbc_texts() -> list[str]:
    if not BBC.exists():
        pytest.skip(f"corpus missing: {BBC}")
    paths = sorted(BBC.glob("*/*.txt"))[::10]
    return [p.read_bytes().decode("utf-8", "replace") for p in paths]


def test_fast_index_path_equals_the_analyzer(bbc_texts):
    field, analyzer = NewsText(), news_analyzer()
    for text in bbc_texts + ["The of a Minister of defence said", "Café société BRIK.O U.S."]:
        expected = sorted(
            (term.encode(), freq, weight, value)
            for term, freq, weight, value in Positions().word_values(text, analyzer)
        )
        assert sorted(field.index(text)) == expected


def _articles(texts: list[str]) -> list[Article]:
    return [
        Article(
            id=f"bbc-{n}",
            title=text.split("\n", 1)[0],
            body=text,
            agency="AP" if n % 3 else "",
            publisher="BBC News",
            topics=[f"t{n % 4}"],
            published=f"2005-0{n % 9 + 1}-01",
        )
        for n, text in enumerate(texts)
    ]


@pytest.mark.parametrize(
    "query",
    [
        '"prime minister"',
        "title:profit",
        "economy growth",
        "agency:ap",
        "topics:t1 -body:film",
        'agency:ap AND "prime minister"',
        "gover*",
    ],
)
def test_bulk_writer_index_searches_like_a_whoosh_writer_index(tmp_path, bbc_texts, query):
    articles = _articles(bbc_texts)
    results = []
    for name, make_writer in (("whoosh", lambda ix: ix.writer()), ("bulk", BulkWriter)):
        (tmp_path / name).mkdir()
        ix = index.create_in(str(tmp_path / name), build_schema())
        with make_writer(ix) as writer:
            for article in articles:
                writer.add_document(**article_to_document(article))
        with ix.searcher() as searcher:
            hits = searcher.search(QueryParser("body", ix.schema).parse(query), limit=None)
            results.append([(hit["id"], round(hit.score, 6)) for hit in hits])
    assert results[0] == results[1]
    assert results[0], f"{query!r} should match something"
