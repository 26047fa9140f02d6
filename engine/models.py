"""ModelManager: the one place that loads, accounts for and unloads models.

Models are loaded lazily on first use, verified against the manifest before
loading, never unloaded while an inference holds them, unloaded after an idle
timeout or when a memory budget needs room (least recently used first), and
accounted for (RSS before/after load and after unload, load time, last use).
Everything that shows memory reads `snapshot()` and listens to `subscribe()`.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.assets import assets_dir
from engine.model_files import (
    ModelFile,
    ModelSpec,
    ModelUnavailable,
    read_manifest,
    specs_from_manifest,
    verify_ahead,
    verify_files,
)
from engine.model_types import Listeners, ModelEvent, ModelInfo, Models, Snapshot, State
from engine.procmem import release_freed_memory, rss_mib

__all__ = [  # engine.model_files and engine.model_types are used through this module too
    "Listeners", "ModelEvent", "ModelFile", "ModelInfo", "ModelManager", "ModelSpec", "ModelUnavailable",
    "Models", "Snapshot", "read_manifest", "reading_answer", "specs_from_manifest", "verify_ahead", "verify_files",
]  # fmt: skip


@contextmanager
def reading_answer(what: str) -> Iterator[None]:
    """Around the reading of a model operation's answer: a malformed one (a host that answered nonsense) makes
    the tier unavailable, as a failed inference does, instead of raising out of the scan."""
    try:
        yield
    except (KeyError, TypeError, ValueError, IndexError) as exc:
        raise ModelUnavailable(f"{what} gave a malformed answer ({type(exc).__name__}: {exc})") from exc


class _Slot:
    """The manager's private record of one model."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.model: Any = None
        self.state: State = "unloaded"
        self.draining = False  # an unload waits for the inferences holding the model
        self.in_use = 0
        self.load_ms: float | None = None
        self.rss_before: float | None = None
        self.rss_after: float | None = None
        self.rss_unloaded: float | None = None
        self.last_used_mono: float | None = None
        self.last_used_wall: float | None = None
        self.loads = 0
        self.error: str | None = None
        self.cond = threading.Condition()

    def loaded(self) -> bool:
        """Is the model loaded now? (A method, read afresh each time: another thread may have unloaded it.)"""
        return self.state == "loaded"


