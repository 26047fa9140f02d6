#!/usr/bin/env python3
"""Stage-2 data for the tier-2 cross-encoder: our task as NLI pairs, mixed with general NLI pairs.

Development tool only. From the project's TRAINING files (packaging/training_data.py's DEFAULT_TRAIN:
../shared/eval/train.csv, data/overdefense/train.csv, data/attacks/train.csv; never a dev or test file):

* every attack row is a premise (the whole row) that entails its category's hypotheses
  (assets/policies/*.toml): the common category, injection, one of its three at random, the rare ones all
  of theirs;
* every benign row of an over-defense kind (any category that is not benign / benign_hard / benign_code /
  benign_nonenglish: licences, terms of service, manuals, README installs, recipes, fiction and role-play,
  security education, e-mails, tickets, hypotheticals) is cut into the premise windows tier 2 reads (the
  folded view of engine.normalize, engine/tiers/nli.py premise_windows with the shared tokenizer, the body
  the built-in hypotheses leave) and up to --od-windows of them, at random, are NOT-entailment premises
  (labelled neutral) for EVERY built-in hypothesis: imperative or second-person prose must not entail any
  of them;
* the other benign rows are NOT-entailment premises too: --windows N random windows of each (0: the whole
  row), each with one random hypothesis (the hard benign rows, texts about attacks, with --hard-hypotheses).

The same number of general NLI pairs (from prepare_data.py's train.jsonl) are mixed in (--nli-ratio), so
the model stays a general validator for the user's own policies. 5 % of the task rows (by row) are held
out as valid. Writes to build/nli/adapt (ignored by git):

* train.jsonl, valid.jsonl (the held-out task rows plus the NLI valid split), stats.json;
* test_snli.jsonl, test_breaking_nli.jsonl: copies of stage 1's evaluation files.

``--train ../shared/eval/train.csv --windows 0`` reproduces the shipped model's data (2026-11-25) byte for
byte. Run from the repository root with the project venv (the engine's normaliser needs its packages):
    .venv/bin/python packaging/nli/adapt_data.py
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "packaging"))

from training_data import DEFAULT_TRAIN, read_rows  # noqa: E402

from engine.assets import assets_dir  # noqa: E402
from engine.normalize import normalize  # noqa: E402
from engine.policies import load_builtin  # noqa: E402
from engine.tiers.embedding import load_tokenizer  # noqa: E402
from engine.tiers.nli import premise_windows  # noqa: E402

SEED = 29
VALID_SHARE = 0.05
HARD = {"benign_hard"}  # benign rows that look like attacks: the ones that cost false positives
GENERIC_BENIGN = {"benign", "benign_hard", "benign_code", "benign_nonenglish"}  # any other benign kind: over-defense
MAX_LEN = 128  # the model's input: [CLS] premise [SEP] hypothesis [SEP]
MAX_WINDOWS = 8  # as bands.toml [tier2] max_windows

Row = tuple[str, int, str, str]  # text, label, category, training file


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_training(paths: list[Path]) -> tuple[list[Row], dict]:
    """Rows of every training file, in order; a text already read from an earlier file is dropped."""
    rows: list[Row] = []
    seen: set[str] = set()
    per_file = {}
    for path in paths:
        got = read_rows([path])
        fresh = [r for r in got if r[0] not in seen] if seen else got
        rows += [(text, label, category, path.parent.name + "/" + path.name) for text, label, category in fresh]
        per_file[str(path)] = {"rows": len(got), "dropped_duplicates": len(got) - len(fresh),
                               "labels": dict(Counter(f"{c}:{lab}" for _, lab, c in fresh))}  # fmt: skip
        seen.update(r[0] for r in got)
    return rows, per_file


def window_texts(text: str, tokenizer, body: int) -> list[str]:
    """The premise windows tier 2 reads of a text: its folded view cut as engine/tiers/tier2.py does."""
    folded = normalize(text).main.folded
    pw = premise_windows(folded, tokenizer, body=body, max_windows=MAX_WINDOWS)
    return [folded[a:b] for a, b in pw.spans]


def task_pairs(rows: list[Row], by_category: dict[str, list[str]], rng: random.Random, *, hard_hypotheses: int,
               windows: int, od_windows: int, tokenizer, body: int) -> list[dict]:  # fmt: skip
    every = [h for hs in by_category.values() for h in hs]
    out = []
    for text, label, category, origin in rows:
        if label == 1:
            hypotheses = by_category.get(category) or every
            # the common category (injection) gets one of its hypotheses, the rare ones all of theirs
            chosen = [rng.choice(hypotheses)] if len(hypotheses) > 2 else hypotheses
            out += [{"premise": text, "hypothesis": h, "label": "entailment", "source": "task",
                     "kind": f"attack:{category}", "file": origin} for h in chosen]  # fmt: skip
            continue
        overdefense = category not in GENERIC_BENIGN
        n = od_windows if overdefense else windows
        premises = [text]
        if n:
            pieces = window_texts(text, tokenizer, body)
            premises = rng.sample(pieces, min(len(pieces), n))
        group = "overdefense" if overdefense else ("hard" if category in HARD else "benign")
        for premise in premises:
            hypotheses = every if overdefense else rng.sample(every, hard_hypotheses if category in HARD else 1)
            out += [{"premise": premise, "hypothesis": h, "label": "neutral", "source": "task",
                     "kind": f"{group}:{category}", "file": origin} for h in hypotheses]  # fmt: skip
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--train", type=Path, nargs="+", default=list(DEFAULT_TRAIN), help="training CSVs (text,label,category)"
    )
    ap.add_argument("--nli", type=Path, default=REPO / "build" / "nli", help="prepare_data.py's output")
    ap.add_argument("--out", type=Path, default=REPO / "build" / "nli" / "adapt")
    ap.add_argument("--nli-ratio", type=float, default=1.0, help="general NLI pairs per task pair")
    ap.add_argument("--hard-hypotheses", type=int, default=2, help="hypotheses per hard benign premise")
    ap.add_argument(
        "--windows",
        type=int,
        default=1,
        help="other benign rows: N random premise windows (0: the whole row, the shipped recipe)",
    )
    ap.add_argument(
        "--od-windows",
        type=int,
        default=2,
        help="over-defense rows: N random premise windows, each with every built-in hypothesis",
    )
    args = ap.parse_args()
    if any("train" not in p.name for p in args.train):
        ap.error("refusing to build from a file that is not a training split")
    rng = random.Random(SEED)
    by_category: dict[str, list[str]] = {}
    for policy in load_builtin():
        by_category.setdefault(policy.category, []).append(policy.hypothesis)
    tokenizer = load_tokenizer(assets_dir() / "models")
    body = MAX_LEN - 3 - max(len(tokenizer.encode(h).ids) for hs in by_category.values() for h in hs)
    options = {"hard_hypotheses": args.hard_hypotheses, "windows": args.windows, "od_windows": args.od_windows,
               "tokenizer": tokenizer, "body": body}  # fmt: skip

    rows, per_file = read_training(args.train)
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
            for r in data:  # kind/file are for the counts below; the pairs keep the 4 keys train_nli.py reads
                r = {k: r[k] for k in ("premise", "hypothesis", "label", "source")}
                f.write(json.dumps(r, ensure_ascii=False) + "\n")
    for name in ("test_snli.jsonl", "test_breaking_nli.jsonl"):
        shutil.copyfile(args.nli / name, args.out / name)
    task_labels = Counter(r["label"] for r in train_task)
    stats = {
        "train": len(train), "valid": len(valid),
        "train_labels": Counter(("task:" if r["source"] == "task" else "nli:") + r["label"] for r in train),
        "task_neutral_per_entailment": round(task_labels["neutral"] / max(1, task_labels["entailment"]), 2),
        "train_task_by_group": Counter(r["kind"].split(":")[0] for r in train_task),
        "train_task_by_kind": dict(sorted(Counter(r["kind"] for r in train_task).items())),
        "train_task_by_file": dict(sorted(Counter(f"{r['file']}:{r['label']}" for r in train_task).items())),
        "valid_task": len(valid_task), "valid_task_rows": cut, "train_task_rows": len(rows) - cut,
        "hard_hypotheses": args.hard_hypotheses, "windows": args.windows, "od_windows": args.od_windows,
        "window_body_tokens": body, "files": per_file,
        "source": f"{', '.join(str(p) for p in args.train)} (training splits) + {args.nli}/train.jsonl",
    }  # fmt: skip
    (args.out / "stats.json").write_text(json.dumps(stats, indent=1), encoding="utf-8")
    print(json.dumps(stats, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
