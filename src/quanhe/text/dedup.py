"""Near-duplicate articles: MinHash signatures over word shingles of the normalised text, found with LSH.

Syndicated Vietnamese news is republished with small edits (a changed lead, a dropped caption); a Jaccard
similarity of 0.8 between 5-word shingle sets catches those while keeping follow-up stories apart.

A signature is datasketch's MinHash (scheme "affine32", seed 1: the first 4 bytes of each shingle's SHA-1, mixed
by the MurmurHash3 finalizer, then 128 affine permutations mod 2^32), computed here in one numpy pass; a test
checks it equals datasketch's bit for bit, so signatures stored by earlier versions stay comparable. The index
cuts a signature into datasketch's optimal bands for the threshold. Neither needs datasketch at run time: it
imports scipy, half a second at the start of every process (each CLI call, each worker).
"""

from __future__ import annotations

from hashlib import sha1

import numpy as np

from quanhe.text.normalize import fold

NUM_PERM = 128
SHINGLE_WORDS = 5
THRESHOLD = 0.8
SEED = 1
# datasketch.MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM) picks 9 bands of 13 values (a test checks it):
# two articles are candidates when one band is equal, then kept when the estimated similarity reaches THRESHOLD.
BANDS, BAND_ROWS = 9, 13


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutations h -> a·h + b (mod 2^32), drawn from its fixed seed (odd a: a bijection)."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    return a, b


_A, _B = _permutations()


def _fmix32(values: np.ndarray) -> np.ndarray:
    """The MurmurHash3 32-bit finalizer, as datasketch mixes each input hash before permuting it."""
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


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


def signature(text: str) -> np.ndarray:
    """The MinHash signature of `text`: NUM_PERM uint32 values (compare two with `similarity`)."""
    hashes = np.frombuffer(b"".join([sha1(s).digest()[:4] for s in _shingles(fold(text))]), dtype="<u4")
    permuted = _fmix32(hashes)[:, None] * _A + _B  # uint32 arithmetic wraps: the modulo 2^32
    return permuted.min(axis=0)


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """The Jaccard similarity of two articles' shingle sets, estimated from their signatures."""
    return float(np.count_nonzero(first == second)) / NUM_PERM


def to_bytes(minhash: np.ndarray) -> bytes:
    """The stored form: each value as a little-endian uint64 (the layout earlier versions stored)."""
    return minhash.astype("<u8").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<u8").astype(np.uint32)


class NearDuplicateIndex:
    """Article ids by signature; `find()` returns the most similar earlier article above the threshold (the
    earliest added among equals). Holds under 3 KiB per article (signature, band keys, id)."""

    def __init__(self) -> None:
        self._bands: list[dict[bytes, list[str]]] = [{} for _ in range(BANDS)]
        self._signatures: dict[str, tuple[int, np.ndarray]] = {}  # id -> (order added, signature)

    @staticmethod
    def _band_keys(minhash: np.ndarray) -> list[bytes]:
        return [minhash[band * BAND_ROWS:(band + 1) * BAND_ROWS].tobytes() for band in range(BANDS)]

    def add(self, article_id: str, minhash: np.ndarray) -> None:
        if article_id in self._signatures:
            return
        self._signatures[article_id] = (len(self._signatures), minhash)
        for table, key in zip(self._bands, self._band_keys(minhash)):
            table.setdefault(key, []).append(article_id)

    def find(self, minhash: np.ndarray) -> tuple[str, float] | None:
        candidates = {article_id for table, key in zip(self._bands, self._band_keys(minhash))
                      for article_id in table.get(key, ())}
        scored = []
        for article_id in candidates:
            order, stored = self._signatures[article_id]
            score = similarity(stored, minhash)
            if score >= THRESHOLD:
                scored.append((-score, order, article_id))
        if not scored:
            return None
        best = min(scored)
        return best[2], -best[0]
