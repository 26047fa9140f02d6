"""The vendor key formats (assets/rules/vendor_secrets.toml, generated from gitleaks by
packaging/build_secret_rules.py), the keyword prefilter that keeps them cheap, and the vendor validator.

Every example of every rule also runs through the engine in tests/test_rules.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.normalize import normalize
from engine.rules import RuleError, RuleSet, load_rules
from engine.rules import matching as rules_module
from engine.validators import resolve_validator
from engine.validators.text_shape import shannon_entropy
from engine.validators.vendor_keys import is_vendor_placeholder
from engine.verdict import PLACEHOLDER

ROOT = Path(__file__).resolve().parents[1]
RULES_DIR = ROOT / "assets" / "rules"
VENDOR_FILE = RULES_DIR / "vendor_secrets.toml"
SCRIPT = ROOT / "packaging" / "build_secret_rules.py"
GITLEAKS_GIT = Path(os.environ.get("TIERWALL_GITLEAKS_GIT", ROOT.parent / ".mirror" / "gitleaks+gitleaks" / "repo"))


def _script():
    spec = importlib.util.spec_from_file_location("build_secret_rules", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


build = _script()
ALL_RULES = load_rules()
VENDOR = [r for r in ALL_RULES if r.source == VENDOR_FILE.name]
RULESET = RuleSet(ALL_RULES)
HAND_WRITTEN = RuleSet([r for r in ALL_RULES if r.source != VENDOR_FILE.name])
TEXT = VENDOR_FILE.read_text(encoding="utf-8")


def _ids(text: str, ruleset: RuleSet = RULESET) -> set[str]:
    return {f.rule for f in ruleset.match(normalize(text))}


# -- the generated file -----------------------------------------------------------------------------------------


@pytest.mark.skipif(not GITLEAKS_GIT.exists(), reason=f"no gitleaks git directory at {GITLEAKS_GIT}")
def test_generated_file_is_up_to_date_with_the_script_and_gitleaks():
    commit = build.header_field(TEXT, "source commit") or "HEAD"
    try:
        source = build.read_source(GITLEAKS_GIT, commit, None, None, "")
    except subprocess.CalledProcessError:
        pytest.skip(f"gitleaks commit {commit} is not in {GITLEAKS_GIT}")
    rebuilt = build.build(source)
    assert rebuilt.text == TEXT, "assets/rules/vendor_secrets.toml is stale: run packaging/build_secret_rules.py"
    assert (RULES_DIR / "LICENSE.gitleaks").read_text(encoding="utf-8") == source.license


def test_file_was_made_by_this_script_and_not_edited_by_hand():
    """Without the gitleaks sources at hand: the header's hashes of the rules and of the script still hold."""
    assert build.header_field(TEXT, "rules sha256") == hashlib.sha256(build.body_of(TEXT).encode()).hexdigest(), (
        "vendor_secrets.toml was edited by hand: change packaging/build_secret_rules.py and rebuild"
    )
    assert build.header_field(TEXT, "script sha256") == hashlib.sha256(SCRIPT.read_bytes()).hexdigest(), (
        "packaging/build_secret_rules.py changed since vendor_secrets.toml was made: rebuild it"
    )


def test_header_names_source_licence_and_what_was_left_out():
    head = TEXT[: TEXT.index(build.BODY_MARK)]
    assert "GENERATED FILE - do not edit by hand" in head
    assert "Copyright (c) 2019 Zachary Rice" in head and "MIT License" in head
    assert len(build.header_field(TEXT, "source commit") or "") == 40
    for gid, hand in build.DUPLICATES.items():
        assert f"#   {gid} -> {hand}\n" in head
    licence = (RULES_DIR / "LICENSE.gitleaks").read_text(encoding="utf-8")
    assert licence.startswith("MIT License") and "Copyright (c) 2019 Zachary Rice" in licence


# -- the rules --------------------------------------------------------------------------------------------------


def test_there_are_hundreds_of_vendor_rules():
    assert len(VENDOR) >= 150


@pytest.mark.parametrize("rule", VENDOR, ids=lambda r: r.id)
def test_vendor_rule_shape(rule):
    assert rule.id.startswith("secret.vendor.") and rule.category == "secret" and rule.view == "clean"
    assert rule.redact == "SECRET:" + rule.id.removeprefix("secret.vendor.")
    assert rule.keywords and all(k == k.lower() for k in rule.keywords)
    assert rule.validate is not None
    resolve_validator(rule.validate)
    assert rule.must_match and rule.must_not_match
    assert rule.severity in ("low", "medium", "high")


