"""`tierwall models`, `verify` and `nli`: the model files with their state, licence and checksums; every shipped
file checked against its manifest; and the tier-2 NLI model asked directly, for one pair (`nli`) or over a labelled
file (`models nli-eval`)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from engine.cli.common import UsageError, positive
from engine.errors import TierwallError


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`models`, `verify` and `nli`, in the order the help lists them."""
    from engine.evaluate import NLI_LAYOUTS

    models = sub.add_parser("models", help="list the model files, their state and licence; nli-eval FILE.jsonl")
    models.add_argument("action", nargs="?", choices=["nli-eval"], help="nli-eval: NLI accuracy on JSON lines")
    models.add_argument("file", nargs="?", help=f"for nli-eval: JSON lines, each {NLI_LAYOUTS}; gzip (.gz) is read too")
    models.add_argument("--verify", action="store_true", help="check every file's size and sha256 now")
    models.add_argument("--limit", type=positive, help="nli-eval: only the first N rows")
    models.add_argument("--json", action="store_true")
    models.set_defaults(handler=_cmd_models)

    verify = sub.add_parser("verify", help="check every asset and model file against its manifest (sha256)")
    verify.add_argument("--json", action="store_true", help="one JSON object: ok, files checked, problems")
    verify.set_defaults(handler=_cmd_verify)
    nli = sub.add_parser("nli", help="entailment, neutral and contradiction probabilities of one pair")
    nli.add_argument("premise")
    nli.add_argument("hypothesis")
    nli.add_argument("--json", action="store_true")
    nli.set_defaults(handler=_cmd_nli)


# -- verify -----------------------------------------------------------------
def verify_all(root: Path) -> tuple[list[str], int, int]:
    """Every asset file below `root` against its SHA256SUMS and every model file against the models' manifest:
    (one line per file that differs, asset files checked, model files checked)."""
    from engine.inference import model_specs
    from engine.integrity import listed_files, problems
    from engine.models import verify_files

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
    return found, checked, models


def _cmd_verify(args: argparse.Namespace) -> int:
    """Every asset file against assets/SHA256SUMS and every model file against the models' manifest: 0 if all
    match, 1 (with one line per file that does not) otherwise."""
    from engine.assets import assets_dir
    from engine.integrity import MANIFEST

    found, checked, models = verify_all(assets_dir())
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


# -- tier 2: nli, models nli-eval ---------------------------------------------
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
