"""What the models' users see of them: each model's state and accounting, events, and the Models interface.

Both ModelManager (models in this process) and HostModels (models in a model
host) give these; the app and the CLI read nothing else.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from engine.model_files import ModelSpec

State = Literal["unloaded", "loading", "loaded", "error"]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """One model's state and accounting, as the CLI and the app show it."""

    name: str
    tier: int
    state: State
    in_use: int  # inferences holding it right now
    load_ms: float | None
    rss_before_load_mib: float | None
    rss_after_load_mib: float | None
    rss_after_unload_mib: float | None
    added_mib: float | None  # rss_after_load - rss_before_load of the last load
    last_used: float | None  # wall-clock time (time.time()) of the last use
    unload_in_s: float | None  # seconds until the idle unload, if loaded and idle
    loads: int
    error: str | None
    file_bytes: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The models' states and the memory they take: this process, and the model host when one runs."""

    models: tuple[ModelInfo, ...]
    rss_mib: float  # this process
    idle_timeout_s: float | None
    budget_mib: float | None
    taken_at: float = field(default_factory=time.time)
    host_rss_mib: float | None = None  # the model host's process, while one runs
    host_pid: int | None = None
    host_starts: int = 0  # model hosts started so far (0: the models run in this process)

    @property
    def total_rss_mib(self) -> float:
        return self.rss_mib + (self.host_rss_mib or 0.0)

    def model(self, name: str) -> ModelInfo:
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class ModelEvent:
    """A state change: kind is "loading", "loaded", "unloaded", "error" or "settings"."""

    kind: str
    model: str | None
    reason: str = ""
    at: float = field(default_factory=time.time)


class Listeners:
    """Who hears of model events. A listener that raises is skipped: it must not break a load or a host."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[ModelEvent], None]] = []

    def subscribe(self, callback: Callable[[ModelEvent], None]) -> Callable[[], None]:
        """Add a listener; returns the function that removes it."""
        with self._lock:
            self._callbacks.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return unsubscribe

    def emit(self, event: ModelEvent) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            with contextlib.suppress(Exception):
                callback(event)


class Models(Protocol):
    """What the engine and the app ask of the models, wherever they run (ModelManager here, HostModels there)."""

    root: Path

    @property
    def names(self) -> tuple[str, ...]: ...
    def spec(self, name: str) -> ModelSpec: ...
    def infer(self, op: str, args: dict[str, Any]) -> dict[str, Any]: ...
    def snapshot(self) -> Snapshot: ...
    def subscribe(self, callback: Callable[[ModelEvent], None]) -> Callable[[], None]: ...
    def set_idle_timeout(self, seconds: float | None) -> None: ...
    def set_budget(self, mib: float | None) -> None: ...
    def is_available(self, name: str) -> bool: ...
    def reset_error(self, name: str) -> None: ...
    def unload(self, name: str, *, reason: str = "asked", wait: bool = True) -> bool: ...
    def unload_all(self, *, reason: str = "asked") -> None: ...
    def close(self) -> None: ...
