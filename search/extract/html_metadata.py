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
import functools
import html
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from htmldate import find_date

from search.extract.bylines import (
    byline_credit,
    byline_paragraph,
    credit_shaped,
    is_person_name,
    parse_byline,
)
from search.extract.dates import date_in_text, in_publisher_zone, normalise_date
from search.extract.publishers import domain_label, normalise_publisher

__all__ = ["PageMetadata", "extract_metadata", "clean_title"]


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

# --------------------------------------------------------------------------- collection


@dataclass
class _Sources:
    """The raw material of every field: meta tags by key, JSON-LD objects, the tree."""

    meta: dict[str, list[str]]
    jsonld: list[dict]
    tree: lxml.html.HtmlElement
    #: every JSON-LD object that has an ``@id``, to follow references (``"author": {"@id"}``)
    by_id: dict[str, dict] = field(default_factory=dict)
    #: forum and social posts (see ``POST_TYPES``)
    posts: list[dict] = field(default_factory=list)
    #: the objects that describe the site (see ``SITE_TYPES``)
    sites: list[dict] = field(default_factory=list)

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

    def ld_authors(self) -> list:
        """JSON-LD ``author`` values of the article objects, else of a forum or social post."""
        return self.ld("author") or [post["author"] for post in self.posts if post.get("author")]


