"""Page metadata: title, authors, date, publisher, language, topics and URL of an HTML page.

Each field is read from the sources publishers fill in, best first: OpenGraph and ``article:``
meta tags, JSON-LD (schema.org ``NewsArticle`` and kin), other ``<meta>`` conventions (Dublin
Core, Parse.ly, Sailthru), then the visible page (``<title>``, ``<h1>``, ``<time>``, bylines).
Values are normalised: ISO 8601 dates, author names without "By " or e-mail addresses, titles
without their " | Site" suffix.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import lxml.html
from dateutil import parser as dateparser
from htmldate import find_date

__all__ = ["PageMetadata", "extract_metadata", "normalise_date", "split_authors", "clean_title"]


@dataclass
class PageMetadata:
    """What a page says about itself (any field may be empty)."""

    title: str = ""
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    publisher: str | None = None
    language: str | None = None
    topics: list[str] = field(default_factory=list)
    url: str | None = None
    description: str | None = None


#: At most this many topics are kept (tag clouds run to dozens).
MAX_TOPICS = 10
#: A topic longer than this is a sentence, not a tag.
MAX_TOPIC_CHARS = 60
#: A name with more words than this is a phrase ("Staff reporters of the ..."), not a person.
MAX_AUTHOR_WORDS = 6
MAX_AUTHOR_CHARS = 70
#: Dates before this year are misparsed numbers, not publication dates.
MIN_YEAR = 1900
#: A date this far in the future is a misparse (or an event date), not a publication date.
MAX_FUTURE = dt.timedelta(days=366)

# --------------------------------------------------------------------------- collection


@dataclass
class _Sources:
    """The raw material of every field: meta tags by key, JSON-LD objects, the tree."""

    meta: dict[str, list[str]]
    jsonld: list[dict]
    tree: lxml.html.HtmlElement

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key, []):
                if value.strip():
                    return value.strip()
        return None

    def all(self, *keys: str) -> list[str]:
        return [v.strip() for key in keys for v in self.meta.get(key, []) if v.strip()]

    def ld(self, key: str) -> list:
        """Values of ``key`` in the page's article objects (articles first)."""
        return [obj[key] for obj in self.jsonld if obj.get(key) not in (None, "", [])]


def _meta_tags(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lowercased name, property, itemprop or http-equiv."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None:
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attribute)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


#: schema.org types that describe the page's story, best first.
ARTICLE_TYPES = (
    "NewsArticle",
    "ReportageNews",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "Article",
    "BlogPosting",
    "LiveBlogPosting",
    "TechArticle",
    "ScholarlyArticle",
    "Report",
    "Recipe",
    "WebPage",
)


def _jsonld_objects(tree: lxml.html.HtmlElement) -> list[dict]:
    """The JSON-LD objects of the page that describe an article, best type first."""
    objects: list[dict] = []
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"))
        except ValueError:
            continue
        objects.extend(_flatten_jsonld(data))

    def rank(obj: dict) -> int:
        types = obj.get("@type")
        types = types if isinstance(types, list) else [types]
        ranks = [ARTICLE_TYPES.index(t) for t in types if t in ARTICLE_TYPES]
        return min(ranks) if ranks else len(ARTICLE_TYPES)

    typed = [obj for obj in objects if rank(obj) < len(ARTICLE_TYPES)]
    return sorted(typed, key=rank)


