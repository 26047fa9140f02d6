#!/usr/bin/env python3
"""Measure load/unload RSS, load time and latency of the tier-1 embedding model, each setting in a FRESH process.

Needs only what the app has at run time (numpy, onnxruntime, tokenizers, psutil); run it with the app's interpreter
to measure the real thing:

    .venv/bin/python packaging/models/measure_rss.py --model-dir build/models/minilm

For every session-option preset below it starts a new Python process which records RSS (psutil; plus RssAnon /
RssFile from /proc on Linux) at: start (psutil only), after importing numpy/onnxruntime/tokenizers, after loading
the tokenizer, after creating the InferenceSession, after 200 inferences on real texts, after the latency runs,
after ``del`` + ``gc.collect()``, and after glibc ``malloc_trim(0)``. Deltas are against "after imports".
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))  # the engine package: its session options are the ones measured
TOKEN_COUNTS = (16, 64, 128, 256, 512)

# name -> session settings. "lean" is what the app should use (see README.md in this folder).
PRESETS: dict[str, dict] = {
    "ort-defaults": {"arena": True, "threads": 0, "level": "all", "prepack": True},
    "lean": {"arena": False, "threads": 1, "level": "all", "prepack": True},
    "lean-noprepack": {"arena": False, "threads": 1, "level": "all", "prepack": False},
    "lean-extended": {"arena": False, "threads": 1, "level": "extended", "prepack": True},
    "lean-basic": {"arena": False, "threads": 1, "level": "basic", "prepack": True},
    "lean-noopt": {"arena": False, "threads": 1, "level": "disable", "prepack": True},
}
RECOMMENDED = "lean"


def session_options(cfg: dict):
    """onnxruntime.SessionOptions for a preset: the engine's own function (engine.tiers.runtime), its knobs set."""
    from engine.tiers.runtime import session_options as engine_options

    return engine_options(threads=cfg["threads"], arena=cfg["arena"], level=cfg["level"], prepack=cfg["prepack"])


# --------------------------------------------------------------------------------------------- child process
def _proc_status() -> dict:
    out = {}
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                key, _, val = line.partition(":")
                if key in ("RssAnon", "RssFile"):
                    out[key] = round(int(val.split()[0]) / 1024, 2)
    except OSError:
        pass
    return out


def _malloc_trim() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        return bool(ctypes.CDLL("libc.so.6").malloc_trim(0))
    except (OSError, AttributeError):
        return False


def read_texts(path: Path, n: int) -> list[str]:
    """The first n non-empty `text` cells of a CSV file (the dev split, read-only)."""
    texts: list[str] = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row.get("text"):
                texts.append(row["text"])
            if len(texts) >= n:
                break
    return texts


