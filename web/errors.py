"""One place turns an exception into an answer (Datasette's ``handle_exception``).

The library's errors carry their HTTP status (``search.errors``): a bad query or parameter
is 400, a missing article 404, a locked index 409, a damaged one 500. HTTP's own (an unknown
route, a wrong method) keep theirs; anything else is a bug: 500, logged with its traceback.
The JSON routes answer ``{"error", "message", "status"}``; the pages an HTML page in words.
"""

from __future__ import annotations

import re

from flask import Flask, Response, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from search.errors import NewsIndexError

#: Endpoints that answer HTML; every other route (API, feeds, exports) answers JSON.
HTML_ENDPOINTS = frozenset({"pages.search", "pages.article"})


def init_app(app: Flask) -> None:
    app.register_error_handler(NewsIndexError, handle_error)
    app.register_error_handler(HTTPException, handle_error)
    app.register_error_handler(Exception, handle_error)


def error_body(error: Exception) -> dict:
    """``{"error": code, "message": words for a person, "status": n}``."""
    if isinstance(error, NewsIndexError):
        return error.to_dict()
    if not isinstance(error, HTTPException):
        error = InternalServerError()
    code = re.sub(r"\W+", "_", (error.name or "error").lower()).strip("_")
    return {"error": code, "message": error.description, "status": error.code or 500}


def wants_html() -> bool:
    if request.endpoint in HTML_ENDPOINTS:
        return True
    if request.endpoint is not None:
        return False
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html"  # an unknown URL typed in a browser gets a page


def handle_error(error: Exception) -> Response | HTTPException:
    if isinstance(error, HTTPException) and error.code and error.code < 400:
        return error  # a redirect or 304 raised on purpose
    body = error_body(error)
    if body["status"] >= 500:
        current_app.logger.error("%s %s failed", request.method, request.path, exc_info=error)
    if wants_html():
        page = render_template("error.html", error=body)
        response = Response(page, status=body["status"], mimetype="text/html")
    else:
        response = jsonify(body)
        response.status_code = body["status"]
    if body["status"] == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="newsindex"'
    if isinstance(error, HTTPException) and error.code == 405:
        response.headers["Allow"] = ", ".join(error.valid_methods or [])
    return response
