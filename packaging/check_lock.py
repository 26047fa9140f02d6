"""Compare what is installed in this Python with a lock file: every locked package that applies here, at its
locked version. Prints a `pip freeze`-style table and exits 1 on any difference.

    python packaging/check_lock.py requirements/test.txt
"""

from __future__ import annotations

import argparse
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

sys.path.insert(0, str(Path(__file__).resolve().parent))

from locks import read_pins  # beside this script


def locked_pins(lock: Path) -> dict[str, str]:
    """name → version for every pin in `lock` whose environment marker holds for this interpreter."""
    pins = {pin.name: pin.version for pin in read_pins(lock) if pin.marker is None or Marker(pin.marker).evaluate()}
    if not pins:
        raise ValueError(f"{lock}: no pinned requirement applies here")
    return pins


def installed_versions() -> dict[str, str]:
    return {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}


def differences(lock: Path) -> list[str]:
    """One line per locked package that is missing here or installed at another version."""
    installed = installed_versions()
    out = []
    for name, version in sorted(locked_pins(lock).items()):
        have = installed.get(name)
        if have != version:
            out.append(f"{name}: locked {version}, installed {have or 'nothing'}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock", type=Path)
    args = parser.parse_args(argv)
    installed = installed_versions()
    pins = locked_pins(args.lock)
    for name, version in sorted(pins.items()):
        have = installed.get(name, "-")
        print(f"{name:24s} locked {version:16s} installed {have}" + ("" if have == version else "   <- differs"))
    problems = differences(args.lock)
    for line in problems:
        print(line)
    extra = sorted(set(installed) - set(pins) - {"tierwall"})
    if extra:  # reported, not failed: a maintainer's venv may hold the lock tool (make lock) or other aids
        print(f"installed but not in this lock: {', '.join(f'{n}=={installed[n]}' for n in extra)}")
    print(
        f"{len(pins)} locked packages apply here; "
        + (f"{len(problems)} differ" if problems else "all installed")
        + (f"; {len(extra)} more installed" if extra else "; nothing else installed but tierwall itself")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
