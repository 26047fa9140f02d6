"""Bands: the one place scores become decisions, loaded from assets/bands.toml."""

from __future__ import annotations

import shutil

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


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("unsure_at = 0.3", "unsure_at = 0.95", "unsure_at <= block_at"),
        ("block_at = 0.98\n", "block_at = 0.5\n", "tier1 allow_below <= block_at"),
        ("max_windows = 32", "max_windows = 0", "max_windows >= 1"),
        ("cache_size = 512", "cache_size = \"big\"", "invalid entry"),
    ],
)
def test_a_bad_bands_file_is_a_clear_error(tmp_path, monkeypatch, old, new, message):
    copy = tmp_path / "assets"
    copy.mkdir()
    shutil.copy(assets_dir() / "bands.toml", copy / "bands.toml")
    text = (copy / "bands.toml").read_text()
    assert old in text
    (copy / "bands.toml").write_text(text.replace(old, new, 1))
    monkeypatch.setenv("TIERWALL_ASSETS", str(copy))
    with pytest.raises(AssetError, match=message):
        Bands.load()
