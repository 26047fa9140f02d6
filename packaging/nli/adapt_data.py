#!/usr/bin/env python3
"""Stage-2 data for the tier-2 cross-encoder: our task as NLI pairs, mixed with general NLI pairs.

Development tool only. From the TRAINING split of the eval data (never dev): every attack row is a
premise that entails its category's hypotheses (assets/policies/*.toml); benign rows do not entail them
(labelled neutral; the hard benign rows, texts about attacks, with --hard-hypotheses hypotheses, the
others with one). With --windows N, a benign row is cut into the windows tier 2 reads
(engine/tiers/nli.py) and N of them, at random, are negative premises; without it (the shipped
model's recipe) the whole row is the premise. The same number of
general NLI pairs (from prepare_data.py's train.jsonl) are mixed in, so the model stays a general
validator for the user's own policies. Writes to build/nli/adapt (ignored by git):

* train.jsonl, valid.jsonl (5 % of the eval rows, by row, plus the NLI valid split);
* test_snli.jsonl, test_breaking_nli.jsonl: copies of stage 1's evaluation files.

Run from the repository root with the models venv:  python packaging/nli/adapt_data.py
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from engine.assets import assets_dir  # noqa: E402
from engine.policies import load_builtin  # noqa: E402
from engine.tiers.embedding import load_tokenizer  # noqa: E402
from engine.tiers.nli import premise_windows  # noqa: E402

SEED = 29
VALID_SHARE = 0.05
HARD = {"benign_hard"}  # benign rows that look like attacks: the ones that cost false positives
MAX_LEN = 128  # the model's input: [CLS] premise [SEP] hypothesis [SEP]
MAX_WINDOWS = 8  # as bands.toml [tier2] max_windows


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def task_pairs(rows: list[dict], by_category: dict[str, list[str]], rng: random.Random, *, hard_hypotheses: int,
               windows: int = 0, tokenizer=None) -> list[dict]:  # fmt: skip
    every = [h for hs in by_category.values() for h in hs]
    body = MAX_LEN - 3 - max(len(tokenizer.encode(h).ids) for h in every) if windows else 0
    out = []
    for row in rows:
        text = row["text"]
        if row["label"] == "1":
            hypotheses = by_category.get(row["category"]) or every
            # the common category (injection) gets one of its hypotheses, the rare ones all of theirs
            chosen = [rng.choice(hypotheses)] if len(hypotheses) > 2 else hypotheses
            out += [{"premise": text, "hypothesis": h, "label": "entailment", "source": "task"} for h in chosen]
            continue
        count = hard_hypotheses if row["category"] in HARD else 1
        premises = [text]
        if windows:
            spans = premise_windows(text, tokenizer, body=body, max_windows=MAX_WINDOWS).spans  # as tier 2 reads it
            pieces = [text[a:b] for a, b in spans]
            premises = rng.sample(pieces, min(len(pieces), windows))
        for premise in premises:
            out += [{"premise": premise, "hypothesis": h, "label": "neutral", "source": "task"}
                    for h in rng.sample(every, count)]  # fmt: skip
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", type=Path, default=REPO.parent / "shared" / "eval" / "train.csv")
    ap.add_argument("--nli", type=Path, default=REPO / "build" / "nli", help="prepare_data.py's output")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "nli" / "adapt")
    ap.add_argument("--nli-ratio", type=float, default=1.0, help="general NLI pairs per task pair")
    ap.add_argument("--hard-hypotheses", type=int, default=2, help="hypotheses per hard benign premise")
    ap.add_argument("--windows", type=int, default=0, help="benign rows: N random premise windows (0: whole row)")
    args = ap.parse_args()
    if "train" not in args.train.name:
        ap.error("refusing to build from a file that is not the training split")
    rng = random.Random(SEED)
    tokenizer = load_tokenizer(assets_dir() / "models") if args.windows else None
    options = {"hard_hypotheses": args.hard_hypotheses, "windows": args.windows, "tokenizer": tokenizer}
    by_category: dict[str, list[str]] = {}
    for policy in load_builtin():
        by_category.setdefault(policy.category, []).append(policy.hypothesis)

    with args.train.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    rng.shuffle(rows)
    cut = int(len(rows) * VALID_SHARE)
    valid_task = task_pairs(rows[:cut], by_category, rng, **options)
    train_task = task_pairs(rows[cut:], by_category, rng, **options)
    nli_train = read_jsonl(args.nli / "train.jsonl")
    nli_valid = read_jsonl(args.nli / "valid.jsonl")
    train = train_task + rng.sample(nli_train, min(len(nli_train), int(len(train_task) * args.nli_ratio)))
    valid = valid_task + nli_valid
    rng.shuffle(train)

    args.out.mkdir(parents=True, exist_ok=True)
    for name, data in (("train.jsonl", train), ("valid.jsonl", valid)):
        with (args.out / name).open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in data)
    for name in ("test_snli.jsonl", "test_breaking_nli.jsonl"):
        shutil.copyfile(args.nli / name, args.out / name)
    stats = {
        "train": len(train), "valid": len(valid),
        "train_labels": Counter(("task:" if r["source"] == "task" else "nli:") + r["label"] for r in train),
        "valid_task": len(valid_task), "hard_hypotheses": args.hard_hypotheses, "windows": args.windows,
        "source": f"{args.train.name} (training split) + {args.nli}/train.jsonl",
    }  # fmt: skip
    (args.out / "stats.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
    print(json.dumps(stats, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
