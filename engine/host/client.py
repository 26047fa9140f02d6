"""HostModels: the engine's models, run in a model host that is started on need and stopped when idle.

It stands where an in-process ModelManager would (engine.models.Models), so the
tiers and the app cannot tell the two apart, except that unloading the last
model stops the host and every byte it used goes back to the OS. This process
never imports onnxruntime.

Failures fail closed: a host that dies, hangs past a request's deadline or
sends garbage is killed and the request raises ModelUnavailable (the engine
then says the tier could not run, and its verdict is at least warn). The next
need starts a fresh host, at once after one failure and with a growing pause
after several in a row.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psutil

from engine.assets import assets_dir
from engine.host.protocol import HOST_SUBCOMMAND, PROTOCOL_VERSION, ProtocolError, read_message, write_message
from engine.models import Listeners, ModelEvent, ModelInfo, ModelSpec, ModelUnavailable, Snapshot
from engine.procmem import MIB, rss_mib

START_TIMEOUT_S = 30.0  # from spawn to the host's hello (an interpreter and numpy on a loaded machine)
COLD_DEADLINE_S = 60.0  # a request that may have to load a model first
WARM_DEADLINE_S = 30.0  # a request on loaded models (tier 2 on a long text on a busy 2-core machine: ~5 s)
CONTROL_DEADLINE_S = 30.0  # unload (may wait for a running inference), settings
STOP_TIMEOUT_S = 5.0  # from "quit" to the process gone, else it is killed
MAX_PAUSE_S = 30.0  # the longest wait before the next start after failures in a row
_INFO_FIELDS = frozenset(f.name for f in dataclasses.fields(ModelInfo))
_EVENT_FIELDS = frozenset(f.name for f in dataclasses.fields(ModelEvent))


def host_command(threads: int = 1) -> list[str]:
    """How to start a model host: `tierwall _model-host` beside a frozen program, `python -m engine …` from source."""
    if getattr(sys, "frozen", False):
        program = Path(sys.executable).with_name("tierwall.exe" if os.name == "nt" else "tierwall")
        return [str(program), HOST_SUBCOMMAND, "--threads", str(threads)]
    return [sys.executable, "-m", "engine", HOST_SUBCOMMAND, "--threads", str(threads)]


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


class _Host:
    """One running host process: its pipe, its reader thread and the requests waiting for an answer."""

    def __init__(self, command: Sequence[str], on_message: Callable[[_Host, dict[str, Any]], None],
                 on_end: Callable[[_Host, str, bool], None]) -> None:  # fmt: skip
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0) if os.name == "nt" else 0
        self.proc = subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     env=_host_env(), creationflags=flags)  # fmt: skip
        self.pid = self.proc.pid
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
                write_message(self.proc.stdin, {"id": rid, "op": op, "args": args, "deadline_s": deadline_s})
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
                message = read_message(self.proc.stdout)
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
        for stream in (self.proc.stdin, self.proc.stdout):
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
            write_message(self.proc.stdin, {"op": "quit"})
            self.proc.stdin.close()
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
            return psutil.Process(self.pid).memory_info().rss / MIB
        except (psutil.Error, OSError):
            return None


class HostModels:
    """The Models interface over a model host process (see the module's docstring). Thread-safe."""

    def __init__(
        self,
        specs: Sequence[ModelSpec],
        *,
        threads: int = 1,
        idle_timeout_s: float | None = 60.0,
        budget_mib: float | None = None,
        root: Path | None = None,
        command: Sequence[str] | None = None,
        start_timeout_s: float = START_TIMEOUT_S,
        cold_deadline_s: float = COLD_DEADLINE_S,
        warm_deadline_s: float = WARM_DEADLINE_S,
    ) -> None:
        self.root = root or assets_dir() / "models"
        self._specs = {s.name: s for s in specs}
        self.command = list(command or host_command(threads))
        self._start_timeout_s, self._cold_s, self._warm_s = start_timeout_s, cold_deadline_s, warm_deadline_s
        self._lock = threading.RLock()
        self._start_lock = threading.Lock()  # one start at a time; the others wait for it
        self._host: _Host | None = None
        self._idle_timeout_s, self._budget_mib = idle_timeout_s, budget_mib
        self._listeners = Listeners()
        self._infos = {s.name: _blank(s) for s in specs}
        self._infos_at = time.monotonic()
        self._earlier_loads: dict[str, int] = {}  # per model, the loads of the hosts that have gone
        self._failures = 0  # in a row
        self._next_start = 0.0
        self._last_failure = ""
        self.starts = 0

    # -- configuration ----------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._specs)

    def spec(self, name: str) -> ModelSpec:
        try:
            return self._specs[name]
        except KeyError:
            raise KeyError(f"unknown model {name!r}; known: {', '.join(self._specs) or 'none'}") from None

    def set_idle_timeout(self, seconds: float | None) -> None:
        with self._lock:
            self._idle_timeout_s = seconds
        self._send_settings()
        self._emit(ModelEvent("settings", None, f"idle timeout {seconds}"))

    def set_budget(self, mib: float | None) -> None:
        with self._lock:
            self._budget_mib = mib
        self._send_settings()
        self._emit(ModelEvent("settings", None, f"budget {mib}"))

    def subscribe(self, callback: Callable[[ModelEvent], None]) -> Callable[[], None]:
        return self._listeners.subscribe(callback)

    # -- use ------------------------------------------------------------------------
    def infer(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        host = self._claim()
        try:
            with self._lock:
                warm = all(info.state == "loaded" for info in self._infos.values())
            result = host.request("infer", {"op": op, "args": args}, self._warm_s if warm else self._cold_s)
        finally:
            self._release(host)
        if not isinstance(result, dict):
            raise ModelUnavailable(f"the model host answered {op} with a {type(result).__name__}")
        with self._lock:
            self._failures = 0
        return result

    def is_available(self, name: str) -> bool:
        with self._lock:
            return self._infos[self.spec(name).name].state != "error"

    def reset_error(self, name: str) -> None:
        self.spec(name)
        with self._lock:
            info = self._infos[name]
            if info.state == "error":
                self._infos[name] = dataclasses.replace(info, state="unloaded", error=None)
            host = self._host
        if host is not None:
            with contextlib.suppress(ModelUnavailable):
                self._request(host, "reset_error", {"name": name})

    # -- unload ---------------------------------------------------------------------
    def unload(self, name: str, *, reason: str = "asked", wait: bool = True) -> bool:
        self.spec(name)
        host = self._current()
        if host is None:
            return False
        try:
            done = bool(self._request(host, "unload", {"name": name, "reason": reason}))
        except ModelUnavailable:
            return False
        self._stop_if_idle(host)
        return done

    def unload_all(self, *, reason: str = "asked") -> None:
        """Unload every model and stop the host: when this returns, its memory is back with the OS."""
        host = self._current()
        if host is None:
            return
        with contextlib.suppress(ModelUnavailable):
            self._request(host, "unload_all", {"reason": reason})
        self._stop(host)

    def close(self) -> None:
        self.unload_all(reason="shutdown")

    # -- accounting -----------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """From what the host last said (it says it with every message) and the host's RSS now: no round trip."""
        host = self._current()
        with self._lock:
            infos, taken = list(self._infos.values()), self._infos_at
            timeout, budget = self._idle_timeout_s, self._budget_mib
        elapsed = time.monotonic() - taken
        models = tuple(
            dataclasses.replace(i, unload_in_s=max(0.0, i.unload_in_s - elapsed)) if i.unload_in_s is not None else i
            for i in infos
        )
        host_rss = host.rss_mib() if host is not None else None
        return Snapshot(models, rss_mib(), timeout, budget, host_rss_mib=host_rss,
                        host_pid=host.pid if host is not None and host_rss is not None else None)  # fmt: skip

    @property
    def host_pid(self) -> int | None:
        host = self._current()
        return host.pid if host is not None else None

    # -- the host's life ------------------------------------------------------------
    def _current(self) -> _Host | None:
        with self._lock:
            host = self._host
        return host if host is not None and not host.ended else None

    def _claim(self) -> _Host:
        """The running host (started if need be), counted as in use until _release."""
        with self._start_lock:
            with self._lock:
                host = self._host
                if host is not None and not host.ended and not host.stopping:
                    host.in_flight += 1
                    return host
                pause = self._next_start - time.monotonic()
                if pause > 0:
                    raise ModelUnavailable(f"the model host failed {self._failures} times in a row (last: "
                                           f"{self._last_failure}); next try in {pause:.0f} s")  # fmt: skip
            host = self._start()
            with self._lock:
                self._host = host
                host.in_flight += 1
        return host

    def _release(self, host: _Host) -> None:
        with self._lock:
            host.in_flight -= 1

    def _start(self) -> _Host:
        try:
            host = _Host(self.command, self._message, self._ended)
        except OSError as exc:
            self._failed(f"the model host could not be started ({' '.join(self.command)}): {exc}")
            raise ModelUnavailable(self._last_failure) from exc
        if not host.hello.wait(self._start_timeout_s):
            host.end(f"the model host did not start within {self._start_timeout_s:g} s")
        if host.ended:
            raise ModelUnavailable(host.ended)
        if host.protocol != PROTOCOL_VERSION:
            host.end(f"the model host speaks protocol {host.protocol!r}, this program {PROTOCOL_VERSION}")
            raise ModelUnavailable(host.ended or "")
        with self._lock:
            settings = {"idle_timeout_s": self._idle_timeout_s, "budget_mib": self._budget_mib}
        try:
            host.request("settings", settings, CONTROL_DEADLINE_S)
        except ModelUnavailable as exc:
            host.end(f"the model host refused its settings: {exc}")
            raise
        self.starts += 1
        return host

    def _send_settings(self) -> None:
        host = self._current()
        if host is None:
            return
        with self._lock:
            settings = {"idle_timeout_s": self._idle_timeout_s, "budget_mib": self._budget_mib}
        with contextlib.suppress(ModelUnavailable):
            self._request(host, "settings", settings)

    def _request(self, host: _Host, op: str, args: dict[str, Any]) -> Any:
        """A control request; the host is not stopped for being idle while one is on its way."""
        with self._lock:
            host.in_flight += 1
        try:
            return host.request(op, args, CONTROL_DEADLINE_S)
        finally:
            self._release(host)

    def _stop(self, host: _Host) -> None:
        with self._lock:
            if self._host is host:
                self._host = None
            host.stopping = True
        host.stop()

    def _stop_if_idle(self, host: _Host) -> None:
        """Stop the host once no model in it is loaded and no request is on its way: all its memory goes back."""
        with self._lock:
            if self._host is not host or host.in_flight or host.stopping:
                return
            if any(info.state in ("loaded", "loading") for info in self._infos.values()):
                return
            self._host = None
            host.stopping = True
        host.stop()

    def _failed(self, why: str) -> None:
        with self._lock:
            self._failures += 1
            self._last_failure = why
            pause = 0.0 if self._failures < 2 else min(MAX_PAUSE_S, 2.0 ** (self._failures - 2))
            self._next_start = time.monotonic() + pause

    # -- what the host says -----------------------------------------------------------
    def _message(self, host: _Host, message: dict[str, Any]) -> None:
        """Called on the host's reader thread; a malformed part raises, which ends the host."""
        snapshot = message.get("snapshot")
        if snapshot is not None:
            infos = [_info(item, self._specs) for item in snapshot["models"]]
            with self._lock:
                if self._host is host or self._host is None:
                    earlier = self._earlier_loads  # loads counts every host's loads, as one manager's would
                    self._infos.update((i.name, dataclasses.replace(i, loads=i.loads + earlier.get(i.name, 0)))
                                       for i in infos)  # fmt: skip
                    self._infos_at = time.monotonic()
        event = message.get("event")
        if event is not None:
            if not isinstance(event, dict) or set(event) != _EVENT_FIELDS:
                raise ProtocolError(f"an event with fields {sorted(event) if isinstance(event, dict) else event!r}")
            self._emit(ModelEvent(str(event["kind"]), event["model"], str(event["reason"]), float(event["at"])))
            if event["kind"] == "unloaded":
                threading.Thread(target=self._stop_if_idle, args=(host,), name="tierwall-host-stopper",
                                 daemon=True).start()  # fmt: skip

    def _ended(self, host: _Host, why: str, failed: bool) -> None:
        """The host is gone: its models are unloaded; a failure counts towards the pause before the next start."""
        with self._lock:
            if self._host is host:
                self._host = None
            self._earlier_loads = {name: info.loads for name, info in self._infos.items()}
            was_loaded = [n for n, i in self._infos.items() if i.state in ("loaded", "loading")]
            for name, info in self._infos.items():
                if info.state in ("loaded", "loading"):
                    self._infos[name] = dataclasses.replace(info, state="unloaded", in_use=0, unload_in_s=None)
        if failed:
            self._failed(why)
        for name in was_loaded:
            self._emit(ModelEvent("unloaded", name, "host failed" if failed else "host stopped"))
        if failed:
            self._emit(ModelEvent("error", None, why))

    def _emit(self, event: ModelEvent) -> None:
        self._listeners.emit(event)


def _blank(spec: ModelSpec) -> ModelInfo:
    return ModelInfo(name=spec.name, tier=spec.tier, state="unloaded", in_use=0, load_ms=None,
                     rss_before_load_mib=None, rss_after_load_mib=None, rss_after_unload_mib=None, added_mib=None,
                     last_used=None, unload_in_s=None, loads=0, error=None,
                     file_bytes=sum(f.size for f in spec.files))  # fmt: skip


def _info(item: Any, specs: dict[str, ModelSpec]) -> ModelInfo:
    if not isinstance(item, dict) or set(item) != _INFO_FIELDS:
        raise ProtocolError(f"a model snapshot with fields {sorted(item) if isinstance(item, dict) else item!r}")
    if item["name"] not in specs or item["state"] not in ("unloaded", "loading", "loaded", "error"):
        raise ProtocolError(f"a snapshot of model {item['name']!r} in state {item['state']!r}")
    return ModelInfo(**item)
