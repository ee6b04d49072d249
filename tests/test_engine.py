"""NewsIndex: paging, sorting, suggestions, collapsing copies, related, refresh on change.

Runs on the bundled demo archive (``demo_news``, ``demo_articles``); the copies tests build
their own small index of Reuters-21578 records where the corpus is present.
"""

from __future__ import annotations

import dataclasses
import json

import pytest
from corpus_loaders import reuters_article

from search import NewsIndex
from search.article import Article
from search.errors import ArticleNotFound, BadParameter, IndexNotFound
from search.indexing.indexer import add_articles, delete, rebuild_from_articles

HIT_KEYS = {
    "id",
    "title",
    "url",
    "published",
    "dateline",
    "agency",
    "publisher",
    "score",
    "snippet",
    "story",
    "also_ran",
    "near",
}


# -- paging and sorting --------------------------------------------------------------------


@pytest.mark.parametrize("collapse", [False, True])
def test_paging_covers_every_hit_once(demo_news, collapse):
    first = demo_news.search("said", per_page=7, collapse=collapse, facets=[])
    assert first.pages >= 3
    seen: list[str] = []
    for page in range(1, first.pages + 1):
        result = demo_news.search("said", page=page, per_page=7, collapse=collapse, facets=[])
        seen += [hit.id for hit in result.hits]
    assert len(seen) == len(set(seen)) == first.total
    everything = demo_news.search("said", per_page=100, collapse=False, facets=[])
    assert first.total_copies == everything.total
    if collapse:
        stories = [demo_news.get(i).story for i in seen]
        assert len(stories) == len(set(stories))


def test_page_past_the_end_is_empty(demo_news):
    result = demo_news.search("cocoa", page=50, per_page=20)
    assert result.hits == [] and result.total > 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"page": 0}, "page must be"),
        ({"per_page": 0}, "per_page must be a whole number from 1 to 100"),
        ({"per_page": 101}, "per_page must be a whole number from 1 to 100"),
        ({"page": 10_000}, "too deep"),
        ({"sort": "popular"}, "unknown sort 'popular'"),
    ],
)
def test_bad_parameters(demo_news, options, message):
    with pytest.raises(BadParameter, match=message):
        demo_news.search("oil", **options)


def test_sort_by_date(demo_news, demo_articles):
    dated = sorted(a.published for a in demo_articles if a.published and "market" in a.body)
    newest = [h.published for h in demo_news.search("market", sort="newest", per_page=100).hits]
    oldest = [h.published for h in demo_news.search("market", sort="oldest", per_page=100).hits]
    assert newest[0] == max(dated) and oldest[0] == min(dated)
    assert [p for p in newest if p] == sorted((p for p in newest if p), reverse=True)
    assert [p for p in oldest if p] == sorted(p for p in oldest if p)


def test_undated_articles_come_last_in_either_order(demo_news):
    for sort in ("newest", "oldest"):
        pages = [
            demo_news.search("", sort=sort, per_page=100, page=n, collapse=False) for n in (1, 2)
        ]
        hits = pages[0].hits + pages[1].hits
        assert len(hits) == pages[0].total
        dated = [h.published is not None for h in hits]
        assert dated == sorted(dated, reverse=True) and not all(dated)


@pytest.fixture(scope="module")
def tied_index(tmp_path_factory):
    """Three articles that score alike for ``ferry`` (same words), dated apart or not."""
    body = "The harbour ferry resumed service on Monday after repairs to its landing stage."
    articles = [
        Article(id=f"ferry-{n}", title="Ferry returns", body=body, published=published)
        for n, published in enumerate(["2024-05-02", None, "2026-01-09", "2025-07-30"])
    ]
    articles.append(Article(id="other", title="Bus", body="Buses run late. " + body))
    path = tmp_path_factory.mktemp("ties")
    rebuild_from_articles(articles, path)
    with NewsIndex.open(path) as news:
        yield news


def test_relevance_ties_go_to_the_newest_story(tied_index):
    hits = tied_index.search("ferry", per_page=10, collapse=False).hits
    tied = [h for h in hits if h.id.startswith("ferry-")]
    assert len({h.score for h in tied}) == 1  # the tie this test is about
    assert [h.id for h in tied] == ["ferry-2", "ferry-3", "ferry-0", "ferry-1"]


def test_title_match_outranks_body_match(demo_news, demo_articles):
    hits = demo_news.search("copper", per_page=100, collapse=False).hits
    in_title = [("copper" in hit.title.lower()) for hit in hits]
    assert in_title == sorted(in_title, reverse=True)
    assert any(in_title) and not all(in_title)