class ModelManager:
    """Loads models on demand and unloads them when idle. Thread-safe.

    `use(name)` is a context manager: the model cannot be unloaded while any
    `with` block holds it. A background thread unloads models idle for longer
    than `idle_timeout_s` (None: never); `budget_mib` (None: no budget) makes a
    load first evict least-recently-used idle models while the process RSS
    plus the expected size of the new model exceeds the budget.
    """

    def __init__(
        self,
        specs: list[ModelSpec] | tuple[ModelSpec, ...] = (),
        *,
        root: Path | None = None,
        idle_timeout_s: float | None = 60.0,
        budget_mib: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        reaper_interval_s: float = 1.0,
        verified_ahead: dict[str, tuple[tuple[ModelFile, ...], Future[list[str]]]] | None = None,
    ) -> None:
        self.root = root or assets_dir() / "models"
        self._slots: dict[str, _Slot] = {s.name: _Slot(s) for s in specs}
        self._lock = threading.RLock()  # guards settings, the slot table and the load order
        self._load_lock = threading.Lock()  # one load at a time: the RSS accounting stays honest
        self._idle_timeout_s = idle_timeout_s
        self._budget_mib = budget_mib
        self._clock = clock
        self._listeners = Listeners()
        self._reaper_interval_s = reaper_interval_s
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None
        self._ahead = dict(verified_ahead or {})  # checks begun before the manager existed (verify_ahead)

    # -- configuration ----------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._slots)

    def spec(self, name: str) -> ModelSpec:
        return self._slot(name).spec

    def set_idle_timeout(self, seconds: float | None) -> None:
        with self._lock:
            self._idle_timeout_s = seconds
        self._emit(ModelEvent("settings", None, f"idle timeout {seconds}"))

    def set_budget(self, mib: float | None) -> None:
        with self._lock:
            self._budget_mib = mib
        self._emit(ModelEvent("settings", None, f"budget {mib}"))

    def subscribe(self, callback: Callable[[ModelEvent], None]) -> Callable[[], None]:
        """Call `callback(event)` on every state change (from whichever thread made it)."""
        return self._listeners.subscribe(callback)

    # -- use ----------------------------------------------------------------
    @contextmanager
    def use(self, name: str) -> Iterator[Any]:
        """Hold a loaded model for one inference; loads it first if needed."""
        slot = self._slot(name)
        self._acquire(slot)
        try:
            yield slot.model
        finally:
            with slot.cond:
                slot.in_use -= 1
                slot.last_used_mono = self._clock()
                slot.last_used_wall = time.time()
                slot.cond.notify_all()

    def infer(self, op: str, args: dict[str, Any]) -> dict[str, Any]:
        """One of engine.inference's operations on the models held here (the in-process path)."""
        from engine.inference import run  # the tiers' model code knows this manager, not the other way round

        try:
            return run(self, op, args)
        except ModelUnavailable:
            raise
        except Exception as exc:  # a model that fails mid-inference makes its tier unavailable, as in the host
            raise ModelUnavailable(f"{op} failed: {type(exc).__name__}: {exc}") from exc

    def is_available(self, name: str) -> bool:
        """False if the model's files failed verification or its load failed."""
        return self._slot(name).state != "error"

    def _acquire(self, slot: _Slot) -> None:
        while True:
            with slot.cond:
                while slot.draining:  # an unload is waiting for the running inferences: new ones wait for it
                    slot.cond.wait()
                if slot.state == "loaded":
                    slot.in_use += 1
                    slot.last_used_mono = self._clock()
                    slot.last_used_wall = time.time()
                    return
                if slot.state == "error":
                    raise ModelUnavailable(f"model {slot.spec.name} is unavailable: {slot.error}")
            self._load(slot)

    def _load(self, slot: _Slot) -> None:
        with self._load_lock:
            with slot.cond:
                if slot.state in ("loaded", "error"):
                    return
                slot.state = "loading"
            self._emit(ModelEvent("loading", slot.spec.name))
            try:
                problems = self._verify(slot.spec)  # on every load: a file changed since the last one is caught
                if problems:
                    raise ModelUnavailable("; ".join(problems))
                self._make_room(slot)
                before = rss_mib()
                started = time.perf_counter()
                model = slot.spec.loader(self.root)
                load_ms = (time.perf_counter() - started) * 1000
                after = rss_mib()
            except Exception as exc:  # a failed load is a state the UI shows, not a crash
                message = str(exc) if isinstance(exc, ModelUnavailable) else f"{type(exc).__name__}: {exc}"
                with slot.cond:
                    slot.state = "error"
                    slot.error = message
                    slot.cond.notify_all()
                self._emit(ModelEvent("error", slot.spec.name, message))
                raise ModelUnavailable(f"model {slot.spec.name} is unavailable: {message}") from exc
            with slot.cond:
                slot.model = model
                slot.state = "loaded"
                slot.error = None
                slot.loads += 1
                slot.load_ms = load_ms
                slot.rss_before, slot.rss_after = before, after
                slot.last_used_mono = self._clock()
                slot.last_used_wall = time.time()
                slot.cond.notify_all()
        self._emit(ModelEvent("loaded", slot.spec.name))
        self._ensure_reaper()

    def _verify(self, spec: ModelSpec) -> list[str]:
        with self._lock:
            ahead = self._ahead.pop(spec.name, None)  # good for the first load only
        if ahead is not None and ahead[0] == spec.files:
            return ahead[1].result()
        return verify_files(spec, self.root)

    def _make_room(self, loading: _Slot) -> None:
        """Evict least-recently-used idle models while the budget would be exceeded."""
        with self._lock:
            budget = self._budget_mib
        if budget is None:
            return
        before, after = loading.rss_before, loading.rss_after  # what its last load took, if it was loaded before
        expected = after - before if before is not None and after is not None else 0.0
        while rss_mib() + expected > budget:
            victims = sorted(
                (s for s in self._slots.values() if s is not loading and s.state == "loaded" and s.in_use == 0),
                key=lambda s: s.last_used_mono or 0.0,
            )
            if not victims:
                return
            self._unload(victims[0], reason="memory budget", wait=False)

    # -- unload -------------------------------------------------------------
    def unload(self, name: str, *, reason: str = "asked", wait: bool = True) -> bool:
        """Unload a model; waits for running inferences unless wait=False (then a busy model stays)."""
        return self._unload(self._slot(name), reason=reason, wait=wait)

    def unload_all(self, *, reason: str = "asked") -> None:
        for slot in list(self._slots.values()):
            self._unload(slot, reason=reason, wait=True)

    def _unload(self, slot: _Slot, *, reason: str, wait: bool) -> bool:
        with slot.cond:
            if slot.state != "loaded":
                return False
            if slot.in_use and not wait:
                return False
            slot.draining = True  # no new inference takes the model until it is unloaded: the unload cannot starve
            try:
                while slot.in_use:
                    slot.cond.wait()
            finally:
                slot.draining = False
                slot.cond.notify_all()
            if not slot.loaded():  # unloaded by another thread while this one waited
                return False
            model, slot.model = slot.model, None
            slot.state = "unloaded"
        close = getattr(model, "close", None)
        if callable(close):
            close()
        del model
        release_freed_memory()
        slot.rss_unloaded = rss_mib()
        self._emit(ModelEvent("unloaded", slot.spec.name, reason))
        return True

    def reset_error(self, name: str) -> None:
        """Allow another load attempt after an error (e.g. the user replaced the file)."""
        slot = self._slot(name)
        with slot.cond:
            if slot.state == "error":
                slot.state = "unloaded"
                slot.error = None

    def unload_idle(self) -> list[str]:
        """Unload every model idle for longer than the timeout; returns their names."""
        with self._lock:
            timeout = self._idle_timeout_s
        if timeout is None:
            return []
        now = self._clock()
        done = []
        for slot in list(self._slots.values()):
            with slot.cond:
                idle = slot.state == "loaded" and slot.in_use == 0 and now - (slot.last_used_mono or now) >= timeout
            if idle and self._unload(slot, reason="idle", wait=False):
                done.append(slot.spec.name)
        return done

    def close(self) -> None:
        """Stop the background thread and unload everything."""
        self._stop.set()
        if self._reaper is not None:
            self._reaper.join(timeout=5)
        self.unload_all(reason="shutdown")

    def _ensure_reaper(self) -> None:
        with self._lock:
            if self._reaper is not None and self._reaper.is_alive():
                return
            self._stop.clear()
            self._reaper = threading.Thread(target=_reap, args=(weakref.ref(self), self._stop, self._reaper_interval_s),
                                            name="tierwall-model-reaper", daemon=True)  # fmt: skip
            self._reaper.start()

    # -- accounting -----------------------------------------------------------
    def snapshot(self) -> Snapshot:
        with self._lock:
            timeout, budget = self._idle_timeout_s, self._budget_mib
        return Snapshot(self.infos(), rss_mib(), timeout, budget)

    def infos(self) -> tuple[ModelInfo, ...]:
        """Every model's state and accounting now (the snapshot without the process's RSS: cheaper)."""
        with self._lock:
            timeout = self._idle_timeout_s
        now = self._clock()
        infos = []
        for slot in self._slots.values():
            with slot.cond:
                unload_in = None
                if slot.state == "loaded" and timeout is not None and slot.in_use == 0:
                    unload_in = max(0.0, timeout - (now - (slot.last_used_mono or now)))
                added = None
                if slot.rss_after is not None and slot.rss_before is not None:
                    added = round(slot.rss_after - slot.rss_before, 2)
                infos.append(ModelInfo(
                    name=slot.spec.name, tier=slot.spec.tier, state=slot.state, in_use=slot.in_use,
                    load_ms=slot.load_ms, rss_before_load_mib=slot.rss_before, rss_after_load_mib=slot.rss_after,
                    rss_after_unload_mib=slot.rss_unloaded, added_mib=added, last_used=slot.last_used_wall,
                    unload_in_s=unload_in, loads=slot.loads, error=slot.error,
                    file_bytes=sum(f.size for f in slot.spec.files),
                ))  # fmt: skip
        return tuple(infos)

    # -- internals ------------------------------------------------------------
    def _slot(self, name: str) -> _Slot:
        try:
            return self._slots[name]
        except KeyError:
            raise KeyError(f"unknown model {name!r}; known: {', '.join(self._slots) or 'none'}") from None

    def _emit(self, event: ModelEvent) -> None:
        self._listeners.emit(event)


def _reap(ref: weakref.ReferenceType[ModelManager], stop: threading.Event, interval_s: float) -> None:
    """The idle-unload thread. It holds its manager only while it works: a manager nobody uses any more is
    freed at once, with its models, instead of living on until they go idle."""
    while not stop.wait(interval_s):
        manager = ref()
        if manager is None:
            return
        manager.unload_idle()
        if all(s.state != "loaded" for s in manager._slots.values()):
            return  # nothing to watch; the next load starts the thread again
        del manager
