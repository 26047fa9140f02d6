"""Validators for national identity numbers (assets/rules/pii_national.toml): checksums and structure.

A national ID is a short run of digits (and a letter or two), and short digit runs are everywhere in code,
logs and business text: order numbers, timestamps, version strings. What tells an identity number apart is
its official structure (a birth date, a region code, a sex or century digit, an issuing office's letter)
and its check digit, computed as each issuing authority publishes it. Every check here is written from
those public specifications.

Checksums differ in strength: a two-digit mod-97 key (French NIR) or two mod-11 check digits (Brazilian
CPF) reject 99 in 100 random runs, a Luhn or Verhoeff digit only 9 in 10. Where the check is weak and the
value is a bare run of digits, the rule also asks that the text just before it name the number
(``steuer-id``, ``cpf``, ``aadhaar``, ``आधार`` …) with no other field in between: CONTEXT_WORDS lists those
validators and their words. Their rules carry ``keywords`` so they only run on text that mentions the number
at all, or, where the name is a common substring ("sin" in "using", "nif" in "significant"), hold the name
in the pattern itself. Formatted values (``123.456.789-09``, ``1 85 05 78 006 084 36``, ``2345 6789 0123``)
and formats rigid enough on their own (codice fiscale, CURP, HETU, the Chinese ID) need no context; where
a type has both, the validator for the bare form is the ``*_named`` one.

Every validator has the signature ``(value, context) -> bool`` of engine/secrets.py: ``value`` is the
match, ``context`` up to CONTEXT_CHARS characters before it, lower-cased. They are wrapped with ``bounded``,
so they never raise and refuse over-long input. Names start with ``id_`` so they cannot clash with the
other modules' in the registry (engine/validators.py).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType

from engine.personal_data import real_date
from engine.secrets import Validator, bounded, digits_of, luhn_ok, preceded_by_number

Check = Callable[[str], bool]

# -- shared helpers ---------------------------------------------------------------------------------------------

_ASCENDING = "01234567890123456789"
_DESCENDING = "98765432109876543210"


def trivial_digits(digits: str) -> bool:
    """Digits no authority issues and people type as placeholders: one digit repeated, a 1-2 digit unit
    repeated (121212…), or a run up or down the keypad (123456789, 987654321)."""
    n = len(digits)
    if n == 0:
        return True
    if any(digits == (digits[:k] * n)[:n] for k in (1, 2)):
        return True
    return n >= 6 and (digits[:-1] in _ASCENDING or digits[:-1] in _DESCENDING)


def _valid_date(year: int, month: int, day: int) -> bool:
    """A real calendar date, not after today (a birth date in the future belongs to no one)."""
    born = real_date(year, month, day)
    return born is not None and born <= datetime.date.today()


def _terms(words: Iterable[str]) -> re.Pattern[str]:
    """One regex for the words that name an ID in the text before it (lower case).

    A word must start where a word starts (no letter just before it); words of up to four characters
    must also end where a word ends, so that "sin" is not found in "using" nor "cpf" in "cpfoo". Longer
    words (and words in scripts that attach endings: आधार, 주민번호) may run on: "steuer" names the
    Steuer-ID in "steuer-id" and "steueridentifikationsnummer". A space in a word stands for any run of
    spaces, underscores, hyphens and dots ("tax id" finds "tax_id", "TAX-ID"). The match takes in the
    rest of the name it is part of (steuer-id, cpf_titular), so that what follows it is the gap to the value.
    """
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        body = re.escape(word).replace(r"\ ", r"[\s_\-.]*")
        tail = r"(?![^\W\d_])" if len(word) <= 4 and word.isascii() else ""
        parts.append(body + tail)
    return re.compile(r"(?<![^\W\d_])(?:" + "|".join(parts) + r")[\w\-.]*")


# Between the word that names an ID and the value: the start of another field means the value is that
# field's ("cpf ok; id = 01521306168", "aadhaar upload at ts=975334363945", {"cpf": "x", "id": "…"}).
_OTHER_FIELD = re.compile(r";|[\w\])]\s*=|\"[^\"\n]*\"\s*:|\n\s*[\w\-]+\s*[:=]")


def named(context: str, terms: re.Pattern[str]) -> bool:
    """The text just before the value (CONTEXT_CHARS of it) names the ID, and no other field starts
    between that name and the value."""
    low = context.lower()
    found = list(terms.finditer(low))
    return bool(found) and not _OTHER_FIELD.search(low, found[-1].end())  # the last is the nearest


def _separators(value: str) -> set[str]:
    return {ch for ch in value if not ch.isalnum()}


def _make(check: Check, *, named_by: str | None = None, form: str = "any", limit: int = 40) -> Validator:
    """A validator from a structural check: the value does not continue a number before it, has the
    asked form ("any", "formatted": has a separator, "bare": has none), is named by the text before it
    in the words of CONTEXT_WORDS[named_by] if that is given, and passes `check`."""
    terms = _TERMS[named_by] if named_by is not None else None

    @bounded(limit)
    def validate(value: str, context: str) -> bool:
        if preceded_by_number(context):
            return False
        has_sep = bool(_separators(value))
        if (form == "formatted" and not has_sep) or (form == "bare" and has_sep):
            return False
        if terms is not None and not named(context, terms):
            return False
        return check(value)

    validate.__doc__ = (check.__doc__ or "").strip() + (" Named by the text before it." if named_by else "")
    return validate


def _grouped(value: str, allowed: Iterable[tuple[int, ...]], seps: str = " ") -> str | None:
    """The characters of `value` without separators if it is written with one kind of separator from
    `seps` in one of the `allowed` groupings (group lengths), or with none; else None."""
    found = _separators(value)
    if not found:
        return value
    if len(found) > 1 or not found <= set(seps):
        return None
    groups = value.split(found.pop())
    if tuple(len(g) for g in groups) not in set(allowed):
        return None
    return "".join(groups)


# -- checksum algorithms ----------------------------------------------------------------------------------------


def _build_verhoeff() -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]:
    """Verhoeff's tables: the dihedral group D5 (rotations 0-4, reflections 5-9) and the powers of
    the permutation (1 5 7 6 2 8 3 0 9 4)."""

    def d5(j: int, k: int) -> int:
        if j < 5:
            return (j + k) % 5 if k < 5 else 5 + (j + k) % 5
        return 5 + (j - k) % 5 if k < 5 else (j - k) % 5

    mult = tuple(tuple(d5(j, k) for k in range(10)) for j in range(10))
    first = (1, 5, 7, 6, 2, 8, 3, 0, 9, 4)
    perms = [tuple(range(10))]
    for _ in range(7):
        perms.append(tuple(first[x] for x in perms[-1]))
    return mult, tuple(perms)


_VERHOEFF_D, _VERHOEFF_P = _build_verhoeff()


def verhoeff_ok(digits: str) -> bool:
    """Verhoeff checksum (catches every single-digit error and every swap of neighbours)."""
    if not digits.isascii() or not digits.isdigit():
        return False
    c = 0
    for i, ch in enumerate(reversed(digits)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][ord(ch) - 48]]
    return c == 0


def mod11_10_check(digits: str) -> int:
    """ISO 7064 MOD 11,10 check digit of a digit string (German Steuer-ID, Croatian OIB)."""
    product = 10
    for ch in digits:
        total = (ord(ch) - 48 + product) % 10 or 10
        product = (2 * total) % 11
    return (11 - product) % 10


def _weighted(digits: str, weights: Iterable[int]) -> int:
    return sum((ord(ch) - 48) * w for ch, w in zip(digits, weights, strict=False))


def _mod11_digit(total: int) -> int:
    """The common "11 minus the remainder, 0 when the remainder is 0 or 1" check digit (CPF, NIF)."""
    r = total % 11
    return 0 if r < 2 else 11 - r


# -- United Kingdom: National Insurance number ------------------------------------------------------------------

_NINO_FIRST = frozenset("ABCEGHJKLMNOPRSTWXYZ")  # not D F I Q U V
_NINO_SECOND = frozenset("ABCEGHJKLMNPRSTWXYZ")  # not D F I O Q U V
_NINO_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def uk_nino_ok(value: str) -> bool:
    """UK National Insurance number: two prefix letters (HMRC's allowed letters, not BG GB KN NK NT TN
    ZZ), six digits, suffix A-D; written solid or as "AB 12 34 56 C"."""
    nino = _grouped(value, ((2, 2, 2, 2, 1), (2, 6, 1), (8, 1)))
    if nino is None or len(nino) != 9:
        return False
    prefix, number, suffix = nino[:2], nino[2:8], nino[8]
    if prefix[0] not in _NINO_FIRST or prefix[1] not in _NINO_SECOND or prefix in _NINO_UNUSED_PREFIXES:
        return False
    if not number.isascii() or not number.isdigit() or suffix not in "ABCD":
        return False
    return not trivial_digits(number)


# -- Germany: steuerliche Identifikationsnummer ----------------------------------------------------------------


def de_steuer_id_ok(value: str) -> bool:
    """German tax ID (IdNr): 11 digits, no leading 0; in the first ten one digit occurs twice or three
    times (never three in a row) and the rest at most once; ISO 7064 MOD 11,10 check digit."""
    digits = _grouped(value, ((2, 3, 3, 3),))
    if digits is None or len(digits) != 11 or not digits.isascii() or not digits.isdigit() or digits[0] == "0":
        return False
    body = digits[:10]
    counts = sorted((body.count(d) for d in set(body)), reverse=True)
    if counts[0] not in (2, 3) or (len(counts) > 1 and counts[1] > 1):
        return False
    if counts[0] == 3 and any(body[i] == body[i + 1] == body[i + 2] for i in range(8)):
        return False
    return mod11_10_check(body) == int(digits[10])


# -- France: NIR (numéro de sécurité sociale) -------------------------------------------------------------------


def fr_nir_ok(value: str) -> bool:
    """French NIR: sex 1/2 (3/4/7/8 provisional), year, month 01-12 or the 20-42/50-99 used when it is
    unknown, département (2A/2B for Corsica), commune and order not 000, key = 97 - (number mod 97)."""
    nir = _grouped(value, ((1, 2, 2, 2, 3, 3, 2), (13, 2)))
    if nir is None or len(nir) != 15 or not nir.isascii():
        return False
    dept = nir[5:7]
    corsica = {"2A": "19", "2B": "18"}.get(dept)
    number = nir[:5] + (corsica or dept) + nir[7:13]
    if not number.isdigit() or not nir[13:].isdigit():
        return False
    month = int(nir[3:5])
    if nir[0] not in "123478" or not (1 <= month <= 12 or 20 <= month <= 42 or month >= 50):
        return False
    if dept == "00" or nir[7:10] == "000" or nir[10:13] == "000":
        return False
    key = int(nir[13:])
    return 1 <= key <= 97 and key == 97 - int(number) % 97


# -- Italy: codice fiscale -------------------------------------------------------------------------------------

# Value of each character in an odd (1st, 3rd …) position; digits count as the letter in the same place (0 = A).
_CF_ODD_LETTERS = (1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23)
_CF_ODD = {chr(65 + i): v for i, v in enumerate(_CF_ODD_LETTERS)} | {str(i): _CF_ODD_LETTERS[i] for i in range(10)}
# ... and in an even position: digits their value, letters A-Z 0-25.
_CF_EVEN = {chr(65 + i): i for i in range(26)} | {str(i): i for i in range(10)}
_CF_MONTHS = "ABCDEHLMPRST"
_CF_OMOCODIA = "LMNPQRSTUV"  # stands for 0-9 where a digit was replaced to tell two people apart
_CF_DIGIT_POSITIONS = (6, 7, 9, 10, 12, 13, 14)


def it_codice_fiscale_check(first15: str) -> str:
    """The check letter of the first 15 characters of a codice fiscale (odd/even position tables, mod 26)."""
    total = sum(_CF_ODD[ch] if i % 2 == 0 else _CF_EVEN[ch] for i, ch in enumerate(first15))
    return chr(65 + total % 26)


def it_codice_fiscale_ok(value: str) -> bool:
    """Italian codice fiscale: 6 letters, year, month letter, day (41-71 for women), birthplace code,
    check letter; digits may be replaced by L-V (omocodia)."""
    cf = value
    if len(cf) != 16 or not cf.isascii() or not cf.isalnum() or not cf.isupper():
        return False
    if not cf[:6].isalpha() or not cf[11].isalpha() or not cf[15].isalpha() or cf[8] not in _CF_MONTHS:
        return False
    plain = list(cf)
    for i in _CF_DIGIT_POSITIONS:
        ch = cf[i]
        if ch.isdigit():
            continue
        if ch not in _CF_OMOCODIA:
            return False
        plain[i] = str(_CF_OMOCODIA.index(ch))
    day = int(plain[9] + plain[10])
    if not (1 <= day <= 31 or 41 <= day <= 71):
        return False
    if "".join(plain[12:15]) == "000":
        return False
    return it_codice_fiscale_check(cf[:15]) == cf[15]


# -- Spain: DNI and NIE -----------------------------------------------------------------------------------------

_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def es_dni_letter(number: int) -> str:
    """The control letter of a DNI/NIE number: number mod 23 in the Interior Ministry's table."""
    return _DNI_LETTERS[number % 23]


