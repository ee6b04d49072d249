"""A latent topic space learned from the archive itself (LSA), for ranking by subject.

BM25F ranks by the words typed: for ``immigration`` a story about a TV anchor that says the
word twice can outrank one about a border bill that says it once. Latent semantic analysis
(Deerwester et al., 1990) learns from the archive which words go together, so a story can
be placed by its subject as a whole:

- **learned** once per rebuild, from the first ``LEARN_ARTICLES`` articles it reads: each
  article's headline and body as log-tf·idf weights of its index terms (terms in at least
  two of them), rows of unit length, reduced by a truncated SVD (``scipy.sparse.linalg
  .svds``) to ``DIMENSIONS`` term vectors; kept in the generation as ``latent.npz``;
- **folded in** for every article written, by a rebuild or an ``add`` alike: its weights
  times the term vectors, unit length, as float16 in the ``latent`` column (200 bytes an
  article). Words the sample never saw add nothing until the next rebuild;
- **used** by ``searching.rescoring``: the best matches are re-ranked by how close they
  stand to the query and to the best ten.

An archive of fewer than ``MIN_ARTICLES`` articles gets no space (a few dozen stories say
nothing about which words go together) and is ranked by its words alone.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import numpy as np

from search.indexing.analysis import term_counts

#: Articles a rebuild learns the space from: ~10 s of one core, whatever the archive's size.
LEARN_ARTICLES = 10_000
MIN_ARTICLES = 200
#: The space's dimensions (fewer when the sample cannot give that many).
DIMENSIONS = 100
VECTOR_DTYPE = np.dtype("<f2")
#: Bytes of one article's vector in the ``latent`` column.
VECTOR_BYTES = DIMENSIONS * VECTOR_DTYPE.itemsize
FILE_NAME = "latent.npz"
#: The Whoosh column holding each article's vector, and the fields it is folded from.
LATENT_COLUMN = "latent"
LATENT_FIELDS = ("title", "body")
#: Documents folded together when a segment is written: ~400 postings each, 400 bytes a
#: posting's term vector, so a few MB at a time.
FOLD_DOCUMENTS = 64
#: ``svds`` starts from a fixed vector, so one archive always gives one space.
SEED = 13


@dataclass(frozen=True)
class SegmentTerms:
    """One field's postings in a segment being written: its terms (index = term number),
    and per posting (in docnum order) the term's number, the document and the frequency."""

    texts: list[bytes]
    numbers: np.ndarray
    docs: np.ndarray
    frequencies: np.ndarray


