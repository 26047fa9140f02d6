#!/usr/bin/env python3
"""Measure the multilingual encoder (export_e5.py's output): RSS added by loading, latency, tokenizer cost.

Each measurement runs in a FRESH process with the app's interpreter (numpy, onnxruntime, psutil; `tokenizers` only
for that option)::

    .venv/bin/python packaging/models/measure_e5.py build/models/e5/full-l12-ext build/models/e5/full-l12
    .venv/bin/python packaging/models/measure_e5.py --tokenizer tokenizers build/models/e5/full-l12
    .venv/bin/python packaging/models/measure_e5.py --preset lean-noprepack build/models/e5/full-l12-ext
    .venv/bin/python packaging/models/measure_e5.py --interleaved build/models/e5/full-l12-ext build/models/e5/full-l6
    .venv/bin/python packaging/models/measure_e5.py --all-tiers build/models/minilm build/models/e5/full-l12-ext

A model-only run records RSS (psutil; RssAnon/RssFile) after importing numpy + onnxruntime (the baseline), after
loading the tokenizer (``unigram`` = unigram.py packed, ``unigram-dict``, or ``tokenizers`` = the package with the
generated tokenizer.json, the char map applied in Python first) and again after malloc_trim, after the
InferenceSession (``--preset``, default ``lean`` of measure_rss.py: no arena, one thread, level ALL, prepacking),
after 200 dev texts, and after release + malloc_trim; latency p50 at 16/64/128/256 tokens (``<s> query: ...
</s>``); and the tokenizer's own speed. Folders with ``word_table.q4`` (``-ext``) are fed ``inputs_embeds`` read by
wordtable.py, the time of which counts in the latency.

``--interleaved`` loads all the given models and tier 1's MiniLM in one process and times them in turn, so that
other load on the machine hits them alike.

``--all-tiers`` instead measures the engine's worst case with this encoder as tier 1: a fresh process makes an
``Engine()`` (rules loaded, idle), loads this encoder + its tokenizer and the engine's own tier-2 NLI model (via its
ModelManager), runs 200 dev texts through both, and reports the peak RSS (ru_maxrss) — the budget is 140 MiB. A
folder without charmap.json (build/models/minilm) is run with the engine's WordPiece, as the baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
from measure_rss import PRESETS, _malloc_trim, _proc_status, read_texts, session_options  # noqa: E402

TOKEN_COUNTS = (16, 64, 128, 256)
DEV = REPO / "../shared/eval/dev.csv"


def _mib(proc) -> dict:
    return {"rss": round(proc.memory_info().rss / 2**20, 2), **_proc_status()}


def _load_tokenizer(kind: str, model_dir: Path):
    """kind: "unigram" (packed store), "unigram-dict", or "tokenizers"."""
    """Returns (encode(text) -> ids without prefix/specials, prefix_ids, bos, eos)."""
    import json as _json

    cm = _json.loads((model_dir / "charmap.json").read_text(encoding="utf-8"))
    prefix, bos, eos = cm["prefix_ids"], cm["bos_id"], cm["eos_id"]
    if kind.startswith("unigram"):
        from engine.unigram import Unigram

        tok = Unigram.from_dir(model_dir, store="dict" if kind == "unigram-dict" else "packed")
        return tok.encode_ids, prefix, bos, eos, tok
    import re

    from tokenizers import Tokenizer

    tk = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    table = str.maketrans({chr(int(k)): v for k, v in cm["charmap"].items()})
    spaces = re.compile(" {2,}")

    def encode(text: str) -> list[int]:
        return tk.encode(spaces.sub(" ", text.translate(table)), add_special_tokens=False).ids

    return encode, prefix, bos, eos, tk


def _feeder(model_dir: Path, sess):
    """ids -> the session's inputs: input_ids, or inputs_embeds read by wordtable.py for '-ext' models."""
    import numpy as np

    if "inputs_embeds" in [i.name for i in sess.get_inputs()]:
        from engine.wordtable import WordTable

        table = WordTable(model_dir / "word_table.q4")

        def feed(ids: list[int]) -> dict:
            return {"inputs_embeds": table.lookup(ids)[None], "attention_mask": np.ones((1, len(ids)), np.int64)}

        return feed

    def feed_ids(ids: list[int]) -> dict:
        arr = np.array([ids], dtype=np.int64)
        return {"input_ids": arr, "attention_mask": np.ones_like(arr)}

    return feed_ids


