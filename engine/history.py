"""Scan history in SQLite under the engine's data dir: what was decided, never the raw text.

Pure sqlite, no Qt: the tray app writes it and `tierwall history` reads it.

Each row keeps the time, decision, categories with their confidence, source, a
short excerpt of the *redacted* text and the text's sha256. The allowlist labels table remembers
what the user allowed (redacted excerpt and hash) and which decision they
overrode, since the engine's list holds only keys.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from engine.errors import TierwallError
from engine.userfiles import make_private
from engine.verdict import NOT_REDACTED_EXCERPT, Verdict

HISTORY_FILE = "history.sqlite3"  # the tray app's scan history (redacted excerpts and hashes), in the data dir
EXCERPT_CHARS = 160
MAX_ROWS = 10000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scans (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    decision TEXT NOT NULL,
    categories TEXT NOT NULL,
    source TEXT NOT NULL,
    excerpt TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    tier INTEGER NOT NULL,
    score REAL NOT NULL,
    confidence TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS scans_at ON scans(at);
CREATE TABLE IF NOT EXISTS allowed (
    key TEXT PRIMARY KEY,
    at REAL NOT NULL,
    excerpt TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    decision TEXT NOT NULL DEFAULT '',
    categories TEXT NOT NULL DEFAULT ''
);
"""
# Columns the allowed table gained after its first release, added in place to an older file: its rows keep
# '' there, which says "unknown".
_ALLOWED_ADDED = {"decision": "TEXT NOT NULL DEFAULT ''", "categories": "TEXT NOT NULL DEFAULT ''"}
_SCANS_ADDED = {"confidence": "TEXT NOT NULL DEFAULT ''"}  # '': recorded before confidence was


class HistoryError(TierwallError):
    """The history file exists but is not a readable history database; the message names the file."""


@dataclass(frozen=True, slots=True)
class HistoryRow:
    id: int
    at: float
    decision: str
    categories: tuple[str, ...]
    source: str
    excerpt: str
    sha256: str
    tier: int
    score: float  # the verdict's attack likelihood
    confidence: dict[str, float] = field(default_factory=dict)  # category -> confidence; {} if not recorded


def _confidence(stored: str) -> dict[str, float]:
    """The confidence column as a map; '' (an older row) or anything unreadable is none recorded."""
    try:
        value = json.loads(stored) if stored else {}
    except ValueError:
        return {}
    if not isinstance(value, dict):
        return {}
    return {str(k): float(v) for k, v in value.items() if isinstance(v, int | float)}


def overrode(decision: str, categories: tuple[str, ...]) -> str:
    """What allowing a text overrode, in a few words: "overrode block: injection", or "overrode: unknown"."""
    if not decision:
        return "overrode: unknown"
    return f"overrode {decision}: {', '.join(categories) or 'no category'}"


@dataclass(frozen=True, slots=True)
class AllowedEntry:
    key: str  # the engine's list key, hex
    at: float
    excerpt: str
    sha256: str
    decision: str = ""  # the decision the user overrode; "" when the entry predates recording it
    categories: tuple[str, ...] = ()

    @property
    def overrode(self) -> str:
        return overrode(self.decision, self.categories)


@dataclass(frozen=True, slots=True)
class AllowItem:
    """One allowlist entry as the page shows it; the excerpt is redacted, and may be unknown."""

    key: str
    excerpt: str
    at: float | None
    overrode: str = "overrode: unknown"  # e.g. "overrode block: injection"


def _excerpt_of(verdict: Verdict) -> str:
    """What the history keeps of a scanned text: its masked excerpt, never the raw text."""
    return excerpt(verdict.redacted) if verdict.redacted is not None else NOT_REDACTED_EXCERPT


def excerpt(redacted: str, limit: int = EXCERPT_CHARS) -> str:
    """One line of the redacted text, whitespace folded, cut with an ellipsis."""
    head = redacted[: limit * 4]  # only the head is shown: never fold a megabyte
    line = " ".join(head.split())
    if len(line) > limit:
        return line[: limit - 1] + "…"
    return line + "…" if len(head) < len(redacted) else line


