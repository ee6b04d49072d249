"""Plain-text wire stories, one per file.

The bytes are decoded by the rule every reader shares (``search.sources.encoding``); a file
whose bytes are UTF-8 but for some invalid ones is reported, not indexed as mojibake.
"""

from __future__ import annotations

from collections.abc import Iterator

from search.sources.encoding import Decoded, decode
from search.sources.files import SkipFile
from search.sources.records import RawRecord

#: Share of U+FFFD / NUL characters above which decoded text is not text after all.
MAX_GARBAGE_RATIO = 0.05


def decode_text(data: bytes) -> str:
    """Bytes of a text file as ``str``, newlines made ``\\n``.

    ``SkipFile`` when the bytes are damaged UTF-8 or do not decode to text.
    """
    decoded = decode(data)
    if decoded.invalid:
        raise SkipFile(invalid_text_reason(decoded))
    text = decoded.text
    if text and (text.count("\ufffd") + text.count("\x00")) / len(text) > MAX_GARBAGE_RATIO:
        raise SkipFile("undecodable text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def invalid_text_reason(decoded: Decoded) -> str:
    """The one wording for damaged Unicode text, wherever it is found.

    >>> invalid_text_reason(decode(b"Z\\xc3\\xbcrich \\xc3("))
    'not valid UTF-8 (1 invalid byte)'
    """
    name = decoded.encoding.upper().replace("-SIG", "").replace("-LE", "").replace("-BE", "")
    count = decoded.invalid
    return f"not valid {name} ({count} invalid byte{'s' if count != 1 else ''})"


def read_text(name: str, data: bytes) -> Iterator[RawRecord]:
    """One wire story per ``.txt`` file."""
    text = decode_text(data)
    if not text.strip():
        raise SkipFile("empty file")
    yield RawRecord(source_file=name, kind="text", data=text)
