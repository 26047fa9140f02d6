"""The committed advisory snapshot (requirements/advisories/pypi-osv.json): its format, and reading it back.

Written by packaging/advisories.py, read by packaging/audit.py. Besides the advisories it records where they
came from and when, and which packages were looked up, so that "no advisory for X" (X was looked up) can be
told from "X was never looked up".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "requirements" / "advisories" / "pypi-osv.json"
FORMAT = "tierwall-osv-snapshot/1"


class SnapshotError(ValueError):
    """A snapshot that is missing, unreadable or not in this format; the message names the file."""


@dataclass(frozen=True)
class Snapshot:
    path: Path
    repository: str
    commit: str
    commit_date: datetime  # the advisory database's state: what "how old" means
    made: datetime
    packages: frozenset[str]  # canonical names looked up, with or without advisories
    advisories: tuple[dict[str, Any], ...]

    def entries(self, package: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(advisory, affected entry) for every entry that names `package`."""
        return [(a, e) for a in self.advisories for e in a["affected"] if e["package"] == package]


def _date(value: Any, field: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field} is not an ISO 8601 date: {value!r}") from exc
    if parsed.tzinfo is None:
        raise ValueError(f"{field} has no time zone: {value!r}")
    return parsed


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _check_advisory(advisory: Any, packages: frozenset[str]) -> None:
    if not isinstance(advisory, dict) or not isinstance(advisory.get("id"), str):
        raise ValueError(f"an advisory without an id: {str(advisory)[:80]}")
    ident = advisory["id"]
    if not isinstance(advisory.get("summary"), str) or not _strings(advisory.get("aliases")):
        raise ValueError(f"advisory {ident}: its summary or aliases are missing or not text")
    if not isinstance(advisory.get("affected"), list):
        raise ValueError(f"advisory {ident}: affected is missing or not a list")
    for entry in advisory["affected"]:
        if not isinstance(entry, dict) or entry.get("package") not in packages:
            raise ValueError(f"advisory {ident}: an affected entry for a package not looked up: {entry!r}")
        ranges = entry.get("ranges")
        if not isinstance(ranges, list) or not all(isinstance(r, dict) for r in ranges):
            raise ValueError(f"advisory {ident}: {entry['package']}'s ranges are missing or not a list of ranges")
        if not _strings(entry.get("versions")):
            raise ValueError(f"advisory {ident}: {entry['package']}'s versions are missing or not a list of text")


def load(path: Path = SNAPSHOT) -> Snapshot:
    """The snapshot at `path`, checked field by field; SnapshotError names the file and what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SnapshotError(f"{path}: no advisory snapshot there (build one with packaging/advisories.py)") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SnapshotError(f"{path}: unreadable advisory snapshot ({exc})") from exc
    try:
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        source = data["source"]
        names = data["packages"]
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ValueError("packages is empty or not a list of names")
        packages = frozenset(names)
        advisories = data["advisories"]
        if not isinstance(advisories, list):
            raise ValueError("advisories is not a list")
        for advisory in advisories:
            _check_advisory(advisory, packages)
        return Snapshot(
            path=path,
            repository=str(source["repository"]),
            commit=str(source["commit"]),
            commit_date=_date(source["commit_date"], "source.commit_date"),
            made=_date(data["made"], "made"),
            packages=packages,
            advisories=tuple(advisories),
        )
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"{exc.args[0]!r} is missing" if isinstance(exc, KeyError) else str(exc)
        raise SnapshotError(f"{path}: not a usable advisory snapshot: {detail}") from exc
