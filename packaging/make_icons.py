"""Writes assets/icons/tierwall-<state>.png (and tierwall.png) from the QPainter drawing in app/icons.py.

The app paints its icons at run time; these files are for what cannot call
Qt: the XDG autostart/desktop entry and installers. Re-run after changing
app/icons.py:  python packaging/make_icons.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QGuiApplication

from app import icons

OUT = Path(__file__).resolve().parent.parent / "assets" / "icons"


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    for state in icons.STATES:
        icons.paint(state, 256).save(str(OUT / f"tierwall-{state}.png"))
    icons.paint("protecting", 256).save(str(OUT / "tierwall.png"))
    print(f"wrote {len(icons.STATES) + 1} icons to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
