"""History page: what was scanned and decided — redacted excerpts and hashes, never the raw text."""

from __future__ import annotations

import time

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QShowEvent
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
from app.theme import decision_colour
from app.windows.common import muted, page
from engine import History, HistoryRow

COLUMNS = ("Time", "Decision", "Tier", "Categories", "Source", "Excerpt (redacted)", "SHA-256")
DECISION, TIER, CATEGORIES, EXCERPT, HASH = 1, 2, 3, 5, 6
COLUMN_SAMPLES = ("2026-12-31 23:59", "block", "0", "injection, jailbreak, pii", "clipboard", "", "0123456789abcd…")
BATCH = 200  # rows read from the database at a time; more as the user scrolls down (fetchMore)
_Index = QModelIndex | QPersistentModelIndex


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


class HistoryModel(QAbstractTableModel):
    """The recorded scans that match a filter, read a batch at a time as the view needs them.

    Every read runs on the history's storage thread; its answer comes back later, so the model keeps what it
    asked for (a generation number per filter) and drops answers to a filter that has since changed. The view
    asks for what it paints; nothing is built per cell ahead of time.
    """

    loaded = Signal()  # rows or the total changed: the page's summary follows

    def __init__(self, store: HistoryStore) -> None:
        super().__init__()
        self.store = store
        self.text = ""
        self.decision: str | None = None
        self.rows: list[HistoryRow] = []
        self.total = 0  # rows recorded, whatever the filter
        self._generation = 0  # which filter the answers on their way were asked for
        self._complete = False
        self._reading = False
        self._bold = QFont()
        self._bold.setBold(True)
        self._muted = QColor("#6b7280")

    def reload(self, *, text: str = "", decision: str | None = None) -> None:
        """Ask for the first batch for this filter (and the total); fetchMore reads on as the user scrolls."""
        self._generation += 1
        self.text, self.decision = text, decision
        self._reading = True
        generation = self._generation

        def read(history: History) -> tuple[list[HistoryRow], int]:
            return history.rows(text=text, decision=decision, limit=BATCH), history.count()

        self.store.run(read, lambda answer: self._reloaded(generation, *answer))

    def _reloaded(self, generation: int, rows: list[HistoryRow], total: int) -> None:
        if generation != self._generation:
            return  # the filter changed while this was read
        self.beginResetModel()
        self.rows, self.total = rows, total
        self._complete = len(rows) < BATCH
        self._reading = False
        self.endResetModel()
        self.loaded.emit()

    @property
    def reading(self) -> bool:
        """A read of this model's rows is on its way."""
        return self._reading

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008 (Qt's own default)
        return not parent.isValid() and not self._complete and not self._reading and not self.store.closed

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        self._reading = True
        generation, text, decision, offset = self._generation, self.text, self.decision, len(self.rows)
        self.store.run(lambda history: history.rows(text=text, decision=decision, limit=BATCH, offset=offset),
                       lambda more: self._fetched(generation, more))  # fmt: skip

    def _fetched(self, generation: int, more: list[HistoryRow]) -> None:
        if generation != self._generation:
            return
        self._reading = False
        self._complete = len(more) < BATCH
        known = {row.id for row in self.rows}
        more = [row for row in more if row.id not in known]  # a row recorded since moved the others down
        if more:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()
        self.loaded.emit()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (_when(row.at), row.decision, str(row.tier), ", ".join(row.categories) or "—", row.source,
                    row.excerpt, row.sha256[:12] + "…")[col]  # fmt: skip
        if role == Qt.ItemDataRole.ToolTipRole:
            return {TIER: _tier_tip(row), HASH: row.sha256,
                    EXCERPT: row.excerpt, CATEGORIES: ", ".join(row.categories)}.get(col)  # fmt: skip
        if role == Qt.ItemDataRole.ForegroundRole:
            return decision_colour(row.decision) if col == DECISION else self._muted if col == HASH else None
        if role == Qt.ItemDataRole.FontRole and col == DECISION:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole and col == TIER:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.UserRole:
            return row.id
        return None


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
