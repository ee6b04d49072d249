"""Feeds: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed 1/1.1 through ``json``.

One record per entry. Real feeds lie about themselves, so the bytes are fixed before
feedparser sees them: a blank line before the XML declaration is dropped (it makes the file
not well-formed), and the text is decoded by the rule every reader shares and handed on as
UTF-8: a declaration of ISO-8859-1 on bytes that are valid UTF-8 loses (laut.de,
finanzen.net), a file with neither declaration nor valid UTF-8 is judged by its bytes
(UOL's Latin-1). Links are made absolute against the
channel's link where it has one; a link that stays relative is kept as an id, not a URL.
"""

from __future__ import annotations

import calendar
import email.utils
import html
import io
import json
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from search.sources.encoding import decode
from search.sources.fieldmap import route_html_body, set_field
from search.sources.files import SkipFile
from search.sources.records import RawRecord

JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/", "http://jsonfeed.org/version/")
XML_DECLARATION = re.compile(rb"^<\?xml[^>]*?\?>")
DECLARED_ENCODING = re.compile(rb"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
#: Any of these makes an entry an article; publisher and language alone do not.
ARTICLE_KEYS = frozenset({"title", "body", "body_html", "url"})
_TAG = re.compile(r"<[^<>]+>")
_WHITESPACE = b" \t\r\n"


# Preparing the bytes ------------------------------------------------------------------------


def prepare_xml(data: bytes) -> bytes:
    """Feed bytes as UTF-8, declared so, with nothing before the XML declaration.

    The bytes are decoded by the rule every reader shares (``search.sources.encoding``),
    with the feed's own declaration as the word of last resort.
    """
    start = data.lstrip(b"\xef\xbb\xbf" + _WHITESPACE)
    text = decode(data, _declared_encoding(start)).text.lstrip("\ufeff \t\r\n")
    return _declare(text.encode("utf-8"), "utf-8")


def _declared_encoding(data: bytes) -> str | None:
    declaration = XML_DECLARATION.match(data)
    if declaration is None:
        return None
    encoding = DECLARED_ENCODING.search(declaration.group())
    return encoding.group(1).decode("ascii").lower() if encoding else None


def _declare(data: bytes, encoding: str) -> bytes:
    """Replace (or add) the XML declaration so it names ``encoding``."""
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>'.encode("ascii")
    if XML_DECLARATION.match(data):
        return XML_DECLARATION.sub(declaration, data, count=1)
    return declaration + b"\n" + data


# RSS and Atom ---------------------------------------------------------------------------------


def read_feed(name: str, data: bytes) -> Iterator[RawRecord]:
    """Entries of an RSS, Atom or JSON Feed file."""
    start = data.lstrip(b"\xef\xbb\xbf" + _WHITESPACE)[:1]
    if start in (b"{", b"["):
        yield from _read_json_feed_bytes(name, data)
        return
    parsed = feedparser.parse(io.BytesIO(prepare_xml(data)))
    if not parsed.entries:
        if parsed.get("version"):
            raise SkipFile("no entries")
        raise SkipFile(f"not a valid feed ({_bozo_reason(parsed)})")
    # Atom: an entry without an author has the feed's (RFC 4287, 4.2.1); RSS has no such rule
    # (a channel's managingEditor is an editor's address, not the items' writer).
    feed_authors = _entry_authors(parsed.feed) if parsed.version.startswith("atom") else None
    entries = [entry_fields(entry, parsed.feed, feed_authors) for entry in parsed.entries]
    yield from _entry_records(name, entries)


def _entry_records(name: str, entries: list[dict[str, Any]]) -> Iterator[RawRecord]:
    """Every entry, numbered by its place in the feed, so that a skip names the item a reader
    would count to; one with no title, text or link is then skipped as "no article text"."""
    if not any(fields.keys() & ARTICLE_KEYS for fields in entries):
        raise SkipFile("no entries")
    for number, fields in enumerate(entries, start=1):
        yield RawRecord(source_file=name, kind="fields", fields=fields, item=number)


def _bozo_reason(parsed: Mapping[str, Any]) -> str:
    error = parsed.get("bozo_exception")
    message = str(getattr(error, "getMessage", lambda: error)()) if error else "no feed found"
    return message.split("\n", 1)[0].lower()


def entry_fields(
    entry: Mapping[str, Any],
    channel: Mapping[str, Any],
    feed_authors: list[str] | str | None = None,
) -> dict[str, Any]:
    """Canonical fields of one feedparser entry, with the channel supplying the publisher
    (and ``feed_authors`` the authors of an entry that names none)."""
    fields: dict[str, Any] = {}
    base = channel.get("link")
    guid = entry.get("id")
    link = _absolute_url(entry.get("link"), base) or _absolute_url(guid, None)
    set_field(fields, "id", guid or entry.get("link"))
    set_field(fields, "url", link)
    set_field(fields, "title", _plain_title(entry))
    _set_entry_body(fields, entry)
    set_field(fields, "published", feed_date(entry))
    set_field(fields, "authors", _entry_authors(entry) or feed_authors)
    set_field(fields, "topics", [tag.get("term") for tag in entry.get("tags") or []])
    # RSS <source> names the outlet an aggregator's item comes from (Google News, Alerts)
    source = entry.get("source") or {}
    set_field(fields, "publisher", source.get("title") or channel.get("title"))
    set_field(fields, "language", channel.get("language"))
    return fields


def _plain_title(entry: Mapping[str, Any]) -> str | None:
    """Atom allows ``type="html"`` titles (Google Alerts bolds the keyword); a title is text."""
    title = entry.get("title")
    detail = entry.get("title_detail") or {}
    if title and detail.get("type") in ("text/html", "application/xhtml+xml"):
        return html.unescape(_TAG.sub("", title))
    return title


def _set_entry_body(fields: dict[str, Any], entry: Mapping[str, Any]) -> None:
    """The longest ``content`` (``content:encoded``, Atom content), else the summary."""
    contents = [c for c in entry.get("content") or [] if c.get("value", "").strip()]
    if contents:
        best = max(contents, key=lambda c: len(c["value"]))
        value, kind = best["value"], best.get("type", "text/html")
    else:
        value = entry.get("summary")
        kind = (entry.get("summary_detail") or {}).get("type", "text/html")
    set_field(fields, "body" if kind == "text/plain" else "body_html", value)
    route_html_body(fields)


def _entry_authors(entry: Mapping[str, Any]) -> list[str] | str | None:
    names = [author.get("name") for author in entry.get("authors") or []]
    return [name for name in names if name and name.strip()] or entry.get("author")


def feed_date(entry: Mapping[str, Any]) -> str | None:
    """``published`` (else ``updated``) as ISO 8601 with the offset it was written with, so
    a story filed at 22:30 EST on 5 March stays on the 5th, as its page says; a zone RSS
    does not define (``CEST``) leaves the time without an offset. Else feedparser's reading
    (in UTC), else the text as written."""
    # dict.get: feedparser's own get() quietly swaps in ``updated`` for ``published``.
    for key in ("published", "updated"):
        written, parsed = dict.get(entry, key), dict.get(entry, f"{key}_parsed")
        local = _as_written(written) if isinstance(written, str) else None
        if local:
            return local
        if parsed:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).isoformat()
        if written:
            return written
    return None


