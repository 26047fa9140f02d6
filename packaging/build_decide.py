"""Learn how `decide` combines the model tiers' evidence, and check it source by source.

    python packaging/build_decide.py build/signals/dev.jsonl [more.jsonl ...] [--write]

Tier 2 used to block whenever one built-in hypothesis was entailed at 0.5, whatever tier 1 said: the
NLI model entails nearly every hypothesis on imperative prose (licences, manuals), so the Apache License
was blocked at 99 %. Here the decision for a text that tier 1 did not clear is a small logistic model over
the evidence of every tier that ran: tier 1's head logit, tier 0's rule score and lexical logit, tier 2's
strongest entailment per category, and its mean entailment over all hypotheses, which tells "entails
this one thing" from "entails everything". Its weights and the probability that blocks are written to
assets/bands.toml ([combine]) with --write.

Input: the signals of packaging/signals.py (run it on the same CSVs first). The model is fitted on the
rows that reach it (tier 0 unsure, tier-1 score at or above tier1.allow_below), class-balanced, with L2.
The report is leave-one-source-out: each source's rows are scored by a model fitted without that source
and with its block threshold chosen on the other sources' benign rows (FPR <= 1 %); the figure it
prints for the old rule (grey band, then any hypothesis at 0.5) is computed on the same rows.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))

from learn import balanced_weights, fit_logistic  # noqa: E402

from engine.bands import COMBINE_FEATURES, Bands, combine_features  # noqa: E402
from engine.policies import load_builtin  # noqa: E402

TARGET_FPR = 0.01
FIXED_BLOCK_AT: float | None = None  # --block-at: at least this probability, whatever the budget allows
L2 = 1e-2
EPOCHS = 400


def read_signals(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            row["file"] = path.stem
            rows.append(row)
    return rows


def reaches_combine(row: dict, bands: Bands) -> bool:
    """The rows the combination decides: tier 0 unsure, tier 1 in its grey band, and tier 2 read them."""
    return (row["t0_decision"] == "unsure" and bands.tier1_allow_below <= row["t1_score"] < bands.tier1_block_at
            and "t2" in row)  # fmt: skip


def flagged_elsewhere(row: dict, bands: Bands) -> bool:
    """Not allowed whatever the combination says: tier 0 blocks, secrets or personal data, tier 1's block band."""
    return (row["t0_decision"] == "block" or row["sensitive"]
            or (row["t0_decision"] == "unsure" and row["t1_score"] >= bands.tier1_block_at))  # fmt: skip


def features(rows: list[dict]) -> np.ndarray:
    category_of = {p.id: p.category for p in load_builtin()}
    return np.array([combine_features(r["t1_score"], r["t0_rule_score"], r["lexical"], r["t2"], category_of)
                     for r in rows])  # fmt: skip


# Evidence of an attack only ever raises the probability; the mean entailment only lowers it (given the
# strongest per category, a high mean says "entails everything", the NLI model's failure on imperative prose).
SIGNS = {"mean_entailment": -1}


