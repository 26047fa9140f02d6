"""rot13 passages, found by common words (rot13 has no marker) or an explicit mention."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import re2

from engine.normalize.ascii import _ALPHA_ONLY, _RE_ROT_MENTION, _ROT13_BYTES, _U8
from engine.normalize.findings import text_of
from engine.normalize.respell import _ascii_translate
from engine.normalize.tables import _words
from engine.normalize.views import View, _IdMap, _SubMap

if TYPE_CHECKING:
    from engine.normalize.expand import _Ctx
    from engine.normalize.tables import _Words

_ROT13_MAX_SEGMENTS = 256
# where a line or a sentence ends: a rot13 sentence may follow plain ones on one line (rot13 keeps punctuation)
_RE_SEGMENT_END = re2.compile(rb"\n|[.!?;:]+[ \t]+")


def _segments(clean: str) -> list[tuple[int, int]]:
    """(start, end) of each line and sentence of a view, at most _ROT13_MAX_SEGMENTS of them."""
    u = _U8(clean)
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _RE_SEGMENT_END.finditer(u.b):
        end, after = u.char(m.start()), u.char(m.end())
        if end > pos:
            spans.append((pos, end))
            if len(spans) == _ROT13_MAX_SEGMENTS:
                return spans
        pos = after
    if pos < len(clean):
        spans.append((pos, len(clean)))
    return spans[:_ROT13_MAX_SEGMENTS]


def _rot_ok(words: list[bytes], wd: _Words) -> bool:
    words = [w for w in words if len(w) >= 3]
    n = len(words)
    if n < 2:
        return False
    rot = sum(map(wd.rot.__contains__, words))
    if rot < 0.25 * n or len(wd.rot.intersection(words)) < 3:  # distinct: "bar, bar, bar" is not rot13
        return False
    return rot > 2 * sum(map(wd.common.__contains__, words))


def _plain(words: list[bytes], wd: _Words) -> bool:
    """A segment that reads as plain text: more common words than rot13-words in it (and at least one)."""
    common = sum(map(wd.common.__contains__, words))
    return common > 0 and common >= sum(map(wd.rot.__contains__, words))


def _rot13(ctx: _Ctx, v: View) -> Iterator[View]:
    """rot13 has no marker: decide by common-word hits, or by an explicit "rot13" mention. Yields each
    view it adds; the caller derives it before the next one is made (the order of one recursive pass)."""
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
        else:  # maybe only some lines or sentences are rot13 (folded has no newlines: use clean, same length)
            run: tuple[int, int] | None = None
            unsure: int | None = None  # where segments that read as neither plain nor rot13 began, before this one
            for pos, end in _segments(v.clean):
                seg = v.folded[pos:end].encode("utf-8").translate(_ALPHA_ONLY).split()
                if _rot_ok(seg, wd):
                    run = (run[0], end) if run else (pos if unsure is None else unsure, end)
                    unsure = None
                elif _plain(seg, wd):
                    if run:
                        regions.append(run)
                    run = unsure = None
                elif run:  # "FLFGRZ BIREEVQR:", "qrirybcre zbqr ranoyrq": part of the rot13 around them
                    run = (run[0], end)
                elif unsure is None:
                    unsure = pos
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
        ctx.sink.add(
            "norm.decoded_rot13",
            text_of("norm.decoded_rot13").severity,
            oa,
            ob,
            f"rot13 text decoded ({b - a} chars, depth {nv.depth})",
        )
        yield nv
