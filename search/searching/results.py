"""Plain result objects, and the JSON the web page, the API and ``--json`` all render.

The dict from ``SearchResult.to_dict()`` is the contract: HTML is a view of the same dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    ``total_copies`` always counts documents.
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