def _flatten_jsonld(data) -> Iterator[dict]:
    if isinstance(data, list):
        for item in data:
            yield from _flatten_jsonld(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _flatten_jsonld(data["@graph"])


# --------------------------------------------------------------------------- title

#: Separators between a page's title and its site name ("Story | Site", "Site - Story").
_TITLE_SEPARATOR = re.compile(r"(\s+[|–—·»:-]\s+|\s+::\s+|\s*\|\s*)")


def clean_title(title: str, site_names: Iterable[str] = ()) -> str:
    """A page title without the site name around it ("Story | Site" -> "Story")."""
    title = " ".join(title.split())
    names = {_squash_name(name) for name in site_names if name}
    pieces = _TITLE_SEPARATOR.split(title)  # part, separator, part, ...
    while len(pieces) > 2 and _is_site_name(pieces[-1], names):
        del pieces[-2:]
    while len(pieces) > 2 and _squash_name(pieces[0]) in names:
        del pieces[:2]
    return "".join(pieces).strip() or title


#: Shorter parts are not compared by overlap with the site name ("a" is in every name).
MIN_NAME_OVERLAP = 3


def _squash_name(name: str) -> str:
    return re.sub(r"[^\w]", "", name.lower().removeprefix("www."))


def _is_site_name(part: str, names: set[str]) -> bool:
    squashed = _squash_name(part)
    if not squashed:
        return True
    if squashed in names:
        return True
    if len(squashed) >= MIN_NAME_OVERLAP and any(
        n and (squashed in n or n in squashed) for n in names
    ):
        return True
    return "." in part and " " not in part.strip()  # a bare domain ("srnnews.com")


#: An h1 shorter than this is a section label ("News"), not the headline.
MIN_HEADLINE_CHARS = 10


def _title(src: _Sources, site_names: list[str]) -> str:
    """The headline: the first of the page's title fields, cut to its h1 when it holds it."""
    candidates = [
        src.first("og:title"),
        *[h for h in src.ld("headline") if isinstance(h, str)],
        src.first("twitter:title", "dc.title", "parsely-title", "sailthru.title"),
    ]
    title_tag = src.tree.find(".//title")
    if title_tag is not None:
        candidates.append(title_tag.text_content())
    h1_tag = src.tree.find(".//h1")
    h1 = " ".join(h1_tag.text_content().split()) if h1_tag is not None else ""
    title = next((clean_title(c, site_names) for c in candidates if c and c.strip()), "")
    if len(h1) >= MIN_HEADLINE_CHARS and (not title or h1 in title):
        return h1  # "Story - Site" or "Section: Story" around the page's own headline
    return title


# --------------------------------------------------------------------------- authors

_BY_PREFIX = re.compile(
    r"^\W*(?:(?:written|posted|reported|story|text|words)\s+)?"
    r"(?:by|von|par|por|door|di|da|przez|autor(?:in)?|author|text|redaktion|interview"
    r"|(?:verfasst|eingestellt|erstellt|geschrieben|publiziert) von|publié par)\b[:\s]*",
    re.I,
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|\||&|\band\b|\bund\b|\by\b|\bet\b|\be\b|\bi\b)\s*", re.I)
_URL_OR_EMAIL = re.compile(r"https?:|www\.|\S+@\S+|\.(?:com|org|net|de)\b|^@", re.I)
_NOT_A_NAME = re.compile(
    r"\d{2}|\b(?:updated|published|am|on|min(?:ute)?s?|read|lesezeit|uhr|stand)\b", re.I
)


def split_authors(text: str) -> list[str]:
    """Person names in a byline: "By Jane Roe and John Doe" -> ["Jane Roe", "John Doe"]."""
    text = " ".join(text.split())
    text = _BY_PREFIX.sub("", text)
    names = []
    for part in _AUTHOR_SPLIT.split(text):
        name = _BY_PREFIX.sub("", part).strip(" .,:;-–—|()[]\"'")
        if _is_person_name(name) and name.lower() not in (n.lower() for n in names):
            names.append(name)
    return names


def _is_person_name(name: str) -> bool:
    if not name or len(name) > MAX_AUTHOR_CHARS or len(name.split()) > MAX_AUTHOR_WORDS:
        return False
    if _URL_OR_EMAIL.search(name) or _NOT_A_NAME.search(name) or "*" in name:
        return False
    if name.islower() and "-" in name:  # a URL slug ("gloria-ruiz-kuilan")
        return False
    return any(ch.isalpha() for ch in name)


def _ld_author_names(value) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _ld_author_names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        return _ld_author_names(name) if name else []
    return [value] if isinstance(value, str) else []


#: class/id/rel/itemprop markers of a byline in the visible page.
_BYLINE_XPATH = (
    ".//*[@rel='author' or @itemprop='author' or contains(@class, 'byline')"
    " or contains(@class, 'author') or contains(@class, 'Author') or contains(@class, 'vcard')"
    " or contains(@id, 'author')][not(self::meta or self::link or self::body or self::html)]"
)
#: A byline element is short; a long one is an author box (biography), not a byline.
MAX_BYLINE_CHARS = 120
#: A byline paragraph at the start of the text: "By Jane Roe" (capitalised words).
_TEXT_BYLINE = re.compile(
    r"^\s*(?:[Bb]y|BY|[Vv]on|[Pp]ar|[Pp]or)\s+((?:[A-ZÀ-Ý][\w.'’-]+\s*){1,4}(?:(?:and|und|&|,)\s*"
    r"(?:[A-ZÀ-Ý][\w.'’-]+\s*){1,4})*)\s*$",
)
#: How many of the page's first text blocks are searched for a byline.
BYLINE_SEARCH_BLOCKS = 40


def _authors(src: _Sources, site_names: list[str]) -> list[str]:
    candidates: list[str] = []
    candidates += src.all("author", "article:author", "dc.creator", "parsely-author")
    candidates += src.all("sailthru.author", "byl", "cxenseparse:author")
    for value in src.ld("author"):
        candidates += _ld_author_names(value)
    sites = {_squash_name(name) for name in site_names if name}
    names = _unique(
        name
        for candidate in candidates
        if not _URL_OR_EMAIL.match(candidate.strip())
        for name in split_authors(candidate)
        if _squash_name(name) not in sites
    )
    if names:
        return names
    for element in src.tree.xpath(_BYLINE_XPATH):
        text = element.text_content()
        if len(text.strip()) <= MAX_BYLINE_CHARS and (names := split_authors(text)):
            return names
    return _byline_in_text(src.tree)


def _byline_in_text(tree: lxml.html.HtmlElement) -> list[str]:
    body = tree.find("body")
    if body is None:
        return []
    for count, element in enumerate(body.iter("p", "div", "span", "address", "em", "strong")):
        if count >= BYLINE_SEARCH_BLOCKS * 4:
            break
        text = " ".join(element.text_content().split())
        match = _TEXT_BYLINE.match(text) if len(text) < MAX_AUTHOR_CHARS * 2 else None
        if match:
            return split_authors(match.group(1))
    return []


# --------------------------------------------------------------------------- date

#: ``<meta>`` keys holding the publication date, best first.
DATE_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "created",
    "article.published",
    "cxenseparse:recs:publishtime",
)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|\b)")


