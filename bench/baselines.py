"""The engines newsindex is compared with, built and queried the same way by every bench.

- SQLite FTS5 (stdlib ``sqlite3``, ``porter unicode61``), ranked by ``bm25(fts, 2.5, 1.0)``:
  the title weighs 2.5 times the body, as newsindex's ``TITLE_BOOST``;
- plain Whoosh: ``StemmingAnalyzer`` on title (``field_boost`` 2.5) and body, BM25F with its
  defaults, ``MultifieldParser`` over both fields.

Both index the records as they arrive (title and body, no extraction); ``meta`` and
``multi`` hold the facet values that ``bench/search.py`` counts with GROUP BY.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from search.article import Article

TITLE_BOOST = 2.5
#: The words of a query as FTS5 and the relevance bench see them.
_WORD = re.compile(r"\w+")


def query_words(query: str) -> list[str]:
    return _WORD.findall(query)


def fts5_match(query: str, any_word: bool = False) -> str:
    """An FTS5 MATCH expression: every word (implicit AND) or any word (OR); a quoted
    phrase stays a phrase in the all-words form."""
    if any_word:
        return " OR ".join(f'"{w}"' for w in query_words(query))
    parts = []
    for phrase, words in re.findall(r'"([^"]*)"|([^"]+)', query):
        if phrase:
            parts.append('"' + " ".join(query_words(phrase)) + '"')
        else:
            parts.extend(f'"{w}"' for w in query_words(words))
    return " ".join(parts)


def build_fts5(articles: Iterable[Article], path: Path) -> int:
    """An FTS5 table of title and body, with the facet values beside it; returns the count."""
    db = sqlite3.connect(path)
    db.executescript(
        """
        CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='porter unicode61');
        CREATE TABLE meta(rowid INTEGER PRIMARY KEY, id TEXT, agency TEXT, publisher TEXT,
                          dateline TEXT);
        CREATE TABLE multi(rowid INTEGER, facet TEXT, value TEXT);
        """
    )
    count = 0
    with db:
        for rowid, a in enumerate(articles, 1):
            db.execute(
                "INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", (rowid, a.title, a.body)
            )
            db.execute(
                "INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
                (rowid, a.id, a.agency, a.publisher, a.dateline),
            )
            values = [("topics", t) for t in a.topics] + [("authors", n) for n in a.authors]
            db.executemany("INSERT INTO multi VALUES (?, ?, ?)", [(rowid, f, v) for f, v in values])
            count = rowid
        db.execute("CREATE INDEX multi_row ON multi(rowid, facet)")
        db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    db.close()
    return count


def fts5_top(db: sqlite3.Connection, match: str, limit: int) -> list[str]:
    """Article ids of the best ``limit`` matches, by FTS5's bm25 with the title boost."""
    rows = db.execute(
        "SELECT meta.id FROM fts JOIN meta ON meta.rowid = fts.rowid WHERE fts MATCH ? "
        "ORDER BY bm25(fts, ?, 1.0) LIMIT ?",
        (match, TITLE_BOOST, limit),
    ).fetchall()
    return [r[0] for r in rows]


def plain_whoosh_schema():
    from whoosh import fields
    from whoosh.analysis import StemmingAnalyzer

    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True, field_boost=TITLE_BOOST),
        body=fields.TEXT(analyzer=StemmingAnalyzer()),
        agency=fields.ID(sortable=True),
        publisher=fields.ID(sortable=True),
        dateline=fields.ID(sortable=True),
        topics=fields.KEYWORD(commas=True, stored=True),
        authors=fields.KEYWORD(commas=True, stored=True),
    )


def build_whoosh(articles: Iterable[Article], path: Path) -> int:
    """A plain Whoosh index: one writer, ``add_document`` per article, one commit."""
    from whoosh import index

    path.mkdir(parents=True)
    ix = index.create_in(str(path), plain_whoosh_schema())
    count = 0
    with ix.writer(limitmb=512) as writer:
        for a in articles:
            writer.add_document(
                id=a.id,
                title=a.title,
                body=a.body,
                agency=a.agency or "",
                publisher=a.publisher or "",
                dateline=a.dateline or "",
                topics=",".join(t.replace(",", " ") for t in a.topics),
                authors=",".join(n.replace(",", " ") for n in a.authors),
            )
            count += 1
    return count


def whoosh_parser(schema, any_word: bool = False):
    """Whoosh's ``MultifieldParser`` over title and body: all words (AND) or any (OR)."""
    from whoosh.qparser import MultifieldParser, OrGroup
    from whoosh.qparser.syntax import AndGroup

    return MultifieldParser(["title", "body"], schema, group=OrGroup if any_word else AndGroup)
