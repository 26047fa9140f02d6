"""Applying the user's settings: each change reaches what it governs, is saved, and is then shown everywhere.

The engine's model limits, the clipboard guard, the policy check and the autostart entry each take their
setting here and nowhere else, at start-up and on every change, so that a value (an idle timeout of 0 that
means "never") is turned into what the engine wants in one place: Settings' own properties.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from app import autostart
from app.clipboard import ClipboardGuard
from app.settings import Settings, SettingsFile
from app.worker import Worker
from engine import assets_dir

APP_ICON = assets_dir() / "icons" / "tierwall.png"  # made by packaging/make_icons.py, for the autostart entry


class SettingsApplier(QObject):
    """Holds the settings in force; `apply` makes a changed set take effect, saves it and announces it."""

    changed = Signal(object)  # Settings, as applied and saved: the pages show them
    autostart_checked = Signal(object)  # str | None: why the autostart entry could not be changed, or None
    problem = Signal(str)  # something the user must know (the settings could not be saved)

    def __init__(
        self, settings_file: SettingsFile, settings: Settings, worker: Worker, guard: ClipboardGuard,
        parent: QObject | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.settings_file = settings_file
        self.settings = settings
        self.worker = worker
        self.engine = worker.engine
        self.guard = guard
        self.autostart_error: str | None = None

    def apply_at_start(self) -> None:
        """Everything the settings govern, as loaded (the engine may have been made with other limits)."""
        self._set_model_limits(self.settings)
        self._set_switches(self.settings)

    def apply(self, settings: Settings) -> None:
        """Apply what changed, save, and announce the result (the autostart entry may have refused its change)."""
        settings = settings.validated()
        old, self.settings = self.settings, settings
        if (settings.idle_timeout, settings.budget) != (old.idle_timeout, old.budget):
            self._set_model_limits(settings)
        self._set_switches(settings)
        if settings.start_at_login != old.start_at_login:
            self._set_autostart(settings.start_at_login)
        try:
            self.settings_file.save(self.settings)
        except OSError as exc:
            self.problem.emit(f"Settings could not be saved: {exc}")
        self.changed.emit(self.settings)

    def _set_model_limits(self, settings: Settings) -> None:
        """On the chore thread: with a model host, each limit is a message to it and its answer."""
        models, idle, budget = self.engine.models, settings.idle_timeout, settings.budget
        self.worker.chore(lambda: (models.set_idle_timeout(idle), models.set_budget(budget)))

    def _set_switches(self, settings: Settings) -> None:
        self.guard.enabled = settings.watch_clipboard
        if hasattr(self.engine, "policy_always"):
            self.engine.policy_always = settings.policy_always

    def _set_autostart(self, enabled: bool) -> None:
        try:
            autostart.set_enabled(enabled, icon_path=APP_ICON if APP_ICON.is_file() else None)
            self.autostart_error = None
        except OSError as exc:
            self.settings = replace(self.settings, start_at_login=not enabled)
            self.autostart_error = f"Could not change the autostart entry: {exc}"
        self.autostart_checked.emit(self.autostart_error)
