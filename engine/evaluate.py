"""Detection metrics on labelled data: the numbers every change is judged by.

A prediction is positive when the decision is not "allow". The JSON keys are
fixed (see the engine issue) so that runs can be compared across versions.
"""

from __future__ import annotations

import csv
import gzip
import json
import sys
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from engine.errors import TierwallError
from engine.procmem import peak_rss_mib
from engine.verdict import SENSITIVE_CATEGORIES, Verdict

TIERS = ("0", "1", "2")


class DatasetError(TierwallError, ValueError):
    """The data file cannot be used; the message says why and where."""


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    label: int
    category: str
    source: str
    line: int
    language: str = ""  # the optional `language` column (ISO code), for the per-language table


def read_dataset(path: Path, limit: int | None = None) -> list[Row]:
    """Rows of a CSV with columns text,label[,category,source,language]; label 1 attack, 0 benign."""
    csv.field_size_limit(sys.maxsize if sys.maxsize < 2**63 else 2**31 - 1)
    rows: list[Row] = []
    try:
        with path.open(newline="", encoding="utf-8", errors="replace") as fh:
            reader = csv.DictReader(fh)
            fields = reader.fieldnames or []
            if "text" not in fields or "label" not in fields:
                raise DatasetError(f"{path}: needs columns 'text' and 'label' (found {fields or 'none'})")
            for raw in reader:
                label = (raw.get("label") or "").strip()
                if label not in ("0", "1"):
                    raise DatasetError(f"{path}:{reader.line_num}: label must be 0 or 1, got {label!r}")
                rows.append(Row(raw.get("text") or "", int(label), raw.get("category") or "",
                                raw.get("source") or "", reader.line_num, raw.get("language") or ""))  # fmt: skip
                if limit is not None and len(rows) >= limit:
                    break
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except csv.Error as exc:
        raise DatasetError(f"{path}: not a readable CSV file: {exc}") from exc
    if not rows:
        raise DatasetError(f"{path}: no rows")
    return rows


def _share(counter: Counter[str], total: int) -> dict[str, float]:
    return {t: round(counter[t] / total, 4) if total else 0.0 for t in TIERS}


NO_SOURCE = "(no source)"


class _SourceTally:
    """Counts per value of the `source` column: a mean over all rows hides the source a detector fails on."""

    def __init__(self) -> None:
        self.rows: Counter[str] = Counter()
        self.positive: Counter[tuple[str, int]] = Counter()  # (source, label) -> flagged rows
        self.label: Counter[tuple[str, int]] = Counter()  # (source, label) -> rows
        self.tier: Counter[tuple[str, str]] = Counter()  # (source, tier) -> rows decided

    def add(self, source: str, label: int, tier: str, positive: bool) -> None:
        self.rows[source] += 1
        self.label[(source, label)] += 1
        self.positive[(source, label)] += positive
        self.tier[(source, tier)] += 1

    def table(self) -> dict[str, dict[str, Any]]:
        """Per source: rows, labels present, recall on its attacks, FPR on its benign rows, share decided per tier."""
        out = {}
        for source in sorted(self.rows):
            attacks, benign = self.label[(source, 1)], self.label[(source, 0)]
            out[source] = {
                "n": self.rows[source],
                "label": ",".join(str(label) for label in (0, 1) if self.label[(source, label)]),
                "recall": round(self.positive[(source, 1)] / attacks, 4) if attacks else None,
                "fpr": round(self.positive[(source, 0)] / benign, 4) if benign else None,
                "decided_by_tier": {t: round(self.tier[(source, t)] / self.rows[source], 4) for t in TIERS},
            }
        return out