def test_rules_a_hand_written_rule_covers_are_not_converted():
    ids = {r.id for r in VENDOR}
    hand_ids = {r.id for r in ALL_RULES if r.source == "secrets.toml"}
    for gid, hand in build.DUPLICATES.items():
        assert build.ID_PREFIX + gid.replace("-", "_") not in ids
        assert hand in hand_ids


@pytest.mark.parametrize("rule", VENDOR, ids=lambda r: r.id)
def test_a_placeholder_value_is_an_info_finding_not_a_secret(rule):
    """Each rule has a must_not_match example whose value is a placeholder (dop_v1_xxxx…, dapi0000…): the
    engine says it saw one (an info finding) and reports no secret."""
    noted = []
    for example in rule.must_not_match:
        own = (rule.id, f"{rule.id}.{PLACEHOLDER}")
        found = [f for f in RULESET.match(normalize(example), merge=False) if f.rule in own]
        assert all(f.rule != rule.id for f in found)
        if found:
            assert all(f.severity == "info" and f.category == PLACEHOLDER and f.redact_as is None for f in found)
            noted.append(example)
    assert noted, f"{rule.id}: no must_not_match example is reported as a placeholder"


def test_a_vendor_finding_is_masked_with_its_label():
    rule = next(r for r in VENDOR if r.id == "secret.vendor.digitalocean_pat")
    text = rule.must_match[0]
    own = [f for f in RULESET.match(normalize(text), merge=False) if f.rule == rule.id]
    assert len(own) == 1 and own[0].redact_as == "SECRET:digitalocean_pat"
    assert text[own[0].start : own[0].end].startswith("dop_v1_")
    # reported once: where a hand-written prefix rule finds the same token, its finding stands for both
    reported = [f for f in RULESET.match(normalize(text)) if f.category == "secret"]
    assert len(reported) == 1 and reported[0].redact_as.startswith("SECRET:digitalocean")
    assert reported[0].start <= own[0].start and own[0].end <= reported[0].end


def test_the_generic_rule_leaves_a_value_to_its_vendor_rule():
    text = "ADAFRUIT_API_KEY=q7k2m9x4v8b3n6p1r5t0w2z8c4h7j9d3"
    assert "secret.generic" in _ids(text, HAND_WRITTEN)  # alone, the generic rule reports the value …
    ids = _ids(text)
    assert "secret.vendor.adafruit_api_key" in ids and "secret.generic" not in ids  # … here only its vendor rule


_OVERLAPPING = """
[[rule]]
id = "secret.a_vendor"
category = "secret"
severity = "high"
pattern = '''\\b(?P<v>tok_[0-9]{12})\\b'''
view = "clean"
keywords = ["tok_"]
redact = "SECRET:a"
explain = "test"

[[rule]]
id = "secret.b_vendor"
category = "secret"
severity = "medium"
pattern = '''tok_(?P<v>[0-9]{12})\\b'''
view = "clean"
keywords = ["tok"]
redact = "SECRET:b"
explain = "test"

[[rule]]
id = "pii.c_digits"
category = "pii"
severity = "medium"
pattern = '''\\b(?P<v>[0-9]{12})\\b'''
view = "clean"
redact = "DIGITS"
explain = "test"
"""


def test_one_value_is_one_finding_and_digits_inside_a_secret_are_not_personal_data(tmp_path):
    (tmp_path / "o.toml").write_text(_OVERLAPPING, encoding="utf-8")
    rules = RuleSet.load(tmp_path)
    assert _ids("id xtok_481516234200", rules) == {"secret.b_vendor"}  # alone, the weaker rule reports it
    found = rules.match(normalize("the token is tok_481516234200, rotate it"))
    assert [f.rule for f in found] == ["secret.a_vendor"]  # the stronger vendor rule; no digits-as-pii finding
    alone = rules.match(normalize("call 481516234200"))
    assert [f.rule for f in alone] == ["pii.c_digits"]  # outside a secret the digits are reported as before


# -- the keyword prefilter --------------------------------------------------------------------------------------

_KEYED = """
[[rule]]
id = "secret.test_zebra"
category = "secret"
severity = "high"
pattern = '''\\b(?P<v>ZX[0-9]{6})\\b'''
view = "clean"
keywords = ["Zebra", "add  key"]
redact = "SECRET:zebra"
explain = "test"

[[rule]]
id = "secret.test_plain"
category = "secret"
severity = "high"
pattern = '''\\b(?P<v>QY[0-9]{6})\\b'''
view = "clean"
redact = "SECRET:plain"
explain = "test"
"""


@pytest.fixture(scope="module")
def keyed(tmp_path_factory) -> RuleSet:
    directory = tmp_path_factory.mktemp("keyed")
    (directory / "k.toml").write_text(_KEYED, encoding="utf-8")
    return RuleSet.load(directory)


