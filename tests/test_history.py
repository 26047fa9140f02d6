"""The scan history's own file: searching it, and what a creation killed half-way leaves behind."""

from __future__ import annotations

import os
import time

from engine.history import DRAFT_STALE_S, History


def test_a_search_for_percent_or_underscore_matches_them_literally(tmp_path, engine):
    history = History(tmp_path / "history.sqlite3")
    for text in ("Summarise the 50% growth figure", "Summarise the 500 growth figure", "rename my_var please"):
        history.add(engine.scan(text), "manual")
    assert [r.excerpt for r in history.rows(text="50%")] == ["Summarise the 50% growth figure"]
    assert [r.excerpt for r in history.rows(text="my_var")] == ["rename my_var please"]
    assert history.rows(text="y_v") and not history.rows(text="0_g")  # "_" is no wildcard: "500 growth" stays out
    assert len(history.rows(text="summarise")) == 2
    history.close()


def test_drafts_of_a_killed_creation_are_removed_but_a_creation_in_progress_is_not(tmp_path):
    path = tmp_path / "history.sqlite3"
    stale = tmp_path / ".history.sqlite3.abc123.new"
    fresh = tmp_path / ".history.sqlite3.def456.new"
    other = tmp_path / ".settings.json.abc123.new"  # not the history's
    for draft in (stale, fresh, other):
        draft.write_bytes(b"x" * 4096)
    old = time.time() - DRAFT_STALE_S - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    History(path).close()
    assert path.exists() and not stale.exists()
    assert fresh.exists() and other.exists()
