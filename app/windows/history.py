"""History page: what was scanned and decided — redacted excerpts and hashes, never the raw text."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.theme import decision_colour
from app.windows.common import muted, page
from engine.history import History, HistoryRow

COLUMNS = ("Time", "Decision", "Tier", "Categories", "Source", "Excerpt (redacted)", "SHA-256")
DECISION, TIER, EXCERPT, HASH = 1, 2, 5, 6


def _when(at: float) -> str:
    if time.time() - at < 20 * 3600:
        return time.strftime("%H:%M:%S", time.localtime(at))
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(at))


def _tier_tip(row: HistoryRow) -> str:
    """The tier column's tooltip: who decided, the attack likelihood, and how sure each category is."""
    said = f"decided by tier {row.tier} · attack likelihood {row.score:.0%}"
    if row.confidence:
        return said + " · confidence: " + ", ".join(f"{c} {v:.0%}" for c, v in row.confidence.items())
    return said + (" · confidence not recorded (an older scan)" if row.categories else "")


class HistoryPage(QWidget):
    def __init__(self, history: History, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.history = history
        widget, layout = page("History", "Every clipboard scan and every scan you record. Only a redacted "
                                         "excerpt and the text's SHA-256 are kept, never the text itself.")  # fmt: skip
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(widget)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by excerpt, category, source or hash…")
        self.filter.setClearButtonEnabled(True)
        self.decision = QComboBox()
        self.decision.addItems(["All decisions", "block", "warn", "allow"])
        self.clear_button = QPushButton("Clear history…")
        self.clear_button.setObjectName("danger")
        bar = QHBoxLayout()
        bar.addWidget(self.filter, 1)
        bar.addWidget(self.decision)
        bar.addWidget(self.clear_button)
        layout.addLayout(bar)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for col in range(len(COLUMNS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(EXCERPT, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.summary = muted()
        layout.addWidget(self.summary)
        self.filter.textChanged.connect(self.refresh)
        self.decision.currentIndexChanged.connect(self.refresh)
        self.clear_button.clicked.connect(self._clear_clicked)
        self.refresh()

    def refresh(self) -> None:
        decision = self.decision.currentText() if self.decision.currentIndex() > 0 else None
        rows = self.history.rows(text=self.filter.text().strip(), decision=decision)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            values = (_when(row.at), row.decision, str(row.tier), ", ".join(row.categories) or "—", row.source,
                      row.excerpt, row.sha256[:12] + "…")  # fmt: skip
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == DECISION:
                    item.setForeground(decision_colour(row.decision))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if col == TIER:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    item.setToolTip(_tier_tip(row))
                if col == HASH:
                    item.setToolTip(row.sha256)
                    item.setForeground(QColor("#6b7280"))
                if col == EXCERPT:
                    item.setToolTip(row.excerpt)
                item.setData(Qt.ItemDataRole.UserRole, row.id)
                self.table.setItem(i, col, item)
        total = self.history.count()
        self.summary.setText(f"{len(rows)} shown of {total} recorded" if total else "Nothing recorded yet.")
        self.clear_button.setEnabled(total > 0)

    def confirm_clear(self) -> bool:
        answer = QMessageBox.question(self, "Clear history", "Delete every recorded scan? This cannot be undone.")
        return answer == QMessageBox.StandardButton.Yes

    def _clear_clicked(self) -> None:
        if self.confirm_clear():
            self.history.clear()
            self.refresh()
