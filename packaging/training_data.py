"""The training CSVs every learned part is built from, in one place (development only).

The shared training split, plus the project's own training data: hard negatives from the over-defense
set (data/overdefense/train.csv: licences, manuals, fiction, e-mails ...) and attacks in other languages
and styles written here (data/attacks/train.csv), and minimal pairs in which the same frame (a role-play, a
hypothetical, an appeal, a document, a second task) carries harmless or attacking content (data/contrast/train.csv).
Only files whose name says "train" are accepted: dev
and test files are for choosing bands and reporting, never for learning.
"""

from __future__ import annotations

import csv
import hashlib
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_TRAIN = ROOT.parent / "shared" / "eval" / "train.csv"
DEFAULT_TRAIN = (
    SHARED_TRAIN,
    ROOT / "data" / "overdefense" / "train.csv",
    ROOT / "data" / "attacks" / "train.csv",
    ROOT / "data" / "contrast" / "train.csv",
)

Row = tuple[str, int, str]  # text, label, category


class TrainingDataError(ValueError):
    """A training file is missing, is not a training split, or cannot be read."""


def check(paths: list[Path]) -> list[Path]:
    for path in paths:
        if "train" not in path.name:
            raise TrainingDataError(f"refusing to learn from {path}: it is not a training split")
        if not path.is_file():
            raise TrainingDataError(f"training file {path} is missing")
    return paths


def read_rows(paths: list[Path] | tuple[Path, ...]) -> list[Row]:
    """(text, label, category) of every row of every file, in order."""
    csv.field_size_limit(2**31 - 1)
    rows: list[Row] = []
    for path in check(list(paths)):
        with path.open(newline="", encoding="utf-8") as fh:
            rows += [(r["text"], int(r["label"]), r.get("category", "")) for r in csv.DictReader(fh)]
    return rows


def is_english(language: str, category: str) -> bool:
    """A row is English unless its `language` column names another language or its category says so
    (the shared split's benign_nonenglish)."""
    return language in ("", "en") and category != "benign_nonenglish"


def english(paths: list[Path] | tuple[Path, ...]) -> list[bool]:
    """Per row of read_rows(paths): is it English?"""
    out: list[bool] = []
    for path in check(list(paths)):
        with path.open(newline="", encoding="utf-8") as fh:
            out += [is_english(r.get("language", ""), r.get("category", "")) for r in csv.DictReader(fh)]
    return out


def provenance(paths: list[Path] | tuple[Path, ...]) -> list[dict[str, str]]:
    """What a manifest records of its training data: each file (relative to the repository) and its sha256."""
    return [{"file": Path(os.path.relpath(p.resolve(), ROOT)).as_posix(),
             "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in paths]  # fmt: skip
