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

from collections.abc import Iterable, Mapping
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


def rows_from_bytes(blobs: list[bytes]) -> np.ndarray:
    """Stored signatures as the rows of one array, decoded in one pass."""
    return from_bytes(b"".join(blobs)).reshape(len(blobs), -1)


# A band's BAND_ROWS values are folded into one 64-bit key (a multilinear hash with fixed odd multipliers, its own
# per band): the index then holds 8 bytes per band instead of the values. Two different bands that fold to the same
# key only add a candidate, which the similarity check then drops.
_BAND_MULTIPLIERS = np.random.RandomState(SEED).randint(0, 1 << 62, (BANDS, BAND_ROWS), dtype=np.uint64) * \
    np.uint64(2) + np.uint64(1)
# Keys added since the last sorted run are looked up in a dict; this many make a new run.
RECENT_KEYS = 1 << 15


def band_keys(minhashes: np.ndarray) -> np.ndarray:
    """The LSH band keys of signatures (one per row): an array of shape (rows, BANDS), uint64."""
    values = minhashes[:, :BANDS * BAND_ROWS].reshape(-1, BANDS, BAND_ROWS).astype(np.uint64)
    return (values * _BAND_MULTIPLIERS).sum(axis=2, dtype=np.uint64)  # uint64 arithmetic wraps: mod 2^64


class NearDuplicateIndex:
    """Finds the most similar earlier article above the threshold (the earliest added among equals).

    It holds what finds candidates, about 190 bytes per article (band keys, order, id), and the signatures of the
    articles added since the last `release()`. A store releases them once they are committed and passes the
    stored signatures of the candidates to `find` (`missing` says which), so the index of a million stored
    articles takes about 190 MB instead of the 2.7 GB that holding every signature would. Used alone (no
    `release()`), it holds every signature and needs nothing passed. An article is added once.

    Band keys live in sorted numpy runs, merged so that no two runs are within a factor of two in size (a lookup
    searches a handful of runs), plus a dict of the most recent keys."""

    def __init__(self) -> None:
        self._ids: list[str] = []  # by order added
        self._held: dict[str, np.ndarray] = {}
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # (sorted keys, order added), largest first
        self._recent: dict[int, list[int]] = {}

    def add(self, article_id: str, minhash: np.ndarray) -> None:
        order = len(self._ids)
        self._ids.append(article_id)
        self._held[article_id] = minhash
        for key in band_keys(minhash[None, :])[0].tolist():
            self._recent.setdefault(key, []).append(order)
        if len(self._recent) >= RECENT_KEYS:
            keys = np.fromiter(self._recent, dtype=np.uint64, count=len(self._recent))
            orders = list(self._recent.values())
            self._recent = {}
            self._add_run(np.repeat(keys, [len(o) for o in orders]),
                          np.fromiter((o for os in orders for o in os), dtype=np.uint32))

    def add_stored(self, article_ids: list[str], minhashes: np.ndarray) -> None:
        """Add articles whose signatures (rows of `minhashes`) are stored: the index keeps only their band keys."""
        if not article_ids:
            return
        orders = np.arange(len(self._ids), len(self._ids) + len(article_ids), dtype=np.uint32)
        self._ids.extend(article_ids)
        self._add_run(band_keys(minhashes).ravel(), np.repeat(orders, BANDS))

    def _add_run(self, keys: np.ndarray, orders: np.ndarray) -> None:
        self._runs.append((keys, orders))
        while len(self._runs) > 1 and 2 * self._runs[-1][0].size >= self._runs[-2][0].size:
            (last_keys, last_orders), (keys, orders) = self._runs.pop(), self._runs.pop()
            self._runs.append((np.concatenate([keys, last_keys]), np.concatenate([orders, last_orders])))
        keys, orders = self._runs[-1]
        by_key = np.argsort(keys, kind="stable")
        self._runs[-1] = (keys[by_key], orders[by_key])

    def release(self) -> None:
        """Stop holding the signatures added so far (they are stored now: pass them to `find` when needed)."""
        self._held = {}

    def _candidates(self, minhash: np.ndarray) -> set[int]:
        """The order of each added article that shares a band with `minhash`."""
        keys = band_keys(minhash[None, :])[0]
        found = {order for key in keys.tolist() for order in self._recent.get(key, ())}
        for run_keys, run_orders in self._runs:
            starts = np.searchsorted(run_keys, keys, "left")
            ends = np.searchsorted(run_keys, keys, "right")
            for start, end in zip(starts.tolist(), ends.tolist()):
                if start < end:
                    found.update(run_orders[start:end].tolist())
        return found

    def missing(self, minhashes: Iterable[np.ndarray]) -> set[str]:
        """The ids of candidates for these signatures whose signatures the index does not hold."""
        return {self._ids[order] for minhash in minhashes for order in self._candidates(minhash)
                if self._ids[order] not in self._held}

    def find(self, minhash: np.ndarray, stored: Mapping[str, np.ndarray] | None = None) -> tuple[str, float] | None:
        """The most similar candidate at or above THRESHOLD as (id, similarity), or None. Signatures not held are
        taken from `stored`; a candidate in neither (a write rolled back, an article deleted since) is skipped."""
        scored = []
        for order in self._candidates(minhash):
            article_id = self._ids[order]
            other = self._held.get(article_id)
            if other is None and stored is not None:
                other = stored.get(article_id)
            if other is None:
                continue
            score = similarity(other, minhash)
            if score >= THRESHOLD:
                scored.append((-score, order, article_id))
        if not scored:
            return None
        best = min(scored)
        return best[2], -best[0]
