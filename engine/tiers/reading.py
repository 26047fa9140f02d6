"""What every tier returns: one Reading type behind one small Tier interface.

A tier reads a normalised text (and what the tiers before it read) and says what it made of it: its own
opinion, a score, its findings and the evidence later tiers and decide.py weigh. It never decides the
verdict: decide.py does, from all the readings. A model tier that cannot run says so in its reading
(`unavailable`) instead of raising, so that the pipeline goes on and decide.py fails closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from engine.model_files import ModelUnavailable
from engine.normalize import Normalized
from engine.verdict import MODEL_UNAVAILABLE, Decision, Finding

Step = Literal["tier0", "tier1", "tier2", "policies"]  # "policies": the user's own policies alone (policy_always)
Opinion = Literal["allow", "unsure", "block"]
TIER_OF: dict[Step, int] = {"tier0": 0, "tier1": 1, "tier2": 2, "policies": 2}


@dataclass(frozen=True, slots=True)
class Reading:
    """One tier's reading of one text."""

    step: Step
    opinion: Opinion  # the tier's own band: allow, unsure (the next tier should read it) or block
    score: float  # the tier's attack likelihood
    findings: tuple[Finding, ...] = ()
    covered: tuple[int, int] | None = None  # span of the original the tier read, if not all of it
    unavailable: str | None = None  # why the tier could not read the text (its model could not be used)
    # evidence later tiers and decide.py weigh
    rule_score: float = 0.0  # tier 0: rules and normalisation only (what tier 1's head sees)
    lexical: float = 0.0  # tier 0: the lexical prior's attack probability (of the worst view)
    key: int = 0  # tier 0: canonical-text key of the main view (the user's allow/deny lists)
    windows: tuple[tuple[int, int, float], ...] = ()  # tier 1: (start, end, probability) of each main-view window
    entailments: tuple[tuple[str, float], ...] = ()  # tier 2: (policy id, highest entailment over the windows)
    policy_decision: Decision = "allow"  # tier 2: what the user's own policies that fired ask for
    strongest: float = 0.0  # tier 2: highest entailment of any policy checked
    # tier 0: the main view's span (from a sentence's start) whose lexical prior reads worse than every window
    # of the whole text, and that prior; tier 1 reads it as a text of its own, so that benign sentences
    # before an attack do not dilute it
    suspect: tuple[int, int] | None = None
    suspect_lexical: float = 0.0

    @property
    def tier(self) -> int:
        return TIER_OF[self.step]


class Tier(Protocol):
    """The one interface of tiers 0, 1 and 2 (and the user-policy check)."""

    step: Step

    def read(self, norm: Normalized, earlier: Sequence[Reading]) -> Reading: ...


def unavailable(step: Step, exc: ModelUnavailable) -> Reading:
    """The reading of a model tier whose model could not be used: it read nothing, and says why."""
    tier = TIER_OF[step]
    finding = Finding(MODEL_UNAVAILABLE, "input", "info", 0, 0, f"tier {tier} could not run: {exc}", tier=tier)
    return Reading(step, "unsure", 0.0, (finding,), unavailable=str(exc))


def reading_of(readings: Sequence[Reading], step: Step) -> Reading | None:
    """The reading a step made, if it ran."""
    return next((r for r in readings if r.step == step), None)


def checked(reading: Reading) -> Reading:
    """The reading, for a caller that needs the tier's answer (a measurement, a script): raises
    ModelUnavailable where the tier could not read the text."""
    if reading.unavailable is not None:
        raise ModelUnavailable(reading.unavailable)
    return reading
