"""Every pin of the hash-locked requirement files, on every platform: what the vulnerability check audits and
what the advisory snapshot must cover.

check_lock.py keeps only the pins whose marker holds here; an audit must see them all (numpy is locked at one
version below Python 3.12 and another from it). A line that looks like a requirement but is not a pin this
reader understands is an error, not a line skipped: a package the audit never saw would pass unchecked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
# the locks the Makefile installs from: the app, the tests, make fuzz, make lock's own tool
LOCKS = tuple(ROOT / "requirements" / f"{name}.txt" for name in ("run", "test", "fuzz", "lock-tool"))

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?\s*$")


class LockError(ValueError):
    """A lock that is missing, unreadable or holds a line that is not a pin."""


@dataclass(frozen=True)
class Pin:
    name: str  # canonical (PEP 503) name
    version: str
    lock: str  # the lock's file name, to say where a finding comes from
    marker: str | None = None  # the environment marker, where the pin holds only on some platforms or Pythons


def read_pins(lock: Path) -> list[Pin]:
    """Every `name==version` of `lock`, whatever its marker."""
    try:
        text = lock.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(f"{lock}: cannot read the lock ({exc})") from exc
    pins: list[Pin] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line[0] in " \t#-":  # blank, a hash or `# via` line, an option
            continue
        match = _PIN.match(line)
        if match is None:
            raise LockError(f"{lock}:{number}: not a `name==version` pin: {line.strip()!r}")
        pins.append(Pin(canonicalize_name(match[1]), match[2], lock.name, match[3]))
    if not pins:
        raise LockError(f"{lock}: no pinned requirement found")
    return pins


def locked_names(locks: tuple[Path, ...] | list[Path] = LOCKS) -> list[str]:
    """The canonical names pinned in any of `locks`, sorted."""
    return sorted({pin.name for lock in locks for pin in read_pins(lock)})
