"""Issue 13 experiment (throwaway): does a latent-topic signal (LSA) re-rank the default better?

The archive's own latent space: a log-tf * idf matrix of headline + body (terms as the index
analyses them, ``term_counts``; terms in at least 2 documents), rows L2-normalised, and its
truncated SVD (``scipy.sparse.linalg.svds``). A document's vector is its row times V_k; a
query is folded in the same way. The default ranking's best ``depth`` matches (``NewsIndex
.search``, ``collapse=False``, as ``bench/relevance.py``'s ``Ours.top``) are re-ranked by

    (1 - weight) * score / best score + weight * cosine(document, signal)

where the signal is the folded query (``query``), the centroid of the default's best 10
documents' vectors (``prf``, a dense pseudo-relevance feedback), or the mean of the two
cosines (``both``). One SVD at the largest k gives every smaller k (its leading vectors).

    python bench/latent_experiment.py --sweep     # tune half only: every setting
    python bench/latent_experiment.py --report    # the chosen setting: tune, report, Reuters

Judgments, queries and metrics come from ``bench/relevance.py``; indexes are the ones it
builds in ``bench/out/relevance/``. Reuters gets a space learned from Reuters.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import pickle
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import svds

sys.path.insert(0, str(Path(__file__).resolve().parent))
import relevance  # noqa: E402  (sets sys.path so ``search`` is this tree's)

from search.indexing.analysis import term_counts  # noqa: E402

KS = (100, 200, 300)
WEIGHTS = (0.1, 0.2, 0.3, 0.5)
SIGNALS = ("query", "prf", "both")
DEPTHS = (100, 1000)
FEEDBACK_DOCS = 10
#: Chosen on the tune half by ``--sweep`` (set after it ran; see the report).
CHOSEN = {"k": 100, "weight": 0.8, "signal": "both", "depth": 1000}


@dataclass
class Space:
    """Each document's latent vector (rows, L2-normalised) and what folds a query in."""

    row_of: dict[str, int]
    vocabulary: dict[str, int]
    idf: np.ndarray
    #: V_k, terms x k (largest singular value first).
    term_vectors: np.ndarray
    doc_vectors: np.ndarray
    timings: dict[str, float]
    sizes: dict[str, int]

    def fold(self, text: str, k: int) -> np.ndarray:
        """The query's tf-idf row times V_k (zeros if none of its terms is known)."""
        vector = np.zeros(k)
        for term, count in term_counts(text).items():
            column = self.vocabulary.get(term)
            if column is not None:
                weight = (1 + math.log(count)) * self.idf[column]
                vector += weight * self.term_vectors[column, :k]
        return vector


def weighted_rows(corpus: relevance.Corpus) -> tuple[list[str], list, int]:
    """Record ids and each record's term counts (headline + body), and the record count."""
    ids, counted = [], []
    with gzip.open(corpus.source, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            ids.append(str(record[corpus.id_key]))
            text = f"{record.get('title') or ''}\n{record.get(corpus.body_key) or ''}"
            counted.append(term_counts(text))
    return ids, counted, len(ids)


CACHE = relevance.OUT / "latent"


def cached_space(corpus: relevance.Corpus, k: int) -> Space:
    """``build_space`` once per corpus and k (svds takes minutes), kept in bench/out/latent/."""
    path = CACHE / f"{corpus.name}-k{k}.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())
    space = build_space(corpus, k)
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(space))
    return space


