"""Process memory figures (MiB) from psutil, the same numbers the UI shows."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import sys

import psutil

MIB = 1024 * 1024


def rss_mib() -> float:
    """Resident set size of this process now."""
    return psutil.Process().memory_info().rss / MIB


def peak_rss_mib() -> float:
    """Highest resident set size this process has had."""
    if sys.platform == "win32":
        return psutil.Process().memory_info().peak_wset / MIB
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MIB if sys.platform == "darwin" else peak / 1024


def release_freed_memory() -> None:
    """Give freed heap pages back to the OS (glibc malloc_trim); a no-op elsewhere, never fails."""
    gc.collect()
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):  # musl or no libc found: keep the memory
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
