"""Tierwall's detector: `Engine().scan(text) -> Verdict`. Never imports Qt."""

from engine.engine import Engine
from engine.errors import TierwallError
from engine.verdict import Finding, Verdict

__all__ = ["Engine", "Finding", "TierwallError", "Verdict"]
