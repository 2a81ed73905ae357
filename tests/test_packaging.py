"""Packaging: the app icon files, the window icon, the Linux desktop files, the desktop install
script and the package data (the PyInstaller bundle is built by packaging/build_bundle.py, not
here)."""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from auedit import __version__, resources
from auedit.media.sources import IMAGE_SUFFIXES, VIDEO_SUFFIXES

REPO = Path(__file__).resolve().parents[1]
ICONS = resources.ROOT / "icons"
LINUX = REPO / "packaging" / "linux"
APP_ID = "io.github.auedit.AUEdit"
DESKTOP = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
#: The MIME type of every suffix that AUEdit opens (auedit.media.sources).
MIME_TYPES = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".bmp": "image/bmp",
    ".webp": "image/webp", ".tif": "image/tiff", ".tiff": "image/tiff",
    ".mp4": "video/mp4", ".mov": "video/quicktime", ".avi": "video/x-msvideo",
    ".mkv": "video/x-matroska", ".webm": "video/webm", ".m4v": "video/x-m4v",
    ".mpg": "video/mpeg", ".mpeg": "video/mpeg",
}


def render_icons_module():
    spec = importlib.util.spec_from_file_location("render_icons",
                                                  REPO / "packaging" / "render_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keys are case-sensitive
    parser.read(DESKTOP, encoding="utf-8")
    return parser["Desktop Entry"]


@pytest.mark.gui
def test_icon_files_load_at_their_sizes(qapp):
    from PySide6.QtGui import QPixmap
    from PySide6.QtSvg import QSvgRenderer

    from auedit.ui.app import ICON_SIZES

    assert render_icons_module().PNG_SIZES == ICON_SIZES
    assert QSvgRenderer(str(ICONS / "auedit.svg")).isValid()
    for size in ICON_SIZES:
        pixmap = QPixmap(str(ICONS / f"auedit-{size}.png"))
        assert not pixmap.isNull() and (pixmap.width(), pixmap.height()) == (size, size)


def test_ico_holds_every_windows_size():
    data = (ICONS / "auedit.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    sides = [data[6 + 16 * i] or 256 for i in range(count)]
    assert (reserved, kind) == (0, 1)
    assert tuple(sides) == render_icons_module().ICO_SIZES


@pytest.mark.gui
def test_create_app_sets_the_window_icon(qapp):
    from auedit.ui.app import DESKTOP_ID, ICON_SIZES, create_app

    app = create_app()
    icon = app.windowIcon()
    assert not icon.isNull()
    assert {s.width() for s in icon.availableSizes()} == set(ICON_SIZES)
    assert app.desktopFileName() == DESKTOP_ID == APP_ID


def test_desktop_entry_runs_the_app_on_what_it_opens():
    entry = desktop_entry()
    assert entry["Exec"] == "auedit gui %F"
    assert entry["Icon"] == APP_ID
    assert {"Graphics", "Science", "Video"} <= set(entry["Categories"].split(";"))
    assert set(entry["MimeType"].strip(";").split(";")) == {
        MIME_TYPES[s] for s in IMAGE_SUFFIXES | VIDEO_SUFFIXES}


def test_metainfo_is_well_formed_and_names_the_launcher():
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP.name
    assert root.find("releases/release").get("version") == __version__


@pytest.mark.parametrize(("tool", "args"), [
    ("desktop-file-validate", [DESKTOP]),
    ("appstreamcli", ["validate", "--no-net", METAINFO]),
])
def test_validators_accept_the_desktop_files(tool, args):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (apt-get install desktop-file-utils appstream)")
    result = subprocess.run([tool, *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr).lower()


@pytest.mark.skipif(sys.platform != "linux", reason="the desktop install script is for Linux")
def test_install_script_installs_again_and_uninstalls(tmp_path):
    script = str(LINUX / "install.sh")
    share = tmp_path / "share"
    no_auedit = {**os.environ, "PATH": "/usr/bin:/bin"}  # the launcher's default: auedit
    for _ in range(2):
        done = subprocess.run([script, "--prefix", tmp_path], capture_output=True, text=True,
                              check=True, timeout=30, env=no_auedit)
        assert "installed" in done.stdout
        assert "not on PATH" in done.stderr
    assert (share / "applications" / DESKTOP.name).read_text() == DESKTOP.read_text()
    assert (share / "icons/hicolor/48x48/apps" / f"{APP_ID}.png").is_file()
    done = subprocess.run([script, "--prefix", tmp_path, "--uninstall"], capture_output=True,
                          text=True, check=True, timeout=30)
    assert "removed 10 of 10" in done.stdout
    assert not any(p.name.startswith(APP_ID) for p in share.rglob("*"))


@pytest.mark.skipif(sys.platform != "linux", reason="the desktop install script is for Linux")
def test_a_virtual_environments_auedit_is_named_in_full(tmp_path):
    """A desktop session's PATH does not reach a virtual environment's bin: `Exec=auedit`
    would fail silently (and `TryExec` hide the menu entry)."""
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    auedit = venv_bin / "auedit"
    auedit.write_text("#!/bin/sh\n")
    auedit.chmod(0o755)
    env = {**os.environ, "PATH": f"{venv_bin}:/usr/bin:/bin"}
    done = subprocess.run([str(LINUX / "install.sh"), "--prefix", tmp_path / "p"],
                          capture_output=True, text=True, check=True, timeout=30, env=env)
    assert f"runs {auedit}" in done.stdout
    desktop = (tmp_path / "p" / "share" / "applications" / DESKTOP.name).read_text()
    assert f'Exec="{auedit}" gui %F' in desktop and f"TryExec={auedit}" in desktop


def test_every_package_data_pattern_matches_a_file():
    with (REPO / "pyproject.toml").open("rb") as f:
        setuptools = tomllib.load(f)["tool"]["setuptools"]
    folders = {name: resources.ROOT.joinpath(*name.split(".")[2:])
               for name in setuptools["package-data"] if name.startswith("auedit.resources.")}
    assert "auedit.resources.icons" in folders
    for name, folder in folders.items():
        assert name in setuptools["packages"], f"{name} has package-data but is not a package"
        for pattern in setuptools["package-data"][name]:
            assert any(folder.glob(pattern)), f"package-data {name}: {pattern!r} matches no file"


def test_every_resource_folder_is_installed():
    """A folder under resources/ that is not listed as a package installs nothing."""
    with (REPO / "pyproject.toml").open("rb") as f:
        packages = tomllib.load(f)["tool"]["setuptools"]["packages"]
    for folder in resources.ROOT.rglob("*"):
        if folder.is_dir() and folder.name != "__pycache__":
            name = "auedit.resources." + ".".join(folder.relative_to(resources.ROOT).parts)
            assert name in packages, f"{folder} is not installed: add {name} to packages"


def test_both_distributions_ship_the_licence_text():
    """pyproject declares Apache-2.0; the text itself goes into each wheel (`license-files`)."""
    text = (REPO / "LICENSE").read_text()
    assert "Apache License" in text and "END OF TERMS AND CONDITIONS" in text
    for project in (REPO, REPO / "training"):
        with (project / "pyproject.toml").open("rb") as f:
            meta = tomllib.load(f)["project"]
        assert meta["license"] == "Apache-2.0"
        assert [(project / p).read_text() for p in meta["license-files"]] == [text]
