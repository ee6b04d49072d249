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
whose title, author(s) and date we get right, beside trafilatura's metadata extraction,
scored two ways: ``strict``, the annotation's own standard, and ``reader``, which forgives
only differences a reader would not call an error (typography, a kicker or site-name part of
a title, "By", credentials, affiliations and desks beside the people of a byline, a misspelt
annotation, an annotated date with day and month swapped;
the rules are listed above ``reader_correct``); and for authors a third row, ``people``, on
the pages whose annotated author is a person, not a desk, an agency or an organisation
(rules above ``annotated_person``). ``--misses title,author,date`` prints our
misses by the reader standard, to look at before changing code. Results also go to
``bench/out/extraction.json``.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import re
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

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

FIELDS = ("title", "author", "date")


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


def strict_correct(field: str, expected: str | list, got: str | None) -> bool:
    """The annotation's own standard: same day, same set of names, same title (case aside)."""
    if field == "date":
        return bool(got) and _norm(got)[:10] == _norm(str(expected))[:10]
    if field == "author":
        return _names(got) == _names(expected)
    return _norm(got).casefold() == _norm(str(expected)).casefold()


# The "reader" standard: what a person comparing the two would still call the same. It forgives
# only differences that carry no information, each listed here, and never a different text:
# - typography and case: curly or straight quotes, dashes, ellipses, soft hyphens, letters in
#   CSS capitals (annotators copied "DOROTHEA WIERER ..." from the screen);
# - titles: a kicker before the headline ("Klimaschutz: Bohren, bis es heiß wird"), on either
#   side, and a site-name suffix ("Kinder und Arbeit » ProNATs e.V."), on either side;
# - authors: "By"/"Von" prefixes, a credential after a comma ("Grant Tinsley, PhD"), and how
#   the names are joined (", ", " and ", " und ", "/", "&"); an affiliation after a name ("Glen
#   Owen For The Mail On Sunday", "James Lynch from University of Michigan", "Camila Méndez en
#   Territorio") and a share counter the annotator copied with it ("Amber Guetebier Shares");
#   a desk, an agency or an outlet named beside people ("Michael Rädel, Redaktion", "..., NDR"):
#   the people are the same;
#   an annotation that misspells the name the page prints (listed in ``ANNOTATION_TYPOS``);
# - dates: an annotation that is no valid date but our day with its numbers in another order
#   ("2022-29-11" for 2022-11-29).
_TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys('„“”«»‹›"', ""),
        **dict.fromkeys("‚‘’´`'", ""),
        **dict.fromkeys("–—‒−", "-"),
        "\xad": None,
        "…": "...",
    }
)
_KICKER_SEPARATOR = re.compile(r"\s*(?::|\s[-|»·/]|\s-)\s+")
MAX_KICKER_WORDS = 5
_BY = re.compile(r"^(?:by|von|par|por|door|text|autor(?:in)?|author|auteur)\b[:\s]*", re.I)
_CREDENTIAL = re.compile(r"^(?:ph\.?d|m\.?d|dr|prof|mba|jr|sr)\.?$", re.I)
_NAME_JOIN = re.compile(r"\s*(?:[,;&/]|\band\b|\bund\b)\s*", re.I)


#: What trails a name without naming anyone else: an affiliation, a share counter.
_AFFILIATION = re.compile(r"\s+(?:(?:for|from|für|pour|en)\s+\S.*|shares?)$", re.I)
#: Annotations that misspell the name their page prints, and what the page prints (by file).
ANNOTATION_TYPOS = {
    # the page spells her "Alexandra Ilina" six times, never "Illina"
    "ingenieur.de.kernfusion.html.gz": {"author": "Alexandra Ilina"},
    # "I'm Joachim Schork" on the page: the annotation lost the first letter
    "statisticsglobe.com.ggplot2.html.gz": {"author": "Joachim Schork"},
}


def _reader_text(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_TYPOGRAPHY)
    return " ".join(text.split()).casefold().strip(" .!?:;-|")


def _without_kicker(title: str) -> str:
    parts = _KICKER_SEPARATOR.split(title, maxsplit=1)
    if len(parts) == 2 and len(parts[0].split()) <= MAX_KICKER_WORDS:
        return parts[1]
    return title


def _without_site(title: str, site_words: set[str]) -> str:
    parts = re.split(r"\s+[-|»·–—]\s+", title)
    if len(parts) > 1 and set(re.findall(r"\w+", parts[-1].casefold())) & site_words:
        return " - ".join(parts[:-1])
    return title


