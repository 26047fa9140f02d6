"""`tierwall policy test`: what tier 2 sees when it checks one policy against a text, window by window.

A scan reads a text in sentence-aligned premise windows and a policy fires when one
window entails its hypothesis with at least the policy's threshold (engine/tiers/tier2.py).
This module reads a text the same way (the same normalised view, the same windows, the
same model) and keeps every window's entailment instead of only the strongest, so a user
can see where a policy would fire, or why it would not, before relying on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.models import Models, reading_answer
from engine.normalize import normalize

MAX_TEST_WINDOWS = 64  # windows read per text by `policy test` (a scan reads at most bands.tier2_max_windows)
EXCERPT_CHARS = 60


@dataclass(frozen=True, slots=True)
class WindowScore:
    """One premise window: its span in the original text, a short excerpt, P(entailment) per hypothesis."""

    start: int
    end: int
    excerpt: str
    entailment: tuple[float, ...]

    @property
    def best(self) -> float:
        return max(self.entailment, default=0.0)


@dataclass(frozen=True, slots=True)
class PolicyCheck:
    """One text checked against one policy's hypotheses."""

    hypotheses: tuple[str, ...]
    threshold: float
    windows: tuple[WindowScore, ...]
    complete: bool  # False if the text had more windows than were read
    chars: int  # length of the text

    @property
    def best(self) -> float:
        return max((w.best for w in self.windows), default=0.0)

    @property
    def fires(self) -> bool:
        return bool(self.windows) and self.best >= self.threshold

    @property
    def best_window(self) -> int | None:
        if not self.windows:
            return None
        return max(range(len(self.windows)), key=lambda i: self.windows[i].best)

    def to_dict(self) -> dict[str, object]:
        return {
            "chars": self.chars,
            "complete": self.complete,
            "max": round(self.best, 4),
            "fires": self.fires,
            "threshold": self.threshold,
            "windows": [
                {"start": w.start, "end": w.end, "excerpt": w.excerpt,
                 "entailment": [round(p, 4) for p in w.entailment], "max": round(w.best, 4)}
                for w in self.windows
            ],
        }  # fmt: skip


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """`text` on one line, cut to about `limit` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class PolicyChecker:
    """Per-window entailment of a text against hypotheses, with tier 2's model from a ModelManager.

    `context` are the other hypotheses a scan checks alongside (the built-in ones): the longest
    hypothesis sets how many premise tokens fit in a window, so they are counted as a scan counts them.
    """

    def __init__(self, models: Models, *, context: Sequence[str] = (), max_windows: int = MAX_TEST_WINDOWS):
        self.models = models
        self.context = tuple(context)
        self.max_windows = max_windows

    def check(self, text: str, hypotheses: Sequence[str], threshold: float) -> PolicyCheck:
        """Raises ModelUnavailable if the model cannot be used."""
        hypotheses = tuple(hypotheses)
        if not hypotheses:
            raise ValueError("no hypothesis to check")
        view = normalize(text).main
        args = {"views": [[view.folded, self.max_windows]], "hypotheses": list(hypotheses), "context": self.context}
        answer = self.models.infer("entail", args)
        if not view.folded.strip():
            return PolicyCheck(hypotheses, threshold, (), True, len(text))
        rows = []
        with reading_answer("tier 2's model"):
            read = answer["views"][0]
            for (a, b), probs in zip(read["spans"], read["entailment"], strict=True):
                start, end = view.to_original(int(a), int(b))
                rows.append(WindowScore(start, end, excerpt(text[start:end]), tuple(float(p) for p in probs)))
            complete = bool(read["complete"])
        return PolicyCheck(hypotheses, threshold, tuple(rows), complete, len(text))
