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
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.assets import assets_dir
from engine.host.process import Host, host_command
from engine.host.protocol import PROTOCOL_VERSION, ProtocolError
from engine.models import Listeners, ModelEvent, ModelInfo, ModelSpec, ModelUnavailable, Snapshot
from engine.procmem import rss_mib

START_TIMEOUT_S = 30.0  # from spawn to the host's hello (an interpreter and numpy on a loaded machine)
COLD_DEADLINE_S = 60.0  # a request that may have to load a model first
WARM_DEADLINE_S = 30.0  # a request on loaded models (tier 2 on a long text on a busy 2-core machine: ~5 s)
CONTROL_DEADLINE_S = 30.0  # unload (may wait for a running inference), settings
MAX_PAUSE_S = 30.0  # the longest wait before the next start after failures in a row
_INFO_FIELDS = frozenset(f.name for f in dataclasses.fields(ModelInfo))
_EVENT_FIELDS = frozenset(f.name for f in dataclasses.fields(ModelEvent))


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
        self._host: Host | None = None
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
                        host_pid=host.pid if host is not None and host_rss is not None else None,
                        host_starts=self.starts)  # fmt: skip

    @property
    def host_pid(self) -> int | None:
        host = self._current()
        return host.pid if host is not None else None

    # -- the host's life ------------------------------------------------------------
    def _current(self) -> Host | None:
        with self._lock:
            host = self._host
        return host if host is not None and not host.ended else None

    def _claim(self) -> Host:
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

    def _release(self, host: Host) -> None:
        with self._lock:
            host.in_flight -= 1

    def _start(self) -> Host:
        try:
            host = Host(self.command, self._message, self._ended)
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

    def _request(self, host: Host, op: str, args: dict[str, Any]) -> Any:
        """A control request; the host is not stopped for being idle while one is on its way."""
        with self._lock:
            host.in_flight += 1
        try:
            return host.request(op, args, CONTROL_DEADLINE_S)
        finally:
            self._release(host)

    def _stop(self, host: Host) -> None:
        """Stop a host once the requests already on their way to it are answered (new ones start a new host):
        an *Unload all* in the middle of scanning must not turn those scans into failures."""
        with self._lock:
            if self._host is host:
                self._host = None
            host.stopping = True
        deadline = time.monotonic() + self._warm_s
        while time.monotonic() < deadline and not host.ended:
            with self._lock:
                if host.in_flight == 0:
                    break
            time.sleep(0.005)
        host.stop()

    def _stop_if_idle(self, host: Host) -> None:
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
    def _message(self, host: Host, message: dict[str, Any]) -> None:
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

    def _ended(self, host: Host, why: str, failed: bool) -> None:
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
