"""`tierwall scan`: one text from --text, a file or standard input, read no further than the engine scans, and
its verdict printed as a report, as JSON or as the masked text; the exit code is the decision."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, TextIO

from engine.cli.common import EXIT, EXIT_NOT_REDACTED, UsageError, tier

if TYPE_CHECKING:
    from engine.verdict import Verdict


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`scan`: its options, and the function that runs it."""
    scan = sub.add_parser("scan", help="scan one text", description="Scan a file, standard input (-) or --text.")
    scan.add_argument("file", nargs="?", help="file to scan, or - for standard input")
    scan.add_argument("--text", help="scan this text instead of a file")
    scan.add_argument("--json", action="store_true", help="print the verdict as JSON")
    scan.add_argument("--max-tier", type=tier, default=2, help="highest tier that may judge (0-2)")
    scan.add_argument("--always-escalate", action="store_true", help="send the text to the model tiers")
    scan.add_argument("--redact", action="store_true", help="print the text with secrets and personal data masked")
    scan.add_argument("--policy-always", action="store_true", help="check your own policies even if tier 0 decides")
    scan.set_defaults(handler=_cmd_scan)


def _read_input(args: argparse.Namespace, limit_chars: int) -> bytes | str:
    """The text to scan: --text, a file or standard input, read only as far as the engine scans (and a little
    more, so that it reports the rest as not scanned); /dev/zero or a 100 GB file cost what 4 MiB do."""
    if args.text is not None and args.file is not None:
        raise UsageError("give a FILE, '-' or --text, not both")
    if args.text is not None:
        return str(args.text)
    if args.file is None:
        raise UsageError("nothing to scan: give a FILE, '-' for standard input, or --text TEXT")
    if args.file == "-":
        return _read_bounded(sys.stdin.buffer, limit_chars, "standard input")
    path = Path(args.file)
    try:
        with path.open("rb") as fh:
            return _read_bounded(fh, limit_chars, str(path))
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _read_bounded(stream: IO[bytes], limit_chars: int, name: str) -> bytes:
    """At most 4 bytes per scanned character and one character more: enough that a longer input reaches the
    engine longer than its limit (it then says "not fully scanned"), however its characters are encoded."""
    cap = 4 * (limit_chars + 1)
    data: bytes = stream.read(cap)
    if len(data) == cap and stream.read(1):
        lead = len(data) - 1  # do not cut a character in two: find where the last one starts
        while lead > len(data) - 4 and (data[lead] & 0xC0) == 0x80:
            lead -= 1
        if data[lead] >= 0xC0 and len(data) - lead < (2 if data[lead] < 0xE0 else 3 if data[lead] < 0xF0 else 4):
            data = data[:lead]
        print(f"tierwall: {name} is longer than the {cap:,} bytes read; the rest was not scanned", file=sys.stderr)
    return data


def _cmd_scan(args: argparse.Namespace) -> int:
    from engine import Engine, EngineConfig
    from engine.bands import Bands

    data = _read_input(args, Bands.load().max_scan_chars)

    verdict = Engine(EngineConfig(policy_always=args.policy_always)).scan(
        data, max_tier=args.max_tier, always_escalate=args.always_escalate
    )
    out = sys.stdout
    if args.json:
        out.write(verdict.to_json(indent=2) + "\n")
    elif args.redact:
        if verdict.redacted is None:  # never print a partly masked text as the masked one
            reason = next((r for r in verdict.reasons if r.startswith("no redacted copy")), "no redacted copy")
            sys.stderr.write(f"tierwall: {reason}\n")
            return EXIT_NOT_REDACTED
        out.write(verdict.redacted)
        if not verdict.redacted.endswith("\n"):
            out.write("\n")
    else:
        text = data if isinstance(data, str) else data.decode("utf-8", "replace")
        _print_verdict(verdict, text, out)
    return EXIT[verdict.decision]


def _use_colour(stream: TextIO) -> bool:
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _print_verdict(verdict: Verdict, text: str, out: TextIO) -> None:
    from engine.report import describe_verdict

    out.write(describe_verdict(verdict, text, colour=_use_colour(out)))
