"""Verdict's redacted copy: every masked value goes, wherever it stands."""

from __future__ import annotations

from engine.verdict import Finding, redact


def _pii(text: str, value: str, label: str = "PII:phone") -> Finding:
    at = text.index(value)
    return Finding("pii.phone_cued", "pii", "high", at, at + len(value), "a phone number", redact_as=label)


def test_a_value_found_once_is_masked_everywhere_it_stands():
    """Found once by its cue ("call"), the same number is masked where no cue stands before it too (found
    by fuzzing: a hex blob held the digits twice, one of them masked)."""
    text = "call 0301234567 today; the number 0301234567 again, and x0301234567y inside a word"
    assert redact(text, [_pii(text, "0301234567")]) == (
        "call [PII:phone] today; the number [PII:phone] again, and x[PII:phone]y inside a word"
    )


def test_overlapping_masks_merge_and_a_short_value_is_masked_only_where_found():
    text = "key abc12 and abc12; token sk-live-123456789 sk-live-123456789"
    short = Finding("secret.x", "secret", "high", 4, 9, "short", redact_as="SECRET:x")
    token = _pii(text, "sk-live-123456789", "SECRET:token")
    wider = Finding("secret.y", "secret", "high", token.start - 2, token.end, "wider", redact_as="SECRET:y")
    assert redact(text, [short, token, wider]) == "key [SECRET:x] and abc12; toke[SECRET:y] [SECRET:token]"


def test_nothing_to_mask_leaves_the_text_as_it_is():
    text = "plain text 0301234567"
    assert redact(text, [Finding("inj.x", "injection", "high", 0, 5, "not masked")]) == text
