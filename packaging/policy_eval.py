"""Score Tierwall's policy test set (data/policies/policies.toml): how often a user policy is right.

Every policy in the set has texts that must fire it and texts that must not. Each text is checked
the way a scan checks a user policy (engine.policy_check: the same normalised view, premise windows
and NLI model as tier 2; fires when a window's entailment reaches the policy's threshold), and the
score is the share of those texts judged right, for the tuning half and the held half apart. The
halves are fixed by a rule on the policy id (`half`), so no one chooses which policy lands where.
The rewriting rules and the threshold in engine/policies.py were designed on the tuning half only.

    .venv/bin/python packaging/policy_eval.py              # rewritten policies (what `policy add` stores)
    .venv/bin/python packaging/policy_eval.py --as-typed   # the policies checked exactly as typed, at 0.5
    .venv/bin/python packaging/policy_eval.py --half held --json

It also reports how often the policies fire on data/policies/everyday.txt, ordinary texts that
none of them is about. Loads the tier-2 model once; the whole set takes a few seconds on one core.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SET = ROOT / "data" / "policies" / "policies.toml"
EVERYDAY = ROOT / "data" / "policies" / "everyday.txt"
HALVES = ("tune", "held")


@dataclass(frozen=True)
class SetPolicy:
    id: str
    policy: str  # as a user would type it
    must_fire: tuple[str, ...]
    must_not_fire: tuple[str, ...]

    @property
    def half(self) -> str:
        return half(self.id)


def half(policy_id: str) -> str:
    """'held' if the SHA-256 of the id is odd, else 'tune': fixed, and blind to what the policy says."""
    return "held" if int(hashlib.sha256(policy_id.encode("utf-8")).hexdigest(), 16) % 2 else "tune"


def load_set(path: Path = SET) -> list[SetPolicy]:
    """The policies of the test set, checked: unique ids, a policy sentence, >= 4 texts each way."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: list[SetPolicy] = []
    for i, raw in enumerate(data.get("policy", [])):
        where = f"{path}: policy #{i + 1}"
        try:
            item = SetPolicy(str(raw["id"]), str(raw["policy"]), tuple(raw["must_fire"]), tuple(raw["must_not_fire"]))
        except KeyError as exc:
            raise ValueError(f"{where}: no {exc.args[0]}") from None
        if any(p.id == item.id for p in out):
            raise ValueError(f"{where}: id {item.id!r} is used twice")
        if len(item.must_fire) < 4 or len(item.must_not_fire) < 4:
            raise ValueError(f"{where} ({item.id}): needs at least 4 texts that must fire and 4 that must not")
        if not all(isinstance(t, str) and t.strip() for t in (*item.must_fire, *item.must_not_fire)):
            raise ValueError(f"{where} ({item.id}): every example must be a non-empty string")
        out.append(item)
    return out


def read_everyday(path: Path = EVERYDAY) -> list[str]:
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def checked_as(policy: str, as_typed: bool, threshold: float | None) -> tuple[str, float]:
    """(hypothesis, threshold) a policy is checked with: as `policy add` stores it, or exactly as typed."""
    from engine.policies import AS_WRITTEN_THRESHOLD, rewrite

    if as_typed:
        hypothesis, t = " ".join(policy.split()), AS_WRITTEN_THRESHOLD
    else:
        r = rewrite(policy)
        hypothesis, t = r.hypothesis, r.threshold
    return hypothesis, (t if threshold is None else threshold)


def measure(policies: list[SetPolicy], checker, *, as_typed: bool = False, everyday: list[str] = ()) -> list[dict]:
    """Per policy: what it is checked as, and the entailment of each example and each everyday text."""
    rows = []
    for p in policies:
        hypothesis, t = checked_as(p.policy, as_typed, None)
        examples = [
            {"text": text, "must_fire": should, "entailment": round(checker.check(text, [hypothesis], t).best, 4)}
            for should, texts in ((True, p.must_fire), (False, p.must_not_fire))
            for text in texts
        ]
        quiet = [round(checker.check(text, [hypothesis], t).best, 4) for text in everyday]
        rows.append({"id": p.id, "half": p.half, "policy": p.policy, "checked_as": hypothesis, "threshold": t,
                     "examples": examples, "everyday": quiet})  # fmt: skip
    return rows


def evaluate(policies: list[SetPolicy], checker, *, as_typed: bool = False, threshold: float | None = None,
             everyday: list[str] = ()) -> dict:  # fmt: skip
    """Per policy: what it is checked as, each example's entailment and whether it was judged right."""
    return score(measure(policies, checker, as_typed=as_typed, everyday=everyday), as_typed, threshold)


