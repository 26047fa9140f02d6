"""The boundary between the engine and the app, kept by reading their imports.

The app talks to the engine only through `engine`'s facade (engine/__init__.py), so the engine's modules can
move without breaking the app; the engine never imports Qt or the app. A name added to or dropped from the
facade is a decision, made here.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import engine

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_API = [
    "AllowItem", "Engine", "EngineConfig", "Finding", "HISTORY_FILE", "History", "HistoryRow", "IN_MEMORY",
    "ModelEvent", "ModelInfo", "SENSITIVE_CATEGORIES", "Snapshot", "TierwallError", "Verdict", "assets_dir",
    "config_dir", "data_dir", "procmem", "read_json", "require_intact", "set_aside", "sha256", "version",
    "write_atomic",
]  # fmt: skip
QT_AND_APP = ("PySide6", "PySide2", "PyQt5", "PyQt6", "shiboken6", "app")


def imports(source: str) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """(line, module, names) for every import in a module's source, at any depth (a function's too).
    `import a.b` gives ("a.b", ()); `from a import b, c` gives ("a", ("b", "c")); relative imports are skipped."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, ()
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module, tuple(alias.name for alias in node.names)


def app_violations(source: str, public: list[str]) -> list[str]:
    """Imports an app module may not make: an engine submodule, or a name the facade does not export."""
    found = []
    for line, module, names in imports(source):
        if module.startswith("engine."):
            found.append(f"line {line}: imports {module} (only `engine` itself is public)")
        elif module == "engine":
            found += [f"line {line}: imports engine.{name}, not exported" for name in names if name not in public]
    return found


def engine_violations(source: str) -> list[str]:
    """Imports an engine module may not make: Qt (any binding) or the app."""
    return [f"line {line}: imports {module}" for line, module, _ in imports(source)
            if module.split(".")[0] in QT_AND_APP]  # fmt: skip


def _sources(folder: str) -> list[Path]:
    files = sorted((ROOT / folder).rglob("*.py"))
    assert len(files) > 10, f"found only {len(files)} modules under {folder}/"
    return files


def test_the_facade_exports_exactly_these_names_and_each_resolves():
    assert sorted(PUBLIC_API) == PUBLIC_API
    assert sorted(engine.__all__) == PUBLIC_API
    assert len(set(engine.__all__)) == len(engine.__all__)
    for name in PUBLIC_API:
        assert getattr(engine, name) is not None, name
    assert engine.procmem.rss_mib() > 0  # the memory helpers' namespace is the real module
    with pytest.raises(AttributeError, match="no attribute 'nothing_of_that_name'"):
        engine.nothing_of_that_name  # noqa: B018


def test_importing_the_engine_loads_neither_numpy_onnxruntime_nor_qt():
    script = ("import sys, engine; print(','.join(sorted(m for m in ('numpy', 'onnxruntime', 'PySide6', 'sqlite3') "
              "if m in sys.modules)))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("path", _sources("app"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_app_imports_only_the_engines_facade(path):
    assert app_violations(path.read_text(encoding="utf-8"), PUBLIC_API) == []


@pytest.mark.parametrize("path", _sources("engine"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_engine_imports_neither_qt_nor_the_app(path):
    assert engine_violations(path.read_text(encoding="utf-8")) == []


def test_the_checks_see_what_they_forbid():
    """The walks above would pass on a tree they cannot read; here each is shown a breach of its rule."""
    breaches = ("import engine.models\n"
                "from engine.history import History\n"
                "from engine import Engine, secrets\n"
                "def later():\n    from engine.procmem import rss_mib\n")  # fmt: skip
    assert app_violations(breaches, PUBLIC_API) == [
        "line 1: imports engine.models (only `engine` itself is public)",
        "line 2: imports engine.history (only `engine` itself is public)",
        "line 3: imports engine.secrets, not exported",
        "line 5: imports engine.procmem (only `engine` itself is public)",
    ]
    assert app_violations("import engine\nfrom engine import Engine, procmem\nimport enginex\n", PUBLIC_API) == []
    qt = "import PySide6.QtCore\nfrom PyQt6 import QtGui\ndef f():\n    from app.worker import Worker\nimport appdirs\n"
    assert engine_violations(qt) == ["line 1: imports PySide6.QtCore", "line 2: imports PyQt6",
                                     "line 4: imports app.worker"]  # fmt: skip
