"""Saved web pages: passed on as bytes, because only the page itself knows its encoding.

A page declares its charset in ``<meta>`` or an XML declaration, and the HTML extractor reads
that; decoding here with a guess would lose the declaration's word.
"""

from __future__ import annotations

from collections.abc import Iterator

from search.sources.records import RawRecord


def read_html(name: str, data: bytes) -> Iterator[RawRecord]:
    """One page per file, raw bytes (gunzipped)."""
    yield RawRecord(source_file=name, kind="html", data=data)
