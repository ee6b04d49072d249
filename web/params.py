"""The URL is the whole state: query parameters to library arguments, and back to URLs.

One reading serves the page, the API, the feeds and the exports, so a link copied from any
of them means the same search. Parameters (the OpenAPI description lists them too):

- ``q`` the query; ``sort`` relevance | newest | oldest; ``page``, ``per_page``;
- a facet's name as a filter, repeated for OR: ``agency=AP&agency=Reuters&year=2025``;
- ``from`` / ``to``: a publication date range (YYYY, YYYY-MM or YYYY-MM-DD, either may be empty);
- ``compare``: up to four more queries for the coverage chart;
- ``facet`` (which facets to count; default all), ``facet_size``, ``facet_mode`` stories |
  copies, ``collapse`` (``false`` lists every copy of a story);
- ``interval`` auto | month | day (timeline), ``limit`` (related), ``more`` (the page: a
  facet listed at length).

Values are checked by the library (``BadParameter``, ``BadQuery``: 400); this module only
turns text into numbers and lists, and says which names a route knows.

>>> p = SearchParams.from_args(MultiDict([("q", "oil"), ("agency", "AP"), ("page", "2")]))
>>> p.search_kwargs()["filters"], p.search_kwargs()["page"]
({'agency': ['AP']}, 2)
>>> p.url_args({"agency": ["AP", "Reuters"]})
[('q', 'oil'), ('agency', 'AP'), ('agency', 'Reuters')]
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_plus, urlencode

from werkzeug.datastructures import MultiDict

from search.errors import BadParameter
from search.searching.options import FACET_NAMES

#: Filter names a URL may carry: the library's facets.
FILTERS = FACET_NAMES
#: The library's name for the date-range filter, and how its value joins the two ends.
DATE_FILTER, DATE_SEP = "published", ".."
SEARCH = ("q", "sort", "page", "per_page", "facet", "facet_size", "facet_mode", "collapse")
SEARCH_PARAMS = (*SEARCH, "from", "to", *FILTERS)
TIMELINE_PARAMS = ("q", "compare", "interval", "collapse", "from", "to", *FILTERS)
EXPORT_PARAMS = ("q", "sort", "collapse", "from", "to", *FILTERS)
PAGE_PARAMS = (*SEARCH_PARAMS, "compare", "more")
TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")
#: Parameters that may repeat (a filter's values are ORed; several facets, several compares).
REPEATABLE = frozenset((*FILTERS, "facet", "compare"))


def check_once(args: MultiDict) -> None:
    """Refuse a one-valued parameter given twice: ``sort=newest&sort=oldest`` has no meaning."""
    for name in args:
        times = len(args.getlist(name))
        if times > 1 and name not in REPEATABLE:
            raise BadParameter(f"{name} may be given once, not {times} times")


def check_known(args: MultiDict, known: Sequence[str]) -> None:
    """Refuse a parameter the route does not know (``agnecy=AP`` must not be ignored)."""
    check_once(args)
    for name in args:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f": did you mean {close[0]!r}?" if close else f"; known: {', '.join(known)}"
            raise BadParameter(f"unknown parameter {name!r}{hint}")


def whole_number(args: Mapping[str, str], name: str) -> int | None:
    """``args[name]`` as an int (None when absent); the library checks its range."""
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise BadParameter(f"{name} must be a whole number, not {raw!r}") from None


def flag(args: Mapping[str, str], name: str) -> bool | None:
    """``true``/``false`` (and 1/0, yes/no, on/off); None when absent."""
    raw = (args.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in TRUE or raw in FALSE:
        return raw in TRUE
    raise BadParameter(f"{name} must be true or false, not {raw!r}")


@dataclass(frozen=True)
class SearchParams:
    """A search as a URL states it."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: str = ""
    date_to: str = ""
    sort: str | None = None
    page: int | None = None
    per_page: int | None = None
    facets: list[str] | None = None
    facet_size: int | None = None
    facet_mode: str | None = None
    collapse: bool | None = None  # None: the library's default (search: on, export: off)
    compare: list[str] = field(default_factory=list)
    interval: str | None = None
    more: str | None = None

    @classmethod
    def from_args(cls, args: MultiDict, known: Sequence[str] | None = None) -> SearchParams:
        """Read a request's query string; with ``known``, other names are refused."""
        if known is not None:
            check_known(args, known)
        else:
            check_once(args)
        return cls(
            q=args.get("q", "").strip(),
            filters={name: args.getlist(name) for name in FILTERS if args.getlist(name)},
            date_from=args.get("from", "").strip(),
            date_to=args.get("to", "").strip(),
            sort=args.get("sort") or None,
            page=whole_number(args, "page"),
            per_page=whole_number(args, "per_page"),
            facets=args.getlist("facet") or None,
            facet_size=whole_number(args, "facet_size"),
            facet_mode=args.get("facet_mode") or None,
            collapse=flag(args, "collapse"),
            compare=[c.strip() for c in args.getlist("compare") if c.strip()],
            interval=args.get("interval") or None,
            more=args.get("more") or None,
        )

    # -- to the library --------------------------------------------------------------------------

    def library_filters(self) -> dict[str, list[str]]:
        """Facet filters, plus the date range as the library's ``published`` filter."""
        filters = dict(self.filters)
        if self.date_from or self.date_to:
            filters[DATE_FILTER] = [f"{self.date_from}{DATE_SEP}{self.date_to}"]
        return filters

    def search_kwargs(self) -> dict[str, Any]:
        """Arguments of ``NewsIndex.search``; what the URL leaves out, the library defaults."""
        chosen = {
            "collapse": self.collapse,
            "sort": self.sort,
            "page": self.page,
            "per_page": self.per_page,
            "facets": self.facets,
            "facet_size": self.facet_size,
            "facet_mode": self.facet_mode,
        }
        return {
            "query": self.q,
            "filters": self.library_filters(),
            **{k: v for k, v in chosen.items() if v is not None},
        }

    def timeline_kwargs(self) -> dict[str, Any]:
        """Arguments of ``NewsIndex.timeline``."""
        chosen = {"interval": self.interval, "collapse": self.collapse}
        return {
            "query": self.q,
            "filters": self.library_filters(),
            "compare": self.compare,
            **{k: v for k, v in chosen.items() if v is not None},
        }

    def export_kwargs(self) -> dict[str, Any]:
        """Arguments of ``NewsIndex.export`` (every copy unless ``collapse=true``)."""
        chosen = {"sort": self.sort, "collapse": self.collapse}
        return {
            "query": self.q,
            "filters": self.library_filters(),
            **{k: v for k, v in chosen.items() if v is not None},
        }

    # -- back to URLs ------------------------------------------------------------------------------

    def url_args(
        self, filters: Mapping[str, Sequence[str]] | None = None, **changes: Any
    ) -> list[tuple[str, str]]:
        """The query string of this state with ``changes``, as ordered pairs.

        ``filters`` replaces the filters (a facet value's ``toggle``, where the library's
        ``published`` range comes back as ``from`` and ``to``); any change but ``page``
        itself starts again at page 1.
        """
        state = dict(self.__dict__)  # field values; cheaper than dataclasses.replace
        if filters is not None:
            state |= self.filter_fields(filters)
        if filters is not None or (changes and "page" not in changes):
            state["page"] = None
        state |= changes
        pairs: list[tuple[str, str]] = [("q", state["q"])] if state["q"] else []
        chosen = state["filters"]
        for name in FILTERS:
            pairs += [(name, value) for value in chosen.get(name, ())]
        pairs += [(k, state[f]) for k, f in (("from", "date_from"), ("to", "date_to")) if state[f]]
        pairs += [("compare", c) for c in state["compare"]]
        page, sort, collapse = state["page"], state["sort"], state["collapse"]
        optional = (
            ("sort", sort if sort != "relevance" else None),
            ("collapse", None if collapse is None else "true" if collapse else "false"),
            ("facet_mode", state["facet_mode"]),
            ("per_page", state["per_page"]),
            ("more", state["more"]),
            ("page", page if page and page > 1 else None),
        )
        pairs += [(k, str(v)) for k, v in optional if v is not None]
        return pairs

    def toggle_urls(self, path: str) -> Callable[[Mapping[str, Sequence[str]]], str]:
        """A function from a facet value's ``toggle`` to its URL on ``path``: the same URL
        as ``url_args(filters=toggle)`` gives, assembled from parts encoded once (a results
        page has some eighty facet links)."""
        head = urlencode([("q", self.q)]) if self.q else ""
        tail = urlencode(self.url_args(filters={}, date_from=self.date_from, date_to=self.date_to))
        tail = tail.removeprefix(head).lstrip("&")
        encoded: dict[str, str] = {}

        def quoted(value: str) -> str:
            if value not in encoded:
                encoded[value] = quote_plus(value)
            return encoded[value]

        def url(toggle: Mapping[str, Sequence[str]]) -> str:
            chosen = [f"{name}={quoted(v)}" for name in FILTERS for v in toggle.get(name, ())]
            query = "&".join(part for part in (head, *chosen, tail) if part)
            return f"{path}?{query}" if query else path

        return url

    @staticmethod
    def filter_fields(filters: Mapping[str, Sequence[str]]) -> dict[str, Any]:
        """The library's ``filters`` dict as this class's fields: facets, ``from``, ``to``."""
        date_from, _, date_to = (list(filters.get(DATE_FILTER, [])) or [""])[0].partition(DATE_SEP)
        return {
            "filters": {k: list(v) for k, v in filters.items() if k in FILTERS},
            "date_from": date_from,
            "date_to": date_to,
        }

    def chips(self) -> Iterable[tuple[str, str, list[tuple[str, str]]]]:
        """``(facet, value, url args without it)`` for every active filter: removable chips."""
        for name in FILTERS:
            for value in self.filters.get(name, []):
                rest = {**self.filters, name: [v for v in self.filters[name] if v != value]}
                yield name, value, self.url_args(filters={**rest, **self._date_filter()})
        if self.date_from or self.date_to:
            label = f"{self.date_from or '…'} – {self.date_to or '…'}"
            yield "published", label, self.url_args(filters=self.filters)

    def _date_filter(self) -> dict[str, list[str]]:
        return {k: v for k, v in self.library_filters().items() if k == DATE_FILTER}
