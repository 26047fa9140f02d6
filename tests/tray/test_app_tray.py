"""The tray: no tray means a window that says so; the icon follows the state; the menu has the actions."""

from __future__ import annotations

from app_support import BENIGN, RISKY, close, copy, make_app_with_tray
from PySide6.QtGui import QColor

from app import icons
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
    status, *actions = [a for a in tray.menu.actions() if not a.isSeparator()]
    assert [a.text() for a in actions] == ["Pause protection", "Scan clipboard now", "Open Tierwall",
                                           "Unload models now", "Quit"]  # fmt: skip
    assert not status.isEnabled() and status.text() == "Protecting"
    tray.set_detail("99 MiB · 0 of 3 models loaded")
    assert status.text() == "Protecting · 99 MiB · 0 of 3 models loaded"
    assert tray.icon.toolTip() == "Tierwall: protecting your clipboard\n99 MiB · 0 of 3 models loaded"
    tray.pause_action.trigger()
    assert tray.state == "paused" and tray.pause_action.text() == "Resume protection"


def test_state_priority_loading_over_warning_over_paused():
    from app.tray import Tray

    tray = Tray()
    assert tray.state == "protecting"
    tray.set_paused(True)
    tray.set_warning(True)
    tray.set_loading(True)
    assert tray.state == "loading"
    tray.set_loading(False)
    assert tray.state == "warning"
    tray.set_warning(False)
    assert tray.state == "paused"
    assert tray.icon.toolTip() == "Tierwall: paused"


def test_each_state_has_its_own_icon():
    centres = {state: QColor(icons.paint(state, 64).pixel(50, 22)).name() for state in icons.STATES}
    assert len(set(centres.values())) == len(icons.STATES)
    corner = QColor.fromRgba(icons.paint("protecting", 64).pixel(0, 63))
    assert corner.alpha() == 0  # transparent around the shield


def test_unload_models_now_from_the_tray(qtbot, tierwall):
    calls = []
    tierwall.engine.models.unload_all = lambda **kw: calls.append(kw)  # the real one is covered in the memory tests
    tierwall.tray.unload_models.emit()
    qtbot.waitUntil(lambda: calls == [{}], timeout=5000)


def test_a_warning_turns_the_icon_to_warning(qtbot, tierwall):
    with qtbot.waitSignal(tierwall.notified, timeout=30000):
        copy(qtbot, tierwall, RISKY)
    assert tierwall.tray.state == "warning"
    first, second = tierwall.tray.icon.toolTip().splitlines()
    assert first == "Tierwall: risky text on the clipboard"
    assert second.endswith("models loaded") and "MiB" in second


def test_with_a_tray_the_window_is_built_only_when_opened(qtbot, app_env):
    app = make_app_with_tray()
    try:
        assert not app.window_built  # a tray app at rest holds no window
        copy(qtbot, app, BENIGN)
        assert not app.window_built
        assert len(app.trace.samples) >= 1  # the memory graph's data is collected all the same
        app.tray.open_window.emit()
        assert app.window_built and app.window.isVisible()
        assert app.history_page.table.rowCount() == 1
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


def test_pages_switch_with_ctrl_and_a_number(qtbot, tierwall):
    from PySide6.QtCore import Qt

    window = tierwall.window
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page == "memory"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page == "scan"
