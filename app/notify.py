"""The warning a person sees when the clipboard holds something risky, with what they can do about it.

Native tray balloons cannot carry buttons, so next to the tray message the
app shows its own small toast with the actions: replace the clipboard with
the redacted text, allow this text, show details. When a block already took
the text off the clipboard, the toast says so and offers Undo, with the
seconds left on its button.
"""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QEnterEvent, QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import icons
from app.wording import categories_in_words
from app.worker import ScanResult
from engine import Verdict

TOAST_MS = 15000
UNDO_TICK_MS = 1000  # how often the Undo button's countdown is redrawn
_REPLACED = {  # how the clipboard was changed -> the toast's title and what a paste now gives
    "removed": ("Blocked and removed from the clipboard", "Pasting now gives a one-line notice instead."),
    "masked": ("Blocked and masked on the clipboard", "Pasting now gives the text with its secrets masked."),
}


def headline(verdict: Verdict) -> str:
    """The title of a warning: "Blocked: prompt injection", "Warning: personal data"."""
    return f"{'Blocked' if verdict.decision == 'block' else 'Warning'}: {categories_in_words(verdict)}"


def one_line_reason(verdict: Verdict) -> str:
    """The first reason, or the strongest finding's explanation, in one line."""
    if verdict.reasons:
        return verdict.reasons[0]
    for f in verdict.findings:
        if f.severity != "info":
            return f.explanation
    return "the text looks risky"


def finding_lines(verdict: Verdict, limit: int = 3) -> list[str]:
    """The strongest findings, one short line each, most severe first."""
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    shown = sorted((f for f in verdict.findings if f.severity in order), key=lambda f: (order[f.severity], f.start))
    lines = []
    for f in shown:
        line = f"{f.explanation} ({f.rule})"
        if line not in lines:
            lines.append(line)
    return lines[:limit]


def can_redact(result: ScanResult) -> bool:
    """A masked copy exists (the engine vouches for it) and differs from the text."""
    redacted = result.verdict.redacted
    return redacted is not None and redacted != result.text


class Toast(QFrame):
    """A small always-on-top panel near the tray with the verdict and what can be done about it."""

    replace_requested = Signal(object)  # ScanResult
    allow_requested = Signal(object)
    details_requested = Signal(object)
    undo_requested = Signal(object)  # ScanResult whose text a block took off the clipboard

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)  # fmt: skip
        self.setObjectName("toast")
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.result: ScanResult | None = None
        self.icon = QLabel()
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold; font-size: 10.5pt;")
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.findings = QLabel()
        self.findings.setWordWrap(True)
        self.findings.setStyleSheet("color: #aab3c2;")
        self.outcome = QLabel()  # what the clipboard holds now, after a block replaced it
        self.outcome.setWordWrap(True)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setToolTip("Put the blocked text back on the clipboard, this once")
        self.replace_button = QPushButton("Replace with redacted")
        self.allow_button = QPushButton("Allow this text")
        self.details_button = QPushButton("Details")
        close = QPushButton("✕")
        close.setFixedWidth(30)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.hide)
        self.replace_button.clicked.connect(lambda: self._act(self.replace_requested))
        self.allow_button.clicked.connect(lambda: self._act(self.allow_requested))
        self.details_button.clicked.connect(lambda: self._act(self.details_requested))
        self.undo_button.clicked.connect(lambda: self._act(self.undo_requested))

        top = QHBoxLayout()
        top.addWidget(self.icon)
        top.addWidget(self.title, 1)
        top.addWidget(close)
        buttons = QHBoxLayout()
        for b in (self.undo_button, self.replace_button, self.allow_button, self.details_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 10, 12)
        layout.addLayout(top)
        layout.addWidget(self.reason)
        layout.addWidget(self.findings)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        self.setFixedWidth(440)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self._undo_deadline = 0.0  # time.monotonic() when Undo goes
        self._undo_tick = QTimer(self)
        self._undo_tick.timeout.connect(self._tick)

    def present(self, result: ScanResult, *, replaced: str | None = None, undo_ms: int = 0) -> None:
        """Show the toast for one verdict, near the bottom-right corner of the screen.

        `replaced` says how a block changed the clipboard ("removed" or "masked"); with it, Undo is offered
        for `undo_ms`.
        """
        if replaced is not None and replaced not in _REPLACED:
            raise ValueError(f"unknown replacement {replaced!r}; known: {', '.join(_REPLACED)}")
        self.result = result
        verdict = result.verdict
        blocked = verdict.decision == "block"
        self.icon.setPixmap(icons.icon("blocked" if blocked else "warning").pixmap(22, 22))
        self.reason.setText(one_line_reason(verdict))
        if replaced is None:
            self.title.setText(headline(verdict))
        else:
            title, outcome = _REPLACED[replaced]
            self.title.setText(title)
            self.reason.setText(f"{categories_in_words(verdict).capitalize()}: {self.reason.text()}")
            self.outcome.setText(outcome)
        self.outcome.setVisible(replaced is not None)
        lines = [line for line in finding_lines(verdict) if line.split(" (")[0] not in self.reason.text()]
        self.findings.setText("\n".join(f"• {line}" for line in lines))
        self.findings.setVisible(bool(lines))
        self.replace_button.setVisible(replaced is None)  # a replaced block's redacted text is no safe paste
        self.replace_button.setEnabled(can_redact(result))
        self.replace_button.setToolTip("" if can_redact(result) else "nothing in this text needs masking")
        self.allow_button.setText("Allow this text…" if blocked else "Allow this text")  # a block asks first
        self._undo_deadline = time.monotonic() + undo_ms / 1000
        if replaced is not None and undo_ms > 0:
            self.undo_button.setVisible(True)
            self._tick()
            self._undo_tick.start(UNDO_TICK_MS)
        else:
            self.end_undo()
        self.adjustSize()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.bottomRight() - QPoint(self.width() + 16, self.height() + 16))
        self.show()
        self.raise_()
        self._timer.start(max(TOAST_MS, undo_ms))

    def end_undo(self) -> None:
        """The blocked text can no longer be put back from here: the Undo button goes."""
        self._undo_tick.stop()
        self.undo_button.setVisible(False)

    def _undo_left_ms(self) -> int:
        return max(0, int((self._undo_deadline - time.monotonic()) * 1000)) if not self.undo_button.isHidden() else 0

    def _tick(self) -> None:
        left = self._undo_left_ms()
        if left <= 0:
            self.end_undo()
        else:
            self.undo_button.setText(f"Undo ({math.ceil(left / 1000)} s)")

    def enterEvent(self, event: QEnterEvent) -> None:
        self._timer.stop()  # reading it: stay
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self.isVisible():
            self._timer.start(max(TOAST_MS // 2, self._undo_left_ms()))  # never gone while Undo still counts
        super().leaveEvent(event)

    def _act(self, signal: Signal) -> None:  # type: ignore[type-arg]
        if self.result is not None:
            signal.emit(self.result)  # type: ignore[attr-defined]
        self.hide()
