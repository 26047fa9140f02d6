"""packaging/loso.py: which rows each fold holds out, and how the tier-1 band is chosen on the rest."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.evaluate import Row

_PATH = Path(__file__).resolve().parents[1] / "packaging" / "loso.py"


@pytest.fixture(scope="module")
def loso():
    """The script as a module (packaging/ is not a package: the name belongs to pypa's library)."""
    spec = importlib.util.spec_from_file_location("tierwall_loso", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _row(source: str, label: int, category: str) -> Row:
    return Row(f"text of {source}", label, category, source, 0)


def test_generated_obfuscations_group_by_transform_and_multilingual_probes_are_one_group(loso):
    assert loso.attack_group("obf-base64:s-labs") == "obf-base64"
    assert loso.attack_group("obf-base64:neuralchemy:hackaprompt") == "obf-base64"
    assert loso.attack_group("garak-multilingual:turkish_injection") == "garak-multilingual"
    assert loso.attack_group("neuralchemy:hackaprompt") == "neuralchemy:hackaprompt"
    assert loso.attack_group("tierwall-gen:multilingual", "de") == "lang:de"  # the project's own: by language
    assert loso.attack_group("tierwall-gen:indirect", "en") == "tierwall-gen:indirect"


def test_an_attack_source_is_held_out_whole_and_a_benign_kind_only_its_benign_rows(loso):
    rows = [
        _row("s-labs", 1, "injection"),  # 0
        _row("s-labs", 0, "benign"),  # 1
        _row("obf-leet:s-labs", 1, "obfuscated"),  # 2
        _row("gsm8k", 0, "benign"),  # 3
        _row("gettext:de", 0, "benign_nonenglish"),  # 4
        _row("ud:de", 0, "benign_nonenglish"),  # 5
        _row("garak:dan", 1, "jailbreak"),  # 6
    ]
    groups = {g.name: g for g in loso.make_groups(rows)}
    assert set(groups) == {"s-labs", "obf-leet", "garak:dan", "benign", "benign_nonenglish", loso.GETTEXT}
    s_labs = groups["s-labs"]
    assert s_labs.kind == "attack"
    assert np.flatnonzero(s_labs.held).tolist() == [0, 1]  # its benign row is unseen too
    assert np.flatnonzero(s_labs.scored).tolist() == [0]  # recall is measured on its attacks
    assert np.flatnonzero(groups["obf-leet"].held).tolist() == [2]
    benign = groups["benign"]
    assert benign.kind == "benign" and np.flatnonzero(benign.held).tolist() == [1, 3]
    assert np.flatnonzero(groups[loso.GETTEXT].held).tolist() == [4]
    assert np.flatnonzero(groups["benign_nonenglish"].held).tolist() == [5]


def test_the_band_is_the_lowest_that_keeps_the_rests_fpr_at_one_percent(loso):
    n = 300
    scores = np.linspace(0.0, 0.999, n)
    t0 = np.array(["unsure"] * n, dtype=object)
    forced = np.zeros(n, dtype=bool)
    benign = np.ones(n, dtype=bool)
    band = loso.choose_band(t0, forced, scores, benign)
    fpr = loso.flagged(t0, forced, scores, band)[benign].mean()
    assert fpr <= 0.01 and fpr == 3 / n  # the budget is used, not wasted
    lower = np.nextafter(scores[n - 4], 0.0)  # one more benign row over the line
    assert loso.flagged(t0, forced, scores, lower)[benign].mean() > 0.01


def test_rows_tier_0_decides_alone_use_up_the_budget_first(loso):
    n = 100
    scores = np.linspace(0.0, 0.99, n)
    t0 = np.array(["unsure"] * n, dtype=object)
    t0[:1] = "block"  # one benign row blocked by tier 0: the whole 1 % budget
    forced = np.zeros(n, dtype=bool)
    benign = np.ones(n, dtype=bool)
    band = loso.choose_band(t0, forced, scores, benign)
    assert band > scores.max()  # tier 1 may flag no further benign row
    assert loso.flagged(t0, forced, scores, band).sum() == 1
    forced[1] = True  # a secret in a second one: the target cannot be met, tier 1 flags nothing
    assert loso.choose_band(t0, forced, scores, benign) == 1.0
    allowed = np.array(["allow"] * n, dtype=object)
    assert not loso.flagged(allowed, np.zeros(n, dtype=bool), scores, 0.0).any()  # tier 0 allowed: never flagged


def test_the_mean_counts_each_group_once_and_names_the_groups_below_60_percent(loso):
    common = {"n_attack": 10, "n_benign": 10, "band": 0.8, "rest_fpr": 0.01, "tier0_allowed": 0.5,
              "tier0_blocked": 0.1, "secret_or_pii": 0.0}  # fmt: skip
    results = [
        {**common, "group": "big", "kind": "attack", "recall": 0.9, "fpr": None},
        {**common, "group": "small", "kind": "attack", "recall": 0.5, "fpr": None},
        {**common, "group": "obf-leet", "kind": "attack", "recall": 1.0, "fpr": None, "n_attack": 20},
        {**common, "group": "code", "kind": "benign", "recall": None, "fpr": 0.07},
        {**common, "group": "prose", "kind": "benign", "recall": None, "fpr": 0.01},
    ]
    totals = loso.summary(results)
    assert totals["mean_attack_recall"] == 0.8  # not weighted by rows
    assert totals["mean_attack_recall_without_generated"] == 0.7
    assert totals["pooled_attack_recall"] == 0.85  # (9 + 5 + 20) of 40
    assert totals["mean_benign_fpr"] == 0.04
    assert totals["attack_groups_below_60pct"] == ["small"]
    assert totals["worst_attack_groups"][0] == "small" and totals["worst_benign_groups"][0] == "code"
    table = loso.describe(results, totals)
    assert "mean recall over attack groups: 80.00%" in table and "attack groups below 60 %: small" in table