def score(measured: list[dict], as_typed: bool, threshold: float | None = None) -> dict:
    """Accuracy per half of measured entailments, at each policy's threshold or at `threshold`."""
    rows = []
    for m in measured:
        t = m["threshold"] if threshold is None else threshold
        examples = [{**e, "right": (e["entailment"] >= t) == e["must_fire"]} for e in m["examples"]]
        rows.append({**m, "threshold": t, "examples": examples, "right": sum(e["right"] for e in examples),
                     "n": len(examples), "everyday_fired": sum(p >= t for p in m["everyday"])})  # fmt: skip
    everyday = bool(measured) and bool(measured[0]["everyday"])

    def rate(part: list[dict]) -> float | None:
        return (
            round(sum(r["everyday_fired"] for r in part) / sum(len(r["everyday"]) for r in part), 4)
            if everyday
            else None
        )

    summary = {}
    for name in HALVES:
        part = [r for r in rows if r["half"] == name]
        if not part:
            continue
        right = sum(r["right"] for r in part)
        n = sum(r["n"] for r in part)
        fire = [e for r in part for e in r["examples"] if e["must_fire"]]
        quiet = [e for r in part for e in r["examples"] if not e["must_fire"]]
        summary[name] = {
            "policies": len(part), "examples": n, "accuracy": round(right / n, 4),
            "must_fire_right": round(sum(e["right"] for e in fire) / len(fire), 4),
            "must_not_fire_right": round(sum(e["right"] for e in quiet) / len(quiet), 4),
            "everyday_fire_rate": rate(part),
        }  # fmt: skip
    return {"as_typed": as_typed, "summary": summary, "policies": rows}


def _print(result: dict, out=sys.stdout) -> None:
    mode = "as typed, threshold 0.5" if result["as_typed"] else "rewritten (engine.policies.rewrite)"
    print(f"policy test set, checked {mode}", file=out)
    for name, s in result["summary"].items():
        everyday = (
            "" if s["everyday_fire_rate"] is None else f"; fires on {s['everyday_fire_rate']:.1%} of everyday texts"
        )
        print(f"  {name}: {s['accuracy']:.1%} of {s['examples']} examples right ({s['policies']} policies; "
              f"must fire {s['must_fire_right']:.1%}, must not fire {s['must_not_fire_right']:.1%}{everyday})",
              file=out)  # fmt: skip
    for name in result["summary"]:
        print(f"\nmisses, {name} half:", file=out)
        for r in (r for r in result["policies"] if r["half"] == name):
            misses = [e for e in r["examples"] if not e["right"]]
            print(f"  {r['id']}: {r['right']}/{r['n']}  {r['policy']!r} checked as {r['checked_as']!r} "
                  f"at {r['threshold']:.2f}", file=out)  # fmt: skip
            for e in misses:
                kind = "should fire" if e["must_fire"] else "should not fire"
                text = " ".join(e["text"].split())
                print(f"      {kind:15s} {e['entailment']:5.2f}  {text[:90]}", file=out)


def _thresholds(value: str) -> list[float]:
    try:
        out = [float(v) for v in value.split(",") if v.strip()]
    except ValueError:
        out = []
    if not out or not all(0 < t < 1 for t in out):
        raise argparse.ArgumentTypeError("thresholds are numbers in (0, 1), comma-separated")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", type=Path, default=SET, help="the test set (TOML)")
    ap.add_argument("--half", choices=[*HALVES, "both"], default="both")
    ap.add_argument("--as-typed", action="store_true", help="check each policy exactly as typed at 0.5 (before)")
    ap.add_argument("--threshold", type=float, help="use this threshold for every policy instead")
    ap.add_argument("--sweep", type=_thresholds, metavar="T[,T…]",
                    help="print accuracy and everyday fire rate per half at each of these thresholds")  # fmt: skip
    ap.add_argument("--everyday", type=Path, default=EVERYDAY, help="ordinary texts no policy is about")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from engine import Engine
    from engine.policy_check import PolicyChecker

    policies = [p for p in load_set(args.set) if args.half in ("both", p.half)]
    engine = Engine()
    checker = PolicyChecker(engine.models, context=[p.hypothesis for p in engine.builtin_policies])
    everyday = read_everyday(args.everyday) if args.everyday else []
    measured = measure(policies, checker, as_typed=args.as_typed, everyday=everyday)
    if args.sweep:
        sweep = {str(t): score(measured, args.as_typed, t)["summary"] for t in args.sweep}
        if args.json:
            print(json.dumps(sweep, indent=1))
            return 0
        for t, summary in sweep.items():
            cells = [f"{name} {s['accuracy']:.1%}" + ("" if s["everyday_fire_rate"] is None else
                     f" (everyday {s['everyday_fire_rate']:.1%})") for name, s in summary.items()]  # fmt: skip
            print(f"threshold {float(t):.2f}: " + ", ".join(cells))
        return 0
    result = score(measured, args.as_typed, args.threshold)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        _print(result)
    return 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BrokenPipeError:  # a reader that stopped early (| head): end quietly, as the tierwall command does
        sys.stdout = None
        raise SystemExit(141) from None
