"""Tier 1: the embedding model plus a small head, for what tier 0 could not decide.

Each token window of the text (and of any decoded payload) is embedded; the
head combines the embedding with the text's lexical-prior logit, the window's
cosine to the nearest known attack exemplar and the tier-0 rule score. The
worst window counts. Scores in the grey band between the allow and block
bands escalate to tier 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from engine.bands import NON_ATTACK_CATEGORIES, Bands
from engine.decide import TIER1_SEVERITY
from engine.logistic import logit, sigmoid
from engine.models import Models, ModelUnavailable, reading_answer
from engine.normalize import Normalized, View
from engine.tiers.embedding import EMBEDDING_MODEL
from engine.tiers.head import HEAD_MODEL
from engine.tiers.reading import Reading, Step, reading_of, unavailable
from engine.verdict import Finding, finding_category

__all__ = ["EMBEDDING_MODEL", "HEAD_MODEL", "Tier1"]

MAX_EXTRA_VIEWS = 3  # decoded payloads and respelled views embedded besides the text itself
EXTRA_VIEW_WINDOWS = 4


class Tier1:
    """Asks the models (in this process or the model host) for window scores and explains the worst window."""

    step: Step = "tier1"

    def __init__(self, models: Models, bands: Bands) -> None:
        self.models = models
        self.bands = bands

    def read(self, norm: Normalized, earlier: Sequence[Reading]) -> Reading:
        """Judge a text tier 0 was unsure of, with tier 0's lexical prior and rule score; a model that cannot
        be used gives an unavailable reading."""
        tier0 = reading_of(earlier, "tier0")
        if tier0 is None:
            raise ValueError("tier 1 reads a text after tier 0")
        views = [norm.main, *norm.views[1 : 1 + MAX_EXTRA_VIEWS]]
        limits = [self.bands.tier1_max_windows, *[EXTRA_VIEW_WINDOWS] * (len(views) - 1)]
        entries = [[v.folded, n] for v, n in zip(views, limits, strict=True)]
        if tier0.suspect is not None:  # the sentences that read worst, alone and with their own prior
            views.append(norm.main.part(*tier0.suspect, kind="sentence"))
            entries.append([views[-1].folded, EXTRA_VIEW_WINDOWS, logit(tier0.suspect_lexical)])
        args = {"views": entries, "lexical_logit": logit(tier0.lexical), "rules": tier0.rule_score}
        try:
            raw = self.models.infer("embed_and_score", args)
            with reading_answer("tier 1's models"):
                return self._explain(views, raw["views"], _rule_in(tier0, norm))
        except ModelUnavailable as exc:
            return unavailable("tier1", exc)

    def _explain(self, views: list[View], scored: list[dict[str, Any]], evidence: bool = False) -> Reading:
        if len(scored) != len(views):
            raise ValueError(f"{len(scored)} views scored, {len(views)} asked")
        main = scored[0]
        covered = None if main["complete"] else views[0].to_original(0, int(main["covered_end"]))
        main_windows = tuple((int(a), int(b), float(p)) for (a, b), p in zip(main["spans"], main["p"], strict=True))
        best = _best_window(scored, [v.kind != "sentence" for v in views])
        sentence = _best_window(scored, [v.kind == "sentence" for v in views])
        if best is None:
            raise ValueError("no window was scored")
        if sentence is not None and sentence[0] > best[0]:
            band = self.bands.tier1(float(sigmoid(sentence[0])))
            if band == "block" or (band == "unsure" and evidence):
                # the sentences tier 0 read worst are, alone, a clear attack, or unsure where a rule found an
                # attack in them: a benign sentence before an attack must not dilute it into an "allow"
                best = sentence
        z, vi, k = best
        cosine, category = float(scored[vi]["cosine"][k]), str(scored[vi]["category"][k])
        score = float(sigmoid(z))
        decision = self.bands.tier1(score)
        start, end = views[vi].to_original(*scored[vi]["spans"][k])
        where = "" if vi == 0 else f" (in {views[vi].kind} view)"
        finding = Finding(
            "tier1.embedding", finding_category(category), TIER1_SEVERITY[decision], start, end,
            f"embedding classifier: {score:.0%} likely an attack{where}; "
            f"closest known attack is {_article(category)} {category} text (cosine {cosine:.2f})",
            tier=1, confidence=round(score, 4),
        )  # fmt: skip
        return Reading("tier1", decision, score, (finding,), covered, windows=main_windows)


def _rule_in(tier0: Reading, norm: Normalized) -> bool:
    """Did a tier-0 rule (not the lexical prior) find an attack inside the suspect sentences?"""
    if tier0.suspect is None:
        return False
    start, end = norm.main.to_original(*tier0.suspect)
    return any(
        f.category not in NON_ATTACK_CATEGORIES and not f.rule.startswith("lex.") and start <= f.start and f.end <= end
        for f in tier0.findings
    )


def _best_window(scored: list[dict[str, Any]], counted: list[bool]) -> tuple[float, int, int] | None:
    """(logit, view, window) of the first of the highest-scoring windows of the views counted."""
    best: tuple[float, int, int] | None = None
    for vi, view in enumerate(scored):
        if counted[vi]:
            for k, z in enumerate(view["z"]):
                if best is None or z > best[0]:
                    best = (float(z), vi, k)
    return best


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
