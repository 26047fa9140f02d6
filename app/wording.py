"""Verdict categories in the words a person reads: shared by the toast, the tray and the clipboard notice.

Kept apart from app/notify.py so the controller can word a block notice
without loading the toast's widgets in a tray app at rest.
"""

from __future__ import annotations

from engine import Verdict

_WORDS = {
    "injection": "prompt injection",
    "jailbreak": "jailbreak",
    "obfuscation": "obfuscated text",
    "secret": "secret",
    "pii": "personal data",
    "input": "text not fully scanned",
    "policy": "your policy",
    "placeholder": "example key (not reported)",
}


def categories_in_words(verdict: Verdict) -> str:
    """The categories as words, e.g. "prompt injection, secret"; "unclear text" when none is named."""
    return ", ".join(_WORDS.get(c, c) for c in verdict.categories) or "unclear text"


def block_notice(verdict: Verdict) -> str:
    """The one line that replaces a blocked text on the clipboard, so a paste shows why instead of the text."""
    return f"[Tierwall blocked this text: {categories_in_words(verdict)}. Undo from the notification or the tray menu]"
