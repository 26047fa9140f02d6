"""Fuzz inputs: the seed corpus, mutated, with secrets and personal data planted where the generator knows them.

Deterministic for a seed, so a failure found by `make fuzz` is found again from its seed and index. Plain
Python (no Hypothesis), so that hundreds of thousands of inputs cost the scans and little else; the pytest
run draws its inputs from the same generator through Hypothesis.
"""

from __future__ import annotations

import base64
import codecs
import random
import string
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).parent / "corpus"
_ALNUM = string.ascii_letters + string.digits
# characters that normalisation has to deal with: zero-width, bidi controls, combining marks, look-alikes,
# fullwidth, surrogate halves, private use, NUL, a BOM, emoji with joiners, CJK, RTL scripts
ODD = ["\u200b", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2066", "\u0301", "\u0336", "\u0430", "\u043e",
       "\u0456", "\u03bf", "\uff49", "\uff47", "\ud800", "\udfff", "\ue000", "\x00", "\x1b[31m", "\r\n", "\t",
       "👩\u200d💻", "汉字", "مرحبا", "שלום", "\U0001d41a", "\u00ad", "ﬁ", "\u2028", "\\u0069"]  # fmt: skip


def lines(name: str) -> list[str]:
    """One seed per line of corpus/<name>.txt (blank lines and # comments skipped; "\\n" is a line break)."""
    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    return [line.replace("\\n", "\n") for line in text.splitlines() if line.strip() and not line.startswith("#")]


BENIGN = lines("benign")
ATTACKS = lines("attacks")


@dataclass(frozen=True, slots=True)
class Planted:
    """A text with sensitive values at known places: every one must be found and masked."""

    text: str
    values: tuple[str, ...]


def _luhn_digit(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def _iban_de(rng: random.Random) -> str:
    bban = "".join(rng.choice(string.digits) for _ in range(18))
    check = 98 - int(bban + "131400") % 97  # D=13, E=14, then "00"
    return f"DE{check:02d}{bban}"


def _token(rng: random.Random, n: int) -> str:
    while True:  # a real token mixes cases and digits; an all-lower run reads as a placeholder
        body = "".join(rng.choice(_ALNUM) for _ in range(n))
        if any(c.isupper() for c in body) and any(c.islower() for c in body) and any(c.isdigit() for c in body):
            return body


def sensitive_value(rng: random.Random) -> tuple[str, str]:
    """(sentence around it, value): one secret or piece of personal data, of a kind the rules name."""
    kind = rng.randrange(5)
    if kind == 0:
        value = "ghp_" + _token(rng, 36)
        return f"my github token is {value}", value
    if kind == 1:
        digits = ("".join(rng.choice(string.digits) for _ in range(n)) for n in (12, 13))
        value = "xoxb-" + "-".join((*digits, _token(rng, 24)))
        return f"SLACK_BOT_TOKEN={value}", value
    if kind == 2:
        name = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 9)))
        surname = rng.choice(["berger", "okafor", "lindqvist", "tanaka"])
        value = f"{name}.{surname}@{rng.choice(['posteo.de', 'gmx.net', 'fastmail.com'])}"
        return f"write to {value} tomorrow", value
    if kind == 3:
        body = "4" + "".join(rng.choice(string.digits) for _ in range(14))
        value = body + _luhn_digit(body)
        return f"card number {value} exp 09/29", value
    value = _iban_de(rng)
    return f"please transfer it to IBAN {value}", value


def mutate(text: str, rng: random.Random) -> str:
    """One or more of: odd characters inserted, a span encoded (base64, rot13, hex), cut, repeated, spaced."""
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(8)
        if not text:
            text = rng.choice(ODD)
        i, j = sorted(rng.randrange(len(text) + 1) for _ in range(2))
        if op == 0:
            text = text[:i] + rng.choice(ODD) + text[i:]
        elif op == 1:
            text = text[:i] + base64.b64encode(text[i:j].encode("utf-8", "surrogatepass")).decode() + text[j:]
        elif op == 2:
            text = text[:i] + codecs.encode(text[i:j], "rot13") + text[j:]
        elif op == 3:
            text = text[:i] + text[i:j].encode("utf-8", "surrogatepass").hex() + text[j:]
        elif op == 4:
            text = text[:i] + text[j:]
        elif op == 5:
            text = text[:i] + text[i:j] * rng.randint(2, 40) + text[j:]
        elif op == 6:
            text = text[:i] + " ".join(text[i:j]) + text[j:]
        else:
            text = text[:i] + "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randint(1, 30))) + text[j:]
    return text


def engine_input(rng: random.Random) -> str:
    """Any text at all: seeds, mutated seeds, spliced seeds, random code points, random bytes decoded."""
    kind = rng.randrange(6)
    if kind == 0:
        return rng.choice(BENIGN + ATTACKS)
    if kind == 1:
        return mutate(rng.choice(BENIGN + ATTACKS), rng)
    if kind == 2:
        return " ".join(rng.choice(BENIGN + ATTACKS) for _ in range(rng.randint(2, 6)))
    if kind == 3:
        return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randint(0, 200)))
    if kind == 4:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 300))).decode("utf-8", "replace")
    return mutate(" ".join(rng.choice(BENIGN) for _ in range(rng.randint(1, 4))), rng)


def planted(rng: random.Random) -> Planted:
    """Benign prose with one to three sensitive values in it."""
    parts, values = [], []
    for _ in range(rng.randint(1, 3)):
        parts.append(rng.choice(BENIGN))
        sentence, value = sensitive_value(rng)
        parts.append(sentence + rng.choice([".", "", ";", " and", "\n"]))
        values.append(value)
    parts.append(rng.choice(BENIGN))
    return Planted(" ".join(parts), tuple(values))


def with_attack(rng: random.Random) -> tuple[str, str]:
    """(benign text, a clear attack): the attack appended must never lower the decision."""
    benign = " ".join(rng.choice(BENIGN) for _ in range(rng.randint(1, 3)))
    attack = rng.choice(ATTACKS)
    if rng.random() < 0.25:
        attack = codecs.encode(attack, "rot13")
    return benign, attack
