"""Exports: JSON Lines, JSON and CSV, one article per line, object or row.

JSON Lines and CSV are streamed, since a dump can hold tens of thousands of stories
(Reuters-21578: 21,578 lines, 25 MB); each line goes through ``json.loads`` on its bytes and
one cached field plan. A bad line costs only itself. A file where no line parses at all is
one ``Skipped`` for the file, not one per line.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

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
from search.sources.text import decode_text, guess_encoding

#: Keys under which an export object holds its list of articles.
LIST_KEYS = ("items", "articles", "data", "results", "docs", "entries", "stories", "records")
#: Bad lines tolerated at the start of a JSONL file before it is judged not JSONL at all.
MAX_LEADING_BAD_LINES = 20
CSV_DELIMITERS = ",;\t|"

Record = RawRecord | Skipped


def _fields_record(name: str, fields: dict[str, Any]) -> RawRecord:
    return RawRecord(source_file=name, kind="fields", fields=fields)


def _load_json(data: bytes | str) -> Any:
    """``json.loads`` that also takes legacy-encoded bytes (cp1252 exports exist)."""
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        return json.loads(decode_text(data))


def _json_error(error: json.JSONDecodeError) -> str:
    return f"line {error.lineno}: {error.msg}"


# JSON Lines ---------------------------------------------------------------------------------


def read_jsonl(source: Source, mapper: FieldMapper, max_bytes: int) -> Iterator[Record]:
    """Stream a JSON Lines file (plain or gzip) line by line."""
    with open_content(source) as stream, gzip_errors():
        lines = bounded_lines(stream, max_bytes)
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
    for number, line in enumerate(lines, start=1):
        if line is not None and not line.strip():
            continue
        parsed = _parse_line(f"{name}:{number}", line, max_bytes)
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
        yield _fields_record(name, mapper.map(parsed))
    if not good:
        yield _no_good_lines(name, held)


def _parse_line(where: str, line: bytes | None, max_bytes: int) -> Mapping[str, Any] | Skipped:
    """The object on one JSONL line, or why there is none (``None`` = over the limit)."""
    if line is None:
        return Skipped(where, f"line larger than {human_size(max_bytes)}")
    try:
        value = _load_json(line)
    except json.JSONDecodeError as error:
        return Skipped(where, f"invalid JSON: {error.msg}")
    if not isinstance(value, Mapping):
        return Skipped(where, "not a JSON object")
    return value


def _no_good_lines(name: str, held: list[Skipped]) -> Skipped:
    """The one ``Skipped`` for a JSONL file in which no line held an article."""
    if not held:
        return Skipped(name, "no records")
    first = held[0]
    line = first.source_file.rsplit(":", 1)[1]
    if first.reason.startswith("invalid JSON: "):
        return Skipped(name, f"not valid JSON (line {line}: {first.reason[14:]})")
    return Skipped(name, f"{first.reason} (line {line})")


# JSON -----------------------------------------------------------------------------------------


def read_json(name: str, data: bytes, mapper: FieldMapper, max_bytes: int) -> Iterator[Record]:
    """A JSON file: an array of articles, an object holding one, or a single article.

    A JSON Feed goes to the feed reader; a file that turns out to be JSON Lines (``Extra
    data`` after the first value) is read as such.
    """
    try:
        value = _load_json(data)
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
    for item in objects:
        yield _fields_record(name, mapper.map(item))


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
        head = raw.read(HEAD_BYTES)
        raw.seek(0)
        encoding = guess_encoding(head)
        if encoding == "utf-8":
            encoding = "utf-8-sig"
        text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        yield from csv_records(source.name, text, mapper, max_bytes)


def csv_records(
    name: str, text: io.TextIOBase, mapper: FieldMapper, max_bytes: int
) -> Iterator[Record]:
    """Rows of an open CSV text stream; a row the csv module rejects ends the file.

    As with JSONL the file may be any size; ``max_bytes`` bounds each field instead (the
    csv module's own limit, 128 KB, is too small for article bodies).
    """
    first_line = text.readline()
    text.seek(0)
    csv.field_size_limit(max_bytes)
    reader = csv.DictReader(text, dialect=sniff_dialect(first_line))
    header = [column for column in (reader.fieldnames or []) if column]
    if not mapper.has_text_column(header):
        raise SkipFile("no title or body column")
    rows = 0
    try:
        for row in reader:
            fields = mapper.map(row)
            if fields:
                rows += 1
                yield _fields_record(name, fields)
    except csv.Error as error:
        yield Skipped(f"{name}:{reader.line_num}", f"invalid CSV: {error}")
        return
    if not rows:
        raise SkipFile("no records")


def sniff_dialect(header_line: str) -> type[csv.Dialect]:
    """The dialect, judged by the delimiter the header line uses most.

    ``csv.Sniffer`` misreads samples full of prose (commas and quotes in bodies) and, on a
    header without quotes, turns ``doublequote`` off; a header line is a safer witness.
    """
    delimiter = max(CSV_DELIMITERS, key=header_line.count)
    if not header_line.count(delimiter):
        return csv.excel
    return type("SniffedDialect", (csv.excel,), {"delimiter": delimiter})