@pytest.mark.parametrize("pad", [0, 1100], ids=["set", "long"])
def test_keyword_rule_runs_only_where_a_keyword_occurs(keyed, pad, monkeypatch):
    if pad:  # text longer than the set takes: the keywords come from the Aho–Corasick pass
        monkeypatch.setattr(rules_module, "SET_PREFILTER_MAX_BYTES", 1024)
    filler = ("Lorem ipsum dolor sit amet. " * (pad // 28 + 1))[:pad] + " "
    assert "secret.test_zebra" not in _ids(filler + "code ZX123456 here", keyed)  # pattern alone: no
    assert "secret.test_zebra" in _ids(filler + "zebra code ZX123456", keyed)
    assert "secret.test_zebra" in _ids(filler + "ZeBrA code ZX123456", keyed)  # any case
    assert "secret.test_zebra" in _ids(filler + "ZX123456 <ADD\t KEY>", keyed)  # keyword after, any whitespace
    assert "secret.test_plain" in _ids(filler + "code QY123456 here", keyed)  # no keywords: as before


def _rules_run(ruleset: RuleSet, text: str, monkeypatch: pytest.MonkeyPatch) -> tuple[list[str], set[str]]:
    """The rules that ran their own pattern over `text`, and the rules that found something."""
    ran: list[str] = []
    run = RuleSet._run

    def spy(self, entry, data, text, budget):
        ran.append(entry.rule.id)
        return run(self, entry, data, text, budget)

    with monkeypatch.context() as patch:
        patch.setattr(RuleSet, "_run", spy)
        found = _ids(text, ruleset)
    return ran, found


def test_the_set_lets_only_matching_rules_run_on_long_text(keyed, monkeypatch):
    filler = "Lorem ipsum dolor sit amet. " * 1000  # 28 KB
    assert _rules_run(keyed, filler, monkeypatch) == ([], set())
    ran, found = _rules_run(keyed, filler + "code QY123456 here", monkeypatch)
    assert ran == ["secret.test_plain"]
    assert found == {"secret.test_plain"}


def test_a_set_that_did_not_get_through_the_text_lets_every_rule_run(keyed, monkeypatch):
    """RE2's set answers nothing at all when its DFA runs out of memory: an answer without the end-of-text
    pattern is not trusted, and every rule runs on its own (keyword rules where a keyword occurs)."""
    text = "Lorem ipsum dolor sit amet. zebra code ZX123456 and code QY123456"
    monkeypatch.setattr(keyed, "_set_done", {view: -1 for view in keyed._set_done})
    ran, found = _rules_run(keyed, text, monkeypatch)
    assert sorted(ran) == ["secret.test_plain", "secret.test_zebra"]
    assert found == {"secret.test_plain", "secret.test_zebra"}
    ran, found = _rules_run(keyed, "Lorem ipsum dolor sit amet.", monkeypatch)
    assert ran == ["secret.test_plain"]  # every plain rule, no keyword rule
    assert found == set()


def test_a_keyword_rule_is_compiled_when_its_keyword_first_occurs_and_a_bad_one_is_named(tmp_path):
    (tmp_path / "late.toml").write_text(_KEYED.replace("ZX[0-9]{6}", "ZX(?<=1)[0-9]{6}"), encoding="utf-8")
    rules = RuleSet.load(tmp_path)  # loads: keyword rules are compiled on first use
    assert rules.match(normalize("code QY123456 here"))  # no keyword: the bad rule never runs
    with pytest.raises(RuleError, match=r"late\.toml.*secret\.test_zebra"):
        rules.match(normalize("zebra code ZX123456"))
    with pytest.raises(RuleError, match=r"late\.toml.*secret\.test_zebra"):
        rules.compile_all()


def test_every_shipped_pattern_compiles():
    assert RULESET.compile_all() == sum(1 for r in RULESET.rules if r.pattern)


def test_keyword_in_a_decoded_view_lets_the_rule_run_there(keyed):
    import base64

    blob = base64.b64encode(b"zebra token ZX654321 in a payload").decode()
    assert "secret.test_zebra" in _ids(f"data: {blob}", keyed)


def test_keywords_are_stored_lower_case_with_single_spaces(keyed):
    assert keyed.by_id("secret.test_zebra").keywords == ("zebra", "add key")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("keywords = []\n", "keywords"),
        ('keywords = ["a"]\n', "keywords"),
        ('keywords = "zebra"\n', "keywords"),
        ("keywords = [1]\n", "keywords"),
        ('validate = "vendor:abc"\n', "validator"),
        ('validate = "vendor:9"\n', "validator"),
        ('validate = "vendor:3:bogus"\n', "validator"),
        ('validate = "luhn:3"\n', "validator"),
    ],
)
def test_bad_keywords_and_validators_are_rejected(tmp_path, extra, message):
    rule = '[[rule]]\nid = "x.k"\ncategory = "secret"\nseverity = "high"\nexplain = "e"\npattern = "a"\n'
    (tmp_path / "bad.toml").write_text(rule + extra, encoding="utf-8")
    with pytest.raises(RuleError, match=message):
        RuleSet.load(tmp_path)


