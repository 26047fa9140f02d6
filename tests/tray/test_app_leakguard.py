"""The guard against a Qt binding that loses or keeps references: the real window, worked hard, stays flat.

PySide6 6.12.0 on Python 3.11 dropped a reference to None on every void Qt call and aborted the tray within
minutes; this test stops at once on such a binding (it fails, rather than crashing the test run).
"""

from __future__ import annotations

import ctypes
import gc

import pytest
from app_support import close, make_app_with_tray, stored

from app.lanes import _Relay
from app.leakguard import NONE_DRIFT_LIMIT, exercise_window
from engine import History


@pytest.fixture
def app(qtbot, app_env):
    tierwall = make_app_with_tray()
    yield tierwall
    close(tierwall)


def test_every_page_refreshed_scanned_and_recorded_a_thousand_times_leaves_none_and_objects_flat(app):
    drift = exercise_window(app, rounds=1000)
    assert not drift.stopped_early, drift.problems()
    assert drift.rounds == 1000 + 220
    assert drift.ok, drift.problems()
    assert stored(app, History.count) == drift.rounds  # every round's scan reached the history
    assert app.memory_page.cards  # the memory page was really refreshed on screen


def test_the_guard_catches_a_binding_that_keeps_a_reference_to_none_per_call(app, monkeypatch):
    refresh = app.monitor.refresh
    incref = ctypes.pythonapi.Py_IncRef
    incref.argtypes = [ctypes.py_object]

    def leaky_refresh() -> None:  # as a binding would that forgets one Py_DECREF per call
        incref(None)
        refresh()

    monkeypatch.setattr(app.monitor, "refresh", leaky_refresh)
    drift = exercise_window(app, rounds=300, warm_up=5)
    assert drift.stopped_early and not drift.ok
    assert drift.none_drift > NONE_DRIFT_LIMIT
    assert "None's reference count moved by +" in drift.problems()[0]
    decref = ctypes.pythonapi.Py_DecRef
    decref.argtypes = [ctypes.py_object]
    for _ in range(drift.none_drift):  # give None back what the stand-in leak took
        decref(None)


def test_the_worker_keeps_no_object_per_task(app, qtbot):
    results: list[int] = []
    for i in range(300):
        app.worker.chore(lambda i=i: i, results.append)
    qtbot.waitUntil(lambda: len(results) == 300, timeout=30000)
    assert sorted(results) == list(range(300))
    gc.collect()
    relays = [o for o in gc.get_objects() if isinstance(o, _Relay) and o.parent() is app.worker.lanes]
    assert len(relays) == 1  # one relay for every task, not one each
    assert not app.worker.lanes._waiting
