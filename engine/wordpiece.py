"""BERT's uncased WordPiece tokenizer, in plain Python, with offsets into the original text.

Why not the `tokenizers` package: loading its tokenizer for a 30k vocabulary
costs about 13 MiB of RSS (of which 6 stay after it is dropped), a third of
tier 1's memory budget; this vocabulary as a dict costs under 4 MiB and leaves
nothing behind. The output equals `tokenizers`' for the same tokenizer.json
(tests compare them), with one deliberate difference: special tokens written
in the text ("[SEP]", "[CLS]" …) are read as plain text, so a pasted text
cannot forge a segment boundary for the NLI model.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from engine.assets import AssetError

# What the code below implements; a tokenizer.json that asks for anything else is refused.
_EXPECTED_NORMALIZER = {
    "type": "BertNormalizer",
    "clean_text": True,
    "handle_chinese_chars": True,
    "strip_accents": None,
    "lowercase": True,
}
# The characters Rust's char::is_whitespace accepts (Unicode White_Space), as BERT's normalizer uses them.
_WHITESPACE = frozenset(
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_CJK = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F), (0x2B740, 0x2B81F),
        (0x2B920, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))  # fmt: skip
# Plain ASCII without control characters: lowercasing is the whole normalisation.
_SIMPLE = re.compile(r"[\t\n\r -~]*")
_ASCII_PIECES = re.compile(r"[^\t\n\r !-/:-@\[-`{-~]+|[!-/:-@\[-`{-~]")

WORD, ISOLATED, SPACE, MIXED = 0, 1, 2, 3


def _is_punctuation(c: str) -> bool:
    """BERT's punctuation: ASCII symbols and punctuation, and every Unicode P* character."""
    code = ord(c)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(c).startswith("P")


def _char_kind(c: str) -> tuple[str, int]:
    """One original character -> (what it normalises to, its kind); "" means it is dropped."""
    code = ord(c)
    if c in "\t\n\r":
        return " ", SPACE
    if code == 0 or code == 0xFFFD or unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co"):
        return "", WORD
    if c in _WHITESPACE:
        return " ", SPACE
    out = "".join(ch for ch in unicodedata.normalize("NFD", c) if unicodedata.category(ch) != "Mn").lower()
    if any(lo <= code <= hi for lo, hi in _CJK):
        return out, ISOLATED
    punct = [_is_punctuation(ch) for ch in out]
    if not any(punct):
        return out, WORD
    return out, ISOLATED if all(punct) else MIXED


@dataclass(frozen=True, slots=True)
class Encoding:
    """Token ids (no special tokens) and each token's (start, end) span in the original text."""

    ids: list[int]
    offsets: list[tuple[int, int]]


class WordPiece:
    """Tokenizes like BERT uncased: clean, split CJK, strip accents, lowercase, split punctuation, WordPiece."""

    def __init__(self, vocab: dict[str, int], *, unk: str = "[UNK]", prefix: str = "##", max_word_chars: int = 100):
        self.vocab = vocab
        self.unk_id = vocab[unk]
        self.cls_id = vocab["[CLS]"]
        self.sep_id = vocab["[SEP]"]
        self.pad_id = vocab.get("[PAD]", 0)
        self.prefix = prefix
        self.max_word_chars = max_word_chars
        self._kinds: dict[str, tuple[str, int]] = {}

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        """Read a `tokenizers` tokenizer.json; refuse settings this class does not implement."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            model = data["model"]
            if model.get("type") != "WordPiece":
                raise AssetError(f"{path}: model type {model.get('type')!r}, expected WordPiece")
            normalizer = data.get("normalizer") or {}
            if {k: normalizer.get(k) for k in _EXPECTED_NORMALIZER} != _EXPECTED_NORMALIZER:
                raise AssetError(f"{path}: normalizer {normalizer} is not BERT's uncased one")
            if (data.get("pre_tokenizer") or {}).get("type") != "BertPreTokenizer":
                raise AssetError(f"{path}: pre-tokenizer is not BertPreTokenizer")
            return cls(
                dict(model["vocab"]),
                unk=model.get("unk_token", "[UNK]"),
                prefix=model.get("continuing_subword_prefix", "##"),
                max_word_chars=int(model.get("max_input_chars_per_word", 100)),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AssetError(f"{path}: not a usable WordPiece tokenizer ({exc})") from exc

    def token_to_id(self, token: str) -> int | None:
        return self.vocab.get(token)

    def encode(self, text: str) -> Encoding:
        """Token ids and original-text offsets, without [CLS]/[SEP]."""
        ids: list[int] = []
        offsets: list[tuple[int, int]] = []
        if _SIMPLE.fullmatch(text):  # plain ASCII: normalised text has the original's offsets
            for m in _ASCII_PIECES.finditer(text.lower()):
                self._wordpiece(m.group(), m.start(), None, ids, offsets)
        else:
            for word, starts in self._words(text):
                self._wordpiece(word, 0, starts, ids, offsets)
        return Encoding(ids, offsets)

    def _words(self, text: str) -> Iterator[tuple[str, list[int]]]:
        """Yield (normalised word, original index of each of its characters)."""
        word: list[str] = []
        starts: list[int] = []
        kinds = self._kinds
        for i, c in enumerate(text):
            got = kinds.get(c)
            if got is None:
                got = kinds[c] = _char_kind(c)
            out, kind = got
            if kind == WORD:
                word.append(out)
                starts.extend([i] * len(out))
                continue
            if word:
                yield "".join(word), starts
                word, starts = [], []
            if kind == ISOLATED:
                for ch in out:
                    yield ch, [i]
            elif kind == MIXED:
                for ch in out:
                    if _is_punctuation(ch):
                        if word:
                            yield "".join(word), starts
                            word, starts = [], []
                        yield ch, [i]
                    else:
                        word.append(ch)
                        starts.append(i)
        if word:
            yield "".join(word), starts

    def _wordpiece(
        self, word: str, base: int, starts: list[int] | None, ids: list[int], offsets: list[tuple[int, int]]
    ) -> None:
        """Greedy longest-match-first split of one word; an unsplittable or overlong word is one [UNK].

        Character k of `word` came from original index `starts[k]`, or `base + k` when starts is None.
        """

        def span(a: int, b: int) -> tuple[int, int]:
            return (base + a, base + b) if starts is None else (starts[a], starts[b - 1] + 1)

        n = len(word)
        if n > self.max_word_chars:
            ids.append(self.unk_id)
            offsets.append(span(0, n))
            return
        whole = self.vocab.get(word)
        if whole is not None:
            ids.append(whole)
            offsets.append(span(0, n))
            return
        pieces: list[tuple[int, int, int]] = []
        start = 0
        while start < n:
            end = n
            found = None
            while start < end:
                found = self.vocab.get(word[start:end] if start == 0 else self.prefix + word[start:end])
                if found is not None:
                    break
                end -= 1
            if found is None:
                ids.append(self.unk_id)
                offsets.append(span(0, n))
                return
            pieces.append((found, start, end))
            start = end
        for token, a, b in pieces:
            ids.append(token)
            offsets.append(span(a, b))
