"""Start at login: an XDG autostart entry on Linux (the freedesktop way; no daemon, no registry)."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path

ENTRY_NAME = "tierwall.desktop"


def supported() -> bool:
    return sys.platform.startswith("linux")


def entry_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / ENTRY_NAME


def _command() -> str:
    exe = shutil.which("tierwall-tray")
    if exe:
        return shlex.quote(exe)
    return f"{shlex.quote(sys.executable)} -m app.main"


def is_enabled() -> bool:
    return entry_path().is_file()


def set_enabled(enabled: bool, icon_path: Path | None = None) -> None:
    """Write or remove the autostart entry; raises OSError if the config dir is not writable."""
    path = entry_path()
    if not enabled:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Name=Tierwall",
        "Comment=Local prompt firewall: checks what you copy before it reaches an LLM",
        f"Exec={_command()}",
        "Terminal=false",
        "X-GNOME-Autostart-enabled=true",
    ]
    if icon_path is not None:
        lines.append(f"Icon={icon_path}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
