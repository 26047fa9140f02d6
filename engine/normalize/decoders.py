"""Decoders of encoded payloads (base64, hex, URL encoding), each bounded and checked to give text."""

from __future__ import annotations

import binascii
import urllib.parse

from engine.normalize.ascii import _ALPHA_ONLY, _ASCII_LETTERS, _PRINTABLE_ASCII, _RE_B64, _RE_HEX, _RE_URL
from engine.normalize.tables import _words

_MAX_DECODE_ATTEMPTS = 4096  # candidate blobs tried per normalize() (most are rejected quickly)


def _text_ok(s: str) -> bool:
    """Is decoded content readable text (or another encoding layer), not binary noise?"""
    n = len(s)
    if n < 4:
        return False
    sample = s[:4096]
    m = len(sample)
    if sample.isascii():
        b = sample.encode("ascii")
        nonprint = len(b.translate(None, _PRINTABLE_ASCII))
        letters = m - len(b.translate(None, _ASCII_LETTERS))
        spaces = b.count(b" ") + b.count(b"\n") + b.count(b"\t")
    else:
        nonprint = sum(1 for ch in sample if not (ch.isprintable() or ch in "\n\t\r"))
        letters = sum(1 for ch in sample if ch.isalpha())
        spaces = sum(1 for ch in sample if ch in " \n\t\u3000")
    if nonprint > (0.15 * m if m >= 64 else 0) or letters == 0:
        return False
    if len(set(sample)) < min(8, max(3, m // 4)):
        return False  # "UUUU...", "UuWUuW...": low-entropy runs that happen to decode
    if spaces and letters >= 2:
        return True
    b = sample.encode("utf-8")
    for regex in (_RE_B64, _RE_HEX, _RE_URL):  # another encoding layer (base64 of base64)
        hit = regex.search(b)
        if hit and (hit.end() - hit.start()) >= 0.8 * len(b):
            return True
    if "://" in sample or ('{"' in sample and '":' in sample):
        return True
    if not sample.isascii():  # e.g. Chinese without spaces: letters, mostly non-ASCII
        return letters >= 0.8 * m and sum(1 for ch in sample if ch.isalpha() and ord(ch) > 0x2FF) >= 0.5 * letters
    # no whitespace: accept words ("username:password"), JSON or URLs, not random letters
    return not _words().common3.isdisjoint(b.lower().translate(_ALPHA_ONLY).split())


def _utf8_text(raw: bytes, cut: bool) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        if cut and e.start >= len(raw) - 3:
            return raw[: e.start].decode("utf-8", "ignore")
        return None


def _finish(text: str | None, budget: int, cut: bool) -> tuple[str, bool] | None:
    if text is None or not _text_ok(text):
        return None
    if len(text) > budget:
        return text[:budget], True
    return text, cut


def _dec_base64(s: str, budget: int) -> tuple[str, bool] | None:
    core = s.rstrip("=")
    if "-" in core or "_" in core:
        if "+" in core or "/" in core:
            return None
        core = core.replace("-", "+").replace("_", "/")
    if len(set(core[:256])) < 10 or core.islower():
        return None  # "VVVV...", uuids, snake_case: base64 of text has many symbols, some uppercase
    limit = (budget // 3 + 2) * 4
    # a few junk chars glued in front ("x" + blob) misalign the quads: try each alignment
    for shift in range(min(4, len(core) - 15)):
        part = core[shift : shift + limit]
        cut = len(core) - shift > limit
        if len(part) % 4 == 1:
            part = part[:-1]
        part += "=" * (-len(part) % 4)
        try:
            raw = binascii.a2b_base64(part.encode("ascii"), strict_mode=True)
        except (binascii.Error, ValueError, UnicodeEncodeError):
            continue
        res = _finish(_utf8_text(raw, cut), budget, cut)
        if res is not None:
            return res
    return None


def _dec_hex(s: str, budget: int) -> tuple[str, bool] | None:
    if s.isdigit():
        return None  # a long decimal number, not hex
    h = s.replace("\\x", "").replace("0x", "").replace("0X", "")
    h = h.translate({32: None, 44: None, 58: None})
    limit = 2 * budget + 8
    cut = len(h) > limit
    if cut:
        h = h[:limit]
    if len(h) % 2:
        h = h[:-1]
    try:
        raw = bytes.fromhex(h)
    except ValueError:
        return None
    return _finish(_utf8_text(raw, cut), budget, cut)


def _dec_url(s: str, budget: int) -> tuple[str, bool] | None:
    limit = 3 * budget + 8
    cut = len(s) > limit
    if cut:
        s = s[:limit]
        pct = s.rfind("%", len(s) - 2)
        if pct >= 0:
            s = s[:pct]
    if "+" in s and "%20" not in s:
        s = s.replace("+", " ")
    raw = urllib.parse.unquote_to_bytes(s)
    text = _utf8_text(raw, cut)
    if text is None or text == s:
        return None
    return _finish(text, budget, cut)


_DECODERS = (
    ("hex", _RE_HEX, _dec_hex),
    ("base64", _RE_B64, _dec_base64),
    ("url", _RE_URL, _dec_url),
)


# ---- rot13 ----
