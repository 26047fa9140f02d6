"""Entry point of `tierwall-tray`: the tray app, or a screenshot, or the self-test."""

from __future__ import annotations

import argparse
import os
import signal
import sys

from app.windows import PAGES
from engine import procmem, version

NOTIFICATION_SHOTS = ("notification", "notification-block")  # app/screenshot.py renders each (kept light here)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tierwall-tray", description="Tierwall's desktop tray app.")
    parser.add_argument("--version", action="store_true", help="show the version and exit")
    parser.add_argument(
        "--screenshot", metavar="PATH", help="render the window offscreen after a sample scan, save a PNG and exit"
    )
    parser.add_argument(
        "--page",
        choices=(*PAGES, *NOTIFICATION_SHOTS),
        default="scan",
        help="what to render with --screenshot: a page, or the notification a risky copy brings up "
        "(notification: a warning; notification-block: a block, with Undo)",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="run the app offscreen through every tier via the clipboard, print memory and latency",
    )
    parser.add_argument("--json", action="store_true", help="with --self-test: print JSON")
    parser.add_argument("--soak", type=_minutes, metavar="MINUTES",
                        help="with --self-test: then leave the app running this long, every page shown in turn, "
                             "copies, model loads and unloads; report RSS, None's refcount, threads and "
                             "descriptors at the start and the end")  # fmt: skip
    parser.add_argument("--show", action="store_true", help="open the window at start")
    return parser


def _minutes(value: str) -> float:
    try:
        minutes = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of minutes: {value!r}") from None
    if not 0 < minutes <= 7 * 24 * 60:
        raise argparse.ArgumentTypeError(f"minutes must be more than 0 and at most a week, not {value}")
    return minutes


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:  # looked up only when asked: the metadata's modules cost every start 1.8 MiB otherwise
        print(f"{parser.prog} {version() or 'unknown (not installed)'}")
        return 0
    if args.soak is not None and not args.self_test:
        parser.error("--soak goes with --self-test")
    if args.screenshot or args.self_test:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    procmem.share_one_heap()  # before Qt, onnxruntime or the worker start a thread
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Tierwall")
    app.setOrganizationName("Tierwall")
    app.setStyle("Fusion")  # the same look on every desktop; the style sheet builds on it
    if args.screenshot:
        from app.screenshot import take_screenshot

        return take_screenshot(args.screenshot, args.page)
    if args.self_test:
        from app.selftest import run_self_test

        return run_self_test(as_json=args.json, soak_minutes=args.soak)
    from app.single import SingleInstance, ask_running_instance

    if ask_running_instance():
        print("tierwall-tray: already running; asked it to show its window", file=sys.stderr)
        return 0
    from app.controller import TierwallApp

    app.setQuitOnLastWindowClosed(False)  # closing the window leaves the tray running
    try:
        tierwall = TierwallApp()
    except Exception as exc:  # e.g. unreadable assets: say what, rather than a traceback
        return _fail_to_start(f"{type(exc).__name__}: {exc}")
    instance = SingleInstance()
    instance.show_requested.connect(tierwall.open_window)
    tierwall.start(show_window=args.show)
    signal.signal(signal.SIGINT, lambda *_: tierwall.quit())  # Ctrl+C in a terminal quits cleanly
    signal.signal(signal.SIGTERM, lambda *_: tierwall.quit())
    wake = QTimer()
    wake.timeout.connect(lambda: None)  # lets Python run its signal handlers while Qt's loop waits
    wake.start(500)
    code = app.exec()
    instance.close()
    tierwall.shutdown()
    return code


def _fail_to_start(message: str) -> int:
    """Tell the user why Tierwall cannot start, in a dialog where there is a screen; exit code 4."""
    from PySide6.QtWidgets import QMessageBox

    print(f"tierwall-tray: cannot start: {message}", file=sys.stderr)
    if os.environ.get("QT_QPA_PLATFORM") != "offscreen":
        QMessageBox.critical(None, "Tierwall cannot start", message)
    return 4


if __name__ == "__main__":
    sys.exit(main())
