"""Validators for the secret and personal-data rules (assets/rules/secrets.toml, pii.toml).

A regex only says "this has the shape of a card number / IBAN / API key". On the
text Tierwall sees every day (source code, logs, JSON, hashes, IDs) shape alone
fires far too often: any 16-digit order number looks like a card, any run of
capitals and digits like an IBAN, any `token = tokenizer.encode` like a secret.
So a rule may name a validator here, and the rule engine (engine/rules.py) keeps
a match only if the validator agrees. Checksums do most of the work: Luhn
rejects 9 in 10 random digit runs, IBAN mod-97 rejects 96 in 97, and the rest
use cheap structural checks (issuer prefixes, country lengths, octet ranges,
entropy and placeholder detection).

Every validator has the signature ``(value: str, context: str) -> bool`` where
``value`` is the matched text (group ``v`` of the pattern, else the whole match)
and ``context`` is up to CONTEXT_CHARS characters of text just before it, lower-cased. They
are pure, never raise, and refuse over-long input before doing any work. A few take an argument,
written ``name:argument`` in a rule (``vendor:3.5``). engine/validators.py is the registry that turns
any name a rule may give into the validator and its placeholder check.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
import re
from collections import Counter
from collections.abc import Callable, Mapping
from functools import lru_cache, wraps
from itertools import pairwise
from types import MappingProxyType

import phonenumbers

from engine.public_examples import public_examples

# The inputs here are short matches already bounded by RE2 patterns; the stdlib `re`
# below only ever sees such bounded values, never the whole untrusted text.

MAX_VALUE_LEN = 4096  # longest value any validator looks at
MAX_JWT_LEN = 8192  # JWTs with fat payloads are the one long thing worth decoding
CONTEXT_CHARS = 120  # text before a match a validator sees: enough for the start of a "Copyright: …" line

Validator = Callable[[str, str], bool]


# -- shared helpers ---------------------------------------------------------------------------------------------


def shannon_entropy(s: str) -> float:
    """Shannon entropy of the characters of `s`, in bits per character (0.0 for "")."""
    n = len(s)
    if n == 0:
        return 0.0
    return -sum((c / n) * math.log2(c / n) for c in Counter(s).values())


def char_classes(s: str) -> int:
    """How many of lower case, upper case, digit and other characters occur in `s` (0..4)."""
    lower = upper = digit = other = False
    for ch in s:
        if "a" <= ch <= "z":
            lower = True
        elif "A" <= ch <= "Z":
            upper = True
        elif "0" <= ch <= "9":
            digit = True
        else:
            other = True
    return lower + upper + digit + other


def digits_of(s: str) -> str:
    """The ASCII digits of `s`, in order."""
    return "".join(ch for ch in s if "0" <= ch <= "9")


# Marks of a value written to stand for a real one (documentation, samples, templates to fill in) ...
_EXAMPLE_MARKS = (
    "your_", "your-", "yourapi", "yourkey", "yoursecret", "yourtoken", "yourpass", "_here", "-here",
    "placeholder", "changeme", "change_me", "change-me", "example", "xxxx", "replace_me", "replaceme",
    "replace-me", "insert_", "insert-", "dummy", "not_a_real", "notareal", "not-a-real",
)  # fmt: skip
# ... and of one that is masked, elided or filled in elsewhere (a template variable, a note to self).
_PLACEHOLDER_PARTS = (
    *_EXAMPLE_MARKS, "****", "....", "…", "<", ">", "${", "{{", "}}", "%(", "$(", "redacted", "todo", "fixme",
)  # fmt: skip
_PLACEHOLDER_WORDS = frozenset(
    {
        "none", "null", "nil", "undefined", "true", "false", "string", "str", "required", "optional",
        "empty", "default", "hidden", "masked", "secret", "token", "password", "passwd", "pass", "pwd",
        "apikey", "api_key", "changeme", "admin", "test", "testing", "sample", "value", "my_password",
        "mypassword", "my-password", "secret_key", "access_token", "sekret", "letmein", "qwerty",
        "123456", "1234567", "12345678", "123456789", "1234567890", "password1", "password123",
    }
)  # fmt: skip


def _repeats_short_unit(s: str) -> bool:
    """True for "aaaa…", "abab…", "abcabc…", "0x0000…": one unit of 1-4 characters repeated."""
    n = len(s)
    return any(n >= 2 * k and s == (s[:k] * (n // k + 1))[:n] for k in range(1, 5))


def _mostly_sequential(s: str) -> bool:
    """True for "abcdef…", "123456…", "zyxw…": most neighbours differ by one code point."""
    if len(s) < 6:
        return False
    steps = sum(1 for a, b in pairwise(s) if abs(ord(a) - ord(b)) == 1)
    return steps >= 0.6 * (len(s) - 1)


def is_placeholder(value: str) -> bool:
    """Obvious non-secrets: your_api_key_here, xxxxxxxx, <token>, ${VAR}, changeme, 0000…, abc123…."""
    v = value.strip().strip("\"'`")
    low = v.lower()
    if not v or low in _PLACEHOLDER_WORDS:
        return True
    if any(part in low for part in _PLACEHOLDER_PARTS):
        return True
    body = low[2:] if low.startswith("0x") else low
    if body and set(body) <= {"0"}:
        return True
    if _repeats_short_unit(low) or _mostly_sequential(low):
        return True
    # $VAR / %VAR% / @VAR@ / :param references to something defined elsewhere
    return bool(re.fullmatch(r"(?:\$[A-Za-z_]\w*|%[A-Za-z_]\w*%|@[A-Za-z_]\w*@|:[A-Za-z_]\w*)", v))


_CAMEL_IDENTIFIER = re.compile(r"[a-z]+(?:[A-Z][a-z]+)+|(?:[A-Z][a-z]+){2,}")  # newPassword, DefaultApiKey
_DOTTED_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|::|->)[A-Za-z_$][\w$]*)+(?:\(\)?)?")
_WORDY_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z_$\-]*")
_VOWELS = frozenset("aeiouAEIOU")


def looks_like_code_reference(value: str) -> bool:
    """True for values that name something instead of being a secret.

    `settings.SECRET_KEY`, `process.env.API_KEY`, `GITHUB_TOKEN_VALUE`, `getApiKeyFromEnvironment`,
    `user_password`: dotted paths and word-built identifiers with (almost) no digits. A random token
    of letters only is rare enough that missing it is the better trade.
    """
    v = value.strip().strip("\"'`")
    ndigits = len(digits_of(v))
    if _DOTTED_IDENTIFIER.fullmatch(v) and ndigits <= len(v) // 10:
        return True
    if ndigits == 0 and _WORDY_IDENTIFIER.fullmatch(v):
        if any(sep in v for sep in "_-$") or _CAMEL_IDENTIFIER.fullmatch(v):
            return True
        letters = [ch for ch in v if ch.isalpha()]
        # English-ish words are ~38 % vowels, random letters ~19 %
        return bool(letters) and sum(ch in _VOWELS for ch in letters) / len(letters) >= 0.28
    return False


def bounded(limit: int = MAX_VALUE_LEN) -> Callable[[Validator], Validator]:
    """Make a validator total: wrong types, over-long values and any exception mean False."""

    def wrap(fn: Validator) -> Validator:
        @wraps(fn)
        def safe(value: str, context: str = "") -> bool:
            if not isinstance(value, str) or not isinstance(context, str):
                return False
            if not value or len(value) > limit:
                return False
            try:
                return bool(fn(value, context[-CONTEXT_CHARS:]))
            except Exception:  # a validator must never take the scan down
                return False

        return safe

    return wrap


# -- payment cards ----------------------------------------------------------------------------------------------


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10) checksum of a string of ASCII digits."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


# (first digits as an inclusive range on a prefix of that many digits, allowed lengths)
_CARD_IINS: tuple[tuple[int, int, int, frozenset[int]], ...] = (
    (1, 4, 4, frozenset({13, 16, 19})),  # Visa
    (2, 51, 55, frozenset({16})),  # Mastercard
    (4, 2221, 2720, frozenset({16})),  # Mastercard 2-series
    (2, 34, 34, frozenset({15})),  # American Express
    (2, 37, 37, frozenset({15})),
    (3, 300, 305, frozenset({14, 16, 17, 18, 19})),  # Diners Club
    (2, 36, 36, frozenset({14, 16, 17, 18, 19})),
    (2, 38, 39, frozenset({14, 16, 17, 18, 19})),
    (4, 3528, 3589, frozenset({16, 17, 18, 19})),  # JCB
    (4, 6011, 6011, frozenset({16, 17, 18, 19})),  # Discover
    (3, 644, 649, frozenset({16, 17, 18, 19})),
    (2, 65, 65, frozenset({16, 17, 18, 19})),
    (2, 62, 62, frozenset({16, 17, 18, 19})),  # UnionPay
    (2, 81, 81, frozenset({16, 17, 18, 19})),
    (4, 2200, 2204, frozenset({16, 17, 18, 19})),  # Mir
    (2, 50, 50, frozenset({13, 14, 15, 16, 17, 18, 19})),  # Maestro
    (2, 56, 58, frozenset({13, 14, 15, 16, 17, 18, 19})),
    (2, 67, 67, frozenset({13, 14, 15, 16, 17, 18, 19})),
    (4, 6304, 6304, frozenset({13, 14, 15, 16, 17, 18, 19})),
)


def card_issuer_ok(digits: str) -> bool:
    """Known issuer prefix (IIN) with a length that issuer uses."""
    n = len(digits)
    return any(n in lengths and low <= int(digits[:width]) <= high for width, low, high, lengths in _CARD_IINS)


_CARD_GROUPINGS = ((4, 6, 5), (4, 6, 4))  # Amex, Diners


def _card_grouping_ok(value: str) -> bool:
    """Digits alone, or split by ONE kind of separator the way cards are printed (4-4-4-4, 4-6-5 …)."""
    seps = {ch for ch in value if not ch.isdigit()}
    if not seps:
        return True
    if len(seps) > 1 or not seps <= {" ", "-"}:
        return False
    groups = tuple(len(g) for g in value.split(seps.pop()))
    if any(g == 0 for g in groups):
        return False
    if groups in _CARD_GROUPINGS:
        return True
    return all(g == 4 for g in groups[:-1]) and 1 <= groups[-1] <= 4


def _card_shape_ok(value: str, context: str) -> str | None:
    """The digits of a payment card number (13-19 digits, printed grouping, Luhn checksum, known issuer
    prefix, not a fragment of a longer number), else None."""
    digits = digits_of(value)
    if not 13 <= len(digits) <= 19 or not _card_grouping_ok(value):
        return None
    if preceded_by_number(context):
        return None
    if digits in public_examples().test_cards:  # 4242…: a repeated unit, but a famous one, worth a note
        return digits
    if _repeats_short_unit(digits) or _mostly_sequential(digits):
        return None
    return digits if luhn_ok(digits) and card_issuer_ok(digits) else None


@bounded(64)
def validate_luhn(value: str, context: str) -> bool:
    """A payment card number that is not one of the published test numbers."""
    digits = _card_shape_ok(value, context)
    return digits is not None and digits not in public_examples().test_cards


@bounded(64)
def _test_card(value: str, context: str) -> bool:
    return _card_shape_ok(value, context) in public_examples().test_cards


# -- IBAN -------------------------------------------------------------------------------------------------------

IBAN_LENGTHS: Mapping[str, int] = MappingProxyType(
    {
        "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BR": 29,
        "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
        "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
        "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
        "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
        "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29,
        "RO": 24, "RS": 22, "SA": 24, "SC": 31, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
        "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    }
)  # fmt: skip


def iban_mod97(iban: str) -> int:
    """ISO 13616 remainder: move the first four characters to the end, letters to 10..35, mod 97."""
    rearranged = iban[4:] + iban[:4]
    remainder = 0
    for ch in rearranged:
        if "0" <= ch <= "9":
            remainder = (remainder * 10 + ord(ch) - 48) % 97
        elif "A" <= ch <= "Z":
            remainder = (remainder * 100 + ord(ch) - 55) % 97
        else:
            return -1
    return remainder


@bounded(64)
def validate_iban(value: str, context: str) -> bool:
    """An IBAN: known country, that country's length, check digits, mod-97 == 1 (spaces allowed)."""
    iban = value.replace(" ", "").upper()
    if not iban.isascii() or not iban.isalnum():
        return False
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected is None or len(iban) != expected or not iban[2:4].isdigit():
        return False
    if iban[2:4] in ("00", "01", "99"):
        return False
    return iban_mod97(iban) == 1 and iban not in public_examples().sample_ibans


