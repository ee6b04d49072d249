"""Facet counts against counts taken straight from the articles, and multi-select semantics.

The demo archive (in the repository) carries the semantics; Reuters-21578 and AllSides,
where present, check the counts at scale against their JSONL.
"""

from __future__ import annotations

from collections import Counter

import pytest
from corpus_loaders import allsides_authors, allsides_publisher, reuters_dateline

from search.errors import BadParameter
from search.indexing.schema import facet_term
from search.searching.facets import FACET_CLASSES, FACETS


def counts(result, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[facet]}


def top(counter: Counter, n: int) -> dict[str, int]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    return dict(ranked[:n])


def values_of(article, facet: str) -> list[str]:
    """The facet's values of one article, read from its fields (not from the index)."""
    if facet in ("year", "month"):
        return [article.published[: 4 if facet == "year" else 7]] if article.published else []
    value = getattr(article, facet)
    return list(value) if isinstance(value, list) else [value] if value else []


def folded(counted: dict[str, int]) -> dict[str, int]:
    return {facet_term(value): count for value, count in counted.items()}


def test_facet_classes_cover_every_facet():
    assert {type(f) for f in FACETS.values()} <= set(FACET_CLASSES)
    assert {f.type for f in FACETS.values()} == {"column", "array", "date"}


@pytest.mark.parametrize("facet", list(FACETS))
def test_demo_counts_equal_the_articles(demo_news, demo_articles, facet):
    result = demo_news.search(facet_mode="copies", facet_size=1000, facets=[facet])
    expected = Counter(facet_term(v) for a in demo_articles for v in set(values_of(a, facet)))
    assert folded(counts(result, facet)) == dict(expected)
    # the demo is worth faceting: several values, more than one of them shared
    assert len(expected) >= 3 and sum(1 for n in expected.values() if n > 1) >= 2


@pytest.mark.parametrize("facet", ["publisher", "topics", "year"])
def test_demo_story_counts_count_each_story_once(demo_news, demo_articles, facet):
    story = {a.id: demo_news.get(a.id).story for a in demo_articles}
    stories: dict[str, set] = {}
    for a in demo_articles:
        for v in set(values_of(a, facet)):
            stories.setdefault(facet_term(v), set()).add(story[a.id])
    result = demo_news.search(facet_size=1000, facets=[facet])
    assert folded(counts(result, facet)) == {v: len(s) for v, s in stories.items()}


def test_reuters_counts_equal_the_source(reuters_news, reuters_slice):
    result = reuters_news.search(facet_mode="copies", facet_size=15)
    datelines = Counter(d for r in reuters_slice if (d := reuters_dateline(r)))
    topics = Counter(t for r in reuters_slice for t in r["topics"])
    months = Counter(r["date"][:7] for r in reuters_slice)
    assert counts(result, "dateline") == top(datelines, 15)
    assert counts(result, "topics") == top(topics, 15)
    assert counts(result, "month") == dict(sorted(months.items(), reverse=True))
    assert counts(result, "agency") == {"Reuters": len(reuters_slice)}


def test_allsides_counts_equal_the_source(allsides_news, allsides_slice):
    result = allsides_news.search(facet_mode="copies", facet_size=20)
    publishers = Counter(allsides_publisher(r) for r in allsides_slice)
    authors = Counter(a for r in allsides_slice for a in allsides_authors(r))
    topics = Counter(r["topic"] for r in allsides_slice)
    assert counts(result, "publisher") == top(publishers, 20)
    assert counts(result, "authors") == top(authors, 20)
    assert counts(result, "topics") == top(topics, 20)


def test_counts_cover_all_matches_not_just_the_page(demo_news):
    result = demo_news.search("market", per_page=1, facet_mode="copies", collapse=False)
    assert result.total > 10
    assert sum(v.count for v in result.facets["year"]) == sum(
        1 for h in demo_news.export("market") if h.published
    )


