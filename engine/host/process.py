"""One running model host: its process, its pipe, its reader thread and the requests waiting for an answer.

HostModels (engine.host.client) decides when a host starts and stops; this
module only runs one and fails every waiting request, once, when it ends.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil

from engine.host.protocol import HOST_SUBCOMMAND, ProtocolError, read_message, write_message
from engine.models import ModelUnavailable
from engine.procmem import MIB

STOP_TIMEOUT_S = 5.0  # from "quit" to the process gone, else it is killed


def cli_command(*args: str) -> list[str]:
    """How to run `tierwall ARGS` in a child process: the `tierwall` beside a frozen program (the tray's
    executable too), `python -m engine …` from source; never `-m` on a frozen executable, which ignores it."""
    if getattr(sys, "frozen", False):
        program = Path(sys.executable).with_name("tierwall.exe" if os.name == "nt" else "tierwall")
        return [str(program), *args]
    return [sys.executable, "-m", "engine", *args]


def host_command(threads: int = 1) -> list[str]:
    """How to start a model host: `tierwall _model-host`."""
    return cli_command(HOST_SUBCOMMAND, "--threads", str(threads))


def _host_env() -> dict[str, str]:
    """This process's environment, with this engine's source first on the path (the host runs the same code)."""
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):
        source = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH", "")) if p)
    return env


class _Pending:
    __slots__ = ("done", "reply")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.reply: dict[str, Any] | None = None


class Host:
    """One running host process: its pipe, its reader thread and the requests waiting for an answer."""

    def __init__(self, command: Sequence[str], on_message: Callable[[Host, dict[str, Any]], None],
                 on_end: Callable[[Host, str, bool], None]) -> None:  # fmt: skip
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if os.name == "nt" else 0
        self.proc = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=_host_env(), creationflags=flags)  # fmt: skip
        self.pid = self.proc.pid
        assert self.proc.stdin is not None and self.proc.stdout is not None  # both are pipes
        self._to_host, self._from_host = self.proc.stdin, self.proc.stdout
        self._on_message, self._on_end = on_message, on_end
        self._write_lock = threading.Lock()
        self._ids = itertools.count(1)
        self.pending: dict[int, _Pending] = {}
        self.in_flight = 0  # requests between "asked" and "answered", counted by the client under its lock
        self.ended: str | None = None  # why it is gone
        self.stopping = False  # the client asked it to go: its end is not a failure
        self.hello = threading.Event()
        self.protocol: object = None
        self._reader = threading.Thread(target=self._read, name="tierwall-host-reader", daemon=True)
        self._reader.start()

    def request(self, op: str, args: dict[str, Any], deadline_s: float) -> Any:
        """The host's answer to one request, or ModelUnavailable (and the host killed, if it was its fault)."""
        pending = _Pending()
        with self._write_lock:
            if self.ended:
                raise ModelUnavailable(self.ended)
            rid = next(self._ids)
            self.pending[rid] = pending
            try:
                write_message(self._to_host, {"id": rid, "op": op, "args": args, "deadline_s": deadline_s})
            except (OSError, ProtocolError) as exc:
                self.pending.pop(rid, None)
                if isinstance(exc, ProtocolError):
                    raise ModelUnavailable(f"could not ask the model host: {exc}") from exc
                self.end(f"the model host's pipe broke: {exc}")
                raise ModelUnavailable(self.ended or "the model host is gone") from exc
        if not pending.done.wait(deadline_s):
            self.end(f"the model host did not answer within {deadline_s:g} s and was stopped")
        reply = pending.reply
        if reply is None:
            raise ModelUnavailable(self.ended or "the model host is gone")
        if "error" in reply:
            error = reply["error"] if isinstance(reply["error"], dict) else {}
            kind, message = str(error.get("type", "error")), str(error.get("message", ""))
            raise ModelUnavailable(message if kind == "ModelUnavailable" else f"model host: {kind}: {message}")
        if "ok" not in reply:
            self.end("the model host answered without a result")
            raise ModelUnavailable(self.ended or "")
        return reply["ok"]

    def _read(self) -> None:
        why = ""
        try:
            while True:
                message = read_message(self._from_host)
                if message is None:
                    break
                if "hello" in message:
                    hello = message["hello"]
                    self.protocol = hello.get("protocol") if isinstance(hello, dict) else None
                    self.hello.set()
                self._on_message(self, message)
                rid = message.get("id")
                if rid is not None:
                    with self._write_lock:
                        pending = self.pending.pop(rid, None) if isinstance(rid, int) else None
                    if pending is None:
                        raise ProtocolError(f"an answer to request {rid!r}, which was not asked")
                    pending.reply = message
                    pending.done.set()
        except (ProtocolError, OSError, ValueError, TypeError, KeyError) as exc:
            why = f"the model host sent something that is not an answer ({exc})"
        if not why:
            code = self._wait(STOP_TIMEOUT_S)
            why = f"the model host exited (code {code})"
        self.end(why)

    def end(self, why: str) -> None:
        """Kill the process (if it still runs), fail every waiting request with `why`; once."""
        with self._write_lock:
            if self.ended:
                return
            self.ended = why
            waiting, self.pending = list(self.pending.values()), {}
        with contextlib.suppress(OSError):
            self.proc.kill()
        self._wait(STOP_TIMEOUT_S)
        for stream in (self._to_host, self._from_host):
            with contextlib.suppress(OSError, ValueError):
                stream.close()
        self._on_end(self, why, not self.stopping)
        for pending in waiting:  # last: whoever waited finds the client already without this host
            pending.done.set()
        self.hello.set()

    def stop(self) -> None:
        """Ask the host to go, wait for it (killed if it lingers)."""
        self.stopping = True
        with self._write_lock, contextlib.suppress(OSError, ValueError, ProtocolError):
            write_message(self._to_host, {"op": "quit"})
            self._to_host.close()
        if self._wait(STOP_TIMEOUT_S) is None:
            self.end("the model host did not stop when asked")
        if threading.current_thread() is not self._reader:
            self._reader.join(STOP_TIMEOUT_S)

    def _wait(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def rss_mib(self) -> float | None:
        try:
            return float(psutil.Process(self.pid).memory_info().rss / MIB)
        except (psutil.Error, OSError):
            return None
