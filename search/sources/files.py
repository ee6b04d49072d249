"""Finding the files behind the sources a user names, and opening them safely.

``expand_sources`` turns paths, directories, globs and ``-`` into a list of ``Source``s and
refuses a bad one (missing path, empty glob) with ``BadSource`` before anything is read, so a
typo costs nothing. Opening decompresses gzip (known by its magic bytes, whatever the name),
reads no more than the size limit (a gzip bomb is never inflated past it) and turns the ways
a file can be unreadable into ``SkipFile`` with a short reason for the run summary.
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import sys
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import BinaryIO

from search.errors import BadSource
from search.sources.encoding import unicode_encoding

STDIN_NAME = "<stdin>"
GZIP_MAGIC = b"\x1f\x8b"
#: How much of a file is looked at to tell its format and whether it is text at all.
HEAD_BYTES = 8192
CHUNK_BYTES = 1 << 20
#: Share of control characters above which a file is taken for binary, not text.
MAX_CONTROL_RATIO = 0.1
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\v\x1b")
_CONTROL_BYTES = bytes(b for b in range(32) if b not in _TEXT_CONTROLS) + b"\x7f"

#: Extensions that tell the format (after any ``.gz``).
EXTENSION_FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "csv",
    ".xml": "feed",
    ".rss": "feed",
    ".atom": "feed",
    ".rdf": "feed",
}

#: Files met while walking a directory or glob that are clearly not news, passed over silently.
NOT_NEWS_EXTENSIONS = frozenset(
    {
        *(".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".ico", ".bmp", ".tif", ".tiff"),
        *(".js", ".mjs", ".cjs", ".css", ".scss", ".map", ".woff", ".woff2", ".ttf", ".otf"),
        *(".mp3", ".mp4", ".m4a", ".wav", ".ogg", ".webm", ".mov", ".avi", ".eot", ".avif"),
        *(".zip", ".tar", ".tgz", ".bz2", ".xz", ".7z", ".rar", ".zst", ".heic"),
        *(".py", ".pyc", ".sh", ".exe", ".dll", ".so", ".o", ".class", ".jar", ".db", ".sqlite"),
        *(".md", ".rst", ".yml", ".yaml", ".toml", ".ini", ".cfg", ".lock", ".log"),
        *(".dtd", ".xsl", ".xsd"),
    }
)
#: Dataset paperwork (``README.txt``, ``LICENSE``) that sits beside the articles in a corpus.
NOT_NEWS_STEMS = frozenset({"readme", "license", "licence", "copying", "changelog", "notice"})

#: Magic numbers of binary formats that carry no NUL byte early enough to be caught by it.
BINARY_MAGIC = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"BZh", b"\xfd7zXZ")


class SkipFile(Exception):
    """Raised inside a reader: this file cannot be read; ``reason`` goes into ``Skipped``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Source:
    """One file to read: ``name`` as the user will see it; ``data`` holds stdin's bytes."""

    name: str
    path: str | None = None
    data: bytes | None = None

    def open_raw(self) -> BinaryIO:
        """The stored bytes, compressed or not."""
        if self.data is not None:
            return io.BytesIO(self.data)
        return open(self.path, "rb")  # noqa: SIM115 - the caller closes it


def human_size(n_bytes: int) -> str:
    """``52428800`` → ``"50 MB"``: sizes in reasons are read by people."""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n_bytes >= factor:
            value = n_bytes / factor
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n_bytes} bytes"


def is_glob(source: str) -> bool:
    return any(char in source for char in "*?[")


def is_hidden(name: str) -> bool:
    return name.startswith(".")


def expand_sources(sources: Sequence[str]) -> list[Source]:
    """Every file the sources name, in order; ``BadSource`` on the first that names nothing."""
    if not sources:
        raise BadSource("no sources given")
    found: list[Source] = []
    for source in sources:
        if source == "-":
            found.append(Source(STDIN_NAME))
        elif is_glob(source):
            found.extend(_expand_glob(source))
        elif os.path.isdir(source):
            found.extend(_expand_directory(source))
        elif os.path.isfile(source):
            found.append(Source(source, path=source))
        elif os.path.exists(source):
            raise BadSource(f"not a regular file: {source}")
        else:
            raise BadSource(f"no such file or directory: {source}")
    return found


def read_stdin(stdin: BinaryIO | None, max_bytes: int) -> Source:
    """Stdin read once, up to one byte over the limit (enough to know it is over)."""
    stream = stdin if stdin is not None else sys.stdin.buffer
    return Source(STDIN_NAME, data=stream.read(max_bytes + 1))


