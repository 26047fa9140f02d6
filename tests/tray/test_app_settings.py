"""Settings: survive a restart, a corrupt file is backed up with a visible message, autostart, policies."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from app_support import close, make_app

from app import autostart
from app.settings import Settings, SettingsFile, config_dir
from engine import Engine, EngineConfig


def test_settings_survive_a_restart(qtbot, app_env):
    app = make_app()
    page = app.settings_page
    page.watch.setChecked(False)
    page.sanitize.setChecked(True)
    page.idle.setValue(120)
    page.idle.editingFinished.emit()
    page.threads.setValue(2)
    page.threads.editingFinished.emit()
    assert not app.guard.enabled
    qtbot.waitUntil(lambda: app.engine.models.snapshot().idle_timeout_s == 120.0, timeout=5000)
    close(app)

    again = make_app()
    try:
        s = again.settings
        assert (s.watch_clipboard, s.auto_sanitize, s.idle_timeout_s, s.threads) == (False, True, 120, 2)
        assert not again.settings_page.watch.isChecked() and again.settings_page.idle.value() == 120
        assert again.memory_page.idle.value() == 120
        assert not again.guard.enabled
        assert again.engine.models.snapshot().idle_timeout_s == 120.0
    finally:
        close(again)


def test_replacing_blocked_text_is_on_by_default_and_can_be_turned_off(qtbot, app_env):
    assert Settings().replace_blocked is True
    app = make_app()
    box = app.settings_page.replace_blocked
    assert box.text() == "Replace blocked clipboard text" and box.isChecked()
    box.setChecked(False)
    assert app.settings.replace_blocked is False
    assert json.loads(SettingsFile().path.read_text(encoding="utf-8"))["replace_blocked"] is False
    close(app)
    again = make_app()
    try:
        assert again.settings.replace_blocked is False and not again.settings_page.replace_blocked.isChecked()
    finally:
        close(again)


def test_a_corrupt_settings_file_is_backed_up_and_reset_with_a_message(qtbot, app_env):
    path = config_dir() / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text("{ not json", encoding="utf-8")
    app = make_app()
    try:
        assert app.settings == Settings()
        kept = [p for p in path.parent.iterdir() if p.name.startswith("settings.json.corrupt-")]
        assert [p.read_text(encoding="utf-8") for p in kept] == ["{ not json"]
        assert app.window.isVisible()
        assert "settings file" in app.window.banner.text() and "could not be read" in app.window.banner.text()
    finally:
        close(app)


def test_settings_of_the_wrong_type_count_as_corrupt_and_out_of_range_values_are_clamped(app_env):
    path = config_dir() / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"notifications": "yes"}), encoding="utf-8")
    assert SettingsFile().load() == Settings()
    path.write_text(json.dumps({"window_geometry": 42}), encoding="utf-8")
    assert SettingsFile().load() == Settings()
    path.write_text(json.dumps({"idle_timeout_s": -5, "budget_mib": 10**9, "future_option": 1}), encoding="utf-8")
    settings_file = SettingsFile()
    loaded = settings_file.load()
    assert (loaded.idle_timeout_s, loaded.budget_mib, settings_file.problem) == (0, 64 * 1024, None)
    assert loaded.idle_timeout is None and Settings(budget_mib=0).budget is None


def test_start_at_login_writes_and_removes_the_xdg_autostart_entry(qtbot, tierwall):
    entry = autostart.entry_path()
    assert not entry.exists()
    tierwall.settings_page.autostart.setChecked(True)
    text = entry.read_text(encoding="utf-8")
    assert "[Desktop Entry]" in text and "Exec=" in text and "Name=Tierwall" in text
    tierwall.settings_page.autostart.setChecked(False)
    assert not entry.exists()


@dataclass(frozen=True)
class Policy:
    id: str
    hypothesis: str
    action: str
    created: float
    display: str = ""  # the user's words; the real Policy's property
    rewritten: bool = False


class FakePolicies:
    """The PolicyStore interface the page talks to: list / add (ValueError on bad input) / remove."""

    def __init__(self) -> None:
        self.items: list[Policy] = []

    def list(self) -> list[Policy]:
        return list(self.items)

    def add(self, hypothesis: str, action: str = "warn") -> Policy:
        if len(hypothesis) < 10:
            raise ValueError("a policy needs a full sentence")
        policy = Policy(str(len(self.items) + 1), hypothesis, action, 0.0, hypothesis)
        self.items.append(policy)
        return policy

    def remove(self, policy_id: str) -> bool:
        before = len(self.items)
        self.items = [p for p in self.items if p.id != policy_id]
        return len(self.items) < before


def test_policies_can_be_added_refused_and_removed(qtbot, app_env):
    engine = Engine(EngineConfig(idle_timeout_s=None))
    engine.policies = FakePolicies()  # type: ignore[attr-defined]
    app = make_app(engine)
    try:
        page = app.settings_page
        assert not page.policies_box.isHidden()
        page.policy_text.setText("short")
        page.policy_add.click()
        qtbot.waitUntil(lambda: not page.policy_error.isHidden(), timeout=5000)
        assert "full sentence" in page.policy_error.text()
        page.policy_text.setText("This text contains our customer list.")
        page.policy_action.setCurrentText("block")
        page.policy_add.click()
        qtbot.waitUntil(lambda: page.policy_list.count() == 1, timeout=5000)
        assert page.policy_list.item(0).text() == "[block]  This text contains our customer list."
        assert page.policy_error.isHidden()
        page.policy_list.setCurrentRow(0)
        page.policy_remove.click()
        qtbot.waitUntil(lambda: page.policy_list.count() == 0, timeout=5000)
        assert engine.policies.items == []  # type: ignore[attr-defined]
    finally:
        close(app)


def test_without_a_policy_store_the_policies_panel_is_hidden(tierwall):
    if getattr(tierwall.engine, "policies", None) is None:
        assert tierwall.settings_page.policies_box.isHidden()
    else:
        assert not tierwall.settings_page.policies_box.isHidden()


def test_the_real_policy_store_and_check_always(qtbot, tierwall):
    if getattr(tierwall.engine, "policies", None) is None:
        pytest.skip("this engine has no user policies")
    page = tierwall.settings_page
    page.policy_text.setText("This text contains our quarterly revenue figures.")
    page.policy_add.click()
    qtbot.waitUntil(lambda: page.policy_list.count() == 1, timeout=5000)
    (policy,) = tierwall.engine.policies.list()
    assert policy.wording == "This text contains our quarterly revenue figures."  # checked as a rewrite of it
    item = page.policy_list.item(0)
    assert item.text() == "[warn]  This text contains our quarterly revenue figures."  # the user's own words
    assert policy.rewritten and f"checked as: {policy.hypothesis}" in item.toolTip()
    page.policy_always.setChecked(True)
    assert tierwall.engine.policy_always is True
    assert SettingsFile().load().policy_always is True


def test_the_window_reopens_at_the_size_it_was_left(qtbot, app_env):
    app = make_app()
    app.window.resize(1040, 760)
    app.window.hide()
    assert SettingsFile().load().window_geometry  # saved as soon as it was hidden
    close(app)
    again = make_app()
    try:
        # the height: the offscreen screen is 800 px wide, and restoring fits a window to its screen's width
        assert again.window.height() == 760
    finally:
        close(again)
