"""Views of a text and their maps back to the original: what every later stage reports spans through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from engine.verdict import Finding


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

    def part(self, start: int, end: int, kind: str) -> View:
        """This view's [start, end) as a view of its own (one sentence, say), mapping back through this one."""
        base = self._map if self._map is not None else _IdMap(len(self.clean))
        return View(kind, self.clean[start:end], self.folded[start:end], self.depth, _SubMap(base, start))


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


class OffsetMap(Protocol):
    """Maps a span of a view to the span of the original text it came from."""

    olen: int  # length of the original text

    def span(self, s: int, e: int) -> tuple[int, int]: ...


class _SubMap:
    """A window [off, off+n) of a parent view (rot13/leet views keep the parent's offsets)."""

    __slots__ = ("off", "olen", "parent")

    def __init__(self, parent: OffsetMap, off: int) -> None:
        self.parent, self.off, self.olen = parent, off, parent.olen

    def span(self, s: int, e: int) -> tuple[int, int]:
        return self.parent.span(self.off + s, self.off + e)


class _IdxMap:
    """View char j is parent char idx[j] (spaced view: joined letters point at their source)."""

    __slots__ = ("idx", "n", "olen", "parent", "tail")

    def __init__(self, parent: OffsetMap, idx: np.ndarray, tail: int) -> None:
        self.parent, self.idx, self.n, self.olen, self.tail = parent, idx, len(idx), parent.olen, tail

    def span(self, s: int, e: int) -> tuple[int, int]:
        if s < e:
            return self.parent.span(int(self.idx[s]), int(self.idx[e - 1]) + 1)
        p = int(self.idx[s]) if s < self.n else self.tail
        return self.parent.span(p, p)
