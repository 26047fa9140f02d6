"""Cleaning one text: invisible characters removed, NFKC, confusables folded, with the map and the findings."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from engine.normalize.ascii import _ASCII_WS_TO_SPACE
from engine.normalize.findings import _FINDING_CAP, _SEV_RANK, text_of
from engine.normalize.homoglyphs import _homoglyphs
from engine.normalize.tables import (
    _C_ASCII,
    _C_GREEKISH,
    _C_RTL,
    _F_CHANGE,
    _F_EXPAND,
    _F_FANCY,
    _F_REMOVE,
    _F_UNSAFE,
    _F_WS,
    _F_WSCHG,
    _K_BIDI,
    _K_BIDI_OVR,
    _K_INVIS,
    _K_TAG,
    _K_VS,
    _K_ZW,
    _fold_of,
    _lookup,
    _tables,
    _tix,
    _to_str,
)
from engine.normalize.views import _ArrMap, _IdMap

if TYPE_CHECKING:
    from engine.normalize.tables import _Tables


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
        idx2 = np.flatnonzero(~rm).astype(np.int32)  # offsets as int32 throughout: half the memory
        cps2 = cps[idx2]
        f2 = f[idx2]
        t2 = _to_str(cps2)
        _removal_events(out, cps, rm_pos, tb)
        allf2 = int(np.bitwise_or.reduce(f2)) if len(f2) else 0
    else:
        cps2, f2, t2, allf2 = cps, f, text, allf
    del cps, f, surrogate  # on a 1 MB text every full-length array counts: each goes once it is used

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
        assert send is not None  # _nfkc gives both maps
        last = send[src] - 1  # t2 index of the last char of each clean char's block
        base = np.arange(len(cps2), dtype=np.int32) if idx2 is None else idx2
        omap = _ArrMap(base[src], base[last] + 1, olen, olen)
        del base, last, send

    # 4. fold + homoglyph analysis
    cls = tb.cls[_tix(cc, tb)]
    fcp = _fold_of(cc, tb)
    fancy = None
    if allf2 & _F_FANCY:
        fancy = (f2 & _F_FANCY) != 0
        if src is not None:
            fancy = fancy[src]
    _homoglyphs(out, cc, cls, fancy, fcp, tb, omap)
    del cls, fancy, cc, src
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
    cs, ce = _multi_segments(f2)

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
        del segs, outs

    chg = (f2 & _F_CHANGE) != 0
    c3 = cps2.copy()
    exp = (f2 & _F_EXPAND) != 0 if allf2 & _F_EXPAND else None
    one = chg if exp is None else chg & ~exp
    pos = np.flatnonzero(one)
    c3[pos] = _lookup(tb.nfkc_keys, tb.nfkc_vals, cps2[pos])
    if not ch_s and exp is None:
        return _to_str(c3), None, None  # only 1:1 replacements: identity offsets

    out_len = np.ones(n2, dtype=np.int32)  # int32 offsets: a 1 MB text's maps take half the memory
    simple = _to_str(c3)
    del c3, chg, one, pos
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
        csum = np.concatenate((np.zeros(1, np.int32), np.cumsum(out_len, dtype=np.int32)))
    else:
        csum = None
    send = np.arange(1, n2 + 1, dtype=np.int32)
    if ch_s:
        a_arr = np.array(ch_s, dtype=np.int32)
        b_arr = np.array(ch_e, dtype=np.int32)
        pa, pb = (a_arr, b_arr) if csum is None else (csum[a_arr], csum[b_arr])
        pieces = []
        prev = 0
        for a, b, o in zip(pa.tolist(), pb.tolist(), ch_out, strict=True):
            pieces.append(simple[prev:a])
            pieces.append(o)
            prev = b
        pieces.append(simple[prev:])
        clean = "".join(pieces)
        inside = np.zeros(n2 + 1, dtype=np.int32)
        inside[a_arr + 1] += 1  # segments are disjoint and >= 2 long: indices are unique
        inside[b_arr] -= 1
        out_len[np.cumsum(inside, dtype=np.int32)[:n2] > 0] = 0
        out_len[a_arr] = [len(o) for o in ch_out]
        send[a_arr] = b_arr
    else:
        clean = simple
    src = np.repeat(np.arange(n2, dtype=np.int32), out_len)
    if len(src) != len(clean):  # should not happen; fall back to one coarse block
        src = np.zeros(len(clean), dtype=np.int32)
        send = np.full(max(n2, 1), max(n2, 1), dtype=np.int32)
    return clean, src, send


def _multi_segments(f2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of the segments NFKC must see whole: two or more characters from one "safe" character
    (or one after whitespace) to the next. Its own function, so that its full-length temporaries are gone
    before _nfkc builds its maps."""
    seg_start = (f2 & _F_UNSAFE) == 0
    seg_start[0] = True
    seg_start[1:] |= (f2[:-1] & _F_WS) != 0
    starts = np.flatnonzero(seg_start)
    del seg_start
    ends = np.append(starts[1:], len(f2))
    multi = (ends - starts) >= 2
    return starts[multi], ends[multi]


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

    def emit(rule: str, rs: np.ndarray, re_: np.ndarray, suspicious: np.ndarray | bool = False) -> None:
        t = text_of(rule)
        flagged = np.broadcast_to(np.asarray(suspicious, dtype=bool), (len(rs),))  # one flag a run, no copy

        def severity(flag: bool) -> str:
            return t.severity_suspicious if flag else t.severity

        k = min(len(rs), _FINDING_CAP)
        for i in range(k):
            a, b = int(rs[i]), int(re_[i])
            what = f"{t.label} U+{int(cps[a]):04X}" if b - a == 1 else f"{b - a} {t.label}s (first U+{int(cps[a]):04X})"
            flag = bool(flagged[i])
            inside = rule == "norm.zero_width" and flag
            out.events.append((rule, severity(flag), a, b, f"{what} removed{' inside a word' if inside else ''}"))
        if len(rs) > k:  # the rest in one overflow finding, at the highest severity among them
            top = max((severity(f) for f in np.unique(flagged[k:]).tolist()), key=_SEV_RANK.__getitem__)
            out.overflow.append((rule, len(rs) - k, int(rs[k]), int(re_[-1]), top))

    if _K_ZW in present:
        p = rm_pos[kinds == _K_ZW]
        if len(p) and p[0] == 0 and cps[0] == 0xFEFF:
            p = p[1:]  # a leading byte-order mark is not an attack
        if len(p):
            rs, re_ = _runs(p)
            pc, nc = cls_at(rs - 1), cls_at(re_)
            letter_before, letter_after = _between(pc, _C_ASCII, _C_RTL), _between(nc, _C_ASCII, _C_RTL)
            alpha = _between(pc, _C_ASCII, _C_GREEKISH) | _between(nc, _C_ASCII, _C_GREEKISH)
            inside = letter_before & letter_after & alpha
            emit("norm.zero_width", rs, re_, inside)
    if _K_BIDI in present or _K_BIDI_OVR in present:
        p = rm_pos[(kinds == _K_BIDI) | (kinds == _K_BIDI_OVR)]
        rs, re_ = _runs(p)
        rtl = bool((tb.cls[_tix(cps, tb)] == _C_RTL).any())
        ovr = tb.rkind[_tix(cps[rs], tb)] == _K_BIDI_OVR
        # marks and isolates are normal in Hebrew/Arabic text; overrides never are
        emit("norm.bidi_control", rs, re_, ovr | (not rtl))
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
            emit("norm.invisible", rs, re_)
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
            emit("norm.unicode_tags", rs[bad], re_[bad])
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


def _between(classes: np.ndarray, low: int, high: int) -> np.ndarray:
    """Which character classes lie in [low, high]."""
    inside: np.ndarray = (classes >= low) & (classes <= high)
    return inside