IN_MEMORY = ":memory:"  # SQLite's name for a database that lives in memory only (the app's fallback)


class History:
    """The history database. Used from the GUI thread only (each call is a quick local write)."""

    def __init__(self, path: Path, *, max_rows: int = MAX_ROWS, read_only: bool = False) -> None:
        self.path = path
        self.max_rows = max_rows
        self._closed = False
        if read_only:  # a reader (the CLI) must neither create the file nor change it
            self._db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
            return
        if str(path) != IN_MEMORY:
            make_private(path)
            _remove_stale_drafts(path)
            if not path.exists():
                _create(path)
        self._db = sqlite3.connect(str(path))
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._upgrade()

    def add(self, verdict: Verdict, source: str, at: float | None = None) -> int:
        """Record one verdict; only its redacted excerpt and hash are stored. The oldest rows beyond
        `max_rows` go, so a busy clipboard cannot grow the file without bound."""
        with self._db:
            cur = self._db.execute(
                "INSERT INTO scans (at, decision, categories, source, excerpt, sha256, tier, score, confidence)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (at or time.time(), verdict.decision, ",".join(verdict.categories), source,
                 _excerpt_of(verdict), verdict.text_sha256, verdict.tier, verdict.score,
                 json.dumps(verdict.confidence)),
            )  # fmt: skip
            row_id = int(cur.lastrowid or 0)
            self._db.execute("DELETE FROM scans WHERE id <= ?", (row_id - self.max_rows,))
        return row_id

    def rows(
        self, *, text: str = "", decision: str | Collection[str] | None = None,
        source: str | Collection[str] | None = None, limit: int = 500, offset: int = 0,
    ) -> list[HistoryRow]:  # fmt: skip
        """Newest first; `text` filters on excerpt, categories, source or hash prefix; `decision` and `source`
        keep the rows with any of the values given (one value or several)."""
        # a read-only reader of a file not yet upgraded has no confidence column: none recorded
        confidence = "confidence" if "confidence" in self._columns("scans") else "''"
        sql = f"SELECT id, at, decision, categories, source, excerpt, sha256, tier, score, {confidence} FROM scans"
        sql += " WHERE 1=1"
        args: list[object] = []
        for column, wanted in (("decision", decision), ("source", source)):
            values = [wanted] if isinstance(wanted, str) else sorted(set(wanted or ()))
            if values and values != [""]:
                sql += f" AND {column} IN ({', '.join('?' * len(values))})"
                args += values
        if text:
            literal = _like_literal(text.lower())  # "50%" finds "50%", not every row with a 50 in it
            like = f"%{literal}%"
            sql += (
                " AND (lower(excerpt) LIKE ? ESCAPE '\\' OR categories LIKE ? ESCAPE '\\'"
                " OR source LIKE ? ESCAPE '\\' OR sha256 LIKE ? ESCAPE '\\')"
            )
            args += [like, like, like, f"{literal}%"]
        sql += " ORDER BY at DESC, id DESC LIMIT ? OFFSET ?"
        args += [limit, offset]
        return [
            HistoryRow(
                r[0],
                r[1],
                r[2],
                tuple(c for c in r[3].split(",") if c),
                r[4],
                r[5],
                r[6],
                r[7],
                r[8],
                _confidence(r[9]),
            )
            for r in self._db.execute(sql, args)
        ]

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM scans").fetchone()[0])

    def sources(self) -> list[str]:
        """The sources recorded so far (clipboard, manual, typing …), to name them when a filter finds nothing."""
        return [r[0] for r in self._db.execute("SELECT DISTINCT source FROM scans ORDER BY source")]

    def clear(self) -> None:
        with self._db:
            self._db.execute("DELETE FROM scans")
        self._db.execute("VACUUM")  # the excerpts really go, not just their index entries

    def _columns(self, table: str) -> set[str]:
        return {r[1] for r in self._db.execute(f"PRAGMA table_info({table})")}

    def _upgrade(self) -> None:
        """Give a file made by an older release the columns added since (the overridden decision of an
        allowed text, the confidence of a scan), keeping its rows."""
        with self._db:
            for table, added in (("scans", _SCANS_ADDED), ("allowed", _ALLOWED_ADDED)):
                have = self._columns(table)
                for name in added:
                    if name not in have:
                        self._db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {added[name]}")

    # -- labels for the engine's allowlist keys --------------------------------

    def remember_allowed(self, key: str, verdict: Verdict) -> None:
        """Label an allowlist key: the redacted excerpt, and the decision the user overrode by allowing it."""
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO allowed (key, at, excerpt, sha256, decision, categories)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, time.time(), _excerpt_of(verdict), verdict.text_sha256, verdict.decision,
                 ",".join(verdict.categories)),
            )  # fmt: skip

    def allowed(self) -> dict[str, AllowedEntry]:
        # a read-only reader of a file not yet upgraded sees the old columns only: say "unknown" for the rest
        added = ", decision, categories" if set(_ALLOWED_ADDED) <= self._columns("allowed") else ", '', ''"
        cur = self._db.execute(f"SELECT key, at, excerpt, sha256{added} FROM allowed")
        return {r[0]: AllowedEntry(r[0], r[1], r[2], r[3], r[4], tuple(c for c in r[5].split(",") if c)) for r in cur}

    def forget_allowed(self, key: str) -> None:
        with self._db:
            self._db.execute("DELETE FROM allowed WHERE key = ?", (key,))

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        self._closed = True
        self._db.close()


