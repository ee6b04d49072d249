"""Jinja filters and globals the templates share: dates, links, paragraphs, search URLs.

Escaping stays Jinja's (autoescape on every template); ``snippet`` is the one field
rendered as markup, and only after checking it holds nothing but text and ``<mark>``.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from urllib.parse import quote, urlencode, urlsplit

from flask import Flask, g, url_for
from markupsafe import Markup, escape

from web import chart
from web.params import SearchParams

#: What a library snippet may contain: escaped text and <mark>…</mark>, nothing else.
_SNIPPET_TAG = re.compile(r"<(/?)([a-zA-Z]+)[^>]*>")
LINK_SCHEMES = ("http", "https")
#: What Werkzeug's path converter leaves unquoted in a URL path.
PATH_SAFE = "!$&'()*+,/:;=@"


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an http(s) address, else None: ``javascript:`` never becomes a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in LINK_SCHEMES else None


def snippet(html: str | None) -> Markup:
    """The library's snippet as markup: its ``<mark>`` kept, any other tag escaped.

    >>> snippet('Oil &amp; <mark>gas</mark>')
    Markup('Oil &amp; <mark>gas</mark>')
    >>> snippet('<mark onclick="x">a</mark> <script>b</script>')
    Markup('<mark>a</mark> &lt;script&gt;b&lt;/script&gt;')
    """
    if not html:
        return Markup("")
    if "<" not in html.replace("<mark>", "").replace("</mark>", ""):
        return Markup(html)  # the library's own form: escaped text and marks, as it is
    parts, last = [], 0
    for match in _SNIPPET_TAG.finditer(html):
        parts.append(escape(Markup(html[last : match.start()]).unescape()))
        if match.group(2).lower() == "mark":
            parts.append(Markup(f"<{match.group(1)}mark>"))
        else:
            parts.append(escape(match.group()))
        last = match.end()
    parts.append(escape(Markup(html[last:]).unescape()))
    return Markup("").join(parts)


def parse_when(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def when(value: str | None, with_time: bool = False) -> str:
    """``2025-03-14T16:05:00+01:00`` → ``14 Mar 2025`` (``, 16:05`` with ``with_time``)."""
    moment = parse_when(value)
    if moment is None:
        return value or ""
    text = f"{moment.day} {moment:%b %Y}"
    has_time = "T" in (value or "") and (moment.hour or moment.minute)
    return f"{text}, {moment:%H:%M}" if with_time and has_time else text


def rfc3339(value: str | None, default: str = "1970-01-01T00:00:00Z") -> str:
    """An Atom date: a full timestamp with a zone (dates alone are read as midnight UTC)."""
    moment = parse_when(value)
    if moment is None:
        return default
    text = moment.isoformat()
    return text if moment.tzinfo else f"{text}Z"


def date_input(value: str | None, end: bool = False) -> str:
    """A range end as ``<input type="date">`` shows it: ``2025-06`` is ``2025-06-01`` as a
    start and ``2025-06-30`` as an end (the library reads both ends as whole buckets)."""
    parts = (value or "").split("-")
    try:
        numbers = [int(p) for p in parts]
        if len(numbers) == 1:
            numbers += [12 if end else 1]
        if len(numbers) == 2:
            last_day = calendar.monthrange(numbers[0], numbers[1])[1]
            numbers += [last_day if end else 1]
        return date(*numbers).isoformat()
    except (TypeError, ValueError):
        return ""


def paragraphs(body: str | None) -> list[str]:
    """The cleaned body's paragraphs (blank lines between them; single breaks as a fallback)."""
    text = (body or "").strip()
    if not text:
        return []
    parts = re.split(r"\n\s*\n", text)
    if len(parts) == 1:
        parts = text.splitlines()
    return [p.strip() for p in parts if p.strip()]


def search_url(
    params: SearchParams, filters=None, endpoint: str = "pages.search", **changes
) -> str:
    """The URL of ``params`` with ``changes`` on ``endpoint`` (the page, a feed, an export)."""
    query = urlencode(params.url_args(filters, **changes))
    return endpoint_path(endpoint) + (f"?{query}" if query else "")


def article_url(article_id: str) -> str:
    """``url_for("pages.article", article_id=...)``, quoted as Werkzeug's path converter
    quotes, from a prefix built once per request (a results page links to dozens)."""
    prefix = g.get("article_prefix")
    if prefix is None:
        prefix = g.article_prefix = url_for("pages.article", article_id="-")[:-1]
    return prefix + quote(article_id, safe=PATH_SAFE)


def endpoint_path(endpoint: str) -> str:
    """``url_for(endpoint)``, once per request: a results page links to it a hundred times."""
    paths = g.setdefault("endpoint_paths", {})
    if endpoint not in paths:
        paths[endpoint] = url_for(endpoint)
    return paths[endpoint]


def page_window(page: int, last: int, around: int = 2) -> list[int | None]:
    """Page numbers to link: the first, the last and ``around`` either side of ``page``;
    None where pages are left out (``[1, None, 4, 5, 6, 7, 8, None, 40]``)."""
    shown = sorted({1, last, *range(max(1, page - around), min(last, page + around) + 1)})
    window: list[int | None] = []
    for number in shown:
        if window and number - window[-1] > 1:
            window.append(None)
        window.append(number)
    return window


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 story``, ``2 other copies``: the pages pass the plural of a -y word. Not
    ``search.wording.plural``: the web reaches the library through its API only (test_seam)."""
    return f"{count:,} {word if count == 1 else many or word + 's'}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        safe_url=safe_url,
        snippet=snippet,
        when=when,
        rfc3339=rfc3339,
        paragraphs=paragraphs,
        date_input=date_input,
    )
    app.jinja_env.globals.update(
        search_url=search_url,
        article_url=article_url,
        plural=plural,
        page_window=page_window,
        chart_svg=chart.svg,
        chart_table=chart.table,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
