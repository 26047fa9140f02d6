"""The frozen tray's self-test, held against the source install's: `make package-test` and CI run it.

    python packaging/bundle/tray_selftest.py FROZEN [--source SOURCE] [--drop-caches] [--json FILE]

FROZEN and SOURCE are `tierwall-tray` programs (dist/tierwall/tierwall-tray, /usr/bin/tierwall-tray, .venv/bin/
tierwall-tray). Each runs `--self-test --json` (offscreen, fresh temporary data). The frozen tray passes when it
met every target of the self-test that the source tray met, had no other problem the source tray did not have, and
its idle RSS is at most the source's + 10 MiB; without --source, when its self-test passed outright. Exit 0 if it
passes, 1 if not (each reason on a line), 2 if a self-test gave no report.

The idle figures are compared as RSS (the report's RssAnon + RssFile + RssShmem at idle), not as the self-test's
`rss_mib.tray_idle`, which is PSS where the system has it: PSS divides each shared page among the processes that
map it, so a source tray whose venv other processes are using (a test run beside it) reads tens of MiB less than
the same tray alone, while the frozen tray's libraries are its own. Both are printed.

--drop-caches (root, Linux) drops the page cache before each run: RSS counts the pages of the libraries a process
maps, and right after a build or an install they sit in the cache as large folios and read up to 20 MiB more.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

IDLE = "rss_mib.tray_idle"
IDLE_PARTS = "rss_parts_mib_idle"
IDLE_SLACK_MIB = 10.0
TIMEOUT_S = 600


def run_self_test(program: str, drop_caches: bool) -> dict[str, Any]:
    """The report of `program --self-test --json`; SystemExit(2) if there is none."""
    if drop_caches:
        subprocess.run(["sync"], check=False)
        try:
            Path("/proc/sys/vm/drop_caches").write_text("3\n")
        except OSError as exc:
            print(f"tray_selftest: cannot drop the page cache ({exc.strerror}); measuring without", file=sys.stderr)
    done = subprocess.run([program, "--self-test", "--json"], capture_output=True, text=True, timeout=TIMEOUT_S)
    try:
        report: dict[str, Any] = json.loads(done.stdout)
    except ValueError:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(
            f"tray_selftest: {program} --self-test gave no report (exit {done.returncode}): {tail}"
        ) from None
    report["exit"] = done.returncode
    return report


def missed(report: dict[str, Any]) -> set[str]:
    """What a report failed: the targets it missed (by figure), and every other problem it names (by its text)."""
    targets = report.get("targets", {})
    out = {key for key, target in targets.items() if key in report and report[key] > target}
    for problem in report.get("problems", []):
        key = problem.split(" = ", 1)[0]
        if key not in targets:
            out.add(problem)
    return out


def judge(frozen: dict[str, Any], source: dict[str, Any] | None) -> list[str]:
    """Why the frozen tray falls short (empty: it does not)."""
    if source is None:
        return [f"self-test: {p}" for p in frozen.get("problems", [])] or ([] if frozen.get("ok") else ["not ok"])
    reasons = [f"frozen misses what the source meets: {what}" for what in sorted(missed(frozen) - missed(source))]
    ours, theirs = idle_rss(frozen), idle_rss(source)
    if ours is not None and theirs is not None and ours > theirs + IDLE_SLACK_MIB:
        reasons.append(f"idle RSS: frozen {ours:.1f} MiB > source {theirs:.1f} + {IDLE_SLACK_MIB:g} MiB")
    return reasons


def idle_rss(report: dict[str, Any]) -> float | None:
    """The tray's RSS at idle: the sum of the report's RSS parts, else its idle figure."""
    parts = report.get("details", {}).get(IDLE_PARTS)
    if isinstance(parts, dict) and parts:
        return float(sum(parts.values()))
    value = report.get(IDLE)
    return None if value is None else float(value)


def table(frozen: dict[str, Any], source: dict[str, Any] | None) -> str:
    keys = [k for k, v in frozen.items() if isinstance(v, int | float) and not isinstance(v, bool) and k != "exit"]
    targets = frozen.get("targets", {})
    lines = [f"{'figure':40s} {'frozen':>9s} {'source':>9s} {'target':>8s}"]
    for key in keys:
        theirs = "" if source is None or key not in source else f"{source[key]:9.1f}"
        target = f"≤ {targets[key]:g}" if key in targets else ""
        lines.append(f"{key:40s} {frozen[key]:9.1f} {theirs:>9s} {target:>8s}")
    ours, theirs = idle_rss(frozen), None if source is None else idle_rss(source)
    if ours is not None:
        shown = "" if theirs is None else f"{theirs:9.1f}"
        lines.append(f"{'RSS at idle (RssAnon + RssFile + RssShmem)':40s} {ours:9.1f} {shown:>9s} {'src + 10':>8s}")
    exits = "" if source is None else str(source["exit"])
    lines.append(f"{'self-test exit code':40s} {frozen['exit']:9d} {exits:>9s} {'0':>8s}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tray_selftest.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("frozen", help="the frozen tierwall-tray")
    parser.add_argument("--source", help="a source install's tierwall-tray to hold it against")
    parser.add_argument("--drop-caches", action="store_true", help="drop the page cache before each run (root)")
    parser.add_argument("--json", type=Path, help="also write both reports here")
    args = parser.parse_args(argv)
    source = run_self_test(args.source, args.drop_caches) if args.source else None
    frozen = run_self_test(args.frozen, args.drop_caches)
    if args.json:
        args.json.write_text(json.dumps({"frozen": frozen, "source": source}, indent=2), encoding="utf-8")
    print(table(frozen, source))
    for name, report in (("source", source), ("frozen", frozen)):
        for problem in (report or {}).get("problems", []):
            print(f"{name} self-test problem: {problem}")
    reasons = judge(frozen, source)
    for reason in reasons:
        print(f"tray_selftest: FAILED: {reason}")
    if not reasons:
        print("tray_selftest: the frozen tray did all the source tray did" if source else "tray_selftest: passed")
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main())
