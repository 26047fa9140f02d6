"""The tray and window icons, painted with QPainter.

The calm states (protecting, paused, loading) are a shield whose colour and
glyph say which; the two alarms have shapes of their own, so they read apart
at 16 px and without colour vision: *warning* is an amber triangle with "!",
*blocked* a red octagon with a bar (a no-entry sign).
"""

from __future__ import annotations

import math
from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QImage, QLinearGradient, QPainter, QPainterPath, QPen, QPixmap

STATES = ("protecting", "paused", "warning", "blocked", "loading")
_COLOURS = {
    "protecting": ("#3bb273", "#23844f"),
    "paused": ("#9aa3ae", "#6b7480"),
    "warning": ("#f7c04a", "#e39a1c"),
    "blocked": ("#e5484d", "#b32429"),
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


def _triangle(s: float) -> QPainterPath:
    """A warning sign: the triangle fills the width, its corners slightly rounded by the outline's join."""
    path = QPainterPath(QPointF(s * 0.5, s * 0.06))
    path.lineTo(s * 0.97, s * 0.9)
    path.lineTo(s * 0.03, s * 0.9)
    path.closeSubpath()
    return path


def _octagon(s: float) -> QPainterPath:
    """A stop sign: eight sides around the centre, flat at the top."""
    r = s * 0.47
    points = [QPointF(s * 0.5 + r * math.cos(math.radians(22.5 + 45 * i)),
                      s * 0.5 + r * math.sin(math.radians(22.5 + 45 * i))) for i in range(8)]  # fmt: skip
    path = QPainterPath(points[0])
    for point in points[1:]:
        path.lineTo(point)
    path.closeSubpath()
    return path


def _outline(state: str, s: float) -> QPainterPath:
    return {"warning": _triangle, "blocked": _octagon}.get(state, _shield)(s)


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
    elif state == "warning":  # a dark "!" on amber: white on yellow would vanish
        ink = QColor("#3b2a05")
        p.setPen(QPen(ink, s * 0.11, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(s * 0.5, s * 0.36), QPointF(s * 0.5, s * 0.6))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(ink)
        p.drawEllipse(QPointF(s * 0.5, s * 0.75), s * 0.065, s * 0.065)
    elif state == "blocked":  # a bar across: no entry
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("white"))
        p.drawRoundedRect(QRectF(s * 0.22, s * 0.42, s * 0.56, s * 0.16), s * 0.03, s * 0.03)
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
    pen = QPen(QColor(0, 0, 0, 70), max(1.0, size / 40))
    if state in ("warning", "blocked"):
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)  # the signs' corners, softened
    p.setPen(pen)
    p.drawPath(_outline(state, size))
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
