"""The two things a reader yields: a raw record, or a reason it could not read one."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
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
    #: where in the file: the line a JSON Lines record or a CSV row ends on
    line: int | None = None
    #: where in the file: the place of a record in a JSON array or a feed (from 1)
    item: int | None = None

    @property
    def where(self) -> str:
        """The file and the place in it, for a reason given to a person.

        >>> RawRecord("a.jsonl", "fields", line=17).where
        'a.jsonl:17'
        >>> RawRecord("feed.xml", "fields", item=3, fields={"id": "n3"}).where
        'feed.xml, item 3 (id n3)'
        """
        if self.line:
            return f"{self.source_file}:{self.line}"
        place = f"{self.source_file}, item {self.item}" if self.item else self.source_file
        record_id = self.fields.get("id")
        return f"{place} (id {record_id})" if record_id and self.kind == "fields" else place


@dataclass
class Skipped:
    """A file (or a record in one) that could not be read, and why, for the run summary."""

    source_file: str
    reason: str


#: A markup tag, and a script or style with its content, left out when looking for text.
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


@dataclass
class SourceWarning:
    """A file that was read, yet not as its reader may think, for the run summary: one
    whose records held no body gave headlines only (an ``add`` of them empties the bodies
    of the stored articles with their ids)."""

    source_file: str
    warning: str


def noting_headline_only(
    name: str, records: Iterable[RawRecord | Skipped], warnings: list[SourceWarning]
) -> Iterator[RawRecord | Skipped]:
    """``records`` of one file (or request) named ``name``; once read, a warning in
    ``warnings`` if some were export or feed rows and none of them held a body. Once one
    holds a body, the rest are not looked at."""
    rows = with_body = 0
    for record in records:
        if not with_body and isinstance(record, RawRecord) and record.kind == "fields":
            fields = record.fields
            has_body = _has_text(fields.get("body")) or _has_text(fields.get("body_html"), True)
            rows += has_body or _has_text(fields.get("title"))  # else skipped: no text
            with_body += has_body
        yield record
    if rows and not with_body:
        warning = (
            "its one record has no body: read as a headline only"
            if rows == 1
            else f"none of its {rows:,} records has a body: read as headlines only"
        )
        warnings.append(SourceWarning(name, warning))


def _has_text(value: object, markup: bool = False) -> bool:
    """Whether a field's value holds a letter or digit (outside tags, scripts and styles
    when it is ``markup``): an empty body or ``<p> </p>`` does not."""
    if not isinstance(value, str):
        return bool(value)
    if markup:
        value = _TAG.sub(" ", _SCRIPT.sub(" ", value))
    return any(ch.isalnum() for ch in value)
