"""Start at login: an XDG autostart entry on Linux (the freedesktop way; no daemon, no registry).

The entry starts the program that wrote it: the installed `tierwall-tray` when Tierwall is a frozen bundle (the .deb's
/usr/bin/tierwall-tray, or the tarball's dist/tierwall/tierwall-tray where it was unpacked), else the `tierwall-tray`
on PATH, else this Python with `-m app.main`. The desktop menu's entry that the .deb installs is written by the same
function (`desktop_entry`, used by packaging/bundle/stage.py), so the two say the same.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

ENTRY_NAME = "tierwall.desktop"
NAME = "Tierwall"
COMMENT = "Local prompt firewall: checks what you copy before it reaches an LLM"
# characters the Desktop Entry spec reserves in Exec: an argument holding one is quoted (spec, "The Exec key")
_RESERVED = re.compile(r"""[\s"'\\><~|&;$*?#()`%]""")


def supported() -> bool:
    return sys.platform.startswith("linux")


def entry_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "autostart" / ENTRY_NAME


def program() -> list[str]:
    """The command that starts this tray app again, as arguments."""
    if getattr(sys, "frozen", False):
        own = Path(sys.executable)
        on_path = shutil.which("tierwall-tray")  # /usr/bin/tierwall-tray, a link to /opt/tierwall/tierwall-tray
        if on_path and Path(on_path).resolve() == own.resolve():
            return [on_path]
        return [str(own)]
    exe = shutil.which("tierwall-tray")
    if exe:
        return [exe]
    return [sys.executable, "-m", "app.main"]


def exec_quote(arg: str) -> str:
    """One argument of an Exec line: as it is, or in double quotes with ", `, $ and \\ escaped (and that escape's
    backslashes doubled, as the spec's string escaping asks); % is written %%."""
    if not _RESERVED.search(arg):
        return arg
    quoted = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return quoted.replace("\\", "\\\\").replace("%", "%%")


def desktop_entry(command: list[str], icon: str | Path | None, *, autostart: bool) -> str:
    """A Desktop Entry that starts `command`: the autostart entry, or (autostart=False) the desktop menu's."""
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        f"Name={NAME}",
        f"Comment={COMMENT}",
        f"Exec={' '.join(exec_quote(arg) for arg in command)}",
        f"TryExec={command[0]}",  # a desktop skips the entry once the program is gone (uninstalled)
        "Terminal=false",
    ]
    if icon is not None:
        lines.append(f"Icon={icon}")
    if autostart:
        lines.append("X-GNOME-Autostart-enabled=true")
    else:
        lines += ["Categories=Utility;Security;", "Keywords=LLM;prompt;firewall;clipboard;secrets;",
                  "StartupNotify=false"]  # fmt: skip
    return "\n".join(lines) + "\n"


def is_enabled() -> bool:
    return entry_path().is_file()


def set_enabled(enabled: bool, icon_path: Path | None = None) -> None:
    """Write or remove the autostart entry; raises OSError if the config dir is not writable."""
    path = entry_path()
    if not enabled:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(desktop_entry(program(), icon_path, autostart=True), encoding="utf-8")