def es_dni_ok(value: str) -> bool:
    """Spanish DNI: 8 digits (dots 12.345.678 optional), the letter of their value mod 23 (after a
    hyphen, a space or nothing)."""
    body, letter = value[:-1], value[-1]
    if body.endswith(("-", " ")):
        body = body[:-1]
    if len(body) == 10 and body[2] == "." and body[6] == ".":
        body = body.replace(".", "")
    if len(body) != 8 or not body.isascii() or not body.isdigit() or trivial_digits(body):
        return False
    return es_dni_letter(int(body)) == letter


def es_nie_ok(value: str) -> bool:
    """Spanish NIE (foreigners): X/Y/Z (for 0/1/2), 7 digits and the DNI letter of the 8-digit number."""
    compact = value.replace(" ", "").replace("-", "")
    if len(compact) != 9 or compact[0] not in "XYZ" or len(value) - len(compact) > 2:
        return False
    digits = compact[1:8]
    if not digits.isascii() or not digits.isdigit() or trivial_digits(digits):
        return False
    return es_dni_letter(int("XYZ".index(compact[0]) * 10**7 + int(digits))) == compact[8]


# -- India: Aadhaar and PAN -------------------------------------------------------------------------------------


def in_aadhaar_ok(value: str) -> bool:
    """Aadhaar: 12 digits (4-4-4 groups optional), not starting with 0 or 1, Verhoeff check digit."""
    digits = _grouped(value, ((4, 4, 4),), " -")
    if digits is None or len(digits) != 12 or digits[0] in "01" or trivial_digits(digits):
        return False
    return verhoeff_ok(digits)