def _reader_names(value: str | list | None) -> set[str]:
    parts = value if isinstance(value, list) else [value or ""]
    names, people = set(), set()
    for part in parts:
        for name in _NAME_JOIN.split(_BY.sub("", _norm(part))):
            name = _BY.sub("", name)
            if " " in name.strip():
                name = _AFFILIATION.sub("", name)
            if not _reader_text(name) or _CREDENTIAL.match(_reader_text(name)):
                continue
            names.add(_reader_text(name))
            if _names_a_person(name):
                people.add(_reader_text(name))
    return people or names


def _names_a_person(name: str) -> bool:
    """Whether a byline part is no desk, agency code or outlet (see ``annotated_person``)."""
    text = _norm(name)
    return not (_DESK.search(text) or _ORGANISATION_WORD.search(text) or _AGENCY_CODE.match(text))


# "People only": the author score over the pages whose annotated author is a person. An
# annotation names no person, and the page is left out of that row (it stays in the other two),
# when one of its names is
# - a desk or a team: "Redaktion", "Staff Writer", "PETA-Team", "HLNF Staff Report";
# - a news agency or an agency code: "Agencia EFE", "dpa/lno", "APA/AP", "JIJI";
# - an organisation: the site's own name or domain ("Greenpeace" on greenpeace.de,
#   "uncut-news.ch"), or a name with an organisation's word ("Nordex SE", "Deutscher Tennis
#   Bund", "SWR Fernsehen").
# A one-word handle ("damianduchamps", "r23") names a person and stays.
_DESK = re.compile(
    r"\b(?:redaktion|redaction|staff(?=\s+\w)|^staff$|team|webteam|desk|pressestelle"
    r"|editorial|editors?|support|reports?|news service|agenturen|agencias?|agencies)\b",
    re.I,
)
_ORGANISATION_WORD = re.compile(
    r"\b(?:ag|se|gmbh|e\.\s?v|inc|ltd|bund|verband|union|institut|stiftung|foundation"
    r"|fernsehen|online|magazin|magazine|news|zeitung|today|radio|tv|presse)\b"
    r"|\.(?:de|com|ch|at|org|net|pl)\b|[a-z]/[a-z]",
    re.I,
)
#: An agency code in capitals ("JIJI", "APA") or lower case ("dpa", "kathpress").
_AGENCY_CODE = re.compile(r"^(?:[A-ZÄÖÜ]{2,5}|dpa|epd|kna|kathpress|sda|afp|ap|apa)$")


_BLOG_HOST = re.compile(r"\.(?:wordpress\.com|blogspot\.\w+|tumblr\.com)$")


def annotated_person(expected: str | list, item: dict) -> bool:
    """Whether an author annotation names people only (see the rules above)."""
    host = (urlsplit(item["url"]).hostname or "").removeprefix("www.")
    # a blog's subdomain is its writer's handle ("creeny.wordpress.com"), no brand
    brands = set() if _BLOG_HOST.search(host) else {host.split(".")[0], re.sub(r"\W", "", host)}
    brands.add(re.sub(r"\W", "", item["meta"].get("sitename", "").casefold()))
    for part in expected if isinstance(expected, list) else [expected]:
        text = _norm(str(part))
        if _DESK.search(text) or _ORGANISATION_WORD.search(text):
            return False
        if any(_AGENCY_CODE.match(code.strip()) for code in re.split(r"[/,]", text)):
            return False
        squashed = re.sub(r"\W", "", text.casefold())
        one_word_brand = " " not in text and (text[:1].isupper() or "." in text)
        if squashed and one_word_brand and squashed in brands - {""}:
            return False  # "Greenpeace" on greenpeace.de, "uncut-news.ch"
    return True


