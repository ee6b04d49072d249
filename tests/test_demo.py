"""The bundled demo archive is the fixture corpus: written by us, reproducible, and worth
opening in the search page (every facet has several values, dates span years, syndicated
stories have copies, some items are undated, wire briefs sit beside long stories)."""

from __future__ import annotations

from collections import Counter

from fixtures.make_demo_briefs import OUTPUT_FILE, briefs, render


def test_the_briefs_file_is_what_its_generator_writes():
    assert OUTPUT_FILE.read_text("utf-8") == render(briefs())


def test_briefs_read_like_wire_copy(demo_articles):
    by_id = {a.id: a for a in demo_articles}
    made = [by_id[r["id"]] for r in briefs()]
    assert len(made) > 100
    assert all(a.dateline and a.agency and a.title and a.body for a in made)
    assert all(not a.body.startswith(a.dateline) for a in made)  # the lead went to fields
    assert sum(1 for a in made if a.published is None) >= 5
    assert max(a.word_count for a in made) < 120


def test_dates_span_more_than_a_year_and_some_are_missing(demo_articles):
    years = Counter(a.published[:4] for a in demo_articles if a.published)
    assert len(years) >= 3 and min(years.values()) > 10
    assert sum(1 for a in demo_articles if not a.published) >= 10


def test_several_stories_have_copies_from_several_outlets(demo_news):
    with_copies = [h for h in demo_news.search("", per_page=100).hits if h.also_ran.count]
    with_copies += [h for h in demo_news.search("", per_page=100, page=2).hits if h.also_ran.count]
    assert len(with_copies) >= 4
    assert max(h.also_ran.count for h in with_copies) >= 2
    for hit in with_copies:
        outlets = {hit.publisher, *(o.publisher for o in hit.also_ran.outlets)}
        assert len(outlets) == hit.also_ran.count + 1, hit.title
