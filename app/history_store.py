"""The scan history as the app keeps it: on a thread of its own, opened with a fallback, never in the way.

Every read and write of the SQLite history runs on the storage thread (the connection is made there and used
nowhere else); results come back to the GUI thread as callbacks and signals. A damaged file is moved aside
and begun again; where none can be written (a read-only or full disk) the history lives in memory for the
session. A write that fails is said once, and protection goes on without it: the clipboard's warning never
waits for the history.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app.lanes import Lanes
from app.worker import ScanResult
from engine import IN_MEMORY, History, HistoryRow, set_aside

T = TypeVar("T")
STORAGE_ERRORS = (sqlite3.Error, OSError)
STORAGE = "storage"  # the lane


def open_history(path: Path) -> tuple[History, str | None]:
    """The history at `path`, or its stand-in, and what the user must be told about it (None: nothing)."""
    try:
        return History(path), None
    except STORAGE_ERRORS as exc:
        problem = f"{exc}"
        if isinstance(exc, sqlite3.DatabaseError) and path.exists():
            aside = set_aside(path, exc)
            problem = aside.describe("The scan history") + "; a new one was begun"
            try:
                return History(path), problem
            except STORAGE_ERRORS as again:
                problem += f", but it cannot be written either ({again})"
        return History(Path(IN_MEMORY)), (f"The scan history {path} cannot be written ({problem}); this session's "
                                           "history is kept in memory only, and protection goes on")  # fmt: skip


def added_row(history: History, result: ScanResult) -> tuple[HistoryRow | None, int]:
    """Record a verdict; the row it became (None if it cannot be told apart) and how many rows are kept now."""
    row_id = history.add(result.verdict, result.source)
    row = next((r for r in history.rows(text=result.verdict.text_sha256, limit=8) if r.id == row_id), None)
    return row, history.count()


class _Failure:
    """What a job that hit a storage error returns, instead of raising on the storage thread."""

    def __init__(self, message: str) -> None:
        self.message = message


class HistoryStore(QObject):
    """The app's one door to the history database."""

    opened = Signal(object)  # str | None: what the user must be told about the history once it is open
    recorded = Signal(object, int)  # HistoryRow of a verdict now kept (None: not read back), rows kept in all
    cleared = Signal()
    failed = Signal(str)  # the history could not be written or read: said once a session

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = path  # where it is kept (":memory:" once it had to fall back)
        self.problem: str | None = None
        self.ready = False
        self._history: History | None = None  # made, used and closed on the storage thread only
        self._failed = False
        self._lanes = Lanes((STORAGE,), parent=self)
        self._lanes.failed.connect(self._fail)
        self._lanes.run(STORAGE, lambda: self._open(path), self._opened)

    @property
    def closed(self) -> bool:
        return self._lanes.closed

    def record(self, result: ScanResult) -> None:
        """Keep a verdict (its redacted excerpt and hash); what is only typed on the scan page is not kept."""
        if result.source != "typing":
            self.run(lambda history: added_row(history, result), lambda added: self.recorded.emit(*added))

    def clear(self) -> None:
        """Delete every recorded scan; `cleared` follows."""
        self.run(lambda history: history.clear(), lambda _: self.cleared.emit())

    def run(self, job: Callable[[History], T], on_done: Callable[[T], Any] | None = None) -> None:
        """`job(history)` on the storage thread, then `on_done(its result)` on the GUI thread; a storage error is
        reported through `failed` (once), and on_done is not called."""

        def guarded() -> T | _Failure:
            assert self._history is not None  # opened by the lane's first task
            try:
                return job(self._history)
            except STORAGE_ERRORS as exc:
                return _Failure(f"{exc}")

        def deliver(value: T | _Failure) -> None:
            if isinstance(value, _Failure):
                self._fail(value.message)
            elif on_done is not None:
                on_done(value)

        self._lanes.run(STORAGE, guarded, deliver)

    def call(self, job: Callable[[History], T], timeout_s: float = 30.0) -> T:
        """`job(history)` on the storage thread, waited for: for the tests and the self-test, never the GUI."""
        return self._lanes.call(STORAGE, lambda: job(self._history), timeout_s)  # type: ignore[arg-type]

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until queued reads and writes are done: for shutdown and the tests, never from a GUI event."""
        return self._lanes.wait_idle(msecs)

    def close(self) -> None:
        """Finish what is queued, close the database on its own thread, and deliver nothing more."""
        self._lanes.run(STORAGE, self._close)
        self._lanes.close()

    def _open(self, path: Path) -> tuple[Path, str | None]:
        self._history, problem = open_history(path)
        return self._history.path, problem

    def _opened(self, opened: tuple[Path, str | None]) -> None:
        self.path, self.problem = opened
        self.ready = True
        self.opened.emit(self.problem)

    def _close(self) -> None:
        if self._history is not None:
            self._history.close()

    def _fail(self, message: str) -> None:
        if not self._failed:
            self._failed = True
            self.failed.emit(f"The scan history could not be written ({message}); protection goes on without it.")