def _like_literal(text: str) -> str:
    """`text` for a LIKE pattern with ESCAPE '\\': its own %, _ and \\ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


DRAFT_STALE_S = 600  # a draft this old is no creation in progress: the app that made it was killed


def _remove_stale_drafts(path: Path) -> None:
    """Remove the drafts (`.<name>.*.new`) of a creation that was killed before it could link its file in
    or clean up; a recent one may be another process's creation in progress and stays."""
    cutoff = time.time() - DRAFT_STALE_S
    for draft in path.parent.glob(f".{path.name}.*.new"):
        try:
            if draft.stat().st_mtime < cutoff:
                draft.unlink()
        except OSError:  # gone already, or not ours to remove: it costs a few KB, never a scan
            pass


def _create(path: Path) -> None:
    """Make a new history file whole: in WAL mode and with its tables, made under a name of its own and then
    linked in. The app killed meanwhile leaves no history (and stray files of a few KB with no scan in them),
    never a file without tables, or with the rollback journal of its switch to WAL, which a read-only reader
    (`tierwall history`) could not read."""
    fd, made = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)  # 0600: SQLite gives
    os.close(fd)  # the WAL the same mode
    try:
        db = sqlite3.connect(made)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # the close below still syncs the file before it is linked
            db.executescript(f"BEGIN; {_SCHEMA} COMMIT;")
        finally:
            db.close()  # the last connection: the WAL is checkpointed into the file and removed
        try:
            os.link(made, path)  # never over a history another process made meanwhile
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            os.replace(made, path)
    finally:
        Path(made).unlink(missing_ok=True)


def read_history(
    path: Path, *, decisions: Collection[str] = (), sources: Collection[str] = (), limit: int = 500
) -> tuple[list[HistoryRow], int, list[str]]:
    """The rows a listing shows, how many are recorded and which sources occur, read without writing.

    Raises HistoryError naming the file when it is not a readable history (corrupt, or another kind of file).
    """
    try:
        db = History(path, read_only=True)
        try:
            return db.rows(decision=decisions, source=sources, limit=limit), db.count(), db.sources()
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise HistoryError(f"{path}: not a readable Tierwall history database ({exc})") from None
