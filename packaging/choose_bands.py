"""Print the trade-offs that tier-1 bands make on a labelled split (use dev.csv, never held-out).

    python packaging/choose_bands.py ../shared/eval/dev.csv

Tier 0 runs as shipped; for each text it is unsure of, tier 1's score is kept;
then every (allow_below, block_at) pair on a grid is scored as the whole
pipeline would be: recall, false-positive rate, and the share of all rows left
in the grey band (for tier 2). The bands themselves are edited by hand in
assets/bands.toml, with the reason, after reading this table.

With --tier2, the texts tier 1 scores at or above the lowest allow_below are
also read by tier 2 (the built-in policies); the table then scores the whole
three-tier pipeline for each (allow_below, block_at, entailment threshold):
grey texts are attacks if a policy's entailment reaches the threshold.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import Engine, EngineConfig  # noqa: E402
from engine.evaluate import read_dataset  # noqa: E402
from engine.normalize import normalize  # noqa: E402
from engine.tiers.reading import checked  # noqa: E402
from engine.tiers.tier2 import Tier2  # noqa: E402
from engine.verdict import SENSITIVE_CATEGORIES  # noqa: E402

ALLOW_BELOW = (0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.9)
BLOCK_AT = (0.9, 0.95, 0.98, 0.99)


def _band_grid(unsure, s):
    """Every (allow_below, block_at) pair on the grid, with the texts it leaves in the grey band."""
    for lo in ALLOW_BELOW:
        for hi in BLOCK_AT:
            if hi > lo:
                yield lo, hi, unsure & (s >= lo) & (s < hi)


def _three_tiers(y, forced, unsure, s, t2, hard, t0) -> None:
    print("allow_below block_at threshold   recall    FPR  FPR(hard)  to tier 2")
    for lo, hi, grey in _band_grid(unsure, s):
        for thr in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
            positive = forced | (t0 == "block") | (unsure & (s >= hi)) | (grey & (t2 >= thr))
            print(f"{lo:11.2f} {hi:8.2f} {thr:9.2f} {positive[y == 1].mean():8.2%} {positive[y == 0].mean():6.2%} "
                  f"{positive[(y == 0) & hard].mean():9.2%} {grey.mean():10.2%}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--tier2", action="store_true", help="also score tier 2 on the grey band")
    parser.add_argument("--dump", type=Path, help="save the per-row scores (npz) for a closer look")
    args = parser.parse_args()
    rows = read_dataset(args.data)
    engine = Engine(EngineConfig(idle_timeout_s=None))
    builtin_only = Tier2(engine.models, engine.bands, lambda: engine.builtin_policies)
    y, t0, t1_any, sensitive, t2, hard, t0_score, lexical = [], [], [], [], [], [], [], []
    lowest = min(ALLOW_BELOW)
    for row in rows:
        norm = normalize(row.text[: engine.bands.max_scan_chars])
        r0 = engine.tier0.read(norm)
        score = np.nan  # NaN never falls in a band
        if r0.opinion == "unsure" or args.dump:  # the dump has tier 1's score of every text, for tier 0's bands
            score = checked(engine.tier1.read(norm, [r0])).score
        entail = np.nan
        if args.tier2 and lowest <= score < max(BLOCK_AT):
            entail = checked(builtin_only.read(norm, [r0])).score
        t2.append(entail)
        hard.append(row.category == "benign_hard")
        y.append(row.label)
        t0.append(r0.opinion)
        t1_any.append(score)
        t0_score.append(r0.score)
        lexical.append(r0.lexical)
        sensitive.append(any(f.category in SENSITIVE_CATEGORIES for f in r0.findings))
    y_arr, t0_arr = np.array(y), np.array(t0)
    unsure = t0_arr == "unsure"
    s = np.where(unsure, np.array(t1_any), np.nan)  # tier 1's score where tier 0 escalates, as shipped
    forced = np.array(sensitive) | (t0_arr == "block")  # positive whatever tier 1 says
    print(f"{len(rows)} rows; tier 0 unsure on {unsure.mean():.1%}; attacks allowed by tier 0 "
          f"{np.mean(t0_arr[y_arr == 1] == 'allow'):.2%}")  # fmt: skip
    if args.dump:
        np.savez(args.dump, y=y_arr, t0=t0_arr, t1=s, t2=np.array(t2), hard=np.array(hard), forced=forced,
                 category=np.array([r.category for r in rows]), t1_any=np.array(t1_any), t0_score=np.array(t0_score),
                 lexical=np.array(lexical))  # fmt: skip
    if args.tier2:
        _three_tiers(y_arr, forced, unsure, s, np.array(t2), np.array(hard), t0_arr)
        return 0
    print("allow_below block_at   recall    FPR   grey(all rows)  benign blocked")
    for lo, hi, grey in _band_grid(unsure, s):
        block = (t0_arr == "block") | (unsure & (s >= hi))
        positive = forced | grey | block
        recall = positive[y_arr == 1].mean()
        fpr = positive[y_arr == 0].mean()
        print(f"{lo:11.2f} {hi:8.2f} {recall:8.2%} {fpr:6.2%} {grey.mean():14.2%} "
              f"{block[y_arr == 0].mean():14.2%}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
