"""The web app through Flask's test client: every route, every error, the headers.

Runs on the bundled demo sample. What a user checks: the page shows what the API returns,
a mistake is a 4xx in words, nothing a stored article holds can run in the page.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import subprocess
import sys
from xml.etree import ElementTree

import pytest

from search import NewsIndex
from web import create_app
from web.api import openapi_document

TOKEN = "s3cret-token"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def app(demo_index):
    return create_app({"INDEX": str(demo_index), "TESTING": True, "SITE_TITLE": "Demo Archive"})


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def news(demo_index):
    with NewsIndex.open(demo_index) as news:
        yield news


@pytest.fixture()
def writable(demo_index, tmp_path):
    """An app on a copy of the demo index, with writing enabled."""
    path = tmp_path / "index"
    shutil.copytree(demo_index, path)
    app = create_app({"INDEX": str(path), "TESTING": True, "WRITE_TOKEN": TOKEN})
    return app.test_client()


def without_timing(result: dict) -> dict:
    return {k: v for k, v in result.items() if k != "took_ms"}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- settings -------------------------------------------------------------------------------------


def test_settings_from_the_mapping_and_the_environment(demo_index, monkeypatch):
    monkeypatch.setenv("NEWSINDEX_SITE_TITLE", "From the environment")
    monkeypatch.setenv("NEWSINDEX_MAX_PER_PAGE", "7")
    monkeypatch.setenv("NEWSINDEX_CORS_ORIGINS", "https://a.example, https://b.example/")
    app = create_app({"INDEX": str(demo_index), "DEFAULT_PER_PAGE": 3})
    client = app.test_client()
    assert "From the environment" in client.get("/").text
    assert app.config["CORS_ORIGINS"] == ["https://a.example", "https://b.example"]
    assert len(client.get("/api/search").json["hits"]) == 3
    assert client.get("/api/search?per_page=8").json["message"] == (
        "per_page must be a whole number from 1 to 7, not 8"
    )


# -- the search page ------------------------------------------------------------------------------


def test_search_page_draws_the_apis_result(client):
    api = client.get("/api/search?q=offshore+grid").json
    page = client.get("/?q=offshore+grid")
    assert page.status_code == 200
    html = page.text
    assert [hit["title"] for hit in api["hits"]] == [
        t for t in re.findall(r'class="hit-title"><a href="[^"]+">([^<]+)</a>', html)
    ]
    assert f"{api['total']} stor" in text_of(html)
    assert api["hits"][0]["snippet"] in html and "<mark>" in html
    first = api["hits"][0]
    assert f"Also in {first['also_ran']['count']} other outlet" in html
    assert page.headers["Link"].startswith("</api/search?q=offshore+grid>")


def test_facet_values_toggle_and_show_as_removable_chips(client):
    html = client.get("/?q=&agency=Reuters").text
    api = client.get("/api/search?agency=Reuters").json
    assert f"{api['total']} stor" in text_of(html)
    chip = re.search(r'class="chip" href="([^"]*)"[^>]*>.*?agency', html, re.S)
    assert chip and chip.group(1) == "/"
    agency_links = re.findall(r'class="facet-value( selected)?" href="([^"]+)"', html)
    selected = [href for is_selected, href in agency_links if is_selected]
    assert selected == ["/"]  # clicking the selected value removes it
    reuters = next(v for v in api["facets"]["agency"] if v["value"] == "Reuters")
    assert reuters["selected"] and reuters["toggle"] == {}


def test_page_url_carries_the_whole_state(client):
    url = (
        "/?agency=AP&agency=Reuters&from=2024-06&to=2025&sort=oldest&compare=wind&per_page=1&page=2"
    )
    html = client.get(url).text
    next_or_prev = re.findall(r'rel="(?:prev|next)" href="([^"]+)"', html)
    assert next_or_prev
    for link in next_or_prev:
        for part in ("agency=AP", "agency=Reuters", "from=2024-06", "to=2025", "sort=oldest"):
            assert part in link.replace("&amp;", "&")
    assert 'name="from" value="2024-06-01"' in html and 'name="to" value="2025-12-31"' in html
    assert "2024-06 – 2025" in text_of(html)  # the date range as a chip


def test_coverage_chart_with_comparison_and_csv(client):
    html = client.get("/?q=wind&compare=grid&compare=power").text
    assert html.count('<svg class="chart') == 2  # wide and narrow drawings
    assert re.search(r'class="legend-query">wind<', html)
    assert re.search(r'class="legend-query">power<', html)
    csv_link = re.search(r'href="(/timeline\.csv\?[^"]+)"', html).group(1).replace("&amp;", "&")
    rows = list(csv.reader(io.StringIO(client.get(csv_link).text)))
    assert rows[0] == ["date", "wind", "grid", "power"]
    timeline = client.get("/api/timeline?q=wind&compare=grid&compare=power").json
    assert len(rows) - 1 == len(timeline["series"][0]["points"])
    # Matches spanning under ~90 days are counted per day, and the page says so.
    weeks = client.get("/?q=said&from=2025-09-01&to=2025-10-15").text
    assert "Stories per day matching “said”, filtered" in weeks
    # A query that matches nothing still charts what it is compared with.
    none = client.get("/?q=zebra+unicorn&compare=wind").text
    assert re.search(r'class="legend-query">wind<', none)


def test_more_link_lists_a_facets_further_values(client):
    short = client.get("/").text
    assert 'href="/?more=topics#facet-topics">More<' in short
    longer = client.get("/?more=topics").text
    section = re.search(r'id="facet-topics".*?</section>', longer, re.S).group()
    assert section.count('class="facet-value') > 10


def test_did_you_mean_is_a_link(client):
    html = client.get("/?q=offshre").text
    assert 'did you mean <a href="/?q=offshore">offshore</a>?' in html


def test_a_short_list_says_where_the_near_matches_begin(client):
    """``cocoa exporters``: few stories hold both words; the API marks the rest ``near`` and
    the page says so once, above them."""
    api = client.get("/api/search?q=cocoa+exporters&per_page=50").json
    near = [hit["near"] for hit in api["hits"]]
    assert near == sorted(near) and False in near and True in near
    assert api["near_matches"] == near.count(True) and api["total"] == len(near)
    html = client.get("/?q=cocoa+exporters&per_page=50").text
    held, more = near.count(False), near.count(True)
    assert f"{held} story matches your search; {more} stories holding fewer" in text_of(html)
    assert html.count('class="near-note"') == 1
    assert html.count('class="hit near"') == near.count(True)
    plain = client.get("/api/search?q=cocoa+exporters&sort=newest").json
    assert not plain["near_matches"] and not any(hit["near"] for hit in plain["hits"])


def test_a_query_of_operators_alone_lists_everything_with_a_note(client):
    browse = client.get("/api/search").json
    api = client.get("/api/search?q=AND+OR").json
    assert api["total"] == browse["total"] > 0 and api["hits"] == browse["hits"]
    assert api["query"] == "AND OR" and api["notice"].startswith("nothing to search for in")
    assert browse["notice"] is None
    page = client.get("/?q=-")
    assert page.status_code == 200
    text = text_of(page.text).replace("&#39;", "'")
    assert "Note: nothing to search for in '-'" in text
    assert f"{browse['total']} stories" in text and "Nothing matches" not in text
    assert browse["hits"][0]["title"] in text


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("oil AND", "oil"),
        ("- oil", "oil"),
        ('oil agency:""', "oil"),
        ("oil title:", "oil"),
        ("title: oil", "title:oil"),
        ("oil published:[2025 TO *]", "oil published:>=2025"),
        ("agency:(AP OR)", "agency:AP"),
        ("oil published:[2025 TO", "oil published:>=2025"),
        ("oil *", "oil"),
    ],
)
def test_dangling_syntax_beside_words_searches_the_words(client, typed, meant):
    got = client.get("/api/search", query_string={"q": typed})
    assert got.status_code == 200
    expected = client.get("/api/search", query_string={"q": meant}).json
    assert got.json["total"] == expected["total"] > 0 and got.json["hits"] == expected["hits"]
    assert got.json["notice"] is None


def test_sorted_by_date_an_empty_list_points_to_the_near_matches(client):
    """No demo story mentions tungsten: by date the list is empty, by best match it lists
    the stories on prices; the empty page says so, with a link."""
    best = client.get("/api/search?q=tungsten+prices").json
    assert best["near_matches"] == best["total"] > 0
    html = client.get("/?q=tungsten+prices&sort=newest").text
    assert "Nothing matches" in html
    assert '<a href="/?q=tungsten+prices">Sort by best match</a>' in html
    assert f"{best['total']} stories hold some of the words" in text_of(html)
    assert "Sort by best match" not in client.get("/?q=zebra+unicorn&sort=newest").text


def test_empty_state_says_what_to_try(client):
    html = client.get("/?q=zebra+unicorn&agency=AP").text
    assert "Nothing matches “zebra unicorn”" in html
    assert "Search without the filters" in html


@pytest.mark.parametrize(
    "url, words",
    [
        ("/?q=published:soon", "cannot read the date 'soon'"),
        ("/?page=-1", "page must be a whole number from 1"),
        ("/?page=two", "page must be a whole number, not 'two'"),
        ("/?from=2025-13-40", "cannot read the date '2025-13-40'"),
        ("/?q=" + "a" * 10_000, "the query is too long"),
        ("/?per_page=100000", "per_page must be a whole number from 1 to"),
        ("/?facet=colour", "unknown facet 'colour'"),
        ("/?q=zebra&compare=a&compare=b&compare=c&compare=d&compare=e", "at most 4 queries"),
        ("/?sort=newest&sort=oldest", "sort may be given once"),
    ],
)
def test_page_mistakes_are_shown_beside_the_box(client, url, words):
    page = client.get(url)
    assert page.status_code == 400
    assert 'id="q-error" role="alert"' in page.text
    assert words in page.text.replace("&#39;", "'")


def test_article_page_shows_every_field_copies_and_related(client, news):
    story = next(h for h in news.search("offshore grid").hits if h.also_ran.count)
    view = news.show(story.id)
    html = client.get(f"/articles/{story.id}").text
    article = view.article
    for value in (
        article.title,
        article.dateline,
        article.agency,
        article.publisher,
        *article.topics,
    ):
        assert value in html
    assert f'href="{article.url}"' in html
    assert html.count("<p>") >= len([p for p in article.body.split("\n\n") if p.strip()])
    for copy in view.copies:
        assert f'href="/articles/{copy.id}"' in html
    for hit in view.related:
        assert f'href="/articles/{hit.id}"' in html


def test_unknown_article_is_a_404_page(client):
    page = client.get("/articles/no-such-id")
    assert page.status_code == 404
    assert "no article with id 'no-such-id'" in page.text.replace("&#39;", "'")
    assert page.mimetype == "text/html"


# -- the JSON API ---------------------------------------------------------------------------------


def test_api_search_is_the_librarys_dict(client, news):
    got = client.get("/api/search?q=grid&agency=AP&sort=newest&per_page=3").json
    expected = news.search("grid", filters={"agency": ["AP"]}, sort="newest", per_page=3)
    assert without_timing(got) == without_timing(expected.to_dict())


def test_api_articles_related_facets_and_timeline(client, news):
    some_id = news.search("").hits[0].id
    assert client.get(f"/api/articles/{some_id}").json == news.show(some_id).to_dict()
    related = client.get(f"/api/related/{some_id}?limit=2").json
    assert related == {"id": some_id, "related": [h.to_dict() for h in news.related(some_id, 2)]}
    facets = client.get("/api/facets?q=grid&facet=publisher&facet_size=2").json
    assert (
        facets["facets"]
        == news.search("grid", facets=["publisher"], facet_size=2).to_dict()["facets"]
    )
    assert "hits" not in facets
    timeline = client.get("/api/timeline?q=grid&compare=wind").json
    assert timeline == news.timeline("grid", compare=["wind"]).to_dict()


@pytest.mark.parametrize(
    "url, error",
    [
        ("/api/search?page=-1", "bad_parameter"),
        ("/api/search?per_page=100000", "bad_parameter"),
        ("/api/search?facet=colour", "bad_parameter"),
        ("/api/search?q=" + "x" * 10_000, "bad_query"),
        ("/api/search?from=2025-02-31", "bad_query"),
        ("/api/search?from=0000&to=0000", "bad_query"),  # schemathesis found it a 500
        ("/api/search?agnecy=AP", "bad_parameter"),
        ("/api/search?collapse=maybe", "bad_parameter"),
        ("/api/timeline?compare=a&compare=b&compare=c&compare=d&compare=e", "bad_parameter"),
        ("/api/related/x?limit=0", "bad_parameter"),
        ("/api/related/x?limit=ten", "bad_parameter"),
        ("/export.csv?sort=sideways", "bad_parameter"),
        ("/export.csv?sort=&sort=newest", "bad_parameter"),  # schemathesis: which sort?
        ("/api/related/x?limit=1&limit=2", "bad_parameter"),
        ("/search.atom?page=abc", "bad_parameter"),
        ("/api/search?q=oil&year=abc", "bad_parameter"),
        ("/api/search?q=oil&month=2024-13", "bad_parameter"),
        ("/api/articles/no-such-id", "article_not_found"),
        ("/api/nothing-here", "not_found"),
    ],
)
def test_api_mistakes_are_json_errors_with_a_4xx(client, url, error):
    answer = client.get(url)
    assert 400 <= answer.status_code < 500
    assert answer.json["error"] == error
    assert answer.json["status"] == answer.status_code
    assert answer.json["message"]


def test_wrong_method_is_405_not_500(client):
    assert client.put("/api/search").status_code == 405


def test_missing_index_is_503_on_healthz_and_404_in_words(tmp_path):
    client = create_app({"INDEX": str(tmp_path / "none"), "TESTING": True}).test_client()
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json["status"] == "unavailable"
    assert client.get("/api/search").json["error"] == "index_not_found"
    assert "newsindex rebuild" in client.get("/").text


def test_healthz_reports_generation_and_count(client, news):
    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.json["generation"] == news.generation
    assert health.json["documents"] == news.stats().documents
    assert health.headers["Cache-Control"] == "no-store"


# -- caching, CORS, safety headers ----------------------------------------------------------------


def test_etag_and_304(client):
    first = client.get("/api/search?q=grid")
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = client.get("/api/search?q=grid", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get("/api/search?q=wind").headers["ETag"] != etag
    page = client.get("/?q=grid")
    assert (
        client.get("/?q=grid", headers={"If-None-Match": page.headers["ETag"]}).status_code == 304
    )


def test_etag_changes_when_the_index_changes(writable):
    etag = writable.get("/api/search?q=quokka").headers["ETag"]
    article = {"title": "Quokka census", "body": "Rangers counted the quokkas.", "id": "quokka-1"}
    writable.post("/api/articles", json=article, headers={"Authorization": f"Bearer {TOKEN}"})
    after = writable.get("/api/search?q=quokka", headers={"If-None-Match": etag})
    assert after.status_code == 200 and after.json["total"] == 1


def test_cors_only_for_configured_origins(demo_index):
    closed = create_app({"INDEX": str(demo_index)}).test_client()
    answer = closed.get("/api/search", headers={"Origin": "https://intranet.example"})
    assert "Access-Control-Allow-Origin" not in answer.headers
    app = create_app({"INDEX": str(demo_index), "CORS_ORIGINS": "https://intranet.example"})
    open_ = app.test_client()
    allowed = open_.get("/api/search", headers={"Origin": "https://intranet.example"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://intranet.example"
    assert "Origin" in allowed.headers["Vary"]
    other = open_.get("/api/search", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    preflight = open_.options(
        "/api/articles",
        headers={"Origin": "https://intranet.example", "Access-Control-Request-Method": "POST"},
    )
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_safety_headers_forbid_inline_script(client):
    for url in ("/", "/api/search", "/articles/x"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
    html = client.get("/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # every script is a file
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert not re.search(r"\sstyle=", html)  # no inline styles (CSP forbids them)


HOSTILE = {
    "id": "hostile-1",
    "title": "Council <script>alert('t')</script> meets",
    "body": (
        "Hostile harbour text <img src=x onerror=\"alert('b')\"> and "
        "<a href=\"javascript:alert('c')\">a link</a>.\n\nSecond paragraph <b>bold</b>."
    ),
    "url": "javascript:alert('u')",
    "publisher": "<i>Evil</i> Gazette",
    "topics": ["<svg onload=alert(1)>"],
}


def test_hostile_article_renders_inert(writable):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert writable.post("/api/articles", json=HOSTILE, headers=auth).status_code == 200
    search = writable.get("/?q=hostile+harbour").text
    article = writable.get("/articles/hostile-1").text
    atom = writable.get("/search.atom?q=hostile+harbour").text
    for html in (search, article):
        assert "<script>alert" not in html
        assert "<img src=x" not in html and "<svg onload" not in html
        assert 'href="javascript:' not in html
        assert "&lt;script&gt;" in html
    assert "<mark>harbour</mark>" in search
    ElementTree.fromstring(atom.encode())  # still well-formed XML


def test_control_characters_never_break_the_atom_feed(writable):
    """A stray control byte in an article or in the query: XML 1.0 cannot carry it."""
    auth = {"Authorization": f"Bearer {TOKEN}"}
    record = {
        "id": "ctl-1",
        "title": "Pangolins\x01 return\x08 to the valley",
        "body": "Pangolins\x0c were seen again\x02 in the valley reserve this spring. " * 3,
    }
    assert writable.post("/api/articles", json=record, headers=auth).status_code == 200
    hit = writable.get("/api/search?q=pangolins").get_json()["hits"][0]
    assert hit["title"] == "Pangolins  return  to the valley"
    for query in ("pangolins", "pangolins\x01\x02"):
        feed = writable.get("/search.atom", query_string={"q": query})
        assert feed.status_code == 200
        entries = ElementTree.fromstring(feed.data).findall("{http://www.w3.org/2005/Atom}entry")
        assert len(entries) == 1


# -- writing --------------------------------------------------------------------------------------


def test_write_routes_do_not_exist_without_a_token(client):
    assert client.post("/api/articles", json={"title": "x", "body": "y"}).status_code == 404
    assert client.delete("/api/articles/anything").status_code == 404


def test_write_routes_refuse_a_wrong_token(writable):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {TOKEN}"}):
        answer = writable.post("/api/articles", json={"title": "x"}, headers=headers)
        assert answer.status_code == 401
        assert answer.json["error"] == "unauthorized"
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_add_then_delete_over_http(writable):
    auth = {"Authorization": f"Bearer {TOKEN}"}
    articles = [
        {"id": "w-1", "headline": "Lighthouse keeper retires", "content": "After 40 years."},
        {"id": "w-2", "title": "Lighthouse sold", "body": "The lighthouse was sold on Monday."},
    ]
    added = writable.post("/api/articles", json=articles, headers=auth)
    assert added.status_code == 200 and added.json["indexed"] == 2
    again = writable.post("/api/articles", json=articles[0], headers=auth)
    assert again.json["updated"] == 1
    assert writable.get("/api/search?q=lighthouse").json["total"] == 2
    assert writable.delete("/api/articles/w-1", headers=auth).json["deleted"] == 1
    assert writable.get("/api/search?q=lighthouse").json["total"] == 1
    gone = writable.delete("/api/articles/w-1", headers=auth)
    assert gone.status_code == 404 and gone.json["error"] == "article_not_found"


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'["/etc/passwd"]', b'{"title": "", "body": ""}', b"42"]
)
def test_bad_write_bodies_are_400(writable, body):
    answer = writable.post(
        "/api/articles",
        data=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 400 and answer.json["message"]


# -- feeds and exports ----------------------------------------------------------------------------


def test_atom_feed_newest_first(client, news):
    answer = client.get("/search.atom?q=grid")
    assert answer.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(answer.data)
    entries = feed.findall(f"{ATOM}entry")
    expected = news.search("grid", sort="newest", per_page=20).hits
    assert [e.find(f"{ATOM}title").text for e in entries] == [h.title for h in expected]


def test_opensearch_description(client):
    root = ElementTree.fromstring(client.get("/opensearch.xml").data)
    templates = [u.get("template") for u in root.iter("{http://a9.com/-/spec/opensearch/1.1/}Url")]
    assert "http://localhost/?q={searchTerms}" in templates
    assert 'rel="search"' in client.get("/").text


def test_exports_stream_every_match(client, news):
    total = news.search("said", collapse=False).total
    answer = client.get("/export.csv?q=said")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="said.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == total > 10 and rows[0]["id"]
    lines = client.get("/export.jsonl?q=said&agency=AP").text.splitlines()
    assert len(lines) == news.search("said", filters={"agency": ["AP"]}, collapse=False).total > 0
    assert all(json.loads(line)["agency"] == "AP" for line in lines)


# -- the OpenAPI description ----------------------------------------------------------------------

SAMPLE = {
    "q": "grid",
    "sort": "newest",
    "page": "1",
    "per_page": "5",
    "facet": "agency",
    "facet_size": "3",
    "facet_mode": "copies",
    "collapse": "true",
    "year": "2025",
    "month": "2025-01",
    "from": "2024",
    "to": "2026",
    "compare": "wind",
    "interval": "month",
    "limit": "2",
}


def test_openapi_lists_exactly_the_routes(app):
    documented = {
        (path, method.upper())
        for path, item in openapi_document()["paths"].items()
        for method in item
        if method != "parameters"
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith("pages."):
            continue
        path = re.sub(r"<(?:\w+:)?\w+>", "{id}", rule.rule)
        served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served


def test_openapi_parameters_are_the_ones_routes_take(client, news):
    some_id = news.search("").hits[0].id
    components = openapi_document()["components"]["parameters"]
    for path, item in openapi_document()["paths"].items():
        operation = item.get("get")
        if not operation or path == "/healthz":
            continue
        names = [
            p["$ref"].rsplit("/", 1)[1] for p in operation.get("parameters", []) if "$ref" in p
        ]
        url = path.replace("{id}", some_id)
        args = {name: SAMPLE.get(name, "x") for name in names}
        assert all(name in components for name in names)
        assert client.get(url, query_string=args).status_code == 200, (path, args)
        if names:
            assert client.get(url, query_string={"unknown_name": "1"}).status_code == 400, path


def test_openapi_schemas_name_every_key_the_api_answers_with(client):
    """A key added to a ``to_dict()`` and not to ``web/openapi.json`` is a key an intranet
    developer reading the schema never learns of (``near_matches``, ``not_found``)."""
    from search.indexing.indexer import IndexReport

    schemas = openapi_document()["components"]["schemas"]
    answered = {
        "SearchResult": client.get("/api/search?q=cocoa+exporters").json,
        "Hit": client.get("/api/search?q=cocoa").json["hits"][0],
        "Timeline": client.get("/api/timeline?q=cocoa").json,
        "IndexReport": IndexReport().to_dict(),
    }
    for name, data in answered.items():
        missing = set(data) - set(schemas[name]["properties"])
        assert not missing, f"{name} lacks {sorted(missing)}"


# -- newsindex serve ------------------------------------------------------------------------------


def test_serve_refuses_a_bad_setting_in_one_line(demo_index, monkeypatch):
    from click.testing import CliRunner

    from search.cli import cli

    monkeypatch.setenv("NEWSINDEX_MAX_PER_PAGE", "lots")
    result = CliRunner().invoke(cli, ["serve", "--index", str(demo_index)])
    assert result.exit_code == 1
    assert result.output == "Error: setting max_per_page must be a whole number, not 'lots'\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_says_where_and_what(demo_index):
    from web.serve import describe

    port = free_port()
    line = describe("127.0.0.1", port, demo_index, 2)
    assert f"http://localhost:{port}/" in line and "(2 workers" in line
    # the count comes from the manifest, without a searcher: it must agree with one
    with NewsIndex.open(demo_index) as news:
        assert f"Serving {news.stats().documents:,} articles from" in line


def test_serve_on_a_port_in_use_is_one_line(demo_index):
    """Not "Serving ..." and then gunicorn's five seconds of retries and ten log lines."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "search.cli", "serve", "--port", str(port)]
            + ["--index", str(demo_index)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == f"Error: --port {port} is in use on 127.0.0.1: another server has it\n"


def test_serve_on_an_unknown_host_is_one_line(demo_index):
    from click.testing import CliRunner

    from search.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--host", "no-such-host.invalid"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot serve on --host 'no-such-host.invalid': ")
    assert len(result.output.splitlines()) == 1
