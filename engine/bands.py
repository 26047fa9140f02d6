"""The thresholds, weights and bands of assets/bands.toml, and how each tier's score falls in a band.

A band is a tier's own opinion (allow, unsure: the next tier reads it, block); decide.py alone turns the
tiers' opinions and evidence into the verdict's decision.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

from engine.assets import AssetError, load_toml
from engine.logistic import logit, sigmoid
from engine.tiers.reading import Opinion
from engine.verdict import SENSITIVE_CATEGORIES, SEVERITIES, Decision, Finding

# Findings of these categories describe the input, not an attack; they never add to the attack score.
NON_ATTACK_CATEGORIES = SENSITIVE_CATEGORIES | {"input"}
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

    def tier0(self, attack_score: float, lexical: float, known_share: float = 1.0, words: int = 0) -> Opinion:
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

    def tier1(self, score: float) -> Opinion:
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
