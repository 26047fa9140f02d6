"""The warning a person sees when the clipboard holds something risky, with what they can do about it.

Native tray balloons cannot carry buttons, so next to the tray message the
app shows its own small toast with the actions: replace the clipboard with
the redacted text, allow this text, show details.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QEnterEvent, QGuiApplication
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import icons
from app.worker import ScanResult
from engine import Verdict

TOAST_MS = 15000


def headline(verdict: Verdict) -> str:
    """"Blocked: injection" / "Warning: personal data"."""
    names = {"pii": "personal data", "secret": "secret"}
    what = ", ".join(names.get(c, c) for c in verdict.categories) or "unclear text"
    return f"{'Blocked' if verdict.decision == 'block' else 'Warning'}: {what}"


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
    return result.verdict.redacted != result.text


class Toast(QFrame):
    """A small always-on-top panel near the tray with the verdict and three actions."""

    replace_requested = Signal(object)  # ScanResult
    allow_requested = Signal(object)
    details_requested = Signal(object)

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

        top = QHBoxLayout()
        top.addWidget(self.icon)
        top.addWidget(self.title, 1)
        top.addWidget(close)
        buttons = QHBoxLayout()
        for b in (self.replace_button, self.allow_button, self.details_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 10, 12)
        layout.addLayout(top)
        layout.addWidget(self.reason)
        layout.addWidget(self.findings)
        layout.addLayout(buttons)
        self.setFixedWidth(440)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)

    def present(self, result: ScanResult) -> None:
        """Show the toast for one verdict, near the bottom-right corner of the screen."""
        self.result = result
        verdict = result.verdict
        self.icon.setPixmap(icons.icon("warning").pixmap(22, 22))
        self.title.setText(headline(verdict))
        self.reason.setText(one_line_reason(verdict))
        lines = [line for line in finding_lines(verdict) if line.split(" (")[0] not in self.reason.text()]
        self.findings.setText("\n".join(f"• {line}" for line in lines))
        self.findings.setVisible(bool(lines))
        self.replace_button.setEnabled(can_redact(result))
        self.replace_button.setToolTip("" if can_redact(result) else "nothing in this text needs masking")
        self.adjustSize()
        screen = QGuiApplication.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            self.move(area.bottomRight() - QPoint(self.width() + 16, self.height() + 16))
        self.show()
        self.raise_()
        self._timer.start(TOAST_MS)

    def enterEvent(self, event: QEnterEvent) -> None:
        self._timer.stop()  # reading it: stay
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self.isVisible():
            self._timer.start(TOAST_MS // 2)
        super().leaveEvent(event)

    def _act(self, signal: Signal) -> None:  # type: ignore[type-arg]
        if self.result is not None:
            signal.emit(self.result)  # type: ignore[attr-defined]
        self.hide()
