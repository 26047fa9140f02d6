"""Applying settings: each one reaches what it governs (the model limits off the GUI thread), is saved and
announced; a refused autostart change or a failed save is said."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from types import SimpleNamespace

import pytest

from app import settings_apply
from app.clipboard import ClipboardGuard
from app.settings import Settings, SettingsFile
from app.settings_apply import SettingsApplier
from app.worker import Worker


class FakeModels:
    """Records each limit it is given and the thread that gave it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float | None, bool]] = []

    def set_idle_timeout(self, seconds: float | None) -> None:
        self.calls.append(("idle", seconds, threading.current_thread() is threading.main_thread()))

    def set_budget(self, mib: float | None) -> None:
        self.calls.append(("budget", mib, threading.current_thread() is threading.main_thread()))


@pytest.fixture
def parts(qapp, tmp_path) -> Iterator[SimpleNamespace]:
    engine = SimpleNamespace(models=FakeModels(), policy_always=False)
    worker = Worker(engine)  # type: ignore[arg-type]
    guard = ClipboardGuard()
    settings_file = SettingsFile(tmp_path / "settings.json")
    applier = SettingsApplier(settings_file, Settings(idle_timeout_s=0, budget_mib=0), worker, guard)
    yield SimpleNamespace(engine=engine, worker=worker, guard=guard, file=settings_file, applier=applier)
    guard.close()
    worker.close()


def test_at_start_every_setting_reaches_its_part_and_zero_means_never(qtbot, parts):
    parts.applier.settings = Settings(idle_timeout_s=0, budget_mib=0, watch_clipboard=False, policy_always=True)
    parts.applier.apply_at_start()
    assert parts.guard.enabled is False and parts.engine.policy_always is True
    qtbot.waitUntil(lambda: len(parts.engine.models.calls) == 2, timeout=5000)
    assert parts.engine.models.calls == [("idle", None, False), ("budget", None, False)]  # None: never, no budget


def test_a_change_is_applied_clamped_saved_and_announced(qtbot, parts):
    with qtbot.waitSignal(parts.applier.changed, timeout=5000) as changed:
        parts.applier.apply(replace(parts.applier.settings, idle_timeout_s=-5, budget_mib=300, notifications=False))
    applied = changed.args[0]
    assert (applied.idle_timeout_s, applied.budget_mib, applied.notifications) == (0, 300, False)
    assert parts.applier.settings == applied == parts.file.load()
    qtbot.waitUntil(lambda: len(parts.engine.models.calls) == 2, timeout=5000)
    assert parts.engine.models.calls == [("idle", None, False), ("budget", 300.0, False)]


def test_a_change_that_leaves_the_limits_alone_does_not_touch_the_models(qtbot, parts):
    parts.applier.apply(replace(parts.applier.settings, watch_clipboard=False, window_geometry="AAAA"))
    parts.worker.wait_idle()
    qtbot.wait(20)
    assert parts.engine.models.calls == [] and parts.guard.enabled is False


def test_an_autostart_entry_that_cannot_be_written_keeps_the_old_setting_and_says_why(qtbot, parts, monkeypatch):
    def refuse(enabled: bool, **kwargs) -> None:
        raise PermissionError("autostart dir is read-only")

    monkeypatch.setattr(settings_apply.autostart, "set_enabled", refuse)
    with qtbot.waitSignal(parts.applier.autostart_checked, timeout=5000) as checked:
        parts.applier.apply(replace(parts.applier.settings, start_at_login=True))
    assert checked.args == ["Could not change the autostart entry: autostart dir is read-only"]
    assert parts.applier.settings.start_at_login is False and parts.file.load().start_at_login is False
    monkeypatch.setattr(settings_apply.autostart, "set_enabled", lambda enabled, **kwargs: None)
    with qtbot.waitSignal(parts.applier.autostart_checked, timeout=5000) as checked:
        parts.applier.apply(replace(parts.applier.settings, start_at_login=True))
    assert checked.args == [None] and parts.applier.settings.start_at_login is True


def test_settings_that_cannot_be_saved_are_said_and_still_apply(qtbot, parts, monkeypatch):
    def full(settings: Settings) -> None:
        raise OSError("No space left on device")

    monkeypatch.setattr(parts.file, "save", full)
    with qtbot.waitSignal(parts.applier.problem, timeout=5000) as problem:
        parts.applier.apply(replace(parts.applier.settings, watch_clipboard=False))
    assert problem.args == ["Settings could not be saved: No space left on device"]
    assert parts.guard.enabled is False
