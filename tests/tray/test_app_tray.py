"""The tray: no tray means a window that says so; the icon follows the clipboard; the menu has the actions."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from app_support import BENIGN, RISKY, SECRET_TEXT, close, copy, make_app_with_tray
from PySide6.QtGui import QColor, QGuiApplication

from app import clipboard_policy, icons
from app.controller import NO_TRAY_MESSAGE


def test_without_a_system_tray_the_window_opens_and_says_why(tierwall):
    assert not tierwall.tray.available  # the offscreen platform has none
    assert tierwall.window.isVisible()
    assert tierwall.window.banner.isVisible()
    assert NO_TRAY_MESSAGE in tierwall.window.banner.text()
    assert tierwall.window.hide_on_close is False  # closing the window quits instead of hiding into nothing


def test_the_menu_offers_every_action():
    from app.tray import Tray

    tray = Tray()
    status, *actions = [a for a in tray.menu.actions() if not a.isSeparator() and a.isVisible()]
    assert [a.text() for a in actions] == ["Pause protection", "Scan clipboard now", "Open Tierwall",
                                           "Unload models now", "Quit"]  # fmt: skip
    assert not status.isEnabled() and status.text() == "Protecting"
    tray.set_undo(True)  # only while a blocked text can be put back
    undo = [a for a in tray.menu.actions() if a.isVisible()][1]
    assert undo.text() == "Undo: put the blocked text back"
    asked = []
    tray.undo_requested.connect(lambda: asked.append(True))
    undo.trigger()
    assert asked == [True]
    tray.set_detail("99 MiB · 0 of 3 models loaded")
    assert status.text() == "Protecting · 99 MiB · 0 of 3 models loaded"
    assert tray.icon.toolTip() == "Tierwall: protecting your clipboard\n99 MiB · 0 of 3 models loaded"
    tray.pause_action.trigger()
    assert tray.state == "paused" and tray.pause_action.text() == "Resume protection"


def test_state_priority_loading_over_the_clipboard_over_paused():
    from app.tray import Tray

    tray = Tray()
    assert tray.state == "protecting"
    tray.set_paused(True)
    tray.set_clipboard("warning")
    tray.set_loading(True)
    assert tray.state == "loading"
    tray.set_loading(False)
    assert tray.state == "warning"
    tray.set_clipboard("clean")
    assert tray.state == "paused"
    assert tray.icon.toolTip() == "Tierwall: paused"
    with pytest.raises(ValueError, match="unknown clipboard state 'risky'"):
        tray.set_clipboard("risky")


def test_the_tooltip_and_status_line_say_the_clipboard_state_in_words():
    from app.tray import Tray

    tray = Tray()
    status = tray.menu.actions()[0]
    said = {}
    for clipboard in ("warning", "blocked", "removed"):
        tray.set_clipboard(clipboard)
        said[clipboard] = (tray.state, tray.icon.toolTip(), status.text())
    assert said == {
        "warning": ("warning", "Tierwall: warning, risky text on the clipboard",
                    "Warning: risky text on the clipboard"),
        "blocked": ("blocked", "Tierwall: blocked, risky text on the clipboard",
                    "Blocked: risky text on the clipboard"),
        "removed": ("blocked", "Tierwall: blocked text removed from the clipboard",
                    "Blocked: removed from the clipboard"),
    }  # fmt: skip


def _opaque(state: str, size: int = 64) -> set[tuple[int, int]]:
    image = icons.paint(state, size)
    return {(x, y) for x in range(size) for y in range(size) if QColor.fromRgba(image.pixel(x, y)).alpha() > 128}


def test_each_state_has_its_own_icon():
    centres = {state: QColor(icons.paint(state, 64).pixel(50, 22)).name() for state in icons.STATES}
    assert len(set(centres.values())) == len(icons.STATES)
    corner = QColor.fromRgba(icons.paint("protecting", 64).pixel(0, 63))
    assert corner.alpha() == 0  # transparent around the shield
    with pytest.raises(ValueError, match="unknown icon state"):
        icons.paint("alarm")


@pytest.mark.parametrize("size", [16, 64])
def test_warning_and_blocked_differ_in_shape_not_only_in_colour(size):
    warning, blocked, shield = _opaque("warning", size), _opaque("blocked", size), _opaque("protecting", size)
    for a, b in ((warning, blocked), (warning, shield), (blocked, shield)):
        assert len(a ^ b) > 0.15 * len(a | b)  # the outlines, not the glyphs, differ by this much
    top_left = (int(size * 0.2), int(size * 0.25))
    assert top_left in blocked and top_left not in warning  # an octagon fills the corner a triangle leaves empty


def test_unload_models_now_from_the_tray(qtbot, tierwall):
    calls = []
    tierwall.engine.models.unload_all = lambda **kw: calls.append(kw)  # the real one is covered in the memory tests
    tierwall.tray.unload_models.emit()
    qtbot.waitUntil(lambda: calls == [{}], timeout=5000)


def test_a_warning_turns_the_icon_to_warning_and_a_clean_copy_turns_it_back_at_once(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.policy.notified, timeout=30000):
        result = copy(qtbot, tierwall, SECRET_TEXT)
    assert result.verdict.decision == "warn"
    assert tierwall.tray.state == "warning"
    first, second = tierwall.tray.icon.toolTip().splitlines()
    assert first == "Tierwall: warning, risky text on the clipboard"
    assert second.endswith("models loaded") and "MiB" in second
    copy(qtbot, tierwall, BENIGN)
    assert tierwall.tray.state == "protecting"  # no timer keeps the warning after a clean copy


def test_a_block_shows_the_blocked_icon_until_the_next_copy(qtbot, tierwall, monkeypatch):
    monkeypatch.setattr(clipboard_policy, "UNDO_MS", 50)
    with qtbot.waitSignal(tierwall.policy.blocked, timeout=30000):
        copy(qtbot, tierwall, RISKY)
    assert tierwall.tray.state == "blocked"
    assert tierwall.tray.icon.toolTip().startswith("Tierwall: blocked text removed from the clipboard")
    qtbot.waitUntil(lambda: not tierwall.tray.undo_action.isVisible(), timeout=5000)
    assert tierwall.tray.state == "blocked"  # the notice is still what a paste gives: the icon still says why
    copy(qtbot, tierwall, BENIGN)
    assert tierwall.tray.state == "protecting"


def test_a_verdict_for_a_text_no_longer_on_the_clipboard_leaves_the_icon_alone(qtbot, tierwall):
    from app.worker import ScanResult

    copy(qtbot, tierwall, BENIGN)
    late = ScanResult(99, "clipboard", RISKY, tierwall.engine.scan(RISKY), 0.0, 0.0)
    with qtbot.waitSignal(tierwall.policy.notified, timeout=5000):
        tierwall.policy.handle(late)  # as if RISKY's scan ended after the user had copied BENIGN
    assert QGuiApplication.clipboard().text() == BENIGN  # the newer copy is not replaced
    assert tierwall.tray.state == "protecting"
    assert tierwall.policy.toast.title.text() == "Blocked: prompt injection"  # still told: it may have been pasted
    assert tierwall.policy.toast.undo_button.isHidden()


def test_with_a_tray_the_window_is_built_only_when_opened(qtbot, app_env):
    app = make_app_with_tray()
    try:
        assert not app.window_built  # a tray app at rest holds no window
        copy(qtbot, app, BENIGN)
        assert not app.window_built
        assert len(app.monitor.trace.samples) >= 1  # the memory graph's data is collected all the same
        app.tray.open_window.emit()
        assert app.window_built and app.window.isVisible()
        app.window.show_page("history")
        qtbot.waitUntil(lambda: app.history_page.model.rowCount() == 1, timeout=5000)
        app.window.close()
        assert not app.window.isVisible()  # closing hides it to the tray; the app keeps running
    finally:
        close(app)


def test_a_second_start_asks_the_first_to_show_its_window(qtbot, app_env):
    from app.single import SingleInstance, ask_running_instance, server_name

    name = server_name() + "-test"
    assert not ask_running_instance(name)  # nobody listening yet
    first = SingleInstance(name)
    try:
        assert first.listening
        with qtbot.waitSignal(first.show_requested, timeout=5000):
            assert ask_running_instance(name)
    finally:
        first.close()
    assert not ask_running_instance(name)


@pytest.mark.skipif(os.name != "posix", reason="POSIX: Windows' named pipes are per user")
def test_the_rendezvous_is_a_socket_in_a_directory_only_this_user_can_enter(app_env):
    from app.single import server_name

    directory = Path(server_name()).parent
    st = directory.lstat()
    assert Path(server_name()).is_absolute() and st.st_uid == os.getuid() and not st.st_mode & 0o077


def test_another_users_listener_does_not_stop_the_start(qtbot, app_env, monkeypatch):
    from app import single

    name = single.server_name() + "-foreign"
    foreign = single.SingleInstance(name)  # stands for another user's program listening on the name
    try:
        assert foreign.listening
        monkeypatch.setattr(single, "peer_uid", lambda socket: os.getuid() + 1)
        assert not single.ask_running_instance(name)  # not ours: start anyway
        monkeypatch.undo()
        with qtbot.waitSignal(foreign.show_requested, timeout=5000):
            assert single.ask_running_instance(name)  # ours: it is asked to show its window
    finally:
        foreign.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_PEERCRED is Linux's")
def test_peer_uid_reads_the_other_ends_uid(qtbot, app_env):
    from PySide6.QtNetwork import QLocalSocket

    from app import single

    name = single.server_name() + "-peer"
    server = single.SingleInstance(name)
    try:
        client = QLocalSocket()
        client.connectToServer(name)
        assert client.waitForConnected(2000)
        assert single.peer_uid(client) == os.getuid()
        client.abort()
    finally:
        server.close()


def test_pages_switch_with_ctrl_and_a_number(qtbot, tierwall):
    from PySide6.QtCore import Qt

    window = tierwall.window
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page == "memory"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page == "scan"