# the holder's type: AOP, BOI, company, firm/LLP, government, HUF, AJP, Krish trust, local authority, person, trust
_PAN_ENTITY = frozenset("ABCFGHJKLPT")


def in_pan_ok(value: str) -> bool:
    """Indian PAN: 5 letters (the 4th the holder's type: P person, C company, H family …), 4 digits,
    a letter. Its check letter's algorithm is not published; the type letter and no sample values
    (serial 0000, AAAAA…) are what can be checked."""
    if len(value) != 10 or not value.isascii() or not value.isupper():
        return False
    letters, digits, last = value[:5], value[5:9], value[9]
    if not letters.isalpha() or not digits.isdigit() or not last.isalpha() or letters[3] not in _PAN_ENTITY:
        return False
    if digits == "0000" or len(set(letters)) == 1:
        return False
    return not (letters[:3] in ("ABC", "XYZ") and digits == "1234")  # the samples of forms and tutorials


# -- Brazil: CPF ------------------------------------------------------------------------------------------------


def br_cpf_checks(first9: str) -> str:
    """The two CPF check digits of its first nine digits (weights 10..2, then 11..2, mod 11)."""
    d1 = _mod11_digit(_weighted(first9, range(10, 1, -1)))
    d2 = _mod11_digit(_weighted(first9 + str(d1), range(11, 1, -1)))
    return f"{d1}{d2}"


def br_cpf_ok(value: str) -> bool:
    """Brazilian CPF: 11 digits (123.456.789-09 or solid), two mod-11 check digits, not all equal."""
    digits = digits_of(value)
    if len(digits) != 11 or trivial_digits(digits):
        return False
    seps = _separators(value)
    if seps and value not in (f"{digits[:3]}.{digits[3:6]}.{digits[6:9]}-{digits[9:]}", f"{digits[:9]}-{digits[9:]}"):
        return False
    return br_cpf_checks(digits[:9]) == digits[9:]


