"""Tierwall's desktop tray app (PySide6). Talks to the engine only through its public API."""
