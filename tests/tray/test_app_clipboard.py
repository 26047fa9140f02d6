"""The clipboard path: a change is scanned off the GUI thread, risky text warns, a block takes it off the
clipboard (with an Undo), the user can act on it."""

from __future__ import annotations

from dataclasses import replace

from app_support import BENIGN, RISKY, SECRET_TEXT, TOKEN, close, copy, make_app, make_app_with_tray, stored
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication, QImage

from app import clipboard_policy, notify
from app.wording import block_notice
from app.worker import ScanResult
from engine import Engine, EngineConfig, History
from engine.bands import Bands


def _clipboard() -> str:
    return QGuiApplication.clipboard().text()


def _allowlist(app) -> list[str]:
    """The settings page's allowlist lines."""
    return [app.settings_page.allow_list.item(i).text() for i in range(app.settings_page.allow_list.count())]


def _allow_blocked(qtbot, app) -> None:
    """Copy RISKY (blocked), answer yes to the confirmation, and allow it from the toast."""
    app.policy.confirm_allow = lambda result: True
    with qtbot.waitSignal(app.policy.blocked, timeout=30000):
        copy(qtbot, app, RISKY)
    with qtbot.waitSignal(app.lists.allowlist_changed, timeout=10000):
        app.policy.toast.allow_button.click()


def _as_block(app, text: str, **changes) -> ScanResult:
    """A clipboard verdict of `text` turned into a block (the engine blocks on attacks, not on secrets alone)."""
    verdict = app.engine.scan(text)
    return ScanResult(99, "clipboard", text, replace(verdict, decision="block", **changes), 0.0, 0.0)


def test_a_clipboard_change_is_scanned_and_risky_text_notifies(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.policy.notified, timeout=30000) as notified:
        result = copy(qtbot, tierwall, RISKY)
    assert result.source == "clipboard"
    assert result.verdict.decision == "block"
    assert notified.args[0].text == RISKY
    assert tierwall.policy.toast.isVisible()
    assert tierwall.policy.toast.title.text() == "Blocked and removed from the clipboard"
    assert tierwall.policy.toast.reason.text().startswith("Prompt injection: ")
    assert "ignore" in tierwall.policy.toast.reason.text()
    assert tierwall.tray.state == "blocked"
    assert [r.source for r in stored(tierwall)] == ["clipboard"]


def test_benign_text_is_recorded_without_a_notification(qtbot, tierwall):
    received = []
    tierwall.policy.notified.connect(received.append)
    result = copy(qtbot, tierwall, BENIGN)
    assert result.verdict.decision == "allow"
    assert received == []
    assert not tierwall.policy.toast.isVisible()
    assert tierwall.tray.state == "protecting"


def test_pause_stops_scanning_until_resumed(qtbot, tierwall):
    scanned = []
    tierwall.policy.handled.connect(lambda r: scanned.append(r.text))
    tierwall.tray.pause_action.trigger()
    assert tierwall.guard.paused and tierwall.tray.state == "paused"
    with qtbot.waitSignal(tierwall.guard.skipped, check_params_cb=lambda why: why == "paused"):
        QGuiApplication.clipboard().setText(RISKY)
    tierwall.tray.pause_action.trigger()
    assert not tierwall.guard.paused
    copy(qtbot, tierwall, BENIGN)
    assert scanned == [BENIGN]  # the paused copy never reached the engine
    assert [r.decision for r in stored(tierwall)] == ["allow"]


def test_scan_clipboard_now_works_while_paused(qtbot, tierwall):
    tierwall.set_paused(True)
    QGuiApplication.clipboard().setText(RISKY)
    with qtbot.waitSignal(tierwall.policy.handled, timeout=30000) as blocker:
        tierwall.tray.scan_clipboard.emit()
    assert blocker.args[0].text == RISKY


def test_non_text_clipboard_data_is_skipped_and_clears_a_warning(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.policy.notified, timeout=30000):
        copy(qtbot, tierwall, SECRET_TEXT)
    assert tierwall.tray.state == "warning"
    mime = QMimeData()
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(0)
    mime.setImageData(image)
    with qtbot.waitSignal(tierwall.guard.skipped, check_params_cb=lambda why: why == "not text"):
        QGuiApplication.clipboard().setMimeData(mime)
    assert tierwall.tray.state == "protecting"  # the secret is no longer on the clipboard