# -- Netherlands: BSN -------------------------------------------------------------------------------------------


def nl_bsn_ok(value: str) -> bool:
    """Dutch BSN (burgerservicenummer): 9 digits passing the "11-test" (weights 9..2 and -1)."""
    digits = _grouped(value, ((9,), (4, 2, 3), (3, 3, 3)), " .")
    if digits is None or len(digits) != 9 or not digits.isdigit() or trivial_digits(digits):
        return False
    total = _weighted(digits[:8], range(9, 1, -1)) - (ord(digits[8]) - 48)
    return total > 0 and total % 11 == 0


# -- Switzerland: AHV / AVS number -------------------------------------------------------------------------------


def ch_ahv_ok(value: str) -> bool:
    """Swiss social insurance number (AHV/AVS, since 2008): 756 (the country), 9 digits, an EAN-13 check
    digit; printed 756.XXXX.XXXX.XX."""
    digits = _grouped(value, ((3, 4, 4, 2), (13,)), ".")
    if digits is None or len(digits) != 13 or not digits.isdigit() or not digits.startswith("756"):
        return False
    if trivial_digits(digits[3:]):
        return False
    total = _weighted(digits[:12], (1, 3) * 6)
    return (10 - total % 10) % 10 == ord(digits[12]) - 48


# -- Japan: My Number (individual number) ------------------------------------------------------------------------


def jp_my_number_ok(value: str) -> bool:
    """Japanese individual number (マイナンバー): 12 digits, the last a check digit over the other eleven
    (weights 2..7 then 2..6 from the right, mod 11)."""
    digits = _grouped(value, ((12,), (4, 4, 4)), " -")
    if digits is None or len(digits) != 12 or not digits.isdigit() or trivial_digits(digits):
        return False
    total = _weighted(digits[10::-1], (2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6))  # from the right: n+1, then n-5
    return _mod11_digit(total) == ord(digits[11]) - 48


# -- Poland: PESEL ----------------------------------------------------------------------------------------------

_PESEL_CENTURY = {0: 1900, 20: 2000, 40: 2100, 60: 2200, 80: 1800}


def pl_pesel_ok(value: str) -> bool:
    """Polish PESEL: birth date YYMMDD (month +20 for 2000s, +80 for 1800s), serial, check digit with
    weights 1-3-7-9."""
    if len(value) != 11 or not value.isascii() or not value.isdigit() or trivial_digits(value):
        return False
    month = int(value[2:4])
    century = month - month % 20
    if century not in _PESEL_CENTURY:
        return False
    if not _valid_date(_PESEL_CENTURY[century] + int(value[:2]), month - century, int(value[4:6])):
        return False
    return (10 - _weighted(value[:10], (1, 3, 7, 9) * 3) % 10) % 10 == int(value[10])


# -- Sweden: personnummer ---------------------------------------------------------------------------------------


def se_personnummer_ok(value: str) -> bool:
    """Swedish personnummer: (CC)YYMMDD, "-" ("+" from age 100), 4 digits with a Luhn check over the
    10-digit form; day + 60 for a samordningsnummer."""
    digits = digits_of(value)
    seps = _separators(value)
    if len(digits) not in (10, 12) or len(seps) > 1 or not seps <= {"-", "+"}:
        return False
    if seps and value[-5] not in "-+":
        return False
    if len(digits) == 12 and digits[:2] not in ("18", "19", "20"):
        return False
    short = digits[-10:]
    if trivial_digits(short):
        return False
    month, day = int(short[2:4]), int(short[4:6])
    day = day - 60 if day > 60 else day
    years = [int(digits[:4])] if len(digits) == 12 else [c + int(short[:2]) for c in (1800, 1900, 2000)]
    if not any(_valid_date(y, month, day) for y in years):
        return False
    return luhn_ok(short)


# -- Norway: fødselsnummer --------------------------------------------------------------------------------------


def _no_year(yy: int, individual: int) -> list[int]:
    """Birth years the individual number allows (Skatteetaten's ranges)."""
    if individual <= 499:
        return [1900 + yy]
    if individual <= 749 and yy >= 54:
        return [1800 + yy]
    if individual >= 900 and yy >= 40:
        return [1900 + yy]
    return [2000 + yy] if yy <= 39 else []


def no_fnr_ok(value: str) -> bool:
    """Norwegian fødselsnummer: DDMMYY (day + 40 for a D-number, month + 40 for an H-number), an
    individual number that fits the century, two mod-11 check digits."""
    digits = _grouped(value, ((6, 5),))
    if digits is None or len(digits) != 11 or not digits.isdigit() or trivial_digits(digits):
        return False
    day, month, yy = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    day = day - 40 if day > 40 else day
    month = month - 40 if month > 40 else month
    if not any(_valid_date(y, month, day) for y in _no_year(yy, int(digits[6:9]))):
        return False
    k1 = 11 - _weighted(digits[:9], (3, 7, 6, 1, 8, 9, 4, 5, 2)) % 11
    k2 = 11 - _weighted(digits[:10], (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)) % 11
    return k1 % 11 == int(digits[9]) and k2 % 11 == int(digits[10])


# -- Denmark: CPR -----------------------------------------------------------------------------------------------


def _dk_year(yy: int, seventh: int) -> int:
    """The century from the 7th digit (CPR office rules)."""
    if seventh <= 3:
        return 1900 + yy
    if seventh in (4, 9):
        return (2000 if yy <= 36 else 1900) + yy
    return (2000 if yy <= 57 else 1800) + yy


