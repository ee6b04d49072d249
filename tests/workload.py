"""Synthetic news for the reliability tests: batches of articles that a search can count.

Every article of batch ``k`` carries the made-up word ``batch_word(k)`` in its body and a
distinct random text around it, so ``search(batch_word(k), collapse=False).total_copies``
says how many of that batch the index holds, and no two articles look like syndicated
copies of each other. Nothing here is read from the shared corpora.
"""

from __future__ import annotations

import json
import random
import string
from pathlib import Path

#: Common English words, enough for bodies that read as text to the analyzer.
_VOCABULARY = tuple(
    " ".join(
        [
            "council budget harbour minister election court police river school hospital",
            "market shares energy strike union bridge railway airport farmers weather storm",
            "flood fire museum festival league season coach player contract vote tax rates",
            "bank inflation housing rent tenants mayor village county border trade export",
            "factory workers wages report inquiry judge appeal ruling sentence prison charity",
            "donors funding research university students teachers exam results nurses",
            "doctors patients clinic ferry port cargo ship crew rescue coast guard mountain",
            "road traffic bus cyclists",
        ]
    ).split()
)


def batch_word(batch: int) -> str:
    """A letters-only word that no real text contains: ``qzv`` plus ``batch`` in base 26."""
    letters = []
    n = batch
    while True:
        n, digit = divmod(n, 26)
        letters.append(string.ascii_lowercase[digit])
        if n == 0:
            break
    return "qzv" + "".join(reversed(letters)) + "x"


def article_id(batch: int, number: int) -> str:
    return f"rel-{batch}-{number}"


def batch_records(batch: int, size: int, words: int = 120, version: int = 0) -> list[dict]:
    """``size`` articles of batch ``batch``; ``version`` changes their text (an upsert)."""
    rng = random.Random(batch * 1_000_003 + version)
    records = []
    for number in range(size):
        body = " ".join(rng.choice(_VOCABULARY) for _ in range(words))
        records.append(
            {
                "id": article_id(batch, number),
                "title": f"{rng.choice(_VOCABULARY).title()} {rng.choice(_VOCABULARY)} "
                f"{batch_word(batch)} {number}",
                "published": f"2025-{1 + batch % 12:02d}-{1 + number % 28:02d}T08:00:00Z",
                "publisher": f"Gazette {batch % 7}",
                "body": f"{body} {batch_word(batch)} {rng.random():.12f}.",
            }
        )
    return records


def write_batch(directory: Path, batch: int, size: int, **options) -> Path:
    """Write batch ``batch`` as a JSON Lines export and return its path."""
    path = directory / f"batch-{batch}.jsonl"
    path.write_text(
        "".join(json.dumps(r) + "\n" for r in batch_records(batch, size, **options)), "utf-8"
    )
    return path


def count_batch(news, batch: int) -> int:
    """How many articles of ``batch`` a search finds (every copy counted)."""
    return news.search(batch_word(batch), collapse=False, per_page=1).total_copies
