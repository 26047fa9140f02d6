"""What a verdict for a copied text does: warn, mask secrets, or take a blocked text off the clipboard.

The policy acts on the verdict alone, at once: it never waits on storage or a model, so a risky copy is
warned about first, whatever the history does. The clipboard is changed, and the tray shows a risk, only while
the clipboard still holds the text that was scanned: the user may have copied something else meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.clipboard import ClipboardGuard
from app.lists import ListsController
from app.settings import Settings
from app.theme import STYLE_SHEET
from app.tray import Tray
from app.wording import block_notice, categories_in_words
from app.worker import ScanResult
from engine import SENSITIVE_CATEGORIES

if TYPE_CHECKING:  # built on the first warning: a tray app at rest loads no toast code
    from app.notify import Toast

UNDO_MS = 10000  # how long a block that replaced the clipboard can be undone
# Clipboard changes the guard does not scan: whatever risky text was there is gone all the same.
CLIPBOARD_GONE = frozenset({"not text", "empty", "paused", "clipboard watching is off"})


def needs_sanitizing(result: ScanResult) -> bool:
    """True when the text holds secrets or personal data that the redacted copy masks."""
    sensitive = any(f.category in SENSITIVE_CATEGORIES for f in result.verdict.findings)
    redacted = result.verdict.redacted
    return sensitive and redacted is not None and redacted != result.text


def masking_suffices(result: ScanResult) -> bool:
    """True when secrets or personal data that the redaction masks are the only reason for the verdict, so the
    redacted copy is safe to paste (an attack, a denylisted or a partly scanned text stays risky when masked)."""
    categories = set(result.verdict.categories)
    return (bool(categories) and categories <= SENSITIVE_CATEGORIES and needs_sanitizing(result)
            and "on your denylist" not in result.verdict.reasons)  # fmt: skip


def ask_allow_blocked(result: ScanResult) -> bool:
    """Allowing a blocked text turns its protection off for good, so it takes a second, deliberate yes."""
    from PySide6.QtWidgets import QMessageBox

    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    answer = QMessageBox.question(
        None, "Allow a blocked text?",
        f"Tierwall blocked this text ({categories_in_words(result.verdict)}).\n\nAllowing it puts it on your "
        "allowlist: copying it again will no longer be blocked or warned about. You can remove it under "
        "Settings & policies.\n\nAllow it?", buttons, QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


@dataclass(frozen=True, slots=True)
class Replacement:
    """What a block wrote over a text on the clipboard, and what Undo (or allowing it) puts back."""

    result: ScanResult
    written: str  # the redacted text or the one-line notice
    restore: str  # the original text; with auto-masking on, its redacted copy


class ClipboardPolicy(QObject):
    """Acts on each clipboard verdict and on the user's answers to it (Undo, Allow, Mask) from the toast or tray."""

    handled = Signal(object)  # ScanResult of a clipboard scan, after the policy acted on it
    notified = Signal(object)  # ScanResult the user was warned about
    sanitized = Signal(object)  # ScanResult whose clipboard text was replaced by its redacted copy
    blocked = Signal(object)  # ScanResult whose blocked text was taken off the clipboard
    undone = Signal(object)  # ScanResult whose blocked text Undo put back on the clipboard
    details_requested = Signal(object)  # ScanResult the user wants to see on the scan page

    def __init__(
        self, guard: ClipboardGuard, tray: Tray, lists: ListsController, settings: Callable[[], Settings],
        parent: QObject | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.guard = guard
        self.tray = tray
        self.lists = lists
        self.settings = settings  # the settings in force now
        self.confirm_allow: Callable[[ScanResult], bool] = ask_allow_blocked  # replaceable: tests answer for the user
        self._toast: Toast | None = None
        self._replaced: Replacement | None = None  # the block replacement the clipboard holds, if it still does
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.timeout.connect(self._end_undo)
        guard.skipped.connect(lambda why: self._show_clipboard("clean") if why in CLIPBOARD_GONE else None)
        lists.allowed.connect(self._allowed)

    @property
    def toast(self) -> Toast:
        """The notification panel, built on first use."""
        if self._toast is None:
            from app.notify import Toast

            self._toast = Toast()
            self._toast.setStyleSheet(STYLE_SHEET)
            self._toast.replace_requested.connect(self.replace_with_redacted)
            self._toast.allow_requested.connect(self.allow_text)
            self._toast.undo_requested.connect(lambda _: self.undo_block())
            self._toast.details_requested.connect(self.details_requested)
        return self._toast

    def close(self) -> None:
        self._undo_timer.stop()
        if self._toast is not None:
            self._toast.hide()

    # -- a verdict -----------------------------------------------------------------------
    def handle(self, result: ScanResult) -> None:
        """Block, mask or warn for a clipboard verdict (any other source is not the policy's business)."""
        if result.source != "clipboard":
            return
        decision = result.verdict.decision
        settings = self.settings()
        if decision == "allow":
            self._show_clipboard("clean")
        else:
            still_there = self.guard.current_text() == result.text
            risky = "blocked" if decision == "block" else "warning"
            sanitize = settings.auto_sanitize and needs_sanitizing(result)
            masked_unasked = sanitize and masking_suffices(result)  # auto-masking alone makes it safe: it does so
            if still_there and decision == "block" and settings.replace_blocked and not masked_unasked:
                self._block(result)
            elif still_there and sanitize:
                self.replace_with_redacted(result)
                self.sanitized.emit(result)
                if masking_suffices(result):
                    self.tray.notify("Tierwall masked your clipboard", "secrets and personal data were masked")
                else:  # masking fixed the leak, not the attack
                    self._show_clipboard(risky)
                    self._warn(result)
            else:
                if still_there:
                    self._show_clipboard(risky)
                self._warn(result)
        self.handled.emit(result)

    def _warn(self, result: ScanResult) -> None:
        if not self.settings().notifications:
            return
        self.toast.present(result)  # carries the actions; a native balloon as well would say it twice
        self.notified.emit(result)

    def _block(self, result: ScanResult) -> None:
        """Take a blocked text off the clipboard: its redacted copy where masking is all it needs, else a one-line
        notice that says why. Undo can put it back for UNDO_MS."""
        verdict = result.verdict
        masked = masking_suffices(result)
        written = verdict.redacted if masked else block_notice(verdict)
        restore = verdict.redacted if self.settings().auto_sanitize and needs_sanitizing(result) else result.text
        self.guard.write(written)
        self._show_clipboard("removed")
        self._replaced = Replacement(result, written, restore)
        self._undo_timer.start(UNDO_MS)
        self.tray.set_undo(True)
        self.blocked.emit(result)
        if self.settings().notifications:
            self.toast.present(result, replaced="masked" if masked else "removed", undo_ms=UNDO_MS)
            self.notified.emit(result)

    # -- the user's answers ----------------------------------------------------------------
    def undo_block(self) -> bool:
        """Put the blocked text back on the clipboard, once and without scanning it again. It is not an allow: a
        later copy of it is blocked as before. False when the time is up or the clipboard has changed since."""
        replaced = self._replaced
        if replaced is None or not self._undo_timer.isActive() or self.guard.current_text() != replaced.written:
            self._end_undo()
            return False
        self.guard.write(replaced.restore)
        self._show_clipboard("blocked")  # the risky text is back, by the user's choice
        self.undone.emit(replaced.result)
        return True

    def allow_text(self, result: ScanResult) -> bool:
        """The notification's "Allow this text": one click for a warning, a confirmation for a block."""
        if result.verdict.decision == "block" and not self.confirm_allow(result):
            return False
        self.lists.allow_text(result)
        return True

    def replace_with_redacted(self, result: ScanResult) -> None:
        """Mask secrets and personal data on the clipboard (not scanned again); clean if nothing else was wrong."""
        if result.verdict.redacted is None:  # no complete mask: leave the clipboard as it is
            return
        self.guard.write(result.verdict.redacted)
        if masking_suffices(result):
            self._show_clipboard("clean")

    def _allowed(self, result: ScanResult) -> None:
        """An allowed text is safe where it is; one that a block took off the clipboard goes back there."""
        replaced = self._replaced
        current = self.guard.current_text()
        if replaced is not None and replaced.result.text == result.text and current == replaced.written:
            self.guard.write(replaced.restore)
            self._show_clipboard("clean")
        elif current == result.text:
            self._show_clipboard("clean")

    # -- what the tray shows -----------------------------------------------------------------
    def _end_undo(self) -> None:
        self._undo_timer.stop()
        self.tray.set_undo(False)
        if self._toast is not None:
            self._toast.end_undo()

    def _show_clipboard(self, state: str) -> None:
        """The tray follows what the clipboard holds; any state but "removed" means our replacement is gone."""
        if state != "removed":
            self._replaced = None
            self._end_undo()
        self.tray.set_clipboard(state)
