"""A child process for tests/test_history_kill.py: records verdicts in the history as fast as it can, until it is
SIGKILLed.

    python tests/history_writer.py HISTORY_FILE MAX_ROWS FIRST_ID [SECONDS]

It opens the history as the app does (`History(path)`, here with a small `max_rows`, so that the trim of the
oldest rows runs in every add once the file is full) and adds one verdict after another, built by hand (no
models). Record n is the row SQLite gives id n (the largest id + 1: the newest row is never trimmed), and its
content is `verdict_for(n)`, so the parent can tell every row apart and see that it is whole. The writer says
"open" before it opens the file, "ready" once it is open, then the id of each record after `add()` returns:
the parent knows which records were committed. Each line is one write(2) to a pipe, so a kill never leaves half
a line. It stops by itself after SECONDS (default 60), so it cannot outlive a parent that died.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

from engine.history import History
from engine.verdict import Finding, Verdict

SOURCE = "clipboard"
_DECISIONS = ("allow", "warn", "block")


def verdict_for(number: int) -> Verdict:
    """The verdict recorded as record `number`: its hash is the number's, and the rest varies with it."""
    decision = _DECISIONS[number % 3]
    categories = () if decision == "allow" else ("injection", "secret")[: 1 + number % 2]
    findings = tuple(
        Finding(f"kill.{category}", category, "high", 0, 12, f"record {number}", tier=number % 3)
        for category in categories
    )
    return Verdict(
        decision=decision,
        score=(number % 1000) / 1000,
        categories=categories,
        findings=findings,
        tier=number % 3,
        timings_ms={"total": 0.1},
        redacted=f"record {number}: [SECRET:kill] " + "x" * (number % 200),
        text_sha256=hashlib.sha256(str(number).encode()).hexdigest(),
        confidence={category: 0.5 + (number % 50) / 100 for category in categories},
    )


def _say(line: str) -> None:
    os.write(1, f"{line}\n".encode())


def main(argv: list[str]) -> int:
    path, max_rows, number = Path(argv[0]), int(argv[1]), int(argv[2])
    deadline = time.monotonic() + (float(argv[3]) if len(argv) > 3 else 60.0)
    _say("open")
    history = History(path, max_rows=max_rows)
    _say("ready")
    while time.monotonic() < deadline:
        row_id = history.add(verdict_for(number), SOURCE)
        if row_id != number:
            print(f"record {number} became row {row_id}", file=sys.stderr)
            return 3
        _say(str(row_id))
        number += 1
    history.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
