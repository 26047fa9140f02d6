"""Bands: the one place scores become decisions, loaded from assets/bands.toml."""

from __future__ import annotations

import re

import pytest

from engine.assets import AssetError, assets_dir
from engine.decide import Bands, at_least
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


def test_at_least():
    assert at_least("allow", "warn") == "warn"
    assert at_least("block", "warn") == "block"


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
        ("tier1", "block_at", "0.5", "tier1 allow_below <= block_at"),
        ("tier1", "max_windows", "0", "max_windows >= 1"),
        ("engine", "cache_size", '"big"', "invalid entry"),
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
