"""Reuters-21578 and AllSides read straight from their JSONL into ``Article`` objects.

Used by the search tests and ``bench/search.py`` so that they do not depend on the source
readers and extraction. The mapping is deliberately plain, and the tests count facets from
the same records with ``reuters_records()`` / ``allsides_records()`` and these field
functions, independently of the index.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from search.article import Article

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
REUTERS_FILE = CORPORA / "reuters21578" / "reuters21578.jsonl.gz"
ALLSIDES_FILE = CORPORA / "allsides" / "allsides.jsonl.gz"


def _records(path: Path, limit: int | None) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        yield from islice((json.loads(line) for line in fh), limit)


def reuters_records(limit: int | None = None) -> Iterator[dict]:
    return _records(REUTERS_FILE, limit)


def allsides_records(limit: int | None = None) -> Iterator[dict]:
    return _records(ALLSIDES_FILE, limit)


def reuters_dateline(record: dict) -> str | None:
    """``"SALVADOR, Feb 26 -"`` → ``"Salvador"``; None when the record has no dateline."""
    place = record.get("dateline", "").split(",")[0].strip(" -")
    return place.title() or None


def allsides_publisher(record: dict) -> str:
    """The outlet, normalised by the lead's ``normalise_publisher`` once it exists."""
    try:
        from search.extract.publishers import normalise_publisher
    except ImportError:
        return record["source"].strip()
    return normalise_publisher(record["source"])


def allsides_authors(record: dict) -> list[str]:
    return [name.strip() for name in record.get("authors", "").split(",") if name.strip()]


def allsides_date(record: dict) -> str | None:
    from search.extract.dates import normalise_date

    return normalise_date(record.get("date"))


def reuters_article(record: dict) -> Article:
    body = record["body"]
    return Article(
        id=record["id"],
        title=record["title"],
        dateline=reuters_dateline(record),
        agency="Reuters",
        publisher="Reuters",
        published=record["date"],
        topics=list(record["topics"]),
        body=body,
        language="en",
        word_count=len(body.split()),
        source_file=str(REUTERS_FILE.name),
    )


def allsides_article(record: dict) -> Article:
    body = record["content_original"]
    return Article(
        id=f"allsides-{record['ID']}",
        url=record["url"],
        title=record["title"],
        publisher=allsides_publisher(record),
        published=allsides_date(record),
        authors=allsides_authors(record),
        topics=[record["topic"]] if record.get("topic") else [],
        body=body,
        language="en",
        word_count=len(body.split()),
        source_file=str(ALLSIDES_FILE.name),
    )


def reuters_articles(limit: int | None = None) -> Iterator[Article]:
    return (reuters_article(r) for r in reuters_records(limit))


def allsides_articles(limit: int | None = None) -> Iterator[Article]:
    return (allsides_article(r) for r in allsides_records(limit))


def corpora_present() -> bool:
    return REUTERS_FILE.is_file() and ALLSIDES_FILE.is_file()


def allsides_mentioning(words: list[str], per_word: int) -> Iterator[Article]:
    """AllSides articles whose record mentions one of ``words`` (whole words, any case), at
    most ``per_word`` for each word (counted by the first word a record mentions)."""
    import re

    patterns = [re.compile(rf"\b{re.escape(word)}\b", re.I) for word in words]
    taken = dict.fromkeys(words, 0)
    with gzip.open(ALLSIDES_FILE, "rt", encoding="utf-8") as fh:
        for line in fh:
            word = next((w for w, p in zip(words, patterns, strict=True) if p.search(line)), None)
            if word is not None and taken[word] < per_word:
                taken[word] += 1
                yield allsides_article(json.loads(line))
