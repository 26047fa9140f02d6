"""Memory page, live: process RSS over time with load/unload markers, one card per model, budget and timeout."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.memgraph import MemoryGraph
from app.memtrace import MemoryTrace
from app.settings import Settings
from app.windows.common import ElidedLabel, card, limit_spins, muted, page, pill
from engine import ModelInfo, Snapshot, procmem

STATE_COLOURS = {"loaded": "#2e9d5b", "idle": "#d98a1c", "loading": "#2f6fde", "unloaded": "#8a94a3",
                 "error": "#cf3f3f"}  # fmt: skip


def shown_state(info: ModelInfo) -> str:
    """loaded (in use right now), idle (loaded, waiting for its unload), loading, unloaded, error."""
    if info.state == "loaded":
        return "loaded" if info.in_use else "idle"
    return info.state


def _mib(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} MiB"


class ModelCard(QWidget):
    unload_requested = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        frame, layout = card()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        title = ElidedLabel(name)
        title.setObjectName("cardTitle")
        self.state = QLabel()
        self.state.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)
        self.tier = muted()
        head = QHBoxLayout()
        head.addWidget(self.state)
        head.addWidget(self.tier)
        head.addStretch(1)
        layout.addWidget(title)
        layout.addLayout(head)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.setColumnStretch(1, 1)
        self.values: dict[str, QLabel] = {}
        for row, key in enumerate(("RSS added", "Load time", "Unloads in")):
            grid.addWidget(muted(key), row, 0)
            self.values[key] = QLabel()
            grid.addWidget(self.values[key], row, 1)
        layout.addLayout(grid)
        self.error = ElidedLabel("", Qt.TextElideMode.ElideRight)
        self.error.setObjectName("muted")
        layout.addWidget(self.error)
        self.unload_button = QPushButton("Unload")
        self.unload_button.clicked.connect(lambda: self.unload_requested.emit(self.name))
        layout.addStretch(1)
        layout.addWidget(self.unload_button, 0, Qt.AlignmentFlag.AlignRight)

    def show_info(self, info: ModelInfo) -> None:
        state = shown_state(info)
        pill(self.state, STATE_COLOURS.get(state, "#8a94a3"), "unavailable" if state == "error" else state)
        self.tier.setText(f"tier {info.tier}")
        self.values["RSS added"].setText(_mib(info.added_mib))
        self.values["RSS added"].setToolTip("" if info.state == "loaded" else "by its last load")
        self.values["Load time"].setText("—" if info.load_ms is None else f"{info.load_ms:.0f} ms")
        if info.unload_in_s is not None:
            unload = f"{info.unload_in_s:.0f} s"
        elif info.state == "loaded":
            unload = "in use" if info.in_use else "never"
        else:
            unload = "—"
        self.values["Unloads in"].setText(unload)
        self.error.setText(info.error or "")
        self.error.setToolTip(info.error or "")
        self.error.setVisible(bool(info.error))
        self.unload_button.setEnabled(info.state == "loaded")


class MemoryPage(QWidget):
    """Reads everything from ModelManager.snapshot(); the app feeds it once a second while it is on screen.

    Hidden, it does no Qt work at all: the app keeps sampling into the trace (plain Python), and the page
    catches up the moment it is shown (`shown`).
    """

    unload_requested = Signal(str)
    limits_edited = Signal(int, int)  # idle timeout s (0: never), budget MiB (0: none)
    shown = Signal()  # the page came on screen: the app refreshes it at once

    def __init__(self, trace: MemoryTrace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        widget, layout = page("Memory", "What Tierwall holds in memory right now. Models load only when the "
                                        "rules cannot decide, and unload again when idle.")  # fmt: skip
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(widget)
        stats = QHBoxLayout()
        self.stat_labels: dict[str, QLabel] = {}
        for key in ("Process RSS", "Model host", "Total", "Models loaded", "Peak RSS"):
            frame, box = card()
            box.addWidget(muted(key))
            value = QLabel("—")
            value.setStyleSheet("font-size: 15pt; font-weight: bold; color: #111827;")
            box.addWidget(value)
            self.stat_labels[key] = value
            stats.addWidget(frame)
        layout.addLayout(stats)
        graph_frame, graph_box = card()
        graph_box.addWidget(muted("Total RSS (app and model host), last minutes (▲ model loaded, ▼ unloaded)"))
        self.graph = MemoryGraph(trace)
        graph_box.addWidget(self.graph, 1)
        layout.addWidget(graph_frame, 1)
        self.cards_row = QHBoxLayout()
        layout.addLayout(self.cards_row)
        self.cards: dict[str, ModelCard] = {}
        limits = QHBoxLayout()
        self.idle, self.budget = limit_spins()
        limits.addWidget(QLabel("Unload idle models after"))
        limits.addWidget(self.idle)
        limits.addSpacing(20)
        limits.addWidget(QLabel("Memory budget"))
        limits.addWidget(self.budget)
        limits.addStretch(1)
        self.unload_all = QPushButton("Unload all now")
        limits.addWidget(self.unload_all)
        layout.addLayout(limits)
        self.peak_mib = 0.0  # the highest RSS shown so far: the figure never goes down
        self.unload_all.clicked.connect(lambda: self.unload_requested.emit(""))
        self.idle.editingFinished.connect(self._limits_edited)
        self.budget.editingFinished.connect(self._limits_edited)

    @property
    def on_screen(self) -> bool:
        """Shown in a window that is not minimized (the window's other pages hide this one)."""
        return self.isVisible() and not self.window().isMinimized()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.shown.emit()

    def show_limits(self, settings: Settings) -> None:
        """The idle timeout and budget in force, in the fields and as the graph's budget line."""
        for spin, value in ((self.idle, settings.idle_timeout_s), (self.budget, settings.budget_mib)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self.graph.budget_mib = settings.budget
        self.graph.update()

    def show_snapshot(self, snap: Snapshot) -> None:
        """Refresh cards, figures and the graph (the app adds each snapshot to the trace)."""
        self.graph.update()
        loaded = [m for m in snap.models if m.state == "loaded"]
        self.stat_labels["Process RSS"].setText(f"{snap.rss_mib:.1f} MiB")
        host = "not running" if snap.host_rss_mib is None else f"{snap.host_rss_mib:.1f} MiB"
        self.stat_labels["Model host"].setText(host)
        self.stat_labels["Model host"].setToolTip("" if snap.host_pid is None else f"process {snap.host_pid}")
        self.stat_labels["Total"].setText(f"{snap.total_rss_mib:.1f} MiB")
        self.stat_labels["Models loaded"].setText(f"{len(loaded)} of {len(snap.models)}")
        # the kernel's high-water mark lags the current RSS a little: keep the highest of both ever seen
        self.peak_mib = max(self.peak_mib, procmem.peak_rss_mib(), snap.rss_mib)
        self.stat_labels["Peak RSS"].setText(f"{self.peak_mib:.1f} MiB")
        for info in snap.models:
            model_card = self.cards.get(info.name)
            if model_card is None:
                model_card = ModelCard(info.name)
                model_card.unload_requested.connect(self.unload_requested.emit)
                self.cards[info.name] = model_card
                self.cards_row.addWidget(model_card)
            model_card.show_info(info)

    def _limits_edited(self) -> None:
        self.limits_edited.emit(self.idle.value(), self.budget.value())  # the app shows them back: show_limits
