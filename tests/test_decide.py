"""decide.py: every escalation and decision rule, from hand-made readings and findings, without a model."""

from __future__ import annotations

from dataclasses import replace

import pytest

from engine.bands import Bands
from engine.decide import Plan, at_least, decide, next_step
from engine.model_files import ModelUnavailable
from engine.policies import load_builtin
from engine.tiers.reading import Reading, unavailable
from engine.verdict import Finding

BANDS = Bands.load()
BUILTIN = load_builtin()
ATTACK = Finding("inj.ignore_previous", "injection", "critical", 0, 10, "ignores earlier instructions")
T1_FINDING = Finding("tier1.embedding", "injection", "medium", 0, 10, "embedding classifier", tier=1)
SECRET = Finding("secret.github_token", "secret", "critical", 20, 60, "a GitHub token", redact_as="SECRET:github")


def t0(opinion: str = "unsure", *findings: Finding, score: float = 0.5, lexical: float = 0.2) -> Reading:
    return Reading("tier0", opinion, score, findings, rule_score=score, lexical=lexical)  # type: ignore[arg-type]


def t1(opinion: str = "unsure", score: float = 0.6, covered: tuple[int, int] | None = None) -> Reading:
    return Reading("tier1", opinion, score, (T1_FINDING,), covered, windows=((0, 10, score),))  # type: ignore[arg-type]


def t2(entailment: float, *, policy_decision: str = "allow", findings: tuple[Finding, ...] = ()) -> Reading:
    ents = tuple((p.id, entailment) for p in BUILTIN)
    return Reading("tier2", "allow", entailment, findings, entailments=ents,
                   policy_decision=policy_decision, strongest=entailment)  # type: ignore[arg-type]  # fmt: skip


def down(step: str) -> Reading:
    return unavailable(step, ModelUnavailable("the model host died"))  # type: ignore[arg-type]


def run(readings: list[Reading], plan: Plan | None = None, **kw):
    return decide(readings, plan or Plan(), BANDS, BUILTIN, **kw)


@pytest.mark.parametrize(
    ("readings", "plan", "expected"),
    [
        ([t0("allow")], Plan(), None),
        ([t0("block", ATTACK)], Plan(), None),
        ([t0("unsure")], Plan(), "tier1"),
        ([t0("unsure")], Plan(max_tier=0), None),
        ([t0("allow")], Plan(always_escalate=True), "tier1"),
        ([t0("unsure")], Plan(listed="allow"), None),  # a listed text is read by tier 0 alone
        ([t0("unsure"), t1("unsure")], Plan(), "tier2"),
        ([t0("unsure"), t1("unsure")], Plan(max_tier=1), None),
        ([t0("unsure"), t1("allow")], Plan(), None),
        ([t0("unsure"), t1("allow")], Plan(always_escalate=True), "tier2"),
        ([t0("unsure"), t1("block")], Plan(always_escalate=True), None),
        ([t0("unsure"), down("tier1")], Plan(), None),
        ([t0("allow")], Plan(policy_always=True, user_policies=True), "policies"),
        ([t0("allow")], Plan(policy_always=True, user_policies=False), None),
        ([t0("unsure"), t1("block")], Plan(policy_always=True, user_policies=True), "policies"),
        ([t0("unsure"), t1("unsure"), t2(0.1)], Plan(policy_always=True, user_policies=True), None),  # read with tier 2
        ([t0("unsure"), t1("unsure"), down("tier2")], Plan(policy_always=True, user_policies=True), "policies"),
        ([t0("allow"), replace(t2(0.1), step="policies")], Plan(policy_always=True, user_policies=True), None),
    ],
)
def test_next_step_escalates_only_what_a_tier_was_unsure_of(readings, plan, expected):
    assert next_step(readings, plan) == expected


