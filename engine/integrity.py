"""Every asset file is listed in assets/SHA256SUMS; an engine does not start on assets that differ from it.

An emptied rules file or a garbled table would otherwise switch a detection off
without a word. The list is in `sha256sum` format (`cd assets && sha256sum -c
SHA256SUMS` checks it by hand) and covers every file below assets/ but the
documentation (*.md) and the model files, which assets/models/manifest.json lists
(itself listed here) and which are checked whenever a model loads.

Checking all of it costs about 20 ms once per process: Python's own sha256 (the
scanning process does not map OpenSSL) over 4 MB.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from engine.assets import AssetError, assets_dir
from engine.digest import sha256

MANIFEST = "SHA256SUMS"
MODELS_MANIFEST = "models/manifest.json"
_checked: set[Path] = set()
_lock = threading.Lock()


def listed_files(root: Path) -> dict[str, str]:
    """path (relative, with /) -> sha256 from the manifest; AssetError if there is none or it is garbled."""
    path = root / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AssetError(f"no asset manifest {path}: {exc.strerror or exc}") from exc
    out = {}
    for number, line in enumerate(text.splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name or name.startswith("/") or ".." in Path(name).parts:
            raise AssetError(f"{path}, line {number}: not '<sha256>  <path below assets>'")
        out[name] = digest.lower()
    return out


def unlisted_candidates(root: Path) -> list[str]:
    """The files the manifest must list: all below root but itself, *.md and the models' own files."""
    models = model_files(root)
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and rel != MANIFEST and path.suffix != ".md" and rel not in models:
            out.append(rel)
    return out


def problems(root: Path | None = None) -> list[str]:
    """What differs between the assets and their manifest (empty if nothing does), one line per file."""
    root = root or assets_dir()
    try:
        listed = listed_files(root)
    except AssetError as exc:
        return [str(exc)]
    out = []
    for rel, digest in sorted(listed.items()):
        path = root / rel
        try:
            actual = sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            out.append(f"{path}: missing or unreadable ({exc.strerror or exc})")
            continue
        if actual != digest:
            out.append(f"{path}: sha256 {actual[:12]}…, {MANIFEST} says {digest[:12]}…")
    try:
        extra = [rel for rel in unlisted_candidates(root) if rel not in listed]
    except AssetError as exc:
        return [*out, str(exc)]
    out += [f"{root / rel}: not listed in {root / MANIFEST}" for rel in extra]
    return out


def require_intact(root: Path | None = None) -> None:
    """Raise AssetError naming what differs, unless these assets were found intact before in this process."""
    root = (root or assets_dir()).resolve()
    with _lock:
        if root in _checked:
            return
        found = problems(root)
        if found:
            more = f" (and {len(found) - 1} more; `tierwall verify` lists them)" if len(found) > 1 else ""
            raise AssetError(f"the assets differ from their manifest, so detection cannot be trusted: {found[0]}{more}")
        _checked.add(root)


def write_manifest(root: Path) -> Path:
    """List every file the manifest must cover with its sha256 (packaging/build_asset_manifest.py)."""
    lines = [f"{sha256((root / rel).read_bytes()).hexdigest()}  {rel}" for rel in unlisted_candidates(root)]
    path = root / MANIFEST
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def model_files(root: Path) -> set[str]:
    """The models' own files (`models/<path>`) as their manifest lists them: checked by it, not by SHA256SUMS."""
    path = root / MODELS_MANIFEST
    if not path.exists():
        return set()
    try:
        models = json.loads(path.read_text(encoding="utf-8"))["models"]
        return {f"models/{f['path']}" for entry in models.values() for f in entry.get("files", ())}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise AssetError(f"unreadable model manifest {path}: {exc}") from exc
