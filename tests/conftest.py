"""Shared fixtures: every test runs with its own user data dir, never the real one."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_user_data(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("TIERWALL_DATA_DIR", str(tmp_path_factory.mktemp("userdata")))
    monkeypatch.setenv("TIERWALL_CONFIG_DIR", str(tmp_path_factory.mktemp("userconfig")))


@pytest.fixture(scope="session")
def engine():
    """One engine for read-only tests (its user lists live in a throwaway dir)."""
    from engine import Engine

    mp = pytest.MonkeyPatch()
    import tempfile

    mp.setenv("TIERWALL_DATA_DIR", tempfile.mkdtemp(prefix="tierwall-test-"))
    mp.setenv("TIERWALL_CONFIG_DIR", tempfile.mkdtemp(prefix="tierwall-test-config-"))
    eng = Engine()
    mp.undo()
    return eng
