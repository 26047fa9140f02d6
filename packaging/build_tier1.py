"""Train tier 1's classifier head and attack-exemplar bank from the TRAINING split (re-runnable).

    python packaging/build_tier1.py [--train FILE ...]   (default: packaging/training_data.DEFAULT_TRAIN)

Needs the shipped int8 embedding model in assets/models/e5 (made by
packaging/models/export_e5.py and e5_assets.py), the runtime packages and `onnx` (the
`models` extra) for the bank graph. Writes assets/models/tier1/head.npz,
bank.npz (bank metadata) and bank.onnx (the int8 exemplar rows and the graph
that searches them) and their manifest entry "tier1-head" in
assets/models/manifest.json.

Features of one token window: its embedding (384), the text's lexical-prior
logit, the window's highest cosine to an attack exemplar, and the score of the
tier-0 rules. The lexical prior and the exemplar similarity are computed
out-of-fold (5 folds), so the head learns how much to trust them on texts they
have not seen.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))

from build_tier0 import STRIDE, WINDOW, fit_lexicon  # noqa: E402
from learn import balanced_weights, fit_mlp, fold_standardization  # noqa: E402
from training_data import DEFAULT_TRAIN, TrainingDataError, provenance, read_rows  # noqa: E402

from engine.bands import Bands  # noqa: E402
from engine.lexicon import Lexicon  # noqa: E402
from engine.logistic import logit  # noqa: E402
from engine.normalize import normalize  # noqa: E402
from engine.rules import RuleSet  # noqa: E402
from engine.tiers.embedding import (  # noqa: E402
    MIN_LINE_WINDOW_TOKENS,
    MIN_WINDOW_TOKENS,
    MODEL_DIR,
    STRIDE_TOKENS,
    WINDOW_TOKENS,
    EmbeddingModel,
)
from engine.tiers.head import HEAD_FEATURES  # noqa: E402
from engine.tiers.tier0 import Tier0  # noqa: E402
from engine.tokens import token_hashes, words  # noqa: E402

FOLDS = 5
MAX_WINDOWS = 16
BANK_DEDUP_COSINE = 0.97
BANK_MAX = 6000  # per bank (int8); 2000 cost 0.4 points of dev FPR at the chosen recall
HIDDEN = 256
ENSEMBLE = 3
HARD_WEIGHT = 3.0
L2 = 1e-3
EPOCHS = 600
SEED = 20261125


def embed_all(texts: list[str], cache: Path, model_dir: Path) -> tuple[np.ndarray, np.ndarray]:
    """Window embeddings of every text (cached by model and text hash) and each window's text index."""
    h = hashlib.sha256((model_dir / "model.onnx").read_bytes())
    config = (WINDOW_TOKENS, STRIDE_TOKENS, MIN_WINDOW_TOKENS, MIN_LINE_WINDOW_TOKENS, MAX_WINDOWS, "unbatched")
    h.update(repr(config).encode())
    for t in texts:
        h.update(t.encode("utf-8", "surrogatepass"))
    key = h.hexdigest()[:16]
    path = cache / f"tier1_embeddings_{key}.npz"
    if path.exists():
        data = np.load(path)
        return data["vectors"], data["doc"]
    model = EmbeddingModel(model_dir, threads=2)
    vectors, doc = [], []
    started = time.perf_counter()
    for i, text in enumerate(texts):
        win = model.embed_text(text, max_windows=MAX_WINDOWS)
        vectors.append(win.vectors)
        doc.extend([i] * len(win.vectors))
        if i % 1000 == 0:
            print(f"  embedded {i}/{len(texts)} ({time.perf_counter() - started:.0f} s)", flush=True)
    out_v, out_d = np.concatenate(vectors).astype(np.float32), np.array(doc, dtype=np.int64)
    cache.mkdir(parents=True, exist_ok=True)
    np.savez(path, vectors=out_v, doc=out_d)
    return out_v, out_d


