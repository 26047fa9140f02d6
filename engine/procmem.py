"""Process memory figures (MiB) from psutil, the same numbers the UI shows."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import sys
from collections.abc import Callable

import psutil

MIB = 1024 * 1024


def rss_mib() -> float:
    """Resident set size of this process now."""
    return float(psutil.Process().memory_info().rss / MIB)


def uss_mib() -> float | None:
    """Unique set size: memory only this process holds (no shared library pages); None if unknown."""
    try:
        return float(psutil.Process().memory_full_info().uss / MIB)
    except (psutil.AccessDenied, AttributeError):
        return None


def pss_mib(pid: int | None = None) -> float | None:
    """Proportional set size of a process (this one by default): its share of pages it shares with others, so
    that two processes' figures add up to what they hold together. None where it cannot be read (not Linux)."""
    try:
        return float(psutil.Process(pid).memory_full_info().pss / MIB)
    except (psutil.Error, AttributeError, OSError):
        return None


def rss_parts_mib() -> dict[str, float]:
    """RSS split into anonymous memory (heap, arenas) and file-backed pages (mapped libraries), Linux only.

    The file part depends on the kernel's page cache as well as on the process: libraries freshly written
    (just installed) map as large folios and read up to 20 MiB more than after the cache was dropped.
    """
    parts: dict[str, float] = {}
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                key, _, value = line.partition(":")
                if key in ("RssAnon", "RssFile", "RssShmem"):
                    parts[key] = int(value.split()[0]) / 1024
    except (OSError, ValueError):
        return {}
    return parts


def peak_rss_mib() -> float:
    """Highest resident set size this process has had."""
    if sys.platform == "win32":
        return psutil.Process().memory_info().peak_wset / MIB
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024


def release_freed_memory() -> None:
    """Collect garbage, then give freed heap pages back to the OS; never fails.

    A full collection: collecting only the young generations left ~7 MiB more
    resident at the all-tiers peak. In the tray app it holds the GIL for up to
    ~60 ms, which stays under the 100 ms stall budget.
    """
    gc.collect()
    trim_heap()


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


def _glibc_call(name: str) -> Callable[..., int] | None:
    """A glibc allocator function (malloc_trim, mallopt), or None off Linux, on musl or with no libc found."""
    libc = _libc() if sys.platform.startswith("linux") else None
    return getattr(libc, name, None) if libc is not None else None


M_ARENA_MAX = -8  # glibc's mallopt parameter number


def share_one_heap() -> bool:
    """Let every thread allocate from one glibc heap; call before threads start, a no-op elsewhere.

    glibc gives busy threads (Qt's, onnxruntime's, the scan worker) heaps of their own, and after a model
    is unloaded each keeps a different share of free pages: the tray's settled RSS swung 152-158 MiB from
    one cycle to the next. With one heap it stays within 1 MiB and the clipboard verdict is as fast.
    True when glibc took the setting.
    """
    mallopt = _glibc_call("mallopt")
    return mallopt is not None and mallopt(M_ARENA_MAX, 1) == 1


M_MMAP_THRESHOLD = -3
LARGE_BUFFER = 256 * 1024


def map_large_buffers() -> bool:
    """Give every allocation of LARGE_BUFFER or more its own mapping, returned to the system when freed; a no-op
    off glibc. glibc's threshold otherwise rises to the largest buffer freed so far (up to 32 MiB), after which
    a 1 MB text's arrays and strings come from the heap and leave it fragmented: a hostile 1 MB text peaked at
    +67 MiB, +49 MiB with the threshold fixed. True when glibc took the setting."""
    mallopt = _glibc_call("mallopt")
    return mallopt is not None and mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER) == 1


def trim_heap() -> None:
    """glibc malloc_trim(0): freed heap pages back to the OS (~0.1 ms); a no-op elsewhere."""
    trim = _glibc_call("malloc_trim")
    if trim is not None:
        trim(0)
