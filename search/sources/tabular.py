"""Exports: JSON Lines, JSON and CSV, one article per line, object or row.

JSON Lines and CSV are streamed, since a dump can hold tens of thousands of stories
(Reuters-21578: 21,578 lines, 25 MB); each line is decoded by the rule every reader shares
(``search.sources.encoding``; UTF-16 files are read as such), then goes through
``json.loads`` and one cached field plan. A bad line costs only itself and is reported with
its line number (``export.jsonl:17``); a line of damaged UTF-8 is reported, not read as
mojibake. A file where no line parses at all is one ``Skipped`` for the file, not one per
line.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, BinaryIO

from search.sources.encoding import decode, unicode_encoding
from search.sources.feeds import is_json_feed, read_json_feed
from search.sources.fieldmap import FieldMapper
from search.sources.files import (
    HEAD_BYTES,
    SkipFile,
    Source,
    bounded_lines,
    gzip_errors,
    human_size,
    open_content,
)
from search.sources.records import RawRecord, Skipped
from search.sources.text import invalid_text_reason
from search.wording import shown

#: Keys under which an export object holds its list of articles.
LIST_KEYS = ("items", "articles", "data", "results", "docs", "entries", "stories", "records")
#: Bad lines tolerated at the start of a JSONL file before it is judged not JSONL at all.
MAX_LEADING_BAD_LINES = 20
CSV_DELIMITERS = ",;\t|"

Record = RawRecord | Skipped


def _fields_record(name: str, fields: dict[str, Any], **where: int) -> RawRecord:
    return RawRecord(source_file=name, kind="fields", fields=fields, **where)


def _json_error(error: json.JSONDecodeError) -> str:
    return f"line {error.lineno}: {error.msg}"


def utf8_stream(stream: BinaryIO) -> BinaryIO:
    """``stream`` as UTF-8 bytes: UTF-16 and UTF-32 files (with or without a mark) are
    re-encoded, since their lines do not end in a plain ``\\n`` byte."""
    head = stream.read(HEAD_BYTES)
    whole = io.BufferedReader(_Prefixed(head, stream))
    encoding = unicode_encoding(head)
    if encoding in (None, "utf-8-sig"):
        return whole
    return codecs.EncodedFile(whole, "utf-8", encoding)  # type: ignore[return-value]


class _Prefixed(io.RawIOBase):
    """A stream that gives back the bytes already read from it, then the rest."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self._prefix, self._rest = prefix, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._prefix:
            data, self._prefix = self._prefix[: len(buffer)], self._prefix[len(buffer) :]
        else:
            data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def decoded_lines(name: str, lines: Iterable[bytes | None], max_bytes: int):
    """(line number, text, the ``Skipped`` that says why the line cannot be read or None).

    A damaged line's text has U+FFFD for its bad bytes; a line over the limit has none.
    """
    for number, line in enumerate(lines, start=1):
        where = f"{name}:{number}"
        if line is None:
            yield number, "", Skipped(where, f"line larger than {human_size(max_bytes)}")
            continue
        decoded = decode(line)
        problem = Skipped(where, invalid_text_reason(decoded)) if decoded.invalid else None
        yield number, decoded.text.lstrip("\ufeff"), problem


# JSON Lines ---------------------------------------------------------------------------------


def read_jsonl(source: Source, mapper: FieldMapper, max_bytes: int) -> Iterator[Record]:
    """Stream a JSON Lines file (plain, gzip, UTF-8 or UTF-16) line by line."""
    with open_content(source) as raw, gzip_errors():
        lines = bounded_lines(utf8_stream(raw), max_bytes)
        yield from jsonl_records(source.name, lines, mapper, max_bytes)


def jsonl_records(
    name: str, lines: Iterable[bytes | None], mapper: FieldMapper, max_bytes: int
) -> Iterator[Record]:
    """Records of JSONL ``lines``; a bad line yields ``Skipped("file:17", ...)``.

    Bad lines are held back until the first good one: a file with no good line at all
    (not JSONL, or one broken object) becomes a single ``Skipped`` for the file.
    """
    held: list[Skipped] = []
    good = 0
    for number, text, problem in decoded_lines(name, lines, max_bytes):
        if not problem and not text.strip():
            continue
        parsed = problem or _parse_line(f"{name}:{number}", text)
        if isinstance(parsed, Skipped):
            if good:
                yield parsed
            else:
                held.append(parsed)
                if len(held) >= MAX_LEADING_BAD_LINES:
                    break
            continue
        good += 1
        yield from held
        held.clear()
        yield _fields_record(name, mapper.map(parsed), line=number)
    if not good:
        yield _no_good_lines(name, held)


