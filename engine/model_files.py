"""What the manifest says about each model, and whether the files on disk match it.

assets/models/manifest.json lists every model's files with their size and sha256;
a model is loaded only after its files were checked against it (engine.models).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.assets import AssetError, assets_dir
from engine.errors import TierwallError


class ModelUnavailable(TierwallError, RuntimeError):
    """A model cannot be used (missing or corrupt file, failed load); the message says which and why."""


@dataclass(frozen=True, slots=True)
class ModelFile:
    path: str  # relative to assets/models
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What the manager needs to know to load one model."""

    name: str
    tier: int
    files: tuple[ModelFile, ...]
    loader: Callable[[Path], Any]  # gets assets/models, returns the loaded model
    licence: str = ""
    source: str = ""


def _sha256(path: Path) -> str:
    import hashlib  # here, not at the top: OpenSSL is mapped only where model files are hashed

    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_files(spec: ModelSpec, root: Path) -> list[str]:
    """Problems with a model's files (missing, wrong size, wrong sha256); empty if all is well."""
    problems = []
    for f in spec.files:
        path = root / f.path
        if not path.is_file():
            problems.append(f"{path}: missing")
            continue
        size = path.stat().st_size
        if size != f.size:
            problems.append(f"{path}: size {size} bytes, manifest says {f.size}")
            continue
        digest = _sha256(path)
        if digest != f.sha256:
            problems.append(f"{path}: sha256 {digest[:12]}…, manifest says {f.sha256[:12]}…")
    return problems


def verify_ahead(root: Path | None = None) -> dict[str, tuple[tuple[ModelFile, ...], Future[list[str]]]]:
    """Begin checking every model file the manifest lists, on a thread of its own, and return at once.

    The model host calls this first thing, so that the hashing (which releases the GIL) runs while the
    interpreter imports the libraries the models need; ModelManager(verified_ahead=...) then waits for the
    check of a model before its first load instead of starting one.
    """
    root = root or assets_dir() / "models"
    pool = ThreadPoolExecutor(1, thread_name_prefix="tierwall-verify")
    ahead = {}
    for name, entry in read_manifest(root).items():
        files = tuple(ModelFile(f["path"], f["sha256"], int(f["size"])) for f in entry.get("files", ()))
        ahead[name] = (files, pool.submit(verify_files, ModelSpec(name, 0, files, _missing(name, root)), root))
    pool.shutdown(wait=False)
    return ahead


def read_manifest(root: Path | None = None) -> dict[str, dict[str, Any]]:
    """The models section of assets/models/manifest.json ({} if there is none)."""
    path = (root or assets_dir() / "models") / "manifest.json"
    if not path.exists():
        return {}
    try:
        models: dict[str, dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["models"]
        return models
    except (ValueError, KeyError, TypeError) as exc:
        raise AssetError(f"unreadable model manifest {path}: {exc}") from exc


def specs_from_manifest(
    loaders: dict[str, tuple[int, Callable[[Path], Any]]], root: Path | None = None
) -> list[ModelSpec]:
    """One spec per known model, its files and provenance taken from the manifest.

    A model the manifest lacks still gets a spec, whose load fails with a
    message saying so: the tier is then reported unavailable, never skipped.
    """
    root = root or assets_dir() / "models"
    manifest = read_manifest(root)
    specs = []
    for name, (tier, loader) in loaders.items():
        entry = manifest.get(name)
        if entry is None:
            specs.append(ModelSpec(name, tier, (), _missing(name, root)))
            continue
        files = tuple(ModelFile(f["path"], f["sha256"], int(f["size"])) for f in entry.get("files", ()))
        specs.append(ModelSpec(name, tier, files, loader, entry.get("licence", ""), entry.get("source", "")))
    return specs


def _missing(name: str, root: Path) -> Callable[[Path], Any]:
    def loader(_: Path) -> Any:
        raise ModelUnavailable(f"{name} is not listed in {root / 'manifest.json'}")

    return loader
