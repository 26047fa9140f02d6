"""One scan, top to bottom: bound the input → normalize → tier 0 → tier 1 → tier 2 → decide → the verdict.

Which tier reads next and what the readings add up to are decide.py's (next_step, decide); the pipeline
only runs the tiers it is told to, times them, and writes the verdict up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence

from engine.bands import Bands
from engine.decide import Outcome, Plan, decide, next_step
from engine.normalize import normalize
from engine.policies import Policy
from engine.signatures import UserLists
from engine.tiers.reading import Step, Tier
from engine.verdict import PLACEHOLDER, TRUNCATED, UNMASKED_RULES, Finding, Verdict, redact


class Pipeline:
    """The tiers in the order a scan runs them, with the user's lists and policies they are read against."""

    def __init__(
        self, tiers: Mapping[Step, Tier], bands: Bands, user_lists: UserLists, builtin: list[Policy],
        user_policies: Callable[[], Sequence[Policy]],
    ) -> None:  # fmt: skip
        self.tiers = tiers
        self.bands = bands
        self.user_lists = user_lists
        self.builtin = builtin  # the built-in hypotheses: evidence for tier 2
        self.user_policies = user_policies

    def run(
        self, text: str, digest: str, findings: list[Finding], *, max_tier: int, always_escalate: bool,
        policy_always: bool, started: float,
    ) -> Verdict:  # fmt: skip
        """Scan one text; `findings` are what reading it found already (not UTF-8)."""
        scanned, reasons, covered = self._bound(text, findings)
        timings: dict[str, float] = {}
        t0 = time.perf_counter()
        norm = normalize(scanned)
        readings = [self.tiers["tier0"].read(norm, ())]
        timings["tier0"] = _ms_since(t0)
        if norm.truncated:
            reasons.append("decoding bounds reached: some encoded content was not decoded")
        plan = Plan(
            max_tier=max_tier,
            always_escalate=always_escalate,
            policy_always=policy_always,
            user_policies=policy_always and bool(self.user_policies()),
            listed=self.user_lists.lookup(readings[0].key),
        )
        while (step := next_step(readings, plan)) is not None:
            started_step = time.perf_counter()
            readings.append(self.tiers[step].read(norm, readings))
            timings[f"tier{readings[-1].tier}"] = _ms_since(started_step)
        outcome = decide(readings, plan, self.bands, self.builtin, findings=findings, reasons=reasons,
                         covered=covered, decoded_partly=norm.truncated)  # fmt: skip
        timings["total"] = _ms_since(started)
        return self._verdict(text, digest, outcome, timings)

    def _bound(self, text: str, findings: list[Finding]) -> tuple[str, list[str], tuple[int, int] | None]:
        """The part of a text that is scanned: a text longer than the bands allow is cut, and says so."""
        limit = self.bands.max_scan_chars
        if len(text) <= limit:
            return text, [], None
        findings.append(Finding(TRUNCATED, "input", "low", limit, len(text),
                                f"only the first {limit} characters were scanned"))  # fmt: skip
        return text[:limit], [f"not fully scanned: only the first {limit} of {len(text)} characters"], (0, limit)

    def _verdict(self, text: str, digest: str, outcome: Outcome, timings: dict[str, float]) -> Verdict:
        findings = sorted(outcome.findings, key=lambda f: (f.start, f.end, f.rule))
        categories = {f.category for f in findings if f.severity != "info"}
        if outcome.decision != "allow" and not categories:  # flagged on weak signals only: name them
            categories = {f.category for f in findings if f.category != PLACEHOLDER}
        unmasked = any(f.rule in UNMASKED_RULES for f in findings)
        return Verdict(
            decision=outcome.decision,
            score=round(outcome.score, 4),
            categories=tuple(sorted(categories)),
            findings=tuple(findings),
            tier=outcome.tier,
            timings_ms=timings,
            redacted=None if unmasked else redact(text, findings),
            reasons=tuple(outcome.reasons),
            covered=outcome.covered,
            text_sha256=digest,
            confidence=self._confidence(findings, categories),
        )

    def _confidence(self, findings: list[Finding], categories: set[str]) -> dict[str, float]:
        """Per category the verdict names, the strongest evidence for it, strongest first.

        A finding counts with its model's probability where a model found it (tier 1's head, tier 2's
        entailment, the lexical prior), else with the weight bands.toml gives its severity. The strongest
        rather than a combination: a model's hypotheses of one category are far from independent. "input"
        (truncated, not UTF-8) is a fact about the text, not something evidence points at, and has none.
        """
        best: dict[str, float] = {}
        for f in findings:
            if f.category in categories and f.category != "input":
                weight = f.confidence if f.confidence is not None else self.bands.severity_weight[f.severity]
                best[f.category] = max(weight, best.get(f.category, 0.0))
        return {c: round(w, 4) for c, w in sorted(best.items(), key=lambda item: (-item[1], item[0]))}


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 4)
