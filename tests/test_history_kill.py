"""SIGKILL of the app while it writes the scan history, again and again on the same file: no kill corrupts the
database, none loses a record the writer had seen committed, and at most the record being written is missing.

tests/history_writer.py adds records in a tight loop as the app does, saying each one's id once `add()` has
returned. Each round starts it on the file the last kill left (its WAL and WAL index as they were, so the next
open recovers them and damage would pile up), kills it after a random moment (most rounds in the write loop,
some while it opens the file, which is then the WAL's recovery) and reads a copy of what the kill left as the
next user would: the CLI's read-only reader first, then SQLite's own integrity check, then a fresh `History`
as the app opens it. The copy leaves the original untouched for the next round; the original itself is read
the same way at the end. The writer keeps a small `max_rows`, so past it every add also trims the oldest row,
and the WAL reaches its autocheckpoint every ~250 adds, so kills land in checkpoints too (counted from the WAL
index, see `_mid_checkpoint`).

TIERWALL_KILL_LOOPS sets the number of kills (default 40: some 15 s for both tests here, the second one killing
the writer in 20 new files); TIERWALL_KILL_SEED replays a run's timings, as far as the machine's own timing lets.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from history_writer import SOURCE, verdict_for

from engine.history import History, HistoryRow, excerpt, read_history

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX's: Windows has no such signal")

ROOT = Path(__file__).resolve().parents[1]
WRITER = Path(__file__).resolve().parent / "history_writer.py"
LOOPS = int(os.environ.get("TIERWALL_KILL_LOOPS", "40"))
MAX_ROWS = 64  # the writer's limit: past it, every add deletes the oldest row in the same transaction
WRITING_S = 0.15  # a kill in the write loop comes up to this long after the writer is ready (up to ~1,000 adds)
OPENING_S = 0.003  # a kill while opening comes up to this long after the writer says "open" (~2.5 ms: the
# connection recovers the WAL index from the WAL the last kill left, up to 4 MB)
FRESH_FILES = max(10, LOOPS // 2)  # new files killed while the writer makes them
MAKING_S = 0.03  # a kill in a new file comes up to this long after "open" (making it takes ~5-20 ms)
START_TIMEOUT_S = 30.0


class Writer:
    """One run of the writer, its output read as it comes (so its pipe never fills and stalls it)."""

    def __init__(self, path: Path, first_id: int) -> None:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
        command = [sys.executable, str(WRITER), str(path), str(MAX_ROWS), str(first_id)]
        self.proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.lines: list[bytes] = []
        self.opening, self.ready = threading.Event(), threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            if line == b"open\n":
                self.opening.set()
            elif line == b"ready\n":
                self.ready.set()
        self.opening.set()  # the end of its output wakes whoever waits, ready or not
        self.ready.set()

    def kill(self) -> list[int]:
        """SIGKILL it (it must still be running: it never stops by itself this soon) and return the ids it said
        were committed."""
        running = self.proc.poll() is None
        self.proc.kill()
        self.proc.wait()
        self._reader.join()
        assert self.proc.stderr is not None
        err = self.proc.stderr.read().decode(errors="replace")
        assert running and self.proc.returncode == -signal.SIGKILL, f"the writer stopped by itself: {err[-2000:]}"
        return [int(line) for line in self.lines if line.strip().isdigit() and line.endswith(b"\n")]


def _mid_checkpoint(path: Path) -> bool:
    """Whether the kill came in the middle of a WAL checkpoint: the WAL index (the -shm file, native byte order)
    says a checkpoint was attempted up to a frame (nBackfillAttempted, at byte 128) it did not finish copying
    (nBackfill, at byte 96). https://www.sqlite.org/walformat.html#the_wal_index_file_format"""
    try:
        head = Path(f"{path}-shm").read_bytes()[:136]
    except OSError:
        return False
    if len(head) < 136:
        return False
    (backfilled,) = struct.unpack_from("=I", head, 96)
    (attempted,) = struct.unpack_from("=I", head, 128)
    return attempted > backfilled


