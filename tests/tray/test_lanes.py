"""Lanes: each task on its lane's thread, its result back on the GUI thread, a failure reported, nothing after close."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from app.lanes import Lanes


@pytest.fixture
def lanes(qapp) -> Iterator[Lanes]:
    made = Lanes(("a", "b"), prefix="test")
    yield made
    made.close()


def test_a_task_runs_on_its_lane_and_its_result_comes_back_on_the_gui_thread(qtbot, lanes):
    where: list[str] = []
    results: list[tuple[str, bool]] = []
    for lane in ("a", "b"):
        lanes.run(
            lane,
            lambda lane=lane: where.append(threading.current_thread().name) or lane,
            lambda result: results.append((result, threading.current_thread() is threading.main_thread())),
        )
    qtbot.waitUntil(lambda: len(results) == 2, timeout=5000)
    assert sorted(results) == [("a", True), ("b", True)]
    assert sorted(name.rsplit("_", 1)[0] for name in where) == ["test-a", "test-b"]


def test_a_lane_keeps_its_order_and_a_busy_lane_holds_up_no_other(qtbot, lanes):
    release = threading.Event()
    done: list[str] = []
    lanes.run("a", lambda: release.wait(10), lambda _: done.append("a: slow"))
    lanes.run("a", lambda: None, lambda _: done.append("a: next"))
    lanes.run("b", lambda: None, lambda _: done.append("b"))
    qtbot.waitUntil(lambda: done == ["b"], timeout=5000)
    release.set()
    qtbot.waitUntil(lambda: len(done) == 3, timeout=5000)
    assert done == ["b", "a: slow", "a: next"]


def test_a_failure_goes_to_its_own_handler_or_else_to_failed(qtbot, lanes):
    def boom() -> None:
        raise ValueError("no such thing")

    own: list[str] = []
    lanes.run("a", boom, lambda _: own.append("done?"), own.append)
    with qtbot.waitSignal(lanes.failed, timeout=5000) as failed:
        lanes.run("a", boom)
    assert failed.args == ["ValueError: no such thing"]
    assert own == ["ValueError: no such thing"]
    assert not lanes._waiting  # nothing kept per task once it has reported


def test_call_waits_for_the_lane_and_close_drops_what_comes_after(qtbot, lanes):
    assert lanes.call("b", lambda: threading.current_thread().name).startswith("test-b")
    results: list[int] = []
    lanes.run("a", lambda: 1, results.append)
    lanes.close()
    assert lanes.closed
    lanes.run("a", lambda: 2, results.append)  # refused: never runs
    qtbot.wait(50)
    assert results == []  # the queued task ran, but its answer came after close: dropped