@dataclass(frozen=True, slots=True)
class EvalResult:
    metrics: dict[str, Any]  # exactly the documented JSON keys
    decisions: dict[str, dict[str, float]]  # "attack"/"benign" -> share of allow/warn/block
    errors: list[tuple[Row, Verdict]]  # misclassified rows, for study
    per_source: dict[str, dict[str, Any]]  # source -> n, label, recall, fpr, decided_by_tier (JSON "per_source")
    per_language: dict[str, dict[str, Any]] = field(default_factory=dict)  # the same by `language` ({} without one)


def leak_only(verdict: Verdict) -> bool:
    """Flagged, but only for a secret or personal data: a leak warning, not an alarm that the text is an attack."""
    return verdict.decision != "allow" and bool(verdict.categories) and set(verdict.categories) <= SENSITIVE_CATEGORIES


def evaluate(
    scan: Callable[[str], Verdict], rows: Iterable[Row], progress: Callable[[int], None] | None = None
) -> EvalResult:
    """Scan every row and measure."""
    tp = fp = fn = tn = 0
    fp_leak_only = 0  # benign rows flagged only for a secret or personal data, not as an attack
    cat_total: Counter[str] = Counter()
    cat_pos: Counter[str] = Counter()
    cat_label: dict[str, int] = {}
    by_tier: Counter[str] = Counter()
    benign_by_tier: Counter[str] = Counter()
    attack_allowed_by_tier: Counter[str] = Counter()
    decisions: dict[int, Counter[str]] = {0: Counter(), 1: Counter()}
    latencies: list[float] = []
    errors: list[tuple[Row, Verdict]] = []
    sources = _SourceTally()
    languages = _SourceTally()
    n = n_attack = n_benign = 0
    for row in rows:
        t = time.perf_counter()
        verdict = scan(row.text)
        latencies.append((time.perf_counter() - t) * 1000)
        positive = verdict.decision != "allow"
        tier = str(verdict.tier)
        n += 1
        by_tier[tier] += 1
        decisions[row.label][verdict.decision] += 1
        cat = row.category or ("attack" if row.label else "benign")
        cat_total[cat] += 1
        cat_label[cat] = row.label
        cat_pos[cat] += positive
        sources.add(row.source or NO_SOURCE, row.label, tier, positive)
        if row.language:
            languages.add(row.language, row.label, tier, positive)
        if row.label == 1:
            n_attack += 1
            if positive:
                tp += 1
            else:
                fn += 1
                attack_allowed_by_tier[tier] += 1
        else:
            n_benign += 1
            benign_by_tier[tier] += 1
            if positive:
                fp += 1
                fp_leak_only += leak_only(verdict)
            else:
                tn += 1
        if positive != bool(row.label):
            errors.append((row, verdict))
        if progress is not None:
            progress(n)
    tpr = tp / n_attack if n_attack else 0.0
    fpr = fp / n_benign if n_benign else 0.0
    precision = tp / (tp + fp) if tp + fp else 0.0
    f1 = 2 * precision * tpr / (precision + tpr) if precision + tpr else 0.0
    lat = np.array(latencies) if latencies else np.zeros(1)
    metrics: dict[str, Any] = {
        "n": n,
        "tpr": round(tpr, 4),
        "fpr": round(fpr, 4),
        "fpr_attack": round((fp - fp_leak_only) / n_benign, 4) if n_benign else 0.0,
        "fpr_leak_only": round(fp_leak_only / n_benign, 4) if n_benign else 0.0,
        "f1": round(f1, 4),
        "tpr_by_category": {c: round(cat_pos[c] / cat_total[c], 4) for c in sorted(cat_total) if cat_label[c] == 1},
        "fpr_by_category": {c: round(cat_pos[c] / cat_total[c], 4) for c in sorted(cat_total) if cat_label[c] == 0},
        "decided_by_tier": _share(by_tier, n),
        "benign_decided_by_tier": _share(benign_by_tier, n_benign),
        "attack_allowed_by_tier": _share(attack_allowed_by_tier, n_attack),
        "latency_ms": {
            "p50": round(float(np.percentile(lat, 50)), 4),
            "p95": round(float(np.percentile(lat, 95)), 4),
            "p99": round(float(np.percentile(lat, 99)), 4),
            "max": round(float(lat.max()), 4),
        },
        "peak_rss_mib": round(peak_rss_mib(), 1),
    }
    shares = {
        name: {d: round(decisions[label][d] / max(1, sum(decisions[label].values())), 4)
               for d in ("allow", "warn", "block")}
        for name, label in (("attack", 1), ("benign", 0))
    }  # fmt: skip
    return EvalResult(metrics, shares, errors, sources.table(), languages.table())


