"""Syndicated-story detection: quality on hand-checked pairs, groups, synthetic copies, cost.

Run from the project root: ``python bench/syndication.py`` (about 5 minutes on one core).
``--sweep`` also re-scores the labelled pairs under other shingle sizes, figure weights,
thresholds and MinHash sizes (what the constants in search/indexing/syndication.py were chosen by).
``--cleaning-sample N`` prints N AllSides bodies the cleaning step for already-extracted text
changed, with the paragraphs it removed, for checking by hand.

Labels (bench/data/syndication_pairs.csv) were written after reading both texts of each
pair. ``copy``: one text is a version of the other (re-send, re-titled, corrected, trimmed,
later longer version, the same wire story on another site). ``distinct``: written
separately, even when on the same event or from the same template with other figures.
A pair is predicted ``copy`` when both articles get the same story id after assigning
their whole corpus, in corpus order.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/search.py would shadow the search package: drop bench/ from the path
sys.path[:] = [str(ROOT), str(ROOT / "tests")] + [
    p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"
]

from reference_minhash import datasketch_signature, same_signatures  # noqa: E402

from search.extract.wire import split_paragraphs, strip_furniture  # noqa: E402
from search.indexing import syndication  # noqa: E402
from search.indexing.syndication import StoryIndex  # noqa: E402

CORPORA = ROOT.parent / "shared" / "corpora"
PAIRS = ROOT / "bench" / "data" / "syndication_pairs.csv"
SYNTHETIC_PER_CORPUS = 400
MIN_ORIGINAL_WORDS = 60
COST_REPEATS = 2
ALLSIDES_SIGNING = 5000  # bodies of AllSides timed for signing (all 37k: a minute or two more)
SEED = 20260101
FOOTERS = (
    "Brought to you by www.kxnews.example",
    "Copyright 2026 Tri-County Herald. All rights reserved.",
    "Sign up for our morning newsletter at dailyledger.example/newsletter",
)
DATELINES = ("WASHINGTON (AP) — ", "LONDON (Reuters) - ", "PARIS (AFP) — ", "NEW YORK (AP) — ")

Record = tuple[str, str, str, str | None]  # id, title, body, published (ISO 8601 or None)


def read_reuters() -> list[Record]:
    path = CORPORA / "reuters21578" / "reuters21578.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        return [(d["id"], d["title"], d["body"], d["date"]) for d in map(json.loads, lines)]


def read_allsides() -> list[Record]:
    path = CORPORA / "allsides" / "allsides.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        # "" and a few M/D/YY dates: StoryIndex treats what is not ISO 8601 as undated
        return [
            (d["ID"], d["title"], d["content_original"], d["date"] or None)
            for d in map(json.loads, lines)
        ]


def read_bbc() -> list[Record]:
    records = []
    for path in sorted((CORPORA / "bbc").glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        title, _, body = text.partition("\n")
        article_id = f"bbc:{path.parent.name}/{path.stem}"
        records.append((article_id, title.strip(), body.strip(), None))  # BBC files are undated
    return records


READERS = {"reuters": read_reuters, "allsides": read_allsides, "bbc": read_bbc}


def assign_all(records: list[Record]) -> tuple[StoryIndex, float]:
    index = StoryIndex()
    start = time.perf_counter()
    for article_id, _title, body, published in records:
        index.assign(article_id, body, published)
    return index, time.perf_counter() - start


def read_pairs() -> list[dict[str, str]]:
    with PAIRS.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def score_pairs(pairs, indexes: dict[str, StoryIndex]) -> tuple[Counter, list]:
    """Confusion counts and the misjudged pairs."""
    counts: Counter = Counter()
    wrong = []
    for pair in pairs:
        index = indexes[pair["corpus"]]
        predicted = index.story_of(pair["id_a"]) == index.story_of(pair["id_b"])
        actual = pair["label"] == "copy"
        counts[(actual, predicted)] += 1
        if actual != predicted:
            wrong.append(pair)
    return counts, wrong


def precision_recall(counts: Counter) -> tuple[float, float]:
    tp, fp, fn = counts[(True, True)], counts[(False, True)], counts[(True, False)]
    return tp / max(1, tp + fp), tp / max(1, tp + fn)


def overlap(records_by_id: dict[str, Record], a: str, b: str) -> str:
    """Estimated Jaccard / containment of a pair, to show why it was misjudged."""
    signed = syndication.sign_bodies([records_by_id[x][2] for x in (a, b)])
    if None in signed:
        return "too short to judge"
    (sig_a, n_a), (sig_b, n_b) = signed
    jaccard, containment = syndication.estimated_overlap(sig_a, n_a, sig_b, n_b)
    return f"J={jaccard:.2f} C={containment:.2f}"


def report_pairs(pairs, corpora, indexes) -> None:
    counts, wrong = score_pairs(pairs, indexes)
    precision, recall = precision_recall(counts)
    print(f"\n== Labelled pairs ({len(pairs)}: {sum(p['label'] == 'copy' for p in pairs)} copy)")
    for name in READERS:
        sub = Counter()
        for pair in (p for p in pairs if p["corpus"] == name):
            index = indexes[name]
            same = index.story_of(pair["id_a"]) == index.story_of(pair["id_b"])
            sub[(pair["label"] == "copy", same)] += 1
        p, r = precision_recall(sub)
        print(f"  {name:9s} pairs {sum(sub.values()):3d}  precision {p:.3f}  recall {r:.3f}")
    print(f"  ALL       precision {precision:.3f}  recall {recall:.3f}  (aim >= 0.95 / >= 0.90)")
    for pair in wrong:
        why = overlap(corpora[pair["corpus"]], pair["id_a"], pair["id_b"])
        print(f"  missed {pair['label']:8s} {pair['id_a']} {pair['id_b']} [{why}] {pair['reason']}")


def report_groups(name: str, records: list[Record], index: StoryIndex) -> None:
    members: dict[str, list[Record]] = defaultdict(list)
    for record in records:
        members[index.story_of(record[0]) or ""].append(record)
    groups = sorted((g for g in members.values() if len(g) > 1), key=len, reverse=True)
    print(
        f"\n== Groups in {name}: {len(groups)} stories with copies, "
        f"{sum(map(len, groups))} of {len(records)} articles in them"
    )
    sizes = Counter(len(g) for g in groups)
    print("  sizes: " + ", ".join(f"{n} x{c}" for n, c in sorted(sizes.items())))
    for group in groups[:5]:
        titles = Counter(r[1][:60] for r in group).most_common(2)
        shown = " | ".join(t for t, _ in titles)
        print(f"  {len(group):3d} articles, e.g. {group[0][0]}: {shown}")


def whoosh_seconds(records: list[Record]) -> tuple[float, float]:
    """A plain Whoosh loop over title+body with StemmingAnalyzer: add_document, commit."""
    from whoosh import index as whoosh_index
    from whoosh.analysis import StemmingAnalyzer
    from whoosh.fields import ID, TEXT, Schema

    analyzer = StemmingAnalyzer()
    schema = Schema(id=ID(stored=True), title=TEXT(analyzer=analyzer), body=TEXT(analyzer=analyzer))
    with tempfile.TemporaryDirectory() as folder:
        writer = whoosh_index.create_in(folder, schema).writer()
        start = time.perf_counter()
        for article_id, title, body, _published in records:
            writer.add_document(id=article_id, title=title, body=body)
        added = time.perf_counter() - start
        writer.commit()
        return added, time.perf_counter() - start


def minhashlsh_seconds(records: list[Record]) -> tuple[float, float]:
    """datasketch.MinHashLSH query+insert vs our band lookup (KeyRuns), same signatures."""
    from datasketch import LeanMinHash, MinHashLSH

    from search.indexing.story_store import KeyRuns

    signed = [s for s in syndication.sign_bodies([r[2] for r in records]) if s is not None]
    lsh = MinHashLSH(
        num_perm=syndication.NUM_PERM, params=(syndication.LSH_BANDS, syndication.LSH_ROWS)
    )
    sketches = [
        LeanMinHash(seed=syndication.MINHASH_SEED, hashvalues=s, scheme=syndication.MINHASH_SCHEME)
        for s, _ in signed
    ]
    start = time.perf_counter()
    for row, sketch in enumerate(sketches):
        lsh.query(sketch)
        lsh.insert(row, sketch, check_duplication=False)
    theirs = time.perf_counter() - start
    table = KeyRuns("uint32")
    start = time.perf_counter()
    for row, (sig, _) in enumerate(signed):
        keys = syndication.short_keys(syndication.band_keys(sig))
        table.find(keys)
        table.add(keys, row)
    return theirs, time.perf_counter() - start


def signing_seconds(bodies: list[str]) -> tuple[float, float, bool]:
    """(datasketch MinHash on each body, sign_bodies on all, whether they are identical)."""
    start = time.perf_counter()
    single = [datasketch_signature(body) for body in bodies]
    one_by_one = time.perf_counter() - start
    start = time.perf_counter()
    batch = syndication.sign_bodies(bodies)
    batched = time.perf_counter() - start
    return (
        one_by_one,
        batched,
        len(single) == len(batch) and all(map(same_signatures, single, batch)),
    )


def report_signing(name: str, bodies: list[str]) -> None:
    """datasketch one body at a time beside sign_bodies() on the whole list (best of runs)."""
    best_single = best_batch = float("inf")
    identical = True
    for _ in range(COST_REPEATS):
        single, batch, same = signing_seconds(bodies)
        best_single, best_batch = min(best_single, single), min(best_batch, batch)
        identical &= same
    n = len(bodies)
    print(f"\n== Signing cost on {name} ({n} bodies, best of {COST_REPEATS} runs)")
    for label, spent in (
        ("datasketch MinHash, one body at a time", best_single),
        ("sign_bodies, one batch", best_batch),
    ):
        print(f"  {label:46s} {spent:7.2f} s  {1000 * spent / n:.3f} ms/article")
    same = "identical" if identical else "DIFFERENT"
    print(f"  batch speed-up {best_single / best_batch:.2f}x, signatures {same}")


def report_cost(records: list[Record]) -> None:
    """Time each step COST_REPEATS times, interleaved, and keep the best of each.

    Other jobs share the machine; interleaving and taking minima keeps the ratios fair.
    """
    best: dict[str, float] = defaultdict(lambda: float("inf"))
    for _ in range(COST_REPEATS):
        start = time.perf_counter()
        for record in records:
            syndication.shingle_hashes(record[2])
        steps = {"  of which shingling": time.perf_counter() - start}
        single, batch, _same = signing_seconds([r[2] for r in records])
        steps["  of which datasketch MinHash (shingling + MinHash)"] = single
        steps["sign_bodies(all bodies), for comparison"] = batch
        steps["StoryIndex.assign, all articles"] = assign_all(records)[1]
        added, committed = whoosh_seconds(records)
        steps["Whoosh add_document loop"] = added
        steps["Whoosh add_document + commit"] = committed
        theirs, ours = minhashlsh_seconds(records)
        steps["LSH step: datasketch.MinHashLSH query+insert"] = theirs
        steps["LSH step: KeyRuns find + add (ours)"] = ours
        for label, spent in steps.items():
            best[label] = min(best[label], spent)
    n = len(records)
    print(f"\n== Cost on Reuters ({n} articles, best of {COST_REPEATS} interleaved runs)")
    order = [
        "StoryIndex.assign, all articles",
        "  of which datasketch MinHash (shingling + MinHash)",
        "  of which shingling",
        "sign_bodies(all bodies), for comparison",
    ]
    for label in order + [k for k in best if k not in order]:
        print(f"  {label:46s} {best[label]:7.2f} s  {1000 * best[label] / n:.3f} ms/article")
    seconds = best["StoryIndex.assign, all articles"]
    for label in ("Whoosh add_document loop", "Whoosh add_document + commit"):
        print(f"  assign / {label[7:]:34s} {seconds / best[label]:.3f}")


def paragraphs(body: str) -> list[str]:
    parts = [p.strip() for p in body.split("\n\n") if p.strip()]
    return parts if len(parts) > 1 else [p.strip() for p in body.split("\n") if p.strip()]


def syndicate(body: str, rng: random.Random, drop_words: float = 0.0) -> str:
    """A copy as a site runs it: dateline lead, last 1-2 paragraphs cut, site footer."""
    parts = paragraphs(body)
    cut = rng.choice((1, 2)) if len(parts) > 3 else 0
    kept = parts[: len(parts) - cut]
    text = rng.choice(DATELINES) + "\n\n".join(kept) + "\n\n" + rng.choice(FOOTERS)
    if drop_words:
        text = " ".join(w for w in text.split(" ") if rng.random() >= drop_words)
    return text


def synthetic_run(originals: list[Record], rng: random.Random, drop_words: float):
    """(copies grouped with their original, originals wrongly merged with another)."""
    index = StoryIndex()
    for article_id, _title, body, published in originals:
        index.assign(article_id, body, published)
    stories = Counter(index.story_of(r[0]) for r in originals)
    merged = sum(n for n in stories.values() if n > 1)
    found = 0
    for article_id, _title, body, published in originals:
        copy = syndicate(body, rng, drop_words)  # run the same day as its original
        found += index.assign(f"{article_id}#copy", copy, published) == index.story_of(article_id)
    return found, merged


def report_synthetic(corpora: dict[str, dict[str, Record]], indexes) -> None:
    rng = random.Random(SEED)
    print(f"\n== Synthetic syndication ({SYNTHETIC_PER_CORPUS} originals per corpus)")
    for name in ("allsides", "bbc"):
        # originals: real articles that are alone in their story (so merges are errors)
        singles = [
            r
            for r in corpora[name].values()
            if len(r[2].split()) >= MIN_ORIGINAL_WORDS and _alone(indexes[name], r[0])
        ]
        originals = rng.sample(singles, SYNTHETIC_PER_CORPUS)
        for drop in (0.0, 0.03):
            found, merged = synthetic_run(originals, rng, drop)
            label = "plain copies" if not drop else f"copies with {drop:.0%} of words dropped"
            print(
                f"  {name:9s} {label:34s} recall {found / len(originals):.3f}  "
                f"false merges among originals {merged}/{len(originals)}"
            )


_STORY_SIZES: dict[int, Counter] = {}


def _alone(index: StoryIndex, article_id: str) -> bool:
    """Whether no other article shares this one's story (story sizes counted once)."""
    sizes = _STORY_SIZES.get(id(index))
    if sizes is None:
        sizes = _STORY_SIZES[id(index)] = Counter(index.story_of(a) for a in index)
    return sizes[index.story_of(article_id)] == 1


