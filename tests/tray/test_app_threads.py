"""The GUI thread never touches the history database or the model manager: a user's whole session, watched."""

from __future__ import annotations

import functools
import threading
from dataclasses import replace

import pytest
from app_support import BENIGN, RISKY, SECRET_TEXT, close, copy, make_app, stored

from engine import History
from engine.models import ModelManager

HISTORY_CALLS = ("__init__", "add", "rows", "count", "allowed", "remember_allowed", "forget_allowed", "clear", "close")
MODEL_CALLS = ("snapshot", "infos", "set_idle_timeout", "set_budget", "unload", "unload_all", "close")


@pytest.fixture
def gui_thread_calls(monkeypatch) -> list[str]:
    """Every history and model-manager call made on the GUI (main) thread, by name."""
    seen: list[str] = []

    def watched(cls: type, name: str) -> None:
        real = getattr(cls, name)

        @functools.wraps(real)
        def call(*args, **kwargs):
            if threading.current_thread() is threading.main_thread():
                seen.append(f"{cls.__name__}.{name}")
            return real(*args, **kwargs)

        monkeypatch.setattr(cls, name, call)

    for name in HISTORY_CALLS:
        watched(History, name)
    for name in MODEL_CALLS:
        watched(ModelManager, name)
    return seen


def test_a_session_leaves_sqlite_and_the_model_manager_to_the_workers(qtbot, app_env, gui_thread_calls):
    app = make_app()
    try:
        assert isinstance(app.engine.models, ModelManager)  # the class watched above
        qtbot.waitUntil(lambda: app.store.ready, timeout=10000)
        for text in (BENIGN, SECRET_TEXT):
            copy(qtbot, app, text)
        app.policy.confirm_allow = lambda result: True
        with qtbot.waitSignal(app.policy.blocked, timeout=30000):
            copy(qtbot, app, RISKY)
        app.window.show()
        for page in ("history", "memory", "settings", "scan"):
            app.window.show_page(page)
            qtbot.wait(30)
        with qtbot.waitSignal(app.lists.allowlist_changed, timeout=10000):
            app.policy.toast.allow_button.click()
        app.settings_applier.apply(replace(app.settings, idle_timeout_s=30, budget_mib=400))
        app.monitor.unload("")
        history = app.history_page
        history.confirm_clear = lambda: True
        with qtbot.waitSignal(app.store.cleared, timeout=5000):
            history.clear_button.click()
        app.window.show_page("history")
        qtbot.wait(1100)  # a tick of the memory monitor's clock
        app.worker.wait_idle()
        app.store.wait_idle()
        qtbot.wait(50)
        assert stored(app, History.count) == 0
        assert app.worker.lanes.call("sample", app.engine.models.snapshot).idle_timeout_s == 30.0
        assert gui_thread_calls == []
    finally:
        close(app)
    assert gui_thread_calls == []  # shutdown too: the models are closed on the chore thread, the history on its own
