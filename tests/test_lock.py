"""The locks in requirements/: complete, hashed, in line with pyproject.toml, and what this venv has installed."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCKS = {name: ROOT / "requirements" / f"{name}.txt" for name in ("run", "test")}
CHECK = ROOT / "packaging" / "check_lock.py"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+?)(?:\s*;\s*(.+?))?\s*\\$")


def _entries(lock: Path) -> list[tuple[str, str, str | None, list[str]]]:
    """(name, version, marker, hashes) for every pin of a lock."""
    entries: list[tuple[str, str, str | None, list[str]]] = []
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            entries.append((match[1].lower(), match[2], match[3], []))
        elif line.strip().startswith("--hash=sha256:") and entries:
            entries[-1][3].append(line.strip().rstrip("\\ "))
    return entries


def _check(lock: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(CHECK), str(lock)], capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_every_pin_of_the_lock_carries_hashes(name):
    entries = _entries(LOCKS[name])
    assert len(entries) >= 10
    for pkg, version, _, hashes in entries:
        assert hashes, f"{name} lock: {pkg}=={version} has no hash"
        assert all(re.fullmatch(r"--hash=sha256:[0-9a-f]{64}", h) for h in hashes)


def test_both_locks_agree_and_the_run_lock_is_part_of_the_test_lock():
    test = {(p, v, m) for p, v, m, _ in _entries(LOCKS["test"])}
    run = {(p, v, m) for p, v, m, _ in _entries(LOCKS["run"])}
    assert run <= test, sorted(run - test)
    assert {"pyside6-essentials", "onnxruntime", "numpy", "setuptools", "pip"} <= {p for p, _, _ in run}
    assert {"pytest", "pytest-qt", "ruff"} <= {p for p, _, _ in test} - {p for p, _, _ in run}


def test_locked_qt_is_one_pyproject_allows_and_the_known_broken_release_is_excluded():
    from packaging.requirements import Requirement

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    qt = next(Requirement(d) for d in deps if d.startswith("pyside6"))
    assert "6.12.0" not in qt.specifier  # drops a reference to None on every void Qt call on Python 3.11
    entries = _entries(LOCKS["run"])
    qt_pins = {(v, m) for p, v, m, _ in entries if p == "pyside6-essentials"}
    assert qt_pins and all(v in qt.specifier for v, _ in qt_pins)
    assert qt_pins == {(v, m) for p, v, m, _ in entries if p == "shiboken6"}  # the binding matches its Qt
    assert ("6.8.3", "python_full_version < '3.14'") in qt_pins  # Qt 6.8 LTS: the lightest tray (README)


@pytest.mark.parametrize("name", sorted(LOCKS))
def test_every_runtime_pin_satisfies_pyproject(name):
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [Requirement(d) for d in project["dependencies"]]
    if name == "test":
        wanted += [Requirement(d) for d in project["optional-dependencies"]["test"]]
    locked = {p: v for p, v, _, _ in _entries(LOCKS[name])}
    for req in wanted:
        assert req.name.lower() in locked, f"{req.name} is not in the {name} lock"
        assert locked[req.name.lower()] in req.specifier, f"{req.name}=={locked[req.name.lower()]} vs {req}"


def test_this_venv_has_exactly_the_locked_versions():
    """`make test` installs the test lock: every pin that applies here is installed at its version."""
    result = _check(LOCKS["test"])
    assert result.returncode == 0, result.stdout
    assert "all installed" in result.stdout


def test_the_lock_check_names_a_package_installed_at_another_version(tmp_path):
    lock = tmp_path / "lock.txt"
    lock.write_text("numpy==0.0.1 \\\n    --hash=sha256:" + "0" * 64 + "\n"
                    "psutil==0.0.2 ; sys_platform == 'no-such-platform' \\\n    --hash=sha256:" + "1" * 64 + "\n",
                    encoding="utf-8")  # fmt: skip
    result = _check(lock)
    assert result.returncode == 1
    assert "numpy: locked 0.0.1, installed " in result.stdout
    assert "psutil: locked" not in result.stdout and "0.0.2" not in result.stdout  # its marker does not hold here
    assert "installed but not in this lock: " in result.stdout and "psutil==" in result.stdout  # so it is extra


def test_the_lock_check_refuses_a_file_with_no_pin(tmp_path):
    lock = tmp_path / "empty.txt"
    lock.write_text("# nothing here\n", encoding="utf-8")
    result = _check(lock)
    assert result.returncode != 0
    assert "no pinned requirement" in result.stderr + result.stdout
