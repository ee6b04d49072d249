"""The JSON API: the library's ``to_dict()`` over HTTP, for intranet pages and scripts.

Reading (GET, cached by ETag): ``/api/search``, ``/api/articles/<id>``, ``/api/related/<id>``,
``/api/facets``, ``/api/timeline``, ``/api/openapi.json``, and ``/healthz`` for monitors.
Writing, only when a ``WRITE_TOKEN`` is configured and sent as ``Authorization: Bearer …``:
``POST /api/articles`` (one article or a list, upserted by id as ``newsindex add`` does) and
``DELETE /api/articles/<id>``. Without a token configured those routes do not exist (404).
Unknown parameters are refused, so a typo is never a silently ignored filter.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, NotFound, RequestEntityTooLarge, Unauthorized

from search.errors import ArticleNotFound, BadParameter, NewsIndexError
from web.index import get_news
from web.params import SEARCH_PARAMS, TIMELINE_PARAMS, SearchParams, check_known, whole_number

bp = Blueprint("api", __name__)

#: The parameters ``/api/facets`` takes: the search's, less paging and sorting.
FACETS_PARAMS = tuple(p for p in SEARCH_PARAMS if p not in ("sort", "page", "per_page"))
#: Keys of ``SearchResult.to_dict()`` that ``/api/facets`` answers with.
FACETS_KEYS = ("query", "filters", "facet_mode", "total", "facets", "facets_timed_out")


@bp.get("/api/search")
def search() -> Response:
    """One page of results with facet counts: ``SearchResult.to_dict()``."""
    params = SearchParams.from_args(request.args, SEARCH_PARAMS)
    return jsonify(get_news().search(**params.search_kwargs()).to_dict())


@bp.get("/api/facets")
def facets() -> Response:
    """Facet values and counts for a search, without its hits (``facet_size`` for more)."""
    params = SearchParams.from_args(request.args, FACETS_PARAMS)
    result = get_news().search(**(params.search_kwargs() | {"per_page": 1})).to_dict()
    return jsonify({key: result[key] for key in FACETS_KEYS})


@bp.get("/api/timeline")
def timeline() -> Response:
    """Matching stories per month or day, for ``q`` and each ``compare``: the chart's data."""
    params = SearchParams.from_args(request.args, TIMELINE_PARAMS)
    return jsonify(get_news().timeline(**params.timeline_kwargs()).to_dict())


@bp.get("/api/articles/<path:article_id>")
def article(article_id: str) -> Response:
    """An article, the other copies of its story and related stories (the article page)."""
    check_known(request.args, ())
    return jsonify(get_news().show(article_id).to_dict())


@bp.get("/api/related/<path:article_id>")
def related(article_id: str) -> Response:
    """Stories most like an article, its own copies left out (``limit``, default 5)."""
    check_known(request.args, ("limit",))
    hits = get_news().related(article_id, whole_number(request.args, "limit"))
    return jsonify({"id": article_id, "related": [hit.to_dict() for hit in hits]})


@bp.get("/api/openapi.json")
def openapi() -> Response:
    """The OpenAPI 3.1 description of these routes (a test keeps it and them in step)."""
    return jsonify(openapi_document())


