"""What the `tierwall` subcommands share: the exit codes, the error that means bad usage, a parser that exits with
the usage code, and the argument types more than one subcommand reads."""

from __future__ import annotations

import argparse
import sys
from typing import Any, NoReturn

from engine.about import version as engine_version
from engine.errors import TierwallError

EXIT = {"allow": 0, "warn": 1, "block": 2}
EXIT_USAGE = 3
EXIT_INTERNAL = 4
EXIT_NOT_REDACTED = 5  # --redact: the text could not be masked completely, and nothing was printed
EXIT_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `yes | head -1`'s yes


class UsageError(TierwallError):
    """Bad arguments or unreadable input (exit 3)."""


class Parser(argparse.ArgumentParser):
    """An argparse parser whose usage errors exit with EXIT_USAGE (3), not argparse's 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def tier(value: str) -> int:
    """--max-tier: 0, 1 or 2."""
    if value not in ("0", "1", "2"):
        raise argparse.ArgumentTypeError("must be 0, 1 or 2")
    return int(value)


def positive(value: str) -> int:
    """A count such as --limit or --threads: a whole number above 0."""
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return n


def version() -> str:
    """This install's version for the CLI's output."""
    return engine_version() or "unknown (not installed)"


class VersionAction(argparse.Action):
    """`--version`: prints "PROG VERSION" and exits; the version is looked up only then, not for every parser
    built (argparse's own action wants the text when the argument is added)."""

    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit", **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"{parser.prog} {version()}")
        parser.exit()
