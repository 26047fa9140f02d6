"""The model side of tiers 1 and 2: what runs where the models are, in this process or in the model host.

Every operation takes and returns plain data (strings, numbers, lists, dicts), so
one function serves both the in-process path and the model host's protocol, and
both give the same numbers: a float survives JSON exactly. The tiers turn these
numbers into findings; nothing here decides.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.logistic import sigmoid
from engine.models import ModelManager, ModelSpec, ModelUnavailable, specs_from_manifest
from engine.procmem import trim_heap
from engine.tiers.embedding import (
    EMBEDDING_MODEL,
    TOKENIZER_FILE,
    TOKENIZER_MODEL,
    EmbeddingModel,
    embedding_loader,
    load_tokenizer,
)
from engine.tiers.head import HEAD_MODEL, Head, load_head
from engine.tiers.nli import NLI_MODEL, NliModel, most_suspicious, nli_loader, premise_windows

FOCUS_CANDIDATES = 64  # premise windows considered when tier 1's window scores choose which to read

Result = dict[str, Any]


def model_specs(root: Path | None = None, *, threads: int = 1) -> list[ModelSpec]:
    """The models the engine knows, with files and provenance from assets/models/manifest.json."""
    loaders = {
        EMBEDDING_MODEL: (1, embedding_loader(threads)),
        HEAD_MODEL: (1, load_head),
        NLI_MODEL: (2, nli_loader(threads)),
    }
    specs = specs_from_manifest(loaders, root)
    # tier 2's tokenizer is the NLI model's tokenizer.json, verified against that entry's sha256
    nli = next(s for s in specs if s.name == NLI_MODEL)
    files = tuple(f for f in nli.files if f.path == TOKENIZER_FILE)
    specs.insert(2, ModelSpec(TOKENIZER_MODEL, 2, files, load_tokenizer if files else _no_tokenizer,
                              nli.licence, nli.source))  # fmt: skip
    return specs


def _no_tokenizer(_: Path) -> Any:
    raise ModelUnavailable(f"{TOKENIZER_FILE} is not listed in the manifest entry of {NLI_MODEL}")


def embed_and_score(manager: ModelManager, args: Result) -> Result:
    """Tier 1: per view ([text, max windows] or [text, max windows, its own lexical logit]), each window's span,
    head logit and probability, nearest exemplar.

    args: views, lexical_logit (the text's lexical prior as a logit), rules (tier 0's rule score).
    """
    lexical, rules = float(args["lexical_logit"]), float(args["rules"])
    views = []
    with manager.use(EMBEDDING_MODEL) as embedding, manager.use(HEAD_MODEL) as loaded_head:
        model: EmbeddingModel = embedding
        head: Head = loaded_head
        for text, limit, *own in args["views"]:
            win = model.embed_text(str(text), max_windows=int(limit))
            cosine, nearest, benign = head.similarities(win.vectors)
            z = head.logits(win.vectors, float(own[0]) if own else lexical, cosine, rules, benign)
            logits = z.tolist()
            _finite(logits, EMBEDDING_MODEL)
            views.append({
                "spans": [list(span) for span in win.spans], "complete": win.complete,
                "covered_end": win.covered_end, "z": logits, "p": sigmoid(z).tolist(),
                "cosine": cosine.tolist(), "category": [head.categories[int(head.bank_category[i])] for i in nearest],
            })  # fmt: skip
    trim_heap()  # inference buffers are freed by now: hand the pages back rather than let the heap grow
    return {"views": views}


def entail(manager: ModelManager, args: Result) -> Result:
    """Tier 2 and the policy check: per view ([text, max windows]), each premise window's span and its
    entailment probability of every hypothesis.

    args: views, hypotheses; optional context (other hypotheses whose length counts for the window size),
    focus ([start, end, probability] of tier 1's windows on the first view) and cleared_below (tier 1's
    allow band: windows left out that tier 1 scored below it count as read).
    """
    hypotheses = [str(h) for h in args["hypotheses"]]
    context = [str(h) for h in args.get("context", ())]
    focus = [(int(a), int(b), float(p)) for a, b, p in args.get("focus", ())]
    cleared_below = float(args.get("cleared_below", 0.0))
    views = []
    with manager.use(TOKENIZER_MODEL) as tokenizer, manager.use(NLI_MODEL) as nli:
        model: NliModel = nli
        longest = max(len(model.hypothesis_ids(h, tokenizer)) for h in (*hypotheses, *context))
        body = model.max_len - 3 - longest
        for vi, (text, limit) in enumerate(args["views"]):
            if vi == 0 and focus:
                candidates = premise_windows(str(text), tokenizer, body=body, max_windows=FOCUS_CANDIDATES)
                windows = most_suspicious(candidates, focus, int(limit), cleared_below)
            else:
                windows = premise_windows(str(text), tokenizer, body=body, max_windows=int(limit))
            probs = model.entailment(windows, hypotheses, tokenizer).tolist()
            for row in probs:
                _finite(row, NLI_MODEL)
            views.append({"spans": [list(span) for span in windows.spans], "complete": windows.complete,
                          "covered_end": windows.covered_end, "entailment": probs})  # fmt: skip
    trim_heap()
    return {"views": views}


def _finite(values: Sequence[float], model: str) -> None:
    if not all(math.isfinite(v) for v in values):
        raise ModelUnavailable(f"model {model} returned a score that is not a number")


OPERATIONS: dict[str, Callable[[ModelManager, Result], Result]] = {
    "embed_and_score": embed_and_score,
    "entail": entail,
}


def run(manager: ModelManager, op: str, args: Result) -> Result:
    """One operation on the models `manager` holds. Raises ModelUnavailable if a model cannot be used."""
    try:
        operation = OPERATIONS[op]
    except KeyError:
        raise ValueError(f"unknown model operation {op!r}; known: {', '.join(OPERATIONS)}") from None
    return operation(manager, args)
