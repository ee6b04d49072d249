"""Extraction: a ``RawRecord`` from ``search.sources`` becomes one ``Article``.

``extract_article`` picks the path by the record's kind, then every path ends in the same
news-aware steps:

1. get a title and a body (``split_title`` for wire text, ``extract_page`` for HTML pages,
   the mapped fields for exports and feeds);
2. clean the body as an editor would (``wire.clean_wire_copy``: dateline lead, byline,
   credits, footers) and keep what the furniture said (dateline, agency, contributors);
3. settle each field from the best source that has it (the record's own field, then the
   page metadata, then what the copy itself says), normalising dates and publisher names;
4. give the article a stable id (its own, else its URL, else a hash of its content).

A record with neither title nor body gives ``None`` (the indexer counts it as skipped), and
so does one whose title and body hold no word, only punctuation (``—``, ``…``).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from ..article import Article, content_id, url_id
from ..sources import RawRecord, Skipped
from .agencies import agency_named, normalise_agency
from .bylines import Byline, byline_paragraph, parse_byline
from .dates import date_in_text, date_with_year, is_date_line, normalise_date
from .language import guess_language
from .publishers import normalise_publisher, publisher_from_url
from .wire import BLANK_LINE, REVISION_LABEL, WireCopy, clean_wire_copy, is_note, parse_dateline

log = logging.getLogger(__name__)

__all__ = [
    "extract_article",
    "extract_or_skip",
    "extract_text",
    "split_title",
    "article_from_fields",
]

#: A first line longer than this is the story's lead, not its headline.
MAX_TITLE_CHARS = 160
MAX_TITLE_WORDS = 25
#: When a story has no headline, its first sentence, cut to this length, stands in.
FALLBACK_TITLE_CHARS = 110
#: A letter or digit of any script: a title or body without one says nothing.
_WORD_CHAR = re.compile(r"[^\W_]")


def extract_text(html: bytes) -> str:
    """The main text of an HTML page (for the trafilatura-eval scorer)."""
    from .html import extract_text as page_text

    return page_text(html)


def split_title(text: str) -> tuple[str, str]:
    """Split wire text into (headline, rest) when its first line looks like a headline.

    >>> split_title("Ad sales boost Time Warner profit\\n\\nQuarterly profits at US media giant")
    ('Ad sales boost Time Warner profit', 'Quarterly profits at US media giant')
    >>> split_title("TOKYO (AP) — Japan and Britain agreed Saturday to accelerate cooperation.")[0]
    ''
    >>> split_title("UPDATED: Adds comment\\nOil climbs\\n\\nLONDON (Reuters) - Oil rose.")
    ('Oil climbs', 'LONDON (Reuters) - Oil rose.')
    >>> split_title("UPDATE 2-Oil rises on supply fears\\n\\nLONDON (Reuters) - Oil rose.")[0]
    'Oil rises on supply fears'
    """
    stripped = _without_notes_above(text.lstrip("\ufeff").strip())
    stripped = without_desk_slug(stripped)  # on the first line only
    label, stripped = _label_above_title(stripped)
    first, _, rest = stripped.partition("\n")
    first = first.strip()
    if first and rest.strip() and _headline_like(first):
        rest = rest.strip()
    else:
        first, rest = "", stripped
    if label and is_date_line(label):  # it dates the story: the body's furniture step reads it
        rest = label + ("\n\n" if BLANK_LINE.search(rest) else "\n") + rest
    return first, rest


#: Reuters' desk slugs before a headline, a hyphen and no space: "UPDATE 2-Oil rises",
#: "CORRECTED-", "REFILE-UPDATE 1-", "EXCLUSIVE-", "GLOBAL MARKETS-". They tell the desk the
#: story's version or kind; the headline is what follows. Only a headline in sentence case
#: loses its slug: in an all-caps one (1987's "CORRECTED-HECLA <HL> TO BUY MINE STAKE") a
#: slug cannot be told from the headline's words, and "CORRECTED - GM SEES RISE" keeps its.
DESK_SLUG = re.compile(
    r"^(?:(?:UPDATE|WRAPUP|CORRECTED|REFILE|RPT|EXCLUSIVE|FOCUS|ANALYSIS|BREAKINGVIEWS"
    r"|INSIGHT|SPECIAL REPORT|FACTBOX|EXPLAINER|INTERVIEW|PREVIEW|TIMELINE|COLUMN|BUZZ"
    r"|POLL|INSTANT VIEW|GLOBAL MARKETS|EMERGING MARKETS|US STOCKS|FOREX|PRECIOUS|GRAINS)"
    r"(?: \d{1,2})?-)+(?=[^\s-])(?=.*[a-z])"
)


def without_desk_slug(title: str) -> str:
    """A headline without the Reuters desk slug before it.

    >>> without_desk_slug("REFILE-UPDATE 1-Fed holds rates"), without_desk_slug("X-RAY VISION")
    ('Fed holds rates', 'X-RAY VISION')
    """
    return DESK_SLUG.sub("", title, count=1)


def _headline_like(line: str) -> bool:
    """A line that can be a headline: short, no sentence's end, neither dateline nor byline."""
    return (
        len(line) <= MAX_TITLE_CHARS
        and len(line.split()) <= MAX_TITLE_WORDS
        and not line.endswith((".", ",", ";", ":"))
        and parse_dateline(line) is None
        and byline_paragraph(line) is None  # "By Jane Roe, AP" is a byline ("By the numbers" not)
    )


