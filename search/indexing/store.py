"""Where an index lives on disk, and how a new one replaces the old without a gap.

Layout of an index directory (``index/`` by default)::

    index/
      manifest.json          which generation is live, with counts and timestamps
      gen-20261201T072200-1a2b/   a complete Whoosh index + the story (syndication) state
      .write.lock            held by whoever is writing (rebuild, add, delete); says who

A rebuild writes a new generation beside the live one and publishes it by replacing
``manifest.json`` atomically (``os.replace``), so readers see either the old index or the
new one, never half of either; an interrupted rebuild leaves only an unreferenced directory,
removed by the next write.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index

from search.errors import (
    BadParameter,
    IndexDamaged,
    IndexLocked,
    IndexNotFound,
    IndexNotWritable,
    IndexOutdated,
    NewsIndexError,
)

MANIFEST_NAME = "manifest.json"
LOCK_NAME = ".write.lock"
GENERATION_PREFIX = "gen-"
ENV_INDEX = "NEWSINDEX_INDEX"
#: How long a generation replaced by a rebuild stays on disk after the swap (see
#: ``IndexStore.remove_unreferenced``): longer than any search, as long as a long export.
REPLACED_GRACE_SECONDS = 600

#: Failures of the disk under the index, with what the operator can do about each.
DISK_ERRORS = {
    errno.ENOSPC: "free space there",
    errno.EDQUOT: "free space or raise the quota",
    errno.EFBIG: "raise the file size limit (ulimit -f)",
    errno.EROFS: "make it writable or use another --index",
    errno.EACCES: "run as the index's owner or fix its permissions",
    errno.EPERM: "run as the index's owner or fix its permissions",
}


def default_index_path() -> Path:
    """``$NEWSINDEX_INDEX`` if set, else the project's own ``index/`` folder (beside the
    ``search`` package: this file is ``search/indexing/store.py``)."""
    if os.environ.get(ENV_INDEX):
        return Path(os.environ[ENV_INDEX])
    return Path(__file__).resolve().parents[2] / "index"


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _seconds_since(stamp: str) -> float:
    """Seconds since an ISO 8601 time of ``utc_now()`` (infinite if unreadable)."""
    try:
        return (datetime.now(UTC) - datetime.fromisoformat(stamp)).total_seconds()
    except (TypeError, ValueError):
        return float("inf")


def _fsync(path: str | os.PathLike) -> None:
    """Flush one file, or a folder's entries, to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sync_tree(path: Path) -> None:
    """Flush every file and folder under ``path`` to the disk.

    Whoosh never calls ``fsync``: its segments and table of contents reach the disk when
    the kernel writes them back, so a power cut soon after a commit could leave a manifest
    naming files that are not all there. Files already written back cost one call each.
    """
    for folder, _dirs, files in os.walk(path):
        for name in files:
            _fsync(os.path.join(folder, name))
        _fsync(folder)


@dataclass
class Manifest:
    """The small JSON file that names the live generation and says what is in it."""

    generation: str
    documents: int = 0
    stories: int = 0
    built_at: str = ""
    updated_at: str = ""
    schema_version: int = 1
    newsindex_version: str = "0.1.0"
    #: The generation this one replaced (kept for ``REPLACED_GRACE_SECONDS``).
    replaced: str = ""

    def to_dict(self) -> dict:
        return asdict(self)


