"""Plain-text wire stories, and the decoding every text-like format shares.

Most news text is UTF-8, but archives hold latin-1/cp1252 strays (BBC ``sport/199.txt`` has
one bare ``£`` byte). A statistical detector guesses badly on such mostly-ASCII text
(charset-normalizer calls that file cp932, turning ``£15.8m`` into ``｣15.8m``), so a file with
only a few non-ASCII bytes is read as cp1252, the Western default, and the detector is asked
only when non-ASCII bytes are common (Cyrillic, Greek, CJK in a legacy code page).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator

import charset_normalizer

from search.sources.files import SkipFile
from search.sources.records import RawRecord

#: Below this share of non-ASCII bytes, a non-UTF-8 file is Western text in cp1252.
WESTERN_MAX_NON_ASCII = 0.05
#: Share of U+FFFD / control characters above which decoded text is not text after all.
MAX_GARBAGE_RATIO = 0.05

_BOM_CODECS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_ASCII_TABLE = bytes(range(128))


def bom_encoding(data: bytes) -> str | None:
    """The codec a byte-order mark announces, if the data starts with one."""
    for bom, encoding in _BOM_CODECS:
        if data.startswith(bom):
            return encoding
    return None


def guess_encoding(data: bytes) -> str:
    """The encoding to read ``data`` with: BOM, else UTF-8 if valid, else a careful guess."""
    announced = bom_encoding(data)
    if announced:
        return announced
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 3 and error.reason == "unexpected end of data":
            return "utf-8"  # a sample cut inside a character
    else:
        return "utf-8"
    return guess_legacy_encoding(data)


def guess_legacy_encoding(data: bytes) -> str:
    """For bytes that are not UTF-8: cp1252 when non-ASCII is rare, else ask the detector."""
    non_ascii = len(data.translate(None, _ASCII_TABLE))
    if non_ascii <= WESTERN_MAX_NON_ASCII * len(data):
        return "cp1252"
    best = charset_normalizer.from_bytes(data).best()
    return best.encoding if best is not None else "cp1252"


def decode_text(data: bytes) -> str:
    """Bytes of a text file as ``str``, newlines made ``\\n``; ``SkipFile`` if undecodable."""
    encoding = guess_encoding(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        text = _decode_cp1252_or_latin1(data) if encoding == "cp1252" else None
        if text is None:
            raise SkipFile(f"undecodable text ({encoding})") from None
    except LookupError:
        text = _decode_cp1252_or_latin1(data)
    if _garbage_ratio(text) > MAX_GARBAGE_RATIO:
        raise SkipFile("undecodable text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _decode_cp1252_or_latin1(data: bytes) -> str:
    """cp1252 leaves five bytes undefined; latin-1 maps every byte, so this never fails."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _garbage_ratio(text: str) -> float:
    if not text:
        return 0.0
    bad = text.count("\ufffd") + text.count("\x00")
    return bad / len(text)


def read_text(name: str, data: bytes) -> Iterator[RawRecord]:
    """One wire story per ``.txt`` file."""
    text = decode_text(data)
    if not text.strip():
        raise SkipFile("empty file")
    yield RawRecord(source_file=name, kind="text", data=text)