def dk_cpr_ok(value: str) -> bool:
    """Danish CPR number: DDMMYY-SSSS, a real birth date with the century the 7th digit gives. (The old
    mod-11 check is not used: numbers issued since 2007 need not pass it.)"""
    digits = _grouped(value, ((6, 4),), "-")
    if digits is None or len(digits) != 10 or not digits.isdigit() or trivial_digits(digits):
        return False
    return _valid_date(_dk_year(int(digits[4:6]), int(digits[6])), int(digits[2:4]), int(digits[:2]))


# -- Finland: henkilötunnus (HETU) ------------------------------------------------------------------------------

_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_HETU_CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
                 "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}  # fmt: skip


def fi_hetu_ok(value: str) -> bool:
    """Finnish HETU: DDMMYY, century sign (+ - A, and since 2023 U-Y / B-F), individual number
    002-999, check character = DDMMYYZZZ mod 31."""
    if len(value) != 11 or not value.isascii():
        return False
    date, sign, individual, check = value[:6], value[6], value[7:10], value[10]
    if sign not in _HETU_CENTURY or not date.isdigit() or not individual.isdigit() or individual < "002":
        return False
    if not _valid_date(_HETU_CENTURY[sign] + int(date[4:]), int(date[2:4]), int(date[:2])):
        return False
    return _HETU_CHECK[int(date + individual) % 31] == check


# -- Portugal: NIF ----------------------------------------------------------------------------------------------


def pt_nif_ok(value: str) -> bool:
    """Portuguese NIF: 9 digits, a first digit in use for people or companies (1-3, 45, 5, 6, 7x, 8, 9),
    mod-11 check digit (weights 9..2)."""
    digits = _grouped(value, ((3, 3, 3),))
    if digits is None or len(digits) != 9 or not digits.isdigit() or trivial_digits(digits):
        return False
    if digits[0] in "04" and digits[:2] != "45":
        return False
    return _mod11_digit(_weighted(digits[:8], range(9, 1, -1))) == int(digits[8])


# -- United States: ITIN ----------------------------------------------------------------------------------------


def us_itin_ok(value: str) -> bool:
    """US ITIN: 9XX-XX-XXXX with the middle group 50-65, 70-88, 90-92 or 94-99 (the IRS ranges);
    written 9XX-XX-XXXX, 9XX XX XXXX or solid."""
    digits = _grouped(value, ((3, 2, 4),), " -")
    if digits is None or len(digits) != 9 or not digits.isdigit() or digits[0] != "9":
        return False
    group = int(digits[3:5])
    if not (50 <= group <= 65 or 70 <= group <= 88 or 90 <= group <= 92 or 94 <= group <= 99):
        return False
    return digits[5:] != "0000" and not trivial_digits(digits)


# -- Canada: SIN ------------------------------------------------------------------------------------------------


def ca_sin_ok(value: str) -> bool:
    """Canadian Social Insurance Number: 9 digits (3-3-3), first digit 1-7 or 9 (0 and 8 are not
    issued to people), Luhn check."""
    digits = _grouped(value, ((3, 3, 3),), " -")
    if digits is None or len(digits) != 9 or not digits.isdigit() or digits[0] in "08":
        return False
    return not trivial_digits(digits) and luhn_ok(digits)


# -- Australia: TFN and Medicare --------------------------------------------------------------------------------


def au_tfn_ok(value: str) -> bool:
    """Australian Tax File Number: 9 digits (or an old 8), weighted sum divisible by 11."""
    digits = _grouped(value, ((3, 3, 3), (3, 3, 2)))
    if digits is None or len(digits) not in (8, 9) or not digits.isdigit() or trivial_digits(digits):
        return False
    weights = (1, 4, 3, 7, 5, 8, 6, 9, 10) if len(digits) == 9 else (10, 7, 8, 4, 6, 3, 5, 1)
    return _weighted(digits, weights) % 11 == 0


def au_medicare_ok(value: str) -> bool:
    """Australian Medicare card number: 10 digits (4-5-1), first 2-6, 9th digit = weighted sum of the
    first eight mod 10, 10th the card's issue number."""
    digits = _grouped(value, ((4, 5, 1),))
    if digits is None or len(digits) != 10 or not digits.isdigit() or digits[0] not in "23456":
        return False
    if trivial_digits(digits[:9]):
        return False
    return _weighted(digits[:8], (1, 3, 7, 9) * 2) % 10 == int(digits[8])


# -- China: resident identity card ------------------------------------------------------------------------------

