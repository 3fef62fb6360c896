"""Near-duplicate articles: MinHash signatures over word shingles of the normalised text, found with LSH.

Syndicated Vietnamese news is republished with small edits (a changed lead, a dropped caption); a Jaccard
similarity of 0.8 between 5-word shingle sets catches those while keeping follow-up stories apart.
"""

from __future__ import annotations

import numpy as np
from datasketch import MinHash, MinHashLSH

from quanhe.text.normalize import fold

NUM_PERM = 128
SHINGLE_WORDS = 5
THRESHOLD = 0.8
SCHEME = "affine32"  # datasketch's hashing scheme; stored signatures are only comparable under the same one


def signature(text: str) -> MinHash:
    words = fold(text).split()
    shingles = {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(max(1, len(words) - SHINGLE_WORDS + 1))}
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, hashvalues=np.frombuffer(data, dtype=np.uint64), scheme=SCHEME)


class NearDuplicateIndex:
    """Article ids by signature; `find()` returns the most similar earlier article above the threshold."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
        self._signatures: dict[str, MinHash] = {}

    def add(self, article_id: str, minhash: MinHash) -> None:
        if article_id not in self._signatures:
            self._lsh.insert(article_id, minhash)
            self._signatures[article_id] = minhash

    def find(self, minhash: MinHash) -> tuple[str, float] | None:
        scored = [(key, self._signatures[key].jaccard(minhash)) for key in self._lsh.query(minhash)]
        scored = [pair for pair in scored if pair[1] >= THRESHOLD]
        return max(scored, key=lambda pair: pair[1]) if scored else None
