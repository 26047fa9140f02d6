"""Validators for personal data that needs context to be told apart (assets/rules/pii_context.toml):
passports, driving licences, dates of birth, postal addresses.

A passport number is nine characters anyone could type, a date is a date, a street name is in every novel.
What makes them personal is the word before them ("Passport No.", "Geburtsdatum", "DL#") or, for an address,
the whole of a street line with a house number, a postcode of the right shape and a town. The rules in
pii_context.toml find those shapes behind their context words; the checks here refuse what is not real:
impossible dates, ZIP codes of another state, postcodes no post office uses, words in a number's place,
template values (Musterstraße 1, 12345 Musterstadt), and addresses organisations publish (the Free Software
Foundation's in every GPL header, a company's imprint). Two forms stand without context because their own
structure checks them: the machine-readable zone of a passport (ICAO 9303 check digits) and the UK driving
licence number (DVLA: birth date encoded inside).

Every validator has the signature of engine/secrets.py (``(value, context) -> bool``, context lower-cased),
is pure, and never raises (``bounded``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType

import ahocorasick

from engine.secrets import Validator, bounded, digits_of, is_placeholder

# The stdlib `re` below only ever sees values already bounded by RE2 patterns and by `bounded`.

# -- dates --------------------------------------------------------------------------------------------------------

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


# -- passports ----------------------------------------------------------------------------------------------------

# Passport number shapes of the countries most often asked about. Any other 6-9 character number with three
# digits is accepted too (the rule needs a passport word before it): the shapes let one-digit serials through.
_PASSPORT_SHAPES = re.compile(
    r"[0-9]{9}"  # US (book), UK, and many others: nine digits
    r"|[A-Z][0-9]{8}"  # US (next generation), CN (E/G + 8), KR (M + 8)
    r"|[CFGHJK][CFGHJKLMNPRTVWXYZ0-9]{8}"  # DE: authority code and serial, from a 27-character alphabet
    r"|[0-9]{2}[A-Z]{2}[0-9]{5}"  # FR
    r"|[A-Z]{2}[0-9]{7}"  # IT, JP, PL, AU
    r"|[A-Z]{3}[0-9]{6}"  # ES
    r"|[A-Z]{2}[0-9]{6}"  # CA
    r"|[A-Z][0-9]{6,7}"  # PT (letter + 6), IN (letter + 7), AU
    r"|[A-NP-Z]{2}[A-NP-Z0-9]{6}[0-9]"  # NL: no letter O
)
_WORD_IN_VALUE = re.compile(r"[A-Z]*[AEIOU][A-Z]*")  # letters of a word, not of a serial


def _word_like(upper: str, run: int = 5) -> bool:
    """A word in a value ("STATUS1", "OAUTH2"): `run` or more letters in a row with a vowel among them.
    Serials rarely have that many letters in a row (Dutch passports may have four: "UWEB95U09"), and German
    ones have no A E I O U at all."""
    return any(len(letters) >= run for letters in _WORD_IN_VALUE.findall(upper))


@bounded(16)
def validate_passport(value: str, context: str) -> bool:
    """A passport number after a passport word: 6-9 letters and digits with at least one digit, of one case,
    no word inside, not a placeholder; a known country shape, or failing that at least three digits."""
    if not value.isascii() or not value.isalnum() or not 6 <= len(value) <= 9:
        return False
    upper = value.upper()
    digits = digits_of(value)
    if not digits or value not in (upper, value.lower()):
        return False
    if value != upper and len(digits) < 5:  # "oauth2", "photo1": typed in lower case, a number has many digits
        return False
    if _word_like(upper) or is_placeholder(value) or len(set(upper)) < 3:
        return False
    return bool(_PASSPORT_SHAPES.fullmatch(upper)) or len(digits) >= 3


# ICAO 9303 machine-readable zone, type 3 (passports): two lines of 44 characters.
_MRZ_WEIGHTS = (7, 3, 1)
_MRZ_LINE1 = re.compile(r"P[A-Z<][A-Z<]{3}[A-Z<]{39}")
_MRZ_LINE2 = re.compile(r"[A-Z0-9<]{9}[0-9][A-Z<]{3}[0-9]{6}[0-9][MFX<][0-9]{6}[0-9][A-Z0-9<]{14}[0-9<][0-9]")


def mrz_check_digit(field: str) -> int:
    """ICAO 9303 check digit: digits as themselves, A-Z as 10-35, '<' as 0, weighted 7-3-1, mod 10."""
    total = 0
    for i, ch in enumerate(field):
        if "0" <= ch <= "9":
            n = ord(ch) - 48
        elif "A" <= ch <= "Z":
            n = ord(ch) - 55
        elif ch == "<":
            n = 0
        else:
            raise ValueError(f"not an MRZ character: {ch!r}")
        total += n * _MRZ_WEIGHTS[i % 3]
    return total % 10


def _mrz_date_ok(yymmdd: str) -> bool:
    """A real month and day (the century is not written: any year of a century will do, 2000 is a leap year)."""
    return real_date(2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])) is not None


def _check_ok(field: str, digit: str) -> bool:
    # an empty optional field may carry '<' as its check digit
    return (digit == "<" and set(field) <= {"<"}) or (digit.isdigit() and mrz_check_digit(field) == int(digit))


@bounded(100)
def validate_passport_mrz(value: str, context: str) -> bool:
    """The data line of a passport's machine-readable zone (the name line before it if pasted): the check
    digits of document number, birth date, expiry, personal number and the composite one all agree."""
    lines = value.split()
    if len(lines) not in (1, 2):
        return False
    line2 = lines[-1]
    if not _MRZ_LINE2.fullmatch(line2):
        return False
    if len(lines) == 2 and not (_MRZ_LINE1.fullmatch(lines[0]) and lines[0][5].isalpha() and "<<" in lines[0][6:]):
        return False  # the name line: document code, issuing state, then SURNAME<<GIVEN<NAMES
    number = line2[0:9]
    if set(number) <= {"<"} or len(set(number.replace("<", ""))) < 2:
        return False
    if not (_mrz_date_ok(line2[13:19]) and _mrz_date_ok(line2[21:27])):
        return False
    composite = line2[0:10] + line2[13:20] + line2[21:43]
    return (
        _check_ok(number, line2[9])
        and _check_ok(line2[13:19], line2[19])
        and _check_ok(line2[21:27], line2[27])
        and _check_ok(line2[28:42], line2[42])
        and _check_ok(composite, line2[43])
    )


# -- driving licences ---------------------------------------------------------------------------------------------

_DROP_SEPARATORS = str.maketrans("", "", " -/")
_DROP_DIGITS = str.maketrans("", "", "0123456789")


@bounded(40)
def validate_driving_licence(value: str, context: str) -> bool:
    """A licence number after a driving-licence word: 5-18 letters and digits (separators aside) with at
    least three digits, no word inside, not a placeholder, not a date."""
    compact = value.translate(_DROP_SEPARATORS)
    if not 5 <= len(compact) <= 18 or not compact.isascii() or not compact.isalnum():
        return False
    upper = compact.upper()
    ndigits = len(compact) - len(compact.translate(_DROP_DIGITS))
    if ndigits < 3 or compact not in (upper, compact.lower()) or len(set(upper)) < 3:
        return False
    if ndigits < 5 and _word_like(upper, 6):
        return False  # a surname inside is fine where many digits follow (DVLA, Washington's old format)
    if is_placeholder(compact) or (len(compact) in (16, 18) and validate_uk_driving_licence(compact, context)):
        return False  # a DVLA number is reported once, by the rule that checks its structure
    return compact == value or not parse_date(value)  # "12/03/2019": an issue date, not a number


_DVLA = re.compile(r"([A-Z][A-Z9]{4})([0-9])([0-9]{2})([0-9]{2})([0-9])([A-Z][A-Z9])[0-9][A-Z]{2}(?:[0-9]{2})?")


@bounded(24)
def validate_uk_driving_licence(value: str, context: str) -> bool:
    """A DVLA licence number: five letters of the surname padded with 9s, the birth date encoded (decade,
    month + 50 for women, day, year), initials padded with 9, a digit, two check letters, and optionally the
    two-digit issue number."""
    m = _DVLA.fullmatch(value.replace(" ", ""))
    if m is None:
        return False
    surname, decade, month, day, year, _initials = m.groups()
    if "9" in surname and surname.rstrip("9") != surname[: surname.index("9")]:
        return False  # padding only at the end: "SMI9TH" is no surname
    if len(set(surname.rstrip("9"))) < 2 and len(surname.rstrip("9")) > 2:
        return False  # "AAAAA"
    mm = int(month) - 50 if int(month) > 50 else int(month)
    # the century is not written: 19x0s or 20x0s, whichever makes the day real (29 Feb in a leap year)
    return any(real_date(c + int(decade + year), mm, int(day)) for c in (1900, 2000))


# -- postal addresses ---------------------------------------------------------------------------------------------

# US state (and territory, military) codes -> the first digits of their ZIP codes.
_US_ZIP_PREFIXES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "AL": ("35", "36"), "AK": ("99",), "AZ": ("85", "86"), "AR": ("71", "72"), "CA": ("90", "91", "92", "93",
        "94", "95", "96"), "CO": ("80", "81"), "CT": ("06",), "DE": ("19",), "DC": ("20",), "FL": ("32", "33", "34"),
        "GA": ("30", "31", "39"), "HI": ("96",), "ID": ("83",), "IL": ("60", "61", "62"), "IN": ("46", "47"),
        "IA": ("50", "51", "52"), "KS": ("66", "67"), "KY": ("40", "41", "42"), "LA": ("70", "71"), "ME": ("03", "04"),
        "MD": ("20", "21"), "MA": ("01", "02", "05"), "MI": ("48", "49"), "MN": ("55", "56"), "MS": ("38", "39"),
        "MO": ("63", "64", "65"), "MT": ("59",), "NE": ("68", "69"), "NV": ("88", "89"), "NH": ("03",),
        "NJ": ("07", "08"), "NM": ("87", "88"), "NY": ("00", "10", "11", "12", "13", "14"), "NC": ("27", "28"),
        "ND": ("58",), "OH": ("43", "44", "45"), "OK": ("73", "74"), "OR": ("97",),
        "PA": ("15", "16", "17", "18", "19"), "RI": ("02",), "SC": ("29",), "SD": ("57",), "TN": ("37", "38"),
        "TX": ("73", "75", "76", "77", "78", "79", "88"),
        "UT": ("84",), "VT": ("05",), "VA": ("20", "22", "23", "24"), "WA": ("98", "99"), "WV": ("24", "25", "26"),
        "WI": ("53", "54"), "WY": ("82", "83"), "PR": ("00",), "VI": ("00",), "GU": ("96",), "AS": ("96",),
        "MP": ("96",), "AA": ("34",), "AE": ("09",), "AP": ("96",),
    }
)  # fmt: skip
# Canadian provinces -> the first letters of their postal codes; Australian states -> first postcode digits;
# Brazilian states -> first CEP digits.
_CA_POSTCODE_LETTERS: Mapping[str, str] = MappingProxyType({
    "NL": "A", "NS": "B", "PE": "C", "NB": "E", "QC": "GHJ", "ON": "KLMNP", "MB": "R", "SK": "S", "AB": "T",
    "BC": "V", "NT": "X", "NU": "X", "YT": "Y",
})  # fmt: skip
_AU_POSTCODE_DIGITS: Mapping[str, str] = MappingProxyType(
    {"NSW": "12", "ACT": "02", "VIC": "38", "QLD": "49", "SA": "5", "WA": "6", "TAS": "7", "NT": "0"}
)
_BR_CEP_DIGITS: Mapping[str, str] = MappingProxyType({
    "SP": "01", "RJ": "2", "ES": "2", "MG": "3", "BA": "4", "SE": "4", "PE": "5", "AL": "5", "PB": "5", "RN": "5",
    "CE": "6", "PI": "6", "MA": "6", "PA": "6", "AP": "6", "AM": "6", "RR": "6", "AC": "6", "DF": "7", "GO": "7",
    "TO": "7", "MT": "7", "MS": "7", "RO": "7", "PR": "8", "SC": "8", "RS": "9",
})  # fmt: skip
# The end of an address, after its last digit: a US ZIP(+4), a Canadian or Australian postcode, a Brazilian
# CEP end it; a UK postcode's inward code and a Dutch postcode's letters follow it; elsewhere the town does.
_US_TAIL = re.compile(r"([A-Z]{2}),? (\d{5})(?:-\d{4})?")
_CA_TAIL = re.compile(r"([A-Z]{2}),? ([ABCEGHJ-NPRSTVXY])\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d")
_AU_TAIL = re.compile(r"([A-Z]{2,3}),? (\d{4})")
_BR_TAIL = re.compile(r"([A-Z]{2}) ?,? ?(?:CEP:? ?)?(\d{5})-?\d{3}")
# UK postcode: outward code (area, district, sub-district) and inward code, with the letters each place allows.
_UK_POSTCODE = re.compile(
    r"(?:[A-PR-UWYZ][0-9][0-9]?|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?|[A-PR-UWYZ][0-9][A-HJKPSTUW]|"
    r"[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]) ?[0-9][ABD-HJLNP-UW-Z]{2}"
)
# Continental postcodes, as the text before the town ends: PT 1234-567, PL 12-345, SE 123 45, and four or
# five digits (DE, FR, ES, IT: 5; AT, BE, CH, DK, NO, LU: 4), each with an optional country letter (D-, CH-).
# the postcode that ends a text (searched, not scanned left to right: in "Straße 218 28195" a scan takes
# "218 28" for a Swedish code and never reaches 28195)
_EU_CODE_AT_END = re.compile(r"(?:^|[ ,])(?:[A-Z]{1,2}-)?(\d{4}-\d{3}|\d{2}-\d{3}|\d{3} \d{2}|\d{4,5})$")
_NL_LETTERS = re.compile(r" ?([A-Z]{2}) ")
_TOWN_WORDS = frozenset({"city", "town", "ville", "stadt", "ciudad", "città", "cidade", "stad", "miasto"})
# Values written to stand for an address: templates and forms (Musterstraße 1, 12345 Musterstadt), samples.
_SAMPLE_WORDS = (
    "muster", "beispiel", "example", "sample", "anytown", "any town", "anycity", "any city", "somewhere",
    "exemple", "ejemplo", "esempio", "exemplo", "voorbeeld", "przykład", "przyklad", "foo", "street name",
    "your street", "your city", "nowhere", "fake street", "fakestreet", "placeholder", "lorem", "ipsum",
)  # fmt: skip
_SAMPLE_CODES = frozenset({"12345", "00000", "99999", "11111", "54321", "1234", "0000", "9999", "12-345",
                           "00-000", "1234-567", "0000-000", "123 45", "000 00"})  # fmt: skip
# Published addresses of organisations, met in every copy of their licence texts: (street, ZIP) pairs.
_PUBLISHED = (
    ("franklin st", "02110"),  # Free Software Foundation, 51 Franklin Street, Fifth Floor, Boston, MA 02110-1301
    ("temple place", "02111"),  # the FSF's earlier address, 59 Temple Place, Suite 330, Boston, MA 02111-1307
    ("mass ave", "02139"),  # and its first, 675 Mass Ave, Cambridge, MA 02139
    ("massachusetts ave", "02139"),
    ("second street", "94105"),  # Creative Commons, 171 Second Street, Suite 300, San Francisco, CA 94105
    ("castro street", "94041"),  # Creative Commons, 444 Castro Street, Suite 900, Mountain View, CA 94041
    ("saratoga avenue", "95051"),  # BeOpen.com, 160 Saratoga Avenue, Santa Clara, CA 95051 (Python's licence)
)
# Words just before an address that make it an organisation's published one, not a person's: licence and
# copyright lines ("write to the Free Software Foundation, Inc., 51 Franklin Street …", "This LICENSE
# AGREEMENT is between BeOpen.com, having an office at …"; the word "licence" alone is not one: "UK licence …"
# may be the line before a home address), company imprints (a legal form such as GmbH, Inc., Ltd just before
# the street; "Impressum", "registered office") and universities.
# Companies publish their addresses (imprints are required by law in much of Europe); a person does not.
_ORGANISATION_PARTS = (
    "copyright", "(c)", "©", "license agreement", "licence agreement", "licensee", "licensor", "public license",
    "public licence", "lizenzvertrag", "office at", "offices at", "foundation", "stiftung", "fondation",
    "fundación", "fundacion", "fondazione", "fundação", "corporation", "impressum", "imprint", "mentions légales",
    "aviso legal", "note legali", "registered office", "headquarters", "head office", "firmensitz", "siège",
    "sede legale", "sede social", "univers", "uniwersytet", "sp. z o.o", "spółka", "公司", "大学", "大學", "会社",
    "대학", "회사", "(주)",
)  # fmt: skip
# Legal forms, as words with their dots dropped (not "as", "ab", "co", "kg": English words, Co. Kerry, 5 kg).
_LEGAL_FORMS = frozenset({
    "inc", "ltd", "llc", "llp", "plc", "corp", "gmbh", "ag", "ev", "ohg", "ug", "sa", "sas", "sarl", "sl", "slu",
    "srl", "spa", "snc", "bv", "nv", "lda", "ltda", "aps", "oy", "pty", "kk",
})  # fmt: skip
_ORGANISATION_WINDOW = 80  # characters before the address that are looked at (the line or two before it)
_SPLIT_AT_LAST_DIGIT = re.compile(r"(.*[0-9])(.*)", re.DOTALL)


def _automaton(words: tuple[str, ...]) -> ahocorasick.Automaton:
    """One pass finds any of many words: a hostile text may make a validator run on every line."""
    automaton = ahocorasick.Automaton()
    for word in words:
        automaton.add_word(word, word)
    automaton.make_automaton()
    return automaton


_SAMPLE_FINDER = _automaton(_SAMPLE_WORDS)
_ORGANISATION_FINDER = _automaton(_ORGANISATION_PARTS)


def _organisation_context(context: str) -> bool:
    """The text just before an address names an organisation's published address (see _ORGANISATION_PARTS)."""
    window = context[-_ORGANISATION_WINDOW:]
    if next(_ORGANISATION_FINDER.iter(window), None) is not None:
        return True
    words = window.replace(",", " ").replace(".", "").replace("&", " ").split()
    return not _LEGAL_FORMS.isdisjoint(words)


