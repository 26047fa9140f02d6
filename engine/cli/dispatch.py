"""Builds the `tierwall` parser from each subcommand module's part, runs the chosen subcommand and turns what it
raises into an exit code and one line on stderr. The hidden model host subcommand is handed over before any of that,
so that the model host starts without the parser or the subcommands; `--self-test` (engine/cli/selftest_command.py)
is a command of its own too, with no subcommand."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from engine import procmem
from engine.cli.common import EXIT_INTERNAL, EXIT_PIPE, EXIT_USAGE, Parser, UsageError, VersionAction
from engine.errors import TierwallError
from engine.host.protocol import HOST_SUBCOMMAND
from engine.models import ModelUnavailable

SELF_TEST = "--self-test"


def build_parser() -> argparse.ArgumentParser:
    """The whole `tierwall` parser; each subcommand's parser names the function that runs it (`handler`)."""
    # imported here, not above: the model host (see main) starts without them
    from engine.cli import bench_command, eval_command, history_command, models_command, policy_command, scan_command

    parser = Parser(prog="tierwall", description="Local, offline LLM prompt firewall.")
    parser.add_argument("--version", action=VersionAction)
    parser.add_argument("--self-test", action="store_true",
                        help="check this install: every asset and model file against its manifest, sample texts "
                             "through every tier (and a model host), every model unloaded; prints its figures and "
                             "exits 0 only if all is well (--self-test --json: the figures as JSON)")  # fmt: skip
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in (scan_command, eval_command, models_command, history_command, policy_command, bench_command):
        command.add_parser(sub)  # in the order the help lists them
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == [HOST_SUBCOMMAND]:  # the model host, started by the engine of another tierwall process
        from engine.host.server import main as serve

        return serve(words[1:])
    # Not in the model host: mapping each large inference buffer apart made tier 2 a third slower there, and
    # the host gives back all its memory when it stops anyway. Here it lowered the 1 MB peak by 24 MiB.
    procmem.map_large_buffers()
    parser = _self_test_parser() if words[:1] == [SELF_TEST] else build_parser()
    args = parser.parse_args(words[1:] if words[:1] == [SELF_TEST] else words)
    try:
        code: int = args.handler(args)
        sys.stdout.flush()  # a reader that left early is found here, not in the interpreter's final flush
        return code
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE
    except UsageError as exc:
        print(f"tierwall: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ModelUnavailable as exc:  # a missing or corrupt model file: said plainly, not as a crash
        print(f"tierwall: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except KeyboardInterrupt:
        print("tierwall: interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except TierwallError as exc:  # assets that differ from their manifest, an unreadable file: said in one line
        print(f"tierwall: {exc}", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:  # an internal error must still exit with its own code, and name its cause
        print(f"tierwall: internal error: {type(exc).__name__}" + (f": {exc}" if str(exc) else ""), file=sys.stderr)
        if os.environ.get("TIERWALL_DEBUG"):
            traceback.print_exc()
        return EXIT_INTERNAL


def _self_test_parser() -> argparse.ArgumentParser:
    """`tierwall --self-test [--json]`."""
    parser = Parser(prog=f"tierwall {SELF_TEST}", description="Check this install of Tierwall and print its figures.")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.set_defaults(handler=_cmd_self_test)
    return parser


def _cmd_self_test(args: argparse.Namespace) -> int:
    from engine.cli.selftest_command import run_self_test

    return run_self_test(as_json=args.json)


def _silence_stdout() -> None:
    """Point stdout at devnull, so what is still buffered for the closed pipe goes nowhere instead of
    raising again when the interpreter flushes it on exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture): nothing will flush to a pipe
        pass
