"""Normalisation: turn clipboard text into views that the rule tiers can match reliably.

Attackers hide prompt injections from naive matching with homoglyphs, invisible characters,
encodings (base64, hex, URL, rot13, Unicode tags), leetspeak and spaced-out letters. This
module undoes those tricks into *views* of the text while keeping a map back to the ORIGINAL
text, so later stages can report spans the user can see and the app can redact.

Design constraints (this runs on every clipboard change):
- Plain ASCII text takes a fast path: NFKC and confusable folding are identities there, the
  offset map is the identity and no per-character Python objects are built.
- Non-ASCII text is processed with numpy lookup tables over code points, built once (small:
  they stop at _TABLE_LIMIT, the rest of the code space maps to a few sentinel slots).
- Everything that scans untrusted text uses re2 (linear time); decoding is bounded by
  ``max_depth``, ``max_decoded_chars`` and ``max_segments`` and hitting a bound sets
  ``Normalized.truncated``.
- ``normalize`` never raises on a ``str`` (lone surrogates become U+FFFD one-for-one).
"""

from __future__ import annotations

import binascii
import functools
import itertools
import unicodedata
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import re2

from engine.assets import assets_dir
from engine.procmem import release_freed_memory
from engine.verdict import SEVERITIES, Finding

__all__ = ["Normalized", "View", "normalize"]

# Per-rule cap on individual findings; the rest are folded into one summary finding.
_FINDING_CAP = 20
# Hard caps on work per normalize() call that are not caller parameters.
_MAX_DECODE_ATTEMPTS = 4096  # candidate blobs tried (most are rejected quickly)
_MAX_AID_TOKENS = 8192  # leet tokens / spaced runs examined
_ROT13_MAX_LINES = 256
_AID_CONTEXT = 64  # chars of context kept around leet/spaced regions in their views
_SEV_RANK = {s: i for i, s in enumerate(SEVERITIES)}