_CN_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
     61, 62, 63, 64, 65, 71, 81, 82, 83}
)  # fmt: skip
_CN_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def cn_resident_id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character (0-9 or X) of the first 17 digits."""
    value = (12 - _weighted(first17, _CN_WEIGHTS) % 11) % 11
    return "X" if value == 10 else str(value)


def cn_resident_id_ok(value: str) -> bool:
    """Chinese resident ID: province code, birth date YYYYMMDD, sequence, ISO 7064 MOD 11-2 check."""
    if len(value) != 18 or not value.isascii() or not value[:17].isdigit():
        return False
    if int(value[:2]) not in _CN_PROVINCES or int(value[6:10]) < 1900:
        return False
    if not _valid_date(int(value[6:10]), int(value[10:12]), int(value[12:14])):
        return False
    return cn_resident_id_check(value[:17]) == value[17].upper()


# -- Belgium: rijksregisternummer / numéro national -------------------------------------------------------------


def be_national_number_ok(value: str) -> bool:
    """Belgian national number: YY.MM.DD-SSS.CC, serial 001-997, check = 97 - (first nine mod 97) (with a
    2 in front for those born from 2000); month + 20/40 for bis numbers, 00 where the date is unknown."""
    digits = digits_of(value)
    if len(digits) != 11 or trivial_digits(digits):
        return False
    if _separators(value) and value != f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:]}":
        return False
    serial, check = int(digits[6:9]), int(digits[9:])
    if not 1 <= serial <= 997:
        return False
    month, day, yy = int(digits[2:4]) % 20, int(digits[4:6]), int(digits[:2])
    if int(digits[2:4]) > 52 or month > 12 or day > 31:
        return False
    for century, prefix in ((1900, ""), (2000, "2")):
        if 97 - int(prefix + digits[:9]) % 97 != check:
            continue
        if month == 0 or day == 0 or _valid_date(century + yy, month, day):
            return True
    return False


# -- South Korea: resident registration number ------------------------------------------------------------------

# 7th digit: century and sex, 5-8 for foreign residents (9 and 0, born in the 1800s, are left out: no one
# living has them, and date-based serial numbers such as 240115-0001234 would otherwise pass)
_KR_CENTURY = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000}


def kr_rrn_structure_ok(value: str) -> bool:
    """Korean RRN without its check: YYMMDD-GNNNNNN with a real birth date for the century G gives."""
    digits = _grouped(value, ((6, 7),), "-")
    if digits is None or len(digits) != 13 or not digits.isdigit() or trivial_digits(digits):
        return False
    if digits[6] not in _KR_CENTURY:
        return False
    return _valid_date(_KR_CENTURY[digits[6]] + int(digits[:2]), int(digits[2:4]), int(digits[4:6]))


def kr_rrn_checksum_ok(value: str) -> bool:
    """Korean RRN check digit (weights 2-9, 2-5; (11 - sum mod 11) mod 10). Numbers issued since October
    2020 no longer carry one."""
    digits = digits_of(value)
    if len(digits) != 13:
        return False
    return (11 - _weighted(digits[:12], (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)) % 11) % 10 == int(digits[12])


def kr_rrn_ok(value: str) -> bool:
    """Korean resident registration number: birth date, century/sex digit and check digit."""
    return kr_rrn_structure_ok(value) and kr_rrn_checksum_ok(value)


# -- Mexico: CURP -----------------------------------------------------------------------------------------------

_CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
_CURP_STATES = frozenset(
    {"AS", "BC", "BS", "CC", "CL", "CM", "CS", "CH", "DF", "DG", "GT", "GR", "HG", "JC", "MC", "MN", "MS", "NT",
     "NL", "OC", "PL", "QT", "QR", "SP", "SL", "SR", "TC", "TS", "TL", "VZ", "YN", "ZS", "NE"}
)  # fmt: skip


def mx_curp_check(first17: str) -> int:
    """RENAPO's CURP check digit: character values 0-36 weighted 18..2, (10 - sum mod 10) mod 10."""
    total = sum(_CURP_ALPHABET.index(ch) * (18 - i) for i, ch in enumerate(first17))
    return (10 - total % 10) % 10


def mx_curp_ok(value: str) -> bool:
    """Mexican CURP: name letters, birth date, sex H/M/X, state code, consonants, homoclave (a digit
    for births before 2000, a letter after), check digit."""
    if len(value) != 18 or not value[:4].isalpha() or not value[4:10].isdigit() or not value[17].isdigit():
        return False
    if value[10] not in "HMX" or value[11:13] not in _CURP_STATES:
        return False
    if any(ch not in _CURP_ALPHABET for ch in value):
        return False
    yy, month, day = int(value[4:6]), int(value[6:8]), int(value[8:10])
    year = (1900 if value[16].isdigit() else 2000) + yy
    if not _valid_date(year, month, day):
        return False
    return mx_curp_check(value[:17]) == int(value[17])


# -- Singapore: NRIC / FIN ----------------------------------------------------------------------------------------

_NRIC_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_NRIC_LETTERS = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK"}


def sg_nric_ok(value: str) -> bool:
    """Singapore NRIC/FIN: S/T (citizens, residents) or F/G (foreigners), 7 digits, check letter from
    the weighted sum (+4 for T and G) mod 11."""
    if len(value) != 9 or value[0] not in _NRIC_LETTERS or not value[1:8].isascii() or not value[1:8].isdigit():
        return False
    if trivial_digits(value[1:8]):
        return False
    total = _weighted(value[1:8], _NRIC_WEIGHTS) + (4 if value[0] in "TG" else 0)
    return _NRIC_LETTERS[value[0]][total % 11] == value[8]


# -- Hong Kong: HKID --------------------------------------------------------------------------------------------


def hk_hkid_ok(value: str) -> bool:
    """Hong Kong identity card: one or two letters, 6 digits, check digit or A in brackets: letters
    A-Z = 10-35 (a missing second letter 36), weights 9..2, check = -(sum) mod 11."""
    compact = value.replace(" ", "")
    if not compact.endswith(")") or compact[-3] != "(":
        return False
    head, check = compact[:-3], compact[-2]
    letters, digits = head[:-6], head[-6:]
    if len(letters) not in (1, 2) or not letters.isascii() or not letters.isalpha() or not letters.isupper():
        return False
    if not digits.isascii() or not digits.isdigit() or trivial_digits(digits):
        return False
    values = [36] * (2 - len(letters)) + [ord(ch) - 55 for ch in letters] + [ord(ch) - 48 for ch in digits]
    remainder = -sum(v * w for v, w in zip(values, range(9, 1, -1), strict=True)) % 11
    return ("A" if remainder == 10 else str(remainder)) == check


# -- South Africa: identity number ------------------------------------------------------------------------------


