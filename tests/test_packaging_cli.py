"""`tierwall --self-test`, the check a frozen install runs on itself (CI runs it on dist/tierwall/tierwall): here from
source, where it must pass, and on damaged assets, where it must fail in one line."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _self_test(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run([sys.executable, "-m", "engine", "--self-test", *args], capture_output=True, text=True,
                          env=env, timeout=300)  # fmt: skip


def test_the_self_test_reads_every_tier_checks_every_model_file_unloads_and_passes():
    r = _self_test("--json")
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["problems"] == [] and report["frozen"] is False
    assert report["files"]["models"] >= 10 and report["files"]["assets"] >= 30 and report["files"]["problems"] == 0
    assert {row["tiers"] for row in report["scans"]} >= {"0", "0+1", "0+1+2"}
    decisions = {row["sample"]: row["decision"] for row in report["scans"]}
    assert decisions["injection"] == "block" and decisions["benign"] == "allow"
    assert set(report["models"]) == {"e5-small-int8", "tier1-head", "wordpiece-uncased", "nli-minilm-l6-int8"}
    assert all(m["load_ms"] is not None for m in report["models"].values())
    assert report["model_host"]["starts"] == 1
    assert report["model_host_command"].split()[:3] == [Path(sys.executable).name, "-m", "engine"]  # from source
    assert r.stderr == ""


def test_the_self_test_prints_its_figures_and_says_so_when_all_is_well():
    r = _self_test()
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("tierwall ") and lines[-1].startswith("self-test   all as expected")
    assert (
        sum(line.startswith("scan ") for line in lines) >= 7
        and sum(line.startswith("model       ") for line in lines) == 4
    )


def test_a_damaged_model_file_fails_the_self_test_in_one_line(tmp_path):
    assets = tmp_path / "assets"
    shutil.copytree(ROOT / "assets", assets, copy_function=os.link)  # linked, not copied: 110 MB
    head = assets / "models" / "tier1" / "head.npz"
    data = bytearray(head.read_bytes())
    data[-1] ^= 1
    head.unlink()  # a file of its own, so the checkout's stays as it is
    head.write_bytes(bytes(data))
    r = _self_test(env={"TIERWALL_ASSETS": str(assets)})
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("tierwall: self-test failed: ")
    assert "head.npz: sha256" in r.stderr
    assert "FAILED" in r.stdout


def test_the_self_test_takes_no_subcommand():
    r = _self_test("scan")
    assert r.returncode == 3 and "unrecognized arguments: scan" in r.stderr


def test_a_frozen_program_starts_its_children_as_tierwall_never_with_dash_m(monkeypatch, tmp_path):
    """The model host and the bench's measuring child: `python -m engine` from source; in a bundle the
    `tierwall` beside the running executable (a frozen `tierwall -m engine …` exits 3: it has no -m)."""
    from engine.host.process import cli_command, host_command

    assert cli_command("bench", "--child")[1:] == ["-m", "engine", "bench", "--child"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "tierwall" / "tierwall-tray"))
    program = str(tmp_path / "tierwall" / ("tierwall.exe" if os.name == "nt" else "tierwall"))
    assert cli_command("bench", "--child", "--threads", "1") == [program, "bench", "--child", "--threads", "1"]
    assert host_command(2) == [program, "_model-host", "--threads", "2"]
