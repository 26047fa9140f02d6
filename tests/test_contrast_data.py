"""data/contrast: the minimal-pair training set is well formed, rebuilds exactly and cannot leak.

The file is training data only (no split of its own); the project measures on data/attacks/dev.csv,
data/overdefense/test.csv and ../shared/eval/dev.csv, so no run of eight words of a contrast row may
occur in any of them.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "contrast" / "train.csv"
_PATH = ROOT / "packaging" / "build_contrast.py"
ATTACK = {"injection", "jailbreak"}
BENIGN = {"benign", "benign_hard"}
SHINGLE = 8  # words
MEASURING = {
    "shared-eval-dev": ROOT.parent / "shared" / "eval" / "dev.csv",
    "attacks-dev": ROOT / "data" / "attacks" / "dev.csv",
    "overdefense-test": ROOT / "data" / "overdefense" / "test.csv",
}
OPTIONAL = {"shared-eval-dev"}  # lives beside the repository, not in it


@pytest.fixture(scope="module")
def gen():
    """The script as a module (packaging/ is not a package)."""
    spec = importlib.util.spec_from_file_location("tierwall_build_contrast", _PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    with DATA.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def shingles(text: str) -> set[str]:
    words = text.lower().split()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def test_rebuild_is_byte_identical(gen, tmp_path):
    assert gen.main(["--out", str(tmp_path), "--quiet"]) == 0
    built = (tmp_path / "train.csv").read_bytes()
    assert built == DATA.read_bytes(), "data/contrast/train.csv is stale: run packaging/build_contrast.py"


def test_columns_labels_and_categories(rows, gen):
    with DATA.open(newline="", encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == list(gen.COLUMNS)
    assert len(rows) >= 2500
    slot = re.compile(r"\{\^?[a-z][a-z0-9_]*\}")
    for row in rows:
        assert row["label"] in ("0", "1"), row
        assert row["category"] in (ATTACK if row["label"] == "1" else BENIGN), row
        assert row["style"] in gen.STYLES, row
        assert row["source"] == "tierwall-gen:contrast-" + row["style"].replace("_", "-"), row
        assert row["language"] == "en", row
        assert row["family"].startswith(f"en.contrast.{row['style']}."), row
        assert row["text"] == row["text"].strip() and len(row["text"]) >= 20, row
        if row["style"] != "adv_suffix":  # token soup may put a word between braces
            assert not slot.search(row["text"]), row["text"]  # every slot filled


def test_texts_are_unique(rows, gen):
    seen: dict[str, str] = {}
    for row in rows:
        key = gen.norm(row["text"])
        assert key not in seen, f"{row['family']} repeats a {seen[key]} text: {row['text'][:80]!r}"
        seen[key] = row["family"]


def test_every_style_has_both_labels_roughly_balanced(rows, gen):
    counts = Counter((r["style"], r["label"]) for r in rows)
    for style in gen.STYLES:
        attacks, benign = counts[(style, "1")], counts[(style, "0")]
        assert attacks and benign, style
        assert 0.35 <= attacks / (attacks + benign) <= 0.65, (style, attacks, benign)


def test_families_are_minimal_pairs(rows):
    """Each family (one frame) holds as many harmless rows as attacking ones: they come in twins."""
    by_family: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        by_family[r["family"]][r["label"]] += 1
    for family, c in by_family.items():
        assert c["0"] == c["1"] > 0, (family, dict(c))


@pytest.mark.parametrize("name", sorted(MEASURING))
def test_no_eight_word_run_in_the_measuring_files(rows, name):
    path = MEASURING[name]
    if not path.is_file():
        if name in OPTIONAL:
            pytest.skip(f"{path} is absent")
        pytest.fail(f"{path} is missing")
    ours: dict[str, str] = {}
    for row in rows:
        for sh in shingles(row["text"]):
            ours.setdefault(sh, row["family"])
    csv.field_size_limit(2**31 - 1)
    hits: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh):
            for sh in shingles(rec["text"]) & ours.keys():
                hits[sh] = ours[sh]
    assert not hits, f"{len(hits)} contrast word runs occur in {name}: " + "; ".join(
        f"{fam}: {sh!r}" for sh, fam in sorted(hits.items(), key=lambda kv: kv[1])[:20]
    )
