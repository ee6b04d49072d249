"""datasketch's own MinHash, the reference that ``syndication.sign_bodies`` must equal.

Used by ``tests/test_syndication.py`` (they must be identical) and ``bench/syndication.py``
(how much faster the batch is). datasketch is a test dependency only: its import loads scipy.
"""

from __future__ import annotations

import numpy as np

from search.indexing import syndication

#: A body's signature: its MinHash values and how many shingles it has (None: too short).
Signature = tuple[np.ndarray, int] | None


def datasketch_signature(body: str) -> Signature:
    """datasketch's MinHash over the body's shingles, with our seed and scheme."""
    from datasketch import MinHash

    shingles = syndication.shingle_hashes(body)
    if not len(shingles):
        return None
    minhash = MinHash(
        num_perm=syndication.NUM_PERM,
        seed=syndication.MINHASH_SEED,
        hashfunc=int,
        scheme=syndication.MINHASH_SCHEME,
    )
    minhash.update_batch(shingles.tolist())
    return minhash.hashvalues, len(shingles)


def same_signatures(a: Signature, b: Signature) -> bool:
    """Both too short, or the same shingle count and the same values of the same type."""
    if a is None or b is None:
        return a is b
    return a[1] == b[1] and a[0].dtype == b[0].dtype and np.array_equal(a[0], b[0])