def _us_ok(state: str, zip5: str, low: str) -> bool:
    """The ZIP code belongs to the state (its first digits), is no template, and is not the FSF's."""
    prefixes = _US_ZIP_PREFIXES.get(state)
    if prefixes is None or not zip5.startswith(prefixes) or zip5 in _SAMPLE_CODES:
        return False
    return not any(street in low and code == zip5 for street, code in _PUBLISHED)


def _eu_code_ok(code: str) -> bool:
    """A continental postcode of a real shape: no 0000/12345 templates, two different digits, four-digit
    codes (AT, BE, CH, DK, NO) from 1000, five-digit ones from 00010 (Italy's; Rome's are 001xx)."""
    if code in _SAMPLE_CODES:
        return False
    digits = code.replace("-", "").replace(" ", "")
    if len(set(digits)) < 2:
        return False
    if len(digits) == 4 and "-" not in code:
        return int(digits) >= 1000
    if len(digits) == 5 and "-" not in code and " " not in code:
        return int(digits) >= 10
    return True


def _tail_ok(flat: str, low: str) -> bool:
    """The end of the address is a postcode of a real shape in its place: US state + ZIP, a UK postcode, a
    Dutch 1234 AB or another continental code, each with the town where it goes."""
    split = _SPLIT_AT_LAST_DIGIT.fullmatch(flat)
    if split is None:
        return False
    head, tail = split[1], split[2]
    if not tail:  # ends with a number: US ZIP, Canadian or Australian postcode, Brazilian CEP
        end = head[-20:]
        if us := [m for m in _US_TAIL.finditer(end) if m.end() == len(end)]:
            return _us_ok(us[-1][1], us[-1][2], low)
        if ca := [m for m in _CA_TAIL.finditer(end) if m.end() == len(end)]:
            return ca[-1][2] in _CA_POSTCODE_LETTERS.get(ca[-1][1], "")
        if au := [m for m in _AU_TAIL.finditer(end) if m.end() == len(end)]:
            state, code = au[-1][1], au[-1][2]
            return code[0] in _AU_POSTCODE_DIGITS.get(state, "") and code not in _SAMPLE_CODES
        if br := [m for m in _BR_TAIL.finditer(end) if m.end() == len(end)]:
            state, code = br[-1][1], br[-1][2]
            return code[0] in _BR_CEP_DIGITS.get(state, "") and code not in _SAMPLE_CODES
        return False
    if len(tail) == 2 and tail.isalpha():  # "NW1 6XE": a UK inward code ends it
        uk = _UK_POSTCODE.search(flat[-10:])
        return uk is not None and uk.end() == len(flat[-10:]) and not flat[-10:][: uk.start()][-1:].isalnum()
    nl = _NL_LETTERS.match(tail)
    if nl is not None and head[-5:-4] in (" ", ","):  # "1012 PH Amsterdam"
        code = head[-4:]
        return code.isdigit() and int(code) >= 1000 and nl[1] not in ("SA", "SD", "SS") and code != "1234"
    town = tail.strip(" ,").lower()
    if not town or not town[0].isalpha() or town in _TOWN_WORDS:
        return False
    end = head[-12:]
    code = _EU_CODE_AT_END.search(end)  # the code the town follows
    return code is not None and _eu_code_ok(code[1])


