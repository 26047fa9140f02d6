"""Process memory figures: the RSS split into anonymous and file-backed pages adds up to the RSS."""

from __future__ import annotations

import sys

import pytest

from engine.procmem import rss_mib, rss_parts_mib


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/status is Linux's")
def test_the_rss_parts_add_up_to_the_rss():
    parts = rss_parts_mib()
    assert set(parts) >= {"RssAnon", "RssFile"}
    assert abs(sum(parts.values()) - rss_mib()) < 4  # read a moment apart
    before = parts["RssAnon"]
    ballast = bytearray(64 * 1024 * 1024)
    ballast[::4096] = b"\x01" * len(ballast[::4096])  # touch every page
    assert rss_parts_mib()["RssAnon"] - before > 50  # the heap grew, not the mapped files
    del ballast


def test_no_proc_file_gives_no_parts(monkeypatch):
    def missing(*args, **kwargs):
        raise FileNotFoundError("/proc/self/status")

    monkeypatch.setattr("builtins.open", missing)
    assert rss_parts_mib() == {}
