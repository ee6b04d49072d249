"""The pages people read: the search page (``/``) and the article page (``/articles/<id>``).

Each view makes the library calls the API makes and draws their ``to_dict()``; the page's
``<link rel="alternate">`` names the JSON it is drawn from.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, url_for

from search.errors import UserError
from web.chart import NARROW, coverage_chart
from web.index import get_news, settings
from web.params import SearchParams

bp = Blueprint("pages", __name__)

#: Values a facet lists when its "more" link is followed (within ``max_facet_size``).
MORE_VALUES = 100


@bp.get("/")
def search() -> Response | tuple[str, int]:
    """Results with facets, the coverage chart and paging; a mistake is shown by the box."""
    try:
        params = SearchParams.from_args(request.args)
    except UserError as error:
        return _search_page(SearchParams(q=request.args.get("q", "")), error=error), 400
    shown = settings().default_facet_size
    size = min(MORE_VALUES, settings().max_facet_size) if params.more else shown + 1
    news = get_news()
    try:
        result = news.search(**(params.search_kwargs() | {"facet_size": size}))
        near_by_relevance = 0  # sorted by date, nothing holds the words: say what best match lists
        if not result.total and params.q and result.sort != "relevance":
            best = news.search(**(params.search_kwargs() | {"sort": "relevance", "facets": []}))
            near_by_relevance = best.near_matches
        charts = None
        if result.total or params.compare:  # compared queries may match where q does not
            timeline = news.timeline(**params.timeline_kwargs()).to_dict()
            charts = coverage_chart(timeline), coverage_chart(timeline, **NARROW)
    except UserError as error:
        return _search_page(params, error=error), 400
    api_args = params.url_args(compare=[], more=None, page=params.page)
    api = url_for("api.search") + "?" + urlencode(api_args)
    deepest = settings().max_result_window // result.per_page
    page = _search_page(
        params,
        result=result.to_dict(),
        charts=charts,
        shown=shown,
        api=api,
        max_page=deepest,
        near_by_relevance=near_by_relevance,
    )
    return Response(page, headers={"Link": f'<{api}>; rel="alternate"; type="application/json"'})


def _search_page(params: SearchParams, **context) -> str:
    context.setdefault("result", None)
    context.setdefault("error", None)
    return render_template("search.html", params=params, **context)


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> Response:
    """One article in full, the other copies of its story and related stories.

    :raise 404: no article with that id (``ArticleNotFound``)
    """
    view = get_news().show(article_id).to_dict()
    api = url_for("api.article", article_id=article_id)
    page = render_template("article.html", view=view, article=view["article"], api=api)
    return Response(page, headers={"Link": f'<{api}>; rel="alternate"; type="application/json"'})


@bp.get("/widget")
def widget() -> str:
    """How to put the search widget on another page, with the widget working beside it."""
    return render_template("widget.html")
