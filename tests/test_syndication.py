"""Syndicated-story detection on real wire copy: copies share a story, distinct stories don't."""

from __future__ import annotations

import csv
import gzip
import json
import re
from pathlib import Path

import numpy as np
import pytest
from reference_minhash import datasketch_signature, same_signatures

from search.errors import NewsIndexError
from search.indexing.syndication import (
    DATE_WINDOW_DAYS,
    MIN_WORDS,
    StoryIndex,
    day_number,
    sign_bodies,
    story_shingles,
)

CORPORA = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora"
PAIRS = Path(__file__).resolve().parent.parent / "bench" / "data" / "syndication_pairs.csv"
REUTERS = CORPORA / "reuters21578" / "reuters21578.jsonl.gz"
ALLSIDES = CORPORA / "allsides" / "allsides.jsonl.gz"
BBC = CORPORA / "bbc"

#: Real stories to syndicate: BBC files and AllSides articles (AP, Reuters, outlets' own).
BBC_ORIGINALS = ["politics/064", "business/138", "sport/045", "tech/101", "entertainment/007"]
ALLSIDES_ORIGINALS = ["BrOhhC9Ql8U6s0SC", "5T1XcI6oUzSsPwLA", "U2pyDCyejICPMe8Y"]
#: Same template earnings tables of different companies (from the labelled pairs).
EARNINGS_TABLES = ["reuters-572", "reuters-1529", "reuters-601", "reuters-9366", "reuters-846"]


def need(path: Path) -> None:
    if not path.exists():
        pytest.skip("corpus missing")


def bbc_body(name: str) -> str:
    raw = (BBC / f"{name}.txt").read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.partition("\n")[2].strip()


@pytest.fixture(scope="module")
def reuters_records() -> list[dict]:
    need(REUTERS)
    with gzip.open(REUTERS, "rt", encoding="utf-8") as lines:
        return list(map(json.loads, lines))


@pytest.fixture(scope="module")
def reuters(reuters_records) -> dict[str, str]:
    return {d["id"]: d["body"] for d in reuters_records}


@pytest.fixture(scope="module")
def reuters_dates(reuters_records) -> dict[str, str]:
    return {d["id"]: d["date"] for d in reuters_records}


@pytest.fixture(scope="module")
def allsides_ids() -> set[str]:
    need(ALLSIDES)
    pattern = re.compile(r'"ID": "([^"]+)"')
    with gzip.open(ALLSIDES, "rt", encoding="utf-8") as lines:
        return {pattern.search(line).group(1) for line in lines}


@pytest.fixture(scope="module")
def allsides_bodies() -> dict[str, str]:
    need(ALLSIDES)
    wanted = set(ALLSIDES_ORIGINALS)
    found = {}
    with gzip.open(ALLSIDES, "rt", encoding="utf-8") as lines:
        for line in lines:
            if any(f'"ID": "{w}"' in line for w in wanted):
                record = json.loads(line)
                found[record["ID"]] = record["content_original"]
    return found