SWEEP = {
    "SHINGLE_SIZE": (3, 5),
    "FIGURE_WEIGHT": (0, 1, 3),
    "NUM_PERM": (64,),
    "MATCH_JACCARD": (0.5, 0.7, 1.01),
    "MATCH_CONTAINMENT": (0.7, 0.75, 0.85),
    "DATE_WINDOW_DAYS": (1, 3, 5, 10, 14, 30, 10**9),
    "MATCH_CONTAINMENT_NEAR": (0.6, 0.65, 0.7, 0.8),
    "MATCH_JACCARD_FAR": (0.6, 0.8, 0.9),
}
#: Settings that change the signatures (the others only the verification of candidates).
SIGNATURE_SETTINGS = {"SHINGLE_SIZE", "FIGURE_WEIGHT", "NUM_PERM"}
#: The date rule, swept jointly: window x containment bar inside it.
DATE_GRID = {"DATE_WINDOW_DAYS": (3, 5, 7, 10, 14), "MATCH_CONTAINMENT_NEAR": (0.65, 0.7, 0.75)}

Signed = list[tuple[str, object, str | None]]  # (id, signature, published) in corpus order


def sweep_signatures(corpora: dict[str, dict[str, Record]], needed) -> dict[str, Signed]:
    """Sign each corpus once per signature setting (of AllSides only the labelled articles)."""
    signed = {}
    for corpus, records in corpora.items():
        kept = [r for r in records.values() if corpus != "allsides" or r[0] in needed]
        sigs = syndication.sign_bodies([r[2] for r in kept])
        signed[corpus] = [(r[0], sig, r[3]) for r, sig in zip(kept, sigs, strict=True)]
    return signed