def test_story_counts_never_exceed_copy_counts(demo_news):
    stories = demo_news.search("cocoa", facet_size=50)
    copies = demo_news.search("cocoa", facet_size=50, facet_mode="copies")
    by_copy = counts(copies, "agency")
    assert by_copy["Reuters"] > counts(stories, "agency")["Reuters"]  # the syndicated story
    for value, count in counts(stories, "agency").items():
        assert count <= by_copy[value]


def test_or_within_a_facet(demo_news, demo_articles):
    chosen = {"cocoa", "coffee"}
    result = demo_news.search(filters={"topics": sorted(chosen)}, collapse=False)
    expected = sum(1 for a in demo_articles if chosen & {t.lower() for t in a.topics})
    assert result.total == expected > 2


def test_and_across_facets_and_own_selection_lifted(demo_news, demo_articles):
    places = {"LONDON", "NEW YORK"}
    filters = {"topics": ["commodities"], "dateline": sorted(places)}
    result = demo_news.search(filters=filters, collapse=False, facet_mode="copies", facet_size=100)
    in_place = [a for a in demo_articles if a.dateline in places]
    expected = [a for a in in_place if "commodities" in {t.lower() for t in a.topics}]
    assert result.total == len(expected) > 0
    # topics counted with the dateline filter only (its own selection lifted) ...
    topic_counts = Counter(facet_term(t) for a in in_place for t in set(a.topics))
    assert folded(counts(result, "topics")) == dict(topic_counts)
    # ... and datelines counted with the topic filter only.
    commodity = [a for a in demo_articles if "commodities" in {t.lower() for t in a.topics}]
    place_counts = Counter(facet_term(a.dateline) for a in commodity if a.dateline)
    assert folded(counts(result, "dateline")) == dict(place_counts)


def test_selected_values_are_flagged_and_always_listed(demo_news):
    result = demo_news.search(filters={"dateline": ["Tokyo", "Nowhere At All"]}, facet_size=1)
    values = {v.value: v for v in result.facets["dateline"]}
    assert values["TOKYO"].selected and values["Nowhere At All"].selected
    assert values["Nowhere At All"].count == 0
    unselected = [v for v in result.facets["dateline"] if not v.selected]
    assert len(unselected) <= 1


def test_filter_values_match_any_case(demo_news):
    a = demo_news.search(filters={"dateline": ["TOKYO"]})
    b = demo_news.search(filters={"dateline": ["tokyo"]})
    assert a.total == b.total > 0


def test_toggle_gives_the_filters_a_click_would_make(demo_news):
    result = demo_news.search(filters={"topics": ["coffee"]})
    assert any(v.value == "coffee" for v in result.facets["topics"])
    for value in result.facets["topics"]:
        if value.value == "coffee":
            assert value.selected and value.toggle == {}
        else:
            assert value.toggle == {"topics": ["coffee", value.value]}
    value = result.facets["dateline"][0]
    assert value.toggle == {"topics": ["coffee"], "dateline": [value.value]}


def test_order_count_then_value_and_dates_newest_first(demo_news, demo_articles):
    result = demo_news.search()
    listed = [(-v.count, v.value.casefold()) for v in result.facets["dateline"]]
    assert listed == sorted(listed)
    months = [v.value for v in result.facets["month"]]
    assert months == sorted(months, reverse=True)
    newest = max(a.published[:7] for a in demo_articles if a.published)
    assert months[0] == newest
    year, month = newest.split("-")
    names = ["January", "February", "March", "April", "May", "June", "July"]
    names += ["August", "September", "October", "November", "December"]
    assert result.facets["month"][0].label == f"{names[int(month) - 1]} {year}"


def test_facet_size_caps_the_list(demo_news):
    assert len(demo_news.search(facet_size=3).facets["topics"]) == 3


