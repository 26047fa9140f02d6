"""Build tier 0's learned data from the TRAINING split only (re-runnable).

    python packaging/build_tier0.py [--train FILE ...]   (default: packaging/training_data.DEFAULT_TRAIN)

Writes
- assets/signatures/signatures.npz + signatures.json: exact keys and MinHash
  signatures of the attack rows (hashes only; no text is stored);
- assets/tier0/lexicon.json: word and word-pair weights of a logistic
  regression over token windows (the lexical prior, see engine/lexicon.py).

Never point it at dev or held-out data: dev is for choosing bands and reporting.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))

from learn import balanced_weights, fit_logistic  # noqa: E402
from training_data import DEFAULT_TRAIN, TrainingDataError, english, provenance, read_rows  # noqa: E402

from engine.normalize import normalize  # noqa: E402
from engine.signatures import MINHASH_VERSION, NUM_PERM, minhash  # noqa: E402
from engine.tokens import TOKENIZER_VERSION, text_key, token_hashes, words  # noqa: E402

WINDOW, STRIDE = 64, 32
MIN_DOC_FREQ = 3
L2 = 2e-4
EPOCHS = 400
KEEP_ABOVE = 0.02  # weights smaller than this are dropped from the table


def token_lists(rows: list[tuple[str, int, str]]) -> list[list[str]]:
    return [words(normalize(text).main.folded) for text, _, _ in rows]


def build_signatures(rows, tokens, out_dir: Path, sources: list[Path]) -> None:
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
        "built_from": provenance(sources),
        "rows": "label 1 (attack) rows of the training files only",
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


def fit_lexicon(labels: list[int], tokens: list[list[str]], log=print) -> tuple[float, dict[str, float]]:
    """Bias and term weights of the lexical prior, trained on these texts' token lists."""
    docs: list[list[str]] = []
    y_list: list[int] = []
    doc_weight: list[float] = []
    for label, toks in zip(labels, tokens, strict=True):
        ws = windows(toks)
        for w in ws:
            docs.append(features(w))
            y_list.append(label)
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
    y = np.array(y_list, dtype=np.float64)
    n_feat = len(vocab)
    w, b = fit_logistic(
        n_feat,
        lambda w: np.bincount(rows_of, weights=w[idx], minlength=len(docs)),
        lambda g: np.bincount(idx, weights=g[rows_of], minlength=n_feat),
        y,
        balanced_weights(y, np.array(doc_weight)),
        l2=L2,
        epochs=EPOCHS,
        log=log,
    )
    terms = sorted(vocab, key=vocab.get)
    return b, {t: round(float(w[i]), 4) for i, t in enumerate(terms) if abs(w[i]) >= KEEP_ABOVE}


def known_words(tokens: list[list[str]], english: list[bool]) -> list[int]:
    """CRC-32s of the words with letters in at least MIN_DOC_FREQ English training texts: what tier 0 can read.

    Only English texts count: the other languages' rows are a few templates each, too few for the lexical
    prior to judge those languages, so their words must not make such a text look readable (a German
    attack whose words tier 0 had "seen" was allowed by a prior that learned English attacks).
    """
    df: dict[str, int] = {}
    for toks, en in zip(tokens, english, strict=True):
        if not en:
            continue
        for t in set(toks):
            df[t] = df.get(t, 0) + 1
    known = [t for t, c in df.items() if c >= MIN_DOC_FREQ and any(ch.isalpha() for ch in t)]
    return sorted({int(h) for h in token_hashes(known)})


def write_lexicon(bias: float, table: dict[str, float], out: Path, sources: list[Path], known: list[int]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "built_from": provenance(sources),
        "recipe": f"logistic regression on word uni+bigram counts of {WINDOW}-token windows (stride {STRIDE}), "
        f"doc freq >= {MIN_DOC_FREQ}, L2 {L2}, Adam {EPOCHS} epochs, class-balanced; |w| >= {KEEP_ABOVE} kept",
        "tokenizer_version": TOKENIZER_VERSION,
        "window": WINDOW,
        "stride": STRIDE,
        "bias": round(bias, 4),
        "weights": table,
        "known_words": f"CRC-32 of the words with letters in >= {MIN_DOC_FREQ} English training texts",
        "known_words_crc32": known,
    }, ensure_ascii=False) + "\n", encoding="utf-8")  # fmt: skip
    print(f"lexicon: {len(table)} terms kept, bias {bias:.3f} -> {out}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, nargs="+", default=list(DEFAULT_TRAIN), help="training CSV files")
    parser.add_argument("--assets", type=Path, default=ROOT / "assets")
    args = parser.parse_args()
    try:
        rows = read_rows(args.train)
    except TrainingDataError as exc:
        parser.error(str(exc))
    print(f"{len(rows)} training rows from {', '.join(str(p) for p in args.train)}")
    tokens = token_lists(rows)
    build_signatures(rows, tokens, args.assets / "signatures", args.train)
    bias, table = fit_lexicon([label for _, label, _ in rows], tokens)
    known = known_words(tokens, english(args.train))
    write_lexicon(bias, table, args.assets / "tier0" / "lexicon.json", args.train, known)
    return 0


if __name__ == "__main__":
    sys.exit(main())
