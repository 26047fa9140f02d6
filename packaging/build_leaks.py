"""Build data/leaks/test.csv: secrets and personal data to find, code and prose to leave alone.

    .venv/bin/python packaging/build_leaks.py [--out DIR] [--limit N] [--no-negatives] [--quiet]

Three kinds of row (the `kind` column):

- secret: a credential of one vendor family (`type` = github, stripe, slack, aws, ...; `family` = the
  format variant, e.g. github/fine_grained_pat) or of a generic kind (private_key, jwt,
  connection_string, generic_api_key, bearer_token), embedded in a carrier: an .env line, YAML, JSON,
  TOML, a curl command, Python/JS/Go code, a Dockerfile, a CI workflow, a log line, a chat message, an
  e-mail, a support ticket.
- pii: a personal-data value (`type` = email, phone, credit_card, iban, us_ssn, uk_nino, de_steuer_id,
  fr_nir, it_codice_fiscale, es_dni, ...; `country` = ISO 3166 code; `family` = type/country) in a
  carrier in the language of its country: forms, chat messages, e-mails, tickets, JSON records.
- negative: code (`type` = code) or prose (`type` = prose) that holds neither; `family` names the source.

`value` is the exact substring a detector must find. Every value was generated here: vendor key formats
were written from the vendors' public documentation (prefix, length, alphabet), random parts come from a
seeded generator, and personal-data values carry valid check digits computed by the helpers below
(Luhn, ISO 13616 mod 97, Verhoeff, ISO 7064 mod 11,10 and mod 11-2, mod 11 and mod 23 schemes). Phone
numbers are checked with `phonenumbers.is_valid_number`. Nothing comes from a source listed in
../shared/eval/RESERVED.md, and the rules under assets/rules/ were not read to write this file.

Negatives are chunks (about 300 to 1,500 characters) of real text read from where it lies on this
machine: the CPython 3.11 standard library, pure-Python packages of the project's venv, npm's
JavaScript and its documentation (all as installed), and public-domain books and Wikipedia sentences
from a fetched snapshot of github:OneDeadKey/kalamine-corpus. data/leaks/README.md lists every source
with its licence. Chunks that hold an e-mail address or a private-key block are dropped, as are test
directories.

Deterministic: every family draws from its own generator seeded from its name (zlib.crc32), file lists
are sorted, so two runs give byte-identical files.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import re
import subprocess
import sys
import tarfile
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from random import Random

import phonenumbers

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "leaks"
SEED = 20260311
COLUMNS = ("text", "kind", "type", "country", "family", "value")
GENERIC_SECRET_TYPES = ("private_key", "jwt", "connection_string", "generic_api_key", "bearer_token")

SECRETS_PER_FAMILY = 8
SECRETS_PER_GENERIC = 25
PII_PER_TYPE = 26
PHONES_PER_COUNTRY = 5
EMAILS = 40
CODE_CHUNKS = 1100
PROSE_CHUNKS = 1100


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    kind: str  # secret | pii | negative
    type: str  # vendor family, generic secret kind, personal-data type, or code / prose
    country: str  # ISO 3166-1 alpha-2 for pii, "" otherwise
    family: str  # format variant (secret), type/country (pii), source (negative)
    value: str  # the exact substring to find ("" for negatives)


def rng_for(name: str) -> Random:
    """A generator of its own per family: adding a family never changes another's rows."""
    return Random(SEED * 1_000_003 + zlib.crc32(name.encode("utf-8")))


# ---------------------------------------------------------------------------------------------------
# random strings

DIGITS = "0123456789"
HEX = "0123456789abcdef"
HEXU = "0123456789ABCDEF"
LOWER = "abcdefghijklmnopqrstuvwxyz"
UPPER = LOWER.upper()
ALPHA = UPPER + LOWER
ALNUM = UPPER + LOWER + DIGITS
LOWER_ALNUM = LOWER + DIGITS
UPPER_ALNUM = UPPER + DIGITS
B64URL = ALNUM + "-_"
B64 = ALNUM + "+/"
BASE32 = UPPER + "234567"
BECH32 = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"
# substrings a random part must not contain: they would make a value look like a placeholder or an example
BANNED = ("example", "xxxx", "test", "dummy", "sample", "fake", "your", "0000", "1234", "abcd", "aaaa",
          "placeholder", "redacted", "secret", "token", "changeme", "foo", "bar", "demo", "sk_test")  # fmt: skip


def rand(rng: Random, alphabet: str, n: int) -> str:
    """n random characters of `alphabet`, never containing a placeholder-looking run."""
    while True:
        s = "".join(rng.choice(alphabet) for _ in range(n))
        low = s.lower()
        if not any(b in low for b in BANNED):
            return s


def digits(rng: Random, n: int) -> str:
    return rand(rng, DIGITS, n)


def b64url_nopad(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def rand_bytes(rng: Random, n: int) -> bytes:
    return bytes(rng.randrange(256) for _ in range(n))


def rand_uuid(rng: Random) -> str:
    while True:
        u = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if not any(b in u for b in BANNED):
            return u


# ---------------------------------------------------------------------------------------------------
# check digits (each tested against published valid examples in tests/test_leaks_data.py)


def luhn_check_digit(payload: str) -> str:
    """The Luhn digit that makes payload + digit valid (cards, Canadian SIN, Swedish personnummer)."""
    total = 0
    for i, ch in enumerate(reversed(payload)):
        d = int(ch)
        if i % 2 == 0:  # these get doubled once the check digit is appended
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def luhn_valid(number: str) -> bool:
    return len(number) > 1 and luhn_check_digit(number[:-1]) == number[-1]


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616: the two digits after the country code (mod 97 of BBAN + country + 00 == 1 after fixing)."""
    moved = bban + country + "00"
    numeric = "".join(str(int(c, 36)) for c in moved)
    return f"{98 - int(numeric) % 97:02d}"


def iban_valid(iban: str) -> bool:
    s = iban.replace(" ", "")
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 0, 6, 7, 8, 9, 5), (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7), (4, 0, 1, 2, 3, 9, 5, 6, 7, 8), (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2), (7, 6, 5, 9, 8, 2, 1, 0, 4, 3), (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)  # fmt: skip
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9), (1, 5, 7, 6, 2, 8, 3, 0, 9, 4), (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7), (9, 4, 5, 3, 1, 2, 6, 8, 7, 0), (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5), (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)  # fmt: skip
_VERHOEFF_INV = (0, 4, 3, 2, 1, 5, 6, 7, 8, 9)


def verhoeff_check_digit(payload: str) -> str:
    """Verhoeff's dihedral check digit (Aadhaar)."""
    c = 0
    for i, ch in enumerate(reversed(payload)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[(i + 1) % 8][int(ch)]]
    return str(_VERHOEFF_INV[c])


def verhoeff_valid(number: str) -> bool:
    c = 0
    for i, ch in enumerate(reversed(number)):
        c = _VERHOEFF_D[c][_VERHOEFF_P[i % 8][int(ch)]]
    return c == 0


def steuer_id_check_digit(payload: str) -> str:
    """German Steuer-ID: ISO 7064 MOD 11,10 over the first ten digits."""
    product = 10
    for ch in payload:
        s = (int(ch) + product) % 10
        if s == 0:
            s = 10
        product = (s * 2) % 11
    check = 11 - product
    return "0" if check == 10 else str(check)


def nir_key(payload: str) -> str:
    """French NIR (numéro de sécurité sociale): 97 - (13 digits mod 97), two digits."""
    return f"{97 - int(payload) % 97:02d}"


def cpf_check_digits(payload: str) -> str:
    """Brazilian CPF: two mod-11 digits over the first nine."""
    out = payload
    for weight_start in (10, 11):
        total = sum(int(d) * w for d, w in zip(out, range(weight_start, 1, -1), strict=True))
        r = (total * 10) % 11
        out += "0" if r == 10 else str(r)
    return out[-2:]


def bsn_check_digit(payload: str) -> str | None:
    """Dutch BSN: 9*d1 + 8*d2 + ... + 2*d8 - d9 must be 0 mod 11; None when no digit fits."""
    total = sum(int(d) * w for d, w in zip(payload, range(9, 1, -1), strict=False))
    r = total % 11
    return None if r == 10 else str(r)


def bsn_valid(number: str) -> bool:
    weighted = sum(int(d) * w for d, w in zip(number, range(9, 1, -1), strict=False))
    return len(number) == 9 and (weighted - int(number[8])) % 11 == 0


_CF_ODD_VALUES = (
    1,
    0,
    5,
    7,
    9,
    13,
    15,
    17,
    19,
    21,  # 0-9
    1,
    0,
    5,
    7,
    9,
    13,
    15,
    17,
    19,
    21,
    2,
    4,
    18,
    20,
    11,
    3,
    6,
    8,
    12,
    14,
    16,
    10,
    22,
    25,
    24,
    23,
)  # A-Z
_CF_ODD = dict(zip(DIGITS + UPPER, _CF_ODD_VALUES, strict=True))


def codice_fiscale_check_char(payload: str) -> str:
    """Italian codice fiscale: the 16th character from the odd/even tables over the first fifteen."""
    total = 0
    for i, ch in enumerate(payload):
        if i % 2 == 0:  # 1st, 3rd, ... (odd positions counting from one)
            total += _CF_ODD[ch]
        else:
            total += int(ch) if ch.isdigit() else ord(ch) - 65
    return chr(65 + total % 26)


DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def dni_letter(number: int) -> str:
    """Spanish DNI/NIE control letter: number mod 23."""
    return DNI_LETTERS[number % 23]


def pesel_check_digit(payload: str) -> str:
    weights = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)
    return str((10 - sum(int(d) * w for d, w in zip(payload, weights, strict=False)) % 10) % 10)


def cn_id_check_char(payload: str) -> str:
    """Chinese resident identity card: ISO 7064 MOD 11-2 over the first seventeen digits."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(d) * w for d, w in zip(payload, weights, strict=False)) % 11]


def kr_rrn_check_digit(payload: str) -> str:
    """Korean resident registration number: weights 2..9,2..5, (11 - sum mod 11) mod 10."""
    weights = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
    return str((11 - sum(int(d) * w for d, w in zip(payload, weights, strict=False)) % 11) % 10)


def my_number_check_digit(payload: str) -> str:
    """Japanese individual number (My Number): weights n+1 / n-5 from the right, mod 11."""
    total = 0
    for n, ch in enumerate(reversed(payload), start=1):
        total += int(ch) * (n + 1 if n <= 6 else n - 5)
    r = total % 11
    return "0" if r <= 1 else str(11 - r)


def ean13_check_digit(payload: str) -> str:
    """EAN-13 (the Swiss AHV number): weights 1,3,1,3... from the left over twelve digits."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(payload))
    return str((10 - total % 10) % 10)


def fr_rib_key(bank: str, branch: str, account: str) -> str:
    """French RIB key: 97 - ((89*bank + 15*branch + 3*account) mod 97)."""
    return f"{97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97:02d}"


def es_ccc_digits(bank: str, branch: str, account: str) -> str:
    """Spanish CCC control digits (the two digits inside an ES IBAN)."""

    def one(ds: str) -> str:
        weights = (1, 2, 4, 8, 5, 10, 9, 7, 3, 6)
        r = 11 - sum(int(d) * w for d, w in zip(ds.rjust(10, "0"), weights, strict=False)) % 11
        return {10: "1", 11: "0"}.get(r, str(r))

    return one("00" + bank + branch) + one(account)


# ---------------------------------------------------------------------------------------------------
# vendor secret families: formats as each vendor documents them (prefix, length, alphabet)

Maker = Callable[[Random], tuple[str, str]]  # -> (value, variant)


@dataclass(frozen=True, slots=True)
class SecretFamily:
    name: str  # the `type` column
    vendor: str  # how people name it in prose
    env: str  # the environment variable it usually lives in
    host: str  # its API host, for curl commands and logs
    header: str  # how it is sent over HTTP ({v} = the value)
    make: Maker
    key: str = "api_key"  # its key in a config file


def pick(rng: Random, *makers: Callable[[Random], tuple[str, str]]) -> tuple[str, str]:
    return rng.choice(makers)(rng)


def _github(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("ghp", "ghp", "ghp", "gho", "ghu", "ghs", "ghr", "github_pat", "github_pat"))
    if kind == "github_pat":
        return f"github_pat_{rand(rng, ALNUM, 22)}_{rand(rng, ALNUM, 59)}", "fine_grained_pat"
    return f"{kind}_{rand(rng, ALNUM, 36)}", kind


def _gitlab(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("glpat", "glpat", "glpat", "gldt", "glrt", "glptt", "GR1348941"))
    if kind == "glptt":
        return f"glptt-{rand(rng, HEX, 40)}", kind
    if kind == "GR1348941":
        return f"GR1348941{rand(rng, B64URL, 20)}", "runner_registration"
    return f"{kind}-{rand(rng, B64URL, 20)}", kind


def _aws(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("AKIA", "AKIA", "AKIA", "ASIA", "letters", "secret"))
    if kind == "letters":  # an access key id made only of letters
        return "AKIA" + rand(rng, UPPER, 16), "access_key_id_letters"
    if kind == "secret":
        return rand(rng, B64, 40), "secret_access_key"
    return kind + rand(rng, BASE32, 16), f"access_key_id_{kind.lower()}"


def _google_api(rng: Random) -> tuple[str, str]:
    return "AIza" + rand(rng, B64URL, 35), "api_key"