def _expected(row: HistoryRow) -> tuple[object, ...]:
    verdict = verdict_for(row.id)
    return (verdict.decision, verdict.categories, SOURCE, excerpt(verdict.redacted or ""), verdict.text_sha256,
            verdict.tier, verdict.score, verdict.confidence)  # fmt: skip


def _content(row: HistoryRow) -> tuple[object, ...]:
    return (row.decision, row.categories, row.source, row.excerpt, row.sha256, row.tier, row.score, row.confidence)


def copy_of(path: Path, into: Path) -> Path:
    """The history file as the kill left it, with its WAL, WAL index or rollback journal, copied into `into`."""
    shutil.rmtree(into, ignore_errors=True)
    into.mkdir()
    for suffix in ("", "-wal", "-shm", "-journal"):
        if Path(f"{path}{suffix}").exists():
            shutil.copyfile(f"{path}{suffix}", into / f"{path.name}{suffix}")
    return into / path.name


def check_after_kill(path: Path, last_reported: int) -> tuple[int, list[str]]:
    """Read the file as the next user does; the largest id kept, and every problem found (none: all is well).

    Kept must be exactly the newest MAX_ROWS records up to the last one the writer reported, or up to the one
    after it (the record being written when the kill came, committed but not yet reported), each one whole."""
    problems: list[str] = []
    if not path.exists():  # killed before the file was made: the CLI says "no history yet", the app makes it
        return 0, [] if last_reported == 0 else [f"the file is gone; the writer had reported {last_reported}"]
    try:
        listed, counted, _ = read_history(path, limit=MAX_ROWS * 4)  # `tierwall history`, read-only
    except Exception as exc:  # a HistoryError, or anything else: the reader could not read what the kill left
        return last_reported, [f"the read-only reader failed: {exc!r}"]
    db = sqlite3.connect(str(path))
    try:
        integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
    except sqlite3.Error as exc:
        integrity = [f"{exc!r}"]
    finally:
        db.close()
    if integrity != ["ok"]:
        problems.append(f"integrity_check: {integrity[:5]}")
    try:
        history = History(path)  # the app's next start
    except Exception as exc:
        return last_reported, [*problems, f"a fresh History failed to open: {exc!r}"]
    try:
        rows = history.rows(limit=MAX_ROWS * 4)
        count = history.count()
    finally:
        history.close()
    ids = sorted(row.id for row in rows)
    newest = ids[-1] if ids else 0
    if newest not in (last_reported, last_reported + 1):
        problems.append(f"the newest record is {newest}, the writer last reported {last_reported}")
    # the reported records the trim has not reached (that of the record in flight too, if it was kept)
    lost = [i for i in range(max(1, newest - MAX_ROWS + 1), last_reported + 1) if i not in ids]
    if lost:
        problems.append(f"{len(lost)} committed record(s) lost: {lost[:10]}")
    if ids != list(range(max(1, newest - MAX_ROWS + 1), newest + 1)):
        problems.append(f"kept ids {ids[:3]}…{ids[-3:]} ({len(ids)}) are not the newest {MAX_ROWS} up to {newest}")
    if count != len(ids):
        problems.append(f"count() says {count}, rows() gives {len(ids)}")
    damaged = [row.id for row in rows if _content(row) != _expected(row)]
    if damaged:
        problems.append(f"records whose content is not what was written: {damaged[:10]}")
    if sorted(row.id for row in listed) != ids or counted != count:
        problems.append("the read-only reader and the app's History see different records")
    return newest, problems


