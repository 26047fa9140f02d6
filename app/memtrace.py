"""The memory samples and load/unload markers behind the graph: plain data, kept while no window exists."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

WINDOW_S = 300.0  # the graph shows the last five minutes


@dataclass(frozen=True, slots=True)
class Marker:
    at: float  # time.time()
    kind: str  # "loaded" or "unloaded"
    label: str


class MemoryTrace:
    """The samples and markers the graph draws; kept by the app even while no window exists."""

    def __init__(self) -> None:
        self.samples: deque[tuple[float, float]] = deque(maxlen=int(WINDOW_S) + 60)
        self.markers: deque[Marker] = deque(maxlen=200)

    def add_sample(self, rss_mib: float, at: float | None = None) -> None:
        self.samples.append((at if at is not None else time.time(), rss_mib))

    def add_marker(self, kind: str, label: str, at: float | None = None) -> None:
        self.markers.append(Marker(at if at is not None else time.time(), kind, label))

    def clear(self) -> None:
        self.samples.clear()
        self.markers.clear()
