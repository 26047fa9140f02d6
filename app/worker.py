"""Runs every engine call off the GUI thread and hands results back through Qt signals.

Scans go through a one-thread pool (in order, one model load at a time);
chores that may wait on a running inference (unload, list edits) go through a
second one, so they never hold up a scan and never block the GUI.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal

from engine import Engine, Verdict


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


class _Relay(QObject):
    """Lives on the GUI thread; its signals carry a task's result across threads (queued), by the task's number.

    One relay serves every task: a relay per task, connected to closures that refer back to it, made a
    reference cycle through Qt that Python's collector cannot see, and leaked one relay per scan.
    """

    done = Signal(int, object)
    failed = Signal(int, str)


class Worker(QObject):
    """The app's only door to the engine."""

    scanned = Signal(object)  # ScanResult
    failed = Signal(str)

    def __init__(self, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        # Python's thread pools, not QThreadPool: a QRunnable per task handed to Qt sometimes outlived its run
        # (one a minute in a soak), with its closure and everything it held.
        self._scans = ThreadPoolExecutor(1, thread_name_prefix="tierwall-scan")
        self._chores = ThreadPoolExecutor(1, thread_name_prefix="tierwall-chore")
        self._pending: set[Future[None]] = set()
        self._next = 0
        self._latest_typing = 0
        self._tasks = 0
        self._waiting: dict[int, Callable[[Any], None] | None] = {}  # task number -> what to call with its result
        self._relay = _Relay(self)
        self._relay.done.connect(self._finished)
        self._relay.failed.connect(self._failed)
        self.closed = False  # after close(), late results are dropped rather than delivered

    def close(self, msecs: int = 30000) -> None:
        """Finish queued work, then drop whatever results are still on their way; later work is refused."""
        self.wait_idle(msecs)
        self.closed = True
        for pool in (self._scans, self._chores):
            pool.shutdown(wait=False)

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

        self._start(self._scans, job, self._deliver)
        return request

    def chore(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None) -> None:
        """Run `fn` on the chore thread; `on_done(result)` runs back on the GUI thread."""
        self._start(self._chores, fn, on_done)

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until queued work is done: for shutdown and the self-test only, never from a GUI event."""
        _, not_done = wait_for_futures(list(self._pending), timeout=msecs / 1000)
        return not not_done

    def _deliver(self, result: ScanResult | None) -> None:
        if result is not None:
            self.scanned.emit(result)

    def _start(self, pool: ThreadPoolExecutor, fn: Callable[[], Any], on_done: Callable[[Any], None] | None) -> None:
        if self.closed:  # after shutdown: nothing runs, nothing is reported
            return
        self._tasks += 1
        number = self._tasks
        self._waiting[number] = on_done

        def run() -> None:  # on the pool's thread; the relay's signals carry the result to the GUI thread
            try:
                result = fn()
            except Exception as exc:  # reported to the GUI, never lost on a pool thread
                self._relay.failed.emit(number, f"{type(exc).__name__}: {exc}")
            else:
                self._relay.done.emit(number, result)

        future = pool.submit(run)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def _finished(self, number: int, result: Any) -> None:
        on_done = self._waiting.pop(number, None)
        if on_done is not None and not self.closed:
            on_done(result)

    def _failed(self, number: int, message: str) -> None:
        self._waiting.pop(number, None)
        if not self.closed:
            self.failed.emit(message)