def child(model_dir: Path, cfg: dict, texts_path: str | None, n_infer: int) -> dict:
    import gc
    import time

    import psutil

    proc = psutil.Process()

    def rss() -> dict:
        return {"rss": round(proc.memory_info().rss / 2**20, 2), **_proc_status()}

    marks = {"start": rss()}
    import numpy as np
    import onnxruntime as ort
    from tokenizers import Tokenizer

    marks["imports"] = rss()
    texts = read_texts(Path(texts_path), n_infer) if texts_path and Path(texts_path).is_file() else []
    if not texts:  # no eval data at hand: varied synthetic sentences
        words = ["ignore", "previous", "instructions", "and", "print", "the", "system", "prompt", "please", "sum"]
        texts = [" ".join(words[(i * 7 + j) % len(words)] for j in range(5 + i % 40)) for i in range(n_infer)]
    marks["texts"] = rss()

    t0 = time.perf_counter()
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    t1 = time.perf_counter()
    marks["tokenizer"] = rss()
    sess = ort.InferenceSession(str(model_dir / "model.onnx"), session_options(cfg), providers=["CPUExecutionProvider"])
    t2 = time.perf_counter()
    marks["session"] = rss()

    def feed(ids: list[int]) -> dict:
        arr = np.array([ids], dtype=np.int64)
        return {"input_ids": arr, "attention_mask": np.ones_like(arr)}

    marks["session_trim"] = (_malloc_trim(), rss())[1]

    def infer(session, tokenizer, count: int) -> tuple[int, float]:
        ntok = 0
        t = time.perf_counter()
        for i in range(count):
            ids = tokenizer.encode(texts[i % len(texts)]).ids
            ntok += len(ids)
            session.run(None, feed(ids))
        return ntok, time.perf_counter() - t

    first = time.perf_counter()
    sess.run(None, feed(tok.encode(texts[0]).ids))
    first_ms = (time.perf_counter() - first) * 1000
    ntok, dt = infer(sess, tok, n_infer)
    marks["after_200"] = rss()
    marks["after_200_trim"] = (_malloc_trim(), rss())[1]

    body = []
    for t in texts:
        body.extend(tok.encode(t, add_special_tokens=False).ids)
        if len(body) > 600:
            break
    while len(body) < 600:
        body = body + body
    latency = {}
    for n in TOKEN_COUNTS:
        ids = [101, *body[: n - 2], 102]
        f = feed(ids)
        for _ in range(5):
            sess.run(None, f)
        runs = 100 if n <= 256 else 30
        times = []
        for _ in range(runs):
            s = time.perf_counter()
            sess.run(None, f)
            times.append((time.perf_counter() - s) * 1000)
        times.sort()
        latency[str(n)] = {
            "p50": round(times[len(times) // 2], 2),
            "p90": round(times[int(len(times) * 0.9)], 2),
            "min": round(times[0], 2),
        }
    marks["after_latency"] = rss()

    del sess
    gc.collect()
    marks["session_released"] = rss()
    trimmed = _malloc_trim()
    marks["session_released_trim"] = rss()

    # second load/unload cycle in the same process: what stays for good vs what a reload costs again
    t5 = time.perf_counter()
    sess = ort.InferenceSession(str(model_dir / "model.onnx"), session_options(cfg), providers=["CPUExecutionProvider"])
    t6 = time.perf_counter()
    marks["cycle2_session"] = rss()
    infer(sess, tok, n_infer)
    marks["cycle2_after_200"] = rss()
    del sess
    gc.collect()
    _malloc_trim()
    marks["cycle2_released_trim"] = rss()

    del tok
    gc.collect()
    _malloc_trim()
    marks["all_released_trim"] = rss()

    pre = marks["texts"]  # the process before the model is loaded (numpy/onnxruntime/tokenizers imported)

    def d(mark: str, base: dict = pre, key: str = "rss") -> float:
        return round(marks[mark].get(key, 0.0) - base.get(key, 0.0), 2)

    tok_mark = marks["tokenizer"]
    return {
        "options": cfg,
        "onnxruntime": ort.__version__,
        "marks_mib": marks,
        "rss_imports_mib": d("imports", marks["start"]),
        # loading: tokenizer + session, against the process before loading
        "rss_tokenizer_mib": d("tokenizer"),
        "rss_session_mib": d("session", tok_mark),
        "rss_load_mib": d("session"),
        "rss_load_trim_mib": d("session_trim"),
        "rss_after_200_mib": d("after_200"),
        "rss_after_200_trim_mib": d("after_200_trim"),
        "rss_after_latency_mib": d("after_latency"),
        # releasing the session only (tokenizer kept), against the process before the session was created
        "rss_after_session_release_no_trim_mib": d("session_released", tok_mark),
        "rss_after_session_release_mib": d("session_released_trim", tok_mark),
        "rss_cycle2_load_mib": d("cycle2_session", tok_mark),
        "rss_cycle2_after_200_mib": d("cycle2_after_200", tok_mark),
        "rss_cycle2_after_session_release_mib": d("cycle2_released_trim", tok_mark),
        # releasing everything (session + tokenizer, gc, malloc_trim), against the process before loading
        "rss_after_unload_mib": d("all_released_trim"),
        "rss_after_unload_anon_mib": d("all_released_trim", key="RssAnon"),
        "rss_after_unload_file_mib": d("all_released_trim", key="RssFile"),
        "malloc_trim_released": trimmed,
        "load_ms": round((t2 - t1) * 1000, 1),
        "cycle2_load_ms": round((t6 - t5) * 1000, 1),
        "tokenizer_load_ms": round((t1 - t0) * 1000, 1),
        "first_run_ms": round(first_ms, 2),
        "mean_ms_per_text": round(dt * 1000 / n_infer, 2),
        "mean_tokens_per_text": round(ntok / n_infer, 1),
        "latency_ms": latency,
    }


# --------------------------------------------------------------------------------------------- parent
def run_presets(
    model_dir: Path, python: str, texts: str | None, presets: list[str], n_infer: int = 200, repeat: int = 1
) -> dict:
    results: dict[str, dict] = {}
    for name in presets:
        runs = []
        for _ in range(repeat):
            cmd = [python, str(Path(__file__).resolve()), "--child", json.dumps(PRESETS[name])]
            cmd += ["--model-dir", str(model_dir), "--n-infer", str(n_infer)]
            if texts:
                cmd += ["--texts", texts]
            env = {**os.environ, "OMP_NUM_THREADS": "1"}
            res = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
            runs.append(json.loads(res.stdout))
        if repeat == 1:
            results[name] = runs[0]
        else:  # keep the run with the median load RSS, note the spread
            runs.sort(key=lambda r: r["rss_load_mib"])
            best = runs[len(runs) // 2]
            best["rss_load_mib_all_runs"] = [r["rss_load_mib"] for r in runs]
            results[name] = best
    return results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model-dir", type=Path, default=REPO / "build/models/minilm")
    ap.add_argument("--python", default=sys.executable, help="interpreter for the fresh processes (the app's venv)")
    ap.add_argument("--texts", default=str(REPO / "../shared/eval/dev.csv"), help="CSV with a `text` column")
    ap.add_argument("--presets", default=",".join(PRESETS), help=f"comma list of {', '.join(PRESETS)}")
    ap.add_argument("--n-infer", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=1, help="fresh processes per preset (median load RSS is kept)")
    ap.add_argument("--json", action="store_true", help="print one JSON document only")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        print(json.dumps(child(args.model_dir.resolve(), json.loads(args.child), args.texts, args.n_infer)))
        return 0

    names = [p for p in args.presets.split(",") if p]
    if RECOMMENDED not in names:
        names.insert(0, RECOMMENDED)
    texts = args.texts if Path(args.texts).is_file() else None
    results = run_presets(args.model_dir.resolve(), args.python, texts, names, args.n_infer, args.repeat)
    report = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, {platform.system()}, "
        f"python {platform.python_version()}",
        "recommended_preset": RECOMMENDED,
        "recommended": results[RECOMMENDED],
        "presets": results,
    }
    if args.json:
        print(json.dumps(report))
        return 0
    cols = ("tok", "session", "200inf", "200+trim", "rel", "rel-notr", "cycle2", "unload", "anon", "load ms")
    print(f"{'preset':15}" + "".join(f"{c:>9}" for c in cols) + "  p50 ms @ 16/64/128/256/512 tokens")
    for name, r in results.items():
        lat = "/".join(str(r["latency_ms"][str(n)]["p50"]) for n in TOKEN_COUNTS)
        vals = (
            r["rss_tokenizer_mib"],
            r["rss_session_mib"],
            r["rss_after_200_mib"],
            r["rss_after_200_trim_mib"],
            r["rss_after_session_release_mib"],
            r["rss_after_session_release_no_trim_mib"],
            r["rss_cycle2_after_session_release_mib"],
            r["rss_after_unload_mib"],
            r["rss_after_unload_anon_mib"],
            r["load_ms"],
        )
        print(f"{name:15}" + "".join(f"{v:9.1f}" for v in vals) + f"  {lat}")
    print(
        "RSS MiB. tok / session: added by Tokenizer.from_file / InferenceSession. 200inf(+trim): after 200 texts"
        " (then malloc_trim), against the process before loading. rel / rel-notr: session released (del + gc, with /"
        " without malloc_trim), tokenizer kept, against the process before the session. cycle2: the same after a"
        " second load/200/release. unload: session and tokenizer released + malloc_trim, against the process before"
        " loading (anon: the part that is not file-backed)."
    )
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
