"""The `tierwall` command: argument parsing and printing only.

Exit codes of `scan`: 0 allow, 1 warn, 2 block, 3 bad usage or unreadable
input, 4 internal error. Other commands: 0 success, 3 bad usage/input, 4 internal error.
Every command: 141 (128 + SIGPIPE, as a Unix tool killed by a closed pipe) when
whoever reads its output stops early (`tierwall … | head -1`), with nothing said.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from engine.errors import TierwallError
from engine.host.protocol import HOST_SUBCOMMAND
from engine.models import ModelUnavailable

if TYPE_CHECKING:
    from engine.verdict import Verdict

EXIT = {"allow": 0, "warn": 1, "block": 2}
EXIT_USAGE = 3
EXIT_INTERNAL = 4
EXIT_NOT_REDACTED = 5  # --redact: the text could not be masked completely, and nothing was printed
EXIT_PIPE = 141  # 128 + SIGPIPE: what a shell reports for `yes | head -1`'s yes
HISTORY_LIMIT = 20  # entries `tierwall history` lists unless told otherwise


class UsageError(TierwallError):
    """Bad arguments or unreadable input (exit 3)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _tier(value: str) -> int:
    if value not in ("0", "1", "2"):
        raise argparse.ArgumentTypeError("must be 0, 1 or 2")
    return int(value)


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n <= 0:
        raise argparse.ArgumentTypeError("must be a positive whole number")
    return n


def _words(value: str) -> list[str]:
    """A comma list as its non-empty items."""
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise argparse.ArgumentTypeError("give at least one value")
    return items


def _decisions(value: str) -> list[str]:
    items = _words(value)
    bad = [d for d in items if d not in EXIT]
    if bad:
        raise argparse.ArgumentTypeError(f"{', '.join(bad)}: a decision is allow, warn or block")
    return items


