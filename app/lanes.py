"""Lanes: named one-thread pools whose results come back to the GUI thread through a Qt signal.

Each lane runs its tasks one at a time, in order, so that work of one kind (scans, chores that may wait on an
inference, quick looks at the models, the history database) never queues behind work of another kind, and
an object used on one lane (an SQLite connection) stays on its thread.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

T = TypeVar("T")


class _Relay(QObject):
    """Lives on the GUI thread; its signals carry a task's result across threads (queued), by the task's number.

    One relay serves every task: a relay per task, connected to closures that refer back to it, made a
    reference cycle through Qt that Python's collector cannot see, and leaked one relay per scan.
    """

    done = Signal(int, object)
    failed = Signal(int, str)


class Lanes(QObject):
    """Runs `fn` on a lane's thread and `on_done(result)` back on the GUI thread; a task that raises is reported
    to its `on_failed(message)`, or else through `failed`, never lost on a pool thread."""

    failed = Signal(str)

    def __init__(self, names: tuple[str, ...], prefix: str = "tierwall", parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Python's thread pools, not QThreadPool: a QRunnable per task handed to Qt sometimes outlived its run
        # (one a minute in a soak), with its closure and everything it held.
        self._pools = {name: ThreadPoolExecutor(1, thread_name_prefix=f"{prefix}-{name}") for name in names}
        self._pending: set[Future[None]] = set()
        self._tasks = 0
        self._waiting: dict[int, tuple[Callable[[Any], Any] | None, Callable[[str], Any] | None]] = {}
        self._relay = _Relay(self)
        self._relay.done.connect(self._finished)
        self._relay.failed.connect(self._failed)
        self.closed = False  # after close(), late results are dropped rather than delivered

    def run(
        self, lane: str, fn: Callable[[], T], on_done: Callable[[T], Any] | None = None,
        on_failed: Callable[[str], Any] | None = None,
    ) -> None:  # fmt: skip
        """Queue `fn` on `lane`; after close() nothing runs and nothing is reported."""
        if self.closed:
            return
        self._tasks += 1
        number = self._tasks
        self._waiting[number] = (on_done, on_failed)

        def task() -> None:  # on the lane's thread
            try:
                result = fn()
            except Exception as exc:  # reported to the GUI thread
                self._relay.failed.emit(number, f"{type(exc).__name__}: {exc}")
            else:
                self._relay.done.emit(number, result)

        future = self._pools[lane].submit(task)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def call(self, lane: str, fn: Callable[[], T], timeout_s: float = 30.0) -> T:
        """Run `fn` on `lane` and wait for its result here: for shutdown, the self-test and the tests only,
        never from a GUI event (the GUI thread would wait for the lane)."""
        return self._pools[lane].submit(fn).result(timeout_s)

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until queued work is done: for shutdown and the self-test only, never from a GUI event."""
        _, not_done = wait_for_futures(list(self._pending), timeout=msecs / 1000)
        return not not_done

    def close(self, msecs: int = 30000) -> None:
        """Finish queued work, then drop whatever results are still on their way; later work is refused."""
        self.wait_idle(msecs)
        self.closed = True
        for pool in self._pools.values():
            pool.shutdown(wait=False)

    def _finished(self, number: int, result: Any) -> None:
        on_done, _ = self._waiting.pop(number, (None, None))
        if on_done is not None and not self.closed:
            on_done(result)

    def _failed(self, number: int, message: str) -> None:
        _, on_failed = self._waiting.pop(number, (None, None))
        if self.closed:
            return
        if on_failed is not None:
            on_failed(message)
        else:
            self.failed.emit(message)
