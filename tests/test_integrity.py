"""assets/SHA256SUMS: the shipped assets match it, and an engine refuses assets that do not, naming the file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from engine.assets import AssetError, assets_dir
from engine.cli import main
from engine.integrity import MANIFEST, listed_files, problems, require_intact, write_manifest


def test_the_shipped_assets_match_their_manifest():
    """Fails after an asset was changed without `python packaging/build_asset_manifest.py`."""
    assert problems() == []
    listed = listed_files(assets_dir())
    for must in ("rules/secrets.toml", "rules/pii.toml", "normalize/common_words.txt", "normalize/confusables.txt",
                 "signatures/signatures.npz", "tier0/lexicon.json", "bands.toml", "models/manifest.json"):  # fmt: skip
        assert must in listed, must
    assert not any(name.endswith(".md") or name.startswith("models/e5/") for name in listed)


@pytest.fixture()
def assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the assets (the models linked, not copied) that the engine reads instead of the shipped ones."""
    root = tmp_path / "assets"
    shutil.copytree(assets_dir(), root, ignore=shutil.ignore_patterns("models"))
    (root / "models").symlink_to(assets_dir() / "models")
    monkeypatch.setenv("TIERWALL_ASSETS", str(root))
    return root


@pytest.mark.parametrize(
    "name, damage",
    [
        ("rules/secrets.toml", b""),  # emptied: a GitHub token would be allowed
        ("rules/pii.toml", b""),
        ("normalize/common_words.txt", b""),
        ("normalize/confusables.txt", b"\xff\xfe garbage \x00"),
    ],
)
def test_an_engine_refuses_damaged_assets_and_names_the_file(assets: Path, name: str, damage: bytes, capsys):
    from engine import Engine, EngineConfig

    (assets / name).write_bytes(damage)
    with pytest.raises(AssetError, match=name.replace(".", r"\.") + ": sha256"):
        Engine(EngineConfig(data_dir=assets, config_dir=assets))
    assert main(["scan", "--text", "Deploy with token ghp_R4nd0mT0k3nV4lu3xYz1234567890abcdEFGH"]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and name in err and "cannot be trusted" in err
    assert main(["verify"]) == 1
    assert name in capsys.readouterr().out


def test_verify_lists_missing_unlisted_and_changed_files(assets: Path, capsys):
    (assets / "bands.toml").unlink()
    (assets / "rules" / "extra.toml").write_text("[[rule]]\n", encoding="utf-8")
    (assets / "tier0" / "lexicon.json").write_text("{}", encoding="utf-8")
    found = problems(assets)
    assert len(found) == 3
    assert any("bands.toml: missing" in p for p in found)
    assert any("extra.toml: not listed" in p for p in found)
    assert any("lexicon.json: sha256" in p for p in found)
    assert main(["verify", "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False and len(report["problems"]) == 3 and report["model_files"] > 0
    write_manifest(assets)  # after a change on purpose, the manifest is written again
    assert problems(assets) == []
    require_intact(assets)


def test_a_missing_or_garbled_manifest_is_refused(assets: Path):
    (assets / MANIFEST).write_text("not a manifest line\n", encoding="utf-8")
    with pytest.raises(AssetError, match=r"line 1: not '<sha256>  <path"):
        require_intact(assets)
    (assets / MANIFEST).write_text("0" * 64 + "  ../outside.txt\n", encoding="utf-8")
    assert "line 1" in problems(assets)[0]
    (assets / MANIFEST).unlink()
    with pytest.raises(AssetError, match="no asset manifest"):
        require_intact(assets)


def test_the_self_test_says_what_is_wrong_in_one_line(assets: Path, capsys):
    pytest.importorskip("PySide6")
    from app.selftest import run_self_test

    (assets / "rules" / "secrets.toml").write_bytes(b"")
    assert run_self_test() == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "rules/secrets.toml: sha256" in out and out.startswith("self-test: FAILED")
