"""The tray icon: its state (protecting, paused, warning, loading) and its menu."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app import icons

WARNING_MS = 30000  # how long the icon stays in the warning state after a notification

_STATUS = {  # the menu's first line
    "protecting": "Protecting",
    "paused": "Paused",
    "warning": "Risky text copied",
    "loading": "Loading a model…",
}
_TOOLTIPS = {
    "protecting": "Tierwall: protecting your clipboard",
    "paused": "Tierwall: paused",
    "warning": "Tierwall: risky text on the clipboard",
    "loading": "Tierwall: loading a model…",
}


class Tray(QObject):
    """Owns the QSystemTrayIcon; says so when there is no system tray instead of failing."""

    pause_toggled = Signal(bool)
    scan_clipboard = Signal()
    open_window = Signal()
    unload_models = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.paused = False
        self.warning = False
        self.loading = False
        self.detail = ""
        self.menu = QMenu()
        self.status_action = QAction("", self.menu)  # what the tooltip says, for desktops that show no tooltips
        self.status_action.setEnabled(False)
        self.menu.addAction(self.status_action)
        self.menu.addSeparator()
        self.pause_action = QAction("Pause protection", self.menu)
        self.pause_action.triggered.connect(lambda: self.set_paused(not self.paused, announce=True))
        self.menu.addAction(self.pause_action)
        self.menu.addAction("Scan clipboard now", self.scan_clipboard.emit)
        self.menu.addSeparator()
        self.menu.addAction("Open Tierwall", self.open_window.emit)
        self.menu.addAction("Unload models now", self.unload_models.emit)
        self.menu.addSeparator()
        self.menu.addAction("Quit", self.quit_requested.emit)
        self.icon = QSystemTrayIcon(icons.icon("protecting"), self)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self.icon.messageClicked.connect(self.open_window.emit)
        self._warning_timer = QTimer(self)
        self._warning_timer.setSingleShot(True)
        self._warning_timer.timeout.connect(lambda: self.set_warning(False))
        self._refresh()

    @property
    def state(self) -> str:
        if self.loading:
            return "loading"
        if self.warning:
            return "warning"
        return "paused" if self.paused else "protecting"

    def show(self) -> None:
        if self.available:
            self.icon.show()

    def set_paused(self, paused: bool, *, announce: bool = False) -> None:
        self.paused = paused
        self.pause_action.setText("Resume protection" if paused else "Pause protection")
        self._refresh()
        if announce:
            self.pause_toggled.emit(paused)

    def set_warning(self, warning: bool) -> None:
        self.warning = warning
        if warning:
            self._warning_timer.start(WARNING_MS)
        self._refresh()

    def set_loading(self, loading: bool) -> None:
        self.loading = loading
        self._refresh()

    def notify(self, title: str, message: str) -> None:
        """A native tray balloon, where a tray exists."""
        if self.available and self.icon.isVisible():
            self.icon.showMessage(title, message, icons.icon("warning"), 8000)

    def set_detail(self, detail: str) -> None:
        """A second tooltip line (memory, models), refreshed by the app."""
        if detail != self.detail:
            self.detail = detail
            self._refresh()

    @property
    def tooltip(self) -> str:
        return _TOOLTIPS[self.state] + (f"\n{self.detail}" if self.detail else "")

    def _refresh(self) -> None:
        self.icon.setIcon(icons.icon(self.state))
        self.icon.setToolTip(self.tooltip)
        self.status_action.setText(_STATUS[self.state] + (f" · {self.detail}" if self.detail else ""))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_window.emit()
