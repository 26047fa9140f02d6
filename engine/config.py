"""The engine's configuration: one EngineConfig given to Engine, and the one place the environment is read.

$TIERWALL_DATA_DIR, $TIERWALL_CONFIG_DIR and $TIERWALL_ASSETS say where the user's files and the assets
live, so that tests and portable set-ups never touch the real ones. Nothing else in the engine reads the
environment (the CLI reads its own: colour and debugging).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

APP_NAME = "tierwall"


def data_dir() -> Path:
    """Where the user's data lives (lists, the app's history): $TIERWALL_DATA_DIR, else the platform's."""
    env = os.environ.get("TIERWALL_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """Where the user's settings and policies live: $TIERWALL_CONFIG_DIR, else the platform's config dir."""
    env = os.environ.get("TIERWALL_CONFIG_DIR")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


def assets_override() -> Path | None:
    """$TIERWALL_ASSETS: another assets folder than the one beside the engine package, if set."""
    env = os.environ.get("TIERWALL_ASSETS")
    return Path(env) if env else None


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Everything an Engine is set up with. The defaults are the tray's and the CLI's; the directories
    default to what the environment says when the config is made."""

    data_dir: Path = field(default_factory=data_dir)  # the user's allow/deny lists
    config_dir: Path = field(default_factory=config_dir)  # the user's policies
    idle_timeout_s: float | None = 60.0  # a model idle this long is unloaded; None: never
    budget_mib: float | None = None  # models are unloaded to keep the process under this; None: no budget
    threads: int = 1  # onnxruntime threads per inference
    policy_always: bool = False  # the user's policies are checked on every scan, not only on escalated ones
    model_host: bool = False  # the models run in a child process that gives all its memory back when idle
