"""The judged queries of ``bench/relevance.py`` are what issue 13 asks for: typed as a person
would (one to four words, no operators), across enough topics, each topic one the corpus
really uses, split once into halves, with the blind sets beside them."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from corpus_loaders import ALLSIDES_FILE, REUTERS_FILE, allsides_records, reuters_records

BENCH = Path(__file__).resolve().parent.parent / "bench"
#: What a person types into a search box: words, no quotes, fields, brackets or operators.
TYPED = re.compile(r"[a-z0-9']+( [a-z0-9']+){0,3}")
OPERATORS = {"and", "or", "not"}


def read_rows(name: str) -> list[dict[str, str]]:
    text = (BENCH / "data" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(line for line in text.splitlines() if not line.startswith("#")))


def assert_typed(rows: list[dict[str, str]]) -> None:
    for row in rows:
        query = row["query"]
        assert TYPED.fullmatch(query), f"not typed as a person would: {query!r}"
        assert not OPERATORS & set(query.split()), f"an operator word: {query!r}"
    texts = [row["query"] for row in rows]
    assert len(texts) == len(set(texts)), "a query is judged twice"


def test_allsides_queries_meet_the_issue():
    rows = read_rows("relevance_queries.csv")
    assert_typed(rows)
    halves = Counter(row["half"] for row in rows)
    assert halves == {"tune": 64, "report": 64, "confirm": 170}
    first = [row for row in rows if row["half"] != "confirm"]
    assert len({row["topic"] for row in first}) >= 60
    assert {row["kind"] for row in rows} == {"broad", "narrow", "name"}
    confirm = Counter(row["topic"] for row in rows if row["half"] == "confirm")
    assert set(confirm.values()) == {2}, "the confirm set has two queries per topic"


def test_reuters_queries_are_typed_and_in_five_sets():
    rows = read_rows("reuters_queries.csv")
    assert_typed(rows)
    assert Counter(row["set"] for row in rows) == {
        "first": 42,
        "second": 114,
        "third": 114,
        "fourth": 114,
        "fifth": 114,
    }


@pytest.mark.skipif(not ALLSIDES_FILE.is_file(), reason="the AllSides corpus is absent")
def test_allsides_queries_name_topics_the_corpus_uses():
    used = Counter(record.get("topic") for record in allsides_records())
    for row in read_rows("relevance_queries.csv"):
        assert used[row["topic"]] > 0, f"no article carries the topic of {row['query']!r}"
        if row["half"] == "confirm":  # written for the topics with 50 articles or more
            assert used[row["topic"]] >= 50, row


@pytest.mark.skipif(not REUTERS_FILE.is_file(), reason="the Reuters corpus is absent")
def test_reuters_queries_name_topic_codes_the_corpus_uses():
    used = Counter(topic for record in reuters_records() for topic in record["topics"])
    for row in read_rows("reuters_queries.csv"):
        assert used[row["topic"]] > 0, f"no story carries the code of {row['query']!r}"


def test_every_floor_names_a_set_of_queries():
    """A floor on a set the bench does not report would never be checked."""
    floors = json.loads((BENCH / "relevance_baseline.json").read_text())["floors"]
    halves = {row["half"] for row in read_rows("relevance_queries.csv")}
    assert {key for key in floors if key.startswith("allsides:")} <= {
        f"allsides:{half}" for half in halves - {"tune"}
    }
    assert {"allsides:report", "allsides:confirm", "reuters:judged only"} <= set(floors)