@bounded(200)
def validate_postal_address(value: str, context: str) -> bool:
    """A street line with a house number, then a postcode of its country's shape and a town (the rule's
    pattern gives that order); not a template, not an organisation's published address (licence headers,
    company imprints, universities: the words before it say so)."""
    flat = " ".join(value.split())
    low = flat.lower()
    if next(_SAMPLE_FINDER.iter(low), None) is not None:
        return False
    return _tail_ok(flat, low) and not _organisation_context(context)


# Indian states and union territories -> the first digit of their PIN codes (the postal zones).
_IN_PIN_ZONES: Mapping[str, str] = MappingProxyType({
    "delhi": "1", "new delhi": "1", "haryana": "1", "punjab": "1", "himachal pradesh": "1", "chandigarh": "1",
    "jammu and kashmir": "1", "jammu & kashmir": "1", "ladakh": "1", "uttar pradesh": "2", "uttarakhand": "2",
    "rajasthan": "3", "gujarat": "3", "maharashtra": "4", "madhya pradesh": "4", "chhattisgarh": "4", "goa": "4",
    "andhra pradesh": "5", "telangana": "5", "karnataka": "5", "tamil nadu": "6", "kerala": "6",
    "puducherry": "6", "pondicherry": "6", "west bengal": "7", "odisha": "7", "orissa": "7", "assam": "7",
    "arunachal pradesh": "7", "manipur": "7", "meghalaya": "7", "mizoram": "7", "nagaland": "7", "tripura": "7",
    "sikkim": "7", "bihar": "8", "jharkhand": "8",
})  # fmt: skip
_IN_TAIL = re.compile(r"([A-Za-z][A-Za-z &]*?)\s*[-–,]?\s*([1-9]\d{2}) ?(\d{3})")


