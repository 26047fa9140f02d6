"""Tier 2's model: an int8 NLI cross-encoder under onnxruntime.

It reads "[CLS] premise [SEP] hypothesis [SEP]" and answers entailment /
neutral / contradiction. A long premise is cut into sentence-aligned token
windows (as tier 1 does) so that one injected sentence is read on its own,
and the worst window counts. Special tokens written in the text are plain
text to the tokenizer, so a text cannot forge the premise/hypothesis boundary.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.tiers.embedding import CLS_ID, SEP_ID, token_windows
from engine.tiers.runtime import open_session
from engine.wordpiece import WordPiece

NLI_MODEL = "nli-minilm-l6-int8"
MODEL_DIR = "nli"
LABELS = ("entailment", "neutral", "contradiction")
MAX_TOKENIZE_CHARS = 200_000


@dataclass(frozen=True, slots=True)
class PremiseWindows:
    """A premise's token windows and the character spans (in the premise) they came from."""

    ids: tuple[list[int], ...]
    spans: tuple[tuple[int, int], ...]
    complete: bool  # False if the text was longer than the windows cover
    covered_end: int


def premise_windows(premise: str, tokenizer: WordPiece, *, body: int, max_windows: int) -> PremiseWindows:
    """Sentence-aligned windows of at most `body` tokens over the premise (at most `max_windows`)."""
    part = premise[:MAX_TOKENIZE_CHARS]
    enc = tokenizer.encode(part)
    if not enc.ids:
        return PremiseWindows(([],), ((0, 0),), True, len(premise))
    ranges = token_windows(part, enc.offsets, limit=max_windows + 1, body=body, stride=max(1, body * 3 // 4))
    complete = len(ranges) <= max_windows and len(part) == len(premise)
    ranges = ranges[:max_windows]
    spans = tuple((enc.offsets[a][0], enc.offsets[b - 1][1]) for a, b in ranges)
    return PremiseWindows(tuple(enc.ids[a:b] for a, b in ranges), spans, complete,
                          len(premise) if complete else spans[-1][1])  # fmt: skip


class NliModel:
    """A loaded NLI cross-encoder (ONNX session). Use it through the ModelManager, with tier 2's tokenizer.

    The model was fine-tuned from all-MiniLM-L6-v2 and reads its uncased WordPiece
    vocabulary (the ModelManager entry wordpiece-uncased, which the policy check shares).
    """

    def __init__(self, model_dir: Path, *, threads: int = 1) -> None:
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        labels = tuple(config["labels"])
        if sorted(labels) != sorted(LABELS):
            raise ValueError(f"{model_dir / 'config.json'}: labels {labels} are not {LABELS}")
        self._order = [labels.index(name) for name in LABELS]  # model's output order -> ours
        self.max_len = int(config["max_length"])
        self.session = open_session(model_dir / "model.onnx", threads=threads)
        self._hypotheses: dict[str, list[int]] = {}

    def close(self) -> None:
        self.session = None

    def hypothesis_ids(self, hypothesis: str, tokenizer: WordPiece) -> list[int]:
        ids = self._hypotheses.get(hypothesis)
        if ids is None:
            ids = tokenizer.encode(hypothesis).ids[: self.max_len // 2]  # policies are short: 200 chars
            if len(self._hypotheses) < 256:
                self._hypotheses[hypothesis] = ids
        return ids

    def probabilities(self, premise_ids: list[int], hypothesis_ids: list[int]) -> np.ndarray:
        """(entailment, neutral, contradiction) probabilities of one pair; the premise is cut to fit."""
        room = self.max_len - 3 - len(hypothesis_ids)
        ids = [CLS_ID, *premise_ids[:room], SEP_ID, *hypothesis_ids, SEP_ID]
        batch = np.asarray([ids], dtype=np.int64)
        logits = self.session.run(None, {"input_ids": batch, "attention_mask": np.ones_like(batch)})[0][0]
        logits = logits[self._order].astype(np.float64)
        e = np.exp(logits - logits.max())
        probabilities: np.ndarray = e / e.sum()
        return probabilities

    def pair(self, premise: str, hypothesis: str, tokenizer: WordPiece) -> dict[str, float]:
        """Probabilities for one premise and one hypothesis (the premise's first window if it is long)."""
        hyp = self.hypothesis_ids(hypothesis, tokenizer)
        premise_ids = tokenizer.encode(premise[:MAX_TOKENIZE_CHARS]).ids
        p = self.probabilities(premise_ids, hyp)
        return dict(zip(LABELS, (float(x) for x in p), strict=True))

    def entailment(self, windows: PremiseWindows, hypotheses: Sequence[str], tokenizer: WordPiece) -> np.ndarray:
        """P(entailment) of every (window, hypothesis): shape (windows, hypotheses)."""
        out = np.zeros((len(windows.ids), len(hypotheses)))
        for j, hypothesis in enumerate(hypotheses):
            hyp = self.hypothesis_ids(hypothesis, tokenizer)
            for i, ids in enumerate(windows.ids):
                out[i, j] = self.probabilities(ids, hyp)[0]
        return out


def nli_loader(threads: int = 1) -> Callable[[Path], NliModel]:
    """ModelManager loader for the tier-2 NLI model, running on `threads` CPU threads."""

    def load(models_root: Path) -> NliModel:
        return NliModel(models_root / MODEL_DIR, threads=threads)

    return load


def most_suspicious(
    windows: PremiseWindows, focus: Sequence[tuple[int, int, float]], limit: int, cleared_below: float
) -> PremiseWindows:
    """The `limit` premise windows that overlap tier 1's most suspicious windows, in text order.

    Complete if the candidates covered the text and every window left out overlaps only tier-1
    windows scored below `cleared_below` (tier 1 cleared those parts on its own).
    """
    if len(windows.ids) <= limit:
        return windows
    suspicion = [max((p for a, b, p in focus if a < end and start < b), default=1.0) for start, end in windows.spans]
    chosen = sorted(sorted(range(len(suspicion)), key=lambda i: -suspicion[i])[:limit])
    left_out = set(range(len(suspicion))) - set(chosen)
    complete = windows.complete and all(suspicion[i] < cleared_below for i in left_out)
    return PremiseWindows(
        tuple(windows.ids[i] for i in chosen), tuple(windows.spans[i] for i in chosen), complete,
        windows.covered_end if complete else windows.spans[chosen[-1]][1],
    )  # fmt: skip
