"""Syndicated-story detection: one wire story, many outlets, one ``story`` id.

A wire story runs on many sites with small edits: a new headline, a dateline lead
("WASHINGTON (AP) —"), a trimmed last paragraph, a site footer. Agencies also re-send a
story re-titled, corrected or updated with more paragraphs. All of these are *copies*;
two stories written separately about one event are not.

Each body becomes a set of hashed word k-shingles, sketched with MinHash (``datasketch``).
LSH proposes candidates, and a check on the sketches accepts one when the two texts are
near-equal (Jaccard) or when most of the shorter is inside the longer (containment), which
is what a trimmed copy or a later, longer version looks like.

Template stories (earnings tables, "Fed adds reserves", bond issues) share every word but
their names and figures. Shingles that hold a figure therefore count several times, so a
change of figures weighs more than a change of wording:

>>> index = StoryIndex()
>>> body = "The central bank said it would keep its key rate at 2.5 pct " * 4
>>> index.assign("a", body)
'a'
>>> index.assign("b", "LONDON (Reuters) - " + body + " Reuter")
'a'

A copy runs within days of its original, so dated articles weeks apart are never one story
(a daily template report, a notice re-issued word for word); undated ones are judged by
text alone. ``sign_bodies`` signs many bodies at once (in worker processes) for
``assign_signed``, with the same values as ``signature``.
"""

from __future__ import annotations

import string
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import cache
from itertools import chain
from pathlib import Path

import numpy as np
from datasketch import MinHash

from search.errors import IndexDamaged, IndexOutdated

# The constants below were chosen on bench/data/syndication_pairs.csv (197 hand-checked
# pairs, many of them near misses); bench/syndication.py --sweep re-scores the alternatives.

#: Words per shingle. 3 lets different stories share stock phrases (precision 0.89 vs 0.92
#: for 4 at 64 permutations); 5 turns every small edit into a miss (0.93 / 0.84 vs 0.97 / 0.85).
SHINGLE_SIZE = 4
#: Bodies with fewer words than this are too short to judge (headline-only briefs, one-line
#: dividend notices) and get a story of their own.
MIN_WORDS = 25
#: Extra copies of every shingle that holds a figure ("6-1/2", "1.5", "1987"): template
#: stories (earnings tables, "Fed adds reserves") differ from each other mostly in figures;
#: a copy keeps them. 2 beat 0, 1 and 3 on the labelled pairs, by a little.
FIGURE_WEIGHT = 2
#: MinHash size: 128 estimates Jaccard within about +-0.04 (64: +-0.06), which lifted
#: precision from 0.92 to 0.96 on the labelled pairs, for ~0.05 ms more per wire story.
NUM_PERM = 128
#: LSH bands x rows (2 uint32 values make one uint64 key): finds pairs down to Jaccard
#: ~0.15, e.g. a short story inside a version three times longer, with ~1 candidate each.
LSH_BANDS = 32
LSH_ROWS = 2
#: Accept a candidate whose estimated Jaccard or containment of the shorter in the longer
#: reaches these (undated articles; see the date window for dated ones). Containment 0.75
#: would give 0.91 / 0.91 instead of 0.96 / 0.84 without dates: a false merge hides a story
#: from search, a miss only shows a copy twice.
MATCH_JACCARD = 0.6
MATCH_CONTAINMENT = 0.8
#: The date window, for two articles that both have a date. A copy runs within days of its
#: original (the labelled copies are at most 4 days apart; template reports and re-issued
#: notices recur at any distance), so within DATE_WINDOW_DAYS a containment of
#: MATCH_CONTAINMENT_NEAR is enough, and further apart only Jaccard MATCH_JACCARD_FAR is
#: (above 1: never one story). On the labelled pairs (bench --sweep, AllSides labelled
#: articles only) 7 days / 0.7 gave 0.962 / 0.917, 5 days 0.971 / 0.917, 14 days 0.952 /
#: 0.917, no window 0.907 / 0.890; a far bar of 0.9 let identical notices merge (0.960).
DATE_WINDOW_DAYS = 7
MATCH_CONTAINMENT_NEAR = 0.7
MATCH_JACCARD_FAR = 1.01
#: Day number of an article without a date, and "days apart" when either has none.
NO_DAY = -(1 << 40)
UNDATED_APART = 1 << 50
#: Fixed so that signatures saved by one process compare with those of the next.
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"
FORMAT_VERSION = 2  # 2: a publication day per article
_SETTINGS = (FORMAT_VERSION, NUM_PERM, SHINGLE_SIZE, FIGURE_WEIGHT, LSH_BANDS, LSH_ROWS)
_BAND_DTYPE = np.uint64  # LSH_ROWS (=2) uint32 values viewed as one key
_BAND_SALT = np.arange(LSH_BANDS, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)

