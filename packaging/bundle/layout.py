"""What goes into the frozen bundle and what is left out, in one place: packaging/tierwall.spec builds from it and
tests/test_packaging*.py check it without building anything.

Numpy, onnxruntime and Qt are what the bundle is made of; everything here trims what the app never uses (Qt modules,
plugins and translations, phonenumbers' geocoding tables, build and test tools) and checks what it must hold (every
asset and model file, as their manifests list them, and the same version everywhere).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any

# Python modules no part of Tierwall imports at run time: build and test tools, model-making libraries, GUI kits
# other than Qt, and the parts of numpy and onnxruntime that only build, convert or test.
EXCLUDED_MODULES = (
    "tkinter", "_tkinter", "turtle", "idlelib", "pydoc_data", "lib2to3", "distutils", "ensurepip", "venv",
    "readline", "curses", "_curses",
    # no network, and hashes come from Python's own sha256 (engine/digest.py): OpenSSL is never loaded
    "ssl", "_ssl", "_hashlib",
    "setuptools", "pkg_resources", "pip", "PyInstaller", "_pyinstaller_hooks_contrib", "uv",
    "pytest", "_pytest", "pytestqt", "hypothesis", "mypy", "ruff", "atheris",
    "torch", "onnx", "tokenizers", "transformers", "sympy", "scipy", "pandas", "matplotlib", "IPython", "PIL",
    "numpy.f2py", "numpy.distutils", "numpy._pyinstaller",
    "onnxruntime.transformers", "onnxruntime.quantization", "onnxruntime.tools", "onnxruntime.training",
    "onnxruntime.backend", "onnxruntime.datasets",
    # phonenumbers: the engine parses and validates numbers; it never asks for a number's place, carrier or zone
    "phonenumbers.geocoder", "phonenumbers.geodata", "phonenumbers.carrier", "phonenumbers.carrierdata",
    "phonenumbers.timezone", "phonenumbers.tzdata",
)  # fmt: skip

# The app uses QtCore, QtGui, QtWidgets and QtNetwork (app/single.py's local socket); none of these.
EXCLUDED_QT_MODULES = tuple(
    f"PySide6.{name}"
    for name in (
        "QtQml", "QtQuick", "QtQuickWidgets", "QtQuickControls2", "QtQuickTest", "QtPdf", "QtPdfWidgets",
        "QtOpenGL", "QtOpenGLWidgets", "QtSvg", "QtSvgWidgets", "QtSql", "QtTest", "QtXml", "QtDesigner",
        "QtHelp", "QtUiTools", "QtPrintSupport", "QtConcurrent", "QtDBus", "QtMultimedia", "QtWebEngineCore",
        "QtWebEngineWidgets", "QtCharts", "QtDataVisualization", "QtBluetooth", "QtPositioning", "QtSerialPort",
        "QtStateMachine", "QtTextToSpeech", "QtWebSockets", "QtHttpServer", "QtSpatialAudio", "QtRemoteObjects",
        "QtScxml", "QtSensors", "QtNfc", "QtLocation", "QtGraphs", "Qt3DCore",
    )
)  # fmt: skip

# Qt plugins kept, by folder: the platforms a desktop runs on (X11, Wayland; offscreen for the self-test and the
# screenshots; minimal), typing (compose keys, IBus), what X11 and Wayland need to draw, and the desktop portal's
# theme. Everything else Qt's hooks collect (image formats: the icons are painted in code and PNG is built in; SVG
# icons; TLS, SQL, network information, printing, QML tooling, the GTK3 theme with the GTK libraries it drags in)
# is left out.
KEPT_QT_PLUGINS = {
    "platforms": ("libqxcb", "libqwayland-egl", "libqwayland-generic", "libqoffscreen", "libqminimal",
                  "qwindows", "qoffscreen", "qminimal", "libqcocoa"),
    "platforminputcontexts": ("libcomposeplatforminputcontextplugin", "libibusplatforminputcontextplugin"),
    "platformthemes": ("libqxdgdesktopportal",),
    "xcbglintegrations": None,  # None: every plugin of the folder
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": None,
    "wayland-shell-integration": None,
    "styles": None,  # Windows and macOS native styles (the app sets Fusion, which is built in)
}  # fmt: skip

_QT_PLUGIN = re.compile(r"^PySide6/Qt/plugins/(?P<kind>[^/]+)/(?P<file>[^/]+)$")
_QT_TRANSLATION = re.compile(r"^PySide6/Qt/translations/")


def keep_file(dest: str) -> bool:
    """Whether a file the analysis collected (by its path inside the bundle) goes into it."""
    dest = PurePosixPath(dest.replace("\\", "/")).as_posix()
    if _QT_TRANSLATION.match(dest):
        return False  # the app is in English and loads no Qt translation
    plugin = _QT_PLUGIN.match(dest)
    if plugin:
        kept = KEPT_QT_PLUGINS.get(plugin["kind"], ())
        if kept is None:
            return True
        stem = plugin["file"].split(".", 1)[0]
        return stem in kept
    return True


def project_version(root: Path) -> str:
    """The version in pyproject.toml: the one source every other version is read from."""
    with (root / "pyproject.toml").open("rb") as fh:
        version: str = tomllib.load(fh)["project"]["version"]
    return version


def asset_files(assets: Path) -> list[str]:
    """Every file the bundle's assets/ holds, relative to assets/: the integrity manifest and what it lists, the
    models' manifest and every model file it lists, and the documentation (*.md: licences and sources)."""
    from engine.integrity import listed_files, model_files

    docs = {p.relative_to(assets).as_posix() for p in assets.rglob("*.md")}
    return sorted({"SHA256SUMS", *listed_files(assets), *model_files(assets), *docs})


