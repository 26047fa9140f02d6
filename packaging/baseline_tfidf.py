"""The bag-of-words baseline Tierwall is measured against: TF-IDF logistic regression, no model, no rules.

    python packaging/baseline_tfidf.py [--train FILE ...] [--dev FILE] [--score FILE ...] [--json OUT]

Issue 13 compares Tierwall with "a TF-IDF logistic regression on train.csv": if two neural tiers add
nothing over it on text unlike the training data, they are not earning their memory. This fits it on the
training files (default: the shared train split only, as the issue's baseline; pass DEFAULT_TRAIN's files
to give it the project's data too), chooses its threshold on dev's benign rows (FPR <= 1 %), and scores
each file: recall, FPR, and per language where the file has a language column.

Features: lower-cased word unigrams and bigrams (engine.tokens.words), in at least 2 training texts,
sublinear term frequency times smoothed IDF, each row L2-normalised; class-balanced L2 logistic regression
(packaging/learn.fit_logistic on a sparse matrix held as index arrays).
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))

from learn import balanced_weights, fit_logistic  # noqa: E402
from training_data import SHARED_TRAIN, read_rows  # noqa: E402

from engine.evaluate import read_dataset  # noqa: E402
from engine.tokens import words  # noqa: E402

MIN_DF = 2
L2 = 1e-4
EPOCHS = 300
TARGET_FPR = 0.01


def terms(text: str) -> list[str]:
    toks = words(text.lower())
    return toks + [f"{a} {b}" for a, b in itertools.pairwise(toks)]


class Tfidf:
    """Vocabulary and IDF from the training texts; transform() gives rows as (indptr, indices, data)."""

    def __init__(self, texts: list[str]) -> None:
        df = Counter(t for text in texts for t in set(terms(text)))
        vocab = sorted(t for t, c in df.items() if c >= MIN_DF)
        self.index = {t: i for i, t in enumerate(vocab)}
        n = len(texts)
        self.idf = np.array([np.log((1 + n) / (1 + df[t])) + 1 for t in vocab])

    def transform(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        indptr, indices, data = [0], [], []
        for text in texts:
            counts = Counter(self.index[t] for t in terms(text) if t in self.index)
            idx = np.fromiter(counts, dtype=np.int64, count=len(counts))
            val = (1 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))) * self.idf[idx]
            norm = np.linalg.norm(val)
            indices.append(idx)
            data.append(val / norm if norm > 0 else val)
            indptr.append(indptr[-1] + len(idx))
        return np.array(indptr), np.concatenate(indices or [np.zeros(0, np.int64)]), np.concatenate(data or [[]])


def _rows(indptr: np.ndarray) -> np.ndarray:
    """The row of every stored value."""
    return np.repeat(np.arange(len(indptr) - 1), np.diff(indptr))


def _matvec(x: tuple[np.ndarray, np.ndarray, np.ndarray], w: np.ndarray, rows: np.ndarray) -> np.ndarray:
    out = np.zeros(len(x[0]) - 1)
    np.add.at(out, rows, x[2] * w[x[1]])
    return out


def scores(x: tuple[np.ndarray, np.ndarray, np.ndarray], w: np.ndarray, b: float) -> np.ndarray:
    return _matvec(x, w, _rows(x[0])) + b


def fit(x: tuple[np.ndarray, np.ndarray, np.ndarray], y: np.ndarray, n_features: int) -> tuple[np.ndarray, float]:
    _, indices, data = x
    row = _rows(x[0])

    def forward(w: np.ndarray) -> np.ndarray:
        return _matvec(x, w, row)

    def backward(g: np.ndarray) -> np.ndarray:
        return np.bincount(indices, weights=data * g[row], minlength=n_features)

    return fit_logistic(n_features, forward, backward, y.astype(np.float64), balanced_weights(y), l2=L2,
                        epochs=EPOCHS, log=None)  # fmt: skip


def report(name: str, flagged: np.ndarray, rows: list) -> dict[str, object]:
    y = np.array([r.label for r in rows])
    out: dict[str, object] = {"file": name, "n": len(rows)}
    out["recall"] = round(float(flagged[y == 1].mean()), 4) if (y == 1).any() else None
    out["fpr"] = round(float(flagged[y == 0].mean()), 4) if (y == 0).any() else None
    langs = sorted({r.language for r in rows if r.language})
    if langs:
        lang = np.array([r.language for r in rows])
        out["per_language"] = {
            g: {"recall": round(float(flagged[(lang == g) & (y == 1)].mean()), 4) if ((lang == g) & (y == 1)).any()
                else None,
                "fpr": round(float(flagged[(lang == g) & (y == 0)].mean()), 4) if ((lang == g) & (y == 0)).any()
                else None}
            for g in langs
        }  # fmt: skip
    cats = sorted({r.category for r in rows if r.category and r.label == 0})
    out["fpr_by_category"] = {c: round(float(flagged[np.array([r.category == c for r in rows]) & (y == 0)].mean()), 4)
                              for c in cats}  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, nargs="+", default=[SHARED_TRAIN])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "eval" / "dev.csv")
    parser.add_argument(
        "--score",
        type=Path,
        nargs="*",
        default=[ROOT / "data" / "attacks" / "dev.csv", ROOT / "data" / "overdefense" / "test.csv"],
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    train = read_rows(args.train)
    texts = [t for t, _, _ in train]
    tfidf = Tfidf(texts)
    w, b = fit(tfidf.transform(texts), np.array([label for _, label, _ in train]), len(tfidf.index))
    dev = read_dataset(args.dev)
    dev_scores = scores(tfidf.transform([r.text for r in dev]), w, b)
    benign = np.array([r.label == 0 for r in dev])
    threshold = float(np.quantile(dev_scores[benign], 1 - TARGET_FPR))
    results = {"train": [str(p) for p in args.train], "features": len(tfidf.index), "threshold": threshold,
               "files": []}  # fmt: skip
    for path, rows in [(args.dev, dev), *((p, read_dataset(p)) for p in args.score)]:
        s = dev_scores if rows is dev else scores(tfidf.transform([r.text for r in rows]), w, b)
        res = report(path.name if rows is dev else str(path.relative_to(ROOT)), s > threshold, rows)
        results["files"].append(res)
        print(f"{res['file']:<28} n={res['n']:>5}  recall {res['recall']}  fpr {res['fpr']}")
        if "per_language" in res:
            print("   ", ", ".join(f"{k} {v['recall']}" for k, v in res["per_language"].items()))
        print("    fpr by category:", res["fpr_by_category"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
