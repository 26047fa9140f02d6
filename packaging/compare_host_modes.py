"""Scan a labelled CSV twice, with the models in a model host and in process, and report every verdict that differs.

    .venv/bin/python packaging/compare_host_modes.py [../shared/eval/dev.csv] [--limit N]

Exit 0 when every verdict is identical (decision, tier, score, findings, reasons,
covered span), 1 otherwise. The test suite checks a sample; this reads the whole file.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import Engine, EngineConfig  # noqa: E402


def _key(v):  # what must be equal
    return v.decision, v.tier, v.score, v.findings, v.reasons, v.covered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv", nargs="?", default=str(ROOT.parent / "shared" / "eval" / "dev.csv"))
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows")
    args = parser.parse_args(argv)
    with open(args.csv, encoding="utf-8", newline="") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    if args.limit:
        texts = texts[: args.limit]
    home = Path(tempfile.mkdtemp(prefix="tierwall-compare-"))  # no user lists or policies of the caller's
    hosted = Engine(EngineConfig(data_dir=home, config_dir=home, model_host=True, idle_timeout_s=None))
    inline = Engine(EngineConfig(data_dir=home, config_dir=home, idle_timeout_s=None))
    started, differ, escalated = time.monotonic(), [], 0
    try:
        for i, text in enumerate(texts, 1):
            a, b = hosted.scan(text), inline.scan(text)
            escalated += a.tier > 0
            if _key(a) != _key(b):
                differ.append(i)
                print(f"row {i}: host {a.decision}/{a.tier}/{a.score} in process {b.decision}/{b.tier}/{b.score}: "
                      f"{text[:60]!r}")  # fmt: skip
            if i % 1000 == 0:
                print(f"{i} of {len(texts)} rows, {len(differ)} differ, {time.monotonic() - started:.0f} s",
                      file=sys.stderr)  # fmt: skip
    finally:
        hosted.models.close()
        inline.models.close()
    print(f"{len(texts)} rows ({escalated} reached a model): {len(texts) - len(differ)} identical, "
          f"{len(differ)} differ; {time.monotonic() - started:.0f} s")  # fmt: skip
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
