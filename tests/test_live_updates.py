"""``add`` into a live index never breaks search, whatever fields the new articles lack.

Each ``add`` writes a new Whoosh segment; a segment of articles without a date (or
without any other field) holds no column for it. Every command that reads the index must
still answer, with each article's values on that article.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from test_indexer import DEMO, newsindex

FULL_RECORD = {
    "id": "full-1",
    "url": "https://example.org/harbour/2025/05/02/dredging",
    "title": "Harbour dredging begins after a decade of delays",
    "dateline": "PORTSMOUTH",
    "agency": "AP",
    "publisher": "Harbour Times",
    "published": "2025-05-02T09:00:00Z",
    "authors": ["Ada Lovell"],
    "topics": ["ports"],
    "language": "en",
    "body": (
        "Dredging of the harbour channel began on Friday, ten years after it was first "
        "promised, as barges removed silt that has kept larger ferries away from the quay. "
        "Port officials said the work would take eight months and cost 40 million pounds."
    ),
}
#: Fields an export may leave out (``body`` cannot be missing: an article needs text).
OPTIONAL_FIELDS = [k for k in FULL_RECORD if k not in ("body",)]


def write_jsonl(path, records: list[dict]) -> str:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return str(path)


def search_json(index, query: str = "", *extra: str) -> dict:
    out = newsindex("search", query, "--index", str(index), "--json", "--all-copies", *extra)
    return json.loads(out.stdout)


def search_all(index, query: str = "") -> dict:
    """The JSON of the first page with the hits of every page."""
    first = search_json(index, query, "--per-page", "100")
    for page in range(2, -(-first["total"] // 100) + 1):
        first["hits"] += search_json(index, query, "--per-page", "100", "--page", str(page))["hits"]
    assert len(first["hits"]) == first["total"]
    return first


@pytest.fixture(scope="module")
def built_demo(tmp_path_factory):
    index = tmp_path_factory.mktemp("built") / "index"
    newsindex("rebuild", str(DEMO), "--index", str(index), "--silent")
    return index


@pytest.fixture
def dated_index(tmp_path, built_demo):
    """A fresh copy of the rebuilt demo for each test to add to."""
    index = tmp_path / "index"
    shutil.copytree(built_demo, index)
    return index


@pytest.mark.parametrize("missing", OPTIONAL_FIELDS)
def test_add_of_an_article_without_one_field_keeps_every_command_answering(
    tmp_path, dated_index, missing
):
    before = search_all(dated_index)
    record = {k: v for k, v in FULL_RECORD.items() if k != missing}
    record["id"] = f"missing-{missing}"
    newsindex("add", write_jsonl(tmp_path / "one.jsonl", [record]), "--index", str(dated_index))
    # An article added after the gap must keep its own date and facet values.
    later = {
        "id": "later-1",
        "title": "Hovercraft service cut for the winter",
        "dateline": "DOVER",
        "agency": "Reuters",
        "publisher": "Ferry Gazette",
        "published": "1999-06-30T12:00:00Z",
        "authors": ["Bo Lind"],
        "topics": ["transport"],
        "body": "Cross-channel hovercraft will sail four times a day instead of six from "
        "November, the operator said, blaming fuel costs and fewer winter passengers.",
    }
    newsindex("add", write_jsonl(tmp_path / "two.jsonl", [later]), "--index", str(dated_index))

    after = search_all(dated_index)
    assert after["total_copies"] == before["total_copies"] + 2
    # Every article that was there keeps its own date (no value shifted to another docnum).
    dates_before = {h["id"]: h["published"] for h in before["hits"]}
    dates_after = {h["id"]: h["published"] for h in after["hits"]}
    assert {k: dates_after[k] for k in dates_before} == dates_before
    assert dates_after["later-1"] == "1999-06-30T12:00:00+00:00"

    # Facet counts of the articles that were there are unchanged (values not shifted).
    old_facets = search_json(dated_index, "NOT dredging NOT hovercraft", "--per-page", "100")
    for name, values in before["facets"].items():
        assert old_facets["facets"][name] == values, name

    found = search_json(dated_index, "dredging")
    assert [h["id"] for h in found["hits"]] == [f"missing-{missing}"]
    ferry = search_json(dated_index, "hovercraft")
    assert [h["id"] for h in ferry["hits"]] == ["later-1"]
    assert {
        name: [(v["value"], v["count"]) for v in values] for name, values in ferry["facets"].items()
    } == {
        "agency": [("Reuters", 1)],
        "publisher": [("Ferry Gazette", 1)],
        "dateline": [("DOVER", 1)],
        "topics": [("transport", 1)],
        "authors": [("Bo Lind", 1)],
        "year": [("1999", 1)],
        "month": [("1999-06", 1)],
    }
    june = search_json(dated_index, "published:1999-06")
    assert [h["id"] for h in june["hits"]] == ["later-1"]
    years = {v["value"]: v["count"] for v in after["facets"]["year"]}
    assert years.get("1999", 0) == 1

    newsindex("show", f"missing-{missing}", "--index", str(dated_index))
    newsindex("related", "later-1", "--index", str(dated_index))
    for sort in ("newest", "oldest", "relevance"):
        search_json(dated_index, "harbour", "--sort", sort)


def test_add_of_an_undated_wire_story_then_search_show_related(dated_index):
    """The reported case: an undated wire text added to a dated archive."""
    seed = Path(__file__).parent / "fixtures" / "wire" / "undated-story.txt"
    newsindex("add", str(seed), "--index", str(dated_index))
    result = search_json(dated_index, "lighthouse")
    assert [h["title"] for h in result["hits"]] == ["Lighthouse keeper's cottage to become museum"]
    assert result["hits"][0]["published"] is None
    newsindex("show", result["hits"][0]["id"], "--index", str(dated_index))
    newsindex("related", result["hits"][0]["id"], "--index", str(dated_index))
    assert search_json(dated_index, "", "--sort", "newest")["hits"]


def test_a_running_reader_sees_each_add_as_a_fresh_one_does(tmp_path, dated_index):
    """A long-lived reader (a web worker) reuses what it read of unchanged segments after
    an ``add``: its answers must be exactly those of a reader opened afterwards."""
    from search import NewsIndex

    running = NewsIndex.open(dated_index)
    running.search("")
    for n, missing in enumerate(["published", "authors", None]):
        record = {k: v for k, v in FULL_RECORD.items() if k != missing}
        record["id"] = f"batch-{n}"
        record["publisher"] = "Harbour Times" if n % 2 else "HARBOUR TIMES"  # one value
        newsindex(
            "add", write_jsonl(tmp_path / f"{n}.jsonl", [record]), "--index", str(dated_index)
        )
        with NewsIndex.open(dated_index) as fresh:
            for query in ("", "harbour", "dredging OR silt"):
                for options in ({}, {"collapse": False, "facet_mode": "copies"}):
                    ours = running.search(query, **options).to_dict()
                    theirs = fresh.search(query, **options).to_dict()
                    ours.pop("took_ms"), theirs.pop("took_ms")
                    assert ours == theirs, (n, query, options)
    running.close()


def test_many_small_adds_keep_the_segments_few(dated_index):
    """A cron job adding a few articles every few minutes: each add writes a segment, and
    the small ones are merged once enough gather, so searches do not slow down over days."""
    from search import NewsIndex
    from search.article import Article
    from search.indexing.parallel import MERGE_FACTOR

    with NewsIndex.open(dated_index) as news:
        start = news.stats().segments
        counts = []
        for n in range(MERGE_FACTOR + 2):
            body = f"Quokka ferry timetable number {n} changes on Monday for winter. " * 3
            news.add([Article(id=f"cron-{n}", title=f"Timetable {n}", body=body)])
            counts.append(news.stats().segments)
        assert max(counts) <= start + MERGE_FACTOR
        assert counts[-1] < max(counts)  # merged
        found = news.search("quokka", per_page=50, collapse=False)
        assert sorted(hit.id for hit in found.hits) == sorted(
            f"cron-{n}" for n in range(MERGE_FACTOR + 2)
        )
