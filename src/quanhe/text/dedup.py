"""Near-duplicate articles: MinHash signatures over word shingles of the normalised text, found with LSH.

Syndicated Vietnamese news is republished with small edits (a changed lead, a dropped caption); a Jaccard
similarity of 0.8 between 5-word shingle sets catches those while keeping follow-up stories apart.
"""

from __future__ import annotations

from hashlib import sha1

import numpy as np
from datasketch import MinHash, MinHashLSH
from datasketch.hashfunc import sha1_hash32

from quanhe.text.normalize import fold

NUM_PERM = 128
SHINGLE_WORDS = 5
THRESHOLD = 0.8
SCHEME = "affine32"  # datasketch's hashing scheme; stored signatures are only comparable under the same one

# Every signature uses the same permutations (datasketch draws them from a fixed seed): drawn once, not per article.
_TEMPLATE = MinHash(num_perm=NUM_PERM, scheme=SCHEME)


def _shingles(folded: str) -> set[bytes]:
    """The UTF-8 bytes of the distinct SHINGLE_WORDS-word windows of a folded text (single spaces between words,
    so a window is a slice of the encoded text between spaces)."""
    data = folded.encode("utf-8")
    if not data:
        return {b""}
    spaces = [i for i, byte in enumerate(data) if byte == 32] if len(data) < 64 else \
        np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 32).tolist()
    if len(spaces) < SHINGLE_WORDS:  # at most SHINGLE_WORDS words: the whole text is the one shingle
        return {data}
    starts = [0] + [i + 1 for i in spaces]
    ends = spaces + [len(data)]
    last = SHINGLE_WORDS - 1
    return {data[start:end] for start, end in zip(starts, ends[last:])}


def signature(text: str) -> MinHash:
    shingles = _shingles(fold(text))
    if _TEMPLATE.hashfunc is not sha1_hash32:  # another datasketch default: let it hash
        minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME, permutations=_TEMPLATE.permutations)
        minhash.update_batch(shingles)
        return minhash
    # sha1_hash32 (the first 4 bytes of SHA-1, little-endian) for all shingles at once, handed to update_batch as
    # the values of an identity hash; the sketch keeps the default hash function for later updates.
    hashes = np.frombuffer(b"".join([sha1(s).digest()[:4] for s in shingles]), dtype="<u4").tolist()
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME, hashfunc=int, permutations=_TEMPLATE.permutations)
    minhash.update_batch(hashes)
    minhash.hashfunc = sha1_hash32
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(np.uint64).tobytes()


def from_bytes(data: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, hashvalues=np.frombuffer(data, dtype=np.uint64), scheme=SCHEME,
                   permutations=_TEMPLATE.permutations)


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
