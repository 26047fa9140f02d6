"""Build tier 0's learned data from the TRAINING split only (re-runnable).

    python packaging/build_tier0.py [--train ../shared/eval/train.csv]

Writes
- assets/signatures/signatures.npz + signatures.json: exact keys and MinHash
  signatures of the attack rows (hashes only; no text is stored);
- assets/tier0/lexicon.json: word and word-pair weights of a logistic
  regression over token windows (the lexical prior, see engine/lexicon.py).

Never point it at dev or held-out data: dev is for choosing bands and reporting.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.normalize import normalize  # noqa: E402
from engine.signatures import MINHASH_VERSION, NUM_PERM, minhash  # noqa: E402
from engine.tokens import TOKENIZER_VERSION, text_key, token_hashes, words  # noqa: E402

WINDOW, STRIDE = 64, 32
MIN_DOC_FREQ = 3
L2 = 2e-4
EPOCHS = 400
KEEP_ABOVE = 0.02  # weights smaller than this are dropped from the table


def read_rows(path: Path) -> list[tuple[str, int, str]]:
    csv.field_size_limit(2**31 - 1)
    with path.open(newline="", encoding="utf-8") as fh:
        return [(r["text"], int(r["label"]), r.get("category", "")) for r in csv.DictReader(fh)]


def token_lists(rows: list[tuple[str, int, str]]) -> list[list[str]]:
    return [words(normalize(text).main.folded) for text, _, _ in rows]


def build_signatures(rows, tokens, out_dir: Path, source: Path) -> None:
    exact, sigs, cats = [], [], []
    for (_, label, cat), toks in zip(rows, tokens, strict=True):
        if label != 1 or not toks:
            continue
        exact.append(text_key(" ".join(toks)))
        sig = minhash(token_hashes(toks))
        if sig is not None:
            sigs.append(sig)
            cats.append(cat or "attack")
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out_dir / "signatures.npz", exact=np.array(sorted(set(exact)), dtype=np.uint64),
                        minhash=np.array(sigs, dtype=np.uint32).reshape(-1, NUM_PERM))  # fmt: skip
    meta = {
        "built_from": source.name,
        "built_from_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "rows": "label 1 (attack) rows of the training split only",
        "exact_keys": len(set(exact)),
        "minhash_rows": len(sigs),
        "num_perm": NUM_PERM,
        "minhash_version": MINHASH_VERSION,
        "tokenizer_version": TOKENIZER_VERSION,
        "categories": cats,
    }
    (out_dir / "signatures.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"signatures: {meta['exact_keys']} exact keys, {len(sigs)} MinHash rows -> {out_dir}")


def windows(toks: list[str]) -> list[list[str]]:
    if len(toks) <= WINDOW:
        return [toks]
    starts = list(range(0, len(toks) - WINDOW + 1, STRIDE))
    if starts[-1] != len(toks) - WINDOW:
        starts.append(len(toks) - WINDOW)
    return [toks[s : s + WINDOW] for s in starts]


def features(toks: list[str]) -> list[str]:
    return toks + [a + " " + b for a, b in itertools.pairwise(toks)]


def train_lexicon(rows, tokens, out: Path, source: Path) -> None:
    docs: list[list[str]] = []
    labels: list[int] = []
    doc_weight: list[float] = []
    for (_, label, _), toks in zip(rows, tokens, strict=True):
        ws = windows(toks)
        for w in ws:
            docs.append(features(w))
            labels.append(label)
            doc_weight.append(1.0 / len(ws))  # a long text counts as much as a short one
    df: dict[str, int] = {}
    for feats in docs:
        for f in set(feats):
            df[f] = df.get(f, 0) + 1
    vocab = {f: i for i, f in enumerate(sorted(f for f, c in df.items() if c >= MIN_DOC_FREQ))}
    indptr = [0]
    indices: list[int] = []
    for feats in docs:
        indices.extend(vocab[f] for f in feats if f in vocab)
        indptr.append(len(indices))
    idx = np.array(indices, dtype=np.int64)
    rows_of = np.repeat(np.arange(len(docs)), np.diff(indptr))
    y = np.array(labels, dtype=np.float64)
    sw = np.array(doc_weight)
    # balance the classes
    for cls in (0, 1):
        sw[y == cls] *= len(y) / (2 * sw[y == cls].sum())
    n_feat = len(vocab)
    w = np.zeros(n_feat)
    b = 0.0
    m_w = np.zeros(n_feat)
    v_w = np.zeros(n_feat)
    m_b = v_b = 0.0
    lr, beta1, beta2, eps = 0.05, 0.9, 0.999, 1e-8
    for epoch in range(1, EPOCHS + 1):
        z = np.bincount(rows_of, weights=w[idx], minlength=len(docs)) + b
        p = 1 / (1 + np.exp(-z))
        g = (p - y) * sw / len(y)
        grad_w = np.bincount(idx, weights=g[rows_of], minlength=n_feat) + L2 * w
        grad_b = g.sum()
        m_w = beta1 * m_w + (1 - beta1) * grad_w
        v_w = beta2 * v_w + (1 - beta2) * grad_w**2
        m_b = beta1 * m_b + (1 - beta1) * grad_b
        v_b = beta2 * v_b + (1 - beta2) * grad_b**2
        w -= lr * (m_w / (1 - beta1**epoch)) / (np.sqrt(v_w / (1 - beta2**epoch)) + eps)
        b -= lr * (m_b / (1 - beta1**epoch)) / (np.sqrt(v_b / (1 - beta2**epoch)) + eps)
        if epoch % 100 == 0:
            loss = -np.mean(sw * (y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12)))
            acc = np.mean((p > 0.5) == (y > 0.5))
            print(f"  epoch {epoch}: loss {loss:.4f}  train accuracy {acc:.4f}")
    terms = sorted(vocab, key=vocab.get)
    table = {t: round(float(w[i]), 4) for i, t in enumerate(terms) if abs(w[i]) >= KEEP_ABOVE}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "built_from": source.name,
        "built_from_sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
        "recipe": f"logistic regression on word uni+bigram counts of {WINDOW}-token windows (stride {STRIDE}), "
        f"doc freq >= {MIN_DOC_FREQ}, L2 {L2}, Adam {EPOCHS} epochs, class-balanced; |w| >= {KEEP_ABOVE} kept",
        "tokenizer_version": TOKENIZER_VERSION,
        "window": WINDOW,
        "stride": STRIDE,
        "bias": round(b, 4),
        "weights": table,
    }, ensure_ascii=False, sort_keys=False) + "\n", encoding="utf-8")  # fmt: skip
    print(f"lexicon: {len(table)} of {n_feat} terms kept, bias {b:.3f} -> {out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=ROOT.parent / "shared" / "eval" / "train.csv")
    parser.add_argument("--assets", type=Path, default=ROOT / "assets")
    args = parser.parse_args()
    if "train" not in args.train.name:
        parser.error("refusing to build from a file that is not the training split")
    rows = read_rows(args.train)
    print(f"{len(rows)} training rows from {args.train}")
    tokens = token_lists(rows)
    build_signatures(rows, tokens, args.assets / "signatures", args.train)
    train_lexicon(rows, tokens, args.assets / "tier0" / "lexicon.json", args.train)
    return 0


if __name__ == "__main__":
    sys.exit(main())
