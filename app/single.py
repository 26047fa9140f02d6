"""One Tierwall per user session: a second start asks the running one to show its window, then exits.

Two trays would both watch the clipboard and warn twice about every copy.
A QLocalServer named per user is the rendezvous; a stale socket left by a
crash is removed and claimed again.
"""

from __future__ import annotations

import getpass
import hashlib

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from engine.paths import data_dir

CONNECT_MS = 500


def server_name() -> str:
    """Per user and per data dir, so tests and portable set-ups do not collide with a real session."""
    key = f"{getpass.getuser()}:{data_dir()}"
    return "tierwall-" + hashlib.sha256(key.encode()).hexdigest()[:16]


def ask_running_instance(name: str | None = None) -> bool:
    """True if another instance answered (it was asked to show its window)."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(CONNECT_MS):
        return False
    socket.write(b"show\n")
    socket.waitForBytesWritten(CONNECT_MS)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """Listens for later starts; `show_requested` fires when one asks."""

    show_requested = Signal()

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(self.name):
            QLocalServer.removeServer(self.name)  # a crash left the socket behind: nobody answered on it
            self.server.listen(self.name)
        self.server.newConnection.connect(self._connected)

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def close(self) -> None:
        self.server.close()

    def _connected(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(self._read)

    def _read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket) and bytes(socket.readAll().data()).strip() == b"show":
            self.show_requested.emit()