def asset_problems(assets: Path) -> list[str]:
    """What differs between the assets and their manifests (sha256 of every asset and model file): empty if none;
    the check `tierwall verify` and `tierwall --self-test` make."""
    from engine.cli.models_command import verify_all

    return verify_all(assets)[0]


# -- after the build: libraries nothing loads, debug information ------------------------------------------------------

# Loaded with dlopen by name, never as a DT_NEEDED entry: kept although no file of the bundle names them.
DLOPENED = ("libonnxruntime_providers_shared.so",)
_EXTENSION = re.compile(r"\.(cpython-[^/]*|abi3)\.so$|\.pyd$")


def is_root(rel: str) -> bool:
    """A file something outside the bundle's own links loads: a program, Python itself, an extension module that
    Python imports, a Qt plugin that Qt loads. Every other shared library stays only if one of these needs it."""
    rel = rel.replace("\\", "/")
    name = rel.rsplit("/", 1)[-1]
    return (
        "/" not in rel  # tierwall, tierwall-tray
        or name.startswith("libpython")
        or "/lib-dynload/" in f"/{rel}"
        or "/Qt/plugins/" in f"/{rel}"
        or bool(_EXTENSION.search(name))
        or name in DLOPENED
    )


def unreachable(needed: dict[str, list[str]], roots: list[str]) -> set[str]:
    """The libraries (paths in `needed`) that no root needs, directly or through another library. `needed` maps each
    shared object's path to the names it links against (DT_NEEDED); a name is found by a file's base name."""
    by_name: dict[str, list[str]] = {}
    for path in needed:
        by_name.setdefault(path.rsplit("/", 1)[-1], []).append(path)
    seen: set[str] = set()
    todo = [r for r in roots if r in needed]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in needed[path]:
            todo += by_name.get(name, [])
    return set(needed) - seen


def elf_needed(path: Path) -> list[str] | None:
    """The DT_NEEDED names of an ELF file (objdump, part of binutils, which PyInstaller needs anyway); None if the
    file is not ELF."""
    import subprocess

    with path.open("rb") as fh:
        if fh.read(4) != b"\x7fELF":
            return None
    out = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True, check=True).stdout
    return [line.split()[1] for line in out.splitlines() if line.strip().startswith("NEEDED")]