#: A label over the headline: "UPDATED: March 5, 2024 3:45 PM", "UPDATE: New details added",
#: "CORRECTED" (not "Updated figures show ...", a sentence).
_LABEL = re.compile(r"^\W*(?i:updated?|corrected|correction|refiled?)\b(?!\s+[a-z])")


def _label_above_title(text: str) -> tuple[str, str]:
    """A label line above the headline, and the text without it; ``("", text)`` when what
    follows is no headline, for then the line is the headline ("UPDATE: Road reopened after
    crash", then the story)."""
    first, _, rest = text.partition("\n")
    rest = rest.strip()
    following, _, story = rest.partition("\n")
    if _LABEL.match(first) and _headline_like(following.strip()) and story.strip():
        return first.strip(), rest
    return "", text


#: At most this many notes stand above a headline ("EDITOR'S NOTE: ...", "UPDATED: ...").
MAX_NOTES_ABOVE_TITLE = 3
_SENTENCE_END = (".", "!", "?", ":", ")", '"', "”")


def _without_notes_above(text: str) -> str:
    """``text`` without the desk's notes above its headline: an editor's note or a revision
    label ("UPDATED: Adds comment", "CORRECTS spelling of name") is not the headline, and
    not the story's text either. A label is one line; a note may be wrapped over lines, and
    ends at a blank line or at a line that ends a sentence (the headline follows)."""
    for _ in range(MAX_NOTES_ABOVE_TITLE):
        lines = text.split("\n")
        end = 1
        while (
            not REVISION_LABEL.match(lines[0])
            and end < len(lines)
            and lines[end].strip()
            and not lines[end - 1].rstrip().endswith(_SENTENCE_END)
        ):
            end += 1
        if not is_note(" ".join(" ".join(lines[:end]).split())):
            break
        text = "\n".join(lines[end:]).strip()
    return text


#: The attribution that ends a lead: ", aid groups said Tuesday.", ", officials say."
_ATTRIBUTION = re.compile(
    r",\s+(?:[^,]{1,60}?\s)?(?:said|says|announced|reported|told [^,]{1,40})(?:\s+\w+)?\.?$"
)
#: Where a long lead can end as a headline would: before a clause that explains or adds.
_CLAUSE = re.compile(r",\s|\s(?:as|after|while|but|because|when|amid|despite|with)\s")
#: A clause cut shorter than this is too little to stand for the story.
MIN_CLAUSE_TITLE_CHARS = 40