def test_tier0_alone_allows_blocks_and_warns_when_it_may_not_go_on():
    assert run([t0("allow", score=0.0)]).decision == "allow"
    blocked = run([t0("block", ATTACK, score=0.97)])
    assert (blocked.decision, blocked.tier) == ("block", 0)
    assert blocked.reasons[0] == "ignores earlier instructions (inj.ignore_previous)"
    stopped = run([t0("unsure")], Plan(max_tier=0))
    assert stopped.decision == "warn" and stopped.reasons[0].startswith("needs tier 1")


def test_the_users_lists_decide_outright():
    assert run([t0("block", ATTACK)], Plan(listed="allow")).decision == "allow"
    denied = run([t0("allow")], Plan(listed="deny"))
    assert (denied.decision, denied.reasons[0]) == ("block", "on your denylist")


def test_a_leak_is_at_least_a_warning_even_on_the_allowlist():
    out = run([t0("allow", SECRET, score=0.0)], Plan(listed="allow"))
    assert out.decision == "warn" and "contains secrets" in out.reasons


def test_tier1_blocks_allows_or_hands_over_to_tier2():
    blocked = run([t0(), t1("block", 0.99)])
    assert (blocked.decision, blocked.tier, blocked.score) == ("block", 1, 0.99)
    assert run([t0(), t1("allow", 0.01)]).decision == "allow"
    stopped = run([t0(), t1("unsure")], Plan(max_tier=1))
    assert stopped.decision == "warn" and stopped.reasons[0].startswith("needs tier 2")


def test_a_block_by_tier0_stands_whatever_the_models_say():
    out = run([t0("block", ATTACK, score=0.97), t1("allow", 0.01), t2(0.0)], Plan(always_escalate=True))
    assert out.decision == "block"


@pytest.mark.parametrize("broken", ["tier1", "tier2"])
def test_a_tier_that_could_not_run_makes_it_a_warning_and_says_why(broken):
    readings = [t0(), down("tier1")] if broken == "tier1" else [t0(), t1(), down("tier2")]
    out = run(readings)
    assert out.decision == "warn"
    assert out.reasons[0] == f"needs tier {broken[-1]}, which is unavailable: the model host died"
    assert any(f.rule == "input.model_unavailable" for f in out.findings)


def test_tier2_weighs_the_evidence_of_every_tier():
    entailed = run([t0(), t1("unsure", 0.8), t2(0.99)])
    assert (entailed.decision, entailed.tier) == ("block", 2)
    cleared = run([t0(score=0.0, lexical=0.01), t1("unsure", 0.3), t2(0.0)])
    assert (cleared.decision, cleared.tier) == ("allow", 2)
    assert cleared.score < entailed.score


def test_an_entailed_hypothesis_outweighed_by_the_rest_is_said_as_info():
    policy = BUILTIN[0]
    fired = Finding(f"policy.{policy.id}", "injection", "high", 0, 10, policy.hypothesis, tier=2)
    out = run([t0(score=0.0, lexical=0.01), t1("unsure", 0.3), t2(0.0, findings=(fired,))])
    assert out.decision == "allow"
    said = next(f for f in out.findings if f.rule == fired.rule)
    assert said.severity == "info" and "outweighed" in said.explanation


def test_a_user_policy_decides_by_its_own_action():
    out = run([t0(), t1("unsure", 0.3), t2(0.0, policy_decision="warn")])
    assert out.decision == "warn"


def test_the_users_policies_checked_on_every_scan():
    mine = Finding("policy.no_salaries", "policy", "medium", 0, 5, "mentions salaries", tier=2)
    check = Reading("policies", "allow", 0.0, (mine,), policy_decision="warn", strongest=0.9)
    out = run([t0("allow", score=0.0), check], Plan(policy_always=True, user_policies=True))
    assert (out.decision, out.tier, out.score, out.reasons[0]) == ("warn", 2, 0.9, "mentions salaries")
    failed = run([t0("allow", score=0.0), down("policies")], Plan(policy_always=True, user_policies=True))
    assert failed.decision == "warn" and failed.reasons[-1].startswith("your policies could not be checked")


