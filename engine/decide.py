"""Bands and escalation: the only place that maps scores to decisions."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import reduce
from pathlib import Path
from typing import Any

from engine.assets import AssetError, load_toml
from engine.logistic import logit, sigmoid
from engine.verdict import PLACEHOLDER, SENSITIVE_CATEGORIES, SEVERITIES, UNMASKED_RULES, Decision, Finding

# Findings of these categories describe the input, not an attack; they never add to the attack score.
NON_ATTACK_CATEGORIES = SENSITIVE_CATEGORIES | {"input"}
_ORDER: dict[str, int] = {"allow": 0, "warn": 1, "block": 2}
# The evidence [combine] weighs, in this order (packaging/build_decide.py learns the weights).
ENTAILMENT_CATEGORIES = ("injection", "jailbreak", "obfuscated")  # as the policy files name them
COMBINE_FEATURES = ("tier1_logit", "rule_score", "lexical_logit", *ENTAILMENT_CATEGORIES, "mean_entailment")
COMBINE_EPS = 1e-4  # the probabilities [combine] reads are clipped to [1e-4, 1 - 1e-4] (its weights were fitted so)


def combine_features(
    tier1: float, rule_score: float, lexical: float, entailments: Mapping[str, float], category_of: Mapping[str, str]
) -> list[float]:
    """The model tiers' evidence on one text as [combine] reads it.

    Per category the strongest entailment of its built-in hypotheses, and the mean over all of them: the
    NLI model entails nearly every hypothesis on imperative prose (a licence "tells" and "instructs"),
    so one hypothesis entailed far above the rest is a sign, all of them entailed together much less.
    """
    strongest = dict.fromkeys(ENTAILMENT_CATEGORIES, 0.0)
    for policy, p in entailments.items():
        category = category_of.get(policy)
        if category in strongest:
            strongest[category] = max(strongest[category], p)
    mean = sum(entailments.values()) / len(entailments) if entailments else 0.0
    return [logit(tier1, COMBINE_EPS), rule_score, logit(lexical, COMBINE_EPS), *strongest.values(), mean]


@dataclass(frozen=True, slots=True)
class Bands:
    severity_weight: dict[str, float]
    unsure_at: float
    block_at: float
    lexical_unsure_at: float
    readable_below: float  # share of known words under which tier 0 cannot judge a text
    readable_min_words: int  # ... if it has at least this many words with letters
    near_duplicate_block: float
    near_duplicate_unsure: float
    tier1_allow_below: float
    tier1_block_at: float
    tier1_max_windows: int
    tier2_max_windows: int
    max_scan_chars: int
    cache_size: int
    combine_weights: tuple[float, ...] = ()
    combine_bias: float = 0.0
    combine_block_at: float = 0.5

    @classmethod
    def load(cls, path: str | Path = "bands.toml") -> Bands:
        data = load_toml(path)
        try:
            weights = {k: float(data["severity_weight"][k]) for k in SEVERITIES}
            t0 = data["tier0"]
            t1 = data["tier1"]
            t2 = data["tier2"]
            eng = data["engine"]
            comb = data["combine"]
            bands = cls(
                severity_weight=weights,
                unsure_at=float(t0["unsure_at"]),
                block_at=float(t0["block_at"]),
                lexical_unsure_at=float(t0["lexical_unsure_at"]),
                readable_below=float(t0["unreadable_below"]),
                readable_min_words=int(t0["unreadable_min_words"]),
                near_duplicate_block=float(t0["near_duplicate_block"]),
                near_duplicate_unsure=float(t0["near_duplicate_unsure"]),
                tier1_allow_below=float(t1["allow_below"]),
                tier1_block_at=float(t1["block_at"]),
                tier1_max_windows=int(t1["max_windows"]),
                tier2_max_windows=int(t2["max_windows"]),
                max_scan_chars=int(eng["max_scan_chars"]),
                cache_size=int(eng["cache_size"]),
                combine_weights=tuple(float(w) for w in comb["weights"]),
                combine_bias=float(comb["bias"]),
                combine_block_at=float(comb["block_at_probability"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AssetError(f"bands file {path}: missing or invalid entry {exc}") from exc
        if not 0 < bands.unsure_at <= bands.block_at <= 1:
            raise AssetError(f"bands file {path}: need 0 < unsure_at <= block_at <= 1")
        if not 0 < bands.tier1_allow_below <= bands.tier1_block_at <= 1 or bands.tier1_max_windows < 1:
            raise AssetError(f"bands file {path}: need 0 < tier1 allow_below <= block_at <= 1, max_windows >= 1")
        if bands.tier2_max_windows < 1:
            raise AssetError(f"bands file {path}: need tier2 max_windows >= 1")
        if len(bands.combine_weights) != len(COMBINE_FEATURES) or not 0 < bands.combine_block_at < 1:
            raise AssetError(f"bands file {path}: [combine] needs {len(COMBINE_FEATURES)} weights "
                             f"({', '.join(COMBINE_FEATURES)}) and 0 < block_at_probability < 1")  # fmt: skip
        return bands

    def attack_score(self, findings: list[Finding]) -> float:
        """Noisy-OR over distinct rules of each rule's strongest finding.

        Occurrences of one rule are one piece of evidence, not many: a German
        text with ten soft hyphens is not ten times as suspicious as one with one.
        """
        strongest: dict[str, float] = {}
        for f in findings:
            if f.category not in NON_ATTACK_CATEGORIES:
                w = self.severity_weight[f.severity]
                if w > strongest.get(f.rule, -1.0):
                    strongest[f.rule] = w
        return 1.0 - reduce(lambda a, b: a * (1.0 - b), strongest.values(), 1.0)

    def tier0(self, attack_score: float, lexical: float, known_share: float = 1.0, words: int = 0) -> str:
        """allow / unsure / block for tier 0; "unsure" is the only path to a model.

        Tier 0 allows only what it can read: a text of enough words, most of which its lexicon never
        learned from (another language or script), goes to a model however low its scores are.
        """
        if attack_score >= self.block_at:
            return "block"
        if attack_score >= self.unsure_at or lexical >= self.lexical_unsure_at:
            return "unsure"
        if not self.readable(known_share, words):
            return "unsure"
        return "allow"

    def readable(self, known_share: float, words: int) -> bool:
        """Can tier 0 judge a text of `words` words with letters, `known_share` of which its lexicon knows?"""
        return words < self.readable_min_words or known_share >= self.readable_below

    def tier1(self, score: float) -> str:
        """allow / unsure (grey band: tier 2) / block for the tier-1 head's probability."""
        if score >= self.tier1_block_at:
            return "block"
        if score >= self.tier1_allow_below:
            return "unsure"
        return "allow"

    def combined(self, features: list[float]) -> float:
        """Attack probability of a text from the evidence of every tier that read it (combine_features)."""
        z = self.combine_bias + sum(w * x for w, x in zip(self.combine_weights, features, strict=True))
        return sigmoid(z)

    def tier2(self, combined: float) -> Decision:
        """Block or allow a text tier 1 left in its grey band, on the combined probability."""
        return "block" if combined >= self.combine_block_at else "allow"

    def near_duplicate_severity(self, similarity: float) -> str | None:
        if similarity >= self.near_duplicate_block:
            return "critical"
        if similarity >= self.near_duplicate_unsure:
            return "medium"
        return None


