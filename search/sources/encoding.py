"""Bytes to text: the one rule every reader decodes by (text, CSV, JSON Lines, feeds, pages).

In order, the first that applies:

1. a byte-order mark (UTF-8, UTF-16, UTF-32);
2. UTF-16 without a mark, told by its zero bytes (every other byte of Latin text is 0);
3. valid UTF-8, whatever the file declares (a stale ``ISO-8859-1`` declaration on UTF-8
   bytes is common in feeds and pages);
4. the declared charset, where the format declares one (``<meta charset>``, the XML
   declaration), widened as browsers do (ISO-8859-1 and ASCII mean cp1252);
5. UTF-8 with damage: bytes that are UTF-8 (multi-byte sequences decode) but for a few
   invalid ones. Decoded with U+FFFD for the bad bytes and counted in ``Decoded.invalid``, so
   a reader can say so: read as a legacy charset, ``Zürich`` with one bad byte would become
   ``ZÃ¼rich`` and be indexed as such without a word;
6. a legacy single-byte charset: Western text (accented letters mostly alone between ASCII
   ones, ``Müller``, a lone ``£``) is cp1252; runs of high bytes (Cyrillic, Greek in a code page)
   go to charset-normalizer, which guesses badly on mostly-ASCII text (it takes BBC's
   ``£15.8m`` for cp932) but well on such runs.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import charset_normalizer

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Legacy labels that mean a superset in practice (WHATWG encoding standard).
SUPERSETS = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}
#: Share of zero bytes at odd (or even) offsets from which bytes are UTF-16 without a mark.
MIN_UTF16_ZERO_SHARE = 0.4
#: How much of the data the UTF-16 and legacy tests look at.
SAMPLE_BYTES = 1 << 16
#: Western text has few high bytes in a row (``ü`` alone, ``çõ``): at most this share of its
#: high bytes stand in runs longer than ``MAX_WESTERN_RUN`` (Cyrillic in cp1251: over 90%).
MAX_WESTERN_RUN = 2
MAX_LONG_RUN_SHARE = 0.2
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]+")
_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


@dataclass
class Decoded:
    """Text decoded from bytes: its encoding, and how many bytes were invalid in it."""

    text: str
    encoding: str
    invalid: int = 0


def bom_encoding(data: bytes) -> str | None:
    """The codec a byte-order mark announces, if the data starts with one."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` for unmarked UTF-16 (zero bytes at every other place).

    >>> utf16_without_bom("Zürich".encode("utf-16-le")), utf16_without_bom(b"plain text")
    ('utf-16-le', None)
    """
    sample = data[: SAMPLE_BYTES & ~1]
    if len(sample) < 4:
        return None
    half = len(sample) // 2
    even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
    if odd_zeros >= MIN_UTF16_ZERO_SHARE * half and even_zeros < odd_zeros / 4:
        return "utf-16-le"
    if even_zeros >= MIN_UTF16_ZERO_SHARE * half and odd_zeros < even_zeros / 4:
        return "utf-16-be"
    return None


def unicode_encoding(data: bytes) -> str | None:
    """The encoding a mark or the zero-byte pattern gives away (UTF-8 BOM, UTF-16, UTF-32)."""
    return bom_encoding(data) or utf16_without_bom(data)


def codec_name(label: bytes | str | None) -> str | None:
    """The Python codec for a charset label, widened to its superset; None if unknown."""
    if isinstance(label, bytes):
        label = label.decode("ascii", "ignore")
    try:
        name = codecs.lookup((label or "").strip().lower()).name
    except LookupError:
        return None
    return SUPERSETS.get(name, name)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        # a sample cut inside a character is still UTF-8
        return error.start >= len(data) - 3 and error.reason == "unexpected end of data"
    return True


def legacy_encoding(data: bytes) -> str:
    """For bytes that are not UTF-8: cp1252 for Western text, else charset-normalizer's guess.

    >>> legacy_encoding("Müller paid £5".encode("latin-1"))
    'cp1252'
    >>> legacy_encoding("В Бузулуке открыли новую школу".encode("cp1251"))
    'cp1251'
    """
    sample = data[:SAMPLE_BYTES]
    runs = [len(run) for run in _HIGH_RUN.findall(sample)]
    in_long_runs = sum(length for length in runs if length > MAX_WESTERN_RUN)
    if in_long_runs <= MAX_LONG_RUN_SHARE * sum(runs):
        return "cp1252"
    best = charset_normalizer.from_bytes(sample).best()
    return best.encoding if best is not None else "cp1252"


def _decode_single_byte(data: bytes, encoding: str) -> str:
    """cp1252 leaves five bytes undefined; latin-1 maps every byte, so this never fails."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return data.decode("latin-1" if encoding == "cp1252" else encoding, errors="replace")


def decode(data: bytes, declared: str | None = None) -> Decoded:
    """``data`` as text by the rule in this module's docstring.

    >>> decode("Zürich".encode()).text, decode("Zürich".encode("utf-16")).text
    ('Zürich', 'Zürich')
    >>> damaged = decode(b"Z\\xc3\\xbcrich \\xc3( prices")
    >>> damaged.text, damaged.invalid
    ('Zürich \\ufffd( prices', 1)
    """
    announced = unicode_encoding(data)
    if announced:
        text = data.decode(announced, errors="replace")
        return Decoded(text, announced, text.count("\ufffd"))
    if _is_utf8(data):
        return Decoded(data.decode("utf-8", errors="replace"), "utf-8")
    codec = codec_name(declared)
    if codec and codec != "utf-8":
        try:
            return Decoded(data.decode(codec), codec)
        except UnicodeDecodeError:
            pass
    if _UTF8_MULTIBYTE.search(data[:SAMPLE_BYTES]):
        text = data.decode("utf-8", errors="replace")
        return Decoded(text, "utf-8", text.count("\ufffd"))
    encoding = legacy_encoding(data)
    return Decoded(_decode_single_byte(data, encoding), encoding)