_ASCII_PUNCTUATION = string.punctuation.encode()
_ASCII_TO_SPACE = bytes.maketrans(_ASCII_PUNCTUATION, b" " * len(_ASCII_PUNCTUATION))
_UNICODE_TO_SPACE = str.maketrans({c: " " for c in "“”‘’‚„«»‹›–—―…·•′″"})
#: Wire sign-offs closing a body ("... said. Reuter"), lowercased.
WIRE_SIGNATURES = frozenset({b"reuter", b"reuters", b"ap", b"afp"})
#: Odd 32-bit multipliers that mix a word's place into its shingle's hash.
_POSITION_MIX = np.array(
    [0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D, 0x27D4EB2F, 0x165667B1, 0xD3A2646C, 0xFD7046C5],
    dtype=np.uint32,
)
_REPLICA_SALT = np.array([0x5BD1E995, 0x1B873593, 0xCC9E2D51, 0xE6546B64], dtype=np.uint32)
_EMPTY = np.empty(0, dtype=np.uint32)
#: The MurmurHash3 32-bit finalizer (shifts, multipliers) that datasketch's "affine32"
#: scheme applies to every input hash before its permutations.
_FMIX32 = (16, 0x85EBCA6B, 13, 0xC2B2AE35, 16)
#: Words per step of ``sign_bodies``: few numpy calls per step, a few MB of memory.
SIGN_CHUNK_WORDS = 1 << 17

#: (MinHash values, shingle count) of a body: what ``StoryIndex.assign_signed`` takes.
Signed = tuple[np.ndarray, int]


def _words(body: str) -> list[bytes]:
    """Lowercased UTF-8 words without punctuation or a closing wire signature."""
    text = body.lower()
    if not text.isascii():
        text = text.translate(_UNICODE_TO_SPACE)
    words = text.encode().translate(_ASCII_TO_SPACE).split()
    if words and words[-1] in WIRE_SIGNATURES:
        words.pop()
    return words


def shingle_hashes(body: str, k: int | None = None) -> np.ndarray:
    """Sorted unique uint32 hashes of the body's word k-shingles, figures weighted.

    A "figure" is any word that is not plain ASCII letters: numbers, tickers, and also
    accented names, which tell stories apart as well as numbers do. ``k`` defaults to
    ``SHINGLE_SIZE``. Empty when the body has fewer than ``MIN_WORDS`` words.
    """
    k = k or SHINGLE_SIZE
    words = _words(body)
    if len(words) < max(MIN_WORDS, k):
        return _EMPTY
    shingles, has_figure = _raw_shingles(words, k)
    replicas = [shingles[has_figure] ^ _REPLICA_SALT[i] for i in range(FIGURE_WEIGHT)]
    return _sorted_unique(np.concatenate([shingles, *replicas]))


