"""Tier 2: the NLI validator reads what tier 1 could not decide.

The text (in premise windows) is checked against the built-in hypotheses of
assets/policies and the user's own policies. A policy fires when a window
entails its hypothesis with at least the policy's threshold; the hypothesis
that fired is the explanation the user reads. The user's policies decide by
their own action; the built-in hypotheses' entailments are evidence, which
decide.py combines with tiers 0 and 1.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from engine.bands import Bands
from engine.decide import user_policy_decision
from engine.models import Models, ModelUnavailable, reading_answer
from engine.normalize import Normalized, View
from engine.policies import Policy
from engine.tiers.nli import NLI_MODEL
from engine.tiers.reading import Reading, Step, reading_of, unavailable
from engine.verdict import Finding, finding_category

__all__ = ["NLI_MODEL", "Tier2"]

MAX_EXTRA_VIEWS = 1  # a decoded payload is read too (obfuscated instructions)
EXTRA_VIEW_WINDOWS = 2


class Tier2:
    """Asks the models (in this process or the model host) for entailments and explains what fired.

    As tier 2 it checks the built-in hypotheses and the user's policies (`policies` gives them at each
    scan), guided by tier 1's window scores; as the "policies" step, the user's own policies alone.
    """

    def __init__(
        self, models: Models, bands: Bands, policies: Callable[[], Sequence[Policy]], step: Step = "tier2"
    ) -> None:
        self.models = models
        self.bands = bands
        self.policies = policies
        self.step = step

    def read(self, norm: Normalized, earlier: Sequence[Reading]) -> Reading:
        """Check a text against the policies; a model that cannot be used gives an unavailable reading.

        As tier 2, with tier 1's score of each window of the main view when tier 1 read all of it: a text
        with more premise windows than tier 2 reads then has the ones tier 1 found most suspicious read,
        and counts as read whole if every window left out was one tier 1 scored below its allow band.
        """
        tier1 = reading_of(earlier, "tier1") if self.step == "tier2" else None
        focus = tier1.windows if tier1 is not None and tier1.covered is None else ()
        try:
            return self._read(norm, list(self.policies()), focus)
        except ModelUnavailable as exc:
            return unavailable(self.step, exc)

    def _read(self, norm: Normalized, policies: Sequence[Policy], focus: Sequence[tuple[int, int, float]]) -> Reading:
        if not policies:
            return Reading(self.step, "allow", 0.0)
        views = [norm.main, *norm.views[1 : 1 + MAX_EXTRA_VIEWS]]
        limits = [self.bands.tier2_max_windows, *[EXTRA_VIEW_WINDOWS] * (len(views) - 1)]
        args = {"views": [[v.folded, n] for v, n in zip(views, limits, strict=True)],
                "hypotheses": [p.hypothesis for p in policies], "focus": [list(w) for w in focus],
                "cleared_below": self.bands.tier1_allow_below}  # fmt: skip
        raw = self.models.infer("entail", args)
        with reading_answer("tier 2's model"):
            return self._explain(views, raw["views"], policies, bool(focus))

    def _explain(self, views: list[View], read: list[dict[str, Any]], policies: Sequence[Policy],
                 focused: bool) -> Reading:  # fmt: skip
        if len(read) != len(views):
            raise ValueError(f"{len(read)} views read, {len(views)} asked")
        best = [(-1.0, 0, (0, 0))] * len(policies)  # per policy: probability, view, span in the view
        covered = None
        for vi, view in enumerate(read):
            spans, probs = view["spans"], view["entailment"]
            if len(probs) != len(spans) or any(len(row) != len(policies) for row in probs):
                raise ValueError(f"{len(probs)} rows of entailments for {len(spans)} windows")
            if vi == 0 and not view["complete"]:
                covered = views[0].to_original(int(spans[0][0]) if focused else 0, int(view["covered_end"]))
            for j in range(len(policies)):
                column = [float(row[j]) for row in probs]
                i = column.index(max(column))  # the first of the highest
                if column[i] > best[j][0]:
                    best[j] = (column[i], vi, (int(spans[i][0]), int(spans[i][1])))
        checked = zip(policies, best, strict=True)
        hits = sorted(
            ((p, policy, vi, span) for policy, (p, vi, span) in checked if p >= policy.threshold),
            key=lambda hit: -hit[0],
        )  # strongest first: the first finding is the explanation shown
        fired = [policy for _, policy, _, _ in hits]
        findings = []
        for p, policy, vi, span in hits:
            start, end = views[vi].to_original(*span)
            where = "" if vi == 0 else f" (in {views[vi].kind} view)"
            severity = "high" if policy.action == "block" else "medium"
            findings.append(Finding(
                f"policy.{policy.id}", finding_category(policy.category), severity, start, end,
                f"{policy.hypothesis} (NLI entailment {p:.0%}{where})", tier=2, confidence=round(p, 4),
            ))  # fmt: skip
        # The user's own policies decide by their threshold and action; the built-in hypotheses are evidence
        # that decide.py weighs with the other tiers', never a verdict on their own.
        score = max((b[0] for b, p in zip(best, policies, strict=True) if p.builtin), default=0.0)
        entailments = tuple((p.id, round(max(b[0], 0.0), 4)) for p, b in zip(policies, best, strict=True))
        strongest = max(max(b[0] for b in best), 0.0)
        return Reading(self.step, "allow", max(score, 0.0), tuple(findings), covered, entailments=entailments,
                       policy_decision=user_policy_decision(fired), strongest=strongest)  # fmt: skip
