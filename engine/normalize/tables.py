"""The Unicode tables normalisation looks code points up in, built once from assets/normalize."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

import numpy as np
import re2

from engine.assets import assets_dir
from engine.normalize.ascii import _ROT13_BYTES
from engine.procmem import release_freed_memory


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
        folded: np.ndarray = tb.fold[cps]
        return folded
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


def _lookup(keys: np.ndarray, vals: np.ndarray, cps: np.ndarray) -> np.ndarray:
    """vals[i] where keys[i] == cp (keys sorted), else 0: one lookup per code point, vectorised."""
    pos = np.minimum(np.searchsorted(keys, cps), len(keys) - 1)
    return np.where(keys[pos] == cps, vals[pos], 0)


def _to_str(cps: np.ndarray) -> str:
    """A str of code points."""
    return cps.astype("<u4", copy=False).tobytes().decode("utf-32-le")
