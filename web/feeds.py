"""Any search as something to follow or keep: Atom feed, OpenSearch, CSV and JSON Lines.

- ``/search.atom?q=…``: the newest matches as an Atom feed (a feed reader follows a query);
- ``/opensearch.xml``: lets a browser add the site as a search engine;
- ``/export.csv``, ``/export.jsonl``: every match of a search, streamed as the library
  reads it (``NewsIndex.export``), never held in memory;
- ``/timeline.csv``: the coverage chart's series, one column per query.

They take the search page's parameters; a mistake answers the JSON error with its status.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, render_template, request, stream_with_context

from search.searching.options import SORTS, check_choice, check_facets, check_paging
from search.searching.results import export_csv_lines, export_jsonl_lines
from web.index import get_news, settings
from web.params import EXPORT_PARAMS, SEARCH_PARAMS, TIMELINE_PARAMS, SearchParams

bp = Blueprint("feeds", __name__)

#: Entries in a search's Atom feed.
FEED_ENTRIES = 20
#: What XML 1.0 cannot carry even escaped: control characters (a query can hold them, and
#: an index written before ``schema.printable`` can too), lone surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@bp.get("/search.atom")
def atom() -> Response:
    """The newest matches of a search as an Atom feed."""
    params = SearchParams.from_args(request.args, SEARCH_PARAMS)
    # A feed is the newest FEED_ENTRIES matches without facets; what it overrides is
    # still checked, so a mistake in the URL is a 400 here as on the page.
    check_choice("sort", params.sort or "newest", SORTS)
    check_facets(params.facets)
    per_page = FEED_ENTRIES if params.per_page is None else params.per_page
    check_paging(1 if params.page is None else params.page, per_page, settings())
    result = get_news().search(
        **(params.search_kwargs() | {"sort": "newest", "per_page": FEED_ENTRIES, "facets": []})
    )
    feed = render_template("search.atom.xml", params=params, result=result.to_dict())
    return Response(_NOT_XML.sub("", feed), mimetype="application/atom+xml")


@bp.get("/opensearch.xml")
def opensearch() -> Response:
    body = render_template("opensearch.xml")
    return Response(body, mimetype="application/opensearchdescription+xml")


@bp.get("/export.csv")
def export_csv() -> Response:
    """Every match as CSV, a header row first (lists joined with "; ")."""
    return _export(export_csv_lines, "text/csv", "csv")


@bp.get("/export.jsonl")
def export_jsonl() -> Response:
    """Every match as JSON Lines, one article per line."""
    return _export(export_jsonl_lines, "application/x-ndjson", "jsonl")


def _export(lines, mimetype: str, extension: str) -> Response:
    params = SearchParams.from_args(request.args, EXPORT_PARAMS)
    articles = get_news().export(**params.export_kwargs())  # checks its arguments now
    name = _file_name(params.q or "everything", extension)
    return Response(
        stream_with_context(lines(articles)),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/timeline.csv")
def timeline_csv() -> Response:
    """The coverage chart's numbers: a row per month or day, a column per query."""
    params = SearchParams.from_args(request.args, TIMELINE_PARAMS)
    timeline = get_news().timeline(**params.timeline_kwargs())
    name = _file_name(f"coverage {params.q or 'everything'}", "csv")
    return Response(
        timeline.to_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _file_name(text: str, extension: str) -> str:
    """A download's name from its query: ``oil prices`` → ``oil-prices.csv``."""
    stem = re.sub(r"[^\w]+", "-", text.lower(), flags=re.ASCII).strip("-")[:60] or "export"
    return f"{stem}.{extension}"
