"""Memory page: reflects a load and an unload, with markers on the graph; limits are editable."""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import replace

from app_support import close, make_app
from PySide6.QtGui import QColor, QImage

from app.memgraph import MemoryGraph
from app.theme import ACCENT
from app.windows.memory import MemoryPage
from engine import Engine, Snapshot
from engine.models import ModelManager, ModelSpec


class Ballast:
    """A stand-in model: a few MiB of real memory, so the accounting has something to count."""

    def __init__(self) -> None:
        self.block = bytearray(8 * 1024 * 1024)
        for i in range(0, len(self.block), 4096):
            self.block[i] = 1


def use_once(manager: ModelManager, name: str) -> None:
    """One inference's worth of use: loads the model if needed, then lets it go idle."""
    with manager.use(name):
        pass


def sampled(qtbot, app) -> Snapshot:
    """A snapshot taken after this call, once the trace, the tray and the page (if on screen) have it."""
    since = time.time()
    with qtbot.waitSignal(app.monitor.sampled, check_params_cb=lambda snap: snap.taken_at >= since,
                          timeout=5000) as arrived:  # fmt: skip
        app.monitor.refresh()
    return arrived.args[0]


def on_screen(qtbot, app) -> MemoryPage:
    """The window open on the memory page, as a person looking at it: only then does the page refresh."""
    app.window.show()
    app.window.show_page("memory")
    assert app.memory_page.on_screen
    sampled(qtbot, app)
    return app.memory_page


def _engine() -> Engine:
    manager = ModelManager([ModelSpec("ballast", 1, (), lambda root: Ballast())], idle_timeout_s=None)
    return Engine(models=manager)


def test_the_memory_page_reflects_a_load_and_an_unload(qtbot, app_env):
    app = make_app(_engine())
    hold = threading.Event()

    def infer() -> None:
        with app.engine.models.use("ballast"):
            hold.wait(30)

    try:
        page = on_screen(qtbot, app)
        card = page.cards["ballast"]
        assert card.state.text() == "unloaded" and not card.unload_button.isEnabled()
        with qtbot.waitSignal(app.monitor.model_event, check_params_cb=lambda e: e.kind == "loaded", timeout=10000):
            app.worker.chore(infer)
        qtbot.waitUntil(lambda: app.engine.models.snapshot().model("ballast").in_use == 1, timeout=10000)
        sampled(qtbot, app)
        assert card.state.text() == "loaded"  # in use right now
        assert card.values["Unloads in"].text() == "in use"
        assert card.values["RSS added"].text().endswith("MiB")
        assert card.values["Load time"].text().endswith("ms")
        assert page.stat_labels["Models loaded"].text() == "1 of 1"
        hold.set()
        qtbot.waitUntil(lambda: app.engine.models.snapshot().model("ballast").in_use == 0, timeout=10000)
        sampled(qtbot, app)
        assert card.state.text() == "idle" and card.unload_button.isEnabled()
        assert card.values["Unloads in"].text() == "60 s"  # the default idle timeout, not yet counted down
        with qtbot.waitSignal(app.monitor.model_event, check_params_cb=lambda e: e.kind == "unloaded", timeout=10000):
            card.unload_button.click()
        qtbot.waitUntil(lambda: card.state.text() == "unloaded", timeout=5000)
        assert [m.kind for m in app.monitor.trace.markers] == ["loaded", "unloaded"]
        assert page.stat_labels["Models loaded"].text() == "0 of 1"
    finally:
        hold.set()
        close(app)


def test_budget_and_idle_timeout_are_editable_and_saved(qtbot, app_env):
    app = make_app(_engine())
    try:
        page = app.memory_page
        page.idle.setValue(15)
        page.budget.setValue(300)
        page.budget.editingFinished.emit()
        limits = lambda: (app.engine.models.snapshot().idle_timeout_s, app.engine.models.snapshot().budget_mib)  # noqa: E731
        qtbot.waitUntil(lambda: limits() == (15.0, 300.0), timeout=5000)  # applied on the chore thread
        assert app.settings_applier.settings_file.load().idle_timeout_s == 15
        assert app.settings_page.budget.value() == 300  # the settings page shows the same
        assert page.graph.budget_mib == 300.0
    finally:
        close(app)