def normalise_date(value: str, now: dt.datetime | None = None) -> str | None:
    """ISO 8601 form of a date string ("2019-10-16" or "2019-10-16T08:30:00+02:00")."""
    value = " ".join(str(value).split())
    if not value or not any(ch.isdigit() for ch in value):
        return None
    try:
        parsed = dateparser.isoparse(value)
    except ValueError:
        try:
            with warnings.catch_warnings():  # "CET" and other zone names dateutil cannot place
                warnings.simplefilter("ignore", dateparser.UnknownTimezoneWarning)
                parsed = dateparser.parse(value, dayfirst=not re.match(r"\d{4}", value))
        except (ValueError, OverflowError, TypeError):
            return None
    now = now or dt.datetime.now(dt.UTC)
    naive_now = now.replace(tzinfo=None)
    moment = parsed.replace(tzinfo=None)
    if parsed.year < MIN_YEAR or moment - naive_now > MAX_FUTURE:
        return None
    has_time = bool(re.search(r"\d[:h]\d", value)) and (parsed.hour or parsed.minute)
    if not has_time:
        return parsed.date().isoformat()
    return parsed.isoformat(timespec="seconds")


def _published(src: _Sources, url: str | None) -> str | None:
    candidates = [src.first(*DATE_META_KEYS)]
    candidates += [v for v in src.ld("datePublished") if isinstance(v, str)]
    candidates += [v for v in src.ld("dateCreated") if isinstance(v, str)]
    for element in src.tree.xpath(".//*[@itemprop='datePublished']"):
        candidates.append(element.get("content") or element.get("datetime"))
    for time in src.tree.iter("time"):
        candidates.append(time.get("datetime"))
    for candidate in candidates:
        if candidate and (date := normalise_date(candidate)):
            return date
    match = _URL_DATE.search(url or "")
    if match:
        return normalise_date("-".join(g.zfill(2) for g in match.groups()))
    return _date_in_text(src.tree, url)


