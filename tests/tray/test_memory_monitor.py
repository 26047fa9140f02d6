"""The memory monitor: one snapshot at a time off the GUI thread, the tray and an on-screen page fed from it,
model events as markers, and the heap trimmed once a burst of scans is over."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest

from app import memory_monitor
from app.memory_monitor import MemoryMonitor
from app.tray import Tray
from app.worker import Worker
from engine import ModelEvent, ModelInfo, Snapshot


def info(state: str, name: str = "encoder") -> ModelInfo:
    return ModelInfo(name, 1, state, 0, None, None, None, None, None, None, None, 0, None, 0)  # type: ignore[arg-type]


class FakeModels:
    """The Models interface as the monitor uses it; a snapshot can be held back to see what waits for it."""

    def __init__(self) -> None:
        self.state = "unloaded"
        self.snapshots = 0
        self.hold = threading.Event()
        self.hold.set()
        self.fail = False
        self.listeners: list[Callable[[ModelEvent], None]] = []
        self.unloaded: list[str] = []

    def snapshot(self) -> Snapshot:
        taken = time.time()
        self.snapshots += 1
        self.hold.wait(10)
        if self.fail:
            raise OSError("/proc is gone")
        return Snapshot((info(self.state),), 40.0, None, None, taken_at=taken, host_rss_mib=60.0)

    def subscribe(self, callback: Callable[[ModelEvent], None]) -> Callable[[], None]:
        self.listeners.append(callback)
        return lambda: self.listeners.remove(callback) if callback in self.listeners else None

    def unload(self, name: str) -> bool:
        self.unloaded.append(name)
        return True

    def unload_all(self) -> None:
        self.unloaded.append("")

    def emit(self, event: ModelEvent) -> None:
        for callback in list(self.listeners):
            callback(event)


class FakePage:
    def __init__(self) -> None:
        self.shown: list[Snapshot] = []

    def show_snapshot(self, snap: Snapshot) -> None:
        self.shown.append(snap)


@pytest.fixture
def parts(qapp) -> Iterator[SimpleNamespace]:
    models = FakeModels()
    worker = Worker(SimpleNamespace(models=models))  # type: ignore[arg-type]
    page: list[FakePage | None] = [None]  # the page on screen, if any
    monitor = MemoryMonitor(worker, Tray(), lambda: page[0])
    yield SimpleNamespace(models=models, worker=worker, monitor=monitor, tray=monitor.tray, page=page)
    models.hold.set()
    monitor.close()
    worker.close()


def test_a_snapshot_feeds_the_trace_and_the_tray_and_a_page_only_on_screen(qtbot, parts):
    with qtbot.waitSignal(parts.monitor.sampled, timeout=5000):
        parts.monitor.refresh()
    assert [rss for _, rss in parts.monitor.trace.samples] == [100.0]  # this process and the model host
    assert parts.tray.detail == "100 MiB · 0 of 1 models loaded"
    page = FakePage()
    parts.page[0] = page
    with qtbot.waitSignal(parts.monitor.sampled, timeout=5000):
        parts.monitor.refresh()
    assert len(page.shown) == 1 and page.shown[0].total_rss_mib == 100.0


def test_one_snapshot_at_a_time_and_one_more_for_those_asked_meanwhile(qtbot, parts):
    parts.models.hold.clear()  # the first snapshot hangs
    parts.monitor.refresh()
    qtbot.waitUntil(lambda: parts.models.snapshots == 1, timeout=5000)
    for _ in range(5):
        parts.monitor.refresh()  # asked while one is on its way: nothing queues up behind it
    qtbot.wait(50)
    assert parts.models.snapshots == 1
    parts.models.hold.set()
    qtbot.waitUntil(lambda: len(parts.monitor.trace.samples) == 2, timeout=5000)
    qtbot.wait(50)
    assert parts.models.snapshots == 2  # the five became one


def test_loading_shows_at_once_and_an_older_snapshot_does_not_undo_it(qtbot, parts):
    parts.models.hold.clear()
    parts.monitor.refresh()  # taken now, answered later: "unloaded"
    qtbot.waitUntil(lambda: parts.models.snapshots == 1, timeout=5000)
    with qtbot.waitSignal(parts.monitor.model_event, timeout=5000):
        parts.models.emit(ModelEvent("loading", "encoder"))  # from the model's thread in life: queued here
    assert parts.tray.state == "loading"
    parts.models.state = "loading"
    parts.models.hold.set()
    qtbot.waitUntil(lambda: len(parts.monitor.trace.samples) >= 1, timeout=5000)
    assert parts.tray.state == "loading"
    parts.models.state = "loaded"
    with qtbot.waitSignal(parts.monitor.sampled, timeout=5000):
        parts.models.emit(ModelEvent("loaded", "encoder"))  # a load ends: the tray follows a new snapshot
    qtbot.waitUntil(lambda: parts.tray.state == "protecting", timeout=5000)


def test_events_become_markers_that_say_why_a_model_went(qtbot, parts):
    for event in (ModelEvent("loaded", "encoder"), ModelEvent("unloaded", "encoder", "idle"),
                  ModelEvent("unloaded", "nli", "memory budget"), ModelEvent("unloaded", "head", "asked"),
                  ModelEvent("error", "nli", "file changed"), ModelEvent("settings", None, "budget 300")):  # fmt: skip
        parts.models.emit(event)
    qtbot.waitUntil(lambda: len(parts.monitor.trace.markers) == 4, timeout=5000)
    qtbot.wait(20)
    assert [(m.kind, m.label) for m in parts.monitor.trace.markers] == [
        ("loaded", "encoder"),
        ("unloaded", "encoder (idle)"),
        ("unloaded", "nli (budget)"),
        ("unloaded", "head"),
    ]


def test_a_burst_of_scans_trims_the_heap_once_after_the_last(qtbot, parts, monkeypatch):
    trims: list[float] = []
    monkeypatch.setattr(memory_monitor, "SETTLE_TRIM_MS", 100)
    monkeypatch.setattr(memory_monitor.procmem, "trim_heap", lambda: trims.append(time.monotonic()))
    started = time.monotonic()
    for _ in range(4):
        parts.monitor.scan_finished()
        qtbot.wait(40)
    qtbot.waitUntil(lambda: len(trims) == 1, timeout=5000)
    qtbot.wait(200)
    assert len(trims) == 1 and trims[0] - started >= 0.2  # after the last scan, not the first


def test_unload_runs_on_the_chore_thread_and_refreshes(qtbot, parts):
    with qtbot.waitSignal(parts.monitor.sampled, timeout=5000):
        parts.monitor.unload("")
    parts.monitor.unload("encoder")
    qtbot.waitUntil(lambda: parts.models.unloaded == ["", "encoder"], timeout=5000)


def test_a_snapshot_that_fails_is_said_once_and_sampling_goes_on(qtbot, parts):
    said: list[str] = []
    parts.worker.failed.connect(said.append)
    parts.models.fail = True
    for _ in range(3):
        parts.monitor.refresh()
        qtbot.waitUntil(lambda: not parts.monitor._asking, timeout=5000)
    assert said == ["the memory figures cannot be read: OSError: /proc is gone"]
    parts.models.fail = False
    with qtbot.waitSignal(parts.monitor.sampled, timeout=5000):
        parts.monitor.refresh()  # not stuck waiting for an answer that never came


def test_close_stops_listening(qtbot, parts):
    parts.monitor.close()
    assert parts.models.listeners == []
