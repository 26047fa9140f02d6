"""The tray icon: its state (protecting, paused, warning, blocked, loading), its words and its menu.

Warning and blocked follow the *current clipboard*: the app sets them when a
risky text lands there and clears them when the clipboard changes to something
clean, so there is no timer to outlive a clean copy.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from app import icons

# What the clipboard holds, as far as the app knows: a clean text, a risky one (warned about or blocked), or
# Tierwall's replacement for a blocked one.
CLIPBOARD_STATES = ("clean", "warning", "blocked", "removed")

_STATUS = {  # the menu's first line
    "protecting": "Protecting",
    "paused": "Paused",
    "warning": "Warning: risky text on the clipboard",
    "blocked": "Blocked: risky text on the clipboard",
    "removed": "Blocked: removed from the clipboard",
    "loading": "Loading a model…",
}
_TOOLTIPS = {
    "protecting": "Tierwall: protecting your clipboard",
    "paused": "Tierwall: paused",
    "warning": "Tierwall: warning, risky text on the clipboard",
    "blocked": "Tierwall: blocked, risky text on the clipboard",
    "removed": "Tierwall: blocked text removed from the clipboard",
    "loading": "Tierwall: loading a model…",
}


class Tray(QObject):
    """Owns the QSystemTrayIcon; says so when there is no system tray instead of failing."""

    pause_toggled = Signal(bool)
    scan_clipboard = Signal()
    open_window = Signal()
    unload_models = Signal()
    quit_requested = Signal()
    undo_requested = Signal()  # put the blocked text back on the clipboard

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.available = QSystemTrayIcon.isSystemTrayAvailable()
        self.paused = False
        self.clipboard = "clean"  # one of CLIPBOARD_STATES
        self.loading = False
        self.detail = ""
        self.menu = QMenu()
        self.status_action = QAction("", self.menu)  # what the tooltip says, for desktops that show no tooltips
        self.status_action.setEnabled(False)
        self.menu.addAction(self.status_action)
        self.undo_action = QAction("Undo: put the blocked text back", self.menu)
        self.undo_action.triggered.connect(self.undo_requested.emit)
        self.undo_action.setVisible(False)
        self.menu.addAction(self.undo_action)
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
        self._refresh()

    @property
    def state(self) -> str:
        """The icon's state: loading, then what the clipboard holds, then paused or protecting."""
        if self.loading:
            return "loading"
        if self.clipboard != "clean":
            return "warning" if self.clipboard == "warning" else "blocked"
        return "paused" if self.paused else "protecting"

    @property
    def words(self) -> str:
        """The key of the tooltip and status line: the state, told apart for a blocked text still there or gone."""
        return self.clipboard if self.state == "blocked" else self.state

    def show(self) -> None:
        if self.available:
            self.icon.show()

    def set_paused(self, paused: bool, *, announce: bool = False) -> None:
        self.paused = paused
        self.pause_action.setText("Resume protection" if paused else "Pause protection")
        self._refresh()
        if announce:
            self.pause_toggled.emit(paused)

    def set_clipboard(self, state: str) -> None:
        """What the clipboard holds now: "clean", "warning", "blocked" (still there) or "removed" (replaced)."""
        if state not in CLIPBOARD_STATES:
            raise ValueError(f"unknown clipboard state {state!r}; known: {', '.join(CLIPBOARD_STATES)}")
        self.clipboard = state
        self._refresh()

    def set_undo(self, available: bool) -> None:
        """Offer "Undo" in the menu while a blocked text can still be put back."""
        self.undo_action.setVisible(available)

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
        return _TOOLTIPS[self.words] + (f"\n{self.detail}" if self.detail else "")

    def _refresh(self) -> None:
        self.icon.setIcon(icons.icon(self.state))
        self.icon.setToolTip(self.tooltip)
        self.status_action.setText(_STATUS[self.words] + (f" · {self.detail}" if self.detail else ""))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_window.emit()