# -- NLI accuracy (tierwall models nli-eval) ---------------------------------
NLI_LABELS = ("entailment", "neutral", "contradiction")


NLI_LAYOUTS = "SNLI's {sentence1, sentence2, gold_label} or {premise, hypothesis, label}"
GZIP_MAGIC = b"\x1f\x8b"


def open_text(path: Path) -> IO[str]:
    """The file as UTF-8 text; gzip data (known by its first bytes, whatever the name) is decompressed as read."""
    with path.open("rb") as fh:
        compressed = fh.read(2) == GZIP_MAGIC
    return gzip.open(path, "rt", encoding="utf-8") if compressed else path.open(encoding="utf-8")


def read_nli_jsonl(path: Path, limit: int | None = None) -> list[tuple[str, str, str]]:
    """(premise, hypothesis, gold label) rows of JSON lines, plain or gzip-compressed; gold label "-" is skipped.

    Accepts SNLI's keys (sentence1, sentence2, gold_label) and the plain ones (premise, hypothesis, label),
    so SNLI's own files and the ones packaging/ writes both work. A malformed line, damaged gzip data or
    text that is not UTF-8 is a ValueError that names the file (and the line where it can).
    """
    rows: list[tuple[str, str, str]] = []
    number = 0
    with open_text(path) as fh:
        try:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                row = _nli_row(json.loads(line), path, number)
                if row is None:
                    continue
                rows.append(row)
                if limit and len(rows) >= limit:
                    break
        except UnicodeDecodeError:
            raise ValueError(f"{path}: not UTF-8 text{_after(number)}") from None
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}:{number}: not a JSON object ({exc})") from None
        except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
            raise ValueError(f"{path}: damaged gzip data{_after(number)} ({exc})") from None
    return rows


def _after(number: int) -> str:
    return f" after line {number}" if number else ""


def _nli_row(obj: object, path: Path, number: int) -> tuple[str, str, str] | None:
    if not isinstance(obj, dict):
        raise ValueError(f"{path}:{number}: not a JSON object")
    premise = obj.get("sentence1", obj.get("premise"))
    hypothesis = obj.get("sentence2", obj.get("hypothesis"))
    label = obj.get("gold_label", obj.get("label"))
    if label == "-":
        return None
    if not isinstance(premise, str) or not isinstance(hypothesis, str) or label not in NLI_LABELS:
        raise ValueError(f"{path}:{number}: needs {NLI_LAYOUTS}, the label one of {', '.join(NLI_LABELS)}")
    return premise, hypothesis, label


def nli_accuracy(rows: list[tuple[str, str, str]], classify: Callable[[str, str], dict[str, float]]) -> dict[str, Any]:
    """Accuracy and confusion counts of `classify(premise, hypothesis) -> probabilities`."""
    confusion: Counter[tuple[str, str]] = Counter()
    for premise, hypothesis, gold in rows:
        probs = classify(premise, hypothesis)
        confusion[(gold, max(probs, key=probs.__getitem__))] += 1
    correct = sum(n for (gold, pred), n in confusion.items() if gold == pred)
    return {
        "n": len(rows),
        "accuracy": round(correct / len(rows), 4) if rows else None,
        "confusion": {g: {p: confusion[(g, p)] for p in NLI_LABELS} for g in NLI_LABELS},
    }