def sweep_score(pairs, signed: dict[str, Signed]) -> tuple[float, float]:
    indexes = {}
    for corpus, rows in signed.items():
        index = StoryIndex()  # the whole corpus decides which story a pair member joins
        for article_id, sig, published in rows:
            index.assign_signed(article_id, sig, published)
        indexes[corpus] = index
    return precision_recall(score_pairs(pairs, indexes)[0])


def report_sweep(pairs, corpora: dict[str, dict[str, Record]]) -> None:
    """Re-score the labelled pairs with one constant changed at a time, then the date grid.

    Reuters and BBC are assigned whole; of AllSides only the labelled articles (all 37k
    per setting would take minutes), so AllSides pairs cannot be merged through others.
    """
    print("\n== Sweep (labelled pairs; one setting changed at a time)")
    needed = {p["id_a"] for p in pairs} | {p["id_b"] for p in pairs}
    default_signed = sweep_signatures(corpora, needed)
    for name, values in SWEEP.items():
        default = getattr(syndication, name)
        for value in (default, *values):
            setattr(syndication, name, value)
            signed = default_signed
            if name in SIGNATURE_SETTINGS and value != default:
                signed = sweep_signatures(corpora, needed)
            precision, recall = sweep_score(pairs, signed)
            mark = " (chosen)" if value == default else ""
            print(f"  {name}={value}: precision {precision:.3f} recall {recall:.3f}{mark}")
        setattr(syndication, name, default)
    (window_name, windows), (bar_name, bars) = DATE_GRID.items()
    print(f"\n== Date grid: precision / recall for {window_name} (rows) x {bar_name} (columns)")
    print("  " + " " * 6 + "".join(f"{bar:>15}" for bar in bars))
    defaults = getattr(syndication, window_name), getattr(syndication, bar_name)
    for window in windows:
        setattr(syndication, window_name, window)
        cells = []
        for bar in bars:
            setattr(syndication, bar_name, bar)
            cells.append("{:.3f} / {:.3f}".format(*sweep_score(pairs, default_signed)))
        print(f"  {window:>6}" + "".join(f"{c:>15}" for c in cells))
    setattr(syndication, window_name, defaults[0])
    setattr(syndication, bar_name, defaults[1])


