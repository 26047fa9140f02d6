"""Where the user's files live: data (lists, history) and config (settings, policies).

Both honour an environment override ($TIERWALL_DATA_DIR, $TIERWALL_CONFIG_DIR) so
tests and portable set-ups never touch the real ones.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "tierwall"
HISTORY_FILE = "history.sqlite3"  # the tray app's scan history (redacted excerpts and hashes), in data_dir()


def data_dir() -> Path:
    """$TIERWALL_DATA_DIR, else the platform's user data dir."""
    env = os.environ.get("TIERWALL_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_dir() -> Path:
    """$TIERWALL_CONFIG_DIR, else the platform's user config dir."""
    env = os.environ.get("TIERWALL_CONFIG_DIR")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
