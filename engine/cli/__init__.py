"""The `tierwall` command: argument parsing and printing only.

Exit codes of `scan`: 0 allow, 1 warn, 2 block, 3 bad usage or unreadable
input, 4 internal error. Other commands: 0 success, 3 bad usage/input, 4 internal error.
Every command: 141 (128 + SIGPIPE, as a Unix tool killed by a closed pipe) when
whoever reads its output stops early (`tierwall … | head -1`), with nothing said.

`dispatch` builds the parser and runs the chosen subcommand; each `*_command` module is one group of
subcommands (its options and what it prints); `common` holds the exit codes, `UsageError` and the
argument types they share. `main` is the `tierwall` entry point and what `python -m engine` runs.
"""

from engine.cli.common import UsageError
from engine.cli.dispatch import main

__all__ = ["UsageError", "main"]
