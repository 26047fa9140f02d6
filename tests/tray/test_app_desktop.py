"""The app on a real X server with a system tray, driven from another process as a user would.

Needs Xvfb, trayer and xclip (.ci/run installs them); skipped where they are missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TOOLS = ("Xvfb", "trayer", "xclip")
pytestmark = pytest.mark.skipif(not all(shutil.which(t) for t in TOOLS), reason="needs Xvfb, trayer and xclip")


@pytest.fixture
def display(tmp_path):
    """A fresh Xvfb with a tray (trayer) on it; both stopped afterwards."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    name = f":{number}"
    tray = subprocess.Popen(["trayer", "--edge", "bottom", "--align", "right", "--width", "10", "--height", "24"],
                            env={**os.environ, "DISPLAY": name}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        yield name
    finally:
        for process in (tray, xvfb):
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def test_tray_icon_and_a_copy_from_another_process(display, app_env, tmp_path):
    env = {**os.environ, "DISPLAY": display}
    env.pop("QT_QPA_PLATFORM", None)
    driver = Path(__file__).with_name("desktop_driver.py")
    run = subprocess.run([sys.executable, str(driver)], env=env, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert seen["tray_available"] and seen["icon_embedded"]
    assert seen["window_opened_at_start"] is False  # with a tray, the app starts quietly
    assert seen["notified"] and seen["toast_visible"]
    assert seen["tray_state"] == "blocked"  # RISKY is blocked: taken off the clipboard, the icon says so
    assert seen["history_sources"] == ["clipboard"]