def at_least(decision: Decision, floor: Decision) -> Decision:
    """The stricter of two decisions."""
    return decision if _ORDER[decision] >= _ORDER[floor] else floor


# -- what every scan ends with, whatever the tiers said ------------------------------------------------
TIER1_SEVERITY = {"block": "high", "unsure": "medium", "allow": "info"}  # tier 1's finding, by its own decision


def list_decision(listed: str | None) -> tuple[Decision, str] | None:
    """The user's allow- or denylist decides outright (with the reason shown first); None if not listed."""
    if listed == "deny":
        return "block", "on your denylist"
    if listed == "allow":
        return "allow", "on your allowlist"
    return None


def user_policy_decision(fired: Sequence[Any]) -> Decision:
    """What the user's own policies that fired ask for (a built-in hypothesis is evidence, never a decision)."""
    chosen = [p for p in fired if not p.builtin]
    if not chosen:
        return "allow"
    return "block" if any(p.action == "block" for p in chosen) else "warn"


def lower_quoted(findings: Sequence[Finding], quoted: Callable[[Finding], bool]) -> list[Finding]:
    """A critical phrase in quotes is more often talked about than used: let a model judge it.

    "Why does 'ignore previous instructions' work?" mentions the attack; the same words unquoted give the
    instruction. Quoted (as tier 0 tells), the finding is "high" (unsure) instead of "critical" (block).
    Secrets and personal data stay as they are: quoted, they leak all the same.
    """
    out = []
    for f in findings:
        if f.severity == "critical" and f.category not in SENSITIVE_CATEGORIES and quoted(f):
            f = replace(f, severity="high", explanation=f.explanation + " (quoted: perhaps mentioned, not meant)")
        out.append(f)
    return out


def apply_floors(
    decision: Decision, findings: Sequence[Finding], *, listed: str | None, partly_read: bool
) -> tuple[Decision, list[str]]:
    """The floors under every decision, and the reasons they add: a text not read whole is never allowed (unless
    the user allowlisted it), nor one with secrets or personal data in it, nor one no redacted copy could be made
    of; placeholders (test keys, example values) are said and decide nothing."""
    reasons: list[str] = []
    if listed != "allow" and partly_read:
        decision = at_least(decision, "warn")
    kinds = sorted({f.category for f in findings if f.category in SENSITIVE_CATEGORIES})
    if kinds:
        decision = at_least(decision, "warn")
        reasons.append("contains " + " and ".join("secrets" if k == "secret" else "personal data" for k in kinds))
    unmasked = next((f for f in findings if f.rule in UNMASKED_RULES), None)
    if unmasked is not None:
        decision = at_least(decision, "warn")
        reasons.append(f"no redacted copy: {unmasked.explanation}")
    reasons += sorted({f.explanation for f in findings if f.category == PLACEHOLDER})
    return decision, reasons
