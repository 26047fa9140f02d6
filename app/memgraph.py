"""The live memory graph, painted with QPainter (no QtCharts: it would cost ~60 MB on disk and more RSS)."""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.memtrace import WINDOW_S, Marker, MemoryTrace
from app.theme import ACCENT

MIN_SPAN_S = 30.0
MARKER_COLOURS = {"loaded": "#2e9d5b", "unloaded": "#8a94a3"}
MARKER_GLYPHS = {"loaded": "▲", "unloaded": "▼"}
LABEL_LANES = 2  # rows of marker labels above the plot; a label that fits in none shrinks to its glyph


def marker_labels(
    events: list[tuple[float, str, list[str]]],
    advance: Callable[[str], float],
    left: float,
    right: float,
    top: float,
    lane_height: float,
) -> list[tuple[float, float, str, str]]:
    """Where each marker's label goes: (x, y, kind, text), in at most LABEL_LANES rows above the plot.

    The newest events are placed first, so they keep their words; an older one that would overlap gets its
    glyph alone, or nothing where even that would overlap (its dashed line still shows it). Labels never
    cover the plot, however many loads and unloads the last minutes saw.
    """
    free_left = [right + 4] * LABEL_LANES  # per lane, where the labels already placed (to the right) begin
    placed: list[tuple[float, float, str, str]] = []
    for x, kind, labels in sorted(events, key=lambda e: -e[0]):
        glyph = MARKER_GLYPHS[kind]
        for text in (f"{glyph} {', '.join(labels)}", glyph):
            width = advance(text) + 4
            at = x + 2 if x + 2 + width <= right else x - 2 - width  # beside its line: right of it, else left
            if at < left:
                continue
            lane = next((i for i, bound in enumerate(free_left) if at + width + 4 <= bound), None)
            if lane is not None:
                free_left[lane] = at
                placed.append((at, top + lane * lane_height, kind, text))
                break
    return placed


def merged_markers(markers: list[Marker], within_s: float = 1.5) -> list[tuple[float, str, list[str]]]:
    """Consecutive markers of one kind close in time, as one (time, kind, labels) entry."""
    out: list[tuple[float, str, list[str]]] = []
    for m in markers:
        if out and out[-1][1] == m.kind and m.at - out[-1][0] <= within_s:
            if m.label not in out[-1][2]:
                out[-1][2].append(m.label)
        else:
            out.append((m.at, m.kind, [m.label]))
    return out


def _nice_step(span: float) -> float:
    """A round grid step giving 3-6 lines over `span`."""
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(max(raw, 1e-9)))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


class MemoryGraph(QWidget):
    """Process RSS over the last minutes, with a marker wherever a model loaded or unloaded."""

    def __init__(self, trace: MemoryTrace | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.trace = trace or MemoryTrace()
        self.budget_mib: float | None = None
        self.setMinimumHeight(190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(600, 230)

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        font = QFont(self.font())
        font.setPointSizeF(max(7.5, font.pointSizeF() * 0.85))
        p.setFont(font)
        metrics = p.fontMetrics()
        top_margin = LABEL_LANES * (metrics.height() + 2) + 6  # the marker labels' lanes sit above the plot
        plot = QRectF(self.rect()).adjusted(metrics.horizontalAdvance("0000 MiB") + 14, top_margin, -14,
                                            -(metrics.height() + 10))  # fmt: skip
        samples, markers = self.trace.samples, self.trace.markers
        if not samples:
            p.setPen(QColor("#6b7280"))
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, "collecting memory samples…")
            p.end()
            return
        now = samples[-1][0]
        span = min(WINDOW_S, max(MIN_SPAN_S, now - samples[0][0]))
        start = now - span
        visible = [(t, v) for t, v in samples if t >= start]
        values = [v for _, v in visible] + ([self.budget_mib] if self.budget_mib else [])
        low, high = min(values), max(values)
        pad = max(5.0, (high - low) * 0.15)
        low, high = max(0.0, low - pad), high + pad
        step = _nice_step(high - low)
        low = math.floor(low / step) * step
        high = math.ceil(high / step) * step

        def x_of(t: float) -> float:
            return plot.left() + (t - start) / span * plot.width()

        def y_of(v: float) -> float:
            return plot.bottom() - (v - low) / (high - low) * plot.height()

        # grid and axis labels
        p.setPen(QPen(QColor("#eceff3"), 1))
        v = low
        while v <= high + 1e-9:
            y = y_of(v)
            p.setPen(QPen(QColor("#eceff3"), 1))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.setPen(QColor("#6b7280"))
            right_middle = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
            p.drawText(QRectF(0, y - 8, plot.left() - 6, 16), right_middle, f"{v:.0f} MiB")
            v += step
        tick = 60.0 if span > 120 else 15.0 if span > 40 else 5.0
        k = 0
        while k * tick <= span + 1e-9:
            x = x_of(now - k * tick)
            label = "now" if k == 0 else (f"−{k * tick / 60:.0f} min" if tick >= 60 else f"−{k * tick:.0f} s")
            p.setPen(QColor("#6b7280"))
            p.drawText(QRectF(x - 40, plot.bottom() + 4, 80, metrics.height()), Qt.AlignmentFlag.AlignHCenter, label)
            k += 1

        if self.budget_mib:
            y = y_of(self.budget_mib)
            p.setPen(QPen(QColor("#cf3f3f"), 1, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            p.drawText(QRectF(plot.left() + 4, y - metrics.height() - 1, 200, metrics.height()),
                       Qt.AlignmentFlag.AlignLeft, f"budget {self.budget_mib:.0f} MiB")  # fmt: skip

        # the RSS line and the area under it
        line = QPainterPath()
        for i, (t, val) in enumerate(visible):
            point = QPointF(x_of(t), y_of(val))
            if i == 0:
                line.moveTo(point)
            else:
                line.lineTo(point)
        area = QPainterPath(line)
        area.lineTo(x_of(visible[-1][0]), plot.bottom())
        area.lineTo(x_of(visible[0][0]), plot.bottom())
        area.closeSubpath()
        fill = QColor(ACCENT)
        fill.setAlpha(40)
        p.fillPath(area, fill)
        p.setPen(QPen(QColor(ACCENT), 2))
        p.drawPath(line)

        # load / unload markers: events of one kind within a moment share a line and a label
        events = merged_markers([m for m in markers if m.at >= start])
        for at, kind, _ in events:  # all lines first, so no line crosses a label
            p.setPen(QPen(QColor(MARKER_COLOURS[kind]), 1.2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x_of(at), plot.top()), QPointF(x_of(at), plot.bottom()))
        for x, top, kind, text in marker_labels([(x_of(at), kind, labels) for at, kind, labels in events],
                                                metrics.horizontalAdvance, plot.left(), plot.right(),
                                                plot.top() - LABEL_LANES * (metrics.height() + 2) - 2,
                                                metrics.height() + 2):  # fmt: skip
            width = metrics.horizontalAdvance(text) + 4
            p.fillRect(QRectF(x, top, width, metrics.height()), QColor(255, 255, 255, 230))
            p.setPen(QColor(MARKER_COLOURS[kind]))
            p.drawText(QRectF(x + 2, top, width, metrics.height()), Qt.AlignmentFlag.AlignLeft, text)

        p.setPen(QPen(QColor("#d0d5dd"), 1))
        p.drawRect(plot)
        p.end()