def test_empty_query_browses_newest_first(demo_news, demo_articles):
    result = demo_news.search(collapse=False)
    assert result.total == len(demo_articles)
    assert result.sort == "newest"
    assert result.hits[0].published == max(a.published for a in demo_articles if a.published)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("cocao", "cocoa"),
        ("Brazilain coffee", "Brazilian coffee"),
        ("inflaton", "inflation"),
        ("economsts forcast", "economists forecast"),
        ("drougth", "drought"),
        ("LISBN", "LISBON"),
    ],
)
def test_suggestion_for_a_misspelled_word(demo_news, typed, meant):
    result = demo_news.search(typed)
    assert result.suggestion == meant
    assert all(hit.near for hit in result.hits), "no article holds every word typed"
    assert demo_news.search(meant).total > 0


@pytest.mark.parametrize("query", ["cocoa", "kiptoo", "geneva", "harbour OR cocao"])
def test_no_suggestion_for_words_the_index_holds_or_queries_that_do_well(demo_news, query):
    assert demo_news.search(query).suggestion is None


def test_suggestions_on_reuters(reuters_news):
    assert reuters_news.search("cocao").suggestion == "cocoa"
    assert reuters_news.search("Brazilain coffee").suggestion == "Brazilian coffee"
    assert reuters_news.search("presdent").suggestion == "president"
    assert reuters_news.search("cocoa").suggestion is None


def test_snippets_mark_query_terms(demo_news):
    hit = demo_news.search("exporters", per_page=1).hits[0]
    assert "<mark>exporters</mark>" in hit.snippet.lower()


def test_to_dict_is_the_api_json(demo_news):
    data = demo_news.search("cocoa", per_page=2, facets=["agency"]).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert {"total", "page", "per_page", "took_ms", "facets", "suggestion", "hits"} <= set(data)
    assert set(data["hits"][0]) == HIT_KEYS
    assert set(data["hits"][0]["also_ran"]) == {"count", "outlets"}
    agency = data["facets"]["agency"][0]
    assert {"value", "count", "selected"} <= set(agency) and agency["value"] == "Reuters"


# -- articles ----------------------------------------------------------------------------------


def test_get_and_missing_article(demo_news, demo_articles):
    for expected in demo_articles[::10]:
        article = demo_news.get(expected.id)
        assert (article.title, article.body, article.published) == (
            expected.title,
            expected.body,
            expected.published,
        )
    with pytest.raises(ArticleNotFound, match="no article with id 'nope'"):
        demo_news.get("nope")


def test_related_excludes_itself_and_its_copies(demo_news):
    source = demo_news.search("cocoa record", per_page=1).hits[0]
    assert source.also_ran.count == 2
    related = demo_news.related(source.id, limit=5)
    assert 0 < len(related) <= 5
    own_story = {source.id} | {c.id for c in demo_news.copies(source.id)}
    assert not own_story & {hit.id for hit in related}
    assert any("cocoa" in (hit.title + hit.snippet).lower() for hit in related)


def test_missing_index_says_how_to_build_one(tmp_path):
    news = NewsIndex.open(tmp_path / "none")
    with pytest.raises(IndexNotFound, match="newsindex rebuild"):
        news.search("oil")


# -- syndicated copies ------------------------------------------------------------------------


def syndicated(article, title: str, publisher: str, suffix: str):
    """A copy as a site runs it: new headline, agency dateline, last paragraph cut, footer."""
    paragraphs = article.body.split("\n    ")
    body = (
        "SALVADOR (Reuters) - "
        + "\n    ".join(paragraphs[:-1])
        + "\nBrought to you by "
        + publisher
    )
    return dataclasses.replace(
        article,
        id=f"{article.id}-{suffix}",
        title=title,
        publisher=publisher,
        body=body,
        word_count=len(body.split()),
        published=article.published.replace("T15", "T18"),
        url=f"https://{publisher}/{suffix}",
    )


@pytest.fixture(scope="module")
def copies_index(tmp_path_factory, reuters_slice):
    originals = [reuters_article(r) for r in reuters_slice[:60] if len(r["body"]) > 800]
    cocoa = originals[0]
    copies = [
        syndicated(cocoa, "Bahia cocoa rains ease drought", "srnnews.com", "srn"),
        syndicated(cocoa, "Showers help Bahia cocoa crop", "wtop.com", "wtop"),
    ]
    path = tmp_path_factory.mktemp("copies-index")
    rebuild_from_articles([*originals, *copies], path)
    with NewsIndex.open(path) as news:
        yield news, cocoa, copies, path


def test_copies_collapse_to_one_story(copies_index):
    news, cocoa, copies, _ = copies_index
    result = news.search("temporao comissaria")
    ids = {cocoa.id, *(c.id for c in copies)}
    assert result.total == 1 and result.total_copies == 3
    hit = result.hits[0]
    assert hit.id in ids
    assert hit.also_ran.count == 2
    assert {o.id for o in hit.also_ran.outlets} == ids - {hit.id}
    assert all(o.url or o.publisher for o in hit.also_ran.outlets)
    facets = {v.value: v.count for v in result.facets["publisher"]}
    assert facets == {"Reuters": 1, "srnnews.com": 1, "wtop.com": 1}
    assert (
        sum(
            v.count
            for v in news.search("temporao comissaria", facet_mode="copies").facets["agency"]
        )
        == 3
    )


