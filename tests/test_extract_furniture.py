"""Furniture: captions, gallery chrome, adverts, prompts and teasers leave the text, story
lines stay; the same rules for pages and for bodies that arrive already extracted."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from search.extract import article_from_fields, extract_or_skip
from search.extract.furniture import furniture_kind
from search.extract.wire import clean_wire_copy, split_paragraphs, strip_furniture
from search.indexing.syndication import StoryIndex
from search.sources import read_sources

ALLSIDES = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "allsides"
FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"

FURNITURE = [
    ("Image copyright Getty Images Image caption The mayor at the opening", "caption"),
    ("Media playback is unsupported on your device Media caption The mayor speaks", "caption"),
    ("Enlarge this image toggle caption Jo Smith/AP Jo Smith/AP", "caption"),
    ("The mayor opens the bridge on Monday. (Photo: Jo Smith/AP)", "caption"),
    ("The mayor opens the bridge, March 3, 2026. REUTERS/Jo Smith", "caption"),
    ("FILE - In this March 3, 2026 file photo, the mayor opens the bridge.", "caption"),
    ("(Jo Smith/Reuters)", "caption"),
    ("Photos: Bridges of the city Hide Caption 3 of 12 Photos: Bridges of the city", "gallery"),
    ("Slideshow (4 Images)", "gallery"),
    ("prev next Image 2 of 13", "gallery"),
    ("Advertisement", "advert"),
    ("ADVERTISEMENT", "advert"),
    ("Story Continued Below", "advert"),
    ("Sign up for our morning newsletter", "prompt"),
    ("CLICK HERE TO GET THE NEWS APP", "prompt"),
    ("Follow @cityhall on Twitter", "prompt"),
    ("Read more: Who will pay for the new bridge?", "teaser"),
    ("SEE ALSO: The bridge that nobody wanted", "teaser"),
    ("Copyright © 2026 The Riverside Gazette. All rights reserved.", "credit"),
    ("Quelle: Landesregierung", "credit"),
    ("3 Kommentare", "comments"),
    ("23.10.2018", "dateline"),
    ("Photo", "button"),
]
STORY = [
    "The mayor opened the bridge on Monday after two years of work.",
    "Subscriptions close March 18 and payment date is April 2.",
    "The company said it bought 5,000 shares of the bank on Friday.",
    "Sources:",
    "9:55:",
    "Source: a poll of 2,092 adults conducted from January 21 to February 5 and released today.",
    "Autor: Jane Roe, Institut für Brückenbau, Dresden",
    "Klicken Sie die betroffenen Updates an, bevor Sie den Rechner neu starten.",
    "By the end of the week the bridge was open to cyclists too.",
]


@pytest.mark.parametrize(("line", "kind"), FURNITURE, ids=[k for _, k in FURNITURE])
def test_furniture_line_is_named(line, kind):
    assert furniture_kind(line) == kind


@pytest.mark.parametrize("line", STORY)
def test_story_line_stays(line):
    assert furniture_kind(line) is None


EXPORT_BODY = "\n\n".join(
    [
        "Image copyright AFP Image caption The mayor cut the ribbon",
        "The mayor opened the bridge on Monday after two years of work.",
        "Advertisement",
        "Cyclists crossed it within minutes of the opening.",
        "Sign up for Daily Newsletters Manage Newsletters",
        "The city expects 12,000 crossings a day.",
    ]
)


def test_export_body_loses_its_furniture_and_keeps_the_story():
    article = article_from_fields({"title": "Bridge opens", "body": EXPORT_BODY})
    assert article.body.split("\n\n") == [
        "The mayor opened the bridge on Monday after two years of work.",
        "Cyclists crossed it within minutes of the opening.",
        "The city expects 12,000 crossings a day.",
    ]


def test_removed_furniture_is_kept_for_measurement():
    copy = clean_wire_copy(EXPORT_BODY)
    assert [kind for kind, _ in copy.furniture] == ["caption", "advert", "prompt"]


def test_hard_wrapped_wire_lines_are_not_judged_one_by_one():
    wire = "    Shares of the bank rose 5 pct, the company said, and it\nwill share.\n    More"
    kept, removed = strip_furniture(split_paragraphs(wire))
    assert kept == ["Shares of the bank rose 5 pct, the company said, and it will share."]
    assert removed == [("button", "More")]


def _allsides(ids: set[str]) -> dict[str, str]:
    path = ALLSIDES / "allsides.jsonl.gz"
    if not path.exists():
        pytest.skip("corpus missing: ../shared/corpora/allsides")
    found = {}
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for record in map(json.loads, lines):
            if record["ID"] in ids:
                found[record["ID"]] = record["content_original"]
    return found


def test_gallery_pages_no_longer_look_like_one_story():
    """Two Washington Times galleries whose bodies are the same teaser cards (labelled
    "distinct" in bench/data/syndication_pairs.csv): one story on raw bodies, two once the
    cards are furniture."""
    bodies = _allsides({"CU2VZTNODop4hz2C", "FAQKEva1hjoBWnKo"})
    raw, cleaned = StoryIndex(), StoryIndex()
    stories = {"raw": set(), "cleaned": set()}
    for article_id, body in sorted(bodies.items()):
        stories["raw"].add(raw.assign(article_id, body, None))
        stories["cleaned"].add(cleaned.assign(article_id, clean_wire_copy(body).body, None))
    assert len(stories["raw"]) == 1
    assert len(stories["cleaned"]) == 2


def test_a_feed_items_closing_call_to_read_leaves_its_body():
    """ "Read more...", "Continue reading →", WordPress's "The post ... appeared first on ..."
    and Slashdot's "Read more of this story at ..." end the excerpt, not the story; a story
    that ends on the same words as its own ("keep reading.") keeps them."""
    articles = [extract_or_skip(item) for item in read_sources([str(FEEDS / "calls_to_read.rss")])]
    assert [article.body for article in articles] == [
        "The island ferry runs again after four months in dry dock, the harbour office said on"
        " Monday.",
        "The harbour wall that storms breached in January has been rebuilt, the council said.",
        "The old fish market reopened on Saturday after a year of repairs to its roof.\n\n"
        "Traders said the first morning was the busiest in a decade.",
        "The lifeboat crew that rescued four fishermen in February was honoured at a ceremony on"
        " Friday.",
        "The librarian said the club's youngest members had one piece of advice for newcomers:"
        " keep reading.",
    ]


def test_an_export_bodys_date_lines_at_its_ends_leave_it():
    body = "\n\n".join(
        [
            "Updated 5:32 PM EDT, Tue April 2, 2024",
            "The mayor opened the bridge on Monday after two years of work and a long dispute.",
            "Cyclists crossed it within minutes of the opening, and the first bus at noon.",
            "Published: 1 April 2024",
        ]
    )
    article = article_from_fields({"title": "Bridge opens", "body": body})
    assert article.body.split("\n\n") == [
        "The mayor opened the bridge on Monday after two years of work and a long dispute.",
        "Cyclists crossed it within minutes of the opening, and the first bus at noon.",
    ]