def run_and_kill(path: Path, first_id: int, rng: random.Random, *, opening_s: float = 0.0) -> tuple[list[int], bool]:
    """Start the writer on `path`, SIGKILL it after a random moment: up to `opening_s` after it says "open", or
    if that is 0, up to WRITING_S after it says "ready". The ids it reported committed, and whether it had opened
    the file."""
    writer = Writer(path, first_id)
    started = (writer.opening if opening_s else writer.ready).wait(START_TIMEOUT_S)
    if started:
        time.sleep(rng.uniform(0, opening_s or WRITING_S))
    reported = writer.kill()  # killed whatever happened: never left running
    assert started, f"the writer said nothing in {START_TIMEOUT_S} s"
    assert reported == list(range(first_id, first_id + len(reported))), f"ids out of order: {reported[:5]}…"
    return reported, b"ready\n" in writer.lines


def _seed() -> int:
    return int(os.environ.get("TIERWALL_KILL_SEED", str(random.randrange(2**32))))


def test_sigkill_during_history_writes_corrupts_nothing_and_loses_no_committed_record(tmp_path: Path):
    seed = _seed()
    rng = random.Random(seed)
    path = tmp_path / "history.sqlite3"
    newest = 0  # the largest id in the file
    tally: Counter[str] = Counter()
    started = time.monotonic()
    for round_ in range(LOOPS):
        before = newest
        while_opening = round_ == 0 or rng.random() < 0.125
        reported, opened = run_and_kill(path, before + 1, rng, opening_s=OPENING_S if while_opening else 0.0)
        last = reported[-1] if reported else before
        tally["in the write loop" if opened else "while opening"] += 1
        tally["mid-checkpoint"] += _mid_checkpoint(path)
        newest, problems = check_after_kill(copy_of(path, tmp_path / "after-kill"), last)
        assert not problems, f"kill {round_ + 1} of {LOOPS} (TIERWALL_KILL_SEED={seed}), after record {last}: " + (
            "; ".join(problems)
        )
        tally["in-flight record kept"] += newest == last + 1
        tally["records committed"] += newest - before
    assert check_after_kill(path, newest) == (newest, []), "the file itself, read after the last kill"
    seconds = time.monotonic() - started
    print(f"\nhistory kill loop (seed {seed}): {LOOPS} kills in {seconds:.1f} s ({dict(tally)}); 0 corrupt "
          f"databases, 0 committed records lost; {newest} records written in all")  # fmt: skip
    assert tally["records committed"] > LOOPS, "the kills came too soon to test anything"


def test_sigkill_while_the_history_is_first_made_leaves_no_file_or_a_whole_one(tmp_path: Path):
    """The app's first start makes the file. A kill then leaves none (`tierwall history` says "no history yet")
    or one that every reader reads, the CLI's read-only one too: never one whose tables, or whose switch to WAL,
    are half made."""
    seed = _seed()
    rng = random.Random(seed)
    tally: Counter[str] = Counter()
    for i in range(FRESH_FILES):
        path = tmp_path / str(i) / "history.sqlite3"
        reported, _ = run_and_kill(path, 1, rng, opening_s=MAKING_S)
        last = reported[-1] if reported else 0
        tally["no file" if not path.exists() else "records" if last else "no records"] += 1
        _, problems = check_after_kill(path, last)
        assert not problems, f"fresh file {i} (TIERWALL_KILL_SEED={seed}), after record {last}: " + "; ".join(problems)
    print(f"\nhistory kills while it is made (seed {seed}): {FRESH_FILES} files, {dict(tally)}")


@pytest.mark.parametrize("hard_links", [True, False])
def test_a_new_history_is_made_whole_and_leaves_no_other_file(tmp_path: Path, monkeypatch, hard_links: bool):
    """Made aside and linked in (or renamed in, on a file system without hard links): in WAL mode, with its
    tables, and nothing else left in the directory."""
    if not hard_links:

        def no_link(*_: object) -> None:
            raise PermissionError("no hard links here")

        monkeypatch.setattr(os, "link", no_link)
    path = tmp_path / "data" / "history.sqlite3"
    History(path).close()
    assert [p.name for p in path.parent.iterdir()] == [path.name]
    db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} == {"scans", "allowed"}
    db.close()
    assert read_history(path) == ([], 0, [])
