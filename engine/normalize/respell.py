"""Respelled words: leetspeak and spaced-out letters, read back as the words they stand for."""

from __future__ import annotations

import itertools
from collections import Counter
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.normalize.ascii import (
    _LEET_AFTER,
    _LEET_BEFORE,
    _LEET_GAP,
    _LEET_NOT_DIGIT,
    _LEET_PUNCT,
    _LEET_STRONG,
    _LEET_SUBS,
    _LETTERS_TO_NUL,
    _LOWER,
    _NOT_LOWER,
    _RE_LEET_TOKEN,
    _RE_LONE_14,
    _RE_SPACED,
)
from engine.normalize.tables import _to_str, _words
from engine.normalize.views import View, _IdMap, _IdxMap, _SubMap

if TYPE_CHECKING:
    from engine.normalize.ascii import _U8
    from engine.normalize.expand import _Ctx

_AID_CONTEXT = 64  # chars of context kept around leet/spaced regions in their views


_MAX_AID_TOKENS = 8192  # leet tokens / spaced runs examined per normalize()


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
