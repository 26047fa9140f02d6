"""Policies: the built-in ones' own examples, the rewriting of what users type, the store, the test set.

Each policy in assets/policies lists sentences that must and must not entail its
hypothesis; they are checked here with the shipped NLI model. A user's policy is
rewritten by rules into the statement the model reads (engine.policies.rewrite);
those rules, the store that keeps both forms, and the structure of the policy test
set (data/policies, scored by packaging/policy_eval.py) are checked without a model.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.models import read_manifest
from engine.policies import (
    AS_WRITTEN_THRESHOLD,
    MAX_HYPOTHESIS_CHARS,
    REWRITE_THRESHOLD,
    PolicyStore,
    load_builtin,
    rewrite,
)
from engine.tiers.tier2 import NLI_MODEL

POLICIES = load_builtin()
_EVAL = Path(__file__).resolve().parents[1] / "packaging" / "policy_eval.py"
needs_nli = pytest.mark.skipif(NLI_MODEL not in read_manifest(), reason="no tier-2 model installed")


@pytest.fixture(scope="module")
def nli(engine):
    from engine.tiers.embedding import TOKENIZER_MODEL

    with engine.models.use(TOKENIZER_MODEL) as tokenizer, engine.models.use(NLI_MODEL) as model:
        yield lambda premise, hypothesis: model.pair(premise, hypothesis, tokenizer)


@needs_nli
@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_policy_examples(nli, policy):
    for text in policy.must_entail:
        p = nli(text, policy.hypothesis)["entailment"]
        assert p >= policy.threshold, f"{policy.id} should fire on {text!r} (entailment {p:.2f})"
    for text in policy.must_not_entail:
        p = nli(text, policy.hypothesis)["entailment"]
        assert p < policy.threshold, f"{policy.id} should not fire on {text!r} (entailment {p:.2f})"


@needs_nli
def test_a_general_pair_is_judged_like_nli(nli):
    assert nli("A man is playing a guitar on stage.", "A man is playing an instrument.")["entailment"] > 0.5
    assert nli("A man is playing a guitar on stage.", "Nobody is playing music.")["contradiction"] > 0.5


# -- rewriting what the user typed ------------------------------------------------------------------
# (typed, checked as): orders, prohibitions and labels become a statement about the text
REWRITES = [
    ("Block anything that mentions the planned merger.", "This text mentions the planned merger."),
    ("Warn me when I paste code", "This text mentions code."),
    ("Warn me if the text talks about an employee's salary.", "This text mentions an employee's salary."),
    ("No customer data.", "This text mentions customer data."),
    ("Never share API keys!", "This text mentions API keys."),
    ("Don't paste anything about next year's prices.", "This text mentions next year's prices."),
    ("Stop me from pasting personal data.", "This text mentions personal data."),
    ("Please block texts where I paste our customer list", "This text mentions the customer list."),
    ("Flag anything containing patient names", "This text mentions patient names."),
    ("Anything with children's personal information.", "This text mentions children's personal information."),
    ("Don't let me share anyone's health information.", "This text mentions someone's health information."),
    ("customer home addresses", "This text mentions customer home addresses."),
    ("This text discusses our unreleased product.", "This text mentions the unreleased product."),
    ("This text contains source code from our internal repository.", "This text mentions source code."),
    ("This text describes a security vulnerability in our systems.", "This text mentions a security vulnerability."),
    ("This text is about a legal dispute involving the company.", "This text mentions a legal dispute."),
    ("The message reveals a customer's home address", "This text mentions a customer's home address."),
    ("This text is a contract.", "This text is a contract."),
]


@pytest.mark.parametrize(("typed", "checked"), REWRITES, ids=[t for t, _ in REWRITES])
def test_a_policy_is_checked_as_a_statement_about_the_text(typed, checked):
    r = rewrite(typed)
    assert r.hypothesis == checked
    assert r.threshold == REWRITE_THRESHOLD
    assert r.wording == " ".join(typed.split())
    assert r.notes and r.notes[-1].startswith("fires at 15%")


def test_the_notes_say_what_was_left_out_and_why():
    notes = " | ".join(rewrite("This text contains source code from our internal repository.").notes)
    assert '"from our internal repository" left out' in notes and "not whose it is" in notes
    assert "checked as what the text mentions" in notes
    assert '"our"/"my" read as "the"' in rewrite("This text discusses our roadmap.").notes
    assert "an order read as a statement about the text" in rewrite("Block anything about layoffs.").notes


def test_a_kind_of_text_gets_a_warning_a_topic_does_not():
    kind = "a kind of text (code, logs, a CV …) is hard for the model to recognise"
    for typed in ("Warn me when I paste code", "No SQL queries.", "This text is a CV or résumé.", "Block server logs"):
        assert any(n.startswith(kind) for n in rewrite(typed).notes), typed
    for typed in ("No salaries.", "Block anything about the merger.", "This text mentions a source of revenue."):
        assert not any(n.startswith(kind) for n in rewrite(typed).notes), typed


@pytest.mark.parametrize(
    "typed",
    [
        "This text does not mention sports.",  # a negation a rewrite could turn around
        "Anything that doesn't mention the budget",
        "Warn me if the text does not mention the author",
        "A new start.",  # a sentence no rule reads
        "Block",
        "Is this a contract? Tell me.",
    ],
)
def test_what_no_rule_reads_is_checked_as_typed(typed):
    r = rewrite(typed)
    assert (r.hypothesis, r.threshold, r.changed) == (" ".join(typed.split()), AS_WRITTEN_THRESHOLD, False)
    assert r.notes[0].startswith("checked as typed")


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=1, max_size=MAX_HYPOTHESIS_CHARS).filter(str.strip))
def test_any_sentence_is_checked_as_something_that_fits(typed):
    r = rewrite(typed)
    assert r.hypothesis.strip() and len(r.hypothesis) <= MAX_HYPOTHESIS_CHARS
    assert r.threshold in (REWRITE_THRESHOLD, AS_WRITTEN_THRESHOLD) and r.notes
    assert r.wording == " ".join(typed.split())


def test_a_statement_with_a_verb_of_its_own_keeps_its_words_at_the_rewrite_threshold():
    r = rewrite("  This text   names a customer.  ")
    assert (r.hypothesis, r.threshold, r.changed) == ("This text names a customer.", REWRITE_THRESHOLD, False)


def test_a_negation_inside_the_object_does_not_stop_the_rewrite():
    r = rewrite("Block anything that mentions products we have not launched")
    assert r.hypothesis == "This text mentions products we have not launched."


def test_bad_policies_are_refused_and_a_too_long_rewrite_is_checked_as_typed():
    with pytest.raises(ValueError, match="needs a sentence"):
        rewrite("   ")
    with pytest.raises(ValueError, match="at most"):
        rewrite("x" * (MAX_HYPOTHESIS_CHARS + 1))
    label = "customer " + "data " * 38  # 199 characters, no full stop: a label, too long once rewritten
    assert len(label.strip()) <= MAX_HYPOTHESIS_CHARS
    assert rewrite(label).hypothesis == " ".join(label.split())


# -- the store keeps the user's words and what is checked ---------------------------------------------
def test_the_store_keeps_the_words_and_the_rewrite_and_says_so_in_its_file(tmp_path: Path):
    path = tmp_path / "policies.json"
    store = PolicyStore(path)
    a = store.add("Never share API keys.", "block")
    b = store.add("This text does not mention sports.", as_written=True)
    c = store.add("Customer home addresses.", as_written=True)
    assert (a.wording, a.hypothesis, a.threshold, a.rewritten) == (
        "Never share API keys.", "This text mentions API keys.", REWRITE_THRESHOLD, True)  # fmt: skip
    assert (b.hypothesis, b.threshold, b.rewritten) == ("This text does not mention sports.", 0.5, False)
    assert c.display == c.hypothesis == "Customer home addresses."
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["version"] == 2
    assert data["policies"][0] | {"created": 0} == {
        "id": "user-1", "wording": "Never share API keys.", "hypothesis": "This text mentions API keys.",
        "action": "block", "threshold": REWRITE_THRESHOLD, "created": 0}  # fmt: skip
    again = PolicyStore(path)
    assert again.list() == store.list() and again.problem is None
    assert again.get("user-2") == b and again.get("user-9") is None


def test_a_policy_that_is_checked_like_one_already_there_is_refused(tmp_path: Path):
    store = PolicyStore(tmp_path / "p.json")
    store.add("No passwords.")
    with pytest.raises(ValueError, match=r"exists already: user-1, checked as: This text mentions passwords\."):
        store.add("Never share passwords")
    with pytest.raises(ValueError, match="exists already"):
        store.add("no PASSWORDS.")


def test_a_version_1_file_is_read_as_the_users_words_and_rewritten(tmp_path: Path):
    path = tmp_path / "policies.json"
    rows = [
        {
            "id": "user-1",
            "hypothesis": "Block anything that mentions the merger.",
            "action": "block",
            "threshold": 0.5,
            "created": 1.0,
        },
        {"id": "user-4", "hypothesis": "This text does not mention sports.", "action": "warn", "created": 2.0},
    ]
    path.write_text(json.dumps({"version": 1, "policies": rows}), encoding="utf-8")  # fmt: skip
    store = PolicyStore(path)
    assert store.problem is None
    a, b = store.list()
    assert (a.id, a.wording, a.threshold, a.action) == (
        "user-1",
        "Block anything that mentions the merger.",
        0.15,
        "block",
    )
    assert a.hypothesis == "This text mentions the merger."
    assert (b.hypothesis, b.threshold) == ("This text does not mention sports.", 0.5)
    assert store.add("No salaries").id == "user-5"  # ids go on from the old file's
    assert json.loads(path.read_text(encoding="utf-8"))["policies"][0]["wording"] == a.wording


@pytest.mark.parametrize(
    "row",
    [
        {"id": "user-1", "wording": "x", "hypothesis": "y", "action": "block", "threshold": 1.5},
        {"id": "user-1", "wording": "x", "hypothesis": "y", "action": "shout", "threshold": 0.2},
        {"id": "user-1", "wording": 5, "hypothesis": "", "action": "warn"},
    ],
)
def test_a_policy_file_with_a_bad_row_is_moved_aside(tmp_path: Path, row):
    path = tmp_path / "policies.json"
    path.write_text(json.dumps({"version": 2, "policies": [row]}), encoding="utf-8")
    store = PolicyStore(path)
    assert store.list() == [] and "kept as" in store.problem and str(path) in store.problem


# -- the policy test set -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def policy_eval():
    """packaging/policy_eval.py as a module (packaging/ is not a package)."""
    spec = importlib.util.spec_from_file_location("tierwall_policy_eval", _EVAL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def test_the_set_has_enough_policies_examples_and_phrasings(policy_eval):
    policies = policy_eval.load_set()
    assert len(policies) >= 24
    assert all(len(p.must_fire) >= 4 and len(p.must_not_fire) >= 4 for p in policies)
    texts = [t for p in policies for t in (*p.must_fire, *p.must_not_fire)]
    assert len(texts) == len(set(texts)), "an example is used twice"
    orders = [p for p in policies if not p.policy.lower().startswith("this text")]
    assert len(orders) >= 8, "the set must hold policies written as orders and labels, not only statements"
    assert len(policy_eval.read_everyday()) >= 30


def test_the_split_is_by_policy_fixed_and_holds_both_halves(policy_eval):
    policies = policy_eval.load_set()
    halves = {p.id: p.half for p in policies}
    assert set(halves.values()) == {"tune", "held"}
    assert min(list(halves.values()).count(h) for h in ("tune", "held")) >= 10
    assert policy_eval.half("source-code") == "tune" and policy_eval.half("paste-code") == "held"
    assert halves == {p.id: policy_eval.half(p.id) for p in policy_eval.load_set()}


def test_a_malformed_set_is_refused(policy_eval, tmp_path: Path):
    bad = tmp_path / "set.toml"
    bad.write_text('[[policy]]\nid = "a"\npolicy = "No code."\nmust_fire = ["x"]\nmust_not_fire = []\n', "utf-8")
    with pytest.raises(ValueError, match="at least 4"):
        policy_eval.load_set(bad)
    bad.write_text('[[policy]]\nid = "a"\npolicy = "No code."\n', "utf-8")
    with pytest.raises(ValueError, match="no must_fire"):
        policy_eval.load_set(bad)


def test_scores_count_each_example_against_its_threshold(policy_eval):
    measured = [{"id": "a", "half": "tune", "policy": "No code.", "checked_as": "This text mentions code.",
                 "threshold": 0.15, "everyday": [0.0, 0.2],
                 "examples": [{"text": "x", "must_fire": True, "entailment": 0.3},
                              {"text": "y", "must_fire": True, "entailment": 0.1},
                              {"text": "z", "must_fire": False, "entailment": 0.05}]}]  # fmt: skip
    s = policy_eval.score(measured, as_typed=False)["summary"]["tune"]
    assert (s["accuracy"], s["must_fire_right"], s["must_not_fire_right"]) == (round(2 / 3, 4), 0.5, 1.0)
    assert s["everyday_fire_rate"] == 0.5
    assert policy_eval.score(measured, as_typed=False, threshold=0.05)["summary"]["tune"]["accuracy"] == round(2 / 3, 4)


# -- with the model: a few examples (the full set: packaging/policy_eval.py) ---------------------------
@pytest.fixture(scope="module")
def checker(engine):
    from engine.policy_check import PolicyChecker

    return PolicyChecker(engine.models, context=[p.hypothesis for p in POLICIES])


@needs_nli
def test_an_order_that_never_fired_as_typed_fires_once_rewritten(checker):
    key = "Use this key for the weather API: 9f8e7d6c5b4a39281706f5e4d3c2b1a0."
    typed = "Never share API keys."
    assert not checker.check(key, [typed], AS_WRITTEN_THRESHOLD).fires
    r = rewrite(typed)
    assert checker.check(key, [r.hypothesis], r.threshold).fires
    assert not checker.check(
        "The keys to the office are in the drawer at reception.", [r.hypothesis], r.threshold
    ).fires


@needs_nli
def test_a_rewritten_policy_tells_its_examples_apart(checker):
    r = rewrite("This text contains the home address of a customer.")
    fire = "Customer record: name Jo Evans; home address 5 Harbour View, Cork; phone on file."
    quiet = "The Eiffel Tower stands on the Champ de Mars in Paris."
    assert checker.check(fire, [r.hypothesis], r.threshold).fires
    assert not checker.check(quiet, [r.hypothesis], r.threshold).fires
