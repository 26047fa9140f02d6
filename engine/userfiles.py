"""The user's own files (settings, allow/deny lists, policies): read with bounds, written atomically, and a
damaged one moved aside with its name shown.

A security tool must neither stop over a file that a crash, a full disk or a hand edit damaged, nor lose it
without a word: a file that cannot be read is renamed `<name>.corrupt-<time>` and the caller says so.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import TierwallError

MAX_USER_FILE_BYTES = 4 << 20  # settings, lists and policies are kilobytes; a bigger file is no such file


class UserFileError(TierwallError, ValueError):
    """A user file is not what it should be (unreadable, too large, not JSON, nested without end …)."""


def _no_constant(name: str) -> Any:
    raise UserFileError(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UserFileError(f"{text} is too large a number")
    return value


def read_json(path: Path) -> Any:
    """The parsed JSON of a user file; UserFileError (naming no path: the caller does) when it cannot be."""
    try:
        size = path.stat().st_size
        if size > MAX_USER_FILE_BYTES:
            raise UserFileError(f"{size:,} bytes, more than {MAX_USER_FILE_BYTES:,}")
        text = path.read_text(encoding="utf-8")
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except UserFileError:
        raise
    except RecursionError as exc:
        raise UserFileError("nested too deeply") from exc
    except (OSError, ValueError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise UserFileError(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class SetAside:
    """A damaged file moved out of the way (or left in place, when even that failed)."""

    path: Path
    kept_as: Path | None  # None: it could not be moved
    cause: str

    def describe(self, what: str) -> str:
        """One sentence for the user: which file, why, and where it is now."""
        kept = f"it was kept as {self.kept_as}" if self.kept_as else "it could not be moved aside"
        return f"{what} {self.path} could not be read ({self.cause}); {kept}"


def set_aside(path: Path, cause: BaseException | str) -> SetAside:
    """Rename a damaged file to `<name>.corrupt-<time>` (never over an earlier one); never raises."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        path.replace(target)
    except OSError:
        return SetAside(path, None, str(cause))
    return SetAside(path, target, str(cause))


def write_atomic(path: Path, text: str) -> None:
    """Write through a temporary file and a rename: a crash or a full disk never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