def syndicated(body: str, dateline: str, footer: str, cut: int) -> str:
    """What a site makes of a wire story: dateline lead, last paragraphs cut, own footer."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip()]
    kept = paragraphs[: len(paragraphs) - cut] if len(paragraphs) > cut + 2 else paragraphs
    return f"{dateline} " + "\n\n".join(kept) + f"\n\n{footer}"


def test_syndicated_copies_join_their_original(allsides_bodies):
    need(BBC)
    originals = {f"bbc:{n}": bbc_body(n) for n in BBC_ORIGINALS} | allsides_bodies
    assert len(originals) == len(BBC_ORIGINALS) + len(ALLSIDES_ORIGINALS)
    index = StoryIndex()
    for article_id, body in originals.items():
        assert index.assign(article_id, body) == article_id  # nothing alike yet
    for n, (article_id, body) in enumerate(originals.items()):
        copy = syndicated(
            body, "WASHINGTON (AP) —", "Brought to you by www.kxnews.example", cut=1 + n % 2
        )
        assert index.assign(f"{article_id}@kxnews", copy) == article_id
    assert len(index) == 2 * len(originals)


def test_same_event_different_stories_stay_apart():
    need(BBC)
    # labelled "distinct": strike ballot vs failed talks; ID-card backing vs denial of a split
    index = StoryIndex()
    for name in ["politics/294", "politics/312", "politics/081", "politics/141"]:
        assert index.assign(f"bbc:{name}", bbc_body(name)) == f"bbc:{name}"


def test_earnings_tables_of_different_companies_are_different_stories(reuters):
    index = StoryIndex()
    stories = {index.assign(i, reuters[i]) for i in EARNINGS_TABLES}
    assert stories == set(EARNINGS_TABLES)


def test_reuters_resends_and_later_versions_join(reuters):
    index = StoryIndex()
    # ECONOMIC SPOTLIGHT re-sent days later; shorter re-sends; an earnings table with a note
    for first, later in [
        ("reuters-4809", "reuters-5394"),
        ("reuters-9933", "reuters-9982"),
        ("reuters-10375", "reuters-10406"),
        ("reuters-1759", "reuters-1768"),
    ]:
        assert index.assign(first, reuters[first]) == first
        assert index.assign(later, reuters[later]) == first


def test_saved_index_joins_new_copies_without_rebuild(tmp_path):
    need(BBC)
    index = StoryIndex()
    for name in BBC_ORIGINALS:
        index.assign(f"bbc:{name}", bbc_body(name))
    path = tmp_path / "stories"
    index.save(path)
    loaded = StoryIndex.load(path)
    assert len(loaded) == len(BBC_ORIGINALS)
    assert loaded.story_of("bbc:sport/045") == "bbc:sport/045"
    copy = syndicated(bbc_body("sport/045"), "LONDON (Reuters) -", "Copyright Herald", cut=1)
    assert loaded.assign("herald-1", copy) == "bbc:sport/045"
    assert loaded.assign("new-story", bbc_body("tech/141")) == "new-story"


def test_removing_an_article_keeps_the_rest_of_its_story():
    need(BBC)
    body = bbc_body("politics/064")
    index = StoryIndex()
    index.assign("original", body)
    index.assign("copy-a", syndicated(body, "PARIS (AFP) —", "Site footer a", cut=1))
    index.assign("copy-b", syndicated(body, "NEW YORK (AP) —", "Site footer b", cut=2))
    index.remove("original")
    assert index.story_of("original") is None
    assert index.story_of("copy-a") == index.story_of("copy-b") == "original"
    assert index.assign("copy-c", syndicated(body, "(AP) —", "Footer c", cut=1)) == "original"
    index.remove("not-indexed")  # no error
    assert len(index) == 3


def test_short_bodies_get_their_own_story():
    notice = "Qtly div 10 cts vs 10 cts prior Pay April 15 Record April 1 Reuter"
    assert len(notice.split()) < MIN_WORDS
    index = StoryIndex()
    assert index.assign("div-1", notice) == "div-1"
    assert index.assign("div-2", notice) == "div-2"
    assert index.assign("brief", "") == "brief"
    assert story_shingles(notice) == set()


def test_a_batch_of_only_short_bodies_signs_to_nothing():
    """A rebuild whose articles are all briefs (one short feed entry) must not fail."""
    notice = "Qtly div 10 cts vs 10 cts prior Pay April 15 Record April 1 Reuter"
    assert sign_bodies([notice, "", notice]) == [None, None, None]


def test_reassigning_an_id_replaces_the_old_text():
    need(BBC)
    index = StoryIndex()
    index.assign("a", bbc_body("tech/101"))
    index.assign("b", bbc_body("sport/045"))
    assert index.assign("a", bbc_body("sport/045")) == "b"
    assert len(index) == 2


def test_load_missing_is_empty_and_corrupt_is_one_clear_error(tmp_path):
    assert len(StoryIndex.load(tmp_path / "none")) == 0
    StoryIndex().save(tmp_path / "empty")
    assert len(StoryIndex.load(tmp_path / "empty")) == 0
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not an npz")
    with pytest.raises(NewsIndexError, match="cannot read story index"):
        StoryIndex.load(bad)
    (tmp_path / "empty" / "state.json").write_text("{not json")
    with pytest.raises(NewsIndexError, match="cannot read story index"):
        StoryIndex.load(tmp_path / "empty")


def test_labelled_pairs_are_well_formed(reuters, allsides_ids):
    need(BBC)
    with PAIRS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) >= 100
    assert {r["label"] for r in rows} == {"copy", "distinct"}
    assert all(r["reason"].strip() for r in rows)
    pairs = [frozenset((r["id_a"], r["id_b"])) for r in rows]
    assert len(set(pairs)) == len(pairs) and all(len(p) == 2 for p in pairs)
    known = {
        "reuters": set(reuters),
        "allsides": allsides_ids,
        "bbc": {f"bbc:{p.parent.name}/{p.stem}" for p in BBC.glob("*/*.txt")},
    }
    missing = [(r["corpus"], i) for r in rows for i in (r["id_a"], r["id_b"])]
    missing = [(c, i) for c, i in missing if i not in known[c]]
    assert missing == []


def test_batch_signatures_equal_datasketch_minhash(reuters, allsides_bodies):
    need(BBC)
    # 2,000 wire stories (many too short to sign, several batch chunks), long AllSides
    # articles, BBC files, and edge cases: empty, too short, non-ASCII punctuation
    bodies = list(reuters.values())[:2000] + list(allsides_bodies.values())
    bodies += [bbc_body(n) for n in BBC_ORIGINALS]
    bodies += ["", "Qtly div 10 cts Reuter", "“Le président” — a dit… " * 20]
    index = StoryIndex()
    single = [datasketch_signature(body) for body in bodies]
    batch = sign_bodies(bodies)
    assert len(batch) == len(bodies)
    assert sum(s is None for s in single) > 100  # the short ones are in the test
    assert all(same_signatures(a, b) for a, b in zip(single, batch, strict=True))
    assert sign_bodies([]) == []
    assert same_signatures(sign_bodies([bodies[0]])[0], single[0])
    assert same_signatures(index.signature(bodies[0]), single[0])
    assert StoryIndex.sign_bodies is sign_bodies


def test_assign_signed_gives_what_assign_gives(reuters, reuters_dates):
    ids = list(reuters)[:6000]
    by_body, by_signature = StoryIndex(), StoryIndex()
    signed = sign_bodies([reuters[i] for i in ids])
    for article_id, sig in zip(ids, signed, strict=True):
        story = by_body.assign(article_id, reuters[article_id], reuters_dates[article_id])
        assert by_signature.assign_signed(article_id, sig, reuters_dates[article_id]) == story
    assert len({by_body.story_of(i) for i in ids}) < len(ids)  # some stories were joined


def test_a_notice_re_sent_weeks_later_is_a_new_story(reuters, reuters_dates):
    # the Bundesbank's one-paragraph notice, word for word, after two different meetings
    first, later = "reuters-1971", "reuters-12471"
    assert reuters[first] == reuters[later]
    apart = day_number(reuters_dates[later]) - day_number(reuters_dates[first])
    assert apart > DATE_WINDOW_DAYS
    index = StoryIndex()
    assert index.assign(first, reuters[first], reuters_dates[first]) == first
    assert index.assign(later, reuters[later], reuters_dates[later]) == later
    same_day = reuters_dates[first][:10] + "T16:00:00"
    assert index.assign("re-send", reuters[first], same_day) == first
    assert index.assign("undated", reuters[first]) in {first, later}  # text alone: a copy


def test_a_trimmed_re_send_days_later_joins(reuters, reuters_dates):
    # ECONOMIC SPOTLIGHT re-sent three days later, shorter
    index = StoryIndex()
    for article_id in ("reuters-4809", "reuters-5394"):
        story = index.assign(article_id, reuters[article_id], reuters_dates[article_id])
    assert story == "reuters-4809"


def test_bad_or_missing_dates_compare_by_text_alone():
    assert day_number(None) == day_number("") == day_number("1/21/18") == day_number("soon")
    assert day_number("2026-01-31T09:30:00+01:00") == day_number("2026-01-31")
    body = "The central bank said it would keep its key rate at 2.5 pct " * 4
    index = StoryIndex()
    index.assign("a", body, "2026-01-01")
    assert index.assign("b", body, "1/21/18") == "a"
    assert index.assign("c", body, "2026-03-01") == "c"


def write_format_2(path: Path, rows: list[tuple[str, str, str, str]], version: int = 2) -> None:
    """A ``stories.npz`` as newsindex 0.1 wrote it: (id, story, body, published) per row."""
    signed = sign_bodies([body for _, _, body, _ in rows])
    sigs = np.array([s[0] if s else np.zeros(128, np.uint32) for s in signed], dtype=np.uint32)
    settings = (version, 128, 4, 2, 32, 2)
    np.savez_compressed(
        path,
        settings=np.array(settings),
        ids=np.array([r[0] for r in rows], dtype=str),
        stories=np.array([r[1] for r in rows], dtype=str),
        signatures=sigs,
        sizes=np.array([s[1] if s else 0 for s in signed], dtype=np.int64),
        days=np.array([day_number(r[3]) for r in rows], dtype=np.int64),
    )


def test_saved_dates_keep_the_window_and_old_files_ask_for_a_rebuild(tmp_path):
    body = "The central bank said it would keep its key rate at 2.5 pct " * 4
    index = StoryIndex()
    index.assign("jan", body, "2026-01-01")
    path = tmp_path / "stories"
    index.save(path)
    loaded = StoryIndex.load(path)
    assert loaded.assign("jan-resend", body, "2026-01-02") == "jan"
    assert loaded.assign("march", body, "2026-03-01") == "march"
    old = tmp_path / "old.npz"  # version 1: no publication days
    write_format_2(old, [("jan", "jan", body, "2026-01-01")], version=1)
    with pytest.raises(NewsIndexError, match="other settings; rebuild it"):
        StoryIndex.load(old)


def test_a_format_2_file_is_read_and_saved_in_the_new_format(tmp_path):
    """Indexes built before the story folder keep their stories, founders gone included."""
    body = "The central bank said it would keep its key rate at 2.5 pct " * 4
    other = "Shares of the airline fell sharply after it cut its forecast for the year " * 3
    rows = [
        ("copy-a", "gone", body, "2026-01-02"),  # "gone", the story's first, was deleted
        ("copy-b", "gone", body, "2026-01-03"),
        ("plane", "plane", other, "2026-01-05"),
    ]
    write_format_2(tmp_path / "stories.npz", rows)
    loaded = StoryIndex.load(tmp_path / "stories.npz")
    assert len(loaded) == 3 and "gone" not in loaded
    assert loaded.story_of("copy-b") == "gone" and loaded.story_of("plane") == "plane"
    assert loaded.story_count() == 2
    loaded.save(tmp_path / "stories")
    again = StoryIndex.load(tmp_path / "stories")
    assert again.assign("copy-c", body, "2026-01-04") == "gone"
    assert again.assign("plane-2", other, "2026-01-05") == "plane"
    assert sorted(again) == ["copy-a", "copy-b", "copy-c", "plane", "plane-2"]


def test_state_on_disk_gives_what_memory_gives(tmp_path, monkeypatch, reuters, reuters_dates):
    """All of Reuters through a folder-backed index (rows written out, lookups sealed into
    sorted runs, written to disk and merged there as a large archive's are, saved and reloaded
    midway), against one kept in memory: the same stories."""
    from search.indexing import story_store

    # Lookups on disk after ~600 articles, read in small blocks, merged in small chunks.
    small = {"RECENT_ENTRIES": 4096, "MEMORY_ENTRIES": 20_000, "BLOCK_ENTRIES": 64}
    for name, value in {**small, "MERGE_CHUNK": 5000}.items():
        monkeypatch.setattr(story_store, name, value)
    ids = list(reuters)
    signed = sign_bodies([reuters[i] for i in ids])
    in_memory = StoryIndex()
    on_disk = StoryIndex.load(tmp_path / "stories")
    half = len(ids) // 2
    for n, (article_id, sig) in enumerate(zip(ids, signed, strict=True)):
        if n == half:
            assert on_disk._bands.disk  # written out (and merged) before any save
            on_disk.save(tmp_path / "stories")
            on_disk = StoryIndex.load(tmp_path / "stories")
        date = reuters_dates[article_id]
        story = in_memory.assign_signed(article_id, sig, date)
        assert on_disk.assign_signed(article_id, sig, date) == story
    assert (tmp_path / "stories" / "signatures.bin").stat().st_size > 0
    for article_id in ids[:50]:  # re-sent and removed articles
        in_memory.remove(article_id)
        on_disk.remove(article_id)
    assert on_disk.story_count() == in_memory.story_count()
    assert len(on_disk) == len(in_memory) == len(ids) - 50


def test_a_crash_between_writes_leaves_the_last_commit(tmp_path):
    need(BBC)
    folder = tmp_path / "stories"
    index = StoryIndex.load(folder)
    for name in BBC_ORIGINALS:
        index.assign(f"bbc:{name}", bbc_body(name))
    index.save(folder)
    # a later run appended rows and wrote a lookup file, then died before committing
    with open(folder / "signatures.bin", "ab") as handle:
        handle.write(b"\xff" * 1000)
    with open(folder / "ids.bin", "ab") as handle:
        handle.write(b"half-written-id")
    (folder / "bands-99-0.keys.npy").write_bytes(b"junk")
    again = StoryIndex.load(folder)
    assert len(again) == len(BBC_ORIGINALS)
    copy = syndicated(bbc_body("sport/045"), "LONDON (Reuters) -", "Copyright Herald", cut=1)
    assert again.assign("herald-1", copy) == "bbc:sport/045"
    again.save(folder)
    assert not (folder / "bands-99-0.keys.npy").exists()
    final = StoryIndex.load(folder)
    assert final.story_of("herald-1") == "bbc:sport/045"
    assert sorted(final)[-1] == "herald-1" and len(final) == len(BBC_ORIGINALS) + 1
