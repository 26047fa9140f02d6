"""History: redacted excerpts and hashes in SQLite, never the raw text; filter and clear."""

from __future__ import annotations

import hashlib
import sqlite3

from app_support import BENIGN, RISKY, SECRET_TEXT, TOKEN, copy, stored
from PySide6.QtCore import Qt

from app.windows.history import HistoryPage
from app.windows.history_model import BATCH, DECISION, EXCERPT, HASH, TIER
from engine import History, data_dir
from engine.history import excerpt


def test_history_stores_the_redacted_excerpt_and_hash_never_the_raw_text(qtbot, tierwall):
    copy(qtbot, tierwall, SECRET_TEXT)
    path = data_dir() / "history.sqlite3"
    assert stored(tierwall, lambda history: history.path) == path == tierwall.store.path
    rows = sqlite3.connect(str(path)).execute("SELECT * FROM scans").fetchall()
    assert len(rows) == 1
    flat = " ".join(str(v) for v in rows[0])
    assert TOKEN not in flat
    assert "[SECRET:github_token]" in flat
    assert hashlib.sha256(SECRET_TEXT.encode()).hexdigest() in flat
    stored(tierwall, History.close)
    on_disk = b"".join(p.read_bytes() for p in path.parent.glob("history.sqlite3*"))
    assert TOKEN.encode() not in on_disk  # not in the database, nor in its write-ahead log


def on_screen(qtbot, app, rows: int | None = None) -> HistoryPage:
    """The window open on the history page, once the page has read the history (and holds `rows` rows)."""
    app.window.show()
    app.window.show_page("history")
    page = app.history_page
    qtbot.waitUntil(lambda: not page.model.reading and (rows is None or page.model.rowCount() == rows), timeout=5000)
    return page


def cell(page: HistoryPage, row: int, column: int, role=Qt.ItemDataRole.DisplayRole) -> object:
    return page.model.index(row, column).data(role)


def settled(qtbot, page: HistoryPage) -> None:
    qtbot.waitUntil(lambda: not page.model.reading, timeout=5000)


def test_history_page_filters_and_clears(qtbot, tierwall):
    for text in (BENIGN, RISKY):
        copy(qtbot, tierwall, text)
    page = on_screen(qtbot, tierwall, rows=2)
    page.decision.setCurrentText("block")
    settled(qtbot, page)
    assert page.model.rowCount() == 1 and cell(page, 0, DECISION) == "block"
    page.decision.setCurrentIndex(0)
    page.filter.setText("supplier")
    settled(qtbot, page)
    assert page.model.rowCount() == 1 and "supplier" in cell(page, 0, EXCERPT)
    assert cell(page, 0, TIER) == "0"
    assert cell(page, 0, HASH, Qt.ItemDataRole.ToolTipRole) == hashlib.sha256(BENIGN.encode()).hexdigest()
    assert page.summary.text() == "1 shown of 2 recorded"
    page.filter.clear()
    settled(qtbot, page)
    page.confirm_clear = lambda: True  # the real one asks with a dialog
    with qtbot.waitSignal(tierwall.store.cleared, timeout=5000):
        page.clear_button.click()
    settled(qtbot, page)
    assert page.model.rowCount() == 0 and stored(tierwall, History.count) == 0
    assert "Nothing recorded" in page.summary.text() and not page.clear_button.isEnabled()


def test_a_hidden_history_page_reads_the_database_only_when_shown(qtbot, tierwall):
    tierwall.window.show()
    page = tierwall.history_page  # built, but the window shows the scan page
    copy(qtbot, tierwall, BENIGN)
    tierwall.store.wait_idle()
    qtbot.wait(20)
    assert page.stale and page.model.rowCount() == 0  # no query, no reset for a page nobody sees
    tierwall.window.show_page("history")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1, timeout=5000)
    assert not page.stale
    copy(qtbot, tierwall, RISKY)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2, timeout=5000)  # on screen: as soon as it is recorded
    assert cell(page, 0, DECISION) == "block"


def test_the_history_table_reads_more_rows_as_the_user_scrolls(qtbot, tierwall, engine):
    verdict = engine.scan(BENIGN)
    stored(tierwall, lambda history: [history.add(verdict, "manual", at=1000.0 + i) for i in range(BATCH * 2 + 50)])
    page = on_screen(qtbot, tierwall, rows=BATCH)
    model = page.model
    assert model.canFetchMore()
    assert "200 shown of 450 recorded" in page.summary.text()
    page.table.scrollToBottom()  # the view asks the model for more
    qtbot.waitUntil(lambda: model.rowCount() > BATCH, timeout=5000)
    while model.canFetchMore() or model.reading:
        model.fetchMore()
        qtbot.waitUntil(lambda: not model.reading, timeout=5000)
    assert model.rowCount() == BATCH * 2 + 50
    assert [r.at for r in model.rows] == sorted((r.at for r in model.rows), reverse=True)
    assert len({r.id for r in model.rows}) == model.rowCount()  # no row twice across batches
    assert "450 shown of 450 recorded" in page.summary.text()


def test_excerpt_is_one_short_line():
    assert excerpt("a\n\n  b\tc") == "a b c"
    long = excerpt("word " * 100)
    assert len(long) == 160 and long.endswith("…")
    spaced = excerpt("a" + " " * 10000 + "b")
    assert spaced == "a…"  # cut before the end: says so


def test_history_keeps_only_the_newest_rows(tmp_path, engine):
    history = History(tmp_path / "h.sqlite3", max_rows=3)
    for i in range(5):
        history.add(engine.scan(f"note number {i} about the garden"), "manual", at=1000.0 + i)
    assert [r.at for r in history.rows()] == [1004.0, 1003.0, 1002.0]
