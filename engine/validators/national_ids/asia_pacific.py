"""National identity numbers of Asia and the Pacific: India (Aadhaar, PAN), Japan (My Number), Australia
(TFN, Medicare), China, South Korea, Singapore and Hong Kong."""

from __future__ import annotations

from engine.validators.national_ids.digits import (
    grouped,
    mod11_digit,
    trivial_digits,
    valid_date,
    verhoeff_ok,
    weighted,
)
from engine.validators.text_shape import digits_of

# -- India: Aadhaar and PAN -------------------------------------------------------------------------------------


def in_aadhaar_ok(value: str) -> bool:
    """Aadhaar: 12 digits (4-4-4 groups optional), not starting with 0 or 1, Verhoeff check digit."""
    digits = grouped(value, ((4, 4, 4),), " -")
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


# -- Japan: My Number (individual number) ------------------------------------------------------------------------


def jp_my_number_ok(value: str) -> bool:
    """Japanese individual number (マイナンバー): 12 digits, the last a check digit over the other eleven
    (weights 2..7 then 2..6 from the right, mod 11)."""
    digits = grouped(value, ((12,), (4, 4, 4)), " -")
    if digits is None or len(digits) != 12 or not digits.isdigit() or trivial_digits(digits):
        return False
    total = weighted(digits[10::-1], (2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6))  # from the right: n+1, then n-5
    return mod11_digit(total) == ord(digits[11]) - 48


# -- Australia: TFN and Medicare --------------------------------------------------------------------------------


def au_tfn_ok(value: str) -> bool:
    """Australian Tax File Number: 9 digits (or an old 8), weighted sum divisible by 11."""
    digits = grouped(value, ((3, 3, 3), (3, 3, 2)))
    if digits is None or len(digits) not in (8, 9) or not digits.isdigit() or trivial_digits(digits):
        return False
    weights = (1, 4, 3, 7, 5, 8, 6, 9, 10) if len(digits) == 9 else (10, 7, 8, 4, 6, 3, 5, 1)
    return weighted(digits, weights) % 11 == 0


def au_medicare_ok(value: str) -> bool:
    """Australian Medicare card number: 10 digits (4-5-1), first 2-6, 9th digit = weighted sum of the
    first eight mod 10, 10th the card's issue number."""
    digits = grouped(value, ((4, 5, 1),))
    if digits is None or len(digits) != 10 or not digits.isdigit() or digits[0] not in "23456":
        return False
    if trivial_digits(digits[:9]):
        return False
    return weighted(digits[:8], (1, 3, 7, 9) * 2) % 10 == int(digits[8])


# -- China: resident identity card ------------------------------------------------------------------------------

_CN_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54,
     61, 62, 63, 64, 65, 71, 81, 82, 83}
)  # fmt: skip
_CN_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))


def cn_resident_id_check(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character (0-9 or X) of the first 17 digits."""
    value = (12 - weighted(first17, _CN_WEIGHTS) % 11) % 11
    return "X" if value == 10 else str(value)


def cn_resident_id_ok(value: str) -> bool:
    """Chinese resident ID: province code, birth date YYYYMMDD, sequence, ISO 7064 MOD 11-2 check."""
    if len(value) != 18 or not value.isascii() or not value[:17].isdigit():
        return False
    if int(value[:2]) not in _CN_PROVINCES or int(value[6:10]) < 1900:
        return False
    if not valid_date(int(value[6:10]), int(value[10:12]), int(value[12:14])):
        return False
    return cn_resident_id_check(value[:17]) == value[17].upper()


# -- South Korea: resident registration number ------------------------------------------------------------------

# 7th digit: century and sex, 5-8 for foreign residents (9 and 0, born in the 1800s, are left out: no one
# living has them, and date-based serial numbers such as 240115-0001234 would otherwise pass)
_KR_CENTURY = {"1": 1900, "2": 1900, "5": 1900, "6": 1900, "3": 2000, "4": 2000, "7": 2000, "8": 2000}


def kr_rrn_structure_ok(value: str) -> bool:
    """Korean RRN without its check: YYMMDD-GNNNNNN with a real birth date for the century G gives."""
    digits = grouped(value, ((6, 7),), "-")
    if digits is None or len(digits) != 13 or not digits.isdigit() or trivial_digits(digits):
        return False
    if digits[6] not in _KR_CENTURY:
        return False
    return valid_date(_KR_CENTURY[digits[6]] + int(digits[:2]), int(digits[2:4]), int(digits[4:6]))


def kr_rrn_checksum_ok(value: str) -> bool:
    """Korean RRN check digit (weights 2-9, 2-5; (11 - sum mod 11) mod 10). Numbers issued since October
    2020 no longer carry one."""
    digits = digits_of(value)
    if len(digits) != 13:
        return False
    return (11 - weighted(digits[:12], (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)) % 11) % 10 == int(digits[12])


def kr_rrn_ok(value: str) -> bool:
    """Korean resident registration number: birth date, century/sex digit and check digit."""
    return kr_rrn_structure_ok(value) and kr_rrn_checksum_ok(value)


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
    total = weighted(value[1:8], _NRIC_WEIGHTS) + (4 if value[0] in "TG" else 0)
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
