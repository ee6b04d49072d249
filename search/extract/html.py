"""Main text and metadata of a saved HTML page, without its boilerplate.

The extraction is a pipeline of small named steps, in the manner of trafilatura (which does
the core of step 4):

1. ``decode``: raw bytes to text by the rule every reader shares
   (``search.sources.encoding``), with the page's declared charset (``<meta charset>``,
   ``http-equiv``, XML declaration). Declarations lie: ISO-8859-1 is read as its superset
   cp1252 (as browsers do), and a page declared as a legacy charset whose bytes are valid
   UTF-8 is read as UTF-8.
2. ``parse``: text to an lxml tree (tolerant of broken and truncated markup).
3. ``preclean``: drop containers that are boilerplate on most sites, recognised by tag, ARIA
   role or class/id tokens (cookie banners, newsletter and share boxes, related links,
   comments, hidden elements). A guard keeps any container that holds most of the page's
   text, because some sites put such tokens on the article wrapper itself (``no-share``).
4. ``extract_main``: trafilatura's main-text extraction on the cleaned tree.
5. ``rescue``: when step 4 under-delivers (nothing or a few lines), trafilatura again in
   recall mode on the uncleaned tree, kept if it is clearly longer.
6. ``postclean``: line-level clean-up of what extractors let through: "Read more:" teaser
   lines, trailing "related articles" sections, follow-us and subscription prompts, credits.

Metadata (title, authors, date, publisher, language, topics, url) is read from the parsed
tree before step 3, by :mod:`search.extract.html_metadata`.
"""

from __future__ import annotations

import copy
import logging
import re
from dataclasses import asdict, dataclass

import lxml.html
import trafilatura
from lxml import etree
from trafilatura.utils import load_html

from search.extract.furniture import CALL_TO_READ, clean_lines
from search.extract.html_metadata import PageMetadata, extract_metadata
from search.sources.encoding import codec_name
from search.sources.encoding import decode as decode_bytes

log = logging.getLogger(__name__)

__all__ = ["PageContent", "extract_page", "extract_text", "html_fragment_to_text", "decode"]


@dataclass
class PageContent(PageMetadata):
    """What a page says and who says it: its metadata plus the main text as ``body``."""

    body: str = ""


# --------------------------------------------------------------------------- 1. decode

#: How far into the page a charset declaration is looked for (browsers use 1024; pages with
#: long heads put it later).
CHARSET_SCAN_BYTES = 8192
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_:.-]+)""", re.I)


def declared_charset(raw: bytes) -> str | None:
    """The charset the page declares (XML declaration or ``<meta>``), as a codec name."""
    head = raw[:CHARSET_SCAN_BYTES]
    match = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    return codec_name(match.group(1)) if match else None


def decode(raw: bytes | str) -> str:
    """Step 1: the page's text, by the one decoding rule (``search.sources.encoding``) with
    the page's own declaration; a few invalid bytes become U+FFFD (pages often have one)."""
    if isinstance(raw, str):
        return raw
    return decode_bytes(raw, declared_charset(raw)).text


# --------------------------------------------------------------------------- 2. parse

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_PARSER = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)


def parse(text: str) -> lxml.html.HtmlElement | None:
    """Step 2: an lxml tree of the page, or None when there is no markup to speak of.

    trafilatura's loader comes first: it works around libxml2 bugs (a doctype line that
    swallows the page, invalid XML characters); plain lxml is the fallback.
    """
    text = _XML_DECLARATION.sub("", text, count=1).replace("\x00", "")
    if not text.strip():
        return None
    try:
        tree = load_html(text)
    except Exception:  # noqa: BLE001 - any loader failure falls back to plain lxml
        tree = None
    if tree is None or not len(tree):
        try:
            tree = lxml.html.document_fromstring(text, parser=_PARSER)
        except (etree.ParserError, ValueError):
            return None
    return tree if tree is not None and len(tree) else None


# --------------------------------------------------------------------------- 3. preclean

