"""`tierwall history`: the desktop app's scan history (redacted excerpts only) listed newest first and filtered,
or deleted with --purge."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.cli.common import EXIT, UsageError, positive

HISTORY_LIMIT = 20  # entries `tierwall history` lists unless told otherwise


def _words(value: str) -> list[str]:
    """A comma list as its non-empty items."""
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise argparse.ArgumentTypeError("give at least one value")
    return items


def _decisions(value: str) -> list[str]:
    items = _words(value)
    bad = [d for d in items if d not in EXIT]
    if bad:
        raise argparse.ArgumentTypeError(f"{', '.join(bad)}: a decision is allow, warn or block")
    return items


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`history`: its options, and the function that runs it."""
    history = sub.add_parser(
        "history", help="list the desktop app's scan history (redacted excerpts), or --purge it",
        description="List what the desktop app scanned and decided, newest first: time, decision, deciding tier, "
                    "source, categories and a redacted excerpt (the raw text is never stored).",
    )  # fmt: skip
    history.add_argument("--limit", type=positive, default=HISTORY_LIMIT,
                         help=f"show the newest N entries (default {HISTORY_LIMIT})")  # fmt: skip
    history.add_argument(
        "--decision",
        type=_decisions,
        action="extend",
        default=[],
        metavar="D[,D…]",
        help="only allow, warn or block; repeat or give a comma list (--decision warn,block)",
    )
    history.add_argument(
        "--source",
        type=_words,
        action="extend",
        default=[],
        metavar="S[,S…]",
        help="only scans from this source: clipboard, manual or typing; repeat or comma list",
    )
    history.add_argument("--json", action="store_true", help="print the entries as JSON")
    history.add_argument("--purge", action="store_true", help="delete the history database")
    history.set_defaults(handler=_cmd_history)


def _cmd_history(args: argparse.Namespace) -> int:
    from engine.config import data_dir
    from engine.history import HISTORY_FILE

    base = data_dir() / HISTORY_FILE
    if not args.purge:
        return _list_history(args, base)
    if args.decision or args.source or args.json or args.limit != HISTORY_LIMIT:
        raise UsageError("history --purge deletes the whole history and takes no other option")
    removed = []
    for path in (base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm")):
        try:
            path.unlink()
            removed.append(path.name)
        except FileNotFoundError:
            pass
    print(f"removed {', '.join(removed)} from {base.parent}" if removed else f"no history in {base.parent}")
    return 0


def _list_history(args: argparse.Namespace, path: Path) -> int:
    from engine.history import HistoryError, read_history
    from engine.report import describe_history, history_entry

    if not path.exists():
        message = f"no history yet: {path} does not exist (the desktop app, tierwall-tray, records its scans there)"
        if args.json:
            print(json.dumps({"file": str(path), "recorded": 0, "entries": []}, indent=2))
        print(message, file=sys.stderr if args.json else sys.stdout)
        return 0
    try:
        rows, recorded, sources = read_history(path, decisions=args.decision, sources=args.source, limit=args.limit)
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps({"file": str(path), "recorded": recorded, "entries": [history_entry(r) for r in rows]},
                         indent=2, ensure_ascii=False))  # fmt: skip
    else:
        sys.stdout.write(
            describe_history(rows, recorded, sources, limit=args.limit, filtered=bool(args.decision or args.source))
        )
    return 0
