"""One family of errors, each with a message meant for a person and the HTTP status it is.

The kind says whose move it is: the caller's mistake (400), something that is not there
(404), another writer in the way (409), or an index that is damaged or was built by another
version (500/503: the operator's, not the reader's). The CLI prints ``str(error)`` as one
``Error: ...`` line and exits 1; the web turns the same exception into
``{"error": code, "message": ..., "status": ...}`` with its status. Anything that is not a
``NewsIndexError`` is a bug and surfaces as one.

>>> BadQuery("cannot read the date 'soon'").to_dict()["error"]
'bad_query'
>>> isinstance(ArticleNotFound("no article with id 'x'"), NotFound)
True
"""

from __future__ import annotations

import re


class NewsIndexError(Exception):
    """Base class; its direct use means "the index cannot do this" (500)."""

    status = 500

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def code(self) -> str:
        """``BadQuery`` → ``bad_query``: a stable name for API clients."""
        return re.sub(r"(?<!^)(?=[A-Z])", "_", type(self).__name__).lower()

    def to_dict(self) -> dict:
        return {"error": self.code, "message": self.message, "status": self.status}


# -- the caller's mistake (400) ------------------------------------------------------------------


class UserError(NewsIndexError):
    """Something the caller can fix: a path, a query, a parameter."""

    status = 400


class BadSource(UserError):
    """A source path, glob or format that cannot be read at all."""


class BadQuery(UserError):
    """A query the parser refuses even when read leniently."""


class QueryTooSlow(BadQuery):
    """A query still being matched when its time ran out (the ``query_time_limit_ms``
    setting): refused, so that one costly query cannot hold a server's worker."""


class BadParameter(UserError):
    """A filter, facet, sort, paging value or setting outside what the engine accepts."""


# -- not there (404) -----------------------------------------------------------------------------


class NotFound(NewsIndexError):
    status = 404


class IndexNotFound(NotFound):
    """No index has been built at this path yet."""


class ArticleNotFound(NotFound):
    """No article with that id."""


# -- in the way (409) ----------------------------------------------------------------------------


class Conflict(NewsIndexError):
    status = 409


class IndexLocked(Conflict):
    """Another process is writing the index."""


class RebuildRefused(Conflict):
    """A rebuild that would replace the live index with far less: it indexed nothing, or
    fewer than half the articles the live index holds (a wrong path or ``--format``). The
    live index is unchanged; ``allow_shrink`` insists."""


# -- the index itself (the operator's to fix) ----------------------------------------------------


class IndexDamaged(NewsIndexError):
    """Files of the index are unreadable or missing: restore or rebuild."""

    status = 500


class IndexOutdated(NewsIndexError):
    """Built by a version of newsindex with another schema or story format: rebuild."""

    status = 503


class IndexNotWritable(NewsIndexError):
    """The disk under the index refused a write (full, read-only, not ours); searches go on."""

    status = 503


class IndexingFailed(NewsIndexError):
    """A rebuild's worker process failed; the live index is unchanged."""

    status = 500