def _fallback_title(body: str) -> str:
    """A stand-in headline for a story without one: its lead's first sentence, without the
    trailing attribution, cut where a clause begins if it is long (an ellipsis only when no
    clause ends early enough).

    >>> _fallback_title("Herders in northern Kenya are walking their cattle farther than "
    ...     "ever in search of water as a third failed rainy season dries up wells and "
    ...     "pasture, aid groups said Tuesday.")
    'Herders in northern Kenya are walking their cattle farther than ever in search of water'
    >>> _fallback_title("The council approved the budget, the mayor said.")
    'The council approved the budget'
    """
    first_paragraph = body.strip().split("\n\n", 1)[0]
    sentence = re.split(r"(?<=[.!?])\s", first_paragraph, maxsplit=1)[0]
    sentence = re.sub(r"\s+", " ", sentence).strip()
    sentence = _ATTRIBUTION.sub("", sentence).rstrip(".")
    if len(sentence) <= FALLBACK_TITLE_CHARS:
        return sentence
    cuts = [
        m.start()
        for m in _CLAUSE.finditer(sentence, 0, FALLBACK_TITLE_CHARS)
        if m.start() >= MIN_CLAUSE_TITLE_CHARS
    ]
    if cuts:
        return sentence[: cuts[-1]].rstrip(" ,;:")
    return sentence[:FALLBACK_TITLE_CHARS].rsplit(" ", 1)[0] + "…"


def _as_list(value: Any, *, split: str = r"\s*[,;|]\s*") -> list[str]:
    if not value:
        return []
    items = value if isinstance(value, (list, tuple)) else re.split(split, str(value))
    out: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or item.get("term") or ""
        text = re.sub(r"\s+", " ", str(item)).strip()
        if text and text not in out:
            out.append(text)
    return out


def _byline(value: Any) -> Byline:
    """The names and agency in an author field: a byline string or a list of names."""
    items = value if isinstance(value, (list, tuple)) else [value]
    byline = Byline()
    for item in items:
        if isinstance(item, dict):
            item = item.get("name") or ""
        found = parse_byline(str(item or ""))
        byline.names += [name for name in found.names if name not in byline.names]
        byline.agency = byline.agency or found.agency
    return byline


def _printed_date(removed: list[tuple[str, str]]) -> str | None:
    """The date a line that only dated the story printed ("Published March 5, 2024"), which
    left the body as furniture, for a story nothing else dates; a date in figures alone
    ("05/03/2024") is not guessed, day against month."""
    for kind, line in removed:
        found = date_in_text(line, slashed=False) if kind == "dateline" else None
        if found:
            return normalise_date(found)
    return None


def _finish(
    *,
    title: str,
    copy: WireCopy,
    record_id: str | None = None,
    url: str | None = None,
    published: Any = None,
    publisher: str | None = None,
    authors: list[str] | None = None,
    agency: str | None = None,
    dateline: str | None = None,
    topics: list[str] | None = None,
    language: str | None = None,
    source_file: str | None = None,
) -> Article | None:
    body = copy.body.strip()
    title = without_desk_slug(re.sub(r"\s+", " ", title or "").strip())
    if not _WORD_CHAR.search(body) and not _WORD_CHAR.search(title):
        return None  # an empty article, or one of dashes and dots: nothing to find or read
    authors = list(dict.fromkeys((authors or []) + copy.authors))
    agency = normalise_agency(agency) or copy.agency or _credited_agency(authors)
    authors = [name for name in authors if not agency_named(name)]
    # Bloomberg names its reporters only in the contact foot: they stand in for a byline, and
    # never beside one (nor beside the source's own author field, spelt its own way)
    authors = authors or copy.reporters
    when = normalise_date(published)
    if not when and copy.dateline_date and re.search(r"\d{4}", copy.dateline_date):
        when = normalise_date(copy.dateline_date) or date_in_text(copy.dateline_date)
    when = when or _printed_date(copy.furniture)
    publisher = normalise_publisher(publisher, url) or normalise_publisher(copy.footer_site)
    publisher = publisher or publisher_from_url(url) or agency
    url = url.strip() if url else None
    article = Article(
        url=url,
        title=title or _fallback_title(body),
        dateline=dateline or copy.dateline,
        agency=agency,
        publisher=publisher,
        published=when,
        authors=authors,
        contributors=copy.contributors,
        topics=topics or [],
        body=body,
        language=(language or "").split("-")[0].lower() or guess_language(body or title),
        word_count=len(body.split()),
        source_file=source_file,
        title_from_lead=not title,
    )
    article.id = _article_id(record_id, url, title, body)
    return article