def build_space(corpus: relevance.Corpus, k: int, sample: int = 0) -> Space:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    ids, counted, n = weighted_rows(corpus)
    timings["analyse"] = time.perf_counter() - started

    started = time.perf_counter()
    document_frequency: dict[str, int] = {}
    for counts in counted:
        for term in counts:
            document_frequency[term] = document_frequency.get(term, 0) + 1
    vocabulary = {t: i for i, t in enumerate(t for t, df in document_frequency.items() if df >= 2)}
    idf = np.zeros(len(vocabulary))
    for term, column in vocabulary.items():
        idf[column] = math.log(n / document_frequency[term])
    indptr, indices, values = [0], [], []
    for counts in counted:
        for term, count in counts.items():
            column = vocabulary.get(term)
            if column is not None:
                indices.append(column)
                values.append((1 + math.log(count)) * idf[column])
        indptr.append(len(indices))
    matrix = csr_matrix(
        (np.array(values), np.array(indices, dtype=np.int32), np.array(indptr, dtype=np.int64)),
        shape=(n, len(vocabulary)),
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = csr_matrix(matrix.multiply(1 / norms[:, None]))
    del counted
    timings["matrix"] = time.perf_counter() - started

    started = time.perf_counter()
    learned = matrix
    if sample:  # learn V_k from a sample, fold every document in (as new articles would be)
        rows = np.random.default_rng(13).choice(n, size=min(sample, n), replace=False)
        learned = matrix[np.sort(rows)]
    _, singular, right_t = svds(learned, k=k, random_state=13)
    order = np.argsort(-singular)
    term_vectors = right_t[order].T.copy()
    timings["svd"] = time.perf_counter() - started
    started = time.perf_counter()
    doc_vectors = np.asarray(matrix @ term_vectors, dtype=np.float32)  # = U_k S_k when learned
    timings["fold"] = time.perf_counter() - started
    sizes = {
        "docs": n,
        "terms": len(vocabulary),
        "nnz": matrix.nnz,
        "matrix_bytes": matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes,
        "doc_vector_bytes": doc_vectors.nbytes,
        "term_vector_bytes": term_vectors.nbytes,
    }
    return Space(
        {d: i for i, d in enumerate(ids)},
        vocabulary,
        idf,
        term_vectors,
        doc_vectors,
        timings,
        sizes,
    )


def unit(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.where(norms == 0, 1.0, norms)


@dataclass(frozen=True)
class Setting:
    k: int
    weight: float
    signal: str
    depth: int

    def label(self) -> str:
        return f"k={self.k:<3} w={self.weight:<3} {self.signal:<5} top {self.depth}"


def rerank(space: Space, query: str, hits: list[tuple[str, float]], setting: Setting) -> list[str]:
    """The default's best ``depth`` hits re-ranked by the mix of score and cosine; the
    hits after them follow in the default's order."""
    rest = [h for h, _ in hits[setting.depth :]]
    hits = hits[: setting.depth]
    if not hits:
        return []
    ids = [h for h, _ in hits]
    scores = np.array([s for _, s in hits])
    rows = [space.row_of.get(h, -1) for h in ids]
    vectors = unit(space.doc_vectors[rows, : setting.k].astype(np.float64))
    vectors[[r < 0 for r in rows]] = 0.0
    cosines = np.zeros(len(ids))
    signals = 0
    if setting.signal in ("query", "both"):
        cosines += vectors @ unit(space.fold(query, setting.k))
        signals += 1
    if setting.signal in ("prf", "both"):
        cosines += vectors @ unit(vectors[:FEEDBACK_DOCS].mean(axis=0))
        signals += 1
    mixed = (1 - setting.weight) * scores / scores.max() + setting.weight * cosines / signals
    return [ids[i] for i in np.argsort(-mixed, kind="stable")] + rest


def default_hits(corpus: relevance.Corpus, queries: list[relevance.Query], depth: int) -> dict:
    """The default ranking's best ``depth`` articles with their scores, per query."""
    news = relevance.NewsIndex.open(relevance.ours_path(corpus), {"max_per_page": depth})
    found = {}
    for q in queries:
        result = news.search(q.text, per_page=depth, facets=[], collapse=False)
        found[q] = [(hit.id, hit.score or 0.0) for hit in result.hits]
    return found


def paired(ours: dict[str, float], theirs: dict[str, float]) -> tuple[float, float, int, int]:
    gaps = [ours[q] - theirs[q] for q in ours]
    error = statistics.stdev(gaps) / math.sqrt(len(gaps))
    return (
        statistics.fmean(gaps),
        error,
        sum(g > 0.001 for g in gaps),
        sum(g < -0.001 for g in gaps),
    )


def evaluate(runs: dict, judgments: dict) -> tuple[float, float, dict[str, float], dict]:
    """Mean nDCG@10 and MAP@100, and each query's nDCG@10 and average precision."""
    per_query = {
        q.text: relevance.ndcg_at(r, judgments.get(q.topic, set())) for q, r in runs.items()
    }
    ap = {
        q.text: relevance.average_precision_at(r, judgments.get(q.topic, set()))
        for q, r in runs.items()
    }
    return statistics.fmean(per_query.values()), statistics.fmean(ap.values()), per_query, ap


def print_header() -> None:
    print(f"{'setting':<34} {'nDCG@10':>8} {'MAP@100':>8} {'margin':>8} {'s.e.':>6} won lost")


def print_line(label: str, ndcg: float, ap: float, margin=None) -> None:
    tail = ""
    if margin is not None:
        tail = f" {margin[0]:+8.3f} {margin[1]:6.3f} {margin[2]:>4} {margin[3]:>4}"
    print(f"{label:<34} {ndcg:8.3f} {ap:8.3f}{tail}")


def print_cost(name: str, space: Space, k: int) -> None:
    t, s = space.timings, space.sizes
    scale = 1_000_000 / s["docs"]
    total = sum(t.values())
    print(
        f"\ncost, {name}: {s['docs']:,} docs, {s['terms']:,} terms (df>=2), {s['nnz']:,} nonzeros;"
        f" analyse {t['analyse']:.1f} s, matrix {t['matrix']:.1f} s, svds(k={k}) {t['svd']:.1f} s,"
        f" fold-in of every document {t.get('fold', 0):.1f} s,"
        f" total {total:.1f} s"
    )
    print(
        f"  memory: tf-idf matrix {s['matrix_bytes'] / 2**20:.0f} MiB, doc vectors"
        f" (float32, k={k}) {s['doc_vector_bytes'] / 2**20:.0f} MiB, term vectors"
        f" {s['term_vector_bytes'] / 2**20:.0f} MiB; peak RSS of this process"
        f" {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB"
    )
    print(
        f"  x{scale:.0f} to 1M articles (linear; svds is at least linear in nonzeros): "
        f"matrix {s['matrix_bytes'] * scale / 2**30:.1f} GiB, doc vectors "
        f"{s['doc_vector_bytes'] * scale / 2**30:.2f} GiB at k={k} (float32), "
        f"analyse+matrix {(t['analyse'] + t['matrix']) * scale / 60:.0f} min, "
        f"svds >= {t['svd'] * scale / 60:.0f} min"
    )


def timed_rerank(space: Space, hits: dict, setting: Setting) -> tuple[dict, float]:
    started = time.perf_counter()
    runs = {q: rerank(space, q.text, h, setting) for q, h in hits.items()}
    return runs, (time.perf_counter() - started) * 1000 / max(len(hits), 1)


def sweep(weights: tuple[float, ...], signals: tuple[str, ...]) -> None:
    corpus = relevance.CORPORA["allsides"]
    queries = [q for q in relevance.read_queries(corpus.queries) if q.half == "tune"]
    judgments, _, _ = relevance.read_judgments(corpus)
    hits = default_hits(corpus, queries, max(DEPTHS))
    space = cached_space(corpus, max(KS))
    print_cost("AllSides", space, max(KS))
    default_runs = {q: [h for h, _ in found[:100]] for q, found in hits.items()}
    base_ndcg, base_ap, base_per_query, _ = evaluate(default_runs, judgments)
    print(f"\nAllSides tune half ({len(queries)} queries), margin = setting minus default:")
    print_header()
    print_line("default (top 1000 list, first 100)", base_ndcg, base_ap)
    for depth in DEPTHS:
        for signal in signals:
            for k in KS:
                for weight in weights:
                    setting = Setting(k, weight, signal, depth)
                    runs, ms = timed_rerank(space, hits, setting)
                    ndcg, ap, per_query, _ = evaluate(runs, judgments)
                    margin = paired(per_query, base_per_query)
                    print_line(setting.label() + f" {ms:4.1f}ms", ndcg, ap, margin)


def part(run: dict, chosen: list, name: str, judged: set[str]) -> dict:
    """The chosen queries' lists as bench/relevance.py scores them: Reuters over judged
    articles only, AllSides' first 100."""
    picked = {q: run[q] for q in chosen}
    if name == "reuters":
        return {q: [d for d in r if d in judged] for q, r in picked.items()}
    return {q: r[:100] for q, r in picked.items()}


def report() -> None:
    setting = Setting(**CHOSEN)
    print(f"chosen on the tune half: {setting.label()}")
    for name in ("allsides", "reuters"):
        corpus = relevance.CORPORA[name]
        queries = relevance.read_queries(corpus.queries)
        judgments, judged, short = relevance.read_judgments(corpus)
        depth = max(setting.depth, relevance.DEPTH[name])
        hits = default_hits(corpus, queries, depth)
        space = cached_space(corpus, max(KS))  # its leading k vectors are the k-space
        print_cost(name, space, max(KS))
        whoosh = relevance.PlainWhoosh(corpus, relevance.DEPTH[name])
        runs, ms = timed_rerank(space, hits, setting)
        default_runs = {q: [h for h, _ in found] for q, found in hits.items()}
        whoosh_runs = {
            mode: {q: whoosh.top(q.text, mode) for q in queries} for mode in whoosh.modes
        }
        halves = ("tune", "report") if name == "allsides" else ("check",)
        for half in halves:
            chosen = [q for q in queries if q.half == half]

            base = evaluate(part(default_runs, chosen, name, judged), judgments)
            latent = evaluate(part(runs, chosen, name, judged), judgments)
            rivals = {
                mode: evaluate(part(r, chosen, name, judged), judgments)
                for mode, r in whoosh_runs.items()
            }
            best_mode = max(rivals, key=lambda m: rivals[m][0])
            rival = rivals[best_mode]
            print(f"\n{name} {half} ({len(chosen)} queries); re-rank {ms:.1f} ms/query:")
            print_header()
            print_line("default", base[0], base[1])
            print_line(f"plain whoosh {best_mode}", rival[0], rival[1])
            print_line("latent vs default", latent[0], latent[1], paired(latent[2], base[2]))
            print_line(
                "  same, margin in MAP@100", latent[0], latent[1], paired(latent[3], base[3])
            )
            print_line(
                f"latent vs whoosh {best_mode}", latent[0], latent[1], paired(latent[2], rival[2])
            )
            print_line(
                f"default vs whoosh {best_mode}", base[0], base[1], paired(base[2], rival[2])
            )
            for label, run in (("default", default_runs), ("latent", runs)):
                first_pages = [run[q][:10] for q in chosen]
                briefs = statistics.fmean(relevance.precision_at(r, short) for r in first_pages)
                print(
                    f"  short@10 (briefs, headline-less on first pages, all articles) {label}:"
                    f" {briefs:.3f}"
                )
            if name == "reuters":
                unjudged = [
                    statistics.fmean(
                        relevance.ndcg_at(run[q], judgments.get(q.topic, set())) for q in chosen
                    )
                    for run in (default_runs, runs)
                ]
                print(
                    f"  unjudged = miss nDCG@10: default {unjudged[0]:.3f},"
                    f" latent {unjudged[1]:.3f}"
                )


QUERIES_FOR_COST = relevance.read_queries(relevance.CORPORA["allsides"].queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sweep", action="store_true", help="every setting on the tune half")
    parser.add_argument("--report", action="store_true", help="the chosen setting, all halves")
    parser.add_argument("--weights", default=",".join(map(str, WEIGHTS)), help="for --sweep")
    parser.add_argument("--signals", default=",".join(SIGNALS), help="for --sweep")
    parser.add_argument("--cost", type=int, default=0, help="build AllSides' space at this k")
    parser.add_argument(
        "--sample", type=int, default=0, help="for --cost: learn from this many, fold in the rest"
    )
    args = parser.parse_args()
    if args.cost:
        started = time.perf_counter()
        hits = default_hits(relevance.CORPORA["allsides"], QUERIES_FOR_COST, 1000)
        ms = (time.perf_counter() - started) * 1000 / len(hits)
        print(f"default search, top 1000: {ms:.0f} ms/query")
        space = build_space(relevance.CORPORA["allsides"], args.cost, args.sample)
        print_cost(f"AllSides, learned from {args.sample or 'all'}", space, args.cost)
        setting = Setting(args.cost, CHOSEN["weight"], CHOSEN["signal"], CHOSEN["depth"])
        runs, ms = timed_rerank(space, hits, setting)
        print(f"re-rank of the top 1000 at k={args.cost}: {ms:.1f} ms/query")
        judgments, _, _ = relevance.read_judgments(relevance.CORPORA["allsides"])
        print_header()
        for half in ("tune", "report"):
            chosen = [q for q in QUERIES_FOR_COST if q.half == half]
            base = evaluate({q: [h for h, _ in hits[q][:100]] for q in chosen}, judgments)
            latent = evaluate({q: runs[q][:100] for q in chosen}, judgments)
            print_line(f"{half}: default", base[0], base[1])
            print_line(f"{half}: {setting.label()}", *latent[:2], paired(latent[2], base[2]))
    if args.sweep:
        sweep(tuple(float(w) for w in args.weights.split(",")), tuple(args.signals.split(",")))
    if args.report:
        report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