class IndexStore:
    """One index directory: its manifest, its generations and its write lock."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise BadParameter(
                f"{self.path} is a file, not an index folder: give a folder "
                f"(--index or ${ENV_INDEX}; `newsindex rebuild` makes it)"
            )

    @property
    def manifest_path(self) -> Path:
        return self.path / MANIFEST_NAME

    def exists(self) -> bool:
        return self.manifest_path.is_file()

    def read_manifest(self) -> Manifest:
        try:
            data = json.loads(self.manifest_path.read_text("utf-8"))
        except FileNotFoundError:
            raise IndexNotFound(
                f"no index at {self.path} yet: build one with `newsindex rebuild SOURCE...`"
            ) from None
        except (OSError, ValueError) as exc:
            raise IndexDamaged(
                f"unreadable index manifest {self.manifest_path} ({exc}): "
                "rebuild the index with `newsindex rebuild`"
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("generation"), str):
            raise IndexDamaged(
                f"index manifest {self.manifest_path} names no generation: "
                "rebuild the index with `newsindex rebuild`"
            )
        known = {k: v for k, v in data.items() if k in Manifest.__dataclass_fields__}
        return Manifest(**known)

    def live_dir(self) -> Path:
        return self.path / self.read_manifest().generation

    def open_live(self, schema_version: int | None = None) -> whoosh_index.Index:
        """The live generation's Whoosh index.

        ``IndexNotFound`` if none was built, ``IndexDamaged`` if its files are gone or
        unreadable, ``IndexOutdated`` if it was built with another ``schema_version``.
        """
        manifest = self.read_manifest()
        if schema_version is not None and manifest.schema_version != schema_version:
            raise IndexOutdated(
                f"the index at {self.path} was built by another version of newsindex "
                f"(schema {manifest.schema_version}, this version reads {schema_version}): "
                "rebuild it with `newsindex rebuild`"
            )
        live = self.path / manifest.generation
        try:
            return whoosh_index.open_dir(str(live))
        except (whoosh_index.EmptyIndexError, OSError, ValueError, EOFError) as exc:
            raise self.damaged(f"{live.name}: {exc}") from exc

    def damaged(self, detail: str) -> IndexDamaged:
        """The error for a live generation whose files are gone or unreadable: a rebuild,
        which never reads them, is the way out."""
        return IndexDamaged(
            f"the index at {self.path} is damaged ({detail}): rebuild it with `newsindex rebuild`"
        )

    def new_generation(self) -> Path:
        """A fresh, empty directory for a rebuild, beside the live generation."""
        self.path.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        gen = (
            self.path
            / f"{GENERATION_PREFIX}{stamp}-{os.getpid():x}{time.monotonic_ns() % 4096:03x}"
        )
        gen.mkdir()
        return gen

    def publish(self, manifest: Manifest) -> None:
        """Make ``manifest`` live in one atomic step, durably: the generation it names is
        flushed to the disk first, then the manifest is written beside, flushed, renamed
        over the old one, and the rename flushed (the folder's entry)."""
        sync_tree(self.path / manifest.generation)
        tmp = self.path / f".{MANIFEST_NAME}.{os.getpid()}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(manifest.to_dict(), fh, indent=2)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.manifest_path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync(self.path)

    def discard(self, generation: Path) -> None:
        """Remove a generation that failed before it was published (never the live one)."""
        with contextlib.suppress(NewsIndexError):
            if self.exists() and self.read_manifest().generation == generation.name:
                return
        shutil.rmtree(generation, ignore_errors=True)

    def remove_unreferenced(self) -> None:
        """Delete generations other than the live one (call under the write lock).

        One that was never published (a rebuild that failed or was killed) goes at once; the
        one the live generation replaced stays ``REPLACED_GRACE_SECONDS`` after the swap, so
        that a reader that read the manifest just before it still finds its files, and a
        search or export running on it finishes.
        """
        manifest = self.read_manifest() if self.exists() else None
        keep = {manifest.generation} if manifest else set()
        if (
            manifest
            and manifest.replaced
            and _seconds_since(manifest.built_at) < (REPLACED_GRACE_SECONDS)
        ):
            keep.add(manifest.replaced)
        for child in self.path.glob(f"{GENERATION_PREFIX}*"):
            if child.name not in keep and child.is_dir():
                shutil.rmtree(child, ignore_errors=True)

    @contextlib.contextmanager
    def write_lock(self, command: str = "write", wait_s: float = 0.0) -> Iterator[None]:
        """Hold the index's write lock, waiting up to ``wait_s`` seconds for another writer.

        The lock is the kernel's (``flock``): it goes with the process that holds it, so a
        writer killed by any signal leaves no stale lock behind. Whoever holds it notes its
        command and process in the lock file, for the message of whoever waits in vain.
        Temporary files of a writer that died mid-publish are removed on the way in.
        """
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            with open(self.path / LOCK_NAME, "a+", encoding="utf-8") as fh:
                self._acquire(fh, wait_s)
                try:
                    fh.seek(0)
                    fh.truncate()
                    holder = {"command": command, "pid": os.getpid(), "since": utc_now()}
                    fh.write(json.dumps(holder) + "\n")
                    fh.flush()
                    self._remove_dead_writers_files()
                    yield
                finally:
                    fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        except OSError as exc:
            refused = self.disk_refusal(exc)
            if refused is None:
                raise
            raise refused from exc

    def disk_refusal(self, exc: OSError) -> IndexNotWritable | None:
        """``exc`` as the one line an operator needs, if the index's disk refused a write.

        A permission error counts only on a file of the index (a source file that cannot
        be read is the reader's to skip, with its reason).
        """
        fix = DISK_ERRORS.get(exc.errno)
        where = Path(exc.filename) if exc.filename else None
        if fix is None or (exc.errno in (errno.EACCES, errno.EPERM) and not self._holds(where)):
            return None
        return IndexNotWritable(
            f"cannot write the index at {self.path}: {os.strerror(exc.errno).lower()}"
            f"{f' ({where})' if where else ''}; the index still answers searches: "
            f"{fix}, then run the command again"
        )

    def _holds(self, where: Path | None) -> bool:
        if where is None:
            return False
        index = self.path.resolve()
        return where.resolve() == index or index in where.resolve().parents

    def _acquire(self, fh, wait_s: float) -> None:
        """Take the lock on ``fh``, polling until ``wait_s`` has passed, else ``IndexLocked``."""
        deadline = time.monotonic() + wait_s
        pause = 0.01
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            pause = min(pause * 2, 0.25)
        waited = f"; waited {wait_s:g} s" if wait_s else ""
        raise IndexLocked(
            f"index {self.path} is being written by {self._holder(fh)}{waited}: "
            "try again when it finishes, or wait longer (setting write_lock_wait_s)"
        )

    @staticmethod
    def _holder(fh) -> str:
        """``newsindex rebuild (process 1234, since …)`` from the lock file, if it says."""
        try:
            fh.seek(0)
            holder = json.loads(fh.read())
            return (
                f"newsindex {holder['command']} (process {holder['pid']}, since {holder['since']})"
            )
        except (OSError, ValueError, KeyError, TypeError):
            return "another process"

    def _remove_dead_writers_files(self) -> None:
        """Manifest drafts of a writer killed before its rename (only the lock holder
        writes one, so any found now is debris)."""
        for draft in self.path.glob(f".{MANIFEST_NAME}.*.tmp"):
            draft.unlink(missing_ok=True)