#: Tags that never hold article text.
BOILERPLATE_TAGS = ("nav", "button", "select", "dialog", "template", "iframe", "svg")
#: Tags whose text is never shown (left out of text shares).
INVISIBLE_TAGS = ("script", "style")
#: ARIA roles of page chrome.
BOILERPLATE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "complementary", "dialog", "alertdialog", "search"}
)
#: class/id words of boilerplate containers; a word must fill a whole ``-``/``_`` segment of a
#: class or id (``share-bar`` and ``post_comments`` match, ``commentary`` does not).
BOILERPLATE_WORDS = (
    # consent and paywall prompts
    "cookies?|consent|gdpr|paywall|regwall|subscribe|subscription|signup|news-?letter",
    "donat(?:e|ion)",
    # sharing and following
    "share|sharing|sharebar|sharedaddy|social|socials|follow|sd-block",
    # related and recommended links
    "related|recommended|recommendations?|read-?next|more-(?:stories|articles|news)|next-post",
    "post-navigation|nav-links|most-(?:read|popular)|trending|outbrain|taboola",
    # comments, author boxes, navigation aids
    "comments?|disqus|respond|author-(?:bio|box)|about-author|saboxplugin-wrap|breadcrumbs?",
    "pagination|pager|table-of-contents|ez-toc-container",
    # pop-ups and text meant for screen readers only
    "modal|popup|pum|sr-only|visually-hidden|screen-reader-text|skip-link",
)
_BOILERPLATE_WORD = re.compile(
    r"(?:^|[\s_-])(?:" + "|".join(BOILERPLATE_WORDS) + r")(?=$|[\s_\d-])", re.I
)
#: Whole class names that hide an element.
HIDDEN_CLASSES = frozenset({"hidden", "is-hidden", "d-none", "hide", "invisible"})
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
#: A container holding more than this share of the page's text is never dropped: it is the
#: article wrapper, whatever its classes say.
MAX_DROPPED_TEXT_SHARE = 0.4
#: Class/id names of the article body itself, never dropped whatever modifiers they carry.
_CONTENT_NAME = re.compile(
    r"(?:^|[\s_-])(?:(?:entry|post|article|story|news)[-_]{0,2}(?:content|body|text)"
    r"|content[-_]behind)(?=$|[\s_-])",
    re.I,
)
#: Class names that say what a container has or lacks (``has-comments``, ``no-share``,
#: ``modal-enabled``) or what the story is filed under (WordPress ``category-social-issues``),
#: not what the container is.
_MODIFIER = re.compile(
    r"^(?:no|non|not|has|with|without|show|enable|category|tag|type|status|format|term|topic)"
    r"[-_]|[-_](?:enabled|disabled)$",
    re.I,
)
#: Elements that are the page's skeleton, never dropped by token.
_PROTECTED_TAGS = frozenset({"html", "body", "main", "article"})


def _looks_boilerplate(element: lxml.html.HtmlElement) -> bool:
    """Whether tag, role, hidden state or class/id tokens mark the element as page chrome."""
    if element.tag in BOILERPLATE_TAGS:
        return True
    if element.tag in _PROTECTED_TAGS:
        return False
    get = element.get
    if get("role", "").lower() in BOILERPLATE_ROLES:
        return True
    if get("hidden") is not None or get("aria-hidden") == "true":
        return True
    if _HIDDEN_STYLE.search(get("style", "")):
        return True
    classes = get("class", "")
    if classes and not HIDDEN_CLASSES.isdisjoint(classes.lower().split()):
        return True
    names = [n for n in f"{classes} {get('id', '')}".split() if not _MODIFIER.search(n)]
    if not names or any(_CONTENT_NAME.search(name) for name in names):
        return False
    return any(_BOILERPLATE_WORD.search(name) for name in names)


def _text_length(element: lxml.html.HtmlElement | None) -> int:
    """Characters of visible text in an element (scripts and styles do not count)."""
    if element is None:
        return 0
    hidden = sum(len("".join(e.itertext())) for e in element.iter(*INVISIBLE_TAGS))
    return len("".join(element.itertext())) - hidden


