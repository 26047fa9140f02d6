"""The user's settings: a small JSON file in the platformdirs config dir.

A corrupt file is moved aside (never silently lost) and the defaults are used;
`problem` then carries the message the window shows.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from engine import config_dir, read_json, set_aside, write_atomic

# config_dir: $TIERWALL_CONFIG_DIR, else the platform's config dir; shared with the engine

__all__ = ["Settings", "SettingsFile", "config_dir"]


@dataclass(frozen=True, slots=True)
class Settings:
    """What the user can change; every field has a safe default."""

    idle_timeout_s: int = 60  # 0: never unload idle models
    budget_mib: int = 0  # 0: no memory budget
    threads: int = 1  # inference threads, applied at the next start
    model_host: bool = True  # models in a process of their own, stopped when idle (all memory back); next start
    watch_clipboard: bool = True
    notifications: bool = True
    auto_sanitize: bool = False  # replace secrets/personal data on copy, without asking
    replace_blocked: bool = True  # a blocked copy leaves the clipboard (with an Undo): else nothing is blocked
    policy_always: bool = False  # check the user's policies on every text, not only on escalated ones
    start_at_login: bool = False
    window_geometry: str = ""  # base64 of QWidget.saveGeometry(): the window reopens where it was left

    def validated(self) -> Settings:
        """The same settings with every number clamped into its sensible range."""
        return replace(
            self,
            idle_timeout_s=max(0, min(int(self.idle_timeout_s), 24 * 3600)),
            budget_mib=max(0, min(int(self.budget_mib), 64 * 1024)),
            threads=max(1, min(int(self.threads), os.cpu_count() or 1, 16)),
        )

    @property
    def idle_timeout(self) -> float | None:
        return float(self.idle_timeout_s) if self.idle_timeout_s > 0 else None

    @property
    def budget(self) -> float | None:
        return float(self.budget_mib) if self.budget_mib > 0 else None


class SettingsFile:
    """Loads and saves Settings; remembers why a load had to fall back to defaults."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "settings.json"
        self.problem: str | None = None

    def load(self) -> Settings:
        if not self.path.exists():
            return Settings()
        try:
            return _from_dict(read_json(self.path)).validated()
        except (ValueError, TypeError, OverflowError) as exc:
            self.problem = set_aside(self.path, exc).describe("Your settings file") + "; the defaults are in use."
            return Settings()

    def save(self, settings: Settings) -> None:
        """Write atomically, so a crash mid-write never leaves a corrupt file."""
        write_atomic(self.path, json.dumps(asdict(settings), indent=2))


def _from_dict(data: Any) -> Settings:
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    known = {f.name: f for f in fields(Settings)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            continue  # a newer version's setting: ignore rather than fail
        default = getattr(Settings(), key)
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise ValueError(f"{key} must be true or false")
        elif isinstance(default, int) and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ValueError(f"{key} must be a number")
        elif isinstance(default, str) and not isinstance(value, str):
            raise ValueError(f"{key} must be text")
        values[key] = value
    return Settings(**values)