@bounded(300)
def validate_postal_address_in(value: str, context: str) -> bool:
    """An Indian address ending in its state and PIN code: the PIN's first digit is the state's postal zone,
    the PIN is no template; not an organisation's (the words before it)."""
    flat = " ".join(value.split())
    end = flat[-40:]
    tails = [m for m in _IN_TAIL.finditer(end) if m.end() == len(end)]  # the state and PIN that end it
    if not tails:
        return False
    m = tails[-1]
    state = next((name for name in _IN_PIN_ZONES if m[1].lower().endswith(name)), None)
    pin = m[2] + m[3]
    if state is None or pin[0] != _IN_PIN_ZONES[state] or len(set(pin)) < 3:
        return False
    low = flat.lower()
    return next(_SAMPLE_FINDER.iter(low), None) is None and not _organisation_context(context)


_JP_PREFECTURES = frozenset({  # the 47 prefectures
    "北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
    "埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県",
    "岐阜県", "静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
    "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県",
    "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
})  # fmt: skip
_JP_PREFECTURE = re.compile(r"(?:〒 ?\d{3}-?\d{4} ?)?(\w{2,3}県|北海道|東京都|京都府|大阪府)")
_CJK_SAMPLES = ("某", "○○", "〇〇", "xx", "XX", "ｘｘ", "△△", "ＸＸ", "홍길동")


@bounded(200)
def validate_postal_address_cjk(value: str, context: str) -> bool:
    """A Japanese, Chinese or Korean address down to the house (the rule's pattern wants the block or
    building number): a real Japanese prefecture where one is named, no template marks (某, ○○, XX), not an
    organisation's (company or university named just before it)."""
    if any(mark in value for mark in _CJK_SAMPLES):
        return False
    jp = _JP_PREFECTURE.match(value)
    if jp is not None and jp[1] not in _JP_PREFECTURES and (value.startswith("〒") or "県" in jp[1]):
        return False
    return not _organisation_context(context)


VALIDATORS: Mapping[str, Validator] = MappingProxyType(
    {
        "passport": validate_passport,
        "passport_mrz": validate_passport_mrz,
        "driving_licence": validate_driving_licence,
        "driving_licence_uk": validate_uk_driving_licence,
        "birth_date": validate_birth_date,
        "postal_address": validate_postal_address,
        "postal_address_in": validate_postal_address_in,
        "postal_address_cjk": validate_postal_address_cjk,
    }
)
