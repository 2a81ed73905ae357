"""`python -m auedit_train` (what torchrun runs): the `auedit-train` command."""

import sys

from auedit_train.cli import main

sys.exit(main())
