"""TierwallApp: wires the engine, the worker, the clipboard guard, the tray and the window together.

Everything here runs on the GUI thread and only ever *asks* the worker for
engine work; results come back as signals.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from app import autostart
from app.clipboard import ClipboardGuard
from app.lists import ListsController
from app.memtrace import MemoryTrace
from app.settings import Settings, SettingsFile
from app.theme import STYLE_SHEET
from app.tray import Tray
from app.wording import block_notice, categories_in_words
from app.worker import ScanResult, Worker
from engine import (
    HISTORY_FILE,
    IN_MEMORY,
    SENSITIVE_CATEGORIES,
    Engine,
    History,
    ModelEvent,
    assets_dir,
    data_dir,
    procmem,
    set_aside,
)

if TYPE_CHECKING:  # imported on first use: a tray app at rest loads no window or toast code
    from app.notify import Toast
    from app.windows.history import HistoryPage
    from app.windows.main_window import MainWindow
    from app.windows.memory import MemoryPage
    from app.windows.scan import ScanPage
    from app.windows.settings import SettingsPage

MEMORY_REFRESH_MS = 1000
STARTUP_TRIM_MS = 2000
SETTLE_TRIM_MS = 3000  # after the last scan of a burst, hand freed heap back: a tray app spends its life idle
UNLOAD_REASONS = {"asked": "", "idle": "idle", "memory budget": "budget", "shutdown": ""}
APP_ICON = assets_dir() / "icons" / "tierwall.png"  # made by packaging/make_icons.py, for the autostart entry
NO_TRAY_MESSAGE = "No system tray was found, so Tierwall runs in this window instead; closing it quits Tierwall."
UNDO_MS = 10000  # how long a block that replaced the clipboard can be undone
# Clipboard changes the guard does not scan: whatever risky text was there is gone all the same.
CLIPBOARD_GONE = frozenset({"not text", "empty", "paused", "clipboard watching is off"})


def needs_sanitizing(result: ScanResult) -> bool:
    """True when the text holds secrets or personal data that the redacted copy masks."""
    sensitive = any(f.category in SENSITIVE_CATEGORIES for f in result.verdict.findings)
    redacted = result.verdict.redacted
    return sensitive and redacted is not None and redacted != result.text


def masking_suffices(result: ScanResult) -> bool:
    """True when secrets or personal data that the redaction masks are the only reason for the verdict, so the
    redacted copy is safe to paste (an attack, a denylisted or a partly scanned text stays risky when masked)."""
    categories = set(result.verdict.categories)
    return (bool(categories) and categories <= SENSITIVE_CATEGORIES and needs_sanitizing(result)
            and "on your denylist" not in result.verdict.reasons)  # fmt: skip


def ask_allow_blocked(result: ScanResult) -> bool:
    """Allowing a blocked text turns its protection off for good, so it takes a second, deliberate yes."""
    from PySide6.QtWidgets import QMessageBox

    buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
    answer = QMessageBox.question(
        None, "Allow a blocked text?",
        f"Tierwall blocked this text ({categories_in_words(result.verdict)}).\n\nAllowing it puts it on your "
        "allowlist: copying it again will no longer be blocked or warned about. You can remove it under "
        "Settings & policies.\n\nAllow it?", buttons, QMessageBox.StandardButton.No,
    )  # fmt: skip
    return answer == QMessageBox.StandardButton.Yes


@dataclass(frozen=True, slots=True)
class Replacement:
    """What a block wrote over a text on the clipboard, and what Undo (or allowing it) puts back."""

    result: ScanResult
    written: str  # the redacted text or the one-line notice
    restore: str  # the original text; with auto-masking on, its redacted copy


class TierwallApp(QObject):
    """The running app: one engine, one worker, the clipboard guard, the tray, and the window once opened."""

    clipboard_verdict = Signal(object)  # ScanResult of a clipboard scan, after it was handled
    notified = Signal(object)  # ScanResult the user was warned about
    sanitized = Signal(object)  # ScanResult whose clipboard text was replaced by its redacted copy
    blocked = Signal(object)  # ScanResult whose blocked text was taken off the clipboard
    undone = Signal(object)  # ScanResult whose blocked text Undo put back on the clipboard
    allowlist_changed = Signal()
    model_event = Signal(object)  # ModelEvent, relayed onto the GUI thread

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        settings_file: SettingsFile | None = None,
        history: History | None = None,
    ) -> None:
        super().__init__()
        self.settings_file = settings_file or SettingsFile()
        self.settings = self.settings_file.load()
        s = self.settings
        self.engine = engine or Engine(idle_timeout_s=s.idle_timeout, budget_mib=s.budget, threads=s.threads,
                                       model_host=s.model_host)  # fmt: skip
        if engine is not None:
            engine.models.set_idle_timeout(s.idle_timeout)
            engine.models.set_budget(s.budget)
        if hasattr(self.engine, "policy_always"):
            self.engine.policy_always = s.policy_always
        self._history_problem: str | None = None
        self.history = history or self._open_history(data_dir() / HISTORY_FILE)
        self.worker = Worker(self.engine, self)
        self.guard = ClipboardGuard(parent=self)
        self.guard.enabled = s.watch_clipboard
        self.tray = Tray(self)
        self.lists = ListsController(self.engine, self.worker, self.history,
                                     lambda: self.settings_page if self.window_built else None, self)  # fmt: skip
        self.policies = self.lists.policies
        self.trace = MemoryTrace()
        self._window: MainWindow | None = None  # built when first needed: a tray app at rest has no window
        self._toast: Toast | None = None
        self.confirm_allow: Callable[[ScanResult], bool] = ask_allow_blocked  # replaceable: tests answer for the user
        self._replaced: Replacement | None = None  # the block replacement the clipboard holds, if it still does
        self._trim_timer = QTimer(self)
        self._trim_timer.setSingleShot(True)
        self._trim_timer.setInterval(SETTLE_TRIM_MS)
        self._trim_timer.timeout.connect(lambda: self.worker.chore(procmem.trim_heap))
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.timeout.connect(self._end_undo)
        self._banners: list[str] = []
        self._history_failed = False  # said once per session
        self.autostart_error: str | None = None
        self._connect()
        self._unsubscribe = self.engine.models.subscribe(self.model_event.emit)
        self._memory_timer = QTimer(self)
        self._memory_timer.setInterval(MEMORY_REFRESH_MS)
        self._memory_timer.timeout.connect(self.refresh_memory)
        self._memory_timer.start()
        self.refresh_memory()

    def _connect(self) -> None:
        self.guard.captured.connect(lambda text: self.worker.scan(text, "clipboard"))
        self.guard.skipped.connect(lambda why: self._show_clipboard("clean") if why in CLIPBOARD_GONE else None)
        self.worker.scanned.connect(self._scanned)
        self.worker.failed.connect(lambda message: self.add_banner(f"Something went wrong: {message}"))
        self.tray.pause_toggled.connect(self.set_paused)
        self.tray.scan_clipboard.connect(self.guard.scan_now)
        self.tray.open_window.connect(self.open_window)
        self.tray.unload_models.connect(lambda: self.unload(""))
        self.tray.quit_requested.connect(self.quit)
        self.tray.undo_requested.connect(self.undo_block)
        self.model_event.connect(self._model_event)
        self.lists.allowlist_changed.connect(self.allowlist_changed)
        self.lists.allowed.connect(self._allowed)

    # -- the window and the toast, built on first use ---------------------------------
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

    def _build_window(self) -> MainWindow:
        from app.windows.history import HistoryPage
        from app.windows.main_window import MainWindow
        from app.windows.memory import MemoryPage
        from app.windows.scan import ScanPage
        from app.windows.settings import SettingsPage

        s = self.settings
        scan, history, memory = ScanPage(), HistoryPage(self.history), MemoryPage(self.trace)
        files = {"Settings": str(self.settings_file.path), "History": str(self.history.path)}
        if self.engine.user_lists.path is not None:
            files["Allow/deny lists"] = str(self.engine.user_lists.path)
        if getattr(self.policies, "path", None) is not None:
            files["Your policies"] = str(self.policies.path)
        settings = SettingsPage(s, policies_available=self.policies is not None, files=files)
        settings.show_autostart_error(self.autostart_error)
        window = MainWindow({"scan": scan, "history": history, "memory": memory, "settings": settings})
        window.hide_on_close = self.tray.available
        memory.set_limits(s.idle_timeout_s, s.budget_mib)
        scan.scan_requested.connect(lambda text, source: self.worker.scan(text, source))
        scan.copy_requested.connect(self.guard.write)
        memory.unload_requested.connect(self.unload)
        memory.shown.connect(self.refresh_memory)
        memory.limits_edited.connect(
            lambda idle, budget: self.apply_settings(replace(self.settings, idle_timeout_s=idle, budget_mib=budget)))
        settings.settings_edited.connect(self.apply_settings)
        settings.allow_remove_requested.connect(self.lists.remove_allowed)
        settings.policy_add_requested.connect(self.lists.add_policy)
        settings.policy_remove_requested.connect(self.lists.remove_policy)
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
                self.apply_settings(replace(self.settings, window_geometry=geometry))

    @property
    def toast(self) -> Toast:
        if self._toast is None:
            from app.notify import Toast

            self._toast = Toast()
            self._toast.setStyleSheet(STYLE_SHEET)
            self._toast.replace_requested.connect(self.replace_with_redacted)
            self._toast.allow_requested.connect(self.allow_text)
            self._toast.undo_requested.connect(lambda _: self.undo_block())
            self._toast.details_requested.connect(self.show_details)
        return self._toast

    def add_banner(self, message: str) -> None:
        """A message the window shows at the top (kept for when the window is built)."""
        self._banners.append(message)
        if self._window is not None:
            self._window.add_banner(message)

    # -- lifecycle -------------------------------------------------------------
    def start(self, *, show_window: bool = False) -> None:
        """Show the tray icon; with no tray, say so and open the window instead."""
        self.tray.show()
        if not self.tray.available:
            self.add_banner(NO_TRAY_MESSAGE)
            show_window = True
        problems = (self.settings_file.problem, self.engine.user_lists.error, getattr(self.policies, "problem", None),
                    self._history_problem)  # fmt: skip
        for problem in problems:
            if problem:
                self.add_banner(problem)
                show_window = True
        if show_window:
            self.window.bring_up()
        # Start-up leaves freed heap behind (rule compilation, imports): hand it back once things settle, on the
        # chore thread (malloc_trim releases the GIL, so the GUI thread does not wait for it).
        QTimer.singleShot(STARTUP_TRIM_MS, lambda: self.worker.chore(procmem.trim_heap))

    def quit(self) -> None:
        QApplication.quit()

    def shutdown(self) -> None:
        """After the event loop: stop listening, finish queued work, free the models."""
        self._undo_timer.stop()
        self._trim_timer.stop()
        self._memory_timer.stop()
        self._unsubscribe()
        self.guard.close()
        self.worker.close()
        self.engine.models.close()
        self.tray.icon.hide()
        for widget in (self._toast, self._window):
            if widget is not None:
                widget.hide()
        self.history.close()

    def open_window(self) -> None:
        self.window.bring_up()

    def set_paused(self, paused: bool) -> None:
        self.guard.paused = paused
        if self.tray.paused != paused:
            self.tray.set_paused(paused)

    # -- verdicts --------------------------------------------------------------
    def _scanned(self, result: ScanResult) -> None:
        self._trim_timer.start()  # (re)started: the heap is trimmed once the scans have stopped coming
        if result.source in ("typing", "manual") and self.window_built:
            self.scan_page.show_result(result)
        if result.source == "typing":
            return
        if result.source == "clipboard":  # the warning first, whatever storage does
            self._clipboard_scanned(result)
            self.clipboard_verdict.emit(result)
        self._record(result)

    def _open_history(self, path: Path) -> History:
        """The history file; a damaged one is moved aside and begun again, and where none can be written
        (a read-only or full disk) the history lives in memory for this session: protection never waits on it."""
        try:
            return History(path)
        except (sqlite3.Error, OSError) as exc:
            problem = f"{exc}"
            if isinstance(exc, sqlite3.DatabaseError) and path.exists():
                aside = set_aside(path, exc)
                problem = aside.describe("The scan history") + "; a new one was begun"
                try:
                    history = History(path)
                except (sqlite3.Error, OSError) as again:
                    problem += f", but it cannot be written either ({again})"
                else:
                    self._history_problem = problem
                    return history
            self._history_problem = (f"The scan history {path} cannot be written ({problem}); this session's "
                                     "history is kept in memory only, and protection goes on")  # fmt: skip
            return History(Path(IN_MEMORY))

    def _record(self, result: ScanResult) -> None:
        """Add a verdict to the history; a full disk or a broken file is said once, and protection goes on."""
        try:
            self.history.add(result.verdict, result.source)
        except (sqlite3.Error, OSError) as exc:
            if not self._history_failed:
                self._history_failed = True
                message = f"The scan history could not be written ({exc}); protection goes on without it."
                self.add_banner(message)
                self.tray.notify("Tierwall cannot write its history", message)
            return
        if self.window_built:
            self.history_page.refresh()

    def _clipboard_scanned(self, result: ScanResult) -> None:
        """Block, mask or warn. The clipboard is changed, and the tray shows a risk, only while it holds the text:
        the user may have copied something else meanwhile."""
        decision = result.verdict.decision
        if decision == "allow":
            self._show_clipboard("clean")
            return
        still_there = self.guard.current_text() == result.text
        risky = "blocked" if decision == "block" else "warning"
        sanitize = self.settings.auto_sanitize and needs_sanitizing(result)
        masked_unasked = sanitize and masking_suffices(result)  # auto-masking alone makes it safe: it does so
        if still_there and decision == "block" and self.settings.replace_blocked and not masked_unasked:
            self._block(result)
        elif still_there and sanitize:
            self.replace_with_redacted(result)
            self.sanitized.emit(result)
            if masking_suffices(result):
                self.tray.notify("Tierwall masked your clipboard", "secrets and personal data were masked")
            else:  # masking fixed the leak, not the attack
                self._show_clipboard(risky)
                self._warn(result)
        else:
            if still_there:
                self._show_clipboard(risky)
            self._warn(result)

    def _warn(self, result: ScanResult) -> None:
        if not self.settings.notifications:
            return
        self.toast.present(result)  # carries the actions; a native balloon as well would say it twice
        self.notified.emit(result)

    def _block(self, result: ScanResult) -> None:
        """Take a blocked text off the clipboard: its redacted copy where masking is all it needs, else a one-line
        notice that says why. Undo can put it back for UNDO_MS."""
        verdict = result.verdict
        masked = masking_suffices(result)
        written = verdict.redacted if masked else block_notice(verdict)
        restore = verdict.redacted if self.settings.auto_sanitize and needs_sanitizing(result) else result.text
        self.guard.write(written)
        self._show_clipboard("removed")
        self._replaced = Replacement(result, written, restore)
        self._undo_timer.start(UNDO_MS)
        self.tray.set_undo(True)
        self.blocked.emit(result)
        if self.settings.notifications:
            self.toast.present(result, replaced="masked" if masked else "removed", undo_ms=UNDO_MS)
            self.notified.emit(result)

    def undo_block(self) -> bool:
        """Put the blocked text back on the clipboard, once and without scanning it again. It is not an allow: a
        later copy of it is blocked as before. False when the time is up or the clipboard has changed since."""
        replaced = self._replaced
        if replaced is None or not self._undo_timer.isActive() or self.guard.current_text() != replaced.written:
            self._end_undo()
            return False
        self.guard.write(replaced.restore)
        self._show_clipboard("blocked")  # the risky text is back, by the user's choice
        self.undone.emit(replaced.result)
        return True

    def _end_undo(self) -> None:
        self._undo_timer.stop()
        self.tray.set_undo(False)
        if self._toast is not None:
            self._toast.end_undo()

    def _show_clipboard(self, state: str) -> None:
        """The tray follows what the clipboard holds; any state but "removed" means our replacement is gone."""
        if state != "removed":
            self._replaced = None
            self._end_undo()
        self.tray.set_clipboard(state)

    def allow_text(self, result: ScanResult) -> bool:
        """The notification's "Allow this text": one click for a warning, a confirmation for a block."""
        if result.verdict.decision == "block" and not self.confirm_allow(result):
            return False
        self.lists.allow_text(result)
        return True

    def _allowed(self, result: ScanResult) -> None:
        """An allowed text is safe where it is; one that a block took off the clipboard goes back there."""
        replaced = self._replaced
        current = self.guard.current_text()
        if replaced is not None and replaced.result.text == result.text and current == replaced.written:
            self.guard.write(replaced.restore)
            self._show_clipboard("clean")
        elif current == result.text:
            self._show_clipboard("clean")

    def replace_with_redacted(self, result: ScanResult) -> None:
        """Mask secrets and personal data on the clipboard (not scanned again); clean if nothing else was wrong."""
        if result.verdict.redacted is None:  # no complete mask: leave the clipboard as it is
            return
        self.guard.write(result.verdict.redacted)
        if masking_suffices(result):
            self._show_clipboard("clean")

    def show_details(self, result: ScanResult) -> None:
        self.window.show_page("scan")
        self.scan_page.set_text(result.text)
        self.scan_page.show_result(result)
        self.window.bring_up()

    # -- models and memory -----------------------------------------------------------
    def unload(self, name: str) -> None:
        """Unload one model ("" for all) on the chore thread: it may wait for a running inference."""
        models = self.engine.models
        self.worker.chore(lambda: models.unload(name) if name else models.unload_all(), lambda _: self.refresh_memory())

    @property
    def memory_on_screen(self) -> bool:
        return self.window_built and self.memory_page.on_screen

    def refresh_memory(self) -> None:
        """Once a second: a sample for the graph and the tray's tooltip; the memory page only while on screen."""
        snap = self.engine.models.snapshot()
        self.trace.add_sample(snap.total_rss_mib, snap.taken_at)
        loaded = sum(m.state == "loaded" for m in snap.models)
        self.tray.set_detail(f"{snap.total_rss_mib:.0f} MiB · {loaded} of {len(snap.models)} models loaded")
        if self.memory_on_screen:
            self.memory_page.show_snapshot(snap)

    def _model_event(self, event: ModelEvent) -> None:
        if event.kind == "loading":
            self.tray.set_loading(True)
        elif event.kind in ("loaded", "error", "unloaded"):
            snap = self.engine.models.snapshot()
            self.tray.set_loading(any(m.state == "loading" for m in snap.models))
            if event.kind != "error":
                why = UNLOAD_REASONS.get(event.reason, event.reason) if event.kind == "unloaded" else ""
                self.trace.add_marker(event.kind, f"{event.model} ({why})" if why else str(event.model), event.at)
            if self.memory_on_screen:
                self.memory_page.show_snapshot(snap)

    # -- settings ----------------------------------------------------------------------
    def apply_settings(self, settings: Settings) -> None:
        """Apply and save; every page shows the result."""
        settings = settings.validated()
        old, self.settings = self.settings, settings
        if settings.idle_timeout_s != old.idle_timeout_s:
            self.engine.models.set_idle_timeout(settings.idle_timeout)
        if settings.budget_mib != old.budget_mib:
            self.engine.models.set_budget(settings.budget)
        self.guard.enabled = settings.watch_clipboard
        if hasattr(self.engine, "policy_always"):
            self.engine.policy_always = settings.policy_always
        if settings.start_at_login != old.start_at_login:
            try:
                autostart.set_enabled(settings.start_at_login, icon_path=APP_ICON if APP_ICON.is_file() else None)
                self.autostart_error = None
            except OSError as exc:
                self.settings = replace(self.settings, start_at_login=old.start_at_login)
                self.autostart_error = f"Could not change the autostart entry: {exc}"
            if self.window_built:
                self.settings_page.show_autostart_error(self.autostart_error)
        try:
            self.settings_file.save(self.settings)
        except OSError as exc:
            self.add_banner(f"Settings could not be saved: {exc}")
        if self.window_built:
            self.settings_page.show_settings(self.settings)
            self.memory_page.set_limits(self.settings.idle_timeout_s, self.settings.budget_mib)
