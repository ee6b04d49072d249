"""Readers: turn files, directories, globs, stdin and .gz into raw records.

One reader per format (text, html, jsonl/json, csv, feed). Each yields ``RawRecord``s; a file
that cannot be read yields one ``Skipped`` naming the file and the reason, and the run goes on.
Extraction (``search.extract``) turns a ``RawRecord`` into an ``Article``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RawRecord:
    """One story as a reader found it, before any cleaning.

    ``kind`` says how to extract it:
    - ``"text"``: ``data`` is the decoded plain text of a wire story;
    - ``"html"``: ``data`` is the raw bytes of a saved page (encoding not yet known);
    - ``"fields"``: ``fields`` holds canonical keys already mapped from the export or feed:
      ``id, url, title, body, body_html, published, publisher, authors, topics, dateline,
      places, language, agency`` (any may be missing; ``authors``/``topics`` str or list).
    """

    source_file: str
    kind: str
    data: str | bytes = ""
    fields: dict = field(default_factory=dict)


@dataclass
class Skipped:
    """A file (or a record in one) that could not be read, and why, for the run summary."""

    source_file: str
    reason: str


# The readers import RawRecord and Skipped from here, so they come after them.
from search.sources.fieldmap import CANONICAL_KEYS, parse_field_map  # noqa: E402
from search.sources.reader import DEFAULT_MAX_BYTES, FORMATS, read_sources  # noqa: E402

__all__ = [
    "CANONICAL_KEYS",
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "RawRecord",
    "Skipped",
    "parse_field_map",
    "read_sources",
]