def child(model_dir: Path, kind: str, n_infer: int, preset: str = "lean") -> dict:
    import gc
    import time

    import psutil

    proc = psutil.Process()
    marks = {"start": _mib(proc)}
    import onnxruntime as ort

    texts = read_texts(DEV, n_infer) if DEV.is_file() else [f"sentence number {i} " * (1 + i % 30) for i in range(200)]
    marks["imports"] = _mib(proc)
    t0 = time.perf_counter()
    encode, prefix, bos, eos, tok = _load_tokenizer(kind, model_dir)
    t1 = time.perf_counter()
    marks["tokenizer"] = _mib(proc)
    _malloc_trim()  # what loading left in glibc's heap (numpy temporaries) goes back; the app can do the same
    marks["tokenizer_trim"] = _mib(proc)
    cfg = PRESETS[preset]
    sess = ort.InferenceSession(str(model_dir / "model.onnx"), session_options(cfg), providers=["CPUExecutionProvider"])
    feed = _feeder(model_dir, sess)
    t2 = time.perf_counter()
    marks["session"] = _mib(proc)

    # tokenizer speed: first pass (cold word cache) and second pass over the same 200 texts
    tok_times = []
    for _ in range(2):
        s = time.perf_counter()
        all_ids = [encode(t) for t in texts]
        tok_times.append((time.perf_counter() - s) * 1000)
    n_tok = sum(len(x) for x in all_ids)
    ntexts = len(texts)
    for i in range(n_infer):
        ids = [bos, *prefix, *all_ids[i % ntexts][: 508 - len(prefix)], eos]
        sess.run(None, feed(ids))
    marks["after_200"] = _mib(proc)
    _malloc_trim()
    marks["after_200_trim"] = _mib(proc)

    body: list[int] = []
    for ids in all_ids:
        body.extend(ids)
        if len(body) > 600:
            break
    while len(body) < 600:
        body = body + body
    latency = {}
    for n in TOKEN_COUNTS:
        ids = [bos, *prefix, *body[: n - 2 - len(prefix)], eos]
        f = feed(ids)
        for _ in range(5):
            sess.run(None, f)
        times = []
        for _ in range(100):
            s = time.perf_counter()
            sess.run(None, f)
            times.append((time.perf_counter() - s) * 1000)
        times.sort()
        latency[str(n)] = {"p50": round(times[50], 2), "p90": round(times[90], 2), "min": round(times[0], 2)}
    # tokenizer time for a 128-token text (cold: a fresh word cache would be the worst case; warm: repeated)
    text128 = None
    for t in texts:
        if 100 <= len(encode(t)) <= 160:
            text128 = t
            break
    tok128 = None
    if text128 is not None:
        s = time.perf_counter()
        for _ in range(50):
            encode(text128)
        tok128 = round((time.perf_counter() - s) * 1000 / 50, 3)
    marks["after_latency"] = _mib(proc)
    del sess, feed
    gc.collect()
    _malloc_trim()
    marks["session_released"] = _mib(proc)
    del tok, encode
    gc.collect()
    _malloc_trim()
    marks["all_released"] = _mib(proc)
    base = marks["imports"]

    def d(mark: str, key: str = "rss", ref: dict = base) -> float:
        return round(marks[mark].get(key, 0.0) - ref.get(key, 0.0), 2)

    return {
        "model_dir": str(model_dir),
        "tokenizer": kind,
        "preset": preset,
        "onnxruntime": ort.__version__,
        "marks_mib": marks,
        "rss_tokenizer_mib": d("tokenizer"),
        "rss_tokenizer_trim_mib": d("tokenizer_trim"),
        "rss_session_mib": d("session", ref=marks["tokenizer_trim"]),
        "rss_load_mib": d("session"),
        "rss_after_200_mib": d("after_200"),
        "rss_after_200_trim_mib": d("after_200_trim"),
        "rss_after_200_file_mib": d("after_200", "RssFile"),
        "rss_after_unload_mib": d("all_released"),
        "tokenizer_load_ms": round((t1 - t0) * 1000, 1),
        "session_load_ms": round((t2 - t1) * 1000, 1),
        "tokenize_200_texts_ms_cold_warm": [round(x, 1) for x in tok_times],
        "tokens_200_texts": n_tok,
        "tokenize_128tok_text_ms_warm": tok128,
        "latency_ms": latency,
    }


