"""data/leaks: the secrets and personal-data test set is well formed and rebuilds exactly; the scorer counts right.

The set (packaging/build_leaks.py) measures issue 14's first target: recall on secrets and personal
data, false alarms on code and prose. The scorer (packaging/eval_leaks.py) is checked here on
hand-made rows with a stub scan, so these tests are fast and do not depend on the rules.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from collections import Counter
from pathlib import Path

import phonenumbers
import pytest

from engine.verdict import Finding

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "leaks" / "test.csv"
COLUMNS = ["text", "kind", "type", "country", "family", "value"]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gen():
    return _load("tierwall_build_leaks", ROOT / "packaging" / "build_leaks.py")


@pytest.fixture(scope="module")
def scorer():
    return _load("tierwall_eval_leaks", ROOT / "packaging" / "eval_leaks.py")


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    assert DATA.exists(), "run .venv/bin/python packaging/build_leaks.py"
    with DATA.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == COLUMNS
        return list(reader)


# ---------------------------------------------------------------------------------------------------
# the data file


def test_composition(rows, gen):
    kinds = Counter(r["kind"] for r in rows)
    assert set(kinds) == {"secret", "pii", "negative"}
    secret_types = {r["type"] for r in rows if r["kind"] == "secret"}
    vendor = secret_types - set(gen.GENERIC_SECRET_TYPES)
    assert len(vendor) >= 50
    assert set(gen.GENERIC_SECRET_TYPES) <= secret_types
    pii_types = {r["type"] for r in rows if r["kind"] == "pii"}
    assert len(pii_types) >= 15
    assert len({r["country"] for r in rows if r["kind"] == "pii"}) >= 10
    negatives = Counter(r["type"] for r in rows if r["kind"] == "negative")
    assert set(negatives) == {"code", "prose"}
    assert negatives["code"] >= 1000 and negatives["prose"] >= 1000
    assert 1500 <= kinds["secret"] + kinds["pii"] <= 3000


def test_rows_per_family_and_type(rows):
    per_secret = Counter(r["type"] for r in rows if r["kind"] == "secret")
    per_pii = Counter(r["type"] for r in rows if r["kind"] == "pii")
    assert min(per_secret.values()) >= 6
    assert min(per_pii.values()) >= 15


def test_every_value_is_in_its_text(rows):
    for r in rows:
        if r["kind"] == "negative":
            assert r["value"] == "" and r["country"] == ""
            assert 300 <= len(r["text"]) <= 1500
        else:
            assert r["value"] and r["value"] in r["text"], (r["family"], r["value"])
            assert (r["country"] != "") == (r["kind"] == "pii")


def test_secrets_are_not_placeholders(rows):
    for r in rows:
        if r["kind"] == "secret":
            low = r["value"].lower()
            assert "example" not in low and "xxxx" not in low and "your_" not in low, r["value"]


def test_negatives_hold_no_email_or_key_block(rows, gen):
    for r in rows:
        if r["kind"] == "negative":
            assert not gen.EMAIL.search(r["text"])
            assert "PRIVATE KEY" not in r["text"]


def test_personal_data_values_are_valid(rows, gen):
    """Every checksummed value in the file passes its own check, and every phone number is valid."""
    by_type: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        if r["kind"] == "pii":
            by_type.setdefault(r["type"], []).append(r)

    def compact(v: str) -> str:
        return v.replace(" ", "").replace("-", "").replace(".", "")

    for r in by_type["credit_card"]:
        assert gen.luhn_valid(compact(r["value"]))
    for r in by_type["iban"]:
        assert gen.iban_valid(r["value"])
    for r in by_type["in_aadhaar"]:
        assert gen.verhoeff_valid(compact(r["value"]))
    for r in by_type["de_steuer_id"]:
        v = compact(r["value"])
        assert gen.steuer_id_check_digit(v[:10]) == v[10]
    for r in by_type["br_cpf"]:
        v = compact(r["value"])
        assert gen.cpf_check_digits(v[:9]) == v[9:]
    for r in by_type["nl_bsn"]:
        assert gen.bsn_valid(compact(r["value"]))
    for r in by_type["fr_nir"]:
        v = compact(r["value"])
        assert gen.nir_key(v[:13]) == v[13:]
    for r in by_type["it_codice_fiscale"]:
        assert gen.codice_fiscale_check_char(r["value"][:15]) == r["value"][15]
    for r in by_type["es_dni"]:
        v = compact(r["value"])
        assert gen.dni_letter(int(v[:8])) == v[8]
    for r in by_type["ca_sin"]:
        assert gen.luhn_valid(compact(r["value"]))
    for r in by_type["ch_ahv"]:
        v = compact(r["value"])
        assert gen.ean13_check_digit(v[:12]) == v[12]
    for r in by_type["pl_pesel"]:
        assert gen.pesel_check_digit(r["value"][:10]) == r["value"][10]
    for r in by_type["cn_resident_id"]:
        assert gen.cn_id_check_char(r["value"][:17]) == r["value"][17]
    for r in by_type["jp_my_number"]:
        v = compact(r["value"])
        assert gen.my_number_check_digit(v[:11]) == v[11]
    for r in by_type["phone"]:
        num = phonenumbers.parse(r["value"], r["country"])
        assert phonenumbers.is_valid_number(num), r["value"]
        assert phonenumbers.region_code_for_number(num) == r["country"]


# ---------------------------------------------------------------------------------------------------
# the builder


@pytest.mark.parametrize(
    ("helper", "payload", "expected"),
    [
        ("luhn_check_digit", "7992739871", "3"),  # the textbook Luhn example 79927398713
        ("luhn_check_digit", "411111111111111", "1"),  # 4111 1111 1111 1111
        ("verhoeff_check_digit", "236", "3"),  # Verhoeff's own example 2363
        ("steuer_id_check_digit", "8609574271", "9"),  # 86095742719, the BZSt sample
        ("cpf_check_digits", "111444777", "35"),  # 111.444.777-35
        ("cpf_check_digits", "529982247", "25"),  # 529.982.247-25
        ("codice_fiscale_check_char", "RSSMRA85T10A562", "S"),  # RSSMRA85T10A562S
        ("pesel_check_digit", "4405140135", "9"),  # 44051401359
        ("cn_id_check_char", "11010519491231002", "X"),  # 11010519491231002X (GB 11643 example)
        ("my_number_check_digit", "12345678901", "8"),  # 123456789018
        ("ean13_check_digit", "756921707698", "5"),  # 756.9217.0769.85, the AHV example
        ("bsn_check_digit", "11122233", "3"),  # 111222333
        ("nir_key", "1840675123456", "41"),  # 97 - (1840675123456 mod 97)
    ],
)
def test_check_digits(gen, helper, payload, expected):
    assert getattr(gen, helper)(payload) == expected


def test_check_digit_helpers_on_other_schemes(gen):
    assert gen.iban_check_digits("DE", "370400440532013000") == "89"  # DE89 3704 0044 0532 0130 00
    assert gen.iban_check_digits("GB", "WEST12345698765432") == "82"  # GB82 WEST 1234 5698 7654 32
    assert gen.iban_valid("GB82 WEST 1234 5698 7654 32") and not gen.iban_valid("GB83 WEST 1234 5698 7654 32")
    assert gen.dni_letter(12345678) == "Z" and gen.dni_letter(1234567) == "L"  # 12345678Z, X1234567L
    assert gen.fr_rib_key("30006", "00001", "12345678901") == "89"  # FR76 3000 6000 0112 3456 7890 189
    assert gen.es_ccc_digits("2100", "0418", "0200051332") == "45"  # ES91 2100 0418 4502 0005 1332
    assert gen.verhoeff_valid("2363") and not gen.verhoeff_valid("2364")
    assert gen.luhn_valid("046454286")  # a Canadian SIN example
    assert gen.kr_rrn_check_digit("800101100001") == str(
        (11 - sum(int(d) * w for d, w in zip("800101100001", (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5), strict=True)) % 11)
        % 10
    )


def test_builder_is_deterministic(gen, tmp_path):
    negatives = gen.sources_available()
    args = ["--limit", "2", "--quiet"] + ([] if negatives else ["--no-negatives"])
    assert gen.main(["--out", str(tmp_path / "a"), *args]) == 0
    assert gen.main(["--out", str(tmp_path / "b"), *args]) == 0
    a, b = (tmp_path / "a" / "test.csv").read_bytes(), (tmp_path / "b" / "test.csv").read_bytes()
    assert a == b and len(a) > 10_000


def test_committed_positives_rebuild_exactly(gen, rows, tmp_path):
    """The secrets and personal data depend only on the script (and phonenumbers' locked metadata).

    The negatives are read from installed files (CPython, the venv's locked packages, npm, a fetched
    snapshot); the determinism test above covers them, a byte comparison would break on every upgrade.
    """
    assert gen.main(["--out", str(tmp_path), "--quiet", "--no-negatives"]) == 0
    with (tmp_path / "test.csv").open(encoding="utf-8", newline="") as fh:
        fresh = list(csv.DictReader(fh))
    committed = [r for r in rows if r["kind"] != "negative"]
    assert fresh == committed, "data/leaks/test.csv is stale: run .venv/bin/python packaging/build_leaks.py"


def test_birth_dates_are_recognised_for_dropping(gen):
    assert gen.holds_birth_date("La coppia ha una figlia, Summer, nata il 28 agosto 2016.")
    assert gen.holds_birth_date("Max Weber (* 21. April 1864 in Erfurt)")
    assert not gen.holds_birth_date("He was born in 1950 and moved to Lyon on 3 May 1970.")


# ---------------------------------------------------------------------------------------------------
# the scorer


def _stub(findings_by_text: dict[str, list[Finding]]):
    def scan(text: str):
        return findings_by_text.get(text, []), 0.5

    return scan


def test_scorer_counts_found_missed_and_false_alarm(scorer):
    found_text = "STRIPE_SECRET_KEY=sk_live_abc123def456ghi789jkl012"
    missed_text = "my Steuer-ID is 86095742719"
    alarm_text = "def handler(event):\n    return event['body']\n" * 8
    quiet_text = "It was the best of times, it was the worst of times. " * 8
    start = found_text.index("sk_live")
    findings = {
        found_text: [Finding("secret.stripe", "secret", "high", start, len(found_text), "stripe key")],
        # a pii finding elsewhere and a secret finding on the value: neither is the right category on the span
        missed_text: [
            Finding("pii.phone", "pii", "medium", 0, 2, "x"),
            Finding("secret.generic", "secret", "medium", 16, 27, "x"),
        ],
        alarm_text: [Finding("pii.phone", "pii", "low", 10, 20, "phone")],
        quiet_text: [Finding("secret.placeholder", "placeholder", "info", 0, 5, "placeholder seen")],
    }
    rows = [
        {"text": found_text, "kind": "secret", "type": "stripe", "country": "", "family": "stripe/sk_live",
         "value": found_text[start:]},
        {"text": missed_text, "kind": "pii", "type": "de_steuer_id", "country": "DE", "family": "de_steuer_id/DE",
         "value": "86095742719"},
        {"text": alarm_text, "kind": "negative", "type": "code", "country": "", "family": "cpython", "value": ""},
        {"text": quiet_text, "kind": "negative", "type": "prose", "country": "", "family": "gutenberg", "value": ""},
    ]  # fmt: skip
    summary, results = scorer.evaluate(rows, _stub(findings))
    assert [r.found for r in results[:2]] == [True, False]
    assert results[1].why_missed == "wrong_category"
    assert results[2].alarm_rules == ("pii.phone",) and results[3].alarm_rules == ()
    assert summary.totals["secret"] == {"n": 1, "found": 1, "recall": 1.0}
    assert summary.totals["pii"] == {"n": 1, "found": 0, "recall": 0.0}
    assert summary.false_alarms["code"] == {"n": 1, "alarms": 1, "rate": 1.0}
    assert summary.false_alarms["prose"] == {"n": 1, "alarms": 0, "rate": 0.0}
    assert summary.fp_rules == [("pii.phone", 1)]
    assert summary.ms_per_kb_p50 is not None and summary.ms_per_kb_p50 > 0
    text = scorer.render(summary)
    assert "stripe" in text and "de_steuer_id" in text and "false alarms code" in text


def test_scorer_needs_an_overlap_and_ignores_info_on_negatives(scorer):
    text = "token: ghp_abcdefghijklmnopqrstuvwxyz0123456789 and more text"
    value = text.split()[1]
    row = {"text": text, "kind": "secret", "type": "github", "country": "", "family": "github/ghp", "value": value}
    elsewhere = [Finding("secret.generic", "secret", "high", len(text) - 4, len(text), "x")]
    assert not scorer.score_row(row, _stub({text: elsewhere})).found
    placeholder = [Finding("secret.github", "placeholder", "info", 7, 7 + len(value), "x")]
    result = scorer.score_row(row, _stub({text: placeholder}))
    assert not result.found and result.why_missed == "placeholder"
    neg = {"text": text, "kind": "negative", "type": "code", "country": "", "family": "x", "value": ""}
    info_only = [Finding("secret.generic", "secret", "info", 0, 5, "x")]
    assert scorer.score_row(neg, _stub({text: info_only})).alarm_rules == ()


BLIND = ROOT / "data" / "leaks" / "blind.csv"


def test_the_blind_set_is_what_its_builder_writes_and_every_value_is_in_its_text(tmp_path):
    """data/leaks/blind.csv (written without reading the rules) is reproducible and well formed."""
    import subprocess

    out = tmp_path / "blind.csv"
    subprocess.run([sys.executable, str(ROOT / "packaging" / "build_leaks_blind.py"), "--out", str(out)],
                   check=True, capture_output=True)  # fmt: skip
    assert out.read_bytes() == BLIND.read_bytes()
    with BLIND.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 400 and {r["kind"] for r in rows} == {"secret", "pii"}
    assert all(r["value"] and r["value"] in r["text"] for r in rows)
    assert len({r["type"] for r in rows if r["kind"] == "pii"}) >= 15
    assert len({r["country"] for r in rows if r["kind"] == "pii"}) >= 10
