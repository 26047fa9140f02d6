"""Written dates read as calendar dates, and the date-of-birth validator (assets/rules/pii_context.toml).

A date is a date: what makes one personal is the word before it ("Geburtsdatum", "date of birth", "DOB"),
which the rule pii.date_of_birth finds. The check here refuses what is not real: impossible dates (31
February) and dates no one alive was born on. Reading a date is shared: a driving licence that parses as a
date is an issue date, not a number (identity_documents), and national identity numbers encode a birth date
(national_ids).

Every validator has the signature of engine/validators/text_shape.py (``(value, context) -> bool``, context
lower-cased), is pure, and never raises (``bounded``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

from engine.validators.text_shape import Validator, bounded

# The stdlib `re` below only ever sees values already bounded by RE2 patterns and by `bounded`.


_MONTH_NAMES: dict[int, tuple[str, ...]] = {
    # en, de, fr, es, it, pt, nl, pl (genitive, as dates are written, then nominative)
    1: ("january", "januar", "jänner", "janvier", "enero", "gennaio", "janeiro", "januari", "stycznia", "styczeń"),
    2: ("february", "februar", "février", "fevrier", "febrero", "febbraio", "fevereiro", "februari", "lutego",
        "luty"),
    3: ("march", "märz", "maerz", "mars", "marzo", "março", "marco", "maart", "marca", "marzec"),
    4: ("april", "avril", "abril", "aprile", "kwietnia", "kwiecień"),
    5: ("may", "mai", "mayo", "maggio", "maio", "mei", "maja", "maj"),
    6: ("june", "juni", "juin", "junio", "giugno", "junho", "czerwca", "czerwiec"),
    7: ("july", "juli", "juillet", "julio", "luglio", "julho", "lipca", "lipiec"),
    8: ("august", "août", "aout", "agosto", "augustus", "sierpnia", "sierpień"),
    9: ("september", "septembre", "septiembre", "setiembre", "settembre", "setembro", "września", "wrzesień"),
    10: ("october", "oktober", "octobre", "octubre", "ottobre", "outubro", "października", "październik"),
    11: ("november", "novembre", "noviembre", "novembro", "listopada", "listopad"),
    12: ("december", "dezember", "décembre", "decembre", "diciembre", "dicembre", "dezembro", "grudnia",
         "grudzień"),
}  # fmt: skip
# Abbreviations as written in dates ("12 Mar 1985", "12. Okt. 1985", "12 févr. 1985").
_MONTH_ABBREVIATIONS: dict[int, tuple[str, ...]] = {
    1: ("jan", "janv", "ene", "gen", "sty"),
    2: ("feb", "févr", "fevr", "fév", "fev", "lut"),
    3: ("mar", "mär", "mrt"),
    4: ("apr", "avr", "abr", "kwi"),
    5: ("mag",),
    6: ("jun", "juin", "giu", "cze"),
    7: ("jul", "juil", "lug", "lip"),
    8: ("aug", "ago", "sie"),
    9: ("sep", "sept", "set", "wrz"),
    10: ("oct", "okt", "ott", "out", "paź", "paz"),
    11: ("nov", "lis"),
    12: ("dec", "dez", "déc", "dic", "gru"),
}
_MONTHS: Mapping[str, int] = MappingProxyType(
    {name: month for table in (_MONTH_NAMES, _MONTH_ABBREVIATIONS) for month, names in table.items() for name in names}
)
_EARLIEST_BIRTH = date(1900, 1, 1)

_NUMERIC_DATE_CHARS = "0123456789-./"
_CJK_DATE = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_DAY_MONTH_YEAR = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th|er|o|º)?\.?\s*(?:de\s+|of\s+)?([^\W\d_]{3,12})\.?,?\s*(?:de\s+)?(\d{4})", re.IGNORECASE
)
_MONTH_DAY_YEAR = re.compile(r"([^\W\d_]{3,12})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.IGNORECASE)


_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def real_date(year: int, month: int, day: int) -> date | None:
    """The calendar date, or None for 31 February, month 13 and the like (checked first: no exception to
    pay for on the many candidates a hostile text can hold)."""
    if not (1 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= _DAYS_IN_MONTH[month]):
        return None
    if month == 2 and day == 29 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        return None
    return date(year, month, day)


def _years(text: str) -> tuple[int, ...]:
    """A written year; a two-digit one ("85") may be 1985 or 2085: both are tried, the range check decides."""
    year = int(text)
    return (year,) if len(text) == 4 else (1900 + year, 2000 + year)


def parse_date(value: str) -> tuple[date, ...]:
    """Every reading of a written date as a real calendar date: numeric d/m/y and m/d/y (both where the
    numbers allow), ISO y-m-d, CJK 年月日, and written months in eight languages ("12. März 1985",
    "March 12, 1985", "12 de marzo de 1985")."""
    v = value.strip()
    candidates: list[tuple[int, int, int]] = []
    if v[:1].isdigit() and not v.strip(_NUMERIC_DATE_CHARS):  # numbers and separators only: no regex needed
        parts = v.replace("-", ".").replace("/", ".").split(".")
        if len(parts) != 3 or not all(p.isdigit() and len(p) <= 4 for p in parts):
            return ()
        a, b, c = parts
        if len(a) == 4 and len(b) <= 2 and len(c) <= 2:
            candidates.append((int(a), int(b), int(c)))
        elif len(a) <= 2 and len(b) <= 2 and len(c) in (2, 4):
            for year in _years(c):  # day first (most of the world), then US month first
                candidates += [(year, int(b), int(a)), (year, int(a), int(b))]
    elif m := _CJK_DATE.fullmatch(v):
        candidates.append((int(m[1]), int(m[2]), int(m[3])))
    elif m := _DAY_MONTH_YEAR.fullmatch(v):
        month = _MONTHS.get(m[2].lower(), 0)
        candidates.append((int(m[3]), month, int(m[1])))
    elif m := _MONTH_DAY_YEAR.fullmatch(v):
        month = _MONTHS.get(m[1].lower(), 0)
        candidates.append((int(m[3]), month, int(m[2])))
    return tuple(d for d in (real_date(*c) for c in candidates) if d is not None)


@bounded(40)
def validate_birth_date(value: str, context: str) -> bool:
    """A real date (no 31 February) someone alive could be born on: 1900 up to today."""
    today = date.today()
    return any(_EARLIEST_BIRTH <= d <= today for d in parse_date(value))


VALIDATORS: Mapping[str, Validator] = MappingProxyType({"birth_date": validate_birth_date})
