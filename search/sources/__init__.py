"""Readers: turn files, directories, globs, stdin and .gz into raw records.

One reader per format (text, html, jsonl/json, csv, feed). Each yields ``RawRecord``s; a file
that cannot be read yields one ``Skipped`` naming the file and the reason, and the run goes on.
Extraction (``search.extract``) turns a ``RawRecord`` into an ``Article``.
"""

from __future__ import annotations

from search.sources.fieldmap import CANONICAL_KEYS, parse_field_map
from search.sources.reader import DEFAULT_MAX_BYTES, FORMATS, read_sources
from search.sources.records import RawRecord, Skipped, SourceWarning

__all__ = [
    "CANONICAL_KEYS",
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "RawRecord",
    "Skipped",
    "SourceWarning",
    "parse_field_map",
    "read_sources",
]