def fit(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-6
    xs = (x - mean) / std
    sign = np.array([SIGNS.get(name, 1) for name in COMBINE_FEATURES])
    bounds = (np.where(sign > 0, 0.0, -np.inf), np.where(sign > 0, np.inf, 0.0))
    w, b = fit_logistic(x.shape[1], lambda v: xs @ v, lambda g: xs.T @ g, y, balanced_weights(y),
                        l2=L2, epochs=EPOCHS, log=None, bounds=bounds)  # fmt: skip
    # back to raw features: z = (x - mean) / std @ w + b
    raw = w / std
    return raw, float(b - mean @ raw)


def threshold_for_budget(scores: np.ndarray, benign_reaching: np.ndarray, budget: int) -> float:
    """The lowest probability that flags at most `budget` of the benign rows the combination decides."""
    neg = np.sort(scores[benign_reaching])[::-1]
    if budget < 0 or not len(neg):
        return 1.0 - 1e-6 if len(neg) else 0.5
    return float(np.nextafter(neg[budget], 1.0)) if budget < len(neg) else float(neg[-1])


def old_rule(row: dict) -> bool:
    """Flagged by tier 2 before this model: any built-in hypothesis entailed at 0.5."""
    return max(row["t2"].values()) >= 0.5


def group_of(row: dict) -> str:
    source = row["source"] or row["file"]
    if source.startswith("gettext:"):
        return "gettext"
    return re.sub(r"^obf-([a-z0-9]+):.*", r"obf-\1", source)


def report(rows: list[dict], bands: Bands, band_on: set[str]) -> dict[str, object]:
    """End to end (tiers 0-2) per group: the old rule, and the combination fitted and banded without the group."""
    y = np.array([r["label"] for r in rows])
    banding = np.array([r["file"] in band_on for r in rows])
    reach = np.array([reaches_combine(r, bands) for r in rows])
    other = np.array([flagged_elsewhere(r, bands) for r in rows])
    groups = np.array([group_of(r) for r in rows])
    x = np.zeros((len(rows), len(COMBINE_FEATURES)))
    x[reach] = features([r for r, m in zip(rows, reach, strict=True) if m])
    old_flag = other | np.array([bool(m) and old_rule(r) for r, m in zip(rows, reach, strict=True)])
    new_flag = other.copy()
    for g in sorted(set(groups[reach])):
        held = groups == g
        fit_rows = reach & ~held
        if len(set(y[fit_rows])) < 2:
            continue
        w, b, at = fit_and_band(x, y, reach & ~held, other & ~held, banding & ~held)
        scores = 1 / (1 + np.exp(-(x @ w + b)))
        new_flag[held & reach] = scores[held & reach] >= at
    table: dict[str, dict[str, float]] = defaultdict(dict)
    for g in sorted(set(groups)):
        for label in (0, 1):
            m = (groups == g) & (y == label)
            if m.any():
                key = "recall" if label else "fpr"
                table[g][f"{key}_old"] = round(float(old_flag[m].mean()), 3)
                table[g][f"{key}_new"] = round(float(new_flag[m].mean()), 3)
                table[g][f"n{label}"] = int(m.sum())
    totals = {f"{k}_{which}": round(float(flag[y == label].mean()), 4)
              for which, flag in (("old", old_flag), ("new", new_flag))
              for k, label in (("recall", 1), ("fpr", 0))}  # fmt: skip
    return {"rows": len(rows), "rows_reaching": int(reach.sum()), "totals": totals, "per_group": dict(table)}


def fit_and_band(
    x: np.ndarray, y: np.ndarray, reach: np.ndarray, other: np.ndarray, scope: np.ndarray
) -> tuple[np.ndarray, float, float]:
    """Weights fitted on the reaching rows, and the block probability that keeps the FPR over every benign row
    in `scope` (the banding files) at TARGET_FPR; the rows flagged elsewhere use part of that budget."""
    w, b = fit(x[reach], y[reach])
    scores = 1 / (1 + np.exp(-(x @ w + b)))
    benign = scope & (y == 0)
    budget = int(np.floor(TARGET_FPR * benign.sum())) - int((benign & other).sum())
    at = threshold_for_budget(scores, benign & reach & scope, budget)
    return w, b, at if FIXED_BLOCK_AT is None else max(at, FIXED_BLOCK_AT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("signals", nargs="+", type=Path)
    parser.add_argument("--write", action="store_true", help="write the weights fitted on all rows to bands.toml")
    parser.add_argument("--json", type=Path, help="write the leave-one-source-out report here")
    parser.add_argument("--block-at", type=float, help="block at no lower probability than this")
    parser.add_argument(
        "--score",
        nargs="+",
        type=Path,
        metavar="SIGNALS",
        help="signal files scored by the final model and never fitted on (e.g. held-apart sets)",
    )
    parser.add_argument("--band-on", nargs="+", default=["dev"], metavar="NAME",
                        help="signal files (by name, without .jsonl) whose benign rows set the block probability "
                        "(default: dev); the others only help fit the weights")  # fmt: skip
    args = parser.parse_args(argv)
    bands = Bands.load()
    rows = read_signals(args.signals)
    global FIXED_BLOCK_AT
    FIXED_BLOCK_AT = args.block_at
    band_on = set(args.band_on)
    if missing := band_on - {r["file"] for r in rows}:
        parser.error(f"--band-on names no signal file given: {', '.join(sorted(missing))}")
    result = report(rows, bands, band_on)
    print(f"rows the combination decides: {result['rows_reaching']}")
    print("totals (leave-one-source-out for the new rule):", result["totals"])
    print(f"{'group':42} {'n':>5} {'old':>7} {'new':>7}")
    for g, t in sorted(result["per_group"].items()):
        for key, n in (("recall", "n1"), ("fpr", "n0")):
            if n in t:
                print(f"{g[:34] + ' ' + key:42} {t[n]:5d} {t[key + '_old']:7.1%} {t[key + '_new']:7.1%}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")
    y = np.array([r["label"] for r in rows])
    reach = np.array([reaches_combine(r, bands) for r in rows])
    other = np.array([flagged_elsewhere(r, bands) for r in rows])
    x = np.zeros((len(rows), len(COMBINE_FEATURES)))
    x[reach] = features([r for r, m in zip(rows, reach, strict=True) if m])
    w, b, block_at = fit_and_band(x, y, reach, other, np.array([r["file"] in band_on for r in rows]))
    print("weights:", dict(zip(COMBINE_FEATURES, np.round(w, 4).tolist(), strict=True)), "bias", round(b, 4))
    banded = ", ".join(sorted(band_on))
    print(f"block at p >= {block_at:.4f} (FPR <= {TARGET_FPR:.0%} over the benign rows of {banded}, tiers 0-2)")
    for path in args.score or []:
        print(describe_scored(read_signals([path]), w, b, block_at, bands))
    if args.write:
        write_bands(w, b, block_at)
    return 0


def describe_scored(rows: list[dict], w: np.ndarray, b: float, block_at: float, bands: Bands) -> str:
    """End-to-end recall and FPR of a held-apart file under the old rule and the fitted combination, per category."""
    y = np.array([r["label"] for r in rows])
    reach = np.array([reaches_combine(r, bands) for r in rows])
    other = np.array([flagged_elsewhere(r, bands) for r in rows])
    x = np.zeros((len(rows), len(COMBINE_FEATURES)))
    if reach.any():
        x[reach] = features([r for r, m in zip(rows, reach, strict=True) if m])
    old = other | np.array([bool(m) and old_rule(r) for r, m in zip(rows, reach, strict=True)])
    new = other | (reach & (1 / (1 + np.exp(-(x @ w + b))) >= block_at))
    cats = np.array([r["category"] for r in rows])
    lines = [f"{rows[0]['file']}: {len(rows)} rows, {int(reach.sum())} reach the combination"]
    for name, m in [("all", np.ones(len(rows), dtype=bool))] + [(c, cats == c) for c in sorted(set(cats))]:
        parts = []
        for label, key in ((1, "recall"), (0, "fpr")):
            sel = m & (y == label)
            if sel.any():
                parts.append(f"{key} {old[sel].mean():6.1%} -> {new[sel].mean():6.1%} (n={int(sel.sum())})")
        lines.append(f"  {name:22} " + "   ".join(parts))
    return "\n".join(lines)


def write_bands(w: np.ndarray, b: float, block_at: float) -> None:
    """Write the weights with the block line moved to 0.5: the bias absorbs the chosen probability's logit.

    The model is fitted class-balanced and its block line chosen by FPR, so its raw probability means
    little to a reader ("blocked, 10 % likely an attack"). Shifted, every decision stays the same and the
    combined figure a verdict shows reads on the scale its decision uses: at or above 50 % blocks.
    """
    path = ROOT / "assets" / "bands.toml"
    text = path.read_text(encoding="utf-8")
    weights = ", ".join(f"{v:.4f}" for v in w)
    shifted = b - float(np.log(block_at / (1 - block_at)))
    text = re.sub(r"(?m)^weights = \[.*\]$", f"weights = [{weights}]", text)
    text = re.sub(r"(?m)^bias = .*$", f"bias = {shifted:.4f}", text)
    text = re.sub(r"(?m)^block_at_probability = .*$", "block_at_probability = 0.5", text)
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
