"""The two things a reader yields: a raw record, or a reason it could not read one."""

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