def _meta_tags(tree: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lowercased name, property, itemprop or http-equiv."""
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        content = meta.get("content")
        if content is None or (meta.get("itemprop") and _of_other_work(meta)):
            continue
        for attribute in ("property", "name", "itemprop", "http-equiv"):
            key = meta.get(attribute)
            if key:
                found.setdefault(key.strip().lower(), []).append(content)
    return found


#: Microdata properties that hold another work: one the page cites, lists or comments on.
OTHER_WORK_PROPERTIES = frozenset(
    {"citation", "comment", "review", "itemlistelement", "haspart", "isbasedon"}
)


def _of_other_work(meta: lxml.html.HtmlElement) -> bool:
    """Whether a microdata ``<meta itemprop>`` describes another work than the page's (its
    item is a reference's: "<li itemprop="citation" itemscope><meta itemprop="author">")."""
    item = next((a for a in meta.iterancestors() if a.get("itemscope") is not None), None)
    return item is not None and (item.get("itemprop") or "").lower() in OTHER_WORK_PROPERTIES


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


#: schema.org types of a forum thread's or a social network's post: its author is the page's
#: writer, its dates are the thread's (read for the author only).
POST_TYPES = frozenset({"DiscussionForumPosting", "SocialMediaPosting"})


def _jsonld_objects(
    tree: lxml.html.HtmlElement,
) -> tuple[list[dict], dict[str, dict], list[dict], list[dict]]:
    """The page's JSON-LD objects that describe an article (best type first), every object
    by its ``@id``, its forum or social posts, and the objects that describe its site."""
    objects: list[dict] = []
    for script in tree.iter("script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            # strict=False: raw line breaks inside strings are common in hand-made JSON-LD
            data = json.loads(script.text.strip().rstrip(";"), strict=False)
        except ValueError:
            continue
        objects.extend(_flatten_jsonld(_unescaped(data)))

    def rank(obj: dict) -> int:
        ranks = [ARTICLE_TYPES.index(t) for t in _types(obj) if t in ARTICLE_TYPES]
        return min(ranks) if ranks else len(ARTICLE_TYPES)

    typed = [obj for obj in objects if rank(obj) < len(ARTICLE_TYPES)]
    by_id = {obj["@id"]: obj for obj in objects if isinstance(obj.get("@id"), str)}
    posts = [obj for obj in objects if any(t in POST_TYPES for t in _types(obj))]
    return sorted(typed, key=rank), by_id, posts, _site_objects(objects)


#: schema.org types a site describes itself by beside its article (the ``@graph`` of Yoast
#: and Rank Math): the site first, whose name is the outlet's, then the outlet's owner.
SITE_TYPES = ("WebSite", "NewsMediaOrganization", "Organization")


def _site_objects(objects: list[dict]) -> list[dict]:
    """The page's top-level JSON-LD objects that describe its site, in ``SITE_TYPES`` order;
    a person (a blogger's ``["Person", "Organization"]``) is a writer, not an outlet."""

    def rank(obj: dict) -> int:
        return min(SITE_TYPES.index(t) for t in _types(obj) if t in SITE_TYPES)

    sites = [
        obj
        for obj in objects
        if "Person" not in _types(obj) and any(t in SITE_TYPES for t in _types(obj))
    ]
    return sorted(sites, key=rank)


def _unescaped(data):
    """JSON-LD with HTML entities in its strings decoded: WordPress's SEO plugins write
    ``"headline": "Dog&#039;s rescue &amp; river"``, which means the text with the quote."""
    if isinstance(data, str):
        return html.unescape(data) if "&" in data else data
    if isinstance(data, list):
        return [_unescaped(item) for item in data]
    if isinstance(data, dict):
        return {key: _unescaped(value) for key, value in data.items()}
    return data


def _types(obj: dict) -> list:
    """A JSON-LD object's ``@type`` as a list (it may be one string or several)."""
    types = obj.get("@type")
    return types if isinstance(types, list) else [types]


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
_TITLE_SEPARATOR = re.compile(r"(\s+[|│•–—·»:-]\s+|\s+::\s+|\s*[|│]\s*)")


class SiteNames:
    """The names a page's site goes by (its ``og:site_name``, its domain and the domain's
    main label: ``www.bundeskanzleramt.gv.at`` -> ``bundeskanzleramt``), to tell a title
    part, a heading or a byline that only names the site."""

    def __init__(self, *names: str | None) -> None:
        self.names = [name for name in names if name]
        self.squashed = {_squash_name(name) for name in self.names} - {""}
        self.labels = {label for name in self.names if (label := domain_label(name))}
        #: a blog host's subdomain is its writer's handle ("damianduchamps.wordpress.com")
        self.handles = {
            _squash_name(found["handle"])
            for name in self.names
            if (found := _BLOG_HOST.match(name))
        }

    def is_name(self, text: str) -> bool:
        """Whether ``text`` is only the site's name (or its domain, or "Home")."""
        squashed = _squash_name(text)
        if not squashed or squashed in self.squashed:
            return True
        return any(squashed == label for label in self.labels)

    def is_masthead(self, heading: str) -> bool:
        """Whether a short heading opens with the domain's name ("Four Years Remaining" on
        fouryears.eu, "DimidoBlog" on dimido.de): a blog's name in its h1, not a headline."""
        squashed = _squash_name(heading).translate(_UMLAUTS)
        return len(heading.split()) <= MAX_SITE_PART_WORDS and any(
            len(label) >= MIN_LABEL_CHARS and squashed.startswith(label) for label in self.labels
        )

    def is_owner(self, name: str) -> bool:
        """Whether a person's name is the site's domain (wolfgangschmale.eu) or a blog's
        handle (alexanderlasch.wordpress.com, "damianduchamps"): the writer of a personal
        site, whose byline is kept though it is the site's name too."""
        words = name.split()
        if len(words) == 1:
            return _squash_name(name) in self.handles
        if words[0].casefold() in _ARTICLES or _OUTLET_WORD.search(name):
            return False  # "El Espectador", "Presse Augsburg": an outlet named like one
        return _squash_name(name) in self.labels | self.handles

    def without_name(self, name: str) -> str:
        """A byline name without the site's name after it ("Adam Aaronson PhillyVoice",
        "Matthias herrpfleger"); a surname that is also the domain stays ("Daniel Lemire")."""
        words = name.split()
        last = words[-1]
        if len(words) >= 2 and _HANDLE_OR_BRAND.match(last) and self.is_name(last):
            return " ".join(words[:-1])
        return name

    def in_part(self, part: str) -> bool:
        """Whether a title part names the site ("Stiftung OFFSHORE-WINDENERGIE", "modabot")."""
        squashed = _squash_name(part)
        if not squashed or squashed in self.squashed:
            return True
        short = len(part.split()) <= MAX_SITE_PART_WORDS
        if (short and len(squashed) >= MIN_NAME_OVERLAP) and any(
            squashed in name or name in squashed for name in self.squashed
        ):
            return True
        spelled = squashed.translate(_UMLAUTS)  # "Ökologisch Bauen" on oekologisch-bauen.info
        if short and any(
            len(label) >= MIN_LABEL_CHARS and label in spelled for label in self.labels
        ):
            return True
        return "." in part and " " not in part.strip()  # a bare domain ("srnnews.com")


#: Blog hosts whose subdomain is the writer's handle.
_BLOG_HOST = re.compile(
    r"^(?:https?://)?(?P<handle>[\w-]+)\.(?:wordpress\.com|blogspot\.[a-z.]+|tumblr\.com"
    r"|substack\.com)\b",
    re.I,
)
#: Articles that open an outlet's name ("El Colombiano", "Die Tageszeitung", "The Local").
_ARTICLES = frozenset({"the", "a", "el", "la", "los", "las", "le", "les", "il", "lo", "der"})
_ARTICLES |= {"die", "das", "het", "de"}
#: Words of an outlet's or an organisation's name, never of a person's.
_OUTLET_WORD = re.compile(
    r"\b(?:presse|press|news|zeitung|radio|tv|foundation|stiftung|verlag|verband|institut"
    r"|forum)\b",
    re.I,
)
#: A site's name after a byline's name is written as a handle or a brand ("herrpfleger",
#: "PhillyVoice"), unlike a surname the site is named after ("Daniel Lemire", "Die FURCHE").
_HANDLE_OR_BRAND = re.compile(r"^(?:[a-z0-9][\w.-]*|[A-Z][a-z]+[A-Z]\w*)$")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
#: A domain label shorter than this is not looked for inside title parts ("bbc" is).
MIN_LABEL_CHARS = 3


def clean_title(title: str, site_names: Iterable[str] | SiteNames = ()) -> str:
    """A page title without the site name around it ("Story | Site" -> "Story").

    >>> clean_title("Story of the day | The Guardian", ["The Guardian"])
    'Story of the day'
    >>> clean_title("Paris Haute Couture: Serkan Cura | modabot", ["www.modabot.de"])
    'Paris Haute Couture: Serkan Cura'
    """
    site = site_names if isinstance(site_names, SiteNames) else SiteNames(*site_names)
    title = " ".join(title.split())
    pieces = _TITLE_SEPARATOR.split(title)  # part, separator, part, ...
    while len(pieces) > 2 and _NOT_HEADLINE_PART.match(pieces[-1]):
        del pieces[-2:]
    for index in range(2, len(pieces), 2):  # "Story | Site - its tagline": cut from the site
        tail = "".join(pieces[index:])
        if site.in_part(pieces[index]) and len(tail.split()) <= MAX_TAGLINE_WORDS:
            del pieces[index - 1 :]
            break
    # "Site » Blog Archiv » Story", "23.01.2022 - Story"
    while len(pieces) > 2 and (site.is_name(pieces[0]) or _NOT_HEADLINE_PART.match(pieces[0])):
        del pieces[:2]
    return "".join(pieces).strip() or title


#: Title parts that are no headline: a date alone, WordPress's "Blog Archive".
_NOT_HEADLINE_PART = re.compile(
    r"^\s*(?:\d{1,2}\.\s?\d{1,2}\.\s?\d{2,4}|\d{4}-\d{2}-\d{2}|blog[- ]archiv(?:e)?)\s*$", re.I
)
#: Shorter parts are not compared by overlap with the site name ("a" is in every name).
MIN_NAME_OVERLAP = 3
#: A site name and its tagline after a title run to at most this many words.
MAX_TAGLINE_WORDS = 10
#: A title part longer than this is not searched for the domain's label ("Schneekarten auf
#: Gipfelbuch.ch" is a headline that mentions the site).
MAX_SITE_PART_WORDS = 4
#: A longer ``og:site_name`` is the page's title put in the wrong tag.
MAX_SITE_NAME_WORDS = 8


def _squash_name(name: str) -> str:
    return re.sub(r"[^\w]", "", name.lower().removeprefix("www."))


#: A heading shorter than this is a section label ("News", "Home"), not the headline.
MIN_HEADLINE_CHARS = 5
MAX_HEADLINE_CHARS = 300
#: Elements that hold the page's visible headline: the h1 and the common headline markup.
_HEADLINE_XPATH = (
    "//h1 | //*[@itemprop='headline'][not(self::meta)]"
    " | //*[self::h2 or self::h3 or self::div or self::span]"
    "[contains(concat(' ', normalize-space(@class), ' '), ' entry-title ')"
    " or contains(concat(' ', normalize-space(@class), ' '), ' post-title ')"
    " or contains(@class, 'article-title') or contains(@class, 'headline')]"
)
#: Share of a heading's words that a title field must contain for the two to be one headline.
MIN_HEADLINE_MATCH = 0.6
#: Share of a title field's words that a one-word heading must hold, unless the field opens
#: with it ("Opinion" is a section heading whose word recurs in "Story | AOC media - Analyse
#: Opinion Critique"; "Design" opens "Design - Studio X").
MIN_FIELD_COVER = 0.25
#: A title field with fewer words after its site name is cut is a section ("Gaspreise").
MIN_TITLE_WORDS = 2
#: A kicker (the short label before a headline: "Klimaschutz", "Analysis") is at most this
#: share of the heading's text.
MAX_KICKER_SHARE = 0.6
_WORD = re.compile(r"\w+")


def _title(src: _Sources, site: SiteNames) -> str:
    """The headline as the page shows it, or the best title field when it shows none.

    Title fields (``og:title``, JSON-LD ``headline``, ``<title>``) often carry a site name or
    a section ("Politik - Story | Site"); the page's own heading is what a reader sees as the
    headline. So the heading that a title field confirms (most of its words are in the field)
    wins; else the first title field, without the site name around it; else the first heading.
    """
    fields = [
        src.first("og:title"),
        *[h for h in src.ld("headline") if isinstance(h, str)],
        src.first("twitter:title", "dc.title", "parsely-title", "sailthru.title"),
    ]
    title_tag = src.tree.find(".//title")
    if title_tag is not None:
        fields.append(title_tag.text_content())
    fields = [" ".join(f.split()) for f in fields if f and f.strip()]
    fields = [f for f in fields if not site.is_name(f) and not _cut_at_quote(f, fields)]
    fields = [f for f in fields if not _EMPTY_HEADLINE_SLOT.search(f)]
    all_h1s = list(_headings(src.tree, "//h1", fields))
    mastheads = {h for h in all_h1s if site.is_masthead(h)}
    headings = [
        h for h in _headings(src.tree, fields=fields) if not site.is_name(h) and h not in mastheads
    ]
    h1s = [h for h in all_h1s if not site.is_name(h) and h not in mastheads]
    if not any(len(h.split()) >= MIN_TITLE_WORDS for h in h1s):
        # no h1 holds a headline (a blog's h1 is its name): the post's title is an h2
        headings += [h for h in _headings(src.tree, "//h2") if not site.is_name(h)]
    field_words = [(f, set(_WORD.findall(f.casefold()))) for f in fields]
    best, best_rank = None, (0.0, False, 0.0)
    for heading in headings:
        words = _WORD.findall(heading.casefold())
        for text, known in field_words:
            shared = sum(word in known for word in words)
            if not words or shared < MIN_HEADLINE_MATCH * len(words):
                continue
            cover = len(known.intersection(words)) / max(len(known), 1)
            if len(words) == 1 and cover < MIN_FIELD_COVER and not _opens(text, heading):
                continue  # "Opinion", a section, in "Story | AOC media - Analyse Opinion"
            # a tie goes to an h1, then to the heading with fewer words the field lacks
            rank = (cover, heading in h1s, shared / len(words))
            if rank > best_rank:
                best, best_rank = heading, rank
    if best:
        return clean_title(best, site)  # some pages repeat the whole <title> in their h1
    cleaned = [clean_title(f, site) for f in fields]
    # an h1 the page repeats is furniture (a newsletter box, shown once per screen size)
    unrepeated = [h for h in h1s if h1s.count(h) == 1]
    lone = _STYLE_RULES.sub("", unrepeated[0]) if len(unrepeated) == 1 else ""
    if lone and _is_headline(lone, cleaned, site):
        return lone  # the title fields are worded for search engines, the h1 for readers
    # a one-word field is a section ("Medienmitteilungen"): another field may hold the headline
    title = next(
        (t for t in cleaned if len(t.split()) >= MIN_TITLE_WORDS), cleaned[0] if cleaned else ""
    )
    if len(title.split()) < MIN_TITLE_WORDS:  # "energieverbraucher.de | Gaspreise"
        h1s = [h for h in _headings(src.tree, "//h1") if not site.is_name(h)]
        if len(h1s) == 1 and len(h1s[0].split()) > len(title.split()):
            return h1s[0]
    return title or (headings[0] if headings else "")


#: A title field ending in its separator ("National Rail Enquiries -") is a template whose
#: headline slot was left empty: it names the site only.
_EMPTY_HEADLINE_SLOT = re.compile(r"\s[|│•–—·»:-]$")

#: CSS of a ``<style>`` element inside a heading, which its text includes.
_STYLE_RULES = re.compile(r"^(?:\s*[^\s{}]+\s*\{[^{}]*\})+\s*")


def _is_headline(heading: str, fields: list[str], site: SiteNames) -> bool:
    """Whether a page's only h1, which no title field confirms, is its headline: it has
    words enough (one word is a section: "Details", "Literatur"), it does not open with the
    site's name ("ProNATs e.V. Verein zur ..."), and it is not a title field with page
    furniture after it ("Story 02.02.2022 • Verband, Presse")."""
    if len(heading.split()) < MIN_TITLE_WORDS:
        return False
    opening = _squash_name(heading.split()[0])
    sections = [_squash_name(f) for f in fields if len(f.split()) == 1]
    if any(opening.startswith(s) or s.startswith(opening) for s in sections if s and opening):
        return False  # "Medienmitteilung der Bauverwaltung" under the section "Medienmitteilungen"
    words = re.findall(r"[\w.]+", heading)[:MAX_SITE_PART_WORDS]
    if any(site.is_name(" ".join(words[:n])) for n in range(1, len(words) + 1)):
        return False
    key = " ".join(_WORD.findall(heading.casefold()))
    return not any(
        (field_key := " ".join(_WORD.findall(field.casefold()))) and key.startswith(field_key)
        for field in fields
    )


def _cut_at_quote(field: str, fields: list[str]) -> bool:
    """Whether a title field is another one cut where it quotes: ``content="Senator calls
    Biden "unfit""`` ends the attribute at the quote, the ``<title>`` keeps the whole."""
    return any(
        other.startswith(field) and other[len(field) :].lstrip()[:1] in _QUOTES for other in fields
    )


_QUOTES = frozenset('"“„«')


def _headings(
    tree: lxml.html.HtmlElement, xpath: str = _HEADLINE_XPATH, fields: Sequence[str] = ()
) -> Iterator[str]:
    """Texts of the page's headline elements, each without a kicker before it (nor the
    separator that followed the kicker: "<span>Klimaschutz</span>: Bohren, bis es heiß wird")."""
    elements = tree.xpath(xpath)
    containers = {ancestor for element in elements for ancestor in element.iterancestors()}
    for element in elements:
        if element in containers:  # "<div class="headline_area"><h1>…</h1><p>by …": the h1
            continue
        text = _LINK_ARROW.sub("", _without_kicker(element, fields)).lstrip(_LEADING_SEPARATORS)
        if MIN_HEADLINE_CHARS <= len(text) <= MAX_HEADLINE_CHARS:
            yield text


_LEADING_SEPARATORS = " :|–—-•·"
#: A link arrow before a heading's text ("[> Jens Weber", "> Story").
_LINK_ARROW = re.compile(r"^\s*\[?>+\]?\s+")


def _opens(title: str, heading: str) -> bool:
    """Whether ``heading`` is the first part of ``title`` ("Design" of "Design - Studio X")."""
    return _squash_name(_TITLE_SEPARATOR.split(title, maxsplit=1)[0]) == _squash_name(heading)


#: Tags that set a kicker apart on their own; any other needs a class or a line break after it
#: (a bare ``<strong>`` opening a headline is emphasis, not a kicker).
_KICKER_TAGS = frozenset({"small", "div", "p", "header"})


#: Classes of text for screen readers only ("<span class="sr-only">Headline:</span>").
SCREEN_READER_CLASSES = ("sr-only", "visually-hidden", "screen-reader-text", "visuallyhidden")
_SCREEN_READER_ONLY = re.compile(r"\b(?:" + "|".join(SCREEN_READER_CLASSES) + r")\b")


def _visible_text(element: lxml.html.HtmlElement) -> str:
    """An element's text without what only screen readers announce."""
    hidden = [
        e for e in element.iterdescendants() if _SCREEN_READER_ONLY.search(e.get("class", ""))
    ]
    if not hidden:
        return " ".join(element.text_content().split())
    element = copy.deepcopy(element)
    for node in element.iterdescendants():
        if _SCREEN_READER_ONLY.search(node.get("class", "")):
            node.drop_tree()
    return " ".join(element.text_content().split())


def _followed_by_break(element: lxml.html.HtmlElement) -> bool:
    following = element.getnext()
    return following is not None and following.tag == "br" and not (element.tail or "").strip()


def _without_kicker(element: lxml.html.HtmlElement, fields: Sequence[str] = ()) -> str:
    """A heading's text without the kicker element that opens it.

    ``<h1><span class="dachzeile">Interne Unterlagen</span> Daten gehackt</h1>`` is the
    headline "Daten gehackt" under the label "Interne Unterlagen". A kicker ending in a colon
    ("Krach vor der Versammlung:") is part of the headline's sentence and stays, and so does
    a styled first word the headline goes on from in lower case, as a title field (``fields``)
    reads it ("<span>Ehezoff</span> der Pochers eskaliert").
    """
    text = _visible_text(element)
    children = [c for c in element if isinstance(c.tag, str) and c.tag != "br"]
    while len(children) == 1 and not (element.text or "").strip() and len(children[0]):
        if (children[0].tail or "").strip():
            break
        element = children[0]  # <h1><a><span>kicker</span>headline</a></h1>
        children = [c for c in element if isinstance(c.tag, str) and c.tag != "br"]
    if not children or (element.text or "").strip():
        return text
    first = children[0]
    kicker = " ".join(first.text_content().split())
    rest = text[len(kicker) :].strip() if text.startswith(kicker) else ""
    set_apart = first.get("class") or first.tag in _KICKER_TAGS or _followed_by_break(first)
    if (
        kicker
        and set_apart
        and not kicker.endswith(":")
        and len(kicker) <= MAX_KICKER_SHARE * len(text)
        and len(rest) >= MIN_HEADLINE_CHARS
        and not (rest[0].islower() and any(f.startswith(text) for f in fields))
    ):
        return rest
    return text


# --------------------------------------------------------------------------- authors

#: schema.org types of an author that is not a person (kept only when no person is named).
ORGANISATION_TYPES = frozenset(
    {"Organization", "NewsMediaOrganization", "Corporation", "GovernmentOrganization"}
)


def _ld_names(value, src: _Sources) -> list[tuple[str, bool]]:
    """(name, is an organisation) of a JSON-LD ``author`` or ``publisher``; ``{"@id": ...}``
    references are looked up."""
    if isinstance(value, list):
        return [found for item in value for found in _ld_names(item, src)]
    if isinstance(value, str):
        return [(value, False)]
    if not isinstance(value, dict):
        return []
    if "name" not in value and isinstance(value.get("@id"), str):
        value = src.by_id.get(value["@id"], value)
    name = value.get("name")
    types = set(_types(value))
    is_organisation = bool(types & ORGANISATION_TYPES) and "Person" not in types
    if isinstance(name, list):
        return [(n, is_organisation) for n in name if isinstance(n, str)]
    return [(name, is_organisation)] if isinstance(name, str) else []


def _is_person(value, src: _Sources) -> bool:
    """Whether a JSON-LD value is (a reference to) a Person."""
    if isinstance(value, dict) and "@type" not in value and isinstance(value.get("@id"), str):
        value = src.by_id.get(value["@id"], value)
    return isinstance(value, dict) and "Person" in _types(value)


#: class/id/rel/itemprop markers of a byline in the visible page ("auteurs", "autor" too), an
#: article's ``<address>`` (HTML's element for the contact of the article's author), and the
#: attribution of a Creative Commons licence ("Blog von <a rel="cc:attributionURL">Jane Roe</a>").
_BYLINE_XPATH = (
    ".//*[@rel='author' or @itemprop='author' or contains(@class, 'byline')"
    " or contains(@class, 'author') or contains(@class, 'Author') or contains(@class, 'autor')"
    " or contains(@class, 'auteur') or contains(@class, 'vcard') or contains(@id, 'author')"
    " or contains(@data-testid, 'byline') or self::byline or (self::address and ancestor::article)"
    " or @rel='cc:attributionURL' or @property='cc:attributionName']"
    "[not(self::meta or self::link or self::body or self::html or self::img)]"
)
#: A byline element is short; a long one is an author box (biography), not a byline.
MAX_BYLINE_CHARS = 120
#: Containers of reader comments and forms, whose "author" is a commenter, not the writer.
_COMMENTS = re.compile(r"comment|respond|reply|discussion|disqus|kommentar", re.I)
#: Class tokens that file a post under a category or tag ("category-kommentar" is an opinion
#: piece, not a comment thread).
_TAXONOMY_TOKEN = re.compile(r"^(?:category|tag|kategorie|format|post_format)[-_]", re.I)
#: Containers of the page's footer, whose "by" credits a theme or a web agency.
_FOOTER = re.compile(r"footer|copyright|colophon|site-info|credits", re.I)
#: Text that opens a byline in running text: "von Daniela Obers", "Autor: Jane Roe".
_BYLINE_START = re.compile(
    r"^[\s|•·*–—-]*(?:(?:by|von|vom|par|por|door|text von|(?:blog-?\s?)?beitrag von"
    r"|(?:ein )?artikel von|an article by"
    r"|(?:verfasst|geschrieben"
    r"|written|posted|gespeichert|erstellt) (?:von|by))\s*:?\s"
    r"|(?:text|autor(?:in)?|author|auteur|redaktion|verfasser(?:in)?)\s*:"
    r"|(?:责任编辑|编辑|作者|记者)\s*[:\uff1a]"  # Chinese: editor in charge, editor, author
    r"|(?:autor(?:in|en)?|authors?|auteurs?)\s+(?=(?-i:[A-ZÀ-Ý])))",  # "Autoren Jane Roe und …"
    re.I,
)
#: A post's line of metadata that names its writer after a date or section: "Posted on
#: September 21, 2020 by Adi Tzlil", "Posted in Datenschutz by damianduchamps on August 3".
_POSTED_BY = re.compile(
    r"^\W*(?:posted|published|veröffentlicht|geschrieben|erstellt)\b[^|]{0,60}?\s(?:by|von)\s+",
    re.I,
)
_POSTING_LINE = re.compile(r"^\W*(?:posted|published|veröffentlicht|geschrieben|erstellt)\b", re.I)
_LABEL_START = re.compile(r"^\s*\w+\s*:")
_POSTING_VERB = re.compile(r"verfasst|geschrieben|written|posted|gespeichert|erstellt", re.I)
#: Elements that end a line of running text.
_LINE_BREAKS = frozenset({"br", "p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})
#: Twitter card labels that name the writer (``twitter:label1`` = "Written by").
_WRITER_LABEL = re.compile(r"^(?:written by|verfasst von|geschrieben von|écrit par|autor)", re.I)


#: Meta tags naming the writer, most specific first (a bare ``author`` tag often names the
#: publisher: "Condé Nast", "Prisma Média").
AUTHOR_META_KEYS = (
    (
        "article:author",
        "og:article:author",
        "og:author",
        "parsely-author",
        "sailthru.author",
        "byl",
        "cxenseparse:author",
        "shareaholic:article_author_name",
    ),
    ("author", "dc.creator", "dcterms.creator"),
)


def _authors(src: _Sources, site: SiteNames) -> list[str]:
    """The writers, from the most specific source that names a person: JSON-LD persons,
    then article meta tags, then byline markup, then a byline in the running text.

    Sources often disagree by a name: JSON-LD lists the first author, the byline all of
    them, a meta tag only a first name. Any other source that shares a name with the chosen
    one completes it ("Todd" becomes "Todd Bates", a second author joins); a first name
    left alone is also completed by the writer's JSON-LD biography or a personal site's name.
    """
    people = [
        name
        for value in src.ld_authors()
        for name, is_organisation in _ld_names(value, src)
        if not is_organisation
    ]
    specific, generic = (_people(src.all(*keys), site) for keys in AUTHOR_META_KEYS)
    sources = [_people(people, site), _people(_twitter_writer(src), site), specific]
    if generic and not any(sources):
        # a bare "author" tag that the page's visible byline contradicts names the
        # publisher or the web agency ("Deutsche Welle" above "Auteur : Kossivi Tiassou")
        visible = _byline_markup(src.tree, site) or _byline_in_text(src.tree, site)
        if visible and not _shares_a_name(generic, visible):
            return visible
    sources += [generic, _byline_markup(src.tree, site)]
    found = [names for names in sources if names]
    in_text = None
    if not found:
        in_text = _byline_in_text(src.tree, site) or _dated_byline(src.tree, site)
    chosen = found[0] if found else in_text
    for other in found[1:]:
        chosen = _completed(chosen, other)
    if any(" " not in name for name in chosen):  # a first name alone ("Todd", "Nils")
        # completed by a visible byline, the writer's biography or a personal site's name
        if in_text is None:
            in_text = _byline_in_text(src.tree, site)
        named_site = [n for n in site.names if " " in n and is_person_name(n, strict=True)]
        by_domain = _named_after_domain(src.tree, chosen, site)
        for other in (in_text, _bio_names(src, site), named_site, by_domain):
            chosen = _completed(chosen, other)
    chosen = chosen or _named_by_handle(src)
    if chosen:
        return chosen
    found = _signature(src.tree, site) or _credit(src, site) or _author_box(src.tree, site)
    return found or _domain_owner(src.tree, site) or _copyright_holder(src, site)


def _named_after_domain(
    tree: lxml.html.HtmlElement, names: list[str], site: SiteNames
) -> list[str]:
    """Full names the page shows for a first name alone whose surname the site's domain is
    named after ("Henry" on steinhau.com, the page shows "Henry Steinhau")."""
    labels = [label for label in site.labels if len(label) > MAX_ACRONYM_CHARS]
    firsts = [name for name in names if " " not in name]
    if not labels or not firsts:
        return []
    return _shown_name(
        tree, rf"\b(?:{'|'.join(map(re.escape, firsts))})\s+(?:{'|'.join(labels)})\b"
    )


def _named_by_handle(src: _Sources) -> list[str]:
    """The name the page shows for a writer its JSON-LD or meta tags give as a user handle
    ("christian.roe" is "Christian P. Roe" at the story's end)."""
    declared = [name for value in src.ld_authors() for name, _ in _ld_names(value, src)]
    for handle in declared + src.all(*AUTHOR_META_KEYS[0]):
        if parts := _HANDLE_PARTS.match(handle.strip()):
            first, last = map(re.escape, parts.groups())
            if found := _shown_name(src.tree, rf"\b{first}\s+(?:\w\.\s*)?{last}\b"):
                return found
    return []


#: A user handle made of a first and a last name: "jane.roe", "jane-roe", "jane_roe".
_HANDLE_PARTS = re.compile(r"^([a-z]{2,})[._-]([a-z]{2,})$")


def _shown_name(tree: lxml.html.HtmlElement, pattern: str) -> list[str]:
    """The first name matching ``pattern`` (any case) in the page's visible text, written
    like a name."""
    body = tree.find("body")
    if body is None:
        return []
    shown = re.compile(pattern, re.I)
    for node in body.xpath(".//text()"):
        if node.getparent().tag not in ("script", "style") and (found := shown.search(node)):
            name = " ".join(found.group().split())
            if is_person_name(name, strict=True):
                return [name]
    return []


#: A domain's label shorter than this is no surname ("bbc", "taz").
MAX_ACRONYM_CHARS = 4


def _credit(src: _Sources, site: SiteNames) -> list[str]:
    """What the page credits when no byline names a person: a desk, an outlet, an agency
    or a handle ("Redaktion", "HLNF Staff Report", "AFP/The Local", "tlow"), from the
    JSON-LD author or the writer's meta tags, else the first byline element (there written
    like a name), never from a footer or a logo. A JSON-LD organisation that is the site
    itself is the publisher repeated by the CMS, and counts only if the byline shows it."""
    shown = _shown_credit(src.tree)
    declared = [found for value in src.ld_authors() for found in _ld_names(value, src)]
    declared += [(text, False) for text in src.all(*AUTHOR_META_KEYS[0]) + _twitter_writer(src)]
    for text, is_organisation in declared:
        credit = byline_credit(text)
        if credit and is_organisation and site.is_name(credit):
            credit = credit if credit.casefold() == (shown or "").casefold() else None
        if credit:
            return [credit]
    return [shown] if shown else []


def _shown_credit(tree: lxml.html.HtmlElement) -> str | None:
    """The credit in the page's first byline element that holds one (see ``_credit``)."""
    for text in _byline_element_texts(tree):
        credit = byline_credit(text)
        if credit and credit_shaped(credit):
            return credit
    return None


#: Academic titles before a name ("Dr. Jane Roe" on janeroe.net).
_TITLE_PREFIX = re.compile(r"^(?:(?:dr|prof|mag)\.\s*)+", re.I)
#: XPath test for a text that opens with an academic title (see ``_TITLE_PREFIX``).
_TITLED_TEXT = (
    "".join(
        f"{' and (' if not i else ' or '}starts-with(normalize-space(), '{title}')"
        for i, title in enumerate(("Dr.", "Prof.", "Mag.", "DR.", "PROF."))
    )
    + ")"
)
#: A name shown on the page is short.
MAX_OWNER_NAME_CHARS = 60


def _domain_owner(tree: lxml.html.HtmlElement, site: SiteNames) -> list[str]:
    """The person the site's domain is named after, when the page shows their name (its
    site title "Dr. Jane Roe" on jane-roe.net, its tagline on janeroe.wordpress.com): the
    writer of a personal site whose pages carry no byline. Only a name with an academic
    title or a blog's handle reads as a person's: a site named like its domain is often a
    brand ("Statistics Globe" on statisticsglobe.com, "Love Hina" on love-hina.ch)."""
    body = tree.find("body")
    if body is None or not (site.labels or site.handles):
        return []
    # without a blog's handle, only a titled name counts: read only the text that opens so
    titled = "" if site.handles else _TITLED_TEXT
    for node in body.xpath(f".//text()[normalize-space(){titled}]"):
        text = " ".join(node.split())
        if len(text) > MAX_OWNER_NAME_CHARS or node.getparent().tag in ("script", "style"):
            continue
        name = _TITLE_PREFIX.sub("", text)
        personal = name != text or _squash_name(name) in site.handles
        if personal and " " in name and site.is_owner(name) and is_person_name(name, strict=True):
            return [name]
    return []


#: A domain named after more words than this is a brand's ("womencantalksports.com").
MAX_OWNER_WORDS = 3
#: A copyright notice: "© 2019 Jane Roe", "Copyright (c) 2012- Jane Roe. All rights reserved",
#: "(c) Jane Roe • Weitere Rechte …"; the holder runs to the first full stop or bar.
_COPYRIGHT = re.compile(
    r"^\W*(?:(?:©|\(c\)|copyright)\s*)+(?:(?:since|seit)\s+)?"
    r"(?:(?:19|20)\d{2}\s*(?:[-–]\s*(?:(?:19|20)\d{2})?\s*)?)?(?:by\s+)?"
    r"(?P<holder>[^.•|,;:©]+?)\s*(?:$|[.•|,;:]|\s(?i:all rights|alle rechte))",
    re.I,
)


def _copyright_holder(src: _Sources, site: SiteNames) -> list[str]:
    """The person a page's last copyright notice names, when nothing else credits the
    story: the writer of a personal site ("© 2019 Jane Roe"), the person its domain is
    named after or its author and keyword tags name too. A picture's credit ("©
    Jane Roe" in a caption) and a company's notice ("© 2024 Harbour Mills") name no writer."""
    tree = src.tree
    keys = (*AUTHOR_META_KEYS[0], *AUTHOR_META_KEYS[1], "keywords", "news_keywords")
    declared = [_squash_name(value) for value in src.all(*keys, "twitter:creator")]
    body = tree.find("body")
    if body is None:
        return []
    found: list[str] = []
    for node in body.xpath(
        ".//text()[contains(., '©') or contains(., '(c)')"
        " or contains(., 'opyright') or contains(., 'OPYRIGHT')]"
    ):
        notice = _COPYRIGHT.match(node)
        holder = node.getparent()
        if notice is None or holder.tag in ("script", "style") or _credits_picture(holder):
            continue
        names = _people([notice["holder"]], site, shaped=True)
        if len(names) != 1 or names[0] != notice["holder"].strip() or not _personal(names[0]):
            continue
        squashed = _squash_name(names[0])
        if site.is_owner(names[0]) and len(names[0].split()) <= MAX_OWNER_WORDS:
            if squashed not in site.squashed:  # "Schlosswirt Juval", the site's own name
                found = names
        elif any(squashed in value for value in declared) and not site.in_part(names[0]):
            found = names  # named in the meta tags, and not as the site ("DHB - Handball Bund")
    return found


def _personal(name: str) -> bool:
    """Whether a name written like one is a person's, not an organisation's ("Medienreferat
    der Bischofskonferenz", "Deutsches Verbände Forum"): two to four words, no article."""
    words = name.split()
    return 2 <= len(words) <= 4 and not _OUTLET_WORD.search(name) and not _ORG_ARTICLE.search(name)


_ORG_ARTICLE = re.compile(r"\s(?:der|des|du|of|the)\s", re.I)


def _credits_picture(element: lxml.html.HtmlElement) -> bool:
    """Whether ``element`` is in a picture, a caption or a credit line."""
    for current in (element, *element.iterancestors()):
        if current.tag in ("figure", "figcaption", "picture"):
            return True
        tokens = f"{current.get('class', '')} {current.get('id', '')}".split()
        if any(_PICTURE.search(t) or _CREDIT.search(t) and not _FOOTER.search(t) for t in tokens):
            return True
    return False


#: A signature is a name alone on the article's last line, in bold or italics.
_EMPHASIS = frozenset({"b", "strong", "i", "em"})
#: A sibling with this much text after a bold line makes the line a subheading.
MIN_TEXT_AFTER_CHARS = 40
MAX_SIGNATURE_CHARS = 50


def _signature(tree: lxml.html.HtmlElement, site: SiteNames) -> list[str]:
    """The writer signing the story at its end: "<p><b><i>Stefan Wasmer</i></b></p>" after
    the last paragraph (no paragraph of text follows it, unlike a bold subheading, but the
    footnotes after one set flush right), outside footers, comments, asides and teasers."""
    found: list[str] = []
    for block in tree.iter("p", "div"):
        text = " ".join(block.text_content().split())
        if not 2 <= len(text.split()) <= MAX_SIGNATURE_WORDS or len(text) > MAX_SIGNATURE_CHARS:
            continue
        children = [c for c in block if isinstance(c.tag, str)]
        if (block.text or "").strip() or len(children) != 1 or children[0].tag not in _EMPHASIS:
            continue
        if (children[0].tail or "").strip():
            continue
        if _followed_by_text(block) and not _RIGHT_ALIGNED.search(_alignment(block)):
            continue  # a subheading; a signature set flush right may precede footnotes
        if any(a.tag in ("aside", "footer", "nav", "figure", "li") for a in block.iterancestors()):
            continue
        if _in_comments(block) or _in_container(block, _FOOTER, ("footer",)) or _in_teaser(block):
            continue
        names = _people([text], site, shaped=True)
        if len(names) == 1 and names[0] == text.strip(" ."):
            found.append(names[0])
    return found[-1:]


MAX_SIGNATURE_WORDS = 4
_RIGHT_ALIGNED = re.compile(r"right", re.I)


def _alignment(block: lxml.html.HtmlElement) -> str:
    """How a block is aligned: its ``align`` attribute and its style's ``text-align``."""
    style = re.search(r"text-align\s*:\s*(\w+)", block.get("style") or "")
    return f"{block.get('align', '')} {style.group(1) if style else ''}"


def _followed_by_text(block: lxml.html.HtmlElement) -> bool:
    return any(
        len(" ".join(sibling.text_content().split())) >= MIN_TEXT_AFTER_CHARS
        for sibling in block.itersiblings()
        if isinstance(sibling.tag, str) and sibling.tag not in ("script", "style")
    )


#: The name that opens an author's biography: "Nils Pickert ist freier Autor", "Stefanus
#: Stahl - Maschinenbauer".
_BIO_NAME = re.compile(r"^\s*([A-ZÀ-Ý][\w'’-]+(?:\s+[A-ZÀ-Ý][\w'’-]+){1,2})\b")


def _bio_names(src: _Sources, site: SiteNames) -> list[str]:
    """Names that open the ``description`` of the JSON-LD persons credited as authors (a
    profile often gives its first name as ``name`` and the full one in the biography)."""
    names = []
    for value in src.ld("author"):
        for person in value if isinstance(value, list) else [value]:
            if isinstance(person, dict) and "@id" in person and "description" not in person:
                person = src.by_id.get(person["@id"], person)
            description = person.get("description") if isinstance(person, dict) else None
            if isinstance(description, str) and (opening := _BIO_NAME.match(description)):
                names.append(opening.group(1))
    return _people(names, site, shaped=True)


def _shares_a_name(names: list[str], other: list[str]) -> bool:
    return _completed(names, other) != names or any(
        a.casefold() == b.casefold() for a in names for b in other
    )


def _twitter_writer(src: _Sources) -> list[str]:
    """The writer a Twitter card names (``twitter:label1`` "Written by", ``twitter:data1``)."""
    return [
        src.first(f"twitter:data{n}") or ""
        for n in range(1, 5)
        if _WRITER_LABEL.match(src.first(f"twitter:label{n}") or "")
    ]


def _completed(names: list[str], other: list[str]) -> list[str]:
    """``names`` completed by ``other`` when the two share a name (or a first name)."""

    def same(a: str, b: str) -> bool:
        """``a`` is ``b``, its first name or its handle ("arianschlichenmayer")."""
        a, b = a.casefold(), b.casefold()
        return a == b or (" " not in a and (b.split()[0] == a or _squash_name(b) == a))

    if not any(same(a, b) or same(b, a) for a in names for b in other):
        return names
    fuller = [next((b for b in other if same(a, b)), a) for a in names]
    return fuller + [b for b in other if not any(same(a, b) or same(b, a) for a in fuller)]


def _byline_markup(tree: lxml.html.HtmlElement, site: SiteNames) -> list[str]:
    """Names in the first short byline element of the page (not in its comments).

    "Posted on May 3 by Jane Roe" is read after its "by"; a list of single words ("CSP /
    International / Photovoltaik") is a tag list that shares the byline's class.
    """
    for text in _byline_element_texts(tree):
        names = _people([text], site)
        if any(" " in name and not is_person_name(name, strict=True) for name in names):
            continue  # a sentence ("Alles über Lautsprecher, Heimkino und Tipps")
        if len(names) > MAX_SINGLE_WORD_NAMES and not any(" " in name for name in names):
            continue
        if names:
            return names
    return []


def _author_box(tree: lxml.html.HtmlElement, site: SiteNames) -> list[str]:
    """The writer an author box is headed with ("<div class="author-info"><h3>Jane Roe</h3>
    <p>Jane Roe reports on …</p>"): a box too long to be a byline, whose heading or name
    element holds a name and at most its furniture ("Follow")."""
    for element, _ in _byline_elements(tree, boxes=True):
        for heading in element.xpath(_BOX_NAME_XPATH):
            names = _people([_spaced_text(heading)], site, shaped=True)
            if len(names) == 1 and " " in names[0]:
                return names
    return []


#: The element that names an author box's person: a heading, or one marked as a name.
_BOX_NAME_XPATH = (
    ".//*[self::h2 or self::h3 or self::h4 or self::h5 or @itemprop='name'"
    " or contains(concat(' ', normalize-space(@class), ' '), ' fn ')]"
)


def _byline_elements(
    tree: lxml.html.HtmlElement, *, boxes: bool = False
) -> Iterator[tuple[lxml.html.HtmlElement, str]]:
    """The page's short byline-classed elements (or, with ``boxes``, the longer author
    boxes) that may credit its writer, with their text: not a post container nor in
    comments, not a picture's or a teaser's credit."""
    for element, text in _byline_candidates(tree):
        if (len(text) > MAX_BYLINE_CHARS) != boxes:
            continue
        if not _in_comments(element) and not _credits_other(element):
            yield element, text


@functools.lru_cache(maxsize=2)
def _byline_candidates(
    tree: lxml.html.HtmlElement,
) -> tuple[tuple[lxml.html.HtmlElement, str], ...]:
    """The page's byline-classed elements and their text, but a post's container (classed
    "autor-jane-roe" by its taxonomy terms); found once a page, read by several sources."""
    return tuple(
        (element, _spaced_text(element))
        for element in tree.xpath(_BYLINE_XPATH)
        if not _POST_CONTAINER.search(element.get("class", ""))
    )


def _byline_element_texts(tree: lxml.html.HtmlElement) -> Iterator[str]:
    """The text of each short byline element of the page, in page order, not in its
    comments nor crediting a picture or a teaser; after its "by" when it reads "Posted on
    May 3 by …"."""
    for _, text in _byline_elements(tree):
        posted = _POSTED_BY.match(text)
        yield text[posted.end() :] if posted else text


#: Class tokens of a whole post (WordPress's ``post_class``: "post-27097 type-post hentry
#: autor-jane-roe"), whose "author" tokens are taxonomy terms, not a byline.
_POST_CONTAINER = re.compile(r"(?:^|\s)(?:type-post|hentry|status-publish)(?:\s|$)")
#: Classes of teasers for other stories, whose "author" elements name their writers.
_TEASERS = re.compile(r"teaser|listing|slider|swiper|carousel|related|recommend", re.I)
#: Classes of a picture ("article-header-image-author": "© Agency/Photographer"); one that
#: names the author too is the writer's portrait ("author-image", "autorenbild").
_PICTURE = re.compile(r"image|photo|foto|bild", re.I)
_AUTHOR_WORD = re.compile(r"aut(?:h)?or", re.I)
#: Classes of a credit line, on the byline element or inside it.
_CREDIT = re.compile(r"licen[cs]e|credit|caption|copyright", re.I)


def _credits_other(element: lxml.html.HtmlElement) -> bool:
    """Whether an author-classed element credits a picture's maker (a caption, a licence
    line, "© Agency/Photographer") or another story's writer (in a teaser)."""
    if "©" in element.text_content():
        return True
    if any(
        _PICTURE.search(token) and not _AUTHOR_WORD.search(token)
        for token in element.get("class", "").split()
    ):
        return True
    inner = " ".join(e.get("class", "") for e in element.iter() if isinstance(e.tag, str))
    if any(map(_CREDIT.search, inner.split())):
        return True
    if any(a.tag in ("figure", "figcaption") for a in element.iterancestors()):
        return True
    return _in_teaser(element)


def _in_teaser(element: lxml.html.HtmlElement) -> bool:
    """Whether ``element`` sits in a teaser for another story: a teaser-classed container
    that neither holds nor follows the page's ``<h1>`` (some sites style their own header
    as a teaser: "<h1>…</h1><div class="teaser-small__metadata">VON …")."""
    for ancestor in element.iterancestors():
        tokens = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if not _TEASERS.search(tokens):
            continue
        before = ancestor.getprevious()
        if ancestor.find(".//h1") is None and (before is None or before.tag != "h1"):
            return True
    return False


#: More one-word names than this in one byline element make it a list of tags or sections.
MAX_SINGLE_WORD_NAMES = 2


def _people(bylines: list[str], site: SiteNames, *, shaped: bool = False) -> list[str]:
    """Person names in bylines, each once; a handle ("edilson.la.rosa") gives way to a name.

    A site name trailing a name goes ("Adam Aaronson PhillyVoice"). ``shaped`` (for bylines
    in page markup and text, where sentences and tag lists also carry "author" classes) keeps
    only names written as names: capitalised words, initials and particles.
    """
    names = _unique(
        name
        for byline in bylines
        if not _URL_OR_EMAIL.match(byline.strip())
        for name in map(site.without_name, parse_byline(byline).names)
        if (not site.is_name(name) or site.is_owner(name))
        and (not shaped or is_person_name(name, strict=True) or site.is_owner(name))
    )
    spelled = {_squash_name(name) for name in names if " " in name}
    return [name for name in names if " " in name or _squash_name(name) not in spelled]


_URL_OR_EMAIL = re.compile(r"https?:|www\.|\S+@\S+", re.I)


def _spaced_text(element: lxml.html.HtmlElement) -> str:
    """An element's text with a space between its parts ("<span>By</span><a>Jane</a>")."""
    return " ".join(" ".join(element.itertext()).split())


def _in_comments(element: lxml.html.HtmlElement) -> bool:
    """Whether ``element`` sits in reader comments or a form (by class or id tokens)."""
    return _in_container(element, _COMMENTS, tags=("form",))


def _in_container(element: lxml.html.HtmlElement, pattern: re.Pattern, tags=()) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in tags:
            return True
        tokens = f"{ancestor.get('class', '')} {ancestor.get('id', '')}".split()
        if any(pattern.search(t) for t in tokens if not _TAXONOMY_TOKEN.match(t)):
            return True
    return False


def _byline_in_text(tree: lxml.html.HtmlElement, site: SiteNames) -> list[str]:
    """A byline in running text: "von Daniela Obers", "Autor: <a>Jane Roe</a>", "By Jane Roe".

    Each text node that opens like a byline is read to the end of its line (the next line
    break or block); an unlabelled "By" line must hold only capitalised names.
    """
    body = tree.find("body")
    if body is None:
        return []
    handles = []  # "Gespeichert von human": kept in case no byline spells a name
    for node in body.xpath(".//text()"):
        label = _BYLINE_LABEL.match(node) and node.is_text and not len(node.getparent())
        # "Posted in <a>News</a> by jroe on May 3": the "by" is in a later piece of the line
        posting = _POSTING_LINE.match(node) and node.is_text
        if not (_POSTED_BY.match(node) or _BYLINE_START.match(node) or label or posting):
            continue
        if _mid_sentence(node):  # "<b>Leasing</b> von Firmenwägen"
            continue
        parent = node.getparent()
        if _in_comments(parent) or _in_container(parent, _FOOTER, tags=("footer",)):
            continue
        if _in_teaser(parent):  # "Von Jane Roe" under another story's teaser
            continue
        if label:  # "<h4>Autor</h4><p><a>Jane Roe</a></p>": the name is the next text
            following = parent.xpath("following::text()[normalize-space()][1]")
            line = _line_from(following[0]) if following else ""
            names = _people([line], site, shaped=True) if len(line) <= MAX_BYLINE_CHARS else []
            if names and all(is_person_name(name, strict=True) for name in names):
                return names
            if " " not in line and (handle := _people([line], site)):
                handles = handles or handle  # "by <h3><a>delta201</a></h3>": a user's handle
            continue
        # the names end at the first bar ("Posted by Jane Roe under News | Tags: …")
        line = _line_from(node).split(" | ", 1)[0]
        if len(line) <= MAX_BYLINE_CHARS and (names := _names_in_line(line, site)):
            if all(is_person_name(name, strict=True) for name in names):
                return names
            handles = handles or names
    return handles


#: A date and the writer after it under a headline: "25.10.2022 - Jane Roe", "04.02.2022 |
#: 13:10 Uhr | Jane Roe", "06.11.2023 13:30 von Jane".
_DATED_BYLINE = re.compile(
    r"^(?:\d{1,2}\.\s?\d{1,2}\.\s?(?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2})"
    r"(?:\s*[|,]?\s*\d{1,2}:\d{2}(?:\s*uhr)?)?\s*(?:[-–|•·]\s*|\s(?:von|by)\s+)(?P<names>\D+)$",
    re.I,
)


def _dated_byline(tree: lxml.html.HtmlElement, site: SiteNames) -> list[str]:
    """The writer named after the date printed under the headline, or in the line right
    above it (see ``_DATED_BYLINE``), written like a name."""
    headline = _page_headline(tree, site)
    above = headline.getprevious() if headline is not None else None
    lines = [_spaced_text(above)] if above is not None and not _unseen(above) else []
    for text in lines + [text for text, _ in _pieces_after_headline(tree, site)]:
        if dated := _DATED_BYLINE.match(text):
            names = _people([dated.group("names")], site, shaped=True)
            return names if len(names) <= MAX_SINGLE_WORD_NAMES else []
    return []


def _mid_sentence(node) -> bool:
    """Whether a text node continues a sentence after the inline word before it ("beim
    <strong>Leasing</strong> von Firmenwägen"): a lower-case "von"/"by" there is a
    preposition, not a byline's start (which follows a date, a bar or a line break)."""
    if not node.is_tail or not node.lstrip()[:1].islower():
        return False
    element = node.getparent()
    return element.tag not in _LINE_BREAKS and element.text_content().rstrip()[-1:].isalpha()


#: A byline's label alone in its element, the names in the next one: "<strong>By</strong>",
#: "<h4>Autor</h4>", "<b>Von:</b><br>".
_BYLINE_LABEL = re.compile(
    r"^[\s|•·–—-]*(?:by|von|par|por|door|autor(?:in)?|author|auteur|verfasser(?:in)?"
    r"|written by|geschrieben von|text)\s*:?\s*$",
    re.I,
)


def _names_in_line(line: str, site: SiteNames) -> list[str]:
    """The writers a line of text names after its opening ("Posted on May 3 by", "Autor:",
    "By"); labelled and posted lines keep the parts shaped like names (a role after a comma
    goes), an unlabelled "By" line must hold nothing but names."""
    posted = _POSTED_BY.match(line)
    if posted:
        return _people([line[posted.end() :]], site, shaped=True)
    start = _BYLINE_START.match(line)
    if start is None:
        return []
    rest = line[start.end() :]
    if start.group().rstrip()[-1:] in (":", "\uff1a"):
        return _people([rest], site, shaped=True)
    if _POSTING_VERB.search(start.group()):  # "Gespeichert von rasos": a user's handle too
        return _people([rest], site)
    byline = byline_paragraph(f"By {rest}")
    return _people(byline.names, site) if byline else []


#: A "By" alone in its element ("<span class="screen-reader-text">| By </span><span>Jane
#: Roe</span>"): the names follow the element.
_BARE_BY = re.compile(r"^[\W_]*(?:by|von|par|por)\W*$", re.I)


def _line_from(node) -> str:
    """The text from a text node to the end of its line (lxml text nodes know their place)."""
    parts = [str(node)]
    element = node.getparent()
    # an element's own text is followed by its children, a tail by the element's siblings;
    # a label alone in its element ("<strong>Text:</strong> Jane Roe") by the element's tail
    alone = node.is_text and not len(element) and (_LABEL_START.match(node) or _BARE_BY.match(node))
    if alone and element.tail:
        parts.append(element.tail)
    siblings = iter(element) if node.is_text and not alone else element.itersiblings()
    for sibling in siblings:
        if not isinstance(sibling.tag, str) or sibling.tag in _LINE_BREAKS:
            break
        parts.append(sibling.text_content())
        if sibling.tail:
            parts.append(sibling.tail)
    return " ".join(" ".join(parts).split())


# --------------------------------------------------------------------------- date

#: ``<meta>`` keys that name the publication date, best first.
DATE_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "article.published",
    "cxenseparse:recs:publishtime",
    "dc.date.issued",
    "citation_online_date",
    "citation_publication_date",
    "prism.publicationdate",
)
#: ``<meta>`` keys of a date that CMSs often fill with the last change ("date" and Dublin
#: Core's): read after the page's ``<time>`` elements.
GENERIC_DATE_META_KEYS = (
    "date",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "dc.date.created",
    "created",
)
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|\b)")


def _published(
    src: _Sources, url: str | None, dayfirst: bool | None, site: SiteNames
) -> str | None:
    """The story's date as its reader sees it: the date the page prints under its headline,
    when the page's own markup gives that day too (as published or as updated: a reader
    takes the date shown) or gives no publication date of its own; else the publication
    date of date meta tags, JSON-LD, ``datePublished`` markup, ``<time>``, generic date
    meta tags, the URL's date, else a date in the visible page; a UTC moment in the
    publisher's zone."""
    published = [src.first(*DATE_META_KEYS)]
    published += [v for v in src.ld("datePublished") if isinstance(v, str)]
    candidates = list(published)
    for element in src.tree.xpath(".//*[@itemprop='datePublished']"):
        candidates.append(element.get("content") or element.get("datetime"))
    candidates += [v for v in src.ld("dateCreated") if isinstance(v, str)]
    candidates += _by_distance_to_headline(src.tree, src.tree.xpath(".//time[@datetime]"))
    candidates.append(src.first(*GENERIC_DATE_META_KEYS))
    match = _URL_DATE.search(url or "")
    url_date = normalise_date("-".join(g.zfill(2) for g in match.groups())) if match else None
    dates = [d for c in candidates if c and (d := normalise_date(c, dayfirst=dayfirst))]
    found = _machine_date(dates, url_date, url)
    if found is None:
        found = url_date or _printed_date(src.tree, dayfirst) or _date_in_text(src.tree, url)
    shown, labelled = _headline_date(src.tree, site, dayfirst) or (None, False)
    if not shown or not found or shown == found[:10]:
        return found or shown
    if not any(value and normalise_date(value, dayfirst=dayfirst) for value in published):
        return shown  # only weaker sources (a <time> of a teaser, a "date" meta) disagree
    if labelled:  # "Updated May 06, 2019" under the headline: the date the reader is given
        return shown
    marked = dates + _modified_dates(src, dayfirst)
    days = {d[:10] for d in marked} | {in_publisher_zone(d, url)[:10] for d in marked}
    return shown if shown in days else found


def _machine_date(dates: list[str], url_date: str | None, url: str | None) -> str | None:
    """The first of the page's machine-readable dates, as written locally and in the
    publisher's zone; the URL's date instead when the two are far apart."""
    if not dates:
        return None
    local = _local(dates[0], [*dates[1:], *([url_date] if url_date else [])])
    if url_date and _days_apart(local, url_date) > MAX_URL_DATE_DAYS:
        return url_date  # a re-saved or migrated page, or a sidebar's <time>
    return in_publisher_zone(local, url)


#: ``<meta>`` keys of the last change to a story.
MODIFIED_META_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "last-modified")


def _modified_dates(src: _Sources, dayfirst: bool | None) -> list[str]:
    values = src.all(*MODIFIED_META_KEYS) + [
        v for v in src.ld("dateModified") if isinstance(v, str)
    ]
    return [d for v in values if (d := normalise_date(v, dayfirst=dayfirst))]


#: The date a reader sees with a story is printed within this many characters of text
#: after its headline (a byline, a kicker or a standfirst may come between).
HEADLINE_DATE_CHARS = 500
#: Class tokens (any case) of text that is not on the screen.
HIDDEN_CLASSES = frozenset({"hidden", "d-none", *SCREEN_READER_CLASSES})
#: A text piece longer than this is running text: a date in it is an event's, not the story's.
MAX_DATELINE_PIECE_CHARS = 60


def _headline_date(
    tree: lxml.html.HtmlElement, site: SiteNames, dayfirst: bool | None
) -> tuple[str, bool] | None:
    """The first date printed in the short pieces of text after the page's headline (its
    first ``<h1>`` that is not the site's logo), as a reader sees it: not in hidden text,
    another headline or a sentence; an hAtom ``updated`` time that a ``published`` one
    stands beside is the one themes hide. With it, whether it is labelled as the date."""
    pieces = _pieces_after_headline(tree, site)
    hatom = {token for _, holder in pieces if holder.tag == "time" for token in _tokens(holder)}
    for text, holder in pieces:
        tokens = _tokens(holder)
        hidden_by_theme = "updated" in tokens and "published" not in tokens
        if holder.tag == "time" and "published" in hatom and hidden_by_theme:
            continue
        if day := date_in_text(text, dayfirst=dayfirst):
            return day, _labelled_date(text, holder)
    return None


def _page_headline(tree: lxml.html.HtmlElement, site: SiteNames) -> lxml.html.HtmlElement | None:
    """The page's headline element: its first ``<h1>`` that is not the site's logo."""
    return next(
        (
            heading
            for heading in tree.iter("h1")
            if len(text := " ".join(heading.text_content().split())) >= MIN_HEADLINE_CHARS
            and not site.is_name(text)
        ),
        None,
    )


def _pieces_after_headline(
    tree: lxml.html.HtmlElement, site: SiteNames
) -> list[tuple[str, lxml.html.HtmlElement]]:
    """The short pieces of visible text (and their elements) within ``HEADLINE_DATE_CHARS``
    after the page's headline (see ``_page_headline``)."""
    headline = _page_headline(tree, site)
    if headline is None:
        return []
    pieces: list[tuple[str, lxml.html.HtmlElement]] = []
    read = 0
    for node in headline.xpath("following::text()"):
        holder = node.getparent() if node.is_text else node.getparent().getparent()
        if holder is None or holder.tag in ("script", "style", "noscript", "template"):
            continue
        text = " ".join(node.split())
        if not text:
            continue
        read += len(text) + 1
        if len(text) <= MAX_DATELINE_PIECE_CHARS and not _unseen(holder):
            pieces.append((text, holder))
        if read >= HEADLINE_DATE_CHARS:
            break
    return pieces


#: A date's label in front of it: "Updated May 06, 2019", "Publiziert: 03.04.2020".
_SHOWN_DATE_LABEL = re.compile(
    r"^\W*(?:(?:last\s+)?updated|published|posted|aktualisiert|veröffentlicht|publiziert"
    r"|erschienen|stand|mis à jour|publié|actualizado|publicado)\b",
    re.I,
)


def _labelled_date(text: str, holder: lxml.html.HtmlElement) -> bool:
    """Whether a printed date is labelled or classed as the story's date."""
    if _SHOWN_DATE_LABEL.match(text):
        return True
    return any(
        _DATE_CLASS.search(f"{e.get('class', '')} {e.get('id', '')}")
        for e in (holder, holder.getparent())
        if e is not None
    )


def _tokens(element: lxml.html.HtmlElement) -> set[str]:
    return set((element.get("class") or "").split())


def _unseen(element: lxml.html.HtmlElement) -> bool:
    """Whether a reader does not see ``element``'s text as the story's: it is hidden, or
    it is in another headline ("Tagung vom 26. 2. 2015")."""
    for current in (element, *element.iterancestors()):
        if current.tag == "h1":
            return True
        if any(token.lower() in HIDDEN_CLASSES for token in _tokens(current)):
            return True
        if "display:none" in (current.get("style") or "").replace(" ", ""):
            return True
        if current.tag == "body":
            break
    return False


#: A story's address is set when it is created: a page date further than this from the
#: URL's date belongs to a re-save, a migration or another story (a few days later is a
#: scheduled or updated publication, and stays).
MAX_URL_DATE_DAYS = 31


_MODIFIED = re.compile(r"updated|modified|aktualisiert", re.I)


def _by_distance_to_headline(tree: lxml.html.HtmlElement, times: list) -> list[str]:
    """``<time datetime>`` values, the one nearest the page's first ``<h1>`` first (a sidebar
    or teaser list may come before the story in the markup), an "updated" one last."""
    headline = next(tree.iter("h1"), None)
    if headline is None or len(times) < 2:
        return [time.get("datetime") for time in times]
    wanted = {id(time) for time in times}
    positions, headline_at = {}, 0
    for position, element in enumerate(tree.iter()):
        if element is headline:
            headline_at = position
        elif id(element) in wanted:
            positions[id(element)] = position
    ordered = sorted(
        times,
        key=lambda time: (
            bool(_MODIFIED.search(time.get("class", ""))),
            abs(positions.get(id(time), 0) - headline_at),
        ),
    )
    return [time.get("datetime") for time in ordered]


def _days_apart(first: str, second: str) -> int:
    return abs((dt.date.fromisoformat(first[:10]) - dt.date.fromisoformat(second[:10])).days)


#: A moment written in UTC and again in the publisher's zone differs by at most this.
MAX_ZONE_HOURS = 14


def _local(chosen: str, others: list[str]) -> str:
    """``chosen`` as the publisher wrote it locally, when it is in UTC and the page also gives
    the same moment in its own zone ("2022-05-04T03:37:37+00:00" is "2022-05-03T23:37:37-04:00",
    and the story's date is the 3rd) or the URL's date is the neighbouring day."""
    if not (chosen.endswith("+00:00") and "T" in chosen):
        return chosen
    moment = dt.datetime.fromisoformat(chosen)
    for other in others:
        when = dt.datetime.fromisoformat(other)
        if when.date() == moment.date():
            continue
        if "T" not in other:  # a date only: the neighbouring day, in the direction of a zone
            hours = (moment.hour + moment.minute / 60) - (24 if when.date() > moment.date() else 0)
            if abs((when.date() - moment.date()).days) == 1 and abs(hours) <= MAX_ZONE_HOURS:
                return other
            continue
        local = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
        offset = (local - moment).total_seconds() / 3600
        same_moment = when.tzinfo is not None and local == moment
        same_wall_clock = when.tzinfo is None and offset == int(offset) and abs(offset) <= 14
        if same_moment or same_wall_clock:
            return other
    return chosen


#: Class or id tokens of an element that shows the story's date ("entry-date", "datum",
#: "news-single-timedata", "publish-info").
_DATE_CLASS = re.compile(r"date|datum|time|zeit|publish|posted|stand", re.I)
#: Labels that print the story's date in running text ("Datum: 18.10.2021", "Erstellt am").
_DATE_LABEL = re.compile(
    r"^\W*(?:datum|date|stand|erstellt am|veröffentlicht am|erschienen am|publiziert am"
    r"|published(?: on)?|posted(?: on)?|written|publié le|publicado(?: el)?)\b\s*:?",
    re.I,
)
#: A date element is short ("21.11.2022", "Written: 2023-11-07 15:03:30 / Updated: ...").
MAX_DATE_ELEMENT_CHARS = 80


def _printed_date(tree: lxml.html.HtmlElement, dayfirst: bool | None) -> str | None:
    """The date a page prints for its story in an element classed as a date ("<span
    class="date">21.11.2022</span>") or after a label ("Datum: 18.10.2021"): the one that
    shares the smallest container with the headline, then the nearest to it (sidebars and
    teaser lists date other stories), else the first. Elements in comments and footers are
    skipped, and so is an "Updated" date."""
    found: list[tuple[lxml.html.HtmlElement, int, str]] = []
    for position, element in enumerate(tree.iter()):
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "time"):
            continue
        label = _DATE_LABEL.match(element.text or "")
        if not (label or _DATE_CLASS.search(f"{element.get('class', '')} {element.get('id', '')}")):
            continue
        text = " ".join(element.text_content().split())
        if label and not _PRINTED_DAY.search(text) and element.getparent() is not None:
            text = " ".join(element.getparent().text_content().split())  # <b>Datum:</b> 18.10.
        text = _UPDATED.split(text, maxsplit=1)[0]
        if not text or len(text) > MAX_DATE_ELEMENT_CHARS:
            continue
        day = date_in_text(text, dayfirst=dayfirst, slashed=False)
        if day and not _in_comments(element) and not _in_container(element, _FOOTER, ("footer",)):
            found.append((element, position, day))
    if not found:
        return None
    headline = next(tree.iter("h1"), None)
    if headline is None:
        return found[0][2]
    containers = list(headline.iterancestors())  # innermost first
    headline_at = next(i for i, element in enumerate(tree.iter()) if element is headline)

    def closeness(item: tuple[lxml.html.HtmlElement, int, str]) -> tuple[int, int]:
        shared = next((a for a in item[0].iterancestors() if a in containers), None)
        level = containers.index(shared) if shared is not None else len(containers)
        return level, abs(item[1] - headline_at)

    return min(found, key=closeness)[2]