def test_all_copies_switch(copies_index):
    news, cocoa, copies, _ = copies_index
    result = news.search("temporao comissaria", collapse=False)
    assert result.total == result.total_copies == 3
    assert {h.id for h in result.hits} == {cocoa.id, *(c.id for c in copies)}


def test_copies_say_what_differs(copies_index):
    news, cocoa, copies, _ = copies_index
    found = {c.id: c for c in news.copies(cocoa.id)}
    assert set(found) == {c.id for c in copies}
    srn = found[copies[0].id]
    assert srn.title == "Bahia cocoa rains ease drought" and not srn.same_title
    assert srn.word_count_diff == copies[0].word_count - cocoa.word_count
    assert srn.publisher == "srnnews.com"


def test_related_skips_own_copies(copies_index):
    news, cocoa, copies, _ = copies_index
    related = {h.id for h in news.related(cocoa.id, limit=10)}
    assert not related & {cocoa.id, *(c.id for c in copies)}


# -- refresh ---------------------------------------------------------------------------------


def test_sees_adds_deletes_and_rebuilds(tmp_path, demo_articles):
    articles = demo_articles[:30]
    rebuild_from_articles(articles[:20], tmp_path)
    with NewsIndex.open(tmp_path) as news:
        assert news.search(collapse=False).total == 20
        add_articles(articles[20:25], tmp_path)
        assert news.search(collapse=False).total == 25
        assert news.get(articles[22].id).title == articles[22].title
        delete([articles[0].id], tmp_path)
        assert news.search(collapse=False).total == 24
        with pytest.raises(ArticleNotFound):
            news.get(articles[0].id)
        rebuild_from_articles(articles[25:], tmp_path, allow_shrink=True)
        assert {h.id for h in news.search(collapse=False).hits} == {a.id for a in articles[25:]}


def test_stats(demo_news, demo_articles):
    stats = demo_news.stats().to_dict()
    assert stats["documents"] == len(demo_articles)
    assert 0 < stats["stories"] < stats["documents"]  # the demo has syndicated copies
    dates = sorted(a.published for a in demo_articles if a.published)
    assert stats["first_published"][:10] == dates[0][:10]
    agencies = {a.agency for a in demo_articles if a.agency}
    assert stats["facet_values"]["agency"] == len(agencies) >= 4


def test_threads_search_while_the_index_changes(tmp_path, demo_articles):
    import threading

    articles = [a for a in demo_articles if "said" in a.body][:40]
    assert len(articles) == 40
    rebuild_from_articles(articles[:20], tmp_path)
    errors: list[BaseException] = []
    seen: list[list[int]] = [[], [], []]
    with NewsIndex.open(tmp_path) as news:

        def searching(totals: list[int]) -> None:
            try:
                for _ in range(15):
                    totals.append(news.search("said", collapse=False).total_copies)
            except BaseException as exc:  # noqa: BLE001 - the test reports any failure
                errors.append(exc)

        threads = [threading.Thread(target=searching, args=(t,)) for t in seen]
        for thread in threads:
            thread.start()
        for start in range(20, 40, 5):
            add_articles(articles[start : start + 5], tmp_path)
        for thread in threads:
            thread.join()
        assert errors == []
        assert all(t == sorted(t) for t in seen)  # each thread sees the index only grow ...
        assert all(20 <= n <= 40 for t in seen for n in t)
        assert news.search(collapse=False).total == 40  # ... and the end state is current


def test_browse_pages_follow_the_date_order_one_copy_per_story(demo_news):
    """Browsing page by page (small pages, so the story collapse must look past each page's
    own copies) lists every story once, newest first, undated last: as sorting by date."""
    every = list(demo_news.export(sort="newest"))
    newest_first = sorted(
        (a for a in every if a.published), key=lambda a: a.published, reverse=True
    ) + [a for a in every if not a.published]
    one_per_story, seen = [], set()
    for article in newest_first:
        if (article.story or article.id) not in seen:
            seen.add(article.story or article.id)
            one_per_story.append(article.published)
    first = demo_news.search(per_page=7)
    pages = [first] + [demo_news.search(per_page=7, page=n) for n in range(2, first.total // 7 + 2)]
    hits = [h for page in pages for h in page.hits]
    assert len(hits) == first.total == len(one_per_story) < len(every)
    assert len({h.story or h.id for h in hits}) == len(hits)
    assert [h.published for h in hits] == one_per_story
