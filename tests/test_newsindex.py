"""The one door: ``NewsIndex`` writes, reads, charts and exports; settings and error kinds.

Runs on the bundled demo sample (in the repository), so a clean clone runs it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from search import NewsIndex, Settings
from search.article import Article
from search.errors import (
    ArticleNotFound,
    BadParameter,
    IndexDamaged,
    IndexNotFound,
    IndexOutdated,
    NewsIndexError,
    UserError,
)
from search.searching.results import export_csv_lines, export_jsonl_lines

DEMO = Path(__file__).resolve().parents[1] / "search" / "demo"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("door") / "index"
    report = NewsIndex(path).rebuild([str(DEMO)], workers=1)
    assert report.indexed > 20 and not report.skipped
    return path


@pytest.fixture(scope="module")
def news(demo_path):
    with NewsIndex.open(demo_path) as news:
        yield news


def all_articles(news: NewsIndex) -> list[Article]:
    return list(news.export(""))


# -- settings ------------------------------------------------------------------------------------


def test_settings_from_a_mapping_and_the_environment():
    settings = Settings.load(
        {"NEWSINDEX_MAX_PER_PAGE": "20", "facet_time_limit_ms": 50},
        environ={"NEWSINDEX_MAX_PER_PAGE": "30", "NEWSINDEX_WORKERS": "2", "NEWSINDEX_INDEX": "x"},
    )
    assert (settings.max_per_page, settings.facet_time_limit_ms, settings.workers) == (20, 50.0, 2)
    assert Settings.load(None, environ={}).to_dict() == Settings().to_dict()


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"max_per_pgae": 5}, "unknown setting 'max_per_pgae': did you mean 'max_per_page'?"),
        ({"max_per_page": "many"}, "setting max_per_page must be a whole number, not 'many'"),
        ({"max_per_page": 0}, "setting max_per_page must be at least 1, not 0"),
        ({"facet_time_limit_ms": True}, "must be a number"),
    ],
)
def test_bad_settings_are_refused_in_one_line(values, message):
    with pytest.raises(BadParameter, match=message.replace("?", r"\?")):
        Settings.load(values, environ={})


def test_settings_reach_the_search(demo_path):
    with NewsIndex.open(demo_path, {"max_per_page": 5, "default_per_page": 3}) as news:
        assert news.search("").per_page == 3
        with pytest.raises(BadParameter, match="per_page must be a whole number from 1 to 5"):
            news.search("", per_page=6)


def test_facets_past_the_time_limit_are_listed_as_timed_out(demo_path):
    with NewsIndex.open(demo_path, {"facet_time_limit_ms": 0}) as news:
        result = news.search("", facets=["agency", "publisher"])
    assert result.facets == {} and result.facets_timed_out == ["agency", "publisher"]
    assert result.to_dict()["facets_timed_out"] == ["agency", "publisher"]


# -- reading -------------------------------------------------------------------------------------


def test_show_is_the_article_its_copies_and_related(news):
    story = next(h for h in news.search("offshore grid").hits if h.also_ran.count)
    view = news.show(story.id).to_dict()
    assert view["article"]["id"] == story.id
    assert {c["id"] for c in view["copies"]} == {o.id for o in story.also_ran.outlets}
    assert view["related"] and all(h["story"] != story.story for h in view["related"])
    json.dumps(view)  # plain data all the way down
    with pytest.raises(ArticleNotFound):
        news.show("no-such-id")


def test_timeline_counts_each_month_like_an_independent_count(news):
    timeline = news.timeline("", collapse=False)
    assert timeline.interval == "month"
    (series,) = timeline.series
    expected = Counter(a.published[:7] for a in all_articles(news) if a.published)
    got = {p.date: p.count for p in series.points}
    assert {k: v for k, v in got.items() if v} == dict(expected)
    # every month between the first and the last is a point, zeros included
    first, last = (int(m[:4]) * 12 + int(m[5:]) for m in (min(expected), max(expected)))
    assert len(got) == last - first + 1 and min(got) == min(expected) and max(got) == max(expected)
    assert series.undated == sum(1 for a in all_articles(news) if not a.published)


def test_timeline_compare_shares_buckets_and_downloads_as_csv(news):
    timeline = news.timeline("oil", compare=["grid", "water"])
    assert [s.query for s in timeline.series] == ["oil", "grid", "water"]
    dates = [[p.date for p in s.points] for s in timeline.series]
    assert dates[0] == dates[1] == dates[2]
    rows = list(csv.reader(io.StringIO(timeline.to_csv())))
    assert rows[0] == ["date", "oil", "grid", "water"]
    assert len(rows) == len(dates[0]) + 1
    assert sum(int(r[1]) for r in rows[1:]) == timeline.series[0].total - timeline.series[0].undated


def test_timeline_counts_per_day_over_a_short_span(news):
    timeline = news.timeline("published:[2026-01-01 TO 2026-02-28]")
    assert timeline.interval == "day"
    points = timeline.series[0].points
    assert points[0].date >= "2026-01-01" and points[-1].date <= "2026-02-28"
    assert sum(p.count for p in points) == timeline.series[0].total


def test_timeline_refuses_too_many_comparisons(news):
    with pytest.raises(BadParameter, match="at most 4"):
        news.timeline("oil", compare=["a", "b", "c", "d", "e"])


def test_date_range_filter_keeps_whole_buckets_at_both_ends(news):
    dates = [a.published[:10] for a in all_articles(news) if a.published]
    first_year = min(dates)[:4]
    in_year = news.search(
        "", filters={"published": [f"{first_year}..{first_year}"]}, collapse=False
    )
    assert in_year.total == sum(d.startswith(first_year) for d in dates) > 0
    open_ended = news.search("", filters={"published": [f"..{first_year}-12-31"]}, collapse=False)
    assert open_ended.total == in_year.total
    assert open_ended.filters == {"published": [f"..{first_year}-12-31"]}


@pytest.mark.parametrize("value", ["2025", "2025-13-01..", "..", "soon..later"])
def test_malformed_date_range_is_the_users_mistake(news, value):
    with pytest.raises(UserError, match="date"):
        news.search("", filters={"published": [value]})


def test_export_streams_every_match_in_order(news):
    pages = [news.search("", sort="newest", collapse=False, per_page=100, page=n) for n in (1, 2)]
    exported = list(news.export("", sort="newest"))
    assert [a.id for a in exported] == [h.id for page in pages for h in page.hits]
    assert len(exported) == pages[0].total > 100
    lines = list(export_csv_lines(iter(exported)))
    assert lines[0].startswith("id,title,published,")
    assert len(list(csv.reader(io.StringIO("".join(lines))))) == len(exported) + 1
    first = json.loads(next(export_jsonl_lines(iter(exported))))
    assert first["id"] == exported[0].id


def test_export_survives_a_rebuild_while_it_streams(tmp_path):
    news = NewsIndex.open(tmp_path / "index")
    news.rebuild([str(DEMO)], workers=1)
    rows = news.export("")
    first = next(rows)
    news.rebuild([str(DEMO / "wire")], workers=1, allow_shrink=True)
    news.search("")  # the engine moves on to the new generation ...
    news.rebuild([str(DEMO / "feeds")], workers=1, allow_shrink=True)
    news.search("")
    rest = list(rows)  # ... the export finishes on the one it started with
    assert len(rest) + 1 > 20 and first.id not in {a.id for a in rest}
    news.close()


def test_add_takes_json_objects_as_an_export_row_is_read(demo_path, tmp_path):
    path = tmp_path / "index"
    shutil.copytree(demo_path, path)
    record = {
        "headline": "Harbour ferry returns after storm repairs",
        "content": "KIRKWALL, Scotland (Reuters) - The island ferry sailed again on Monday.",
        "link": "https://example.org/ferry",
    }
    with NewsIndex.open(path) as news:
        report = news.add([record, "not an object"])
        assert (report.indexed, [s.reason for s in report.skipped]) == (
            1,
            ["not an object with article fields"],
        )
        hit = news.search("ferry storm").hits[0]
        assert (hit.title, hit.dateline, hit.agency) == (
            record["headline"],
            "KIRKWALL, Scotland",
            "Reuters",
        )
        assert news.add({**record, "content": "Sailing again."}).updated == 1


def test_stats_and_generation_change_with_writes(tmp_path):
    with NewsIndex.open(tmp_path / "index") as news:
        news.rebuild([str(DEMO / "wire")], workers=1)
        before, stats = news.generation, news.stats().to_dict()
        assert stats["documents"] > 5 and stats["generation"] in before
        extra = Article(id="extra-1", title="Extra", body="A short extra story about a quay.")
        report = news.add([extra])
        assert report.indexed == 1 and news.generation != before
        assert news.get("extra-1").title == "Extra"
        news.delete(["extra-1"])
        with pytest.raises(ArticleNotFound):
            news.get("extra-1")
        news.add([extra])
        gone = news.delete("extra-1")  # one id as a string, as ``add`` takes one path
        assert (gone.deleted, gone.not_found) == (1, [])
        with pytest.raises(ArticleNotFound):
            news.get("extra-1")


# -- error kinds ---------------------------------------------------------------------------------


def test_error_kinds_carry_their_status():
    assert BadParameter("x").status == 400 and isinstance(BadParameter("x"), UserError)
    assert ArticleNotFound("x").to_dict() == {
        "error": "article_not_found",
        "message": "x",
        "status": 404,
    }


def copy_index(demo_path: Path, tmp_path: Path) -> Path:
    target = tmp_path / "index"
    shutil.copytree(demo_path, target)
    return target


def test_missing_index(tmp_path):
    with pytest.raises(IndexNotFound, match="newsindex rebuild"):
        NewsIndex.open(tmp_path / "nothing").search("")


def test_an_index_path_that_is_a_file_is_the_callers_mistake(tmp_path):
    (tmp_path / "notes.txt").write_text("not an index")
    with pytest.raises(BadParameter, match="is a file, not an index folder") as caught:
        NewsIndex.open(tmp_path / "notes.txt")
    assert caught.value.status == 400


def test_corrupt_manifest_is_a_damaged_index_not_the_users_fault(demo_path, tmp_path):
    path = copy_index(demo_path, tmp_path)
    (path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexDamaged, match="rebuild") as caught:
        NewsIndex.open(path)
    assert caught.value.status == 500


def test_missing_generation_is_a_damaged_index(demo_path, tmp_path):
    path = copy_index(demo_path, tmp_path)
    generation = json.loads((path / "manifest.json").read_text())["generation"]
    shutil.rmtree(path / generation)
    with pytest.raises(IndexDamaged, match="damaged"):
        NewsIndex.open(path)


def test_index_of_another_schema_is_outdated(demo_path, tmp_path):
    path = copy_index(demo_path, tmp_path)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["schema_version"] = 99
    (path / "manifest.json").write_text(json.dumps(manifest))
    news = NewsIndex.open(path)
    with pytest.raises(IndexOutdated, match="rebuild") as caught:
        news.search("oil")
    assert caught.value.status == 503
    with pytest.raises(IndexOutdated):
        news.add([Article(id="a", title="A", body="Body text.")])
    # The upgrade path the message names: a rebuild replaces it.
    news.rebuild(
        [Article(id="a", title="Cocoa rally", body="Cocoa prices rose again.")], allow_shrink=True
    )
    assert [hit.id for hit in news.search("cocoa").hits] == ["a"]


def test_unreadable_story_state_is_damaged_and_changes_nothing(demo_path, tmp_path):
    path = copy_index(demo_path, tmp_path)
    generation = json.loads((path / "manifest.json").read_text())["generation"]
    (path / generation / "stories" / "state.json").write_bytes(b"garbage")
    news = NewsIndex.open(path)
    before = news.search("").total_copies
    with pytest.raises(IndexDamaged, match="story index"):
        news.add([Article(id="a", title="A", body="Body text.")])
    assert news.search("").total_copies == before
    assert isinstance(IndexDamaged("x"), NewsIndexError)