# --------------------------------------------------------------------------------------
# Public types
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class View:
    """One reading of the text: ``clean`` for secrets, ``folded`` for injection rules.

    ``clean`` is NFKC with invisible/format characters removed (whitespace kept as-is, case
    kept); ``folded`` has the same length, char for char: homoglyphs folded to ASCII,
    lowercased, every whitespace char turned into a space. One offset map serves both.

    ``kind`` is "text" for the main view; decoded payloads are "base64", "hex", "url",
    "rot13", "tags" (depth = nesting level, 1+); matching aids "leet" and "spaced" keep the
    depth of the view they were made from.
    """

    kind: str
    clean: str
    folded: str
    depth: int
    _map: Any = field(default=None, repr=False, compare=False)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a [start, end) span of clean/folded to the smallest covering original span.

        Decoded payload views map to the encoded blob. Out-of-range input is clamped.
        """
        n = len(self.clean)
        try:
            s = min(max(int(start), 0), n)
            e = min(max(int(end), s), n)
        except (TypeError, ValueError, OverflowError):
            s = e = 0
        m = self._map
        if m is None:
            return s, e
        a, b = m.span(s, e)
        olen = m.olen
        a = min(max(a, 0), olen)
        b = min(max(b, a), olen)
        return a, b


@dataclass(frozen=True, slots=True)
class Normalized:
    """All views of one text, what normalisation noticed, and whether a bound was hit."""

    original: str
    views: tuple[View, ...]
    findings: tuple[Finding, ...]
    truncated: bool

    @property
    def main(self) -> View:
        return self.views[0]


# --------------------------------------------------------------------------------------
# Offset maps (view index -> original span). All are monotone, so a span maps to
# (start of its first char, end of its last char).
# --------------------------------------------------------------------------------------


class _IdMap:
    """Identity: view char i is original char i (ASCII fast path)."""

    __slots__ = ("olen",)

    def __init__(self, olen: int) -> None:
        self.olen = olen

    def span(self, s: int, e: int) -> tuple[int, int]:
        return s, e


class _ArrMap:
    """Per-char original start/end arrays (ends None means start + 1)."""

    __slots__ = ("ends", "n", "olen", "starts", "tail")

    def __init__(self, starts: np.ndarray, ends: np.ndarray | None, olen: int, tail: int) -> None:
        self.starts = starts
        self.ends = ends
        self.n = len(starts)
        self.olen = olen
        self.tail = tail  # original position of the empty span at the view's end

    def span(self, s: int, e: int) -> tuple[int, int]:
        if s < e:
            a = int(self.starts[s])
            b = int(self.ends[e - 1]) if self.ends is not None else int(self.starts[e - 1]) + 1
            return a, max(a, b)
        if s < self.n:
            p = int(self.starts[s])
            return p, p
        return self.tail, self.tail


class _ConstMap:
    """Every char maps to one span: the encoded blob a decoded payload came from."""

    __slots__ = ("a", "b", "olen")

    def __init__(self, a: int, b: int, olen: int) -> None:
        self.a, self.b, self.olen = a, b, olen

    def span(self, s: int, e: int) -> tuple[int, int]:
        return (self.a, self.b) if s < e else (self.a, self.a)


class _SubMap:
    """A window [off, off+n) of a parent view (rot13/leet views keep the parent's offsets)."""

    __slots__ = ("off", "olen", "parent")

    def __init__(self, parent: Any, off: int) -> None:
        self.parent, self.off, self.olen = parent, off, parent.olen

    def span(self, s: int, e: int) -> tuple[int, int]:
        return self.parent.span(self.off + s, self.off + e)


class _IdxMap:
    """View char j is parent char idx[j] (spaced view: joined letters point at their source)."""

    __slots__ = ("idx", "n", "olen", "parent", "tail")

    def __init__(self, parent: Any, idx: np.ndarray, tail: int) -> None:
        self.parent, self.idx, self.n, self.olen, self.tail = parent, idx, len(idx), parent.olen, tail

    def span(self, s: int, e: int) -> tuple[int, int]:
        if s < e:
            return self.parent.span(int(self.idx[s]), int(self.idx[e - 1]) + 1)
        p = int(self.idx[s]) if s < self.n else self.tail
        return self.parent.span(p, p)


# --------------------------------------------------------------------------------------
# Data tables (loaded once)
# --------------------------------------------------------------------------------------


def _data_lines(name: str) -> list[list[str]]:
    path = assets_dir() / "normalize" / name
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            rows.append(line.split())
    return rows


# flags table bits
_F_REMOVE = 1
_F_CHANGE = 2  # NFKC(c) != c (whitespace excluded: kept as-is in clean)
_F_UNSAFE = 4  # NFKC cannot restart before c (c may compose with what precedes)
_F_EXPAND = 8  # NFKC(c) is not exactly one char
_F_FANCY = 16  # fancy Latin letter form (fullwidth, math bold, ...)
_F_WS = 32  # whitespace (str.isspace)
_F_WSCHG = 64  # whitespace that NFKC would change (kept as-is by us)

# removal kinds
_K_ZW, _K_BIDI, _K_BIDI_OVR, _K_TAG, _K_INVIS, _K_VS = 1, 2, 3, 4, 5, 6
_KIND_NAMES = {
    "zero_width": _K_ZW,
    "bidi": _K_BIDI,
    "bidi_override": _K_BIDI_OVR,
    "tag": _K_TAG,
    "invisible": _K_INVIS,
    "variation_selector": _K_VS,
}

# letter classes (cls table)
_C_ASCII, _C_LATIN, _C_CONF, _C_CYR, _C_GREEKISH, _C_OTHER, _C_MARK, _C_CJK, _C_RTL = range(1, 10)
_NONLATIN_BITS = (1 << _C_CYR) | (1 << _C_GREEKISH) | (1 << _C_OTHER) | (1 << _C_CJK) | (1 << _C_RTL)
_B_FANCY, _B_PLAIN, _B_NOREV = 1 << 10, 1 << 11, 1 << 12

# Per-code-point tables cover [0, _TABLE_LIMIT): no code point at or above it has an NFKC or
# case mapping, is whitespace or a mark we care about. The few ranges above it that do matter
# (tag characters, variation selectors supplement, CJK extension G/H, anything listed in the
# data files) get one sentinel slot each after the limit; every other code point above the
# limit shares a "nothing special" slot and folds to itself. _tix() maps code points to slots.
_TABLE_LIMIT = 0x30000
_MAX_CP = 0x110000
_CJK_EXT_GH = (0x30000, 0x323B0)  # CJK extension G/H: classed CJK whatever the Unicode version
_BUILD_CHUNK = 0x8000  # code points per build step: bounds the temporary strings and arrays


@dataclass(frozen=True)
class _Tables:
    flags: np.ndarray  # uint8[_TABLE_LIMIT + len(hi_starts)]
    rkind: np.ndarray  # uint8[same] removal kind
    cls: np.ndarray  # uint8[same] letter class
    fold: np.ndarray  # uint32[_TABLE_LIMIT] lowercase + whitespace->space + Latin confusables
    hi_starts: np.ndarray  # sorted starts of the ranges above the limit; range j uses slot limit + j
    nfkc_keys: np.ndarray  # sorted code points with a one-char NFKC change
    nfkc_vals: np.ndarray
    exp_keys: np.ndarray  # sorted code points whose NFKC has length != 1
    exp_lens: np.ndarray
    exp_offs: np.ndarray  # their NFKC code points: exp_data[exp_offs[i] : exp_offs[i] + exp_lens[i]]
    exp_data: np.ndarray
    conf_keys: np.ndarray  # non-Latin confusables -> ASCII
    conf_vals: np.ndarray
    rev: np.ndarray  # uint32[128] ASCII -> Cyrillic (0 = none)


def _tix(cps: np.ndarray, tb: _Tables) -> np.ndarray:
    """Index into flags/rkind/cls for each code point (its sentinel slot above the limit)."""
    if not len(cps) or int(cps.max()) < _TABLE_LIMIT:
        return cps
    slot = _TABLE_LIMIT - 1 + np.searchsorted(tb.hi_starts, cps, side="right")
    return np.where(cps < _TABLE_LIMIT, cps, slot)


def _fold_of(cps: np.ndarray, tb: _Tables) -> np.ndarray:
    """Folded code points (a new array); code points above the limit fold to themselves."""
    if not len(cps) or int(cps.max()) < _TABLE_LIMIT:
        return tb.fold[cps]
    return np.where(cps < _TABLE_LIMIT, tb.fold[np.minimum(cps, _TABLE_LIMIT - 1)], cps).astype(np.uint32)


def _chunk_chars(c0: int, c1: int, sep: bool) -> str:
    """Code points c0..c1-1 (surrogates and NUL as spaces), optionally each followed by NUL."""
    a = np.arange(c0, c1, dtype=np.uint32)
    a[(a >= 0xD800) & (a < 0xE000)] = 0x20
    a[a == 0] = 0x20
    if sep:
        z = np.zeros(2 * len(a), dtype=np.uint32)
        z[0::2] = a
        a = z
    return a.tobytes().decode("utf-32-le")


def _pieces(text: str, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-code-point results of f(c + NUL + ...) split on NUL: (cps, piece starts, lengths)."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
    zeros = np.flatnonzero(cps == 0)
    assert len(zeros) == count, "normalisation form changed a separator"
    starts = np.concatenate(([0], zeros[:-1] + 1))
    return cps, starts, zeros - starts


def _ranges(pattern: str, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re2.finditer(pattern, text)]


_SCRIPT_CLASSES = (
    (r"\p{Latin}+", _C_LATIN),
    (r"[\p{Cyrillic}]+", _C_CYR),
    (r"[\p{Greek}\p{Armenian}\p{Georgian}]+", _C_GREEKISH),
    (r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Bopomofo}]+", _C_CJK),
    (r"[\p{Hebrew}\p{Arabic}\p{Syriac}\p{Thaana}\p{Nko}\p{Samaritan}\p{Mandaic}]+", _C_RTL),
)


@functools.cache
def _tables() -> _Tables:
    """Build the per-code-point tables once (about 0.1 s; ~1.4 MB), then free the build's garbage."""
    tables = _build_tables()
    release_freed_memory()
    return tables


def _build_tables() -> _Tables:
    lim = _TABLE_LIMIT
    invisible = [(int(a, 16), int(b, 16) + 1, _KIND_NAMES[kind]) for a, b, kind in _data_lines("invisible.txt")]
    confusables = [(int(cp_hex, 16), letter) for cp_hex, letter in _data_lines("confusables.txt")]

    # Sentinel slots: one per range between consecutive boundaries above the limit.
    bounds = {lim, *_CJK_EXT_GH}
    for a, b, _ in invisible:
        bounds.update((a, b))
    for cp, _ in confusables:
        bounds.update((cp, cp + 1))
    hi_starts = np.array(sorted(x for x in bounds if lim <= x < _MAX_CP), dtype=np.uint32)
    size = lim + len(hi_starts)

    def slots(a: int, b: int) -> list[slice]:
        """Table slices holding code points [a, b) (b <= limit, or a and b are boundaries)."""
        out = []
        if a < lim:
            out.append(slice(a, min(b, lim)))
        if b > lim:
            i0, i1 = np.searchsorted(hi_starts, [max(a, lim), min(b, _MAX_CP)])
            out.append(slice(lim + int(i0), lim + int(i1)))
        return out

    flags = np.zeros(size, dtype=np.uint8)
    rkind = np.zeros(size, dtype=np.uint8)
    cls = np.zeros(size, dtype=np.uint8)
    for a, b, kind in invisible:
        for s in slots(a, b):
            flags[s] |= _F_REMOVE
            rkind[s] = kind
    for s in slots(*_CJK_EXT_GH):
        cls[s] = _C_CJK

    # Whitespace: kept verbatim in clean, so never "changed"; a safe boundary.
    ws = np.zeros(lim, dtype=bool)
    ws[[cp for cp in range(0x3001) if chr(cp).isspace()]] = True
    fold = np.arange(lim, dtype=np.uint32)
    ccc_nonzero = np.zeros(lim, dtype=bool)
    d0 = np.zeros(lim, dtype=np.uint32)  # first char of NFKD(c) (0 if NFKD(c) is empty)
    d_empty = np.zeros(lim, dtype=bool)
    seconds: list[np.ndarray] = []  # non-first chars of canonical decompositions
    nfkc_k: list[np.ndarray] = []
    nfkc_v: list[np.ndarray] = []
    exp_k: list[np.ndarray] = []
    exp_l: list[np.ndarray] = []
    exp_d: list[np.ndarray] = []
    low_flags = flags[:lim]  # a view

    for c0 in range(0, lim, _BUILD_CHUNK):
        c1 = min(c0 + _BUILD_CHUNK, lim)
        n = c1 - c0
        # Letter classes and combining marks, from re2's script tables.
        plain = _chunk_chars(c0, c1, sep=False)
        ccls = cls[c0:c1]
        for a, b in _ranges(r"\pL+", plain):
            ccls[a:b] = _C_OTHER
        for pattern, value in _SCRIPT_CLASSES:
            for a, b in _ranges(pattern, plain):
                seg = ccls[a:b]
                seg[seg == _C_OTHER] = value
        for a, b in _ranges(r"\pM+", plain):
            ccls[a:b] = _C_MARK
            for cp in range(c0 + a, c0 + b):
                if unicodedata.combining(chr(cp)):
                    ccc_nonzero[cp] = True
        # Lowercase, 1:1 (U+0130 lowercases to two chars: fixed below).
        low = plain.replace("\u0130", "i").lower()
        if len(low) == n:
            fold[c0:c1] = np.frombuffer(low.encode("utf-32-le"), dtype="<u4")
        del plain, low

        # NFKC of each char on its own, via one normalize() call over NUL-separated chars.
        sep = _chunk_chars(c0, c1, sep=True)
        ncps, nst, nlen = _pieces(unicodedata.normalize("NFKC", sep), n)
        ident = np.frombuffer(sep.encode("utf-32-le"), dtype="<u4")[0::2]
        one = nlen == 1
        first = ncps[np.minimum(nst, len(ncps) - 1)]
        changed1 = one & (first != ident)
        expand = ~one
        chg = changed1 | expand
        cws = ws[c0:c1]
        cflags = low_flags[c0:c1]
        np.bitwise_or(cflags, _F_CHANGE, out=cflags, where=chg & ~cws)
        np.bitwise_or(cflags, _F_WSCHG, out=cflags, where=chg & cws)
        np.bitwise_or(cflags, _F_EXPAND, out=cflags, where=expand & ~cws)
        nfkc_k.append(np.flatnonzero(changed1).astype(np.uint32) + c0)
        nfkc_v.append(first[changed1].astype(np.uint32))
        if expand.any():
            est, eln = nst[expand], nlen[expand]
            exp_k.append(np.flatnonzero(expand).astype(np.uint32) + c0)
            exp_l.append(eln.astype(np.int64))
            pos = np.repeat(est - np.concatenate(([0], np.cumsum(eln)[:-1])), eln) + np.arange(int(eln.sum()))
            exp_d.append(ncps[pos].astype(np.uint32))
        del ncps, nst, nlen, ident, one, first, changed1, expand, chg

        # NFKD: where can NFKC restart? (resolved after all chunks: see below)
        dcps, dst, dlen = _pieces(unicodedata.normalize("NFKD", sep), n)
        d0[c0:c1] = dcps[np.minimum(dst, len(dcps) - 1)]
        d_empty[c0:c1] = dlen == 0
        del dcps, dst, dlen
        # NFD: chars that occur after the first char of a canonical decomposition.
        fcps = np.frombuffer(unicodedata.normalize("NFD", sep).encode("utf-32-le"), dtype="<u4")
        nonfirst = (fcps[1:] != 0) & (fcps[:-1] != 0)
        seconds.append(fcps[1:][nonfirst].copy())
        del fcps, nonfirst, sep

    # Safe restart points: first char of NFKD(c) is a starter that never composes backwards.
    second = np.zeros(lim, dtype=bool)
    second[0x1161:0x1176] = True  # Hangul vowel jamo
    second[0x11A8:0x11C3] = True  # Hangul trailing jamo
    sc = np.concatenate(seconds)
    sc = sc[sc < lim]
    second[sc[~ccc_nonzero[sc]]] = True
    d0[d0 >= lim] = 0  # (never happens: decompositions stay below the limit)
    unsafe = ccc_nonzero[d0] | second[d0] | d_empty
    del second, sc, d0, d_empty, ccc_nonzero
    unsafe[0] = False
    unsafe[0xD800:0xE000] = False
    np.bitwise_or(low_flags, _F_UNSAFE, out=low_flags, where=unsafe & ~ws)
    del unsafe
    low_flags[0] &= ~np.uint8(_F_CHANGE | _F_WSCHG | _F_EXPAND)
    low_flags[0xD800:0xE000] &= ~np.uint8(_F_CHANGE | _F_WSCHG | _F_EXPAND)
    low_flags[ws] |= _F_WS

    nfkc_keys = np.concatenate(nfkc_k)
    nfkc_vals = np.concatenate(nfkc_v)
    exp_keys = np.concatenate(exp_k) if exp_k else np.zeros(0, dtype=np.uint32)
    exp_lens = np.concatenate(exp_l) if exp_l else np.zeros(0, dtype=np.int64)
    exp_data = np.concatenate(exp_d) if exp_d else np.zeros(0, dtype=np.uint32)
    exp_offs = np.concatenate(([0], np.cumsum(exp_lens)[:-1])).astype(np.int64)
    del nfkc_k, nfkc_v, exp_k, exp_l, exp_d, seconds

    fancy = np.zeros(lim, dtype=bool)
    for row in _data_lines("fancy_latin.txt"):
        fancy[int(row[0], 16) : min(int(row[1], 16) + 1, lim)] = True
    # only forms that NFKC turns into an ASCII letter
    is_letter = ((nfkc_vals >= 0x41) & (nfkc_vals <= 0x5A)) | ((nfkc_vals >= 0x61) & (nfkc_vals <= 0x7A))
    fk = nfkc_keys[is_letter]
    low_flags[fk[fancy[fk]]] |= _F_FANCY
    del fancy
    # Removed characters are handled before NFKC; keep their other bits out of the way.
    flags[(flags & _F_REMOVE) != 0] = _F_REMOVE

    cls[ord("A") : ord("Z") + 1] = _C_ASCII
    cls[ord("a") : ord("z") + 1] = _C_ASCII

    # Folding: lowercase (1:1), whitespace -> space, Latin look-alikes -> ASCII.
    fold[0] = 0  # (NUL was a space in the chunk strings)
    fold[0x130] = ord("i")
    fold[0x3A3] = 0x3C3  # capital sigma: context-free lowercase
    fold[0xD800:0xE000] = 0xFFFD
    fold[ws] = 0x20
    conf: dict[int, int] = {}
    for cp, letter in confusables:
        target = ord(letter.lower())
        (s,) = slots(cp, cp + 1)
        if cp < lim and cls[cp] in (_C_LATIN, _C_ASCII):  # (nothing above the limit is Latin)
            fold[cp] = target
        else:
            conf[cp] = target
            cls[s] = _C_CONF
    conf_keys = np.array(sorted(conf), dtype=np.uint32)
    conf_vals = np.array([conf[k] for k in sorted(conf)], dtype=np.uint32)

    rev = np.zeros(128, dtype=np.uint32)
    for letter, cp_hex in _data_lines("reverse_cyrillic.txt"):
        rev[ord(letter)] = int(cp_hex, 16)

    tables = _Tables(
        flags,
        rkind,
        cls,
        fold,
        hi_starts,
        nfkc_keys,
        nfkc_vals,
        exp_keys,
        exp_lens,
        exp_offs,
        exp_data,
        conf_keys,
        conf_vals,
        rev,
    )
    for arr in vars(tables).values():
        arr.setflags(write=False)
    return tables


@dataclass(frozen=True)
class _Words:
    common: frozenset[bytes]
    common3: frozenset[bytes]  # words of 3+ letters (leet word check)
    rot: frozenset[bytes]  # rot13 of common words
    rot_only: frozenset[bytes]  # rot13 forms that are not themselves common words
    leet: bytes  # bytes.translate table
    leet_chars: bytes


@functools.cache
def _words() -> _Words:
    words: set[bytes] = set()
    for row in _data_lines("common_words.txt"):
        for w in row:
            w = w.strip().lower()
            if w.isascii() and w.isalpha() and len(w) >= 2:  # "a"/"i" -> "n"/"v" is noise
                words.add(w.encode())
    # 1-2 letter words ("tb", "ab", "na") are everywhere in code: score 3+ letter words only
    long_words = {w for w in words if len(w) >= 3}
    rot = {w.translate(_ROT13_BYTES) for w in long_words}
    leet = bytearray(range(256))
    chars = bytearray()
    for ch, letter in _data_lines("leet.txt"):
        leet[ord(ch)] = ord(letter)
        chars.append(ord(ch))
    return _Words(
        frozenset(long_words),
        frozenset(long_words),
        frozenset(rot),
        frozenset(rot - words),
        bytes(leet),
        bytes(chars),
    )


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
            self._b2c = np.concatenate(([0], np.cumsum((arr & 0xC0) != 0x80)))
        return int(self._b2c[k])


# --------------------------------------------------------------------------------------
# Findings sink (caps findings per rule)
# --------------------------------------------------------------------------------------


_RULE_TEXT = {
    "norm.zero_width": "zero-width characters",
    "norm.bidi_control": "bidirectional control characters",
    "norm.unicode_tags": "Unicode tag characters (hidden text)",
    "norm.invisible": "invisible format characters",
    "norm.homoglyph": "look-alike (homoglyph) words",
    "norm.decoded_base64": "base64 payloads",
    "norm.decoded_hex": "hex payloads",
    "norm.decoded_url": "URL-encoded payloads",
    "norm.decoded_rot13": "rot13 passages",
}


class _Sink:
    """Collects findings; beyond _FINDING_CAP per rule they become one summary finding."""

    __slots__ = ("count", "out", "over")

    def __init__(self) -> None:
        self.out: list[Finding] = []
        self.count: Counter[str] = Counter()
        self.over: dict[str, list[Any]] = {}

    def add(self, rule: str, severity: str, start: int, end: int, explanation: str) -> None:
        self.count[rule] += 1
        if self.count[rule] <= _FINDING_CAP:
            self.out.append(Finding(rule, "obfuscation", severity, start, end, explanation))
        else:
            self.overflow(rule, 1, start, end, severity)

    def overflow(self, rule: str, n: int, start: int, end: int, severity: str) -> None:
        o = self.over.get(rule)
        if o is None:
            self.over[rule] = [n, start, end, severity]
        else:
            o[0] += n
            o[1] = min(o[1], start)
            o[2] = max(o[2], end)
            if _SEV_RANK[severity] > _SEV_RANK[o[3]]:
                o[3] = severity

    def findings(self) -> tuple[Finding, ...]:
        out = list(self.out)
        for rule, (n, s, e, sev) in self.over.items():
            what = _RULE_TEXT.get(rule, rule)
            out.append(Finding(rule, "obfuscation", sev, s, e, f"{n} more occurrences of {what} (not listed)"))
        return tuple(out)


# --------------------------------------------------------------------------------------
# Cleaning one text (NFKC, invisibles, homoglyphs) -> clean/folded + map + events
# --------------------------------------------------------------------------------------


@dataclass
class _Cleaned:
    clean: str
    folded: str
    map: Any
    # (rule, severity, start, end, explanation) in coordinates of the cleaned input, capped
    events: list[tuple[str, str, int, int, str]] = field(default_factory=list)
    # (rule, count, start, end, severity) for occurrences beyond the cap
    overflow: list[tuple[str, int, int, int, str]] = field(default_factory=list)
    # hidden text smuggled in tag characters: (text, starts, ends) in input coordinates
    hidden: tuple[str, np.ndarray, np.ndarray] | None = None


def _clean(text: str) -> _Cleaned:
    """Normalise one text; the ASCII fast path builds no per-character arrays."""
    n = len(text)
    if text.isascii():
        folded = text.lower().encode("ascii").translate(_ASCII_WS_TO_SPACE).decode("ascii")
        return _Cleaned(text, folded, _IdMap(n))
    return _clean_unicode(text)


def _lookup(keys: np.ndarray, vals: np.ndarray, cps: np.ndarray) -> np.ndarray:
    pos = np.minimum(np.searchsorted(keys, cps), len(keys) - 1)
    return np.where(keys[pos] == cps, vals[pos], 0)


def _to_str(cps: np.ndarray) -> str:
    return cps.astype("<u4", copy=False).tobytes().decode("utf-32-le")


def _clean_unicode(text: str) -> _Cleaned:
    tb = _tables()
    olen = len(text)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    surrogate = (cps & 0xFFFFF800) == 0xD800
    if surrogate.any():
        cps = cps.copy()
        cps[surrogate] = 0xFFFD
        text = _to_str(cps)
    f = tb.flags[_tix(cps, tb)]
    allf = int(np.bitwise_or.reduce(f)) if len(f) else 0
    out = _Cleaned("", "", None)

    # 1. remove invisible / format characters
    idx2: np.ndarray | None = None
    if allf & _F_REMOVE:
        rm = (f & _F_REMOVE) != 0
        rm_pos = np.flatnonzero(rm)
        idx2 = np.flatnonzero(~rm)
        cps2 = cps[idx2]
        f2 = f[idx2]
        t2 = _to_str(cps2)
        _removal_events(out, cps, rm_pos, tb)
        allf2 = int(np.bitwise_or.reduce(f2)) if len(f2) else 0
    else:
        cps2, f2, t2, allf2 = cps, f, text, allf

    # 2. NFKC (whitespace kept verbatim)
    src: np.ndarray | None = None  # clean index -> t2 index (None: identity)
    send: np.ndarray | None = None  # t2 index -> end (exclusive) of its block in t2
    clean = t2
    cc = cps2
    if allf2 & (_F_CHANGE | _F_UNSAFE):
        need = bool(allf2 & _F_CHANGE)
        if not need:
            probe = t2
            if allf2 & _F_WSCHG:
                pc = cps2.copy()
                pc[(f2 & _F_WSCHG) != 0] = 0x20
                probe = _to_str(pc)
            need = not unicodedata.is_normalized("NFKC", probe)
        if need:
            clean, src, send = _nfkc(t2, cps2, f2, allf2, tb)
            cc = np.frombuffer(clean.encode("utf-32-le"), dtype="<u4")

    # 3. offset map to the input
    if src is None:
        if idx2 is None:
            omap: Any = _IdMap(olen)
        else:
            omap = _ArrMap(idx2, None, olen, olen)
    else:
        last = send[src] - 1  # t2 index of the last char of each clean char's block
        base = np.arange(len(cps2)) if idx2 is None else idx2
        omap = _ArrMap(base[src], base[last] + 1, olen, olen)

    # 4. fold + homoglyph analysis
    cls = tb.cls[_tix(cc, tb)]
    fcp = _fold_of(cc, tb)
    fancy = None
    if allf2 & _F_FANCY:
        fancy = (f2 & _F_FANCY) != 0
        if src is not None:
            fancy = fancy[src]
    _homoglyphs(out, cc, cls, fancy, fcp, tb, omap)
    out.clean = clean
    out.folded = _to_str(fcp)
    out.map = omap
    return out


def _nfkc(
    t2: str, cps2: np.ndarray, f2: np.ndarray, allf2: int, tb: _Tables
) -> tuple[str, np.ndarray | None, np.ndarray | None]:
    """NFKC with an offset map. Returns (clean, src, send); src None means 1:1 same length.

    Text is cut into segments that start at "safe" characters (NFKC cannot compose across
    them); single-char segments use the per-char tables, longer ones are normalised as a
    whole and map to their whole original span.
    """
    n2 = len(cps2)
    unsafe = (f2 & _F_UNSAFE) != 0
    seg_start = ~unsafe
    seg_start[0] = True
    isws = (f2 & _F_WS) != 0
    seg_start[1:] |= isws[:-1]
    starts_idx = np.flatnonzero(seg_start)
    seg_ends = np.append(starts_idx[1:], n2)
    multi = (seg_ends - starts_idx) >= 2
    cs, ce = starts_idx[multi], seg_ends[multi]

    # Complex segments: normalise together (separator keeps them independent).
    ch_s: list[int] = []
    ch_e: list[int] = []
    ch_out: list[str] = []
    if len(cs):
        if len(cs) > 16384:  # bound Python work on adversarial input: coarser blocks
            groups = np.array_split(np.arange(len(cs)), 16384)
            cs = np.array([cs[g[0]] for g in groups])
            ce = np.array([ce[g[-1]] for g in groups])
        segs = [t2[a:b] for a, b in zip(cs.tolist(), ce.tolist(), strict=True)]
        outs = _nfkc_many(segs)
        for a, b, s, o in zip(cs.tolist(), ce.tolist(), segs, outs, strict=True):
            if o != s:
                ch_s.append(a)
                ch_e.append(b)
                ch_out.append(o)

    chg = (f2 & _F_CHANGE) != 0
    c3 = cps2.copy()
    exp = (f2 & _F_EXPAND) != 0 if allf2 & _F_EXPAND else None
    one = chg if exp is None else chg & ~exp
    pos = np.flatnonzero(one)
    c3[pos] = _lookup(tb.nfkc_keys, tb.nfkc_vals, cps2[pos])
    if not ch_s and exp is None:
        return _to_str(c3), None, None  # only 1:1 replacements: identity offsets

    out_len = np.ones(n2, dtype=np.int64)
    simple = _to_str(c3)
    if exp is not None:
        epos = np.flatnonzero(exp)
        ecps = cps2[epos]
        k = np.minimum(np.searchsorted(tb.exp_keys, ecps), len(tb.exp_keys) - 1)
        out_len[epos] = tb.exp_lens[k]
        table: dict[int, str] = {}
        for cp in np.unique(ecps).tolist():
            i = int(np.searchsorted(tb.exp_keys, cp))
            off, ln = int(tb.exp_offs[i]), int(tb.exp_lens[i])
            table[cp] = _to_str(tb.exp_data[off : off + ln])
        if len(table) <= 16:  # few distinct ligatures etc.: str.replace runs at C speed
            for cp, rep in table.items():
                simple = simple.replace(chr(cp), rep)
        else:
            simple = simple.translate(table)
        csum = np.concatenate(([0], np.cumsum(out_len)))
    else:
        csum = None
    send = np.arange(1, n2 + 1, dtype=np.int64)
    if ch_s:
        a_arr = np.array(ch_s, dtype=np.int64)
        b_arr = np.array(ch_e, dtype=np.int64)
        pa, pb = (a_arr, b_arr) if csum is None else (csum[a_arr], csum[b_arr])
        pieces = []
        prev = 0
        for a, b, o in zip(pa.tolist(), pb.tolist(), ch_out, strict=True):
            pieces.append(simple[prev:a])
            pieces.append(o)
            prev = b
        pieces.append(simple[prev:])
        clean = "".join(pieces)
        inside = np.zeros(n2 + 1, dtype=np.int64)
        inside[a_arr + 1] += 1  # segments are disjoint and >= 2 long: indices are unique
        inside[b_arr] -= 1
        out_len[np.cumsum(inside)[:n2] > 0] = 0
        out_len[a_arr] = [len(o) for o in ch_out]
        send[a_arr] = b_arr
    else:
        clean = simple
    src = np.repeat(np.arange(n2, dtype=np.int64), out_len)
    if len(src) != len(clean):  # should not happen; fall back to one coarse block
        src = np.zeros(len(clean), dtype=np.int64)
        send = np.full(max(n2, 1), max(n2, 1), dtype=np.int64)
    return clean, src, send


def _nfkc_many(segs: list[str]) -> list[str]:
    """NFKC of many independent segments in one C call, joined by a separator they lack."""
    for sep in ("\x00", "\ufdd0", "\ufdd1", "\U0010fffe"):
        if not any(sep in s for s in segs):
            outs = unicodedata.normalize("NFKC", sep.join(segs)).split(sep)
            if len(outs) == len(segs):
                return outs
    return [unicodedata.normalize("NFKC", s) for s in segs]


def _runs(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Runs of consecutive integers in a sorted array -> (starts, ends exclusive)."""
    brk = np.flatnonzero(np.diff(p) != 1)
    rs = np.concatenate((p[:1], p[brk + 1]))
    re_ = np.concatenate((p[brk] + 1, p[-1:] + 1))
    return rs, re_


def _removal_events(out: _Cleaned, cps: np.ndarray, rm_pos: np.ndarray, tb: _Tables) -> None:
    """Findings for removed invisible characters, and the text hidden in tag characters."""
    n = len(cps)
    kinds = tb.rkind[_tix(cps[rm_pos], tb)]
    present = set(np.unique(kinds).tolist())
    cls_all: np.ndarray | None = None

    def cls_at(pos: np.ndarray) -> np.ndarray:
        nonlocal cls_all
        if cls_all is None:
            cls_all = tb.cls[_tix(cps, tb)]
        ok = (pos >= 0) & (pos < n)
        res = np.zeros(len(pos), dtype=np.uint8)
        res[ok] = cls_all[pos[ok]]
        return res

    def emit(rule: str, rs: np.ndarray, re_: np.ndarray, sev: np.ndarray, label: str) -> None:
        k = min(len(rs), _FINDING_CAP)
        for i in range(k):
            a, b = int(rs[i]), int(re_[i])
            what = f"{label} U+{int(cps[a]):04X}" if b - a == 1 else f"{b - a} {label}s (first U+{int(cps[a]):04X})"
            where = " inside a word" if sev[i] == "medium" and rule == "norm.zero_width" else ""
            out.events.append((rule, str(sev[i]), a, b, f"{what} removed{where}"))
        if len(rs) > k:
            rest = sev[k:]
            top = max(set(rest.tolist()), key=_SEV_RANK.__getitem__)
            out.overflow.append((rule, len(rs) - k, int(rs[k]), int(re_[-1]), top))

    if _K_ZW in present:
        p = rm_pos[kinds == _K_ZW]
        if len(p) and p[0] == 0 and cps[0] == 0xFEFF:
            p = p[1:]  # a leading byte-order mark is not an attack
        if len(p):
            rs, re_ = _runs(p)
            pc, nc = cls_at(rs - 1), cls_at(re_)
            letter = lambda c: (c >= _C_ASCII) & (c <= _C_RTL)  # noqa: E731
            alpha = lambda c: (c >= _C_ASCII) & (c <= _C_GREEKISH)  # noqa: E731
            inside = letter(pc) & letter(nc) & (alpha(pc) | alpha(nc))
            sev = np.where(inside, "medium", "low")
            emit("norm.zero_width", rs, re_, sev, "zero-width character")
    if _K_BIDI in present or _K_BIDI_OVR in present:
        p = rm_pos[(kinds == _K_BIDI) | (kinds == _K_BIDI_OVR)]
        rs, re_ = _runs(p)
        rtl = bool((tb.cls[_tix(cps, tb)] == _C_RTL).any())
        ovr = tb.rkind[_tix(cps[rs], tb)] == _K_BIDI_OVR
        # marks and isolates are normal in Hebrew/Arabic text; overrides never are
        sev = np.where(ovr | (not rtl), "medium", "low")
        emit("norm.bidi_control", rs, re_, sev, "bidi control character")
    if _K_INVIS in present or _K_VS in present:
        p = rm_pos[kinds == _K_INVIS]
        q = rm_pos[kinds == _K_VS]
        if len(q):  # a single variation selector after an emoji is normal; runs are not
            qs, qe = _runs(q)
            keep = (qe - qs) >= 2
            if keep.any():
                long_runs = [np.arange(a, b) for a, b in zip(qs[keep], qe[keep], strict=True)]
                p = np.sort(np.concatenate((p, *long_runs)))
        if len(p):
            rs, re_ = _runs(p)
            emit("norm.invisible", rs, re_, np.full(len(rs), "low", dtype=object), "invisible character")
    if _K_TAG in present:
        p = rm_pos[kinds == _K_TAG]
        rs, re_ = _runs(p)
        # emoji subdivision flags (black flag + tag letters + cancel tag) are legitimate
        prev_ok = np.zeros(len(rs), dtype=bool)
        has_prev = rs > 0
        prev_ok[has_prev] = cps[rs[has_prev] - 1] == 0x1F3F4
        flag = prev_ok & (cps[re_ - 1] == 0xE007F) & ((re_ - rs) >= 3) & ((re_ - rs) <= 8)
        bad = ~flag
        if bad.any():
            high = np.full(int(bad.sum()), "high", dtype=object)
            emit("norm.unicode_tags", rs[bad], re_[bad], high, "Unicode tag character")
            run_id = np.repeat(np.arange(len(rs)), re_ - rs)
            asc = cps[p].astype(np.int64) - 0xE0000
            keep = bad[run_id] & (asc >= 0x20) & (asc < 0x7F)
            q = p[keep]
            if len(q):
                chars = asc[keep]
                rid = run_id[keep]
                ins = np.flatnonzero(np.diff(rid)) + 1
                gap = q[ins - 1] + 1
                chars = np.insert(chars, ins, 0x20)
                starts = np.insert(q, ins, gap)
                ends = np.insert(q + 1, ins, gap)
                hidden = chars.astype(np.uint8).tobytes().decode("ascii")
                out.hidden = (hidden, starts, ends)


def _homoglyphs(
    out: _Cleaned, cc: np.ndarray, cls: np.ndarray, fancy: np.ndarray | None, fcp: np.ndarray, tb: _Tables, omap: Any
) -> None:
    """Fold look-alike letters inside mixed-script words (in place in fcp) and report them.

    Only words that are otherwise Latin get non-Latin look-alikes folded to ASCII, so a
    Russian or Greek sentence stays Russian or Greek in the folded view; ASCII look-alikes
    inside a Cyrillic word are folded to Cyrillic.
    """
    if not len(cls):
        return
    present = np.bincount(cls, minlength=10) > 0
    has_fancy = fancy is not None and bool(fancy.any())
    if not (present[_C_ASCII] and (present[_C_CONF] or present[_C_CYR])):  # nothing to fold
        if not has_fancy:
            return
        if present[_C_CJK]:  # fullwidth "ＰＤＦ" is normal in CJK text; only "ＰDF" would count
            plain = (cls == _C_ASCII) & ~fancy
            if not ((fancy[:-1] & plain[1:]).any() or (plain[:-1] & fancy[1:]).any()):
                return
    isw = cls > 0
    d = np.diff(isw.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    ws = np.flatnonzero(d == 1)
    we = np.flatnonzero(d == -1)
    if not len(ws):
        return
    bits = np.left_shift(np.uint16(1), cls.astype(np.uint16))
    is_ascii = cls == _C_ASCII
    plain = is_ascii if fancy is None else is_ascii & ~fancy
    bits |= np.where(plain, _B_PLAIN, 0).astype(np.uint16)
    if fancy is not None:
        bits |= np.where(fancy, _B_FANCY, 0).astype(np.uint16)
    asc_pos = np.flatnonzero(is_ascii)
    norev = np.zeros(len(cls), dtype=bool)
    norev[asc_pos] = tb.rev[np.minimum(cc[asc_pos], 127)] == 0
    bits |= np.where(norev, _B_NOREV, 0).astype(np.uint16)
    bits[~isw] = 0  # reduceat spans the gap after each word too
    agg = np.bitwise_or.reduceat(bits, ws).astype(np.int64)

    B = lambda c: 1 << c  # noqa: E731
    has_ascii = (agg & B(_C_ASCII)) != 0
    has_latin = (agg & (B(_C_ASCII) | B(_C_LATIN))) != 0
    has_conf = (agg & B(_C_CONF)) != 0
    nonlat = (agg & _NONLATIN_BITS) != 0
    long3 = (we - ws) >= 3  # "αx", "kω", a quoted "ε": math and units, not attacks
    mixed = has_ascii & has_conf & ~nonlat & long3  # "іgnоre": Latin word with Cyrillic/Greek letters
    conf_only = has_conf & ~has_latin & ~nonlat  # "ассеѕѕ": look-alikes only
    latin = has_latin & ~has_conf & ~nonlat
    cyr_rev = (
        has_ascii
        & long3
        & ((agg & B(_C_CYR)) != 0)
        & ((agg & (B(_C_GREEKISH) | B(_C_OTHER) | B(_C_CJK) | B(_C_RTL) | _B_NOREV)) == 0)
    )
    # look-alike-only words count as attacks only between Latin words
    wtype = np.where(latin | mixed, 1, np.where(nonlat, 2, np.where(conf_only, 3, 0)))
    nw = len(ws)
    ar = np.arange(nw)
    left = np.maximum.accumulate(np.where(wtype != 3, ar, -1))
    right = np.minimum.accumulate(np.where(wtype != 3, ar, nw)[::-1])[::-1]
    lt = np.where(left >= 0, wtype[np.maximum(left, 0)], 0)
    rt = np.where(right < nw, wtype[np.minimum(right, nw - 1)], 0)
    conf_fold = conf_only & ((lt == 1) | (rt == 1)) & (lt != 2) & (rt != 2)
    fold_words = mixed | conf_fold

    marker = np.zeros(len(cls), dtype=np.int64)
    marker[ws] = 1
    wid = np.cumsum(marker) - 1
    if fold_words.any():
        sel = np.flatnonzero(isw & (cls == _C_CONF) & fold_words[np.maximum(wid, 0)])
        fcp[sel] = _lookup(tb.conf_keys, tb.conf_vals, cc[sel])
    if cyr_rev.any():
        sel = np.flatnonzero(is_ascii & cyr_rev[np.maximum(wid, 0)])
        fcp[sel] = tb.rev[np.minimum(cc[sel], 127)]

    report = mixed | (conf_fold & long3) | cyr_rev
    if has_fancy:
        fw = ((agg & _B_FANCY) != 0) & long3  # a lone "Ⓒ" or "ℹ" is a symbol, not a word
        fmixed = fw & (((agg & _B_PLAIN) != 0) | has_conf)
        report |= fmixed if present[_C_CJK] else fw  # whole-word fullwidth is normal in CJK text
    idx = np.flatnonzero(report)
    if not len(idx):
        return
    k = min(len(idx), _FINDING_CAP)
    for i in idx[:k].tolist():
        a, b = omap.span(int(ws[i]), int(we[i]))
        if cyr_rev[i]:
            expl = "Latin look-alike letters inside a Cyrillic word"
        elif (agg[i] & _B_FANCY) and not has_conf[i]:
            expl = "word written with fullwidth/stylised Latin letters"
        else:
            expl = "mixed-script word: Latin letters with Cyrillic/Greek look-alikes"
        out.events.append(("norm.homoglyph", "medium", a, b, expl))
    if len(idx) > k:
        a, _ = omap.span(int(ws[idx[k]]), int(we[idx[k]]))
        _, b = omap.span(int(ws[idx[-1]]), int(we[idx[-1]]))
        out.overflow.append(("norm.homoglyph", len(idx) - k, a, b, "medium"))


# --------------------------------------------------------------------------------------
# Derived views
# --------------------------------------------------------------------------------------


class _Ctx:
    """Per-call state: budgets, views and findings collected so far."""

    __slots__ = ("attempts", "max_chars", "max_depth", "max_views", "orig", "sink", "truncated", "used", "views")

    def __init__(self, orig: str, max_depth: int, max_chars: int, max_segments: int) -> None:
        self.orig = orig
        self.max_depth = max(0, int(max_depth))
        self.max_chars = max(0, int(max_chars))
        self.max_views = max(1, int(max_segments))
        self.used = 0
        self.attempts = 0
        self.views: list[View] = []
        self.sink = _Sink()
        self.truncated = False

    def remaining(self) -> int:
        return self.max_chars - self.used

    def room(self) -> bool:
        """Can another derived view be added? Sets truncated if not."""
        if len(self.views) >= self.max_views or self.used >= self.max_chars:
            self.truncated = True
            return False
        return True

    def add(self, view: View) -> None:
        self.views.append(view)
        self.used += len(view.clean)


def _emit_events(ctx: _Ctx, cl: _Cleaned, blob: tuple[int, int] | None, where: str) -> None:
    """Report a cleaned text's events; for decoded payloads they point at the blob."""
    sink = ctx.sink
    for rule, sev, a, b, expl in cl.events:
        if blob is not None:
            a, b = blob
            expl = f"{expl} (inside decoded {where})"
        sink.add(rule, sev, a, b, expl)
    for rule, cnt, a, b, sev in cl.overflow:
        if blob is not None:
            a, b = blob
        sink.overflow(rule, cnt, a, b, sev)


def _hidden_view(ctx: _Ctx, cl: _Cleaned, parent_depth: int, blob: tuple[int, int] | None) -> None:
    """Turn text smuggled in Unicode tag characters into a "tags" view."""
    if cl.hidden is None:
        return
    if parent_depth >= ctx.max_depth:
        ctx.truncated = True
        return
    if not ctx.room():
        return
    text, starts, ends = cl.hidden
    rem = ctx.remaining()
    if len(text) > rem:
        ctx.truncated = True
        text, starts, ends = text[:rem], starts[:rem], ends[:rem]
    hc = _clean(text)
    if blob is not None:
        m: Any = _ConstMap(blob[0], blob[1], len(ctx.orig))
    else:
        m = _ArrMap(starts, ends, len(ctx.orig), int(ends[-1]) if len(ends) else 0)
    v = View("tags", hc.clean, hc.folded, parent_depth + 1, m)
    ctx.add(v)
    _derive(ctx, v)


def _derive(ctx: _Ctx, v: View) -> None:
    """Produce the derived views of one view (matching aids first, then decodings)."""
    if v.kind not in ("leet", "spaced"):
        u = _U8(v.folded)
        if _RE_AIDS_PREFILTER.search(u.b):
            _leet(ctx, v, u)
            _spaced(ctx, v, u)
    if v.depth < ctx.max_depth:
        _decode_all(ctx, v)
    elif _would_decode(ctx, v):
        ctx.truncated = True


def _decode_all(ctx: _Ctx, v: View) -> None:
    uc = _U8(v.clean)
    if _RE_PREFILTER.search(uc.b):
        taken: list[tuple[int, int]] = []
        for kind, regex, fn in _DECODERS:
            for m in regex.finditer(uc.b):
                if ctx.attempts >= _MAX_DECODE_ATTEMPTS:
                    ctx.truncated = True
                    break
                bs, be = m.span()
                if any(bs < e and s < be for s, e in taken):
                    continue
                ctx.attempts += 1
                if not ctx.room():
                    return
                rem = ctx.remaining()
                res = fn(m.group().decode("utf-8", "replace"), rem)
                if res is None:
                    continue
                text, cut = res
                if cut:
                    ctx.truncated = True
                taken.append((bs, be))
                cs, ce = uc.char(bs), uc.char(be)
                _add_decoded(ctx, v, kind, text, v.to_original(cs, ce))
            else:
                continue
            break
    if v.kind != "rot13":
        _rot13(ctx, v)


def _would_decode(ctx: _Ctx, v: View) -> bool:
    """At max depth: is there still an encoded payload we are not decoding?"""
    uc = _U8(v.clean)
    if not _RE_PREFILTER.search(uc.b):
        return False
    for _kind, regex, fn in _DECODERS:
        for m in regex.finditer(uc.b):
            if ctx.attempts >= _MAX_DECODE_ATTEMPTS:
                return True
            ctx.attempts += 1
            if fn(m.group().decode("utf-8", "replace"), 4096) is not None:
                return True
    return False


def _add_decoded(ctx: _Ctx, parent: View, kind: str, text: str, blob: tuple[int, int]) -> None:
    cl = _clean(text)
    v = View(kind, cl.clean, cl.folded, parent.depth + 1, _ConstMap(blob[0], blob[1], len(ctx.orig)))
    ctx.add(v)
    ctx.sink.add(
        f"norm.decoded_{kind}",
        "low",
        blob[0],
        blob[1],
        f"{_RULE_TEXT[f'norm.decoded_{kind}'][:-1]} decoded ({len(cl.clean)} chars, depth {v.depth})",
    )
    _emit_events(ctx, cl, blob, kind)
    _hidden_view(ctx, cl, v.depth, blob)
    _derive(ctx, v)


# ---- decoders: (candidate text, char budget) -> (decoded text, was_cut) or None ----


def _text_ok(s: str) -> bool:
    """Is decoded content readable text (or another encoding layer), not binary noise?"""
    n = len(s)
    if n < 4:
        return False
    sample = s[:4096]
    m = len(sample)
    if sample.isascii():
        b = sample.encode("ascii")
        nonprint = len(b.translate(None, _PRINTABLE_ASCII))
        letters = m - len(b.translate(None, _ASCII_LETTERS))
        spaces = b.count(b" ") + b.count(b"\n") + b.count(b"\t")
    else:
        nonprint = sum(1 for ch in sample if not (ch.isprintable() or ch in "\n\t\r"))
        letters = sum(1 for ch in sample if ch.isalpha())
        spaces = sum(1 for ch in sample if ch in " \n\t\u3000")
    if nonprint > (0.15 * m if m >= 64 else 0) or letters == 0:
        return False
    if len(set(sample)) < min(8, max(3, m // 4)):
        return False  # "UUUU...", "UuWUuW...": low-entropy runs that happen to decode
    if spaces and letters >= 2:
        return True
    b = sample.encode("utf-8")
    for regex in (_RE_B64, _RE_HEX, _RE_URL):  # another encoding layer (base64 of base64)
        hit = regex.search(b)
        if hit and (hit.end() - hit.start()) >= 0.8 * len(b):
            return True
    if "://" in sample or ('{"' in sample and '":' in sample):
        return True
    if not sample.isascii():  # e.g. Chinese without spaces: letters, mostly non-ASCII
        return letters >= 0.8 * m and sum(1 for ch in sample if ch.isalpha() and ord(ch) > 0x2FF) >= 0.5 * letters
    # no whitespace: accept words ("username:password"), JSON or URLs, not random letters
    return not _words().common3.isdisjoint(b.lower().translate(_ALPHA_ONLY).split())


def _utf8_text(raw: bytes, cut: bool) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        if cut and e.start >= len(raw) - 3:
            return raw[: e.start].decode("utf-8", "ignore")
        return None


def _finish(text: str | None, budget: int, cut: bool) -> tuple[str, bool] | None:
    if text is None or not _text_ok(text):
        return None
    if len(text) > budget:
        return text[:budget], True
    return text, cut


def _dec_base64(s: str, budget: int) -> tuple[str, bool] | None:
    core = s.rstrip("=")
    if "-" in core or "_" in core:
        if "+" in core or "/" in core:
            return None
        core = core.replace("-", "+").replace("_", "/")
    if len(set(core[:256])) < 10 or core.islower():
        return None  # "VVVV...", uuids, snake_case: base64 of text has many symbols, some uppercase
    limit = (budget // 3 + 2) * 4
    # a few junk chars glued in front ("x" + blob) misalign the quads: try each alignment
    for shift in range(min(4, len(core) - 15)):
        part = core[shift : shift + limit]
        cut = len(core) - shift > limit
        if len(part) % 4 == 1:
            part = part[:-1]
        part += "=" * (-len(part) % 4)
        try:
            raw = binascii.a2b_base64(part.encode("ascii"), strict_mode=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            continue
        res = _finish(_utf8_text(raw, cut), budget, cut)
        if res is not None:
            return res
    return None


def _dec_hex(s: str, budget: int) -> tuple[str, bool] | None:
    if s.isdigit():
        return None  # a long decimal number, not hex
    h = s.replace("\\x", "").replace("0x", "").replace("0X", "")
    h = h.translate({32: None, 44: None, 58: None})
    limit = 2 * budget + 8
    cut = len(h) > limit
    if cut:
        h = h[:limit]
    if len(h) % 2:
        h = h[:-1]
    try:
        raw = bytes.fromhex(h)
    except ValueError:
        return None
    return _finish(_utf8_text(raw, cut), budget, cut)


def _dec_url(s: str, budget: int) -> tuple[str, bool] | None:
    limit = 3 * budget + 8
    cut = len(s) > limit
    if cut:
        s = s[:limit]
        pct = s.rfind("%", len(s) - 2)
        if pct >= 0:
            s = s[:pct]
    if "+" in s and "%20" not in s:
        s = s.replace("+", " ")
    raw = urllib.parse.unquote_to_bytes(s)
    text = _utf8_text(raw, cut)
    if text is None or text == s:
        return None
    return _finish(text, budget, cut)


_DECODERS = (
    ("hex", _RE_HEX, _dec_hex),
    ("base64", _RE_B64, _dec_base64),
    ("url", _RE_URL, _dec_url),
)


# ---- rot13 ----


def _rot_ok(words: list[bytes], wd: _Words) -> bool:
    words = [w for w in words if len(w) >= 3]
    n = len(words)
    if n < 2:
        return False
    rot = sum(map(wd.rot.__contains__, words))
    if rot < 0.25 * n or len(wd.rot.intersection(words)) < 3:  # distinct: "bar, bar, bar" is not rot13
        return False
    return rot > 2 * sum(map(wd.common.__contains__, words))


def _rot13(ctx: _Ctx, v: View) -> None:
    """rot13 has no marker: decide by common-word hits, or by an explicit "rot13" mention."""
    u = _U8(v.folded)
    fb = u.b
    wd = _words()
    regions: list[tuple[int, int]] = []
    if b"rot" in fb:
        m = _RE_ROT_MENTION.search(fb)
        if m and len(wd.rot_only.intersection(fb[m.end() :].translate(_ALPHA_ONLY).split())) >= 2:
            regions.append((u.char(m.end()), len(v.folded)))
    if not regions:
        words = fb.translate(_ALPHA_ONLY).split()
        # isdisjoint first: one C loop that most texts (no rot13-only word at all) end with
        if len(words) < 2 or wd.rot_only.isdisjoint(words) or sum(map(wd.rot_only.__contains__, words)) < 2:
            return
        if _rot_ok(words, wd):
            regions.append((0, len(v.folded)))
        else:  # maybe only some lines are rot13 (folded has no newlines: use clean, same length)
            pos = 0
            run: tuple[int, int] | None = None
            for line in v.clean.split("\n", _ROT13_MAX_LINES)[:_ROT13_MAX_LINES]:
                end = pos + len(line)
                if _rot_ok(v.folded[pos:end].encode("utf-8").translate(_ALPHA_ONLY).split(), wd):
                    run = (run[0], end) if run else (pos, end)
                elif run:
                    regions.append(run)
                    run = None
                pos = end + 1
            if run:
                regions.append(run)
    for a, b in regions:
        if not ctx.room():
            return
        rem = ctx.remaining()
        if b - a > rem:
            b = a + rem
            ctx.truncated = True
        clean = _ascii_translate(v.clean[a:b], _ROT13_BYTES)
        folded = _ascii_translate(v.folded[a:b], _ROT13_BYTES)
        m = v._map if v._map is not None else _IdMap(len(v.clean))
        nv = View("rot13", clean, folded, v.depth + 1, _SubMap(m, a))
        ctx.add(nv)
        oa, ob = v.to_original(a, b)
        ctx.sink.add("norm.decoded_rot13", "low", oa, ob, f"rot13 text decoded ({b - a} chars, depth {nv.depth})")
        _derive(ctx, nv)


def _ascii_translate(s: str, table: bytes) -> str:
    """Apply a 256-byte table to the ASCII chars of s (length-preserving)."""
    if s.isascii():
        return s.encode("ascii").translate(table).decode("ascii")
    cps = np.frombuffer(s.encode("utf-32-le"), dtype="<u4").copy()
    pos = np.flatnonzero(cps < 128)
    cps[pos] = np.frombuffer(table, dtype=np.uint8)[cps[pos]]
    return _to_str(cps)


# ---- leetspeak and spaced letters (matching aids, same depth as their source) ----


def _window(ctx: _Ctx, first: int, last: int, n: int) -> tuple[int, int] | None:
    if not ctx.room():
        return None
    a = max(0, first - _AID_CONTEXT)
    b = min(n, last + _AID_CONTEXT)
    rem = ctx.remaining()
    if b - a > rem:
        b = a + rem
        ctx.truncated = True
    return (a, b) if b > a else None


def _leet_word(tok: bytes, dec: bytes) -> bool:
    """Does a letter+digit token read as a leetspeak word ("tr4n5l473", "pwn3d", "d1spl4y")?

    Code identifiers mostly carry digits that rarely stand for letters (2, 6, 8, 9: "sha256",
    "b32tab2", "x86", "i18n"), only a digit suffix/prefix ("utf8", "arm64", "3rd"), one digit
    joining two words ("python3lexer", "iso3country"), a dimension suffix ("chebval3d",
    "union1d") or camelCase ("IPv4Address"). A word needs 4+ letters with a vowel once decoded,
    only the usual substitutes (0 1 3 4 5 7 @ $ !) and a digit between letters; the caller checks
    the case. ("pwn3d" alone does not count, but is translated in a run that other words show to
    be leetspeak.)
    """
    if len(dec) < 4 or not dec.isalpha() or dec.translate(None, b"aeiou") == dec:
        return False
    if tok.translate(None, _LEET_STRONG):
        return False
    inner = tok.strip(_LEET_SUBS)
    if not inner.translate(None, _LEET_NOT_DIGIT):
        return False
    parts = [p for p in inner.translate(_LETTERS_TO_NUL).split(b"\x00") if p]
    if len(parts) == 1:  # one substitution: not "python3lexer", nor an "nd" suffix ("plot3d", "union1d")
        i = inner.index(parts[0])
        after = len(inner) - i - len(parts[0])
        if after <= 1 or (i >= 3 and after >= 3):
            return False
    return True


def _one_case(s: str) -> bool:
    """One case or a capital first letter ("PWN3D", "pwn3d", "Pwn3d"), not camelCase ("IPv4Address")."""
    return s.isupper() or s.islower() or s[1:].islower()


def _leet_text_like(fb: bytes, a: int, b: int) -> bool:
    """Is fb[a:b] a word of prose, not part of code ("hashlib.sha256(", "x = b32tab2[i]")?"""
    if a > 0 and fb[a - 1] not in _LEET_BEFORE:
        return False
    j = b
    while j < len(fb) and j - b < 3 and fb[j] in _LEET_PUNCT:
        j += 1
    return j >= len(fb) or fb[j] in _LEET_AFTER


def _leet(ctx: _Ctx, v: View, u: _U8) -> None:
    wd = _words()
    fb = u.b
    tokens: list[tuple[int, int]] = []
    hits: set[bytes] = set()
    long_hit = False
    seen = 0
    # Text-like runs: prose words separated only by words, numbers and punctuation.
    # Each run is [first, last, letter+digit tokens, stems of those that read as words, items];
    # a stem (decoded up to the first substitution after a letter) counts once: "mp3in mp3out".
    runs: list[list[Any]] = []
    prev_end = -1  # end of the open run's last item (-1: none open)
    for m in _RE_LEET_TOKEN.finditer(fb):
        seen += 1
        if seen > _MAX_AID_TOKENS:
            ctx.truncated = True
            break
        a, b = m.span()
        tok = fb[a:b]
        stripped = tok.lstrip(b"@$!")
        a += len(tok) - len(stripped)
        tok = stripped.rstrip(b"@$!")
        b = a + len(tok)
        if len(tok) > 24 or len(tok) < 2 or tok.startswith(b"0x"):
            continue
        letters = len(tok) - len(tok.translate(None, _LOWER))
        if letters == len(tok):
            continue
        text_like = _leet_text_like(fb, a, b)
        word = b""
        if letters >= 2:
            if not tok.translate(None, b"0123456789abcdef"):
                continue  # hex ids, hashes
            tokens.append((a, b))
            dec = tok.translate(wd.leet)
            if dec in wd.common3:
                word = dec
                hits.add(dec)
                # several separate substitutions in one long word: "1gn0r3", "pr3v10u5"
                if len(dec) >= 5 and len([r for r in tok.translate(_LETTERS_TO_NUL).split(b"\x00") if r]) >= 2:
                    long_hit = True
            elif text_like and _leet_word(tok, dec) and _one_case(v.clean[u.char(a) : u.char(b)]):
                rest = tok.lstrip(_LEET_SUBS)
                k = len(tok) - len(rest.lstrip(_LOWER))
                word = dec[: k + 1]
        if not text_like:
            prev_end = -1  # code-like context ends the run
            continue
        if letters < 2 and (len(tok) > 3 or tok.translate(None, _LEET_STRONG)):
            continue  # "x86", "h2": not leetspeak, but no reason to end the run either
        if prev_end < 0 or fb[prev_end:a].translate(None, _LEET_GAP):
            runs.append([a, b, 0, set(), []])
        run = runs[-1]
        run[1] = b
        run[2] += letters >= 2  # "n0", "m3", "1t" are translated in a run but not counted
        if word:
            run[3].add(word)
        run[4].append((a, b))
        prev_end = b
    # Identifiers like "b32tab2", "u03b9", "us3" must not trigger: ask for real words, or for
    # a run of prose where most letter+digit tokens read as leetspeak words.
    spans: set[tuple[int, int]] = set(tokens) if tokens and (len(hits) >= 2 or long_hit) else set()
    for ra, rb, n, stems, items in runs:
        if len(stems) >= 2 and 2 * len(stems) >= n:
            spans.update(items)
            for d in _RE_LONE_14.finditer(fb[ra:rb]):  # "1 have been pwned": lone 1 -> i, 4 -> a
                seen += 1
                if seen > _MAX_AID_TOKENS:
                    ctx.truncated = True
                    break
                a = ra + d.start()
                if d.end() - d.start() == 1 and _leet_text_like(fb, a, a + 1):
                    spans.add((a, a + 1))
    if not spans:
        return
    ordered = sorted(spans)
    cs = [u.char(a) for a, _ in ordered]
    ce = [u.char(b) for _, b in ordered]
    win = _window(ctx, cs[0], ce[-1], len(v.folded))
    if win is None:
        return
    wa, wb = win
    clean_parts, fold_parts = [], []
    prev = wa
    for a, b in zip(cs, ce, strict=True):
        if a < prev or b > wb:
            continue
        clean_parts += [v.clean[prev:a], _ascii_translate(v.clean[a:b], wd.leet)]
        fold_parts += [v.folded[prev:a], _ascii_translate(v.folded[a:b], wd.leet)]
        prev = b
    clean_parts.append(v.clean[prev:wb])
    fold_parts.append(v.folded[prev:wb])
    m = v._map if v._map is not None else _IdMap(len(v.clean))
    ctx.add(View("leet", "".join(clean_parts), "".join(fold_parts), v.depth, _SubMap(m, wa)))


def _word_like(w: bytes) -> bool:
    """A spaced-out word worth joining: 4+ letters, a vowel, not "a b c d" / "x y z w"."""
    if len(w) < 4 or w.translate(None, b"aeiouy") == w:
        return False
    return any(w[i + 1] - w[i] != 1 for i in range(len(w) - 1))


def _spaced(ctx: _Ctx, v: View, u: _U8) -> None:
    fb = u.b
    runs: list[tuple[int, int, list[int], list[int]]] = []  # char start, end, letter offsets, word-gap letters
    seen = 0
    for m in _RE_SPACED.finditer(fb):
        seen += 1
        if seen > _MAX_AID_TOKENS:
            ctx.truncated = True
            break
        a, b = m.span(1)
        if b - a > 2 * ctx.remaining() + 8:  # the view could not hold more anyway
            b = a + 2 * ctx.remaining() + 8
            while b > a and not (97 <= fb[b - 1] <= 122):
                b -= 1
            ctx.truncated = True
        r = fb[a:b]
        if b < len(fb) and (97 <= fb[b] <= 122 or 48 <= fb[b] <= 57):
            # the last letter starts a normal word: drop it and the gap before it
            k = len(r) - 2
            while k > 0 and not (97 <= r[k] <= 122):
                k -= 1
            r = r[: k + 1]
            b = a + len(r)
        letters = r.translate(None, _NOT_LOWER)
        if len(letters) < 4:
            continue
        gaps = r.translate(_LETTERS_TO_NUL).split(b"\x00")[1:-1]
        dominant = Counter(gaps).most_common(1)[0][0]
        offs = [0]
        breaks = []
        for i, g in enumerate(gaps):
            offs.append(offs[-1] + 1 + len(g))
            if g != dominant:
                breaks.append(i + 1)
        cuts = [0, *breaks, len(letters)]
        if not any(_word_like(letters[x:y]) for x, y in itertools.pairwise(cuts)):
            continue
        runs.append((a, b, offs, breaks))
    if not runs:
        return
    ca = [u.char(a) for a, *_ in runs]
    cb = [u.char(b) for _, b, *_ in runs]
    win = _window(ctx, ca[0], cb[-1], len(v.folded))
    if win is None:
        return
    wa, wb = win
    rem = ctx.remaining()
    idx_parts: list[np.ndarray] = []
    clean_parts: list[str] = []
    fold_parts: list[str] = []
    prev = wa
    for (_, _, offs, breaks), a, b in zip(runs, ca, cb, strict=True):
        if a < prev or b > wb:
            continue
        idx_parts.append(np.arange(prev, a, dtype=np.int64))
        clean_parts.append(v.clean[prev:a])
        fold_parts.append(v.folded[prev:a])
        # letters are single ASCII chars, so char offsets inside the run equal byte offsets
        pos = [a + o for o in offs]
        bset = set(breaks)
        idx: list[int] = []
        cl: list[str] = []
        fl: list[str] = []
        for i, p in enumerate(pos):
            if i in bset:
                idx.append(pos[i - 1] + 1)
                cl.append(" ")
                fl.append(" ")
            idx.append(p)
            cl.append(v.clean[p])
            fl.append(v.folded[p])
        idx_parts.append(np.array(idx, dtype=np.int64))
        clean_parts.append("".join(cl))
        fold_parts.append("".join(fl))
        prev = b
    idx_parts.append(np.arange(prev, wb, dtype=np.int64))
    clean_parts.append(v.clean[prev:wb])
    fold_parts.append(v.folded[prev:wb])
    clean = "".join(clean_parts)[:rem]
    folded = "".join(fold_parts)[:rem]
    idx_all = np.concatenate(idx_parts)[: len(clean)]
    m = v._map if v._map is not None else _IdMap(len(v.clean))
    ctx.add(View("spaced", clean, folded, v.depth, _IdxMap(m, idx_all, wb)))


# --------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------


def normalize(text: str, *, max_depth: int = 2, max_decoded_chars: int = 65536, max_segments: int = 64) -> Normalized:
    """Build the main view and bounded derived views of ``text`` (see module docstring).

    ``max_segments`` bounds the number of views (the main view included); ``max_depth``
    bounds nested decoding; ``max_decoded_chars`` bounds the total size of derived views.
    """
    if not isinstance(text, str):
        text = text.decode("utf-8", "replace") if isinstance(text, (bytes, bytearray)) else str(text)
    try:
        return _normalize(text, max_depth, max_decoded_chars, max_segments)
    except Exception as exc:  # last resort: a scanner that crashes lets everything through
        return _fallback(text, exc)


def _normalize(text: str, max_depth: int, max_decoded_chars: int, max_segments: int) -> Normalized:
    ctx = _Ctx(text, max_depth, max_decoded_chars, max_segments)
    cl = _clean(text)
    main = View("text", cl.clean, cl.folded, 0, cl.map)
    ctx.views.append(main)
    _emit_events(ctx, cl, None, "")
    _hidden_view(ctx, cl, 0, None)
    _derive(ctx, main)
    return Normalized(text, tuple(ctx.views), ctx.sink.findings(), ctx.truncated)


def _fallback(text: str, exc: BaseException) -> Normalized:
    clean = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates -> "?", 1:1
    folded = clean
    low = clean.lower()
    if len(low) == len(clean):
        folded = low
    view = View("text", clean, folded, 0, None)
    finding = Finding(
        "norm.error", "input", "low", 0, len(text), f"normalisation failed ({type(exc).__name__}); raw text used"
    )
    return Normalized(text, (view,), (finding,), True)
