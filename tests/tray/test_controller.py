"""The composition root's wiring: each signal reaches the part that acts on it, in the order that matters."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace

import pytest
from app_support import BENIGN, RISKY, close, copy, make_app, make_app_with_tray

from app.clipboard import ClipboardGuard
from app.clipboard_policy import ClipboardPolicy
from app.history_store import HistoryStore
from app.memory_monitor import MemoryMonitor
from app.settings_apply import SettingsApplier
from app.tray import Tray
from app.worker import Worker

WATCHED = [(Worker, "scan"), (ClipboardPolicy, "handle"), (ClipboardPolicy, "undo_block"), (HistoryStore, "record"),
           (MemoryMonitor, "scan_finished"), (MemoryMonitor, "unload"), (MemoryMonitor, "refresh"),
           (ClipboardGuard, "scan_now"), (SettingsApplier, "apply"), (Tray, "notify")]  # fmt: skip


@pytest.fixture
def calls(monkeypatch) -> list[tuple[str, tuple]]:
    """Calls of the parts' methods that the wiring connects, as (Class.method, args), in the order made.
    Set up before the app is built: a connection holds the method it was made with."""
    seen: list[tuple[str, tuple]] = []

    def spy(cls: type, name: str) -> None:
        real: Callable = getattr(cls, name)

        @functools.wraps(real)
        def call(self, *args, **kwargs):
            seen.append((f"{cls.__name__}.{name}", args))
            return real(self, *args, **kwargs)

        monkeypatch.setattr(cls, name, call)

    for cls, name in WATCHED:
        spy(cls, name)
    return seen


def names(calls: list[tuple[str, tuple]], *wanted: str) -> list[str]:
    return [name for name, _ in calls if name in wanted]


def test_a_copy_is_scanned_then_warned_about_then_recorded(qtbot, app_env, calls):
    app = make_app()
    try:
        calls.clear()
        copy(qtbot, app, RISKY)
        app.store.wait_idle()
        assert names(
            calls, "Worker.scan", "ClipboardPolicy.handle", "HistoryStore.record", "MemoryMonitor.scan_finished"
        ) == ["Worker.scan", "ClipboardPolicy.handle", "HistoryStore.record", "MemoryMonitor.scan_finished"]
        assert calls[0][1] == (RISKY, "clipboard")
    finally:
        close(app)


def test_the_tray_menu_reaches_the_guard_the_policy_and_the_monitor(qtbot, app_env, calls):
    app = make_app()
    try:
        app.tray.pause_action.trigger()
        assert app.guard.paused and app.tray.paused
        app.tray.scan_clipboard.emit()
        app.tray.unload_models.emit()
        app.tray.undo_requested.emit()
        assert names(calls, "ClipboardGuard.scan_now", "MemoryMonitor.unload", "ClipboardPolicy.undo_block") == [
            "ClipboardGuard.scan_now",
            "MemoryMonitor.unload",
            "ClipboardPolicy.undo_block",
        ]
        assert ("MemoryMonitor.unload", ("",)) in calls
        app.tray.pause_action.trigger()
        assert not app.guard.paused
    finally:
        close(app)


def test_the_pages_reach_the_worker_the_applier_and_the_monitor(qtbot, app_env, calls):
    app = make_app()
    try:
        memory, settings, scan = app.memory_page, app.settings_page, app.scan_page
        calls.clear()
        memory.idle.setValue(45)
        memory.idle.editingFinished.emit()
        (applied,) = [args[0] for name, args in calls if name == "SettingsApplier.apply"]
        assert applied.idle_timeout_s == 45
        assert settings.idle.value() == 45  # what was applied is shown on the other page too
        settings.watch.setChecked(False)
        assert memory.idle.value() == 45 and not app.guard.enabled
        memory.unload_requested.emit("encoder")
        assert ("MemoryMonitor.unload", ("encoder",)) in calls
        with qtbot.waitSignal(app.worker.scanned, timeout=30000):
            scan.scan_and_record()  # an empty editor asks for nothing
            scan.set_text(BENIGN)
            scan.scan_and_record()
        assert ("Worker.scan", (BENIGN, "manual")) in calls
        memory.shown.emit()
        assert names(calls, "MemoryMonitor.refresh")[-1:] == ["MemoryMonitor.refresh"]
    finally:
        close(app)


def test_a_history_that_fails_is_said_in_the_window_and_by_the_tray(qtbot, app_env, calls):
    app = make_app()
    try:
        message = "The scan history could not be written (disk full); protection goes on without it."
        app.store.failed.emit(message)
        assert message in app.window.banner.text()
        assert ("Tray.notify", ("Tierwall cannot write its history", message)) in calls
    finally:
        close(app)


def test_the_window_is_built_only_when_asked_for_and_shutdown_stops_every_part(qtbot, app_env):
    app = make_app_with_tray()
    try:
        copy(qtbot, app, BENIGN)
        app.settings_applier.apply(replace(app.settings, notifications=False))  # no page to show it on: none built
        app.store.failed.emit("The scan history could not be written (x); protection goes on without it.")
        assert not app.window_built
        app.tray.open_window.emit()
        assert app.window_built and app.window.isVisible()
        assert "could not be written (x)" in app.window.banner.text()  # said before the window existed
        assert app.monitor._timer.isActive()
    finally:
        close(app)
    assert app.worker.closed and app.store.closed and not app.monitor._timer.isActive()
