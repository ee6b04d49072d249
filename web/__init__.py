"""The web front end: the search page, the article page, the JSON API, feeds and the widget.

``create_app(config)`` is Flask's application factory (flaskr's shape). Settings are data: a
mapping, else ``NEWSINDEX_*`` environment variables, else the defaults below; the names the
library knows (``MAX_PER_PAGE``, ``DEFAULT_PER_PAGE``, ...) go on to
``NewsIndex.open(path, settings)``. The package turns HTTP into calls of that one door and
draws what they return: every page renders the same ``to_dict()`` the API serves.

>>> app = create_app({"INDEX": "index", "SITE_TITLE": "Wire archive", "TESTING": True})
>>> app.config["SITE_TITLE"], app.config["CORS_ORIGINS"]
('Wire archive', [])
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

#: What a deployer may set, as ``create_app`` keys or ``NEWSINDEX_<KEY>`` variables.
DEFAULTS: dict[str, Any] = {
    # Index directory; None: $NEWSINDEX_INDEX, else the project's index/ (the CLI's default).
    "INDEX": None,
    # The name in the page header, the tab title and the OpenSearch description.
    "SITE_TITLE": "newsindex",
    # Origins whose pages may call the API from a browser (comma-separated); none by default.
    "CORS_ORIGINS": [],
    # Bearer token for POST/DELETE /api/articles; without one, those routes do not exist.
    "WRITE_TOKEN": None,
    # Seconds a browser or proxy may reuse a GET answer before revalidating it by ETag
    # (a 304 costs one stat of the manifest): short, so an add shows within seconds.
    "CACHE_SECONDS": 5,
    # Flask's own: the largest request body (POST /api/articles) accepted, in bytes; a
    # larger one is refused with 413 before it is parsed, declared or sent in chunks.
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The application: defaults, then ``NEWSINDEX_*`` variables, then ``config``."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("NEWSINDEX")
    if config:
        app.config.update(config)
    _normalise(app)
    app.json.sort_keys = False  # keep the library's key order: query, filters, ..., hits
    app.json.ensure_ascii = False

    from web import api, errors, feeds, headers, index, pages, templating

    index.init_app(app)
    headers.init_app(app)
    errors.init_app(app)
    templating.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(api.bp)
    return app


def _normalise(app: Flask) -> None:
    """Environment variables arrive as strings (or whatever JSON made of them)."""
    origins = app.config["CORS_ORIGINS"] or []
    if isinstance(origins, str):
        origins = origins.replace(",", " ").split()
    app.config["CORS_ORIGINS"] = [o.rstrip("/") for o in origins]
    token = app.config["WRITE_TOKEN"]
    app.config["WRITE_TOKEN"] = str(token) if token not in (None, "") else None
    app.config["SITE_TITLE"] = str(app.config["SITE_TITLE"])
    app.config["CACHE_SECONDS"] = _whole_number(app.config, "CACHE_SECONDS")
    app.config["MAX_CONTENT_LENGTH"] = _whole_number(app.config, "MAX_CONTENT_LENGTH", minimum=1)


def _whole_number(config: Mapping[str, Any], name: str, minimum: int = 0) -> int:
    """A setting that must be a whole number, else one line naming it (the CLI's exit 1)."""
    from search.errors import BadParameter

    raw = config[name]
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = int(raw)
    except (TypeError, ValueError):
        raise BadParameter(
            f"setting NEWSINDEX_{name} must be a whole number, not {raw!r}"
        ) from None
    if value < minimum:
        raise BadParameter(f"setting NEWSINDEX_{name} must be at least {minimum}, not {raw!r}")
    return value