def test_keywords_need_a_pattern(tmp_path):
    rule = '[[rule]]\nid = "x.p"\ncategory = "injection"\nseverity = "high"\nexplain = "e"\nphrases = ["ab cd"]\n'
    (tmp_path / "bad.toml").write_text(rule + 'keywords = ["ab"]\n', encoding="utf-8")
    with pytest.raises(RuleError, match="keywords"):
        RuleSet.load(tmp_path)


def test_match_is_thread_safe():
    texts = [r.must_match[0] for r in VENDOR[:40]] + [("filler text " * 900) + r.must_match[-1] for r in VENDOR[:8]]
    expected = [sorted((f.rule, f.start, f.end) for f in RULESET.match(normalize(t))) for t in texts]
    errors: list[str] = []

    def work(offset: int) -> None:
        for k in range(len(texts)):
            i = (k + offset) % len(texts)
            got = sorted((f.rule, f.start, f.end) for f in RULESET.match(normalize(texts[i])))
            if got != expected[i]:
                errors.append(texts[i][:40])

    threads = [threading.Thread(target=work, args=(n * 7,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


# -- the vendor validator ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["dop_v1_" + "x" * 64, "dapi" + "0" * 32, "0" * 32 + "-us00", "FLWSECK_TEST-" + "0" * 32 + "-X",
     "your_api_key_here", "sk_live_XXXXXXXXXXXXXXXXXXXXXXXX", "${ADAFRUIT_KEY}", "abcdefghijklmnopqrstuvwxyz",
     "1234567890123456"],
)  # fmt: skip
def test_vendor_placeholders(value):
    validate, placeholder = resolve_validator("vendor")
    assert not validate(value, "")
    assert placeholder is not None and placeholder(value, "")
    assert is_vendor_placeholder(value)


@pytest.mark.parametrize(
    "value",
    ["dop_v1_4f3a9c2e7b1d8e6a0c5f2b9d3e7a1c4f8b2d6e0a9c3f7b1e5d8a2c6f0b4e9d3a",
     "AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAAA0%2BuSeid7Qy3Kf9", "ntn_4187203956137Xq9Lm2Vb7Tz1Rc5Wd8Ks3Hf6Jn0Pg4Ya2Ue"],
)  # fmt: skip
def test_vendor_values_that_are_no_placeholder(value):
    validate, placeholder = resolve_validator("vendor")
    assert validate(value, "") and placeholder is not None and not placeholder(value, "")


def test_vendor_entropy_threshold_and_digit_option():
    value = "dop_v1_" + "q7q7z9q7z9z9q7z9" * 2  # few distinct characters: ~3.3 bits per character
    bits = shannon_entropy(value)
    assert resolve_validator(f"vendor:{bits - 0.05:.2f}")[0](value, "")
    assert not resolve_validator(f"vendor:{bits + 0.05:.2f}")[0](value, "")
    assert resolve_validator("vendor:3")[0]("dop_v1_4f3a9c2e7b1d8e6a0c5f2b9d3e7a1c4f", "")
    assert not resolve_validator("vendor::digit")[0]("s.KqsZtbLmxWnhRvpXbePcwYdG", "")
    assert resolve_validator("vendor::digit")[0]("s.Kq4ZtbLmxWnhRvpXb3PcwYdG", "")


@settings(max_examples=200, deadline=None)
@given(value=st.text(max_size=300), context=st.text(max_size=60))
def test_vendor_validator_never_raises(value, context):
    for spec in ("vendor", "vendor:3.5", "vendor:4:digit"):
        validate, placeholder = resolve_validator(spec)
        assert isinstance(validate(value, context), bool)
        assert placeholder is not None and isinstance(placeholder(value, context), bool)


def test_vendor_file_parses_as_toml_with_only_known_keys():
    allowed = {
        "id", "category", "severity", "pattern", "view", "validate", "keywords", "redact", "explain", "must_match",
        "must_not_match",
    }  # fmt: skip
    for raw in tomllib.loads(TEXT)["rule"]:
        assert set(raw) == allowed, raw["id"]