def clean_body(body: str) -> tuple[str, list[tuple[str, str]]]:
    """The cleaning step for already-extracted text alone (search/extract/furniture.py)."""
    kept, removed = strip_furniture(split_paragraphs(body))
    return "\n\n".join(kept), removed


def report_cleaning(pairs, corpora, indexes, sample: int) -> None:
    """The furniture step on AllSides' newspaper3k bodies: what it removes, and the labelled
    pairs scored on raw and on cleaned bodies (the rest of the pipeline left out, so the
    difference is this step's alone)."""
    records = list(corpora["allsides"].values())
    start = time.perf_counter()
    cleaned, changed, kinds = [], [], Counter()
    for article_id, title, body, published in records:
        text, removed = clean_body(body)
        cleaned.append((article_id, title, text, published))
        if removed:
            changed.append((article_id, removed))
            kinds.update(kind for kind, _ in removed)
    seconds = time.perf_counter() - start
    n = len(records)
    print(f"\n== Cleaning step on AllSides bodies (search/extract/furniture.py, {n} bodies)")
    print(
        f"  bodies changed {len(changed)} ({len(changed) / n:.1%}), paragraphs removed "
        f"{sum(kinds.values())}: " + ", ".join(f"{k} {c}" for k, c in kinds.most_common())
    )
    print(f"  cost {seconds:.1f} s, {1000 * seconds / n:.3f} ms/body")
    clean_index, _ = assign_all(cleaned)
    after = {**indexes, "allsides": clean_index}
    for label, chosen in (("raw bodies", indexes), ("cleaned bodies", after)):
        counts, _ = score_pairs(pairs, chosen)
        sub, _ = score_pairs([p for p in pairs if p["corpus"] == "allsides"], chosen)
        p_all, r_all = precision_recall(counts)
        p_as, r_as = precision_recall(sub)
        print(
            f"  {label:15s} all pairs P {p_all:.3f} R {r_all:.3f}   AllSides pairs"
            f" P {p_as:.3f} R {r_as:.3f}"
        )
    for pair in pairs:
        if pair["corpus"] != "allsides":
            continue
        verdicts = [
            index.story_of(pair["id_a"]) == index.story_of(pair["id_b"])
            for index in (indexes["allsides"], clean_index)
        ]
        if verdicts[0] != verdicts[1]:
            print(
                f"  changed: {pair['label']:8s} {pair['id_a']} {pair['id_b']} "
                f"{'same story' if verdicts[0] else 'apart'} -> "
                f"{'same story' if verdicts[1] else 'apart'} ({pair['reason']})"
            )
    if sample:
        print(f"\n== {sample} changed bodies (seed {SEED}) and the paragraphs removed, to check")
        for article_id, removed in random.Random(SEED).sample(changed, sample):
            print(f"  {article_id}")
            for kind, paragraph in removed:
                print(f"    [{kind}] {paragraph[:200]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sweep", action="store_true", help="also sweep the constants")
    parser.add_argument("--sweep-only", action="store_true", help="only sweep the constants")
    parser.add_argument(
        "--cleaning-sample",
        type=int,
        default=0,
        metavar="N",
        help="print N AllSides bodies the cleaning step changed, with what it removed",
    )
    args = parser.parse_args()
    if not CORPORA.exists():
        sys.exit(f"corpora missing at {CORPORA}")
    records = {name: read() for name, read in READERS.items()}
    corpora = {name: {r[0]: r for r in recs} for name, recs in records.items()}
    pairs = read_pairs()
    if args.sweep_only:
        report_sweep(pairs, corpora)
        return
    indexes, seconds = {}, {}
    for name, recs in records.items():
        indexes[name], seconds[name] = assign_all(recs)
    print("Syndicated-story detection (search/indexing/syndication.py)")
    print(
        f"  settings: k={syndication.SHINGLE_SIZE} words, figure weight "
        f"{syndication.FIGURE_WEIGHT}, num_perm={syndication.NUM_PERM}, LSH "
        f"{syndication.LSH_BANDS}x{syndication.LSH_ROWS}, accept J>={syndication.MATCH_JACCARD}"
        f" or C>={syndication.MATCH_CONTAINMENT}, bodies < {syndication.MIN_WORDS} words alone"
    )
    print(
        f"  dates: within {syndication.DATE_WINDOW_DAYS} days C>="
        f"{syndication.MATCH_CONTAINMENT_NEAR} is enough; further apart only "
        f"J>={syndication.MATCH_JACCARD_FAR}; undated articles by text alone"
    )
    report_pairs(pairs, corpora, indexes)
    report_cleaning(pairs, corpora, indexes, args.cleaning_sample)
    for name in ("reuters", "allsides", "bbc"):
        report_groups(name, records[name], indexes[name])
    report_synthetic(corpora, indexes)
    for name in ("allsides", "bbc"):
        n = len(records[name])
        print(f"  (assigning all of {name}: {1000 * seconds[name] / n:.3f} ms/article)")
    report_cost(records["reuters"])
    report_signing("AllSides (long bodies)", [r[2] for r in records["allsides"][:ALLSIDES_SIGNING]])
    if args.sweep:
        report_sweep(pairs, corpora)


if __name__ == "__main__":
    main()