def _google_oauth(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.7:
        return "GOCSPX-" + rand(rng, B64URL, 28), "client_secret"
    return "ya29." + rand(rng, B64URL, rng.randint(120, 180)), "access_token"


def _slack(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("xoxb", "xoxb", "xoxp", "xapp", "xoxe"))
    a, b = digits(rng, rng.choice((11, 12, 13))), digits(rng, rng.choice((11, 12, 13)))
    if kind == "xoxb":
        return f"xoxb-{a}-{b}-{rand(rng, ALNUM, 24)}", "bot_token"
    if kind == "xoxp":
        return f"xoxp-{a}-{b}-{digits(rng, 13)}-{rand(rng, HEX, 32)}", "user_token"
    if kind == "xapp":
        return f"xapp-1-A{rand(rng, UPPER_ALNUM, 10)}-{digits(rng, 13)}-{rand(rng, HEX, 64)}", "app_token"
    return f"xoxe.xoxp-1-{rand(rng, ALNUM, 160)}", "refresh_token"


def _slack_webhook(rng: Random) -> tuple[str, str]:
    return (f"https://hooks.slack.com/services/T{rand(rng, UPPER_ALNUM, 10)}/B{rand(rng, UPPER_ALNUM, 10)}/"
            f"{rand(rng, ALNUM, 24)}", "incoming_webhook")  # fmt: skip


def _stripe(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("sk_live", "sk_live", "rk_live", "whsec"))
    if kind == "whsec":
        return "whsec_" + rand(rng, ALNUM, 32), "webhook_secret"
    return f"{kind}_{rand(rng, ALNUM, rng.choice((24, 99)))}", kind


def _twilio(rng: Random) -> tuple[str, str]:
    return "SK" + rand(rng, HEX, 32), "api_key_sid"


def _sendgrid(rng: Random) -> tuple[str, str]:
    return f"SG.{rand(rng, B64URL, 22)}.{rand(rng, B64URL, 43)}", "api_key"


def _mailgun(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.6:
        return "key-" + rand(rng, HEX, 32), "private_api_key"
    return f"{rand(rng, HEX, 32)}-{rand(rng, HEX, 8)}-{rand(rng, HEX, 8)}", "domain_sending_key"


def _mailchimp(rng: Random) -> tuple[str, str]:
    return f"{rand(rng, HEX, 32)}-us{rng.randint(1, 21)}", "api_key"


def _shopify(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("shpat", "shpat", "shpca", "shppa", "shpss"))
    return f"{kind}_{rand(rng, HEX, 32)}", kind


def _npm(rng: Random) -> tuple[str, str]:
    return "npm_" + rand(rng, ALNUM, 36), "access_token"


def _pypi(rng: Random) -> tuple[str, str]:
    return "pypi-AgEIcHlwaS5vcmc" + rand(rng, B64URL, rng.randint(60, 150)), "api_token"


def _digitalocean(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("dop", "dop", "doo", "dor"))
    return f"{kind}_v1_{rand(rng, HEX, 64)}", kind


def _vault(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("hvs", "hvs", "hvs_short", "hvb"))
    if kind == "hvs_short":
        return "hvs." + rand(rng, ALNUM, 24), "service_token_short"
    if kind == "hvb":
        return "hvb.AAAAAQ" + rand(rng, B64URL, rng.randint(110, 140)), "batch_token"
    return "hvs.CAESI" + rand(rng, B64URL, rng.randint(80, 92)), "service_token"


def _terraform(rng: Random) -> tuple[str, str]:
    return f"{rand(rng, ALNUM, 14)}.atlasv1.{rand(rng, ALNUM, 67)}", "api_token"


def _databricks(rng: Random) -> tuple[str, str]:
    suffix = rng.choice(("", "", "-2", "-3"))
    return f"dapi{rand(rng, HEX, 32)}{suffix}", "personal_access_token"


def _openai(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("proj", "proj", "svcacct", "legacy"))
    if kind == "legacy":
        return f"sk-{rand(rng, ALNUM, 20)}T3BlbkFJ{rand(rng, ALNUM, 20)}", "legacy"
    prefix = "sk-proj-" if kind == "proj" else "sk-svcacct-"
    return f"{prefix}{rand(rng, B64URL, 74)}T3BlbkFJ{rand(rng, B64URL, 74)}", kind


def _anthropic(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("api03", "api03", "admin01"))
    return f"sk-ant-{kind}-{rand(rng, B64URL, 93)}AA", kind


def _huggingface(rng: Random) -> tuple[str, str]:
    return "hf_" + rand(rng, ALPHA, 34), "user_access_token"


def _atlassian(rng: Random) -> tuple[str, str]:
    return f"ATATT3xFfGF0{rand(rng, B64URL, 170)}={rand(rng, HEXU, 8)}", "api_token"


def _azure_storage(rng: Random) -> tuple[str, str]:
    return base64.b64encode(rand_bytes(rng, 64)).decode("ascii"), "account_key"


def _azure_ad(rng: Random) -> tuple[str, str]:
    return f"{rand(rng, ALNUM, 3)}{rng.randint(0, 9)}Q~{rand(rng, ALNUM + '_~.-', 34)}", "client_secret"


def _heroku(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.6:
        return "HRKU-AA" + rand(rng, B64URL, 58), "api_key"
    return rand_uuid(rng), "api_key_legacy_uuid"


def _linear(rng: Random) -> tuple[str, str]:
    return "lin_api_" + rand(rng, ALNUM, 40), "api_key"


def _notion(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return f"ntn_{digits(rng, 11)}{rand(rng, ALNUM, 35)}", "integration_token"
    return "secret_" + rand(rng, ALNUM, 43), "integration_token_legacy"


def _figma(rng: Random) -> tuple[str, str]:
    return "figd_" + rand(rng, B64URL, 40), "personal_access_token"


def _postman(rng: Random) -> tuple[str, str]:
    return f"PMAK-{rand(rng, HEX, 24)}-{rand(rng, HEX, 34)}", "api_key"


def _doppler(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("pt", "pt", "st", "sa"))
    return f"dp.{kind}.{rand(rng, ALNUM, 43)}", kind


def _pulumi(rng: Random) -> tuple[str, str]:
    return "pul-" + rand(rng, HEX, 40), "access_token"


def _grafana(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.6:
        return f"glsa_{rand(rng, ALNUM, 32)}_{rand(rng, HEX, 8)}", "service_account_token"
    org = rng.choice(("acmeops", "northwind", "lumenlabs", "kestrel"))
    payload = {"o": str(rng.randint(100000, 999999)), "n": f"stack-{rng.randint(100000, 999999)}-hm-read-{org}",
               "k": rand(rng, ALNUM, 24), "m": {"r": rng.choice(("prod-eu-west-2", "prod-us-central-0"))}}  # fmt: skip
    return "glc_" + base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode(), "cloud_token"


def _newrelic(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.6:
        return "NRAK-" + rand(rng, UPPER_ALNUM, 27), "user_api_key"
    return rand(rng, HEX, 36) + "NRAL", "license_key"


def _sentry(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return "sntryu_" + rand(rng, HEX, 64), "user_auth_token"
    org = rng.choice(("acme-inc", "northwind", "lumen-labs", "kestrel-io"))
    payload = {"iat": rng.randint(1_700_000_000, 1_760_000_000), "url": "https://sentry.io",
               "region_url": "https://us.sentry.io", "org": org}  # fmt: skip
    body = base64.b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"sntrys_{body}_{rand(rng, B64URL, 43)}", "org_auth_token"


def _datadog(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.6:
        return rand(rng, HEX, 32), "api_key"
    return rand(rng, HEX, 40), "application_key"


def _dropbox(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.6:
        return "sl.B" + rand(rng, B64URL, 134), "short_lived_token"
    return "sl.u.AF" + rand(rng, B64URL, rng.randint(600, 800)), "short_lived_token_u"


def _discord_token(rng: Random) -> str:
    snowflake = str(rng.randint(10**17, 2 * 10**18))
    first = base64.b64encode(snowflake.encode()).decode().rstrip("=")
    return f"{first}.{rand(rng, B64URL, 6)}.{rand(rng, B64URL, 38)}"


def _discord(rng: Random) -> tuple[str, str]:
    return _discord_token(rng), "bot_token"


def _discord_webhook(rng: Random) -> tuple[str, str]:
    host = rng.choice(("discord.com", "discordapp.com"))
    return f"https://{host}/api/webhooks/{rng.randint(10**17, 2 * 10**18)}/{rand(rng, B64URL, 68)}", "webhook"


def _telegram(rng: Random) -> tuple[str, str]:
    return f"{rng.randint(10**7, 8 * 10**9)}:AA{rand(rng, B64URL, 33)}", "bot_token"


def _square(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("EAAA", "EAAA", "sq0atp", "sq0csp"))
    if kind == "EAAA":
        return "EAAA" + rand(rng, B64URL, 60), "access_token"
    if kind == "sq0atp":
        return "sq0atp-" + rand(rng, B64URL, 22), "access_token_legacy"
    return "sq0csp-" + rand(rng, B64URL, 43), "application_secret"


def _braintree(rng: Random) -> tuple[str, str]:
    return f"access_token$production${rand(rng, LOWER_ALNUM, 16)}${rand(rng, HEX, 32)}", "access_token"


def _okta(rng: Random) -> tuple[str, str]:
    return "00" + rand(rng, B64URL, 40), "api_token"


def _jfrog(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return "AKCp8" + rand(rng, ALNUM, 68), "api_key"
    raw = f"reftkn:01:{rng.randint(1_900_000_000, 2_100_000_000)}:{rand(rng, ALNUM, 27)}"
    return base64.b64encode(raw.encode()).decode().rstrip("="), "reference_token"


def _snyk(rng: Random) -> tuple[str, str]:
    return rand_uuid(rng), "api_token"


def _ibm_cloud(rng: Random) -> tuple[str, str]:
    return rand(rng, B64URL, 44), "iam_api_key"


def _softlayer(rng: Random) -> tuple[str, str]:
    return rand(rng, HEX, 64), "api_key"


def _cloudflare(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("token", "token", "global", "origin_ca"))
    if kind == "global":
        return rand(rng, HEX, 37), "global_api_key"
    if kind == "origin_ca":
        return f"v1.0-{rand(rng, HEX, 24)}-{rand(rng, HEX, 146)}", "origin_ca_key"
    return rand(rng, B64URL, 40), "api_token"


def _fastly(rng: Random) -> tuple[str, str]:
    return rand(rng, B64URL, 32), "api_token"


def _netlify(rng: Random) -> tuple[str, str]:
    return "nfp_" + rand(rng, ALNUM, 36), "personal_access_token"


def _vercel(rng: Random) -> tuple[str, str]:
    return rand(rng, ALNUM, 24), "access_token"


def _supabase(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.7:
        return "sbp_" + rand(rng, HEX, 40), "personal_access_token"
    return "sb_secret_" + rand(rng, B64URL, 31), "secret_api_key"


def _planetscale(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("tkn", "tkn", "pw", "oauth"))
    return f"pscale_{kind}_{rand(rng, B64URL, 43)}", kind


def _age(rng: Random) -> tuple[str, str]:
    return "AGE-SECRET-KEY-1" + rand(rng, BECH32, 58), "identity"


def _mapbox(rng: Random) -> tuple[str, str]:
    user = rng.choice(("mkowalski", "geoteam", "tripplanner", "fleetmaps", "lkarlsson"))
    payload = json.dumps({"u": user, "a": rand(rng, LOWER_ALNUM, 25)}, separators=(",", ":"))
    return f"sk.{b64url_nopad(payload.encode())}.{rand(rng, B64URL, 22)}", "secret_token"


def _alibaba(rng: Random) -> tuple[str, str]:
    return "LTAI5t" + rand(rng, ALNUM, 18), "access_key_id"


def _adafruit(rng: Random) -> tuple[str, str]:
    return "aio_" + rand(rng, ALNUM, 28), "io_key"


def _airtable(rng: Random) -> tuple[str, str]:
    return f"pat{rand(rng, ALNUM, 14)}.{rand(rng, HEX, 64)}", "personal_access_token"


def _asana(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.6:
        return f"2/{digits(rng, 16)}/{digits(rng, 16)}:{rand(rng, HEX, 32)}", "personal_access_token"
    return f"1/{digits(rng, 16)}:{rand(rng, HEX, 32)}", "personal_access_token_v1"


def _clojars(rng: Random) -> tuple[str, str]:
    return "CLOJARS_" + rand(rng, HEX, 60), "deploy_token"


def _rubygems(rng: Random) -> tuple[str, str]:
    return "rubygems_" + rand(rng, HEX, 48), "api_key"


def _nuget(rng: Random) -> tuple[str, str]:
    return "oy2" + rand(rng, LOWER_ALNUM, 43), "api_key"


def _dockerhub(rng: Random) -> tuple[str, str]:
    return "dckr_pat_" + rand(rng, B64URL, 27), "personal_access_token"


def _shippo(rng: Random) -> tuple[str, str]:
    return "shippo_live_" + rand(rng, HEX, 40), "live_token"


def _easypost(rng: Random) -> tuple[str, str]:
    return "EZAK" + rand(rng, ALNUM, 54), "production_key"


def _flutterwave(rng: Random) -> tuple[str, str]:
    return f"FLWSECK-{rand(rng, HEX, 32)}-X", "secret_key"


def _frameio(rng: Random) -> tuple[str, str]:
    return "fio-u-" + rand(rng, B64URL, 64), "developer_token"


def _typeform(rng: Random) -> tuple[str, str]:
    return "tfp_" + rand(rng, B64URL, 59), "personal_access_token"


def _prefect(rng: Random) -> tuple[str, str]:
    return "pnu_" + rand(rng, ALNUM, 36), "api_key"


def _readme(rng: Random) -> tuple[str, str]:
    return "rdme_" + rand(rng, LOWER_ALNUM, 70), "api_key"


def _sourcegraph(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return "sgp_" + rand(rng, HEX, 40), "access_token"
    return f"sgp_{rand(rng, HEX, 16)}_{rand(rng, HEX, 40)}", "access_token_instance"


def _onepassword(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        groups = "-".join(rand(rng, UPPER_ALNUM, n) for n in (6, 5, 5, 5, 5, 5))
        return f"A3-{groups}", "account_secret_key"
    payload = {"signInAddress": "my.1password.com", "userAuth": {"method": "SRPg-4096", "alg": "PBES2g-HS256",
               "iterations": 650000, "salt": rand(rng, B64URL, 22)}, "email": f"{rand(rng, LOWER, 12)}@1passwordserviceaccounts.com",  # noqa: E501
               "srpX": rand(rng, HEX, 64), "muk": {"alg": "A256GCM", "ext": True, "k": rand(rng, B64URL, 43),
               "key_ops": ["encrypt", "decrypt"], "kty": "oct", "kid": "mp"}, "secretKey": "A3-" + rand(rng, UPPER_ALNUM, 26),  # noqa: E501
               "throttleSecret": {"seed": rand(rng, HEX, 64), "uuid": rand(rng, UPPER_ALNUM, 26)}, "deviceUuid": rand(rng, LOWER_ALNUM, 26)}  # fmt: skip  # noqa: E501
    return "ops_" + b64url_nopad(json.dumps(payload, separators=(",", ":")).encode()), "service_account_token"


def _launchdarkly(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("api", "api", "sdk"))
    return f"{kind}-{rand_uuid(rng)}", f"{kind}_key"


def _dynatrace(rng: Random) -> tuple[str, str]:
    return f"dt0c01.{rand(rng, UPPER_ALNUM, 24)}.{rand(rng, UPPER_ALNUM, 64)}", "api_token"


def _contentful(rng: Random) -> tuple[str, str]:
    return "CFPAT-" + rand(rng, B64URL, 43), "personal_access_token"


def _algolia(rng: Random) -> tuple[str, str]:
    return rand(rng, HEX, 32), "admin_api_key"


def _firebase(rng: Random) -> tuple[str, str]:
    return f"AAAA{rand(rng, B64URL, 7)}:APA91b{rand(rng, B64URL, 134)}", "fcm_server_key"


def _facebook(rng: Random) -> tuple[str, str]:
    return "EAA" + rng.choice("BCDGJKLMNPQRSTUVWZ") + rand(rng, ALNUM, rng.randint(150, 200)), "access_token"


def _twitter(rng: Random) -> tuple[str, str]:
    return f"AAAAAAAAAAAAAAAAAAAAA{rand(rng, ALNUM, 25)}%3D{rand(rng, ALNUM, 50)}", "bearer_token"


def _linode(rng: Random) -> tuple[str, str]:
    return rand(rng, HEX, 64), "personal_access_token"


def _zendesk(rng: Random) -> tuple[str, str]:
    return rand(rng, ALNUM, 40), "api_token"


def _gocardless(rng: Random) -> tuple[str, str]:
    return "live_" + rand(rng, B64URL, 40), "access_token"


def _replicate(rng: Random) -> tuple[str, str]:
    return "r8_" + rand(rng, ALNUM, 37), "api_token"


def _groq(rng: Random) -> tuple[str, str]:
    return "gsk_" + rand(rng, ALNUM, 52), "api_key"


def _perplexity(rng: Random) -> tuple[str, str]:
    return "pplx-" + rand(rng, ALNUM, 48), "api_key"


def _xai(rng: Random) -> tuple[str, str]:
    return "xai-" + rand(rng, ALNUM, 80), "api_key"


def _langsmith(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("pt", "pt", "sk"))
    return f"lsv2_{kind}_{rand(rng, HEX, 32)}_{rand(rng, HEX, 10)}", kind


def _deno(rng: Random) -> tuple[str, str]:
    return "ddp_" + rand(rng, ALNUM, 36), "deploy_token"


def _render(rng: Random) -> tuple[str, str]:
    return "rnd_" + rand(rng, ALNUM, 32), "api_key"


def _circleci(rng: Random) -> tuple[str, str]:
    return f"CCIPAT_{rand(rng, ALNUM, 22)}_{rand(rng, HEX, 40)}", "personal_api_token"


def _buildkite(rng: Random) -> tuple[str, str]:
    return "bkua_" + rand(rng, HEX, 40), "api_access_token"


def _teams_webhook(rng: Random) -> tuple[str, str]:
    tenant = rng.choice(("contoso", "fabrikam", "northwindtraders", "adatum"))
    return (f"https://{tenant}.webhook.office.com/webhookb2/{rand_uuid(rng)}@{rand_uuid(rng)}/IncomingWebhook/"
            f"{rand(rng, HEX, 32)}/{rand_uuid(rng)}", "incoming_webhook")  # fmt: skip


def _brevo(rng: Random) -> tuple[str, str]:
    return f"xkeysib-{rand(rng, HEX, 64)}-{rand(rng, ALNUM, 16)}", "api_key"


def _postmark(rng: Random) -> tuple[str, str]:
    return rand_uuid(rng), "server_token"


def _tailscale(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("api", "auth", "auth", "client"))
    return f"tskey-{kind}-{rand(rng, ALNUM, rng.randint(11, 17))}-{rand(rng, ALNUM, 33)}", kind


def _ngrok(rng: Random) -> tuple[str, str]:
    return f"2{rand(rng, ALNUM, 26)}_{rand(rng, ALNUM, 21)}", "authtoken"


def _octopus(rng: Random) -> tuple[str, str]:
    return "API-" + rand(rng, UPPER_ALNUM, 26), "api_key"


def _azure_devops(rng: Random) -> tuple[str, str]:
    return rand(rng, "abcdefghijklmnopqrstuvwxyz234567", 52), "personal_access_token"


F = SecretFamily
VENDOR_FAMILIES: tuple[SecretFamily, ...] = (
    F("github", "GitHub", "GITHUB_TOKEN", "api.github.com", "Authorization: token {v}", _github, "token"),
    F("gitlab", "GitLab", "GITLAB_TOKEN", "gitlab.com", "PRIVATE-TOKEN: {v}", _gitlab, "token"),
    F("aws", "AWS", "AWS_ACCESS_KEY_ID", "sts.amazonaws.com", "X-Amz-Security-Token: {v}", _aws, "aws_access_key_id"),
    F("google_api", "Google Maps", "GOOGLE_API_KEY", "maps.googleapis.com", "X-Goog-Api-Key: {v}", _google_api),
    F("google_oauth", "Google OAuth", "GOOGLE_CLIENT_SECRET", "oauth2.googleapis.com", "Authorization: Bearer {v}",
      _google_oauth, "client_secret"),
    F("slack", "Slack", "SLACK_BOT_TOKEN", "slack.com", "Authorization: Bearer {v}", _slack, "token"),
    F("slack_webhook", "Slack webhook", "SLACK_WEBHOOK_URL", "hooks.slack.com", "", _slack_webhook, "webhook_url"),
    F("stripe", "Stripe", "STRIPE_SECRET_KEY", "api.stripe.com", "Authorization: Bearer {v}", _stripe, "secret_key"),
    F("twilio", "Twilio", "TWILIO_API_KEY", "api.twilio.com", "Authorization: Basic {v}", _twilio),
    F("sendgrid", "SendGrid", "SENDGRID_API_KEY", "api.sendgrid.com", "Authorization: Bearer {v}", _sendgrid),
    F("mailgun", "Mailgun", "MAILGUN_API_KEY", "api.mailgun.net", "Authorization: Basic {v}", _mailgun),
    F("mailchimp", "Mailchimp", "MAILCHIMP_API_KEY", "us6.api.mailchimp.com", "Authorization: apikey {v}", _mailchimp),
    F("shopify", "Shopify", "SHOPIFY_ACCESS_TOKEN", "acme-store.myshopify.com", "X-Shopify-Access-Token: {v}",
      _shopify, "access_token"),
    F("npm", "npm", "NPM_TOKEN", "registry.npmjs.org", "Authorization: Bearer {v}", _npm, "token"),
    F("pypi", "PyPI", "TWINE_PASSWORD", "upload.pypi.org", "Authorization: Basic {v}", _pypi, "password"),
    F("digitalocean", "DigitalOcean", "DIGITALOCEAN_TOKEN", "api.digitalocean.com", "Authorization: Bearer {v}",
      _digitalocean, "token"),
    F("hashicorp_vault", "Vault", "VAULT_TOKEN", "vault.internal.corp:8200", "X-Vault-Token: {v}", _vault, "token"),
    F("terraform_cloud", "Terraform Cloud", "TFE_TOKEN", "app.terraform.io", "Authorization: Bearer {v}", _terraform,
      "token"),
    F("databricks", "Databricks", "DATABRICKS_TOKEN", "adb-4821.7.azuredatabricks.net", "Authorization: Bearer {v}",
      _databricks, "token"),
    F("openai", "OpenAI", "OPENAI_API_KEY", "api.openai.com", "Authorization: Bearer {v}", _openai),
    F("anthropic", "Anthropic", "ANTHROPIC_API_KEY", "api.anthropic.com", "x-api-key: {v}", _anthropic),
    F("huggingface", "Hugging Face", "HF_TOKEN", "huggingface.co", "Authorization: Bearer {v}", _huggingface, "token"),
    F("atlassian", "Jira", "JIRA_API_TOKEN", "acme.atlassian.net", "Authorization: Bearer {v}", _atlassian, "api_token"),  # noqa: E501
    F("azure_storage", "Azure Storage", "AZURE_STORAGE_KEY", "acmedata.blob.core.windows.net",
      "x-ms-account-key: {v}", _azure_storage, "account_key"),
    F("azure_ad", "Azure AD", "AZURE_CLIENT_SECRET", "login.microsoftonline.com", "client_secret: {v}", _azure_ad,
      "client_secret"),
    F("heroku", "Heroku", "HEROKU_API_KEY", "api.heroku.com", "Authorization: Bearer {v}", _heroku),
    F("linear", "Linear", "LINEAR_API_KEY", "api.linear.app", "Authorization: {v}", _linear),
    F("notion", "Notion", "NOTION_TOKEN", "api.notion.com", "Authorization: Bearer {v}", _notion, "token"),
    F("figma", "Figma", "FIGMA_TOKEN", "api.figma.com", "X-Figma-Token: {v}", _figma, "token"),
    F("postman", "Postman", "POSTMAN_API_KEY", "api.getpostman.com", "X-Api-Key: {v}", _postman),
    F("doppler", "Doppler", "DOPPLER_TOKEN", "api.doppler.com", "Authorization: Bearer {v}", _doppler, "token"),
    F("pulumi", "Pulumi", "PULUMI_ACCESS_TOKEN", "api.pulumi.com", "Authorization: token {v}", _pulumi, "access_token"),
    F("grafana", "Grafana", "GRAFANA_TOKEN", "grafana.acme.io", "Authorization: Bearer {v}", _grafana, "token"),
    F("newrelic", "New Relic", "NEW_RELIC_API_KEY", "api.newrelic.com", "Api-Key: {v}", _newrelic),
    F("sentry", "Sentry", "SENTRY_AUTH_TOKEN", "sentry.io", "Authorization: Bearer {v}", _sentry, "auth_token"),
    F("datadog", "Datadog", "DD_API_KEY", "api.datadoghq.com", "DD-API-KEY: {v}", _datadog),
    F("dropbox", "Dropbox", "DROPBOX_ACCESS_TOKEN", "api.dropboxapi.com", "Authorization: Bearer {v}", _dropbox,
      "access_token"),
    F("discord", "Discord", "DISCORD_BOT_TOKEN", "discord.com", "Authorization: Bot {v}", _discord, "token"),
    F("discord_webhook", "Discord webhook", "DISCORD_WEBHOOK_URL", "discord.com", "", _discord_webhook, "webhook_url"),
    F("telegram", "Telegram", "TELEGRAM_BOT_TOKEN", "api.telegram.org", "", _telegram, "bot_token"),
    F("square", "Square", "SQUARE_ACCESS_TOKEN", "connect.squareup.com", "Authorization: Bearer {v}", _square,
      "access_token"),
    F("braintree", "PayPal Braintree", "BRAINTREE_ACCESS_TOKEN", "api.braintreegateway.com",
      "Authorization: Bearer {v}", _braintree, "access_token"),
    F("okta", "Okta", "OKTA_API_TOKEN", "acme.okta.com", "Authorization: SSWS {v}", _okta, "api_token"),
    F("jfrog", "Artifactory", "ARTIFACTORY_API_KEY", "acme.jfrog.io", "X-JFrog-Art-Api: {v}", _jfrog),
    F("snyk", "Snyk", "SNYK_TOKEN", "api.snyk.io", "Authorization: token {v}", _snyk, "token"),
    F("ibm_cloud", "IBM Cloud", "IBMCLOUD_API_KEY", "iam.cloud.ibm.com", "apikey: {v}", _ibm_cloud, "apikey"),
    F("softlayer", "SoftLayer", "SL_API_KEY", "api.softlayer.com", "Authorization: Basic {v}", _softlayer),
    F("cloudflare", "Cloudflare", "CLOUDFLARE_API_TOKEN", "api.cloudflare.com", "Authorization: Bearer {v}",
      _cloudflare, "api_token"),
    F("fastly", "Fastly", "FASTLY_API_TOKEN", "api.fastly.com", "Fastly-Key: {v}", _fastly, "api_token"),
    F("netlify", "Netlify", "NETLIFY_AUTH_TOKEN", "api.netlify.com", "Authorization: Bearer {v}", _netlify,
      "auth_token"),
    F("vercel", "Vercel", "VERCEL_TOKEN", "api.vercel.com", "Authorization: Bearer {v}", _vercel, "token"),
    F("supabase", "Supabase", "SUPABASE_ACCESS_TOKEN", "api.supabase.com", "Authorization: Bearer {v}", _supabase,
      "access_token"),
    F("planetscale", "PlanetScale", "PLANETSCALE_SERVICE_TOKEN", "api.planetscale.com", "Authorization: {v}",
      _planetscale, "service_token"),
    F("age", "age", "SOPS_AGE_KEY", "", "", _age, "age_key"),
    F("mapbox", "Mapbox", "MAPBOX_SECRET_TOKEN", "api.mapbox.com", "", _mapbox, "access_token"),
    F("alibaba", "Alibaba Cloud", "ALIBABA_CLOUD_ACCESS_KEY_ID", "ecs.aliyuncs.com", "", _alibaba, "access_key_id"),
    F("adafruit", "Adafruit IO", "ADAFRUIT_IO_KEY", "io.adafruit.com", "X-AIO-Key: {v}", _adafruit, "io_key"),
    F("airtable", "Airtable", "AIRTABLE_TOKEN", "api.airtable.com", "Authorization: Bearer {v}", _airtable, "token"),
    F("asana", "Asana", "ASANA_ACCESS_TOKEN", "app.asana.com", "Authorization: Bearer {v}", _asana, "access_token"),
    F("clojars", "Clojars", "CLOJARS_DEPLOY_TOKEN", "clojars.org", "", _clojars, "password"),
    F("rubygems", "RubyGems", "GEM_HOST_API_KEY", "rubygems.org", "Authorization: {v}", _rubygems),
    F("nuget", "NuGet", "NUGET_API_KEY", "api.nuget.org", "X-NuGet-ApiKey: {v}", _nuget),
    F("dockerhub", "Docker Hub", "DOCKERHUB_TOKEN", "hub.docker.com", "Authorization: Bearer {v}", _dockerhub,
      "password"),
    F("shippo", "Shippo", "SHIPPO_API_TOKEN", "api.goshippo.com", "Authorization: ShippoToken {v}", _shippo, "token"),
    F("easypost", "EasyPost", "EASYPOST_API_KEY", "api.easypost.com", "Authorization: Bearer {v}", _easypost),
    F("flutterwave", "Flutterwave", "FLW_SECRET_KEY", "api.flutterwave.com", "Authorization: Bearer {v}",
      _flutterwave, "secret_key"),
    F("frameio", "Frame.io", "FRAMEIO_TOKEN", "api.frame.io", "Authorization: Bearer {v}", _frameio, "token"),
    F("typeform", "Typeform", "TYPEFORM_TOKEN", "api.typeform.com", "Authorization: Bearer {v}", _typeform, "token"),
    F("prefect", "Prefect", "PREFECT_API_KEY", "api.prefect.cloud", "Authorization: Bearer {v}", _prefect),
    F("readme", "ReadMe", "README_API_KEY", "dash.readme.com", "Authorization: Basic {v}", _readme),
    F("sourcegraph", "Sourcegraph", "SRC_ACCESS_TOKEN", "sourcegraph.com", "Authorization: token {v}", _sourcegraph,
      "access_token"),
    F("onepassword", "1Password", "OP_SERVICE_ACCOUNT_TOKEN", "my.1password.com", "", _onepassword, "token"),
    F("launchdarkly", "LaunchDarkly", "LAUNCHDARKLY_ACCESS_TOKEN", "app.launchdarkly.com", "Authorization: {v}",
      _launchdarkly, "access_token"),
    F("dynatrace", "Dynatrace", "DT_API_TOKEN", "abc12345.live.dynatrace.com", "Authorization: Api-Token {v}",
      _dynatrace, "api_token"),
    F("contentful", "Contentful", "CONTENTFUL_MANAGEMENT_TOKEN", "api.contentful.com", "Authorization: Bearer {v}",
      _contentful, "management_token"),
    F("algolia", "Algolia", "ALGOLIA_ADMIN_KEY", "KX8QH2WZ1P.algolia.net", "X-Algolia-API-Key: {v}", _algolia,
      "admin_api_key"),
    F("firebase", "Firebase Cloud Messaging", "FCM_SERVER_KEY", "fcm.googleapis.com", "Authorization: key={v}",
      _firebase, "server_key"),
    F("facebook", "Facebook", "FACEBOOK_ACCESS_TOKEN", "graph.facebook.com", "Authorization: Bearer {v}", _facebook,
      "access_token"),
    F("twitter", "X (Twitter)", "TWITTER_BEARER_TOKEN", "api.twitter.com", "Authorization: Bearer {v}", _twitter,
      "bearer_token"),
    F("linode", "Linode", "LINODE_TOKEN", "api.linode.com", "Authorization: Bearer {v}", _linode, "token"),
    F("zendesk", "Zendesk", "ZENDESK_API_TOKEN", "acme.zendesk.com", "", _zendesk, "api_token"),
    F("gocardless", "GoCardless", "GOCARDLESS_ACCESS_TOKEN", "api.gocardless.com", "Authorization: Bearer {v}",
      _gocardless, "access_token"),
    F("replicate", "Replicate", "REPLICATE_API_TOKEN", "api.replicate.com", "Authorization: Bearer {v}", _replicate,
      "api_token"),
    F("groq", "Groq", "GROQ_API_KEY", "api.groq.com", "Authorization: Bearer {v}", _groq),
    F("perplexity", "Perplexity", "PPLX_API_KEY", "api.perplexity.ai", "Authorization: Bearer {v}", _perplexity),
    F("xai", "xAI", "XAI_API_KEY", "api.x.ai", "Authorization: Bearer {v}", _xai),
    F("langsmith", "LangSmith", "LANGSMITH_API_KEY", "api.smith.langchain.com", "x-api-key: {v}", _langsmith),
    F("deno_deploy", "Deno Deploy", "DENO_DEPLOY_TOKEN", "api.deno.com", "Authorization: Bearer {v}", _deno, "token"),
    F("render", "Render", "RENDER_API_KEY", "api.render.com", "Authorization: Bearer {v}", _render),
    F("circleci", "CircleCI", "CIRCLECI_TOKEN", "circleci.com", "Circle-Token: {v}", _circleci, "token"),
    F("buildkite", "Buildkite", "BUILDKITE_API_TOKEN", "api.buildkite.com", "Authorization: Bearer {v}", _buildkite,
      "api_token"),
    F("teams_webhook", "Microsoft Teams webhook", "TEAMS_WEBHOOK_URL", "", "", _teams_webhook, "webhook_url"),
    F("brevo", "Brevo", "BREVO_API_KEY", "api.brevo.com", "api-key: {v}", _brevo),
    F("postmark", "Postmark", "POSTMARK_SERVER_TOKEN", "api.postmarkapp.com", "X-Postmark-Server-Token: {v}",
      _postmark, "server_token"),
    F("tailscale", "Tailscale", "TS_AUTHKEY", "api.tailscale.com", "Authorization: Bearer {v}", _tailscale, "authkey"),
    F("ngrok", "ngrok", "NGROK_AUTHTOKEN", "api.ngrok.com", "", _ngrok, "authtoken"),
    F("octopus_deploy", "Octopus Deploy", "OCTOPUS_API_KEY", "acme.octopus.app", "X-Octopus-ApiKey: {v}", _octopus),
    F("azure_devops", "Azure DevOps", "AZURE_DEVOPS_PAT", "dev.azure.com", "Authorization: Basic {v}", _azure_devops,
      "personal_access_token"),
)  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# generic secrets: private keys, JWTs, connection strings, keyword-assigned keys, bearer tokens


def _pem(label: str, raw: bytes, width: int = 64) -> str:
    body = base64.b64encode(raw).decode("ascii")
    lines = [body[i : i + width] for i in range(0, len(body), width)]
    return f"-----BEGIN {label}-----\n" + "\n".join(lines) + f"\n-----END {label}-----"


def make_private_key(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("rsa", "rsa", "pkcs8", "ec", "openssh", "openssh", "pgp"))
    if kind == "rsa":  # PKCS#1 RSA 2048: SEQUENCE, version 0, modulus ...
        return _pem("RSA PRIVATE KEY", bytes.fromhex("308204a40201000282010100") + rand_bytes(rng, 1180)), kind
    if kind == "pkcs8":
        head = bytes.fromhex("308204bd020100300d06092a864886f70d0101010500048204a7308204a30201000282010100")
        return _pem("PRIVATE KEY", head + rand_bytes(rng, 1180)), kind
    if kind == "ec":  # SEC1 P-256
        raw = (bytes.fromhex("30770201010420") + rand_bytes(rng, 32)
               + bytes.fromhex("a00a06082a8648ce3d030107a144034200") + b"\x04" + rand_bytes(rng, 64))  # fmt: skip
        return _pem("EC PRIVATE KEY", raw), kind
    if kind == "openssh":
        pub = rand_bytes(rng, 32)
        comment = rng.choice(("deploy@build-01", "mkowalski@laptop", "ci-runner", "backup@nas"))
        body = (b"openssh-key-v1\x00" + b"\x00\x00\x00\x04none\x00\x00\x00\x04none\x00\x00\x00\x00\x00\x00\x00\x01"
                + b"\x00\x00\x00\x33\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + pub
                + b"\x00\x00\x00\x88" + rand_bytes(rng, 8) + b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + pub
                + b"\x00\x00\x00\x40" + rand_bytes(rng, 64) + len(comment).to_bytes(4, "big") + comment.encode()
                + b"\x01\x02\x03\x04\x05")  # fmt: skip
        return _pem("OPENSSH PRIVATE KEY", body, 70), kind
    raw = b"\x95\x03\x98\x04" + rand_bytes(rng, 900)
    body = base64.b64encode(raw).decode("ascii")
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    crc = base64.b64encode(rand_bytes(rng, 3)).decode("ascii")
    return ("-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + "\n".join(lines) + f"\n={crc}\n"
            "-----END PGP PRIVATE KEY BLOCK-----", kind)  # fmt: skip


def make_jwt(rng: Random) -> tuple[str, str]:
    alg = rng.choice(("HS256", "HS256", "RS256", "ES256"))
    header: dict[str, object] = {"alg": alg, "typ": "JWT"}
    if alg != "HS256":
        header["kid"] = rand(rng, B64URL, 27)
    iat = rng.randint(1_700_000_000, 1_770_000_000)
    payload: dict[str, object] = {"sub": rng.choice((rand_uuid(rng), str(rng.randint(10_000, 9_999_999)))),
                                  "iat": iat, "exp": iat + rng.choice((900, 3600, 86400))}  # fmt: skip
    if rng.random() < 0.6:
        payload["iss"] = rng.choice(("https://auth.acme-corp.io/", "https://login.northwind.app", "tierwall-issuer"))
    if rng.random() < 0.5:
        payload["scope"] = rng.choice(("read:orders write:orders", "admin", "openid profile email"))
    if rng.random() < 0.4:
        payload["role"] = rng.choice(("authenticated", "service_role", "editor"))
    sig = rand_bytes(rng, {"HS256": 32, "RS256": 256, "ES256": 64}[alg])
    parts = (json.dumps(header, separators=(",", ":")), json.dumps(payload, separators=(",", ":")))
    return ".".join(b64url_nopad(p.encode()) for p in parts) + "." + b64url_nopad(sig), alg


DB_USERS = ("app", "svc_orders", "analytics", "admin", "billing_rw", "etl", "postgres", "root", "webapp", "reporting")
DB_NAMES = ("orders", "billing", "inventory", "users_prod", "crm", "events", "ledger", "catalog")
DB_HOSTS = ("db-prod-1.internal", "10.20.3.14", "pg.acme-corp.io", "mysql-primary.eu-west-1.rds.amazonaws.com",
            "orders-db.c9xk2lq8n3vd.us-east-1.rds.amazonaws.com", "postgres.northwind.local", "172.31.8.201")  # fmt: skip  # noqa: E501


def _password(rng: Random) -> str:
    return rand(rng, ALNUM + "-_.!~*", rng.randint(14, 26))


def make_connection_string(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("postgres", "postgres", "mysql", "mongodb", "redis", "amqp", "mssql", "jdbc"))
    user, pw, host, db = rng.choice(DB_USERS), _password(rng), rng.choice(DB_HOSTS), rng.choice(DB_NAMES)
    if kind == "postgres":
        scheme = rng.choice(("postgres", "postgresql"))
        tail = rng.choice(("", "?sslmode=require", "?sslmode=verify-full&connect_timeout=10"))
        return f"{scheme}://{user}:{pw}@{host}:5432/{db}{tail}", kind
    if kind == "mysql":
        return f"mysql://{user}:{pw}@{host}:3306/{db}", kind
    if kind == "mongodb":
        cluster = f"cluster0.{rand(rng, LOWER_ALNUM, 5)}.mongodb.net"
        return f"mongodb+srv://{user}:{pw}@{cluster}/{db}?retryWrites=true&w=majority", kind
    if kind == "redis":
        return f"{rng.choice(('redis', 'rediss'))}://default:{pw}@{host}:6379/0", kind
    if kind == "amqp":
        return f"amqp://{user}:{pw}@{host}:5672/{db}", kind
    if kind == "mssql":
        server = f"{rng.choice(('acme-sql', 'nw-prod', 'crm-db'))}.database.windows.net"
        return (f"Server=tcp:{server},1433;Initial Catalog={db};User ID={user};Password={pw};"
                "Encrypt=True;TrustServerCertificate=False;", kind)  # fmt: skip
    return f"jdbc:postgresql://{host}:5432/{db}?user={user}&password={pw}", kind


GENERIC_KEY_NAMES = ("api_key", "apiKey", "API_KEY", "api-key", "secret_key", "client_secret", "auth_token",
                     "access_token", "app_secret", "API_SECRET", "private_token", "x_api_key", "signing_secret",
                     "SERVICE_API_KEY", "webhook_secret", "apikey")  # fmt: skip


def make_generic_value(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("hex32", "hex40", "hex64", "alnum32", "alnum40", "b64url48", "b64_44"))
    if kind.startswith("hex"):
        return rand(rng, HEX, int(kind[3:])), kind
    if kind.startswith("alnum"):
        return rand(rng, ALNUM, int(kind[5:])), kind
    if kind == "b64url48":
        return rand(rng, B64URL, 48), kind
    return base64.b64encode(rand_bytes(rng, 32)).decode("ascii"), kind


def make_bearer(rng: Random) -> tuple[str, str]:
    kind = rng.choice(("opaque", "opaque", "dotted", "hex"))
    if kind == "opaque":
        return rand(rng, B64URL, rng.randint(32, 64)), kind
    if kind == "dotted":
        return f"{rand(rng, ALNUM, 8)}.{rand(rng, B64URL, 40)}", kind
    return rand(rng, HEX, 48), kind


# ---------------------------------------------------------------------------------------------------
# filler for carriers

FIRST_EN = ("Mara", "Tom", "Priya", "Jonas", "Aisha", "Liam", "Sofia", "Daniel", "Chen", "Olivia", "Ravi", "Emma",
            "Noah", "Fatima", "Lucas", "Hannah")  # fmt: skip
LAST_EN = ("Okafor", "Lindqvist", "Patel", "Becker", "Nguyen", "Murphy", "Rossi", "Kowalski", "Haddad", "Silva",
           "Brennan", "Tanaka", "Moreau", "Fischer", "Walsh", "Reyes")  # fmt: skip
COMPANIES = ("Acme Corp", "Northwind Traders", "Lumen Labs", "Kestrel Logistics", "Bluefin Analytics", "Orchard Health",
             "Tidewater Media", "Granite Payments")  # fmt: skip
SERVICES = ("orders-api", "billing-worker", "notifier", "sync-service", "checkout", "reporting-cron", "ingest",
            "webhooks")  # fmt: skip
ENV_FILLER = ("NODE_ENV=production", "PORT=8080", "LOG_LEVEL=info", "DATABASE_HOST=db.internal", "REDIS_PORT=6379",
              "FEATURE_NEW_CHECKOUT=true", "TZ=UTC", "APP_NAME=orders-api", "WORKERS=4", "SENTRY_ENVIRONMENT=prod",
              "CACHE_TTL_SECONDS=300", "PUBLIC_URL=https://shop.acme-corp.io")  # fmt: skip


def _ts(rng: Random) -> str:
    return (f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:"
            f"{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}.{rng.randint(0, 999):03d}Z")  # fmt: skip


def _name(rng: Random) -> str:
    return f"{rng.choice(FIRST_EN)} {rng.choice(LAST_EN)}"


def _camel(env: str) -> str:
    parts = env.lower().split("_")
    return parts[0] + "".join(p.title() for p in parts[1:])


def _class_name(vendor: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", vendor.title()) or "Api"


@dataclass(frozen=True, slots=True)
class Ctx:
    """What a secret carrier needs to know about its value."""

    value: str
    vendor: str
    env: str
    key: str
    host: str
    header: str  # "" when the secret is not sent in a header
    multiline: bool = False


Carrier = Callable[[Random, Ctx], str]


def c_env(rng: Random, c: Ctx) -> str:
    lines = rng.sample(ENV_FILLER, rng.randint(2, 5))
    lines.insert(rng.randint(0, len(lines)), f"{c.env}={c.value}")
    if rng.random() < 0.5:
        lines.insert(0, f"# {rng.choice(('production', 'staging', 'local'))} settings")
    return "\n".join(lines) + "\n"


def c_export(rng: Random, c: Ctx) -> str:
    cmd = rng.choice(("python -m app.sync --since yesterday", "npm run deploy", "make release",
                      "./scripts/backfill.sh 2025-01-01", "terraform apply -auto-approve"))  # fmt: skip
    quote = rng.choice(('"', "'", ""))
    return f"#!/usr/bin/env bash\nset -euo pipefail\n\nexport {c.env}={quote}{c.value}{quote}\n{cmd}\n"


def c_yaml(rng: Random, c: Ctx) -> str:
    section = re.sub(r"[^a-z0-9]+", "_", c.vendor.lower()).strip("_")
    extra = rng.sample(("timeout_seconds: 30", "retries: 3", "enabled: true", "region: eu-west-1",
                        f"base_url: https://{c.host or 'api.internal'}", "verify_tls: true"), 3)  # fmt: skip
    lines = [f"  {e}" for e in extra]
    lines.insert(rng.randint(0, 3), f"  {c.key}: {c.value}")
    head = rng.choice(("integrations:\n", "", "# config/settings.yaml\n"))
    if head == "integrations:\n":
        lines = ["  " + ln for ln in lines]
        return head + f"  {section}:\n" + "\n".join(lines) + "\n"
    return head + f"{section}:\n" + "\n".join(lines) + "\n"


def c_json(rng: Random, c: Ctx) -> str:
    section = re.sub(r"[^a-z0-9]+", "_", c.vendor.lower()).strip("_")
    doc = {"service": rng.choice(SERVICES), section: {c.key: c.value, "timeout": rng.choice((10, 30, 60))},
           "debug": False}  # fmt: skip
    return json.dumps(doc, indent=rng.choice((2, 4)))


def c_toml(rng: Random, c: Ctx) -> str:
    section = re.sub(r"[^a-z0-9]+", "_", c.vendor.lower()).strip("_")
    return (f"[{section}]\n{c.key} = \"{c.value}\"\nendpoint = \"https://{c.host or 'api.internal'}\"\n"
            f"timeout = {rng.choice((5, 10, 30))}\n")  # fmt: skip


def c_curl(rng: Random, c: Ctx) -> str:
    path = rng.choice(("v1/me", "v2/accounts", "api/projects?per_page=50", "v1/usage", "v3/events"))
    if not c.header:
        return f"curl -sS 'https://{c.host}/{path}?{c.key}={c.value}' | jq ."
    method = rng.choice(("", "", "-X POST "))
    return f"curl -sS {method}-H '{c.header.format(v=c.value)}' -H 'Accept: application/json' https://{c.host}/{path}"


def c_python(rng: Random, c: Ctx) -> str:
    form = rng.randrange(3)
    if form == 0:
        return (f"import os\n\nfrom {c.vendor.lower().replace(' ', '_')}_client import Client\n\n"
                f"client = Client({c.key}=os.environ.get(\"{c.env}\", \"{c.value}\"))\n"
                f"print(client.ping())\n")  # fmt: skip
    if form == 1:
        return (f"import requests\n\n{c.env} = \"{c.value}\"\n\n\ndef fetch(path):\n"
                f"    resp = requests.get(f\"https://{c.host or 'api.internal'}/{{path}}\",\n"
                f"                        headers={{\"Authorization\": f\"Bearer {{{c.env}}}\"}}, timeout=10)\n"
                f"    resp.raise_for_status()\n    return resp.json()\n")  # fmt: skip
    return f"# settings.py\nDEBUG = False\nALLOWED_HOSTS = [\"*\"]\n{c.env} = '{c.value}'\n"


def c_js(rng: Random, c: Ctx) -> str:
    if rng.random() < 0.5:
        return (f"const {_camel(c.env)} = process.env.{c.env} || \"{c.value}\";\n\n"
                f"export async function ping() {{\n  const res = await fetch(\"https://{c.host or 'api.internal'}/v1/ping\", {{\n"  # noqa: E501
                f"    headers: {{ Authorization: `Bearer ${{{_camel(c.env)}}}` }},\n  }});\n  return res.ok;\n}}\n")  # fmt: skip  # noqa: E501
    return (f"module.exports = {{\n  {_camel(c.key)}: '{c.value}',\n  retries: 3,\n"
            f"  baseUrl: 'https://{c.host or 'api.internal'}',\n}};\n")  # fmt: skip


def c_go(rng: Random, c: Ctx) -> str:
    return (f"package config\n\n// {c.vendor} credentials for the sync job.\nconst {_class_name(c.env.lower())} = \"{c.value}\"\n\n"  # noqa: E501
            f"var Timeout = {rng.choice((10, 30))} * time.Second\n")  # fmt: skip


def c_docker(rng: Random, c: Ctx) -> str:
    base = rng.choice(("python:3.12-slim", "node:20-alpine", "golang:1.22", "debian:bookworm-slim"))
    return (f"FROM {base}\nWORKDIR /app\nCOPY . .\nENV {c.env}={c.value}\nENV PORT=8080\n"
            f"CMD [\"./start.sh\"]\n")  # fmt: skip


def c_actions(rng: Random, c: Ctx) -> str:
    return (f"name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
            f"    env:\n      {c.env}: {c.value}\n    steps:\n      - uses: actions/checkout@v4\n"
            f"      - run: make {rng.choice(('deploy', 'release', 'publish'))}\n")  # fmt: skip


def c_k8s(rng: Random, c: Ctx) -> str:
    name = re.sub(r"[^a-z0-9]+", "-", c.vendor.lower()).strip("-")
    return (f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}-credentials\n  namespace: "
            f"{rng.choice(('default', 'payments', 'platform'))}\ntype: Opaque\nstringData:\n  {c.env.lower()}: {c.value}\n")  # fmt: skip  # noqa: E501


def c_log(rng: Random, c: Ctx) -> str:
    svc = rng.choice(SERVICES)
    ts = _ts(rng)
    if c.header and rng.random() < 0.5:
        return (f"{ts} DEBUG [{svc}] -> GET https://{c.host}/v1/status\n{ts} DEBUG [{svc}] request headers: "
                f"{{'User-Agent': 'python-requests/2.32', '{c.header.format(v=c.value).split(': ', 1)[0]}': "
                f"'{c.header.format(v=c.value).split(': ', 1)[1]}'}}\n{ts} WARN  [{svc}] <- 401 Unauthorized\n")  # fmt: skip  # noqa: E501
    return (f"{ts} INFO  [{svc}] starting worker pid={rng.randint(1000, 65000)}\n"
            f"{ts} DEBUG [{svc}] loaded config: {c.env}={c.value}\n{ts} ERROR [{svc}] {c.vendor} call failed: 403\n")  # fmt: skip  # noqa: E501


CHAT = (
    "hey, the {vendor} integration keeps failing with 401. this is the key I'm using: {value} — can you see what's wrong?",  # noqa: E501
    "Can you check why this doesn't work? I set {env} to {value} but the deploy still says unauthorized.",
    "ok here's the {vendor} token for the staging account, please don't paste it anywhere public: {value}",
    "I rotated the {vendor} credentials this morning, new one is\n{value}\nupdate your local .env please",
    "Hallo, unser {vendor}-Zugang geht nicht mehr. Der Schlüssel ist {value} – kannst du das prüfen?",
    "Salut, la clé {vendor} ne marche plus depuis hier : {value}. Tu peux regarder ?",
    "Hola, ¿me ayudas? La clave de {vendor} que uso es {value} y devuelve 403.",
    "{vendor} のキーが通らないので確認お願いします：{value}",
)  # fmt: skip


def c_chat(rng: Random, c: Ctx) -> str:
    return rng.choice(CHAT).format(vendor=c.vendor, env=c.env, value=c.value)


def c_email(rng: Random, c: Ctx) -> str:
    return (f"Subject: {c.vendor} credentials for {rng.choice(('staging', 'production', 'the new project'))}\n\n"
            f"Hi {rng.choice(FIRST_EN)},\n\nas discussed, here is the {c.vendor} key for the integration:\n\n"
            f"    {c.value}\n\nPlease put it into the password manager and delete this mail.\n\n"
            f"Best,\n{_name(rng)}\n{rng.choice(COMPANIES)}\n")  # fmt: skip


def c_ticket(rng: Random, c: Ctx) -> str:
    return (f"Ticket #{rng.randint(10000, 99999)} [{c.vendor} integration]\nPriority: {rng.choice(('high', 'normal'))}\n"  # noqa: E501
            f"Customer: {rng.choice(COMPANIES)}\n\nDescription:\nSince we rotated our key the nightly sync fails. "
            f"The key configured in the dashboard is {c.value} and the error is 401 Unauthorized. "
            f"Please advise.\n")  # fmt: skip


def c_prompt(rng: Random, c: Ctx) -> str:
    return (f"Why does this return 401? I'm sure the key is right.\n\n```python\nimport os\n"
            f"os.environ[\"{c.env}\"] = \"{c.value}\"\nclient = {_class_name(c.vendor)}Client()\n"
            f"print(client.list_{rng.choice(('projects', 'users', 'invoices', 'events'))}())\n```")  # fmt: skip


SECRET_CARRIERS: dict[str, Carrier] = {
    "env": c_env, "export": c_export, "yaml": c_yaml, "json": c_json, "toml": c_toml, "curl": c_curl,
    "python": c_python, "js": c_js, "go": c_go, "dockerfile": c_docker, "actions": c_actions, "k8s": c_k8s,
    "log": c_log, "chat": c_chat, "email": c_email, "ticket": c_ticket, "prompt": c_prompt,
}  # fmt: skip


def url_carrier(rng: Random, c: Ctx) -> str:
    """Webhook URLs and URL-borne tokens travel as URLs."""
    form = rng.randrange(4)
    if c.value.startswith("http"):
        if form == 0:
            return (f"curl -X POST -H 'Content-type: application/json' --data "
                    f"'{{\"text\":\"deploy of {rng.choice(SERVICES)} finished\"}}' {c.value}")  # fmt: skip
        if form == 1:
            return f"{c.env}={c.value}\n" + "\n".join(rng.sample(ENV_FILLER, 3)) + "\n"
        if form == 2:
            return f"notifications:\n  on_failure:\n    webhook: {c.value}\n  on_success: false\n"
        return f"post the alerts here pls: {c.value}"
    # telegram bot token inside the API URL
    if form < 2:
        return (f"curl -s \"https://api.telegram.org/bot{c.value}/sendMessage\" -d chat_id={rng.randint(10**8, 10**10)} "  # noqa: E501
                f"-d text=\"backup finished\"")  # fmt: skip
    return SECRET_CARRIERS[rng.choice(("env", "python", "chat", "yaml"))](rng, c)


def _escaped(pem: str) -> str:
    return pem.replace("\n", "\\n")


def private_key_row(rng: Random) -> tuple[str, str, str]:
    pem, kind = make_private_key(rng)
    form = rng.randrange(6)
    if form == 0:
        path = {"openssh": "~/.ssh/id_ed25519", "rsa": "~/.ssh/id_rsa", "ec": "certs/server.key"}.get(kind, "key.pem")
        return f"$ cat {path}\n{pem}\n$ ", pem, kind
    if form == 1:
        return f"here's the deploy key for the build box, add it to the agent:\n\n{pem}\n\nthanks!", pem, kind
    if form == 2:
        value = _escaped(pem)
        project = rng.choice(("acme-prod-3821", "northwind-data", "lumen-ml-training"))
        doc = {"type": "service_account", "project_id": project, "private_key_id": rand(rng, HEX, 40),
               "private_key": "@@KEY@@", "client_email": f"{rng.choice(SERVICES)}@{project}.iam.gserviceaccount.com",
               "client_id": digits(rng, 21), "token_uri": "https://oauth2.googleapis.com/token"}  # fmt: skip
        return json.dumps(doc, indent=2).replace("@@KEY@@", value), value, kind + "_json"
    if form == 3:
        value = _escaped(pem)
        return f'APP_ENV=production\nJWT_PRIVATE_KEY="{value}"\nJWT_TTL=3600\n', value, kind + "_env"
    if form == 4:
        return (f"Why does paramiko say 'not a valid key'? This is the file:\n\n```\n{pem}\n```\n"
                "I generated it yesterday on the server.", pem, kind)  # fmt: skip
    return f"ssl_certificate /etc/nginx/tls/site.crt;\n# key below, copy to /etc/nginx/tls/site.key\n{pem}\n", pem, kind


def jwt_row(rng: Random) -> tuple[str, str, str]:
    tok, alg = make_jwt(rng)
    form = rng.randrange(6)
    host = rng.choice(("api.acme-corp.io", "orders.northwind.app", "localhost:3000", "gateway.lumenlabs.dev"))
    texts = (
        f"curl -H \"Authorization: Bearer {tok}\" https://{host}/v1/orders?limit=20",
        f"GET /api/profile HTTP/1.1\nHost: {host}\nCookie: session={tok}; theme=dark\nAccept: application/json\n",
        f"{_ts(rng)} WARN auth: token expired for request id={rand(rng, HEX, 12)} token={tok}",
        f"localStorage.setItem('access_token', '{tok}');\nwindow.location.href = '/dashboard';",
        f"this token expires after a few minutes, is that normal? {tok}",
        f"headers = {{\n    \"Authorization\": \"Bearer {tok}\",\n    \"Content-Type\": \"application/json\",\n}}\n"
        f"r = requests.post(\"https://{host}/graphql\", headers=headers, json=query)",
    )  # fmt: skip
    return texts[form], tok, alg


def connection_string_row(rng: Random) -> tuple[str, str, str]:
    cs, kind = make_connection_string(rng)
    form = rng.randrange(6)
    texts = (
        f"DATABASE_URL={cs}\nPOOL_SIZE=10\nDEBUG=false\n",
        f"from sqlalchemy import create_engine\n\nengine = create_engine(\"{cs}\", pool_pre_ping=True)\n",
        f"services:\n  app:\n    image: acme/app:latest\n    environment:\n      - DATABASE_URL={cs}\n"
        f"    ports:\n      - \"8080:8080\"\n",
        json.dumps({"ConnectionStrings": {"Default": cs}, "Logging": {"LogLevel": {"Default": "Warning"}}}, indent=2),
        f"{_ts(rng)} INFO db: connecting to {cs}\n{_ts(rng)} ERROR db: connection refused",
        f"can someone check if the replica is up? I'm using {cs} and it times out",
    )  # fmt: skip
    return texts[form], cs, kind


def generic_key_row(rng: Random) -> tuple[str, str, str]:
    value, kind = make_generic_value(rng)
    name = rng.choice(GENERIC_KEY_NAMES)
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", name).replace("-", "_").lower().replace("__", "_")
    form = rng.randrange(8)
    texts = (
        f"# internal billing service\n{snake} = \"{value}\"\nBASE_URL = \"https://billing.internal\"\n",
        f"{snake.upper()}={value}\nSERVICE_URL=https://reports.internal\n",
        json.dumps({"endpoint": "https://partner.acme-corp.io/v2", name: value, "timeout": 30}, indent=2),
        f"partner:\n  endpoint: https://partner.acme-corp.io/v2\n  {snake}: {value}\n",
        f"const {_camel(snake)} = '{value}';\nconst client = createClient({{ {_camel(snake)} }});\n",
        f"[partner]\nurl = https://partner.acme-corp.io\n{snake} = {value}\n",
        f"<?php\ndefine('{snake.upper()}', '{value}');\n$client = new PartnerClient({snake.upper()});\n",
        f"the {snake} for the partner API is {value}, use it for the import script",
    )  # fmt: skip
    return texts[form], value, f"{kind}_{('py', 'env', 'json', 'yaml', 'js', 'ini', 'php', 'chat')[form]}"


def bearer_row(rng: Random) -> tuple[str, str, str]:
    tok, kind = make_bearer(rng)
    host = rng.choice(("api.acme-corp.io", "internal-gw.northwind.app", "10.4.2.17:8443", "partner.lumenlabs.dev"))
    form = rng.randrange(5)
    texts = (
        f"curl -sS -H 'Authorization: Bearer {tok}' https://{host}/v2/reports/daily",
        f"POST /v1/jobs HTTP/1.1\nHost: {host}\nAuthorization: Bearer {tok}\nContent-Type: application/json\n\n{{\"job\": \"sync\"}}",  # noqa: E501
        f"const res = await fetch('https://{host}/v1/me', {{\n  headers: {{ Authorization: 'Bearer {tok}' }},\n}});",
        f"{_ts(rng)} DEBUG outgoing request: GET https://{host}/v1/items headers={{'Authorization': 'Bearer {tok}'}}",
        f"session = requests.Session()\nsession.headers['Authorization'] = 'Bearer {tok}'\nsession.get('https://{host}/health')",
    )  # fmt: skip
    return texts[form], tok, kind


GENERIC_ROWS: dict[str, Callable[[Random], tuple[str, str, str]]] = {
    "private_key": private_key_row, "jwt": jwt_row, "connection_string": connection_string_row,
    "generic_api_key": generic_key_row, "bearer_token": bearer_row,
}  # fmt: skip

URL_FAMILIES = frozenset({"slack_webhook", "discord_webhook", "teams_webhook", "telegram"})


def variant_overrides(fam: SecretFamily, variant: str) -> dict[str, str]:
    """Some variants live under another variable or header than their family's default."""
    return {
        ("aws", "secret_access_key"): {"env": "AWS_SECRET_ACCESS_KEY", "key": "aws_secret_access_key", "header": ""},
        ("datadog", "application_key"): {"env": "DD_APP_KEY", "key": "app_key", "header": "DD-APPLICATION-KEY: {v}"},
        ("cloudflare", "global_api_key"): {"env": "CLOUDFLARE_API_KEY", "key": "api_key", "header": "X-Auth-Key: {v}"},
        ("cloudflare", "origin_ca_key"): {"env": "CF_ORIGIN_CA_KEY", "key": "origin_ca_key",
                                          "header": "X-Auth-User-Service-Key: {v}"},
        ("newrelic", "license_key"): {"env": "NEW_RELIC_LICENSE_KEY", "key": "license_key", "header": "X-License-Key: {v}"},  # noqa: E501
        ("stripe", "webhook_secret"): {"env": "STRIPE_WEBHOOK_SECRET", "key": "webhook_secret", "header": ""},
        ("onepassword", "account_secret_key"): {"env": "OP_SECRET_KEY", "key": "secret_key", "header": ""},
        ("google_oauth", "access_token"): {"env": "GOOGLE_ACCESS_TOKEN", "key": "access_token"},
    }.get((fam.name, variant), {})  # fmt: skip


def build_secrets(limit: int | None = None) -> list[Row]:
    rows: list[Row] = []
    for fam in VENDOR_FAMILIES:
        rng = rng_for("secret." + fam.name)
        names = [n for n in SECRET_CARRIERS if n != "curl" or fam.header or fam.name == "mapbox"]
        rng.shuffle(names)
        for i in range(min(SECRETS_PER_FAMILY, limit or SECRETS_PER_FAMILY)):
            value, variant = fam.make(rng)
            o = variant_overrides(fam, variant)
            shown = value
            if fam.name == "azure_storage":  # the key travels inside its connection string
                account = rng.choice(("acmedata", "nwbackups", "lumenml", "kestrelfiles"))
                shown = (f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={value};"
                         "EndpointSuffix=core.windows.net")  # fmt: skip
            ctx = Ctx(shown, fam.vendor, o.get("env", fam.env), o.get("key", fam.key), fam.host,
                      o.get("header", fam.header))  # fmt: skip
            if fam.name in URL_FAMILIES:
                text = url_carrier(rng, ctx)
            else:
                carrier = names[i % len(names)]
                if carrier == "curl" and not ctx.header and fam.name != "mapbox":
                    carrier = "env"
                text = SECRET_CARRIERS[carrier](rng, ctx)
            rows.append(Row(text, "secret", fam.name, "", f"{fam.name}/{variant}", value))
    for name, make in GENERIC_ROWS.items():
        rng = rng_for("secret." + name)
        for _ in range(min(SECRETS_PER_GENERIC, limit or SECRETS_PER_GENERIC)):
            text, value, variant = make(rng)
            rows.append(Row(text, "secret", name, "", f"{name}/{variant}", value))
    return rows


# ---------------------------------------------------------------------------------------------------
# personal data: names, places and carriers per language

NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {  # language -> (first names, last names)
    "en": (FIRST_EN, LAST_EN),
    "de": (("Lukas", "Anna", "Felix", "Lea", "Jonas", "Marie", "Paul", "Sophie", "Tobias", "Katrin"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Hoffmann", "Schäfer", "Koch")),
    "fr": (("Camille", "Louis", "Chloé", "Hugo", "Manon", "Jules", "Léa", "Nathan", "Inès", "Théo"),
           ("Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau")),
    "it": (("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Matteo", "Sara", "Andrea", "Elena", "Davide"),
           ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco")),
    "es": (("Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Alejandro", "Carmen", "Javier", "Elena", "Diego"),
           ("García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz")),
    "pt": (("Ana", "João", "Mariana", "Pedro", "Beatriz", "Lucas", "Juliana", "Rafael", "Camila", "Gabriel"),
           ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Rodrigues", "Almeida", "Nascimento", "Lima")),
    "nl": (("Daan", "Emma", "Sem", "Julia", "Lars", "Sanne", "Bram", "Fleur", "Thijs", "Noor"),
           ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos")),
    "hi": (("Aarav", "Priya", "Rohan", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rahul", "Neha"),
           ("Sharma", "Verma", "Gupta", "Iyer", "Reddy", "Nair", "Patel", "Singh", "Kumar", "Joshi")),
    "ja": (("翔太", "美咲", "大輔", "陽菜", "健太", "さくら", "拓也", "結衣"),
           ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村")),
    "zh": (("伟", "芳", "娜", "敏", "静", "磊", "洋", "婷"), ("王", "李", "张", "刘", "陈", "杨", "黄", "赵")),
    "ko": (("민준", "서연", "도윤", "지우", "하준", "서윤", "예준", "지민"), ("김", "이", "박", "최", "정", "강", "조", "윤")),  # noqa: E501
    "pl": (("Jakub", "Zuzanna", "Kacper", "Julia", "Szymon", "Maja", "Antoni", "Lena"),
           ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański")),
    "sv": (("Erik", "Elsa", "Lars", "Maja", "Oskar", "Astrid", "Nils", "Ebba"),
           ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson")),
}  # fmt: skip
CITIES = {"en": ("Leeds", "Denver", "Manchester", "Austin", "Toronto", "Brisbane"), "de": ("Köln", "Leipzig", "Bremen"),
          "fr": ("Lyon", "Nantes", "Lille"), "it": ("Torino", "Bologna", "Bari"), "es": ("Sevilla", "Valencia", "Bilbao"),  # noqa: E501
          "pt": ("Campinas", "Recife", "Curitiba"), "nl": ("Utrecht", "Eindhoven", "Groningen"), "hi": ("पुणे", "जयपुर", "लखनऊ"),  # noqa: E501
          "ja": ("横浜", "名古屋", "札幌"), "zh": ("杭州", "成都", "武汉"), "ko": ("부산", "대구", "인천"),
          "pl": ("Kraków", "Gdańsk", "Poznań"), "sv": ("Göteborg", "Malmö", "Uppsala")}  # fmt: skip


def person(rng: Random, lang: str) -> tuple[str, str, str]:
    first, last = rng.choice(NAMES[lang][0]), rng.choice(NAMES[lang][1])
    full = f"{last}{first}" if lang in ("zh", "ko") else f"{last} {first}" if lang == "ja" else f"{first} {last}"
    return first, last, full


def _date(rng: Random, lang: str) -> str:
    d, m = rng.randint(1, 28), rng.randint(1, 12)
    return {"en": f"{m}/{d}/2025", "de": f"{d:02d}.{m:02d}.2025", "ja": f"2025年{m}月{d}日", "zh": f"2025年{m}月{d}日",
            "ko": f"2025년 {m}월 {d}일", "sv": f"2025-{m:02d}-{d:02d}", "pl": f"{d:02d}.{m:02d}.2025"}.get(
        lang, f"{d:02d}/{m:02d}/2025")  # fmt: skip


# carriers: {label} {value} {first} {last} {name} {city} {n} {date} {key}
PII_TEMPLATES: dict[str, tuple[str, ...]] = {
    "en": (
        "Hi {first},\n\nCould you update my details before the next payroll run?\n{label}: {value}\n\nThanks,\n{name}",
        "Name: {name}\n{label}: {value}\nCity: {city}\nSubmitted: {date}",
        "[support] Ticket #{n} from {name}: I entered my {label} ({value}) on the signup form and it says invalid. Can you check?",  # noqa: E501
        "{first}: here you go, {label} {value} — send me the form when it's done",
        "name,{key},city\n{name},{value},{city}\n",
        "Please fill in this application for me. My name is {name}, {label}: {value}, I live in {city}.",
        "From: {name}\nSubject: Re: your account\n\nHello,\n\nas requested, my {label} is {value}.\n\nKind regards,\n{name}",  # noqa: E501
    ),
    "de": (
        "Hallo {first},\n\nkönnten Sie bitte meine Daten aktualisieren?\n{label}: {value}\n\nViele Grüße\n{name}",
        "Name: {name}\n{label}: {value}\nWohnort: {city}\nEingang: {date}",
        "Ticket #{n} – {name} schreibt: Beim Ausfüllen des Formulars wird die Angabe „{label}: {value}“ als ungültig angezeigt. Können Sie das prüfen?",  # noqa: E501
        "hey, hier die Angabe fürs Formular – {label}: {value}",
        "Bitte füll das Formular mit meinen Daten aus: Name {name}, {label} {value}, Wohnort {city}.",
        "Sehr geehrte Damen und Herren,\n\nanbei wie gewünscht die fehlende Angabe.\n{label}: {value}\n\nMit freundlichen Grüßen\n{name}",  # noqa: E501
    ),
    "fr": (
        "Bonjour {first},\n\npourriez-vous mettre à jour mon dossier ?\n{label} : {value}\n\nCordialement,\n{name}",
        "Nom : {name}\n{label} : {value}\nVille : {city}\nReçu le : {date}",
        "Ticket n° {n} – {name} écrit : le formulaire refuse ce que j'ai saisi ({label} : {value}). Pouvez-vous vérifier ?",  # noqa: E501
        "salut, voilà ce qu'il te faut pour le dossier – {label} : {value}",
        "Remplis ce formulaire avec mes informations : nom {name}, {label} {value}, ville {city}.",
        "Madame, Monsieur,\n\nveuillez trouver ci-dessous l'information demandée.\n{label} : {value}\n\nBien à vous,\n{name}",  # noqa: E501
    ),
    "it": (
        "Ciao {first},\n\npotresti aggiornare i miei dati?\n{label}: {value}\n\nGrazie,\n{name}",
        "Nome: {name}\n{label}: {value}\nCittà: {city}\nData: {date}",
        "Ticket n. {n} – {name} scrive: il modulo non accetta il dato inserito ({label}: {value}). Potete controllare?",
        "eccoti il dato per la pratica – {label}: {value}",
        "Compila questo modulo con i miei dati: nome {name}, {label} {value}, città {city}.",
        "Gentili signori,\n\ncome richiesto vi invio il dato mancante.\n{label}: {value}\n\nCordiali saluti,\n{name}",
    ),
    "es": (
        "Hola {first}:\n\n¿podrías actualizar mis datos?\n{label}: {value}\n\nGracias,\n{name}",
        "Nombre: {name}\n{label}: {value}\nCiudad: {city}\nFecha: {date}",
        "Ticket n.º {n} – {name} escribe: el formulario rechaza el dato que introduje ({label}: {value}). ¿Pueden revisarlo?",  # noqa: E501
        "te paso el dato para el trámite – {label}: {value}",
        "Rellena este formulario con mis datos: nombre {name}, {label} {value}, ciudad {city}.",
        "Estimados señores:\n\nles envío el dato que me pidieron.\n{label}: {value}\n\nUn saludo,\n{name}",
    ),
    "pt": (
        "Olá {first},\n\npode atualizar o meu cadastro?\n{label}: {value}\n\nObrigado,\n{name}",
        "Nome: {name}\n{label}: {value}\nCidade: {city}\nData: {date}",
        "Chamado #{n} – {name} escreveu: o formulário não aceita o dado informado ({label}: {value}). Podem verificar?",
        "segue o dado pro cadastro – {label}: {value}",
        "Preencha este formulário com meus dados: nome {name}, {label} {value}, cidade {city}.",
    ),
    "nl": (
        "Hoi {first},\n\nkun je mijn gegevens bijwerken?\n{label}: {value}\n\nGroeten,\n{name}",
        "Naam: {name}\n{label}: {value}\nWoonplaats: {city}\nDatum: {date}",
        "Ticket #{n} – {name} schrijft: het formulier accepteert mijn gegevens niet ({label}: {value}). Kunnen jullie dit nakijken?",  # noqa: E501
        "hier is het gegeven voor het formulier – {label}: {value}",
        "Vul dit formulier in met mijn gegevens: naam {name}, {label} {value}, woonplaats {city}.",
    ),
    "hi": (
        "नमस्ते {first} जी,\n\nकृपया मेरा KYC रिकॉर्ड अपडेट करें।\n{label}: {value}\n\nधन्यवाद,\n{name}",
        "नाम: {name}\n{label}: {value}\nशहर: {city}\nदिनांक: {date}",
        "Hi team, my {label} is {value}. Please update it in the HR portal. – {name}",
        "टिकट #{n}: ग्राहक {name} का {label} {value} सत्यापित नहीं हो रहा है, कृपया जाँच करें।",
        "bhai form bhar do please – naam {name}, {label} {value}, sheher {city}",
    ),
    "ja": (
        "{last}様\n\nお世話になっております。登録情報の変更をお願いいたします。\n{label}：{value}\n\nよろしくお願いいたします。\n{name}",
        "氏名：{name}\n{label}：{value}\n住所：{city}\n受付日：{date}",
        "すみません、{label}は{value}です。確認のうえご連絡ください。",
        "次の情報でフォームを埋めてください。名前 {name}、{label} {value}",
    ),
    "zh": (
        "您好，请帮我更新一下资料。\n{label}：{value}\n谢谢！——{name}",
        "姓名：{name}\n{label}：{value}\n城市：{city}\n日期：{date}",
        "客服你好，我的{label}是{value}，订单一直没有人联系我。",
        "请用我的信息填写这张表：姓名{name}，{label}{value}，城市{city}。",
    ),
    "ko": (
        "안녕하세요, {name}입니다. 회원 정보 변경 부탁드립니다.\n{label}: {value}\n감사합니다.",
        "성명: {name}\n{label}: {value}\n도시: {city}\n접수일: {date}",
        "문의드립니다. {label} {value} 로 등록했는데 오류가 납니다. 확인 부탁드려요.",
        "이 양식을 제 정보로 채워 주세요. 이름 {name}, {label} {value}, 도시 {city}.",
    ),
    "pl": (
        "Cześć {first},\n\nczy możesz zaktualizować moje dane?\n{label}: {value}\n\nPozdrawiam,\n{name}",
        "Imię i nazwisko: {name}\n{label}: {value}\nMiasto: {city}\nData: {date}",
        "Zgłoszenie #{n} – {name} pisze: formularz nie przyjmuje wpisanej wartości ({label}: {value}). Możecie sprawdzić?",  # noqa: E501
        "Wypełnij ten formularz moimi danymi: {name}, {label} {value}, miasto {city}.",
    ),
    "sv": (
        "Hej {first},\n\nkan du uppdatera mina uppgifter?\n{label}: {value}\n\nMvh\n{name}",
        "Namn: {name}\n{label}: {value}\nOrt: {city}\nDatum: {date}",
        "Ärende #{n} – {name} skriver: formuläret godtar inte uppgiften ({label}: {value}). Kan ni kolla?",
        "Fyll i formuläret med mina uppgifter: namn {name}, {label} {value}, ort {city}.",
    ),
}  # fmt: skip

LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "email": {"en": ("email", "e-mail address"), "de": ("E-Mail", "E-Mail-Adresse"), "fr": ("e-mail", "adresse e-mail"),
              "it": ("email", "indirizzo email"), "es": ("correo electrónico", "email"), "pt": ("e-mail",),
              "nl": ("e-mailadres",), "hi": ("ईमेल",), "ja": ("メールアドレス",), "zh": ("邮箱",), "ko": ("이메일",),
              "pl": ("e-mail",), "sv": ("e-post",)},
    "phone": {"en": ("phone", "mobile", "tel."), "de": ("Telefon", "Handy", "Mobilnummer"), "fr": ("téléphone", "portable"),  # noqa: E501
              "it": ("cellulare", "telefono"), "es": ("teléfono", "móvil"), "pt": ("telefone", "celular"),
              "nl": ("telefoonnummer", "mobiel"), "hi": ("मोबाइल नंबर", "phone"), "ja": ("電話番号", "携帯"),
              "zh": ("手机号", "电话"), "ko": ("전화번호", "휴대폰"), "pl": ("telefon",), "sv": ("telefonnummer", "mobil")},  # noqa: E501
    "credit_card": {"en": ("card number", "credit card"), "de": ("Kartennummer", "Kreditkarte"), "fr": ("numéro de carte",),  # noqa: E501
                    "it": ("numero della carta",), "es": ("número de tarjeta",), "pt": ("número do cartão",),
                    "nl": ("kaartnummer",), "hi": ("card number",), "ja": ("カード番号",), "zh": ("卡号",), "ko": ("카드번호",),  # noqa: E501
                    "pl": ("numer karty",), "sv": ("kortnummer",)},
    "iban": {lang: ("IBAN",) for lang in PII_TEMPLATES},
    "ip_address": {"en": ("IP address", "IP"), "de": ("IP-Adresse",), "fr": ("adresse IP",), "es": ("dirección IP",),
                   "ja": ("IPアドレス",), "pt": ("endereço IP",), "it": ("indirizzo IP",), "nl": ("IP-adres",)},
    "date_of_birth": {"en": ("date of birth", "DOB", "born"), "de": ("Geburtsdatum", "geboren am"),
                      "fr": ("date de naissance", "né le"), "it": ("data di nascita", "nato il"),
                      "es": ("fecha de nacimiento",), "pt": ("data de nascimento",), "nl": ("geboortedatum",),
                      "hi": ("जन्म तिथि", "DOB"), "ja": ("生年月日",), "zh": ("出生日期",), "ko": ("생년월일",),
                      "pl": ("data urodzenia",), "sv": ("födelsedatum",)},
    "postal_address": {"en": ("address", "shipping address", "home address"), "de": ("Adresse", "Anschrift"),
                       "fr": ("adresse", "adresse postale"), "it": ("indirizzo",), "es": ("dirección", "domicilio"),
                       "pt": ("endereço",), "nl": ("adres",), "hi": ("पता", "address"), "ja": ("住所",), "zh": ("地址",),  # noqa: E501
                       "ko": ("주소",), "pl": ("adres",), "sv": ("adress",)},
    "passport": {"en": ("passport number", "passport no."), "de": ("Reisepassnummer", "Passnummer"),
                 "fr": ("numéro de passeport",), "it": ("numero di passaporto",), "es": ("número de pasaporte",),
                 "pt": ("número do passaporte",), "nl": ("paspoortnummer",), "hi": ("पासपोर्ट नंबर", "passport no."),
                 "ja": ("旅券番号", "パスポート番号"), "zh": ("护照号码",), "ko": ("여권번호",)},
    "driving_licence": {"en": ("driver's license number", "driving licence number", "DL no."),
                        "de": ("Führerscheinnummer",), "fr": ("numéro de permis de conduire",),
                        "nl": ("rijbewijsnummer",), "hi": ("ड्राइविंग लाइसेंस नंबर", "DL no."), "ja": ("運転免許証番号",)},
}  # fmt: skip
JSON_KEYS = {"email": "email", "phone": "phone", "credit_card": "card_number", "iban": "iban", "ip_address": "ip",
             "date_of_birth": "date_of_birth", "postal_address": "address", "passport": "passport_no",
             "driving_licence": "license_no"}  # fmt: skip
COUNTRY_LANG = {"US": "en", "GB": "en", "CA": "en", "AU": "en", "IE": "en", "IN": "hi", "DE": "de", "AT": "de",
                "CH": "de", "FR": "fr", "BE": "fr", "IT": "it", "ES": "es", "MX": "es", "BR": "pt", "PT": "pt",
                "NL": "nl", "PL": "pl", "SE": "sv", "JP": "ja", "CN": "zh", "KR": "ko"}  # fmt: skip


def pii_text(rng: Random, lang: str, label: str, value: str, key: str) -> str:
    first, last, full = person(rng, lang)
    template = rng.choice(PII_TEMPLATES[lang])
    if lang == "en" and template.startswith("name,"):
        return template.format(key=key, name=full, value=value, city=rng.choice(CITIES[lang]))
    return template.format(label=label, value=value, first=first, last=last, name=full, city=rng.choice(CITIES[lang]),
                           n=rng.randint(10000, 99999), date=_date(rng, lang), key=key)  # fmt: skip


def json_record(rng: Random, lang: str, key: str, value: str) -> str:
    _, _, full = person(rng, lang)
    doc = {"id": rng.randint(1000, 99999), "name": full, key: value, "created_at": _ts(rng)}
    return json.dumps(doc, ensure_ascii=False, indent=rng.choice((None, 2)))


# ---------------------------------------------------------------------------------------------------
# personal-data values

PhoneType = phonenumbers.PhoneNumberType
PHONE_COUNTRIES = ("US", "GB", "DE", "FR", "IT", "ES", "BR", "IN", "NL", "JP", "CN", "KR", "PL", "SE", "AU", "MX",
                   "CH", "CA")  # fmt: skip


def make_phone(rng: Random, region: str) -> tuple[str, str]:
    """A number valid for `region` by libphonenumber's metadata, written the way people of that country do."""
    kind = rng.choice((PhoneType.MOBILE, PhoneType.MOBILE, PhoneType.FIXED_LINE))
    example = phonenumbers.example_number_for_type(region, kind)
    nsn = phonenumbers.national_significant_number(example)
    for _ in range(10_000):
        keep = rng.randint(1, 3)
        cand = nsn[:keep] + "".join(rng.choice(DIGITS) for _ in range(len(nsn) - keep))
        num = phonenumbers.parse(f"+{example.country_code}{cand}")
        if (phonenumbers.is_valid_number(num) and phonenumbers.region_code_for_number(num) == region
                and "555" not in cand[3:6] and "0000" not in cand and "1234" not in cand):  # fmt: skip
            break
    else:  # pragma: no cover - the metadata always has valid numbers
        raise RuntimeError(f"no valid number for {region}")
    fmt = rng.choice(("intl", "intl", "national", "national", "e164"))
    if fmt == "intl":
        text = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    elif fmt == "national":
        text = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.NATIONAL)
    else:
        text = phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    kind_name = "mobile" if kind == PhoneType.MOBILE else "fixed"
    return text, f"{kind_name}_{fmt}"


ROMAN = {"hi": ("aarav.sharma", "priya.verma", "rohan.gupta", "ananya.iyer", "vikram.reddy", "neha.joshi"),
         "ja": ("shota.sato", "misaki.suzuki", "daisuke.takahashi", "hina.tanaka", "kenta.ito"),
         "zh": ("wang.wei", "li.fang", "zhang.na", "liu.min", "chen.jing", "yang.lei"),
         "ko": ("kim.minjun", "lee.seoyeon", "park.doyun", "choi.jiwoo", "jung.hajun")}  # fmt: skip
MAIL_DOMAINS = {"en": ("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "hotmail.co.uk"),
                "de": ("web.de", "gmx.de", "t-online.de", "posteo.de"), "fr": ("orange.fr", "free.fr", "laposte.net"),
                "it": ("libero.it", "virgilio.it", "tiscali.it"), "es": ("telefonica.net", "hotmail.es", "yahoo.es"),
                "pt": ("uol.com.br", "bol.com.br", "terra.com.br"), "nl": ("ziggo.nl", "kpnmail.nl", "xs4all.nl"),
                "hi": ("rediffmail.com", "gmail.com", "yahoo.co.in"), "ja": ("yahoo.co.jp", "docomo.ne.jp", "gmail.com"),  # noqa: E501
                "zh": ("qq.com", "163.com", "126.com"), "ko": ("naver.com", "daum.net", "kakao.com"),
                "pl": ("wp.pl", "onet.pl", "o2.pl"), "sv": ("telia.com", "bredband.net", "spray.se")}  # fmt: skip


def ascii_fold(s: str) -> str:
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", s) if c.isascii()).lower().replace(" ", "")


def make_email(rng: Random, lang: str) -> tuple[str, str]:
    if lang in ROMAN:
        local = rng.choice(ROMAN[lang])
    else:
        first, last = rng.choice(NAMES[lang][0]), rng.choice(NAMES[lang][1])
        local = rng.choice((f"{ascii_fold(first)}.{ascii_fold(last)}", f"{ascii_fold(first)[0]}{ascii_fold(last)}",
                            f"{ascii_fold(first)}{ascii_fold(last)[:3]}"))  # fmt: skip
    if rng.random() < 0.4:
        local += str(rng.randint(2, 99))
    return f"{local}@{rng.choice(MAIL_DOMAINS[lang])}", "personal"


CARD_BRANDS = (("visa", ("4",), 16), ("mastercard", ("51", "52", "53", "54", "55", "2221", "2720"), 16),
               ("amex", ("34", "37"), 15), ("discover", ("6011", "65"), 16), ("jcb", ("3528", "3566", "3589"), 16),
               ("unionpay", ("62",), 16))  # fmt: skip


def make_card(rng: Random) -> tuple[str, str]:
    brand, prefixes, length = rng.choice(CARD_BRANDS)
    prefix = rng.choice(prefixes)
    body = prefix + digits(rng, length - 1 - len(prefix))
    number = body + luhn_check_digit(body)
    style = rng.choice(("spaced", "spaced", "dashed", "plain"))
    groups = (
        [number[:4], number[4:10], number[10:]] if brand == "amex" else [number[i : i + 4] for i in range(0, 16, 4)]
    )
    sep = {"spaced": " ", "dashed": "-", "plain": ""}[style]
    return sep.join(groups), f"{brand}_{style}"


def _bban(rng: Random, country: str) -> str:
    if country == "DE":
        return digits(rng, 8) + digits(rng, 10)
    if country == "FR":
        bank, branch, account = digits(rng, 5), digits(rng, 5), digits(rng, 11)
        return bank + branch + account + fr_rib_key(bank, branch, account)
    if country == "GB":
        return rng.choice(("NWBK", "BARC", "LOYD", "HBUK", "MIDL")) + digits(rng, 6) + digits(rng, 8)
    if country == "IT":
        return rng.choice(UPPER) + digits(rng, 5) + digits(rng, 5) + digits(rng, 12)
    if country == "ES":
        bank, branch, account = digits(rng, 4), digits(rng, 4), digits(rng, 10)
        return bank + branch + es_ccc_digits(bank, branch, account) + account
    if country == "NL":
        return rng.choice(("ABNA", "RABO", "INGB", "TRIO", "SNSB")) + digits(rng, 10)
    if country == "BE":
        first = digits(rng, 10)
        return first + f"{int(first) % 97 or 97:02d}"
    if country == "CH":
        return digits(rng, 5) + digits(rng, 12)
    if country == "AT":
        return digits(rng, 5) + digits(rng, 11)
    if country == "PL":
        return digits(rng, 24)
    if country == "SE":
        return digits(rng, 20)
    if country == "PT":
        return digits(rng, 21)
    raise ValueError(country)


IBAN_COUNTRIES = ("DE", "FR", "GB", "IT", "ES", "NL", "BE", "CH", "AT", "PL", "SE", "PT")


def make_iban(rng: Random, country: str) -> tuple[str, str]:
    bban = _bban(rng, country)
    iban = country + iban_check_digits(country, bban) + bban
    if rng.random() < 0.6:
        return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4)), "grouped"
    return iban, "compact"


PUBLIC_FIRST_OCTETS = (24, 31, 37, 46, 50, 62, 66, 68, 71, 73, 77, 79, 81, 84, 85, 88, 91, 93, 94, 98, 104, 109, 151,
                       176, 178, 185, 188, 193, 195, 212, 213, 217)  # fmt: skip


def make_ip(rng: Random) -> tuple[str, str]:
    if rng.random() < 0.75:
        return (f"{rng.choice(PUBLIC_FIRST_OCTETS)}.{rng.randint(1, 254)}.{rng.randint(0, 255)}."
                f"{rng.randint(2, 254)}", "ipv4")  # fmt: skip
    head = rng.choice(("2a02", "2a01", "2600", "2001:16b8", "2003", "2a00"))
    groups = [format(rng.randint(0x100, 0xFFFF), "x") for _ in range(8 - head.count(":") - 1)]
    if rng.random() < 0.5:
        return head + ":" + ":".join(groups), "ipv6"
    return f"{head}:{groups[0]}:{groups[1]}::{groups[-1]}", "ipv6_compressed"


MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November",
           "Dezember"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
           "décembre"),
    "it": ("gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre",
           "novembre", "dicembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
           "novembro", "dezembro"),
}  # fmt: skip


def make_dob(rng: Random, lang: str, country: str) -> tuple[str, str]:
    y, m, d = rng.randint(1942, 2006), rng.randint(1, 12), rng.randint(1, 28)
    styles: dict[str, tuple[str, ...]] = {
        "en": ((f"{m:02d}/{d:02d}/{y}", f"{MONTHS['en'][m - 1]} {d}, {y}", f"{y}-{m:02d}-{d:02d}") if country == "US"
               else (f"{d:02d}/{m:02d}/{y}", f"{d} {MONTHS['en'][m - 1]} {y}", f"{y}-{m:02d}-{d:02d}")),
        "de": (f"{d:02d}.{m:02d}.{y}", f"{d}. {MONTHS['de'][m - 1]} {y}"),
        "fr": (f"{d:02d}/{m:02d}/{y}", f"{d} {MONTHS['fr'][m - 1]} {y}"),
        "it": (f"{d:02d}/{m:02d}/{y}", f"{d} {MONTHS['it'][m - 1]} {y}"),
        "es": (f"{d:02d}/{m:02d}/{y}", f"{d} de {MONTHS['es'][m - 1]} de {y}"),
        "pt": (f"{d:02d}/{m:02d}/{y}", f"{d} de {MONTHS['pt'][m - 1]} de {y}"),
        "nl": (f"{d:02d}-{m:02d}-{y}",), "pl": (f"{d:02d}.{m:02d}.{y}",), "sv": (f"{y}-{m:02d}-{d:02d}",),
        "hi": (f"{d:02d}/{m:02d}/{y}", f"{d:02d}-{m:02d}-{y}"),
        "ja": (f"{y}年{m}月{d}日", f"{y}/{m:02d}/{d:02d}"), "zh": (f"{y}年{m}月{d}日", f"{y}-{m:02d}-{d:02d}"),
        "ko": (f"{y}년 {m}월 {d}일", f"{y}.{m:02d}.{d:02d}"),
    }  # fmt: skip
    options = styles[lang]
    i = rng.randrange(len(options))
    return options[i], f"style{i}"


STREETS = {
    "US": ("Maple Avenue", "Oak Street", "Cedar Lane", "Washington Boulevard", "Lakeview Drive", "Pine Street"),
    "GB": ("High Street", "Church Road", "Station Road", "Victoria Road", "Mill Lane", "Park Avenue"),
    "DE": ("Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Lindenweg", "Schillerstraße", "Am Markt"),
    "FR": ("rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Pasteur", "rue des Lilas"),
    "IT": ("Via Roma", "Via Garibaldi", "Corso Vittorio Emanuele", "Via Mazzini", "Via Dante"),
    "ES": ("Calle Mayor", "Avenida de la Constitución", "Calle Real", "Paseo de Gracia", "Calle del Sol"),
    "NL": ("Dorpsstraat", "Kerkstraat", "Molenweg", "Stationsweg", "Schoolstraat"),
    "BR": ("Rua das Flores", "Avenida Brasil", "Rua São João", "Rua Sete de Setembro", "Avenida Paulista"),
    "IN": ("MG Road", "Station Road", "Nehru Nagar", "Gandhi Marg", "Lake View Colony"),
    "CA": ("King Street West", "Maple Crescent", "Queen Street East", "Birch Avenue"),
    "AU": ("George Street", "Beach Road", "Wattle Avenue", "Victoria Parade"),
}  # fmt: skip
PLACES = {
    "US": (("Springfield", "IL", "627"), ("Denver", "CO", "802"), ("Austin", "TX", "787"), ("Portland", "OR", "972"),
           ("Columbus", "OH", "432")),
    "GB": (("Leeds", "LS"), ("Manchester", "M"), ("Bristol", "BS"), ("Norwich", "NR"), ("Cardiff", "CF")),
    "DE": (("Köln", "50"), ("Leipzig", "04"), ("Bremen", "28"), ("München", "80"), ("Hamburg", "22")),
    "FR": (("Lyon", "69"), ("Nantes", "44"), ("Lille", "59"), ("Toulouse", "31"), ("Bordeaux", "33")),
    "IT": (("Torino", "101", "TO"), ("Bologna", "401", "BO"), ("Bari", "701", "BA"), ("Firenze", "501", "FI")),
    "ES": (("Sevilla", "41"), ("Valencia", "46"), ("Bilbao", "48"), ("Zaragoza", "50")),
    "NL": (("Utrecht", "35"), ("Eindhoven", "56"), ("Groningen", "97"), ("Haarlem", "20")),
    "BR": (("Campinas", "SP", "130"), ("Recife", "PE", "500"), ("Curitiba", "PR", "800"), ("Salvador", "BA", "400")),
    "IN": (("Pune", "Maharashtra", "411"), ("Jaipur", "Rajasthan", "302"), ("Lucknow", "Uttar Pradesh", "226")),
    "CA": (("Ottawa", "ON", "K1"), ("Calgary", "AB", "T2"), ("Halifax", "NS", "B3")),
    "AU": (("Brisbane", "QLD", "40"), ("Geelong", "VIC", "32"), ("Newcastle", "NSW", "23")),
}  # fmt: skip
JP_ADDR = (("東京都", "世田谷区", "桜新町"), ("大阪府", "大阪市北区", "梅田"), ("神奈川県", "横浜市中区", "山下町"),
           ("愛知県", "名古屋市中村区", "名駅"), ("北海道", "札幌市中央区", "大通西"))  # fmt: skip
CN_ADDR = (("浙江省", "杭州市", "西湖区", "文三路"), ("四川省", "成都市", "武侯区", "人民南路"), ("湖北省", "武汉市", "洪山区", "珞喻路"),  # noqa: E501
           ("广东省", "深圳市", "南山区", "科技园路"))  # fmt: skip
KR_ADDR = (
    ("서울특별시", "강남구", "테헤란로"),
    ("부산광역시", "해운대구", "센텀중앙로"),
    ("인천광역시", "연수구", "컨벤시아대로"),
)
ADDRESS_COUNTRIES = ("US", "GB", "DE", "FR", "IT", "ES", "NL", "BR", "IN", "CA", "AU", "JP", "CN", "KR")


def make_address(rng: Random, country: str) -> tuple[str, str]:
    n = rng.randint(2, 240)
    if country == "JP":
        pref, city, town = rng.choice(JP_ADDR)
        return (
            f"〒{rng.randint(100, 999)}-{rng.randint(1000, 9999)} {pref}{city}{town}{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}",  # noqa: E501
            "jp",
        )
    if country == "CN":
        prov, city, dist, road = rng.choice(CN_ADDR)
        return f"{prov}{city}{dist}{road}{n}号{rng.randint(1, 30)}栋{rng.randint(101, 2508)}室", "cn"
    if country == "KR":
        city, gu, road = rng.choice(KR_ADDR)
        return f"{city} {gu} {road} {n}, {rng.randint(101, 1505)}호", "kr"
    street, place = rng.choice(STREETS[country]), rng.choice(PLACES[country])
    if country == "US":
        city, state, zip3 = place
        return f"{n * 7 + 100} {street}, {city}, {state} {zip3}{rng.randint(10, 99)}", "us"
    if country == "GB":
        city, area = place
        pc = f"{area}{rng.randint(1, 19)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"  # noqa: E501
        return f"{n} {street}, {city} {pc}", "gb"
    if country == "DE":
        city, pre = place
        return f"{street} {n}, {pre}{rng.randint(100, 999)} {city}", "de"
    if country == "FR":
        city, dep = place
        return f"{n} {street}, {dep}{rng.randint(0, 9)}{rng.randint(0, 9)}0 {city}", "fr"
    if country == "IT":
        city, cap, prov = place
        return f"{street} {n}, {cap}{rng.randint(10, 99)} {city} ({prov})", "it"
    if country == "ES":
        city, pre = place
        return (
            f"{street} {n}, {rng.randint(1, 8)}º {rng.choice('ABCD')}, {pre}{rng.randint(0, 9)}{rng.randint(10, 99)} {city}",  # noqa: E501
            "es",
        )
    if country == "NL":
        city, pre = place
        return (
            f"{street} {n}, {pre}{rng.randint(10, 99)} {rng.choice('ABCEGHJKLMNPRSTVWXZ')}{rng.choice('ABCEGHJKLMNPRSTVWXZ')} {city}",  # noqa: E501
            "nl",
        )
    if country == "BR":
        city, uf, cep = place
        return (
            f"{street}, {n} – Apto {rng.randint(11, 204)}, {city} – {uf}, {cep}{rng.randint(10, 99)}-{rng.randint(100, 999)}",  # noqa: E501
            "br",
        )
    if country == "IN":
        city, state, pin = place
        return (
            f"Flat {rng.randint(101, 904)}, {rng.choice(('Sai', 'Shanti', 'Green'))} Apartments, {street}, {city}, {state} {pin}{rng.randint(100, 999)}",  # noqa: E501
            "in",
        )
    if country == "CA":
        city, prov, fsa = place
        return (
            f"{n * 3 + 10} {street}, {city}, {prov} {fsa}{rng.choice('ABCEGHJKLMNPRSTVXY')} {rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVXY')}{rng.randint(1, 9)}",  # noqa: E501
            "ca",
        )
    city, state, pre = place
    return f"{n} {street}, {city} {state} {pre}{rng.randint(10, 99)}", "au"


def _birth(rng: Random, lo: int = 1945, hi: int = 2004) -> tuple[int, int, int]:
    return rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28)


def make_us_ssn(rng: Random) -> tuple[str, str]:
    while True:
        area, group, serial = rng.randint(1, 899), rng.randint(1, 99), rng.randint(1, 9999)
        if area != 666 and f"{area:03d}{group:02d}{serial:04d}" not in ("078051120", "219099999", "123456789"):
            break
    sep = rng.choice(("-", "-", "-", " "))
    return f"{area:03d}{sep}{group:02d}{sep}{serial:04d}", "dashed" if sep == "-" else "spaced"


NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"


def make_uk_nino(rng: Random) -> tuple[str, str]:
    while True:
        prefix = rng.choice(NINO_FIRST) + rng.choice(NINO_SECOND)
        if prefix not in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"):
            break
    d = digits(rng, 6)
    suffix = rng.choice("ABCD")
    if rng.random() < 0.5:
        return f"{prefix} {d[:2]} {d[2:4]} {d[4:]} {suffix}", "spaced"
    return f"{prefix}{d}{suffix}", "compact"


def make_de_steuer_id(rng: Random) -> tuple[str, str]:
    while True:
        pool = rng.sample(DIGITS, 9)  # nine distinct digits, one of which appears twice
        ten = [*pool, rng.choice(pool)]
        rng.shuffle(ten)
        if ten[0] != "0":
            break
    payload = "".join(ten)
    number = payload + steuer_id_check_digit(payload)
    if rng.random() < 0.4:
        return f"{number[:2]} {number[2:5]} {number[5:8]} {number[8:]}", "spaced"
    return number, "compact"


def make_fr_nir(rng: Random) -> tuple[str, str]:
    y, m, _ = _birth(rng)
    sex, dept = rng.choice("12"), rng.choice([f"{i:02d}" for i in range(1, 96) if i != 20])
    payload = f"{sex}{y % 100:02d}{m:02d}{dept}{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
    key = nir_key(payload)
    if rng.random() < 0.5:
        p = payload
        return f"{p[0]} {p[1:3]} {p[3:5]} {p[5:7]} {p[7:10]} {p[10:13]} {key}", "spaced"
    return payload + key, "compact"


IT_SURNAMES = ("Rossi", "Bianchi", "Esposito", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti",
               "De Luca", "Mancini", "Costa", "Giordano", "Lombardi")  # fmt: skip
IT_NAMES = (("Marco", "M"), ("Giulia", "F"), ("Luca", "M"), ("Francesca", "F"), ("Alessandro", "M"), ("Chiara", "F"),
            ("Matteo", "M"), ("Sara", "F"), ("Giovanni", "M"), ("Elena", "F"))  # fmt: skip
BELFIORE = ("H501", "F205", "F839", "L219", "G273", "A944", "D612", "L736", "D969", "A662")
CF_MONTHS = "ABCDEHLMPRST"


def _cf_part(word: str, is_name: bool) -> str:
    w = ascii_fold(word).upper().replace("'", "")
    cons = [c for c in w if c.isalpha() and c not in "AEIOU"]
    vows = [c for c in w if c in "AEIOU"]
    if is_name and len(cons) >= 4:
        cons = [cons[0], cons[2], cons[3]]
    return ("".join(cons + vows) + "XXX")[:3]


def make_it_codice_fiscale(rng: Random) -> tuple[str, str]:
    surname, (name, sex) = rng.choice(IT_SURNAMES), rng.choice(IT_NAMES)
    y, m, d = _birth(rng)
    day = d + (40 if sex == "F" else 0)
    payload = f"{_cf_part(surname, False)}{_cf_part(name, True)}{y % 100:02d}{CF_MONTHS[m - 1]}{day:02d}{rng.choice(BELFIORE)}"  # noqa: E501
    return payload + codice_fiscale_check_char(payload), "computed"


def make_es_dni(rng: Random) -> tuple[str, str]:
    n = rng.randint(10_000_000, 79_999_999)
    sep = rng.choice(("", "", "-"))
    return f"{n:08d}{sep}{dni_letter(n)}", "dashed" if sep else "compact"


def make_es_nie(rng: Random) -> tuple[str, str]:
    first = rng.choice("XYZ")
    body = rng.randint(0, 9_999_999)
    number = int(str("XYZ".index(first)) + f"{body:07d}")
    sep = rng.choice(("", "", "-"))
    return f"{first}{sep}{body:07d}{sep}{dni_letter(number)}", "dashed" if sep else "compact"


def make_in_aadhaar(rng: Random) -> tuple[str, str]:
    payload = str(rng.randint(2, 9)) + "".join(rng.choice(DIGITS) for _ in range(10))
    n = payload + verhoeff_check_digit(payload)
    if rng.random() < 0.7:
        return f"{n[:4]} {n[4:8]} {n[8:]}", "spaced"
    return n, "compact"


def make_in_pan(rng: Random) -> tuple[str, str]:
    surname = rng.choice(NAMES["hi"][1])
    return (f"{rand(rng, UPPER, 3)}P{surname[0]}{rng.randint(1, 9999):04d}{rng.choice(UPPER)}", "individual")


def make_br_cpf(rng: Random) -> tuple[str, str]:
    while True:
        payload = "".join(rng.choice(DIGITS) for _ in range(9))
        if len(set(payload)) > 1:
            break
    n = payload + cpf_check_digits(payload)
    if rng.random() < 0.75:
        return f"{n[:3]}.{n[3:6]}.{n[6:9]}-{n[9:]}", "formatted"
    return n, "compact"


def make_nl_bsn(rng: Random) -> tuple[str, str]:
    while True:
        payload = str(rng.randint(1, 6)) + "".join(rng.choice(DIGITS) for _ in range(7))
        check = bsn_check_digit(payload)
        if check is not None:
            break
    n = payload + check
    if rng.random() < 0.3:
        return f"{n[:4]}.{n[4:6]}.{n[6:]}", "dotted"
    return n, "compact"


CN_AREAS = ("110101", "110105", "310101", "310115", "440106", "440305", "510107", "330106", "420111", "320102")


def make_cn_resident_id(rng: Random) -> tuple[str, str]:
    y, m, d = _birth(rng)
    payload = f"{rng.choice(CN_AREAS)}{y}{m:02d}{d:02d}{rng.randint(10, 999):03d}"
    return payload + cn_id_check_char(payload), "18_digit"


def make_kr_rrn(rng: Random) -> tuple[str, str]:
    y, m, d = _birth(rng, 1950, 2005)
    sex = rng.choice("12") if y < 2000 else rng.choice("34")
    payload = f"{y % 100:02d}{m:02d}{d:02d}{sex}{rng.randint(0, 99999):05d}"
    n = payload + kr_rrn_check_digit(payload)
    return f"{n[:6]}-{n[6:]}", "dashed"


def make_jp_my_number(rng: Random) -> tuple[str, str]:
    payload = "".join(rng.choice(DIGITS) for _ in range(11))
    n = payload + my_number_check_digit(payload)
    if rng.random() < 0.5:
        return f"{n[:4]} {n[4:8]} {n[8:]}", "spaced"
    return n, "compact"


def make_pl_pesel(rng: Random) -> tuple[str, str]:
    y, m, d = _birth(rng, 1950, 2006)
    mm = m + (20 if y >= 2000 else 0)
    payload = f"{y % 100:02d}{mm:02d}{d:02d}{rng.randint(0, 9999):04d}"
    return payload + pesel_check_digit(payload), "compact"


def make_ca_sin(rng: Random) -> tuple[str, str]:
    payload = str(rng.randint(1, 7)) + "".join(rng.choice(DIGITS) for _ in range(7))
    n = payload + luhn_check_digit(payload)
    sep = rng.choice((" ", "-", ""))
    return sep.join((n[:3], n[3:6], n[6:])), {" ": "spaced", "-": "dashed", "": "compact"}[sep]


def make_ch_ahv(rng: Random) -> tuple[str, str]:
    payload = "756" + "".join(rng.choice(DIGITS) for _ in range(9))
    n = payload + ean13_check_digit(payload)
    return f"{n[:3]}.{n[3:7]}.{n[7:11]}.{n[11:]}", "dotted"


def make_se_personnummer(rng: Random) -> tuple[str, str]:
    y, m, d = _birth(rng)
    payload = f"{y % 100:02d}{m:02d}{d:02d}{rng.randint(0, 999):03d}"
    check = luhn_check_digit(payload)
    if rng.random() < 0.3:
        return f"{y}{m:02d}{d:02d}-{payload[6:]}{check}", "long"
    return f"{payload[:6]}-{payload[6:]}{check}", "short"


PASSPORT_COUNTRIES = ("US", "GB", "DE", "FR", "IT", "ES", "IN", "JP", "CN", "BR", "NL", "KR")
DE_PASS = "CFGHJKLMNPRTVWXYZ0123456789"


def make_passport(rng: Random, country: str) -> tuple[str, str]:
    if country == "US":
        return (rng.choice("ACEFGHJKLMNPRSTUVWXYZ") + digits(rng, 8), "us_next_gen") if rng.random() < 0.5 else (
            str(rng.randint(1, 9)) + digits(rng, 8), "us_numeric")  # fmt: skip
    if country == "GB":
        return str(rng.randint(1, 9)) + digits(rng, 8), "gb"
    if country == "DE":
        return rng.choice("CFGHJK") + rand(rng, DE_PASS, 8), "de"
    if country == "FR":
        return f"{rng.randint(10, 99)}{rand(rng, UPPER, 2)}{digits(rng, 5)}", "fr"
    if country == "IT":
        return f"{rand(rng, UPPER, 2)}{digits(rng, 7)}", "it"
    if country == "ES":
        return f"{rand(rng, UPPER, 3)}{digits(rng, 6)}", "es"
    if country == "IN":
        return f"{rng.choice('ABCDEFGHJKLMNPRSTUVWZ')}{rng.randint(1, 9)}{digits(rng, 6)}", "in"
    if country == "JP":
        return f"{rng.choice(('TK', 'TR', 'MZ', 'TZ', 'RE'))}{digits(rng, 7)}", "jp"
    if country == "CN":
        return f"E{rng.choice(UPPER.replace('I', '').replace('O', ''))}{digits(rng, 7)}", "cn"
    if country == "BR":
        return f"{rand(rng, UPPER, 2)}{digits(rng, 6)}", "br"
    if country == "NL":
        return (
            f"{rand(rng, 'ABCDEFGHIJKLMNPRSTUVWXYZ', 2)}{rand(rng, 'ABCDEFGHIJKLMNPRSTUVWXYZ0123456789', 6)}{rng.randint(0, 9)}",  # noqa: E501
            "nl",
        )
    return f"M{digits(rng, 8)}", "kr"


LICENCE_COUNTRIES = ("GB", "US", "DE", "FR", "IN", "NL", "JP", "CA", "AU")


def make_driving_licence(rng: Random, country: str) -> tuple[str, str]:
    if country == "GB":  # DVLA: surname, decade, month (+5 for women), day, year, initials, check letters
        surname = rng.choice(LAST_EN).upper()
        y, m, d = _birth(rng)
        mm = m + (50 if rng.random() < 0.5 else 0)
        initials = rand(rng, UPPER, rng.choice((1, 2))).ljust(2, "9")
        return (f"{surname[:5].ljust(5, '9')}{str(y)[2]}{mm:02d}{d:02d}{str(y)[3]}{initials}9"
                f"{rand(rng, UPPER, 2)}", "gb_dvla")  # fmt: skip
    if country == "US":
        state = rng.choice(("CA", "NY", "FL", "TX", "IL"))
        if state == "CA":
            return rng.choice(UPPER) + digits(rng, 7), "us_ca"
        if state == "NY":
            return f"{digits(rng, 3)} {digits(rng, 3)} {digits(rng, 3)}", "us_ny"
        if state == "FL":
            return f"{rng.choice(UPPER)}{digits(rng, 3)}-{digits(rng, 3)}-{digits(rng, 2)}-{digits(rng, 3)}-0", "us_fl"
        if state == "TX":
            return str(rng.randint(1, 4)) + digits(rng, 7), "us_tx"
        return f"{rng.choice(UPPER)}{digits(rng, 3)}-{digits(rng, 4)}-{digits(rng, 4)}", "us_il"
    if country == "DE":
        return (
            f"{rng.choice(UPPER)}{digits(rng, 2)}{rand(rng, UPPER_ALNUM, 6)}{rng.randint(0, 9)}{rand(rng, UPPER_ALNUM, 1)}",  # noqa: E501
            "de",
        )
    if country == "FR":
        return digits(rng, 12), "fr"
    if country == "IN":
        state = rng.choice(("MH", "KA", "DL", "TN", "UP", "GJ"))
        return f"{state}{rng.randint(1, 50):02d} {rng.randint(1995, 2022)}{digits(rng, 7)}", "in"
    if country == "NL":
        return str(rng.randint(1, 9)) + digits(rng, 9), "nl"
    if country == "JP":
        return f"{rng.randint(10, 99)}{digits(rng, 10)}", "jp"
    if country == "CA":
        return f"{rng.choice(UPPER)}{digits(rng, 4)}-{digits(rng, 5)}-{digits(rng, 5)}", "ca_on"
    return digits(rng, rng.choice((8, 9))), "au"


ID_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "us_ssn": {"en": ("SSN", "Social Security number", "social security no.")},
    "uk_nino": {"en": ("National Insurance number", "NI number", "NINO")},
    "de_steuer_id": {"de": ("Steuer-ID", "Steueridentifikationsnummer", "steuerliche Identifikationsnummer", "IdNr.")},
    "fr_nir": {"fr": ("numéro de sécurité sociale", "NIR", "n° de sécu")},
    "it_codice_fiscale": {"it": ("codice fiscale", "C.F.")},
    "es_dni": {"es": ("DNI", "NIF")},
    "es_nie": {"es": ("NIE", "número de identidad de extranjero")},
    "in_aadhaar": {"hi": ("आधार नंबर", "Aadhaar number", "Aadhaar no."), "en": ("Aadhaar number", "Aadhaar")},
    "in_pan": {"hi": ("पैन नंबर", "PAN"), "en": ("PAN", "PAN card number")},
    "br_cpf": {"pt": ("CPF", "número do CPF")},
    "nl_bsn": {"nl": ("BSN", "burgerservicenummer")},
    "cn_resident_id": {"zh": ("身份证号", "身份证号码", "居民身份证号码")},
    "kr_rrn": {"ko": ("주민등록번호", "주민번호")},
    "jp_my_number": {"ja": ("マイナンバー", "個人番号")},
    "pl_pesel": {"pl": ("PESEL", "numer PESEL")},
    "ca_sin": {"en": ("SIN", "Social Insurance Number")},
    "ch_ahv": {"de": ("AHV-Nummer", "AHV-Nr."), "fr": ("numéro AVS",)},
    "se_personnummer": {"sv": ("personnummer",)},
}  # fmt: skip
ID_COUNTRY = {"us_ssn": "US", "uk_nino": "GB", "de_steuer_id": "DE", "fr_nir": "FR", "it_codice_fiscale": "IT",
              "es_dni": "ES", "es_nie": "ES", "in_aadhaar": "IN", "in_pan": "IN", "br_cpf": "BR", "nl_bsn": "NL",
              "cn_resident_id": "CN", "kr_rrn": "KR", "jp_my_number": "JP", "pl_pesel": "PL", "ca_sin": "CA",
              "ch_ahv": "CH", "se_personnummer": "SE"}  # fmt: skip
ID_JSON_KEYS = {"us_ssn": "ssn", "uk_nino": "ni_number", "de_steuer_id": "steuer_id", "fr_nir": "nir",
                "it_codice_fiscale": "codice_fiscale", "es_dni": "dni", "es_nie": "nie", "in_aadhaar": "aadhaar",
                "in_pan": "pan", "br_cpf": "cpf", "nl_bsn": "bsn", "cn_resident_id": "id_card_no", "kr_rrn": "rrn",
                "jp_my_number": "my_number", "pl_pesel": "pesel", "ca_sin": "sin", "ch_ahv": "ahv_nr",
                "se_personnummer": "personnummer"}  # fmt: skip
ID_MAKERS: dict[str, Callable[[Random], tuple[str, str]]] = {
    "us_ssn": make_us_ssn, "uk_nino": make_uk_nino, "de_steuer_id": make_de_steuer_id, "fr_nir": make_fr_nir,
    "it_codice_fiscale": make_it_codice_fiscale, "es_dni": make_es_dni, "es_nie": make_es_nie,
    "in_aadhaar": make_in_aadhaar, "in_pan": make_in_pan, "br_cpf": make_br_cpf, "nl_bsn": make_nl_bsn,
    "cn_resident_id": make_cn_resident_id, "kr_rrn": make_kr_rrn, "jp_my_number": make_jp_my_number,
    "pl_pesel": make_pl_pesel, "ca_sin": make_ca_sin, "ch_ahv": make_ch_ahv, "se_personnummer": make_se_personnummer,
}  # fmt: skip

# countries cycled through by the types that exist everywhere
CARD_COUNTRIES = ("US", "GB", "DE", "FR", "IT", "ES", "BR", "IN", "JP", "NL", "PL", "KR", "CN", "SE")
DOB_COUNTRIES = ("US", "GB", "DE", "FR", "IT", "ES", "BR", "NL", "IN", "JP", "CN", "KR", "PL", "SE")
IP_COUNTRIES = ("US", "GB", "DE", "FR", "ES", "JP", "BR", "IT", "NL")
EMAIL_COUNTRIES = ("US", "GB", "DE", "FR", "IT", "ES", "BR", "NL", "IN", "JP", "CN", "KR", "PL", "SE")


def ip_text(rng: Random, lang: str, label: str, value: str) -> str:
    form = rng.randrange(5)
    user = rng.choice(("mkowalski", "j.becker", "admin", "priya", "lucas.silva"))
    if form == 0:
        return (f"{_ts(rng)} sshd[{rng.randint(900, 9000)}]: Failed password for {user} from {value} port "
                f"{rng.randint(30000, 65000)} ssh2")  # fmt: skip
    if form == 1:
        return (f"{value} - {user} [{rng.randint(1, 28):02d}/Mar/2025:10:{rng.randint(10, 59)}:02 +0000] "
                f"\"GET /account/settings HTTP/1.1\" 200 {rng.randint(800, 9000)}")  # fmt: skip
    if form == 2 and lang == "en":
        return f"Hi, my home IP is {value} — can you add it to the VPN allowlist? Thanks, {_name(rng)}"
    return pii_text(rng, lang, label, value, "ip")


def email_text(rng: Random, lang: str, label: str, value: str) -> str:
    _, _, full = person(rng, lang)
    form = rng.randrange(5)
    if form == 0:
        return f"From: {full} <{value}>\nTo: support@{rng.choice(('acme-corp.io', 'northwind.app'))}\nSubject: order status\n\nHello, where is my parcel?"  # noqa: E501
    if form == 1 and lang == "en":
        return f"contact me at {value} if anything changes, I'm not on slack this week"
    return pii_text(rng, lang, label, value, "email")


def _labels(type_name: str, lang: str) -> tuple[str, ...]:
    if type_name in ID_LABELS:
        return ID_LABELS[type_name][lang]
    table = LABELS[type_name]
    return table.get(lang) or table["en"]


def _lang_for(rng: Random, type_name: str, country: str) -> str:
    if type_name in ID_LABELS:
        return rng.choice(tuple(ID_LABELS[type_name]))
    lang = COUNTRY_LANG[country]
    if lang not in LABELS.get(type_name, {lang: ()}):
        return "en"
    return lang


PiiSpec = tuple[str, int, tuple[str, ...]]  # type, rows, countries cycled


def pii_specs() -> list[PiiSpec]:
    specs: list[PiiSpec] = [
        ("email", EMAILS, EMAIL_COUNTRIES),
        ("phone", PHONES_PER_COUNTRY * len(PHONE_COUNTRIES), PHONE_COUNTRIES),
        ("credit_card", PII_PER_TYPE, CARD_COUNTRIES),
        ("iban", PII_PER_TYPE, IBAN_COUNTRIES),
    ]
    specs += [(name, PII_PER_TYPE, (ID_COUNTRY[name],)) for name in ID_MAKERS]
    specs += [
        ("passport", PII_PER_TYPE, PASSPORT_COUNTRIES),
        ("driving_licence", PII_PER_TYPE, LICENCE_COUNTRIES),
        ("date_of_birth", PII_PER_TYPE, DOB_COUNTRIES),
        ("postal_address", PII_PER_TYPE, ADDRESS_COUNTRIES),
        ("ip_address", PII_PER_TYPE, IP_COUNTRIES),
    ]
    return specs


def pii_value(rng: Random, type_name: str, country: str, lang: str) -> tuple[str, str]:
    if type_name in ID_MAKERS:
        return ID_MAKERS[type_name](rng)
    if type_name == "email":
        return make_email(rng, lang)
    if type_name == "phone":
        return make_phone(rng, country)
    if type_name == "credit_card":
        return make_card(rng)
    if type_name == "iban":
        return make_iban(rng, country)
    if type_name == "passport":
        return make_passport(rng, country)
    if type_name == "driving_licence":
        return make_driving_licence(rng, country)
    if type_name == "date_of_birth":
        return make_dob(rng, lang, country)
    if type_name == "postal_address":
        return make_address(rng, country)
    if type_name == "ip_address":
        return make_ip(rng)
    raise ValueError(type_name)


def build_pii(limit: int | None = None) -> list[Row]:
    rows: list[Row] = []
    for type_name, count, countries in pii_specs():
        rng = rng_for("pii." + type_name)
        for i in range(min(count, limit or count)):
            country = countries[i % len(countries)]
            lang = _lang_for(rng, type_name, country)
            if type_name == "email":  # an address reads the same everywhere; its carrier is in the country's language
                lang = COUNTRY_LANG[country]
            value, variant = pii_value(rng, type_name, country, lang)
            label = rng.choice(_labels(type_name, lang))
            key = JSON_KEYS.get(type_name) or ID_JSON_KEYS[type_name]
            if type_name == "ip_address":
                text = ip_text(rng, lang, label, value)
            elif type_name == "email":
                text = email_text(rng, lang, label, value)
            elif rng.random() < 0.12:
                text = json_record(rng, lang, key, value)
            else:
                text = pii_text(rng, lang, label, value, key)
            rows.append(Row(text, "pii", type_name, country, f"{type_name}/{country}/{variant}", value))
    return rows


# ---------------------------------------------------------------------------------------------------
# negatives: real code and prose, read where they lie

STDLIB = Path("/root/.pyenv/versions/3.11.7/lib/python3.11")
SITE = ROOT / ".venv" / "lib" / "python3.11" / "site-packages"
NPM = Path("/usr/lib/node_modules/npm")
KALAMINE = Path("/work/.mirror/OneDeadKey+kalamine-corpus/repo")
KALAMINE_COMMIT = "97a842c440ce85e6fd784c2dc96f53d528067b1d"
# pure-Python packages of the venv used for code, with the licence their metadata states
SITE_PACKAGES = {
    "anyio": "MIT", "click": "BSD-3-Clause", "filelock": "MIT", "fsspec": "BSD-3-Clause", "h11": "MIT",
    "httpcore2": "BSD-3-Clause", "httpx2": "BSD-3-Clause", "huggingface_hub": "Apache-2.0", "hypothesis": "MPL-2.0",
    "idna": "BSD-3-Clause", "iniconfig": "MIT", "packaging": "Apache-2.0 OR BSD-2-Clause", "pip/_internal": "MIT",
    "platformdirs": "MIT", "pluggy": "MIT", "_pytest": "MIT", "pygments": "BSD-2-Clause", "yaml": "MIT",
    "setuptools": "MIT", "sortedcontainers": "Apache-2.0", "tqdm": "MPL-2.0 AND MIT", "numpy": "BSD-3-Clause",
}  # fmt: skip
NPM_LICENCES = frozenset({"MIT", "ISC", "Apache-2.0", "BlueOak-1.0.0", "BSD-2-Clause", "BSD-3-Clause", "CC0-1.0"})
WIKIPEDIA = ("deu_wikipedia_2021_10K", "eng_wikipedia_2016_10K", "fra_wikipedia_2021_10K", "ita_wikipedia_2021_10K",
             "spa_wikipedia_2021_10K")  # fmt: skip
CODE_QUOTAS = {"cpython": 500, "site-packages": 350, "npm": 250}
PROSE_QUOTAS = {"gutenberg": 450, "wikipedia": 500, "npm-docs": 150}
TEST_DIR = re.compile(r"(^|/)(tests?|testing|idle_test|test_\w+|\w+_tests?|fixtures?|__pycache__|_vendor|vendor)(/|$)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
DROP = re.compile(r"PRIVATE KEY|BEGIN CERTIFICATE")


_MONTH_NAMES = "|".join(sorted({m for ms in MONTHS.values() for m in ms}, key=len, reverse=True))
BIRTH_WORD = re.compile(r"(?i)\b(born|n[ée]e?|nat[ao]|nacid[oa]|naci[óo]|geboren|na[iî]t|naquit)\b|\(\*\s?")
FULL_DATE = re.compile(
    rf"(?i)\b\d{{1,2}}(\.|º|er)?\s+(de\s+)?({_MONTH_NAMES})\s+(de\s+)?\d{{4}}\b"
    rf"|\b({_MONTH_NAMES})\s+\d{{1,2}},\s+\d{{4}}\b|\b\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}}\b"
)


def holds_birth_date(text: str) -> bool:
    """A person's full date of birth ("born 3 May 1950", "nata il 28 agosto 2016") is personal data: drop it."""
    return any(FULL_DATE.search(text, m.end(), m.end() + 30) for m in BIRTH_WORD.finditer(text))


def sources_available() -> bool:
    return STDLIB.is_dir() and SITE.is_dir() and NPM.is_dir() and KALAMINE.is_dir()


def keep_chunk(text: str) -> bool:
    """Personal data (an author's e-mail address in a header) and key material are dropped."""
    return (300 <= len(text) <= 1500 and not EMAIL.search(text) and not DROP.search(text)
            and not holds_birth_date(text))  # fmt: skip


def line_chunk(rng: Random, text: str) -> str | None:
    """A run of whole lines of about 300 to 1,500 characters from a random place in text."""
    lines = text.splitlines(keepends=True)
    if not lines:
        return None
    target = rng.randint(300, 1500)
    start = rng.randrange(len(lines))
    out: list[str] = []
    size = 0
    for line in lines[start:]:
        if size + len(line) > 1500:
            break
        out.append(line)
        size += len(line)
        if size >= target:
            break
    chunk = "".join(out).strip("\n")
    return chunk if keep_chunk(chunk) else None


def para_chunk(rng: Random, paragraphs: list[str]) -> str | None:
    """Consecutive paragraphs of about 300 to 1,500 characters."""
    if not paragraphs:
        return None
    target = rng.randint(300, 1500)
    start = rng.randrange(len(paragraphs))
    out: list[str] = []
    for para in paragraphs[start:]:
        if sum(len(p) + 2 for p in out) + len(para) > 1500:
            break
        out.append(para)
        if sum(len(p) + 2 for p in out) >= target:
            break
    chunk = "\n\n".join(out)
    return chunk if keep_chunk(chunk) else None


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return ""


def code_files() -> dict[str, list[tuple[str, Path]]]:
    """Source files per code source, as (family, path), sorted."""
    out: dict[str, list[tuple[str, Path]]] = {"cpython": [], "site-packages": [], "npm": []}
    for p in sorted(STDLIB.rglob("*.py")):
        rel = p.relative_to(STDLIB).as_posix()
        if rel.startswith(("site-packages/", "test/", "lib2to3/tests", "turtledemo/")) or TEST_DIR.search(rel):
            continue
        out["cpython"].append(("cpython-3.11-stdlib", p))
    for pkg in sorted(SITE_PACKAGES):
        for p in sorted((SITE / pkg).rglob("*.py")):
            rel = p.relative_to(SITE).as_posix()
            if TEST_DIR.search(rel):
                continue
            out["site-packages"].append((f"site-packages/{pkg.split('/')[0]}", p))
    for p in sorted((NPM / "lib").rglob("*.js")):
        out["npm"].append(("npm/lib", p))
    for pkg_json in sorted((NPM / "node_modules").glob("**/package.json")):
        pkg_dir = pkg_json.parent
        rel = pkg_dir.relative_to(NPM / "node_modules").as_posix()
        if "node_modules" in rel or TEST_DIR.search(rel):
            continue  # nested copies and test fixtures
        try:
            meta = json.loads(_read(pkg_json) or "{}")
        except json.JSONDecodeError:
            continue
        if meta.get("license") not in NPM_LICENCES or "name" not in meta:
            continue
        for p in sorted(pkg_dir.rglob("*.js")):
            r = p.relative_to(pkg_dir).as_posix()
            if "node_modules" in r or TEST_DIR.search(r) or p.name.endswith(".min.js"):
                continue
            out["npm"].append((f"npm/node_modules/{meta['name']}", p))
    return out


def sample_from_files(
    rng: Random, files: list[tuple[str, Path]], quota: int, per_file: int = 2
) -> list[tuple[str, str]]:
    order = list(files)
    rng.shuffle(order)
    got: list[tuple[str, str]] = []
    for family, path in order:
        text = _read(path)
        taken = 0
        for _ in range(per_file * 3):
            if taken >= per_file or len(got) >= quota:
                break
            chunk = line_chunk(rng, text)
            if chunk and chunk not in {c for _, c in got[-50:]}:
                got.append((family, chunk))
                taken += 1
        if len(got) >= quota:
            break
    return got


def _git_show(path: str) -> bytes:
    return subprocess.run(["git", "--git-dir", str(KALAMINE), "show", f"{KALAMINE_COMMIT}:{path}"],
                          check=True, capture_output=True).stdout  # fmt: skip


def gutenberg_paragraphs(name: str) -> list[str]:
    text = _git_show(f"corpus/gutenberg/{name}").decode("utf-8").replace("\r\n", "\n")
    start = re.search(r"^\*\*\* START OF.*$", text, re.M)
    end = re.search(r"^\*\*\* END OF.*$", text, re.M)
    body = text[start.end() if start else 0 : end.start() if end else len(text)]
    paras = [re.sub(r"[ \t]*\n[ \t]*", "\n", p).strip() for p in re.split(r"\n\s*\n", body)]
    return [p for p in paras if len(p) > 40]


def wikipedia_sentences(name: str) -> list[str]:
    raw = _git_show(f"corpus/leipzig/{name}.tar.gz")
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:gz") as tar:
        member = tar.extractfile(f"{name}/{name}-sentences.txt")
        assert member is not None
        lines = member.read().decode("utf-8").splitlines()
    return [ln.split("\t", 1)[1] for ln in lines if "\t" in ln]


def build_negatives(limit: int | None = None) -> list[Row]:
    rows: list[Row] = []
    files = code_files()
    for source, quota in CODE_QUOTAS.items():
        q = min(quota, limit or quota)
        for family, chunk in sample_from_files(rng_for("negative.code." + source), files[source], q):
            rows.append(Row(chunk, "negative", "code", "", family, ""))
    # prose: public-domain books (Project Gutenberg, five languages)
    books = sorted(p.split("/")[-1] for p in _git_show_tree("corpus/gutenberg") if p.endswith(".txt"))
    quota = min(PROSE_QUOTAS["gutenberg"], limit or PROSE_QUOTAS["gutenberg"])
    rng = rng_for("negative.prose.gutenberg")
    per_book = -(-quota // len(books))
    got = 0
    for book in books:
        paras = gutenberg_paragraphs(book)
        taken, tries = 0, 0
        while taken < per_book and got < quota and tries < per_book * 20:
            tries += 1
            chunk = para_chunk(rng, paras)
            if chunk:
                rows.append(Row(chunk, "negative", "prose", "", f"gutenberg/{book.removesuffix('.txt')}", ""))
                taken += 1
                got += 1
    # prose: Wikipedia sentences (Leipzig Corpora Collection, five languages), grouped into paragraphs
    quota = min(PROSE_QUOTAS["wikipedia"], limit or PROSE_QUOTAS["wikipedia"])
    rng = rng_for("negative.prose.wikipedia")
    per_lang = -(-quota // len(WIKIPEDIA))
    got = 0
    for name in WIKIPEDIA:
        sentences = wikipedia_sentences(name)
        taken = 0
        while taken < per_lang and got < quota:
            target = rng.randint(300, 1500)
            out: list[str] = []
            while sum(len(s) + 1 for s in out) < target:
                out.append(rng.choice(sentences))
            chunk = " ".join(out)
            while len(chunk) > 1500 and len(out) > 1:
                out.pop()
                chunk = " ".join(out)
            if keep_chunk(chunk):
                rows.append(Row(chunk, "negative", "prose", "", f"wikipedia-leipzig/{name.split('_')[0]}", ""))
                taken += 1
                got += 1
    # prose: npm's documentation (markdown, front matter dropped)
    quota = min(PROSE_QUOTAS["npm-docs"], limit or PROSE_QUOTAS["npm-docs"])
    rng = rng_for("negative.prose.npm-docs")
    docs = sorted((NPM / "docs" / "content").rglob("*.md"))
    rng.shuffle(docs)
    got = 0
    for doc in docs * 4:
        if got >= quota:
            break
        text = re.sub(r"\A---\n.*?\n---\n", "", _read(doc), flags=re.S)
        paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
        for _ in range(2):
            chunk = para_chunk(rng, paras)
            if chunk and got < quota:
                rows.append(Row(chunk, "negative", "prose", "", "npm-docs", ""))
                got += 1
    return rows


def _git_show_tree(path: str) -> list[str]:
    out = subprocess.run(["git", "--git-dir", str(KALAMINE), "ls-tree", "--name-only", KALAMINE_COMMIT, path + "/"],
                         check=True, capture_output=True, text=True).stdout  # fmt: skip
    return out.split()


# ---------------------------------------------------------------------------------------------------


def build(limit: int | None = None, negatives: bool = True) -> list[Row]:
    rows = build_secrets(limit) + build_pii(limit)
    if negatives:
        rows += build_negatives(limit)
    for r in rows:
        if r.kind != "negative" and r.value not in r.text:
            raise AssertionError(f"value not in text: {r.family} {r.value!r}")
    return rows


def write(rows: list[Row], out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "test.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(COLUMNS)
        for r in rows:
            w.writerow((r.text, r.kind, r.type, r.country, r.family, r.value))
    return path


def summary(rows: list[Row]) -> str:
    kinds = Counter(r.kind for r in rows)
    secret_types = {r.type for r in rows if r.kind == "secret"}
    vendor = secret_types - set(GENERIC_SECRET_TYPES)
    pii_types = {r.type for r in rows if r.kind == "pii"}
    countries = {r.country for r in rows if r.kind == "pii"}
    neg = Counter(r.type for r in rows if r.kind == "negative")
    return (f"{len(rows)} rows: {kinds['secret']} secrets ({len(vendor)} vendor families + "
            f"{len(secret_types & set(GENERIC_SECRET_TYPES))} generic kinds), {kinds['pii']} personal data "
            f"({len(pii_types)} types, {len(countries)} countries), {neg['code']} code and {neg['prose']} prose negatives")  # fmt: skip  # noqa: E501


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--limit", type=int, default=None, help="at most N rows per family, type and source (for tests)")
    ap.add_argument("--no-negatives", action="store_true", help="skip the code and prose read from this machine")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if not args.no_negatives and not sources_available():
        print("negative sources missing (see data/leaks/README.md); use --no-negatives", file=sys.stderr)
        return 2
    rows = build(args.limit, not args.no_negatives)
    path = write(rows, args.out)
    if not args.quiet:
        print(f"{path}: {summary(rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
