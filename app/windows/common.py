"""Small building blocks the pages share: page header, card frame, decision badge."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QSpinBox, QVBoxLayout, QWidget

from app.theme import decision_colour


def page(title: str, subtitle: str) -> tuple[QWidget, QVBoxLayout]:
    """An empty page with a title and a one-line explanation; returns it and its layout."""
    widget = QWidget()
    widget.setObjectName("page")
    layout = QVBoxLayout(widget)
    layout.setContentsMargins(22, 18, 22, 18)
    layout.setSpacing(10)
    heading = QLabel(title)
    heading.setObjectName("title")
    sub = QLabel(subtitle)
    sub.setObjectName("subtitle")
    sub.setWordWrap(True)
    layout.addWidget(heading)
    layout.addWidget(sub)
    return widget, layout


def card() -> tuple[QFrame, QVBoxLayout]:
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(14, 12, 14, 12)
    layout.setSpacing(6)
    return frame, layout


def muted(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("muted")
    label.setWordWrap(True)
    return label


def style_badge(label: QLabel, decision: str, text: str | None = None) -> None:
    """Paint a label as a coloured pill for a decision (allow / warn / block)."""
    colour = decision_colour(decision).name()
    label.setText(text if text is not None else decision.upper())
    label.setStyleSheet(
        f"background: {colour}; color: white; border-radius: 10px; padding: 3px 12px; font-weight: bold;"
    )


def pill(label: QLabel, colour: str, text: str) -> None:
    label.setText(text)
    label.setStyleSheet(f"background: {colour}; color: white; border-radius: 8px; padding: 1px 8px;")


def limit_spins() -> tuple[QSpinBox, QSpinBox]:
    """The idle-timeout and memory-budget fields, alike on the Memory and the Settings page."""
    idle = QSpinBox()
    idle.setRange(0, 24 * 3600)
    idle.setSuffix(" s")
    idle.setSpecialValueText("never")
    idle.setToolTip("Unload a model after this long without use (0: never)")
    budget = QSpinBox()
    budget.setRange(0, 64 * 1024)
    budget.setSingleStep(10)
    budget.setSuffix(" MiB")
    budget.setSpecialValueText("no budget")
    budget.setToolTip("Before loading a model, unload the least recently used ones to stay under this (0: none)")
    return idle, budget


class ElidedLabel(QLabel):
    """One line that shortens itself ("/home/…/settings.json") instead of widening the window."""

    def __init__(self, text: str, mode: Qt.TextElideMode = Qt.TextElideMode.ElideMiddle,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(text, parent)
        self.mode = mode
        self.setToolTip(text)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        shown = self.fontMetrics().elidedText(self.text(), self.mode, self.width())
        painter.drawText(self.rect(), int(self.alignment()), shown)
