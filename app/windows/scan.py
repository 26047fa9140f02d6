"""Scan page: paste or type, see findings highlighted in place and the verdict beside them."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.highlight import FindingsEditor, visible_findings
from app.theme import ACCENT, category_colour
from app.windows.common import card, muted, page, style_badge
from app.worker import ScanResult
from engine import Verdict

TYPING_DEBOUNCE_MS = 300
MAX_FINDINGS = 6
SUBTITLE = (
    "Paste text you are about to give an LLM. Findings are highlighted in place; "
    "hover one to see which rule or tier found it and why."
)
TIER_NAMES = {0: "tier 0 · rules and signatures", 1: "tier 1 · embedding model", 2: "tier 2 · NLI validator"}
LIKELIHOOD_TIP = (
    "Attack likelihood: how likely the tier that decided finds it that this text is a prompt attack "
    "(injection, jailbreak, obfuscation, or one of your policies). A leaked secret or personal data "
    "does not raise it; the confidence beside each category below says how strong each finding is."
)
CONFIDENCE_TIP = (
    "Confidence per category: its strongest evidence, a model's own probability where a model found "
    "it, else the weight the engine gives the finding's severity."
)


class VerdictPanel(QWidget):
    """Decision, attack likelihood, deciding tier, timings, reasons and the categories found with their confidence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        frame, layout = card()
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(frame)
        title = QLabel("Verdict")
        title.setObjectName("cardTitle")
        self.badge = QLabel()
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.badge)
        layout.addLayout(head)
        self.score = QProgressBar()
        self.score.setRange(0, 100)
        self.score.setTextVisible(True)
        self.score.setFormat("attack likelihood %p%")
        self.score.setToolTip(LIKELIHOOD_TIP)
        self.score.setFixedHeight(18)
        self.score.setStyleSheet(f"QProgressBar {{ border: 1px solid #d0d5dd; border-radius: 5px; background: #f0f2f5;"
                                 f" text-align: center; }} QProgressBar::chunk {{ border-radius: 4px;"
                                 f" background: {ACCENT}; }}")  # fmt: skip
        layout.addWidget(self.score)
        self.tier = muted()
        self.timings = muted()
        self.reasons = QLabel()
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.categories = QLabel()
        self.categories.setWordWrap(True)
        self.categories.setTextFormat(Qt.TextFormat.RichText)
        self.categories.setToolTip(CONFIDENCE_TIP)
        self.policy = QLabel()
        self.policy.setWordWrap(True)
        self.findings = QLabel()
        self.findings.setWordWrap(True)
        self.findings.setTextFormat(Qt.TextFormat.RichText)
        self.findings.setAlignment(Qt.AlignmentFlag.AlignTop)
        for w in (self.tier, self.timings, self.categories, self.reasons, self.policy, self.findings):
            layout.addWidget(w)
        layout.addStretch(1)
        self.show_verdict(None)

    def show_verdict(self, verdict: Verdict | None, *, pending: bool = False) -> None:
        if verdict is None:
            style_badge(self.badge, "none", "SCANNING…" if pending else "NO TEXT")
            self.score.setValue(0)
            self.tier.setText("Paste or type text on the left; it is scanned as you type.")
            for w in (self.timings, self.reasons, self.categories, self.policy, self.findings):
                w.setText("")
            return
        style_badge(self.badge, verdict.decision)
        self.score.setValue(round(verdict.score * 100))
        self.tier.setText("Decided by " + TIER_NAMES.get(verdict.tier, f"tier {verdict.tier}")
                          + (" (from cache)" if verdict.cached else ""))  # fmt: skip
        timing = " · ".join(f"{k.replace('tier', 'tier ')} {v:.2f} ms" for k, v in verdict.timings_ms.items())
        self.timings.setText(timing)
        cats = []
        for c in verdict.categories:
            colour = category_colour(c).name()
            sure = verdict.confidence.get(c)
            cats.append(f"<span style='color:{colour}'>●</span> {escape(c)}"
                        + ("" if sure is None else f" <span style='color:#6b7280'>{sure:.0%}</span>"))  # fmt: skip
        self.categories.setText("&nbsp;&nbsp;".join(cats) if cats else "<i>nothing found</i>")
        reasons = list(verdict.reasons)
        if not reasons:
            reasons = [f.explanation for f in visible_findings(verdict.findings)][:4]
        self.reasons.setText("<br>".join(f"• {escape(r)}" for r in reasons))
        matched = [f for f in verdict.findings if f.tier == 2 or f.rule.startswith("policy.")]
        self.policy.setText("Matched hypothesis: " + "; ".join(f.explanation for f in matched) if matched else "")
        shown = visible_findings(verdict.findings)
        lines = [f"<span style='color:{category_colour(f.category).name()}'>●</span> <b>{escape(f.rule)}</b>"
                 f" <span style='color:#6b7280'>(tier {f.tier}, {f.severity})</span><br>{escape(f.explanation)}"
                 for f in shown[:MAX_FINDINGS]]  # fmt: skip
        if len(shown) > MAX_FINDINGS:
            lines.append(f"… and {len(shown) - MAX_FINDINGS} more (hover the text)")
        body = "".join(f"<p style='margin:0 0 5px 0'>{line}</p>" for line in lines)
        self.findings.setText(f"<p style='margin:8px 0 4px 0'><b>Findings</b></p>{body}" if lines else "")


