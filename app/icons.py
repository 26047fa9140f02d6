"""The tray and window icons, painted with QPainter: a shield whose colour and glyph say the state."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QLinearGradient, QPainter, QPainterPath, QPen, QPixmap

STATES = ("protecting", "paused", "warning", "loading")
_COLOURS = {
    "protecting": ("#3bb273", "#23844f"),
    "paused": ("#9aa3ae", "#6b7480"),
    "warning": ("#f0a630", "#cf3f3f"),
    "loading": ("#5b8def", "#2f5fc4"),
}


def _shield(s: float) -> QPainterPath:
    path = QPainterPath()
    path.moveTo(s * 0.5, s * 0.05)
    path.cubicTo(s * 0.64, s * 0.14, s * 0.78, s * 0.17, s * 0.9, s * 0.17)
    path.cubicTo(s * 0.9, s * 0.55, s * 0.78, s * 0.8, s * 0.5, s * 0.96)
    path.cubicTo(s * 0.22, s * 0.8, s * 0.1, s * 0.55, s * 0.1, s * 0.17)
    path.cubicTo(s * 0.22, s * 0.17, s * 0.36, s * 0.14, s * 0.5, s * 0.05)
    path.closeSubpath()
    return path


def _glyph(p: QPainter, state: str, s: float) -> None:
    pen = QPen(QColor("white"), s * 0.09, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if state == "protecting":
        check = QPainterPath(QPointF(s * 0.33, s * 0.5))
        check.lineTo(s * 0.45, s * 0.62)
        check.lineTo(s * 0.68, s * 0.38)
        p.drawPath(check)
    elif state == "paused":
        p.drawLine(QPointF(s * 0.41, s * 0.36), QPointF(s * 0.41, s * 0.64))
        p.drawLine(QPointF(s * 0.59, s * 0.36), QPointF(s * 0.59, s * 0.64))
    elif state == "warning":
        p.drawLine(QPointF(s * 0.5, s * 0.3), QPointF(s * 0.5, s * 0.56))
        p.setBrush(QColor("white"))
        p.setPen(Qt.PenStyle.NoPen)
        p.drawEllipse(QPointF(s * 0.5, s * 0.71), s * 0.055, s * 0.055)
    else:  # loading: three dots
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("white"))
        for x in (0.33, 0.5, 0.67):
            p.drawEllipse(QPointF(s * x, s * 0.5), s * 0.06, s * 0.06)


def paint(state: str, size: int = 64) -> QImage:
    """The icon for one state as a transparent image."""
    if state not in _COLOURS:
        raise ValueError(f"unknown icon state {state!r}; known: {', '.join(STATES)}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    top, bottom = _COLOURS[state]
    grad = QLinearGradient(0, 0, 0, size)
    grad.setColorAt(0, QColor(top))
    grad.setColorAt(1, QColor(bottom))
    p.setBrush(QBrush(grad))
    p.setPen(QPen(QColor(0, 0, 0, 70), max(1.0, size / 40)))
    p.drawPath(_shield(size))
    _glyph(p, state, size)
    p.end()
    return image


@cache
def icon(state: str) -> QIcon:
    """A QIcon with crisp sizes for the tray and the window."""
    result = QIcon()
    for size in (16, 22, 24, 32, 48, 64, 128, 256):
        result.addPixmap(QPixmap.fromImage(paint(state, size)))
    return result


def dot(colour: QColor, size: int = 12) -> QPixmap:
    """A small filled circle, used for category legends and decision badges."""
    pix = QPixmap(size, size)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(colour)
    p.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    p.end()
    return pix