def test_choose_facets(demo_news):
    assert list(demo_news.search("oil", facets=["agency"]).facets) == ["agency"]
    assert demo_news.search("oil", facets=[]).facets == {}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"facets": ["colour"]}, "unknown facet 'colour'"),
        ({"filters": {"colour": ["red"]}}, "unknown filter field 'colour'"),
        ({"facet_size": 0}, "facet_size must be"),
        ({"facet_mode": "both"}, "unknown facet_mode 'both'"),
        # a date bucket no article could be in would list nothing, as if the archive were empty
        ({"filters": {"year": "abc"}}, "filter year takes a year such as 2024, not 'abc'"),
        ({"filters": {"month": "2024-13"}}, "filter month takes a month such as 2024-03"),
        ({"filters": {"month": "2024"}}, "filter month takes a month such as 2024-03"),
    ],
)
def test_bad_facet_parameters(demo_news, options, message):
    with pytest.raises(BadParameter, match=message):
        demo_news.search("oil", **options)


def test_date_bucket_filters(demo_news, demo_articles):
    def published(prefix: str) -> int:
        return sum(1 for a in demo_articles if (a.published or "").startswith(prefix))

    march = demo_news.search(filters={"month": ["2025-03"]}, collapse=False)
    assert march.total == published("2025-03") > 0
    year = demo_news.search(filters={"year": ["2025", "2024"]}, collapse=False)
    assert year.total == published("2025") + published("2024")


def test_facet_and_filter_names_people_reach_for_mean_ours(demo_news):
    ours = demo_news.search(filters={"authors": ["Owen Hale"]}, facets=["topics"])
    theirs = demo_news.search(filters={"Author": ["Owen Hale"]}, facets=["topic"])
    assert ours.total == theirs.total == 4
    assert theirs.filters == {"authors": ["Owen Hale"]}
    assert list(theirs.facets) == ["topics"] and theirs.facets == ours.facets


def story_counts(articles, facet: str) -> dict[str, int]:
    """Per folded value, the stories (a story-less article is its own) carrying it."""
    stories: dict[str, set] = {}
    for a in articles:
        for v in set(values_of(a, facet)):
            stories.setdefault(facet_term(v), set()).add(a.story or a.id)
    return {v: len(s) for v, s in stories.items()}


@pytest.mark.parametrize("facet", list(FACETS))
def test_story_counts_under_a_query_and_a_filter_equal_a_straight_count(demo_news, facet):
    """Counted by story (the default) over a query's matches, each facet with every filter
    but its own: as counting the exported matches' stories by hand."""
    query, filters = "cocoa OR market OR prices", {"agency": ["Reuters"], "year": ["2024", "2025"]}
    result = demo_news.search(query, filters=filters, facet_size=1000)
    lifted = {name: v for name, v in filters.items() if name != facet}
    matches = list(demo_news.export(query, filters=lifted))
    assert folded(counts(result, facet)) == story_counts(matches, facet)
    every = list(demo_news.export(query, filters=filters))
    assert result.total == len({a.story or a.id for a in every}) > 0
    unfiltered = demo_news.search(query, facets=[])
    assert unfiltered.total < unfiltered.total_copies  # copies of one story among the matches


def test_browse_counts_follow_adds(tmp_path, demo_articles):
    """The browse page's counts (the whole archive's, kept per snapshot) after an add."""
    from search import NewsIndex
    from search.indexing.indexer import add_articles, rebuild_from_articles

    half = len(demo_articles) // 2
    rebuild_from_articles(demo_articles[:half], tmp_path)
    with NewsIndex.open(tmp_path) as news:
        before = news.search(facet_size=1000)
        assert before.total_copies == half
        add_articles(demo_articles[half:], tmp_path)
        after = news.search(facet_size=1000)
        everything = list(news.export())
    assert after.total_copies == len(demo_articles) == len(everything)
    assert after.total == len({a.story or a.id for a in everything})
    for facet in FACETS:
        assert folded(counts(after, facet)) == story_counts(everything, facet)


