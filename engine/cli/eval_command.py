"""`tierwall eval`: detection measured on labelled CSV data, as a summary or JSON, the misclassified rows
optionally written to a file."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from engine.cli.common import UsageError, positive, tier


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`eval`: its options, and the function that runs it."""
    ev = sub.add_parser("eval", help="measure detection on labelled CSV data")
    ev.add_argument("data", help="CSV with columns text,label[,category,source]")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ev.add_argument("--max-tier", type=tier, default=2)
    ev.add_argument("--limit", type=positive, help="only the first N rows")
    ev.add_argument("--errors", help="write the misclassified rows to this CSV file")
    ev.set_defaults(handler=_cmd_eval)


def _cmd_eval(args: argparse.Namespace) -> int:
    from engine import Engine
    from engine.evaluate import DatasetError, evaluate, read_dataset
    from engine.report import describe_eval, write_errors

    try:
        rows = read_dataset(Path(args.data), args.limit)
    except DatasetError as exc:
        raise UsageError(str(exc)) from None
    engine = Engine()
    show = sys.stderr.isatty() and not args.json

    def progress(i: int) -> None:
        if show and i % 250 == 0:
            print(f"\r{i}/{len(rows)}", end="", file=sys.stderr, flush=True)

    result = evaluate(lambda t: engine.scan(t, max_tier=args.max_tier), rows, progress)
    if show:
        print("\r" + " " * 20 + "\r", end="", file=sys.stderr)
    if args.errors:
        try:
            write_errors(Path(args.errors), result.errors)
        except OSError as exc:
            raise UsageError(f"cannot write {args.errors}: {exc.strerror or exc}") from None
    if args.json:
        print(json.dumps({**result.metrics, "per_source": result.per_source, "per_language": result.per_language},
                         indent=2))  # fmt: skip
    else:
        sys.stdout.write(describe_eval(result, args.data))
    return 0
