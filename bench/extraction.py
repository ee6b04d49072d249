"""Main-text extraction on the trafilatura evaluation set: ours beside the baselines.

Run from the project root: ``python bench/extraction.py`` (all 990 pages, about 2 minutes:
every extractor runs in turn). ``--every K`` / ``--limit N`` score a slice, as ``score.py``
does; ``--check`` exits 1 when our pooled F1 falls below the floor pinned for that slice in
``bench/extraction_baseline.json`` (minus ``EPSILON``), like trafilatura's ``eval_gate.py``.

Scoring is ``score.py``'s own (imported from the corpus folder, not re-implemented): each
page's ``with`` snippets must appear in the output, its ``without`` snippets must not.
Rows, all from one run on the same pages:

- ``ours``: ``search.extract.html.extract_text``;
- ``trafilatura``: ``trafilatura.extract()`` with its defaults (comments included);
- ``trafilatura-bench``: trafilatura's benchmark settings (no comments, tables, no formatting);
- ``naive-bs4``: all visible text by BeautifulSoup ``get_text()``;
- ``everything``: the whole decoded page, markup included (the recall ceiling);
- ``nothing``: empty output (the floor: every ``without`` snippet is a true negative).

A metadata check follows on the pages whose annotation carries ``meta``: the share of pages
whose title, author(s) and date we get right, beside trafilatura's metadata extraction.
Results also go to ``bench/out/extraction.json``.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ holds a search.py script, which would shadow the search package: import from the root
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from search.extract.html import decode, extract_text, parse  # noqa: E402
from search.extract.html_metadata import extract_metadata  # noqa: E402

DATA = ROOT.parent / "shared" / "corpora" / "trafilatura-eval"
BASELINE = ROOT / "bench" / "extraction_baseline.json"
OUT = ROOT / "bench" / "out" / "extraction.json"
#: Our pooled F1 may fall this far below the pinned floor before ``--check`` fails.
EPSILON = 0.0005


def load_scorer():
    """The corpus's own ``score.py`` as a module (its scoring is the reference)."""
    path = DATA / "score.py"
    if not path.is_file():
        raise SystemExit(f"extraction bench: corpus missing: {DATA} (no score.py)")
    spec = importlib.util.spec_from_file_location("trafilatura_eval_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _everything(html: bytes) -> str:
    return decode(html)


def _nothing(html: bytes) -> str:
    return ""


def extractors(score) -> dict[str, Callable[[bytes], str]]:
    return {
        "ours": extract_text,
        "trafilatura": score.BASELINES["trafilatura"][0],
        "trafilatura-bench": score.BASELINES["trafilatura-bench"][0],
        "naive-bs4": score.BASELINES["naive-bs4"][0],
        "everything": _everything,
        "nothing": _nothing,
    }


# --------------------------------------------------------------------------- text


def score_all(score, items: list[dict], names: list[str]) -> dict[str, dict]:
    """Run each extractor over the pages; its summary, errors and time by name."""
    table = {}
    for name, fn in extractors(score).items():
        if name not in names:
            continue
        pages, errors, elapsed = score.run(fn, items, str(DATA))
        table[name] = {"summary": score.summarize(pages), "errors": errors, "seconds": elapsed}
    return table


def print_table(table: dict[str, dict]) -> None:
    print(f"{'extractor':<18} {'pooled P':>8} {'R':>7} {'F1':>7}   {'per-page F1':>11}   ", end="")
    print(f"{'TP':>5} {'FP':>5} {'FN':>5} {'empty':>5} {'errors':>6} {'time':>7}")
    for name, row in table.items():
        s = row["summary"]
        pooled, counts = s["pooled"], s["counts"]
        print(
            f"{name:<18} {pooled['precision']:8.4f} {pooled['recall']:7.4f} {pooled['f1']:7.4f}"
            f"   {s['per_page']['f1']:11.4f}   {counts['tp']:5d} {counts['fp']:5d} "
            f"{counts['fn']:5d} {s['empty_outputs']:5d} {len(row['errors']):6d} "
            f"{row['seconds']:6.1f}s"
        )
        for file, error in row["errors"][:3]:
            print(f"    error on {file}: {error}")


# --------------------------------------------------------------------------- metadata


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def _ours_meta(html: bytes, url: str) -> dict:
    tree = parse(decode(html))
    if tree is None:
        return {}
    meta = extract_metadata(tree, url)
    return {"title": meta.title, "author": "; ".join(meta.authors), "date": meta.published}


def _trafilatura_meta(html: bytes, url: str) -> dict:
    from trafilatura.metadata import extract_metadata as trafilatura_metadata
    from trafilatura.utils import load_html

    tree = load_html(html)
    doc = trafilatura_metadata(tree, default_url=url) if tree is not None else None
    if doc is None:
        return {}
    return {"title": doc.title, "author": doc.author, "date": doc.date}


def _names(value: str | list | None) -> set[str]:
    """Author names as a set: "A; B" and ["A", "B"] compare equal, in any order."""
    parts = value if isinstance(value, list) else (value or "").split(";")
    return {_norm(p).casefold() for p in parts if _norm(p)}


def _field_correct(field: str, expected: str | list, got: str | None) -> bool:
    if field == "date":
        return bool(got) and _norm(got)[:10] == _norm(str(expected))[:10]
    if field == "author":
        return _names(got) == _names(expected)
    return _norm(got).casefold() == _norm(str(expected)).casefold()


def metadata_check(items: list[dict]) -> dict[str, dict]:
    """Accuracy of title, author and date on the annotated pages, for ours and trafilatura."""
    annotated = [item for item in items if item.get("meta")]
    result = {}
    for name, fn in (("ours", _ours_meta), ("trafilatura", _trafilatura_meta)):
        right = {"title": 0, "author": 0, "date": 0}
        total = {"title": 0, "author": 0, "date": 0}
        start = time.perf_counter()
        for item in annotated:
            with gzip.open(DATA / "pages" / item["file"], "rb") as f:
                html = f.read()
            try:
                got = fn(html, item["url"])
            except Exception:  # a crash counts as nothing found, the run goes on
                got = {}
            for field in right:
                expected = item["meta"].get(field)
                if expected:
                    total[field] += 1
                    right[field] += _field_correct(field, expected, got.get(field))
        seconds = time.perf_counter() - start
        result[name] = {"right": right, "total": total, "seconds": seconds}
    return result


def print_metadata(result: dict[str, dict]) -> None:
    pages = {f: n for f, n in next(iter(result.values()))["total"].items()}
    print(
        f"\nmetadata (pages annotated: title {pages['title']}, author {pages['author']},"
        f" date {pages['date']}; date: same YYYY-MM-DD; author: same set of names; title: equal)"
    )
    print(f"{'extractor':<18} {'title':>7} {'author':>7} {'date':>7} {'time':>7}")
    for name, row in result.items():
        acc = {f: row["right"][f] / max(row["total"][f], 1) for f in row["right"]}
        print(
            f"{name:<18} {acc['title']:7.3f} {acc['author']:7.3f} {acc['date']:7.3f}"
            f" {row['seconds']:6.1f}s"
        )


# --------------------------------------------------------------------------- gate


def selection_key(every: int, limit: int) -> str:
    return f"every={every}" + (f",limit={limit}" if limit else "")


def check_floor(f1: float, key: str) -> int:
    """0 if our F1 holds the floor pinned for this slice, 1 (with a message) if not."""
    try:
        floors = json.loads(BASELINE.read_text())["floors"]
    except (OSError, ValueError, KeyError) as err:
        print(f"check: cannot read floors from {BASELINE}: {err}")
        return 1
    if key not in floors:
        print(f"check: no floor pinned for {key} in {BASELINE} (pinned: {', '.join(floors)})")
        return 1
    floor = floors[key]
    verdict = "ok" if f1 >= floor - EPSILON else "FAILED"
    print(f"check: ours pooled F1 {f1:.4f} vs floor {floor:.4f} (-{EPSILON}) for {key}: {verdict}")
    return 0 if verdict == "ok" else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=1, metavar="K", help="every K-th page")
    parser.add_argument("--limit", type=int, default=0, metavar="N", help="first N pages only")
    parser.add_argument("--check", action="store_true", help="fail below the pinned F1 floor")
    parser.add_argument("--only", default="", help="comma-separated extractors to run")
    parser.add_argument("--no-metadata", action="store_true", help="skip the metadata check")
    args = parser.parse_args(argv)
    if args.every < 1 or args.limit < 0:
        parser.error("--every must be >= 1 and --limit >= 0")

    score = load_scorer()
    items = score.select(score.load_items(str(DATA)), args.every, args.limit)
    names = [n for n in args.only.split(",") if n] or list(extractors(score))
    if args.check and "ours" not in names:
        names.insert(0, "ours")
    n_with = sum(len(i["with"]) for i in items)
    n_without = sum(len(i["without"]) for i in items)
    print(
        f"trafilatura-eval: {len(items)} pages ({selection_key(args.every, args.limit)}), ", end=""
    )
    print(f"{n_with} 'with' / {n_without} 'without' snippets\n")

    table = score_all(score, items, names)
    print_table(table)
    meta = None if args.no_metadata else metadata_check(items)
    if meta:
        print_metadata(meta)

    OUT.parent.mkdir(parents=True, exist_ok=True)
    report = {name: {k: v for k, v in row.items() if k != "errors"} for name, row in table.items()}
    OUT.write_text(json.dumps({"text": report, "metadata": meta}, indent=1))
    if args.check:
        f1 = table["ours"]["summary"]["pooled"]["f1"]
        return check_floor(f1, selection_key(args.every, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
