"""The recursive expansion of a text into views (decoded payloads, rot13, respelled words), bounded."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.normalize.ascii import _RE_AIDS_PREFILTER, _RE_PREFILTER, _U8
from engine.normalize.decoders import _DECODERS, _MAX_DECODE_ATTEMPTS
from engine.normalize.findings import _Sink, text_of
from engine.normalize.respell import _leet, _spaced
from engine.normalize.rot13 import _rot13
from engine.normalize.unicode_clean import _clean
from engine.normalize.views import Normalized, View, _ArrMap, _ConstMap
from engine.verdict import Finding

if TYPE_CHECKING:
    from engine.normalize.unicode_clean import _Cleaned


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
        for nv in _rot13(ctx, v):
            _derive(ctx, nv)


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
        text_of(f"norm.decoded_{kind}").severity,
        blob[0],
        blob[1],
        f"{text_of(f'norm.decoded_{kind}').label} decoded ({len(cl.clean)} chars, depth {v.depth})",
    )
    _emit_events(ctx, cl, blob, kind)
    _hidden_view(ctx, cl, v.depth, blob)
    _derive(ctx, v)


# ---- decoders: (candidate text, char budget) -> (decoded text, was_cut) or None ----


def normalize(
    text: str | bytes, *, max_depth: int = 2, max_decoded_chars: int = 65536, max_segments: int = 64
) -> Normalized:
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
