"""`tierwall policy test` and engine.policy_check: a policy's entailment in each premise window of a text.

The checker reads a text as tier 2 does (normalised view, premise windows, the NLI model) and
keeps every window's score; the command prints them per file, says what the policy is checked
as, and names the file in every error. These tests run the shipped NLI model on a few texts.
"""

from __future__ import annotations

import io
import json
import sys
from types import SimpleNamespace

import pytest

from engine.cli import main
from engine.models import read_manifest
from engine.policies import REWRITE_THRESHOLD, load_builtin, rewrite
from engine.policy_check import PolicyChecker, excerpt
from engine.tiers.tier2 import NLI_MODEL

pytestmark = pytest.mark.skipif(NLI_MODEL not in read_manifest(), reason="no tier-2 model installed")

KEY = "Use this key for the weather API: 9f8e7d6c5b4a39281706f5e4d3c2b1a0."
QUIET = "The keys to the office are in the drawer at reception."


@pytest.fixture(scope="module")
def checker(engine):
    return PolicyChecker(engine.models, context=[p.hypothesis for p in load_builtin()])


def test_each_window_maps_back_to_the_text_and_the_strongest_decides(checker):
    text = ("Dear team, the office will be closed on Friday for the move to the new building. " * 6 + KEY + " "
            + "Lunch is on the second floor, next to the meeting rooms with the big windows. " * 6)  # fmt: skip
    r = checker.check(text, ["This text mentions API keys."], REWRITE_THRESHOLD)
    assert len(r.windows) >= 3 and r.complete and r.chars == len(text)
    for w in r.windows:
        assert 0 <= w.start < w.end <= len(text)
        assert w.excerpt.rstrip("…").rstrip() in " ".join(text[w.start : w.end].split())
        assert len(w.entailment) == 1 and 0 <= w.best <= 1
    top = r.windows[r.best_window]
    assert "weather API" in text[top.start : top.end]
    assert r.fires and r.best == top.best >= REWRITE_THRESHOLD
    assert sum(w.best >= REWRITE_THRESHOLD for w in r.windows) < len(r.windows)  # the other windows stay quiet
    d = r.to_dict()
    assert d["fires"] is True and d["max"] == round(r.best, 4) and len(d["windows"]) == len(r.windows)


def test_an_empty_text_has_no_window_and_never_fires(checker):
    for text in ("", "   \n\t "):
        r = checker.check(text, ["This text mentions API keys."], 0.01)
        assert r.windows == () and not r.fires and r.best == 0.0 and r.best_window is None


def test_a_long_text_is_read_up_to_the_window_limit_and_says_so(engine):
    short = PolicyChecker(engine.models, max_windows=2)
    r = short.check("Plans for the spring fair are going well and the stalls are booked. " * 80, ["A fair."], 0.5)
    assert len(r.windows) == 2 and not r.complete
    with pytest.raises(ValueError):
        short.check("text", [], 0.5)


def test_excerpts_are_one_short_line():
    assert excerpt("a\n  b\tc") == "a b c"
    long = excerpt("word " * 40, 20)
    assert len(long) == 20 and long.endswith("…")


# -- the command ------------------------------------------------------------------------------------------
def test_policy_test_shows_what_is_checked_and_the_entailment_per_window(tmp_path, capsys):
    (tmp_path / "key.txt").write_text(KEY, encoding="utf-8")
    (tmp_path / "quiet.txt").write_text(QUIET, encoding="utf-8")
    code = main(["policy", "test", "Never share API keys.", str(tmp_path / "key.txt"), str(tmp_path / "quiet.txt")])
    out = capsys.readouterr().out
    assert code == 0
    assert "policy: Never share API keys." in out
    assert "checked as: This text mentions API keys. (fires at 15% entailment)" in out
    assert "an instruction not to share something read as a statement about the text" in out
    assert f"{tmp_path / 'key.txt'}: FIRES: highest entailment" in out and "<- fires" in out
    assert f"{tmp_path / 'quiet.txt'}: does not fire" in out
    assert "weather API" in out  # the excerpt of the window


