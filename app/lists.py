"""The user's allowlist and plain-words policies: edits run on the worker, the settings page shows them.

The engine's allowlist holds only keys of normalized texts; the app keeps a
redacted excerpt per key (in the history database, through the history store)
so the list means something to the person reading it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.history_store import HistoryStore
from app.worker import ScanResult, Worker
from engine import AllowItem, Engine

if TYPE_CHECKING:  # the window's modules load only when the window is first opened
    from app.windows.settings import SettingsPage


def allow_items(keys: list[int], labels: Mapping[str, Any]) -> list[AllowItem]:
    """The allowlist as the page shows it, newest first: each key with its label (an AllowedEntry) if it has one."""
    items = []
    for key in keys:
        hexkey = f"{key:016x}"
        label = labels.get(hexkey)
        if label is None:
            items.append(AllowItem(hexkey, f"(allowed elsewhere, key {hexkey})", None))
        else:
            items.append(AllowItem(hexkey, label.excerpt, label.at, label.overrode))
    items.sort(key=lambda i: -(i.at or 0))
    return items


class ListsController(QObject):
    allowlist_changed = Signal()  # the settings page shows the current allowlist
    allowed = Signal(object)  # ScanResult whose text went on the allowlist

    def __init__(
        self, engine: Engine, worker: Worker, store: HistoryStore, page: Callable[[], SettingsPage | None],
        parent: QObject | None = None,
    ) -> None:  # fmt: skip
        super().__init__(parent)
        self.engine = engine
        self.worker = worker
        self.store = store
        self.page = page  # the settings page if the window exists, else None
        self.policies: Any = getattr(engine, "policies", None)

    # -- the allowlist -----------------------------------------------------------
    def allow_text(self, result: ScanResult) -> None:
        """Put the text on the engine's allowlist; remember its redacted excerpt to show it later."""

        def job() -> set[int]:
            return {self.engine.list_text(result.text, "allow")}

        def labelled(_: object) -> None:
            self.allowed.emit(result)
            self.refresh_allowlist()

        def done(new_keys: set[int]) -> None:
            self.store.run(lambda history: [history.remember_allowed(f"{key:016x}", result.verdict)
                                            for key in new_keys], labelled)  # fmt: skip

        self.worker.chore(job, done)

    def remove_allowed(self, key: str) -> None:
        def job() -> bool:
            return self.engine.unlist_key(int(key, 16))  # also drops cached verdicts of that text

        def done(_: object) -> None:
            self.store.run(lambda history: history.forget_allowed(key), lambda _: self.refresh_allowlist())

        self.worker.chore(job, done)

    def refresh_allowlist(self) -> None:
        """The engine's keys (on the chore thread), then their labels (on the storage thread), then the page."""
        if self.page() is None:
            return
        lists = self.engine.user_lists

        def show(items: list[AllowItem]) -> None:
            page = self.page()
            if page is not None:
                page.show_allowlist(items)
            self.allowlist_changed.emit()

        def labelled(keys: list[int]) -> None:
            self.store.run(lambda history: allow_items(keys, history.allowed()), show)

        self.worker.chore(lambda: sorted(lists.allow), labelled)

    # -- policies (tier 2) ---------------------------------------------------------
    def refresh_policies(self) -> None:
        page = self.page()
        if self.policies is not None and page is not None:
            self.worker.chore(self.policies.list, page.show_policies)

    def add_policy(self, hypothesis: str, action: str) -> None:
        if self.policies is None:
            return
        policies = self.policies

        def job() -> str | None:
            try:
                policies.add(hypothesis, action)
            except ValueError as exc:
                return str(exc)
            return None

        def done(error: str | None) -> None:
            page = self.page()
            if page is not None:
                page.show_policy_error(error)
            self.refresh_policies()

        self.worker.chore(job, done)

    def remove_policy(self, policy_id: str) -> None:
        if self.policies is not None:
            self.worker.chore(lambda: self.policies.remove(policy_id), lambda _: self.refresh_policies())
