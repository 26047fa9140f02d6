"""data/attacks: the generated multilingual and new-style attack set is well formed and cannot leak.

What matters for a dev set that measures generalisation: no text in both splits, no template family
in both splits, every language in both splits with attacks and benign rows, and a generator that
rebuilds exactly the committed files.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from engine.evaluate import read_dataset

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "attacks"
_PATH = ROOT / "packaging" / "build_attacks.py"
ATTACK = {"injection", "jailbreak", "obfuscated"}
BENIGN = {"benign", "benign_hard", "benign_nonenglish"}


@pytest.fixture(scope="module")
def gen():
    """The script as a module (packaging/ is not a package)."""
    spec = importlib.util.spec_from_file_location("tierwall_build_attacks", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _read(split: str) -> list[dict[str, str]]:
    with (DATA / f"{split}.csv").open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict[str, str]]]:
    return {split: _read(split) for split in ("train", "dev")}


def test_columns_and_labels(splits, gen):
    for split, rows in splits.items():
        with (DATA / f"{split}.csv").open(newline="", encoding="utf-8") as fh:
            assert next(csv.reader(fh)) == list(gen.COLUMNS)
        assert rows, split
        for row in rows:
            assert row["label"] in ("0", "1"), row
            assert row["category"] in (ATTACK if row["label"] == "1" else BENIGN), row
            assert row["language"] in gen.ALL_LANGUAGES, row
            assert row["source"].startswith("tierwall-gen:"), row
            assert row["family"] and row["style"], row
            assert row["text"].strip() == row["text"] and len(row["text"]) >= 8, row
            assert "{" + "task}" not in row["text"] and "\x00" not in row["text"], row  # every slot filled


def test_tierwall_eval_reads_them():
    for split in ("train", "dev"):
        rows = read_dataset(DATA / f"{split}.csv")
        assert {r.label for r in rows} == {0, 1}


def test_no_duplicate_text_within_or_across_splits(splits, gen):
    seen: dict[str, str] = {}
    for split, rows in splits.items():
        for row in rows:
            key = gen.norm(row["text"])
            assert key not in seen, f"{split} repeats a {seen.get(key)} text: {row['text'][:80]!r}"
            seen[key] = split


def test_no_family_in_both_splits(splits):
    families = {split: {r["family"] for r in rows} for split, rows in splits.items()}
    assert not families["train"] & families["dev"]
    # a family's rows share one language and one style
    for rows in splits.values():
        by_family: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for r in rows:
            by_family[r["family"]].add((r["language"], r["style"]))
        assert all(len(v) == 1 for v in by_family.values())


def test_every_language_in_both_splits_with_both_labels(splits, gen):
    for split, rows in splits.items():
        counts = Counter((r["language"], r["label"]) for r in rows)
        for lang in gen.ALL_LANGUAGES:
            assert counts[(lang, "1")] >= 50, (split, lang, "attacks")
            assert counts[(lang, "0")] >= 50, (split, lang, "benign")


def test_dev_templates_are_not_train_templates(gen):
    """Families in dev use their own templates and fillers: no template line is shared by the splits."""
    for lang in gen.LANGUAGES:
        pf = gen.read_phrase_file(gen.TEMPLATES / f"{lang}.txt")
        lines = {split: {t for f in pf.families if f.split == split for t in f.templates} for split in gen.SPLITS}
        assert not lines["train"] & lines["dev"], lang
        for slot in pf.fillers["train"]:
            shared = {v for v in pf.fillers["train"][slot] if v} & set(pf.fillers["dev"].get(slot, []))
            assert not shared, (lang, slot, shared)


def test_generator_is_deterministic_and_matches_the_files(gen, tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    gen.write(gen.build(), first)
    gen.write(gen.build(), second)
    for split in ("train.csv", "dev.csv"):
        built = (first / split).read_bytes()
        assert built == (second / split).read_bytes(), split
        assert built == (DATA / split).read_bytes(), f"{split} is stale: run packaging/build_attacks.py"


def _strings(value) -> set[str]:
    if isinstance(value, str):
        return {value}
    if isinstance(value, dict):
        return set().union(*(_strings(v) for v in value.values())) if value else set()
    return set().union(*(_strings(v) for v in value)) if value else set()


def test_english_pieces_are_split_specific(gen):
    """Every table of English pieces keyed by split keeps train and dev apart (templates, fillers, carriers)."""
    tables = {k: v for k, v in vars(gen).items() if isinstance(v, dict) and set(v) == {"train", "dev"}}
    assert len(tables) >= 15
    for name, table in tables.items():
        shared = _strings(table["train"]) & _strings(table["dev"])
        shared.discard("")
        assert not shared, (name, sorted(shared)[:5])
