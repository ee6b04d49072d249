"""Errors a user can cause, each with a message meant for a person and an HTTP status.

The CLI prints ``str(error)`` as one ``Error: ...`` line and exits non-zero; the web layer
turns the same exception into a JSON body with ``status``. Anything that is not a
``NewsIndexError`` is a bug and is allowed to surface as one.
"""

from __future__ import annotations


class NewsIndexError(Exception):
    """Base class: something the user can fix (a path, a query, a parameter)."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_dict(self) -> dict:
        return {"ok": False, "error": self.message, "status": self.status}


class BadSource(NewsIndexError):
    """A source path, glob or format that cannot be read at all."""


class BadQuery(NewsIndexError):
    """A query the parser refuses even when read leniently."""


class BadParameter(NewsIndexError):
    """A filter, facet, sort or paging value outside what the engine accepts."""


class IndexNotFound(NewsIndexError):
    """The index directory holds no index yet."""

    status = 404


class ArticleNotFound(NewsIndexError):
    """No article with that id."""

    status = 404


class IndexLocked(NewsIndexError):
    """Another writer holds the index lock."""

    status = 409