def prune_unneeded_libraries(dist: Path) -> list[tuple[str, int]]:
    """Delete the shared libraries of a Linux bundle that nothing in it needs (what PyInstaller collected for plugins
    and modules left out afterwards, such as the GTK3 theme's GTK, Cairo and Pango), with the links to them.
    Returns (path inside the bundle, bytes) of each file deleted."""
    needed: dict[str, list[str]] = {}
    links: dict[str, Path] = {}
    for path in sorted(dist.rglob("*")):
        rel = path.relative_to(dist).as_posix()
        if path.is_symlink():
            links[rel] = path
        elif path.is_file() and (names := elf_needed(path)) is not None:
            needed[rel] = names
    # a link (libQt6Core.so.6 beside the programs -> PySide6/Qt/lib/libQt6Core.so.6) answers for its target's name
    for rel, path in links.items():
        target = path.resolve()
        if target.is_file() and target.is_relative_to(dist.resolve()):
            needed[rel] = [target.relative_to(dist.resolve()).as_posix().rsplit("/", 1)[-1]]
    roots = [rel for rel in needed if is_root(rel)]
    removed = []
    for rel in sorted(unreachable(needed, roots)):
        path = dist / rel
        size = 0 if path.is_symlink() else path.stat().st_size
        path.unlink()
        removed.append((rel, size))
    return removed


def strip_debug_info(dist: Path) -> int:
    """Strip the debug information from Python's own library and extension modules (built from source with it:
    libpython alone is 23 MB with it, 5 MB without). Wheels' libraries are left alone: stripping numpy's OpenBLAS
    breaks it. Returns the bytes saved."""
    import shutil
    import subprocess

    strip = shutil.which("strip")
    if strip is None:
        return 0
    saved = 0
    for path in sorted(dist.rglob("*.so*")):
        rel = path.relative_to(dist).as_posix()
        if path.is_symlink() or not (path.name.startswith("libpython") or "/lib-dynload/" in f"/{rel}"):
            continue
        before = path.stat().st_size
        subprocess.run([strip, "--strip-debug", str(path)], check=True)
        saved += before - path.stat().st_size
    return saved


# -- the .deb ---------------------------------------------------------------------------------------------------------

# Every library the bundle links against and does not carry (PyInstaller leaves out the C library, OpenGL/EGL, libxcb
# and Wayland's client libraries on purpose: they must match the system's drivers and display server), with the
# Debian package that provides it. stage.py stops the build when the bundle needs one that is not here.
SYSTEM_LIBRARIES = {
    **dict.fromkeys(("libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libresolv.so.2",
                     "libutil.so.1", "ld-linux-x86-64.so.2", "ld-linux-aarch64.so.1"), "libc6"),
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libxcb.so.1": "libxcb1",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
}  # fmt: skip
# Depends: those packages; fontconfig's configuration (the bundled libfontconfig reads /etc/fonts) and a font, or
# Qt draws no text; D-Bus for the desktop's notifications and tray (Qt loads libdbus-1 when it is there).
DEB_DEPENDS = (
    *sorted(set(SYSTEM_LIBRARIES.values())),
    "libfontconfig1",
    "fonts-dejavu-core | fonts-liberation2 | fonts-noto-core | fonts-freefont-ttf",
    "libdbus-1-3",
)


def system_libraries(dist: Path) -> set[str]:
    """The names the bundle's ELF files link against (DT_NEEDED) that no file in the bundle answers to."""
    present = {path.name for path in dist.rglob("*") if path.is_file() or path.is_symlink()}
    needed: set[str] = set()
    for path in dist.rglob("*"):
        if path.is_file() and not path.is_symlink() and (names := elf_needed(path)):
            needed.update(names)
    return needed - present


# What the bundle carries besides Tierwall (licences as their projects state them); the models' come from their
# manifest.
THIRD_PARTY = (
    ("Python 3.11 (the interpreter and its standard library)", "PSF-2.0"),
    ("Qt 6 (pyside6-essentials: QtCore, QtGui, QtWidgets, QtNetwork, QtDBus and their plugins), ICU", "LGPL-3.0-only"),
    ("PySide6, shiboken6", "LGPL-3.0-only"),
    ("numpy, with OpenBLAS and libgfortran", "BSD-3-Clause; GPL-3.0-or-later WITH GCC-exception-3.1"),
    ("onnxruntime", "MIT"),
    ("google-re2 (RE2, Abseil)", "BSD-3-Clause; Apache-2.0"),
    ("pyahocorasick", "BSD-3-Clause"),
    ("phonenumbers (libphonenumber's metadata)", "Apache-2.0"),
    ("platformdirs", "MIT"),
    ("psutil", "BSD-3-Clause"),
    ("protobuf, flatbuffers", "BSD-3-Clause; Apache-2.0"),
    ("system libraries PyInstaller collected (libstdc++, libgcc, zlib, libX11, libxkbcommon, libfontconfig, "
     "libfreetype, libpng, libglib, libdbus, libsqlite3, …) from Debian", "their Debian licences"),
)  # fmt: skip


