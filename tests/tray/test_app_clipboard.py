"""The clipboard path: a change is scanned off the GUI thread, risky text warns, the user can act on it."""

from __future__ import annotations

from dataclasses import replace

from app_support import BENIGN, RISKY, SECRET_TEXT, TOKEN, close, copy, make_app, make_app_with_tray
from PySide6.QtCore import QMimeData
from PySide6.QtGui import QGuiApplication, QImage

from engine import Engine
from engine.decide import Bands


def test_a_clipboard_change_is_scanned_and_risky_text_notifies(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.notified, timeout=30000) as notified:
        result = copy(qtbot, tierwall, RISKY)
    assert result.source == "clipboard"
    assert result.verdict.decision == "block"
    assert notified.args[0].text == RISKY
    assert tierwall.toast.isVisible()
    assert tierwall.toast.title.text().startswith("Blocked: injection")
    assert "ignore" in tierwall.toast.reason.text()
    assert tierwall.tray.state == "warning"
    assert [r.source for r in tierwall.history.rows()] == ["clipboard"]


def test_benign_text_is_recorded_without_a_notification(qtbot, tierwall):
    received = []
    tierwall.notified.connect(received.append)
    result = copy(qtbot, tierwall, BENIGN)
    assert result.verdict.decision == "allow"
    assert received == []
    assert not tierwall.toast.isVisible()
    assert tierwall.tray.state == "protecting"


def test_pause_stops_scanning_until_resumed(qtbot, tierwall):
    scanned = []
    tierwall.clipboard_verdict.connect(lambda r: scanned.append(r.text))
    tierwall.tray.pause_action.trigger()
    assert tierwall.guard.paused and tierwall.tray.state == "paused"
    with qtbot.waitSignal(tierwall.guard.skipped, check_params_cb=lambda why: why == "paused"):
        QGuiApplication.clipboard().setText(RISKY)
    tierwall.tray.pause_action.trigger()
    assert not tierwall.guard.paused
    copy(qtbot, tierwall, BENIGN)
    assert scanned == [BENIGN]  # the paused copy never reached the engine
    assert [r.decision for r in tierwall.history.rows()] == ["allow"]


def test_scan_clipboard_now_works_while_paused(qtbot, tierwall):
    tierwall.set_paused(True)
    QGuiApplication.clipboard().setText(RISKY)
    with qtbot.waitSignal(tierwall.clipboard_verdict, timeout=30000) as blocker:
        tierwall.tray.scan_clipboard.emit()
    assert blocker.args[0].text == RISKY


def test_non_text_clipboard_data_is_skipped(qtbot, tierwall):
    mime = QMimeData()
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(0)
    mime.setImageData(image)
    with qtbot.waitSignal(tierwall.guard.skipped, check_params_cb=lambda why: why == "not text"):
        QGuiApplication.clipboard().setMimeData(mime)


def test_replace_with_redacted_masks_the_clipboard_without_rescanning(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.notified, timeout=30000):
        result = copy(qtbot, tierwall, SECRET_TEXT)
    assert tierwall.toast.replace_button.isEnabled()
    with qtbot.waitSignal(tierwall.guard.skipped, check_params_cb=lambda why: why == "our own write"):
        tierwall.toast.replace_button.click()
    clip = QGuiApplication.clipboard().text()
    assert TOKEN not in clip
    assert clip == result.verdict.redacted
    assert len(tierwall.history.rows()) == 1  # the redacted copy was not scanned again


def test_auto_sanitize_replaces_secrets_on_copy(qtbot, tierwall):
    tierwall.apply_settings(replace(tierwall.settings, auto_sanitize=True))
    shown = []
    tierwall.notified.connect(shown.append)
    with qtbot.waitSignal(tierwall.sanitized, timeout=30000):
        QGuiApplication.clipboard().setText(SECRET_TEXT)
    assert TOKEN not in QGuiApplication.clipboard().text()
    assert "[SECRET:github_token]" in QGuiApplication.clipboard().text()
    assert shown == []  # masked without asking


def test_allow_this_text_puts_it_on_the_allowlist(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.notified, timeout=30000):
        copy(qtbot, tierwall, RISKY)
    with qtbot.waitSignal(tierwall.allowlist_changed, timeout=10000):
        tierwall.toast.allow_button.click()
    entries = [tierwall.settings_page.allow_list.item(i).text()
               for i in range(tierwall.settings_page.allow_list.count())]  # fmt: skip
    assert len(entries) == 1 and "Ignore all previous instructions" in entries[0]
    QGuiApplication.clipboard().setText(BENIGN)  # a different text in between, then the allowed one again
    again = copy(qtbot, tierwall, RISKY)
    assert again.verdict.decision == "allow"
    assert "on your allowlist" in again.verdict.reasons


def test_removing_an_allowlist_entry(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.notified, timeout=30000):
        copy(qtbot, tierwall, RISKY)
    with qtbot.waitSignal(tierwall.allowlist_changed, timeout=10000):
        tierwall.toast.allow_button.click()
    QGuiApplication.clipboard().setText(BENIGN)
    assert copy(qtbot, tierwall, RISKY).verdict.decision == "allow"  # allowed, and that verdict is cached
    page = tierwall.settings_page
    page.allow_list.setCurrentRow(0)
    with qtbot.waitSignal(tierwall.allowlist_changed, timeout=10000):
        page.allow_remove.click()
    assert not tierwall.engine.user_lists.allow
    assert tierwall.history.allowed() == {}
    assert not page.allow_remove.isEnabled()
    QGuiApplication.clipboard().setText(BENIGN)
    again = copy(qtbot, tierwall, RISKY)
    assert again.verdict.decision == "block"  # no longer allowed, not even by a cached verdict


def test_text_over_the_engine_limit_is_reported_as_not_fully_scanned(qtbot, app_env):
    engine = Engine(idle_timeout_s=None, bands=replace(Bands.load(), max_scan_chars=200))
    app = make_app(engine)
    try:
        long_text = (BENIGN + " ") * 5
        with qtbot.waitSignal(app.notified, timeout=30000):
            result = copy(qtbot, app, long_text)
        assert result.verdict.decision != "allow"
        assert any("not fully scanned" in r for r in result.verdict.reasons)
        assert "not fully scanned" in app.toast.reason.text()
    finally:
        close(app)


def test_details_opens_the_scan_page_on_that_text(qtbot, app_env):
    app = make_app_with_tray()
    try:
        with qtbot.waitSignal(app.notified, timeout=30000):
            copy(qtbot, app, SECRET_TEXT)
        assert not app.window_built  # nothing opened by itself
        app.toast.details_button.click()
        assert app.window.isVisible() and app.window.current_page == "scan"
        assert app.scan_page.editor.toPlainText() == SECRET_TEXT
        assert app.scan_page.panel.badge.text() == "WARN"
        assert any(s.cursor.selectedText() == TOKEN for s in app.scan_page.editor.extraSelections())
        assert not app.toast.isVisible()
    finally:
        close(app)


def test_auto_sanitize_still_warns_about_an_attack_in_the_same_text(qtbot, tierwall):
    tierwall.apply_settings(replace(tierwall.settings, auto_sanitize=True))
    text = f"{RISKY} Then use {TOKEN}."
    with qtbot.waitSignal(tierwall.sanitized, timeout=30000), qtbot.waitSignal(tierwall.notified, timeout=30000):
        QGuiApplication.clipboard().setText(text)
    assert TOKEN not in QGuiApplication.clipboard().text()
    assert tierwall.toast.title.text().startswith("Blocked")
