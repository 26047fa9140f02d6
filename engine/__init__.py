"""Tierwall's detector: `Engine().scan(text) -> Verdict`. Never imports Qt.

This module is the engine's whole public face: the desktop app (and any other
caller) imports these names from `engine` and nothing from its submodules, so
the modules behind them can move without breaking a caller
(tests/test_architecture.py keeps both sides to that).

The names are imported on first use, so that a process that needs only a part
of the engine (the model host, a tray at rest) does not load the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine import procmem as procmem
    from engine.about import version
    from engine.assets import assets_dir
    from engine.config import EngineConfig, config_dir, data_dir
    from engine.digest import sha256
    from engine.engine import Engine
    from engine.errors import TierwallError
    from engine.history import HISTORY_FILE, IN_MEMORY, AllowItem, History, HistoryRow
    from engine.integrity import require_intact
    from engine.model_types import ModelEvent, ModelInfo, Snapshot
    from engine.userfiles import read_json, set_aside, write_atomic
    from engine.verdict import SENSITIVE_CATEGORIES, Finding, Verdict

__all__ = [
    "HISTORY_FILE", "IN_MEMORY", "SENSITIVE_CATEGORIES",
    "AllowItem", "Engine", "EngineConfig", "Finding", "History", "HistoryRow", "ModelEvent", "ModelInfo", "Snapshot",
    "TierwallError", "Verdict",
    "assets_dir", "config_dir", "data_dir", "procmem", "read_json", "require_intact", "set_aside", "sha256",
    "version", "write_atomic",
]  # fmt: skip
_HOME = {  # name -> the module that defines it
    # scanning: the engine, its verdicts, its one exception root
    "Engine": "engine.engine", "EngineConfig": "engine.config", "TierwallError": "engine.errors",
    "Finding": "engine.verdict", "Verdict": "engine.verdict", "SENSITIVE_CATEGORIES": "engine.verdict",
    # the models' state as their users see it (the ModelManager or the model host behind Engine.models)
    "ModelEvent": "engine.model_types", "ModelInfo": "engine.model_types", "Snapshot": "engine.model_types",
    # the scan history (SQLite, redacted excerpts only) and the allowlist's labels
    "AllowItem": "engine.history", "History": "engine.history", "HistoryRow": "engine.history",
    "IN_MEMORY": "engine.history",
    # where the user's files live, and how they are read and written (bounded, atomic, a bad one set aside)
    "HISTORY_FILE": "engine.history", "config_dir": "engine.config", "data_dir": "engine.config",
    "read_json": "engine.userfiles", "set_aside": "engine.userfiles", "write_atomic": "engine.userfiles",
    # the assets: where they are, and the check that they are intact
    "assets_dir": "engine.assets", "require_intact": "engine.integrity",
    # process memory figures and heap handling as one namespace (the module itself): procmem.rss_mib() …
    "procmem": "engine.procmem",
    # a text's digest without loading OpenSSL (3.6 MiB in every process that maps it)
    "sha256": "engine.digest",
    # this install's version (package metadata), or None in a checkout never installed
    "version": "engine.about",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    import importlib

    module = importlib.import_module(_HOME[name])
    value = module if module.__name__ == f"engine.{name}" else getattr(module, name)
    globals()[name] = value
    return value