def reader_correct(field: str, expected: str | list, got: str | None, item: dict) -> bool:
    """Whether a reader would call ``got`` the annotated value (see the rules above)."""
    if strict_correct(field, expected, got):
        return True
    if not got:
        return False
    if field == "author":
        expected = ANNOTATION_TYPOS.get(item["file"], {}).get("author", expected)
        return _reader_names(got) == _reader_names(expected)
    if field == "date":
        want = re.findall(r"\d+", str(expected))
        have = re.findall(r"\d+", _norm(got)[:10])
        valid = re.match(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$", str(expected)[:10])
        return not valid and sorted(map(int, want)) == sorted(map(int, have))
    site = f"{item['meta'].get('sitename', '')} {urlsplit(item['url']).hostname or ''}"
    site_words = {w for w in re.findall(r"\w+", site.casefold()) if len(w) > 2} - {"www"}
    want, have = str(expected), got
    forms = {
        _reader_text(t) for t in (want, _without_kicker(want), _without_site(want, site_words))
    }
    return bool(
        forms
        & {_reader_text(t) for t in (have, _without_kicker(have), _without_site(have, site_words))}
    )


def metadata_check(items: list[dict], names: tuple[str, ...] = ("ours", "trafilatura")):
    """Accuracy of title, author and date on the annotated pages, strict and as a reader sees it.

    Returns the table by extractor and our misses by field (for ``--misses``).
    """
    annotated = [item for item in items if item.get("meta")]
    result, misses = {}, {field: [] for field in FIELDS}
    for name, fn in (("ours", _ours_meta), ("trafilatura", _trafilatura_meta)):
        if name not in names:
            continue
        strict = dict.fromkeys(FIELDS, 0)
        reader = dict.fromkeys(FIELDS, 0)
        total = dict.fromkeys(FIELDS, 0)
        people = {"pages": 0, "strict": 0, "reader": 0}
        seconds = 0.0
        for item in annotated:
            with gzip.open(DATA / "pages" / item["file"], "rb") as f:
                html = f.read()
            start = time.perf_counter()
            try:
                got = fn(html, item["url"])
            except Exception:  # a crash counts as nothing found, the run goes on
                got = {}
            seconds += time.perf_counter() - start
            for field in FIELDS:
                expected = item["meta"].get(field)
                if not expected:
                    continue
                total[field] += 1
                strict[field] += strict_correct(field, expected, got.get(field))
                right = reader_correct(field, expected, got.get(field), item)
                reader[field] += right
                if name == "ours" and not right:
                    misses[field].append((item["file"], expected, got.get(field)))
                if field == "author" and annotated_person(expected, item):
                    people["pages"] += 1
                    people["strict"] += strict_correct(field, expected, got.get(field))
                    people["reader"] += right
        result[name] = {
            "strict": strict,
            "reader": reader,
            "total": total,
            "people": people,
            "seconds": seconds,
        }
    return result, misses


def print_metadata(result: dict[str, dict]) -> None:
    pages = next(iter(result.values()))["total"]
    print(
        f"\nmetadata on the annotated pages (title {pages['title']}, author {pages['author']},"
        f" date {pages['date']}); strict: the annotation's standard (date: same YYYY-MM-DD;"
        f" author: same set of names; title: equal but for case); reader: what a reader would"
        f" still call the same (typography, a kicker or site-name part of a title, By/Von,"
        f" credentials, affiliations and desks beside the people of a byline, a misspelt"
        f" annotation in ANNOTATION_TYPOS, an annotated date with day and month swapped; see"
        f" reader_correct)"
    )
    people = next(iter(result.values()))["people"]["pages"]
    print(
        f"people: the author on the {people} pages whose annotated author is a person, strict"
        f" / reader; the other {pages['author'] - people} annotate a desk, an agency or an"
        f" organisation ('Redaktion', 'dpa/lno', 'Greenpeace'; see annotated_person)"
    )
    print(f"{'extractor':<18} {'':8} {'title':>7} {'author':>7} {'date':>7} {'time':>7}")
    for name, row in result.items():
        for standard in ("strict", "reader"):
            acc = {f: row[standard][f] / max(row["total"][f], 1) for f in FIELDS}
            seconds = f"{row['seconds']:6.1f}s" if standard == "strict" else ""
            print(
                f"{name if standard == 'strict' else '':<18} {standard:8} {acc['title']:7.3f}"
                f" {acc['author']:7.3f} {acc['date']:7.3f} {seconds:>7}"
            )
        found = row["people"]
        people_strict = found["strict"] / max(found["pages"], 1)
        people_reader = found["reader"] / max(found["pages"], 1)
        print(
            f"{'':<18} {'people':8} {'':>7} {people_strict:7.3f} {'':>7}"
            f"   (reader {people_reader:.3f})"
        )


def print_misses(misses: dict[str, list], fields: list[str]) -> None:
    for field in fields:
        print(f"\nour {field} misses by the reader standard ({len(misses[field])}):")
        for file, expected, got in misses[field]:
            print(f"  {file}\n      annotated {expected!r}\n      ours      {got!r}")


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
    parser.add_argument(
        "--misses", default="", help="print our metadata misses for these fields (title,date)"
    )
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
    meta = None
    if not args.no_metadata:
        meta, misses = metadata_check(items, ("ours",) if args.misses else ("ours", "trafilatura"))
        print_metadata(meta)
        print_misses(misses, [f for f in args.misses.split(",") if f])

    OUT.parent.mkdir(parents=True, exist_ok=True)
    report = {name: {k: v for k, v in row.items() if k != "errors"} for name, row in table.items()}
    OUT.write_text(json.dumps({"text": report, "metadata": meta}, indent=1))
    if args.check:
        f1 = table["ours"]["summary"]["pooled"]["f1"]
        return check_floor(f1, selection_key(args.every, args.limit))
    return 0


if __name__ == "__main__":
    sys.exit(main())
