"""`tierwall bench`: memory and speed measured in a fresh process (the hidden --child is that process), or with
--soak whether N scans in one process make memory, descriptors or threads creep."""

from __future__ import annotations

import argparse
import json
import sys

from engine.cli.common import positive


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`bench`: its options (--child is the fresh process's own), and the function that runs it."""
    bench = sub.add_parser("bench", help="measure memory and speed in a fresh process")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--adversarial", action="store_true", help="also time 1 MB hostile inputs")
    bench.add_argument("--threads", type=positive, default=1, help="CPU threads for the models (default 1)")
    bench.add_argument(
        "--soak",
        type=positive,
        metavar="N",
        help="instead: N scans in one process (every 100th through every tier, the models unloaded "
        "every 2,000) and whether RSS, descriptors or threads creep; exit 1 if they do",
    )
    bench.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    bench.set_defaults(handler=_cmd_bench)


def _cmd_bench(args: argparse.Namespace) -> int:
    from engine.bench import run_child, run_in_fresh_process
    from engine.report import BenchProgress, describe_bench

    if args.child:
        if args.soak:
            from engine.soak import run_soak

            print(json.dumps({"soak": run_soak(args.soak, threads=args.threads)}))
        else:
            print(json.dumps(run_child(adversarial=args.adversarial, threads=args.threads, progress=sys.stderr)))
        return 0
    if args.soak:
        print(f"tierwall: soak of {args.soak:,} scans in a fresh process…", file=sys.stderr)
    progress = BenchProgress(sys.stderr, bar=sys.stderr.isatty())  # stderr: stdout keeps only the figures
    try:
        figures = run_in_fresh_process(adversarial=args.adversarial, threads=args.threads, on_progress=progress,
                                       soak=args.soak)  # fmt: skip
    finally:
        progress.close()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        sys.stdout.write(describe_bench(figures))
    return 1 if figures.get("soak", {}).get("problems") else 0