_PRINTED_DAY = re.compile(r"\d{1,2}[./ -]")
_UPDATED = re.compile(r"\b(?:updated|aktualisiert|letzte änderung|mis à jour|actualizado)", re.I)


def _date_in_text(tree: lxml.html.HtmlElement, url: str | None) -> str | None:
    """Last resort: htmldate's search of the visible page ("Published 3 May 2022")."""
    try:
        found = find_date(copy.deepcopy(tree), url=url, original_date=True, extensive_search=True)
    except Exception:  # noqa: BLE001 - htmldate on an odd page must not stop extraction
        return None
    return normalise_date(found) if found else None


# --------------------------------------------------------------------------- the rest


def _canonical_url(src: _Sources, url: str | None) -> str | None:
    """The page's address for itself: its canonical link, else ``og:url``, else its JSON-LD
    article's ``url``, else the page that article is the main entity of; else ``url``, the
    address it was read from (which may be a redirect's or carry tracking parameters)."""
    link = src.tree.xpath(".//link[@rel='canonical']/@href")
    candidates = [link[0] if link else None, src.first("og:url"), *_ld_urls(src)]
    for found in candidates:
        if isinstance(found, str) and found.strip():
            found = urljoin(url or "", found.strip())
            if urlsplit(found).scheme in ("http", "https"):
                return found
    return url