def build_parser() -> argparse.ArgumentParser:
    from engine.evaluate import NLI_LAYOUTS

    parser = _Parser(prog="tierwall", description="Local, offline LLM prompt firewall.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    scan = sub.add_parser("scan", help="scan one text", description="Scan a file, standard input (-) or --text.")
    scan.add_argument("file", nargs="?", help="file to scan, or - for standard input")
    scan.add_argument("--text", help="scan this text instead of a file")
    scan.add_argument("--json", action="store_true", help="print the verdict as JSON")
    scan.add_argument("--max-tier", type=_tier, default=2, help="highest tier that may judge (0-2)")
    scan.add_argument("--always-escalate", action="store_true", help="send the text to the model tiers")
    scan.add_argument("--redact", action="store_true", help="print the text with secrets and personal data masked")
    scan.add_argument("--policy-always", action="store_true", help="check your own policies even if tier 0 decides")

    ev = sub.add_parser("eval", help="measure detection on labelled CSV data")
    ev.add_argument("data", help="CSV with columns text,label[,category,source]")
    ev.add_argument("--json", action="store_true", help="print the metrics as JSON")
    ev.add_argument("--max-tier", type=_tier, default=2)
    ev.add_argument("--limit", type=_positive, help="only the first N rows")
    ev.add_argument("--errors", help="write the misclassified rows to this CSV file")

    models = sub.add_parser("models", help="list the model files, their state and licence; nli-eval FILE.jsonl")
    models.add_argument("action", nargs="?", choices=["nli-eval"], help="nli-eval: NLI accuracy on JSON lines")
    models.add_argument("file", nargs="?", help=f"for nli-eval: JSON lines, each {NLI_LAYOUTS}; gzip (.gz) is read too")
    models.add_argument("--verify", action="store_true", help="check every file's size and sha256 now")
    models.add_argument("--limit", type=_positive, help="nli-eval: only the first N rows")
    models.add_argument("--json", action="store_true")

    verify = sub.add_parser("verify", help="check every asset and model file against its manifest (sha256)")
    verify.add_argument("--json", action="store_true", help="one JSON object: ok, files checked, problems")
    nli = sub.add_parser("nli", help="entailment, neutral and contradiction probabilities of one pair")
    nli.add_argument("premise")
    nli.add_argument("hypothesis")
    nli.add_argument("--json", action="store_true")

    history = sub.add_parser(
        "history", help="list the desktop app's scan history (redacted excerpts), or --purge it",
        description="List what the desktop app scanned and decided, newest first: time, decision, deciding tier, "
                    "source, categories and a redacted excerpt (the raw text is never stored).",
    )  # fmt: skip
    history.add_argument("--limit", type=_positive, default=HISTORY_LIMIT,
                         help=f"show the newest N entries (default {HISTORY_LIMIT})")  # fmt: skip
    history.add_argument(
        "--decision",
        type=_decisions,
        action="extend",
        default=[],
        metavar="D[,D…]",
        help="only allow, warn or block; repeat or give a comma list (--decision warn,block)",
    )
    history.add_argument(
        "--source",
        type=_words,
        action="extend",
        default=[],
        metavar="S[,S…]",
        help="only scans from this source: clipboard, manual or typing; repeat or comma list",
    )
    history.add_argument("--json", action="store_true", help="print the entries as JSON")
    history.add_argument("--purge", action="store_true", help="delete the history database")

    policy = sub.add_parser("policy", help="your own natural-language policies, checked by tier 2")
    psub = policy.add_subparsers(dest="policy_command", required=True, parser_class=_Parser)
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

    bench = sub.add_parser("bench", help="measure memory and speed in a fresh process")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--adversarial", action="store_true", help="also time 1 MB hostile inputs")
    bench.add_argument("--threads", type=_positive, default=1, help="CPU threads for the models (default 1)")
    bench.add_argument("--soak", type=_positive, metavar="N",
                       help="instead: N scans in one process (every 100th through every tier, the models unloaded "
                            "every 2,000) and whether RSS, descriptors or threads creep; exit 1 if they do")
    bench.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == [HOST_SUBCOMMAND]:  # the model host, started by the engine of another tierwall process
        from engine.host.server import main as serve

        return serve(words[1:])
    args = build_parser().parse_args(words)
    commands = {"scan": _cmd_scan, "eval": _cmd_eval, "bench": _cmd_bench, "models": _cmd_models, "nli": _cmd_nli,
                "policy": _cmd_policy, "history": _cmd_history, "verify": _cmd_verify}  # fmt: skip
    try:
        code = commands[args.command](args)
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


def _silence_stdout() -> None:
    """Point stdout at devnull, so what is still buffered for the closed pipe goes nowhere instead of
    raising again when the interpreter flushes it on exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (a test's capture): nothing will flush to a pipe
        pass


# -- scan -------------------------------------------------------------------
def _read_input(args: argparse.Namespace, limit_chars: int) -> bytes | str:
    """The text to scan: --text, a file or standard input, read only as far as the engine scans (and a little
    more, so that it reports the rest as not scanned); /dev/zero or a 100 GB file cost what 4 MiB do."""
    if args.text is not None and args.file is not None:
        raise UsageError("give a FILE, '-' or --text, not both")
    if args.text is not None:
        return args.text
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


def _read_bounded(stream: Any, limit_chars: int, name: str) -> bytes:
    """At most 4 bytes per scanned character and one character more: enough that a longer input reaches the
    engine longer than its limit (it then says "not fully scanned"), however its characters are encoded."""
    cap = 4 * (limit_chars + 1)
    data = stream.read(cap)
    if len(data) == cap and stream.read(1):
        lead = len(data) - 1  # do not cut a character in two: find where the last one starts
        while lead > len(data) - 4 and (data[lead] & 0xC0) == 0x80:
            lead -= 1
        if data[lead] >= 0xC0 and len(data) - lead < (2 if data[lead] < 0xE0 else 3 if data[lead] < 0xF0 else 4):
            data = data[:lead]
        print(f"tierwall: {name} is longer than the {cap:,} bytes read; the rest was not scanned", file=sys.stderr)
    return data


def _cmd_scan(args: argparse.Namespace) -> int:
    from engine import Engine
    from engine.decide import Bands

    data = _read_input(args, Bands.load().max_scan_chars)

    verdict = Engine(policy_always=args.policy_always).scan(
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


# -- eval -------------------------------------------------------------------
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


# -- bench ------------------------------------------------------------------
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


# -- verify -----------------------------------------------------------------
def _cmd_verify(args: argparse.Namespace) -> int:
    """Every asset file against assets/SHA256SUMS and every model file against the models' manifest: 0 if all
    match, 1 (with one line per file that does not) otherwise."""
    from engine.assets import assets_dir
    from engine.inference import model_specs
    from engine.integrity import MANIFEST, listed_files, problems
    from engine.models import verify_files

    root = assets_dir()
    found = problems(root)
    try:
        checked = len(listed_files(root))
    except TierwallError:
        checked = 0
    models = 0
    for spec in model_specs(root / "models"):
        if not spec.files:
            found.append(f"model {spec.name}: not listed in {root / 'models' / 'manifest.json'}")
        found += verify_files(spec, root / "models")
        models += len(spec.files)
    if args.json:
        print(json.dumps({"ok": not found, "asset_files": checked, "model_files": models, "problems": found}))
    else:
        for line in found:
            print(line)
        what = f"{checked} asset files ({MANIFEST}) and {models} model files (models/manifest.json)"
        print(f"all {what} match" if not found else f"{len(found)} problem(s) in {what}")
    return 0 if not found else 1


# -- models -----------------------------------------------------------------
def _cmd_models(args: argparse.Namespace) -> int:
    """Exit 0 if every model is listed and (with --verify) intact, else 1; `models nli-eval` measures the NLI."""
    if args.action == "nli-eval":
        return _cmd_nli_eval(args)
    from engine import Engine
    from engine.models import verify_files
    from engine.report import describe_models

    engine = Engine()
    snapshot = engine.models.snapshot()
    rows = []
    for info in snapshot.models:
        spec = engine.models.spec(info.name)
        problems = verify_files(spec, engine.models.root) if args.verify else []
        if not spec.files:
            status = "not in manifest"
        elif args.verify:
            status = "ok" if not problems else "; ".join(problems)
        else:
            status = "not checked (use --verify)"
        rows.append({
            "name": info.name, "tier": info.tier, "state": info.state, "licence": spec.licence,
            "source": spec.source, "sha256": status,
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in spec.files],
        })  # fmt: skip
    if args.json:
        print(json.dumps({"models": rows}, indent=2))
    else:
        sys.stdout.write(describe_models(rows))
    bad = any(r["sha256"] not in ("ok", "not checked (use --verify)") for r in rows)
    return 1 if bad else 0


# -- tier 2: nli, models nli-eval, policy ----------------------------------------
@contextmanager
def _nli_pair(engine: Any) -> Iterator[Callable[[str, str], dict[str, float]]]:
    """The tier-2 model as a function (premise, hypothesis) -> probabilities, while it is held."""
    from engine.tiers.embedding import TOKENIZER_MODEL
    from engine.tiers.tier2 import NLI_MODEL

    with engine.models.use(TOKENIZER_MODEL) as tokenizer, engine.models.use(NLI_MODEL) as model:
        yield lambda premise, hypothesis: model.pair(premise, hypothesis, tokenizer)


def _cmd_nli(args: argparse.Namespace) -> int:
    from engine import Engine

    with _nli_pair(Engine()) as pair:
        probs = pair(args.premise, args.hypothesis)
    if args.json:
        print(json.dumps({k: round(v, 4) for k, v in probs.items()}))
    else:
        for label, p in probs.items():
            print(f"{label:13s} {p:6.1%}")
    return 0


def _cmd_nli_eval(args: argparse.Namespace) -> int:
    from engine import Engine
    from engine.evaluate import NLI_LAYOUTS, nli_accuracy, read_nli_jsonl

    if not args.file:
        raise UsageError(f"nli-eval needs a FILE.jsonl[.gz]: JSON lines, each {NLI_LAYOUTS}")
    try:
        rows = read_nli_jsonl(Path(args.file), args.limit)
    except OSError as exc:
        raise UsageError(f"cannot read {args.file}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not rows:
        raise UsageError(f"{args.file}: no labelled pairs")
    with _nli_pair(Engine()) as pair:
        result = nli_accuracy(rows, pair)
    if args.json:
        print(json.dumps({"n": result["n"], "accuracy": result["accuracy"], "confusion": result["confusion"]}))
    else:
        print(f"{result['n']} pairs, accuracy {result['accuracy']:.2%}")
    return 0


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


def _cmd_history(args: argparse.Namespace) -> int:
    from engine.paths import HISTORY_FILE, data_dir

    base = data_dir() / HISTORY_FILE
    if not args.purge:
        return _list_history(args, base)
    if args.decision or args.source or args.json or args.limit != HISTORY_LIMIT:
        raise UsageError("history --purge deletes the whole history and takes no other option")
    removed = []
    for path in (base, base.with_name(base.name + "-wal"), base.with_name(base.name + "-shm")):
        try:
            path.unlink()
            removed.append(path.name)
        except FileNotFoundError:
            pass
    print(f"removed {', '.join(removed)} from {base.parent}" if removed else f"no history in {base.parent}")
    return 0


def _list_history(args: argparse.Namespace, path: Path) -> int:
    from engine.history import HistoryError, read_history
    from engine.report import describe_history, history_entry

    if not path.exists():
        message = f"no history yet: {path} does not exist (the desktop app, tierwall-tray, records its scans there)"
        if args.json:
            print(json.dumps({"file": str(path), "recorded": 0, "entries": []}, indent=2))
        print(message, file=sys.stderr if args.json else sys.stdout)
        return 0
    try:
        rows, recorded, sources = read_history(path, decisions=args.decision, sources=args.source, limit=args.limit)
    except HistoryError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps({"file": str(path), "recorded": recorded, "entries": [history_entry(r) for r in rows]},
                         indent=2, ensure_ascii=False))  # fmt: skip
    else:
        sys.stdout.write(
            describe_history(rows, recorded, sources, limit=args.limit, filtered=bool(args.decision or args.source))
        )
    return 0