@bounded(64)
def _sample_iban(value: str, context: str) -> bool:
    iban = value.replace(" ", "").upper()
    return iban in public_examples().sample_ibans and iban_mod97(iban) == 1


# -- US social security number ---------------------------------------------------------------------------------



@bounded(32)
def validate_ssn(value: str, context: str) -> bool:
    """AAA-GG-SSSS: area not 000/666/9xx, group not 00, serial not 0000, not a famous sample."""
    digits = digits_of(value)
    if len(digits) != 9 or len(value) != 11:
        return False
    if value[3] != value[6] or value[3] not in "- ":
        return False
    if preceded_by_number(context):
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return digits not in public_examples().ssns_never_issued and len(set(digits)) > 1


_SSN_NAMED = re.compile(r"(?:\bssn|social\s+security(?:\s+(?:number|no\.?|#))?)\s*(?:number|no\.?|#)?\s*[:=#]?\s*$")


@bounded(32)
def validate_ssn_named(value: str, context: str) -> bool:
    """Nine digits right after "SSN" / "social security number": the dashed form's rules, written solid."""
    if len(value) != 9 or not value.isdigit() or not _SSN_NAMED.search(context):
        return False
    return validate_ssn(f"{value[:3]}-{value[3:5]}-{value[5:]}", "")


