"""Storage never stands between a copy and its warning: a broken, full or read-only history is said, and
protection goes on (issue 17, item 1)."""

from __future__ import annotations

import sqlite3
import threading
import time

from app_support import RISKY, close, copy, make_app, stored

from app import history_store
from engine import HISTORY_FILE, History, data_dir


def test_a_failing_history_write_still_warns_and_says_so_once(qtbot, app_env, monkeypatch):
    app = make_app()
    try:

        def full_disk(*args, **kwargs):
            raise sqlite3.OperationalError("database or disk is full")

        monkeypatch.setattr(history_store.History, "add", full_disk)
        for _ in range(2):
            with qtbot.waitSignal(app.policy.notified, timeout=30000) as notified:
                copy(qtbot, app, RISKY + f" {_}")
            assert notified.args[0].text.startswith(RISKY)
        app.store.wait_idle()
        qtbot.waitUntil(lambda: any("history could not be written" in b for b in app._banners), timeout=5000)
        qtbot.wait(50)  # the second failure's answer, had it been said again, arrives within this
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
        qtbot.waitUntil(lambda: app.store.ready, timeout=10000)
        kept = [p for p in path.parent.iterdir() if p.name.startswith(f"{HISTORY_FILE}.corrupt-")]
        assert len(kept) == 1 and kept[0].read_bytes().startswith(b"this is no sqlite")
        assert any("scan history" in b and str(kept[0]) in b for b in app._banners)
        assert app.window.isVisible()  # told at once, not only when the user next opens the window
        with qtbot.waitSignal(app.policy.notified, timeout=30000):
            copy(qtbot, app, RISKY)
        assert stored(app, History.count) == 1
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
        qtbot.waitUntil(lambda: app.store.ready, timeout=10000)
        assert any("kept in memory only" in b for b in app._banners)
        assert str(app.store.path) == ":memory:"
        with qtbot.waitSignal(app.policy.notified, timeout=30000):
            copy(qtbot, app, RISKY)
        assert stored(app, History.count) == 1
    finally:
        close(app)


def test_a_history_that_hangs_holds_up_no_warning_and_no_gui(qtbot, app_env, monkeypatch):
    release = threading.Event()
    real_add = History.add

    def stuck(self, *args, **kwargs):  # a disk that does not answer: the write waits
        release.wait(30)
        return real_add(self, *args, **kwargs)

    monkeypatch.setattr(History, "add", stuck)
    app = make_app()
    try:
        started = time.monotonic()
        for text in (RISKY, RISKY + " again"):
            with qtbot.waitSignal(app.policy.notified, timeout=10000) as notified:
                copy(qtbot, app, text)
            assert notified.args[0].text == text
        assert time.monotonic() - started < 10  # warned twice while the first write still hangs (for 30 s)
        assert not release.is_set() and app.policy.toast.isVisible()
        release.set()
        app.store.wait_idle()
        assert stored(app, History.count) == 2
    finally:
        release.set()
        close(app)
