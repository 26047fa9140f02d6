"""National identity numbers of Europe outside the Nordic countries: the UK, Germany, France, Italy, Spain,
the Netherlands, Switzerland, Poland, Portugal, Belgium, Turkey, Romania, Croatia and Ireland."""

from __future__ import annotations

from engine.validators.national_ids.digits import (
    grouped,
    mod11_10_check,
    mod11_digit,
    separators,
    trivial_digits,
    valid_date,
    weighted,
)
from engine.validators.text_shape import digits_of

# -- United Kingdom: National Insurance number ------------------------------------------------------------------

_NINO_FIRST = frozenset("ABCEGHJKLMNOPRSTWXYZ")  # not D F I Q U V
_NINO_SECOND = frozenset("ABCEGHJKLMNPRSTWXYZ")  # not D F I O Q U V
_NINO_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})


def uk_nino_ok(value: str) -> bool:
    """UK National Insurance number: two prefix letters (HMRC's allowed letters, not BG GB KN NK NT TN
    ZZ), six digits, suffix A-D; written solid or as "AB 12 34 56 C"."""
    nino = grouped(value, ((2, 2, 2, 2, 1), (2, 6, 1), (8, 1)))
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
    digits = grouped(value, ((2, 3, 3, 3),))
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
    nir = grouped(value, ((1, 2, 2, 2, 3, 3, 2), (13, 2)))
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


# -- Netherlands: BSN -------------------------------------------------------------------------------------------


def nl_bsn_ok(value: str) -> bool:
    """Dutch BSN (burgerservicenummer): 9 digits passing the "11-test" (weights 9..2 and -1)."""
    digits = grouped(value, ((9,), (4, 2, 3), (3, 3, 3)), " .")
    if digits is None or len(digits) != 9 or not digits.isdigit() or trivial_digits(digits):
        return False
    total = weighted(digits[:8], range(9, 1, -1)) - (ord(digits[8]) - 48)
    return total > 0 and total % 11 == 0


# -- Switzerland: AHV / AVS number -------------------------------------------------------------------------------


def ch_ahv_ok(value: str) -> bool:
    """Swiss social insurance number (AHV/AVS, since 2008): 756 (the country), 9 digits, an EAN-13 check
    digit; printed 756.XXXX.XXXX.XX."""
    digits = grouped(value, ((3, 4, 4, 2), (13,)), ".")
    if digits is None or len(digits) != 13 or not digits.isdigit() or not digits.startswith("756"):
        return False
    if trivial_digits(digits[3:]):
        return False
    total = weighted(digits[:12], (1, 3) * 6)
    return (10 - total % 10) % 10 == ord(digits[12]) - 48


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
    if not valid_date(_PESEL_CENTURY[century] + int(value[:2]), month - century, int(value[4:6])):
        return False
    return (10 - weighted(value[:10], (1, 3, 7, 9) * 3) % 10) % 10 == int(value[10])


# -- Portugal: NIF ----------------------------------------------------------------------------------------------


def pt_nif_ok(value: str) -> bool:
    """Portuguese NIF: 9 digits, a first digit in use for people or companies (1-3, 45, 5, 6, 7x, 8, 9),
    mod-11 check digit (weights 9..2)."""
    digits = grouped(value, ((3, 3, 3),))
    if digits is None or len(digits) != 9 or not digits.isdigit() or trivial_digits(digits):
        return False
    if digits[0] in "04" and digits[:2] != "45":
        return False
    return mod11_digit(weighted(digits[:8], range(9, 1, -1))) == int(digits[8])


# -- Belgium: rijksregisternummer / numéro national -------------------------------------------------------------


def be_national_number_ok(value: str) -> bool:
    """Belgian national number: YY.MM.DD-SSS.CC, serial 001-997, check = 97 - (first nine mod 97) (with a
    2 in front for those born from 2000); month + 20/40 for bis numbers, 00 where the date is unknown."""
    digits = digits_of(value)
    if len(digits) != 11 or trivial_digits(digits):
        return False
    if separators(value) and value != f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}-{digits[6:9]}.{digits[9:]}":
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
        if month == 0 or day == 0 or valid_date(century + yy, month, day):
            return True
    return False


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
    if not any(valid_date(c + yy, month, day) for c in centuries):
        return False
    check = weighted(value[:12], (2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9)) % 11
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
    total = weighted(compact[:7], range(8, 1, -1))
    if len(compact) == 9:
        second = compact[8]
        if second not in "ABHTWX":
            return False
        total += 9 * (0 if second == "W" else ord(second) - 64)
    return _PPSN_LETTERS[total % 23] == compact[7]