def za_id_ok(value: str) -> bool:
    """South African ID: YYMMDD, sequence, citizenship 0/1/2, an 8 or 9, Luhn check digit."""
    digits = _grouped(value, ((6, 4, 3), (6, 4, 1, 1, 1)))
    if digits is None or len(digits) != 13 or not digits.isdigit() or trivial_digits(digits):
        return False
    if digits[10] not in "012" or digits[11] not in "89":
        return False
    yy, month, day = int(digits[:2]), int(digits[2:4]), int(digits[4:6])
    if not (_valid_date(1900 + yy, month, day) or _valid_date(2000 + yy, month, day)):
        return False
    return luhn_ok(digits)


# -- Turkey: T.C. kimlik numarası -------------------------------------------------------------------------------


def tr_tckn_ok(value: str) -> bool:
    """Turkish identity number: 11 digits, no leading 0; digit 10 = (7 x odd-place sum - even-place
    sum) mod 10, digit 11 = sum of the first ten mod 10."""
    if len(value) != 11 or not value.isascii() or not value.isdigit() or value[0] == "0" or trivial_digits(value):
        return False
    d = [ord(ch) - 48 for ch in value]
    if (7 * sum(d[0:9:2]) - sum(d[1:8:2])) % 10 != d[9]:
        return False
    return sum(d[:10]) % 10 == d[10]


# -- Romania: CNP -----------------------------------------------------------------------------------------------

_CNP_CENTURY = {"1": 1900, "2": 1900, "3": 1800, "4": 1800, "5": 2000, "6": 2000}


def ro_cnp_ok(value: str) -> bool:
    """Romanian CNP: sex/century digit, YYMMDD, county 01-48, 51, 52 (or 70), serial, check digit with the
    weights 279146358279 (sum mod 11, 10 written 1)."""
    if len(value) != 13 or not value.isascii() or not value.isdigit() or value[0] == "0" or trivial_digits(value):
        return False
    county = int(value[7:9])
    if not (1 <= county <= 48 or county in (51, 52, 70)) or value[9:12] == "000":
        return False
    yy, month, day = int(value[1:3]), int(value[3:5]), int(value[5:7])
    centuries = [_CNP_CENTURY[value[0]]] if value[0] in _CNP_CENTURY else [1900, 2000]  # 7-9: residents
    if not any(_valid_date(c + yy, month, day) for c in centuries):
        return False
    check = _weighted(value[:12], (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)) % 11
    return (1 if check == 10 else check) == int(value[12])


# -- Croatia: OIB -----------------------------------------------------------------------------------------------


def hr_oib_ok(value: str) -> bool:
    """Croatian OIB: 11 digits, ISO 7064 MOD 11,10 check digit."""
    if len(value) != 11 or not value.isascii() or not value.isdigit() or trivial_digits(value):
        return False
    return mod11_10_check(value[:10]) == int(value[10])


# -- Ireland: PPS number ----------------------------------------------------------------------------------------

_PPSN_LETTERS = "WABCDEFGHIJKLMNOPQRSTUV"  # remainder 0-22


def ie_ppsn_ok(value: str) -> bool:
    """Irish PPS number: 7 digits, check letter (weights 8..2, and 9 x a second letter's value), mod 23."""
    compact = value.replace(" ", "")
    if len(compact) not in (8, 9) or not compact[:7].isascii() or not compact[:7].isdigit():
        return False
    if trivial_digits(compact[:7]):
        return False
    total = _weighted(compact[:7], range(8, 1, -1))
    if len(compact) == 9:
        second = compact[8]
        if second not in "ABHTWX":
            return False
        total += 9 * (0 if second == "W" else ord(second) - 64)
    return _PPSN_LETTERS[total % 23] == compact[7]


# -- context: the words that name each number -------------------------------------------------------------------

# Per validator that needs context: the words that name its ID (lower case; a space is any run of spaces,
# underscores, hyphens and dots). A rule with `keywords` must have, for each word, a keyword inside it.
CONTEXT_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "id_de_steuer_id": ("steuer", "identifikationsnummer", "idnr", "id-nr", "id.-nr", "id nr", "tax id",
                            "taxid", "tax identification"),
        "id_fr_nir_named": ("nir", "sécurité sociale", "securite sociale", "sécu", "de secu", "insee", "vitale",
                            "social security", "n° ss", "n°ss", "no ss", "num ss", "numéro ss", "numero ss", "nss"),
        "id_in_aadhaar_named": ("aadhaar", "aadhar", "adhaar", "uidai", "आधार", "আধার", "ஆதார்", "ఆధార్", "ಆಧಾರ್",
                                "ആധാർ", "આધાર", "ਆਧਾਰ", "ଆଧାର"),
        "id_br_cpf_named": ("cpf", "cadastro de pessoa"),
        "id_nl_bsn": ("bsn", "burgerservice", "burger service", "sofinummer", "sofi-nummer", "sofi nummer",
                      "citizen service number"),
        "id_pl_pesel": ("pesel",),
        "id_ch_ahv_named": ("ahv", "avs", "avs/ahv", "ahv/avs", "sozialversicherungsnummer", "versichertennummer",
                            "numéro avs", "numero avs", "n° avs"),
        "id_jp_my_number": ("マイナンバー", "個人番号", "my number", "mynumber", "individual number"),
        "id_se_personnummer": ("personnummer", "personnr", "pers.nr", "pers nr", "pnr", "samordningsnummer",
                               "personal identity number", "personal number", "swedish id"),
        "id_no_fnr": ("fødselsnummer", "fodselsnummer", "foedselsnummer", "fnr", "f.nr", "personnummer", "d-nummer",
                      "national identity number", "norwegian id", "birth number"),
        "id_dk_cpr": ("cpr", "personnummer", "danish id"),
        "id_pt_nif": ("nif", "nipc", "contribuinte", "número fiscal", "numero fiscal", "identificação fiscal",
                      "identificacao fiscal"),
        "id_us_itin_named": ("itin", "taxpayer identification", "individual taxpayer"),
        "id_ca_sin": ("sin", "s.i.n", "social insurance", "assurance sociale", "nas", "n.a.s"),
        "id_au_tfn": ("tfn", "tax file number", "tax file no"),
        "id_au_medicare": ("medicare",),
        "id_be_national_number_named": ("rijksregister", "numéro national", "numero national", "registre national",
                                        "national number", "nationaal nummer", "insz", "niss", "rrn"),
        "id_kr_rrn_named": ("주민등록번호", "주민번호", "주민등록", "rrn", "resident registration"),
        "id_za_id": ("id number", "identity number", "id no.", "id no:", "id-no", "south african id", "rsa id",
                     "sa id"),
        "id_tr_tckn": ("kimlik", "tckn", "tc no", "t.c. no", "turkish id"),
        "id_ro_cnp": ("cnp", "cod numeric personal"),
        "id_hr_oib": ("oib", "osobni identifikacijski"),
        "id_ie_ppsn": ("pps", "ppsn", "personal public service"),
    }
)  # fmt: skip
_TERMS = {name: _terms(words) for name, words in CONTEXT_WORDS.items()}


