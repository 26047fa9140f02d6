"""The installer's parts, checked without building it: what the bundle keeps and leaves out (packaging/bundle/
layout.py), the .deb's staged tree and the tarball (stage.py, on a stand-in bundle), the desktop and autostart
entries (app/autostart.py), and how the frozen tray's self-test is held against the source one (tray_selftest.py)."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import stat
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

from app import autostart

ROOT = Path(__file__).resolve().parents[1]
BUNDLE = ROOT / "packaging" / "bundle"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


def _load(name: str):
    if str(BUNDLE) not in sys.path:
        sys.path.insert(0, str(BUNDLE))  # stage.py imports layout by its plain name, as the spec does
    spec = importlib.util.spec_from_file_location(f"tierwall_bundle_{name}", BUNDLE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


layout = _load("layout")
stage = _load("stage")
tray_selftest = _load("tray_selftest")


# -- the version ------------------------------------------------------------------------------------------------------
def test_every_program_and_the_package_show_the_one_version_of_pyproject_toml(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cli = subprocess.run([sys.executable, "-m", "engine", "--version"], capture_output=True, text=True, env=env)
    tray = subprocess.run([sys.executable, "-m", "app.main", "--version"], capture_output=True, text=True, env=env)
    assert (cli.returncode, cli.stdout) == (0, f"tierwall {VERSION}\n")
    assert (tray.returncode, tray.stdout) == (0, f"tierwall-tray {VERSION}\n")
    assert layout.project_version(ROOT) == VERSION
    control = stage.control(layout.project_version(ROOT), "amd64", 1)
    assert f"\nVersion: {VERSION}\n" in control
    assert f"'ProductVersion', '{VERSION}'" in layout.write_windows_version(tmp_path, VERSION).read_text()


def test_the_spec_takes_its_version_from_pyproject_and_ships_the_metadata_the_programs_read():
    spec = (ROOT / "packaging" / "tierwall.spec").read_text(encoding="utf-8")
    assert "layout.project_version(ROOT)" in spec and 'copy_metadata("tierwall")' in spec
    assert 'importlib.metadata.version("tierwall")' in spec  # the build stops when the two differ
    module = ROOT / "engine" / "about.py"  # the one lookup: tierwall, tierwall-tray and the window use it
    assert 'metadata.version("tierwall")' in module.read_text(encoding="utf-8"), module


def test_the_windows_version_resource_is_a_python_expression_with_four_numbers(tmp_path):
    text = layout.write_windows_version(tmp_path, "1.2.3").read_text(encoding="utf-8")
    ast.parse(text, mode="eval")
    assert "filevers=(1, 2, 3, 0)" in text and "StringStruct('ProductVersion', '1.2.3')" in text


# -- what the bundle keeps --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
        ("PySide6/Qt/plugins/platforms/libqwayland-egl.so", True),
        ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),  # the self-test and the screenshots
        ("PySide6/Qt/plugins/platforms/libqvnc.so", False),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),  # drags GTK, Cairo and Pango in
        ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
        ("PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so", True),
        ("PySide6/Qt/plugins/imageformats/libqjpeg.so", False),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
        ("PySide6/Qt/plugins/iconengines/libqsvgicon.so", False),
        ("PySide6/Qt/plugins/tls/libqopensslbackend.so", False),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
        ("PySide6\\Qt\\plugins\\platforms\\qwindows.dll", True),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt/lib/libQt6Core.so.6", True),
        ("numpy.libs/libscipy_openblas64_-32a4b2a6.so", True),
        ("assets/models/e5/word_table.q4", True),
    ],
)
def test_only_the_qt_plugins_the_app_uses_are_kept_and_no_translation(dest, kept):
    assert layout.keep_file(dest) is kept


def _imported_modules(folder: str) -> set[str]:
    names = set()
    for path in (ROOT / folder).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_the_engine_or_the_app_imports_is_left_out_of_the_bundle():
    excluded = (*layout.EXCLUDED_MODULES, *layout.EXCLUDED_QT_MODULES)
    used = _imported_modules("engine") | _imported_modules("app")
    clash = sorted(m for m in used for x in excluded if m == x or m.startswith(f"{x}."))
    assert not clash, f"imported by engine/ or app/, but excluded from the bundle: {clash}"
    assert {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtNetwork"} <= used
    # what the issue names: no model-making libraries, tests or build tools
    assert {"torch", "onnx", "tokenizers", "pytest", "hypothesis", "PyInstaller", "setuptools", "pip"} <= set(excluded)


def test_the_bundle_holds_every_asset_and_model_file_its_manifests_list_and_they_match():
    assets = ROOT / "assets"
    files = layout.asset_files(assets)
    listed = [line.split("  ", 1)[1] for line in (assets / "SHA256SUMS").read_text(encoding="utf-8").splitlines()]
    manifest = json.loads((assets / "models" / "manifest.json").read_text(encoding="utf-8"))["models"]
    model_files = [f"models/{f['path']}" for entry in manifest.values() for f in entry["files"]]
    assert "models/e5/word_table.q4" in model_files and "models/e5/unigram.bin" in model_files  # made by `make`
    assert set(listed) | set(model_files) | {"SHA256SUMS"} <= set(files)
    assert all((assets / rel).is_file() for rel in files)
    assert {rel for rel in files if rel.endswith(".md")} == {p.relative_to(assets).as_posix()
                                                             for p in assets.rglob("*.md")}  # fmt: skip
    assert layout.asset_problems(assets) == []


def test_a_library_stays_only_when_a_program_module_or_plugin_needs_it():
    needed = {
        "tierwall": ["libpython3.11.so.1.0"],
        "_internal/libpython3.11.so.1.0": ["libz.so.1"],
        "_internal/libz.so.1": [],
        "_internal/PySide6/QtGui.abi3.so": ["libQt6Gui.so.6"],
        "_internal/PySide6/Qt/lib/libQt6Gui.so.6": ["libfreetype.so.6"],
        "_internal/libQt6Gui.so.6": ["libQt6Gui.so.6"],  # the link beside the programs
        "_internal/libfreetype.so.6": ["libpng16.so.16"],
        "_internal/libpng16.so.16": [],
        "_internal/PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so": ["libQt6DBus.so.6"],
        "_internal/PySide6/Qt/lib/libQt6DBus.so.6": [],
        # left by a plugin taken out after the analysis: nothing that stays needs them
        "_internal/libgtk-3.so.0": ["libcairo.so.2"],
        "_internal/libcairo.so.2": ["libpixman-1.so.0"],
        "_internal/libpixman-1.so.0": [],
        "_internal/onnxruntime/capi/libonnxruntime_providers_shared.so": [],  # dlopened by name
    }
    roots = [path for path in needed if layout.is_root(path)]
    assert sorted(roots) == [
        "_internal/PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", "_internal/PySide6/QtGui.abi3.so",
        "_internal/libpython3.11.so.1.0", "_internal/onnxruntime/capi/libonnxruntime_providers_shared.so", "tierwall",
    ]  # fmt: skip
    gone = layout.unreachable(needed, roots)
    assert gone == {"_internal/libgtk-3.so.0", "_internal/libcairo.so.2", "_internal/libpixman-1.so.0"}


def test_every_system_library_has_a_declared_debian_package_and_opengl_and_a_font_are_among_them():
    depends = layout.DEB_DEPENDS
    assert set(layout.SYSTEM_LIBRARIES.values()) <= set(depends)
    assert {"libgl1", "libegl1", "libc6", "libxcb1"} <= set(depends)
    assert any(group.startswith("fonts-") for group in depends)
    assert layout.SYSTEM_LIBRARIES["libGL.so.1"] == "libgl1" and layout.SYSTEM_LIBRARIES["libEGL.so.1"] == "libegl1"


# -- the staged .deb tree and the tarball, from a stand-in bundle -----------------------------------------------------
@pytest.fixture
def fake_dist(tmp_path):
    dist = tmp_path / "dist" / "tierwall"
    (dist / "_internal" / "assets").mkdir(parents=True)
    for program in stage.PROGRAMS:
        (dist / program).write_text("#!/bin/sh\necho stand-in\n")
        (dist / program).chmod(0o775)
    (dist / "_internal" / "libpython3.11.so.1.0").write_bytes(b"not really")
    (dist / "_internal" / "libQt6Core.so.6").symlink_to("PySide6/Qt/lib/libQt6Core.so.6")
    (dist / "_internal" / "assets" / "bands.toml").write_text("[bands]\n")
    return dist


def test_the_deb_tree_puts_the_bundle_in_opt_the_programs_on_path_and_the_menu_entry_with_its_icon(tmp_path, fake_dist):
    root = stage.stage_deb(fake_dist, tmp_path / "stage", "9.8.7", "amd64")
    opt = root / "opt" / "tierwall"
    assert (opt / "tierwall").read_text() == (fake_dist / "tierwall").read_text()
    assert (opt / "_internal" / "assets" / "bands.toml").is_file()
    assert os.readlink(opt / "_internal" / "libQt6Core.so.6") == "PySide6/Qt/lib/libQt6Core.so.6"  # links stay links
    for program in ("tierwall", "tierwall-tray"):
        assert os.readlink(root / "usr" / "bin" / program) == f"/opt/tierwall/{program}"
    entry = (root / "usr" / "share" / "applications" / "tierwall.desktop").read_text(encoding="utf-8")
    lines = entry.splitlines()
    assert lines[0] == "[Desktop Entry]"
    assert {"Exec=/usr/bin/tierwall-tray", "TryExec=/usr/bin/tierwall-tray", "Icon=tierwall", "Type=Application",
            "Terminal=false", "Categories=Utility;Security;"} <= set(lines)  # fmt: skip
    assert "X-GNOME-Autostart-enabled=true" not in lines
    icon = root / "usr" / "share" / "icons" / "hicolor" / "256x256" / "apps" / "tierwall.png"
    assert icon.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    copyright = (root / "usr" / "share" / "doc" / "tierwall" / "copyright").read_text(encoding="utf-8")
    assert "License: Apache-2.0" in copyright and "LGPL-3.0-only" in copyright and "model e5-small-int8" in copyright

    control = dict(line.split(": ", 1) for line in (root / "DEBIAN" / "control").read_text().splitlines()
                   if ": " in line and not line.startswith(" "))  # fmt: skip
    assert (control["Package"], control["Version"], control["Architecture"]) == ("tierwall", "9.8.7", "amd64")
    assert "libgl1" in control["Depends"] and "libegl1" in control["Depends"]
    assert int(control["Installed-Size"]) >= 0
    postrm = root / "DEBIAN" / "postrm"
    assert postrm.stat().st_mode & stat.S_IXUSR
    said = subprocess.run(["sh", str(postrm), "purge"], capture_output=True, text=True, check=True).stdout
    assert "~/.config/tierwall" in said and "~/.local/share/tierwall" in said and "left" in said
    assert subprocess.run(["sh", str(postrm), "remove"], capture_output=True, text=True, check=True).stdout == ""
    md5 = (root / "DEBIAN" / "md5sums").read_text()
    assert "  opt/tierwall/tierwall-tray\n" in md5 and "  usr/share/icons/hicolor/256x256/apps/tierwall.png\n" in md5
    assert "usr/bin/tierwall\n" not in md5  # a link has no sum
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            assert not path.stat().st_mode & 0o022, path  # dpkg-deb refuses group- or world-writable files


def test_the_tarball_holds_the_bundle_under_one_versioned_folder_owned_by_root(tmp_path, fake_dist):
    out = stage.build_tar(fake_dist, tmp_path / "t.tar.gz", "tierwall-9.8.7")
    with tarfile.open(out) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert set(members) == {"tierwall-9.8.7", "tierwall-9.8.7/tierwall", "tierwall-9.8.7/tierwall-tray",
                            "tierwall-9.8.7/_internal", "tierwall-9.8.7/_internal/libpython3.11.so.1.0",
                            "tierwall-9.8.7/_internal/libQt6Core.so.6", "tierwall-9.8.7/_internal/assets",
                            "tierwall-9.8.7/_internal/assets/bands.toml"}  # fmt: skip
    assert all(m.uid == 0 and m.uname == "root" for m in members.values())
    assert members["tierwall-9.8.7/tierwall-tray"].mode & 0o111
    assert members["tierwall-9.8.7/_internal/libQt6Core.so.6"].issym()


def test_stage_refuses_a_bundle_whose_version_is_not_pyproject_tomls(tmp_path, fake_dist, capsys):
    assert stage.main(["--dist", str(fake_dist), "--out", str(tmp_path / "out"), "--no-deb"]) == 1
    assert "the bundle says 'stand-in', pyproject.toml " + VERSION in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# -- the desktop entries ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("arg", "written"),
    [
        ("/usr/bin/tierwall-tray", "/usr/bin/tierwall-tray"),
        ("/home/a b/tierwall-tray", '"/home/a b/tierwall-tray"'),
        ('/opt/say "hi"/x', '"/opt/say \\\\"hi\\\\"/x"'),
        ("/opt/$HOME/x", '"/opt/\\\\$HOME/x"'),
        ("/opt/100%/x", '"/opt/100%%/x"'),
        ("C:\\Tierwall", '"C:\\\\\\\\Tierwall"'),
    ],
)
def test_an_exec_argument_is_quoted_as_the_desktop_entry_spec_says(arg, written):
    assert autostart.exec_quote(arg) == written


def test_the_autostart_entry_of_a_frozen_tray_starts_that_program(tmp_path, monkeypatch):
    program = tmp_path / "Tierwall Apps" / "tierwall" / "tierwall-tray"  # a tarball unpacked where a user chose
    program.parent.mkdir(parents=True)
    program.write_text("")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert autostart.program() == [str(program)]
    autostart.set_enabled(True, icon_path=Path("/opt/tierwall/_internal/assets/icons/tierwall.png"))
    lines = (tmp_path / "config" / "autostart" / "tierwall.desktop").read_text(encoding="utf-8").splitlines()
    assert f'Exec="{program}"' in lines and f"TryExec={program}" in lines
    assert (
        "X-GNOME-Autostart-enabled=true" in lines and "Icon=/opt/tierwall/_internal/assets/icons/tierwall.png" in lines
    )
    assert not any("-m app.main" in line for line in lines)

    # installed from the .deb: /usr/bin/tierwall-tray is a link to the program, and the entry names the link
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "tierwall-tray").symlink_to(program)
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    assert autostart.program() == [str(bin_dir / "tierwall-tray")]
    # another tierwall-tray on PATH (a source install) is not this program: the entry names this one
    (bin_dir / "tierwall-tray").unlink()
    (bin_dir / "tierwall-tray").write_text("#!/bin/sh\n")
    (bin_dir / "tierwall-tray").chmod(0o755)
    assert autostart.program() == [str(program)]


def test_from_source_the_autostart_entry_runs_this_python_when_no_tray_is_on_path(tmp_path, monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert autostart.program() == [sys.executable, "-m", "app.main"]


# -- the frozen tray held against the source one ----------------------------------------------------------------------
def _report(**figures) -> dict:
    targets = {"rss_mib.tray_idle": 90.0, "rss_mib.tray_all_loaded": 180.0, "latency_ms.clipboard_to_verdict_p50": 50.0}
    problems = [f"{k} = {v} (target ≤ {targets[k]:g})" for k, v in figures.items() if k in targets and v > targets[k]]
    idle = figures.get("rss_mib.tray_idle", 80.0)
    return {"rss_mib.tray_idle": 80.0, "rss_mib.tray_all_loaded": 170.0, "latency_ms.clipboard_to_verdict_p50": 30.0,
            **figures, "targets": targets, "problems": problems, "ok": not problems, "exit": 1 if problems else 0,
            "details": {"rss_parts_mib_idle": {"RssAnon": idle / 2, "RssFile": idle / 2, "RssShmem": 0.0}}}  # fmt: skip


def test_the_frozen_tray_must_meet_every_target_the_source_tray_meets():
    assert tray_selftest.judge(_report(), _report()) == []
    assert tray_selftest.judge(_report(**{"rss_mib.tray_all_loaded": 200.0}), _report()) == [
        "frozen misses what the source meets: rss_mib.tray_all_loaded"
    ]
    # a target both miss is the source's problem, not the bundle's
    both = {"rss_mib.tray_all_loaded": 220.0}
    assert tray_selftest.judge(_report(**both), _report(**{"rss_mib.tray_all_loaded": 210.0})) == []
    other = _report()
    other["problems"] = ["no verdict for a 2 MB clipboard text"]
    assert tray_selftest.judge(other, _report()) == ["frozen misses what the source meets: no verdict for a 2 MB "
                                                     "clipboard text"]  # fmt: skip


def test_the_frozen_tray_may_take_at_most_10_mib_more_at_idle_than_the_source_tray():
    assert tray_selftest.judge(_report(**{"rss_mib.tray_idle": 85.0}), _report(**{"rss_mib.tray_idle": 75.0})) == []
    reasons = tray_selftest.judge(_report(**{"rss_mib.tray_idle": 86.0}), _report(**{"rss_mib.tray_idle": 75.0}))
    assert reasons == ["idle RSS: frozen 86.0 MiB > source 75.0 + 10 MiB"]


def test_without_a_source_tray_the_frozen_self_test_must_pass_outright():
    assert tray_selftest.judge(_report(), None) == []
    assert tray_selftest.judge(_report(**{"rss_mib.tray_all_loaded": 200.0}), None) == [
        "self-test: rss_mib.tray_all_loaded = 200.0 (target ≤ 180)"
    ]


def test_the_size_report_counts_the_model_files_apart_and_names_the_biggest_parts(tmp_path):
    dist = tmp_path / "tierwall"
    internal = dist / "_internal"
    (internal / "assets" / "models" / "e5").mkdir(parents=True)
    (internal / "PySide6" / "Qt" / "lib").mkdir(parents=True)
    manifest = {"models": {"e5": {"files": [{"path": "e5/model.onnx", "sha256": "0" * 64, "size": 7000}]}}}
    (internal / "assets" / "models" / "manifest.json").write_text(json.dumps(manifest))
    (internal / "assets" / "models" / "e5" / "model.onnx").write_bytes(b"m" * 7000)
    (internal / "PySide6" / "Qt" / "lib" / "libQt6Core.so.6").write_bytes(b"q" * 5000)
    (internal / "libQt6Core.so.6").symlink_to("PySide6/Qt/lib/libQt6Core.so.6")  # counted once, where it is
    (internal / "libpython3.11.so.1.0").write_bytes(b"p" * 3000)
    (dist / "tierwall").write_bytes(b"t" * 1000)
    report = layout.size_report(dist)
    manifest_size = (internal / "assets" / "models" / "manifest.json").stat().st_size
    assert report["total"] == 7000 + 5000 + 3000 + 1000 + manifest_size
    assert report["without_models"] == 5000 + 3000 + 1000 + manifest_size
    assert report["models"] == {"_internal/assets/models/e5/model.onnx": 7000}
    assert list(report["biggest_parts"]) == ["_internal/PySide6", "_internal/libpython3.11.so.1.0", "tierwall",
                                             "_internal/assets"]  # fmt: skip
    lines = layout.describe_sizes(report).splitlines()
    assert [line.split()[:2] for line in lines[1:]] == [["model", "file"]] + [["biggest", "part"]] * 4
    assert layout.BUNDLE_LIMIT_BYTES == 230 * 10**6  # the limit; the spec stops a bundle over it
