"""Entry point of `tierwall-tray`. The tray app is not built yet (see the tray-app issue)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print(
        "tierwall-tray: the desktop tray app is not built yet.\n"
        "Scan text from the terminal instead: tierwall scan --help",
        file=sys.stderr,
    )
    return 3


if __name__ == "__main__":
    sys.exit(main())