def _date_in_text(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    """Last resort: htmldate's search of the visible page ("Published 3 May 2022")."""
    try:
        found = find_date(copy.deepcopy(tree), url=url, original_date=True, extensive_search=True)
    except Exception:  # noqa: BLE001 - htmldate on an odd page must not stop extraction
        return None
    return normalise_date(found) if found else None


# --------------------------------------------------------------------------- the rest


def _canonical_url(src: _Sources, url: str | None) -> str | None:
    link = src.tree.xpath(".//link[@rel='canonical']/@href")
    found = (link[0] if link else None) or src.first("og:url")
    if found and found.strip():
        found = urljoin(url or "", found.strip())
        if urlsplit(found).scheme in ("http", "https"):
            return found
    return url


def _site_name(src: _Sources) -> str | None:
    name = src.first("og:site_name", "application-name", "al:ios:app_name")
    if name:
        return name
    for publisher in src.ld("publisher"):
        names = _ld_author_names(publisher)
        if names:
            return names[0].strip()
    return None


def domain_of(url: str | None) -> str | None:
    """The site's domain ("https://www.srnnews.com/x" -> "srnnews.com")."""
    host = urlsplit(url or "").hostname or ""
    return host.removeprefix("www.") or None


def _language(src: _Sources) -> str | None:
    values = [src.tree.get("lang"), src.tree.get("xml:lang")]
    values += [src.first("content-language", "og:locale", "dc.language", "language")]
    values += [v for v in src.ld("inLanguage") if isinstance(v, str)]
    for value in values:
        code = re.match(r"\s*([a-zA-Z]{2,3})(?:[-_]|\s*$)", value or "")
        if code:
            return code.group(1).lower()
    return None


def _topics(src: _Sources) -> list[str]:
    values = src.all("article:section", "article:tag", "parsely-section", "parsely-tags")
    for key in ("articleSection", "keywords"):
        for value in src.ld(key):
            values += value if isinstance(value, list) else [value]
    values += src.all("news_keywords", "keywords")
    topics = (t.strip() for v in values if isinstance(v, str) for t in re.split(r"[,;]", v))
    kept = _unique(t for t in topics if t and len(t) <= MAX_TOPIC_CHARS)
    return kept[:MAX_TOPICS]


def _description(src: _Sources) -> str | None:
    value = src.first("og:description", "description", "twitter:description")
    if not value:
        value = next((v for v in src.ld("description") if isinstance(v, str)), None)
    return " ".join(value.split()) if value else None


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        key = value.lower()
        if key not in seen:
            seen.add(key)
            kept.append(value)
    return kept


def extract_metadata(tree: lxml.html.HtmlElement, url: str | None = None) -> PageMetadata:
    """Everything the page says about itself, each field from its best source."""
    src = _Sources(_meta_tags(tree), _jsonld_objects(tree), tree)
    page_url = _canonical_url(src, url)
    site = _site_name(src)
    domain = domain_of(page_url) or domain_of(url)
    return PageMetadata(
        title=_title(src, [site or "", domain or ""]),
        authors=_authors(src, [site or "", domain or ""]),
        published=_published(src, page_url),
        publisher=site or domain,
        language=_language(src),
        topics=_topics(src),
        url=page_url,
        description=_description(src),
    )