def _ld_urls(src: _Sources) -> list[str]:
    """Addresses the JSON-LD article gives itself: its ``url``, then its ``mainEntityOfPage``
    (a URL, or a ``WebPage`` by ``@id``, whose ``url`` is the address and whose ``@id`` is
    one but for a fragment: Yoast's ``https://site/story/#webpage``)."""
    found = []
    for value in [*src.ld("url"), *src.ld("mainEntityOfPage")]:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                reference = item.get("@id")
                if "url" not in item and isinstance(reference, str):
                    item = src.by_id.get(reference, item)
                address = item.get("url") or reference
                item = urldefrag(address).url if isinstance(address, str) else None
            if isinstance(item, str):
                found.append(item)
    return found


#: "Site » Feed", "Site - Comments Feed", "Site RSS": the title of a page's feed link.
_FEED_TITLE = re.compile(
    r"^(?P<site>.+?)\s+[»|:–-]\s+(?:(?:kommentar|comments?)[- ]?)?feed\b", re.I
)
#: A site's name in a feed title is short; a longer one is a story's title.
MAX_FEED_NAME_WORDS = 5


def _feed_names(tree: lxml.html.HtmlElement) -> list[str]:
    """Site names from the titles of the page's feed links (``<link rel="alternate"
    type="application/rss+xml" title="Bibliothek 2.0 und mehr » Feed">``); blogs often have
    no ``og:site_name`` but every WordPress page names its feeds."""
    names = []
    for link in tree.xpath(".//link[@rel='alternate'][contains(@type, 'xml')][@title]")[:2]:
        found = _FEED_TITLE.match(" ".join(link.get("title").split()))
        if found and len(found["site"].split()) <= MAX_FEED_NAME_WORDS:
            names.append(found["site"])
    return names