def test_replace_with_redacted_masks_the_clipboard_without_rescanning(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.policy.notified, timeout=30000):
        result = copy(qtbot, tierwall, SECRET_TEXT)
    assert tierwall.policy.toast.replace_button.isEnabled()
    with qtbot.waitSignal(tierwall.guard.skipped, check_params_cb=lambda why: why == "our own write"):
        tierwall.policy.toast.replace_button.click()
    clip = QGuiApplication.clipboard().text()
    assert TOKEN not in clip
    assert clip == result.verdict.redacted
    assert len(stored(tierwall)) == 1  # the redacted copy was not scanned again


def test_auto_sanitize_replaces_secrets_on_copy(qtbot, tierwall):
    tierwall.settings_applier.apply(replace(tierwall.settings, auto_sanitize=True))
    shown = []
    tierwall.policy.notified.connect(shown.append)
    with qtbot.waitSignal(tierwall.policy.sanitized, timeout=30000):
        QGuiApplication.clipboard().setText(SECRET_TEXT)
    assert TOKEN not in QGuiApplication.clipboard().text()
    assert "[SECRET:github_token]" in QGuiApplication.clipboard().text()
    assert shown == []  # masked without asking
    assert tierwall.tray.state == "protecting"  # what the clipboard holds now is safe


def test_allow_this_text_puts_it_on_the_allowlist(qtbot, tierwall):
    _allow_blocked(qtbot, tierwall)
    entries = _allowlist(tierwall)
    assert len(entries) == 1 and "Ignore all previous instructions" in entries[0]
    excerpt, details = entries[0].split("\n")
    when, what = details.split(" · ")
    assert excerpt.startswith("Ignore all previous instructions")
    assert what == "overrode block: injection"  # what the user switched off, under the excerpt
    assert len(when) == len("2025-01-31 12:00") and when[4] == "-"
    copy(qtbot, tierwall, BENIGN)  # a different text in between, then the allowed one again
    again = copy(qtbot, tierwall, RISKY)
    assert again.verdict.decision == "allow"
    assert "on your allowlist" in again.verdict.reasons


def test_removing_an_allowlist_entry(qtbot, tierwall):
    _allow_blocked(qtbot, tierwall)
    copy(qtbot, tierwall, BENIGN)
    assert copy(qtbot, tierwall, RISKY).verdict.decision == "allow"  # allowed, and that verdict is cached
    page = tierwall.settings_page
    page.allow_list.setCurrentRow(0)
    with qtbot.waitSignal(tierwall.lists.allowlist_changed, timeout=10000):
        page.allow_remove.click()
    assert not tierwall.engine.user_lists.allow
    assert stored(tierwall, History.allowed) == {}
    assert not page.allow_remove.isEnabled()
    QGuiApplication.clipboard().setText(BENIGN)
    again = copy(qtbot, tierwall, RISKY)
    assert again.verdict.decision == "block"  # no longer allowed, not even by a cached verdict


def test_text_over_the_engine_limit_is_reported_as_not_fully_scanned(qtbot, app_env):
    engine = Engine(EngineConfig(idle_timeout_s=None), bands=replace(Bands.load(), max_scan_chars=200))
    app = make_app(engine)
    try:
        long_text = (BENIGN + " ") * 5
        with qtbot.waitSignal(app.policy.notified, timeout=30000):
            result = copy(qtbot, app, long_text)
        assert result.verdict.decision != "allow"
        assert any("not fully scanned" in r for r in result.verdict.reasons)
        assert "not fully scanned" in app.policy.toast.reason.text()
    finally:
        close(app)


def test_details_opens_the_scan_page_on_that_text(qtbot, app_env):
    app = make_app_with_tray()
    try:
        with qtbot.waitSignal(app.policy.notified, timeout=30000):
            copy(qtbot, app, SECRET_TEXT)
        assert not app.window_built  # nothing opened by itself
        app.policy.toast.details_button.click()
        assert app.window.isVisible() and app.window.current_page == "scan"
        assert app.scan_page.editor.toPlainText() == SECRET_TEXT
        assert app.scan_page.panel.badge.text() == "WARN"
        assert any(s.cursor.selectedText() == TOKEN for s in app.scan_page.editor.extraSelections())
        assert not app.policy.toast.isVisible()
    finally:
        close(app)


