"""The root of every error the engine raises on purpose: `except TierwallError` catches them all.

Each keeps the built-in base it had (RuntimeError, ValueError), so code that caught those still does.
"""

from __future__ import annotations


class TierwallError(Exception):
    """Something the engine could not do; the message names the file or the cause."""
