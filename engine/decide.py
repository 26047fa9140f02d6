"""Bands and escalation: the only place that maps scores to decisions."""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from pathlib import Path

from engine.assets import AssetError, load_toml
from engine.verdict import SENSITIVE_CATEGORIES, SEVERITIES, Decision, Finding

# Findings of these categories describe the input, not an attack; they never add to the attack score.
NON_ATTACK_CATEGORIES = SENSITIVE_CATEGORIES | {"input"}
_ORDER: dict[str, int] = {"allow": 0, "warn": 1, "block": 2}


@dataclass(frozen=True, slots=True)
class Bands:
    severity_weight: dict[str, float]
    unsure_at: float
    block_at: float
    lexical_unsure_at: float
    near_duplicate_block: float
    near_duplicate_unsure: float
    tier1_allow_below: float
    tier1_block_at: float
    tier1_max_windows: int
    tier2_max_windows: int
    max_scan_chars: int
    cache_size: int

    @classmethod
    def load(cls, path: str | Path = "bands.toml") -> Bands:
        data = load_toml(path)
        try:
            weights = {k: float(data["severity_weight"][k]) for k in SEVERITIES}
            t0 = data["tier0"]
            t1 = data["tier1"]
            t2 = data["tier2"]
            eng = data["engine"]
            bands = cls(
                severity_weight=weights,
                unsure_at=float(t0["unsure_at"]),
                block_at=float(t0["block_at"]),
                lexical_unsure_at=float(t0["lexical_unsure_at"]),
                near_duplicate_block=float(t0["near_duplicate_block"]),
                near_duplicate_unsure=float(t0["near_duplicate_unsure"]),
                tier1_allow_below=float(t1["allow_below"]),
                tier1_block_at=float(t1["block_at"]),
                tier1_max_windows=int(t1["max_windows"]),
                tier2_max_windows=int(t2["max_windows"]),
                max_scan_chars=int(eng["max_scan_chars"]),
                cache_size=int(eng["cache_size"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AssetError(f"bands file {path}: missing or invalid entry {exc}") from exc
        if not 0 < bands.unsure_at <= bands.block_at <= 1:
            raise AssetError(f"bands file {path}: need 0 < unsure_at <= block_at <= 1")
        if not 0 < bands.tier1_allow_below <= bands.tier1_block_at <= 1 or bands.tier1_max_windows < 1:
            raise AssetError(f"bands file {path}: need 0 < tier1 allow_below <= block_at <= 1, max_windows >= 1")
        if bands.tier2_max_windows < 1:
            raise AssetError(f"bands file {path}: need tier2 max_windows >= 1")
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

    def tier0(self, attack_score: float, lexical: float) -> str:
        """allow / unsure / block for tier 0; "unsure" is the only path to a model."""
        if attack_score >= self.block_at:
            return "block"
        if attack_score >= self.unsure_at or lexical >= self.lexical_unsure_at:
            return "unsure"
        return "allow"

    def tier1(self, score: float) -> str:
        """allow / unsure (grey band: tier 2) / block for the tier-1 head's probability."""
        if score >= self.tier1_block_at:
            return "block"
        if score >= self.tier1_allow_below:
            return "unsure"
        return "allow"

    def near_duplicate_severity(self, similarity: float) -> str | None:
        if similarity >= self.near_duplicate_block:
            return "critical"
        if similarity >= self.near_duplicate_unsure:
            return "medium"
        return None


def at_least(decision: Decision, floor: Decision) -> Decision:
    """The stricter of two decisions."""
    return decision if _ORDER[decision] >= _ORDER[floor] else floor
