"""The README names every environment variable the programs read, and no variable they no longer read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# os.environ.get("X"), os.getenv("X"), os.environ["X"], and the names the self-test and screenshot set up
READ = re.compile(
    r"""os\.(?:environ\.get|getenv)\(\s*["'](\w+)["']"""
    r"""|os\.environ\[["'](\w+)["']\]|["'](TIERWALL_\w+)["']"""
)
ROW = re.compile(r"^\| `(\w+)`(?:, `(\w+)`)?", re.M)
SET_FOR_A_CHILD = {"PYTHONHASHSEED"}  # the bench sets it for its child; Python reads it, not Tierwall


def _read_in_code() -> set[str]:
    names: set[str] = set()
    for path in [*ROOT.joinpath("engine").rglob("*.py"), *ROOT.joinpath("app").rglob("*.py")]:
        for match in READ.finditer(path.read_text(encoding="utf-8")):
            names.update(n for n in match.groups() if n)
    names.update(re.findall(r"\$\$(\w+)", ROOT.joinpath("Makefile").read_text(encoding="utf-8")))
    return names - SET_FOR_A_CHILD


def _documented() -> set[str]:
    readme = ROOT.joinpath("README.md").read_text(encoding="utf-8")
    section = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    return {name for row in ROW.findall(section) for name in row if name}


def test_every_variable_the_code_reads_is_in_the_readme_table():
    read = _read_in_code()
    assert {"TIERWALL_DATA_DIR", "TIERWALL_CONFIG_DIR", "TIERWALL_ASSETS", "NO_COLOR", "DISPLAY"} <= read
    missing = read - _documented()
    assert not missing, f"read by the code but not in the README's table: {sorted(missing)}"


def test_the_readme_table_names_no_variable_the_code_does_not_read():
    extra = _documented() - _read_in_code()
    assert not extra, f"in the README's table but read nowhere: {sorted(extra)}"
