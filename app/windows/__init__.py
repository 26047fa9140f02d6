"""The main window and its pages. Imported only when the window is first opened: a tray app at rest
loads no page code (PySide6 builds each widget class's Python type on first import, ~5 MiB for the pages)."""

PAGES = ("scan", "history", "memory", "settings")
