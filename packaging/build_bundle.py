"""Build AUEdit's standalone one-folder bundle (`dist/auedit/`) with PyInstaller, report its
size and build time, then smoke-test the built executable.

`python packaging/build_bundle.py [--without-torch] [--no-smoke]`; needs `pip install
pyinstaller` in the environment where AUEdit and its dependencies are installed (the bundle takes
them from there). The smoke test runs `auedit --help`, `analyze --demo --json`, `fit` (torch)
and `gui --demo` (for a while) from the bundle, so that a missing module or data file shows here
rather than on a user's machine.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPEC = REPO / "packaging" / "pyinstaller" / "auedit.spec"
DIST = REPO / "dist"
BUNDLE = DIST / "auedit"
EXECUTABLE = BUNDLE / ("auedit.exe" if sys.platform == "win32" else "auedit")
DEMO_PHOTO = REPO / "resources" / "demo" / "astronaut.jpg"
GUI_SECONDS = 20


def build(with_torch: bool) -> float:
    """Run PyInstaller on the spec; the seconds it took."""
    env = {**os.environ, "AUEDIT_BUNDLE_TORCH": "1" if with_torch else "0"}
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean",
                    "--log-level", "WARN", "--distpath", str(DIST),
                    "--workpath", str(REPO / "build" / "pyinstaller"), str(SPEC)],
                   check=True, env=env)
    return time.monotonic() - start


def size_mib(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
               ) / 2**20


def run_bundle(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(EXECUTABLE), *args], capture_output=True, text=True,
                          timeout=timeout)


def smoke_test(with_torch: bool) -> list[str]:
    """Run the bundle's commands; the problems found (none: it works)."""
    problems = []
    done = run_bundle("--help")
    if done.returncode != 0 or "analyze" not in done.stdout:
        problems.append(f"auedit --help failed:\n{done.stderr}")
    done = run_bundle("analyze", "--demo", "--json")
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not rows:
        problems.append(f"auedit analyze --demo --json printed no rows:\n{done.stderr}")
    else:
        print(f"smoke: analyze --demo --json: {len(rows)} row(s); first: {rows[0]}")
    if with_torch:  # GE-Net's networks and the game face's renderer
        with tempfile.TemporaryDirectory() as tmp:
            done = run_bundle("fit", str(DEMO_PHOTO), "--iterations", "2",
                              "--out", str(Path(tmp) / "fit.json"))
            if done.returncode != 0:
                problems.append(f"auedit fit (torch) failed:\n{done.stderr}")
            else:
                print(f"smoke: {done.stderr.strip().splitlines()[-1]}")
    problems += smoke_test_gui()
    return problems


def smoke_test_gui() -> list[str]:
    """Start the app on the demo photo for GUI_SECONDS. On an X server (Xvfb, where xvfb-run and
    xwininfo are at hand) this also checks Qt's xcb plugin and reads the window titles: the main
    window must be open and no error box ("AUEdit cannot analyse faces"); offscreen, only a crash
    or an error on stderr shows."""
    if shutil.which("xvfb-run") and shutil.which("xwininfo"):
        script = f'"$0" gui --demo & sleep {GUI_SECONDS}; xwininfo -root -tree; kill $!'
        done = subprocess.run(["xvfb-run", "-a", "sh", "-c", script, str(EXECUTABLE)],
                              capture_output=True, text=True, timeout=GUI_SECONDS + 60)
        titles = re.findall(r'^\s*0x[0-9a-f]+ "([^"]*)"', done.stdout, re.MULTILINE)
        if "AUEdit" not in titles or any("cannot" in t for t in titles):
            return [f"auedit gui --demo on Xvfb: windows {titles}:\n{done.stderr}"]
        print(f"smoke: gui --demo ran {GUI_SECONDS} s on Xvfb; windows: {sorted(set(titles))}")
        return []
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with subprocess.Popen([str(EXECUTABLE), "gui", "--demo"], env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as app:
        try:
            _, err = app.communicate(timeout=GUI_SECONDS)
            return [f"auedit gui --demo exited early ({app.returncode}):\n{err}"]
        except subprocess.TimeoutExpired:
            app.terminate()
            _, err = app.communicate()
    if "Traceback" in err or "Error" in err:
        return [f"auedit gui --demo reported errors:\n{err}"]
    print(f"smoke: gui --demo ran {GUI_SECONDS} s offscreen (no X server to read its windows)")
    return []


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without-torch", action="store_true",
                        help="leave torch out (no game face, transfer or GE-Net fitting)")
    parser.add_argument("--no-smoke", action="store_true", help="skip the smoke test")
    args = parser.parse_args()
    seconds = build(with_torch=not args.without_torch)
    print(f"built {BUNDLE} in {seconds:.0f} s: {size_mib(BUNDLE):.0f} MiB")
    if args.no_smoke:
        return 0
    problems = smoke_test(with_torch=not args.without_torch)
    for problem in problems:
        print(f"smoke: FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
