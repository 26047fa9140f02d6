"""EngineConfig: one object sets an Engine up, and engine/config.py is the one place the environment is read."""

from __future__ import annotations

import ast
from pathlib import Path

from engine import Engine, EngineConfig

ENGINE = Path(__file__).resolve().parents[1] / "engine"


def _reads_environment(path: Path) -> bool:
    """Does the module touch os.environ or os.getenv?"""
    return any(
        isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv")
        and isinstance(node.value, ast.Name) and node.value.id == "os"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    )  # fmt: skip


def test_the_directories_default_to_what_the_environment_says_when_the_config_is_made(tmp_path, monkeypatch):
    monkeypatch.setenv("TIERWALL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TIERWALL_CONFIG_DIR", str(tmp_path / "config"))
    config = EngineConfig()
    assert (config.data_dir, config.config_dir) == (tmp_path / "data", tmp_path / "config")
    monkeypatch.setenv("TIERWALL_DATA_DIR", str(tmp_path / "elsewhere"))
    assert config.data_dir == tmp_path / "data"  # made once: a later change of the environment does not move it
    assert EngineConfig(data_dir=tmp_path / "mine").data_dir == tmp_path / "mine"


def test_the_engine_keeps_its_users_files_where_its_config_says(tmp_path):
    engine = Engine(EngineConfig(data_dir=tmp_path / "d", config_dir=tmp_path / "c", policy_always=True))
    engine.list_text("a text on my denylist", "deny")
    engine.policies.add("This text mentions a fruit.", "warn")
    assert (tmp_path / "d" / "lists.json").is_file() and (tmp_path / "c" / "policies.json").is_file()
    assert engine.policy_always and engine.config.idle_timeout_s == 60.0


def test_only_engine_config_reads_the_environment():
    readers = sorted(
        str(p.relative_to(ENGINE))
        for p in ENGINE.rglob("*.py")
        if p.name != "config.py" and "cli" not in p.relative_to(ENGINE).parts and _reads_environment(p)
    )
    # the CLI reads its own variables (colour, debugging); these two hand the environment on to a child process
    # (the bench's measuring child, the model host) and read nothing in it
    assert readers == ["bench.py", "host/process.py"], readers