def preclean(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Step 3: remove boilerplate containers from ``tree`` (in place) and return it."""
    body = tree.find("body")
    total = _text_length(body if body is not None else tree) or 1
    doomed: list[lxml.html.HtmlElement] = []
    _collect_boilerplate(tree, MAX_DROPPED_TEXT_SHARE * total, doomed)
    for element in doomed:
        _drop_keep_tail(element)
    return tree


def _collect_boilerplate(parent, max_chars: float, doomed: list) -> None:
    """Depth-first: mark boilerplate children of ``parent``, descend into the others."""
    for child in parent.iterchildren(etree.Element):
        if _looks_boilerplate(child) and _text_length(child) <= max_chars:
            doomed.append(child)
        else:
            _collect_boilerplate(child, max_chars, doomed)


def _drop_keep_tail(element: lxml.html.HtmlElement) -> None:
    """Remove an element but keep the text that follows it (lxml stores it on the element)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


# --------------------------------------------------------------------------- 4. extract_main

#: trafilatura's own benchmark settings: no comments, tables kept, plain text.
TRAFILATURA_OPTIONS = {
    "include_comments": False,
    "include_tables": True,
    "include_formatting": False,
}


def extract_main(tree: lxml.html.HtmlElement, url: str | None = None, **options) -> str:
    """Step 4: the main text of a (cleaned) tree, by trafilatura."""
    settings = {**TRAFILATURA_OPTIONS, **options}
    try:
        text = trafilatura.extract(tree, url=url, **settings)
    except Exception as exc:  # trafilatura is robust, but one odd page must not stop a run
        log.warning("trafilatura failed: %s", exc)
        return ""
    return text or ""


# --------------------------------------------------------------------------- 5. rescue

#: Below this many characters the main extraction is considered to have under-delivered.
RESCUE_BELOW_CHARS = 250
#: The rescue text replaces the first one only when it is this many times longer.
RESCUE_MIN_GAIN = 2.0
#: class/id words of an article's lead paragraph (standfirst), which extractors often drop
#: because it sits outside the body container.
LEAD_WORDS = "intro|lead|lede|standfirst|teaser-text|article-intro|summary|excerpt|dek|deck"
_LEAD_NAME = re.compile(rf"(?:^|[\s_-])(?:{LEAD_WORDS})(?=$|[\s_-])", re.I)
#: A lead is a sentence or a few, not a heading nor a whole article.
LEAD_CHARS = (40, 1000)
#: A lead is prose: at most this share of its text may be link text.
MAX_LEAD_LINK_SHARE = 0.3
_LEAD_TAGS = frozenset({"p", "div", "section", "span", "strong", "b"})


def rescue(text: str, tree: lxml.html.HtmlElement, raw_tree: lxml.html.HtmlElement, url) -> str:
    """Step 5: recall mode when ``text`` is short; the article's lead when it was dropped."""
    if len(text) < RESCUE_BELOW_CHARS:
        second = extract_main(raw_tree, url, favor_recall=True)
        if len(second) >= RESCUE_MIN_GAIN * max(len(text), 1):
            text = second
    lead = find_lead(tree)
    if text and lead and _squash(lead) not in _squash(text):
        text = f"{lead}\n{text}"
    return text


def find_lead(tree: lxml.html.HtmlElement) -> str | None:
    """The text of the article's lead paragraph, if the page marks one up after its h1."""
    seen_h1 = tree.find(".//h1") is None
    for element in tree.iter(etree.Element):
        if element.tag == "h1":
            seen_h1 = True
            continue
        names = f"{element.get('class', '')} {element.get('id', '')}"
        if not seen_h1 or element.tag not in _LEAD_TAGS or not _LEAD_NAME.search(names):
            continue
        if element.find(".//h1") is not None or element.find(".//h2") is not None:
            continue
        if any(a.tag == "a" for a in element.iterancestors()):
            continue
        text = _squash(_prose_text(element))
        if not LEAD_CHARS[0] <= len(text) <= LEAD_CHARS[1]:
            continue
        links = sum(len("".join(a.itertext()).strip()) for a in element.iter("a"))
        if links <= MAX_LEAD_LINK_SHARE * len(text):
            return text
    return None


_MEDIA_TAGS = frozenset({"figure", "figcaption", "picture", "img", "video", "audio"})
_MEDIA_NAME = re.compile(r"credit|copyright|caption|picture|photo|image|media", re.I)


def _is_media(element: lxml.html.HtmlElement) -> bool:
    return element.tag in _MEDIA_TAGS or bool(_MEDIA_NAME.search(element.get("class", "")))


def _prose_text(element: lxml.html.HtmlElement) -> str:
    """The text of an element without the photos, captions and credits inside it."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and not _is_media(child):
            parts.append(_prose_text(child))
        parts.append(child.tail or "")
    return " ".join(parts)


def _squash(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- 6. postclean

_SOFT_HYPHEN = "\xad"


def postclean(text: str) -> str:
    """Step 6: drop furniture lines (captions, prompts, teasers, credits) and a trailing
    related-links section, by the rules ``furniture`` shares with already-extracted text."""
    return clean_lines(text.replace(_SOFT_HYPHEN, "").splitlines(), page_end=True).text


# --------------------------------------------------------------------------- the pipeline


#: A page whose main text has fewer words than this has no story (menus, error pages).
MIN_BODY_WORDS = 12

#: Han ideographs and kana: Chinese and Japanese are written without spaces between words.
_UNSPACED_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def count_words(text: str) -> int:
    """Words in ``text``, a character counting as one in Chinese and Japanese: split on
    spaces alone, a Chinese story is a handful of "words" and was dropped as empty."""
    return len(_UNSPACED_SCRIPT.sub(" \\g<0> ", text).split())


def _tree_of(html: bytes | str) -> lxml.html.HtmlElement | None:
    return parse(decode(html))


def _body_of(tree: lxml.html.HtmlElement, url: str | None) -> str:
    """Steps 3 to 6 on a parsed tree (the tree is left untouched)."""
    cleaned = preclean(copy.deepcopy(tree))
    text = extract_main(cleaned, url)
    text = rescue(text, cleaned, tree, url)
    return postclean(text)


def extract_text(html: bytes | str) -> str:
    """The main text of a page as paragraphs separated by blank lines ("" if none)."""
    tree = _tree_of(html)
    return _body_of(tree, None) if tree is not None else ""


def extract_page(html: bytes | str, url: str | None = None) -> PageContent | None:
    """Main text and metadata of a page; None (logged) when it has no usable text."""
    tree = _tree_of(html)
    if tree is None:
        log.info("no HTML markup in page %s", url or "")
        return None
    meta: PageMetadata = extract_metadata(tree, url)
    body = _body_of(tree, meta.url or url)
    if (words := count_words(body)) < MIN_BODY_WORDS:
        log.info("no main text (%d words) in page %s", words, url or meta.url or "")
        return None
    page = PageContent(**asdict(meta), body=_without_title_line(body, meta.title))
    page.url = meta.url or url
    return page


#: A first paragraph this much longer than the headline it ends with is the lead, not the
#: headline under its kicker ("Harbour Ferry line to the islands restarts").
MAX_KICKER_CHARS = 40


def _without_title_line(body: str, title: str) -> str:
    """The body without a first paragraph that repeats the headline (kicker and all)."""
    first, _, rest = body.partition("\n\n")
    first, title = _squash(first), _squash(title)
    repeats = first.endswith(title) and len(first) <= len(title) + MAX_KICKER_CHARS
    return rest if rest and title and repeats else body


# --------------------------------------------------------------------------- fragments

_FRAGMENT_DROP = ("script", "style", "noscript", "template", "figcaption", "iframe", "button")
_BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "blockquote", "li", "ul", "ol", "pre", "table", "tr"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "figure", "header", "footer", "aside", "dl", "dt"}
    | {"dd", "hr"}
)
#: Labels of links to the rest of the story ("Read more"), dropped with their link; such
#: lines without a link go with the furniture (``furniture``) in wire cleaning.
_READ_MORE = re.compile(rf"^\W*(?:{CALL_TO_READ})\b", re.I)
#: The rest of such a link's sentence after it ("<a>Read more of this story</a> at
#: Slashdot."): it goes with the link, or "at Slashdot." is left as a paragraph.
_READ_MORE_TAIL = re.compile(r"^\s*(?:at|on|from)\s+[^.!?<>\n]{1,40}[.!?]?\s*$", re.I)
_SHARE_LINK = re.compile(r"share|facebook|twitter|whatsapp|linkedin|mailto:|pinterest", re.I)
_BLANK_RUNS = re.compile(r"\n\s*\n\s*")
_SPACE_RUNS = re.compile(r"[ \t\r\f\v\xa0]+")


def html_fragment_to_text(fragment: str) -> str:
    """Plain text of an HTML snippet (a feed's ``content:encoded``, an export's body).

    Paragraphs and ``<br>`` become line breaks, entities are decoded, and scripts, styles,
    figure captions, "Read more" and share links are dropped.
    """
    if not fragment or not fragment.strip():
        return ""
    if "<" not in fragment:
        return _tidy_lines(lxml.html.fromstring(f"<p>{fragment}</p>").text_content())
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div", parser=_PARSER)
    except (etree.ParserError, ValueError):
        return _tidy_lines(fragment)
    for element in list(root.iter(*_FRAGMENT_DROP)):
        _drop_keep_tail(element)
    for link in list(root.iter("a")):
        label = link.text_content().strip()
        if _READ_MORE.match(label) and _READ_MORE_TAIL.match(link.tail or ""):
            link.tail = None
        if _READ_MORE.match(label) or _SHARE_LINK.search(link.get("href", "")) and len(label) < 40:
            _drop_keep_tail(link)
    for element in root.iter(etree.Element):
        if element.tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif element.tag in _BLOCK_TAGS:
            element.tail = "\n\n" + (element.tail or "")
            element.text = "\n\n" + (element.text or "")
    return _tidy_lines(root.text_content())


def _tidy_lines(text: str) -> str:
    """Collapse spaces, keep single line breaks and make paragraph breaks "\\n\\n"."""
    text = _SPACE_RUNS.sub(" ", text.replace(_SOFT_HYPHEN, ""))
    paragraphs = []
    for block in _BLANK_RUNS.split(text):
        lines = [line.strip() for line in block.split("\n")]
        kept = "\n".join(line for line in lines if line)
        if kept:
            paragraphs.append(kept)
    return "\n\n".join(paragraphs)
