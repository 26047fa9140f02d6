"""tierwall-tray as users and CI run it: --screenshot writes a real picture, --self-test reports its figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys

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


def test_self_test_prints_every_figure_as_json(app_env):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    run = subprocess.run([sys.executable, "-m", "app.main", "--self-test", "--json"], capture_output=True, text=True,
                         env=env, timeout=300)  # fmt: skip
    assert run.returncode in (0, 1), run.stderr[-3000:]
    report = json.loads(run.stdout)
    for key in ("rss_mib.tray_idle", "rss_mib.tray_all_loaded", "rss_mib.tray_after_unload",
                "latency_ms.clipboard_to_verdict_p50", "stall_ms.max_during_model_load"):  # fmt: skip
        assert isinstance(report[key], float) and report[key] > 0, key
    assert report["details"]["tier0_clipboard_scans"] >= 10
    assert report["details"]["model_loads_measured"] >= 1  # the stall figure covers a real load
    assert run.returncode == (0 if report["ok"] else 1)
    assert report["ok"] == (report["problems"] == [])


def test_an_engine_that_cannot_start_is_reported_not_thrown(app_env, monkeypatch, capsys):
    import app.controller

    def broken(*args, **kwargs):
        raise RuntimeError("assets/rules is missing")

    monkeypatch.setattr(app.controller, "TierwallApp", broken)
    assert main([]) == 4
    assert "cannot start: RuntimeError: assets/rules is missing" in capsys.readouterr().err