#: A record's own id is kept when it is a short token (``reuters-17``); anything else
#: (a guid that is a URL, a path, free text) is hashed into one.
_PLAIN_ID = re.compile(r"^[\w.:-]{1,64}$")


def _article_id(record_id: Any, url: str | None, title: str, body: str) -> str:
    if record_id and _PLAIN_ID.match(str(record_id)):
        return str(record_id)
    if record_id:
        return url_id(str(record_id))
    return url_id(url) if url else content_id(title, body)


def _credited_agency(names: list[str]) -> str | None:
    """Bylines that name a wire (``The Associated Press``) credit the agency, not a person."""
    return next((found for name in names if (found := agency_named(name))), None)


def article_from_text(text: str, source_file: str | None = None) -> Article | None:
    """Plain wire copy: an optional headline line, then the story."""
    title, rest = split_title(text)
    return _finish(title=title, copy=clean_wire_copy(rest), source_file=source_file)


def article_from_html(data: bytes | str, source_file: str | None = None) -> Article | None:
    """A saved page: main text and metadata from ``extract.html``, then wire cleaning."""
    from .html import extract_page

    page = extract_page(data)
    if page is None:
        return None
    return _finish(
        title=page.title,
        copy=clean_wire_copy(page.body),
        url=page.url,
        published=page.published,
        publisher=page.publisher,
        authors=page.authors,
        topics=page.topics,
        language=page.language,
        source_file=source_file,
    )


def article_from_fields(fields: dict, source_file: str | None = None) -> Article | None:
    """An export row or feed entry whose fields ``search.sources`` already mapped."""
    body = fields.get("body") or ""
    if not body and fields.get("body_html"):
        from .html import html_fragment_to_text

        body = html_fragment_to_text(fields["body_html"])
    copy = clean_wire_copy(str(body))
    byline = _byline(fields.get("authors"))
    dateline = None
    if fields.get("dateline"):
        parsed = parse_dateline(str(fields["dateline"]).strip() + " x")
        dateline = parsed.place if parsed else str(fields["dateline"]).strip(" -")
        if parsed and parsed.date and not copy.dateline_date:
            copy.dateline_date = parsed.date
        if parsed and parsed.agency and not copy.agency:
            copy.agency = parsed.agency
    published = fields.get("published")
    if not normalise_date(published) and copy.dateline_date:
        year = re.search(r"\b(1[89]\d\d|20\d\d)\b", str(published or ""))
        published = date_with_year(copy.dateline_date, int(year.group())) if year else None
    return _finish(
        title=str(fields.get("title") or ""),
        copy=copy,
        record_id=fields.get("id"),
        url=fields.get("url"),
        published=published,
        publisher=fields.get("publisher"),
        authors=byline.names,
        agency=fields.get("agency") or byline.agency,
        dateline=dateline,
        topics=_as_list(fields.get("topics")),
        language=fields.get("language"),
        source_file=source_file,
    )


def extract_article(record: RawRecord) -> Article | None:
    """The one entry point: any reader's record to an ``Article`` (or None if empty)."""
    if record.kind == "text":
        data = (
            record.data if isinstance(record.data, str) else record.data.decode("utf-8", "replace")
        )
        return article_from_text(data, record.source_file)
    if record.kind == "html":
        return article_from_html(record.data, record.source_file)
    if record.kind == "fields":
        return article_from_fields(record.fields, record.source_file)
    raise ValueError(f"unknown record kind {record.kind!r}")


def extract_or_skip(item: RawRecord | Skipped) -> Article | Skipped:
    """A reader's output as an ``Article``, or as the ``Skipped`` that says why it is none.

    One bad record never stops a run: an extraction error becomes a skip with its reason,
    and a skip says where (``export.jsonl:17``, ``feed.xml, item 3 (id n3)``) and what.
    """
    if isinstance(item, Skipped):
        return item
    try:
        article = extract_article(item)
    except Exception as exc:
        log.debug("extraction failed for %s", item.where, exc_info=True)
        return Skipped(item.where, f"extraction failed ({exc})")
    return article or Skipped(item.where, "no article text")
