"""Bands: the thresholds and weights of assets/bands.toml, and each tier's band for a score."""

from __future__ import annotations

import re

import pytest

from engine.assets import AssetError, assets_dir
from engine.bands import COMBINE_FEATURES, Bands, combine_features
from engine.verdict import Finding


def _finding(rule: str, severity: str, category: str = "injection") -> Finding:
    return Finding(rule, category, severity, 0, 1, "x")


def test_shipped_bands_are_ordered():
    b = Bands.load()
    assert 0 < b.unsure_at <= b.block_at <= 1
    assert 0 < b.tier1_allow_below <= b.tier1_block_at <= 1
    assert b.tier0(0.0, 0.0) == "allow"
    assert b.tier0(b.block_at, 0.0) == "block"
    assert b.tier0(0.0, b.lexical_unsure_at) == "unsure"  # the lexical prior never blocks
    assert b.tier0(0.0, 1.0) == "unsure"
    assert (b.tier1(0.0), b.tier1(b.tier1_allow_below), b.tier1(b.tier1_block_at)) == ("allow", "unsure", "block")


def test_secrets_and_input_findings_do_not_add_to_the_attack_score():
    b = Bands.load()
    assert b.attack_score([_finding("secret.x", "critical", "secret"), _finding("input.x", "low", "input")]) == 0.0
    assert b.attack_score([_finding("inj.x", "critical")]) == pytest.approx(b.severity_weight["critical"])


def _set(text: str, section: str, key: str, value: str) -> str:
    """bands.toml with one entry of one section given another value (whatever the shipped value is)."""
    head = text.index(f"[{section}]\n")
    edited, n = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", text[head:], count=1)
    assert n == 1, f"no {key} in [{section}]"
    return text[:head] + edited


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("tier0", "unsure_at", "0.95", "unsure_at <= block_at"),
        ("tier1", "block_at", "0.3", "tier1 allow_below <= block_at"),
        ("tier1", "max_windows", "0", "max_windows >= 1"),
        ("engine", "cache_size", '"big"', "invalid entry"),
        ("combine", "weights", "[1.0, 2.0]", "7 weights"),
        ("combine", "block_at_probability", "1.0", "block_at_probability < 1"),
    ],
)
def test_a_bad_bands_file_is_a_clear_error(tmp_path, monkeypatch, section, key, value, message):
    copy = tmp_path / "assets"
    copy.mkdir()
    text = (assets_dir() / "bands.toml").read_text()
    (copy / "bands.toml").write_text(_set(text, section, key, value))
    monkeypatch.setenv("TIERWALL_ASSETS", str(copy))
    with pytest.raises(AssetError, match=message):
        Bands.load()


CATEGORY_OF = {"inj.a": "injection", "inj.b": "injection", "jb.a": "jailbreak", "obf.a": "obfuscated"}


def test_combine_features_take_the_strongest_entailment_per_category_and_the_mean():
    x = combine_features(0.5, 0.35, 0.5, {"inj.a": 0.2, "inj.b": 0.9, "jb.a": 0.1, "obf.a": 0.0}, CATEGORY_OF)
    assert len(x) == len(COMBINE_FEATURES)
    named = dict(zip(COMBINE_FEATURES, x, strict=True))
    assert named["tier1_logit"] == pytest.approx(0.0) and named["lexical_logit"] == pytest.approx(0.0)
    assert (named["rule_score"], named["injection"], named["jailbreak"], named["obfuscated"]) == (0.35, 0.9, 0.1, 0.0)
    assert named["mean_entailment"] == pytest.approx(0.3)
    assert combine_features(1.0, 0, 0.0, {}, CATEGORY_OF)[0] < 10  # certain probabilities stay finite
    unknown = combine_features(0.5, 0, 0.5, {"user-1": 0.99}, CATEGORY_OF)  # a user's policy is not this evidence
    assert unknown[3:6] == [0.0, 0.0, 0.0]


def test_the_shipped_combination_weighs_one_entailed_hypothesis_above_many_entailed_alike():
    """The licence pattern: many hypotheses entailed alike is what the NLI model does on imperative prose.

    With the same strongest entailment per category and the same evidence from tiers 0 and 1, the text
    that entails only the one hypothesis is the stronger sign of an attack; and a text tier 1 cleared is
    never read by tier 2.
    """
    b = Bands.load()
    one = {"inj.a": 0.97, "inj.b": 0.1, "jb.a": 0.05, "obf.a": 0.02}
    alike = {"inj.a": 0.97, "inj.b": 0.97, "jb.a": 0.05, "obf.a": 0.02}
    attack = b.combined(combine_features(b.tier1_allow_below, 0.0, 0.2, one, CATEGORY_OF))
    licence = b.combined(combine_features(b.tier1_allow_below, 0.0, 0.2, alike, CATEGORY_OF))
    assert attack > licence
    assert b.tier2(attack) == "block"
    assert b.tier1(b.tier1_allow_below - 0.01) == "allow"  # below the grey band no entailment is asked for


def test_combined_probability_rises_with_each_piece_of_evidence():
    b = Bands.load()
    base = combine_features(0.8, 0.0, 0.3, {"inj.a": 0.3, "inj.b": 0.1, "jb.a": 0.1, "obf.a": 0.1}, CATEGORY_OF)
    p0 = b.combined(base)
    stronger_tier1 = combine_features(0.97, 0.0, 0.3, {"inj.a": 0.3, "inj.b": 0.1, "jb.a": 0.1, "obf.a": 0.1},
                                      CATEGORY_OF)  # fmt: skip
    stronger_nli = combine_features(0.8, 0.0, 0.3, {"inj.a": 0.95, "inj.b": 0.1, "jb.a": 0.1, "obf.a": 0.1},
                                    CATEGORY_OF)  # fmt: skip
    assert b.combined(stronger_tier1) > p0 and b.combined(stronger_nli) > p0
