"""`tierwall policy`: your own natural-language policies added, listed and removed, and `policy test`, which shows
a policy's entailment in each window of some files before you rely on it."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from engine.cli.common import EXIT_USAGE, Parser, UsageError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`policy` and its subcommands add, list, remove and test; `_cmd_policy` runs them all."""
    policy = sub.add_parser("policy", help="your own natural-language policies, checked by tier 2")
    psub = policy.add_subparsers(dest="policy_command", required=True, parser_class=Parser)
    padd = psub.add_parser(
        "add", help='add a policy in your words, e.g. "Block anything that mentions the merger."',
        description="Add a policy. What you type is kept, and rewritten into the statement the NLI model reads "
                    '("Warn me when I paste code" is checked as "This text mentions code."); the command says what '
                    "is checked. Try it first with: tierwall policy test POLICY FILE",
    )  # fmt: skip
    padd.add_argument("hypothesis", metavar="POLICY")
    padd.add_argument("--action", choices=["warn", "block"], default="warn")
    padd.add_argument("--as-written", action="store_true", help="check your sentence exactly as typed, not rewritten")
    plist = psub.add_parser("list", help="list your policies (with what is checked) and the built-in ones")
    plist.add_argument("--json", action="store_true")
    prm = psub.add_parser("remove", help="remove one of your policies by its id")
    prm.add_argument("id")
    ptest = psub.add_parser(
        "test", help="show a policy's entailment in each window of some files, before you rely on it",
        description="Check POLICY (a sentence as you would add it, or the id of a policy you have) against each "
                    "FILE the way a scan checks it: the text is read in premise windows, and the policy fires when "
                    "a window's entailment reaches its threshold. FILE '-' reads standard input. Exit 0 when every "
                    "file was checked, 3 if one could not be read, 4 without a usable NLI model.",
    )  # fmt: skip
    ptest.add_argument("policy", metavar="POLICY", help="a policy sentence, or an id from `tierwall policy list`")
    ptest.add_argument("files", metavar="FILE", nargs="+", help="text files to check; - for standard input")
    ptest.add_argument("--as-written", action="store_true", help="check the sentence exactly as typed")
    ptest.add_argument("--json", action="store_true", help="print the windows and entailments as JSON")
    policy.set_defaults(handler=_cmd_policy)


def _cmd_policy(args: argparse.Namespace) -> int:
    from engine import Engine

    engine = Engine()
    store = engine.policies
    if store.problem:
        print(f"tierwall: {store.problem}", file=sys.stderr)
    if args.policy_command == "add":
        try:
            policy = store.add(args.hypothesis, args.action, as_written=args.as_written)
            notes = store.checked_as(args.hypothesis, as_written=args.as_written).notes
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        print(f"added {policy.id} ({policy.action}): {policy.display}")
        _print_checked_as(policy.hypothesis, policy.threshold, notes, policy.rewritten)
        print(f"  try it: tierwall policy test {policy.id} FILE")
        return 0
    if args.policy_command == "remove":
        if not store.remove(args.id):
            raise UsageError(f"no policy {args.id!r}; see: tierwall policy list")
        print(f"removed {args.id}")
        return 0
    if args.policy_command == "test":
        return _policy_test(args, engine)
    rows = [
        {"id": p.id, "action": p.action, "hypothesis": p.hypothesis, "threshold": p.threshold, "builtin": p.builtin,
         "category": p.category, "wording": p.display, "rewritten": p.rewritten}
        for p in [*store.list(), *engine.builtin_policies]
    ]  # fmt: skip
    if args.json:
        print(json.dumps({"policies": rows}, indent=2))
    else:
        for r in rows:
            origin = "built-in" if r["builtin"] else "yours"
            print(f"{r['id']:16s} {r['action']:5s} {origin:8s} {r['wording']}")
            if not r["builtin"]:
                how = f"checked as: {r['hypothesis']}" if r["rewritten"] else "checked as typed"
                print(f"{'':32s}{how} (fires at {r['threshold']:.0%} entailment)")
    return 0


def _print_checked_as(hypothesis: str, threshold: float, notes: Sequence[str], rewritten: bool) -> None:
    how = f"checked as: {hypothesis}" if rewritten else "checked as typed"
    print(f"  {how} (fires at {threshold:.0%} entailment)")
    for note in notes:
        if not note.startswith("fires at"):
            print(f"    - {note}")


POLICY_TEST_MAX_BYTES = 4 << 20  # a file is read up to this; its text up to the scan limit


