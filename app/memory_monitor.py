"""The memory the app and its models take, watched: what the tray, the graph and the memory page show.

A snapshot a second feeds the graph's trace and the tray's tooltip; the memory page gets it only while it is
on screen. Model events add the graph's load/unload markers and the tray's "loading" state. When the app goes
quiet (after start-up, after a burst of scans) the freed heap is handed back to the system: a tray app spends
its life idle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.memtrace import MemoryTrace
from app.tray import Tray
from app.worker import Worker
from engine import ModelEvent, Snapshot, procmem

if TYPE_CHECKING:
    from app.windows.memory import MemoryPage

MEMORY_REFRESH_MS = 1000
STARTUP_TRIM_MS = 2000
SETTLE_TRIM_MS = 3000  # after the last scan of a burst, hand freed heap back
UNLOAD_REASONS = {"asked": "", "idle": "idle", "memory budget": "budget", "shutdown": ""}  # as the graph says them


class MemoryMonitor(QObject):
    """Samples the models' snapshot, relays their events onto the GUI thread, and trims the heap when quiet."""

    model_event = Signal(object)  # ModelEvent, relayed onto the GUI thread
    sampled = Signal(object)  # Snapshot, once the trace, the tray and (on screen) the page have it

    def __init__(
        self, worker: Worker, tray: Tray, page: Callable[[], MemoryPage | None], parent: QObject | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.worker = worker
        self.models = worker.engine.models
        self.tray = tray
        self.page = page  # the memory page while it is on screen, else None
        self.trace = MemoryTrace()
        self._timer = QTimer(self)
        self._timer.setInterval(MEMORY_REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._trim_timer = QTimer(self)
        self._trim_timer.setSingleShot(True)
        self._trim_timer.timeout.connect(self.trim)
        self._asking = False  # a snapshot is on its way
        self._ask_again = False  # and another was asked for meanwhile
        self._failure_said = False
        self._last_event_at = 0.0  # time.time() of the latest model event
        self.model_event.connect(self._model_event)
        self._unsubscribe = self.models.subscribe(self.model_event.emit)  # emitted on the model's thread: queued

    def start(self) -> None:
        """Sample once a second from now on; hand back the heap start-up left behind once things settle."""
        self._timer.start()
        self.refresh()
        self._trim_timer.start(STARTUP_TRIM_MS)

    def close(self) -> None:
        self._timer.stop()
        self._trim_timer.stop()
        self._unsubscribe()

    def scan_finished(self, _result: object = None) -> None:
        """A scan ended: the heap is trimmed SETTLE_TRIM_MS after the last of a burst (each one restarts it)."""
        self._trim_timer.start(SETTLE_TRIM_MS)

    def trim(self) -> None:
        """Hand freed heap back on the chore thread (malloc_trim releases the GIL: the GUI does not wait)."""
        self.worker.chore(procmem.trim_heap)

    def unload(self, name: str) -> None:
        """Unload one model ("" for all) on the chore thread: it may wait for a running inference."""
        models = self.models
        self.worker.chore(lambda: models.unload(name) if name else models.unload_all(), lambda _: self.refresh())

    def refresh(self) -> None:
        """Ask for a snapshot on the sample thread: a sample for the graph and the tray's tooltip, and the memory
        page's figures while it is on screen. One at a time: asked while one is on its way, it follows that one."""
        if self._asking:
            self._ask_again = True
            return
        self._asking = True
        self.worker.sample(self.models.snapshot, self._show, self._failed)

    def _show(self, snap: Snapshot) -> None:
        self._answered()
        self.trace.add_sample(snap.total_rss_mib, snap.taken_at)
        loaded = sum(m.state == "loaded" for m in snap.models)
        self.tray.set_detail(f"{snap.total_rss_mib:.0f} MiB · {loaded} of {len(snap.models)} models loaded")
        if snap.taken_at >= self._last_event_at:  # an older snapshot would undo a "loading" event
            self.tray.set_loading(any(m.state == "loading" for m in snap.models))
        page = self.page()
        if page is not None:
            page.show_snapshot(snap)
        self.sampled.emit(snap)

    def _failed(self, message: str) -> None:
        self._answered()
        if not self._failure_said:  # a snapshot that fails once a second would say so once a second
            self._failure_said = True
            self.worker.failed.emit(f"the memory figures cannot be read: {message}")

    def _answered(self) -> None:
        self._asking = False
        if self._ask_again:
            self._ask_again = False
            self.refresh()

    def _model_event(self, event: ModelEvent) -> None:
        self._last_event_at = max(self._last_event_at, event.at)
        if event.kind == "loading":
            self.tray.set_loading(True)
        elif event.kind in ("loaded", "error", "unloaded"):
            if event.kind != "error":
                why = UNLOAD_REASONS.get(event.reason, event.reason) if event.kind == "unloaded" else ""
                self.trace.add_marker(event.kind, f"{event.model} ({why})" if why else str(event.model), event.at)
            self.refresh()  # the tray's loading state and the page follow the new state