@cache
def openapi_document() -> dict:
    return json.loads(resources.files("web").joinpath("openapi.json").read_text("utf-8"))


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 with the live generation and article count; 503 when no index can be opened."""
    try:
        news = get_news()
        stats = news.stats()
        generation = news.generation
    except NewsIndexError as error:
        body = {"status": "unavailable", "error": error.code, "message": error.message}
        return jsonify(body), 503
    body = {
        "status": "ok",
        "generation": generation,
        "documents": stats.documents,
        "stories": stats.stories,
        "updated_at": stats.updated_at,
    }
    return jsonify(body), 200


# -- writing --------------------------------------------------------------------------------------


def require_token() -> None:
    """404 when writing is not configured; 401 unless the request bears the token."""
    token = current_app.config["WRITE_TOKEN"]
    if not token:
        raise NotFound()
    sent = request.headers.get("Authorization", "")
    scheme, _, value = sent.partition(" ")
    if scheme.lower() != "bearer" or not token_matches(value.strip(), token):
        raise Unauthorized("send the write token as 'Authorization: Bearer <token>'")


def token_matches(sent: str, token: str) -> bool:
    """Whether ``sent`` (a header value, as WSGI gives it: Latin-1) is ``token``.

    Both are hashed to one length before a constant-time compare, so the time taken says
    neither how much of a guess was right nor how long the token is; any bytes a client
    sends are a wrong token, never an error.
    """
    sent_digest = hashlib.sha256(sent.encode("latin-1", "replace")).digest()
    token_digest = hashlib.sha256(token.encode("utf-8")).digest()
    return hmac.compare_digest(sent_digest, token_digest)


def request_json() -> Any:
    """The request's JSON body (None if it is not JSON), 413 past ``MAX_CONTENT_LENGTH``.

    Werkzeug refuses a declared ``Content-Length`` over the limit, but a chunked body is
    only cut at the limit: one more byte waiting after it means the body was too large.
    """
    data = request.get_data(cache=True)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    chunked = request.content_length is None
    if (
        chunked
        and limit is not None
        and len(data) >= limit
        and request.environ["wsgi.input"].read(1)
    ):
        raise RequestEntityTooLarge(f"the request body is over {limit:,} bytes")
    return request.get_json(silent=True)


@bp.post("/api/articles")
def add_articles() -> tuple[Response, int]:
    """Upsert one article (an object) or several (a list) by id; the report says what changed."""
    require_token()
    check_known(request.args, ())
    body = request_json()
    articles = [body] if isinstance(body, dict) else body
    if not isinstance(articles, list) or not articles:
        raise BadRequest("send one article as a JSON object, or a list of them")
    if not all(isinstance(item, dict) for item in articles):
        raise BadRequest("every item of the list must be a JSON object with article fields")
    check_article_fields(articles)
    report = get_news().add(articles)
    if not (report.indexed or report.updated):
        reasons = "; ".join(f"{s.source_file}: {s.reason}" for s in report.skipped)
        raise BadParameter(f"no article could be read from the request ({reasons})")
    return jsonify(report.to_dict()), 200


#: JSON Schema's types as Python's, for the fields ``ArticleInput`` describes.
JSON_TYPES = {"string": str, "array": list, "null": type(None)}
#: How a refusal names them.
TYPE_WORDS = {"string": "a string", "array": "a list of strings", "null": "null"}


def check_article_fields(articles: list[dict]) -> None:
    """400 for a described field of the wrong type (``"body": 0``): what the API's
    description promises, read from it (a JSON export's reader is more lenient)."""
    described = openapi_document()["components"]["schemas"]["ArticleInput"]["properties"]
    for n, item in enumerate(articles):
        for name, spec in described.items():
            if name not in item:
                continue
            value, kinds = item[name], spec["type"]
            if not isinstance(value, tuple(JSON_TYPES[k] for k in kinds)) or (
                isinstance(value, list) and not all(isinstance(v, str) for v in value)
            ):
                where = f"article {n + 1}: {name}" if len(articles) > 1 else name
                wanted = " or ".join(TYPE_WORDS[k] for k in kinds)
                raise BadParameter(f"{where} must be {wanted}, not {json.dumps(value)[:60]}")


@bp.delete("/api/articles/<path:article_id>")
def delete_article(article_id: str) -> Response:
    """Delete one article by id (404 if there is none)."""
    require_token()
    check_known(request.args, ())
    report = get_news().delete([article_id])
    if not report.deleted:
        raise ArticleNotFound(f"no article with id {article_id!r}")
    return jsonify(report.to_dict())