@bounded(32)
def _sample_ssn(value: str, context: str) -> bool:
    """078-05-1120 (printed in wallets sold in 1938) and the other famous samples: seen, owned by no one."""
    digits = digits_of(value)
    dashed = len(value) == 11 and value[3] == value[6] and value[3] in "- "
    return dashed and digits in public_examples().ssns_never_issued


def preceded_by_number(context: str, *, across_gap: bool = True) -> bool:
    """True if the match continues a number: "1.2." + match, or ("1234 " + match) when across_gap."""
    if not context:
        return False
    last = context[-1]
    if last.isdigit() or last == "_" or (last == "." and context[-2:-1].isdigit()):  # "tel." + match: a label
        return True
    if across_gap and last in " -/" and len(context) >= 2 and context[-2].isalnum():
        return context[-2].isdigit()
    return False


# -- IP addresses -----------------------------------------------------------------------------------------------

_VERSION_WORDS = re.compile(
    r"(?:^|[^a-z])(?:v|ver|version|versions|release|rel|build|rev|revision|firmware|fw|sdk|section|sec|"
    r"chapter|step|oid|mib|tag|patch|update|kb|§)[\s:=#(\[\"']*$"
)
_VERSION_OPERATORS = ("==", "~=", ">=", "<=", "!=", "^", "~")
_NETMASK_OCTETS = frozenset({0, 128, 192, 224, 240, 248, 252, 254, 255})
_IPV4_DOC_NETS = tuple(ipaddress.ip_network(n) for n in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"))
_IPV6_DOC_NET = ipaddress.ip_network("2001:db8::/32")


def _version_context(context: str) -> bool:
    ctx = context.rstrip()
    return bool(_VERSION_WORDS.search(ctx)) or ctx.endswith(_VERSION_OPERATORS)


@bounded(64)
def validate_ipv4(value: str, context: str) -> bool:
    """Dotted quad with octets 0..255 (no leading zeros) that is not a version, mask, loopback or doc address."""
    parts = value.split(".")
    if len(parts) != 4 or not all(p.isascii() and p.isdigit() and len(p) <= 3 for p in parts):
        return False
    if any(len(p) > 1 and p[0] == "0" for p in parts):
        return False
    octets = [int(p) for p in parts]
    if any(o > 255 for o in octets):
        return False
    if preceded_by_number(context, across_gap=False) or _version_context(context):
        return False
    if context.endswith(":") and context[-2:-1].isdigit():  # Debian epoch: 8:6.9.11.60+dfsg
        return False
    addr = ipaddress.IPv4Address(value)
    if addr.is_unspecified or addr.is_loopback or addr == ipaddress.IPv4Address("255.255.255.255"):
        return False
    if octets[0] == 255 and all(o in _NETMASK_OCTETS for o in octets):
        return False
    return not any(addr in net for net in _IPV4_DOC_NETS)


_HEX_GROUP = re.compile(r"[0-9A-Fa-f]{1,4}")


@bounded(80)
def validate_ipv6(value: str, context: str) -> bool:
    """An IPv6 address the stdlib accepts, that looks like one (not "::", "1::2", "Foo::Bar", 12:30:45)."""
    text = value.split("%", 1)[0]
    if text.count(":") < 2 or ":::" in text or text.endswith("::"):  # "fec0::" is a prefix, not a host
        return False
    if context.endswith((":", ".")) or context[-1:].isalnum():
        return False
    addr = ipaddress.IPv6Address(text)  # raises on anything malformed -> False
    groups = _HEX_GROUP.findall(text.rsplit(":", 1)[0] if "." in text else text)
    if not any(ch.isdigit() for ch in text):  # "Abc::Def", "cafe::beef": code, not addresses
        return False
    if max((len(g) for g in groups), default=0) < 3 and len(groups) < 4:  # "1::2", "10::20"
        return False
    if addr.is_unspecified or addr.is_loopback or addr in _IPV6_DOC_NET:
        return False
    return not (addr.ipv4_mapped is not None and not validate_ipv4(str(addr.ipv4_mapped), ""))


# -- phone numbers ----------------------------------------------------------------------------------------------

# Regions whose numbering plan is tried for a national number (no +country code) found after a phone cue
# word: where Tierwall's users and the languages its cue words cover live. libphonenumber's metadata for a
# region loads on first use.
_CUED_REGIONS = ("US", "GB", "DE", "FR", "ES", "IT", "NL", "BE", "AT", "CH", "PL", "PT", "SE", "IE", "IN", "BR",
                 "MX", "JP", "KR", "CN", "RU", "UA", "TR", "AU", "CA")  # fmt: skip
_DATE_SHAPE = re.compile(r"(?:0?[1-9]|[12][0-9]|3[01])[-./](?:0?[1-9]|1[0-2])[-./](?:19|20)[0-9]{2}")


# A word that says a phone number follows, in the languages Tierwall's users write (the rule pii.phone_cued
# has the same words as keywords); the end of the context is checked, so "Tel.+33…" and "call07911…" count.
_PHONE_CUE_END = re.compile(
    r"(?:tel|phone|mobile|mob|cell|handy|fax|call|whatsapp|telefon|telephone|téléphone|tél|portable|teléfono"
    r"|telefono|telefone|celular|móvil|movil|cellulare|telefoonnummer|komórka|電話|电话|手机|携帯|전화|휴대폰"
    r"|телефон|тел|llámame|llamar|appelle|appelez|anrufen|ruf\s+mich|chiamami|chiama|ligue|ligar|zadzwoń|bel\s+me"
    r"|ring\s+me|text\s+me)[^0-9+\n]{0,20}$"
)


@lru_cache(maxsize=512)
def _parsed(text: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """libphonenumber's reading of a number in a region's plan (None: the plan of its +country code), or None.
    Cached: a candidate is read by the validity check and the fiction check alike (callers only read it)."""
    try:
        return phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None


def _international_ok(value: str) -> bool:
    """libphonenumber says the +CC number exists in its country's numbering plan (length and prefixes)."""
    digits = digits_of(value)
    if value.startswith("00"):
        digits = digits[2:]
    number = _parsed("+" + digits, None)
    return number is not None and phonenumbers.is_valid_number(number)


def _national_ok(digits: str) -> bool:
    """Valid in the numbering plan of one of the regions a national number is tried in."""
    return any(
        (number := _parsed(digits, region)) is not None and phonenumbers.is_valid_number(number)
        for region in _CUED_REGIONS
    )


def _counting(value: str, digits: str, *, sequential: bool = True) -> bool:
    """01 02 03 04 05, 10-20-30-40, 1111111 (and 123456789 unless sequential=False: libphonenumber
    accepting a +country code outweighs a run of digits): counting or filler, not dialling."""
    if len(set(digits)) < 3 or (sequential and _mostly_sequential(digits)):
        return True
    groups = [g for g in re.split(r"[ .\-/()]+", value.lstrip("+")) if g]
    if len(groups) >= 4 and all(g.isdigit() for g in groups):
        nums = [int(g) for g in groups]
        steps = {b - a for a, b in pairwise(nums)}
        if len(steps) == 1:
            return True
    return False


def _fictional(number: phonenumbers.PhoneNumber) -> bool:
    nsn = str(number.national_number)
    if number.country_code == 1:
        return len(nsn) == 10 and nsn[3:6] == "555" and nsn[6:8] == "01"
    ranges = public_examples().fictional_phone_ranges
    return any(number.country_code == cc and nsn.startswith(prefix) for cc, prefix in ranges)


def is_fictional_phone(value: str) -> bool:
    """A number from a range kept for films and documentation (555-0100..0199, 020 7946 0xxx, 07700 900xxx …):
    nobody's number, worth a note and not a warning."""
    digits = digits_of(value)
    if value.startswith("00"):
        value, digits = "+" + value[2:], digits[2:]
    if not 7 <= len(digits) <= 15:
        return False
    regions = (None,) if value.startswith("+") else ("US", "GB", "AU", "FR")
    for region in regions:
        number = _parsed(value if region else "+" + digits, region)
        if number is not None and _fictional(number):
            return True
    return False


@bounded(40)
def _fictional_phone_note(value: str, context: str) -> bool:
    return is_fictional_phone(value)


@bounded(40)
def validate_phone(value: str, context: str) -> bool:
    """A number in international form that libphonenumber knows (8-15 digits), or a national one of 9-12
    digits in the shapes the rule allows; consistent separators, not a list of numbers."""
    digits = digits_of(value)
    international = value.startswith(("+", "00"))
    if international:
        if not 8 <= len(digits) - (2 if value.startswith("00") else 0) <= 15:
            return False
    elif not 9 <= len(digits) <= 12:
        return False
    if value.count("(") != value.count(")"):
        return False
    if preceded_by_number(context):
        return False
    if international and context[-1:].isalnum() and not _PHONE_CUE_END.search(context):
        return False  # a+12345678: arithmetic, not a number to dial
    seps = {ch for ch in value if ch in " .-/"}
    if "." in seps and len(seps) > 1:  # "555.123-4567": mixing dots with others is not how numbers are written
        return False
    if _counting(value, digits, sequential=not international) or is_fictional_phone(value):
        return False
    return _international_ok(value) if international else True


@bounded(40)
def validate_phone_cued(value: str, context: str) -> bool:
    """A digit run after a phone cue word: valid in libphonenumber's plan for its +country code, or for a
    national number in one of the regions tried; not a date, not a count."""
    if not _PHONE_CUE_END.search(context):
        return False
    digits = digits_of(value)
    if value.startswith("00"):
        value, digits = "+" + value[2:], digits[2:]
    if not 7 <= len(digits) <= 15 or value.count("(") != value.count(")"):
        return False
    if _DATE_SHAPE.fullmatch(value) or _counting(value, digits, sequential=not value.startswith("+")):
        return False
    if is_fictional_phone(value):
        return False
    if value.startswith("+"):
        return _international_ok(value)
    return _national_ok(digits)


# -- e-mail -----------------------------------------------------------------------------------------------------

_RESERVED_DOMAINS = ("example.com", "example.net", "example.org", "localhost")
# Local parts that name no one: the sample address of documentation and test code (example@vendor.com).
_PLACEHOLDER_LOCALS = frozenset(
    {"example", "sample", "test", "foo", "bar", "foobar", "someone", "somebody", "username", "yourname",
     "your.name", "your-name", "your_name", "youremail", "your.email", "your-email", "your_email", "email"}
)  # fmt: skip
_RESERVED_TLDS = ("example", "test", "invalid", "localhost", "local", "internal")
_FILE_TLDS = frozenset(
    {"png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "css", "js", "mjs", "ts", "tsx", "jsx", "map",
     "json", "lock", "yml", "yaml", "toml", "txt", "html", "xml", "csv", "log", "tar", "zip", "gz", "whl", "exe"}
)  # fmt: skip


@bounded(320)
def validate_email(value: str, context: str) -> bool:
    """An address someone reads mail at: not a reserved/test domain, a sample address (example@…), an asset
    name (icon@2x.png), git@host, or a credit line's published address."""
    local, _, domain = value.rpartition("@")
    if not local or not domain or len(local) > 64 or len(domain) > 253:
        return False
    domain = domain.lower()
    labels = domain.split(".")
    if any(not 1 <= len(label) <= 63 for label in labels):
        return False
    if labels[-1] in _FILE_TLDS or labels[-1] in _RESERVED_TLDS:
        return False
    if domain in _RESERVED_DOMAINS or any(domain.endswith("." + d) for d in _RESERVED_DOMAINS):
        return False
    if re.fullmatch(r"\d+(?:\.\d+)?x", labels[0]):  # logo@2x.png, icon@1.5x.webp
        return False
    if any(label in ("domain", "yourdomain", "mydomain", "yourcompany") for label in labels[:-1]):
        return False  # user@domain.com, me@host.domain.name: documentation placeholders
    if local.lower() in _PLACEHOLDER_LOCALS or local.lower() == "git":  # a sample address, or git@host
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    if is_attribution(context):
        return False
    return not context.endswith(("://", "/"))  # a path or URL segment such as /users/@me


# A line that credits a person: the address in it was published with the work, not leaked from a mailbox.
_CREDIT_CUE = re.compile(
    r"copyright|©|author|maintainer|contributor"
    r"|(?:written|maintained|debianized|packaged|contributed|created|developed) by"
    r"|(?:signed-off|co-authored|reviewed|acked|tested|reported|suggested)-by"
)
# A continuation line of a copyright list: "  2003-2015, Jane Doe <" (a year or range, a name, an open bracket).
_CREDIT_LIST_LINE = re.compile(
    r"\s*(?:(?:19|20)\d\d(?:\s*[-–,]\s*(?:19|20)?\d\d)*,?|\?{4})\s+[^<>@\[\]()\n]{2,60}[<\[(]"
)


def is_attribution(context: str) -> bool:
    """The address ends a credit line (Copyright, Author, Signed-off-by, a copyright list's "2003, Name <")."""
    line = context.rpartition("\n")[2]
    return bool(_CREDIT_CUE.search(line) or _CREDIT_LIST_LINE.fullmatch(line))


# -- secrets ----------------------------------------------------------------------------------------------------


# Values a dedicated rule in secrets.toml reports under a precise label; the generic rule leaves them alone
# so one token yields one finding (and the redaction names the vendor).
DEDICATED_PREFIXES = (
    "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "gldt-", "glrt-", "glptt-", "xoxa-", "xoxb-",
    "xoxe-", "xoxp-", "xoxr-", "xoxs-", "AKIA", "ASIA", "AIza", "sk_live_", "sk_test_", "rk_live_", "rk_test_",
    "pk_live_", "sk-", "hf_", "npm_", "SG.", "eyJ", "-----BEGIN",
)  # fmt: skip


def _alphabet_size(s: str) -> int:
    """Size of the alphabet `s` was most likely drawn from: 16 for hex, 36 for one case + digits, …."""
    if all(ch in "0123456789abcdef" for ch in s) or all(ch in "0123456789ABCDEF" for ch in s):
        return 16
    lower = any("a" <= ch <= "z" for ch in s)
    upper = any("A" <= ch <= "Z" for ch in s)
    other = any(not ch.isascii() or not ch.isalnum() for ch in s)
    return 10 + 26 * (lower + upper) + 8 * other


def entropy_threshold(s: str) -> float:
    """Bits per character a random draw like `s` comfortably exceeds: 0.7 of the most it could have.

    A random string of length n over an alphabet of size k has at most log2(min(n, k)) bits per
    character; real draws sit close to it (hex of 32: ~3.6 of 4), hand-made values well below.
    """
    return 0.7 * math.log2(max(2, min(len(s), _alphabet_size(s))))


@bounded()
def validate_entropy(value: str, context: str) -> bool:
    """A generic secret: long, random-looking (entropy, mixed classes) and not a placeholder or code reference."""
    v = value.strip().strip("\"'`")
    if len(v) < 12:
        return False
    if v.startswith(DEDICATED_PREFIXES) or is_placeholder(v) or looks_like_code_reference(v):
        return False
    if "://" in v or v.startswith(("/", "./", "../", "~/", "\\", "-")):
        return False
    if "/" in v and not any("A" <= ch <= "Z" for ch in v):  # a path (projects/x/secrets/y), not base64
        return False
    if char_classes(v) < 2 or len(set(v)) < 8:
        return False
    return shannon_entropy(v) >= entropy_threshold(v)


@bounded(512)
def validate_password(value: str, context: str) -> bool:
    """A password assignment: at least 6 characters, not a placeholder, mask or reference to a variable."""
    v = value.strip().strip("\"'`")
    if len(v) < 6:
        return False
    if is_placeholder(v) or looks_like_code_reference(v):
        return False
    if v[0] in "=<>$%{&|" or v.endswith(":"):  # comparisons, templates, YAML keys
        return False
    if re.fullmatch(r"!{1,2}[a-z_]+", v):  # YAML tags such as !vault, !!str
        return False
    return len(set(v)) >= 3


@bounded(256)
def validate_password_said(value: str, context: str) -> bool:
    """A password found by its surroundings, not by an assignment (netrc's `password X`, `<password>`,
    `mysql -pX`, "the password is X"): as validate_password, and not a plain word (letters and digits or
    symbols mixed), since prose says "the password manager" and "password is required"."""
    v = value.strip().strip("\"'`").rstrip(".,;:!?)")  # "the password database." ends a sentence
    if len(v) < 6 or len(set(v)) < 5 or is_placeholder(v) or v[0] in "=<>$%{&|" or v.endswith(":"):
        return False
    return char_classes(v) >= 2 and not v.isalpha() and shannon_entropy(v) >= 2.5


def _token_body(value: str) -> str:
    """The random part of a vendor token: what follows its prefix (ghp_, xoxb-, sk_live_ …)."""
    body = re.sub(r"^(?:[A-Za-z]{2,10}[_\-]){1,2}", "", value) if not value.startswith("http") else value
    return body if len(body) >= 8 else value


def _token_placeholder(value: str) -> bool:
    """A vendor-shaped token that is a placeholder: AKIAIOSFODNN7EXAMPLE, ghp_xxxx…, sk-your-key-here."""
    return is_placeholder(value) or is_placeholder(_token_body(value))


@bounded()
def validate_token(value: str, context: str) -> bool:
    """A token with a vendor prefix (ghp_, xoxb-, AKIA, AIza …): the random part is not a placeholder."""
    if _token_placeholder(value):
        return False
    body = _token_body(value)
    if len(set(body)) < 6:
        return False
    if body.isascii() and body.isalpha() and body.isupper() and len(body) >= 16:  # AKIA + 16 capitals: 1 in 30
        return shannon_entropy(body) >= 3.0 and not _mostly_sequential(body)
    return char_classes(body) >= 2 and shannon_entropy(body) >= 2.5


@bounded()
def validate_openai_key(value: str, context: str) -> bool:
    """An OpenAI-style sk-… key (not an Anthropic sk-ant- one): random part mixes upper, lower and digits."""
    if value.startswith("sk-ant-") or not validate_token(value, context):
        return False
    body = value.split("-", 1)[1]
    for prefix in ("proj-", "svcacct-", "admin-", "None-"):
        body = body.removeprefix(prefix)
    return char_classes(body.replace("-", "").replace("_", "")) >= 3


def _b64url_json(part: str) -> object:
    raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    return json.loads(raw.decode("utf-8"))


@bounded(MAX_JWT_LEN)
def validate_jwt(value: str, context: str) -> bool:
    """A JSON Web Token: header and payload decode to JSON objects and the header names an algorithm or type."""
    parts = value.split(".")
    if len(parts) < 3:
        return False
    try:
        header = _b64url_json(parts[0])
        payload = _b64url_json(parts[1])
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return False
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return False
    return "alg" in header or "typ" in header or "enc" in header


@bounded()
def validate_url_credentials(value: str, context: str) -> bool:
    """The `user:password` of scheme://user:password@host: password present, not a placeholder or the user name."""
    user, sep, password = value.partition(":")
    if not sep or not password:
        return False
    if is_placeholder(password) or password.lower() in ("pass", "pw", "secret", "guest", "user", "root"):
        return False
    return password != user and not password.startswith(("$", "%", "{"))


def is_example_value(value: str) -> bool:
    """A value marked as standing for a real one: your_api_key_here, changeme, <YOUR-TOKEN>, xxxx, …EXAMPLE.

    Narrower than is_placeholder: `None`, `${VAR}`, `****` or `settings.KEY` are left unsaid, since code and
    configuration are full of them and nothing about them is worth a note.
    """
    low = value.strip().strip("\"'`").lower()
    return any(mark in low for mark in _EXAMPLE_MARKS)


@bounded()
def _token_example(value: str, context: str) -> bool:
    return _token_placeholder(value)


@bounded()
def _assigned_example(value: str, context: str) -> bool:
    return is_example_value(value)


@bounded()
def _generic_example(value: str, context: str) -> bool:
    """As validate_entropy, leave a vendor-prefixed value to its own rule, which says it once."""
    return not value.strip().strip("\"'`").startswith(DEDICATED_PREFIXES) and is_example_value(value)


@bounded()
def _url_password_example(value: str, context: str) -> bool:
    return is_example_value(value.partition(":")[2])


# Per validator: did it drop this value as a placeholder or documented example that is worth saying so?
# A published test card, sample IBAN or sample SSN counts whenever the shape checks pass; a vendor-shaped
# token (its pattern already demands the vendor's format) whenever its validator calls it a placeholder; a
# value assigned to a key-like name only when it carries an example mark.
PLACEHOLDER_CHECKS: Mapping[str, Validator] = MappingProxyType(
    {
        "token": _token_example,
        "openai_key": _token_example,
        "entropy": _generic_example,
        "password": _assigned_example,
        "url_credentials": _url_password_example,
        "luhn": _test_card,
        "iban": _sample_iban,
        "ssn": _sample_ssn,
        "phone": _fictional_phone_note,
        "phone_cued": _fictional_phone_note,
    }
)


VALIDATORS: Mapping[str, Validator] = MappingProxyType(
    {
        "luhn": validate_luhn,
        "iban": validate_iban,
        "ssn": validate_ssn,
        "ssn_named": validate_ssn_named,
        "ipv4": validate_ipv4,
        "ipv6": validate_ipv6,
        "phone": validate_phone,
        "phone_cued": validate_phone_cued,
        "email": validate_email,
        "entropy": validate_entropy,
        "password": validate_password,
        "password_said": validate_password_said,
        "token": validate_token,
        "openai_key": validate_openai_key,
        "jwt": validate_jwt,
        "url_credentials": validate_url_credentials,
    }
)


# -- vendor key formats (assets/rules/vendor_secrets.toml, converted from gitleaks) ---------------------------

_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]+")
_LETTER_HEAD = re.compile(r"[A-Za-z]{1,12}")


def is_vendor_placeholder(value: str) -> bool:
    """A vendor-shaped value that stands for a real one: dop_v1_xxxx…, dapi0000…, 0000…-us00, an example mark.

    Looks at the whole value, then at its longest run of letters and digits (the random part of most
    formats), with and without a letters-only head (dapi, SK). gitleaks' global allowlist (true/false/null,
    one character repeated, $VAR, ${VAR}, {{ … }}, ${{ … }}, %VAR%, @VAR@) is covered by is_placeholder;
    its path patterns mean nothing for pasted text.
    """
    v = value.strip().strip("\"'`")
    if _token_placeholder(v):
        return True
    longest = max(_NOT_ALNUM.split(v), key=len)
    if len(longest) < 8:
        return False
    if longest != v and is_placeholder(longest):
        return True
    head = _LETTER_HEAD.match(longest)
    rest = longest[head.end() :] if head else longest
    return len(rest) >= 8 and rest != longest and is_placeholder(rest)


@lru_cache(maxsize=64)
def _vendor_validators(arg: str | None) -> tuple[Validator, Validator]:
    """`vendor[:<entropy>[:digit]]`: not a placeholder, Shannon entropy (bits per character) of the value at
    least <entropy> (gitleaks' per-rule `entropy`), and with `digit` at least one digit in it (gitleaks'
    allowlist of letters-only values, for rules that have one)."""
    threshold, need_digit = 0.0, False
    if arg:
        number, _, option = arg.partition(":")
        if number:
            threshold = float(number)  # ValueError names a bad argument
            if not 0.0 <= threshold <= 8.0 or math.isnan(threshold):
                raise ValueError(f"entropy threshold {threshold} outside 0..8")
        if option not in ("", "digit"):
            raise ValueError(f"unknown option {option!r}")
        need_digit = option == "digit"

    @bounded()
    def validate_vendor(value: str, context: str) -> bool:
        if is_vendor_placeholder(value):
            return False
        if need_digit and not any("0" <= ch <= "9" for ch in value):
            return False
        return shannon_entropy(value) >= threshold

    @bounded()
    def vendor_example(value: str, context: str) -> bool:
        return is_vendor_placeholder(value)

    return validate_vendor, vendor_example


# Validators that take an argument, written "name:argument" in a rule (validate = "vendor:3.5"): the name
# maps to a factory from the argument (None when absent) to the validator and its placeholder check.
PARAMETRIC_VALIDATORS: Mapping[str, Callable[[str | None], tuple[Validator, Validator | None]]] = MappingProxyType(
    {"vendor": _vendor_validators}
)
