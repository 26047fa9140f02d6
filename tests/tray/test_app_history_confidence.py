"""What the history keeps of a verdict's numbers: its attack likelihood and each category's confidence."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app_support import SECRET_TEXT
from PySide6.QtCore import Qt

from app.history_store import HistoryStore
from app.windows.history import HistoryPage
from app.windows.history_model import TIER
from engine.history import History, read_history

OLD_SCANS = """CREATE TABLE scans (id INTEGER PRIMARY KEY, at REAL NOT NULL, decision TEXT NOT NULL,
    categories TEXT NOT NULL, source TEXT NOT NULL, excerpt TEXT NOT NULL, sha256 TEXT NOT NULL,
    tier INTEGER NOT NULL, score REAL NOT NULL)"""


def _tier_tip(qtbot, path: Path) -> str:
    """The first row's tier tooltip, as the app's history page shows the file at `path`."""
    store = HistoryStore(path)
    page = HistoryPage(store)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=5000)
    tip = page.table.model().index(0, TIER).data(Qt.ItemDataRole.ToolTipRole)
    store.close()
    return tip


def test_the_confidence_is_recorded_and_shown_in_the_tier_tooltip(qtbot, tmp_path, engine):
    verdict = engine.scan(SECRET_TEXT, max_tier=0)
    history = History(tmp_path / "history.sqlite3")
    history.add(verdict, "clipboard")
    (row,) = history.rows()
    assert row.confidence == verdict.confidence and "secret" in row.confidence
    history.close()
    tip = _tier_tip(qtbot, history.path)
    assert tip.startswith(f"decided by tier 0 · attack likelihood {verdict.score:.0%}")
    assert tip.endswith(f"confidence: secret {verdict.confidence['secret']:.0%}")


def test_a_file_from_before_the_confidence_gains_it_and_keeps_its_rows(qtbot, tmp_path, engine):
    path = tmp_path / "history.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute(OLD_SCANS)
        db.execute("INSERT INTO scans VALUES (1, 1700000000, 'warn', 'secret', 'clipboard', 'key [SECRET:x]', "
                   "'ab', 0, 0.2)")  # fmt: skip
    db.close()
    rows, recorded, _ = read_history(path)  # a reader (the CLI) of the old file: nothing recorded, nothing written
    assert recorded == 1 and rows[0].confidence == {} and rows[0].categories == ("secret",)
    assert "not recorded (an older scan)" in _tier_tip(qtbot, path)  # the app opens it: the column is added
    history = History(path)
    history.add(engine.scan(SECRET_TEXT, max_tier=0), "typing")
    assert [r.confidence != {} for r in history.rows()] == [True, False]
    history.close()
