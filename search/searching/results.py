"""Plain result objects, and the JSON the web page, the API and ``--json`` all render.

The dict from ``SearchResult.to_dict()`` is the contract: HTML is a view of the same dict.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from search.article import Article


@dataclass
class Outlet:
    """Another outlet that ran the same story (an "also ran" entry)."""

    id: str
    publisher: str | None
    published: str | None
    url: str | None

    def to_dict(self) -> dict:
        return {
            "publisher": self.publisher,
            "published": self.published,
            "url": self.url,
            "id": self.id,
        }


@dataclass
class AlsoRan:
    """The other matching copies of a hit's story, hidden by collapsing."""

    count: int = 0
    outlets: list[Outlet] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"count": self.count, "outlets": [o.to_dict() for o in self.outlets]}


@dataclass
class Hit:
    """One search result; ``snippet`` is HTML (escaped text with ``<mark>`` around matches)."""

    id: str
    title: str
    url: str | None
    published: str | None
    dateline: str | None
    agency: str | None
    publisher: str | None
    score: float | None
    snippet: str
    story: str | None
    also_ran: AlsoRan = field(default_factory=AlsoRan)
    #: A near match, listed below the rest: it lacks one more word, as few articles held
    #: enough of them (``SearchResult.near_matches``).
    near: bool = False

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "published": self.published,
            "dateline": self.dateline,
            "agency": self.agency,
            "publisher": self.publisher,
            "score": None if self.score is None else round(self.score, 4),
            "snippet": self.snippet,
            "story": self.story,
            "also_ran": self.also_ran.to_dict(),
            "near": self.near,
        }


@dataclass
class FacetValue:
    """One value of a facet with its count; ``toggle`` is the filters a click would give."""

    value: str
    label: str
    count: int
    selected: bool
    toggle: dict[str, list[str]]

    def to_dict(self) -> dict:
        return {
            "value": self.value,
            "label": self.label,
            "count": self.count,
            "selected": self.selected,
            "toggle": self.toggle,
        }


@dataclass
class SearchResult:
    """A page of hits with totals, facet counts and a spelling suggestion.

    ``total`` counts what is listed: stories when ``collapse`` is on, copies otherwise;
    ``total_copies`` always counts documents. ``notice`` says how the query was read when
    that is not what it seems (a query of operators alone lists everything), else None.
    """

    query: str
    sort: str
    total: int
    total_copies: int
    page: int
    per_page: int
    took_ms: float
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    facets_timed_out: list[str]
    suggestion: str | None
    collapse: bool
    facet_mode: str
    filters: dict[str, list[str]] = field(default_factory=dict)
    #: How many of ``total`` are near matches (each marked ``Hit.near``), listed below the
    #: rest: they lack one more word, as fewer than ``Ranking.few_matches`` articles held
    #: enough of them (with ``Ranking.common_near``, also those lacking only common words).
    #: The facets and the exports count them; the coverage chart counts only what holds
    #: the words.
    near_matches: int = 0
    notice: str | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "filters": self.filters,
            "sort": self.sort,
            "collapse": self.collapse,
            "facet_mode": self.facet_mode,
            "total": self.total,
            "total_copies": self.total_copies,
            "page": self.page,
            "per_page": self.per_page,
            "pages": self.pages,
            "took_ms": round(self.took_ms, 2),
            "hits": [hit.to_dict() for hit in self.hits],
            "facets": {name: [v.to_dict() for v in values] for name, values in self.facets.items()},
            "facets_timed_out": self.facets_timed_out,
            "suggestion": self.suggestion,
            "near_matches": self.near_matches,
            "notice": self.notice,
        }


@dataclass
class Copy:
    """Another copy of an article's story, and how it differs from the article."""

    id: str
    title: str
    publisher: str | None
    published: str | None
    url: str | None
    word_count: int
    word_count_diff: int  # this copy's words minus the article's
    same_title: bool

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "title": self.title,
            "publisher": self.publisher,
            "published": self.published,
            "url": self.url,
            "word_count": self.word_count,
            "word_count_diff": self.word_count_diff,
            "same_title": self.same_title,
        }


@dataclass
class ArticleView:
    """One article with the other copies of its story and related stories: the article page."""

    article: Article
    copies: list[Copy]
    related: list[Hit]

    def to_dict(self) -> dict:
        return {
            "article": self.article.to_dict(),
            "copies": [c.to_dict() for c in self.copies],
            "related": [h.to_dict() for h in self.related],
        }


@dataclass
class TimelinePoint:
    date: str  # ``YYYY-MM`` or ``YYYY-MM-DD``
    count: int

    def to_dict(self) -> dict:
        return {"date": self.date, "count": self.count}


@dataclass
class TimelineSeries:
    """One query's matches per bucket; ``undated`` matches are counted apart."""

    query: str
    total: int
    undated: int
    points: list[TimelinePoint]

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "total": self.total,
            "undated": self.undated,
            "points": [p.to_dict() for p in self.points],
        }


@dataclass
class Timeline:
    """Coverage over time: a series per query, every series over the same buckets."""

    interval: str  # "month" or "day"
    series: list[TimelineSeries]
    filters: dict[str, list[str]] = field(default_factory=dict)
    collapse: bool = True

    def to_dict(self) -> dict:
        return {
            "interval": self.interval,
            "counting": "stories" if self.collapse else "articles",
            "filters": self.filters,
            "series": [s.to_dict() for s in self.series],
        }

    def to_csv(self) -> str:
        """``date,<query 1>,<query 2>…``: one row per bucket, for spreadsheets."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["date", *(s.query or "(everything)" for s in self.series)])
        buckets = [p.date for p in self.series[0].points] if self.series else []
        for row, bucket in enumerate(buckets):
            writer.writerow([bucket, *(s.points[row].count for s in self.series)])
        return out.getvalue()


@dataclass
class IndexStats:
    """What an index holds and where: ``newsindex stats`` and ``/healthz``."""

    path: str
    generation: str  # the live generation's directory
    version: int  # its commit number: bumps with every add and delete
    documents: int
    stories: int
    segments: int
    size_bytes: int
    built_at: str
    updated_at: str
    first_published: str | None
    last_published: str | None
    facet_values: dict[str, int]
    schema_version: int
    #: Words in the latent space that ranks by subject; 0 when the archive was too small to
    #: learn one (ranked by its words alone).
    subject_words: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


#: Columns of a CSV export, in order (lists joined with "; ").
EXPORT_COLUMNS = (
    "id",
    "title",
    "published",
    "dateline",
    "agency",
    "publisher",
    "authors",
    "topics",
    "url",
    "word_count",
    "story",
    "body",
)


def export_jsonl_lines(articles: Iterable[Article]) -> Iterator[str]:
    """One JSON object per article and line: what ``/export.jsonl`` and the CLI stream."""
    for article in articles:
        yield json.dumps(article.to_dict(), ensure_ascii=False) + "\n"


def export_csv_lines(articles: Iterable[Article]) -> Iterator[str]:
    """A header line, then one CSV row per article, written as they arrive."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")

    def line(values: Iterable[Any]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(values)
        return buffer.getvalue()

    yield line(EXPORT_COLUMNS)
    for article in articles:
        row = article.to_dict()
        yield line(
            "; ".join(row[c]) if isinstance(row[c], list) else ("" if row[c] is None else row[c])
            for c in EXPORT_COLUMNS
        )
