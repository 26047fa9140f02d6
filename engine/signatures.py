"""Known texts: exact hashes, MinHash near-duplicates, user lists, and the verdict cache.

The signature store is built from attack texts of the training split by
packaging/build_signatures.py; it answers "have we seen this attack, or a
lightly edited copy of it?" in microseconds, without a model.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np

from engine.assets import AssetError, assets_dir
from engine.tokens import TOKENIZER_VERSION, text_key
from engine.userfiles import read_json, set_aside, write_atomic

NUM_PERM = 64
MINHASH_VERSION = 3  # bump when the hashing changes: the store must then be rebuilt
BANDS = 16
ROWS = NUM_PERM // BANDS
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint32(15)


MINHASH_FILE = "signatures/minhash.json"  # the permutations, drawn once from a seeded generator


def _permutations() -> tuple[np.ndarray, np.ndarray]:
    """NUM_PERM hash functions on 32-bit words: h(x) = m(a*x + b mod 2**32), a odd, m an xor-shift mix."""
    path = assets_dir() / MINHASH_FILE
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        a, b = np.array(doc["a"], dtype=np.uint32), np.array(doc["b"], dtype=np.uint32)
    except (OSError, ValueError, KeyError, TypeError, OverflowError) as exc:
        raise AssetError(f"unreadable MinHash permutations {path}: {exc}") from exc
    if a.shape != (NUM_PERM,) or b.shape != (NUM_PERM,) or not (a & 1).all():
        raise AssetError(f"{path}: {NUM_PERM} odd multipliers and {NUM_PERM} offsets expected")
    return a[:, None], b[:, None]


_A, _B = _permutations()


def shingles(hashes: np.ndarray) -> np.ndarray:
    """32-bit hashes of word bigrams (unigrams for one-word texts); repeats do not matter to a minimum."""
    h = hashes
    if len(h) > 1:
        h = ((h[:-1] * np.uint64(0x9E3779B1)) ^ h[1:]) & _MASK32
    return h.astype(np.uint32)


def minhash(hashes: np.ndarray) -> np.ndarray | None:
    """NUM_PERM-value MinHash signature (uint32) of a text's token hashes, or None if empty."""
    sh = shingles(hashes)
    if sh.size == 0:
        return None
    h = _A * sh[None, :]  # uint32 arithmetic wraps modulo 2**32
    h += _B
    h ^= h >> _SHIFT
    minima: np.ndarray = h.min(axis=1)
    return minima


