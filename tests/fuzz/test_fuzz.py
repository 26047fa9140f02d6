"""The fuzz properties, a short run in `make test` (Hypothesis); `make fuzz` runs them on 200,000+ inputs.

TIERWALL_FUZZ_EXAMPLES sets how many examples each property gets here (default: a couple of hundred).
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

import inputs
import properties as props

EXAMPLES = int(os.environ.get("TIERWALL_FUZZ_EXAMPLES", "200"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
MODEL_FUZZ = settings(max_examples=max(4, EXAMPLES // 25), deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def _assert_none(problems: list[str], text: str) -> None:
    assert not problems, f"{problems} on {text!r}"


@FUZZ
@given(text=st.text(max_size=400))
def test_any_text_scans_and_its_spans_point_into_it(engine, text):
    verdict, problems = props.scanned(engine, text, max_tier=0)
    assert verdict is not None, problems
    _assert_none(props.well_formed(text, verdict) + props.cache_agrees(engine, text, verdict, max_tier=0), text)


@FUZZ
@given(seed=SEEDS)
def test_mutated_seeds_scan_well_formed(engine, seed):
    text = inputs.engine_input(random.Random(seed))
    verdict, problems = props.scanned(engine, text, max_tier=0)
    assert verdict is not None, problems
    _assert_none(props.well_formed(text, verdict), text)


@FUZZ
@given(seed=SEEDS)
def test_planted_secrets_and_personal_data_are_found_and_masked(engine, seed):
    case = inputs.planted(random.Random(seed))
    verdict, problems = props.scanned(engine, case.text, max_tier=0)
    assert verdict is not None, problems
    found = props.well_formed(case.text, verdict) + props.finds_planted(case.text, case.values, verdict)
    _assert_none(found, case.text)


@FUZZ
@given(seed=SEEDS)
def test_an_attack_appended_to_benign_text_never_lowers_tier0s_decision(engine, seed):
    benign, attack = inputs.with_attack(random.Random(seed))
    _assert_none(props.attack_counts(engine, benign, attack, max_tier=0), f"{benign} {attack}")


@pytest.mark.parametrize("attack", inputs.ATTACKS)
def test_every_clear_seed_attack_after_benign_text_is_blocked(engine, attack):
    """The issue's own cases, for every seed attack: one benign sentence before a clear attack never lowers
    the decision (and for every attack, never below the benign sentence's own)."""
    for benign in ("Thanks for the summary of the meeting notes.", inputs.BENIGN[1]):
        _assert_none(props.attack_counts(engine, benign, attack), f"{benign} {attack}")


@MODEL_FUZZ
@given(seed=SEEDS)
def test_the_model_tiers_keep_the_properties(engine, seed):
    rng = random.Random(seed)
    text = inputs.engine_input(rng)[:2000]
    verdict, problems = props.scanned(engine, text, always_escalate=True)
    assert verdict is not None, problems
    _assert_none(props.well_formed(text, verdict) + props.cache_agrees(engine, text, verdict, always_escalate=True),
                 text)  # fmt: skip
    benign, attack = inputs.with_attack(rng)
    _assert_none(props.attack_counts(engine, benign, attack), f"{benign} {attack}")
