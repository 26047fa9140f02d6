"""This install's version: one lookup for `tierwall`, `tierwall-tray` and the window's footer."""

from __future__ import annotations


def version() -> str | None:
    """The version in the package metadata: written from pyproject.toml's version when Tierwall is installed,
    and carried by the frozen bundle (packaging/tierwall.spec copies it). None in a checkout never installed."""
    from importlib import metadata  # here, not at the top: it imports email, zipfile, csv … (about 1.8 MiB),
    # and only --version, the self-test and the window's footer ask

    try:
        return metadata.version("tierwall")
    except metadata.PackageNotFoundError:
        return None