def _as_written(text: str) -> str | None:
    """An RFC 822 (RSS) or ISO 8601 (Atom) date in ISO 8601, its own offset kept."""
    try:
        return email.utils.parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00")).isoformat()
    except ValueError:
        return None


def _absolute_url(link: str | None, base: str | None) -> str | None:
    """``link`` resolved against ``base``; ``None`` when it still is not an http(s) URL."""
    if not link:
        return None
    link = link.strip()
    if base and not urlsplit(link).scheme:
        link = urljoin(base.strip(), link)
    return link if urlsplit(link).scheme in ("http", "https") else None


# JSON Feed ------------------------------------------------------------------------------------


def is_json_feed(value: Any) -> bool:
    """A JSON Feed names its version by URL: ``https://jsonfeed.org/version/1.1``."""
    if not isinstance(value, Mapping):
        return False
    version = value.get("version")
    return isinstance(version, str) and version.startswith(JSON_FEED_VERSIONS)


def _read_json_feed_bytes(name: str, data: bytes) -> Iterator[RawRecord]:
    try:
        value = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SkipFile("not a valid feed (invalid JSON)") from None
    if not is_json_feed(value):
        raise SkipFile("not a valid feed (JSON without a JSON Feed version)")
    yield from read_json_feed(name, value)


def read_json_feed(name: str, feed: Mapping[str, Any]) -> Iterator[RawRecord]:
    """Items of a parsed JSON Feed (1 or 1.1)."""
    items = [item for item in feed.get("items") or [] if isinstance(item, Mapping)]
    yield from _entry_records(name, [json_feed_item_fields(item, feed) for item in items])


def json_feed_item_fields(item: Mapping[str, Any], feed: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical fields of one JSON Feed item; the feed fills in authors and language."""
    fields: dict[str, Any] = {}
    base = feed.get("home_page_url") or feed.get("feed_url")
    link = item.get("url") or item.get("external_url")
    set_field(fields, "id", item.get("id") or link)
    set_field(fields, "url", _absolute_url(link, base))
    set_field(fields, "title", item.get("title"))
    set_field(fields, "body_html", item.get("content_html"))
    set_field(fields, "body", item.get("content_text"))
    if "body" not in fields and "body_html" not in fields:
        set_field(fields, "body", item.get("summary"))
    route_html_body(fields)
    set_field(fields, "published", item.get("date_published") or item.get("date_modified"))
    set_field(fields, "authors", _json_feed_authors(item) or _json_feed_authors(feed))
    set_field(fields, "topics", item.get("tags"))
    set_field(fields, "publisher", feed.get("title"))
    set_field(fields, "language", item.get("language") or feed.get("language"))
    return fields


def _json_feed_authors(holder: Mapping[str, Any]) -> list[Any]:
    """1.1's ``authors`` list, else 1.0's single ``author`` object."""
    authors = holder.get("authors")
    if isinstance(authors, list) and authors:
        return authors
    author = holder.get("author")
    return [author] if author else []