def child_all_tiers(model_dir: Path, n_infer: int) -> dict:
    """Engine idle + this encoder + the engine's NLI tier loaded and used: peak RSS."""
    import time

    import psutil

    sys.path.insert(0, str(REPO))
    proc = psutil.Process()
    from engine import Engine, EngineConfig
    from engine.procmem import peak_rss_mib
    from engine.tiers.embedding import TOKENIZER_MODEL
    from engine.tiers.tier2 import NLI_MODEL

    engine = Engine(EngineConfig(idle_timeout_s=None, threads=1))
    engine.scan("warm up")
    marks = {"engine_idle": _mib(proc)}
    import onnxruntime as ort

    marks["runtime_imported"] = _mib(proc)
    if not (model_dir / "charmap.json").is_file():  # baseline: tier 1 today (MiniLM + the engine's WordPiece)
        wp_ctx = engine.models.use(TOKENIZER_MODEL)
        wordpiece = wp_ctx.__enter__()
        prefix, bos, eos = [], 101, 102

        def encode(text: str) -> list[int]:
            return wordpiece.encode(text).ids

    else:
        encode, prefix, bos, eos, _tok = _load_tokenizer("unigram", model_dir)
    sess = ort.InferenceSession(
        str(model_dir / "model.onnx"), session_options(PRESETS["lean"]), providers=["CPUExecutionProvider"]
    )
    feed = _feeder(model_dir, sess)
    marks["e5_loaded"] = _mib(proc)
    texts = read_texts(DEV, n_infer)
    t = time.perf_counter()
    for text in texts:
        sess.run(None, feed([bos, *prefix, *encode(text)[: 508 - len(prefix)], eos]))
    e5_ms = (time.perf_counter() - t) * 1000 / len(texts)
    marks["e5_after_200"] = _mib(proc)
    with engine.models.use(TOKENIZER_MODEL) as wp, engine.models.use(NLI_MODEL) as nli:
        marks["nli_loaded"] = _mib(proc)
        hyp = nli.hypothesis_ids(engine.builtin_policies[0].hypothesis, wp)
        for text in texts:
            premise = wp.encode(text).ids[: 128 - 3 - len(hyp)]
            nli.probabilities(premise, hyp)
            sess.run(None, feed([bos, *prefix, *encode(text)[: 508 - len(prefix)], eos]))
        marks["all_after_200"] = _mib(proc)
    return {
        "model_dir": str(model_dir),
        "marks_mib": marks,
        "peak_rss_mib": round(peak_rss_mib(), 1),
        "e5_ms_per_dev_text": round(e5_ms, 2),
        "note": "tier-1 head/banks not loaded (they belong to the MiniLM model); minilm itself not loaded",
    }


