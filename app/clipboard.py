"""Watches the clipboard: debounced, text only, and deaf to the app's own writes."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

DEBOUNCE_MS = 25  # apps often set the clipboard several times in a row; scan the last one


class ClipboardGuard(QObject):
    """Emits `captured(text)` for each new clipboard text worth scanning.

    `skipped(reason)` says why a change was not scanned (paused, not text,
    empty, our own write), so the tray and the tests can tell.
    """

    captured = Signal(str)
    skipped = Signal(str)

    def __init__(self, clipboard: QClipboard | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clipboard = clipboard or QGuiApplication.clipboard()
        self.enabled = True  # the "watch the clipboard" setting
        self.paused = False  # the tray's Pause/Resume
        self._own: str | None = None  # the text we last wrote (compared, not hashed: a huge copy stays cheap)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._settled)
        self.clipboard.dataChanged.connect(self._changed)

    @property
    def active(self) -> bool:
        return self.enabled and not self.paused

    def write(self, text: str) -> None:
        """Put text on the clipboard without scanning it again: only the change this write makes is skipped, so a
        later copy of the same text is scanned as any other."""
        self._own = text
        self.clipboard.setText(text)

    def current_text(self) -> str | None:
        """The clipboard's text, or None when it holds something else (an image, files)."""
        mime = self.clipboard.mimeData()
        if mime is None or not mime.hasText():
            return None
        return mime.text()

    def scan_now(self) -> bool:
        """The tray's "Scan clipboard now": scans even while paused; False if there is no text."""
        text = self.current_text()
        if not text or not text.strip():
            self.skipped.emit("the clipboard holds no text")
            return False
        self.captured.emit(text)
        return True

    def close(self) -> None:
        """Stop listening (the clipboard outlives this object)."""
        self._timer.stop()
        self.clipboard.dataChanged.disconnect(self._changed)

    def _changed(self) -> None:
        if not self.active:
            self._own = None  # our write, if it was one, has been seen
            self.skipped.emit("paused" if self.paused else "clipboard watching is off")
            return
        self._timer.start()

    def _settled(self) -> None:
        if not self.active:
            return
        text = self.current_text()
        own, self._own = self._own, None  # one settle only: a copy that came in the debounce is not our write
        if text is None:
            self.skipped.emit("not text")
            return
        if own is not None and text == own:
            self.skipped.emit("our own write")
            return
        if not text.strip():
            self.skipped.emit("empty")
            return
        self.captured.emit(text)
