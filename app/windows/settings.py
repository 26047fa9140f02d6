"""Settings & policies page: protection switches, model limits, the user's NL policies and allowlist."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import autostart
from app.settings import Settings
from app.windows.common import ElidedLabel, limit_spins, muted, page
from engine import AllowItem


def _list() -> QListWidget:
    """A list whose long entries are cut with an ellipsis (full text in the tooltip), never scrolled sideways."""
    widget = QListWidget()
    widget.setObjectName("plain")
    widget.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    widget.setTextElideMode(Qt.TextElideMode.ElideRight)
    widget.setWordWrap(False)
    return widget


class SettingsPage(QWidget):
    settings_edited = Signal(object)  # Settings
    policy_add_requested = Signal(str, str)  # hypothesis, action
    policy_remove_requested = Signal(str)  # policy id
    allow_remove_requested = Signal(str)  # allowlist key (hex)

    def __init__(
        self,
        settings: Settings,
        *,
        policies_available: bool,
        files: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        widget, layout = page("Settings & policies", "Changes apply at once and are saved.")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(widget)
        columns = QHBoxLayout()
        columns.setSpacing(14)
        left = QVBoxLayout()
        right = QVBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout.addLayout(columns, 1)

        protection = QGroupBox("Protection")
        box = QVBoxLayout(protection)
        self.watch = QCheckBox("Watch the clipboard")
        self.notifications = QCheckBox("Notify me on warnings and blocks")
        self.sanitize = QCheckBox("Mask secrets and personal data on copy, automatically")
        self.sanitize.setToolTip("Replaces the clipboard with the redacted text without asking (off by default)")
        self.replace_blocked = QCheckBox("Replace blocked clipboard text")
        self.replace_blocked.setToolTip("A blocked copy is taken off the clipboard (masked, or a one-line notice), "
                                        "with an Undo for ten seconds. Warnings only notify.")  # fmt: skip
        self.autostart = QCheckBox("Start Tierwall when I log in")
        if not autostart.supported():
            self.autostart.setEnabled(False)
            self.autostart.setToolTip("Only available on Linux (XDG autostart) for now")
        for w in (self.watch, self.notifications, self.replace_blocked, self.sanitize, self.autostart):
            box.addWidget(w)
        self.autostart_error = muted()
        self.autostart_error.setVisible(False)
        box.addWidget(self.autostart_error)
        left.addWidget(protection)

        models = QGroupBox("Models")
        form = QFormLayout(models)
        self.idle, self.budget = limit_spins()
        self.threads = QSpinBox()
        self.threads.setRange(1, 16)
        form.addRow("Unload idle models after", self.idle)
        form.addRow("Memory budget", self.budget)
        form.addRow("Inference threads", self.threads)
        form.addRow(muted("Threads apply at the next start; the rest at once."))
        left.addWidget(models)

        data = QGroupBox("Where your data lives")
        dform = QFormLayout(data)
        for label, path in (files or {}).items():
            value = ElidedLabel(path)
            value.setObjectName("muted")
            dform.addRow(label, value)
        dform.addRow(muted("Nothing leaves this machine: no text, no hash, no statistics."))
        left.addWidget(data)
        left.addStretch(1)

        self.policies_box = QGroupBox("Your policies")
        pbox = QVBoxLayout(self.policies_box)
        pbox.addWidget(muted("Describe in plain words what should not be pasted; tier 2 checks texts against it."))
        self.policy_always = QCheckBox("Check my policies on every text")
        self.policy_always.setToolTip("Runs the NLI model on every scan: slower and more memory, but nothing slips by")
        pbox.addWidget(self.policy_always)
        self.policy_list = _list()
        self.policy_list.setMinimumHeight(80)
        pbox.addWidget(self.policy_list, 1)
        add_row = QHBoxLayout()
        self.policy_text = QLineEdit()
        self.policy_text.setPlaceholderText("e.g. This text contains our customer list.")
        self.policy_action = QComboBox()
        self.policy_action.addItems(["warn", "block"])
        self.policy_add = QPushButton("Add")
        self.policy_remove = QPushButton("Remove")
        add_row.addWidget(self.policy_text, 1)
        add_row.addWidget(self.policy_action)
        add_row.addWidget(self.policy_add)
        add_row.addWidget(self.policy_remove)
        pbox.addLayout(add_row)
        self.policy_error = QLabel()
        self.policy_error.setStyleSheet("color: #b42318;")
        self.policy_error.setWordWrap(True)
        self.policy_error.setVisible(False)
        pbox.addWidget(self.policy_error)
        self.policies_box.setVisible(policies_available)
        right.addWidget(self.policies_box, 1)

        allow = QGroupBox("Your allowlist")
        abox = QVBoxLayout(allow)
        abox.addWidget(
            muted(
                "Texts you allowed from a warning or a block, and what you overrode. "
                "Only their redacted excerpt is shown."
            )
        )
        self.allow_list = _list()
        self.allow_list.setMinimumHeight(80)
        abox.addWidget(self.allow_list, 1)
        self.allow_remove = QPushButton("Remove from allowlist")
        abox.addWidget(self.allow_remove, 0, Qt.AlignmentFlag.AlignRight)
        right.addWidget(allow, 1)

        self.show_settings(settings)
        switches = (self.watch, self.notifications, self.replace_blocked, self.sanitize, self.autostart)
        for check in (*switches, self.policy_always):
            check.toggled.connect(self._edited)
        for spin in (self.idle, self.budget, self.threads):
            spin.editingFinished.connect(self._edited)
        self.policy_add.clicked.connect(self._add_policy)
        self.policy_text.returnPressed.connect(self._add_policy)
        self.policy_remove.clicked.connect(self._remove_policy)
        self.allow_remove.clicked.connect(self._remove_allowed)

    def show_settings(self, settings: Settings) -> None:
        """Show settings without echoing them back as an edit."""
        self.settings = settings
        pairs: list[tuple[Any, Any]] = [
            (self.watch, settings.watch_clipboard), (self.notifications, settings.notifications),
            (self.sanitize, settings.auto_sanitize), (self.replace_blocked, settings.replace_blocked),
            (self.autostart, settings.start_at_login),
            (self.policy_always, settings.policy_always),
            (self.idle, settings.idle_timeout_s), (self.budget, settings.budget_mib), (self.threads, settings.threads),
        ]  # fmt: skip
        for widget, value in pairs:
            widget.blockSignals(True)
            if isinstance(widget, QCheckBox):
                widget.setChecked(bool(value))
            else:
                widget.setValue(int(value))
            widget.blockSignals(False)

    def show_autostart_error(self, message: str | None) -> None:
        self.autostart_error.setText(message or "")
        self.autostart_error.setVisible(bool(message))

    def show_policies(self, policies: list[Any]) -> None:
        self.policy_list.clear()
        for policy in policies:
            item = QListWidgetItem(f"[{policy.action}]  {policy.display}")
            item.setData(Qt.ItemDataRole.UserRole, policy.id)
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(policy.created))
            checked = f"\nchecked as: {policy.hypothesis}" if policy.rewritten else ""
            item.setToolTip(f"{policy.display}{checked}\n({policy.action}, added {when})")
            self.policy_list.addItem(item)

    def show_policy_error(self, message: str | None) -> None:
        self.policy_error.setText(message or "")
        self.policy_error.setVisible(bool(message))
        if not message:
            self.policy_text.clear()

    def show_allowlist(self, items: list[AllowItem]) -> None:
        self.allow_list.clear()
        for entry in items:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.at)) if entry.at else "earlier"
            item = QListWidgetItem(f"{entry.excerpt}\n{when} · {entry.overrode}")  # the text; when, what it overrode
            item.setToolTip(f"{entry.excerpt}\n({entry.overrode}; allowed {when})")
            item.setData(Qt.ItemDataRole.UserRole, entry.key)
            self.allow_list.addItem(item)
        if not items:
            placeholder = QListWidgetItem("Nothing allowed yet.")
            placeholder.setFlags(Qt.ItemFlag.NoItemFlags)
            self.allow_list.addItem(placeholder)
        self.allow_remove.setEnabled(bool(items))

    def _edited(self) -> None:
        updated = replace(
            self.settings,
            watch_clipboard=self.watch.isChecked(),
            notifications=self.notifications.isChecked(),
            auto_sanitize=self.sanitize.isChecked(),
            replace_blocked=self.replace_blocked.isChecked(),
            policy_always=self.policy_always.isChecked(),
            start_at_login=self.autostart.isChecked(),
            idle_timeout_s=self.idle.value(),
            budget_mib=self.budget.value(),
            threads=self.threads.value(),
        )
        if updated != self.settings:
            self.settings = updated
            self.settings_edited.emit(updated)

    def _add_policy(self) -> None:
        text = self.policy_text.text().strip()
        if text:
            self.policy_add_requested.emit(text, self.policy_action.currentText())

    def _remove_policy(self) -> None:
        item = self.policy_list.currentItem()
        if item is not None:
            self.policy_remove_requested.emit(item.data(Qt.ItemDataRole.UserRole))

    def _remove_allowed(self) -> None:
        item = self.allow_list.currentItem()
        if item is not None and item.data(Qt.ItemDataRole.UserRole):
            self.allow_remove_requested.emit(item.data(Qt.ItemDataRole.UserRole))
