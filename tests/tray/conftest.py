"""Fixtures for the tray-app tests: throwaway config/data dirs and a running TierwallApp."""

from __future__ import annotations

import os
from collections.abc import Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any Qt import

import pytest
from app_support import close, make_app
from PySide6.QtGui import QGuiApplication

from app.controller import TierwallApp


@pytest.fixture
def app_env(qapp, tmp_path, monkeypatch) -> Iterator[None]:
    """Settings, autostart entries and user data in throwaway dirs."""
    monkeypatch.setenv("TIERWALL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("TIERWALL_DATA_DIR", str(tmp_path / "data"))
    QGuiApplication.clipboard().clear()
    yield


@pytest.fixture
def tierwall(qtbot, app_env) -> Iterator[TierwallApp]:
    app = make_app()
    yield app
    close(app)