_BAND_TAGS = np.arange(BANDS, dtype=np.uint64) << np.uint64(56)
_MIX64 = np.uint64(0x9E3779B97F4A7C15)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """One 64-bit key per LSH band (ROWS values each) of a signature, or of each row of a signature matrix.

    Keys are computed when the store loads, never stored: a key only has to be the same for equal bands
    (a collision costs one similarity check, which decides).
    """
    sig = np.ascontiguousarray(signatures, dtype=np.uint32)
    packed = sig.reshape(*sig.shape[:-1], BANDS, ROWS).view(np.uint64)  # ROWS/2 words of two values per band
    keys = packed[..., 0].copy()
    for c in range(1, ROWS // 2):
        keys *= _MIX64
        keys ^= packed[..., c]
    return keys ^ _BAND_TAGS


@dataclass(frozen=True, slots=True)
class SignatureHit:
    kind: str  # "exact" or "near"
    similarity: float  # estimated Jaccard similarity of word bigrams, 1.0 for exact
    index: int  # row of the store (for explanations: its category)
    category: str


class SignatureStore:
    """Exact keys and MinHash signatures of known attack texts (read-only, thread-safe)."""

    def __init__(self, exact: np.ndarray, signatures: np.ndarray, categories: list[str]) -> None:
        self.exact = np.sort(exact.astype(np.uint64))
        self.signatures = signatures.astype(np.uint32)
        self.categories = categories
        flat = band_keys(self.signatures.reshape(-1, NUM_PERM)).reshape(-1)
        order = np.argsort(flat, kind="stable")
        self._band_keys = flat[order]
        self._band_rows = (order // BANDS).astype(np.int32)

    @classmethod
    def load(cls, directory: Path | None = None) -> SignatureStore:
        directory = directory or assets_dir() / "signatures"
        meta_path = directory / "signatures.json"
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            data = np.load(directory / "signatures.npz")
        except FileNotFoundError as exc:
            raise AssetError(f"missing signature store: {exc.filename}") from exc
        except (ValueError, OSError) as exc:
            raise AssetError(f"unreadable signature store in {directory}: {exc}") from exc
        if (meta.get("tokenizer_version"), meta.get("minhash_version"), meta.get("num_perm")) != (
            TOKENIZER_VERSION,
            MINHASH_VERSION,
            NUM_PERM,
        ):
            raise AssetError(
                f"{meta_path}: built with another tokenizer or MinHash size; rerun packaging/build_signatures.py"
            )
        return cls(data["exact"], data["minhash"], list(meta["categories"]))

    def __len__(self) -> int:
        return len(self.signatures)

    def lookup(self, canonical_text: str, hashes: np.ndarray, near_threshold: float) -> SignatureHit | None:
        """Exact hit, else the most similar near-duplicate at or above near_threshold."""
        key = np.uint64(text_key(canonical_text))
        i = int(self.exact.searchsorted(key))
        if i < len(self.exact) and self.exact[i] == key:
            return SignatureHit("exact", 1.0, -1, "known attack")
        sig = minhash(hashes)
        if sig is None or not len(self.signatures):
            return None
        keys = band_keys(sig)
        lo = self._band_keys.searchsorted(keys, side="left")
        hi = self._band_keys.searchsorted(keys, side="right")
        if not (hi > lo).any():
            return None
        rows = np.unique(np.concatenate([self._band_rows[a:b] for a, b in zip(lo, hi, strict=True) if b > a]))
        sims = (self.signatures[rows] == sig[None, :]).mean(axis=1)
        best = int(np.argmax(sims))
        if sims[best] < near_threshold:
            return None
        row = int(rows[best])
        return SignatureHit("near", float(sims[best]), row, self.categories[row])


class UserLists:
    """The user's allowlist and denylist: canonical-text keys in a JSON file.

    The file lives in the platformdirs data dir; a corrupt file is moved aside
    (never silently lost) and the error is kept for the caller to show.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.error: str | None = None
        self._lock = threading.Lock()
        self.allow: set[int] = set()
        self.deny: set[int] = set()
        if path is not None and path.exists():
            try:
                data = read_json(path)
                self.allow = {int(k, 16) for k in data.get("allow", [])}
                self.deny = {int(k, 16) for k in data.get("deny", [])}
            except (ValueError, TypeError, AttributeError) as exc:
                self.allow, self.deny = set(), set()
                self.error = set_aside(path, exc).describe("The allow/deny list file")

    def lookup(self, key: int) -> str | None:
        if key in self.deny:
            return "deny"
        if key in self.allow:
            return "allow"
        return None

    def add(self, key: int, which: str) -> None:
        """Add a key to "allow" or "deny" (removing it from the other) and save."""
        with self._lock:
            target, other = (self.allow, self.deny) if which == "allow" else (self.deny, self.allow)
            target.add(key)
            other.discard(key)
            self._save()

    def remove(self, key: int) -> bool:
        with self._lock:
            hit = key in self.allow or key in self.deny
            self.allow.discard(key)
            self.deny.discard(key)
            if hit:
                self._save()
            return hit

    def _save(self) -> None:
        if self.path is None:
            return
        payload = {"allow": sorted(f"{k:016x}" for k in self.allow), "deny": sorted(f"{k:016x}" for k in self.deny)}
        write_atomic(self.path, json.dumps(payload, indent=1))


K = TypeVar("K")
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """A small thread-safe LRU map (recent verdicts keyed by the text's hash)."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._data: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._data.get(key)
            if value is not None:
                self._data.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)
