"""Postal addresses (assets/rules/pii_context.toml): a street line, a postcode of the right shape, a town.

A street name is in every novel. What makes an address personal is the whole of it: a street line with a
house number, a postcode of its country's shape and a town, which the rules find; the checks here refuse
what is not real: ZIP codes of another state, postcodes no post office uses, template values (Musterstraße
1, 12345 Musterstadt), and addresses organisations publish (the Free Software Foundation's in every GPL
header, a company's imprint).

Every validator has the signature of engine/validators/text_shape.py (``(value, context) -> bool``, context
lower-cased), is pure, and never raises (``bounded``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

import ahocorasick

from engine.validators.text_shape import Validator, bounded

# The stdlib `re` below only ever sees values already bounded by RE2 patterns and by `bounded`.


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
        "postal_address": validate_postal_address,
        "postal_address_in": validate_postal_address_in,
        "postal_address_cjk": validate_postal_address_cjk,
    }
)