def child_interleaved(model_dirs: list[Path], rounds: int = 40) -> dict:
    """All models (and tier 1's MiniLM for scale) in one process, timed in turn at each length, so that load from
    other processes on the machine hits them alike: p50 and min per model and length."""
    import time

    import numpy as np
    import onnxruntime as ort

    def session(d: Path):
        return ort.InferenceSession(
            str(d / "model.onnx"), session_options(PRESETS["lean"]), providers=["CPUExecutionProvider"]
        )

    texts = read_texts(DEV, 200)
    runs = {}
    minilm = REPO / "build/models/minilm"
    if (minilm / "model.onnx").is_file():
        rng = np.random.default_rng(0)
        body = rng.integers(1000, 29000, 600).tolist()
        sm = session(minilm)
        runs["minilm-l6 (tier 1 today)"] = (sm, _feeder(minilm, sm), lambda n, body=body: [101, *body[: n - 2], 102])
    for d in model_dirs:
        encode, prefix, bos, eos, _tok = _load_tokenizer("unigram", d)
        body = [i for t in texts for i in encode(t)][:600]
        sd = session(d)
        runs[d.name] = (
            sd,
            _feeder(d, sd),
            lambda n, body=body, p=prefix, b=bos, e=eos: [b, *p, *body[: n - 2 - len(p)], e],
        )
    out: dict = {}
    for n in TOKEN_COUNTS:
        times: dict[str, list[float]] = {k: [] for k in runs}
        feeds = {}
        for k, (sess, feed, make) in runs.items():
            ids = make(n)
            feeds[k] = (feed, ids)
            for _ in range(3):
                sess.run(None, feed(ids))
        for _ in range(rounds):
            for k, (sess, feed, _make) in runs.items():
                for _ in range(3):
                    s = time.perf_counter()
                    sess.run(None, feed(feeds[k][1]))  # the table read (if any) is part of the time
                    times[k].append((time.perf_counter() - s) * 1000)
        out[str(n)] = {k: {"p50": round(float(np.median(v)), 2), "min": round(min(v), 2)} for k, v in times.items()}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model_dirs", nargs="+", type=Path)
    ap.add_argument("--tokenizer", default="unigram", choices=("unigram", "unigram-dict", "tokenizers"))
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--preset", default="lean", choices=sorted(PRESETS), help="measure_rss.py session preset")
    ap.add_argument("--n-infer", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--all-tiers", action="store_true")
    ap.add_argument("--interleaved", action="store_true", help="latency of all models in turn in one process")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child and args.interleaved:
        print(json.dumps(child_interleaved([d.resolve() for d in args.model_dirs])))
        return 0
    if args.interleaved:
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        cmd = [args.python, str(Path(__file__).resolve()), "--child", "--interleaved", *map(str, args.model_dirs)]
        res = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=str(REPO))
        print(res.stdout)
        return 0
    if args.child:
        d = args.model_dirs[0].resolve()
        res = (
            child_all_tiers(d, args.n_infer) if args.all_tiers else child(d, args.tokenizer, args.n_infer, args.preset)
        )
        print(json.dumps(res))
        return 0
    results = []
    for d in args.model_dirs:
        for _ in range(args.repeat):
            cmd = [args.python, str(Path(__file__).resolve()), "--child", str(d), "--tokenizer", args.tokenizer]
            cmd += ["--preset", args.preset]
            cmd += ["--n-infer", str(args.n_infer)] + (["--all-tiers"] if args.all_tiers else [])
            env = {**os.environ, "OMP_NUM_THREADS": "1"}
            res = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=str(REPO))
            r = json.loads(res.stdout)
            results.append(r)
            if args.all_tiers:
                print(f"{d.name}: peak {r['peak_rss_mib']} MiB  marks {json.dumps(r['marks_mib'])}")
            else:
                lat = "/".join(str(r["latency_ms"][str(n)]["p50"]) for n in TOKEN_COUNTS)
                print(
                    f"{d.name:14} {r['tokenizer']:10} tok {r['rss_tokenizer_mib']:6.1f} (trim "
                    f"{r['rss_tokenizer_trim_mib']:5.1f})  session "
                    f"{r['rss_session_mib']:6.1f}  load {r['rss_load_mib']:6.1f}"
                    f"  after200 {r['rss_after_200_mib']:6.1f}"
                    f"  unload {r['rss_after_unload_mib']:5.1f}  tok-load {r['tokenizer_load_ms']} ms"
                    f"  tokenize200 {r['tokenize_200_texts_ms_cold_warm']} ms  p50 16/64/128/256: {lat}"
                )
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
