"""A deterministic synthetic news archive of any size, built from the real corpora.

    python bench/make_corpus.py 100000 --seed 1            # prints the path of the .jsonl.gz
    python bench/make_corpus.py 10000 --seed 1 --start 100000   # the next 10,000 of that archive

Article ``i`` of seed ``S`` depends only on ``(S, i)``, so ``--start`` continues an archive
(the articles an ``add`` brings) and any slice can be made again. Each article takes a real
one as its template (from AllSides, Reuters-21578 and BBC together, so lengths follow their
mix) and gets:

- a body of real paragraphs drawn from articles of the template's topic until it is as long
  as the template (recombined, so the words and their statistics are real news, but every
  body is new);
- a real title from that topic, a publisher among AllSides' outlets (with their frequencies
  and their spelling variants), authors as AllSides lists them;
- in 40% of articles a wire lead as Reuters writes it (``SALVADOR (Reuters) - ``, places from
  Reuters' datelines, agencies Reuters/AP/AFP/Bloomberg/UPI);
- a date spread over 20 years (2% undated);
- about 5% are syndicated copies of an earlier article: another outlet, a day or three later,
  lightly edited (headline changed, lead or last paragraph dropped, a footer added, a few
  words changed), so story detection has real work.

Nothing from ../shared/corpora is written into the project: the archive goes into a
temporary folder (``--out`` to choose one), named after N, seed and start.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
import tempfile
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
ALLSIDES = CORPORA / "allsides" / "allsides.jsonl.gz"
REUTERS = CORPORA / "reuters21578" / "reuters21578.jsonl.gz"
BBC = CORPORA / "bbc"

#: Share of articles that open with a wire dateline lead, and the agencies it names.
WIRE_SHARE = 0.40
AGENCIES = [("Reuters", 45), ("AP", 35), ("AFP", 10), ("Bloomberg", 6), ("UPI", 4)]
#: Share of articles that are edited copies of an earlier one, and how far back they look.
COPY_SHARE = 0.05
COPY_LOOKBACK = 5_000
UNDATED_SHARE = 0.02
FIRST_DAY = datetime(2005, 1, 1)
DAYS = 20 * 365
FOOTERS = [
    "Copyright {year} The Associated Press. All rights reserved.",
    "(Reporting by {name}; Editing by {other})",
    "{name} contributed to this report.",
    "Brought to you by {site}",
]
_WORD = re.compile(r"[A-Za-z]{4,}")


@dataclass
class Pools:
    """What the archive is drawn from, read once from the real corpora in a fixed order."""

    templates: list[tuple[str, int]] = field(default_factory=list)  # (topic, body chars)
    paragraphs: dict[str, list[str]] = field(default_factory=dict)
    titles: dict[str, list[str]] = field(default_factory=dict)
    outlets: list[tuple[str, str]] = field(default_factory=list)  # (source, homepage)
    authors: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    agency_weights: list[int] = field(default_factory=list)

    def add(self, topic: str, title: str, paragraphs: list[str]) -> None:
        paragraphs = [p for p in (p.strip() for p in paragraphs) if len(p) > 40]
        if not paragraphs:
            return
        self.templates.append((topic, sum(len(p) + 2 for p in paragraphs)))
        self.paragraphs.setdefault(topic, []).extend(paragraphs)
        if title.strip():
            self.titles.setdefault(topic, []).append(title.strip())


def _lines(path: Path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        yield from map(json.loads, fh)


@lru_cache(maxsize=1)
def load_pools() -> Pools:
    pools = Pools()
    for record in _lines(ALLSIDES):
        pools.add(record["topic"], record["title"], record["content_original"].split("\n\n"))
        pools.outlets.append((record["source"], record.get("source_url") or ""))
        pools.authors.append(record.get("authors") or "")
    for record in _lines(REUTERS):
        body = re.sub(r"\s*Reuter\s*$", "", record["body"], flags=re.IGNORECASE)
        topic = f"reuters-{record['topics'][0]}" if record["topics"] else "reuters-other"
        pools.add(topic, record["title"], re.split(r"\n {3,}|\n\n", body))
        place = record["dateline"].split(",")[0].strip(" -")
        if place:
            pools.places.append(place)
    for path in sorted(BBC.glob("*/*.txt")):
        text = path.read_bytes().decode("utf-8", errors="replace")
        title, _, body = text.partition("\n")
        pools.add(f"bbc-{path.parent.name}", title, body.split("\n\n"))
    pools.agency_weights = list(accumulate(w for _, w in AGENCIES))
    return pools


def _rng(seed: int, number: int, salt: str = "") -> random.Random:
    digest = hashlib.blake2b(f"{seed}:{number}:{salt}".encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _agency(pools: Pools, rng: random.Random) -> str:
    pick = rng.randrange(pools.agency_weights[-1])
    return AGENCIES[bisect_right(pools.agency_weights, pick)][0]


def _slug(title: str) -> str:
    return "-".join(w.lower() for w in _WORD.findall(title)[:6]) or "story"


def _record(
    number: int,
    seed: int,
    title: str,
    paragraphs: list[str],
    topic: str,
    outlet: tuple[str, str],
    authors: str,
    when: datetime | None,
) -> dict:
    source, homepage = outlet
    host = homepage.removeprefix("http://").removeprefix("https://").strip("/") or "example.com"
    day = f"{when:%Y/%m/%d}" if when else "undated"
    return {
        "id": f"syn{seed}-{number:07d}",
        "url": f"https://{host}/{day}/{_slug(title)}-{number}",
        "title": title,
        "date": when.isoformat() if when else "",
        "source": source,
        "authors": authors,
        "topic": topic.removeprefix("reuters-").removeprefix("bbc-"),
        "content_original": "\n\n".join(paragraphs),
    }


def original_article(seed: int, number: int) -> tuple[dict, list[str], datetime | None]:
    """Article ``number`` written fresh: the record, its paragraphs and its date."""
    pools = load_pools()
    rng = _rng(seed, number)
    topic, target = rng.choice(pools.templates)
    pool = pools.paragraphs[topic]
    paragraphs: list[str] = []
    length = 0
    while length < target and len(paragraphs) < 200:
        paragraph = rng.choice(pool)
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    if rng.random() < WIRE_SHARE and pools.places:
        lead = f"{rng.choice(pools.places)} ({_agency(pools, rng)}) - "
        paragraphs[0] = lead + paragraphs[0]
    when = None
    if rng.random() >= UNDATED_SHARE:
        when = FIRST_DAY + timedelta(days=rng.randrange(DAYS), seconds=rng.randrange(86_400))
    titles = pools.titles.get(topic) or [t for ts in pools.titles.values() for t in ts]
    record = _record(
        number,
        seed,
        rng.choice(titles),
        paragraphs,
        topic,
        rng.choice(pools.outlets),
        rng.choice(pools.authors),
        when,
    )
    return record, paragraphs, when


def _copy_of(seed: int, number: int, rng: random.Random) -> dict:
    """Article ``number`` as an edited copy of an earlier article, in another outlet."""
    pools = load_pools()
    original_number = max(0, number - rng.randint(1, COPY_LOOKBACK))
    original, paragraphs, when = original_article(seed, original_number)
    paragraphs = list(paragraphs)
    title = original["title"]
    edit = rng.random()
    if edit < 0.3:
        title = rng.choice(pools.titles.get(original_topic(original), [title]))
    elif edit < 0.5:
        title = f"UPDATE {rng.randint(1, 3)}-{title}"
    if len(paragraphs) > 3 and rng.random() < 0.4:
        paragraphs.pop()  # the last paragraph trimmed
    if rng.random() < 0.3:
        paragraphs[0] = re.sub(r"^[A-Z][A-Za-z .]+ \([A-Za-z]+\) - ", "", paragraphs[0])
    for _ in range(rng.randint(0, 3)):  # a few words changed
        i = rng.randrange(len(paragraphs))
        words = paragraphs[i].split(" ")
        j = rng.randrange(len(words))
        words[j] = rng.choice(("also", "reportedly", "on Monday", "now", "further"))
        paragraphs[i] = " ".join(words)
    if rng.random() < 0.5:
        footer = rng.choice(FOOTERS)
        name = (rng.choice(pools.authors) or "Staff").split(",")[0]
        paragraphs.append(
            footer.format(
                year=when.year if when else 2020,
                name=name,
                other="Staff",
                site=rng.choice(pools.outlets)[1] or "example.com",
            )
        )
    if when is not None:
        when += timedelta(days=rng.randint(0, 3), seconds=rng.randrange(3600))
    outlet = rng.choice(pools.outlets)
    while outlet[0] == original["source"]:
        outlet = rng.choice(pools.outlets)
    return _record(
        number, seed, title, paragraphs, original_topic(original), outlet, original["authors"], when
    )


def original_topic(record: dict) -> str:
    pools = load_pools()
    for prefix in ("", "reuters-", "bbc-"):
        if prefix + record["topic"] in pools.titles:
            return prefix + record["topic"]
    return record["topic"]


def article(seed: int, number: int) -> dict:
    """Article ``number`` of the archive of ``seed``: an original or a copy."""
    rng = _rng(seed, number, "copy")
    if number > 0 and rng.random() < COPY_SHARE:
        return _copy_of(seed, number, rng)
    return original_article(seed, number)[0]


def write_corpus(count: int, seed: int, start: int = 0, out: Path | None = None) -> Path:
    """Write articles ``start`` to ``start + count - 1`` as JSONL.gz; return the path."""
    folder = Path(out or tempfile.mkdtemp(prefix="newsindex-corpus-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"synthetic-n{count}-s{seed}-from{start}.jsonl.gz"
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=1) as fh:
        for number in range(start, start + count):
            fh.write(json.dumps(article(seed, number), ensure_ascii=False) + "\n")
    tmp.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="articles to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="number of the first article")
    parser.add_argument("--out", type=Path, help="folder (default: a new temporary one)")
    args = parser.parse_args()
    if args.count < 1:
        sys.exit("count must be at least 1")
    print(write_corpus(args.count, args.seed, args.start, args.out))


if __name__ == "__main__":
    main()
