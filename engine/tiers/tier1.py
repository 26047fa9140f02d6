"""Tier 1: the embedding model plus a small head, for what tier 0 could not decide.

Each token window of the text (and of any decoded payload) is embedded; the
head combines the embedding with the text's lexical-prior logit, the window's
cosine to the nearest known attack exemplar and the tier-0 rule score. The
worst window counts. Scores in the grey band between the allow and block
bands escalate to tier 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from engine.decide import Bands
from engine.logistic import logit, sigmoid
from engine.models import ModelManager
from engine.normalize import Normalized
from engine.procmem import trim_heap
from engine.tiers.embedding import EmbeddingModel
from engine.tiers.runtime import open_session
from engine.verdict import Finding

EMBEDDING_MODEL = "e5-small-int8"
HEAD_MODEL = "tier1-head"
HEAD_DIR = "tier1"
HEAD_FEATURES = ("embedding", "lexical_logit", "exemplar_cosine", "rule_score", "benign_exemplar_cosine")
MAX_EXTRA_VIEWS = 3  # decoded payloads and respelled views embedded besides the text itself
EXTRA_VIEW_WINDOWS = 4
_SEVERITY = {"block": "high", "unsure": "medium", "allow": "info"}


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
        return np.maximum(x @ self.w1 + self.b1, 0) @ self.w2 + self.b2

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


@dataclass(frozen=True, slots=True)
class Tier1Result:
    decision: str  # allow / unsure / block
    score: float
    findings: list[Finding]
    covered: tuple[int, int] | None  # span of the original that the windows covered, if not all
    windows: tuple[tuple[int, int, float], ...] = ()  # main view: (start, end, attack probability) of each window


class Tier1:
    def __init__(self, manager: ModelManager, bands: Bands) -> None:
        self.manager = manager
        self.bands = bands

    def assess(self, norm: Normalized, lexical_probability: float, rules: float) -> Tier1Result:
        """Judge a text tier 0 was unsure of. Raises ModelUnavailable if a model cannot be used."""
        views = [norm.main, *norm.views[1 : 1 + MAX_EXTRA_VIEWS]]
        lex = logit(lexical_probability)
        best: tuple[float, int, int, float, int] | None = None  # logit, view, window, cosine, exemplar
        covered = None
        with self.manager.use(EMBEDDING_MODEL) as model, self.manager.use(HEAD_MODEL) as head:
            model: EmbeddingModel
            spans_by_view = []
            for vi, view in enumerate(views):
                limit = self.bands.tier1_max_windows if vi == 0 else EXTRA_VIEW_WINDOWS
                win = model.embed_text(view.folded, max_windows=limit)
                spans_by_view.append(win.spans)
                if vi == 0 and not win.complete:
                    covered = view.to_original(0, win.covered_end)
                cos, idx, benign = head.similarities(win.vectors)
                z = head.logits(win.vectors, lex, cos, rules, benign)
                if vi == 0:
                    main_windows = tuple((a, b, float(p)) for (a, b), p in zip(win.spans, sigmoid(z), strict=True))
                k = int(np.argmax(z))
                if best is None or z[k] > best[0]:
                    best = (float(z[k]), vi, k, float(cos[k]), int(idx[k]))
            category = head.categories[int(head.bank_category[best[4]])]
        trim_heap()  # inference buffers are freed by now: hand the pages back rather than let the heap grow
        z, vi, k, cos, _ = best
        score = float(sigmoid(z))
        decision = self.bands.tier1(score)
        start, end = views[vi].to_original(*spans_by_view[vi][k])
        where = "" if vi == 0 else f" (in {views[vi].kind} view)"
        finding = Finding(
            "tier1.embedding", finding_category(category), _SEVERITY[decision], start, end,
            f"embedding classifier: {score:.0%} likely an attack{where}; "
            f"closest known attack is {_article(category)} {category} text (cosine {cos:.2f})",
            tier=1, confidence=round(score, 4),
        )  # fmt: skip
        return Tier1Result(decision, score, [finding], covered, main_windows)


def finding_category(name: str) -> str:
    """The data's category name as a verdict category (the eval data says obfuscated, verdicts obfuscation)."""
    return "obfuscation" if name == "obfuscated" else name


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"
