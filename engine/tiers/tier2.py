"""Tier 2: the NLI validator reads what tier 1 could not decide.

The text (in premise windows) is checked against the built-in hypotheses of
assets/policies and the user's own policies. A policy fires when a window
entails its hypothesis with at least the policy's threshold; the hypothesis
that fired is the explanation the user reads. The user's policies decide by
their own action; the built-in hypotheses' entailments are evidence, which
decide.py combines with tiers 0 and 1.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.decide import Bands
from engine.models import ModelManager
from engine.normalize import Normalized
from engine.policies import Policy
from engine.procmem import trim_heap
from engine.tiers.embedding import TOKENIZER_MODEL
from engine.tiers.nli import NliModel, PremiseWindows, premise_windows
from engine.tiers.tier1 import finding_category
from engine.verdict import Decision, Finding

NLI_MODEL = "nli-minilm-l6-int8"
MAX_EXTRA_VIEWS = 1  # a decoded payload is read too (obfuscated instructions)
EXTRA_VIEW_WINDOWS = 2
FOCUS_CANDIDATES = 64  # premise windows considered when tier 1's window scores choose which to read


@dataclass(frozen=True, slots=True)
class Tier2Result:
    decision: Decision  # what the user's own policies that fired ask for (allow if none did)
    score: float  # highest entailment probability of a built-in policy (0 if none was checked)
    findings: list[Finding]
    fired: tuple[Policy, ...]
    covered: tuple[int, int] | None  # span of the original the windows covered, if not all
    strongest: float = 0.0  # highest entailment probability of any policy checked
    entailments: tuple[tuple[str, float], ...] = ()  # (policy id, highest entailment over the windows read)


class Tier2:
    def __init__(self, manager: ModelManager, bands: Bands) -> None:
        self.manager = manager
        self.bands = bands

    def assess(
        self, norm: Normalized, policies: Sequence[Policy], focus: Sequence[tuple[int, int, float]] = ()
    ) -> Tier2Result:
        """Check a text against policies. Raises ModelUnavailable if the model cannot be used.

        `focus` is tier 1's score of each window of the main view, when tier 1 read all of it. A text
        with more premise windows than tier 2 reads then has the ones tier 1 found most suspicious read,
        and counts as read whole if every window left out was one tier 1 scored below its allow band.
        """
        if not policies:
            return Tier2Result("allow", 0.0, [], (), None)
        views = [norm.main, *norm.views[1 : 1 + MAX_EXTRA_VIEWS]]
        hypotheses = [p.hypothesis for p in policies]
        best = [(-1.0, 0, (0, 0))] * len(policies)  # per policy: probability, view, span in the view
        covered = None
        with self.manager.use(TOKENIZER_MODEL) as tokenizer, self.manager.use(NLI_MODEL) as model:
            model: NliModel
            body = model.max_len - 3 - max(len(model.hypothesis_ids(h, tokenizer)) for h in hypotheses)
            for vi, view in enumerate(views):
                limit = self.bands.tier2_max_windows if vi == 0 else EXTRA_VIEW_WINDOWS
                if vi == 0 and focus:
                    candidates = premise_windows(view.folded, tokenizer, body=body, max_windows=FOCUS_CANDIDATES)
                    windows = _most_suspicious(candidates, focus, limit, self.bands.tier1_allow_below)
                else:
                    windows = premise_windows(view.folded, tokenizer, body=body, max_windows=limit)
                if vi == 0 and not windows.complete:
                    covered = view.to_original(windows.spans[0][0] if focus else 0, windows.covered_end)
                probs = model.entailment(windows, hypotheses, tokenizer)
                for j in range(len(policies)):
                    i = int(probs[:, j].argmax())
                    if probs[i, j] > best[j][0]:
                        best[j] = (float(probs[i, j]), vi, windows.spans[i])
        trim_heap()  # inference buffers are freed by now: hand the pages back rather than let the heap grow
        checked = zip(policies, best, strict=True)
        hits = sorted(((p, policy, vi, span) for policy, (p, vi, span) in checked if p >= policy.threshold),
                      key=lambda hit: -hit[0])  # strongest first: the first finding is the explanation shown
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
        # that decide.py weighs with the other tiers' (engine.Engine._escalate), never a verdict on their own.
        decision: Decision = "allow"
        chosen = [p for p in fired if not p.builtin]
        if chosen:
            decision = "block" if any(p.action == "block" for p in chosen) else "warn"
        score = max((b[0] for b, p in zip(best, policies, strict=True) if p.builtin), default=0.0)
        strongest = max(max(b[0] for b in best), 0.0)
        entailments = tuple((p.id, round(max(b[0], 0.0), 4)) for p, b in zip(policies, best, strict=True))
        return Tier2Result(decision, max(score, 0.0), findings, tuple(fired), covered, strongest, entailments)


def _most_suspicious(
    windows: PremiseWindows, focus: Sequence[tuple[int, int, float]], limit: int, cleared_below: float
) -> PremiseWindows:
    """The `limit` premise windows that overlap tier 1's most suspicious windows, in text order.

    Complete if the candidates covered the text and every window left out overlaps only tier-1
    windows scored below `cleared_below` (tier 1 cleared those parts on its own).
    """
    if len(windows.ids) <= limit:
        return windows
    suspicion = [max((p for a, b, p in focus if a < end and start < b), default=1.0) for start, end in windows.spans]
    chosen = sorted(sorted(range(len(suspicion)), key=lambda i: -suspicion[i])[:limit])
    left_out = set(range(len(suspicion))) - set(chosen)
    complete = windows.complete and all(suspicion[i] < cleared_below for i in left_out)
    return PremiseWindows(
        tuple(windows.ids[i] for i in chosen), tuple(windows.spans[i] for i in chosen), complete,
        windows.covered_end if complete else windows.spans[chosen[-1]][1],
    )  # fmt: skip
