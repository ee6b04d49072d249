"""How results are ranked, on a small export built through the real pipeline.

Each test holds one ranking rule to what a reader would check on the first page: a title
made from the lead does not weigh as a headline, briefs come after stories yet first when
they are the best match, words standing together rank first, a long query still finds
the stories missing one of its words, after those holding them all, a dateline finds a
story without ranking it above one about the place, and a story using the vocabulary of the
best matches ranks above those that mention the word in passing, once or twice
(pseudo-relevance feedback).
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace

import pytest

from search import NewsIndex
from search.searching.scoring import DEFAULT_RANKING

FILLER = (
    "Officials met on Tuesday to discuss the schedule. The committee said a report would "
    "follow next month. Several members asked for more time, and the chair agreed. "
)


def _record(id_: str, title: str, body: str, published: str) -> dict:
    return {"id": id_, "title": title, "body": body, "published": published}


RECORDS = [
    # A record without a headline: its title is made from the lead.
    _record("no-headline", "", "Copper output fell. " + FILLER * 3, "2024-03-02"),
    _record("headline", "Chile copper output falls", "Output fell. " + FILLER * 3, "2024-03-01"),
    # A flash: a headline and no body.
    _record("flash", "NICKEL PRICES", "", "2024-03-05"),
    _record(
        "nickel-story",
        "Nickel climbs as mines shut across the region",
        FILLER + "Nickel prices rose as traders expect tight supply. " + FILLER * 2,
        "2024-03-04",
    ),
    _record("flash-only", "NICKEL INDICATION AT 1500", "", "2024-03-06"),
    # Words side by side, and the same words apart (in a shorter, newer story).
    _record(
        "together",
        "Congress debate",
        FILLER + "The border wall funding plan drew questions. " + FILLER * 3,
        "2024-02-01",
    ),
    _record(
        "apart",
        "Congress debate",
        FILLER + "Border officials met. The plan drew questions. A wall was discussed later "
        "in the long session. Funding remains unclear. " + FILLER,
        "2024-02-02",
    ),
    # Two of the three words of "border wall funding".
    _record(
        "two-of-three",
        "Congress debate",
        FILLER + "The border wall plan drew questions. " + FILLER * 2,
        "2024-02-03",
    ),
]


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ranking")
    source = folder / "export.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n", encoding="utf-8")
    with NewsIndex.open(folder / "index") as news:
        news.rebuild([source])
        yield news


def ids(news, query: str) -> list[str]:
    """Every hit in order (the records share filler text: copies are listed, not collapsed)."""
    return [hit.id for hit in news.search(query, per_page=20, facets=[], collapse=False).hits]


def test_a_title_made_from_the_lead_is_shown_but_not_weighed_as_a_headline(news):
    article = news.get("no-headline")
    assert article.title == "Copper output fell" and article.title_from_lead
    assert not news.get("headline").title_from_lead
    assert ids(news, "title:copper") == ["headline"]
    assert ids(news, "copper") == ["headline", "no-headline"]


def test_briefs_rank_after_stories_yet_first_when_they_match_best(news):
    assert ids(news, "nickel prices")[:2] == ["nickel-story", "flash"]
    assert ids(news, "nickel indication")[0] == "flash-only"


def test_words_standing_together_rank_first(news):
    assert ids(news, "border wall")[2] == "apart"
    assert ids(news, "border wall funding")[0] == "together"


def test_a_long_query_finds_stories_missing_one_word_after_those_with_all(news):
    assert ids(news, "border wall funding")[2] == "two-of-three"
    assert ids(news, "border AND wall AND funding") == ["together", "apart"]
    assert news.search("border wall funding", facets=[], collapse=False).total == 3


def test_a_short_list_goes_on_with_near_matches_when_ranked_by_relevance(news):
    """``nickel prices``: two records hold both words, so the list goes on with the one
    holding ``nickel`` alone; sorted by date, switched off, or with an explicit ``AND``, the
    list is what holds both."""
    result = news.search("nickel prices", per_page=20, facets=[], collapse=False)
    assert result.near_matches == 1 and result.total == 3
    assert [(hit.id, hit.near) for hit in result.hits] == [
        ("nickel-story", False),
        ("flash", False),
        ("flash-only", True),
    ]
    both = {"nickel-story", "flash"}
    assert set(ids(news, "nickel AND prices")) == both
    newest = news.search("nickel prices", sort="newest", facets=[], collapse=False)
    assert not newest.near_matches and {hit.id for hit in newest.hits} == both
    with NewsIndex.open(news.path, ranking=replace(DEFAULT_RANKING, few_matches=0)) as strict:
        assert set(ids(strict, "nickel prices")) == both
    # a filter leaves fewer: near matches are those the filter lets through
    filtered = news.search(
        "nickel prices", filters={"published": "2024-03-05.."}, facets=[], collapse=False
    )
    assert [(hit.id, hit.near) for hit in filtered.hits] == [("flash", False), ("flash-only", True)]


def test_near_matches_stay_below_every_full_match_after_ranking_by_subject(reuters_news):
    """Ranking again by subject and feedback reorders the best matches by what they are
    about; a story lacking a word typed must still come after every story holding them all."""
    shown = 0
    for query in ["tungsten prices", "canola crop", "nonfarm payrolls", "sunflower oil"]:
        result = reuters_news.search(query, per_page=100, facets=[], collapse=False)
        if not result.near_matches:
            continue
        near = [hit.near for hit in result.hits]
        assert near == sorted(near), query  # every full match (False) before any near one
        shown += 1
    assert shown >= 2


def _holds(news, hit, pattern: str) -> bool:
    article = news.get(hit.id)
    return re.search(pattern, f"{article.title} {article.body}", re.IGNORECASE) is not None


PRICES = r"\bpric(e|es|ed|ing)\b"


def test_a_common_word_beside_a_rarer_one_only_ranks(reuters_news):
    """``coffee prices`` on a commodity wire, where "prices" is in a sixth of the stories:
    every story on coffee matches, none marked near, and one lacking "prices" may rank
    above one holding it (Lucene's ``CommonTermsQuery``), as the rarer word says what a
    story is about. With ``common_near`` those lacking it follow, marked near; with
    ``common_share`` 0, the list is what holds both."""
    result = reuters_news.search("coffee prices", per_page=100, facets=[], collapse=False)
    listed = [hit.id for hit in result.hits]
    coffee = reuters_news.search("coffee", per_page=100, facets=[], collapse=False)
    assert set(listed) == {hit.id for hit in coffee.hits} and len(listed) == result.total
    assert not result.near_matches and not any(hit.near for hit in result.hits)
    holding = [_holds(reuters_news, hit, PRICES) for hit in result.hits]
    assert holding[0] and holding != sorted(holding, reverse=True)  # interleaved, on score
    both = set(ids(reuters_news, "coffee AND prices"))
    assert 10 <= len(both) < len(listed)
    near = replace(DEFAULT_RANKING, common_near=True)
    with NewsIndex.open(reuters_news.path, ranking=near) as below:
        hits = below.search("coffee prices", per_page=100, facets=[], collapse=False).hits
        assert [hit.id for hit in hits if not hit.near] == [i for i in listed if i in both]
        assert {hit.id for hit in hits if hit.near} == set(listed) - both
        assert [hit.near for hit in hits] == sorted(hit.near for hit in hits)
    off = replace(DEFAULT_RANKING, common_share=0.0)
    with NewsIndex.open(reuters_news.path, ranking=off) as strict:
        assert set(ids(strict, "coffee prices")) == both


def test_common_words_alone_narrow_as_typed(reuters_news):
    """Two common words (``oil prices``) are all the reader gave: every one is needed; and
    sorted by date, nothing follows what holds every word."""
    result = reuters_news.search("oil prices", per_page=10, facets=[], collapse=False)
    assert result.total >= 10 and not result.near_matches
    newest = reuters_news.search("coffee prices", sort="newest", facets=[], collapse=False)
    assert not newest.near_matches
    assert newest.total == len(set(ids(reuters_news, "coffee AND prices")))


def _metals_archive(fillers: int) -> list[dict]:
    """Three zinc stories (two on its market, one of them a tin report) among ``fillers``
    others, a tenth of them on a market and a tenth holding a report: "market" and "report"
    are common, "zinc" and "tin" rare (under 2% of 200 articles, not of 140)."""
    records = [
        _record(
            "zinc-tin", "Zinc market notes", "The zinc market and tin traders met.", "2024-05-01"
        ),
        _record(
            "zinc-tin-report",
            "Zinc market report",
            "The zinc market report named tin traders.",
            "2024-05-02",
        ),
        _record("zinc-smelter", "Zinc smelter shuts", "The zinc smelter closed.", "2024-05-03"),
    ]
    for n in range(fillers):
        topic = "The fish market opened early." if n % 10 == 0 else "Farmers met."
        extra = " A report followed." if n % 10 == 5 else ""
        records.append(_record(f"filler-{n}", f"Local notes {n}", topic + extra, "2024-04-01"))
    return records


@pytest.fixture(scope="module")
def metals(tmp_path_factory):
    folder = tmp_path_factory.mktemp("metals")
    news = NewsIndex(folder / "index")
    news.rebuild(_metals_archive(197))
    return folder / "index"


def test_what_a_not_excludes_is_taken_as_typed(metals):
    """``-(tin report)`` excludes what holds both words: a common word there must not widen
    what it excludes to every story on tin, so the zinc market story without a report
    stays, and so does the zinc story on its own ("market" only ranks)."""
    with NewsIndex.open(metals, ranking=replace(DEFAULT_RANKING, few_matches=0)) as news:
        listed = news.search("zinc market -(tin report)", facets=[], collapse=False)
        assert [(hit.id, hit.near) for hit in listed.hits] == [
            ("zinc-tin", False),
            ("zinc-smelter", False),
        ]
        assert ids(news, "zinc market NOT (tin report)") == ["zinc-tin", "zinc-smelter"]


def test_a_field_term_narrows_as_typed_however_common_its_word(metals):
    with NewsIndex.open(metals, ranking=replace(DEFAULT_RANKING, few_matches=0)) as news:
        assert set(ids(news, "zinc market")) == {"zinc-tin", "zinc-tin-report", "zinc-smelter"}
        assert set(ids(news, "zinc title:market")) == {"zinc-tin", "zinc-tin-report"}


def test_how_common_a_word_is_counts_live_articles_only(metals, tmp_path):
    """Deleting 60 of 200 articles makes "zinc" (3) common, as in an archive built with the
    140 left: the same archive ranks the same whatever its history."""
    shutil.copytree(metals, tmp_path / "index")
    NewsIndex(tmp_path / "index").delete([f"filler-{n}" for n in range(137, 197)])
    fresh = NewsIndex(tmp_path / "fresh")
    fresh.rebuild(_metals_archive(137))
    strict = replace(DEFAULT_RANKING, few_matches=0)
    for path in (tmp_path / "index", tmp_path / "fresh"):
        with NewsIndex.open(path, ranking=strict) as news:
            result = news.search("zinc market", facets=[], collapse=False)
            assert (result.total, result.near_matches) == (2, 0), path


# -- the byline finds, the text ranks; feedback from the best matches --------------------------

MINING = [
    _record(
        "strike",
        "Copper miners strike at Chile smelter",
        "Copper miners walked out at the smelter, halting copper concentrate shipments of "
        "thousands of tonnes from the Chile mine.",
        "2024-04-01",
    ),
    _record(
        "output",
        "Chile copper output falls",
        "Copper output from Chile mines fell as the smelter cut concentrate intake; miners "
        "expect fewer tonnes of copper this year.",
        "2024-04-02",
    ),
    _record(
        "prices",
        "Copper climbs on mine supply worries",
        "Copper rose as Chile mine disruptions and smelter outages cut concentrate supply by "
        "tonnes; miners warned copper stocks are thin.",
        "2024-04-03",
    ),
    # One mention of copper each, far down a long story: one among the mining vocabulary...
    _record(
        "andes",
        "Andes shipping report",
        FILLER * 2 + "The smelter near the Chile mine shipped concentrate by the tonnes, and "
        "miners said copper was one of several metals. " + FILLER,
        "2024-03-01",
    ),
    # ...one in passing, in a shorter and newer story (plain BM25F puts it first)...
    _record(
        "fashion",
        "Autumn fashion report",
        FILLER * 2 + "Designers showed coats in copper tones, and velvet returns. " + FILLER,
        "2024-03-20",
    ),
    # ...and two in passing, in a longer one (plain BM25F puts it above both).
    _record(
        "kitchen",
        "Kitchen design report",
        FILLER * 6 + "Designers showed copper pans and copper taps beside velvet chairs. " + FILLER,
        "2024-03-25",
    ),
    {
        "id": "datelined",
        "title": "Port strike ends",
        "dateline": "CLEVELAND",
        "body": "Dock workers returned on Monday after the union and the port agreed terms. "
        + FILLER,
        "published": "2024-05-02",
    },
    _record(
        "about-cleveland",
        "Lake freighters return",
        "Freighters returned to Cleveland as the ice cleared and the docks reopened. " + FILLER * 4,
        "2024-05-01",
    ),
]


for record in MINING:  # every story has a byline, as in a real archive
    record["publisher"] = "Lakeside Ledger"


@pytest.fixture(scope="module")
def mining_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("feedback")
    source = folder / "export.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in MINING) + "\n", encoding="utf-8")
    with NewsIndex.open(folder / "index") as news:
        news.rebuild([source])
    return folder / "index"


def test_a_dateline_finds_a_story_but_a_story_about_the_place_ranks_first(mining_index):
    with NewsIndex.open(mining_index) as news:
        assert ids(news, "cleveland") == ["about-cleveland", "datelined"]
        assert ids(news, "dateline:cleveland") == ["datelined"]


def test_a_story_in_the_vocabulary_of_the_best_matches_ranks_above_a_passing_mention(
    mining_index,
):
    without = replace(DEFAULT_RANKING, feedback_docs=0)
    with (
        NewsIndex.open(mining_index) as news,
        NewsIndex.open(mining_index, ranking=without) as plain,
    ):
        assert ids(plain, "copper")[3:] == ["kitchen", "fashion", "andes"]
        assert ids(news, "copper")[3] == "andes"
        assert set(ids(news, "copper")[4:]) == {"kitchen", "fashion"}
        # Feedback orders the matches; it finds no more of them.
        assert len(ids(news, "copper")) == len(ids(plain, "copper")) == 6
        assert news.search("copper").total == plain.search("copper").total
