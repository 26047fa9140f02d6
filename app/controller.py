"""TierwallApp, the composition root: builds the app's parts and connects them, and decides nothing itself.

What a clipboard verdict does is app/clipboard_policy.py's; the history is app/history_store.py's; memory
sampling and trims are app/memory_monitor.py's; applying a setting is app/settings_apply.py's. Everything here
runs on the GUI thread and only *asks* the worker for engine work; results come back as signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QObject
from PySide6.QtWidgets import QApplication

from app.clipboard import ClipboardGuard
from app.clipboard_policy import ClipboardPolicy
from app.history_store import HistoryStore
from app.lists import ListsController
from app.memory_monitor import MemoryMonitor
from app.settings import Settings, SettingsFile
from app.settings_apply import SettingsApplier
from app.tray import Tray
from app.worker import ScanResult, Worker
from engine import HISTORY_FILE, Engine, EngineConfig, data_dir

if TYPE_CHECKING:  # imported on first use: a tray app at rest loads no window code
    from app.windows.history import HistoryPage
    from app.windows.main_window import MainWindow
    from app.windows.memory import MemoryPage
    from app.windows.scan import ScanPage
    from app.windows.settings import SettingsPage

NO_TRAY_MESSAGE = "No system tray was found, so Tierwall runs in this window instead; closing it quits Tierwall."


class TierwallApp(QObject):
    """The running app: one engine, one worker, the clipboard guard and its policy, the history, the memory
    monitor, the tray, and the window once opened."""

    def __init__(
        self, engine: Engine | None = None, *, settings_file: SettingsFile | None = None,
        history_path: Path | None = None,
    ) -> None:  # fmt: skip
        super().__init__()
        settings_file = settings_file or SettingsFile()
        settings = settings_file.load()
        self.engine = engine or Engine(
            EngineConfig(
                idle_timeout_s=settings.idle_timeout,
                budget_mib=settings.budget,
                threads=settings.threads,
                model_host=settings.model_host,
            )
        )
        self.worker = Worker(self.engine, self)
        self.store = HistoryStore(history_path or data_dir() / HISTORY_FILE, self)
        self.guard = ClipboardGuard(parent=self)
        self.tray = Tray(self)
        self.settings_applier = SettingsApplier(settings_file, settings, self.worker, self.guard, self)
        self.lists = ListsController(self.engine, self.worker, self.store, self._page_if_built("settings"), self)
        self.policy = ClipboardPolicy(self.guard, self.tray, self.lists, lambda: self.settings, self)
        self.monitor = MemoryMonitor(self.worker, self.tray, self._memory_page_on_screen, self)
        self._window: MainWindow | None = None  # built when first needed: a tray app at rest has no window
        self._banners: list[str] = []
        self._connect()
        self.settings_applier.apply_at_start()
        self.monitor.start()

    def _connect(self) -> None:
        self.guard.captured.connect(lambda text: self.worker.scan(text, "clipboard"))
        # In this order: the warning first, whatever storage does; then the history; then the heap trim's clock.
        self.worker.scanned.connect(self.policy.handle)
        self.worker.scanned.connect(self.store.record)
        self.worker.scanned.connect(self.monitor.scan_finished)
        self.worker.failed.connect(lambda message: self.add_banner(f"Something went wrong: {message}"))
        self.store.opened.connect(self._history_opened)
        self.store.failed.connect(self._storage_failed)
        self.settings_applier.problem.connect(self.add_banner)
        self.policy.details_requested.connect(self.show_details)
        self.tray.pause_toggled.connect(self.set_paused)
        self.tray.scan_clipboard.connect(self.guard.scan_now)
        self.tray.open_window.connect(self.open_window)
        self.tray.unload_models.connect(lambda: self.monitor.unload(""))
        self.tray.quit_requested.connect(self.quit)
        self.tray.undo_requested.connect(self.policy.undo_block)

    @property
    def settings(self) -> Settings:
        return self.settings_applier.settings

    @property
    def policies(self) -> Any:
        return self.lists.policies

    # -- the window, built on first use ---------------------------------------------------
    @property
    def window_built(self) -> bool:
        return self._window is not None

    @property
    def window(self) -> MainWindow:
        if self._window is None:
            self._window = self._build_window()
        return self._window

    @property
    def scan_page(self) -> ScanPage:
        return self.window.pages["scan"]  # type: ignore[return-value]

    @property
    def history_page(self) -> HistoryPage:
        return self.window.pages["history"]  # type: ignore[return-value]

    @property
    def memory_page(self) -> MemoryPage:
        return self.window.pages["memory"]  # type: ignore[return-value]

    @property
    def settings_page(self) -> SettingsPage:
        return self.window.pages["settings"]  # type: ignore[return-value]

    def _page_if_built(self, name: str) -> Callable[[], Any]:
        """A getter for a page that gives None while no window exists (asking for the page would build one)."""
        return lambda: self.window.pages[name] if self._window is not None else None

    def _memory_page_on_screen(self) -> MemoryPage | None:
        page = self.memory_page if self._window is not None else None
        return page if page is not None and page.on_screen else None

    def _build_window(self) -> MainWindow:
        from app.windows.history import HistoryPage
        from app.windows.main_window import MainWindow
        from app.windows.memory import MemoryPage
        from app.windows.scan import ScanPage
        from app.windows.settings import SettingsPage

        s, applier = self.settings, self.settings_applier
        scan, history, memory = ScanPage(), HistoryPage(self.store), MemoryPage(self.monitor.trace)
        files = {"Settings": str(applier.settings_file.path), "History": str(self.store.path)}
        if self.engine.user_lists.path is not None:
            files["Allow/deny lists"] = str(self.engine.user_lists.path)
        if getattr(self.policies, "path", None) is not None:
            files["Your policies"] = str(self.policies.path)
        settings = SettingsPage(s, policies_available=self.policies is not None, files=files)
        settings.show_autostart_error(applier.autostart_error)
        window = MainWindow({"scan": scan, "history": history, "memory": memory, "settings": settings})
        window.hide_on_close = self.tray.available
        memory.show_limits(s)
        self.worker.scanned.connect(scan.scan_finished)
        scan.scan_requested.connect(lambda text, source: self.worker.scan(text, source))
        scan.copy_requested.connect(self.guard.write)
        self.store.recorded.connect(history.add_recorded)
        self.store.cleared.connect(history.refresh)
        memory.unload_requested.connect(self.monitor.unload)
        memory.shown.connect(self.monitor.refresh)
        memory.limits_edited.connect(
            lambda idle, budget: applier.apply(replace(self.settings, idle_timeout_s=idle, budget_mib=budget))
        )
        settings.settings_edited.connect(applier.apply)
        settings.allow_remove_requested.connect(self.lists.remove_allowed)
        settings.policy_add_requested.connect(self.lists.add_policy)
        settings.policy_remove_requested.connect(self.lists.remove_policy)
        applier.changed.connect(settings.show_settings)
        applier.changed.connect(memory.show_limits)
        applier.autostart_checked.connect(settings.show_autostart_error)
        window.closed.connect(self.quit)
        if s.window_geometry:
            window.restoreGeometry(QByteArray.fromBase64(s.window_geometry.encode("ascii")))
        window.hidden.connect(self._remember_geometry)
        for message in self._banners:
            window.add_banner(message)
        self._window = window
        self.lists.refresh_allowlist()
        self.lists.refresh_policies()
        return window

    def _remember_geometry(self) -> None:
        if self._window is not None:
            geometry = bytes(self._window.saveGeometry().toBase64().data()).decode("ascii")
            if geometry != self.settings.window_geometry:
                self.settings_applier.apply(replace(self.settings, window_geometry=geometry))

    def add_banner(self, message: str) -> None:
        """A message the window shows at the top (kept for when the window is built)."""
        self._banners.append(message)
        if self._window is not None:
            self._window.add_banner(message)

    def _history_opened(self, problem: str | None) -> None:
        """A history that had to be begun again, or kept in memory only, is said, with the window open."""
        if problem:
            self.add_banner(problem)
            self.window.bring_up()

    def _storage_failed(self, message: str) -> None:
        self.add_banner(message)
        self.tray.notify("Tierwall cannot write its history", message)

    def show_details(self, result: ScanResult) -> None:
        """The toast's "Details": the scan page, on that text and its verdict."""
        self.window.show_page("scan")
        self.scan_page.set_text(result.text)
        self.scan_page.show_result(result)
        self.window.bring_up()

    # -- lifecycle -------------------------------------------------------------
    def start(self, *, show_window: bool = False) -> None:
        """Show the tray icon; with no tray, or with something to tell, open the window too."""
        self.tray.show()
        if not self.tray.available:
            self.add_banner(NO_TRAY_MESSAGE)
            show_window = True
        problems = (
            self.settings_applier.settings_file.problem,
            self.engine.user_lists.error,
            getattr(self.policies, "problem", None),
        )  # the history's own, once it is open: _history_opened
        for problem in problems:
            if problem:
                self.add_banner(problem)
                show_window = True
        if show_window:
            self.window.bring_up()

    def quit(self) -> None:
        QApplication.quit()

    def shutdown(self) -> None:
        """After the event loop: stop listening, finish queued work, free the models (on the chore thread)."""
        self.policy.close()
        self.monitor.close()
        self.guard.close()
        self.worker.chore(self.engine.models.close)
        self.worker.close()
        self.tray.icon.hide()
        if self._window is not None:
            self._window.hide()
        self.store.close()

    def open_window(self) -> None:
        self.window.bring_up()

    def set_paused(self, paused: bool) -> None:
        self.guard.paused = paused
        if self.tray.paused != paused:
            self.tray.set_paused(paused)
