"""The clipboard policy on its own: a verdict in, the clipboard, the tray and the toast out. No engine runs here,
no worker and no history: the policy needs none of them to warn."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from types import SimpleNamespace

import pytest
from app_support import BENIGN, RISKY, SECRET_TEXT, TOKEN
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from app import clipboard_policy, notify
from app.clipboard import ClipboardGuard
from app.clipboard_policy import ClipboardPolicy
from app.settings import Settings
from app.tray import Tray
from app.wording import block_notice
from app.worker import ScanResult


class FakeLists(QObject):
    """The lists controller as the policy uses it: allow_text, and `allowed` once the text is on the list."""

    allowed = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def allow_text(self, result: ScanResult) -> None:
        self.asked.append(result.text)


@pytest.fixture
def parts(qapp, engine) -> Iterator[SimpleNamespace]:
    QGuiApplication.clipboard().clear()
    guard = ClipboardGuard()
    settings = [Settings()]
    lists = FakeLists()
    policy = ClipboardPolicy(guard, Tray(), lists, lambda: settings[0])
    told: dict[str, list[ScanResult]] = {name: [] for name in ("handled", "notified", "sanitized", "blocked")}
    for name, found in told.items():
        getattr(policy, name).connect(found.append)

    def verdict_for(text: str, source: str = "clipboard", **changes: object) -> ScanResult:
        """The engine's verdict for `text`, as if just copied (it is put on the clipboard first)."""
        guard.write(text)
        return ScanResult(1, source, text, replace(engine.scan(text), **changes), 0.0, 0.0)

    yield SimpleNamespace(guard=guard, settings=settings, lists=lists, policy=policy, tray=policy.tray, told=told,
                          verdict_for=verdict_for)  # fmt: skip
    policy.close()
    guard.close()


def clipboard() -> str:
    return QGuiApplication.clipboard().text()


def test_a_verdict_of_another_source_is_none_of_its_business(parts):
    parts.policy.handle(parts.verdict_for(RISKY, "manual"))
    assert parts.told["handled"] == [] and parts.tray.state == "protecting" and clipboard() == RISKY


def test_an_allowed_copy_is_handled_quietly(parts):
    parts.policy.handle(parts.verdict_for(BENIGN))
    assert len(parts.told["handled"]) == 1 and parts.told["notified"] == [] and parts.tray.state == "protecting"


def test_a_warning_notifies_and_leaves_the_clipboard_alone(parts):
    result = parts.verdict_for(SECRET_TEXT)
    parts.policy.handle(result)
    assert parts.told["notified"] == [result] and parts.tray.state == "warning" and clipboard() == SECRET_TEXT
    assert parts.policy.toast.isVisible() and not parts.policy.toast.replace_button.isHidden()


def test_a_warning_for_a_text_already_replaced_still_notifies_but_leaves_the_tray(parts):
    result = parts.verdict_for(SECRET_TEXT)
    parts.guard.write(BENIGN)  # copied something else before the verdict came
    parts.policy.handle(result)
    assert parts.told["notified"] == [result] and parts.tray.state == "protecting"


def test_with_notifications_off_the_tray_still_says_so(parts):
    parts.settings[0] = Settings(notifications=False)
    parts.policy.handle(parts.verdict_for(SECRET_TEXT))
    assert parts.told["notified"] == [] and parts.tray.state == "warning"


def test_a_block_takes_the_text_off_and_undo_puts_it_back_once(parts, qtbot):
    result = parts.verdict_for(RISKY)
    parts.policy.handle(result)
    assert parts.told["blocked"] == [result] and clipboard() == block_notice(result.verdict)
    assert parts.tray.state == "blocked" and parts.tray.undo_action.isVisible()
    assert parts.policy.undo_block() and clipboard() == RISKY
    assert not parts.policy.undo_block() and not parts.tray.undo_action.isVisible()


def test_undo_ends_with_its_time(parts, qtbot, monkeypatch):
    monkeypatch.setattr(clipboard_policy, "UNDO_MS", 30)
    parts.policy.handle(parts.verdict_for(RISKY))
    qtbot.waitUntil(lambda: not parts.tray.undo_action.isVisible(), timeout=2000)
    assert not parts.policy.undo_block() and clipboard().startswith("[Tierwall blocked")


def test_auto_masking_masks_a_leak_without_asking(parts):
    parts.settings[0] = Settings(auto_sanitize=True)
    result = parts.verdict_for(SECRET_TEXT)
    parts.policy.handle(result)
    assert parts.told["sanitized"] == [result] and parts.told["notified"] == []
    assert TOKEN not in clipboard() and clipboard() == result.verdict.redacted and parts.tray.state == "protecting"


def test_allowing_a_block_asks_and_a_yes_goes_to_the_lists_and_puts_the_text_back(parts):
    result = parts.verdict_for(RISKY)
    parts.policy.handle(result)
    parts.policy.confirm_allow = lambda asked: False
    assert not parts.policy.allow_text(result) and parts.lists.asked == []
    parts.policy.confirm_allow = lambda asked: True
    assert parts.policy.allow_text(result) and parts.lists.asked == [RISKY]
    assert clipboard().startswith("[Tierwall blocked")  # not before the allowlist has it
    parts.lists.allowed.emit(result)
    assert clipboard() == RISKY and parts.tray.state == "protecting"


def test_a_clipboard_emptied_or_paused_clears_the_risk_shown(parts, qtbot):
    parts.policy.handle(parts.verdict_for(SECRET_TEXT))
    assert parts.tray.state == "warning"
    parts.guard.skipped.emit("our own write")  # not a change of what the clipboard holds
    assert parts.tray.state == "warning"
    parts.guard.skipped.emit("not text")
    assert parts.tray.state == "protecting"


@pytest.mark.parametrize(("categories", "reasons", "suffices"), [
    (("secret",), (), True),
    (("pii", "secret"), (), True),
    (("injection", "secret"), (), False),
    (("input", "secret"), (), False),  # not fully scanned: the rest may hold anything
    (("secret",), ("on your denylist",), False),
    ((), (), False),
])  # fmt: skip
def test_masking_suffices_only_for_secrets_and_personal_data(engine, categories, reasons, suffices):
    verdict = engine.scan(SECRET_TEXT)
    result = ScanResult(1, "clipboard", SECRET_TEXT, replace(verdict, categories=categories, reasons=reasons), 0, 0)
    assert clipboard_policy.masking_suffices(result) is suffices
    unmasked = replace(result, verdict=replace(result.verdict, redacted=SECRET_TEXT))
    assert clipboard_policy.masking_suffices(unmasked) is False  # nothing masked: nothing made safe
    no_copy = replace(result, verdict=replace(result.verdict, redacted=None))
    assert clipboard_policy.masking_suffices(no_copy) is False  # no complete mask: nothing made safe
    assert clipboard_policy.needs_sanitizing(no_copy) is False and not notify.can_redact(no_copy)
