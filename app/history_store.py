"""The scan history as the app keeps it: opened with a fallback, written after each verdict, never in the way.

A damaged file is moved aside and begun again; where none can be written (a read-only or full disk) the
history lives in memory for the session. A write that fails is said once, and protection goes on without it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from app.worker import ScanResult
from engine import IN_MEMORY, History, set_aside

T = TypeVar("T")
STORAGE_ERRORS = (sqlite3.Error, OSError)


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


class HistoryStore(QObject):
    """The app's one door to the history database."""

    recorded = Signal(object)  # ScanResult now in the history
    failed = Signal(str)  # the history could not be written or read: said once a session

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.history, self.problem = open_history(path)
        self._failed = False

    @property
    def path(self) -> Path:
        return self.history.path

    def record(self, result: ScanResult) -> None:
        """Keep a verdict (its redacted excerpt and hash); what is only typed on the scan page is not kept."""
        if result.source != "typing":
            self.run(lambda history: history.add(result.verdict, result.source), lambda _: self.recorded.emit(result))

    def run(self, job: Callable[[History], T], on_done: Callable[[T], Any] | None = None) -> None:
        """`job(history)`, then `on_done(its result)`; a storage error is reported, and on_done is not called."""
        try:
            value = job(self.history)
        except STORAGE_ERRORS as exc:
            self._fail(f"{exc}")
            return
        if on_done is not None:
            on_done(value)

    def close(self) -> None:
        self.history.close()

    def _fail(self, message: str) -> None:
        if not self._failed:
            self._failed = True
            self.failed.emit(f"The scan history could not be written ({message}); protection goes on without it.")