def test_auto_sanitize_still_warns_about_an_attack_in_the_same_text(qtbot, tierwall):
    tierwall.settings_applier.apply(replace(tierwall.settings, auto_sanitize=True, replace_blocked=False))
    text = f"{RISKY} Then use {TOKEN}."
    policy = tierwall.policy
    with qtbot.waitSignal(policy.sanitized, timeout=30000), qtbot.waitSignal(policy.notified, timeout=30000):
        QGuiApplication.clipboard().setText(text)
    assert TOKEN not in QGuiApplication.clipboard().text()
    assert RISKY in QGuiApplication.clipboard().text()  # masking does not take the attack away
    assert tierwall.policy.toast.title.text().startswith("Blocked")
    assert tierwall.tray.state == "blocked"


# -- a block takes the text off the clipboard -----------------------------------------


def test_a_block_replaces_the_clipboard_and_undo_puts_the_text_back_once(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=30000):
        result = copy(qtbot, tierwall, RISKY)
    assert _clipboard() == block_notice(result.verdict)
    assert _clipboard() == (
        "[Tierwall blocked this text: prompt injection. Undo from the notification or the tray menu]"
    )
    toast = tierwall.policy.toast
    assert not toast.undo_button.isHidden() and toast.undo_button.text() == "Undo (10 s)"
    assert toast.replace_button.isHidden()  # masking an attack would not make it safe to paste
    assert tierwall.tray.undo_action.isVisible()
    with qtbot.waitSignal(tierwall.guard.skipped, check_params_cb=lambda why: why == "our own write"):
        toast.undo_button.click()
    assert _clipboard() == RISKY
    assert len(stored(tierwall)) == 1  # put back without scanning it again
    assert tierwall.tray.state == "blocked" and tierwall.tray.words == "blocked"  # the risky text is there again
    assert not tierwall.tray.undo_action.isVisible()
    assert not tierwall.policy.undo_block()  # once only
    assert not tierwall.engine.user_lists.allow  # an undo is not an allow
    copy(qtbot, tierwall, BENIGN)
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=30000):
        again = copy(qtbot, tierwall, RISKY)
    assert again.verdict.decision == "block" and _clipboard() == block_notice(again.verdict)


def test_undo_from_the_tray_menu(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=30000):
        copy(qtbot, tierwall, RISKY)
    with qtbot.waitSignal(tierwall.policy.undone, timeout=5000):
        tierwall.tray.undo_action.trigger()
    assert _clipboard() == RISKY
    assert tierwall.policy.toast.undo_button.isHidden()


def test_undo_is_offered_for_its_time_only(qtbot, tierwall, monkeypatch):
    monkeypatch.setattr(clipboard_policy, "UNDO_MS", 200)
    monkeypatch.setattr(notify, "UNDO_TICK_MS", 20)
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=30000):
        result = copy(qtbot, tierwall, RISKY)
    toast = tierwall.policy.toast
    qtbot.waitUntil(lambda: toast.undo_button.isHidden() and not tierwall.tray.undo_action.isVisible(), timeout=5000)
    assert toast.isVisible()  # the toast itself stays a while longer
    assert not tierwall.policy.undo_block()
    assert _clipboard() == block_notice(result.verdict)


def test_the_undo_button_counts_down(qtbot, tierwall, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(notify.time, "monotonic", lambda: now[0])
    monkeypatch.setattr(notify, "UNDO_TICK_MS", 10)
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=30000):
        copy(qtbot, tierwall, RISKY)
    button = tierwall.policy.toast.undo_button
    assert button.text() == "Undo (10 s)"
    now[0] += 6.5
    qtbot.waitUntil(lambda: button.text() == "Undo (4 s)", timeout=5000)
    now[0] += 3.6
    qtbot.waitUntil(button.isHidden, timeout=5000)


