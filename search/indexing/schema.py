"""The one index schema, and how an ``Article`` becomes a Whoosh document and back.

Three kinds of field:
- text fields (``title``, ``byline``, ``body``) analyzed by ``search.indexing.analysis`` for
  BM25F ranking; ``title`` is boosted so a word in the headline outweighs one in the body; a
  title made from the lead (``Article.title_from_lead``) is stored for display but not
  indexed; ``byline`` holds, as words, what a reader sees around the story but extraction
  takes out of the body (dateline, agency, publisher, authors, contributors), so
  ``cleveland`` finds the stories datelined CLEVELAND;
- facet fields (``agency``, ``publisher``, ``dateline``, ``topics``, ``authors``, …) indexed
  whole and lowercased, so ``agency:ap`` and ``publisher:"new york times"`` match, and word
  by word, so ``authors:doe`` finds Jane Doe; the display values are stored;
- no separate spelling field: it cost 30% of indexing time. "Did you mean" draws on the
  stemmed ``title``/``body`` vocabulary (Whoosh's corrector over those terms) and shows the
  surface word found in the stored text of a matching article;
- ``facet_*`` columns: the display values joined by ``FACET_SEP``, one per document, which
  ``search.searching.facets`` reads once per searcher into arrays to count by indexing (Whoosh's own
  ``groupedby`` re-reads documents per search and is slow on multi-valued fields).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from whoosh import columns, fields
from whoosh.support.charset import accent_map
from whoosh.system import pack_uint
from whoosh.util.times import datetime_to_long

from search.article import Article
from search.indexing import latent
from search.indexing.analysis import NewsText, facet_analyzer

#: 2: a title made from the lead is stored for display, not indexed as a headline;
#: 3: the ``byline`` text field, and facet values' words as terms;
#: 4: the ``latent`` column (``indexing.latent``).
SCHEMA_VERSION = 4
TITLE_BOOST = 2.5
#: ``published`` column value of an undated article (what Whoosh's DATETIME column uses);
#: the searcher's date array turns it into ``snapshot.NO_DATE``.
UNDATED_COLUMN_VALUE = 2**64 - 1
#: Separates the values of a multi-valued facet inside its column.
FACET_SEP = "\x1f"

#: The facets a search can count, each with its kind: one value per article ("column"),
#: several ("array"), or a bucket of ``published`` ("date"). ``searching.facets`` makes
#: one ``Facet`` per entry; this is the only list of them.
FACET_FIELDS: dict[str, str] = {
    "agency": "column",
    "publisher": "column",
    "dateline": "column",
    "topics": "array",
    "authors": "array",
    "year": "date",
    "month": "date",
}
#: Fields a query may name as ``field:value`` beside title and body.
KEYWORD_FIELDS = (
    "agency",
    "publisher",
    "dateline",
    "topics",
    "authors",
    "contributors",
    "language",
)


#: The fields whose values a reader sees beside the story, searched as ``byline`` words.
BYLINE_FIELDS = ("dateline", "agency", "publisher", "authors", "contributors")
#: A facet value's words are terms too when it has more than one (``doe`` of ``Jane Doe``).
_VALUE_WORDS = re.compile(r"\w+")

#: A keyword's posting value: its frequency in the document, always one.
_ONE = pack_uint(1)


class FacetKeyword(fields.KEYWORD):
    """A whole-value keyword: ``"New York Times"`` is one lowercased, accent-folded term
    (``keyword_terms`` adds its words)."""

    def __init__(self) -> None:
        super().__init__(stored=True, scorable=False, analyzer=facet_analyzer())

    def index(self, value: Any, **kwargs: Any):  # type: ignore[override]
        """Lists (from ``article_to_document``) hold terms already in indexed form."""
        if isinstance(value, list):
            boost = self.format.field_boost
            return [(term.encode("utf-8"), 1, boost, _ONE) for term in dict.fromkeys(value)]
        return super().index(value, **kwargs)


class StoredColumn(fields.ID):
    """Stored and a column, never a term: ``story`` is read as an array, not searched.

    An indexed id is a term per document, and terms are what a rebuild pays for one by one.
    """

    indexed = False

    def __init__(self) -> None:
        super().__init__(stored=True, sortable=_offsets_column())


def _offsets_column() -> columns.VarBytesColumn:
    """A byte-string column that always stores its offsets (Whoosh leaves them out below
    32,768 documents, and a reader then rebuilds them in a Python loop, at every open)."""
    return columns.VarBytesColumn(write_offsets_cutoff=0)


def build_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        url=fields.STORED(),
        story=StoredColumn(),
        title=NewsText(stored=True, field_boost=TITLE_BOOST),
        byline=NewsText(),
        body=NewsText(stored=True),
        dateline=FacetKeyword(),
        agency=FacetKeyword(),
        publisher=FacetKeyword(),
        authors=FacetKeyword(),
        contributors=FacetKeyword(),
        topics=FacetKeyword(),
        language=FacetKeyword(),
        # Only a column: date ranges, sorting and year/month buckets read it as an array, so
        # the 8 tiered terms a DATETIME field indexes per document would be dead weight.
        published=fields.COLUMN(columns.NumericColumn("Q", default=UNDATED_COLUMN_VALUE)),
        published_iso=fields.STORED(),
        word_count=fields.STORED(),
        title_from_lead=fields.STORED(),
        source_file=fields.STORED(),
        **{f"facet_{name}": fields.COLUMN(_offsets_column()) for name in FACET_FIELDS},
        # Each article's place in the archive's latent space, written by ``BulkWriter``.
        **{latent.LATENT_COLUMN: fields.COLUMN(columns.FixedBytesColumn(latent.VECTOR_BYTES))},
    )


def facet_term(value: str) -> str:
    """The indexed form of a facet value: what ``facet_analyzer()`` makes of it."""
    return value.strip().lower().translate(accent_map)


def keyword_terms(values: list[str]) -> list[str]:
    """A facet field's terms: each value whole, then each word of a value of several words.

    >>> keyword_terms(["Jane Doe", "AP"])
    ['jane doe', 'ap', 'jane', 'doe']
    """
    whole = [facet_term(v) for v in values]
    words = [w for term in whole for w in _VALUE_WORDS.findall(term) if w != term]
    return list(dict.fromkeys([*whole, *words]))


def byline_text(article: Article) -> str:
    """The ``byline`` field: dateline, agency, publisher, authors and contributors as text."""
    parts: list[str] = []
    for name in BYLINE_FIELDS:
        value = getattr(article, name)
        parts.extend(value if isinstance(value, list) else [value] if value else [])
    return "\n".join(parts)


def parse_published(value: str | None) -> datetime | None:
    """The ISO 8601 ``published`` value as the clock read where it was published: its
    offset dropped, not applied. The date a reader is shown (``2024-12-31T20:00-08:00`` is
    31 December) is then the date that ``published:`` queries, the date filters, the year
    and month facets and the newest-first order go by; in UTC it was 1 January."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when.replace(tzinfo=None)


