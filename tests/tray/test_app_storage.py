"""Storage never stands between a copy and its warning: a broken, full or read-only history is said, and
protection goes on (issue 17, item 1)."""

from __future__ import annotations

import sqlite3

from app_support import RISKY, close, copy, make_app

from app import history_store
from engine import HISTORY_FILE, data_dir


def test_a_failing_history_write_still_warns_and_says_so_once(qtbot, app_env, monkeypatch):
    app = make_app()
    try:
        def full_disk(*args, **kwargs):
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(app.store.history, "add", full_disk)
        for _ in range(2):
            with qtbot.waitSignal(app.policy.notified, timeout=30000) as notified:
                copy(qtbot, app, RISKY + f" {_}")
            assert notified.args[0].text.startswith(RISKY)
        banners = [b for b in app._banners if "history could not be written" in b]
        assert len(banners) == 1 and "database or disk is full" in banners[0]
    finally:
        close(app)


def test_a_corrupt_history_file_is_moved_aside_and_begun_again(qtbot, app_env):
    path = data_dir() / HISTORY_FILE
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is no sqlite database" * 100)
    app = make_app()
    try:
        kept = [p for p in path.parent.iterdir() if p.name.startswith(f"{HISTORY_FILE}.corrupt-")]
        assert len(kept) == 1 and kept[0].read_bytes().startswith(b"this is no sqlite")
        assert any("scan history" in b and str(kept[0]) in b for b in app._banners)
        with qtbot.waitSignal(app.policy.notified, timeout=30000):
            copy(qtbot, app, RISKY)
        assert app.store.history.count() == 1
    finally:
        close(app)


def test_a_history_that_cannot_be_written_is_kept_in_memory(qtbot, app_env, monkeypatch):
    real = history_store.History

    def read_only_disk(path, *args, **kwargs):
        if str(path) != ":memory:":
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real(path, *args, **kwargs)

    monkeypatch.setattr(history_store, "History", read_only_disk)
    app = make_app()
    try:
        assert any("kept in memory only" in b for b in app._banners)
        with qtbot.waitSignal(app.policy.notified, timeout=30000):
            copy(qtbot, app, RISKY)
        assert app.store.history.count() == 1
    finally:
        close(app)