def test_undo_never_overwrites_a_newer_copy(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=30000):
        copy(qtbot, tierwall, RISKY)
    QGuiApplication.clipboard().setText(BENIGN)  # copied before its scan even started
    assert not tierwall.policy.undo_block()
    assert _clipboard() == BENIGN
    assert not tierwall.tray.undo_action.isVisible()


def test_a_block_leaves_a_clipboard_that_changed_meanwhile_alone(qtbot, tierwall):
    copy(qtbot, tierwall, BENIGN)
    late = ScanResult(99, "clipboard", RISKY, tierwall.engine.scan(RISKY), 0.0, 0.0)
    blocked = []
    tierwall.policy.blocked.connect(blocked.append)
    with qtbot.waitSignal(tierwall.policy.notified, timeout=5000):
        tierwall.policy.handle(late)
    assert _clipboard() == BENIGN and blocked == []


def test_with_replacing_off_a_block_only_notifies(qtbot, tierwall):
    tierwall.settings_applier.apply(replace(tierwall.settings, replace_blocked=False))
    with qtbot.waitSignal(tierwall.policy.notified, timeout=30000):
        copy(qtbot, tierwall, RISKY)
    assert _clipboard() == RISKY
    assert tierwall.policy.toast.title.text() == "Blocked: prompt injection"
    assert tierwall.policy.toast.undo_button.isHidden() and not tierwall.tray.undo_action.isVisible()
    assert tierwall.tray.state == "blocked" and tierwall.tray.words == "blocked"


def test_a_warning_does_not_touch_the_clipboard(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.policy.notified, timeout=30000):
        result = copy(qtbot, tierwall, SECRET_TEXT)
    assert result.verdict.decision == "warn"
    assert _clipboard() == SECRET_TEXT
    assert tierwall.policy.toast.undo_button.isHidden() and not tierwall.policy.toast.replace_button.isHidden()


def test_a_block_for_secrets_alone_leaves_the_masked_text(qtbot, tierwall):
    copy(qtbot, tierwall, SECRET_TEXT)
    block = _as_block(tierwall, SECRET_TEXT)
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=5000):
        tierwall.policy.handle(block)
    assert _clipboard() == block.verdict.redacted and "[SECRET:github_token]" in _clipboard()
    assert tierwall.policy.toast.title.text() == "Blocked and masked on the clipboard"
    with qtbot.waitSignal(tierwall.policy.undone, timeout=5000):
        tierwall.policy.toast.undo_button.click()
    assert _clipboard() == SECRET_TEXT


def test_a_denylisted_text_with_a_secret_is_not_merely_masked(qtbot, tierwall):
    copy(qtbot, tierwall, SECRET_TEXT)
    block = _as_block(tierwall, SECRET_TEXT, reasons=("on your denylist", "contains secrets"))
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=5000):
        tierwall.policy.handle(block)
    assert _clipboard() == block_notice(block.verdict)


def test_a_text_without_a_complete_mask_is_blocked_with_a_notice_not_half_masked(qtbot, tierwall):
    copy(qtbot, tierwall, SECRET_TEXT)
    block = _as_block(tierwall, SECRET_TEXT)
    block = replace(block, verdict=replace(block.verdict, redacted=None))
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=5000):
        tierwall.policy.handle(block)
    assert _clipboard() == block_notice(block.verdict)
    tierwall.policy.replace_with_redacted(block)  # the toast's "mask it" has nothing to write
    assert _clipboard() == block_notice(block.verdict)


# -- a block and automatic masking together ---------------------------------------------


def test_with_auto_masking_a_block_for_secrets_alone_is_masked_without_asking(qtbot, tierwall):
    tierwall.settings_applier.apply(replace(tierwall.settings, auto_sanitize=True))
    tierwall.guard.write(SECRET_TEXT)  # on the clipboard, as if copied, without a scan of its own
    block = _as_block(tierwall, SECRET_TEXT)
    told = []
    for signal in (tierwall.policy.blocked, tierwall.policy.notified):
        signal.connect(told.append)
    with qtbot.waitSignal(tierwall.policy.sanitized, timeout=5000):
        tierwall.policy.handle(block)
    assert _clipboard() == block.verdict.redacted
    assert told == [] and tierwall.tray.state == "protecting"


