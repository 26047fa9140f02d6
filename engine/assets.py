"""Where the engine finds its data files (rules, signatures, bands, models)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from engine.config import assets_override
from engine.errors import TierwallError


def assets_dir() -> Path:
    """The assets folder: $TIERWALL_ASSETS (engine.config), else the one beside the engine package."""
    return assets_override() or Path(__file__).resolve().parents[1] / "assets"


def load_toml(relative: str | Path) -> dict[str, Any]:
    """Read one TOML file below assets/; a clear error names the file if it is broken."""
    path = assets_dir() / relative
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise AssetError(f"missing asset file: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise AssetError(f"invalid TOML in {path}: {exc}") from exc


class AssetError(TierwallError, RuntimeError):
    """An asset file is missing or malformed; the message names the file."""