def test_dates_are_the_days_readers_are_shown_not_utcs(tmp_path):
    """An article published at 20:00 in California on 31 December is shown as 31 December:
    its year and month facets, ``published:`` queries, the date filter and the newest-first
    order go by that day too (in UTC it was already 1 January)."""
    from search import NewsIndex

    bodies = {
        "west": "The bay ferry adds a late sailing for the holiday crowds, the operator said. ",
        "east": "Storms cancelled the first ferry of the year across the strait on Monday. ",
        "tokyo": "A new ferry route links two island towns, cutting the trip to an hour. ",
    }
    records = [
        {"id": "west", "title": "Late ferry", "published": "2024-12-31T20:00:00-08:00"},
        {"id": "east", "title": "Early ferry", "published": "2025-01-01T01:00:00+00:00"},
        {"id": "tokyo", "title": "Tokyo ferry", "published": "2025-01-01T08:00:00+09:00"},
    ]
    news = NewsIndex(tmp_path)
    news.rebuild([{**record, "body": bodies[record["id"]] * 3} for record in records])
    with NewsIndex.open(tmp_path) as news:
        shown = {hit.id: hit.published[:10] for hit in news.search("ferry").hits}
        assert shown == {"west": "2024-12-31", "east": "2025-01-01", "tokyo": "2025-01-01"}
        years = {v.value: v.count for v in news.search("ferry", facets=["year"]).facets["year"]}
        assert years == {"2024": 1, "2025": 2}
        assert [h.id for h in news.search("ferry", filters={"year": ["2024"]}).hits] == ["west"]
        assert [h.id for h in news.search("ferry published:2024-12-31").hits] == ["west"]
        assert [h.id for h in news.search("ferry", sort="newest").hits] == ["tokyo", "east", "west"]


@pytest.mark.parametrize("collapse", [True, False])
@pytest.mark.parametrize(("query", "near"), [("city council", True), ("analysts said", False)])
def test_a_count_is_what_clicking_it_lists_when_near_matches_may_follow(
    demo_news, collapse, query, near
):
    """``city council``: fewer than ten demo articles hold both words, so the list goes on
    with near matches; ``analysts said``: more do, but fewer than ten of one outlet's. Each facet
    value counts what clicking it lists, near matches included: whether they follow is the
    query's to decide, over the archive, not the filter's."""
    result = _assert_counts_are_what_clicking_lists(demo_news, query, collapse)
    assert bool(result.near_matches) == near


def test_a_count_is_what_clicking_it_lists_when_a_common_word_only_ranks(reuters_news):
    """``coffee prices`` on the Reuters slice: "prices" is common there, so every story on
    coffee matches, holding it or not, and each count is of them."""
    result = _assert_counts_are_what_clicking_lists(reuters_news, "coffee prices", True)
    coffee = reuters_news.search("coffee", facets=[])
    assert result.total == coffee.total and not result.near_matches


def _assert_counts_are_what_clicking_lists(news, query: str, collapse: bool):
    mode = "stories" if collapse else "copies"  # what the total counts
    result = news.search(query, facets=list(FACETS), collapse=collapse, facet_mode=mode)
    for name, values in result.facets.items():
        for value in values:
            clicked = news.search(
                query, filters={name: [value.value]}, facets=[], collapse=collapse
            )
            assert clicked.total == value.count, (name, value.value)
    return result


def test_an_export_lists_what_the_page_lists_near_matches_included(demo_news):
    listed = demo_news.search("city council", per_page=100, facets=[], collapse=False)
    assert listed.near_matches and listed.total < 100
    assert [a.id for a in demo_news.export("city council")] == [h.id for h in listed.hits]
    newest = demo_news.search("city council", sort="newest", per_page=100, collapse=False)
    assert [a.id for a in demo_news.export("city council", sort="newest")] == [
        h.id for h in newest.hits
    ]
