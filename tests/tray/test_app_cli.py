"""tierwall-tray as users and CI run it: --screenshot writes a real picture, --self-test reports its figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from app.main import main


def test_screenshot_renders_the_requested_page(app_env, tmp_path, capsys):
    path = tmp_path / "history.png"
    assert main(["--screenshot", str(path), "--page", "history"]) == 0
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1040, 700)
    colours = {image.pixel(x, y) for x in range(0, 1040, 13) for y in range(0, 700, 11)}
    assert len(colours) > 20  # text and widgets, not an empty canvas
    assert str(path) in capsys.readouterr().out


def test_self_test_with_a_three_minute_soak_reports_every_figure_and_nothing_drifts(app_env):
    """CI's soak: the app runs three minutes as a person leaves it; a crash, a leak or a creeping count fails."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-m", "app.main", "--self-test", "--soak", "3", "--json"],
                         capture_output=True, text=True, env=env, timeout=900)  # fmt: skip
    assert run.returncode in (0, 1), run.stderr[-3000:]  # 1: a figure missed its target; anything else: a crash
    report = json.loads(run.stdout)
    for key in ("rss_mib.tray_idle", "rss_mib.tray_all_loaded", "rss_mib.tray_after_unload",
                "latency_ms.clipboard_to_verdict_p50", "stall_ms.max_during_model_load"):  # fmt: skip
        assert isinstance(report[key], float) and report[key] > 0, key
    assert report["details"]["tier0_clipboard_scans"] >= 10
    assert report["details"]["model_loads_measured"] >= 1  # the stall figure covers a real load
    assert run.returncode == (0 if report["ok"] else 1)
    assert report["ok"] == (report["problems"] == [])
    guard = report["details"]["leak_guard"]
    assert guard["ok"] and not guard["stopped_early"], report["problems"]
    soak = report["soak"]
    assert soak["minutes"] >= 3 and soak["cycles"] >= 5
    assert soak["clipboard_verdicts"] >= 6 * soak["cycles"] and soak["model_loads"] >= soak["cycles"]
    assert not [p for p in report["problems"] if p.startswith(("soak", "cycle"))], report["problems"]
    assert abs(soak["none_refcount_end"] - soak["none_refcount_start"]) <= soak["targets"]["none_refcount_drift"]
    assert soak["rss_drift_mib"] <= soak["targets"]["rss_drift_mib"]
    assert soak["threads_end"] <= soak["threads_start"] and soak["fds_end"] <= soak["fds_start"]


@pytest.mark.parametrize("argv", [["--self-test", "--soak", "0"], ["--self-test", "--soak", "an hour"],
                                  ["--soak", "5"]])  # fmt: skip
def test_a_soak_needs_the_self_test_and_a_positive_number_of_minutes(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "--soak" in capsys.readouterr().err


def test_an_engine_that_cannot_start_is_reported_not_thrown(app_env, monkeypatch, capsys):
    import app.controller

    def broken(*args, **kwargs):
        raise RuntimeError("assets/rules is missing")

    monkeypatch.setattr(app.controller, "TierwallApp", broken)
    assert main([]) == 4
    assert "cannot start: RuntimeError: assets/rules is missing" in capsys.readouterr().err


def test_every_notification_the_screenshot_renders_can_be_asked_for():
    from app.main import NOTIFICATION_SHOTS
    from app.screenshot import NOTIFICATIONS

    assert set(NOTIFICATION_SHOTS) == set(NOTIFICATIONS)
