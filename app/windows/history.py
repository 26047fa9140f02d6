"""History page: what was scanned and decided — redacted excerpts and hashes, never the raw text."""

from __future__ import annotations

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.history_store import HistoryStore
from app.windows.common import muted, page
from app.windows.history_model import COLUMN_SAMPLES, COLUMNS, EXCERPT, HistoryModel
from engine import HistoryRow


class HistoryPage(QWidget):
    """The history table; refreshed while on screen, and when it comes on screen after scans arrived unseen."""

    def __init__(self, store: HistoryStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
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
        self.model = HistoryModel(store)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        # Widths from the widest value each column can hold, set once: measuring the rows' contents on every
        # refresh cost more than the refresh itself, and made the columns jump as rows came and went.
        metrics = self.table.fontMetrics()
        for col, widest in enumerate(COLUMN_SAMPLES):
            if widest:
                width = max(metrics.horizontalAdvance(widest), metrics.horizontalAdvance(COLUMNS[col]))
                header.resizeSection(col, width + 24)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(EXCERPT, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        self.summary = muted()
        layout.addWidget(self.summary)
        self.stale = True  # scans arrived since the table was last read
        self.model.loaded.connect(self._summarize)
        self.filter.textChanged.connect(self.refresh)
        self.decision.currentIndexChanged.connect(self.refresh)
        self.clear_button.clicked.connect(self._clear_clicked)

    def add_recorded(self, row: HistoryRow | None, total: int) -> None:
        """A scan was recorded: one row more while the table is shown; read again when next shown otherwise."""
        if row is not None and self.isVisible() and not self.stale:
            self.model.add_recorded(row, total)
        else:
            self.refresh()

    def refresh(self) -> None:
        """Read the table again, now if the page is on screen, else when it is next shown."""
        self.stale = True
        if self.isVisible():
            self._reload()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.stale:
            self._reload()

    def _reload(self) -> None:
        self.stale = False
        decision = self.decision.currentText() if self.decision.currentIndex() > 0 else None
        self.model.reload(text=self.filter.text().strip(), decision=decision)

    def _summarize(self) -> None:
        total = self.model.total
        self.summary.setText(f"{len(self.model.rows)} shown of {total} recorded" if total else "Nothing recorded yet.")
        self.clear_button.setEnabled(total > 0)

    def confirm_clear(self) -> bool:
        answer = QMessageBox.question(self, "Clear history", "Delete every recorded scan? This cannot be undone.")
        return answer == QMessageBox.StandardButton.Yes

    def _clear_clicked(self) -> None:
        if self.confirm_clear():
            self.store.clear()  # the app reloads the page once it is done (HistoryStore.cleared)