def test_with_auto_masking_a_blocked_attack_is_removed_and_undo_keeps_its_secret_masked(qtbot, tierwall):
    tierwall.settings_applier.apply(replace(tierwall.settings, auto_sanitize=True))
    text = f"{RISKY} Then use {TOKEN}."
    sanitized = []
    tierwall.policy.sanitized.connect(sanitized.append)
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=30000):
        result = copy(qtbot, tierwall, text)
    assert _clipboard() == block_notice(result.verdict)
    with qtbot.waitSignal(tierwall.policy.undone, timeout=5000):
        tierwall.policy.undo_block()
    assert _clipboard() == result.verdict.redacted  # the attack is back, by request; the secret stays masked
    assert TOKEN not in _clipboard() and RISKY in _clipboard()
    assert sanitized == []


# -- allowing a text ---------------------------------------------------------------------


def test_allowing_a_blocked_text_asks_first_and_a_no_changes_nothing(qtbot, tierwall):
    asked = []
    tierwall.policy.confirm_allow = lambda result: asked.append(result.text) or False
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=30000):
        copy(qtbot, tierwall, RISKY)
    assert tierwall.policy.toast.allow_button.text() == "Allow this text…"
    tierwall.policy.toast.allow_button.click()
    assert asked == [RISKY]
    qtbot.wait(50)  # a chore, had one been started, reports within this
    assert not tierwall.engine.user_lists.allow
    assert _clipboard().startswith("[Tierwall blocked this text")


def test_allowing_a_blocked_text_after_a_yes_puts_it_back_on_the_clipboard(qtbot, tierwall):
    _allow_blocked(qtbot, tierwall)
    assert len(tierwall.engine.user_lists.allow) == 1
    assert _clipboard() == RISKY  # allowed: where the user wanted it
    assert tierwall.tray.state == "protecting" and not tierwall.tray.undo_action.isVisible()
    assert len(stored(tierwall)) == 1


def test_allowing_a_warning_takes_one_click(qtbot, tierwall):
    def never(result):
        raise AssertionError("a warning must not ask")

    tierwall.policy.confirm_allow = never
    with qtbot.waitSignal(tierwall.policy.notified, timeout=30000):
        copy(qtbot, tierwall, SECRET_TEXT)
    assert tierwall.policy.toast.allow_button.text() == "Allow this text"
    with qtbot.waitSignal(tierwall.lists.allowlist_changed, timeout=10000):
        tierwall.policy.toast.allow_button.click()
    assert len(tierwall.engine.user_lists.allow) == 1
    assert tierwall.tray.state == "protecting"
    assert _allowlist(tierwall)[0].endswith(" · overrode warn: secret")


def test_the_confirmation_is_a_question_whose_default_is_no(qtbot, tierwall, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    asked = []
    answer = [QMessageBox.StandardButton.No]

    def question(parent, title, text, buttons, default):
        asked.append((title, text, default))
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    block = ScanResult(1, "clipboard", RISKY, tierwall.engine.scan(RISKY), 0, 0)
    assert clipboard_policy.ask_allow_blocked(block) is False
    ((title, text, default),) = asked
    assert title == "Allow a blocked text?" and "prompt injection" in text and "allowlist" in text
    assert default == QMessageBox.StandardButton.No
    answer[0] = QMessageBox.StandardButton.Yes
    assert clipboard_policy.ask_allow_blocked(block) is True
    assert tierwall.policy.confirm_allow is clipboard_policy.ask_allow_blocked  # asked this way unless told otherwise


def test_a_write_of_the_app_skips_only_the_change_it_makes(qtbot, tierwall):
    guard = tierwall.guard
    guard.write(RISKY)  # e.g. Undo putting a blocked text back
    with qtbot.waitSignal(guard.captured, timeout=5000, check_params_cb=lambda text: text == BENIGN):
        QGuiApplication.clipboard().setText(BENIGN)  # the user copies something else at once, within the debounce
    with qtbot.waitSignal(guard.captured, timeout=5000, check_params_cb=lambda text: text == RISKY):
        QGuiApplication.clipboard().setText(RISKY)  # and then the blocked text itself: scanned, not waved through