def _kr_rrn_named_ok(value: str) -> bool:
    """A Korean RRN named by the text before it: written solid, or (issued since 2020) without a valid
    check digit; a hyphenated one with a valid check is id_kr_rrn's, so it is not reported twice."""
    if "-" in value and kr_rrn_checksum_ok(value):
        return False
    return kr_rrn_structure_ok(value)


# name, check, form (any / formatted: with separators / bare: without), needs the text before it to name the ID
_SPECS: tuple[tuple[str, Check, str, bool], ...] = (
    ("id_uk_nino", uk_nino_ok, "any", False),
    ("id_de_steuer_id", de_steuer_id_ok, "any", True),
    ("id_fr_nir", fr_nir_ok, "formatted", False),
    ("id_fr_nir_named", fr_nir_ok, "bare", True),
    ("id_it_codice_fiscale", it_codice_fiscale_ok, "any", False),
    ("id_es_dni", es_dni_ok, "any", False),
    ("id_es_nie", es_nie_ok, "any", False),
    ("id_in_aadhaar", in_aadhaar_ok, "formatted", False),
    ("id_in_aadhaar_named", in_aadhaar_ok, "bare", True),
    ("id_in_pan", in_pan_ok, "any", False),
    ("id_br_cpf", br_cpf_ok, "formatted", False),
    ("id_br_cpf_named", br_cpf_ok, "bare", True),
    ("id_nl_bsn", nl_bsn_ok, "any", True),
    ("id_pl_pesel", pl_pesel_ok, "any", True),
    ("id_ch_ahv", ch_ahv_ok, "formatted", False),
    ("id_ch_ahv_named", ch_ahv_ok, "bare", True),
    ("id_jp_my_number", jp_my_number_ok, "any", True),
    ("id_se_personnummer", se_personnummer_ok, "any", True),
    ("id_no_fnr", no_fnr_ok, "any", True),
    ("id_dk_cpr", dk_cpr_ok, "any", True),
    ("id_fi_hetu", fi_hetu_ok, "any", False),
    ("id_pt_nif", pt_nif_ok, "any", True),
    ("id_us_itin", us_itin_ok, "formatted", False),
    ("id_us_itin_named", us_itin_ok, "bare", True),
    ("id_ca_sin", ca_sin_ok, "any", True),
    ("id_au_tfn", au_tfn_ok, "any", True),
    ("id_au_medicare", au_medicare_ok, "any", True),
    ("id_cn_resident_id", cn_resident_id_ok, "any", False),
    ("id_be_national_number", be_national_number_ok, "formatted", False),
    ("id_be_national_number_named", be_national_number_ok, "bare", True),
    ("id_kr_rrn", kr_rrn_ok, "formatted", False),
    ("id_kr_rrn_named", _kr_rrn_named_ok, "any", True),
    ("id_mx_curp", mx_curp_ok, "any", False),
    ("id_sg_nric", sg_nric_ok, "any", False),
    ("id_hk_hkid", hk_hkid_ok, "any", False),
    ("id_za_id", za_id_ok, "any", True),
    ("id_tr_tckn", tr_tckn_ok, "any", True),
    ("id_ro_cnp", ro_cnp_ok, "any", True),
    ("id_hr_oib", hr_oib_ok, "any", True),
    ("id_ie_ppsn", ie_ppsn_ok, "any", True),
)

VALIDATORS: Mapping[str, Validator] = MappingProxyType(
    {name: _make(check, form=form, named_by=name if named else None) for name, check, form, named in _SPECS}
)


def _sample_note(named_by: str | None) -> Validator:
    """Says whether a value its validator dropped is a typed placeholder (123.456.789-09, BSN 111111111,
    S1234567D): the ID's shape, named where its rule needs a name, digits no authority issues."""
    terms = _TERMS[named_by] if named_by is not None else None

    @bounded(40)
    def note(value: str, context: str) -> bool:
        digits = digits_of(value)
        if len(digits) < 6 or preceded_by_number(context):
            return False
        return (terms is None or named(context, terms)) and trivial_digits(digits.lstrip("0") or digits)

    return note


# Per validator: the typed placeholders worth an info note ("seen, not reported") instead of silence.
PLACEHOLDER_CHECKS: Mapping[str, Validator] = MappingProxyType(
    {name: _sample_note(name if named else None) for name, _check, _form, named in _SPECS}
)
