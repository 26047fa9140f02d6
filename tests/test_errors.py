"""One exception root (every error the engine raises on purpose is a TierwallError), exported by the facade
(whose whole list of names tests/test_architecture.py pins)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import engine
from engine import TierwallError


def _engine_modules() -> list[str]:
    names = ["engine"]
    for info in pkgutil.walk_packages(engine.__path__, "engine."):
        if info.name != "engine.__main__":
            names.append(info.name)
    return names


def test_every_exception_the_engine_defines_derives_from_tierwall_error():
    defined = []
    for name in _engine_modules():
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == name:
                defined.append(obj)
    assert len(defined) >= 6  # AssetError, RuleError, ModelUnavailable, HistoryError, DatasetError, UserFileError …
    assert [cls.__qualname__ for cls in defined if not issubclass(cls, TierwallError)] == []


def test_the_facade_exports_the_root():
    assert "TierwallError" in engine.__all__