def _raw_shingles(words: list[bytes], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Hash of every run of ``k`` words (in order, with repeats), and whether it holds a figure.

    ``words`` may be several bodies one after another: the runs that cross from one body into
    the next are there too, and the caller drops them.
    """
    count = len(words)
    hashes = np.fromiter(map(zlib.crc32, words), np.uint32, count)
    figures = ~np.fromiter(map(bytes.isalpha, words), bool, count)
    n = count - k + 1
    shingles = hashes[:n] * _POSITION_MIX[0]
    has_figure = figures[:n].copy()
    for j in range(1, k):
        shingles ^= hashes[j : j + n] * _POSITION_MIX[j]
        has_figure |= figures[j : j + n]
    return shingles, has_figure


def sign_bodies(bodies: Sequence[str]) -> list[Signed | None]:
    """Signatures of many bodies, equal to ``StoryIndex.signature`` of each one.

    Shingling, the MinHash permutations and the minima run in numpy once per chunk of
    bodies rather than once per body (datasketch turns every hash into a Python int),
    which is what makes signing worth doing in worker processes.
    """
    signed: list[Signed | None] = []
    for chunk in _word_chunks(bodies):
        signed.extend(_sign_words(chunk))
    return signed


def _word_chunks(bodies: Iterable[str]) -> Iterator[list[list[bytes]]]:
    """The bodies' words (none for a body too short to judge), about SIGN_CHUNK_WORDS a chunk."""
    chunk: list[list[bytes]] = []
    size = 0
    for body in bodies:
        words = _words(body)
        if len(words) < max(MIN_WORDS, SHINGLE_SIZE):
            words = []
        chunk.append(words)
        size += len(words)
        if size >= SIGN_CHUNK_WORDS:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _sign_words(bodies: list[list[bytes]]) -> list[Signed | None]:
    """``signature`` of each body's words, computed for all of them at once."""
    lengths = np.fromiter(map(len, bodies), np.int64, len(bodies))
    owners, values = _unique_shingles(list(chain.from_iterable(bodies)), lengths)
    sizes = np.bincount(owners, minlength=len(bodies))
    signed = sizes > 0
    minima = iter(_segment_minhash(values, sizes[signed]))
    return [(next(minima), int(n)) if n else None for n in sizes.tolist()]


def _unique_shingles(words: list[bytes], lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(body number, shingle hash) of each body's ``shingle_hashes``, sorted by body then hash."""
    k = SHINGLE_SIZE
    if len(words) < k:
        return np.empty(0, np.intp), _EMPTY
    shingles, has_figure = _raw_shingles(words, k)
    owners = np.repeat(np.arange(len(lengths), dtype=np.uint64), lengths)[: len(shingles)]
    inside = np.arange(len(shingles)) + k <= np.cumsum(lengths)[owners.astype(np.intp)]
    weighted = inside & has_figure
    keys = np.concatenate(
        [
            _body_keys(owners[inside], shingles[inside]),
            *(
                _body_keys(owners[weighted], shingles[weighted] ^ _REPLICA_SALT[i])
                for i in range(FIGURE_WEIGHT)
            ),
        ]
    )
    keys = _sorted_unique(keys)
    return (keys >> np.uint64(32)).astype(np.intp), keys.astype(np.uint32)


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` by sorting in place, several times faster than numpy 2's hash-based one."""
    values.sort()
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def _body_keys(owners: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """One uint64 per shingle, body number above its hash, so one sort groups and dedupes."""
    return (owners << np.uint64(32)) | hashes.astype(np.uint64)


def _segment_minhash(values: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """datasketch "affine32" MinHash values of consecutive runs of ``sizes`` hashes each."""
    if not len(sizes):  # every body of the chunk too short to sign
        return np.empty((0, NUM_PERM), dtype=np.uint32)
    a, b = _permutations(NUM_PERM)
    mixed = _fmix32(values)
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    minima = np.empty((len(sizes), NUM_PERM), dtype=np.uint32)
    permuted = np.empty_like(mixed)
    for i in range(NUM_PERM):  # one permutation at a time: the work array stays in cache
        np.multiply(mixed, a[i], out=permuted)
        permuted += b[i]
        minima[:, i] = np.minimum.reduceat(permuted, starts)
    return minima


def _fmix32(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 finalizer, as datasketch pre-mixes hashes (uint32 wrap-around)."""
    s1, m1, s2, m2, s3 = (np.uint32(c) for c in _FMIX32)
    values = values ^ (values >> s1)
    values *= m1
    values ^= values >> s2
    values *= m2
    return values ^ (values >> s3)


def _new_minhash(num_perm: int) -> MinHash:
    return MinHash(num_perm=num_perm, seed=MINHASH_SEED, hashfunc=int, scheme=MINHASH_SCHEME)


@cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's (a, b) permutation parameters for our seed and ``num_perm``."""
    a, b = _new_minhash(num_perm).permutations
    return a, b


def story_shingles(body: str) -> set[int]:
    """The set of hashed shingles a body is compared by (empty when too short to judge)."""
    return set(shingle_hashes(body).tolist())


def estimated_overlap(sig_a: np.ndarray, size_a: int, sig_b: np.ndarray, size_b: int):
    """(Jaccard, containment of the smaller in the larger), estimated from two signatures."""
    jaccard = float(np.count_nonzero(sig_a == sig_b)) / len(sig_a)
    return jaccard, _containment(jaccard, size_a, size_b)


def _containment(jaccard, size_a, size_b):
    """|A & B| / min(|A|, |B|) from J = |A & B| / |A | B| and the set sizes."""
    shared = jaccard / (1.0 + jaccard) * (size_a + size_b)
    return np.minimum(1.0, shared / np.minimum(size_a, size_b))


def _accepted(
    jaccard: np.ndarray,
    containment: np.ndarray,
    apart: np.ndarray,
    window_days: int = DATE_WINDOW_DAYS,
) -> np.ndarray:
    """The verification rule: near-equal texts, or the shorter mostly inside the longer.

    ``apart`` is days between the two (``UNDATED_APART`` when either has no date): within the
    date window a lower containment is enough, beyond it only near-identity counts.
    """
    dated_near = apart <= window_days
    containment_bar = np.where(dated_near, MATCH_CONTAINMENT_NEAR, MATCH_CONTAINMENT)
    near_enough = (jaccard >= MATCH_JACCARD) | (containment >= containment_bar)
    far = (apart > window_days) & (apart != UNDATED_APART)
    return np.where(far, jaccard >= MATCH_JACCARD_FAR, near_enough)


def day_number(published: str | None) -> int:
    """Proleptic day number of an ISO 8601 date or date-time, ``NO_DAY`` when none or bad."""
    if not published:
        return NO_DAY
    try:
        return date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return NO_DAY


class BandTable:
    """LSH over MinHash signatures: rows sharing any band of ``LSH_ROWS`` values collide.

    The same banding as ``datasketch.MinHashLSH``, on row numbers and whole signature
    arrays: with r=2 a band is one uint64, so a band key is a plain int. bench/syndication.py
    measures it at several times the speed of ``MinHashLSH.query`` + ``insert`` (which
    slices and byte-swaps every band twice) with identical candidates.
    """

    def __init__(self) -> None:
        self._buckets: dict[int, list[int]] = {}

    @staticmethod
    def keys(signature: np.ndarray) -> list[int]:
        bands = signature[: LSH_BANDS * LSH_ROWS].view(_BAND_DTYPE)
        return (bands ^ _BAND_SALT).tolist()

    def query_insert(self, row: int, keys: list[int]) -> set[int]:
        """Rows colliding with ``keys``; then ``row`` is filed under them."""
        found: set[int] = set()
        buckets = self._buckets
        for key in keys:
            bucket = buckets.get(key)
            if bucket is None:
                buckets[key] = [row]
            else:
                found.update(bucket)
                bucket.append(row)
        return found

    def remove(self, row: int, keys: list[int]) -> None:
        for key in keys:
            bucket = self._buckets.get(key)
            if bucket is not None and row in bucket:
                bucket.remove(row)
                if not bucket:
                    del self._buckets[key]


class StoryIndex:
    """Signatures of indexed articles and the story each belongs to.

    ``assign`` joins a new article to the story of its best-verified near-duplicate, or
    starts a story named after the article. ``remove`` drops one article; its story keeps
    its id, so the rest of the story stays together.
    """

    def __init__(self, window_days: int = DATE_WINDOW_DAYS) -> None:
        #: Dated copies further apart than this join only when near-identical.
        self.window_days = window_days
        self._minhash = _new_minhash(NUM_PERM)
        self._bands = BandTable()
        self._row: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._stories: list[str] = []
        self._sigs = np.empty((0, NUM_PERM), dtype=np.uint32)
        self._sizes = np.empty(0, dtype=np.int64)
        self._days = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._row

    def __iter__(self) -> Iterator[str]:
        """The ids of the indexed articles."""
        return iter(list(self._row))

    def story_of(self, article_id: str) -> str | None:
        """The story id of an indexed article, or None if it is not indexed."""
        row = self._row.get(article_id)
        return None if row is None else self._stories[row]

    def signature(self, body: str) -> tuple[np.ndarray, int] | None:
        """(MinHash values, shingle count) of a body, or None when it is too short to judge."""
        shingles = shingle_hashes(body)
        if not len(shingles):
            return None
        minhash = self._minhash  # reused: a fresh MinHash re-parses its permutations
        minhash.clear()
        minhash.update_batch(shingles.tolist())
        return minhash.hashvalues, len(shingles)

    #: Signatures of many bodies at once, equal to ``signature`` of each (see ``sign_bodies``).
    sign_bodies = staticmethod(sign_bodies)

    def assign(self, article_id: str, body: str, published: str | None = None) -> str:
        """Register an article and return its story id (re-assigning a known id)."""
        return self.assign_signed(article_id, self.signature(body), published)

    def assign_signed(
        self, article_id: str, signed: Signed | None, published: str | None = None
    ) -> str:
        """``assign`` for a body already signed (``signature`` or ``sign_bodies``).

        ``published`` (ISO 8601) lets the date window apply; without one the article is
        compared by text alone.
        """
        self.remove(article_id)
        return self._add(article_id, None, signed, day_number(published))

    def remove(self, article_id: str) -> None:
        """Forget an article; the other members of its story keep their story id."""
        row = self._row.pop(article_id, None)
        if row is None:
            return
        if self._sizes[row]:
            self._bands.remove(row, BandTable.keys(self._sigs[row]))
        self._ids[row] = None
        self._sizes[row] = 0

    def _add(self, article_id: str, story: str | None, signed: Signed | None, day: int) -> str:
        """File an article under ``story``, or under the best verified candidate's story."""
        row = len(self._ids)
        if row == len(self._sigs):
            self._grow()
        self._days[row] = day
        if signed is not None:
            sig, size = signed
            self._sigs[row], self._sizes[row] = sig, size
            candidates = self._bands.query_insert(row, BandTable.keys(sig))
            if story is None and candidates:
                story = self._best_story(sig, size, day, candidates)
        story = story or article_id
        self._ids.append(article_id)
        self._stories.append(story)
        self._row[article_id] = row
        return story

    def _best_story(self, sig: np.ndarray, size: int, day: int, candidates: set[int]) -> str | None:
        """The story of the best candidate that passes, if its founder passes too.

        Checking the founder (the article the story is named after, while it is indexed)
        stops chains: a run of daily "Fed adds reserves" reports, each a near-template of
        the one before, would otherwise drift into one story.
        """
        rows = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
        jaccard, containment = self._overlap(sig, size, rows)
        passed = _accepted(jaccard, containment, self._apart(day, rows), self.window_days)
        for i in np.argsort(-(jaccard + containment), kind="stable"):
            if not passed[i]:
                continue
            story = self._stories[int(rows[i])]
            founder = self._row.get(story)
            if founder is None or founder == rows[i] or self._is_copy_of(sig, size, day, founder):
                return story
        return None

    def _overlap(self, sig: np.ndarray, size: int, rows: np.ndarray):
        """Estimated Jaccard and containment between an article and indexed rows."""
        jaccard = np.count_nonzero(self._sigs[rows] == sig, axis=1) / NUM_PERM
        return jaccard, _containment(jaccard, self._sizes[rows], size)

    def _apart(self, day: int, rows: np.ndarray) -> np.ndarray:
        """Days between an article and indexed rows, ``UNDATED_APART`` where a date is missing."""
        days = self._days[rows]
        undated = (days == NO_DAY) | (day == NO_DAY)
        return np.where(undated, UNDATED_APART, np.abs(days - day))

    def _is_copy_of(self, sig: np.ndarray, size: int, day: int, row: int) -> bool:
        rows = np.array([row])
        jaccard, containment = self._overlap(sig, size, rows)
        return bool(_accepted(jaccard, containment, self._apart(day, rows), self.window_days)[0])

    def _grow(self) -> None:
        """Double the signature arrays (amortised O(1) appends)."""
        capacity = max(1024, 2 * len(self._sigs))
        sigs = np.zeros((capacity, NUM_PERM), dtype=np.uint32)
        sizes = np.zeros(capacity, dtype=np.int64)
        days = np.full(capacity, NO_DAY, dtype=np.int64)
        sigs[: len(self._sigs)] = self._sigs
        sizes[: len(self._sizes)] = self._sizes
        days[: len(self._days)] = self._days
        self._sigs, self._sizes, self._days = sigs, sizes, days

    def save(self, path: Path) -> None:
        """Write the live articles as a compressed .npz (no pickled objects)."""
        rows = np.fromiter(sorted(self._row.values()), dtype=np.int64, count=len(self._row))
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(
            tmp,
            settings=np.array(_SETTINGS),
            ids=np.array([self._ids[r] for r in rows], dtype=str),
            stories=np.array([self._stories[r] for r in rows], dtype=str),
            signatures=self._sigs[rows],
            sizes=self._sizes[rows],
            days=self._days[rows],
        )
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path, window_days: int = DATE_WINDOW_DAYS) -> StoryIndex:
        """The index saved at ``path``, or an empty one if there is none."""
        index = cls(window_days)
        path = Path(path)
        if not path.exists():
            return index
        try:
            with np.load(path, allow_pickle=False) as data:
                if data["settings"].tolist() != list(_SETTINGS):
                    raise IndexOutdated(
                        f"story index {path} was built with other settings; rebuild it"
                    )
                ids, stories = data["ids"].tolist(), data["stories"].tolist()
                sigs, sizes, days = data["signatures"], data["sizes"], data["days"]
        except (OSError, ValueError, KeyError, EOFError) as err:
            raise IndexDamaged(f"cannot read story index {path}: {err}; rebuild it") from err
        rows = zip(ids, stories, sigs, sizes.tolist(), days.tolist(), strict=True)
        for article_id, story, sig, size, day in rows:
            index._add(article_id, story, (sig, size) if size else None, day)
        return index
