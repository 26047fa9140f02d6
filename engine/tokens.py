"""Word tokens of a folded view, shared by the lexical score and the fingerprints.

Splitting uses str.translate + str.split (C speed, no regex on untrusted text).
Both the build scripts and the engine call this, so a change here means the
signature store and the lexicon must be rebuilt (their manifests record it).
"""

from __future__ import annotations

import zlib

import numpy as np

from engine.digest import blake2b

TOKENIZER_VERSION = 1
_PUNCT = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\u00ab\u00bb\u201c\u201d\u2018\u2019\u2014\u2013\u2026'
_TO_SPACE = str.maketrans({c: " " for c in _PUNCT})
MAX_TOKENS = 4096  # fingerprints and the lexical score look at a bounded prefix


def words(folded: str) -> list[str]:
    """Lower-case word tokens (apostrophes kept: "don't"), at most MAX_TOKENS."""
    toks = folded.translate(_TO_SPACE).split(None, MAX_TOKENS)  # not a list of every word of a 1 MB text
    if len(toks) > MAX_TOKENS:
        toks.pop()  # the rest of the text, unsplit
    return toks


# where a sentence begins: after . ! ? and a space, and at a line break (the lexical prior also reads a window
# from each one). Not after a colon or a semicolon: code would split into fragments that read worse alone
# than they mean.
_SENTENCE_ENDS = (*(p + w for p in ".!?" for w in (" ", "\t")), "\n")
MAX_SENTENCES = 256


def sentence_starts(clean: str, folded: str) -> list[tuple[int, int]]:
    """(token index in words(folded), character offset) where each sentence after the first begins, at most
    MAX_SENTENCES of them. `clean` is the same text with its line breaks (a view's folded text has none)."""
    marked = clean
    for end in _SENTENCE_ENDS:
        if end in marked:
            marked = marked.replace(end, "\x00" + end[1:])  # same length: offsets stay those of `folded`
    starts: list[tuple[int, int]] = []
    token = char = 0
    for part in marked.split("\x00")[: MAX_SENTENCES + 1]:
        token += len(folded[char : char + len(part)].translate(_TO_SPACE).split())
        char += len(part) + 1  # and the punctuation that ended it
        if token >= MAX_TOKENS or char >= len(folded):
            break
        if not starts or starts[-1][0] != token:
            starts.append((token, char))
    return starts


def canonical(folded: str) -> str:
    """The form that is hashed for exact signatures: tokens joined by one space."""
    return " ".join(words(folded))


def text_key(canonical_text: str) -> int:
    """A stable 64-bit key of a canonical text (exact signatures, allow/deny lists)."""
    digest = blake2b(canonical_text.encode("utf-8", "replace"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


# Token -> CRC-32, for the words a user's texts repeat (tier 0's hot path hashes every token of every text);
# emptied when full, so hostile text full of unique tokens costs at most its size once.
_CRC_CACHE: dict[str, int] = {}
_CRC_CACHE_MAX = 8192  # about 1 MiB at most


def _crc(token: str) -> int:
    h = zlib.crc32(token.encode("utf-8", "replace"))
    if len(_CRC_CACHE) >= _CRC_CACHE_MAX:
        _CRC_CACHE.clear()
    _CRC_CACHE[token] = h
    return h


def token_hashes(tokens: list[str]) -> np.ndarray:
    """CRC-32 of each token (uint64 array): the ids the fingerprints and the lexicon share."""
    hashes = list(map(_CRC_CACHE.get, tokens))
    if None in hashes:
        hashes = [h if h is not None else _crc(t) for h, t in zip(hashes, tokens, strict=True)]
    return np.fromiter(hashes, np.uint64, len(hashes))
