"""The history store: opened on its own thread with its fallbacks, recording after the fact, failing out loud once."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_support import BENIGN, RISKY

from app import history_store
from app.history_store import HistoryStore, open_history
from app.worker import ScanResult
from engine import History


def result(engine, text: str, source: str = "clipboard") -> ScanResult:
    return ScanResult(1, source, text, engine.scan(text), 0.0, 0.0)


@pytest.fixture
def store(qapp, tmp_path) -> Iterator[HistoryStore]:
    opened = HistoryStore(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


def test_a_verdict_is_recorded_and_comes_back_as_its_row_with_the_total(qtbot, store, engine):
    with qtbot.waitSignal(store.opened, timeout=5000) as opened:
        pass
    assert opened.args == [None] and store.ready and store.problem is None
    with qtbot.waitSignal(store.recorded, timeout=5000) as recorded:
        store.record(result(engine, RISKY))
    row, total = recorded.args
    assert (row.decision, row.source, total) == ("block", "clipboard", 1)
    assert row.sha256 == engine.scan(RISKY).text_sha256 and "Ignore all previous" in row.excerpt
    assert [r.id for r in store.call(History.rows)] == [row.id]


def test_what_is_only_typed_is_not_kept(qtbot, store, engine):
    store.record(result(engine, BENIGN, "typing"))
    store.record(result(engine, BENIGN, "manual"))
    assert [r.source for r in store.call(History.rows)] == ["manual"]


def test_every_read_and_write_runs_on_the_storage_thread(qtbot, store, engine, monkeypatch):
    threads: set[str] = set()
    real_rows = History.rows

    def rows(self, *args, **kwargs):
        threads.add(threading.current_thread().name)
        return real_rows(self, *args, **kwargs)

    monkeypatch.setattr(History, "rows", rows)
    answers: list[int] = []
    store.record(result(engine, RISKY))
    store.run(lambda history: len(history.rows()), answers.append)
    qtbot.waitUntil(lambda: answers == [1], timeout=5000)
    assert len(threads) == 1 and threads.pop().startswith("tierwall-storage")


def test_a_failing_write_is_said_once_and_the_store_goes_on(qtbot, store, engine, monkeypatch):
    def full(self, *args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    said: list[str] = []
    store.failed.connect(said.append)
    monkeypatch.setattr(History, "add", full)
    store.record(result(engine, RISKY))
    store.record(result(engine, BENIGN))
    store.wait_idle()
    qtbot.waitUntil(lambda: bool(said), timeout=5000)
    qtbot.wait(20)
    assert said == ["The scan history could not be written (database or disk is full); protection goes on without it."]
    monkeypatch.undo()
    answers: list[int] = []
    store.run(History.count, answers.append)  # reads still answer
    qtbot.waitUntil(lambda: answers == [0], timeout=5000)


def test_a_damaged_file_is_set_aside_and_begun_again(tmp_path):
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"not a database" * 100)
    history, problem = open_history(path)
    assert history.path == path and history.count() == 0
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("history.sqlite3.corrupt-")]
    assert len(aside) == 1 and problem is not None and str(aside[0]) in problem and "a new one was begun" in problem
    history.close()


def test_an_unwritable_place_keeps_the_history_in_memory(tmp_path, monkeypatch):
    real = history_store.History

    def read_only(path: Path, *args, **kwargs) -> History:
        if str(path) != ":memory:":
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(history_store, "History", read_only)
    history, problem = open_history(tmp_path / "history.sqlite3")
    assert str(history.path) == ":memory:" and problem is not None and "kept in memory only" in problem
    history.close()


def test_after_close_nothing_more_is_done_or_said(qtbot, tmp_path, engine):
    store = HistoryStore(tmp_path / "history.sqlite3")
    store.record(result(engine, RISKY))
    store.close()  # finishes what was queued, then closes the database on its thread
    assert store.closed
    recorded: list[object] = []
    store.recorded.connect(recorded.append)
    store.record(result(engine, BENIGN))
    qtbot.wait(50)
    assert recorded == []
    check = History(tmp_path / "history.sqlite3")
    assert [r.decision for r in check.rows()] == ["block"]  # the queued write was kept
    check.close()