def _render(graph: MemoryGraph) -> QImage:
    graph.resize(400, 220)
    return graph.grab().toImage()


def _has_colour(image: QImage, colour: str) -> bool:
    target = QColor(colour).rgb() & 0xFFFFFF
    return any(image.pixel(x, y) & 0xFFFFFF == target for x in range(image.width()) for y in range(image.height()))


def test_the_graph_draws_the_rss_line_and_markers(qtbot):
    graph = MemoryGraph()
    qtbot.addWidget(graph)
    assert not _has_colour(_render(graph), ACCENT)  # no samples yet: no line
    for i in range(10):
        graph.trace.add_sample(100 + i, at=1000.0 + i)
    graph.trace.add_marker("loaded", "model", at=1004.0)
    image = _render(graph)
    assert _has_colour(image, ACCENT)
    assert _has_colour(image, "#2e9d5b")  # the load marker's colour


def test_the_gui_keeps_working_while_a_model_loads(qtbot, app_env):
    release = threading.Event()

    def slow_loader(root):
        release.wait(30)
        return Ballast()

    manager = ModelManager([ModelSpec("slow", 1, (), slow_loader)], idle_timeout_s=None)
    app = make_app(Engine(models=manager))
    try:
        with qtbot.waitSignal(app.monitor.model_event, check_params_cb=lambda e: e.kind == "loading", timeout=10000):
            app.worker.chore(lambda: manager.use("slow").__enter__())
        assert app.tray.state == "loading"
        with qtbot.waitSignal(app.worker.scanned, timeout=10000):  # the page still answers while the load hangs
            app.scan_page.editor.setPlainText("hello, is the window still alive?")
        on_screen(qtbot, app)
        assert app.memory_page.cards["slow"].state.text() == "loading"
        assert app.tray.state == "loading"  # a snapshot a second later still says so
        with qtbot.waitSignal(app.monitor.model_event, check_params_cb=lambda e: e.kind == "loaded", timeout=10000):
            release.set()
        qtbot.waitUntil(lambda: app.tray.state == "protecting", timeout=5000)
    finally:
        release.set()
        close(app)


def test_an_idle_unload_by_the_engine_reaches_the_page(qtbot, app_env):
    app = make_app(_engine())
    try:
        on_screen(qtbot, app)
        app.settings_applier.apply(replace(app.settings, idle_timeout_s=1))
        with qtbot.waitSignal(app.monitor.model_event, check_params_cb=lambda e: e.kind == "loaded", timeout=10000):
            app.worker.chore(lambda: use_once(app.engine.models, "ballast"))
        with qtbot.waitSignal(app.monitor.model_event, check_params_cb=lambda e: e.kind == "unloaded", timeout=15000):
            pass  # the engine's own reaper thread unloads it after a second idle
        qtbot.waitUntil(lambda: app.memory_page.cards["ballast"].state.text() == "unloaded", timeout=5000)
        assert [m.label for m in app.monitor.trace.markers] == ["ballast", "ballast (idle)"]
    finally:
        close(app)


def test_simultaneous_events_of_one_kind_share_a_marker():
    from app.memgraph import merged_markers
    from app.memtrace import Marker

    events = [Marker(10.0, "loaded", "tokenizer"), Marker(10.2, "loaded", "encoder"), Marker(10.3, "unloaded", "head"),
              Marker(20.0, "loaded", "tokenizer")]  # fmt: skip
    assert merged_markers(events) == [(10.0, "loaded", ["tokenizer", "encoder"]), (10.3, "unloaded", ["head"]),
                                      (20.0, "loaded", ["tokenizer"])]  # fmt: skip


