"""Syndicated-story detection: one wire story, many outlets, one ``story`` id.

A wire story runs on many sites with small edits: a new headline, a dateline lead
("WASHINGTON (AP) —"), a trimmed last paragraph, a site footer. Agencies also re-send a
story re-titled, corrected or updated with more paragraphs. All of these are *copies*;
two stories written separately about one event are not.

Each body becomes a set of hashed word k-shingles, sketched with MinHash (the
``datasketch`` "affine32" scheme, computed here in numpy; the tests check it is equal).
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

import hashlib
import os
import string
import zlib
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from functools import cache
from itertools import chain
from pathlib import Path

import numpy as np

from search.errors import IndexDamaged, IndexOutdated
from search.indexing.story_store import (
    IDS,
    SIGNATURES,
    STATE,
    AppendFile,
    KeyRuns,
    read_state,
    remove_unnamed,
    write_state,
)

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
#: 2: a publication day per article; 3: a folder of files read as needed (story_store).
FORMAT_VERSION = 3
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
#: A lone body with up to this many (shingle, permutation) cells is signed in one 2-D step
#: (as datasketch does) rather than a permutation at a time: ``assign`` signs one at a time.
ONE_BODY_CELLS = 1 << 22

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
    if len(sizes) == 1 and len(values) * NUM_PERM <= ONE_BODY_CELLS:  # one body: one 2-D step
        return (np.multiply.outer(mixed, a) + b).min(axis=0)[np.newaxis]
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


@cache
def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's "affine32" permutation parameters (a odd, b) for our seed.

    Drawn exactly as ``datasketch.MinHash`` draws them (a test checks it), without importing
    datasketch, whose package import pulls in scipy: ~45 MB in every indexing process.
    """
    generator = np.random.RandomState(MINHASH_SEED)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
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


def band_keys(signature: np.ndarray) -> np.ndarray:
    """The LSH band keys of a signature: ``LSH_ROWS`` (=2) uint32 values as one uint64 each.

    The same banding as ``datasketch.MinHashLSH``, on whole signature arrays; rows that share
    any key are candidates. bench/syndication.py measures it against ``MinHashLSH``.
    """
    bands = np.ascontiguousarray(signature[: LSH_BANDS * LSH_ROWS]).view(_BAND_DTYPE)
    return bands ^ _BAND_SALT


def short_keys(keys: np.ndarray) -> list[int]:
    """32-bit digests of band keys (multiplicative hashing): what the lookup stores, at half
    the size; the few extra candidates a digest collision brings are dropped by comparing
    the full keys."""
    return ((keys * _KEY_MIX) >> np.uint64(32)).tolist()


_KEY_MIX = np.uint64(0x9E3779B97F4A7C15)
#: Rows whose id and signature wait in memory before they are appended to the files.
FLUSH_ROWS = 8192
#: The folder of the story state inside a generation, and the file of format 2.
STATE_FOLDER = "stories"
LEGACY_FILE = "stories.npz"
_V2_SETTINGS = (2, NUM_PERM, SHINGLE_SIZE, FIGURE_WEIGHT, LSH_BANDS, LSH_ROWS)
#: Per-row arrays and their types; ``story`` is the row whose id names the article's story.
_ROW_ARRAYS = {
    "id_hash": np.uint64,
    "id_end": np.int64,
    "story": np.int32,
    "size": np.int32,
    "day": np.int64,
    "live": np.bool_,
}


def _signature_bytes() -> int:
    """Bytes of one stored signature (``NUM_PERM`` is read at call time: the bench sweeps it)."""
    return NUM_PERM * 4


