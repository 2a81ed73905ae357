"""The bundle's entry point: the `auedit` command (PyInstaller needs a script, not a console
script entry point)."""

import sys

from auedit.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
