"""Facet counts against counts taken straight from the JSONL, and multi-select semantics."""

from __future__ import annotations

from collections import Counter

import pytest
from corpus_loaders import allsides_authors, allsides_publisher, reuters_dateline

from search.errors import BadParameter
from search.searching.facets import FACET_CLASSES, FACETS


def counts(result, facet: str) -> dict[str, int]:
    return {v.value: v.count for v in result.facets[facet]}


def top(counter: Counter, n: int) -> dict[str, int]:
    ranked = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0].casefold()))
    return dict(ranked[:n])


def test_facet_classes_cover_every_facet():
    assert {type(f) for f in FACETS.values()} <= set(FACET_CLASSES)
    assert {f.type for f in FACETS.values()} == {"column", "array", "date"}


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


def test_counts_cover_all_matches_not_just_the_page(reuters_news, reuters_slice):
    result = reuters_news.search("cocoa", per_page=1, facet_mode="copies", collapse=False)
    assert sum(v.count for v in result.facets["agency"]) == result.total


def test_story_counts_never_exceed_copy_counts(reuters_news):
    stories = reuters_news.search("oil", facet_size=50)
    copies = reuters_news.search("oil", facet_size=50, facet_mode="copies")
    by_copy = counts(copies, "dateline")
    for value, count in counts(stories, "dateline").items():
        assert count <= by_copy[value]
    assert sum(counts(stories, "agency").values()) == stories.total


def test_or_within_a_facet(reuters_news, reuters_slice):
    chosen = {"cocoa", "coffee"}
    result = reuters_news.search(filters={"topics": sorted(chosen)}, collapse=False)
    expected = sum(1 for r in reuters_slice if chosen & set(r["topics"]))
    assert result.total == expected


def test_and_across_facets_and_own_selection_lifted(reuters_news, reuters_slice):
    filters = {"topics": ["coffee"], "dateline": ["London", "Rio De Janeiro"]}
    result = reuters_news.search(filters=filters, collapse=False, facet_mode="copies")
    in_place = [r for r in reuters_slice if reuters_dateline(r) in {"London", "Rio De Janeiro"}]
    expected = [r for r in in_place if "coffee" in r["topics"]]
    assert result.total == len(expected) > 0
    # topics counted with the dateline filter only (its own selection lifted) ...
    topic_counts = Counter(t for r in in_place for t in r["topics"])
    listed = counts(result, "topics")
    for value, count in listed.items():
        assert topic_counts[value] == count
    # ... and datelines counted with the topic filter only.
    coffee = [r for r in reuters_slice if "coffee" in r["topics"]]
    place_counts = Counter(reuters_dateline(r) for r in coffee)
    for value, count in counts(result, "dateline").items():
        assert place_counts[value] == count


def test_selected_values_are_flagged_and_always_listed(reuters_news):
    result = reuters_news.search(filters={"dateline": ["Tokyo", "Nowhere At All"]}, facet_size=1)
    values = {v.value: v for v in result.facets["dateline"]}
    assert values["Tokyo"].selected and values["Nowhere At All"].selected
    assert values["Nowhere At All"].count == 0
    unselected = [v for v in result.facets["dateline"] if not v.selected]
    assert len(unselected) <= 1


def test_filter_values_match_any_case(reuters_news):
    a = reuters_news.search(filters={"dateline": ["TOKYO"]})
    b = reuters_news.search(filters={"dateline": ["tokyo"]})
    assert a.total == b.total > 0


def test_toggle_gives_the_filters_a_click_would_make(reuters_news):
    result = reuters_news.search(filters={"topics": ["coffee"]})
    for value in result.facets["topics"]:
        if value.value == "coffee":
            assert value.selected and value.toggle == {}
        else:
            assert value.toggle == {"topics": ["coffee", value.value]}
    value = result.facets["dateline"][0]
    assert value.toggle == {"topics": ["coffee"], "dateline": [value.value]}


def test_order_count_then_value_and_dates_newest_first(reuters_news):
    result = reuters_news.search()
    listed = [(-v.count, v.value.casefold()) for v in result.facets["dateline"]]
    assert listed == sorted(listed)
    months = [v.value for v in result.facets["month"]]
    assert months == sorted(months, reverse=True)
    assert result.facets["month"][-1].label == "February 1987"


def test_facet_size_caps_the_list(reuters_news):
    assert len(reuters_news.search(facet_size=3).facets["topics"]) == 3


def test_choose_facets(reuters_news):
    assert list(reuters_news.search("oil", facets=["agency"]).facets) == ["agency"]
    assert reuters_news.search("oil", facets=[]).facets == {}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"facets": ["colour"]}, "unknown facet 'colour'"),
        ({"filters": {"colour": ["red"]}}, "unknown filter field 'colour'"),
        ({"facet_size": 0}, "facet_size must be"),
        ({"facet_mode": "both"}, "unknown facet_mode 'both'"),
    ],
)
def test_bad_facet_parameters(reuters_news, options, message):
    with pytest.raises(BadParameter, match=message):
        reuters_news.search("oil", **options)


def test_date_bucket_filters(reuters_news, reuters_slice):
    march = reuters_news.search(filters={"month": ["1987-03"]}, collapse=False)
    assert march.total == sum(1 for r in reuters_slice if r["date"].startswith("1987-03"))
    year = reuters_news.search(filters={"year": ["1987"]}, collapse=False)
    assert year.total == len(reuters_slice)
