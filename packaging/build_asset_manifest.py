"""Write assets/SHA256SUMS: every asset file with its sha256 (engine/integrity.py checks it at start).

    .venv/bin/python packaging/build_asset_manifest.py

Run it after changing any file below assets/ on purpose; the test suite fails
while the manifest and the files differ.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.integrity import write_manifest  # noqa: E402

if __name__ == "__main__":
    path = write_manifest(ROOT / "assets")
    print(f"wrote {path} ({len(path.read_text(encoding='utf-8').splitlines())} files)")
