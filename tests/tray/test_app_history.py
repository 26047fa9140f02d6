"""History: redacted excerpts and hashes in SQLite, never the raw text; filter and clear."""

from __future__ import annotations

import hashlib
import sqlite3

from app_support import BENIGN, RISKY, SECRET_TEXT, TOKEN, copy

from app.windows.history import EXCERPT, TIER
from engine.history import History, excerpt
from engine.paths import data_dir


def test_history_stores_the_redacted_excerpt_and_hash_never_the_raw_text(qtbot, tierwall):
    copy(qtbot, tierwall, SECRET_TEXT)
    path = data_dir() / "history.sqlite3"
    assert tierwall.history.path == path
    rows = sqlite3.connect(str(path)).execute("SELECT * FROM scans").fetchall()
    assert len(rows) == 1
    flat = " ".join(str(v) for v in rows[0])
    assert TOKEN not in flat
    assert "[SECRET:github_token]" in flat
    assert hashlib.sha256(SECRET_TEXT.encode()).hexdigest() in flat
    tierwall.history.close()
    on_disk = b"".join(p.read_bytes() for p in path.parent.glob("history.sqlite3*"))
    assert TOKEN.encode() not in on_disk  # not in the database, nor in its write-ahead log


def test_history_page_filters_and_clears(qtbot, tierwall):
    for text in (BENIGN, RISKY):
        copy(qtbot, tierwall, text)
    page = tierwall.history_page
    assert page.table.rowCount() == 2
    page.decision.setCurrentText("block")
    assert page.table.rowCount() == 1 and page.table.item(0, 1).text() == "block"
    page.decision.setCurrentIndex(0)
    page.filter.setText("supplier")
    assert page.table.rowCount() == 1 and "supplier" in page.table.item(0, EXCERPT).text()
    assert page.table.item(0, TIER).text() == "0"
    page.filter.clear()
    page.confirm_clear = lambda: True  # the real one asks with a dialog
    page.clear_button.click()
    assert page.table.rowCount() == 0 and tierwall.history.count() == 0
    assert "Nothing recorded" in page.summary.text()


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
