"""Look-alike letters from other scripts inside words of one script: folded, and reported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from engine.normalize.findings import _FINDING_CAP, text_of
from engine.normalize.tables import (
    _B_FANCY,
    _B_NOREV,
    _B_PLAIN,
    _C_ASCII,
    _C_CJK,
    _C_CONF,
    _C_CYR,
    _C_GREEKISH,
    _C_LATIN,
    _C_OTHER,
    _C_RTL,
    _NONLATIN_BITS,
    _lookup,
)

if TYPE_CHECKING:
    from engine.normalize.tables import _Tables
    from engine.normalize.unicode_clean import _Cleaned


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
        if fancy is None or not has_fancy:
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

    has_ascii = (agg & _bit(_C_ASCII)) != 0
    has_latin = (agg & (_bit(_C_ASCII) | _bit(_C_LATIN))) != 0
    has_conf = (agg & _bit(_C_CONF)) != 0
    nonlat = (agg & _NONLATIN_BITS) != 0
    long3 = (we - ws) >= 3  # "αx", "kω", a quoted "ε": math and units, not attacks
    mixed = has_ascii & has_conf & ~nonlat & long3  # "іgnоre": Latin word with Cyrillic/Greek letters
    conf_only = has_conf & ~has_latin & ~nonlat  # "ассеѕѕ": look-alikes only
    latin = has_latin & ~has_conf & ~nonlat
    cyr_rev = (
        has_ascii
        & long3
        & ((agg & _bit(_C_CYR)) != 0)
        & ((agg & (_bit(_C_GREEKISH) | _bit(_C_OTHER) | _bit(_C_CJK) | _bit(_C_RTL) | _B_NOREV)) == 0)
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
    severity = text_of("norm.homoglyph").severity
    for i in idx[:k].tolist():
        a, b = omap.span(int(ws[i]), int(we[i]))
        if cyr_rev[i]:
            expl = "Latin look-alike letters inside a Cyrillic word"
        elif (agg[i] & _B_FANCY) and not has_conf[i]:
            expl = "word written with fullwidth/stylised Latin letters"
        else:
            expl = "mixed-script word: Latin letters with Cyrillic/Greek look-alikes"
        out.events.append(("norm.homoglyph", severity, a, b, expl))
    if len(idx) > k:
        a, _ = omap.span(int(ws[idx[k]]), int(we[idx[k]]))
        _, b = omap.span(int(ws[idx[-1]]), int(we[idx[-1]]))
        out.overflow.append(("norm.homoglyph", len(idx) - k, a, b, severity))


def _bit(char_class: int) -> int:
    """The bit a character class sets in a word's class mask."""
    return 1 << char_class