def _policy_source(args: argparse.Namespace, engine: Any) -> tuple[str, str, float, tuple[str, ...], bool]:
    """(the policy in the user's words, hypothesis, threshold, notes, rewritten) for `policy test`."""
    known = engine.policies.get(args.policy) or next((p for p in engine.builtin_policies if p.id == args.policy), None)
    if known is not None:
        from engine.policies import rewrite

        notes: tuple[str, ...] = (f"built-in policy {known.id}",) if known.builtin else (f"your policy {known.id}",)
        if known.rewritten and rewrite(known.display).hypothesis == known.hypothesis:
            notes += rewrite(known.display).notes
        return known.display, known.hypothesis, known.threshold, notes, known.rewritten
    try:
        r = engine.policies.checked_as(args.policy, as_written=args.as_written)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return r.wording, r.hypothesis, r.threshold, r.notes, r.changed


def _read_for_test(name: str, limit: int) -> tuple[str | None, list[str]]:
    """(text, notes) of one FILE for `policy test`, or (None, [why not]) naming the file."""
    label = "standard input" if name == "-" else name
    try:
        if name == "-":
            data = sys.stdin.buffer.read(POLICY_TEST_MAX_BYTES + 1)
        else:
            with open(name, "rb") as fh:
                data = fh.read(POLICY_TEST_MAX_BYTES + 1)
    except IsADirectoryError:
        return None, [f"{label} is a directory"]
    except OSError as exc:
        return None, [f"cannot read {label}: {exc.strerror or exc}"]
    notes = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a byte-order mark: text, though full of NULs
        try:
            return data.decode("utf-16")[:limit], ["read as UTF-16"]
        except UnicodeDecodeError:
            pass
    if b"\0" in data[:8192]:
        return None, [f"{label} looks like a binary file (it has NUL bytes); policy test reads text"]
    if len(data) > POLICY_TEST_MAX_BYTES:
        data = data[:POLICY_TEST_MAX_BYTES]
        notes.append(f"only the first {POLICY_TEST_MAX_BYTES >> 20} MiB were read")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
        if text.count("\ufffd") > max(16, len(text) // 10):
            return None, [f"{label} looks like a binary file (mostly not UTF-8); policy test reads text"]
        notes.append("not valid UTF-8: the bytes that are not were replaced")
    if len(text) > limit:
        text = text[:limit]
        notes.append(f"only the first {limit:,} characters were read, as a scan would")
    return text, notes


def _policy_test(args: argparse.Namespace, engine: Any) -> int:
    from engine.policy_check import PolicyChecker

    wording, hypothesis, threshold, notes, rewritten = _policy_source(args, engine)
    checker = PolicyChecker(engine.models, context=[p.hypothesis for p in engine.builtin_policies])
    scan_windows = engine.bands.tier2_max_windows
    files, failed = [], 0
    for name in args.files:
        text, file_notes = _read_for_test(name, engine.bands.max_scan_chars)
        if text is None:
            failed += 1
            print(f"tierwall: {file_notes[0]}", file=sys.stderr)
            files.append({"file": name, "error": file_notes[0]})
            continue
        result = checker.check(text, [hypothesis], threshold)
        if not result.complete:
            file_notes.append(f"only the first {len(result.windows)} windows were read")
        if len(result.windows) > scan_windows:
            file_notes.append(f"a scan reads at most {scan_windows} windows of a text")
        files.append({"file": name, **result.to_dict(), "notes": file_notes})
    if args.json:
        print(json.dumps({"policy": wording, "checked_as": [hypothesis], "threshold": threshold,
                          "rewritten": rewritten, "notes": list(notes), "files": files}, indent=2,
                         ensure_ascii=False))  # fmt: skip
        return EXIT_USAGE if failed else 0
    print(f"policy: {wording}")
    _print_checked_as(hypothesis, threshold, notes, rewritten)
    for f in files:
        if "error" in f:
            print(f"\n{f['file']}: not checked: {f['error']}")
            continue
        windows = f["windows"]
        if not windows:
            print(f"\n{f['file']}: empty, nothing to check (does not fire)")
            continue
        top = max(range(len(windows)), key=lambda i: windows[i]["max"])
        verdict = "FIRES" if f["fires"] else "does not fire"
        print(f"\n{f['file']}: {verdict}: highest entailment {f['max']:.1%} in window {top + 1} of {len(windows)} "
              f"(threshold {threshold:.0%})")  # fmt: skip
        for note in f["notes"]:
            print(f"  note: {note}")
        print(f"  {'window':>6s}  {'characters':>15s}  {'entailment':>10s}  excerpt")
        for i, w in enumerate(windows):
            mark = "  <- fires" if w["max"] >= threshold else ""
            span = f"{w['start']}-{w['end']}"
            print(f"  {i + 1:>6d}  {span:>15s}  {w['max']:>10.1%}  {w['excerpt']}{mark}")
    return EXIT_USAGE if failed else 0
