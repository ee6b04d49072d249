"""Headers every answer gets: safety (CSP, nosniff, referrer), caching (ETag, 304) and CORS.

Caching: a GET answer depends only on the URL and what the index holds, so its ETag is a
hash of the live generation (which changes with every rebuild, ``add`` and ``delete``), the
app's version and the full path. A matching ``If-None-Match`` is answered 304 before any
search runs: an intranet page polling the same query costs one ``stat`` of the manifest.

CORS: only the configured origins (``CORS_ORIGINS``), none by default.
"""

from __future__ import annotations

import hashlib

from flask import Flask, Response, current_app, g, request

from search import __version__
from search.errors import NewsIndexError
from web.index import get_news

#: No inline script or style, nothing from another origin; inline SVG is markup, not an image.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
    )
)
SAFETY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: Endpoints whose answers depend on more than the URL and the index: never cached.
UNCACHED = frozenset({"api.healthz", "api.add_articles", "api.delete_article", "static"})
CORS_METHODS = "GET, POST, DELETE, OPTIONS"
CORS_HEADERS = "Authorization, Content-Type, If-None-Match"


def init_app(app: Flask) -> None:
    app.before_request(answer_unchanged)
    app.after_request(add_headers)


def _etag() -> str | None:
    """The ETag of this GET, or None when it is not cacheable or the index cannot say."""
    if request.method not in ("GET", "HEAD") or request.endpoint in UNCACHED:
        return None
    if request.endpoint is None:
        return None
    try:
        generation = get_news().generation
    except NewsIndexError:
        return None  # the view raises the same error and answers it
    key = f"{generation}\0{__version__}\0{request.full_path}".encode()
    return hashlib.sha1(key).hexdigest()[:24]


def answer_unchanged() -> Response | None:
    """304 for a GET whose ETag the client already holds; else remember the ETag."""
    g.etag = _etag()
    if g.etag and g.etag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(g.etag)
        return response
    return None


def add_headers(response: Response) -> Response:
    for name, value in SAFETY_HEADERS.items():
        response.headers.setdefault(name, value)
    etag = g.get("etag")
    if etag and response.status_code in (200, 304):
        response.set_etag(etag)
        seconds = current_app.config["CACHE_SECONDS"]
        response.headers["Cache-Control"] = f"public, max-age={seconds}"
    elif request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    _cors(response)
    return response


def _cors(response: Response) -> None:
    """Let the configured origins read answers (and send the write routes' token)."""
    allowed = current_app.config["CORS_ORIGINS"]
    if not allowed:
        return
    response.vary.add("Origin")
    origin = request.headers.get("Origin", "")
    if origin.rstrip("/") not in allowed and "*" not in allowed:
        return
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = "ETag"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
        response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
