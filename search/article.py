"""The one record every stage passes along: a news article with its extracted fields."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field


@dataclass
class Article:
    """A story as newsindex understands it, whatever format it came in.

    ``published`` is ISO 8601 (``2026-01-31`` or ``2026-01-31T09:30:00``) when known.
    ``agency`` is the wire that wrote the story (AP, Reuters); ``publisher`` the outlet
    that ran it (``srnnews.com``). ``story`` is shared by syndicated copies of one story.
    ``title_from_lead`` marks a title made from the body's first sentence because the record
    came without a headline: it is shown, but not weighed as an editor's headline.
    """

    id: str = ""
    url: str | None = None
    title: str = ""
    dateline: str | None = None
    agency: str | None = None
    publisher: str | None = None
    published: str | None = None
    authors: list[str] = field(default_factory=list)
    contributors: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    body: str = ""
    language: str | None = None
    word_count: int = 0
    story: str | None = None
    source_file: str | None = None
    title_from_lead: bool = False

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Article:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)


def content_id(title: str, body: str) -> str:
    """A stable id for an article without a URL: a hash of its title and body."""
    digest = hashlib.sha1(f"{title}\n{body}".encode()).hexdigest()
    return f"sha1-{digest[:20]}"


def url_id(url: str) -> str:
    """A stable, short id derived from an article's URL."""
    return "url-" + hashlib.sha1(url.strip().encode()).hexdigest()[:20]
