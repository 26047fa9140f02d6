"""Findings shown in place: a coloured underline/background per category and a tooltip per span.

Verdict spans count code points; Qt counts UTF-16 units, so spans are mapped
before they become text cursors (an emoji before a finding must not shift it).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QHelpEvent, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from app.theme import category_colour
from engine import Finding


def utf16_positions(text: str) -> list[int] | None:
    """Code point index → UTF-16 offset, or None when they are the same (no astral characters)."""
    if all(ord(c) <= 0xFFFF for c in text):
        return None
    out = [0]
    for c in text:
        out.append(out[-1] + (2 if ord(c) > 0xFFFF else 1))
    return out


def visible_findings(findings: Sequence[Finding]) -> list[Finding]:
    """Findings worth marking in the text: not the informational ones, and not empty spans."""
    return [f for f in findings if f.severity != "info" and f.end > f.start and f.category != "input"]


class FindingsEditor(QPlainTextEdit):
    """A plain text editor that marks findings and explains them on hover."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._marks: list[tuple[QTextCursor, Finding]] = []  # cursors follow edits until the next verdict

    def show_findings(self, text: str, findings: Sequence[Finding]) -> None:
        """Mark `findings` (spans into `text`, which must be the editor's current text)."""
        positions = utf16_positions(text)
        selections = []
        self._marks = []
        for f in visible_findings(findings):
            start, end = (positions[f.start], positions[f.end]) if positions else (f.start, f.end)
            colour = category_colour(f.category)
            fmt = QTextCharFormat()
            background = QColor(colour)
            background.setAlpha(55)
            fmt.setBackground(background)
            fmt.setUnderlineColor(colour)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, False)
            cursor = QTextCursor(self.document())
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            selection = QTextEdit.ExtraSelection()
            selection.cursor = cursor  # type: ignore[attr-defined]
            selection.format = fmt  # type: ignore[attr-defined]
            selections.append(selection)
            self._marks.append((cursor, f))
        self.setExtraSelections(selections)

    def clear_findings(self) -> None:
        self._marks = []
        self.setExtraSelections([])

    def drop_emptied(self) -> None:
        """After an edit: forget marks whose text was deleted (the rest moved with the text)."""
        if any(not cursor.hasSelection() for cursor, _ in self._marks):
            self._marks = [(c, f) for c, f in self._marks if c.hasSelection()]
            self.setExtraSelections([s for s in self.extraSelections() if s.cursor.hasSelection()])

    def findings_at(self, position: int) -> list[Finding]:
        """The findings covering a document position (UTF-16)."""
        return [f for c, f in self._marks if c.selectionStart() <= position < c.selectionEnd()]

    def tooltip_at(self, position: int) -> str:
        parts = []
        for f in self.findings_at(position):
            tier = f"tier {f.tier}"
            parts.append(f"<b style='color:{category_colour(f.category).name()}'>{escape(f.category)}</b>"
                         f" · {escape(f.rule)} · {tier}<br>{escape(f.explanation)}")  # fmt: skip
        return "<hr>".join(parts)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            position = self.cursorForPosition(event.pos()).position()
            tip = self.tooltip_at(position)
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)
