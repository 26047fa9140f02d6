"""Tier 1's head: a one-hidden-layer classifier over an embedding, and the exemplar banks it compares with.

Model side only (numpy and an onnxruntime graph): it runs wherever the models
run, in this process or in the model host.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.tiers.runtime import open_session

HEAD_MODEL = "tier1-head"
HEAD_DIR = "tier1"
HEAD_FEATURES = ("embedding", "lexical_logit", "exemplar_cosine", "rule_score", "benign_exemplar_cosine")


@dataclass(slots=True)
class Head:
    """A one-hidden-layer classifier and the int8 exemplar banks (attack rows first, then benign rows).

    The banks are searched by a small onnxruntime graph (int8 matrix product, row
    scales applied): that is 15x faster than converting int8 rows for numpy and
    holds the banks in the same 4.6 MiB.
    """

    w1: np.ndarray  # (dim + 4, hidden): embedding, then the standardised extras
    b1: np.ndarray
    w2: np.ndarray
    b2: float
    extra_mean: np.ndarray  # lexical_logit, exemplar_cosine, rule_score, benign_exemplar_cosine
    extra_std: np.ndarray
    banks: Any  # onnxruntime session: vectors (n, dim) float32 -> cosines (n, attack + benign)
    attack_rows: int
    bank_category: np.ndarray  # (attack_rows,) index into categories
    categories: tuple[str, ...]

    def similarities(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per vector: highest cosine to an attack exemplar, that exemplar's index, highest benign cosine."""
        sims = self.banks.run(None, {"vectors": np.ascontiguousarray(vectors, dtype=np.float32)})[0]
        attack, benign = sims[:, : self.attack_rows], sims[:, self.attack_rows :]
        where = attack.argmax(axis=1)
        return attack[np.arange(len(sims)), where], where, benign.max(axis=1)

    def logits(self, vectors: np.ndarray, lexical_logit: float, exemplar: np.ndarray, rules: float,
               benign: np.ndarray) -> np.ndarray:  # fmt: skip
        extra = np.empty((len(vectors), 4), dtype=np.float32)
        extra[:, 0], extra[:, 1], extra[:, 2], extra[:, 3] = lexical_logit, exemplar, rules, benign
        x = np.hstack([vectors, (extra - self.extra_mean) / self.extra_std])
        logits: np.ndarray = np.maximum(x @ self.w1 + self.b1, 0) @ self.w2 + self.b2
        return logits

    def close(self) -> None:
        self.banks = None


def load_head(models_root: Path) -> Head:
    """ModelManager loader for the head and the exemplar banks."""
    head = np.load(models_root / HEAD_DIR / "head.npz")
    meta = np.load(models_root / HEAD_DIR / "bank.npz")
    if tuple(head["features"].tolist()) != HEAD_FEATURES:
        raise ValueError(f"head features {head['features'].tolist()} are not {list(HEAD_FEATURES)}")
    f32 = {k: head[k].astype(np.float32) for k in ("w1", "b1", "w2", "extra_mean", "extra_std")}
    banks = open_session(models_root / HEAD_DIR / "bank.onnx")
    return Head(f32["w1"], f32["b1"], f32["w2"], float(head["b2"]), f32["extra_mean"], f32["extra_std"],
                banks, int(meta["attack_rows"]), meta["category"], tuple(meta["categories"].tolist()))  # fmt: skip
