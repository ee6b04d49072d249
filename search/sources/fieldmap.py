"""Map the field names of exports (JSON, JSONL, CSV) onto newsindex's canonical keys.

Exports name the same thing many ways (``headline``, ``content_original``, ``pubDate``,
``byline``); one table of aliases, matched case- and style-insensitively, covers the common
ones, and ``--map canonical=source`` covers the rest. A plan is worked out once per distinct
set of keys, since every line of a JSONL file usually has the same keys (Reuters: 21,578
lines, one plan).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from search.errors import BadParameter

#: Canonical keys, each with the source names it is read from, most specific first.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "guid", "uuid", "doc_id", "docid", "article_id", "story_id"),
    "url": ("url", "link", "permalink", "canonical_url", "article_url"),
    "title": ("title", "headline", "head", "heading"),
    "body": (
        "content_original",
        "content",
        "body",
        "text",
        "article",
        "story",
        "full_text",
        "body_text",
        "content_text",
        "description",
        "summary",
    ),
    "body_html": ("body_html", "content_html", "html", "html_body", "content_encoded"),
    "published": (
        "published",
        "published_at",
        "date_published",
        "publish_date",
        "publication_date",
        "pubdate",
        "pub_date",
        "date",
        "datetime",
        "timestamp",
    ),
    "publisher": ("publisher", "source", "site", "outlet", "source_name", "sitename", "site_name"),
    "authors": ("authors", "author", "byline", "creator", "creators", "writer", "writers"),
    "topics": ("topics", "topic", "categories", "category", "tags", "tag", "section", "subjects"),
    "dateline": ("dateline",),
    "places": ("places", "place", "location", "locations"),
    "language": ("language", "lang", "locale"),
    "agency": ("agency", "news_agency", "wire"),
}

CANONICAL_KEYS: tuple[str, ...] = tuple(ALIASES)

#: Canonical keys whose value is a list; any other key holds one string.
LIST_KEYS = frozenset({"authors", "topics", "places"})

#: Keys under which an object names the thing it stands for (``{"name": "BBC News"}``).
NAME_KEYS = ("name", "title", "term", "label", "value", "text")

#: Elements whose markup marks a value as HTML. Wire copy uses angle brackets for tickers
#: (Reuters' ``<BP>``, ``<P>``, ``<Video Shopping Mall Inc>``), so a bare opening tag is not
#: enough: it takes a closing tag, a ``<br>``, or an opening tag with an attribute.
_HTML_ELEMENTS = (
    r"(?:p|div|br|span|a|img|h[1-6]|ul|ol|li|strong|em|b|i|u|blockquote|figure|figcaption"
    r"|table|tr|td|section|article|header|footer|aside|nav|html|body|iframe|script|style"
    r"|picture|source|video)"
)
HTML_TAG = re.compile(
    rf"</{_HTML_ELEMENTS}\s*>|<br\s*/?>|<{_HTML_ELEMENTS}\s+[a-z-]+\s*=",
    re.IGNORECASE,
)

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def normalize_key(name: str) -> str:
    """``Published At``, ``publishedAt`` and ``published-at`` all become ``published_at``."""
    snake = _CAMEL_BOUNDARY.sub("_", name.strip())
    return _NON_WORD.sub("_", snake.lower()).strip("_")


_ALIAS_RANK: dict[str, tuple[str, int]] = {
    alias: (canonical, rank)
    for canonical, aliases in ALIASES.items()
    for rank, alias in enumerate(aliases)
}


def looks_like_html(text: str) -> bool:
    """True when ``text`` carries HTML markup, so it needs the HTML cleaner, not the text one."""
    return HTML_TAG.search(text) is not None


def parse_field_map(pairs: Sequence[str]) -> dict[str, str]:
    """Read ``--map`` options (``body=content_original``) into ``{canonical: source_field}``."""
    field_map: dict[str, str] = {}
    for pair in pairs:
        canonical, sep, source = (part.strip() for part in pair.partition("="))
        if not sep or not canonical or not source:
            raise BadParameter(f"--map expects canonical=source_field, got {pair!r}")
        canonical = canonical.lower()
        if canonical not in ALIASES:
            known = ", ".join(CANONICAL_KEYS)
            raise BadParameter(f"--map: unknown field {canonical!r} (known: {known})")
        if canonical in field_map:
            raise BadParameter(f"--map: {canonical!r} given twice")
        field_map[canonical] = source
    return field_map


def validate_field_map(field_map: Mapping[str, str] | None) -> dict[str, str]:
    """Check a field map given as a mapping (the API's form of ``--map``)."""
    if not field_map:
        return {}
    return parse_field_map([f"{canonical}={source}" for canonical, source in field_map.items()])


def plain_value(value: Any) -> Any:
    """A value reduced to a string or list of strings; ``None`` when it holds nothing."""
    if isinstance(value, str):
        return value.strip() or None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return _plain_list(value)
    if isinstance(value, Mapping):
        for key in NAME_KEYS:
            if key in value:
                return plain_value(value[key])
    return None


def _plain_list(values: list | tuple) -> list[str] | None:
    """Non-empty strings of a list, nested lists flattened, objects reduced to their name."""
    items: list[str] = []
    for value in values:
        item = value.strip() if isinstance(value, str) else plain_value(value)
        if isinstance(item, list):
            items.extend(item)
        elif item:
            items.append(item)
    return items or None


def shaped_value(canonical: str, value: Any) -> Any:
    """Fit a plain value to its key: lists for ``authors``/``topics``/``places``, else one str."""
    if not isinstance(value, list) or canonical in LIST_KEYS:
        return value
    if canonical in ("body", "body_html"):
        return "\n\n".join(value)
    return value[0]


class FieldMapper:
    """Turns one export record (a dict) into canonical ``fields``; reused across records."""

    def __init__(self, field_map: Mapping[str, str] | None = None) -> None:
        self.field_map = dict(field_map or {})
        self._plans: dict[tuple[str, ...], list[tuple[str, list[str]]]] = {}
        #: Canonical keys whose ``field_map`` column some record (or CSV header) had.
        self._matched: set[str] = set()

    def unmatched(self) -> dict[str, str]:
        """The ``field_map`` entries whose column no record mapped so far had. A typo there
        matches nothing, so the field falls back to its aliases or stays empty: say so."""
        return {c: column for c, column in self.field_map.items() if c not in self._matched}

    def has_text_column(self, keys: Sequence[str]) -> bool:
        """Whether records with these keys can give a title or a body (checked on CSV headers)."""
        canonicals = {canonical for canonical, _ in self._plan(tuple(keys))}
        return bool(canonicals & {"title", "body", "body_html"})

    def map(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """Canonical fields of ``record``; empty values are left out."""
        fields: dict[str, Any] = {}
        for canonical, sources in self._plan(tuple(record)):
            for source in sources:
                value = plain_value(record[source])
                if value:
                    fields[canonical] = shaped_value(canonical, value)
                    break
        route_html_body(fields)
        return fields

    def _plan(self, keys: tuple[str, ...]) -> list[tuple[str, list[str]]]:
        plan = self._plans.get(keys)
        if plan is None:
            plan = self._plans[keys] = self._make_plan(keys)
        return plan

    def _make_plan(self, keys: tuple[str, ...]) -> list[tuple[str, list[str]]]:
        """For each canonical key, the record keys to try in order (``--map`` wins)."""
        by_lower = {key.lower(): key for key in keys if isinstance(key, str)}
        overridden: dict[str, str] = {}
        for canonical, source in self.field_map.items():
            key = source if source in keys else by_lower.get(source.lower())
            if key is not None:
                overridden[canonical] = key
                self._matched.add(canonical)
        taken = set(overridden.values())
        ranked: dict[str, list[tuple[int, str]]] = {}
        for key in keys:
            if not isinstance(key, str) or key in taken:
                continue
            hit = _ALIAS_RANK.get(normalize_key(key))
            if hit is not None and hit[0] not in overridden:
                ranked.setdefault(hit[0], []).append((hit[1], key))
        plan = [(canonical, [key]) for canonical, key in overridden.items()]
        for canonical, found in ranked.items():
            plan.append((canonical, [key for _, key in sorted(found)]))
        return plan


def route_html_body(fields: dict[str, Any]) -> None:
    """A body that is really HTML goes to ``body_html``, where the HTML cleaner will see it."""
    body = fields.get("body")
    if body and looks_like_html(body):
        del fields["body"]
        fields.setdefault("body_html", body)


def set_field(fields: dict[str, Any], canonical: str, value: Any) -> None:
    """Store ``value`` under ``canonical`` in its canonical shape, unless it is empty."""
    value = plain_value(value)
    if value:
        fields[canonical] = shaped_value(canonical, value)