def _site_name(src: _Sources) -> str | None:
    name = src.first("og:site_name", "application-name", "al:ios:app_name")
    if name:
        return name
    for publisher in src.ld("publisher"):
        names = (
            [name for name, _ in _ld_names(publisher, src)]
            if not _is_person(publisher, src)
            else []
        )
        if names:
            return names[0].strip()
    return None


def _site_object_names(src: _Sources) -> list[str]:
    """The names the page's site gives itself in its JSON-LD (its ``WebSite``, then its
    ``Organization``): the outlet when its article names no publisher."""
    return [name for obj in src.sites for name, _ in _ld_names(obj, src)]


#: An archived copy's address holds the original one: ``web.archive.org/web/2019.../http://x``.
_ARCHIVED = re.compile(r"^https?://web\.archive\.org/web/[^/]+/(?P<original>.+)$", re.I)


def _publisher(names: list[str | None], url: str | None) -> str | None:
    """The outlet's name: the first of the page's names for itself that is not a section
    (``og:site_name`` is "Politics" on some sites), as ``publishers`` spells outlets."""
    original = _ARCHIVED.match(url or "")
    url = original.group("original") if original else url
    return next((found for name in names if (found := normalise_publisher(name, url))), None)


def domain_of(url: str | None) -> str | None:
    """The site's domain, that of the original for an archived copy.

    >>> domain_of("https://www.srnnews.com/x"), domain_of("https://web.archive.org/web/2016/x.de/a")
    ('srnnews.com', 'x.de')
    """
    url = url or ""
    archived = _ARCHIVED.match(url)
    if archived:
        url = archived.group("original")
        url = url if "://" in url else "http://" + url
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.") or None