def test_a_text_not_read_whole_is_never_allowed_unless_allowlisted():
    cut = run([t0("allow", score=0.0)], covered=(0, 100), reasons=["not fully scanned"])
    assert cut.decision == "warn" and cut.reasons[0] == "not fully scanned"
    assert run([t0("allow", score=0.0)], decoded_partly=True).decision == "warn"
    assert run([t0("allow", score=0.0)], Plan(listed="allow"), covered=(0, 100)).decision == "allow"
    partly = run([t0(), t1("allow", 0.01, covered=(0, 2000))])
    assert partly.decision == "warn" and partly.covered == (0, 2000)


def test_at_least():
    assert at_least("allow", "warn") == "warn"
    assert at_least("block", "warn") == "block"


# -- the floors and the lists: every scan's last word ------------------------------------------------------
def _f(rule: str, category: str, severity: str = "low", explanation: str = "x") -> Finding:
    return Finding(rule, category, severity, 0, 1, explanation)


def test_lists_decide_outright_and_say_so_first():
    from engine.decide import list_decision

    assert list_decision("deny") == ("block", "on your denylist")
    assert list_decision("allow") == ("allow", "on your allowlist")
    assert list_decision(None) is None


def test_a_text_not_read_whole_is_never_allowed_unless_the_user_allowlisted_it():
    from engine.decide import apply_floors

    assert apply_floors("allow", [], listed=None, partly_read=True) == ("warn", [])
    assert apply_floors("allow", [], listed="allow", partly_read=True) == ("allow", [])
    assert apply_floors("block", [], listed=None, partly_read=True) == ("block", [])
    assert apply_floors("allow", [], listed=None, partly_read=False) == ("allow", [])


def test_secrets_personal_data_and_a_missing_redacted_copy_each_warn_with_their_reason():
    from engine.decide import apply_floors
    from engine.verdict import REDACTION_INCOMPLETE

    decision, reasons = apply_floors("allow", [_f("secret.x", "secret"), _f("pii.y", "pii")], listed=None,
                                     partly_read=False)  # fmt: skip
    assert decision == "warn" and reasons == ["contains personal data and secrets"]
    decision, reasons = apply_floors("allow", [_f(REDACTION_INCOMPLETE, "input", explanation="too many")],
                                     listed="allow", partly_read=False)  # fmt: skip
    assert decision == "warn" and reasons == ["no redacted copy: too many"]  # even on the allowlist


def test_placeholders_are_said_and_decide_nothing():
    from engine.decide import apply_floors
    from engine.verdict import PLACEHOLDER

    found = [_f("secret.test_card", PLACEHOLDER, "info", "a public test card"), _f("p", PLACEHOLDER, "info", "a")]
    assert apply_floors("allow", found, listed=None, partly_read=False) == ("allow", ["a", "a public test card"])


def test_only_the_users_own_policies_decide_and_block_wins():
    from types import SimpleNamespace as P

    from engine.decide import user_policy_decision

    builtin = P(builtin=True, action="block")
    assert user_policy_decision([builtin]) == "allow"  # a built-in hypothesis is evidence, not a decision
    assert user_policy_decision([P(builtin=False, action="warn")]) == "warn"
    assert user_policy_decision([P(builtin=False, action="warn"), P(builtin=False, action="block")]) == "block"
    assert user_policy_decision([]) == "allow"


def test_a_quoted_critical_phrase_is_lowered_to_high_but_a_quoted_secret_is_not():
    from engine.decide import lower_quoted

    found = [_f("inj.ignore", "injection", "critical", "ignores"), _f("secret.k", "secret", "critical", "a key"),
             _f("inj.other", "injection", "critical", "other")]  # fmt: skip
    out = lower_quoted(found, lambda f: f.rule != "inj.other")
    assert [(f.rule, f.severity) for f in out] == [("inj.ignore", "high"), ("secret.k", "critical"),
                                                   ("inj.other", "critical")]  # fmt: skip
    assert out[0].explanation.endswith("(quoted: perhaps mentioned, not meant)")
