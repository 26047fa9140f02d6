"""One Tierwall per user session: a second start asks the running one to show its window, then exits.

Two trays would both watch the clipboard and warn twice about every copy.
A QLocalServer named per user is the rendezvous; a stale socket left by a
crash is removed and claimed again. On POSIX systems the socket lives in a
directory only this user can enter ($XDG_RUNTIME_DIR, else a 0700 one of
its own in the temp dir), and both ends check the other's uid: another
user's program listening on a shared name must not be able to keep the
tray from starting (it would have said "already running" and exited).
"""

from __future__ import annotations

import contextlib
import getpass
import os
import socket as sockets
import stat
import struct
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from engine import data_dir, sha256

CONNECT_MS = 500


def _private_dir() -> Path | None:
    """A directory only this user can enter (POSIX): $XDG_RUNTIME_DIR, else <temp>/tierwall-<uid> made 0700;
    None on Windows (its named pipes are per user) or where no such directory can be had."""
    if os.name != "posix":
        return None
    candidates = [Path(d) for d in (os.environ.get("XDG_RUNTIME_DIR"),) if d]
    own = Path(tempfile.gettempdir()) / f"tierwall-{os.getuid()}"
    with contextlib.suppress(OSError):  # not ours, or not creatable: the check below says so
        own.mkdir(mode=0o700, exist_ok=True)
    candidates.append(own)
    for directory in candidates:
        try:
            st = directory.lstat()  # a symlink someone else planted is not followed
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077:
            return directory
    return None


def server_name() -> str:
    """Per user and per data dir, so tests and portable set-ups do not collide with a real session; on POSIX
    the full path of a socket in the user's private directory."""
    key = f"{getpass.getuser()}:{data_dir()}"
    name = "tierwall-" + sha256(key.encode()).hexdigest()[:16]
    private = _private_dir()
    return name if private is None else str(private / f"{name}.sock")


def peer_uid(socket: QLocalSocket) -> int | None:
    """The uid of the process at the other end of a connected local socket (Linux, macOS); None: unknown."""
    fd = int(socket.socketDescriptor())
    if fd < 0 or os.name != "posix":
        return None
    try:
        with sockets.socket(fileno=os.dup(fd)) as peer:
            if sys.platform.startswith("linux"):
                _pid, uid, _gid = struct.unpack("3i", peer.getsockopt(sockets.SOL_SOCKET, sockets.SO_PEERCRED, 12))
                return int(uid)
            if sys.platform == "darwin":  # LOCAL_PEERCRED: struct xucred {u_int version; uid_t uid; …}
                _version, uid = struct.unpack("2I", peer.getsockopt(0, 0x001, 76)[:8])
                return int(uid)
    except OSError:
        return None
    return None


def _same_user(socket: QLocalSocket) -> bool:
    uid = peer_uid(socket)  # None off POSIX, where os.getuid does not exist either
    return uid is None or uid == os.getuid()


def ask_running_instance(name: str | None = None) -> bool:
    """True if another instance of this user answered (it was asked to show its window)."""
    socket = QLocalSocket()
    socket.connectToServer(name or server_name())
    if not socket.waitForConnected(CONNECT_MS):
        return False
    if not _same_user(socket):
        print("tierwall-tray: another user's program listens where Tierwall would; starting anyway", file=sys.stderr)
        socket.abort()
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
            if not _same_user(socket):  # only this user's later starts may open the window
                socket.abort()
                continue
            socket.readyRead.connect(self._read)

    def _read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket) and bytes(socket.readAll().data()).strip() == b"show":
            self.show_requested.emit()
