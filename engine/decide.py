"""The only place that decides: which tier reads a text next, and the verdict's decision from their readings.

Every rule that maps scores, findings, the user's lists and policies, truncation and unavailable tiers to
allow / warn / block is here, and is tested without a model (tests/test_decide.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from engine.bands import Bands, combine_features
from engine.policies import Policy
from engine.tiers.reading import Reading, Step, reading_of
from engine.verdict import (
    PLACEHOLDER,
    SENSITIVE_CATEGORIES,
    UNMASKED_RULES,
    Decision,
    Finding,
    finding_category,
)

_ORDER: dict[str, int] = {"allow": 0, "warn": 1, "block": 2}


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


# -- the scan's plan and its decision, from the tiers' readings ------------------------------------------
@dataclass(frozen=True, slots=True)
class Plan:
    """What a caller asked of one scan, and what the user's lists and policies say before any tier ran."""

    max_tier: int = 2
    always_escalate: bool = False  # every tier up to max_tier reads the text, whatever the ones before said
    policy_always: bool = False  # the user's policies are checked on every scan, not only escalated ones
    user_policies: bool = False  # the user has policies of their own
    listed: str | None = None  # "allow" / "deny" if the text is on the user's lists


def next_step(readings: Sequence[Reading], plan: Plan) -> Step | None:
    """The tier that reads the text next, or None: the only place that escalates.

    Tier 1 reads what tier 0 was unsure of, tier 2 what tier 1 was unsure of (every tier up to max_tier with
    always_escalate). With policy_always, the user's own policies are checked last on a text tier 2 did not
    read whole; a listed text is read by tier 0 alone.
    """
    last = readings[-1]
    if plan.listed is not None or last.step == "policies":
        return None
    if last.step == "tier0" and plan.max_tier >= 1 and (last.opinion == "unsure" or plan.always_escalate):
        return "tier1"
    read_on = last.opinion == "unsure" or (last.opinion == "allow" and plan.always_escalate)
    if last.step == "tier1" and last.unavailable is None and plan.max_tier >= 2 and read_on:
        return "tier2"
    if last.step == "tier2" and last.unavailable is None:
        return None  # the user's policies were read with the built-in ones
    return "policies" if plan.policy_always and plan.user_policies else None


@dataclass(slots=True)
class Outcome:
    """The decision on one scan and what it rests on."""

    decision: Decision
    tier: int  # the tier whose judgement decided
    score: float
    covered: tuple[int, int] | None  # span of the original every tier read, if not all
    findings: list[Finding]
    reasons: list[str]  # the first one is the reason shown


def tier0_likelihood(tier0: Reading, bands: Bands) -> float:
    """Tier 0's attack likelihood: its rules and signatures, or the lexical prior where that is a sign.

    The prior is a sign only where it reaches the band that makes tier 0 unsure: below it, the prior sits
    near the training data's share of attacks (about 0.3 for "hello", and for an empty text, where it is
    the bias alone), which says nothing about this text, and tier 0 treats it so.
    """
    return max(tier0.score, tier0.lexical if tier0.lexical >= bands.lexical_unsure_at else 0.0)


def decide(
    readings: Sequence[Reading], plan: Plan, bands: Bands, builtin: Sequence[Policy], *,
    findings: Sequence[Finding] = (), reasons: Sequence[str] = (), covered: tuple[int, int] | None = None,
    decoded_partly: bool = False,
) -> Outcome:  # fmt: skip
    """The verdict's decision from every reading, the user's lists and policies, and what was left unread.

    `findings`, `reasons` and `covered` say what the input stage found (not UTF-8, longer than is scanned);
    `builtin` are the built-in hypotheses, whose entailments are evidence.
    """
    tier0 = readings[0]
    out = Outcome("allow", 0, tier0_likelihood(tier0, bands), covered, [*findings, *tier0.findings], [*reasons])
    tier1 = reading_of(readings, "tier1")
    by_list = list_decision(plan.listed)
    if by_list is not None:
        out.decision = by_list[0]
        out.reasons.insert(0, by_list[1])
    elif tier1 is not None:
        _escalated(out, tier0, tier1, reading_of(readings, "tier2"), plan, bands, builtin)
    elif tier0.opinion == "unsure" or (plan.always_escalate and plan.max_tier >= 1):
        out.decision = "warn"
        out.reasons.insert(0, "needs tier 1: tier 0 could not decide and --max-tier 0 stops here")
    elif tier0.opinion == "block":
        out.decision = "block"
        worst = max(tier0.findings, key=lambda f: bands.severity_weight[f.severity])
        out.reasons.insert(0, f"{worst.explanation} ({worst.rule})")
    check = reading_of(readings, "policies")
    if check is not None:
        _user_policies(out, check)
    out.decision, floor_reasons = apply_floors(out.decision, out.findings, listed=plan.listed,
                                               partly_read=bool(out.covered or decoded_partly))  # fmt: skip
    out.reasons += floor_reasons
    return out


