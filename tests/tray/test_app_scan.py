"""Scan page: scans as you type on the worker, marks findings in place, explains them, copies redacted text."""

from __future__ import annotations

from app_support import BENIGN, RISKY, SECRET_TEXT, TOKEN, stored
from PySide6.QtGui import QGuiApplication

from app.highlight import utf16_positions, visible_findings
from app.theme import category_colour
from engine import History


def type_and_wait(qtbot, app, text):
    with qtbot.waitSignal(app.worker.scanned, timeout=30000,
                          check_params_cb=lambda r: r.source == "typing" and r.text == text) as blocker:  # fmt: skip
        app.scan_page.editor.setPlainText(text)
    return blocker.args[0]


def test_typing_scans_and_highlights_each_finding_in_its_category_colour(qtbot, tierwall):
    text = f"{RISKY}\n{SECRET_TEXT}"
    result = type_and_wait(qtbot, tierwall, text)
    page = tierwall.scan_page
    assert page.panel.badge.text() == "BLOCK"
    shown = visible_findings(result.verdict.findings)
    selections = page.editor.extraSelections()
    assert len(selections) == len(shown) > 0
    for selection, finding in zip(selections, shown, strict=True):
        assert selection.cursor.selectedText() == text[finding.start : finding.end].replace("\n", "\u2029")
        assert selection.format.underlineColor() == category_colour(finding.category)
    token_at = text.index(TOKEN) + 3
    tip = page.editor.tooltip_at(token_at)
    assert "secret.github_token" in tip and "tier 0" in tip
    assert page.editor.tooltip_at(text.index("polite") if "polite" in text else len(RISKY)) == ""


def test_spans_after_an_emoji_still_point_at_the_finding(qtbot, tierwall):
    text = f"😀😀 note: {TOKEN}"
    type_and_wait(qtbot, tierwall, text)
    (selection,) = tierwall.scan_page.editor.extraSelections()
    assert selection.cursor.selectedText() == TOKEN
    assert utf16_positions("a😀b") == [0, 1, 3, 4]
    assert utf16_positions("plain") is None


def test_verdict_panel_shows_tier_timings_and_reasons(qtbot, tierwall):
    type_and_wait(qtbot, tierwall, RISKY)
    panel = tierwall.scan_page.panel
    assert "tier 0" in panel.tier.text()
    assert "total" in panel.timings.text() and "ms" in panel.timings.text()
    assert "inj.ignore_previous" in panel.reasons.text()
    assert panel.score.value() > 50


def test_a_leak_shows_a_low_attack_likelihood_and_the_secrets_confidence(qtbot, tierwall):
    verdict = type_and_wait(qtbot, tierwall, SECRET_TEXT).verdict
    panel = tierwall.scan_page.panel
    assert verdict.decision == "warn" and verdict.confidence["secret"] > verdict.score
    assert panel.score.value() == round(verdict.score * 100) and panel.score.format() == "attack likelihood %p%"
    assert "leaked secret" in panel.score.toolTip()
    assert f"secret <span style='color:#6b7280'>{verdict.confidence['secret']:.0%}</span>" in panel.categories.text()
    type_and_wait(qtbot, tierwall, RISKY)
    assert panel.score.value() > 50 and "injection <span" in panel.categories.text()


def test_copy_redacted_puts_the_masked_text_on_the_clipboard_and_is_not_rescanned(qtbot, tierwall):
    result = type_and_wait(qtbot, tierwall, SECRET_TEXT)
    page = tierwall.scan_page
    assert page.copy_button.isEnabled()
    with qtbot.waitSignal(tierwall.guard.skipped, check_params_cb=lambda why: why == "our own write"):
        page.copy_button.click()
    assert QGuiApplication.clipboard().text() == result.verdict.redacted
    assert TOKEN not in QGuiApplication.clipboard().text()


def test_scan_and_record_adds_a_manual_history_row(qtbot, tierwall):
    type_and_wait(qtbot, tierwall, BENIGN)
    assert stored(tierwall, History.count) == 0  # typing alone records nothing
    with qtbot.waitSignal(tierwall.worker.scanned, check_params_cb=lambda r: r.source == "manual", timeout=30000):
        tierwall.scan_page.scan_button.click()
    (row,) = stored(tierwall)
    assert row.source == "manual" and row.decision == "allow"


def test_a_verdict_for_older_text_is_not_shown(qtbot, tierwall):
    result = type_and_wait(qtbot, tierwall, RISKY)
    page = tierwall.scan_page
    page.editor.setPlainText(BENIGN)
    page.show_result(result)  # arrives late, for text no longer in the editor
    assert page.result is None
    assert page.editor.extraSelections() == []


def hover(widget, point) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(widget, QHelpEvent(QEvent.Type.ToolTip, point, widget.mapToGlobal(point)))


def test_hovering_a_finding_shows_its_tooltip(qtbot, tierwall):
    from PySide6.QtWidgets import QToolTip

    text = f"note: {TOKEN}"
    type_and_wait(qtbot, tierwall, text)
    tierwall.window.show_page("scan")
    editor = tierwall.scan_page.editor
    cursor = editor.textCursor()
    cursor.setPosition(text.index(TOKEN) + 4)
    hover(editor.viewport(), editor.cursorRect(cursor).center())
    assert "secret.github_token" in QToolTip.text() and QToolTip.isVisible()
    QToolTip.hideText()