def copyright_text(root: Path) -> str:
    """/usr/share/doc/tierwall/copyright: Tierwall's licence, then what the bundle carries with its licence."""
    with (root / "pyproject.toml").open("rb") as fh:
        licence = tomllib.load(fh)["project"]["license"]
    models = json.loads((root / "assets" / "models" / "manifest.json").read_text(encoding="utf-8"))["models"]
    lines = [
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
        "Upstream-Name: tierwall",
        "",
        "Files: *",
        f"License: {licence}",
        "",
        "Comment: the bundle under /opt/tierwall also carries:",
    ]
    lines += [f" {what}: {how}" for what, how in THIRD_PARTY]
    lines += [
        f" model {name}: {entry.get('licence', '?')} ({entry.get('source', '?')})" for name, entry in models.items()
    ]
    return "\n".join(lines) + "\n"


def write_windows_version(workpath: Path, version: str) -> Path:
    """The version resource of tierwall.exe and tierwall-tray.exe (PyInstaller's VSVersionInfo text)."""
    numbers = [int(n) for n in re.findall(r"\d+", version)[:4]]
    numbers += [0] * (4 - len(numbers))
    fixed = tuple(numbers)
    text = f"""VSVersionInfo(
  ffi=FixedFileInfo(filevers={fixed}, prodvers={fixed}, mask=0x3f, flags=0x0, OS=0x40004, fileType=0x1,
                    subtype=0x0, date=(0, 0)),
  kids=[
    StringFileInfo([StringTable('040904B0', [
      StringStruct('CompanyName', 'Tierwall'),
      StringStruct('FileDescription', 'Tierwall: local, offline LLM prompt firewall'),
      StringStruct('FileVersion', '{version}'),
      StringStruct('ProductName', 'Tierwall'),
      StringStruct('ProductVersion', '{version}')])]),
    VarFileInfo([VarStruct('Translation', [1033, 1200])])
  ]
)
"""
    workpath.mkdir(parents=True, exist_ok=True)
    path = workpath / "tierwall-version.txt"
    path.write_text(text, encoding="utf-8")
    return path


# The limit for the unpacked bundle without its model files: the build stops above it (a new dependency that
# drags in a large library shows here first).
BUNDLE_LIMIT_BYTES = 230 * 10**6


def size_report(dist: Path) -> dict[str, object]:
    """The bundle's size in bytes: all of it, without the model files (listed one by one), and its biggest parts (a
    program; a folder directly under _internal/, such as PySide6 or numpy.libs; a file there, such as libpython)."""
    internal = next((p for p in (dist / "_internal", dist) if (p / "assets").is_dir()), dist)
    assets = internal / "assets"
    from engine.integrity import model_files

    model_paths = {assets / rel for rel in model_files(assets)}
    total = 0
    model_sizes: dict[str, int] = {}
    parts: dict[str, int] = {}
    for path in dist.rglob("*"):
        if path.is_symlink() or not path.is_file():
            continue
        size = path.stat().st_size
        total += size
        if path in model_paths:
            model_sizes[path.relative_to(dist).as_posix()] = size
            continue
        rel = path.relative_to(internal) if path.is_relative_to(internal) else path.relative_to(dist)
        part = (internal.relative_to(dist) / rel.parts[0]).as_posix() if path.is_relative_to(internal) else rel.parts[0]
        parts[part] = parts.get(part, 0) + size
    return {
        "total": total,
        "without_models": total - sum(model_sizes.values()),
        "models": dict(sorted(model_sizes.items(), key=lambda kv: -kv[1])),
        "biggest_parts": dict(sorted(parts.items(), key=lambda kv: -kv[1])[:5]),
    }


def describe_sizes(report: dict[str, Any]) -> str:
    mb = 1e6
    lines = [f"bundle {report['total'] / mb:.1f} MB, {report['without_models'] / mb:.1f} MB without the model files"]
    lines += [f"  model file   {size / mb:6.1f} MB  {path}" for path, size in report["models"].items()]
    lines += [f"  biggest part {size / mb:6.1f} MB  {part}" for part, size in report["biggest_parts"].items()]
    return "\n".join(lines)