@dataclass(frozen=True, eq=False)
class LatentSpace:
    """Index terms (UTF-8, as the postings spell them) to the dimensions of the space."""

    vocabulary: dict[bytes, int]
    idf: np.ndarray
    #: One row per term of ``vocabulary``: its direction in the space (float32).
    term_vectors: np.ndarray

    @classmethod
    def learn(cls, texts: Iterable[str]) -> LatentSpace | None:
        """The space of ``texts`` (headline and body each), None if there are too few."""
        from scipy.sparse import csr_matrix
        from scipy.sparse.linalg import svds

        found: dict[str, int] = {}
        columns, counts, starts = array("i"), array("f"), array("q", [0])
        for text in texts:
            for term, count in term_counts(text).items():
                columns.append(found.setdefault(term, len(found)))
                counts.append(count)
            starts.append(len(columns))
        rows = len(starts) - 1
        if rows < MIN_ARTICLES:
            return None
        column_of = np.frombuffer(columns, dtype=np.int32)
        frequency = np.bincount(column_of, minlength=len(found))
        kept = frequency >= 2
        renumbered = np.cumsum(kept) - 1
        terms = [term for term, column in found.items() if kept[column]]
        idf = np.log(rows / frequency[kept]).astype(np.float32)
        keep = kept[column_of]
        row_of = np.repeat(np.arange(rows), np.diff(np.frombuffer(starts, dtype=np.int64)))
        new_columns = renumbered[column_of[keep]]
        weights = (1 + np.log(np.frombuffer(counts, dtype=np.float32)[keep])) * idf[new_columns]
        matrix = csr_matrix((weights, (row_of[keep], new_columns)), shape=(rows, len(terms)))
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        matrix = csr_matrix(matrix.multiply(1 / np.where(norms == 0, 1.0, norms)[:, None]))
        rank = min(DIMENSIONS, min(matrix.shape) - 1)
        start = np.random.default_rng(SEED).uniform(-1, 1, min(matrix.shape))
        _, singular, right = svds(matrix, k=rank, v0=start)
        vectors = np.zeros((len(terms), DIMENSIONS), dtype=np.float32)
        vectors[:, :rank] = right[np.argsort(-singular)].T
        return cls({term.encode("utf-8"): n for n, term in enumerate(terms)}, idf, vectors)

    def fold(self, counts: Mapping[bytes, int]) -> np.ndarray:
        """A text's unit vector from its terms' counts (zeros if the space knows none)."""
        columns = self._columns(counts)
        known = columns >= 0
        if not known.any():
            return np.zeros(DIMENSIONS, dtype=np.float32)
        frequency = np.fromiter(counts.values(), np.float32, len(counts))[known]
        columns = columns[known]
        return unit(self._weights(frequency, columns) @ self.term_vectors[columns])

    def _columns(self, terms: Iterable[bytes]) -> np.ndarray:
        """Each term's row in ``term_vectors``, -1 for a term the space does not know."""
        return np.fromiter(map(self.vocabulary.get, terms, repeat(-1)), np.int64)

    def _weights(self, frequencies: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Log-tf·idf, as the space was learned with."""
        return ((1 + np.log(frequencies)) * self.idf[columns]).astype(np.float32)

    def fold_segment(self, count: int, fields: Sequence[SegmentTerms]) -> np.ndarray:
        """The vectors of a segment's documents 0..count-1, as the ``latent`` column stores
        them, from its postings as ``BulkWriter`` holds them: what ``fold`` gives each
        document, with each distinct term looked up once and the sums made in numpy, a
        few dozen documents at a time (a posting's term vector is 400 bytes)."""
        looked_up = [(self._columns(terms.texts), terms) for terms in fields]
        width = len(self.vocabulary)
        vectors = np.zeros((count, DIMENSIONS), dtype=np.float32)
        for low in range(0, count, FOLD_DOCUMENTS):
            high = min(low + FOLD_DOCUMENTS, count)
            docs, columns, frequencies = [], [], []
            for column_of, terms in looked_up:
                start, stop = np.searchsorted(terms.docs, [low, high])
                found = column_of[terms.numbers[start:stop]]
                known = found >= 0
                docs.append(terms.docs[start:stop][known].astype(np.int64))
                columns.append(found[known])
                frequencies.append(terms.frequencies[start:stop][known])
            # A term in the headline and the body counts once, its frequencies summed.
            keys, where = np.unique(
                np.concatenate(docs) * width + np.concatenate(columns), return_inverse=True
            )
            if not keys.size:
                continue
            totals = np.bincount(where, weights=np.concatenate(frequencies))
            rows, columns_ = keys // width, keys % width
            weights = self._weights(totals, columns_)
            firsts = np.flatnonzero(np.diff(rows, prepend=-1))
            vectors[rows[firsts]] = np.add.reduceat(
                weights[:, None] * self.term_vectors[columns_], firsts, axis=0
            )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.where(norms == 0, 1.0, norms)).astype(VECTOR_DTYPE)

    def save(self, folder: str | os.PathLike) -> None:
        path = Path(folder) / FILE_NAME
        terms = np.array([term.decode("utf-8") for term in self.vocabulary])
        with open(path, "wb") as fh:
            np.savez(fh, terms=terms, idf=self.idf, vectors=self.term_vectors)
            fh.flush()
            os.fsync(fh.fileno())

    @classmethod
    def load(cls, folder: str | os.PathLike) -> LatentSpace | None:
        """The space saved in ``folder``, None if it has none."""
        path = Path(folder) / FILE_NAME
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as saved:
            vocabulary = {term.encode("utf-8"): n for n, term in enumerate(saved["terms"].tolist())}
            return cls(vocabulary, saved["idf"], saved["vectors"])


def unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm else vector).astype(np.float32)


def decode(rows: np.ndarray) -> np.ndarray:
    """Vectors as the ``latent`` column stores them (a row of bytes each), as float32."""
    return np.ascontiguousarray(rows).view(VECTOR_DTYPE).astype(np.float32)


def learning_text(title: str | None, body: str | None) -> str:
    return f"{title or ''}\n{body or ''}"


def fold_words(space: LatentSpace, words: Iterable[str]) -> np.ndarray:
    """A query's vector from its (indexed) words."""
    return space.fold({word.encode("utf-8"): 1 for word in words})
