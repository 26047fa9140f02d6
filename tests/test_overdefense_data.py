"""The over-defense set (data/overdefense, built by packaging/build_overdefense.py) is what it says it is."""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "packaging"))

from build_overdefense import CATEGORIES, COLUMNS, SHARED_EVAL, norm  # noqa: E402

DATA = ROOT / "data" / "overdefense"
SHARED = SHARED_EVAL
KINDS = set(CATEGORIES)
MIN_TEST_ROWS = 40


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    csv.field_size_limit(2**31 - 1)
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict[str, str]]]:
    out = {}
    for name in ("train", "test"):
        fields, rows = read(DATA / f"{name}.csv")
        assert fields == COLUMNS, f"{name}.csv columns"
        out[name] = rows
    return out


def test_enough_rows(splits):
    assert len(splits["train"]) + len(splits["test"]) >= 1500
    share = len(splits["test"]) / (len(splits["train"]) + len(splits["test"]))
    assert 0.3 <= share <= 0.5, share


def test_every_row_is_benign_and_described(splits):
    for name, rows in splits.items():
        for i, r in enumerate(rows, start=2):
            assert r["label"] == "0", (name, i)
            assert r["category"] in KINDS, (name, i, r["category"])
            for col in ("text", "source", "doc", "part", "licence"):
                assert r[col].strip(), (name, i, col)


def test_sections_are_paste_sized(splits):
    for name, rows in splits.items():
        for r in rows:
            if r["part"].startswith("section") or r["part"].startswith("install"):
                assert 300 <= len(r["text"]) <= 3000, (name, r["doc"], r["part"], len(r["text"]))


def test_no_duplicate_texts(splits):
    keys = Counter(norm(r["text"]) for rows in splits.values() for r in rows)
    dupes = [k[:80] for k, n in keys.items() if n > 1]
    assert not dupes, dupes[:5]


def test_split_by_document(splits):
    train_docs = {r["doc"] for r in splits["train"]}
    test_docs = {r["doc"] for r in splits["test"]}
    assert not train_docs & test_docs, sorted(train_docs & test_docs)[:5]


def test_every_kind_in_both_splits(splits):
    for name, rows in splits.items():
        counts = Counter(r["category"] for r in rows)
        assert set(counts) == KINDS, (name, KINDS - set(counts))
        if name == "test":
            small = {k: n for k, n in counts.items() if n < MIN_TEST_ROWS}
            assert not small, small


@pytest.mark.skipif(not (SHARED / "train.csv").exists(), reason="shared eval data not on this machine")
def test_no_overlap_with_shared_train_dev(splits):
    shared: set[str] = set()
    for name in ("train.csv", "dev.csv"):
        _, rows = read(SHARED / name)
        shared.update(norm(r["text"]) for r in rows)
    ours = {norm(r["text"]) for rows in splits.values() for r in rows}
    overlap = ours & shared
    assert not overlap, sorted(overlap)[:3]