#: Where English is written day first ("en-GB": 02/10/2020 is 2 October).
DAY_FIRST_ENGLISH = frozenset({"gb", "uk", "ie", "au", "nz", "in", "za", "sg", "pk", "ng", "ke"})


def _dayfirst(locale: tuple[str, str] | None) -> bool | None:
    """How an ambiguous slashed date (``10/05/2022``) reads: month first only in English,
    and there not in the countries that write English dates day first."""
    if locale is None:
        return None
    language, region = locale
    return language != "en" or region in DAY_FIRST_ENGLISH


def _locale(src: _Sources) -> tuple[str, str] | None:
    """The page's language and region codes ("en-GB" -> ("en", "gb")), region may be ""."""
    values = [src.tree.get("lang"), src.tree.get("xml:lang")]
    values += [src.first("content-language", "og:locale", "dc.language", "language")]
    values += [v for v in src.ld("inLanguage") if isinstance(v, str)]
    for value in values:
        code = re.match(r"\s*([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{2})\b|[-_]|\s*$)", value or "")
        if code:
            return code.group(1).lower(), (code.group(2) or "").lower()
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
    jsonld, by_id, posts, sites = _jsonld_objects(tree)
    src = _Sources(_meta_tags(tree), jsonld, tree, by_id, posts, sites)
    page_url = _canonical_url(src, url)
    site = _site_name(src)
    if site and len(site.split()) > MAX_SITE_NAME_WORDS:
        site = None
    domain = domain_of(page_url) or domain_of(url)
    publishers = [
        name
        for value in src.ld("publisher")
        if not _is_person(value, src)  # a blogger is their own publisher, and the writer
        for name, _ in _ld_names(value, src)
    ]
    locale = _locale(src)
    language = locale[0] if locale else None
    names = SiteNames(site, domain, *src.all("publisher"), *publishers)
    # a blog's feeds carry its name, which is often its writer's too: for titles only
    title_names = SiteNames(*names.names, *_feed_names(tree))
    return PageMetadata(
        title=_title(src, title_names),
        authors=_authors(src, names),
        published=_published(src, page_url, _dayfirst(locale), title_names),
        publisher=_publisher(
            [site, *publishers, *src.all("publisher"), *_site_object_names(src)], page_url or url
        )
        or domain,
        language=language,
        topics=_topics(src),
        url=page_url,
        description=_description(src),
    )
