"""The history table's model: the recorded scans that match a filter, read a batch at a time, grown a row at a time.

Qt's model/view way: the view asks for what it paints and for more rows as the user scrolls (canFetchMore,
fetchMore); a scan recorded while the table is shown comes in as one inserted row (beginInsertRows), so a
busy clipboard never makes the table read or rebuild what it already shows.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from app.history_store import HistoryStore
from app.theme import decision_colour
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


def matches(row: HistoryRow, text: str, decision: str | None) -> bool:
    """Whether a row passes the filter, as History.rows() filters: the decision, and the text in the excerpt,
    the categories or the source (any case), or at the start of the hash."""
    if decision and row.decision != decision:
        return False
    wanted = text.lower()
    return (not wanted or wanted in row.excerpt.lower() or wanted in ",".join(row.categories).lower()
            or wanted in row.source.lower() or row.sha256.startswith(wanted))  # fmt: skip


def _tier_tip(row: HistoryRow) -> str:
    """The tier column's tooltip: who decided, the attack likelihood, and how sure each category is."""
    said = f"decided by tier {row.tier} · attack likelihood {row.score:.0%}"
    if row.confidence:
        return said + " · confidence: " + ", ".join(f"{c} {v:.0%}" for c, v in row.confidence.items())
    return said + (" · confidence not recorded (an older scan)" if row.categories else "")


class HistoryModel(QAbstractTableModel):
    """The recorded scans that match a filter, newest first.

    Every read runs on the history's storage thread; its answer comes back later, so the model keeps what it
    asked for (a generation number per filter) and drops answers to a filter that has since changed. It holds
    at most the batches the view asked for: a row added at the top pushes the oldest out, to be fetched again
    if the user scrolls that far, so a tray left running for weeks holds no more rows than on its first day.
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
        self._complete = True  # until the first reload: nothing to fetch before a filter is asked for
        self._reading = False
        self._capacity = BATCH  # rows held at most: a batch per fetch the view asked for
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
        self._capacity = BATCH
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
        self._capacity = len(self.rows) + BATCH
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

    def add_recorded(self, row: HistoryRow, total: int) -> None:
        """A scan just recorded: one row at the top if it passes the filter (the oldest held row makes room),
        and the new total; nothing is read again."""
        self.total = total
        if matches(row, self.text, self.decision) and all(r.id != row.id for r in self.rows[:8]):
            self.beginInsertRows(QModelIndex(), 0, 0)
            self.rows.insert(0, row)
            self.endInsertRows()
            if len(self.rows) > self._capacity:
                last = len(self.rows) - 1
                self.beginRemoveRows(QModelIndex(), last, last)
                del self.rows[last]
                self.endRemoveRows()
                self._complete = False  # it can be fetched again
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