def id_hash(article_id: str) -> int:
    """A stable 64-bit hash of an id (the same in every process and run)."""
    digest = hashlib.blake2b(article_id.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


class StoryIndex:
    """Signatures of indexed articles and the story each belongs to.

    ``assign`` joins a new article to the story of its best-verified near-duplicate, or
    starts a story named after the article. ``remove`` drops one article; its story keeps
    its id, so the rest of the story stays together.

    Memory is about 300 bytes an article (the lookups and per-row numbers); ids and
    signatures are in files beside the index once ``FLUSH_ROWS`` have gathered, read back
    only for the candidates of a new article (``search.indexing.story_store``). An index
    made with ``StoryIndex()`` keeps everything in memory until ``save``.
    """

    def __init__(self, window_days: int = DATE_WINDOW_DAYS, folder: Path | None = None) -> None:
        #: Dated copies further apart than this join only when near-identical.
        self.window_days = window_days
        #: Where rows are appended as they come (None: in memory until ``save``).
        self.folder = Path(folder) if folder is not None else None
        self._rows = 0
        self._live_count = 0
        self._arrays = {name: np.zeros(0, dtype) for name, dtype in _ROW_ARRAYS.items()}
        self._ids = AppendFile(self._file(IDS))
        self._sigs = AppendFile(self._file(SIGNATURES))
        self._commit = 0
        self._by_id = KeyRuns(np.uint64, folder=self.folder, prefix=self._run_prefix("ids"))
        self._bands = KeyRuns(np.uint32, folder=self.folder, prefix=self._run_prefix("bands"))

    def _file(self, name: str) -> Path | None:
        return None if self.folder is None else self.folder / name

    def _run_prefix(self, lookup: str) -> str:
        """Names of a lookup's runs written before the next commit (no commit names them)."""
        return f"{lookup}-{self._commit + 1}"

    # -- rows ---------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._live_count

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self.row_of(article_id) is not None

    def __iter__(self) -> Iterator[str]:
        """The ids of the indexed articles."""
        live = np.flatnonzero(self._column("live")).tolist()
        return iter([self._id_of(row) for row in live])

    def _column(self, name: str) -> np.ndarray:
        return self._arrays[name][: self._rows]

    def _id_of(self, row: int) -> str:
        ends = self._arrays["id_end"]
        start = int(ends[row - 1]) if row else 0
        return self._ids.read(start, int(ends[row]) - start).decode("utf-8")

    def _signatures(self, rows: np.ndarray) -> np.ndarray:
        return self._sigs.records(rows, _signature_bytes()).view(np.uint32)

    def row_of(self, article_id: str) -> int | None:
        """The row of an indexed article, or None."""
        live = self._arrays["live"]
        for row in reversed(self._by_id.find([id_hash(article_id)])[0]):
            if live[row] and self._id_of(row) == article_id:
                return row
        return None

    def story_of(self, article_id: str) -> str | None:
        """The story id of an indexed article, or None if it is not indexed."""
        row = self.row_of(article_id)
        return None if row is None else self._id_of(int(self._arrays["story"][row]))

    def story_count(self) -> int:
        """How many distinct stories the indexed articles make."""
        stories = self._column("story")[self._column("live")]
        return int(np.unique(self._arrays["id_hash"][stories]).size)

    def signature(self, body: str) -> Signed | None:
        """(MinHash values, shingle count) of a body, or None when it is too short to judge."""
        return sign_bodies([body])[0]

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
        row = self._append(article_id, signed, day_number(published))
        return self._id_of(int(self._arrays["story"][row]))

    def remove(self, article_id: str) -> None:
        """Forget an article; the other members of its story keep their story id."""
        row = self.row_of(article_id)
        if row is None:
            return
        self._arrays["live"][row] = False
        self._arrays["size"][row] = 0
        self._live_count -= 1

    def _append(self, article_id: str, signed: Signed | None, day: int, story: int = -1) -> int:
        """File an article under row ``story``, or under the best verified candidate's story."""
        row = self._rows
        if row == len(self._arrays["live"]):
            self._grow()
        encoded = article_id.encode("utf-8")
        self._ids.append(encoded)
        arrays = self._arrays
        arrays["id_end"][row] = self._ids.size
        arrays["id_hash"][row] = id_hash(article_id)
        arrays["day"][row] = day
        arrays["live"][row] = True
        if signed is None:
            self._sigs.append(bytes(_signature_bytes()))
            arrays["size"][row] = 0
        else:
            sig, size = signed
            keys = band_keys(sig)
            short = short_keys(keys)
            if story < 0:
                candidates, sigs = self._candidates(keys, short, day)
                if candidates:
                    story = self._best_story(sig, size, day, candidates, sigs)
            self._sigs.append(np.ascontiguousarray(sig, dtype=np.uint32).tobytes())
            arrays["size"][row] = size
            self._bands.add(short, row)
        arrays["story"][row] = row if story < 0 else story
        self._by_id.add([int(arrays["id_hash"][row])], row)
        self._rows += 1
        self._live_count += 1
        if self.folder is not None and self._sigs.tail_bytes >= FLUSH_ROWS * _signature_bytes():
            self._flush()
        return row

    def _candidates(
        self, keys: np.ndarray, short: list[int], day: int
    ) -> tuple[set[int], dict[int, np.ndarray]]:
        """Indexed rows sharing a band key that could be the same story, and their signatures.

        Rows dated further than the date window from a dated article never pass
        (``_accepted``) and are left out before their signatures are read: a template
        report ("Shr ... vs ...", "Fed adds reserves") shares band keys with every earlier
        one, thousands at a million articles, and reading and comparing them all cost
        time and a burst of memory that grew with the archive.
        The set is filled band by band, each band's rows ascending, as the LSH buckets of
        earlier versions did (its order breaks ties between equally good candidates).
        """
        found = self._bands.find(short)
        count = sum(map(len, found))
        rows = np.unique(np.fromiter(chain.from_iterable(found), np.int64, count))
        rows = rows[self._arrays["size"][rows] != 0]
        if day != NO_DAY:
            days = self._arrays["day"][rows]
            rows = rows[(days == NO_DAY) | (np.abs(days - day) <= self.window_days)]
        if not rows.size:
            return set(), {}
        signatures = self._signatures(rows)
        rows = rows.tolist()
        sigs = dict(zip(rows, signatures, strict=True))
        banded = np.ascontiguousarray(signatures[:, : LSH_BANDS * LSH_ROWS]).view(_BAND_DTYPE)
        shared = dict(zip(rows, ((banded ^ _BAND_SALT) == keys).tolist(), strict=True))
        candidates: set[int] = set()
        for band, band_rows in enumerate(found):
            candidates.update(row for row in band_rows if row in shared and shared[row][band])
        return candidates, sigs

    def _best_story(
        self,
        sig: np.ndarray,
        size: int,
        day: int,
        candidates: set[int],
        sigs: dict[int, np.ndarray],
    ) -> int:
        """The story row of the best candidate that passes, if its founder passes too; -1.

        Checking the founder (the article the story is named after, while it is indexed)
        stops chains: a run of daily "Fed adds reserves" reports, each a near-template of
        the one before, would otherwise drift into one story.
        """
        rows = np.fromiter(candidates, dtype=np.int64, count=len(candidates))
        candidate_sigs = np.array([sigs[row] for row in rows.tolist()])
        jaccard, containment = self._overlap(sig, size, rows, candidate_sigs)
        passed = _accepted(jaccard, containment, self._apart(day, rows), self.window_days)
        stories, live = self._arrays["story"], self._arrays["live"]
        for i in np.argsort(-(jaccard + containment), kind="stable"):
            if not passed[i]:
                continue
            story = int(stories[rows[i]])
            founder = story if live[story] else self.row_of(self._id_of(story))
            if founder is None or founder == rows[i] or self._is_copy_of(sig, size, day, founder):
                return story
        return -1

    def _overlap(self, sig: np.ndarray, size: int, rows: np.ndarray, sigs: np.ndarray):
        """Estimated Jaccard and containment between an article and indexed rows."""
        jaccard = np.count_nonzero(sigs == sig, axis=1) / NUM_PERM
        return jaccard, _containment(jaccard, self._arrays["size"][rows].astype(np.int64), size)

    def _apart(self, day: int, rows: np.ndarray) -> np.ndarray:
        """Days between an article and indexed rows, ``UNDATED_APART`` where a date is missing."""
        days = self._arrays["day"][rows]
        undated = (days == NO_DAY) | (day == NO_DAY)
        return np.where(undated, UNDATED_APART, np.abs(days - day))

    def _is_copy_of(self, sig: np.ndarray, size: int, day: int, row: int) -> bool:
        rows = np.array([row])
        jaccard, containment = self._overlap(sig, size, rows, self._signatures(rows))
        return bool(_accepted(jaccard, containment, self._apart(day, rows), self.window_days)[0])

    def _grow(self) -> None:
        """Double the per-row arrays (amortised O(1) appends)."""
        capacity = max(1024, 2 * len(self._arrays["live"]))
        for name, old in self._arrays.items():
            grown = np.zeros(capacity, dtype=old.dtype)
            grown[: len(old)] = old
            self._arrays[name] = grown

    def _flush(self) -> None:
        assert self.folder is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        self._ids.flush()
        self._sigs.flush()

    # -- saving and loading -------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Commit the state into ``folder`` (its own folder: append; another: write it all)."""
        folder = Path(folder)
        if self.folder is None or folder.resolve() != self.folder.resolve():
            self._copy_into(folder)
        self._flush()
        self._commit += 1
        rows_file = f"rows-{self._commit}.npz"
        with open(folder / rows_file, "wb") as handle:
            np.savez(handle, **{name: self._column(name) for name in _ROW_ARRAYS})
            handle.flush()
            os.fsync(handle.fileno())
        state = {
            "format": FORMAT_VERSION,
            "settings": list(_SETTINGS),
            "commit": self._commit,
            "rows": self._rows,
            "live": self._live_count,
            "ids_bytes": self._ids.committed,
            "signature_bytes": self._sigs.committed,
            "rows_file": rows_file,
            "id_runs": self._by_id.save(folder, f"ids-{self._commit}"),
            "band_runs": self._bands.save(folder, f"bands-{self._commit}"),
        }
        write_state(folder, state)
        remove_unnamed(folder, [rows_file, *self._by_id.files(), *self._bands.files()])
        self._by_id.prefix = self._run_prefix("ids")
        self._bands.prefix = self._run_prefix("bands")

    def _copy_into(self, folder: Path) -> None:
        """Make ``folder`` this index's home, with every row written there."""
        folder.mkdir(parents=True, exist_ok=True)
        for name, old in ((IDS, self._ids), (SIGNATURES, self._sigs)):
            (folder / name).unlink(missing_ok=True)
            new = AppendFile(folder / name)
            for start in range(0, old.size, 1 << 24):
                new.append(old.read(start, min(1 << 24, old.size - start)))
            new.flush()
            old.close()
            setattr(self, "_ids" if name == IDS else "_sigs", new)
        self.folder = folder

    @classmethod
    def load(cls, path: Path, window_days: int = DATE_WINDOW_DAYS) -> StoryIndex:
        """The index saved at ``path`` (a folder, or a format-2 ``.npz`` file), or an empty
        one that will live there."""
        path = Path(path)
        if path.is_file():
            return cls._load_legacy(path, window_days)
        index = cls(window_days, folder=path)
        if not (path / STATE).exists():
            return index
        try:
            state = read_state(path)
            if state.get("settings") != list(_SETTINGS):
                raise IndexOutdated(f"story index {path} was built with other settings; rebuild it")
            with np.load(path / state["rows_file"], allow_pickle=False) as data:
                rows = {name: data[name].astype(dtype) for name, dtype in _ROW_ARRAYS.items()}
            index._commit = int(state["commit"])
            index._by_id = KeyRuns.load(path, state["id_runs"], np.uint64, index._run_prefix("ids"))
            index._bands = KeyRuns.load(
                path, state["band_runs"], np.uint32, index._run_prefix("bands")
            )
        except (OSError, ValueError, KeyError, EOFError, TypeError) as err:
            raise IndexDamaged(f"cannot read story index {path}: {err}; rebuild it") from err
        index._rows = int(state["rows"])
        index._live_count = int(state["live"])
        index._arrays = rows
        index._ids = AppendFile(path / IDS, int(state["ids_bytes"]))
        index._sigs = AppendFile(path / SIGNATURES, int(state["signature_bytes"]))
        if len(rows["live"]) != index._rows:
            raise IndexDamaged(f"cannot read story index {path}: row count; rebuild it")
        return index

    @classmethod
    def _load_legacy(cls, path: Path, window_days: int) -> StoryIndex:
        """A format-2 ``stories.npz`` (live articles, their stories, signatures, days)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                if data["settings"].tolist() != list(_V2_SETTINGS):
                    raise IndexOutdated(
                        f"story index {path} was built with other settings; rebuild it"
                    )
                ids, stories = data["ids"].tolist(), data["stories"].tolist()
                sigs, sizes, days = data["signatures"], data["sizes"], data["days"]
        except (OSError, ValueError, KeyError, EOFError) as err:
            raise IndexDamaged(f"cannot read story index {path}: {err}; rebuild it") from err
        index = cls(window_days)
        rows = zip(ids, sigs, sizes.tolist(), days.tolist(), strict=True)
        for article_id, sig, size, day in rows:
            index._append(article_id, (sig, size) if size else None, day, story=2**31 - 1)
        named = {article_id: row for row, article_id in enumerate(ids)}
        for row, story in enumerate(stories):
            if story not in named:  # the story's founder is gone: keep its name in a row
                named[story] = index._append(story, None, NO_DAY, story=index._rows)
                index.remove(story)
            index._arrays["story"][row] = named[story]
        return index