def _parse_line(where: str, text: str) -> Mapping[str, Any] | Skipped:
    """The object on one JSONL line, or why there is none."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return Skipped(where, f"not valid JSON ({error.msg})")
    if not isinstance(value, Mapping):
        return Skipped(where, "not a JSON object")
    return value


def _no_good_lines(name: str, held: list[Skipped]) -> Skipped:
    """The one ``Skipped`` for a JSONL file in which no line held an article."""
    if not held:
        return Skipped(name, "no records")
    first = held[0]
    line = first.source_file.rsplit(":", 1)[1]
    reason, _, detail = first.reason.partition(" (")
    detail = f"line {line}: {detail}" if detail else f"line {line})"
    return Skipped(name, f"{reason} ({detail}")


# JSON -----------------------------------------------------------------------------------------


def read_json(name: str, data: bytes, mapper: FieldMapper, max_bytes: int) -> Iterator[Record]:
    """A JSON file: an array of articles, an object holding one, or a single article.

    A JSON Feed goes to the feed reader; a file that turns out to be JSON Lines (``Extra
    data`` after the first value) is read as such.
    """
    decoded = decode(data)
    if decoded.invalid:
        raise SkipFile(invalid_text_reason(decoded))
    try:
        value = json.loads(decoded.text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            yield from jsonl_records(name, io.BytesIO(data), mapper, max_bytes)
            return
        raise SkipFile(f"not valid JSON ({_json_error(error)})") from None
    if is_json_feed(value):
        yield from read_json_feed(name, value)
        return
    objects = [item for item in json_articles(value) if isinstance(item, Mapping)]
    if not objects:
        raise SkipFile("no records")
    for number, item in enumerate(objects, start=1):
        yield _fields_record(name, mapper.map(item), item=number if len(objects) > 1 else 0)


def json_articles(value: Any) -> list[Any]:
    """The article objects in a JSON document, whichever of the common shapes it has."""
    if isinstance(value, list):
        return value
    if not isinstance(value, Mapping):
        return []
    for key in LIST_KEYS:
        if isinstance(value.get(key), list):
            return value[key]
    hits = value.get("hits")
    if isinstance(hits, Mapping) and isinstance(hits.get("hits"), list):  # Elasticsearch
        return [hit.get("_source", hit) for hit in hits["hits"] if isinstance(hit, Mapping)]
    return [value]


# CSV ------------------------------------------------------------------------------------------


def read_csv(source: Source, mapper: FieldMapper, max_bytes: int) -> Iterator[Record]:
    """Stream a CSV (or TSV) export, one article per row, the header naming the fields."""
    with open_content(source) as raw, gzip_errors():
        lines = bounded_lines(utf8_stream(raw), max_bytes)
        yield from csv_records(source.name, lines, mapper, max_bytes)


def csv_records(
    name: str, lines: Iterable[bytes | None], mapper: FieldMapper, max_bytes: int
) -> Iterator[Record]:
    """Rows of CSV ``lines``, the first naming the columns; a bad row costs only itself.

    As with JSONL the file may be any size; ``max_bytes`` bounds each line instead (the csv
    module's own limit, 128 KB, is too small for article bodies). A row that holds a line
    that could not be read (damaged UTF-8, too long) is skipped with that line's reason; a
    row the csv module cannot read (``_csv_rows``) is skipped with where it begins.
    """
    numbered = decoded_lines(name, lines, max_bytes)
    first = next(numbered, (1, "", None))
    csv.field_size_limit(max_bytes)
    rows = _csv_rows(name, itertools.chain([first], numbered), sniff_dialect(first[1]), max_bytes)
    header = next(rows, None)
    if isinstance(header, Skipped):
        raise SkipFile(f"{header.reason} in the header")
    columns = header.values if header else []
    named = [column for column in columns if column]
    if not mapper.has_text_column(named):
        raise SkipFile(f"no title or body column ({_columns_hint(named)})")
    read = 0
    for row in rows:
        if isinstance(row, Skipped):
            read += 1
            yield row
            continue
        if row.problem:
            read += 1
            yield Skipped(f"{name}:{row.last}", row.problem.reason)
            continue
        fields = mapper.map(dict(itertools.zip_longest(columns, row.values[: len(columns)])))
        if fields:
            read += 1
            yield _fields_record(name, fields, line=row.last)
    if not read:
        raise SkipFile("no records")


#: A "no title or body column" reason names at most this many of the file's columns.
SHOWN_COLUMNS = 8
SHOWN_NAME_CHARS = 30


def _columns_hint(columns: list[str]) -> str:
    """What to do about a header with no text column: its columns, and how to name one
    (a mistyped ``--map body=...`` ends here too)."""
    if not columns:
        return "the first line names no columns"
    names = [shown(column, SHOWN_NAME_CHARS) for column in columns]
    listed = ", ".join(names[:SHOWN_COLUMNS]) + (", ..." if len(names) > SHOWN_COLUMNS else "")
    return f"its columns: {listed}; name the text's with --map body=COLUMN"


#: A decoded line: its number, its text, and why it could not be read (or None).
Line = tuple[int, str, Skipped | None]


@dataclass
class CsvRow:
    """One row's values, the line it ends on, and why a line of it could not be read."""

    values: list[str]
    last: int
    problem: Skipped | None


class _RowLines:
    """The lines a ``csv.reader`` reads, each kept until its row is done: a row the reader
    rejects is passed over by reading again the lines after its first."""

    def __init__(self, lines: Iterator[Line]) -> None:
        self._lines = lines
        self._again: deque[Line] = deque()
        self.row: list[Line] = []
        #: whether the current row ran into the end of the file
        self.ended = False

    def __iter__(self) -> _RowLines:
        return self

    def __next__(self) -> str:
        line = self._again.popleft() if self._again else next(self._lines, None)
        if line is None:
            self.ended = True
            raise StopIteration
        self.row.append(line)
        return line[1] or "\ufffd\n"  # a line over the limit still makes its row

    def next_row(self) -> None:
        self.row, self.ended = [], False

    def pass_over_first_line(self) -> None:
        """Read the current row's lines again from its second, as the start of a row."""
        self._again.extendleft(reversed(self.row[1:]))
        self.next_row()


def _csv_rows(
    name: str, lines: Iterator[Line], dialect: type[csv.Dialect], max_bytes: int
) -> Iterator[CsvRow | Skipped]:
    """The rows of ``lines``, read strictly; a row the csv module rejects is one ``Skipped``
    naming the line it begins on, and reading goes on from the line after that one.

    Read leniently, as the csv module does by default, a quote left open (``"Bad title,``)
    runs on to the end of the file and takes every row after it into one field: an article
    with the rest of the file for a headline and no body. Read strictly, that is an error
    (at the end of the file, or at the next quote, which then closes a field that runs on);
    the row's first line goes, and the lines after it are rows again. Text after a closing
    quote (``"Paris" ,``) is tolerated on a row of one line, as lenient readers do.
    A field past ``max_bytes`` ends the file: there is no telling where its row ends.
    """
    source = _RowLines(lines)
    reader = csv.reader(source, dialect, strict=True)
    while True:
        source.next_row()
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            values = _lenient_row(source, dialect)
            if values is None:
                too_large = _field_too_large(error)
                yield _bad_row(name, source, str(error), max_bytes if too_large else None)
                if too_large:
                    return
                source.pass_over_first_line()
                continue
        if values:  # a blank line is no row
            problem = next((line[2] for line in source.row if line[2]), None)
            yield CsvRow(values, source.row[-1][0], problem)


def _bad_row(name: str, source: _RowLines, error: str, field_limit: int | None) -> Skipped:
    """Why the current row cannot be read, at the line it begins on (``desk.csv:3``)."""
    start, stop = source.row[0][0], source.row[-1][0]
    if field_limit is not None:
        detail = f"a field over {human_size(field_limit)}; the rest of the file not read"
    elif source.ended:
        detail = "a quote is never closed"
    else:
        detail = error if stop == start else f"{error}, line {stop}"
    return Skipped(f"{name}:{start}", f"not valid CSV ({detail})")


def _lenient_row(source: _RowLines, dialect: type[csv.Dialect]) -> list[str] | None:
    """A row of one line the strict reader refused, read leniently; None when it spans lines
    or ran into the end of the file (a quote left open), or not even lenience reads it."""
    if len(source.row) != 1 or source.ended:
        return None
    try:
        return next(csv.reader([source.row[0][1]], dialect), [])
    except csv.Error:
        return None


def _field_too_large(error: csv.Error) -> bool:
    return "field larger than field limit" in str(error)


def sniff_dialect(header_line: str) -> type[csv.Dialect]:
    """The dialect, judged by the delimiter the header line uses most.

    ``csv.Sniffer`` misreads samples full of prose (commas and quotes in bodies) and, on a
    header without quotes, turns ``doublequote`` off; a header line is a safer witness.
    """
    delimiter = max(CSV_DELIMITERS, key=header_line.count)
    if not header_line.count(delimiter):
        return csv.excel
    return type("SniffedDialect", (csv.excel,), {"delimiter": delimiter})
