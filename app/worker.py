"""Runs every engine call off the GUI thread and hands results back through Qt signals.

Three lanes (app/lanes.py), one thread each: scans (in order, one model load at a time); chores that may wait
on a running inference (unload, list edits, model limits), so they never hold up a scan; and samples, quick
reads of the models' state (a snapshot a second), so the memory figures never wait behind either.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app.lanes import Lanes
from engine import Engine, Verdict

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ScanResult:
    """A verdict and where its text came from; the text stays in memory only, for the user's actions."""

    request: int
    source: str  # "clipboard", "manual" or "typing"
    text: str
    verdict: Verdict
    submitted: float  # time.perf_counter() when the scan was asked for
    finished: float

    @property
    def latency_ms(self) -> float:
        return (self.finished - self.submitted) * 1000


class Worker(QObject):
    """The app's only door to the engine."""

    scanned = Signal(object)  # ScanResult
    failed = Signal(str)

    def __init__(self, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.lanes = Lanes(("scan", "chore", "sample"), parent=self)
        self.lanes.failed.connect(self.failed)
        self._next = 0
        self._latest_typing = 0

    @property
    def closed(self) -> bool:
        return self.lanes.closed

    def close(self, msecs: int = 30000) -> None:
        """Finish queued work, then drop whatever results are still on their way; later work is refused."""
        self.lanes.close(msecs)

    def scan(self, text: str, source: str, *, always_escalate: bool = False) -> int:
        """Queue a scan; `scanned` fires with its ScanResult. Returns the request id."""
        self._next += 1
        request = self._next
        if source == "typing":
            self._latest_typing = request
        submitted = time.perf_counter()

        def job() -> ScanResult | None:
            if source == "typing" and request != self._latest_typing:
                return None  # the user typed on: only the newest text matters
            verdict = self.engine.scan(text, always_escalate=always_escalate)
            return ScanResult(request, source, text, verdict, submitted, time.perf_counter())

        self.lanes.run("scan", job, self._deliver)
        return request

    def chore(self, fn: Callable[[], T], on_done: Callable[[T], Any] | None = None) -> None:
        """Run `fn` on the chore thread; `on_done(result)` runs back on the GUI thread."""
        self.lanes.run("chore", fn, on_done)

    def sample(
        self, fn: Callable[[], T], on_done: Callable[[T], Any], on_failed: Callable[[str], Any] | None = None,
    ) -> None:  # fmt: skip
        """Run a quick read of the models' state (a snapshot) on the sample thread; `on_done(result)` runs back
        on the GUI thread, `on_failed(message)` instead if it raised."""
        self.lanes.run("sample", fn, on_done, on_failed)

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until queued work is done: for shutdown and the self-test only, never from a GUI event."""
        return self.lanes.wait_idle(msecs)

    def _deliver(self, result: ScanResult | None) -> None:
        if result is not None:
            self.scanned.emit(result)
