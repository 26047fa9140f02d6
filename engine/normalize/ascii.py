"""Byte tables and RE2 patterns over UTF-8 (ASCII-fast paths), and _U8: a text's bytes with byte -> char offsets."""

from __future__ import annotations

import numpy as np
import re2


def _bytes_table(mapping: dict[int, int]) -> bytes:
    t = bytearray(range(256))
    for k, v in mapping.items():
        t[k] = v
    return bytes(t)


_LOWER = b"abcdefghijklmnopqrstuvwxyz"
_UPPER = _LOWER.upper()
_ROT13_BYTES = _bytes_table(
    {
        **{c: _LOWER[(i + 13) % 26] for i, c in enumerate(_LOWER)},
        **{c: _UPPER[(i + 13) % 26] for i, c in enumerate(_UPPER)},
    }
)
_ASCII_WS_TO_SPACE = _bytes_table({c: 0x20 for c in b"\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"})
_ALPHA_ONLY = _bytes_table({c: 0x20 for c in range(256) if c not in _LOWER})
_LETTERS_TO_NUL = _bytes_table({c: 0 for c in _LOWER})
_NOT_LOWER = bytes(c for c in range(256) if c not in _LOWER)
_LEET_SUBS = b"013457@$!"  # the substitutes that usually stand for a letter (not 2 6 8 9)
_LEET_STRONG = _LOWER + _LEET_SUBS
_LEET_BEFORE = b" \"'("  # what may precede / follow a leetspeak word of prose
_LEET_AFTER = b" \"')"
_LEET_PUNCT = b".,;:!?"
_LEET_GAP = _LOWER + b"0123456789 .,;:!?-"  # what may separate the words of one prose run
_LEET_NOT_DIGIT = bytes(c for c in range(256) if c not in b"0123456789")
_PRINTABLE_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"
_ASCII_LETTERS = _LOWER + _UPPER

# re2 patterns, all over UTF-8 bytes (Python `re` is never run on untrusted text).
_RE_PREFILTER = re2.compile(
    rb"[A-Za-z0-9+/_-]{16}|%[0-9A-Fa-f]{2}|\\x[0-9A-Fa-f]{2}|0[xX][0-9A-Fa-f]{2}"
    rb"|[0-9A-Fa-f]{2}[ :][0-9A-Fa-f]{2}[ :][0-9A-Fa-f]{2}[ :][0-9A-Fa-f]{2}"
)
_RE_B64 = re2.compile(rb"[A-Za-z0-9+/_-]{16,}={0,2}")
_RE_HEX = re2.compile(
    rb"(?:\\x[0-9A-Fa-f]{2}){8,}"
    rb"|0[xX][0-9A-Fa-f]{2}(?:,? ?0[xX][0-9A-Fa-f]{2}){7,}"
    rb"|[0-9A-Fa-f]{2}(?:[ :][0-9A-Fa-f]{2}){7,}"
    rb"|(?:0[xX])?[0-9A-Fa-f]{16,}"
)
_RE_URL = re2.compile(rb"[^\s%]*(?:%[0-9A-Fa-f]{2}[^\s%]*){3,}")
_RE_ROT_MENTION = re2.compile(rb"\brot[ _-]?13\b")
_RE_AIDS_PREFILTER = re2.compile(
    rb"[a-z][0-9@$!]|[0-9][a-z]|(?:^|[^a-z0-9])[a-z](?:[ ._*~-]{1,3}[a-z]){3}(?:[^a-z0-9]|$)"
)
_RE_LEET_TOKEN = re2.compile(
    rb"[a-z0-9@$!]*[a-z][a-z0-9@$!]*[0-9@$!][a-z0-9@$!]*|[a-z0-9@$!]*[0-9@$!][a-z0-9@$!]*[a-z][a-z0-9@$!]*"
)
_RE_LONE_14 = re2.compile(rb"[14]+")
_RE_SPACED = re2.compile(rb"(?:^|[^a-z0-9])([a-z](?:(?:[ ._*~-]| {2,3})[a-z]){3,})")


class _U8:
    """UTF-8 bytes of a str for re2, with byte -> char offset conversion when non-ASCII."""

    __slots__ = ("_b2c", "b", "s")

    def __init__(self, s: str) -> None:
        self.s = s
        self.b = s.encode("utf-8")
        self._b2c: np.ndarray | None = None

    def char(self, k: int) -> int:
        if len(self.b) == len(self.s):
            return k
        if self._b2c is None:
            arr = np.frombuffer(self.b, dtype=np.uint8)
            b2c = np.zeros(len(arr) + 1, dtype=np.int32)  # int32, in place: a 1 MB text's map was 28 MiB at peak
            np.cumsum((arr & 0xC0) != 0x80, dtype=np.int32, out=b2c[1:])
            self._b2c = b2c
        return int(self._b2c[k])