def test_a_hidden_memory_page_does_no_work_and_catches_up_when_shown(qtbot, app_env, monkeypatch):
    app = make_app(_engine())
    try:
        app.window.show()
        app.window.show_page("scan")  # the window is open, on another page
        page = app.memory_page
        calls: list[object] = []
        real = page.show_snapshot
        monkeypatch.setattr(page, "show_snapshot", lambda snap: calls.append(snap) or real(snap))
        with qtbot.waitSignal(app.monitor.model_event, check_params_cb=lambda e: e.kind == "loaded", timeout=10000):
            app.worker.chore(lambda: use_once(app.engine.models, "ballast"))
        samples = len(app.monitor.trace.samples)
        sampled(qtbot, app)
        assert len(app.monitor.trace.samples) > samples  # the graph's samples and the tooltip go on
        assert "1 of 1 models loaded" in app.tray.tooltip
        assert calls == [] and page.cards == {}  # but no Qt work for a page nobody sees
        app.monitor._timer.stop()  # from here on, only what the page itself asks for (and a tick on its way)
        app.window.show_page("memory")
        qtbot.waitUntil(lambda: len(calls) >= 1, timeout=500)  # shown: refreshed at once, not a second later
        assert page.cards["ballast"].state.text() == "idle"
        app.window.show_page("history")
        sampled(qtbot, app)
        seen = len(calls)
        sampled(qtbot, app)
        assert len(calls) == seen  # hidden again: no more
        app.window.show_page("memory")
        qtbot.waitUntil(lambda: len(calls) > seen, timeout=500)  # shown again: refreshed again
        app.window.showMinimized()
        sampled(qtbot, app)
        seen = len(calls)
        sampled(qtbot, app)
        assert len(calls) == seen  # minimized, it is not refreshed
    finally:
        close(app)


def test_the_peak_figure_never_goes_down(qtbot, app_env, monkeypatch):
    from engine import procmem

    app = make_app(_engine())
    try:
        page = on_screen(qtbot, app)
        snap = app.engine.models.snapshot()
        peaks = iter((5192.0, 5192.05, 5191.9))  # the kernel's high-water mark lags what was last read
        monkeypatch.setattr(procmem, "peak_rss_mib", lambda: next(peaks))
        page.show_snapshot(replace(snap, rss_mib=5192.1))
        assert page.stat_labels["Peak RSS"].text() == "5192.1 MiB"
        page.show_snapshot(replace(snap, rss_mib=5150.0))
        assert page.stat_labels["Peak RSS"].text() == "5192.1 MiB"
        page.show_snapshot(replace(snap, rss_mib=5193.0))
        assert page.stat_labels["Peak RSS"].text() == "5193.0 MiB"
    finally:
        close(app)


def test_marker_labels_stay_in_two_rows_above_the_plot_and_never_overlap():
    from app.memgraph import LABEL_LANES, marker_labels

    def advance(text: str) -> float:
        return 7.0 * len(text)

    events = []
    for k in range(30):  # a soak's worth of loads and unloads in five minutes
        events.append((100.0 + k * 20, "loaded", ["tokenizer", "encoder", "nli"]))
        events.append((110.0 + k * 20, "unloaded", ["tokenizer (idle)", "encoder (idle)"]))
    placed = marker_labels(events, advance, 60.0, 700.0, 4.0, 16.0)
    assert {y for _, y, _, _ in placed} <= {4.0 + lane * 16.0 for lane in range(LABEL_LANES)}
    for lane_y in {y for _, y, _, _ in placed}:
        spans = sorted((x, x + advance(text) + 4) for x, y, _, text in placed if y == lane_y)
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in itertools.pairwise(spans))
    assert all(x >= 60.0 and x + advance(text) + 4 <= 700.0 for x, _, _, text in placed)
    newest = max(events)
    assert any(text == "▼ tokenizer (idle), encoder (idle)" and x < newest[0] for x, _, _, text in placed)
    assert any(text in ("▲", "▼") for _, _, _, text in placed)  # the crowded older ones keep a glyph
