"""Engine: the one object callers use. Thread-safe; never raises on any input."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from engine.decide import Bands, apply_floors, at_least, combine_features, list_decision
from engine.digest import sha256
from engine.inference import model_specs
from engine.integrity import require_intact
from engine.lexicon import Lexicon
from engine.models import ModelManager, Models, ModelUnavailable
from engine.normalize import Normalized, normalize
from engine.paths import config_dir, data_dir
from engine.policies import Policy, PolicyStore, load_builtin
from engine.rules import RuleSet
from engine.signatures import LRUCache, SignatureStore, UserLists
from engine.tiers.tier0 import Tier0, Tier0Result, canonical_key
from engine.tiers.tier1 import Tier1, finding_category
from engine.tiers.tier2 import Tier2, Tier2Result
from engine.verdict import (
    MODEL_UNAVAILABLE,
    PLACEHOLDER,
    TRUNCATED,
    UNMASKED_RULES,
    Decision,
    Finding,
    Verdict,
    redact,
)


def _coerce(text: str | bytes) -> tuple[str, list[Finding]]:
    """Text as str; invalid UTF-8 is decoded with replacement and reported."""
    if isinstance(text, str):
        return text, []
    raw = bytes(text)
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        decoded = raw.decode("utf-8", "replace")
        # point at the first bad byte, in code points of the decoded text
        at = len(raw[: exc.start].decode("utf-8", "replace"))
        bad = Finding("input.invalid_utf8", "input", "low", at, min(at + 1, len(decoded)),
                      "input is not valid UTF-8; undecodable bytes were replaced")  # fmt: skip
        return decoded, [bad]


def _unavailable(tier: int, exc: ModelUnavailable) -> Finding:
    return Finding(MODEL_UNAVAILABLE, "input", "info", 0, 0, f"tier {tier} could not run: {exc}", tier=tier)


class Engine:
    """Scans text through the tiers. Build one and share it between threads."""

    def __init__(
        self,
        *,
        user_data_dir: Path | None = None,
        user_config_dir: Path | None = None,
        bands: Bands | None = None,
        models: Models | None = None,
        idle_timeout_s: float | None = 60.0,
        budget_mib: float | None = None,
        threads: int = 1,
        policy_always: bool = False,
        model_host: bool = False,
    ) -> None:
        """`model_host`: run the models in a child process that is stopped when they go idle, so that all of
        their memory goes back (the tray's choice); else in this process (one-shot use: the CLI, tests).

        Raises AssetError, naming the file, if the assets differ from their manifest (engine.integrity)."""
        require_intact()
        self.bands = bands or Bands.load()
        self.rules = RuleSet.load()
        self.signatures = SignatureStore.load()
        self.tier0 = Tier0(self.rules, self.signatures, Lexicon.load(), self.bands)
        if models is None:
            specs = model_specs(threads=threads)
            if model_host:
                from engine.host.client import HostModels

                models = HostModels(specs, threads=threads, idle_timeout_s=idle_timeout_s, budget_mib=budget_mib)
            else:
                models = ModelManager(specs, idle_timeout_s=idle_timeout_s, budget_mib=budget_mib)
        self.models: Models = models
        self.tier1 = Tier1(self.models, self.bands)
        self.tier2 = Tier2(self.models, self.bands)
        self.builtin_policies = load_builtin()
        self.policies = PolicyStore((user_config_dir or config_dir()) / "policies.json")
        self.policy_always = policy_always  # check the user's policies on every scan, not only escalated ones
        self.user_lists = UserLists((user_data_dir or data_dir()) / "lists.json")
        self._cache: LRUCache[tuple[object, ...], Verdict] = LRUCache(self.bands.cache_size)

    def scan(self, text: str | bytes, *, max_tier: int = 2, always_escalate: bool = False) -> Verdict:
        """Judge one text. Bytes that are not UTF-8 are replaced and reported, never raised."""
        started = time.perf_counter()
        text, input_findings = _coerce(text)
        digest = sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        cache_key = (digest, max_tier, always_escalate, self.policy_always, self.policies.revision)
        hit = self._cache.get(cache_key)
        if hit is not None:
            elapsed = (time.perf_counter() - started) * 1000
            return replace(hit, cached=True, timings_ms={**hit.timings_ms, "total": elapsed})
        verdict = self._scan(text, digest, input_findings, max_tier, always_escalate, started)
        if not any(f.rule == MODEL_UNAVAILABLE for f in verdict.findings):  # the next scan may find the tier back
            self._cache.put(cache_key, verdict)
        return verdict

    def _scan(
        self, text: str, digest: str, findings: list[Finding], max_tier: int, always_escalate: bool, started: float
    ) -> Verdict:
        reasons: list[str] = []
        covered = None
        limit = self.bands.max_scan_chars
        scanned = text
        if len(text) > limit:
            scanned = text[:limit]
            covered = (0, limit)
            findings.append(Finding(TRUNCATED, "input", "low", limit, len(text),
                                    f"only the first {limit} characters were scanned"))  # fmt: skip
            reasons.append(f"not fully scanned: only the first {limit} of {len(text)} characters")
        t0 = time.perf_counter()
        norm = normalize(scanned)
        result = self.tier0.assess(norm)
        t0_ms = (time.perf_counter() - t0) * 1000
        findings.extend(result.findings)
        if norm.truncated:
            reasons.append("decoding bounds reached: some encoded content was not decoded")

        timings = {"tier0": round(t0_ms, 4)}
        score = self._tier0_likelihood(result)
        tier = 0
        policies_checked = False
        listed = self.user_lists.lookup(result.key)
        by_list = list_decision(listed)
        decision: Decision
        if by_list is not None:
            decision = by_list[0]
            reasons.insert(0, by_list[1])
        elif result.decision == "unsure" or (always_escalate and max_tier >= 1):
            if max_tier < 1:
                decision = "warn"
                reasons.insert(0, "needs tier 1: tier 0 could not decide and --max-tier 0 stops here")
            else:
                decision, tier, score, part, policies_checked = self._escalate(
                    norm, result, max_tier, always_escalate, findings, reasons, timings
                )
                covered = part or covered
        elif result.decision == "block":
            decision = "block"
            worst = max(result.findings, key=lambda f: self.bands.severity_weight[f.severity])
            reasons.insert(0, f"{worst.explanation} ({worst.rule})")
        else:
            decision = "allow"
        if listed is None and self.policy_always and not policies_checked:
            before = decision
            decision, strongest = self._user_policies(norm, decision, findings, reasons, timings)
            if decision != before:  # a policy of the user's decided: tier 2 did
                tier, score = 2, max(score, strongest)
        decision, floor_reasons = apply_floors(decision, findings, listed=listed,
                                               partly_read=bool(covered or norm.truncated))  # fmt: skip
        reasons += floor_reasons
        unmasked = any(f.rule in UNMASKED_RULES for f in findings)
        findings.sort(key=lambda f: (f.start, f.end, f.rule))
        total_ms = (time.perf_counter() - started) * 1000
        timings["total"] = round(total_ms, 4)
        categories = {f.category for f in findings if f.severity != "info"}
        if decision != "allow" and not categories:  # flagged on weak signals only: name them
            categories = {f.category for f in findings if f.category != PLACEHOLDER}
        return Verdict(
            decision=decision,
            score=round(score, 4),
            categories=tuple(sorted(categories)),
            findings=tuple(findings),
            tier=tier,
            timings_ms=timings,
            redacted=None if unmasked else redact(text, findings),
            reasons=tuple(reasons),
            covered=covered,
            text_sha256=digest,
            confidence=self._confidence(findings, categories),
        )

    def _tier0_likelihood(self, result: Tier0Result) -> float:
        """Tier 0's attack likelihood: its rules and signatures, or the lexical prior where that is a sign.

        The prior is a sign only where it reaches the band that makes tier 0 unsure: below it, the prior sits
        near the training data's share of attacks (about 0.3 for "hello", and for an empty text, where it is
        the bias alone), which says nothing about this text, and tier 0 treats it so.
        """
        lexical = result.lexical.probability
        return max(result.attack_score, lexical if lexical >= self.bands.lexical_unsure_at else 0.0)

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

    def _escalate(
        self, norm: Normalized, result: Tier0Result, max_tier: int, always_escalate: bool,
        findings: list[Finding], reasons: list[str], timings: dict[str, float],
    ) -> tuple[Decision, int, float, tuple[int, int] | None, bool]:  # fmt: skip
        """Tiers 1 and 2 for a text tier 0 was unsure of: (decision, tier, score, covered, policies checked)."""
        earlier: Decision = "block" if result.decision == "block" else "allow"  # always_escalate: tier 0's block stands
        t1 = time.perf_counter()
        try:
            r1 = self.tier1.assess(norm, result.lexical.probability, result.rule_score)
        except ModelUnavailable as exc:
            reasons.insert(0, f"needs tier 1, which is unavailable: {exc}")
            findings.append(_unavailable(1, exc))
            return at_least(earlier, "warn"), 0, self._tier0_likelihood(result), None, False
        finally:
            timings["tier1"] = round((time.perf_counter() - t1) * 1000, 4)
        findings.extend(r1.findings)
        covered = r1.covered
        if covered is not None:
            reasons.append(f"tier 1 read only characters {covered[0]}-{covered[1]} of the text")
        if r1.decision == "block":
            reasons.insert(0, r1.findings[0].explanation)
            return "block", 1, r1.score, covered, False
        if r1.decision != "unsure" and not (always_escalate and max_tier >= 2):
            return earlier, 1, r1.score, covered, False
        if max_tier < 2:
            reasons.insert(0, "needs tier 2: tier 1 is unsure and --max-tier 1 stops here")
            return at_least(earlier, "warn"), 1, r1.score, covered, False
        focus = r1.windows if r1.covered is None else ()  # tier 1 read it all: its window scores guide tier 2
        policies = [*self.builtin_policies, *self.policies.list()]
        try:
            r2 = self._tier2(norm, policies, timings, focus)
        except ModelUnavailable as exc:
            reasons.insert(0, f"needs tier 2, which is unavailable: {exc}")
            findings.append(_unavailable(2, exc))
            return at_least(earlier, "warn"), 1, r1.score, covered, False
        if r2.covered is not None and covered is None:
            covered = r2.covered
            reasons.append(f"tier 2 read only part of the text (within characters {covered[0]}-{covered[1]})")
        category_of = {p.id: p.category for p in self.builtin_policies}
        builtin = {pid: p for pid, p in r2.entailments if pid in category_of}
        evidence = combine_features(r1.score, result.rule_score, result.lexical.probability, builtin, category_of)
        combined = self.bands.combined(evidence)
        decision = self.bands.tier2(combined)
        for f in r2.findings:
            if decision == "allow" and f.rule.removeprefix("policy.") in category_of:
                # entailed, but outweighed: the other tiers' evidence and the other hypotheses say otherwise
                f = replace(f, severity="info", explanation=f"{f.explanation}; outweighed by the other evidence "
                            f"({combined:.0%} likely an attack in all)")  # fmt: skip
            findings.append(f)
        strong = [f for f in r2.findings if decision == "block" or f.rule.removeprefix("policy.") not in category_of]
        if decision == "block" and not any(f.rule.removeprefix("policy.") in category_of for f in strong):
            strong.insert(0, self._combined_finding(r1.findings[0], combined, builtin, category_of))
            findings.append(strong[0])
        if strong:
            reasons.insert(0, strong[0].explanation)
        return at_least(earlier, at_least(decision, r2.decision)), 2, combined, covered, True

    def _combined_finding(
        self, tier1: Finding, combined: float, entailments: dict[str, float], category_of: dict[str, str]
    ) -> Finding:
        """Why a text was blocked when no single hypothesis was entailed enough to say it alone."""
        by_id = {p.id: p for p in self.builtin_policies}
        top = max(entailments, key=entailments.__getitem__, default=None)
        if top is not None and entailments[top] < 0.5:
            top = None  # no hypothesis is even likely: tier 1's reading names the category, none is quoted
        hint = f"; closest: {by_id[top].hypothesis} (NLI {entailments[top]:.0%})" if top else ""
        category = finding_category(category_of[top]) if top else tier1.category
        return Finding("tier2.combined", category, "high", tier1.start, tier1.end,
                       f"tiers 1 and 2 together: {combined:.0%} likely an attack{hint}", tier=2,
                       confidence=round(combined, 4))  # fmt: skip

    def _user_policies(
        self, norm: Normalized, decision: Decision, findings: list[Finding], reasons: list[str],
        timings: dict[str, float],
    ) -> tuple[Decision, float]:  # fmt: skip
        """The user's own policies on a scan that did not reach tier 2 (policy_always): decision, top entailment."""
        policies = self.policies.list()
        if not policies:
            return decision, 0.0
        try:
            r2 = self._tier2(norm, policies, timings)
        except ModelUnavailable as exc:
            reasons.append(f"your policies could not be checked: {exc}")
            findings.append(_unavailable(2, exc))
            return at_least(decision, "warn"), 0.0
        findings.extend(r2.findings)
        if r2.findings:  # the strongest fired policy is the first reason
            reasons.insert(0, r2.findings[0].explanation)
        return at_least(decision, r2.decision), r2.strongest

    def _tier2(
        self, norm: Normalized, policies: list[Policy], timings: dict[str, float],
        focus: Sequence[tuple[int, int, float]] = (),
    ) -> Tier2Result:  # fmt: skip
        """Run tier 2 and time it (the time is recorded even if its model turns out to be unavailable)."""
        t2 = time.perf_counter()
        try:
            return self.tier2.assess(norm, policies, focus)
        finally:
            timings["tier2"] = round((time.perf_counter() - t2) * 1000, 4)

    # -- the user's lists -------------------------------------------------
    def list_text(self, text: str, which: str) -> int:
        """Put a text on the user's "allow" or "deny" list (by its normalized key); returns that key."""
        key = canonical_key(normalize(text).main.folded)
        self.user_lists.add(key, which)
        self._cache.clear()
        return key

    def unlist_text(self, text: str) -> bool:
        return self.unlist_key(canonical_key(normalize(text).main.folded))

    def unlist_key(self, key: int) -> bool:
        """Take a key off the user's lists (the app keeps keys, never texts); cached verdicts go with it."""
        removed = self.user_lists.remove(key)
        self._cache.clear()
        return removed