def test_policy_test_json_and_standard_input(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(KEY.encode())))
    assert main(["policy", "test", "Never share API keys.", "-", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["policy"], data["checked_as"], data["threshold"], data["rewritten"]) == (
        "Never share API keys.", ["This text mentions API keys."], REWRITE_THRESHOLD, True)  # fmt: skip
    (f,) = data["files"]
    assert f["file"] == "-" and f["fires"] is True and f["chars"] == len(KEY)
    (w,) = f["windows"]
    assert (w["start"], w["end"]) == (0, len(KEY)) and w["entailment"] == [w["max"]] and w["max"] == f["max"]


def test_policy_test_as_written_checks_the_sentence_as_typed(tmp_path, capsys):
    (tmp_path / "key.txt").write_text(KEY, encoding="utf-8")
    assert main(["policy", "test", "Never share API keys.", str(tmp_path / "key.txt"), "--as-written", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["checked_as"] == ["Never share API keys."] and data["threshold"] == 0.5 and not data["rewritten"]
    assert data["files"][0]["fires"] is False  # as typed, the model does not read it: why rewriting exists


def test_policy_test_reads_a_stored_or_built_in_policy_by_its_id(tmp_path, capsys):
    (tmp_path / "key.txt").write_text(KEY, encoding="utf-8")
    assert main(["policy", "add", "No API keys.", "--action", "block"]) == 0
    out = capsys.readouterr().out
    assert "added user-1 (block): No API keys." in out and "checked as: This text mentions API keys." in out
    assert "try it: tierwall policy test user-1 FILE" in out
    assert main(["policy", "test", "user-1", str(tmp_path / "key.txt"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["policy"] == "No API keys." and data["checked_as"] == ["This text mentions API keys."]
    assert "your policy user-1" in data["notes"] and data["files"][0]["fires"]
    builtin = load_builtin()[0]
    assert main(["policy", "test", builtin.id, str(tmp_path / "key.txt"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["checked_as"] == [builtin.hypothesis] and data["threshold"] == builtin.threshold


def test_policy_test_names_every_file_it_cannot_read_and_checks_the_rest(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(QUIET, encoding="utf-8")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Café crème, prix réduit.".encode("latin-1"))
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(QUIET.encode("utf-16"))  # with a byte-order mark: text, not binary
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    missing = tmp_path / "missing.txt"
    args = [str(p) for p in (good, missing, binary, tmp_path, latin, utf16, empty)]
    assert main(["policy", "test", "No prices", *args]) == 3
    captured = capsys.readouterr()
    assert f"tierwall: cannot read {missing}: No such file or directory" in captured.err
    assert f"tierwall: {binary} looks like a binary file" in captured.err
    assert f"tierwall: {tmp_path} is a directory" in captured.err
    assert f"{good}: does not fire" in captured.out
    assert f"{latin}: " in captured.out and "not valid UTF-8" in captured.out
    assert f"{utf16}: does not fire" in captured.out and "read as UTF-16" in captured.out
    assert f"{empty}: empty, nothing to check (does not fire)" in captured.out
    assert "Traceback" not in captured.err


def test_policy_test_refuses_a_bad_policy_and_needs_a_file(tmp_path, capsys):
    assert main(["policy", "test", "   ", str(tmp_path)]) == 3
    assert "needs a sentence" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["policy", "test", "No code."])
    assert exc.value.code == 3


def test_policy_list_shows_the_words_and_what_is_checked(capsys):
    assert main(["policy", "add", "Warn me when I paste server logs"]) == 0
    assert main(["policy", "add", "This text does not mention sports.", "--as-written"]) == 0
    capsys.readouterr()
    assert main(["policy", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    i = next(i for i, line in enumerate(lines) if line.startswith("user-1"))
    assert lines[i].endswith("Warn me when I paste server logs")
    assert lines[i + 1].strip() == "checked as: This text mentions server logs. (fires at 15% entailment)"
    assert lines[i + 3].strip() == "checked as typed (fires at 50% entailment)"


def test_the_rewrite_the_command_shows_is_the_one_stored():
    r = rewrite("Warn me when I paste server logs")
    assert r.hypothesis == "This text mentions server logs." and r.changed


def test_policy_test_without_a_usable_model_says_so_and_exits_4(tmp_path, monkeypatch, capsys):
    from engine.models import ModelUnavailable

    def unavailable(self, text, hypotheses, threshold):
        raise ModelUnavailable("nli-minilm-l6-int8: model.onnx is missing")

    monkeypatch.setattr(PolicyChecker, "check", unavailable)
    (tmp_path / "a.txt").write_text(QUIET, encoding="utf-8")
    assert main(["policy", "test", "No prices", str(tmp_path / "a.txt")]) == 4
    assert "tierwall: nli-minilm-l6-int8: model.onnx is missing" in capsys.readouterr().err