class ScanPage(QWidget):
    """The editor and its verdict; asks for scans through `scan_requested`."""

    scan_requested = Signal(str, str)  # text, source ("typing" or "manual")
    copy_requested = Signal(str)  # the redacted text, for the app to put on the clipboard

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        widget, layout = page("Scan text", SUBTITLE)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(widget)
        self.editor = FindingsEditor()
        self.editor.setPlaceholderText("Paste or type here…")
        self.panel = VerdictPanel()
        self.panel.setFixedWidth(330)
        body = QHBoxLayout()
        body.addWidget(self.editor, 1)
        body.addWidget(self.panel)
        layout.addLayout(body, 1)
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setText("&nbsp;&nbsp;".join(
            f"<span style='color:{category_colour(c).name()}'>■</span> {c}"
            for c in ("injection", "jailbreak", "obfuscation", "secret", "pii")))  # fmt: skip
        self.scan_button = QPushButton("Scan and record")
        self.scan_button.setObjectName("primary")
        self.scan_button.setToolTip("Scan now and add the verdict to the history (Ctrl+Return)")
        self.copy_button = QPushButton("Copy redacted")
        self.copy_button.setToolTip("Copy the text with secrets and personal data masked")
        self.clear_button = QPushButton("Clear")
        buttons = QHBoxLayout()
        buttons.addWidget(self.legend)
        buttons.addStretch(1)
        for b in (self.clear_button, self.copy_button, self.scan_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.copy_button.setEnabled(False)
        self.scan_button.clicked.connect(self.scan_and_record)
        self.copy_button.clicked.connect(self.copy_redacted)
        self.clear_button.clicked.connect(self.editor.clear)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.scan_and_record)
        self.result: ScanResult | None = None
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(TYPING_DEBOUNCE_MS)
        self._debounce.timeout.connect(lambda: self._request("typing"))
        self.editor.textChanged.connect(self._edited)

    def set_text(self, text: str) -> None:
        self.editor.setPlainText(text)

    def scan_and_record(self) -> None:
        self._debounce.stop()
        self._request("manual")

    def copy_redacted(self) -> None:
        if self.result is not None and self.result.verdict.redacted is not None:
            self.copy_requested.emit(self.result.verdict.redacted)

    def scan_finished(self, result: ScanResult) -> None:
        """Every verdict the worker delivers comes here; the page shows those of its own text."""
        if result.source in ("typing", "manual"):
            self.show_result(result)

    def show_result(self, result: ScanResult) -> None:
        """Show a verdict if it is for the text now in the editor (older ones are dropped)."""
        if result.text != self.editor.toPlainText():
            return
        self.result = result
        self.editor.show_findings(result.text, result.verdict.findings)
        self.panel.show_verdict(result.verdict)
        redacted = result.verdict.redacted
        self.copy_button.setEnabled(redacted is not None and redacted != result.text)
        self.copy_button.setToolTip(
            "" if redacted is not None else "No masked copy: not every secret or piece of personal data could be found"
        )

    def _edited(self) -> None:
        self.result = None
        self.editor.drop_emptied()
        self.copy_button.setEnabled(False)
        if self.editor.toPlainText().strip():
            self.panel.show_verdict(None, pending=True)
            self._debounce.start()
        else:
            self._debounce.stop()
            self.editor.clear_findings()
            self.panel.show_verdict(None)

    def _request(self, source: str) -> None:
        text = self.editor.toPlainText()
        if text.strip():
            self.scan_requested.emit(text, source)
