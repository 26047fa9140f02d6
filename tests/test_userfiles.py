"""The user's own files: damaged ones are named and moved aside, never lost, never a crash; writes are atomic."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from engine.errors import TierwallError
from engine.policies import PolicyStore
from engine.signatures import UserLists
from engine.userfiles import MAX_USER_FILE_BYTES, UserFileError, read_json, set_aside, write_atomic

DAMAGED = {
    "not json": "{not json",
    "nested without end": "[" * 100_000,
    "infinity": '{"allow": [], "deny": [], "x": Infinity}',
    "a number too large for a float": '{"idle_timeout_s": 1e999}',
    "not utf-8": b"\xff\xfe\x00garbage",
    "empty": "",
}


def _write(path: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_read_json_refuses_damaged_files_with_one_error_type(tmp_path, content):
    path = tmp_path / "f.json"
    _write(path, content)
    with pytest.raises(UserFileError):
        read_json(path)


def test_user_file_errors_share_the_engines_root_and_stay_value_errors():
    assert issubclass(UserFileError, TierwallError) and issubclass(UserFileError, ValueError)


def test_a_file_larger_than_any_settings_file_is_not_read(tmp_path):
    path = tmp_path / "f.json"
    path.write_text('{"a": "' + "x" * MAX_USER_FILE_BYTES + '"}', encoding="utf-8")
    with pytest.raises(UserFileError, match="bytes"):
        read_json(path)


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_damaged_lists_and_policies_are_named_moved_aside_and_replaced(tmp_path, content):
    lists, policies = tmp_path / "lists.json", tmp_path / "policies.json"
    _write(lists, content)
    _write(policies, content)
    user_lists = UserLists(lists)
    store = PolicyStore(policies)
    assert user_lists.error and str(lists) in user_lists.error
    assert store.problem and str(policies) in store.problem and store.list() == []
    assert not lists.exists() and not policies.exists()  # moved, not deleted:
    for name in ("lists.json", "policies.json"):
        kept = [p for p in tmp_path.iterdir() if p.name.startswith(f"{name}.corrupt-")]
        assert len(kept) == 1
        assert kept[0].read_bytes() == (content if isinstance(content, bytes) else content.encode())
    user_lists.add(42, "deny")
    assert json.loads(lists.read_text(encoding="utf-8"))["deny"] == [f"{42:016x}"]


def test_a_second_damaged_file_does_not_overwrite_the_first_backup(tmp_path):
    path = tmp_path / "lists.json"
    for content in ("{first", "{second"):
        path.write_text(content, encoding="utf-8")
        assert UserLists(path).error
    kept = sorted(p.read_text() for p in tmp_path.iterdir() if p.name.startswith("lists.json.corrupt-"))
    assert kept == ["{first", "{second"]


def _renames_fail(monkeypatch, error: OSError) -> None:
    """Every rename raises `error` (a read-only directory, a full disk) until monkeypatch.undo()."""

    def fail(self, *args, **kwargs):
        raise error

    monkeypatch.setattr(Path, "replace", fail)


def test_a_file_that_cannot_be_moved_is_said_so(tmp_path, monkeypatch):
    path = tmp_path / "lists.json"
    path.write_text("{bad", encoding="utf-8")
    _renames_fail(monkeypatch, PermissionError(13, "Permission denied"))
    aside = set_aside(path, "broken")
    assert aside.kept_as is None and "could not be moved aside" in aside.describe("The file")
    assert path.read_text() == "{bad"


def test_set_aside_names_the_file_the_cause_and_where_it_went(tmp_path):
    path = tmp_path / "settings.json"
    path.write_text("{", encoding="utf-8")
    aside = set_aside(path, ValueError("bad JSON"))
    text = aside.describe("Your settings file")
    assert str(path) in text and "bad JSON" in text and str(aside.kept_as) in text
    assert aside.kept_as is not None and aside.kept_as.read_text() == "{"


def test_write_atomic_replaces_the_whole_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "sub" / "policies.json"
    write_atomic(path, "one")
    write_atomic(path, "two")
    assert path.read_text() == "two"
    assert [p.name for p in path.parent.iterdir()] == ["policies.json"]


def test_a_failed_write_keeps_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "lists.json"
    path.write_text("old", encoding="utf-8")
    _renames_fail(monkeypatch, OSError(28, "No space left on device"))
    with pytest.raises(OSError):
        write_atomic(path, "new")
    monkeypatch.undo()
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["lists.json"]


@pytest.mark.parametrize("content", DAMAGED.values(), ids=DAMAGED.keys())
def test_damaged_settings_give_the_defaults_and_a_message(tmp_path, content):
    from app.settings import Settings, SettingsFile

    path = tmp_path / "settings.json"
    _write(path, content)
    settings_file = SettingsFile(path)
    assert settings_file.load() == Settings()
    assert settings_file.problem and str(path) in settings_file.problem
    assert [p.name.startswith("settings.json.corrupt-") for p in tmp_path.iterdir()] == [True]


@pytest.mark.skipif(sys.platform == "win32", reason="Unix file modes")
def test_the_users_files_are_private_and_old_ones_are_made_so(tmp_path):
    from engine.history import History

    own = tmp_path / "tierwall"  # as the platform's default dirs are named
    write_atomic(own / "settings.json", "{}")
    assert _mode(own) == 0o700 and _mode(own / "settings.json") == 0o600
    History(own / "history.sqlite3").close()
    assert _mode(own / "history.sqlite3") == 0o600
    old = own / "lists.json"  # left by an earlier version: world-readable, in a world-readable dir
    old.write_text("{}", encoding="utf-8")
    old.chmod(0o644)
    own.chmod(0o755)
    read_json(old)
    assert _mode(old) == 0o600 and _mode(own) == 0o700


@pytest.mark.skipif(sys.platform == "win32", reason="Unix file modes")
def test_a_directory_the_user_chose_keeps_its_mode(tmp_path):
    chosen = tmp_path / "shared"  # $TIERWALL_DATA_DIR pointed at a directory of the user's
    chosen.mkdir(mode=0o755)
    chosen.chmod(0o755)
    write_atomic(chosen / "lists.json", "{}")
    assert _mode(chosen) == 0o755 and _mode(chosen / "lists.json") == 0o600


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_an_in_memory_history_creates_no_file(tmp_path, monkeypatch):
    from engine.history import IN_MEMORY, History

    monkeypatch.chdir(tmp_path)
    History(Path(IN_MEMORY)).close()
    assert list(tmp_path.iterdir()) == []
