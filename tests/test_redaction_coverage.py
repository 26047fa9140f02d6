"""Every kind of secret and personal data Tierwall finds is masked by redaction, with its type's label.

The examples are the rules' own must_match lines (every rule file under assets/rules), so a rule added
later is covered the day it lands: found means masked, or this fails.
"""

from __future__ import annotations

import pytest

from engine.normalize import normalize
from engine.rules import RuleSet, load_rules
from engine.verdict import SENSITIVE_CATEGORIES

SENSITIVE_RULES = [r for r in load_rules() if r.category in SENSITIVE_CATEGORIES]
RULESET = RuleSet(load_rules())


def test_there_are_sensitive_rules_and_each_has_a_redaction_label() -> None:
    assert len(SENSITIVE_RULES) > 100  # the hand-written rules and the vendor formats
    unlabelled = [r.id for r in SENSITIVE_RULES if not r.redact]
    assert not unlabelled, f"rules that would leave their value in the redacted text: {unlabelled}"


@pytest.mark.parametrize("rule", SENSITIVE_RULES, ids=lambda r: r.id)
def test_each_example_is_masked_with_its_label(engine, rule) -> None:
    for example in rule.must_match:
        verdict = engine.scan(example, max_tier=0)
        # the rule's own spans, also where the verdict reports the secret under a stronger rule
        found = [f for f in RULESET.match(normalize(example), merge=False) if f.rule == rule.id]
        assert found, f"{rule.id} did not find its own example {example!r}"
        for f in found:
            value = example[f.start : f.end]
            assert value not in verdict.redacted, f"{rule.id}: {value!r} survives in {verdict.redacted!r}"
        assert f"[{rule.redact}]" in verdict.redacted or any(
            f"[{g.redact_as}]" in verdict.redacted for g in verdict.findings if g.redact_as
        )


def test_one_text_with_every_type_keeps_none_of_them(engine) -> None:
    """All examples in one paste (a log dump, a support thread): nothing found survives, every label shows."""
    examples = [(rule, example) for rule in SENSITIVE_RULES for example in rule.must_match[:1]]
    text = "\n".join(example for _, example in examples)
    verdict = engine.scan(text, max_tier=0)
    assert verdict.decision != "allow"
    values = {text[f.start : f.end] for f in verdict.findings if f.category in SENSITIVE_CATEGORIES}
    assert len(values) >= len({r.redact for r, _ in examples}) // 2  # the paste is not shortened into silence
    survivors = sorted(v for v in values if v in verdict.redacted)
    assert not survivors, survivors[:10]