def dedup_bank(vectors: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of a greedy subset of attack windows with no two closer than BANK_DEDUP_COSINE."""
    order = rng.permutation(len(vectors))
    kept = np.zeros((limit, vectors.shape[1]), dtype=np.float32)
    index = np.zeros(limit, dtype=np.int64)
    n = 0
    for i in order:
        v = vectors[i]
        if n and float((kept[:n] @ v).max()) >= BANK_DEDUP_COSINE:
            continue
        kept[n] = v
        index[n] = i
        n += 1
        if n >= limit:
            break
    return index[:n]


def max_cosine(bank: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    out = np.empty(len(vectors), dtype=np.float32)
    for s in range(0, len(vectors), 4096):
        out[s : s + 4096] = (vectors[s : s + 4096] @ bank.T).max(axis=1)
    return out


def quantize_rows(mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.maximum(np.abs(mat).max(axis=1), 1e-12) / 127.0
    return np.round(mat / scale[:, None]).astype(np.int8), scale.astype(np.float32)


def write_bank_graph(path: Path, rows: np.ndarray, scale: np.ndarray) -> None:
    """The exemplar banks as an onnxruntime graph: vectors (n, dim) float32 -> cosines (n, rows).

    The query is quantized to uint8 per call (DynamicQuantizeLinear), multiplied with the int8
    rows by MatMulInteger and rescaled; cosines are within 0.002 of float32 arithmetic.
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    dim = rows.shape[1]
    nodes = [
        helper.make_node("DynamicQuantizeLinear", ["vectors"], ["q", "q_scale", "q_zero"]),
        helper.make_node("MatMulInteger", ["q", "rows_t", "q_zero"], ["dots"]),
        helper.make_node("Cast", ["dots"], ["dots_f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["dots_f", "q_scale"], ["scaled"]),
        helper.make_node("Mul", ["scaled", "row_scale"], ["cosines"]),
    ]
    graph = helper.make_graph(
        nodes, "tier1_banks",
        [helper.make_tensor_value_info("vectors", TensorProto.FLOAT, ["n", dim])],
        [helper.make_tensor_value_info("cosines", TensorProto.FLOAT, ["n", len(rows)])],
        [numpy_helper.from_array(np.ascontiguousarray(rows.T.astype(np.int8)), "rows_t"),
         numpy_helper.from_array(scale.astype(np.float32), "row_scale")],
    )  # fmt: skip
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="tierwall")
    model.ir_version = 8  # readable by onnxruntime 1.18, the project's lower bound
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, nargs="+", default=list(DEFAULT_TRAIN), help="training CSV files")
    parser.add_argument("--assets", type=Path, default=ROOT / "assets")
    parser.add_argument("--cache", type=Path, default=ROOT / "build" / "cache")
    parser.add_argument("--limit", type=int, help="only the first N rows (a smoke test; do not ship its output)")
    args = parser.parse_args()
    try:
        import onnx  # noqa: F401  # the bank graph needs it at the end: fail now, not after the training
    except ImportError:
        parser.error("needs the `onnx` package (the `models` extra) to write the bank graph")
    rng = np.random.default_rng(SEED)
    try:
        rows = read_rows(args.train)[: args.limit]
    except TrainingDataError as exc:
        parser.error(str(exc))
    labels = np.array([label for _, label, _ in rows], dtype=np.int64)
    print(f"{len(rows)} training rows")

    rules, bands = RuleSet.load(), Bands.load()
    norms = [normalize(text) for text, _, _ in rows]
    texts = [n.main.folded for n in norms]
    tokens = [words(t) for t in texts]
    tier0 = Tier0(rules, None, None, bands)  # only its rule findings are used here
    rule = np.array([bands.attack_score(tier0.rule_findings(n)) for n in norms], dtype=np.float32)

    folds = rng.integers(0, FOLDS, size=len(rows))
    lex_p = np.zeros(len(rows))
    for k in range(FOLDS):
        train_idx = np.flatnonzero(folds != k)
        bias, table = fit_lexicon(labels[train_idx].tolist(), [tokens[i] for i in train_idx], log=None)
        lexicon = Lexicon(bias, table, WINDOW, STRIDE)
        for i in np.flatnonzero(folds == k):
            lex_p[i] = lexicon.score(tokens[i], token_hashes(tokens[i])).probability
        print(f"  lexicon fold {k}: done")

    vectors, doc = embed_all(texts, args.cache, args.assets / "models" / MODEL_DIR)
    win_label = labels[doc].astype(np.float64)
    win_fold = folds[doc]
    knn = np.zeros(len(vectors), dtype=np.float32)
    knn_benign = np.zeros(len(vectors), dtype=np.float32)
    for k in range(FOLDS):
        for label, out_arr in ((1, knn), (0, knn_benign)):
            pool = vectors[(win_fold != k) & (win_label == label)]
            bank_k = pool[dedup_bank(pool, BANK_MAX, rng)]
            out_arr[win_fold == k] = max_cosine(bank_k, vectors[win_fold == k])
        print(f"  exemplar fold {k}: done")

    extra = np.stack([logit(lex_p)[doc], knn, rule[doc], knn_benign], axis=1).astype(np.float64)
    extra_mean, extra_std = extra.mean(axis=0), extra.std(axis=0) + 1e-6
    emb_mean, emb_std = vectors.mean(axis=0).astype(np.float64), vectors.std(axis=0).astype(np.float64) + 1e-6
    x = np.hstack([(vectors - emb_mean) / emb_std, (extra - extra_mean) / extra_std])
    windows_per_doc = np.bincount(doc, minlength=len(rows))
    # tier 1 only ever sees what tier 0 was unsure of: weigh those texts up
    hard = (rule >= bands.unsure_at) | (lex_p >= bands.lexical_unsure_at)
    weight = balanced_weights(win_label, np.where(hard[doc], HARD_WEIGHT, 1.0) / windows_per_doc[doc])
    # an ensemble of MLPs averaged in logit space is itself one MLP: hidden units side by side,
    # output weights divided by the number of members
    members = [fit_mlp(x, win_label, weight, hidden=HIDDEN, l2=L2, epochs=EPOCHS, seed=SEED + m, log=None)
               for m in range(ENSEMBLE)]  # fmt: skip
    w1 = np.hstack([m[0] for m in members])
    b1 = np.concatenate([m[1] for m in members])
    w2 = np.concatenate([m[2] for m in members]) / ENSEMBLE
    b2 = float(np.mean([m[3] for m in members]))
    p = 1 / (1 + np.exp(-(np.maximum(x @ w1 + b1, 0) @ w2 + b2)))
    doc_p = np.zeros(len(rows))
    np.maximum.at(doc_p, doc, p)
    print(f"head: train accuracy (worst window) {np.mean((doc_p > 0.5) == (labels == 1)):.4f}")
    dim = vectors.shape[1]
    w1_emb, b1 = fold_standardization(w1[:dim], b1, emb_mean, emb_std)  # the engine feeds raw embeddings
    w1 = np.vstack([w1_emb, w1[dim:]])

    attack_windows = np.flatnonzero(win_label == 1)
    chosen = attack_windows[dedup_bank(vectors[attack_windows], BANK_MAX, rng)]
    bank = vectors[chosen]
    bank_q, bank_scale = quantize_rows(bank)
    benign_windows = np.flatnonzero(win_label == 0)
    benign_q, benign_scale = quantize_rows(vectors[benign_windows[dedup_bank(vectors[benign_windows], BANK_MAX, rng)]])
    categories = sorted({rows[i][2] or "attack" for i in doc[chosen]})
    bank_category = np.array([categories.index(rows[i][2] or "attack") for i in doc[chosen]], dtype=np.int8)
    out = args.assets / "models" / "tier1"
    out.mkdir(parents=True, exist_ok=True)
    np.savez(out / "head.npz", w1=w1.astype(np.float32), b1=b1.astype(np.float32), w2=w2.astype(np.float32),
             b2=np.float32(b2), extra_mean=extra_mean.astype(np.float32), extra_std=extra_std.astype(np.float32),
             features=np.array(HEAD_FEATURES))  # fmt: skip
    np.savez(out / "bank.npz", attack_rows=np.int64(len(bank_q)), category=bank_category,
             categories=np.array(categories))  # fmt: skip
    write_bank_graph(out / "bank.onnx", np.vstack([bank_q, benign_q]), np.concatenate([bank_scale, benign_scale]))
    write_manifest(args.assets / "models", out, args.train, len(bank))
    print(f"bank: {len(bank)} exemplars; wrote {out}")
    return 0


def write_manifest(models_dir: Path, out: Path, sources: list[Path], bank_size: int) -> None:
    path = models_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"models": {}}
    files = []
    for name in ("head.npz", "bank.npz", "bank.onnx"):
        data = (out / name).read_bytes()
        files.append({"path": f"tier1/{name}", "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    manifest["models"]["tier1-head"] = {
        "tier": 1,
        "kind": "classifier head and exemplar banks",
        "files": files,
        "source": "trained by this project on the training files in built_from (training splits only; sources "
        "and licences in ../shared/eval/README.md and each data/*/README.md)",
        "built_from": provenance(sources),
        "licence": "Apache-2.0 (this project); derived from the training rows' sources",
        "recipe": f"packaging/build_tier1.py: {ENSEMBLE} MLPs ({HIDDEN} ReLU units each, logits averaged) on "
        f"standardised window embeddings (<= {MAX_WINDOWS} windows; the standardisation folded into the first "
        f"layer) plus out-of-fold ({FOLDS} folds) lexical logit, attack- and "
        f"benign-exemplar cosines and tier-0 rule score; L2 {L2}, Adam {EPOCHS} epochs, class-balanced, texts "
        f"tier 0 is unsure of weighted x{HARD_WEIGHT}; banks of <= {BANK_MAX} attack and benign windows "
        f"({bank_size} attack) deduplicated at cosine {BANK_DEDUP_COSINE}, int8 per row",
    }
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
