"""Colours and the style sheet: one place, so every page looks like the same product."""

from __future__ import annotations

from PySide6.QtGui import QColor

from engine import sha256

DECISION_COLOURS: dict[str, str] = {"allow": "#2e9d5b", "warn": "#d98a1c", "block": "#cf3f3f"}
CATEGORY_COLOURS: dict[str, str] = {
    "injection": "#e0524f",
    "jailbreak": "#9b59b6",
    "obfuscation": "#e67e22",
    "secret": "#d4a017",
    "pii": "#2f80c9",
    "policy": "#16a085",
    "input": "#7f8c8d",
}
ACCENT = "#2f6fde"
MUTED = "#6b7280"


def category_colour(category: str) -> QColor:
    """A stable colour per category; unknown categories get one derived from their name."""
    known = CATEGORY_COLOURS.get(category)
    if known:
        return QColor(known)
    hue = int(sha256(category.encode()).hexdigest()[:4], 16) % 360
    return QColor.fromHsv(hue, 150, 200)


def decision_colour(decision: str) -> QColor:
    return QColor(DECISION_COLOURS.get(decision, MUTED))


STYLE_SHEET = f"""
QMainWindow, QWidget#page {{ background: #f6f7f9; }}
QListWidget#nav {{
    background: #1f2633; color: #d7dce5; border: none; padding-top: 8px; font-size: 10.5pt;
}}
QListWidget#nav::item {{ padding: 10px 16px; border-left: 3px solid transparent; }}
QListWidget#nav::item:selected {{ background: #2b3444; color: white; border-left: 3px solid {ACCENT}; }}
QLabel#brand {{ background: #1f2633; color: white; font-size: 13pt; font-weight: bold; padding: 14px 16px 6px 16px; }}
QLabel#brandSub {{ background: #1f2633; color: #98a2b3; font-size: 8.5pt; padding: 0 16px 10px 16px; }}
QLabel#title {{ font-size: 15pt; font-weight: bold; color: #111827; }}
QLabel#subtitle {{ color: {MUTED}; }}
QLabel#banner {{
    background: #fff4e0; color: #7a4b00; border: 1px solid #f0c36d; border-radius: 6px; padding: 8px 10px;
}}
QFrame#card {{ background: white; border: 1px solid #e3e6eb; border-radius: 8px; }}
QLabel#cardTitle {{ font-weight: bold; font-size: 10.5pt; color: #111827; }}
QLabel#muted {{ color: {MUTED}; }}
QPlainTextEdit, QLineEdit {{
    background: white; border: 1px solid #d0d5dd; border-radius: 6px; padding: 4px 6px;
}}
QPlainTextEdit {{ font-size: 10.5pt; }}
QListWidget#plain {{ background: white; border: 1px solid #d0d5dd; border-radius: 6px; }}
QListWidget#plain::item {{ padding: 4px 2px; }}
QPlainTextEdit:focus, QLineEdit:focus {{ border: 1px solid {ACCENT}; }}
QPushButton {{
    background: white; border: 1px solid #d0d5dd; border-radius: 6px; padding: 5px 12px; color: #1f2937;
}}
QPushButton:hover {{ background: #f0f2f5; }}
QPushButton:disabled {{ color: #a0a6b0; }}
QPushButton#primary {{ background: {ACCENT}; color: white; border: 1px solid {ACCENT}; }}
QPushButton#primary:hover {{ background: #2a63c7; }}
QPushButton#danger {{ color: #b42318; }}
QTableView {{ background: white; border: 1px solid #e3e6eb; border-radius: 6px; gridline-color: #eef0f3; }}
QHeaderView::section {{ background: #f0f2f5; border: none; border-bottom: 1px solid #e3e6eb; padding: 5px; }}
QGroupBox {{ background: white; border: 1px solid #e3e6eb; border-radius: 8px; margin-top: 14px; padding: 12px; }}
QGroupBox {{ font-weight: bold; }}
QGroupBox * {{ font-weight: normal; }}
QGroupBox::title {{ subcontrol-origin: margin; left: 10px; padding: 0 4px; color: #111827; }}
QFrame#toast {{ background: #1f2633; border-radius: 10px; }}
QFrame#toast QLabel {{ color: #e8ebf0; }}
QFrame#toast QPushButton {{ background: #2b3444; color: white; border: 1px solid #3a4556; }}
QFrame#toast QPushButton:hover {{ background: #37425a; }}
QFrame#toast QPushButton:disabled {{ color: #6b7585; background: #252d3b; }}
"""
