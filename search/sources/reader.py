"""``read_sources``: every source the user named, as a stream of records and skips.

The format of a file comes from ``format=`` if given, else its extension (after ``.gz``),
else a look at its first bytes. A file that cannot be read becomes one ``Skipped`` and the
run goes on; only a source that names nothing at all stops the run, and it does so before
the first byte is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import BinaryIO

from search.errors import BadSource
from search.sources.encoding import unicode_encoding
from search.sources.feeds import read_feed
from search.sources.fieldmap import ALIASES, FieldMapper, normalize_key, validate_field_map
from search.sources.files import (
    HEAD_BYTES,
    STDIN_NAME,
    SkipFile,
    Source,
    check_text_head,
    expand_sources,
    format_from_name,
    gzip_errors,
    human_size,
    open_content,
    read_limited,
    read_stdin,
    reason_for_os_error,
)
from search.sources.html import read_html
from search.sources.records import RawRecord, Skipped, SourceWarning, noting_headline_only
from search.sources.tabular import CSV_DELIMITERS, read_csv, read_json, read_jsonl
from search.sources.text import read_text

FORMATS = ("text", "html", "jsonl", "json", "csv", "feed")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
#: Most bytes one article may take in its file: a page or a text file (read whole), a line
#: of JSON Lines or a field of a CSV. Memory is what this bounds: extracting a page takes
#: ~27 times its size (a 10 MB page ~320 MB, a 50 MB one 1.35 GB and minutes), indexing a
#: body ~20 times. News pages are far smaller; trafilatura itself refuses pages over 20 MB.
MAX_ARTICLE_BYTES = 10 * 1024 * 1024
#: Formats whose file is one article, read whole.
ONE_ARTICLE_FORMATS = frozenset({"html", "text"})

Record = RawRecord | Skipped
WholeReader = Callable[[str, bytes, FieldMapper, int], Iterator[Record]]
StreamReader = Callable[[Source, FieldMapper, int], Iterator[Record]]

#: Formats read from the whole file in memory (bounded by ``max_bytes``).
WHOLE_READERS: dict[str, WholeReader] = {
    "text": lambda name, data, _mapper, _max: read_text(name, data),
    "html": lambda name, data, _mapper, _max: read_html(name, data),
    "json": read_json,
    "feed": lambda name, data, _mapper, _max: read_feed(name, data),
}
#: Formats streamed record by record, so a large export is never held in memory; for them
#: ``max_bytes`` bounds each line or field, not the file.
STREAM_READERS: dict[str, StreamReader] = {"jsonl": read_jsonl, "csv": read_csv}

_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:rdf|rdf)[\s>]")
_HTML_MARK = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|div|p|article|h[1-6]|br)[\s/>]")
_OTHER_DOCTYPE = re.compile(rb"<!doctype\s+(?!html)")
_TEXT_COLUMNS = frozenset(ALIASES["title"] + ALIASES["body"] + ALIASES["body_html"])


def read_sources(
    sources: Sequence[str],
    *,
    format: str | None = None,
    field_map: Mapping[str, str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
) -> SourceRecords:
    """Records from files, directories, globs, ``-`` (stdin) and their ``.gz``.

    Raises ``BadSource`` at once (not on first iteration) for a missing path, a glob that
    matches nothing or an unknown format; every later problem is a ``Skipped``. Once they
    are read, ``unmatched_map()`` names the ``field_map`` columns no record had, and
    ``warnings`` the files read as headlines only.
    """
    if isinstance(sources, str):
        sources = [sources]
    if format is not None and format not in FORMATS:
        raise BadSource(f"unknown format {format!r} (choose from {', '.join(FORMATS)})")
    mapper = FieldMapper(validate_field_map(field_map))
    files = expand_sources(sources)
    warnings: list[SourceWarning] = []
    records = _read_all(files, format, mapper, max_bytes, stdin, warnings)
    return SourceRecords(records, mapper, warnings)


class SourceRecords(Iterator[Record]):
    """The records of ``read_sources``, and what reading them showed of the field map: the
    run's report must name a ``--map`` column that no record had (a typo), and only the
    mapper that read every record knows."""

    def __init__(
        self, records: Iterator[Record], mapper: FieldMapper, warnings: list[SourceWarning]
    ) -> None:
        self._records = records
        self._mapper = mapper
        #: The files read so far whose records held no body (filled as they are read).
        self.warnings = warnings

    def __next__(self) -> Record:
        return next(self._records)

    def unmatched_map(self) -> dict[str, str]:
        """``{field: column}`` of the field map entries whose column no record read so far had."""
        return self._mapper.unmatched()


def _read_all(
    files: list[Source],
    format: str | None,
    mapper: FieldMapper,
    max_bytes: int,
    stdin: BinaryIO | None,
    warnings: list[SourceWarning],
) -> Iterator[Record]:
    for source in files:
        if source.name == STDIN_NAME and source.data is None:
            source = read_stdin(stdin, max_bytes)
        records = read_source(source, format, mapper, max_bytes)
        yield from noting_headline_only(source.name, records, warnings)


def read_source(
    source: Source, format: str | None, mapper: FieldMapper, max_bytes: int
) -> Iterator[Record]:
    """Records of one file; whatever makes it unreadable becomes one ``Skipped``."""
    try:
        if source.data is not None and len(source.data) > max_bytes:
            raise SkipFile(f"larger than {human_size(max_bytes)}")
        with open_content(source) as stream:
            with gzip_errors():
                head = stream.read(HEAD_BYTES)
            check_text_head(head)
            chosen = format or format_from_name(source.name) or sniff_format(head)
            chosen = _refine_json_format(chosen, head)
            one_article = chosen in STREAM_READERS or chosen in ONE_ARTICLE_FORMATS
            limit = min(max_bytes, MAX_ARTICLE_BYTES) if one_article else max_bytes
            if chosen not in STREAM_READERS:
                data = read_limited(stream, limit, head)
        if chosen in STREAM_READERS:
            yield from STREAM_READERS[chosen](source, mapper, limit)
        else:
            yield from WHOLE_READERS[chosen](source.name, data, mapper, limit)
    except SkipFile as skip:
        yield Skipped(source.name, skip.reason)
    except OSError as error:
        yield Skipped(source.name, reason_for_os_error(error))


def sniff_format(head: bytes) -> str:
    """The format the first bytes of a file suggest (for stdin and unknown extensions).

    Raises ``SkipFile`` for markup that is neither a feed nor a page.
    """
    encoding = unicode_encoding(head)
    if encoding and encoding != "utf-8-sig":  # UTF-16/32: look at the text, not its bytes
        head = head[: len(head) & ~3].decode(encoding, "ignore").encode("utf-8")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start[:1] in (b"{", b"["):
        return "jsonl" if _looks_like_jsonl(start) else "json"
    if start[:1] == b"<":
        return _sniff_markup(start[:4096].lower())
    if _looks_like_csv(start):
        return "csv"
    return "text"


def _sniff_markup(lowered: bytes) -> str:
    """Feed or page; other SGML/XML (Reuters' ``.sgm``, NewsML) is not read."""
    if _OTHER_DOCTYPE.match(lowered):
        raise SkipFile("unrecognised format")
    if _FEED_ROOT.search(lowered) and not _HTML_MARK.search(lowered[:512]):
        return "feed"
    if _HTML_MARK.search(lowered):
        return "html"
    raise SkipFile("unrecognised format")


def _refine_json_format(chosen: str, head: bytes) -> str:
    """A ``.jsonl`` that is really one pretty-printed array or object is read as JSON."""
    if chosen != "jsonl":
        return chosen
    first_line = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0].strip()
    return "json" if first_line in (b"[", b"{") or first_line.startswith(b"[{") else chosen


def _looks_like_jsonl(start: bytes) -> bool:
    """Two or more lines, the first a complete JSON object on its own."""
    first, sep, rest = start.partition(b"\n")
    if not sep or not rest.lstrip().startswith(b"{"):
        return False
    try:
        return isinstance(json.loads(first), dict)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return False


def _looks_like_csv(start: bytes) -> bool:
    """A header line of delimited names, one of them a title or body column."""
    header = start.split(b"\n", 1)[0].decode("utf-8", "replace")
    delimiter = max(CSV_DELIMITERS, key=header.count)
    names = {normalize_key(name.strip(" \"'")) for name in header.split(delimiter)}
    return header.count(delimiter) > 0 and bool(names & _TEXT_COLUMNS)
