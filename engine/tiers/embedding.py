"""Tier 1's model: multilingual-e5-small, int8, under onnxruntime, with its own tokenizer and word table.

Texts longer than the model's window are cut into overlapping token windows;
each window gets its own embedding so that one injected sentence in a long
benign text is not averaged away. The number of windows is bounded and the
caller learns which part of the text the windows covered.

The model reads text in about a hundred languages, so a decision learnt on
English attacks carries over to their translations. Its graph takes word
embeddings rather than token ids: the 250,002-row word table stays in a file and
only the rows a text needs are read (engine/wordtable.py), so it is never resident.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from engine.assets import AssetError
from engine.tiers.runtime import open_session
from engine.unigram import Unigram
from engine.wordpiece import WordPiece
from engine.wordtable import WordTable

EMBEDDING_MODEL = "e5-small-int8"
MODEL_DIR = "e5"
# Short, sentence-aligned windows: one injected sentence must dominate the window it
# sits in, not be averaged away by a paragraph of benign prose (most attacks are short).
WINDOW_TOKENS = 64  # at most, with the special tokens around a window (tier 1 adds e5's 3-token prefix)
MIN_WINDOW_TOKENS = 16  # a window closes at the first sentence end after this many tokens
MIN_LINE_WINDOW_TOKENS = 40  # ... or at a bare line break after this many (code, logs: keep lines together)
STRIDE_TOKENS = 48  # a sentence longer than a window is cut with this stride
DEFAULT_MAX_WINDOWS = 32
_SENTENCE_END = frozenset(".!?;。！？；…")
MAX_TOKENIZE_CHARS = 200_000  # tokenizing is linear, but bounded all the same
CLS_ID, SEP_ID = 101, 102  # [CLS] and [SEP] in tier 2's uncased vocabulary (load_tokenizer checks them)


@dataclass(frozen=True, slots=True)
class Windows:
    """Embeddings of a text's windows and the character spans they came from."""

    vectors: np.ndarray  # (n, dim) float32, L2-normalised
    spans: tuple[tuple[int, int], ...]  # character span of each window in the embedded text
    covered_end: int  # characters [0, covered_end) of the embedded text were covered
    complete: bool  # True if the whole text was covered


class EmbeddingModel:
    """A loaded encoder: ONNX session, tokenizer and word table. Use it through the ModelManager."""

    def __init__(self, model_dir: Path, *, threads: int = 1) -> None:
        self.tokenizer = Unigram.from_dir(model_dir)
        self.table = WordTable(model_dir / "word_table.q4")
        if self.table.rows < len(self.tokenizer):
            self.table.close()
            raise AssetError(f"{model_dir / 'word_table.q4'}: {self.table.rows} rows for {len(self.tokenizer)} pieces")
        self.session = open_session(model_dir / "model.onnx", threads=threads)
        self._lead = [self.tokenizer.bos_id, *self.tokenizer.prefix_ids]  # <s> query: ... (e5's prefix)
        self.special_tokens = len(self._lead) + 1  # with </s>: what a window adds to the text's tokens

    def close(self) -> None:
        """Drop the session and the table (the ModelManager then returns freed memory to the OS)."""
        self.session = None
        self.table.close()

    def embed_ids(self, window: list[int]) -> np.ndarray:
        """The embedding (1, dim) of one token-id window (without <s>, prefix and </s>)."""
        ids = [*self._lead, *window, self.tokenizer.eos_id]
        feed = {"inputs_embeds": self.table.lookup(ids)[None], "attention_mask": np.ones((1, len(ids)), np.int64)}
        # the graph pools and normalises itself; normalising again is cheap insurance
        out: np.ndarray = self.session.run(None, feed)[0].astype(np.float32)
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out

    def embed_text(self, text: str, *, max_windows: int = DEFAULT_MAX_WINDOWS) -> Windows:
        """Embed a text as overlapping windows; at most max_windows, starting from its beginning."""
        part = text[:MAX_TOKENIZE_CHARS]
        enc = self.tokenizer.encode(part)
        ids, offsets = enc.ids, enc.offsets
        if not ids:
            return Windows(self.embed_ids([]), ((0, 0),), len(text), True)
        ranges = token_windows(part, offsets, limit=max_windows + 1)
        complete = len(ranges) <= max_windows and len(part) == len(text)
        ranges = ranges[:max_windows]
        spans = tuple((offsets[a][0], offsets[b - 1][1]) for a, b in ranges)
        covered_end = len(text) if complete else spans[-1][1]
        # one window per run: padding a batch to its longest window costs more than it saves
        vectors = np.vstack([self.embed_ids(ids[a:b]) for a, b in ranges])
        return Windows(vectors, spans, covered_end, complete)


def token_windows(
    text: str, offsets: list[tuple[int, int]], *, limit: int, body: int = WINDOW_TOKENS - 2, stride: int = STRIDE_TOKENS
) -> list[tuple[int, int]]:
    """Token ranges [a, b) to embed: the whole text if it fits one window, else sentence-aligned pieces.

    A window closes at the first sentence end (., !, ?, ;) once it holds
    MIN_WINDOW_TOKENS tokens, or at a line break once it holds
    MIN_LINE_WINDOW_TOKENS; a sentence longer than a window is cut into
    overlapping pieces of `body` tokens (the window without [CLS]/[SEP]),
    `stride` apart. At most `limit` ranges are returned.
    """
    n = len(offsets)
    if n <= body:
        return [(0, n)]
    out: list[tuple[int, int]] = []
    start = 0
    i = 0
    while i < n and len(out) < limit:
        if i + 1 - start >= body:  # no sentence end in reach: cut, and overlap the next piece
            out.append((start, i + 1))
            start = i = start + stride
            continue
        end_char = offsets[i][1]
        next_start, next_end = offsets[i + 1] if i + 1 < n else (len(text), len(text))
        # WordPiece's tokens hold no white space; SentencePiece's carry the space before a word
        following = text[next_start:next_end]
        gap = text[end_char:next_start] + following[: len(following) - len(following.lstrip())]
        size = i + 1 - start
        sentence = text[offsets[i][0] : end_char].strip() in _SENTENCE_END and (gap or i + 1 == n)
        if (sentence and size >= MIN_WINDOW_TOKENS) or ("\n" in gap and size >= MIN_LINE_WINDOW_TOKENS):
            out.append((start, i + 1))
            start = i + 1
        i += 1
    if start < n and len(out) < limit:
        if out and out[-1][1] == start and n - out[-1][0] <= body:  # a short tail joins the window before
            out[-1] = (out[-1][0], n)
        else:
            out.append((start, n))
    return out


TOKENIZER_MODEL = "wordpiece-uncased"
TOKENIZER_FILE = "nli/tokenizer.json"  # the uncased vocabulary tier 2's model was trained with


def load_tokenizer(models_root: Path) -> WordPiece:
    """ModelManager loader for tier 2's tokenizer (the NLI model and the policy check share it)."""
    tokenizer = WordPiece.from_file(models_root / TOKENIZER_FILE)
    if (tokenizer.cls_id, tokenizer.sep_id) != (CLS_ID, SEP_ID):
        raise AssetError(f"{models_root / TOKENIZER_FILE}: not the uncased vocabulary the models were trained with")
    return tokenizer


def embedding_loader(threads: int = 1) -> Callable[[Path], EmbeddingModel]:
    """ModelManager loader for the tier-1 embedding model, running on `threads` CPU threads."""

    def load(models_root: Path) -> EmbeddingModel:
        return EmbeddingModel(models_root / MODEL_DIR, threads=threads)

    return load