def facet_values(article: Article) -> dict[str, list[str]]:
    """Display values per facet for one article (``year``/``month`` from ``published``)."""
    when = parse_published(article.published)
    return {
        "agency": [article.agency] if article.agency else [],
        "publisher": [article.publisher] if article.publisher else [],
        "dateline": [article.dateline] if article.dateline else [],
        "topics": list(article.topics),
        "authors": list(article.authors),
        "year": [f"{when:%Y}"] if when else [],
        "month": [f"{when:%Y-%m}"] if when else [],
    }


#: Control characters other than tab and line breaks: no text means them (a stray byte of
#: an export, a typesetting code), and XML 1.0 cannot carry them, so one would break the
#: Atom feed of any search that shows the article.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def printable(text: str) -> str:
    """``text`` with each control character a space (words stay apart, as the analyser
    already splits them there)."""
    return _CONTROLS.sub(" ", text)


def _clean(value: str) -> str:
    return unicodedata.normalize("NFC", printable(value))


def article_to_document(article: Article) -> dict[str, Any]:
    """The keyword arguments for ``writer.add_document`` (lists bypass the analyzer)."""
    doc: dict[str, Any] = {
        "id": article.id,
        "title": printable(article.title or ""),
        "byline": byline_text(article),
        "body": printable(article.body or ""),
        "word_count": article.word_count,
        "source_file": article.source_file,
    }
    if article.title_from_lead:
        # The lead is in the body already: its words must not weigh as a headline's.
        doc["title"] = ""
        doc["_stored_title"] = printable(article.title or "")
        doc["title_from_lead"] = True
    if article.url:
        doc["url"] = article.url
    if article.story:
        doc["story"] = article.story
    when = parse_published(article.published)
    if when:
        doc["published"] = datetime_to_long(when)
        doc["published_iso"] = article.published
    for name in KEYWORD_FIELDS:
        value = getattr(article, name)
        values = value if isinstance(value, list) else ([value] if value else [])
        if values:
            doc[name] = keyword_terms(values)
            doc[f"_stored_{name}"] = [_clean(v) for v in values]
    for name, values in facet_values(article).items():
        doc[f"facet_{name}"] = FACET_SEP.join(values).encode("utf-8")
    return doc


def document_to_article(stored: dict[str, Any]) -> Article:
    """Rebuild an ``Article`` from a document's stored fields."""
    data = dict(stored)
    data["published"] = stored.get("published_iso")
    for name in KEYWORD_FIELDS:
        value = data.get(name)
        if name in ("agency", "publisher", "dateline", "language"):
            data[name] = value[0] if isinstance(value, list) and value else value or None
        else:
            data[name] = list(value or [])
    return Article.from_dict(data)