def _escalated(
    out: Outcome, tier0: Reading, tier1: Reading, tier2: Reading | None, plan: Plan, bands: Bands,
    builtin: Sequence[Policy],
) -> None:  # fmt: skip
    """Tiers 1 and 2 on a text tier 0 was unsure of (or every text, with always_escalate): a block by tier 0
    stands; a tier that was needed and could not run makes it at least a warning."""
    earlier: Decision = "block" if tier0.opinion == "block" else "allow"
    out.findings += tier1.findings
    if tier1.unavailable is not None:
        out.reasons.insert(0, f"needs tier 1, which is unavailable: {tier1.unavailable}")
        out.decision = at_least(earlier, "warn")
        return
    out.tier, out.score, out.covered = 1, tier1.score, tier1.covered or out.covered
    if tier1.covered is not None:
        out.reasons.append(f"tier 1 read only characters {tier1.covered[0]}-{tier1.covered[1]} of the text")
    if tier1.opinion == "block":
        out.reasons.insert(0, tier1.findings[0].explanation)
        out.decision = "block"
        return
    if tier1.opinion != "unsure" and not (plan.always_escalate and plan.max_tier >= 2):
        out.decision = earlier
        return
    if tier2 is None:  # not run: --max-tier 1
        out.reasons.insert(0, "needs tier 2: tier 1 is unsure and --max-tier 1 stops here")
        out.decision = at_least(earlier, "warn")
        return
    if tier2.unavailable is not None:
        out.reasons.insert(0, f"needs tier 2, which is unavailable: {tier2.unavailable}")
        out.findings += tier2.findings
        out.decision = at_least(earlier, "warn")
        return
    if tier2.covered is not None and tier1.covered is None:
        out.covered = tier2.covered
        out.reasons.append(f"tier 2 read only part of the text (within characters {tier2.covered[0]}-"
                           f"{tier2.covered[1]})")  # fmt: skip
    decision = _weigh_tier2(out, tier0, tier1, tier2, bands, builtin)
    out.decision = at_least(earlier, at_least(decision, tier2.policy_decision))


def _weigh_tier2(
    out: Outcome, tier0: Reading, tier1: Reading, tier2: Reading, bands: Bands, builtin: Sequence[Policy]
) -> Decision:
    """Combine the evidence of every tier on a text tier 1 left in its grey band; explain the decision."""
    category_of = {p.id: p.category for p in builtin}
    entailments = {pid: p for pid, p in tier2.entailments if pid in category_of}
    evidence = combine_features(tier1.score, tier0.rule_score, tier0.lexical, entailments, category_of)
    combined = bands.combined(evidence)
    decision = bands.tier2(combined)
    out.tier, out.score = 2, combined
    for f in tier2.findings:
        if decision == "allow" and f.rule.removeprefix("policy.") in category_of:
            # entailed, but outweighed: the other tiers' evidence and the other hypotheses say otherwise
            f = replace(f, severity="info", explanation=f"{f.explanation}; outweighed by the other evidence "
                        f"({combined:.0%} likely an attack in all)")  # fmt: skip
        out.findings.append(f)
    strong = [f for f in tier2.findings if decision == "block" or f.rule.removeprefix("policy.") not in category_of]
    if decision == "block" and not any(f.rule.removeprefix("policy.") in category_of for f in strong):
        strong.insert(0, _combined_finding(tier1.findings[0], combined, entailments, builtin))
        out.findings.append(strong[0])
    if strong:
        out.reasons.insert(0, strong[0].explanation)
    return decision


def _combined_finding(
    tier1: Finding, combined: float, entailments: dict[str, float], builtin: Sequence[Policy]
) -> Finding:
    """Why a text was blocked when no single hypothesis was entailed enough to say it alone."""
    by_id = {p.id: p for p in builtin}
    top = max(entailments, key=entailments.__getitem__, default=None)
    if top is not None and entailments[top] < 0.5:
        top = None  # no hypothesis is even likely: tier 1's reading names the category, none is quoted
    hint = f"; closest: {by_id[top].hypothesis} (NLI {entailments[top]:.0%})" if top else ""
    category = finding_category(by_id[top].category) if top else tier1.category
    return Finding("tier2.combined", category, "high", tier1.start, tier1.end,
                   f"tiers 1 and 2 together: {combined:.0%} likely an attack{hint}", tier=2,
                   confidence=round(combined, 4))  # fmt: skip


def _user_policies(out: Outcome, check: Reading) -> None:
    """The user's own policies on a scan tier 2 did not read whole (policy_always): what they ask for."""
    before = out.decision
    out.findings += check.findings
    if check.unavailable is not None:
        out.reasons.append(f"your policies could not be checked: {check.unavailable}")
        out.decision = at_least(out.decision, "warn")
    else:
        if check.findings:  # the strongest fired policy is the first reason
            out.reasons.insert(0, check.findings[0].explanation)
        out.decision = at_least(out.decision, check.policy_decision)
    if out.decision != before:  # a policy of the user's decided: tier 2 did
        out.tier, out.score = 2, max(out.score, check.strongest)
