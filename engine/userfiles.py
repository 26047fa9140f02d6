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


PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
OWN_DIR_NAME = "tierwall"  # a directory of this name is Tierwall's own: it may be made private when it exists


def make_private(path: Path) -> None:
    """The user's file readable by the user only (0600), in a directory only the user can enter (0700).

    A directory Tierwall creates is created 0700; an existing one is narrowed only if it is Tierwall's own
    (named "tierwall", as the platform's default dirs are), never a directory the user pointed it at
    ($TIERWALL_DATA_DIR=~ must not lock up the home directory). Never fails: on a file system without Unix
    modes there is nothing to do.
    """
    directory = path.parent
    try:
        if not directory.exists():
            directory.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        elif directory.name == OWN_DIR_NAME and directory.stat().st_mode & 0o077:
            directory.chmod(PRIVATE_DIR)
        if path.exists() and path.stat().st_mode & 0o077:
            path.chmod(PRIVATE_FILE)
    except OSError:
        pass  # not ours to change (another owner), or no modes here: reading and writing go on


def read_json(path: Path) -> Any:
    """The parsed JSON of a user file; UserFileError (naming no path: the caller does) when it cannot be."""
    make_private(path)
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
    """Write through a temporary file and a rename: a crash or a full disk never leaves half a file. The file
    is the user's only (0600) from its first byte."""
    make_private(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
