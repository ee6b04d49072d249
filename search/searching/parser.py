"""The query language users type into one box, read into a Whoosh query.

>>> str(parse_query('tokyo -opec').query)
'((title:tokyo OR byline:tokyo OR body:tokyo) AND NOT (title:opec OR byline:opec OR body:opec))'

What it accepts (Lucene-like, and lenient):

- words, all required, matched stemmed, accent-folded and case-insensitive in what a reader
  sees: the title, the byline (dateline, agency, publisher, authors) and the body;
- ``"exact phrases"``, ``AND`` / ``OR`` / ``NOT``, ``-word``, parentheses;
- ``field:value`` on the text fields (``title:minerals``) and the facet fields
  (``dateline:tokyo``, ``agency:AP``, ``publisher:"New York Times"``), a quoted value matching
  whole and a word any word of the value (``authors:doe`` finds Jane Doe); obvious other
  names are read as ours (``author:`` as ``authors:``, ``date:`` as ``published:``) and an
  unknown field is refused, naming the fields there are; ``title: oil`` is ``title:oil``
  (as in Lucene), and a field name with no value (``title:``) is left out;
- ``wild*``, fuzzy ``starmr~`` (one edit; ``starmr~2`` two);
- dates: ``published:[2016-01-01 TO 2016-12-31]``, ``published:>2019`` (after 2019),
  ``published:>=2019-05``, ``published:2019``, and ``year:2019`` for short; a range's end
  left blank or ``*`` is open (``[2019 TO *]``).

A stray quote, a dangling operator or unbalanced parentheses are read leniently (Whoosh's
parser ignores what it cannot use); a query with nothing left to search for (``AND``, ``-``,
``""``, ``the``) lists everything, as an empty query does, and says so in ``notice``. A date it
cannot read is refused with ``BadQuery``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from time import perf_counter
from typing import Any

from whoosh import fields, query
from whoosh.fields import datetime_to_long
from whoosh.qparser import MultifieldParser, plugins
from whoosh.qparser.syntax import AndGroup

from search.errors import BadQuery
from search.indexing.schema import KEYWORD_FIELDS, build_schema
from search.wording import shown

#: Where bare words are looked up, each scored (BM25F; the title's boost is in the schema).
TEXT_FIELDS = ("title", "byline", "body")
DATE_FIELD = "published"
#: ``year:2019`` is read as ``published:2019``.
DATE_ALIASES = ("year",)
#: The field names a query may use (``byline`` is searched by bare words, not by name).
QUERY_FIELDS = ("title", "body", *KEYWORD_FIELDS, DATE_FIELD, *DATE_ALIASES)
#: Names people reach for, read as the field they mean.
FIELD_SYNONYMS = {
    "author": "authors",
    "byline": "authors",
    "by": "authors",
    "contributor": "contributors",
    "headline": "title",
    "text": "body",
    "content": "body",
    "topic": "topics",
    "tag": "topics",
    "tags": "topics",
    "category": "topics",
    "source": "publisher",
    "outlet": "publisher",
    "wire": "agency",
    "place": "dateline",
    "city": "dateline",
    "location": "dateline",
    "lang": "language",
    "date": DATE_FIELD,
    "month": DATE_FIELD,
    "day": DATE_FIELD,
}
#: Longer input is refused rather than parsed (a paste accident, not a query); the
#: ``max_query_chars`` setting overrides it.
MAX_QUERY_CHARS = 2000
#: A message quotes at most this much of a query.
SHOWN_CHARS = 80
#: A wildcard or fuzzy term expands to at most this many index terms for highlighting.
MAX_HIGHLIGHT_EXPANSION = 200

#: Letters a wildcard must start with: ``*ing`` would expand to half the vocabulary.
MIN_WILDCARD_PREFIX = 2
#: Fuzzy terms keep their first letter (``starmr~`` looks among words in s...), as a
#: misspelt first letter is rare and a full scan of the vocabulary is slow.
FUZZY_PREFIX = 1
#: At most this many edits (``starmr~9`` is ``starmr~2``): past two a word matches most of
#: the words its length (``oil~5`` found 121 of 161 demo stories), as Lucene caps it too.
MAX_FUZZY_EDITS = 2

#: ``NOT word`` and ``-word`` (a minus that starts a word, so ``u-turn`` stays a word).
NOT_PATTERN = r"(^|(?<=[\s(]))(NOT(?=\s)|-(?=[\w\"(]))"
DATE_HELP = "write dates as YYYY, YYYY-MM or YYYY-MM-DD"
#: What a query with nothing left to search for is told (it lists everything).
NOTHING_TO_SEARCH = (
    "nothing to search for in {query!r} (operators and the commonest words are not "
    "searched), so everything is listed"
)


class QueryDate(fields.DATETIME):
    """``published`` as the parser sees it: readable errors and exclusive bounds by bucket.

    ``published:>2019`` means after the whole of 2019, ``published:<2019-05`` before May 2019;
    the index's own ``published`` field is left as the schema defines it.
    """

    def _bucket(self, text: str) -> tuple[datetime, datetime]:
        """The first and last instant of the date ``text`` names (a year, a month, a day)."""
        try:
            at = self._parse_datestring(text.strip())
            # Year 0 parses, but has no first instant: datetime starts at year 1.
            return at.floor(), at.ceil()
        except Exception:  # Whoosh raises bare Exception and ValueError here
            raise BadQuery(f"cannot read the date {text!r}: {DATE_HELP}") from None

    def _bound(self, text: str, *, after: bool, upper: bool) -> int:
        """A range end as a Whoosh date number: the first instant after the bucket of
        ``text`` (``after``) or its first instant; an upper bound is one tick earlier.

        ``[2016 TO 2017]`` keeps all of 2017; ``{2016 TO`` starts in 2017.
        """
        first, last = self._bucket(text)
        edge = datetime_to_long(last) + 1 if after else datetime_to_long(first)
        return edge - 1 if upper else edge

    def parse_query(self, fieldname: str, qstring: str, boost: float = 1.0) -> query.Query:
        # What reaches here in brackets is a range with no TO: ``[2024]`` is 2024, and ``[]``
        # no date, left out as a dangling operator is.
        text = qstring.strip().strip("[]{}")
        if _blank(text):
            return query.NullQuery
        first, last = self._bucket(text)
        start, end = datetime_to_long(first), datetime_to_long(last)
        return query.NumericRange(DATE_FIELD, start, end, boost=boost, constantscore=True)

    def parse_range(
        self,
        fieldname: str,
        start: Any,
        end: Any,
        startexcl: bool,
        endexcl: bool,
        boost: float = 1.0,
    ) -> query.Query:
        """A date range; an end left blank or ``*`` (``[2024 TO ]``, ``[* TO 2024]``) is
        open, and a range with neither end limits nothing: it is left out."""
        start, end = _range_end(start), _range_end(end)
        if start is None and end is None:
            return query.NullQuery
        low = self._bound(start, after=startexcl, upper=False) if start is not None else None
        high = self._bound(end, after=not endexcl, upper=True) if end is not None else None
        if low is not None and high is not None and low > high:
            if self._bound(start, after=False, upper=False) > self._bound(
                end, after=True, upper=True
            ):
                why = "its start is after its end"
            else:  # {2024 TO 2025}: each end left out, and no day between them
                why = "no day lies between its ends once they are left out ({ }); use [ ]"
            raise BadQuery(f"the date range {start} TO {end} is empty: {why}")
        return query.NumericRange(DATE_FIELD, low, high, boost=boost, constantscore=True)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _range_end(value: str | None) -> str | None:
    """A range's end as typed, None when it is open (left blank or ``*``, as in Lucene)."""
    return None if _blank(value) or value.strip() == "*" else value


class TypedWords(query.And):
    """Words typed side by side with no operator (``border wall funding``): an AND that the
    evaluator may soften (``scoring.words_needed``); an explicit ``AND`` stays strict."""


class TypedWordsGroup(AndGroup):
    qclass = TypedWords


def plain_word(q: query.Query) -> str | None:
    """The word (as indexed) when ``q`` is one bare word: a text-field term, or the OR of one
    term over the text fields that the parser makes of it; else None."""
    leaves = q.subqueries if isinstance(q, query.Or) else [q]
    if not all(type(leaf) is query.Term and leaf.fieldname in TEXT_FIELDS for leaf in leaves):
        return None
    texts = {leaf.text for leaf in leaves}
    if len(texts) != 1:
        return None
    text = texts.pop()
    return text.decode("utf-8") if isinstance(text, bytes) else str(text)


#: A date-range filter's value: ``FROM..TO``, either end optional (``2024-03..``).
DATE_RANGE_SEP = ".."


def date_range_query(value: str) -> query.Query:
    """``2024-01-01..2024-06-30`` as a query on ``published``, both ends inclusive and read
    as buckets (``2024..2024`` is the whole year), either end optional: what a page's two
    date inputs give. A date it cannot read is refused with ``BadQuery``.

    >>> date_range_query("2016..2016").start == date_range_query("2016-01-01..").start
    True
    """
    start, sep, end = value.partition(DATE_RANGE_SEP)
    start, end = start.strip() or None, end.strip() or None
    if not sep or (start is None and end is None):
        raise BadQuery(f"a date range reads FROM..TO (either end may be left out), not {value!r}")
    return QueryDate().parse_range(DATE_FIELD, start, end, False, False)


def parser_plugins() -> list[plugins.Plugin]:
    """The parser's syntax, spelled out (Whoosh's default set plus fuzzy, ``>``/``<``, ``-``)."""
    return [
        plugins.SingleQuotePlugin(),
        plugins.FieldsPlugin(),
        plugins.WildcardPlugin(),
        plugins.PhrasePlugin(),
        plugins.RangePlugin(),
        plugins.GtLtPlugin(),
        plugins.GroupPlugin(),
        plugins.OperatorsPlugin(Not=NOT_PATTERN),
        plugins.BoostPlugin(),
        plugins.EveryPlugin(),
        plugins.FuzzyTermPlugin(),
    ]


def parser_schema() -> fields.Schema:
    """The index schema with the date fields swapped for ``QueryDate`` (parsing only)."""
    schema = build_schema()
    for name in (DATE_FIELD, *DATE_ALIASES):
        if name in schema:
            schema.remove(name)
        schema.add(name, QueryDate())
    return schema


@lru_cache(maxsize=1)
def query_parser() -> MultifieldParser:
    return MultifieldParser(
        list(TEXT_FIELDS), parser_schema(), plugins=parser_plugins(), group=TypedWordsGroup
    )


@dataclass(frozen=True)
class ParsedQuery:
    """A user's query string and what it means to the index."""

    text: str
    query: query.Query
    match_all: bool = False
    #: Said to the user about how the query was read (``NOTHING_TO_SEARCH``), else None.
    notice: str | None = None

    def highlight_terms(self, reader, until: float | None = None) -> frozenset[str]:
        """The body terms (stemmed, as indexed) a hit can contain because of this query.

        Wildcards and fuzzy terms are expanded against ``reader``, until the
        ``time.perf_counter()`` value ``until`` if given (a query that took its time matching
        gets fewer words highlighted, not a longer wait); terms under ``NOT`` are left out,
        as a document never matches because of them.
        """
        return frozenset(_positive_terms(self.query, reader, until))

    @property
    def scored(self) -> bool:
        """Whether relevance means anything: some text-field term outside ``NOT``."""
        return not self.match_all and any(
            part.is_leaf() and part.field() in TEXT_FIELDS for part in _outside_not(self.query)
        )

    @property
    def typed_groups(self) -> list[list[query.Query]]:
        """The plain words (``plain_word``) of each group of two or more typed side by side,
        outside ``NOT``: the groups a match may hold only some of (``scoring.words_needed``)."""
        groups = []
        for part in _outside_not(self.query):
            if isinstance(part, TypedWords):
                words = [p for p in part.subqueries if plain_word(p) is not None]
                if len(words) > 1:
                    groups.append(words)
        return groups

    @property
    def typed_words(self) -> bool:
        """Whether some words were typed side by side (two or more, outside ``NOT``)."""
        return bool(self.typed_groups)

    def words(self) -> list[str]:
        """The plain words the user typed (no field, wildcard or operator), for suggestions."""
        return list(_plain_words(self.text))


def _outside_not(q: query.Query) -> Iterator[query.Query]:
    """``q`` and its parts that a document can match because of: none under a ``NOT`` (nor
    the excluded side of an ``ANDNOT``), as a document never matches because of those."""
    if isinstance(q, query.Not):
        return
    if isinstance(q, query.AndNot):
        yield from _outside_not(q.a)
        return
    yield q
    if not q.is_leaf():
        for child in q.children():
            yield from _outside_not(child)


def _positive_terms(q: query.Query, reader, until: float | None = None) -> Iterator[str]:
    for leaf in _outside_not(q):
        if not leaf.is_leaf() or leaf.field() not in TEXT_FIELDS:
            continue
        expanded = leaf.expanded_terms(reader, phrases=True) if leaf.has_terms() else []
        for count, (_field, text) in enumerate(expanded):
            if count >= MAX_HIGHLIGHT_EXPANSION:
                break
            yield text.decode("utf-8") if isinstance(text, bytes) else text
            if until is not None and isinstance(leaf, query.MultiTerm) and perf_counter() > until:
                break


#: A token of the query string that is a plain word: not an operator, field or pattern.
_WORD = re.compile(r"(?<![\w:*?~.\-])[^\W\d_]{3,}(?![\w:*?~(])")
#: ``field:value``, ``field:"a value"`` and ``field:[a TO b]``: not plain words.
_FIELD_VALUE = re.compile(r"\b\w+:(?:\"[^\"]*\"?|\[[^\]]*\]?|\{[^}]*\}?|\S+)")
#: ``name:`` directly followed by a value (``Update: oil`` and ``http://`` are words).
_FIELD_NAME = re.compile(r"(?<![\w\"])([A-Za-z_]\w*):(?=[^\s/:])")
#: Operators between two operands, before one, and all the words of the syntax.
_BINARY = frozenset({"AND", "OR", "ANDNOT", "ANDMAYBE"})
_UNARY = frozenset({"NOT", "-", "+"})
_OPERATORS = _BINARY | {"NOT", "TO"}
#: ``name:`` (or ``name:>``, ``name:<=``) then a space or nothing: ``title: oil``, ``title:``.
_NAME_APART = re.compile(r"(?<![\w\"])([A-Za-z_]\w*):([<>]=?)?(?:\s+|(?=\)|$))")
#: What cannot start a field's value: the end, ``)``, an operator (``AND``, ``-oil``),
#: another ``name:``.
_NO_VALUE = re.compile(rf"$|[)+-]|(?:{'|'.join(sorted(_OPERATORS))})(?=[\s)]|$)|[A-Za-z_]\w*:")
#: A field's range left open at the end of the query: ``published:[2024 TO``.
_UNCLOSED_RANGE = re.compile(r"(?<![\w\"])[A-Za-z_]\w*:([\[{])[^\]}]*$")
_RANGE_CLOSERS = {"[": "]", "{": "}"}
_QUOTED = re.compile(r'"[^"]*"?')
#: A piece of the query as operators see it: a quoted run, a parenthesis, anything else.
_TOKEN = re.compile(r'"[^"]*"?|[()]|[^\s()"]+')
#: "Anything": as the whole query it lists everything; beside words it limits nothing.
_MATCH_ALL = frozenset({"*", "*:*"})


def _outside_quotes(pattern: re.Pattern, replace: Callable[[re.Match], str], text: str) -> str:
    """``pattern.sub(replace, text)`` for the matches outside quoted text (``"title: oil"``
    is words, whatever the syntax in it)."""
    quoted = [m.span() for m in _QUOTED.finditer(text)]

    def outside(match: re.Match) -> str:
        if any(start < match.start() < end for start, end in quoted):
            return match.group()
        return replace(match)

    return pattern.sub(outside, text)


def _field_named(typed: str) -> str:
    """The field ``typed`` names as the index spells it (``Author`` → ``authors``), which
    may be no field of ours."""
    return FIELD_SYNONYMS.get(typed.lower(), typed.lower())


def _dangles(token: str, before: str | None, after: str | None) -> bool:
    """Whether ``token``, an operator or a lone wildcard, lacks an operand (or limits
    nothing), between the last token kept (``before``) and the next one (``after``); None is
    the query's start or end."""
    if token in _BINARY:
        missing_before = before is None or before == "(" or before in _BINARY or before in _UNARY
        return missing_before or after in (None, ")")
    if token in _UNARY:
        return after in (None, ")")
    # A lone * (or ?) among words: Whoosh refused it as a wildcard with no letters, and made
    # an AND holding *:* match everything ('*:* -oil' listed oil too).
    return token in _MATCH_ALL or token == "?"


def _without_dangling_operators(text: str) -> str:
    """``text`` less each operator that lacks an operand: ``OR`` at the start or end of a
    group or after another operator (``oil OR OR gas`` is ``oil OR gas``, ``oil AND OR
    gas`` ``oil AND gas``), ``NOT`` or ``-`` before a ``)``. Whoosh reads those as words,
    which a facet field searches (``agency:(AP OR)`` looked for an agency named "or") and
    which turned ``OR OR`` into AND. A lone ``*`` or ``?`` limits nothing and goes too
    (``oil *`` is ``oil``, ``*:* -oil`` is ``-oil``)."""
    tokens = list(_TOKEN.finditer(text))
    dangling: list[tuple[int, int]] = []
    before: str | None = None
    for at, token in enumerate(tokens):
        after = tokens[at + 1].group() if at + 1 < len(tokens) else None
        if _dangles(token.group(), before, after):
            dangling.append(token.span())
        else:
            before = token.group()
    for start, end in reversed(dangling):
        text = f"{text[:start]} {text[end:]}"
    return text


#: Lucene's ``&&`` and ``||``, standing apart as words.
_SYMBOLIC_OPERATOR = re.compile(r"(?<!\S)(?:&&|\|\|)(?!\S)")


def _operator_words(text: str) -> str:
    """``oil && prices`` as ``oil AND prices`` and ``||`` as ``OR``, as Lucene reads them
    (Whoosh dropped them, and ``oil && prices`` was ``oil prices``)."""
    return _outside_quotes(
        _SYMBOLIC_OPERATOR, lambda match: "AND" if match.group() == "&&" else "OR", text
    )


def _closed(text: str) -> str:
    """``text`` with a field's range and the parentheses left open closed at its end, as
    a stray quote is (``published:[2024 TO`` is ``published:[2024 TO]``, after 2024;
    ``agency:(AP OR Reuters`` keeps both in ``agency``), where Whoosh would read the
    bracket as part of a date or end the field at the ``OR``."""
    text = _outside_quotes(
        _UNCLOSED_RANGE, lambda match: match.group() + _RANGE_CLOSERS[match.group(1)], text
    )
    depth = 0
    for token in _TOKEN.finditer(text):  # a quoted run is one token: its parentheses are words
        if token.group() == "(":
            depth += 1
        elif token.group() == ")":
            depth = max(depth - 1, 0)
    return text + ")" * depth


def _canonical_field_names(text: str) -> str:
    """Field names as the index spells them: ``Title:oil`` → ``title:oil``, ``author:doe`` →
    ``authors:doe``; an unknown name is refused (Whoosh would search it as a word, silently
    finding nothing). Quoted text is left alone."""

    def rename(match: re.Match) -> str:
        typed = match.group(1)
        name = _field_named(typed)
        if name not in QUERY_FIELDS:
            raise BadQuery(
                f"unknown field {typed!r}: use one of {', '.join(QUERY_FIELDS)} "
                f'(or quote the words: "{typed}:…")'
            )
        return f"{name}:"

    return _outside_quotes(_FIELD_NAME, rename, text)


def _fields_joined(text: str) -> str:
    """Each field name set apart from its value joined to it, as Lucene reads it
    (``title: oil`` is ``title:oil``, ``published:> 2024`` is ``published:>2024``); one
    with no value after it (``title:``, ``published:>``, ``title: AND oil``) dropped, as it
    dangles like an operator, where Whoosh would search the name as a word. Another
    ``name:`` is left a word (``Update: oil``)."""

    def join(match: re.Match) -> str:
        name, comparison = match.group(1), match.group(2) or ""
        if _field_named(name) not in QUERY_FIELDS:
            return match.group()
        if _NO_VALUE.match(match.string, match.end()):
            return " "
        return f"{name}:{comparison}"

    return _outside_quotes(_NAME_APART, join, text)


def _plain_words(text: str) -> Iterator[str]:
    for match in _WORD.finditer(_FIELD_VALUE.sub(" ", text)):
        if match.group() not in _OPERATORS:
            yield match.group()


def _holds_nothing(leaf: query.Query) -> bool:
    """Whether a field value of a normalised query is empty: ``agency:""`` (a blank term),
    a range with no ends (``[ TO ]``, ``[* TO *]``: a blank or ``*`` term; ``[TO]``: a
    field's Every). Whoosh would look for an empty term and find nothing."""
    if isinstance(leaf, query.Phrase):
        return all(_blank(word) for word in leaf.words)
    if isinstance(leaf, query.TermRange):
        return _range_end(leaf.start) is None and _range_end(leaf.end) is None
    if isinstance(leaf, query.Term):
        return _range_end(leaf.text) is None
    return isinstance(leaf, query.Every) and leaf.fieldname is not None


def _without_empty_values(q: query.Query) -> query.Query:
    """``q`` with each empty field value made a NullQuery, which ``normalize`` drops: an
    empty value dangles as an operator does (``oil agency:""`` searches ``oil``).

    Give it a normalised query: normalising flattens nested groups (``((((oil))))``), which
    this walks at three stack frames a level."""
    if q.is_leaf():
        return query.NullQuery if _holds_nothing(q) else q
    return q.apply(_without_empty_values)


def _check_errors(q: query.Query) -> None:
    """Whoosh marks what it could not parse with an ``error`` attribute; refuse those.

    Also refuses wildcards with too short a start, and keeps fuzzy terms' first letter and
    their edits to ``MAX_FUZZY_EDITS``.
    """
    error = getattr(q, "error", None)
    if error:
        message = str(error)
        raise BadQuery(message if message.startswith("cannot read") else f"cannot read {message}")
    if isinstance(q, query.FuzzyTerm):
        q.prefixlength = max(q.prefixlength, FUZZY_PREFIX)
        q.maxdist = min(q.maxdist, MAX_FUZZY_EDITS)
    elif isinstance(q, (query.Wildcard, query.Prefix)):
        start = re.split(r"[*?]", q.text, maxsplit=1)[0]
        if len(start) < MIN_WILDCARD_PREFIX:
            raise BadQuery(
                f"a wildcard needs at least {MIN_WILDCARD_PREFIX} letters before * or ? "
                f"(e.g. minist*), not {q.text + ('*' if isinstance(q, query.Prefix) else '')!r}"
            )
    if not q.is_leaf():
        for child in q.children():
            _check_errors(child)


def parse_query(text: str | None, max_chars: int = MAX_QUERY_CHARS) -> ParsedQuery:
    """Read what a user typed; an empty query matches every document."""
    if not isinstance(text, str | None):
        raise BadQuery(f"the query must be text, not {type(text).__name__}")
    text = (text or "").strip()
    if len(text) > max_chars:
        raise BadQuery(f"the query is too long ({len(text):,} characters, at most {max_chars:,})")
    if not text or text in _MATCH_ALL:
        return ParsedQuery(text, query.Every(), match_all=True)
    tidied = _without_dangling_operators(_closed(_fields_joined(_operator_words(text))))
    text_for_parser = _canonical_field_names(tidied)
    try:
        q = query_parser().parse(text_for_parser, normalize=False)
        _check_errors(q)
        q = _without_empty_values(q.normalize()).normalize()
    except BadQuery:
        raise
    except RecursionError:  # in Whoosh's parser or in a walk of what it made
        raise BadQuery("cannot read the query: its parentheses nest too deep") from None
    except Exception as exc:  # the parser's own failures are the user's query, read badly
        raise BadQuery(f"cannot read the query {shown(text, SHOWN_CHARS)!r}: {exc}") from None
    if isinstance(q, query.Every):
        return ParsedQuery(text, q, match_all=True)
    if isinstance(q, type(query.NullQuery)):
        # Operators, punctuation, stopwords or empty values alone: Whoosh would match
        # nothing; a search box lists everything for a query with no word in it, as for an
        # empty one.
        notice = NOTHING_TO_SEARCH.format(query=shown(text, SHOWN_CHARS))
        return ParsedQuery(text, query.Every(), match_all=True, notice=notice)
    return ParsedQuery(text, q)
