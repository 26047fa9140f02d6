"""Tierwall's detector: `Engine().scan(text) -> Verdict`. Never imports Qt.

The names are imported on first use, so that a process that needs only a part
of the engine (the model host) does not load the rest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.engine import Engine
    from engine.errors import TierwallError
    from engine.verdict import Finding, Verdict

__all__ = ["Engine", "Finding", "TierwallError", "Verdict"]
_HOME = {"Engine": "engine.engine", "Finding": "engine.verdict", "TierwallError": "engine.errors",
         "Verdict": "engine.verdict"}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module 'engine' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value