def _expand_glob(pattern: str) -> list[Source]:
    """Files a glob names, each once: ``**`` matches a folder and the files in it (and
    ``glob`` follows symlinked folders, a loop among them up to the kernel's 40 levels)."""
    matches = sorted(glob.glob(pattern, recursive=True))
    files: list[Source] = []
    for match in matches:
        if _through_folder_loop(match):
            continue
        if os.path.isdir(match):
            files.extend(_walk(match))
        elif os.path.isfile(match) and not is_clearly_not_news(match):
            files.append(Source(match, path=match))
    unique: dict[str, Source] = {}
    for found in files:
        unique.setdefault(os.path.realpath(found.path), found)
    files = list(unique.values())
    if not files:
        raise BadSource(f"no files match {pattern}")
    return files


def _through_folder_loop(path: str) -> bool:
    """Whether ``path`` goes through a symlink to one of its own ancestor folders."""
    for folder in (PurePath(path), *PurePath(path).parents):
        if os.path.islink(folder):
            target = os.path.realpath(folder)
            parent = os.path.realpath(folder.parent)
            if parent == target or parent.startswith(target.rstrip(os.sep) + os.sep):
                return True
    return False


def _expand_directory(directory: str) -> list[Source]:
    files = list(_walk(directory))
    if not files:
        raise BadSource(f"no readable files in directory {directory}")
    return files


def _walk(directory: str) -> list[Source]:
    """Files under ``directory`` in path order, hidden files and folders left out."""
    paths: list[str] = []
    for root, dirs, names in os.walk(directory):
        dirs[:] = [d for d in dirs if not is_hidden(d)]
        paths.extend(os.path.join(root, name) for name in names if not is_hidden(name))
    paths.sort(key=lambda path: PurePath(path).parts)
    return [Source(path, path=path) for path in paths if not is_clearly_not_news(path)]


def _suffixes(path: str) -> tuple[str, str]:
    """``(stem, extension)`` with ``.gz`` removed: ``a/b.jsonl.gz`` → ``("b", ".jsonl")``."""
    name = PurePath(path).name.lower()
    if name.endswith(".gz"):
        name = name[:-3]
    stem, ext = os.path.splitext(name)
    return stem, ext


def is_clearly_not_news(path: str) -> bool:
    stem, ext = _suffixes(path)
    return ext in NOT_NEWS_EXTENSIONS or stem in NOT_NEWS_STEMS


def format_from_name(name: str) -> str | None:
    return EXTENSION_FORMATS.get(_suffixes(name)[1])


def open_content(source: Source) -> BinaryIO:
    """The file's content as a stream, gunzipped when it starts with the gzip magic.

    A file named ``.gz`` that does not start with it is refused as "not gzip": its name
    promises what its bytes do not, and reading it as plain text would only blame the text.
    """
    raw = source.open_raw()
    try:
        magic = raw.read(2)
        raw.seek(0)
    except OSError:
        raw.close()
        raise
    if magic == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if source.name.lower().endswith(".gz"):
        raw.close()
        raise SkipFile("not gzip (the name ends in .gz)")
    return raw


def read_limited(stream: BinaryIO, max_bytes: int, head: bytes = b"") -> bytes:
    """``head`` and the rest of ``stream``, or ``SkipFile`` as soon as it is over ``max_bytes``."""
    with gzip_errors():
        data = head + stream.read(max_bytes + 1 - len(head))
    if len(data) > max_bytes:
        raise SkipFile(f"larger than {human_size(max_bytes)}")
    return data


def bounded_lines(stream: BinaryIO, max_bytes: int) -> Iterator[bytes | None]:
    """Lines of ``stream``; ``None`` stands for a line over ``max_bytes``, never held whole.

    Streamed formats (JSONL, CSV) have no limit on the file, which may hold any number of
    stories, only on each line, which is what would have to fit in memory.
    """
    while line := stream.readline(max_bytes + 1):
        if len(line) <= max_bytes:
            yield line
            continue
        while line and not line.endswith(b"\n"):
            line = stream.readline(CHUNK_BYTES)
        yield None


@contextmanager
def gzip_errors() -> Iterator[None]:
    """Turn the ways a damaged gzip fails into ``SkipFile`` reasons."""
    try:
        yield
    except EOFError as error:
        raise SkipFile("truncated gzip") from error
    except (gzip.BadGzipFile, zlib.error) as error:
        raise SkipFile("corrupt gzip") from error


def check_text_head(head: bytes) -> None:
    """``SkipFile`` for an empty file or one that is not text at all."""
    if not head.strip(b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"):
        raise SkipFile("empty file")
    if unicode_encoding(head):
        return  # UTF-16 and UTF-32 have NUL bytes by design
    if head.startswith(BINARY_MAGIC) or b"\x00" in head:
        raise SkipFile("binary file")
    controls = sum(head.count(byte) for byte in _CONTROL_BYTES)
    if controls > MAX_CONTROL_RATIO * len(head):
        raise SkipFile("binary file")


def reason_for_os_error(error: OSError) -> str:
    """``PermissionError`` → ``"cannot read file (permission denied)"``."""
    detail = (error.strerror or type(error).__name__).lower()
    return f"cannot read file ({detail})"
